import { Injectable } from '@nestjs/common';
import { CommentStatus, PrismaService } from '@rejoinder/db';
import { randomUUID } from 'node:crypto';
import type { ArticleRecord } from '../articles/articles.repository.js';
import type { Tx } from '../event-log/event-log.repository.js';
import { freeHandle, handleBase } from './imported-handles.js';
import type {
  ImportConflict,
  ImportedAccount,
  ImportedCommentRow,
  ImportUnit,
  KnownCommentRow,
  NewArticle,
} from './transfer.types.js';
import { slowModeOf } from '../articles/articles.service.js';

const BATCH = 1000;
const LOOKUP_BATCH = 5000;
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

  // Articles an import's pages may go to: by page identity, newsroom id or slug.
  async findArticlesBy(keys: { urlKeys: string[]; externalIds: string[]; slugs: string[] }) {
    const found = new Map<string, { id: string; slug: string; urlKey: string | null; externalId: string | null }>();
    const select = { id: true, slug: true, urlKey: true, externalId: true } as const;
    for (const [column, values] of Object.entries(keys) as [keyof typeof keys, string[]][]) {
      const field = column === 'urlKeys' ? 'urlKey' : column === 'externalIds' ? 'externalId' : 'slug';
      for (let i = 0; i < values.length; i += LOOKUP_BATCH) {
        const rows = await this.prisma.article.findMany({
          where: { [field]: { in: values.slice(i, i + LOOKUP_BATCH) } },
          select,
        });
        for (const row of rows) found.set(row.id, row);
      }
    }
    return [...found.values()];
  }

  // Comments already here among an import's ids (a file imported before).
  async findComments(ids: string[]): Promise<KnownCommentRow[]> {
    const rows: KnownCommentRow[] = [];
    for (let i = 0; i < ids.length; i += LOOKUP_BATCH) {
      rows.push(
        ...(await this.prisma.comment.findMany({
          where: { id: { in: ids.slice(i, i + LOOKUP_BATCH) } },
          select: { id: true, articleId: true, parentId: true, path: true, depth: true, listed: true },
        })),
      );
    }
    return rows;
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

  // Writes the units in one transaction, with a few statements for all of
  // them (an import's batch holds thousands of comments over hundreds of
  // articles). Accounts are matched by id; a new one gets a free handle.
  // Returns how many accounts were made.
  async writeBatch(units: ImportUnit[], progress: (comments: number) => void): Promise<{ accountsCreated: number }> {
    return this.prisma.$transaction(
      async (tx) => {
        // New articles: refused when a slug was taken meanwhile.
        const fresh = units.filter((u): u is ImportUnit & { article: NewArticle } => 'slug' in u.article);
        const slugs = fresh.map((u) => u.article.slug);
        for (let i = 0; i < slugs.length; i += LOOKUP_BATCH) {
          const clash = await tx.article.findFirst({
            where: { slug: { in: slugs.slice(i, i + LOOKUP_BATCH) } },
            select: { slug: true },
          });
          if (clash) throw new ImportConflictError({ kind: 'article-exists', slug: clash.slug });
        }
        const articleIds = units.map((u) => ('id' in u.article ? u.article.id : randomUUID()));
        const published = (u: ImportUnit) => u.comments.filter((c) => c.status === CommentStatus.published).length;
        const created = units.flatMap((u, i) => {
          if (!('slug' in u.article)) return [];
          // A slow mode from the file is a moderator's fixed interval.
          const slow =
            u.article.slowModeSeconds > 0
              ? { slowModeSetting: 'manual' as const, slowModeSource: 'manual', slowModeSince: new Date() }
              : {};
          return [{ ...u.article, ...slow, id: articleIds[i], commentCount: published(u) }];
        });
        for (let i = 0; i < created.length; i += BATCH)
          await tx.article.createMany({ data: created.slice(i, i + BATCH) });

        const accounts = new Map(units.flatMap((u) => u.accounts).map((a) => [a.id, a]));
        const ids = [...accounts.keys()];
        for (let i = 0; i < ids.length; i += LOOKUP_BATCH) {
          const found = await tx.user.findMany({
            where: { id: { in: ids.slice(i, i + LOOKUP_BATCH) } },
            select: { id: true },
          });
          for (const u of found) accounts.delete(u.id);
        }
        const taken = await this.takenHandles(
          tx,
          [...accounts.values()].map((a) => handleBase(a.username)),
        );
        const users = [...accounts.values()].map((account) => {
          const username = freeHandle(handleBase(account.username), taken);
          return {
            id: account.id,
            username,
            usernameKey: username.toLowerCase(),
            // No address and no password: nobody signs in as an imported
            // account until it is claimed (account:claim).
            email: null,
            passwordHash: NO_PASSWORD,
            displayName: account.displayName ?? null,
            claimEmail: account.claimEmail ?? null,
            importedFrom: account.importedFrom ?? null,
          };
        });
        for (let i = 0; i < users.length; i += BATCH) await tx.user.createMany({ data: users.slice(i, i + BATCH) });

        const rows = units.flatMap((u, i) => u.comments.map((c) => ({ ...c, articleId: articleIds[i] })));
        for (let i = 0; i < rows.length; i += LOOKUP_BATCH) {
          const clash = await tx.comment.findFirst({
            where: { id: { in: rows.slice(i, i + LOOKUP_BATCH).map((c) => c.id) } },
            select: { id: true },
          });
          if (clash) throw new ImportConflictError({ kind: 'comment-exists', id: clash.id });
        }
        for (let i = 0; i < rows.length; i += BATCH) {
          const batch = rows.slice(i, i + BATCH);
          await insertComments(tx, batch);
          progress(batch.length);
        }
        for (const u of units.flatMap((unit) => unit.updates ?? [])) {
          await tx.comment.update({
            where: { id: u.id },
            data: {
              replyCount: { increment: u.replies },
              descendantCount: { increment: u.descendants },
              ...(u.list ? { listed: true } : {}),
            },
          });
        }
        for (const [i, unit] of units.entries()) {
          const count = published(unit);
          if ('id' in unit.article && count > 0) {
            await tx.article.update({ where: { id: articleIds[i] }, data: { commentCount: { increment: count } } });
          }
        }
        await touchArticles(
          tx,
          units.flatMap((u, i) => ('id' in u.article && u.comments.length > 0 ? [articleIds[i]] : [])),
        );
        return { accountsCreated: users.length };
      },
      { maxWait: 10_000, timeout: 30 * 60_000 },
    );
  }

  // An account an import made and nobody has claimed yet.
  findImportedAccount(handle: string) {
    return this.prisma.user.findFirst({
      where: { usernameKey: handle.toLowerCase(), importedFrom: { not: null } },
      select: { id: true, username: true, claimEmail: true },
    });
  }

  // Unclaimed imported accounts whose export held this address.
  findImportedByEmail(email: string) {
    return this.prisma.user.findMany({
      where: { claimEmail: email.toLowerCase(), importedFrom: { not: null } },
      select: { id: true, username: true },
    });
  }

  findAccount(login: string) {
    const key = login.toLowerCase();
    return this.prisma.user.findFirst({
      where: key.includes('@') ? { email: key } : { usernameKey: key },
      select: { id: true, username: true, importedFrom: true },
    });
  }

  emailTaken(email: string): Promise<boolean> {
    return this.prisma.user
      .findUnique({ where: { email: email.toLowerCase() }, select: { id: true } })
      .then((u) => u !== null);
  }

  // The imported account becomes an ordinary one: an address, a password.
  async claim(id: string, account: { email: string; passwordHash: string }): Promise<void> {
    await this.prisma.user.update({
      where: { id },
      data: {
        email: account.email.toLowerCase(),
        passwordHash: account.passwordHash,
        importedFrom: null,
        claimEmail: null,
      },
    });
  }

  // The imported accounts' comments become the owner's, and the imported
  // accounts go (nothing else refers to them: imports write no votes,
  // reports or events).
  async mergeInto(fromIds: string[], intoId: string): Promise<number> {
    return this.prisma.$transaction(async (tx) => {
      const articles = await tx.comment.findMany({
        where: { authorId: { in: fromIds } },
        distinct: ['articleId'],
        select: { articleId: true },
      });
      const moved = await tx.comment.updateMany({ where: { authorId: { in: fromIds } }, data: { authorId: intoId } });
      await touchArticles(
        tx,
        articles.map((a) => a.articleId),
      );
      await tx.user.deleteMany({ where: { id: { in: fromIds }, importedFrom: { not: null } } });
      return moved.count;
    });
  }

  // The handles (lower-cased) already taken among these, and their numbered forms.
  private async takenHandles(tx: Tx, bases: string[]): Promise<Set<string>> {
    const keys = [...new Set(bases.map((b) => b.toLowerCase()))];
    const taken = new Set<string>();
    for (let i = 0; i < keys.length; i += 200) {
      const slice = keys.slice(i, i + 200);
      const rows = await tx.user.findMany({
        where: {
          OR: [{ usernameKey: { in: slice } }, ...slice.map((k) => ({ usernameKey: { startsWith: `${k}-` } }))],
        },
        select: { usernameKey: true },
      });
      for (const row of rows) taken.add(row.usernameKey);
    }
    return taken;
  }
}

// Thousands of rows as one JSON parameter: far less work for the client than
// createMany's per-value query building, which dominated large imports.
function insertComments(tx: Tx, rows: (ImportedCommentRow & { articleId: string })[]) {
  return tx.$executeRaw`
    INSERT INTO comments (id, article_id, parent_id, author_id, path, depth, status, listed, body_source, body_html,
      reply_count, descendant_count, upvotes, downvotes, score, best_score, controversy, created_at, updated_at,
      edited_at, featured, pinned, moderation_reason)
    SELECT r.id, r."articleId", r."parentId", r."authorId", r.path, r.depth, r.status::"CommentStatus", r.listed,
      r."bodySource", r."bodyHtml", r."replyCount", r."descendantCount", r.upvotes, r.downvotes, r.score,
      r."bestScore", r.controversy, r."createdAt", now(), r."editedAt", r.featured, r.pinned, r."moderationReason"
    FROM json_to_recordset(${JSON.stringify(rows)}::json) AS r(
      id uuid, "articleId" uuid, "parentId" uuid, "authorId" uuid, path uuid[], depth int, status text,
      listed boolean, "bodySource" text, "bodyHtml" text, "replyCount" int, "descendantCount" int, upvotes int,
      downvotes int, score int, "bestScore" float8, controversy float8, "createdAt" timestamptz,
      "editedAt" timestamptz, featured boolean, pinned boolean, "moderationReason" text)`;
}

// Pages of these articles that API processes hold in their read caches are
// out of date: an `article.updated` event (the article as it is) numbered
// after the last one tells them, as it tells every other change (ADR 20): the
// cache drops the article's older entries, and a server in another process
// sees the new last_seq within a second.
async function touchArticles(tx: Tx, ids: string[]): Promise<void> {
  for (const id of ids) {
    const [a] = await tx.$queryRaw<
      (Pick<
        ArticleRecord,
        | 'id'
        | 'slug'
        | 'state'
        | 'premoderation'
        | 'slowModeSeconds'
        | 'slowModeSetting'
        | 'slowModeSource'
        | 'slowModeReason'
        | 'slowModeSince'
        | 'lastSeq'
      > & { at: Date })[]
    >`
      UPDATE articles SET last_seq = last_seq + 1 WHERE id = ${id}::uuid
      RETURNING id, slug, state, premoderation, slow_mode_seconds AS "slowModeSeconds",
        slow_mode_setting AS "slowModeSetting", slow_mode_source AS "slowModeSource",
        slow_mode_reason AS "slowModeReason", slow_mode_since AS "slowModeSince", last_seq AS "lastSeq", now() AS at`;
    const payload = {
      article: {
        id: a.id,
        slug: a.slug,
        state: a.state,
        premoderation: a.premoderation,
        slowModeSeconds: a.slowModeSeconds,
        slowMode: slowModeOf(a),
      },
    };
    await tx.$executeRaw`
      INSERT INTO article_events (article_id, seq, type, audience, payload, created_at)
      VALUES (${id}::uuid, ${a.lastSeq}, 'article.updated', 'public'::"EventAudience", ${JSON.stringify(payload)}::jsonb, ${a.at})`;
  }
}
