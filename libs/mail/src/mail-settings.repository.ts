import { Injectable } from '@nestjs/common';
import { PrismaService } from '@rejoinder/db';

export type DigestFrequency = 'off' | 'hourly' | 'daily';

export interface MailSettingsRecord {
  onReply: boolean;
  onStaffReply: boolean;
  onModeration: boolean;
  onFeatured: boolean;
  digest: DigestFrequency;
  onReport: boolean;
  queueAgeMinutes: number | null;
}

// Replies on and digest off until a reader says otherwise.
export const DEFAULT_SETTINGS: MailSettingsRecord = {
  onReply: true,
  onStaffReply: true,
  onModeration: true,
  onFeatured: true,
  digest: 'off',
  onReport: false,
  queueAgeMinutes: null,
};

const columns = {
  userId: true,
  onReply: true,
  onStaffReply: true,
  onModeration: true,
  onFeatured: true,
  digest: true,
  onReport: true,
  queueAgeMinutes: true,
} as const;

@Injectable()
export class MailSettingsRepository {
  constructor(private readonly prisma: PrismaService) {}

  async get(userId: string): Promise<MailSettingsRecord> {
    return (await this.many([userId])).get(userId) ?? DEFAULT_SETTINGS;
  }

  async many(userIds: string[]): Promise<Map<string, MailSettingsRecord>> {
    if (userIds.length === 0) return new Map();
    const rows = await this.prisma.mailSettings.findMany({ where: { userId: { in: userIds } }, select: columns });
    return new Map(rows.map(({ userId, ...settings }) => [userId, settings as MailSettingsRecord]));
  }

  async update(userId: string, changes: Partial<MailSettingsRecord>): Promise<MailSettingsRecord> {
    const { userId: _id, ...row } = await this.prisma.mailSettings.upsert({
      where: { userId },
      create: { ...DEFAULT_SETTINGS, ...changes, userId },
      update: changes,
      select: columns,
    });
    return row as MailSettingsRecord;
  }
}
