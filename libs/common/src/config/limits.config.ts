import { z } from 'zod';

// How much one reader, address or node may do: rate limits, posts in
// flight, duplicate comments, articles made from the embed.
export const limitsConfig = {
  // Comments one node stores at once over HTTP; more are refused with 429 POSTING_BUSY.
  POSTS_IN_PROGRESS_MAX: z.coerce.number().int().min(1).max(100_000).default(64),
  // Rate limits: N events per window (seconds). Shared across nodes through
  // Redis when REDIS_URL is set.
  RATE_COMMENTS_PER_USER: z.coerce.number().int().min(1).default(1),
  RATE_COMMENTS_PER_USER_WINDOW: z.coerce.number().int().min(1).default(5),
  // Accounts younger than a day.
  RATE_COMMENTS_PER_NEW_USER: z.coerce.number().int().min(1).default(1),
  RATE_COMMENTS_PER_NEW_USER_WINDOW: z.coerce.number().int().min(1).default(30),
  RATE_COMMENTS_PER_IP: z.coerce.number().int().min(1).default(30),
  RATE_COMMENTS_PER_IP_WINDOW: z.coerce.number().int().min(1).default(60),
  RATE_AUTH_PER_IP: z.coerce.number().int().min(1).default(10),
  RATE_AUTH_PER_IP_WINDOW: z.coerce.number().int().min(1).default(60),
  // Digests ("catch me up"), over HTTP and with a socket subscription,
  // per client address: each reads up to DIGEST_MAX_EVENTS events.
  RATE_DIGESTS_PER_IP: z.coerce.number().int().min(1).default(120),
  RATE_DIGESTS_PER_IP_WINDOW: z.coerce.number().int().min(1).default(60),
  // Failed sign-ins per account (from any address) before it is locked for
  // the rest of the window: what stops a guesser spread over many addresses.
  RATE_LOGIN_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(1).default(10),
  RATE_LOGIN_FAILURES_PER_ACCOUNT_WINDOW: z.coerce.number().int().min(1).default(900),
  DUPLICATE_COMMENT_WINDOW: z.coerce.number().int().min(1).default(300),
  RATE_EMAIL_VERIFICATION_PER_USER: z.coerce.number().int().min(1).default(3),
  RATE_EMAIL_VERIFICATION_PER_USER_WINDOW: z.coerce.number().int().min(1).default(3600),
  RATE_PASSWORD_RESET_PER_ADDRESS: z.coerce.number().int().min(1).default(3),
  RATE_PASSWORD_RESET_PER_ADDRESS_WINDOW: z.coerce.number().int().min(1).default(3600),
  // Articles the embed may create per client address per hour, and in all
  // per hour (the bound on a flood of made-up ids; ADR "articles from the embed").
  ARTICLE_EMBED_CREATES_PER_IP: z.coerce.number().int().min(1).max(100_000).default(20),
  ARTICLE_EMBED_CREATES_PER_HOUR: z.coerce.number().int().min(1).max(1_000_000).default(500),
};
