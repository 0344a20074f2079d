import { Inject, Injectable } from '@nestjs/common';
import { isModerator } from '@rejoinder/accounts';
import { APP_CONFIG, DomainError, ErrorCode } from '@rejoinder/common';
import type { AppConfig, DigestData } from '@rejoinder/common';
import { CommentStatus } from '@rejoinder/db';
import { CommentsRepository } from '../comments/comments.repository.js';
import { statusSeenBy, visibility, viewInChain } from '../comments/visibility.js';
import type { Viewer } from '../comments/visibility.js';
import type { CommentRow } from '../comments/comment.types.js';
import type { CommentView } from '../comments/comment.view.js';
import { DigestRepository } from './digest.repository.js';
import type { RemovalRow } from './digest.repository.js';
import { DIGEST_LIMITS, planDigest } from './digest.summary.js';
import { ageCutoff, assertNotAhead, digestWindow, parseSince } from './digest.window.js';
import type { Since } from './digest.window.js';

export type Digest = DigestData;

// "Catch me up": what happened in an article since a reader's last visit,
// for the HTTP route and the socket alike. Every comment it shows is
// rendered through the visibility policy for this reader, now.
@Injectable()
export class DigestService {
  constructor(
    private readonly digests: DigestRepository,
    private readonly comments: CommentsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  // `since` as the reader wrote it; parse it first (parseSince) to refuse bad
  // input before anything else is done.
  async digest(slug: string, since: string | Since, viewer: Viewer): Promise<Digest> {
    const from = typeof since === 'string' ? parseSince(since) : since;
    const now = new Date();
    assertNotAhead(from, now);
    const article = await this.digests.article(slug);
    if (!article) throw new DomainError(ErrorCode.ArticleNotFound);
    if (from.kind === 'seq' && from.seq > article.head)
      throw new DomainError(ErrorCode.SinceAhead, `The article's last event is ${article.head}`);

    const floors = await this.digests.floors(
      article.id,
      ageCutoff(now, this.config.DIGEST_MAX_AGE_DAYS),
      from.kind === 'time' ? from.at : null,
    );
    const window = digestWindow({
      head: article.head,
      requested: from.kind === 'seq' ? from.seq : (floors.atTime ?? 0),
      ageFloor: floors.ageFloor ?? 0,
      oldest: floors.oldest,
      maxEvents: this.config.DIGEST_MAX_EVENTS,
    });

    const empty = window.after >= window.head;
    const [startedAt, inWindow, removalRows] = await Promise.all([
      window.after > 0 ? this.digests.eventTime(article.id, window.after) : null,
      empty ? [] : this.digests.windowComments(article.id, window.after, window.head),
      viewer && !empty
        ? this.digests.removals(article.id, window.after, window.head, {
            id: viewer.id,
            staff: isModerator(viewer),
          })
        : [],
    ]);

    const plan = planDigest(inWindow, viewer?.id ?? null);
    const shownIds = [...plan.best, ...(plan.repliesToYou ?? []), ...plan.busiest.map((b) => b.rootId)];
    const rows = new Map((await this.comments.findMany([...new Set(shownIds)])).map((r) => [r.id, r]));
    // Lists of news show only what the reader may read in full, and is still
    // published; a subthread's root keeps its place as a placeholder.
    const news = (ids: string[]): CommentView[] =>
      ids
        .map((id) => rows.get(id))
        .filter(
          (r): r is CommentRow =>
            !!r && statusSeenBy(r, viewer) === CommentStatus.published && visibility(r, viewer) === 'full',
        )
        .map((r) => viewInChain(r, viewer));
    const removals = viewer ? this.notices(removalRows, viewer) : null;

    return {
      articleId: article.id,
      seq: window.head,
      since: {
        requested: from.raw,
        seq: window.after,
        at: startedAt ? startedAt.toISOString() : null,
        clamped: window.clamped,
      },
      counts: { ...plan.counts, removals: removals ? removals.length : null },
      repliesToYou: plan.repliesToYou ? news(plan.repliesToYou) : null,
      best: news(plan.best),
      busiest: plan.busiest.flatMap((b) => {
        const root = rows.get(b.rootId);
        return root
          ? [{ root: viewInChain(root, viewer), newReplies: b.newReplies, lastReplyAt: b.lastReplyAt.toISOString() }]
          : [];
      }),
      removals: removals ? removals.slice(0, DIGEST_LIMITS.removals) : null,
    };
  }

  // Removals as notices: only of comments the policy lets the reader know of
  // (another reader's held comment stays unknown to them), still taken down
  // now, and never with their text.
  private notices(rows: RemovalRow[], viewer: NonNullable<Viewer>): NonNullable<Digest['removals']> {
    const notices: NonNullable<Digest['removals']> = [];
    for (const r of rows) {
      if (r.status !== 'removed' && r.status !== 'pending' && r.status !== 'rejected') continue;
      if (visibility({ status: r.status, authorId: r.authorId }, viewer) === 'hidden') continue;
      notices.push({
        commentId: r.commentId,
        parentId: r.parentId,
        rootId: r.rootId,
        status: r.status,
        reasonCode: r.reasonCode,
        at: r.at.toISOString(),
        yours: r.authorId === viewer.id,
      });
    }
    return notices;
  }
}
