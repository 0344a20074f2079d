import { z } from 'zod';

// Moderation: holds, automatic slow mode, thread health, new commenters,
// links, trust levels, disposable addresses and the spam check.
export const moderationConfig = {
  // Open reports that hold a published comment back until a moderator decides.
  REPORT_HOLD_THRESHOLD: z.coerce.number().int().min(1).max(1000).default(3),
  // Automatic slow mode: an article whose comments (or reports) per minute,
  // measured over a sliding window, reach a threshold (0: never by that rate)
  // goes into slow mode with SLOW_MODE_AUTO_SECONDS between one reader's
  // comments; it lifts once no window in the last SLOW_MODE_AUTO_QUIET_SECONDS
  // reached a threshold. Rates are checked after writes (debounced) and by a
  // sweep every SLOW_MODE_AUTO_CHECK_MS.
  SLOW_MODE_AUTO_COMMENTS_PER_MINUTE: z.coerce.number().min(0).max(100_000).default(30),
  SLOW_MODE_AUTO_REPORTS_PER_MINUTE: z.coerce.number().min(0).max(100_000).default(10),
  SLOW_MODE_AUTO_WINDOW_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  SLOW_MODE_AUTO_SECONDS: z.coerce.number().int().min(1).max(86_400).default(30),
  SLOW_MODE_AUTO_QUIET_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  SLOW_MODE_AUTO_DEBOUNCE_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  SLOW_MODE_AUTO_CHECK_MS: z.coerce.number().int().min(50).max(600_000).default(5000),
  // Thread health: how often moderators following an article are sent its
  // health (only when it changed), and how young an account counts as new.
  THREAD_HEALTH_INTERVAL_MS: z.coerce.number().int().min(50).max(600_000).default(5000),
  NEW_ACCOUNT_HOURS: z.coerce.number().min(0).max(8760).default(24),
  // New commenters: an account's first N comments wait for review until
  // approved (0: off); an article may set its own N.
  NEW_COMMENTER_REVIEW: z.coerce.number().int().min(0).max(1000).default(0),
  // Links: a comment with more links than this is held for review; accounts
  // below TRUST_LINKS_LEVEL may post LINKS_MAX_UNTRUSTED (0: any link holds).
  LINKS_MAX: z.coerce.number().int().min(0).max(1000).default(5),
  LINKS_MAX_UNTRUSTED: z.coerce.number().int().min(0).max(1000).default(0),
  TRUST_LINKS_LEVEL: z.coerce.number().int().min(0).max(2).default(1),
  // Trust levels from history: member (1) and regular (2) need an account
  // this old, this many published comments (and, for regular, upvotes
  // received), and nothing rejected or removed (and, for regular, no report
  // upheld) in the last TRUST_RECENT_DAYS. A stored level older than
  // TRUST_RECOMPUTE_SECONDS is computed again at the account's next post.
  TRUST_MEMBER_DAYS: z.coerce.number().min(0).max(3650).default(1),
  TRUST_MEMBER_COMMENTS: z.coerce.number().int().min(0).max(100_000).default(3),
  TRUST_REGULAR_DAYS: z.coerce.number().min(0).max(3650).default(30),
  TRUST_REGULAR_COMMENTS: z.coerce.number().int().min(0).max(100_000).default(20),
  TRUST_REGULAR_UPVOTES: z.coerce.number().int().min(0).max(1_000_000).default(10),
  TRUST_RECENT_DAYS: z.coerce.number().min(0).max(3650).default(30),
  TRUST_RECOMPUTE_SECONDS: z.coerce.number().int().min(0).max(604_800).default(3600),
  // Reports of regulars (trust level 2) count this many times toward
  // REPORT_HOLD_THRESHOLD.
  TRUST_REGULAR_REPORT_WEIGHT: z.coerce.number().int().min(1).max(10).default(2),
  // The bundled list of disposable-mail domains (the disposable-email-domains
  // package): off, refused at sign-up, or every comment premoderated.
  DISPOSABLE_EMAIL_DOMAINS: z.enum(['off', 'refuse', 'premoderate']).default('off'),
  // The spam check (Akismet's comment-check protocol): on when AKISMET_KEY is
  // set. AKISMET_URL points at another server that speaks it; AKISMET_SITE is
  // the site Akismet knows the key for. A check gets AKISMET_TIMEOUT_MS, then
  // the comment goes on without a verdict.
  AKISMET_KEY: z.string().min(1).optional(),
  AKISMET_URL: z.url({ protocol: /^https?$/ }).default('https://rest.akismet.com'),
  AKISMET_SITE: z.url({ protocol: /^https?$/ }).optional(),
  AKISMET_TIMEOUT_MS: z.coerce.number().int().min(50).max(1000).default(1000),
  // How often moderators' decisions on checked comments are sent back as
  // ham or spam (0: never).
  AKISMET_FEEDBACK_INTERVAL_MS: z.coerce.number().int().min(0).max(3_600_000).default(5000),
};
