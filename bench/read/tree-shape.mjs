// Shape of a synthetic discussion: who replies to whom, when, and how it is
// voted on. Pure and seeded, so the same parameters always give the same
// thread (the data set is cached on that basis).

export const MAX_DEPTH = 12; // depth of a top-level comment is 0
export const TOP_LEVEL_SHARE = 0.3;
export const MAX_UP = 250;
export const MAX_DOWN = 40;

// mulberry32: small, fast, good enough for synthetic data.
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// n comments; returns typed arrays indexed by comment number (0 = oldest).
// Replies pick their parent three ways:
//  - 45%: preferential attachment, i.e. the parent of a random earlier reply,
//    so a comment's chance of a new reply is proportional to the replies it
//    already has (a Yule/Simon process: reply counts follow a power law);
//  - 25%: a back-and-forth, replying to one of the last few comments, which
//    grows the long chains real threads have;
//  - 30%: any earlier comment, recent ones more likely (u^2 from the end).
// A parent already at MAX_DEPTH hands the reply to its own parent.
export function buildShape(n, seed, startMs) {
  const r = rng(seed);
  const parent = new Int32Array(n).fill(-1);
  const depth = new Uint8Array(n);
  const replyCount = new Int32Array(n);
  const descendantCount = new Int32Array(n);
  const createdMs = new Float64Array(n);
  const upvotes = new Int32Array(n);
  const downvotes = new Int32Array(n);
  const author = new Uint8Array(n);
  const replyParents = new Int32Array(n); // parent of each reply so far
  let replies = 0;
  let t = startMs;
  for (let i = 0; i < n; i++) {
    // ~8% share the previous comment's millisecond: ties are allowed.
    if (i > 0 && r() >= 0.08) t += 1 + Math.floor(r() * 3000);
    createdMs[i] = t;
    author[i] = Math.floor(r() ** 1.5 * 256) & 0xff;
    if (i === 0 || r() < TOP_LEVEL_SHARE) continue;
    const how = r();
    let p;
    if (how < 0.45 && replies > 0) p = replyParents[Math.floor(r() * replies)];
    else if (how < 0.7) p = i - 1 - Math.floor(r() * Math.min(i, 4));
    else p = i - 1 - Math.floor(r() ** 2 * i);
    while (depth[p] >= MAX_DEPTH) p = parent[p];
    parent[i] = p;
    depth[i] = depth[p] + 1;
    replyCount[p]++;
    replyParents[replies++] = p;
  }
  for (let i = n - 1; i >= 0; i--) if (parent[i] >= 0) descendantCount[parent[i]] += descendantCount[i] + 1;
  for (let i = 0; i < n; i++) {
    // Heavy-tailed votes, more for comments that drew replies. Every vote is
    // a row of the votes table from a distinct user other than the author,
    // so up + down stays below the number of users (MAX_UP + MAX_DOWN).
    const up = Math.floor(-Math.log(1 - r()) * 1.5 * (1 + replyCount[i]) ** 0.8 + (1 / (1 - r() * 0.99) - 1) * 0.5);
    const down = Math.floor(-Math.log(1 - r()) * 0.8);
    upvotes[i] = Math.min(up, MAX_UP);
    downvotes[i] = Math.min(down, MAX_DOWN);
  }
  return { n, parent, depth, replyCount, descendantCount, createdMs, upvotes, downvotes, author };
}
