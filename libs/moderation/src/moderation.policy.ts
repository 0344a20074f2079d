import { Inject, Injectable, Optional } from '@nestjs/common';
import { isModerator } from '@rejoinder/accounts';
import type { AuthUser } from '@rejoinder/accounts';
import { APP_CONFIG, DomainError, ErrorCode } from '@rejoinder/common';
import type { AppConfig } from '@rejoinder/common';
import { CommentsRepository } from '@rejoinder/forum';
import type { CommentPolicy, HoldReason, PolicyInput, Screening } from '@rejoinder/forum';
import { EmailDomainsService } from './email-domains/email-domains.service.js';
import { ModerationRepository } from './moderation.repository.js';
import { assertMayParticipate } from './sanctions.js';
import { SPAM_CHECK } from './spam/spam-check.js';
import type { SpamCheck, SpamVerdict } from './spam/spam-check.js';
import { SpamRepository } from './spam/spam.repository.js';
import { TrustService } from './trust/trust.service.js';
import { WordListsService } from './word-lists.service.js';

// Links in a comment's rendered HTML (the renderer makes every link an <a>,
// bare URLs and email addresses included).
export function countLinks(html: string): number {
  return html.match(/<a\s/gi)?.length ?? 0;
}

// What moderation asks of every new comment, REST or socket alike.
@Injectable()
export class ModerationPolicy implements CommentPolicy {
  constructor(
    private readonly repository: ModerationRepository,
    private readonly comments: CommentsRepository,
    private readonly words: WordListsService,
    private readonly trust: TrustService,
    private readonly domains: EmailDomainsService,
    private readonly spamChecks: SpamRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(SPAM_CHECK) private readonly spam?: SpamCheck | null,
  ) {}

  async participate(user: AuthUser): Promise<void> {
    assertMayParticipate(await this.repository.sanctionState(user.id));
  }

  private async wordCheck(body: string): Promise<boolean> {
    const matches = await this.words.match(body);
    const banned = matches.find((m) => m.action === 'ban');
    if (banned) {
      throw new DomainError(ErrorCode.BannedWord, `"${banned.pattern}" is not allowed here`, {
        rule: banned.ruleId,
        word: banned.pattern,
      });
    }
    return matches.length > 0;
  }

  async review(input: PolicyInput): Promise<Screening> {
    const { staff, screening } = await this.check(input);
    const { author, article } = input;
    if (!staff && article.slowModeSeconds > 0) {
      const last = await this.comments.lastPostAt(article.id, author.id);
      const waitMs = last ? last.getTime() + article.slowModeSeconds * 1000 - Date.now() : 0;
      if (waitMs > 0) {
        const retryAfterSeconds = Math.ceil(waitMs / 1000);
        throw new DomainError(ErrorCode.SlowMode, `Wait ${retryAfterSeconds} s`, { retryAfterSeconds });
      }
    }
    return screening;
  }

  async screen(input: PolicyInput): Promise<Screening> {
    return (await this.check(input)).screening;
  }

  async stored(commentId: string, screening: Screening): Promise<void> {
    if (screening.spam) {
      await this.spamChecks.record(commentId, screening.spam.verdict, screening.spam.ip, screening.spam.userAgent);
    }
  }

  // Sanctions, word lists, premoderation, email domains, new commenters,
  // links and the spam check, for a new comment and for an edit. Every rule
  // that holds the comment is named. The author is read once, fresh (role,
  // sanctions, trust, address, published comments), so a ban, a demotion or
  // premoderation applies at once, also on a socket opened before it (on a
  // post over HTTP, the row the request's authentication read).
  private async check({
    author,
    article,
    body,
    html,
    client,
  }: PolicyInput): Promise<{ staff: boolean; screening: Screening }> {
    const review = article.newCommenterReview ?? this.config.NEW_COMMENTER_REVIEW;
    // Read with the account by the authentication of this request when it
    // was (the same columns); read here when the count of published comments
    // is wanted or the account came another way (a socket, an edit).
    const state =
      review === 0 && author.standing?.id === author.id
        ? { ...author.standing, publishedUpTo: 0 }
        : await this.repository.authorState(author.id, review);
    assertMayParticipate(state);
    const staff = isModerator({ ...author, role: state!.role as AuthUser['role'] });
    // A newsroom may ask readers to confirm their address before they post.
    if (this.config.REQUIRE_VERIFIED_EMAIL_TO_POST && !staff && !state!.emailVerified)
      throw new DomainError(ErrorCode.EmailNotVerified);
    // Under a ghost ban the comment is shadowed, whatever else holds it: its
    // author must not learn of the sanction from a hold either.
    const ghost = !staff && state!.ghostBannedAt !== null;
    const ip = client?.ip ?? null;
    const userAgent = client?.userAgent ?? null;
    // Started first, bounded by AKISMET_TIMEOUT_MS; never throws.
    const verdict: Promise<SpamVerdict | null> =
      !staff && !ghost && this.spam
        ? this.spam.check({ body, author: { username: state!.username, email: state!.email }, ip, userAgent })
        : Promise.resolve(null);
    const hold: HoldReason[] = [];
    if (await this.wordCheck(body)) hold.push('suspect_word');
    if (ghost) return { staff, screening: { hold: [], ghost } };
    if (staff) return { staff, screening: { hold } };
    const [level, domain] = await Promise.all([this.trust.levelOf(state!), this.domains.verdict(state!.email)]);
    if (state!.premoderated) hold.push('user_premoderated');
    if (article.premoderation) hold.push('premoderation');
    // An account at a refused domain that exists all the same (made before
    // the rule) is premoderated.
    if (domain) hold.push('email_domain');
    // A moderator's pin takes an account out of new-commenter review.
    if (review > 0 && state!.publishedUpTo < review && state!.trustLevelPinned === null) hold.push('new_commenter');
    const links = countLinks(html);
    const maxLinks = level >= this.config.TRUST_LINKS_LEVEL ? this.config.LINKS_MAX : this.config.LINKS_MAX_UNTRUSTED;
    if (links > maxLinks) hold.push('links');
    const spam = await verdict;
    if (spam === 'spam') hold.push('spam');
    return { staff, screening: { hold, ...(spam ? { spam: { verdict: spam, ip, userAgent } } : {}) } };
  }
}
