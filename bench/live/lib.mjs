// Shared helpers of the live-updates benchmark: a latency histogram that can
// be merged across processes, /proc readings, and the body stamp format.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

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

// --------------------------------------------------------------- histogram
// 10 µs buckets up to 5 s; anything slower is kept exactly (there are few).
const RES = 100; // buckets per ms
const BUCKETS = 5000 * RES;

export class Histogram {
  constructor() {
    this.counts = new Uint32Array(BUCKETS);
    this.over = [];
    this.n = 0;
    this.sum = 0;
    this.max = -Infinity;
    this.min = Infinity;
    this.negative = 0;
  }

  add(ms) {
    if (ms < 0) {
      this.negative += 1;
      ms = 0;
    }
    this.n += 1;
    this.sum += ms;
    if (ms > this.max) this.max = ms;
    if (ms < this.min) this.min = ms;
    const b = Math.floor(ms * RES);
    if (b < BUCKETS) this.counts[b] += 1;
    else this.over.push(ms);
  }

  // A compact form for IPC: [bucket, count] pairs.
  toJSON() {
    const pairs = [];
    for (let i = 0; i < BUCKETS; i++) if (this.counts[i] !== 0) pairs.push(i, this.counts[i]);
    return { pairs, over: this.over, n: this.n, sum: this.sum, max: this.max, min: this.min, negative: this.negative };
  }

  merge(json) {
    for (let i = 0; i < json.pairs.length; i += 2) this.counts[json.pairs[i]] += json.pairs[i + 1];
    for (const v of json.over) this.over.push(v);
    this.n += json.n;
    this.sum += json.sum;
    this.negative += json.negative;
    if (json.n > 0) {
      this.max = Math.max(this.max, json.max);
      this.min = Math.min(this.min, json.min);
    }
    return this;
  }

  // The value below which a fraction q of the samples lie (bucket upper edge).
  quantile(q) {
    if (this.n === 0) return null;
    const rank = Math.max(1, Math.ceil(q * this.n));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= rank) return Math.min((i + 1) / RES, this.max);
    }
    const over = [...this.over].sort((a, b) => a - b);
    return over[rank - seen - 1];
  }

  summary() {
    if (this.n === 0) return { n: 0 };
    const r = (v) => (v === null || v === undefined ? null : Math.round(v * 100) / 100);
    return {
      n: this.n,
      p50: r(this.quantile(0.5)),
      p90: r(this.quantile(0.9)),
      p99: r(this.quantile(0.99)),
      p999: r(this.quantile(0.999)),
      max: r(this.max),
      mean: r(this.sum / this.n),
      negative: this.negative,
    };
  }
}

export function quantileOf(values, q) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

// ------------------------------------------------------------------ /proc
export const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

// utime + stime of a process, in seconds.
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return NaN;
  }
}

// CPU seconds of the PostgreSQL backends serving one database (their process
// titles name it), summed over those alive now.
export function postgresCpuSeconds(database) {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const title = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (!title.startsWith('postgres:') || !title.includes(` ${database} `)) continue;
      const cpu = cpuSeconds(entry);
      if (!Number.isNaN(cpu)) total += cpu;
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

export function rssMiB(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN) / 1024;
  } catch {
    return NaN;
  }
}

export function openFilesLimit() {
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8');
    const m = /^Max open files\s+(\S+)\s+(\S+)/m.exec(limits);
    return { soft: Number(m[1]) || m[1], hard: Number(m[2]) || m[2] };
  } catch {
    return { soft: null, hard: null };
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Busy and total jiffies of the whole machine (first line of /proc/stat).
export function machineTicks() {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = v[3] + (v[4] || 0);
    const total = v.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: NaN, total: NaN };
  }
}

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
