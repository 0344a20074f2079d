// Helpers of the live-updates benchmark alone: the body stamp format and the
// inspector session (process, CPU and histogram helpers are in bench/lib/).
import { sleep } from '../lib/processes.mjs';

// ------------------------------------------------------------ body stamp
// The poster writes its send time (ms since the epoch, from
// performance.timeOrigin + performance.now()) into the comment body; every
// subscriber reads it back, so one clock (this machine's) measures latency.
export const STAMP_PREFIX = 'live-bench t=';

export function stampBody(sentAt, n, padTo) {
  const head = `${STAMP_PREFIX}${sentAt.toFixed(3)} n=${n} `;
  return head + 'x'.repeat(Math.max(0, padTo - head.length));
}

export function readStamp(body) {
  if (typeof body !== 'string' || !body.startsWith(STAMP_PREFIX)) return NaN;
  const end = body.indexOf(' ', STAMP_PREFIX.length);
  return Number(body.slice(STAMP_PREFIX.length, end));
}

export const now = () => performance.timeOrigin + performance.now();

// ---------------------------------------------------------------- inspector
// The servers start with --inspect=127.0.0.1:0 so that the memory readings
// can follow a full garbage collection (HeapProfiler.collectGarbage) and
// include the V8 heap in use (Runtime.getHeapUsage). No domain is enabled,
// so the attached session costs nothing while the load runs.
export async function inspectorSession(url) {
  const { default: WebSocket } = await import('ws');
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let next = 1;
  const pending = new Map();
  ws.on('message', (data) => {
    const msg = JSON.parse(data.toString());
    const p = msg.id && pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.error) p.reject(new Error(JSON.stringify(msg.error)));
    else p.resolve(msg.result);
  });
  const call = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, method, params }));
    });
  return {
    call,
    async gc() {
      await call('HeapProfiler.collectGarbage');
      await call('HeapProfiler.collectGarbage');
    },
    // An event-loop delay histogram inside the server (perf_hooks, through
    // the inspector: nothing in the server's code changes).
    async loopDelayStart() {
      const expression = `(() => {
        const ph = process.getBuiltinModule?.('perf_hooks');
        if (!ph) return false;
        globalThis.__benchLoopDelay ??= ph.monitorEventLoopDelay({ resolution: 5 });
        globalThis.__benchLoopDelay.enable();
        globalThis.__benchLoopDelay.reset();
        return true;
      })()`;
      const { result } = await call('Runtime.evaluate', { expression, returnByValue: true });
      return result?.value === true;
    },
    async loopDelayRead() {
      const expression = `(() => {
        const h = globalThis.__benchLoopDelay;
        if (!h) return null;
        const ms = (ns) => Math.round(ns / 1e4) / 100;
        return { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) };
      })()`;
      const { result } = await call('Runtime.evaluate', { expression, returnByValue: true });
      return result?.value ?? null;
    },
    async heapUsedMiB() {
      const { usedSize } = await call('Runtime.getHeapUsage');
      return usedSize / 2 ** 20;
    },
    close: () => ws.close(),
  };
}

export async function inspectorUrl(output, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const m = /Debugger listening on (ws:\/\/\S+)/.exec(output());
    if (m) return m[1];
    await sleep(50);
  }
  return null;
}
