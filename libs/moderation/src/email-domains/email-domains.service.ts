import { Inject, Injectable } from '@nestjs/common';
import { domainToASCII } from 'node:url';
import disposable from 'disposable-email-domains-js';
import type { SignupPolicy } from '@rejoinder/accounts';
import { APP_CONFIG, DomainError, ErrorCode } from '@rejoinder/common';
import type { AppConfig } from '@rejoinder/common';
import { EmailDomainAction } from '@rejoinder/db';
import { EmailDomainsRepository } from './email-domains.repository.js';

// How long each node keeps the moderators' list (as the word lists).
const CACHE_MS = 5000;

export interface DomainVerdict {
  action: 'refuse' | 'premoderate';
  // The listed domain that matched (the address's own, or one it is under).
  domain: string;
  // A moderator's rule, or the bundled list of disposable-mail domains.
  source: 'list' | 'disposable';
}

// The domain of an address, and every domain it is under: mail.example.co.uk
// -> [mail.example.co.uk, example.co.uk, co.uk]. A rule for a domain covers
// its subdomains.
export function domainsOf(email: string | null): string[] {
  const at = email?.lastIndexOf('@') ?? -1;
  if (!email || at < 0) return [];
  const domain = domainToASCII(
    email
      .slice(at + 1)
      .trim()
      .toLowerCase(),
  );
  if (!domain) return [];
  const labels = domain.split('.');
  return labels.slice(0, -1).map((_, i) => labels.slice(i).join('.'));
}

// A domain as moderators type it ("@Example.COM.", "mail.example.com") ->
// its ASCII form, or null when it is not a domain name.
export function normaliseDomain(input: string): string | null {
  const domain = domainToASCII(input.trim().replace(/^@/, '').replace(/\.$/, '').toLowerCase());
  if (!domain || domain.length > 253 || !domain.includes('.')) return null;
  return /^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/.test(domain) ? domain : null;
}

let disposableSet: Set<string> | null = null;
function disposableDomains(): Set<string> {
  disposableSet ??= disposable.disposableEmailBlocklistSet();
  return disposableSet;
}

// Email-domain rules: moderators' list (refuse at sign-up, or premoderate
// every comment), then the bundled disposable-mail list when switched on
// (DISPOSABLE_EMAIL_DOMAINS).
@Injectable()
export class EmailDomainsService implements SignupPolicy {
  private cached: { at: number; rules: Map<string, EmailDomainAction> } | null = null;

  constructor(
    private readonly repository: EmailDomainsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async verdict(email: string | null): Promise<DomainVerdict | null> {
    const domains = domainsOf(email);
    if (domains.length === 0) return null;
    const rules = await this.rules();
    for (const domain of domains) {
      const action = rules.get(domain);
      if (action) return { action, domain, source: 'list' };
    }
    const mode = this.config.DISPOSABLE_EMAIL_DOMAINS;
    if (mode !== 'off') {
      const set = disposableDomains();
      const hit = domains.find((d) => set.has(d));
      if (hit) return { action: mode, domain: hit, source: 'disposable' };
    }
    return null;
  }

  async admit(email: string | null): Promise<void> {
    const verdict = await this.verdict(email);
    if (verdict?.action === 'refuse') {
      throw new DomainError(ErrorCode.EmailDomainRefused, `Addresses at ${verdict.domain} are not accepted`, {
        domain: verdict.domain,
      });
    }
  }

  async list() {
    const rows = await this.repository.list();
    return rows.map(toView);
  }

  async add(moderatorId: string, input: string, action: EmailDomainAction) {
    const domain = normaliseDomain(input);
    if (!domain) throw new DomainError(ErrorCode.ValidationFailed, `"${input}" is not a domain name`);
    const row = await this.repository.add(domain, action, moderatorId);
    if (!row) throw new DomainError(ErrorCode.EmailDomainRuleExists);
    this.cached = null;
    return toView(row);
  }

  async remove(moderatorId: string, id: string): Promise<void> {
    const removed = await this.repository.remove(id, moderatorId);
    if (!removed) throw new DomainError(ErrorCode.EmailDomainRuleNotFound);
    this.cached = null;
  }

  private async rules(): Promise<Map<string, EmailDomainAction>> {
    if (this.cached && Date.now() - this.cached.at < CACHE_MS) return this.cached.rules;
    const rows = await this.repository.list();
    this.cached = { at: Date.now(), rules: new Map(rows.map((r) => [r.domain, r.action])) };
    return this.cached.rules;
  }
}

function toView(row: { id: string; domain: string; action: EmailDomainAction; createdAt: Date }) {
  return { id: row.id, domain: row.domain, action: row.action, createdAt: row.createdAt.toISOString() };
}
