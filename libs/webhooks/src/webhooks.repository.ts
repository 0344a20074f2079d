import { Injectable } from '@nestjs/common';
import { keysetWhere, PrismaService } from '@rejoinder/db';

export interface WebhookRecord {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  secret: string;
  previousSecret: string | null;
  previousSecretUntil: Date | null;
  enabled: boolean;
  disabledReason: string | null;
  failingSince: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

@Injectable()
export class WebhooksRepository {
  constructor(private readonly prisma: PrismaService) {}

  // Deliveries begin with the first endpoint: the events committed from then
  // on are delivered (an article made then, from its article.created), even
  // when the sender's first turn comes later.
  create(data: { url: string; events: string[]; description: string | null; secret: string }): Promise<WebhookRecord> {
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`INSERT INTO webhook_cursor (id) VALUES (1) ON CONFLICT (id) DO NOTHING`;
      return tx.webhook.create({ data });
    });
  }

  find(id: string): Promise<WebhookRecord | null> {
    return this.prisma.webhook.findUnique({ where: { id } });
  }

  findMany(ids: string[]): Promise<WebhookRecord[]> {
    return this.prisma.webhook.findMany({ where: { id: { in: ids } } });
  }

  list(limit: number, before?: { createdAt: string; id: string }): Promise<WebhookRecord[]> {
    return this.prisma.webhook.findMany({
      where: before ? keysetWhere('desc', 'createdAt', new Date(before.createdAt), before.id) : undefined,
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit,
    });
  }

  async update(
    id: string,
    data: Partial<
      Pick<WebhookRecord, 'url' | 'events' | 'description' | 'enabled' | 'disabledReason' | 'failingSince'>
    > &
      Partial<Pick<WebhookRecord, 'secret' | 'previousSecret' | 'previousSecretUntil'>>,
  ): Promise<WebhookRecord | null> {
    const updated = await this.prisma.webhook.updateMany({ where: { id }, data });
    return updated.count === 0 ? null : this.find(id);
  }

  async delete(id: string): Promise<boolean> {
    return (await this.prisma.webhook.deleteMany({ where: { id } })).count === 1;
  }
}
