import { DIGEST_LIMITS, planDigest } from './digest.summary.js';
import type { WindowComment } from './digest.summary.js';

const ME = 'me';
let n = 0;
function comment(overrides: Partial<WindowComment> = {}): WindowComment {
  n += 1;
  const id = overrides.id ?? `c${String(n).padStart(3, '0')}`;
  return {
    id,
    parentId: null,
    rootId: id,
    depth: 0,
    status: 'published',
    authorId: 'someone',
    parentAuthorId: null,
    stance: null,
    bestScore: 0,
    score: 0,
    createdAt: new Date(Date.UTC(2026, 10, 30, 10, 0, n)),
    ...overrides,
  };
}
const reply = (root: WindowComment, overrides: Partial<WindowComment> = {}) =>
  comment({ depth: 1, parentId: root.id, rootId: root.id, parentAuthorId: root.authorId, ...overrides });

describe('planDigest', () => {
  it('counts published comments only, top-level per stance', () => {
    const plan = planDigest(
      [
        comment({ stance: 'agree' }),
        comment({ stance: 'agree' }),
        comment({ stance: 'question' }),
        comment(),
        comment({ status: 'pending', stance: 'disagree' }),
        comment({ status: 'removed' }),
        // Replies under comments from before the window.
        reply(comment()),
        reply(comment(), { status: 'rejected' }),
      ],
      null,
    );
    expect(plan.counts).toEqual({
      comments: 5,
      topLevel: 4,
      replies: 1,
      byStance: { agree: 2, disagree: 0, question: 1, other: 0, none: 1 },
      repliesToYou: null,
    });
    expect(plan.repliesToYou).toBeNull();
  });

  it('picks the best new top-level comments by Wilson lower bound, then score, then newest, not the reader’s own', () => {
    const low = comment({ bestScore: 0.1 });
    const high = comment({ bestScore: 0.8 });
    const tieOlder = comment({ bestScore: 0.5, score: 3 });
    const tieNewer = comment({ bestScore: 0.5, score: 3 });
    const tieHigherScore = comment({ bestScore: 0.5, score: 7 });
    const mine = comment({ bestScore: 0.99, authorId: ME });
    const held = comment({ bestScore: 0.95, status: 'pending' });
    const plan = planDigest([low, high, tieOlder, tieNewer, tieHigherScore, mine, held, reply(high)], ME);
    expect(plan.best).toEqual([high.id, tieHigherScore.id, tieNewer.id, tieOlder.id, low.id]);
    expect(planDigest([mine], null).best).toEqual([mine.id]);
  });

  it('keeps at most the limit of each list', () => {
    const roots = Array.from({ length: 8 }, () => comment());
    const mine = comment({ authorId: ME });
    const replies = Array.from({ length: 15 }, () => reply(mine));
    const others = roots.flatMap((r) => [reply(r)]);
    const plan = planDigest([...roots, mine, ...replies, ...others], ME);
    expect(plan.best).toHaveLength(DIGEST_LIMITS.best);
    expect(plan.repliesToYou).toHaveLength(DIGEST_LIMITS.repliesToYou);
    expect(plan.counts.repliesToYou).toBe(15);
    expect(plan.busiest).toHaveLength(DIGEST_LIMITS.busiest);
  });

  it('lists replies to the reader newest first, not their answers to themselves', () => {
    const mine = comment({ authorId: ME });
    const first = reply(mine);
    const second = reply(mine);
    const selfReply = reply(mine, { authorId: ME });
    const deeper = comment({ depth: 2, parentId: first.id, rootId: mine.id, parentAuthorId: 'someone' });
    const answerToMyReply = comment({ depth: 2, parentId: selfReply.id, rootId: mine.id, parentAuthorId: ME });
    const plan = planDigest([mine, first, second, selfReply, deeper, answerToMyReply], ME);
    expect(plan.repliesToYou).toEqual([answerToMyReply.id, second.id, first.id]);
    expect(plan.counts.repliesToYou).toBe(3);
  });

  it('ranks subthreads by new replies at any depth, then by the latest reply', () => {
    const quiet = comment();
    const busy = comment();
    const recent = comment();
    const rows = [
      reply(quiet),
      reply(busy),
      reply(busy),
      comment({ depth: 3, rootId: busy.id, parentId: 'x', parentAuthorId: 'y' }),
      reply(busy, { status: 'removed' }),
      reply(recent),
    ];
    const plan = planDigest(rows, null);
    expect(plan.busiest.map((b) => [b.rootId, b.newReplies])).toEqual([
      [busy.id, 3],
      [recent.id, 1],
      [quiet.id, 1],
    ]);
    expect(plan.busiest[0].lastReplyAt).toEqual(rows[3].createdAt);
  });
});
