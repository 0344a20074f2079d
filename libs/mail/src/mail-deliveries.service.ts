import { Injectable } from '@nestjs/common';
import { MailOutboxRepository } from './mail-outbox.repository.js';

// The admins' view of recent mail: what was owed, to whom, and what became of it.
@Injectable()
export class MailDeliveriesService {
  constructor(private readonly outbox: MailOutboxRepository) {}

  async recent(limit: number, status?: string) {
    const [rows, stats] = await Promise.all([this.outbox.recent(limit, status), this.outbox.stats()]);
    return {
      queued: stats.queued,
      oldestQueuedSeconds: Math.round(stats.oldestSeconds),
      items: rows.map((row) => ({
        id: row.id,
        kind: row.kind,
        status: row.status,
        recipient: row.recipientId ? { id: row.recipientId, username: row.username } : null,
        attempts: row.attempts,
        messageId: row.messageId,
        lastError: row.lastError,
        createdAt: row.createdAt.toISOString(),
        doneAt: row.doneAt?.toISOString() ?? null,
      })),
    };
  }
}
