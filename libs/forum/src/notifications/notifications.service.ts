import { Injectable } from '@nestjs/common';
import type { AuthUser } from '@rejoinder/accounts';
import { Keyset, TIME_ID_KEY } from '@rejoinder/common';
import { CommentsRepository } from '../comments/comments.repository.js';
import type { CommentView } from '../comments/comment.view.js';
import { viewComment } from '../comments/visibility.js';
import { NotificationsRepository } from './notifications.repository.js';

export interface NotificationView {
  id: string;
  type: string;
  articleId: string;
  // The reply as the policy shows it to you now: null once it is hidden
  // from you (held back, rejected), a placeholder once removed or deleted.
  comment: CommentView | null;
  read: boolean;
  createdAt: string;
}

@Injectable()
export class NotificationsService {
  constructor(
    private readonly notifications: NotificationsRepository,
    private readonly comments: CommentsRepository,
  ) {}

  async list(viewer: AuthUser, query: { limit: number; cursor?: string }) {
    const userId = viewer.id;
    const keyset = new Keyset(`n:${userId}`, TIME_ID_KEY);
    const before = keyset.decode(query.cursor);
    const [rows, unread] = await Promise.all([
      this.notifications.page(userId, query.limit + 1, before && { createdAt: before[0], id: before[1] }),
      this.notifications.unreadCount(userId),
    ]);
    const { items: page, nextCursor } = keyset.page(rows, query.limit, (n) => [n.createdAt.toISOString(), n.id]);
    const comments = new Map((await this.comments.findMany(page.map((n) => n.commentId))).map((c) => [c.id, c]));
    const items: NotificationView[] = page.map((n) => {
      const comment = comments.get(n.commentId);
      return {
        id: n.id,
        type: n.type,
        articleId: n.articleId,
        comment: comment ? viewComment(comment, viewer) : null,
        read: n.readAt !== null,
        createdAt: n.createdAt.toISOString(),
      };
    });
    return { items, unreadCount: unread, nextCursor };
  }

  async markRead(userId: string, ids: string[] | 'all'): Promise<{ marked: number; unreadCount: number }> {
    const marked = await this.notifications.markRead(userId, ids);
    return { marked, unreadCount: await this.notifications.unreadCount(userId) };
  }
}
