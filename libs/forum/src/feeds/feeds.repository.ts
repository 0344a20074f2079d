import { Injectable } from '@nestjs/common';
import { PrismaService } from '@rejoinder/db';

const LATEST = 50;

@Injectable()
export class FeedsRepository {
  constructor(private readonly prisma: PrismaService) {}

  // The ids of the latest published comments of an article, or of the site.
  async latestPublished(articleId: string | null): Promise<string[]> {
    const rows = await this.prisma.comment.findMany({
      where: { status: 'published', ...(articleId ? { articleId } : {}) },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: LATEST,
      select: { id: true },
    });
    return rows.map((r) => r.id);
  }

  // The latest replies to a reader's comments (their reply notifications).
  async repliesTo(userId: string): Promise<string[]> {
    const rows = await this.prisma.notification.findMany({
      where: { userId, type: 'reply' },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: LATEST,
      select: { commentId: true },
    });
    return rows.map((r) => r.commentId);
  }

  async articleTitles(ids: string[]): Promise<Map<string, { slug: string; title: string }>> {
    const rows = await this.prisma.article.findMany({
      where: { id: { in: ids } },
      select: { id: true, slug: true, title: true },
    });
    return new Map(rows.map((r) => [r.id, { slug: r.slug, title: r.title }]));
  }

  async setToken(userId: string, tokenHash: string): Promise<void> {
    await this.prisma.readerFeedToken.upsert({
      where: { userId },
      create: { userId, tokenHash },
      update: { tokenHash, createdAt: new Date() },
    });
  }

  async revokeToken(userId: string): Promise<boolean> {
    return (await this.prisma.readerFeedToken.deleteMany({ where: { userId } })).count === 1;
  }

  async userOfToken(tokenHash: string): Promise<{ id: string; username: string; role: string } | null> {
    const row = await this.prisma.readerFeedToken.findUnique({ where: { tokenHash }, select: { userId: true } });
    if (!row) return null;
    return this.prisma.user.findUnique({ where: { id: row.userId }, select: { id: true, username: true, role: true } });
  }
}
