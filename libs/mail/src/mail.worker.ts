import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, Metrics, publicUrl } from '@rejoinder/common';
import type { AppConfig } from '@rejoinder/common';
import { CommentsRepository } from '@rejoinder/forum';
import type { CommentRow } from '@rejoinder/forum';
import { messageIdFor, newLinkToken, UnsubscribeKind, UnsubscribeTokens } from './mail-links.js';
import { ACCOUNT_KINDS, MailOutboxRepository, OutboxRow, Recipient } from './mail-outbox.repository.js';
import { MailSettingsRecord, MailSettingsRepository } from './mail-settings.repository.js';
import { MailSendError, MailTransport, OutgoingMail } from './mail-transport.js';
import {
  emailChangedMail,
  externalAccountResetMail,
  notificationMail,
  NotifiedComment,
  passwordResetMail,
  verifyEmailMail,
} from './mail.templates.js';
import { MAIL_LINK_SECRET } from './mail.tokens.js';
import { nextDigest, notifiedItem } from './mail-notified-items.js';

export const VERIFY_LINK_HOURS = 24;
export const RESET_LINK_MINUTES = 30;
const MAX_BACKOFF_MS = 3_600_000;

type Outcome = { status: 'sent' } | { status: 'skipped'; note: string };

// Sends the mail owed (mail_outbox, queued by the transactions that owe it).
// Every node runs one; they share the queue through row claims. A message is
// decided at send time: the recipient's settings and address as they are now,
// and each comment as the visibility policy shows it to the recipient now.
@Injectable()
export class MailWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Mail');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private readonly base: string;
  private readonly domain: string;
  private readonly unsubscribe: UnsubscribeTokens;
  private lastQueueCheck = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(MAIL_LINK_SECRET) secret: string,
    private readonly outbox: MailOutboxRepository,
    private readonly settings: MailSettingsRepository,
    private readonly comments: CommentsRepository,
    private readonly transport: MailTransport,
    private readonly metrics: Metrics,
  ) {
    this.base = publicUrl(config);
    this.domain = /@([^>\s]+)/.exec(config.MAIL_FROM)?.[1] ?? 'localhost';
    this.unsubscribe = new UnsubscribeTokens(secret);
  }

  onApplicationBootstrap(): void {
    this.logger.log(this.transport.describe());
    this.metrics.sample('mail_queued', async () => (await this.outbox.stats()).queued);
    this.metrics.sample('mail_oldest', async () => (await this.outbox.stats()).oldestSeconds);
    if (this.transport.mode === 'off' || !this.config.MAIL_WORKER) return;
    this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick()
        .then(
          (full) => this.schedule(full ? 0 : this.config.MAIL_POLL_MS),
          (error: unknown) => {
            this.logger.warn({ err: error }, 'Mail worker run failed; trying again');
            this.schedule(this.config.MAIL_POLL_MS);
          },
        )
        .finally(() => (this.running = null));
    }, delayMs);
    this.timer.unref();
  }

  // One batch: true when it was full (more may be waiting).
  async tick(): Promise<boolean> {
    await this.queueAlerts();
    const rows = await this.outbox.claim(
      this.config.MAIL_BATCH_SIZE,
      this.config.MAIL_LEASE_MS,
      this.config.MAIL_COALESCE_SECONDS,
    );
    if (rows.length === 0) return false;
    const recipients = new Map(
      (await this.outbox.recipients([...new Set(rows.map((r) => r.recipientId))])).map((r) => [r.id, r]),
    );
    const settings = await this.settings.many([...recipients.keys()]);
    const commentRows = new Map(
      (await this.comments.findMany([...new Set(rows.flatMap((r) => (r.commentId ? [r.commentId] : [])))])).map((c) => [
        c.id,
        c,
      ]),
    );
    const articles = new Map(
      (await this.outbox.articles([...new Set(rows.flatMap((r) => (r.articleId ? [r.articleId] : [])))])).map((a) => [
        a.id,
        a,
      ]),
    );
    const groups = new Map<string, OutboxRow[]>();
    for (const row of rows) {
      const key = ACCOUNT_KINDS.includes(row.kind)
        ? `account:${row.id}`
        : (row.messageId ?? `${row.recipientId}:${row.data.digest === true ? 'digest' : 'now'}`);
      groups.set(key, [...(groups.get(key) ?? []), row]);
    }
    await Promise.all(
      [...groups.values()].map((group) =>
        this.deliver(group, recipients.get(group[0].recipientId) ?? null, settings, commentRows, articles).catch(
          (error: unknown) => this.logger.error({ err: error }, 'Could not deliver a message'),
        ),
      ),
    );
    return rows.length === this.config.MAIL_BATCH_SIZE;
  }

  private async deliver(
    group: OutboxRow[],
    recipient: Recipient | null,
    allSettings: Map<string, MailSettingsRecord>,
    commentRows: Map<string, CommentRow>,
    articles: Map<string, { id: string; slug: string; title: string }>,
  ): Promise<void> {
    const ids = group.map((r) => r.id);
    if (!recipient) return this.outbox.finish(ids, 'skipped', 'account gone');
    if (ACCOUNT_KINDS.includes(group[0].kind)) {
      const outcome = await this.deliverAccountMail(group[0], recipient);
      if (outcome) await this.settle(group, recipient, outcome);
      return;
    }
    const settings = allSettings.get(recipient.id) ?? (await this.settings.get(recipient.id));
    if (!recipient.email || !recipient.emailVerifiedAt)
      return this.outbox.finish(ids, 'skipped', 'address not confirmed');
    if (recipient.emailUndeliverableAt) return this.outbox.finish(ids, 'skipped', 'address undeliverable');
    // A digest reader's notifications wait for the next digest.
    if (settings.digest !== 'off' && group.some((r) => r.data.digest !== true)) {
      return this.outbox.defer(ids, nextDigest(settings.digest, new Date()));
    }
    const viewer = {
      id: recipient.id,
      username: recipient.username,
      role: recipient.role,
      createdAt: recipient.createdAt,
    };
    const items: NotifiedComment[] = [];
    const kept: OutboxRow[] = [];
    const skipped: string[] = [];
    let unsubscribeKind: UnsubscribeKind | null = settings.digest !== 'off' ? 'digest' : null;
    for (const row of group) {
      const comment = row.commentId ? commentRows.get(row.commentId) : undefined;
      const article = row.articleId ? articles.get(row.articleId) : undefined;
      const item = comment && article ? notifiedItem(this.base, row, comment, article, viewer, settings) : null;
      if (!item) {
        skipped.push(row.id);
        continue;
      }
      unsubscribeKind ??= item.setting;
      items.push(item.item);
      kept.push(row);
    }
    await this.outbox.finish(skipped, 'skipped', 'not shown to the recipient now, or turned off');
    if (kept.length === 0) return;
    const kind = unsubscribeKind!;
    const unsubscribeLink = `${this.base}/api/mail/unsubscribe?token=${this.unsubscribe.sign(recipient.id, kind)}`;
    const rendered = notificationMail({
      username: recipient.username,
      locale: this.localeOf(recipient),
      items,
      digest: settings.digest === 'off' ? null : settings.digest,
      settingsLink: `${this.base}/settings`,
      unsubscribeLink,
    });
    const messageId = await this.messageId(kept, recipient.id);
    await this.send(kept, recipient, recipient.email, {
      ...rendered,
      messageId,
      headers: {
        'List-Unsubscribe': `<${unsubscribeLink}>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        'Auto-Submitted': 'auto-generated',
        'X-Rejoinder-Kind': kind,
      },
    });
  }

  // Mail reads in the recipient's chosen language, else DEFAULT_LOCALE.
  private localeOf(recipient: Recipient): string {
    return recipient.locale ?? this.config.DEFAULT_LOCALE;
  }

  // Confirmation, reset and change notices: the link's token is made now,
  // and only its hash is stored.
  private async deliverAccountMail(row: OutboxRow, recipient: Recipient): Promise<Outcome | null> {
    const email = typeof row.data.email === 'string' ? row.data.email : null;
    switch (row.kind) {
      case 'verify_email': {
        if (!email || recipient.email !== email) return { status: 'skipped', note: 'address changed since' };
        if (recipient.emailVerifiedAt) return { status: 'skipped', note: 'already confirmed' };
        const { token, hash } = newLinkToken();
        await this.outbox.storeLinkToken({
          userId: recipient.id,
          purpose: 'verify_email',
          hash,
          email,
          expiresAt: new Date(Date.now() + VERIFY_LINK_HOURS * 3_600_000),
        });
        const link = `${this.base}/verify-email#token=${token}`;
        await this.send([row], recipient, email, {
          ...verifyEmailMail({
            username: recipient.username,
            link,
            hours: VERIFY_LINK_HOURS,
            locale: this.localeOf(recipient),
          }),
          messageId: await this.messageId([row], recipient.id),
          headers: { 'Auto-Submitted': 'auto-generated', 'X-Rejoinder-Kind': row.kind },
        });
        return null;
      }
      case 'password_reset': {
        if (!recipient.email) return { status: 'skipped', note: 'no address' };
        if (recipient.emailUndeliverableAt) return { status: 'skipped', note: 'address undeliverable' };
        const messageId = await this.messageId([row], recipient.id);
        if (recipient.external) {
          await this.send([row], recipient, recipient.email, {
            ...externalAccountResetMail({ username: recipient.username, locale: this.localeOf(recipient) }),
            messageId,
            headers: { 'Auto-Submitted': 'auto-generated', 'X-Rejoinder-Kind': row.kind },
          });
          return null;
        }
        const { token, hash } = newLinkToken();
        await this.outbox.storeLinkToken({
          userId: recipient.id,
          purpose: 'password_reset',
          hash,
          email: recipient.email,
          expiresAt: new Date(Date.now() + RESET_LINK_MINUTES * 60_000),
        });
        const link = `${this.base}/reset-password#token=${token}`;
        await this.send([row], recipient, recipient.email, {
          ...passwordResetMail({
            username: recipient.username,
            link,
            minutes: RESET_LINK_MINUTES,
            locale: this.localeOf(recipient),
          }),
          messageId,
          headers: { 'Auto-Submitted': 'auto-generated', 'X-Rejoinder-Kind': row.kind },
        });
        return null;
      }
      case 'email_changed': {
        const newEmail = typeof row.data.newEmail === 'string' ? row.data.newEmail : '';
        if (!email) return { status: 'skipped', note: 'no address' };
        await this.send([row], recipient, email, {
          ...emailChangedMail({ username: recipient.username, newEmail, locale: this.localeOf(recipient) }),
          messageId: await this.messageId([row], recipient.id),
          headers: { 'Auto-Submitted': 'auto-generated', 'X-Rejoinder-Kind': row.kind },
        });
        return null;
      }
      default:
        return { status: 'skipped', note: `unknown kind ${row.kind}` };
    }
  }

  private async settle(group: OutboxRow[], _recipient: Recipient, outcome: Outcome): Promise<void> {
    const ids = group.map((r) => r.id);
    if (outcome.status === 'skipped') await this.outbox.finish(ids, 'skipped', outcome.note);
  }

  private async messageId(rows: OutboxRow[], recipientId: string): Promise<string> {
    const known = rows.find((r) => r.messageId)?.messageId;
    if (known) return known;
    const id = messageIdFor(
      recipientId,
      rows.map((r) => `${r.kind}:${r.cause}`),
      this.domain,
    );
    await this.outbox.setMessageId(
      rows.map((r) => r.id),
      id,
    );
    return id;
  }

  // Sends and records the outcome: sent; refused for good (the address is
  // marked undeliverable); or tried again later, twice as long each time,
  // until MAIL_GIVE_UP_HOURS after it was owed, when it is given up.
  private async send(
    rows: OutboxRow[],
    recipient: Recipient,
    to: string,
    mail: Omit<OutgoingMail, 'to'>,
  ): Promise<void> {
    const ids = rows.map((r) => r.id);
    try {
      await this.transport.send({ ...mail, to });
      await this.outbox.finish(ids, 'sent', null);
      this.metrics.mailSent.inc({ kind: mail.headers['X-Rejoinder-Kind'] ?? rows[0].kind }, 1);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof MailSendError && error.permanent) {
        await this.outbox.markUndeliverable(recipient.id, to);
        await this.outbox.finish(ids, 'failed', `undeliverable: ${message}`);
        this.metrics.mailFailed.inc({ outcome: 'undeliverable' });
        this.logger.warn(
          { userId: recipient.id, error: message },
          'The mail server refused the address: marked undeliverable',
        );
        return;
      }
      const owedSince = Math.min(...rows.map((r) => new Date(r.createdAt).getTime()));
      const attempts = Math.max(...rows.map((r) => r.attempts));
      const wait = Math.min(this.config.MAIL_RETRY_BASE_MS * 2 ** Math.max(attempts - 1, 0), MAX_BACKOFF_MS);
      if (Date.now() + wait - owedSince > this.config.MAIL_GIVE_UP_HOURS * 3_600_000) {
        await this.outbox.finish(ids, 'failed', `given up: ${message}`);
        this.metrics.mailFailed.inc({ outcome: 'given_up' });
        this.logger.error({ ids, error: message }, 'Mail given up after repeated failures');
        return;
      }
      await this.outbox.retryAt(ids, new Date(Date.now() + wait), message);
      this.metrics.mailFailed.inc({ outcome: 'retry' });
      this.logger.warn({ retryInMs: wait, error: message }, 'Mail not sent; trying again later');
    }
  }

  // Moderators who asked to hear about a queue waiting too long: one alert per
  // oldest item, checked at most once a minute.
  private async queueAlerts(): Promise<void> {
    if (Date.now() - this.lastQueueCheck < 60_000) return;
    this.lastQueueCheck = Date.now();
    const alerts = await this.outbox.queueAlerts();
    await this.outbox.enqueue(
      alerts.map((a) => ({
        kind: 'queue_age',
        recipientId: a.userId,
        cause: a.commentId,
        commentId: a.commentId,
        articleId: a.articleId,
      })),
    );
  }
}
