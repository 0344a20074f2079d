// npm run bench:web — the reader page in Chromium: what it downloads (as sent,
// compressed; the first view's script within 20 KB, everything within 60 KB), how soon
// the thread shows after the HTML, and how it behaves with 1,000 comments.
//
// Settings (environment):
//   PORT               3098   the server's port
//   EMBEDDED_PG_PORT   54398  its embedded PostgreSQL (a fresh one under .data-bench-web)
//   BENCH_COMMENTS     1000   top-level comments on the article
//   BENCH_LOADS        10     page loads measured for the first render
//   CHROMIUM_PATH      /usr/bin/chromium
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { launchChromium, startLocalServer } from '../../scripts/lib/local-server.mjs';

const port = Number(process.env.PORT ?? 3098);
const pgPort = Number(process.env.EMBEDDED_PG_PORT ?? 54398);
const comments = Number(process.env.BENCH_COMMENTS ?? 1000);
const loads = Number(process.env.BENCH_LOADS ?? 10);
const slug = 'putin-and-kim-jong-un-are-not-so-different';
const dataDir = join(import.meta.dirname, '..', '..', '.data-bench-web');
const { base, call, ready, stop } = startLocalServer({ port, pgPort, dataDir });

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function run() {
  const users = await Promise.all(
    [1, 2, 3, 4, 5].map((i) =>
      call('POST', '/api/auth/register', {
        body: { username: `bench_${i}`, email: `bench_${i}@example.com`, password: 'correct horse battery' },
      }),
    ),
  );
  for (let i = 0; i < comments; i += 10) {
    await Promise.all(
      users.flatMap((u, k) =>
        [0, 1].map((j) =>
          i + k * 2 + j < comments
            ? call('POST', `/api/articles/${slug}/comments`, {
                token: u.accessToken,
                body: { body: `Comment ${i + k * 2 + j}: ${'a thoughtful sentence about deterrence. '.repeat(3)}` },
              })
            : null,
        ),
      ),
    );
  }

  const browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });

  // What the reader page downloads, as sent (Brotli when the browser takes
  // it): the first view is what the HTML names (the entry script and the
  // stylesheet); the thread follows as its own chunk, the Markdown preview
  // and the console only on use.
  const page = await context.newPage();
  await page.goto(`${base}/articles/${slug}`);
  await page.locator('.comments article').first().waitFor();
  await page.waitForLoadState('networkidle');
  // What the HTML itself names, not the preloads the page adds when it imports a chunk.
  const html = await (await fetch(`${base}/articles/${slug}`)).text();
  const initial = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
  const assets = (
    await page.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .filter((e) => /\.(js|css)$/.test(new URL(e.name).pathname))
        .map((e) => ({ file: new URL(e.name).pathname, sentBytes: e.encodedBodySize, bytes: e.decodedBodySize })),
    )
  ).map((a) => ({ ...a, initial: initial.includes(a.file) }));
  const sum = (list) => list.reduce((n, a) => n + a.sentBytes, 0);
  const total = sum(assets);
  const initialScript = sum(assets.filter((a) => a.initial && a.file.endsWith('.js')));
  // The same files gzipped at level 9, for comparison with earlier reports.
  const gzipTotal = (
    await Promise.all(
      assets.map(
        async (a) => gzipSync(Buffer.from(await (await fetch(`${base}${a.file}`)).arrayBuffer()), { level: 9 }).length,
      ),
    )
  ).reduce((n, b) => n + b, 0);

  // First thread render after the HTML arrived.
  await context.addInitScript(() => {
    new MutationObserver((_m, observer) => {
      if (document.querySelector('.comments article')) {
        window.__firstThread = performance.now();
        observer.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
  });
  const renders = [];
  const steps = { script: [], article: [], thread: [] };
  for (let i = 0; i < loads; i++) {
    const p = await context.newPage();
    await p.goto(`${base}/articles/${slug}`);
    await p.locator('.comments article').first().waitFor();
    const timing = await p.evaluate(() => {
      const html = performance.getEntriesByType('navigation')[0].responseEnd;
      const end = (test) =>
        performance.getEntriesByType('resource').find((e) => test(new URL(e.name).pathname))?.responseEnd - html;
      return {
        render: window.__firstThread - html,
        script: end((path) => path.startsWith('/assets/index') && path.endsWith('.js')),
        article: end((path) => /^\/api\/articles\/[^/]+$/.test(path)),
        thread: end((path) => path.endsWith('/comments')),
      };
    });
    renders.push(timing.render);
    for (const key of Object.keys(steps)) steps[key].push(timing[key]);
    await p.close();
  }

  // 1,000 comments on the page: load them all, then scroll and take live updates.
  const big = await context.newPage();
  await big.goto(`${base}/articles/${slug}`);
  const more = big.getByRole('button', { name: 'Load more comments' });
  await big.locator('.comments article').first().waitFor();
  for (
    let shown = await big.locator('.comments > li').count();
    shown < comments;
    shown = await big.locator('.comments > li').count()
  ) {
    await more.click();
    await big.waitForFunction((n) => document.querySelectorAll('.comments > li').length > n, shown);
  }
  const loaded = await big.locator('.comments > li').count();
  await big.evaluate(() => {
    window.__long = [];
    new PerformanceObserver((list) => window.__long.push(...list.getEntries().map((e) => e.duration))).observe({
      type: 'longtask',
    });
  });
  const scroll = await big.evaluate(async () => {
    window.scrollTo(0, 0);
    await new Promise((r) => requestAnimationFrame(r));
    const t0 = performance.now();
    let frames = 0;
    while (window.scrollY + innerHeight < document.documentElement.scrollHeight - 10) {
      window.scrollBy(0, 400);
      await new Promise((r) => requestAnimationFrame(r));
      frames++;
    }
    return { ms: performance.now() - t0, frames, height: document.documentElement.scrollHeight };
  });
  // A live vote on the last comment: the time from the POST to its new score on screen.
  const lastId = await big.locator('.comments > li:last-child article').getAttribute('id');
  const id = lastId.replace('comment-', '');
  const voter = await call('POST', '/api/auth/register', {
    body: { username: 'bench_voter', email: 'bench_voter@example.com', password: 'correct horse battery' },
  });
  const voteStart = Date.now();
  await call('PUT', `/api/comments/${id}/vote`, { token: voter.accessToken, body: { value: 1 } });
  await big.waitForFunction((sel) => document.querySelector(sel)?.textContent?.trim() !== '0', `#${lastId} .score`);
  const voteMs = Date.now() - voteStart;
  const longTasks = await big.evaluate(() => window.__long);
  await browser.close();

  console.log(
    JSON.stringify(
      {
        budget: {
          assets,
          initialScriptSentBytes: initialScript,
          initialScriptLimitBytes: 20 * 1024,
          totalSentBytes: total,
          totalGzip9Bytes: gzipTotal,
          limitBytes: 60 * 1024,
        },
        firstThreadRenderAfterHtmlMs: {
          median: Math.round(median(renders)),
          max: Math.round(Math.max(...renders)),
          loads,
          // When each response had arrived, after the HTML (medians).
          scriptLoaded: Math.round(median(steps.script)),
          articleLoaded: Math.round(median(steps.article)),
          threadPageLoaded: Math.round(median(steps.thread)),
        },
        thousand: {
          commentsOnPage: loaded,
          scrollToBottom: {
            pagePx: scroll.height,
            ms: Math.round(scroll.ms),
            frames: scroll.frames,
            msPerFrame: +(scroll.ms / scroll.frames).toFixed(1),
          },
          longTasksDuringScrollAndVote: { count: longTasks.length, maxMs: Math.round(Math.max(0, ...longTasks)) },
          liveVoteToScreenMs: voteMs,
        },
      },
      null,
      2,
    ),
  );
}

try {
  await ready();
  await run();
} finally {
  await stop();
}
