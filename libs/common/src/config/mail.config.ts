import { z } from 'zod';
import { bool } from './config-fields.js';

// Mail (libs/mail): the server, the sender, and the worker's pace.
export const mailConfig = {
  // Mail (libs/mail): SMTP_URL is smtp:// or smtps:// (credentials in the
  // URL, or SMTP_USER/SMTP_PASSWORD). Unset: .eml files under DATA_DIR/mail in
  // development and tests, no mail in production. PUBLIC_URL is the base of
  // every link in a message.
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^\s]+$/, 'must be an smtp:// or smtps:// URL')
    .refine((value) => URL.canParse(value), 'must be an smtp:// or smtps:// URL')
    .optional(),
  SMTP_USER: z.string().min(1).optional(),
  SMTP_PASSWORD: z.string().min(1).optional(),
  MAIL_FROM: z
    .string()
    .min(3)
    .max(320)
    .refine((value) => !/[\r\n]/.test(value), 'must be one line')
    .refine((value) => /@/.test(value), 'must hold an address, e.g. "Comments <comments@example.com>"')
    .default('Rejoinder <no-reply@localhost>'),
  // Notifications to one reader within this window go out as one message.
  MAIL_COALESCE_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
  // How often a node looks for mail owed, and at most how many it takes at once.
  MAIL_POLL_MS: z.coerce.number().int().min(20).max(600_000).default(1000),
  MAIL_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(100),
  // How long a node holds the mail it claimed: after it, a node that died
  // mid-send has its messages sent by another.
  MAIL_LEASE_MS: z.coerce.number().int().min(1000).max(3_600_000).default(60_000),
  // First retry after a failed send; each next waits twice as long (at most
  // an hour); after MAIL_GIVE_UP_HOURS the message is given up and recorded.
  MAIL_RETRY_BASE_MS: z.coerce.number().int().min(10).max(3_600_000).default(30_000),
  MAIL_GIVE_UP_HOURS: z.coerce.number().min(0.001).max(720).default(24),
  // Off: this node sends nothing (another node's worker does).
  MAIL_WORKER: bool.default(true),
  // Readers must confirm their address before they post.
  REQUIRE_VERIFIED_EMAIL_TO_POST: bool.default(false),
};
