// Summarises a V8 .cpuprofile (node --cpu-prof, as BENCH_CPU_PROF=1 writes
// for the API): self time by function and by package, and the inclusive time
// of functions whose name or file matches a filter.
//
//   node bench/live/profile-summary.mjs FILE.cpuprofile [top=25] [filter]
//   TIMELINE=1 ... also prints, per second, the busy share and its top frames
//   WINDOW=a-b ...  only the samples between a and b seconds from the start
import { readFileSync } from 'node:fs';

const [file, topArg, filter] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/live/profile-summary.mjs FILE.cpuprofile [top] [filter]');
  process.exit(64);
}
const top = Number(topArg || 25);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// Sample counts per node, weighted by the time deltas.
// WINDOW=a-b keeps the samples between a and b seconds from the start.
const [winFrom, winTo] = (process.env.WINDOW ?? '').split('-').map(Number);
const inWindow = (() => {
  const at = [];
  let t = profile.startTime;
  profile.samples.forEach((_, i) => {
    t += profile.timeDeltas[i] ?? 0;
    const sec = (t - profile.startTime) / 1e6;
    at.push(!process.env.WINDOW || (sec >= winFrom && sec < winTo));
  });
  return at;
})();
const self = new Map();
let total = 0;
profile.samples.forEach((id, i) => {
  if (!inWindow[i]) return;
  const dt = profile.timeDeltas[i] ?? 0;
  self.set(id, (self.get(id) ?? 0) + dt);
  total += dt;
});

const where = (n) => {
  const url = n.callFrame.url || '';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  if (url.includes('/dist/')) return `app:${url.split('/dist/')[1].split('/').slice(0, 3).join('/')}`;
  if (url.startsWith('node:')) return url;
  return url ? url.split('/').slice(-2).join('/') : `(${n.callFrame.functionName || 'native'})`;
};
const label = (n) => `${n.callFrame.functionName || '(anonymous)'} ${where(n)}:${n.callFrame.lineNumber + 1}`;

const byFunction = new Map();
const byPackage = new Map();
for (const [id, us] of self) {
  const n = nodes.get(id);
  const f = label(n);
  byFunction.set(f, (byFunction.get(f) ?? 0) + us);
  const p = where(n);
  byPackage.set(p, (byPackage.get(p) ?? 0) + us);
}
const pct = (us) => `${((100 * us) / total).toFixed(1).padStart(5)} %`;
const print = (title, map) => {
  console.log(`\n${title}`);
  for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`  ${pct(us)}  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`);
};
console.log(`${file}: ${(total / 1e6).toFixed(2)} s sampled`);
print('Self time by package', byPackage);
print('Self time by function', byFunction);

if (filter) {
  // Inclusive time: a sample counts once for each distinct matching frame on its stack.
  const inclusive = new Map();
  const re = new RegExp(filter);
  profile.samples.forEach((id, i) => {
    if (!inWindow[i]) return;
    const dt = profile.timeDeltas[i] ?? 0;
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const f = label(nodes.get(cur));
      if (re.test(f) && !seen.has(f)) {
        seen.add(f);
        inclusive.set(f, (inclusive.get(f) ?? 0) + dt);
      }
    }
  });
  print(`Inclusive time of frames matching /${filter}/`, inclusive);
}

if (process.env.TIMELINE === '1') {
  // Per second of the profile: how busy the main thread was, and on what.
  const seconds = new Map();
  let t = profile.startTime;
  profile.samples.forEach((id, i) => {
    t += profile.timeDeltas[i] ?? 0;
    const sec = Math.floor((t - profile.startTime) / 1e6);
    const n = nodes.get(id);
    const bucket = seconds.get(sec) ?? { busy: 0, all: 0, top: new Map() };
    const dt = profile.timeDeltas[i] ?? 0;
    bucket.all += dt;
    if (n.callFrame.functionName !== '(idle)') {
      bucket.busy += dt;
      const f = label(n);
      bucket.top.set(f, (bucket.top.get(f) ?? 0) + dt);
    }
    seconds.set(sec, bucket);
  });
  console.log('\nTimeline (s: busy %, top self frames)');
  for (const [sec, b] of [...seconds].sort((a, b2) => a[0] - b2[0])) {
    const top3 = [...b.top]
      .sort((a, b2) => b2[1] - a[1])
      .slice(0, 3)
      .map(([f, us]) => `${f} ${(us / 1000).toFixed(0)}ms`);
    console.log(
      `  ${String(sec).padStart(4)}: ${((100 * b.busy) / Math.max(b.all, 1)).toFixed(0).padStart(3)} %  ${top3.join(' | ')}`,
    );
  }
}
