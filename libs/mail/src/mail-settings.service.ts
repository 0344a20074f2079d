import { Inject, Injectable } from '@nestjs/common';
import { isModerator } from '@rejoinder/accounts';
import type { AuthUser } from '@rejoinder/accounts';
import { DomainError, ErrorCode } from '@rejoinder/common';
import { z } from 'zod';
import { UnsubscribeKind, UnsubscribeTokens } from './mail-links.js';
import { MailSettingsRecord, MailSettingsRepository } from './mail-settings.repository.js';
import { MAIL_LINK_SECRET } from './mail.tokens.js';

export const notificationSettingsPatchSchema = z
  .strictObject({
    onReply: z.boolean().optional(),
    onStaffReply: z.boolean().optional(),
    onModeration: z.boolean().optional(),
    onFeatured: z.boolean().optional(),
    digest: z.enum(['off', 'hourly', 'daily']).optional(),
    // Moderators only.
    onReport: z.boolean().optional(),
    queueAgeMinutes: z.number().int().min(1).max(10_080).nullable().optional(),
  })
  .refine((value) => Object.keys(value).length > 0, { message: 'give at least one setting' });
export type NotificationSettingsPatch = z.output<typeof notificationSettingsPatchSchema>;

export interface NotificationSettingsView {
  onReply: boolean;
  onStaffReply: boolean;
  onModeration: boolean;
  onFeatured: boolean;
  digest: 'off' | 'hourly' | 'daily';
  // Moderators' alerts; null for other readers.
  moderation: { onReport: boolean; queueAgeMinutes: number | null } | null;
}

function view(settings: MailSettingsRecord, user: AuthUser): NotificationSettingsView {
  const { onReport, queueAgeMinutes, ...reader } = settings;
  return { ...reader, moderation: isModerator(user) ? { onReport, queueAgeMinutes } : null };
}

// What each unsubscribe kind turns off.
const OFF: Record<UnsubscribeKind, Partial<MailSettingsRecord>> = {
  reply: { onReply: false },
  staff_reply: { onStaffReply: false },
  moderation: { onModeration: false },
  featured: { onFeatured: false },
  report: { onReport: false, queueAgeMinutes: null },
  // A digest carries every notification: unsubscribing from it stops them all.
  digest: { digest: 'off', onReply: false, onStaffReply: false, onModeration: false, onFeatured: false },
};

@Injectable()
export class MailSettingsService {
  private readonly tokens: UnsubscribeTokens;

  constructor(
    private readonly settings: MailSettingsRepository,
    @Inject(MAIL_LINK_SECRET) secret: string,
  ) {
    this.tokens = new UnsubscribeTokens(secret);
  }

  async get(user: AuthUser): Promise<NotificationSettingsView> {
    return view(await this.settings.get(user.id), user);
  }

  async update(user: AuthUser, patch: NotificationSettingsPatch): Promise<NotificationSettingsView> {
    if (!isModerator(user) && (patch.onReport !== undefined || patch.queueAgeMinutes !== undefined))
      throw new DomainError(ErrorCode.Forbidden, 'onReport and queueAgeMinutes are for moderators');
    return view(await this.settings.update(user.id, patch), user);
  }

  // The kind a token would turn off, or null when it is not valid.
  read(token: string): { userId: string; kind: UnsubscribeKind } | null {
    return this.tokens.verify(token);
  }

  async unsubscribe(token: string): Promise<UnsubscribeKind> {
    const scope = this.tokens.verify(token);
    if (!scope) throw new DomainError(ErrorCode.UnsubscribeTokenInvalid);
    await this.settings.update(scope.userId, OFF[scope.kind]).catch((error: unknown) => {
      // The account was erased since: nothing is sent to it anyway.
      if ((error as { code?: string }).code === 'P2003') return;
      throw error;
    });
    return scope.kind;
  }
}
