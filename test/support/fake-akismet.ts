import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

// A local server that speaks Akismet's REST protocol (form-encoded POSTs to
// /1.1/comment-check, /1.1/submit-spam, /1.1/submit-ham), so tests exercise
// the real client over real HTTP. What it answers is chosen by the comment's
// content: "viagra" is spam, "slowly" answers after `slowMs`, "garbled"
// answers something that is no verdict; anything else is ham. `failSubmits`
// makes that many submit calls answer 500 first.
export interface FakeAkismet {
  url: string;
  calls: { method: string; form: Record<string, string> }[];
  failSubmits: number;
  close(): Promise<void>;
}

export async function startFakeAkismet(options: { key?: string; slowMs?: number } = {}): Promise<FakeAkismet> {
  const key = options.key ?? 'test-akismet-key';
  const fake: FakeAkismet = { url: '', calls: [], failSubmits: 0, close: () => Promise.resolve() };
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      const form = Object.fromEntries(new URLSearchParams(raw));
      const method = (req.url ?? '').replace(/^\/1\.1\//, '');
      fake.calls.push({ method, form });
      const send = (status: number, body: string, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'text/plain', ...headers });
        res.end(body);
      };
      if (req.method !== 'POST' || !['comment-check', 'submit-spam', 'submit-ham'].includes(method)) {
        return send(404, 'Not found');
      }
      if (form.api_key !== key || !form.blog) {
        return send(200, 'invalid', { 'X-akismet-debug-help': 'Empty "api_key" or "blog" value' });
      }
      if (method !== 'comment-check') {
        if (fake.failSubmits > 0) {
          fake.failSubmits--;
          return send(500, 'Internal error');
        }
        return send(200, 'Thanks for making the web a better place.');
      }
      const content = form.comment_content ?? '';
      if (content.includes('slowly')) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          send(200, 'false');
        }, options.slowMs ?? 5000);
        timers.add(timer);
        return;
      }
      if (content.includes('garbled')) return send(200, '<html>oops</html>');
      send(200, content.includes('viagra') ? 'true' : 'false');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}
