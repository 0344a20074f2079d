import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode } from '@rejoinder/common';
import type { ArticleEvent } from '@rejoinder/common';
import { ArticleState, keysetWhere, Prisma, PrismaService } from '@rejoinder/db';
import type { ArticleRecord } from './articles.repository.js';
import { reanchorComments } from './articles.repository.js';
import { appendEvents } from '../event-log/event-log.repository.js';
import type { ArticleEventRow, Tx } from '../event-log/event-log.repository.js';

// What the newsroom says an article is (its CMS through the API, or its page
// through the embed).
export interface NewsroomArticle {
  externalId: string;
  urlKey: string;
  slug: string;
  title: string;
  byline: string;
  publishedAt: Date;
  sourceUrl: string;
  language: string;
  section: string | null;
  bodySource: string;
  bodyHtml: string;
  // Absent: the default schedule; otherwise the article's own time (null: never).
  closesAt?: Date | null;
  createdVia: 'api' | 'embed';
}

export interface UpsertOutcome {
  article: ArticleRecord;
  created: boolean;
  events: ArticleEvent[];
}

// The fields an update may change, and whether readers would see the change.
type Content = Omit<NewsroomArticle, 'externalId' | 'urlKey' | 'slug' | 'createdVia' | 'closesAt'>;

@Injectable()
export class NewsroomArticlesRepository {
  constructor(private readonly prisma: PrismaService) {}

  findByExternalId(externalId: string): Promise<ArticleRecord | null> {
    return this.prisma.article.findUnique({ where: { externalId } });
  }

  // Creates the article or brings it up to date, in one transaction under the
  // article's row lock. One page is one article: an article with this URL and
  // no newsroom id yet (seeded, imported) is adopted; one with another
  // newsroom id is a conflict. `event` builds the log entry to append (none
  // when nothing a reader sees changed: the same body twice writes nothing).
  upsert(
    input: NewsroomArticle,
    event: (article: ArticleRecord, created: boolean) => ArticleEventRow | null,
    onlyCreate = false,
  ): Promise<UpsertOutcome> {
    return this.prisma.$transaction(async (tx) => {
      let current = await lockBy(tx, Prisma.sql`external_id = ${input.externalId}`);
      if (!current) {
        const holder = await lockBy(tx, Prisma.sql`url_key = ${input.urlKey}`);
        if (holder?.externalId) throw new DomainError(ErrorCode.ArticleUrlTaken);
        current = holder;
      }
      let created = false;
      if (!current) {
        const inserted = await tx.article.createMany({
          data: {
            externalId: input.externalId,
            urlKey: input.urlKey,
            slug: input.slug,
            title: input.title,
            byline: input.byline,
            publishedAt: input.publishedAt,
            sourceUrl: input.sourceUrl,
            language: input.language,
            section: input.section,
            bodySource: input.bodySource,
            bodyHtml: input.bodyHtml,
            createdVia: input.createdVia,
            ...closing(input.closesAt),
          },
          // A racing writer of the same id (or URL) wins; we then update theirs.
          skipDuplicates: true,
        });
        created = inserted.count === 1;
        current = await lockBy(tx, Prisma.sql`external_id = ${input.externalId}`);
        if (!current) throw new DomainError(ErrorCode.ArticleUrlTaken);
        if (created) return finish(tx, current, true, event);
      }
      if (onlyCreate) return { article: current, created: false, events: [] };
      if (current.urlKey !== input.urlKey) {
        const other = await tx.article.findUnique({ where: { urlKey: input.urlKey }, select: { id: true } });
        if (other && other.id !== current.id) throw new DomainError(ErrorCode.ArticleUrlTaken);
      }
      const content: Content = {
        title: input.title,
        byline: input.byline,
        publishedAt: input.publishedAt,
        sourceUrl: input.sourceUrl,
        language: input.language,
        section: input.section,
        bodySource: input.bodySource,
        bodyHtml: input.bodyHtml,
      };
      const schedule = closing(input.closesAt);
      const unchanged =
        current.externalId === input.externalId &&
        current.urlKey === input.urlKey &&
        (Object.keys(content) as (keyof Content)[]).every((k) => same(current[k], content[k])) &&
        current.closesAtSet === schedule.closesAtSet &&
        same(current.closesAt, schedule.closesAt);
      if (unchanged) return { article: current, created: false, events: [] };
      let article: ArticleRecord = await tx.article.update({
        where: { id: current.id },
        data: { ...content, ...schedule, externalId: input.externalId, urlKey: input.urlKey },
      });
      if (current.bodySource !== article.bodySource) article = await reanchorComments(tx, article);
      return finish(tx, article, false, event);
    });
  }

  // The newsroom's list: newest published first, keyset by (publishedAt, id);
  // `q` matches the title, or the newsroom id or URL exactly.
  list(args: {
    limit: number;
    before?: { publishedAt: string; id: string };
    q?: string;
    section?: string;
    state?: ArticleState;
  }): Promise<ArticleRecord[]> {
    const where: Prisma.ArticleWhereInput[] = [];
    if (args.before) where.push(keysetWhere('desc', 'publishedAt', new Date(args.before.publishedAt), args.before.id));
    if (args.q)
      where.push({
        OR: [{ title: { contains: args.q, mode: 'insensitive' } }, { externalId: args.q }, { slug: args.q }],
      });
    if (args.section) where.push({ section: args.section });
    if (args.state) where.push({ state: args.state });
    return this.prisma.article.findMany({
      where: { AND: where },
      orderBy: [{ publishedAt: 'desc' }, { id: 'desc' }],
      take: args.limit,
    });
  }

  findByUrlKey(urlKey: string): Promise<ArticleRecord | null> {
    return this.prisma.article.findUnique({ where: { urlKey } });
  }

  // The embed's articles made before `before` that nobody commented on and
  // nothing happened to since they were made (their log holds only
  // `article.created`): a made-up id costs a row for a bounded time.
  deleteUnusedEmbedArticles(before: Date): Promise<number> {
    return this.prisma.$executeRaw`
      DELETE FROM articles a
      WHERE a.created_via = 'embed' AND a.created_at < ${before} AND a.last_seq <= 1 AND a.comment_count = 0
        AND NOT EXISTS (SELECT 1 FROM comments c WHERE c.article_id = a.id)`;
  }

  // Articles the embed made lately, in all (the flood bound).
  countCreatedVia(via: string, since: Date): Promise<number> {
    return this.prisma.article.count({ where: { createdVia: via, createdAt: { gte: since } } });
  }
}

async function lockBy(tx: Tx, condition: Prisma.Sql): Promise<ArticleRecord | null> {
  const [row] = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM articles WHERE ${condition} FOR UPDATE`;
  return row ? tx.article.findUnique({ where: { id: row.id } }) : null;
}

async function finish(
  tx: Tx,
  article: ArticleRecord,
  created: boolean,
  event: (article: ArticleRecord, created: boolean) => ArticleEventRow | null,
): Promise<UpsertOutcome> {
  const row = event(article, created);
  if (!row) return { article, created, events: [] };
  const { committed, last } = await appendEvents(tx, article.id, [row]);
  return { article: { ...article, lastSeq: last }, created, events: committed };
}

function closing(closesAt: Date | null | undefined): { closesAt: Date | null; closesAtSet: boolean } {
  return closesAt === undefined ? { closesAt: null, closesAtSet: false } : { closesAt, closesAtSet: true };
}

function same(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return a === b;
}
