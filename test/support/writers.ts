import { randomUUID } from 'node:crypto';

export interface WriterStats {
  // Responses by status ("network" for a request that got no response).
  statuses: Record<string, number>;
  // 503 answers that lacked Retry-After or the SERVICE_UNAVAILABLE code.
  malformed503: number;
  // Comments acknowledged (201, or 200 for a retry whose first attempt was stored).
  stored: string[];
  // Posts that needed more than one attempt.
  retried: number;
  // Longest time from a post's first attempt to its acknowledgement.
  longestPostMs: number;
}

export interface Writers {
  stats: WriterStats;
  // Lets each writer finish the post it is on, then stops.
  stop(): Promise<WriterStats>;
}

// Writers that post comments one after another, each with a client-chosen id;
// a post that fails (503, a cut connection) is sent again with the same id and
// body until it is acknowledged, as a well-behaved client does.
export function startWriters(options: {
  target: () => string;
  tokens: string[];
  slug: string;
  pauseMs?: number;
}): Writers {
  const stats: WriterStats = { statuses: {}, malformed503: 0, stored: [], retried: 0, longestPostMs: 0 };
  let running = true;
  const count = (key: string) => (stats.statuses[key] = (stats.statuses[key] ?? 0) + 1);
  const loops = options.tokens.map(async (token, writer) => {
    for (let n = 0; running; n++) {
      const id = randomUUID();
      const body = JSON.stringify({ id, body: `writer ${writer} comment ${n} ${id}` });
      const started = Date.now();
      for (let attempt = 0; ; attempt++) {
        if (attempt === 1) stats.retried++;
        let status: number;
        try {
          const response = await fetch(`${options.target()}/api/articles/${options.slug}/comments`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body,
            signal: AbortSignal.timeout(30_000),
          });
          status = response.status;
          const text = await response.text();
          if (status === 503) {
            const problem = JSON.parse(text) as { code?: string };
            if (!response.headers.get('retry-after') || problem.code !== 'SERVICE_UNAVAILABLE') stats.malformed503++;
          }
        } catch {
          count('network');
          await new Promise((r) => setTimeout(r, 50));
          continue;
        }
        count(String(status));
        if (status === 201 || status === 200) {
          stats.stored.push(id);
          stats.longestPostMs = Math.max(stats.longestPostMs, Date.now() - started);
          break;
        }
        // Anything but a 503 would be a bug the test reports: stop retrying it.
        if (status !== 503) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await new Promise((r) => setTimeout(r, options.pauseMs ?? 20));
    }
  });
  return {
    stats,
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return stats;
    },
  };
}
