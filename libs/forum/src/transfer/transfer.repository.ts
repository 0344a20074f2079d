import { Injectable } from '@nestjs/common';
import { CommentStatus, PrismaService } from '@rejoinder/db';
import type { ArticleRecord } from '../articles/articles.repository.js';

export interface ImportedAccount {
  id: string;
  username: string;
}

export interface ImportedCommentRow {
  id: string;
  parentId: string | null;
  authorId: string;
  path: string[];
  depth: number;
  status: CommentStatus;
  listed: boolean;
  bodySource: string;
  bodyHtml: string;
  replyCount: number;
  descendantCount: number;
  upvotes: number;
  downvotes: number;
  score: number;
  bestScore: number;
  controversy: number;
  createdAt: Date;
  editedAt: Date | null;
  featured: boolean;
  pinned: boolean;
  moderationReason: string | null;
}

// An article the import creates: the columns of an article that are not
// derived (counts, seq, timestamps).
export type NewArticle = Pick<
  ArticleRecord,
  | 'slug'
  | 'title'
  | 'byline'
  | 'publishedAt'
  | 'sourceUrl'
  | 'bodySource'
  | 'bodyHtml'
  | 'state'
  | 'premoderation'
  | 'slowModeSeconds'
>;

export interface ImportUnit {
  // An article already in the database, or one to create.
  article: { id: string } | NewArticle;
  accounts: ImportedAccount[];
  comments: ImportedCommentRow[];
}

export type ImportConflict = { kind: 'article-exists'; slug: string } | { kind: 'comment-exists'; id: string };

const BATCH = 1000;
// Imported accounts have no password: nobody can sign in as them until an
// admin gives them one. Not an argon2 hash, so every verification fails.
const NO_PASSWORD = '!imported';

export class ImportConflictError extends Error {
  constructor(readonly conflict: ImportConflict) {
    super(conflict.kind === 'article-exists' ? `article ${conflict.slug} exists` : `comment ${conflict.id} exists`);
  }
}

// Reads an article's comments for an export, and writes imports in one
// transaction (all of it, or nothing).
@Injectable()
export class TransferRepository {
  constructor(private readonly prisma: PrismaService) {}

  findArticle(slug: string): Promise<ArticleRecord | null> {
    return this.prisma.article.findUnique({ where: { slug } });
  }

  findArticlesBy(keys: {
    slugs: string[];
    urls: string[];
  }): Promise<{ id: string; slug: string; sourceUrl: string | null }[]> {
    return this.prisma.article.findMany({
      where: { OR: [{ slug: { in: keys.slugs } }, { sourceUrl: { in: keys.urls } }] },
      select: { id: true, slug: true, sourceUrl: true },
    });
  }

  // Parents before replies: by depth, then in the order they were written.
  comments(articleId: string) {
    return this.prisma.comment.findMany({
      where: { articleId },
      orderBy: [{ depth: 'asc' }, { createdAt: 'asc' }, { id: 'asc' }],
      select: {
        id: true,
        parentId: true,
        authorId: true,
        status: true,
        listed: true,
        bodySource: true,
        createdAt: true,
        editedAt: true,
        upvotes: true,
        downvotes: true,
        featured: true,
        pinned: true,
        moderationReason: true,
      },
    });
  }

  accounts(ids: string[]): Promise<ImportedAccount[]> {
    return this.prisma.user.findMany({
      where: { id: { in: ids } },
      select: { id: true, username: true },
      orderBy: { id: 'asc' },
    });
  }

  // Writes every unit or none. Accounts are matched by id (an export
  // re-imported into the same database); a new account whose name is taken
  // gets a numbered one. Returns, per unit, the article id.
  async importAll(units: ImportUnit[], progress: (comments: number) => void): Promise<string[]> {
    return this.prisma.$transaction(
      async (tx) => {
        const articleIds: string[] = [];
        for (const unit of units) {
          let articleId: string;
          if ('slug' in unit.article) {
            if (await tx.article.findUnique({ where: { slug: unit.article.slug }, select: { id: true } })) {
              throw new ImportConflictError({ kind: 'article-exists', slug: unit.article.slug });
            }
            // A slow mode from the file is a moderator's fixed interval.
            const slow =
              unit.article.slowModeSeconds > 0
                ? { slowModeSetting: 'manual' as const, slowModeSource: 'manual', slowModeSince: new Date() }
                : {};
            articleId = (await tx.article.create({ data: { ...unit.article, ...slow }, select: { id: true } })).id;
          } else {
            articleId = unit.article.id;
          }
          articleIds.push(articleId);

          const authorIds = new Map<string, string>();
          const existing = new Set(
            (
              await tx.user.findMany({ where: { id: { in: unit.accounts.map((a) => a.id) } }, select: { id: true } })
            ).map((u) => u.id),
          );
          for (const account of unit.accounts) {
            if (existing.has(account.id)) {
              authorIds.set(account.id, account.id);
              continue;
            }
            const username = await freeUsername(account.username, (key) =>
              tx.user.findUnique({ where: { usernameKey: key }, select: { id: true } }).then((u) => u !== null),
            );
            const created = await tx.user.create({
              data: {
                id: account.id,
                username,
                usernameKey: username.toLowerCase(),
                email: `${account.id}@imported.invalid`,
                passwordHash: NO_PASSWORD,
              },
              select: { id: true },
            });
            authorIds.set(account.id, created.id);
            existing.add(account.id);
          }

          const clash = await tx.comment.findFirst({
            where: { id: { in: unit.comments.map((c) => c.id) } },
            select: { id: true },
          });
          if (clash) throw new ImportConflictError({ kind: 'comment-exists', id: clash.id });
          for (let i = 0; i < unit.comments.length; i += BATCH) {
            const batch = unit.comments.slice(i, i + BATCH);
            await tx.comment.createMany({
              data: batch.map((c) => ({ ...c, articleId, authorId: authorIds.get(c.authorId) ?? c.authorId })),
            });
            progress(batch.length);
          }
          const published = unit.comments.filter((c) => c.status === CommentStatus.published).length;
          await tx.article.update({ where: { id: articleId }, data: { commentCount: { increment: published } } });
        }
        return articleIds;
      },
      { maxWait: 10_000, timeout: 30 * 60_000 },
    );
  }
}

async function freeUsername(wanted: string, taken: (key: string) => Promise<boolean>): Promise<string> {
  const base = wanted
    .replace(/[^A-Za-z0-9_-]/g, '_')
    .slice(0, 26)
    .padEnd(3, '_');
  if (!(await taken(base.toLowerCase()))) return base;
  for (let n = 2; ; n += 1) {
    const candidate = `${base}-${n}`;
    if (!(await taken(candidate.toLowerCase()))) return candidate;
  }
}
