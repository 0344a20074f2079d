import { Inject, Injectable } from '@nestjs/common';
import { isModerator } from '@rejoinder/accounts';
import type { AuthUser } from '@rejoinder/accounts';
import { APP_CONFIG, DomainError, ErrorCode } from '@rejoinder/common';
import type { AppConfig } from '@rejoinder/common';
import { CommentsRepository } from '@rejoinder/forum';
import type { CommentPolicy, HoldReason, PolicyInput } from '@rejoinder/forum';
import { ModerationRepository } from './moderation.repository.js';
import { assertMayParticipate } from './sanctions.js';
import { WordListsService } from './word-lists.service.js';

// What moderation asks of every new comment, REST or socket alike.
@Injectable()
export class ModerationPolicy implements CommentPolicy {
  constructor(
    private readonly repository: ModerationRepository,
    private readonly comments: CommentsRepository,
    private readonly words: WordListsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async participate(user: AuthUser): Promise<void> {
    assertMayParticipate(await this.repository.sanctionState(user.id));
  }

  private async wordCheck(body: string): Promise<HoldReason | null> {
    const matches = await this.words.match(body);
    const banned = matches.find((m) => m.action === 'ban');
    if (banned) {
      throw new DomainError(ErrorCode.BannedWord, `"${banned.pattern}" is not allowed here`, {
        rule: banned.ruleId,
        word: banned.pattern,
      });
    }
    return matches.length > 0 ? 'suspect_word' : null;
  }

  async review(input: PolicyInput): Promise<HoldReason | null> {
    const { staff, hold } = await this.check(input);
    const { author, article } = input;
    if (!staff && article.slowModeSeconds > 0) {
      const last = await this.comments.lastPostAt(article.id, author.id);
      const waitMs = last ? last.getTime() + article.slowModeSeconds * 1000 - Date.now() : 0;
      if (waitMs > 0) {
        const retryAfterSeconds = Math.ceil(waitMs / 1000);
        throw new DomainError(ErrorCode.SlowMode, `Wait ${retryAfterSeconds} s`, { retryAfterSeconds });
      }
    }
    return hold;
  }

  async screen(input: PolicyInput): Promise<HoldReason | null> {
    return (await this.check(input)).hold;
  }

  // Sanctions, word lists, premoderation, for a new comment and for an edit.
  // The account is read fresh (role and sanctions), so a ban, a demotion or
  // premoderation applies at once, also on a socket opened before it.
  private async check({ author, article, body }: PolicyInput): Promise<{ staff: boolean; hold: HoldReason | null }> {
    const state = await this.repository.sanctionState(author.id);
    assertMayParticipate(state);
    const staff = isModerator({ ...author, role: state!.role as AuthUser['role'] });
    // A newsroom may ask readers to confirm their address before they post.
    if (this.config.REQUIRE_VERIFIED_EMAIL_TO_POST && !staff && !state!.emailVerified)
      throw new DomainError(ErrorCode.EmailNotVerified);
    if (await this.wordCheck(body)) return { staff, hold: 'suspect_word' };
    if (staff) return { staff, hold: null };
    if (state!.premoderated) return { staff, hold: 'user_premoderated' };
    if (article.premoderation) return { staff, hold: 'premoderation' };
    return { staff, hold: null };
  }
}
