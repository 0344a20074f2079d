import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { AuthUser } from '@rejoinder/accounts';
import { DomainError, ErrorCode } from '@rejoinder/common';
import type { Role } from '@rejoinder/db';
import { Feed } from 'feed';
import { ArticlesService } from '../articles/articles.service.js';
import { CommentsRepository } from '../comments/comments.repository.js';
import { viewComment } from '../comments/visibility.js';
import { FeedsRepository } from './feeds.repository.js';

export interface AtomDocument {
  xml: string;
  etag: string;
}

const hash = (value: string) => createHash('sha256').update(value).digest('hex');
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

// Atom feeds of comments (the `feed` package writes them), each showing what
// the visibility policy lets its reader see now: anonymous readers for the
// public feeds, the reader themself for their private feed of replies.
@Injectable()
export class FeedsService {
  constructor(
    private readonly feeds: FeedsRepository,
    private readonly comments: CommentsRepository,
    private readonly articles: ArticlesService,
  ) {}

  async articleFeed(slug: string, base: string): Promise<AtomDocument> {
    const article = await this.articles.get(slug);
    const ids = await this.feeds.latestPublished(article.id);
    return this.render(ids, null, base, {
      id: `${base}/api/articles/${article.slug}/comments.atom`,
      title: `Comments on ${article.title}`,
      link: `${base}/articles/${article.slug}`,
    });
  }

  async siteFeed(base: string): Promise<AtomDocument> {
    const ids = await this.feeds.latestPublished(null);
    return this.render(ids, null, base, {
      id: `${base}/api/comments.atom`,
      title: 'Latest comments',
      link: `${base}/`,
    });
  }

  async repliesFeed(token: string, base: string): Promise<AtomDocument> {
    const user = TOKEN_SHAPE.test(token) ? await this.feeds.userOfToken(hash(token)) : null;
    // A revoked or made-up URL is the same 404.
    if (!user) throw new DomainError(ErrorCode.RouteNotFound, 'No such feed');
    const viewer: AuthUser = { id: user.id, username: user.username, role: user.role as Role };
    const ids = await this.feeds.repliesTo(user.id);
    return this.render(ids, viewer, base, {
      id: `${base}/api/feeds/replies/${hash(token).slice(0, 16)}`,
      title: `Replies to ${user.username}`,
      link: `${base}/`,
    });
  }

  // A new secret URL for the reader's replies (the previous one stops working).
  async newRepliesToken(user: AuthUser): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.feeds.setToken(user.id, hash(token));
    return token;
  }

  async revokeRepliesToken(user: AuthUser): Promise<void> {
    await this.feeds.revokeToken(user.id);
  }

  private async render(
    ids: string[],
    viewer: AuthUser | null,
    base: string,
    meta: { id: string; title: string; link: string },
  ): Promise<AtomDocument> {
    const rows = new Map((await this.comments.findMany(ids)).map((r) => [r.id, r]));
    const visible = ids
      .map((id) => rows.get(id))
      .filter((r) => r !== undefined)
      .map((row) => ({ row, view: viewComment(row, viewer) }))
      // Only what the reader may read whole: placeholders have nothing to say.
      .filter((c) => c.view !== null && c.view.body !== null);
    const titles = await this.feeds.articleTitles([...new Set(visible.map((c) => c.row.articleId))]);
    const feed = new Feed({
      id: meta.id,
      title: meta.title,
      link: meta.link,
      updated: visible[0]?.row.createdAt ?? new Date(0),
      generator: 'Rejoinder',
      copyright: '',
      feedLinks: { atom: meta.id },
    });
    for (const { row, view } of visible) {
      const article = titles.get(row.articleId);
      const link = `${base}/articles/${article?.slug ?? ''}?comment=${row.id}`;
      feed.addItem({
        id: `urn:uuid:${row.id}`,
        title: `${view!.author?.username ?? 'Someone'} on ${article?.title ?? 'an article'}`,
        link,
        date: row.editedAt ?? row.createdAt,
        published: row.createdAt,
        content: view!.html ?? '',
        author: [{ name: view!.author?.username ?? '' }],
      });
    }
    const xml = feed.atom1();
    return { xml, etag: `"${hash(xml).slice(0, 32)}"` };
  }
}
