import { Injectable } from '@nestjs/common';
import { isModerator } from '@rejoinder/accounts';
import type { AuthUser } from '@rejoinder/accounts';
import { DomainError, ErrorCode } from '@rejoinder/common';
import { CommentsRepository } from '@rejoinder/forum';
import type { CommentPolicy, HoldReason } from '@rejoinder/forum';
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
  ) {}

  async participate(user: AuthUser): Promise<void> {
    assertMayParticipate(await this.repository.sanctionState(user.id));
  }

  async screen(user: AuthUser, body: string): Promise<HoldReason | null> {
    assertMayParticipate(await this.repository.sanctionState(user.id));
    return this.wordCheck(body);
  }

  private async wordCheck(body: string): Promise<HoldReason | null> {
    const matches = await this.words.match(body);
    const banned = matches.find((m) => m.action === 'ban');
    if (banned) {
      throw new DomainError(ErrorCode.BannedWord, `"${banned.pattern}" is not allowed here`, { rule: banned.ruleId, word: banned.pattern });
    }
    return matches.length > 0 ? 'suspect_word' : null;
  }

  async review({ author, article, body }: Parameters<CommentPolicy['review']>[0]): Promise<HoldReason | null> {
    // Read fresh, so a ban applies at once, also on a socket opened before it.
    const state = await this.repository.sanctionState(author.id);
    assertMayParticipate(state);
    const staff = isModerator(author);
    if (!staff && article.slowModeSeconds > 0) {
      const last = await this.comments.lastPostAt(article.id, author.id);
      const waitMs = last ? last.getTime() + article.slowModeSeconds * 1000 - Date.now() : 0;
      if (waitMs > 0) {
        const retryAfterSeconds = Math.ceil(waitMs / 1000);
        throw new DomainError(ErrorCode.SlowMode, `Wait ${retryAfterSeconds} s`, { retryAfterSeconds });
      }
    }
    if (await this.wordCheck(body)) return 'suspect_word';
    if (staff) return null;
    if (state!.premoderated) return 'user_premoderated';
    if (article.premoderation) return 'premoderation';
    return null;
  }
}
