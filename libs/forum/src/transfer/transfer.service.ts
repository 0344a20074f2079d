import { Injectable } from '@nestjs/common';
import { ArticleState, CommentStatus } from '@rejoinder/db';
import { createHash } from 'node:crypto';
import { controversy, wilsonLowerBound } from '../comments/comments.repository.js';
import { renderArticleMarkdown, renderCommentMarkdown } from '../markdown/markdown-renderer.js';
import type { DisqusExport, DisqusPost, DisqusThread } from './disqus.js';
import { EXPORT_FORMAT, EXPORT_VERSION, TransferError } from './transfer.format.js';
import type { ArticleExport, ExportedAccount, ExportedComment } from './transfer.format.js';
import { ImportConflictError, TransferRepository } from './transfer.repository.js';
import type { ImportedCommentRow, ImportUnit, NewArticle } from './transfer.repository.js';

export interface ImportSummary {
  articles: { slug: string; comments: number; created: boolean }[];
  accounts: number;
  comments: number;
}

// Called before the write with the number of comments to come, then after each batch.
export interface ImportProgress {
  start(total: number): void;
  advance(comments: number): void;
}

// A stable UUID (version 5 layout) for an id from another system, so
// importing the same file twice is refused as a duplicate.
export function uuidFrom(namespace: string, id: string): string {
  const hex = createHash('sha1').update(`${namespace}:${id}`).digest('hex').slice(0, 32).split('');
  hex[12] = '5';
  hex[16] = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

// Everything the database keeps about a comment that follows from the
// thread: path, depth, listed reply and descendant counts, scores, HTML.
// `comments` has parents before replies.
export function prepareComments(comments: ExportedComment[]): ImportedCommentRow[] {
  const rows = new Map<string, ImportedCommentRow>();
  for (const c of comments) {
    const parent = c.parentId === null ? null : rows.get(c.parentId);
    if (c.parentId !== null && !parent)
      throw new TransferError(`Comment ${c.id} replies to ${c.parentId}, which comes later or not at all`);
    rows.set(c.id, {
      id: c.id,
      parentId: c.parentId,
      authorId: c.authorId,
      path: [...(parent?.path ?? []), c.id],
      depth: parent ? parent.depth + 1 : 0,
      status: CommentStatus[c.status],
      listed: c.listed,
      bodySource: c.bodySource,
      bodyHtml: renderCommentMarkdown(c.bodySource),
      replyCount: 0,
      descendantCount: 0,
      upvotes: c.upvotes,
      downvotes: c.downvotes,
      score: c.upvotes - c.downvotes,
      bestScore: wilsonLowerBound(c.upvotes, c.downvotes),
      controversy: controversy(c.upvotes, c.downvotes),
      createdAt: new Date(c.createdAt),
      editedAt: c.editedAt ? new Date(c.editedAt) : null,
      featured: c.featured,
      pinned: c.pinned,
      moderationReason: c.moderationReason,
    });
  }
  for (const row of rows.values()) {
    if (!row.listed || row.parentId === null) continue;
    rows.get(row.parentId)!.replyCount += 1;
    for (const ancestor of row.path.slice(0, -1)) rows.get(ancestor)!.descendantCount += 1;
  }
  return [...rows.values()];
}

// Export and import of whole articles (npm run export / import / import:disqus).
@Injectable()
export class TransferService {
  constructor(private readonly repository: TransferRepository) {}

  async exportArticle(slug: string): Promise<ArticleExport> {
    const article = await this.repository.findArticle(slug);
    if (!article) throw new TransferError(`No article "${slug}"`);
    const comments = await this.repository.comments(article.id);
    const accounts = await this.repository.accounts([...new Set(comments.map((c) => c.authorId))]);
    return {
      format: EXPORT_FORMAT,
      version: EXPORT_VERSION,
      exportedAt: new Date().toISOString(),
      article: {
        slug: article.slug,
        title: article.title,
        byline: article.byline,
        publishedAt: article.publishedAt.toISOString(),
        sourceUrl: article.sourceUrl,
        bodySource: article.bodySource,
        state: article.state,
        premoderation: article.premoderation,
        // Only a moderator's interval: an automatic one belongs to the moment.
        slowModeSeconds: article.slowModeSource === 'manual' ? article.slowModeSeconds : 0,
      },
      accounts,
      comments: comments.map((c) => ({
        ...c,
        createdAt: c.createdAt.toISOString(),
        editedAt: c.editedAt?.toISOString() ?? null,
      })),
    };
  }

  // A Rejoinder export into this database: the article must not exist here.
  importExport(doc: ArticleExport, progress: ImportProgress): Promise<ImportSummary> {
    const { article } = doc;
    return this.write(
      [
        {
          slug: article.slug,
          unit: {
            article: {
              ...article,
              publishedAt: new Date(article.publishedAt),
              bodyHtml: renderArticleMarkdown(article.bodySource),
              state: ArticleState[article.state],
            },
            accounts: doc.accounts,
            comments: prepareComments(doc.comments),
          },
        },
      ],
      progress,
    );
  }

  // A Disqus export: each thread with posts goes to the article whose slug
  // is the thread's identifier or the last segment of its link, or whose
  // source URL is its link; with `createArticles`, missing ones are made.
  async importDisqus(
    disqus: DisqusExport,
    options: { createArticles: boolean },
    progress: ImportProgress,
  ): Promise<ImportSummary> {
    const postsByThread = new Map<string, DisqusPost[]>();
    for (const post of disqus.posts)
      postsByThread.set(post.threadId, [...(postsByThread.get(post.threadId) ?? []), post]);
    const threads = disqus.threads.filter((t) => postsByThread.has(t.dsqId));
    const known = await this.repository.findArticlesBy({
      slugs: threads.flatMap((t) => slugCandidates(t)),
      urls: threads.flatMap((t) => (t.link ? [t.link] : [])),
    });
    const units: { slug: string; unit: ImportUnit }[] = [];
    const missing: string[] = [];
    for (const thread of threads) {
      const slugs = slugCandidates(thread);
      const match = known.find((a) => (thread.link !== null && a.sourceUrl === thread.link) || slugs.includes(a.slug));
      const { accounts, comments } = disqusThread(postsByThread.get(thread.dsqId)!);
      if (match) {
        units.push({ slug: match.slug, unit: { article: { id: match.id }, accounts, comments } });
      } else if (options.createArticles && slugs.length > 0) {
        units.push({ slug: slugs[0], unit: { article: newArticleFor(thread, slugs[0]), accounts, comments } });
      } else {
        missing.push(`"${thread.title}" (${thread.link ?? thread.identifier ?? thread.dsqId})`);
      }
    }
    if (missing.length > 0) {
      throw new TransferError(
        `No article for ${missing.length} Disqus thread(s): ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}. ` +
          'Create them first, or pass --create-articles. Nothing was imported.',
      );
    }
    return this.write(units, progress);
  }

  private async write(units: { slug: string; unit: ImportUnit }[], progress: ImportProgress): Promise<ImportSummary> {
    const total = units.reduce((n, u) => n + u.unit.comments.length, 0);
    progress.start(total);
    try {
      await this.repository.importAll(
        units.map((u) => u.unit),
        (n) => progress.advance(n),
      );
    } catch (error) {
      if (!(error instanceof ImportConflictError)) throw error;
      const { conflict } = error;
      throw new TransferError(
        conflict.kind === 'article-exists'
          ? `The article "${conflict.slug}" exists in this database already. Nothing was imported.`
          : `Comment ${conflict.id} exists in this database already (was this file imported before?). Nothing was imported.`,
      );
    }
    return {
      articles: units.map((u) => ({
        slug: u.slug,
        comments: u.unit.comments.length,
        created: 'slug' in u.unit.article,
      })),
      accounts: new Set(units.flatMap((u) => u.unit.accounts.map((a) => a.id))).size,
      comments: total,
    };
  }
}

function slugCandidates(thread: DisqusThread): string[] {
  const slugs: string[] = [];
  if (thread.identifier && /^[a-z0-9][a-z0-9-]*$/i.test(thread.identifier)) slugs.push(thread.identifier);
  if (thread.link) {
    try {
      const last = new URL(thread.link).pathname.split('/').filter(Boolean).at(-1);
      if (last) slugs.push(decodeURIComponent(last).replace(/\.html?$/, ''));
    } catch {
      // Not a URL: only the identifier can match.
    }
  }
  return slugs;
}

function newArticleFor(thread: DisqusThread, slug: string): NewArticle {
  return {
    slug,
    title: thread.title,
    byline: '',
    publishedAt: new Date(thread.createdAt ?? Date.now()),
    sourceUrl: thread.link,
    bodySource: '',
    bodyHtml: '',
    state: thread.isClosed ? ArticleState.closed : ArticleState.open,
    premoderation: false,
    slowModeSeconds: 0,
  };
}

// Disqus authors become accounts without passwords, one per Disqus username
// (or per shown name for guests). Spam is kept as removed, deleted posts as
// deleted: hidden, but their replies keep their place.
function disqusThread(posts: DisqusPost[]): { accounts: ExportedAccount[]; comments: ImportedCommentRow[] } {
  const accounts = new Map<string, ExportedAccount>();
  const authorOf = (post: DisqusPost) => {
    const key = post.author.username ? `user:${post.author.username}` : `guest:${post.author.name}`;
    let account = accounts.get(key);
    if (!account) {
      account = { id: uuidFrom('disqus-author', key), username: post.author.username ?? post.author.name };
      accounts.set(key, account);
    }
    return account.id;
  };
  const byId = new Map(posts.map((p) => [p.dsqId, p]));
  const depthOf = (post: DisqusPost): number => {
    let depth = 0;
    for (let p = post; p.parentId !== null; p = byId.get(p.parentId)!) {
      depth += 1;
      if (depth > posts.length) throw new TransferError(`Disqus post ${post.dsqId} is part of a reply loop`);
    }
    return depth;
  };
  const ordered = [...posts].sort((a, b) => depthOf(a) - depthOf(b) || a.createdAt.localeCompare(b.createdAt));
  const hidden = (p: DisqusPost) => p.isDeleted || p.isSpam;
  // A hidden post stays listed (as a tombstone) only when a shown reply hangs below it.
  const shownBelow = new Set<string>();
  for (const post of ordered.toReversed()) {
    if ((!hidden(post) || shownBelow.has(post.dsqId)) && post.parentId !== null) shownBelow.add(post.parentId);
  }
  const comments: ExportedComment[] = ordered.map((post) => ({
    id: uuidFrom('disqus-post', post.dsqId),
    parentId: post.parentId === null ? null : uuidFrom('disqus-post', post.parentId),
    authorId: authorOf(post),
    status: post.isSpam ? 'removed' : post.isDeleted ? 'deleted' : 'published',
    listed: !hidden(post) || shownBelow.has(post.dsqId),
    bodySource: post.bodySource,
    createdAt: post.createdAt,
    editedAt: null,
    upvotes: 0,
    downvotes: 0,
    featured: false,
    pinned: false,
    moderationReason: post.isSpam ? 'spam' : null,
  }));
  return { accounts: [...accounts.values()], comments: prepareComments(comments) };
}
