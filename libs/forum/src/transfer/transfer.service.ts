import { Injectable } from '@nestjs/common';
import { ArticleState, CommentStatus } from '@rejoinder/db';
import { controversy, wilsonLowerBound } from '../comments/scoring.js';
import { renderArticleMarkdown, renderCommentMarkdown } from '../markdown/markdown-renderer.js';
import { planImport, uuidFrom } from './import-plan.js';
import { groupPages } from './page-grouping.js';
import type { KnownComment } from './import-plan.js';
import type { ImportFormat, SourceExport, SourceProblem } from './import-source.js';
import { SKIP_REASONS } from './import-source.js';
import { EXPORT_FORMAT, EXPORT_VERSION, TransferError } from './transfer.format.js';
import type { ArticleExport, ExportedComment } from './transfer.format.js';
import { ImportConflictError, TransferRepository } from './transfer.repository.js';
import type { ImportedCommentRow, ImportUnit } from './transfer.types.js';

const WRITE_BATCH = 5000;

export interface ImportSummary {
  format: ImportFormat | 'rejoinder';
  articles: { slug: string; comments: number; created: boolean; merged: string[]; alreadyImported: number }[];
  // Accounts made by this import (people seen before keep theirs).
  accounts: number;
  comments: number;
  alreadyImported: number;
  // What was left out or mended, each with its reason.
  problems: SourceProblem[];
}

// Called before the write with the number of comments to come, then after each batch.
export interface ImportProgress {
  start(total: number): void;
  advance(comments: number): void;
}

export { uuidFrom } from './import-plan.js';

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
  async importExport(doc: ArticleExport, progress: ImportProgress): Promise<ImportSummary> {
    const { article } = doc;
    const comments = prepareComments(doc.comments);
    progress.start(comments.length);
    const written = await this.write(
      [
        {
          article: {
            ...article,
            externalId: null,
            urlKey: null,
            publishedAt: new Date(article.publishedAt),
            bodyHtml: renderArticleMarkdown(article.bodySource),
            state: ArticleState[article.state],
          },
          accounts: doc.accounts,
          comments,
        },
      ],
      progress,
      true,
    );
    return {
      format: 'rejoinder',
      articles: [{ slug: article.slug, comments: comments.length, created: true, merged: [], alreadyImported: 0 }],
      accounts: written.accountsCreated,
      comments: comments.length,
      alreadyImported: 0,
      problems: [],
    };
  }

  // A Disqus, WordPress or Remark42 file: threads that are one page go to one
  // article (found by canonical URL, identifier or slug; created with
  // `createArticles`), posts seen before are left as they are, and what cannot
  // be placed is skipped and listed. `strict` refuses the whole file instead,
  // and writes it in one transaction.
  async importSource(
    source: SourceExport,
    options: { createArticles: boolean; strict: boolean },
    progress: ImportProgress,
  ): Promise<ImportSummary> {
    const grouped = groupPages(source);
    const known = await this.repository.findArticlesBy({
      urlKeys: grouped.pages.flatMap((p) => p.urlKeys),
      externalIds: grouped.pages.flatMap((p) => p.identifiers),
      slugs: grouped.pages.flatMap((p) => p.slugs),
    });
    const existing = await this.knownComments(
      grouped.pages.flatMap((p) => p.posts.map((post) => uuidFrom(`${source.format}-post`, post.key))),
    );
    const plan = planImport(source, grouped, known, existing, { createArticles: options.createArticles });
    if (options.strict && plan.problems.length > 0) {
      const first = plan.problems.slice(0, 5).map((p) => `${p.item}: ${SKIP_REASONS[p.reason]}`);
      throw new TransferError(
        `${plan.problems.length} problem(s) in the file (--strict): ${first.join('; ')}${plan.problems.length > 5 ? '; ...' : ''}. Nothing was imported.`,
      );
    }
    const counts = plan.units.map((u) => u.unit.comments.length);
    const total = counts.reduce((n, c) => n + c, 0);
    progress.start(total);
    const written = await this.write(
      plan.units.map((u) => u.unit),
      progress,
      options.strict,
    );
    return {
      format: source.format,
      articles: plan.units.map((u, i) => ({
        slug: u.slug,
        comments: counts[i],
        created: u.created,
        merged: u.merged,
        alreadyImported: u.alreadyImported,
      })),
      accounts: written.accountsCreated,
      comments: total,
      alreadyImported: plan.units.reduce((n, u) => n + u.alreadyImported, 0),
      problems: plan.problems,
    };
  }

  // The comments of an earlier import among these ids, with every ancestor of
  // theirs (a new reply updates their counts).
  private async knownComments(ids: string[]): Promise<Map<string, KnownComment>> {
    const known = new Map<string, KnownComment>();
    let wanted = ids;
    while (wanted.length > 0) {
      const rows = await this.repository.findComments(wanted);
      for (const row of rows) known.set(row.id, row);
      wanted = [...new Set(rows.flatMap((c) => c.path))].filter((id) => !known.has(id));
    }
    return known;
  }

  // An imported account handed to its owner: it gets the address and
  // password given (the address must be free).
  async claimAccount(handle: string, email: string, passwordHash: string): Promise<{ username: string }> {
    const account = await this.repository.findImportedAccount(handle);
    if (!account) throw new TransferError(`No unclaimed imported account "${handle}"`);
    if (await this.repository.emailTaken(email)) {
      throw new TransferError(`${email} belongs to another account: use --into <that account> to merge into it`);
    }
    await this.repository.claim(account.id, { email, passwordHash });
    return { username: account.username };
  }

  // An imported account's comments moved to the account its owner already
  // has here (by username or address); the imported account goes.
  async mergeAccount(handle: string, into: string): Promise<{ from: string; into: string; comments: number }> {
    const account = await this.repository.findImportedAccount(handle);
    if (!account) throw new TransferError(`No unclaimed imported account "${handle}"`);
    const owner = await this.repository.findAccount(into);
    if (!owner || owner.id === account.id) throw new TransferError(`No account "${into}" to merge into`);
    const comments = await this.repository.mergeInto([account.id], owner.id);
    return { from: account.username, into: owner.username, comments };
  }

  // Called once an account has proved it owns this address: every imported
  // account whose export held it becomes that account's.
  async claimByVerifiedEmail(userId: string, email: string): Promise<{ accounts: string[]; comments: number }> {
    const accounts = await this.repository.findImportedByEmail(email);
    if (accounts.length === 0) return { accounts: [], comments: 0 };
    const comments = await this.repository.mergeInto(
      accounts.map((a) => a.id),
      userId,
    );
    return { accounts: accounts.map((a) => a.username), comments };
  }

  // Units are written in batches of about WRITE_BATCH comments, each in one
  // transaction (all of them in one with `together`): an import that stops
  // half-way keeps the batches it finished, and a second run adds the rest.
  // Comment HTML is rendered per batch, so it is never held for the whole file.
  private async write(units: ImportUnit[], progress: ImportProgress, together: boolean) {
    let accountsCreated = 0;
    const flush = async (batch: ImportUnit[]) => {
      for (const unit of batch) {
        for (const row of unit.comments) row.bodyHtml ||= renderCommentMarkdown(row.bodySource);
      }
      try {
        accountsCreated += (await this.repository.writeBatch(batch, (n) => progress.advance(n))).accountsCreated;
      } catch (error) {
        if (!(error instanceof ImportConflictError)) throw error;
        const { conflict } = error;
        throw new TransferError(
          conflict.kind === 'article-exists'
            ? `The article "${conflict.slug}" exists in this database already. Nothing was imported.`
            : `Comment ${conflict.id} exists in this database already (was this file imported before?). Nothing was imported.`,
        );
      }
      // Written: the rows may go.
      for (const unit of batch) unit.comments = [];
    };
    if (together) {
      await flush(units);
      return { accountsCreated };
    }
    let batch: ImportUnit[] = [];
    let size = 0;
    for (const unit of units) {
      batch.push(unit);
      size += unit.comments.length;
      if (size >= WRITE_BATCH) {
        await flush(batch);
        batch = [];
        size = 0;
      }
    }
    if (batch.length > 0) await flush(batch);
    return { accountsCreated };
  }
}
