import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode, Keyset, text, TIME_ID_KEY } from '@rejoinder/common';
import type { KeysetPage } from '@rejoinder/common';
import { Role } from '@rejoinder/db';
import { z } from 'zod';
import type { AuthUser } from '../auth-user.js';
import { ApiKeyRecord, ApiKeysRepository } from './api-keys.repository.js';

// What a key may be allowed to do. A route names the scope it accepts; a key
// is refused on every route that names none (posting, voting, accounts).
export const API_KEY_SCOPES = [
  'articles:read',
  'articles:write',
  'comments:read',
  'moderation:write',
  'webhooks:manage',
] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

// Keys are told from access tokens (JWTs) by their prefix.
export const API_KEY_PREFIX = 'rjk_';
const KEY_SHAPE = /^rjk_[A-Za-z0-9_-]{43}$/;
// How often a key's last use is written (per node).
const TOUCH_EVERY_MS = 60_000;

export const createApiKeySchema = z.strictObject({
  name: text(100).trim().min(1),
  scopes: z.array(z.enum(API_KEY_SCOPES)).min(1).max(API_KEY_SCOPES.length),
});
export type CreateApiKeyInput = z.infer<typeof createApiKeySchema>;

export const apiKeyViewSchema = z.strictObject({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string().describe('The first characters of the key, to tell keys apart'),
  scopes: z.array(z.enum(API_KEY_SCOPES)),
  createdAt: z.iso.datetime(),
  createdBy: z.uuid().describe('The admin who made it'),
  lastUsedAt: z.iso.datetime().nullable(),
  revokedAt: z.iso.datetime().nullable(),
});
export type ApiKeyView = z.infer<typeof apiKeyViewSchema>;

const KEYS = new Keyset('api-keys', TIME_ID_KEY);

export function isApiKey(token: string): boolean {
  return token.startsWith(API_KEY_PREFIX);
}

function hashOf(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

function toView(key: ApiKeyRecord): ApiKeyView {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    scopes: key.scopes.filter((s): s is ApiKeyScope => (API_KEY_SCOPES as readonly string[]).includes(s)),
    createdAt: key.createdAt.toISOString(),
    createdBy: key.createdById,
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
  };
}

// Service keys (ADR "service keys and webhooks"): 256 random bits shown once;
// only their SHA-256 is stored (a hash that is fast to check is enough for a
// secret that cannot be guessed, unlike a password).
@Injectable()
export class ApiKeysService {
  private readonly touched = new Map<string, number>();

  constructor(private readonly keys: ApiKeysRepository) {}

  async create(admin: AuthUser, input: CreateApiKeyInput): Promise<ApiKeyView & { key: string }> {
    const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
    const scopes = [...new Set(input.scopes)];
    const record = await this.keys.create({
      name: input.name,
      prefix: key.slice(0, API_KEY_PREFIX.length + 6),
      hash: hashOf(key),
      scopes,
      createdById: admin.id,
    });
    return { ...toView(record), key };
  }

  async list(query: { limit: number; cursor?: string }): Promise<KeysetPage<ApiKeyView>> {
    const before = KEYS.decode(query.cursor);
    const rows = await this.keys.list(query.limit + 1, before && { createdAt: before[0], id: before[1] });
    return KEYS.page(rows, query.limit, (k) => [k.createdAt.toISOString(), k.id], toView);
  }

  async revoke(id: string): Promise<ApiKeyView> {
    const key = await this.keys.revoke(id);
    if (!key) throw new DomainError(ErrorCode.ApiKeyNotFound);
    return toView(key);
  }

  // The principal behind a key: never a person. Its id is the key's, so what
  // it does is recorded under the key; its role lets the services it reaches
  // through a scoped route do their work, and the scopes decide which routes.
  async authenticate(key: string): Promise<AuthUser> {
    if (!KEY_SHAPE.test(key)) throw new DomainError(ErrorCode.InvalidToken);
    const record = await this.keys.findByHash(hashOf(key));
    if (!record) throw new DomainError(ErrorCode.InvalidToken);
    if (record.revokedAt) throw new DomainError(ErrorCode.InvalidToken, 'The service key was revoked');
    this.noteUse(record.id);
    return {
      id: record.id,
      username: `key:${record.name}`,
      role: Role.admin,
      apiKey: { id: record.id, name: record.name, scopes: toView(record).scopes },
    };
  }

  // The last use, written at most once a minute per key and node, off the
  // request's path: a failure to write it is not the request's failure.
  private noteUse(id: string): void {
    const now = Date.now();
    if (now - (this.touched.get(id) ?? 0) < TOUCH_EVERY_MS) return;
    if (this.touched.size >= 10_000) this.touched.clear();
    this.touched.set(id, now);
    this.keys.touch(id, new Date(now)).catch(() => this.touched.delete(id));
  }
}
