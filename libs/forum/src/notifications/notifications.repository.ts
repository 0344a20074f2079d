import { Injectable } from '@nestjs/common';
import { keysetWhere, Prisma, PrismaService } from '@rejoinder/db';

@Injectable()
export class NotificationsRepository {
  constructor(private readonly prisma: PrismaService) {}

  page(userId: string, limit: number, before?: { createdAt: string; id: string }) {
    return this.prisma.notification.findMany({
      where: {
        userId,
        ...(before ? keysetWhere('desc', 'createdAt', new Date(before.createdAt), before.id) : {}),
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit,
    });
  }

  unreadCount(userId: string): Promise<number> {
    return this.prisma.notification.count({ where: { userId, readAt: null } });
  }

  async markRead(userId: string, ids: string[] | 'all'): Promise<number> {
    const where: Prisma.NotificationWhereInput = {
      userId,
      readAt: null,
      ...(ids === 'all' ? {} : { id: { in: ids } }),
    };
    const { count } = await this.prisma.notification.updateMany({ where, data: { readAt: new Date() } });
    return count;
  }
}
