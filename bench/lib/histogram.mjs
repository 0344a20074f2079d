// Latency histograms that can be merged across processes, and quantiles of
// plain samples: shared by the benchmarks.

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
