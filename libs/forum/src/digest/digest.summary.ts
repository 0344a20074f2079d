import type { Stance } from '../comments/comment.types.js';

// How many of each list a digest carries.
export const DIGEST_LIMITS = { best: 5, repliesToYou: 10, busiest: 3, removals: 10 } as const;

// A comment that came into the window (a `comment.created` event in it), as
// it is now: enough to count and rank it, not to show it.
export interface WindowComment {
  id: string;
  parentId: string | null;
  rootId: string;
  depth: number;
  status: string;
  authorId: string;
  // The author of the comment it answers (null for a top-level comment).
  parentAuthorId: string | null;
  stance: Stance | null;
  bestScore: number;
  score: number;
  createdAt: Date;
}

export interface DigestPlan {
  counts: {
    comments: number;
    topLevel: number;
    replies: number;
    byStance: Record<Stance | 'none', number>;
    repliesToYou: number | null;
  };
  // Ids to show, in order; the service renders them through the visibility policy.
  best: string[];
  repliesToYou: string[] | null;
  busiest: { rootId: string; newReplies: number; lastReplyAt: Date }[];
}

const newestFirst = (a: WindowComment, b: WindowComment) =>
  b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1);

// Counts and picks from the window's comments. Only published comments count
// and are picked: a held, rejected, removed or deleted one is not news.
// `viewerId` is the signed-in reader (null: anonymous): their own comments
// are not offered back to them as the best new ones.
export function planDigest(comments: WindowComment[], viewerId: string | null): DigestPlan {
  const published = comments.filter((c) => c.status === 'published');
  const top = published.filter((c) => c.depth === 0);
  const replies = published.filter((c) => c.depth > 0);

  const byStance: Record<Stance | 'none', number> = { agree: 0, disagree: 0, question: 0, other: 0, none: 0 };
  for (const c of top) byStance[c.stance ?? 'none'] += 1;

  const best = top
    .filter((c) => c.authorId !== viewerId)
    .sort((a, b) => b.bestScore - a.bestScore || b.score - a.score || newestFirst(a, b))
    .slice(0, DIGEST_LIMITS.best)
    .map((c) => c.id);

  const toViewer =
    viewerId === null ? null : replies.filter((c) => c.parentAuthorId === viewerId && c.authorId !== viewerId);

  const threads = new Map<string, { rootId: string; newReplies: number; lastReplyAt: Date }>();
  for (const c of replies) {
    const entry = threads.get(c.rootId) ?? { rootId: c.rootId, newReplies: 0, lastReplyAt: c.createdAt };
    entry.newReplies += 1;
    if (c.createdAt > entry.lastReplyAt) entry.lastReplyAt = c.createdAt;
    threads.set(c.rootId, entry);
  }
  const busiest = [...threads.values()]
    .sort(
      (a, b) =>
        b.newReplies - a.newReplies ||
        b.lastReplyAt.getTime() - a.lastReplyAt.getTime() ||
        (a.rootId < b.rootId ? -1 : 1),
    )
    .slice(0, DIGEST_LIMITS.busiest);

  return {
    counts: {
      comments: published.length,
      topLevel: top.length,
      replies: replies.length,
      byStance,
      repliesToYou: toViewer?.length ?? null,
    },
    best,
    repliesToYou: toViewer
      ? [...toViewer]
          .sort(newestFirst)
          .slice(0, DIGEST_LIMITS.repliesToYou)
          .map((c) => c.id)
      : null,
    busiest,
  };
}
