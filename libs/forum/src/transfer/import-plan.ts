import { canonicalArticleUrl } from '@rejoinder/common';
import { ArticleState, CommentStatus } from '@rejoinder/db';
import { createHash } from 'node:crypto';
import { controversy, wilsonLowerBound } from '../comments/scoring.js';
import type { SourceExport, SourcePost, SourceProblem, SourceThread } from './import-source.js';
import type { ImportedAccount, ImportedCommentRow, ImportUnit, NewArticle } from './transfer.types.js';
import { urlKeyOf } from './page-grouping.js';
import type { Page } from './page-grouping.js';

// What an import of a Disqus, WordPress or Remark42 file will do, decided
// before anything is written: which threads are one page, which article each
// page goes to, which posts are new (a later export of the same site adds
// only those), how replies hang and which are shown. Pure: the service reads
// the database for it and writes what it returns.

// A stable UUID (version 5 layout) for an id from another system, so that a
// second import of the same post finds it.
export function uuidFrom(namespace: string, id: string): string {
  const hex = createHash('sha1').update(`${namespace}:${id}`).digest('hex').slice(0, 32).split('');
  hex[12] = '5';
  hex[16] = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

export interface KnownArticle {
  id: string;
  slug: string;
  urlKey: string | null;
  externalId: string | null;
}

export interface KnownComment {
  id: string;
  articleId: string;
  parentId: string | null;
  path: string[];
  depth: number;
  listed: boolean;
}

export interface PlannedUnit {
  slug: string;
  created: boolean;
  // The threads of the file that went into this article, when more than one.
  merged: string[];
  alreadyImported: number;
  unit: ImportUnit;
}

export interface ImportPlan {
  units: PlannedUnit[];
  problems: SourceProblem[];
}

// The article a page goes to: by canonical URL first, then by identifier,
// then by slug.
function matchArticle(page: Page, known: KnownArticle[]): KnownArticle | undefined {
  return (
    known.find((a) => a.urlKey !== null && page.urlKeys.includes(a.urlKey)) ??
    known.find((a) => a.externalId !== null && page.identifiers.includes(a.externalId)) ??
    known.find((a) => page.slugs.includes(a.slug))
  );
}

function threadName(thread: SourceThread): string {
  return thread.link ?? thread.identifier ?? thread.key;
}

function newArticleFor(page: Page, slug: string): NewArticle {
  const first = page.threads[0];
  const link = page.threads.map((t) => t.link).find((l) => urlKeyOf(l) !== null) ?? null;
  const dates = page.threads.map((t) => t.createdAt).filter((d): d is string => d !== null);
  const earliestPost = page.posts.reduce((min, p) => (p.createdAt < min ? p.createdAt : min), page.posts[0].createdAt);
  return {
    slug,
    title: first.title.trim() || slug,
    byline: '',
    publishedAt: new Date(dates.toSorted()[0] ?? earliestPost),
    sourceUrl: link ? canonicalArticleUrl(link) : null,
    externalId: page.identifiers[0] ?? null,
    urlKey: page.urlKeys[0] ?? null,
    bodySource: '',
    bodyHtml: '',
    state: page.threads.every((t) => t.isClosed) ? ArticleState.closed : ArticleState.open,
    premoderation: false,
    slowModeSeconds: 0,
  };
}

const STATUS: Record<SourcePost['state'], CommentStatus> = {
  published: CommentStatus.published,
  pending: CommentStatus.pending,
  deleted: CommentStatus.deleted,
  spam: CommentStatus.removed,
  removed: CommentStatus.removed,
};

const GUEST = { key: 'guest', displayName: 'Guest', email: null };

export interface PlanOptions {
  createArticles: boolean;
}

export function planImport(
  source: SourceExport,
  grouped: { pages: Page[]; problems: SourceProblem[] },
  known: KnownArticle[],
  existing: Map<string, KnownComment>,
  options: PlanOptions,
): ImportPlan {
  const format = source.format;
  const problems = [...source.problems, ...grouped.problems];
  const postId = (key: string) => uuidFrom(`${format}-post`, key);

  // Pages to articles; pages that go to one article are merged.
  const byArticle = new Map<string, { article: KnownArticle | NewArticle; pages: Page[] }>();
  const takenSlugs = new Set(known.map((a) => a.slug.toLowerCase()));
  for (const page of grouped.pages) {
    const match = matchArticle(page, known);
    if (match) {
      const entry = byArticle.get(match.id) ?? { article: match, pages: [] };
      entry.pages.push(page);
      byArticle.set(match.id, entry);
      continue;
    }
    if (!options.createArticles) {
      for (const thread of page.threads) {
        const count = page.posts.filter((p) => p.threadKey === thread.key).length;
        problems.push({
          reason: 'no-article',
          item: threadName(thread),
          detail: `"${thread.title}"`,
          outcome: 'skipped',
          comments: count,
        });
      }
      continue;
    }
    const slug =
      page.slugs.find((s) => !takenSlugs.has(s.toLowerCase())) ??
      `${format}-${uuidFrom(`${format}-page`, page.threads[0].key).slice(0, 8)}`;
    takenSlugs.add(slug.toLowerCase());
    byArticle.set(`new:${slug}`, { article: newArticleFor(page, slug), pages: [page] });
  }

  // Which page each post of the file went to, to tell a parent on another
  // page from one that is not in the file.
  const pageOf = new Map<string, Page>();
  for (const page of grouped.pages) for (const post of page.posts) pageOf.set(post.key, page);

  const units: PlannedUnit[] = [];
  for (const { article, pages } of byArticle.values()) {
    const articleId = 'id' in article ? article.id : null;
    const posts = pages.flatMap((p) => p.posts);
    const inUnit = new Map(posts.map((p) => [p.key, p]));
    const fresh = posts.filter((p) => {
      const known = existing.get(postId(p.key));
      return known === undefined;
    });
    const alreadyImported = posts.length - fresh.length;

    // Parents: in this article (new, or imported before), else top level.
    const parentOf = new Map<string, string | null>();
    for (const post of fresh) {
      let parent: string | null = null;
      if (post.parentKey !== null) {
        const before = existing.get(postId(post.parentKey));
        if (inUnit.has(post.parentKey) && (!before || before.articleId === articleId)) parent = post.parentKey;
        else if (before && before.articleId === articleId) parent = post.parentKey;
        else {
          const elsewhere = pageOf.has(post.parentKey) || before !== undefined;
          problems.push({
            reason: elsewhere ? 'parent-elsewhere' : 'parent-missing',
            item: post.key,
            detail: post.parentKey,
            outcome: 'attached',
          });
        }
      }
      parentOf.set(post.key, parent);
    }
    // Depths, breaking reply loops at the post where one closes.
    const depth = new Map<string, number>();
    const depthOf = (key: string, trail: Set<string>): number => {
      const cached = depth.get(key);
      if (cached !== undefined) return cached;
      const before = existing.get(postId(key));
      if (before && !parentOf.has(key)) return before.depth;
      const parent = parentOf.get(key) ?? null;
      trail.add(key);
      let d = 0;
      if (parent !== null) {
        if (trail.has(parent)) {
          problems.push({ reason: 'reply-loop', item: key, detail: parent, outcome: 'attached' });
          parentOf.set(key, null);
        } else {
          d = depthOf(parent, trail) + 1;
        }
      }
      depth.set(key, d);
      return d;
    };
    for (const post of fresh) depthOf(post.key, new Set());

    const ordered = fresh.toSorted(
      (a, b) => depth.get(a.key)! - depth.get(b.key)! || a.createdAt.localeCompare(b.createdAt),
    );

    // Accounts, one per person in the file.
    const accounts = new Map<string, ImportedAccount>();
    const authorOf = (post: SourcePost): string => {
      let author = post.author;
      if (!author) {
        problems.push({ reason: 'no-author', item: post.key, detail: '', outcome: 'attached' });
        author = GUEST;
      }
      const id = uuidFrom(`${format}-author`, author.key);
      if (!accounts.has(id)) {
        accounts.set(id, {
          id,
          username: author.displayName,
          displayName: author.displayName,
          claimEmail: author.email,
          importedFrom: format,
        });
      }
      return id;
    };

    // Rows, parents first.
    const rows = new Map<string, ImportedCommentRow>();
    const pathOf = (key: string): string[] => {
      const row = rows.get(postId(key));
      return row ? row.path : existing.get(postId(key))!.path;
    };
    for (const post of ordered) {
      const id = postId(post.key);
      const parent = parentOf.get(post.key) ?? null;
      const status = STATUS[post.state];
      rows.set(id, {
        id,
        parentId: parent === null ? null : postId(parent),
        authorId: authorOf(post),
        path: [...(parent === null ? [] : pathOf(parent)), id],
        depth: depth.get(post.key)!,
        status,
        listed: post.state === 'published',
        bodySource: post.bodySource,
        // Rendered batch by batch as they are written (transfer.service.ts).
        bodyHtml: '',
        replyCount: 0,
        descendantCount: 0,
        upvotes: post.upvotes,
        downvotes: post.downvotes,
        score: post.upvotes - post.downvotes,
        bestScore: wilsonLowerBound(post.upvotes, post.downvotes),
        controversy: controversy(post.upvotes, post.downvotes),
        createdAt: new Date(post.createdAt),
        editedAt: post.editedAt ? new Date(post.editedAt) : null,
        featured: false,
        pinned: post.pinned,
        moderationReason: post.state === 'spam' ? 'spam' : post.state === 'removed' ? 'removed before import' : null,
      });
    }

    // A hidden post stays listed (as a tombstone) only when a shown reply
    // hangs below it; one imported before is listed now if a new reply needs it.
    const updates = new Map<string, { replies: number; descendants: number; list: boolean }>();
    const update = (id: string) => {
      let u = updates.get(id);
      if (!u) updates.set(id, (u = { replies: 0, descendants: 0, list: false }));
      return u;
    };
    const isListed = (id: string) =>
      rows.get(id)?.listed ?? (updates.get(id)?.list || existing.get(id)?.listed) ?? false;
    const countAbove = (path: string[]) => {
      const ancestors = path.slice(0, -1);
      ancestors.forEach((ancestor, i) => {
        const row = rows.get(ancestor);
        if (row) {
          row.descendantCount += 1;
          if (i === ancestors.length - 1) row.replyCount += 1;
        } else {
          const u = update(ancestor);
          u.descendants += 1;
          if (i === ancestors.length - 1) u.replies += 1;
        }
      });
    };
    for (const row of [...rows.values()].toReversed()) {
      if (!row.listed) continue;
      // Every hidden ancestor of a shown post becomes a listed tombstone.
      for (const ancestor of row.path.slice(0, -1).toReversed()) {
        if (isListed(ancestor)) break;
        const ancestorRow = rows.get(ancestor);
        if (ancestorRow) ancestorRow.listed = true;
        else update(ancestor).list = true;
      }
    }
    for (const row of rows.values()) if (row.listed) countAbove(row.path);
    for (const [id, u] of updates) if (u.list) countAbove(existing.get(id)!.path);

    units.push({
      slug: article.slug,
      created: !('id' in article),
      merged: pages.length > 1 || pages[0].threads.length > 1 ? pages.flatMap((p) => p.threads.map(threadName)) : [],
      alreadyImported,
      unit: {
        article: 'id' in article ? { id: article.id } : article,
        accounts: [...accounts.values()],
        comments: [...rows.values()],
        updates: [...updates].map(([id, u]) => ({ id, ...u })),
      },
    });
  }
  return { units, problems };
}
