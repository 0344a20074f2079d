// A check run before a comment is stored. It answers spam, ham, or nothing
// (null: no verdict, because it timed out or failed); it never throws, so it
// never blocks posting. Akismet is the first implementation.
export interface SpamCheckInput {
  body: string;
  author: { username: string; email: string | null };
  ip: string | null;
  userAgent: string | null;
}

export type SpamVerdict = 'spam' | 'ham';

export interface SpamCheck {
  check(input: SpamCheckInput): Promise<SpamVerdict | null>;
  // A moderator's decision, sent back so the service learns. Throws on failure.
  submit(kind: SpamVerdict, input: SpamCheckInput): Promise<void>;
}

export const SPAM_CHECK = Symbol('SPAM_CHECK');
