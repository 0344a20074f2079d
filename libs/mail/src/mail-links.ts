import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

// Which notification setting an email falls under; an unsubscribe link
// turns exactly that one off.
export const UNSUBSCRIBE_KINDS = ['reply', 'staff_reply', 'moderation', 'featured', 'report', 'digest'] as const;
export type UnsubscribeKind = (typeof UNSUBSCRIBE_KINDS)[number];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// A single-use link's token: 32 random bytes; only its SHA-256 is stored.
export function newLinkToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashLinkToken(token) };
}

export function hashLinkToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

// Unsubscribe tokens: `<account id>.<kind>.<HMAC>`, signed with a key derived
// from the server's token secret, so a link works without a session and only
// for the account and the kind it was made for. They do not expire: a link in
// an old message still unsubscribes.
export class UnsubscribeTokens {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = createHmac('sha256', secret).update('rejoinder:mail:unsubscribe').digest();
  }

  sign(userId: string, kind: UnsubscribeKind): string {
    return `${userId}.${kind}.${this.mac(userId, kind)}`;
  }

  verify(token: string): { userId: string; kind: UnsubscribeKind } | null {
    const [userId, kind, mac, ...rest] = token.split('.');
    if (rest.length > 0 || !userId || !kind || !mac || !UUID.test(userId)) return null;
    if (!(UNSUBSCRIBE_KINDS as readonly string[]).includes(kind)) return null;
    const expected = Buffer.from(this.mac(userId, kind));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    return { userId, kind: kind as UnsubscribeKind };
  }

  private mac(userId: string, kind: string): string {
    return createHmac('sha256', this.key).update(`${userId}:${kind}`).digest('base64url');
  }
}

// The Message-ID of the message carrying these causes to this recipient: the
// same on every attempt, so a copy sent again after a crash is recognisably
// the same message.
export function messageIdFor(recipientId: string, causes: string[], domain: string): string {
  const digest = createHash('sha256')
    .update(`${recipientId}\n${[...causes].sort().join('\n')}`)
    .digest('base64url')
    .slice(0, 32);
  return `<${digest}@${domain}>`;
}
