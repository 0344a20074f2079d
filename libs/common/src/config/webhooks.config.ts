import { z } from 'zod';
import { bool } from './config-fields.js';

// Webhook deliveries to the newsroom's endpoints.
export const webhooksConfig = {
  // Webhook endpoints may be on loopback and private addresses (tests, receivers
  // inside the newsroom's network). Off, they are refused at registration and
  // at every connection.
  WEBHOOK_ALLOW_PRIVATE: bool.default(false),
  // The first retry of a failed webhook delivery waits this long; each next
  // one twice as long (at most an hour), for up to 24 hours.
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(10).max(3_600_000).default(5000),
  // Whether this node sends webhook deliveries (nodes that must not reach out
  // can leave it to others: deliveries are shared through the database).
  WEBHOOK_SENDER: bool.default(true),
  // A sender's turns start at most this often: the events committed in the
  // meantime are derived and sent together (fewer statements per post, each
  // delivery later by at most this long).
  WEBHOOK_BATCH_MS: z.coerce.number().int().min(0).max(10_000).default(100),
  // Deliveries one node sends at once (a batch: claimed, sent and recorded together).
  WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(64),
};
