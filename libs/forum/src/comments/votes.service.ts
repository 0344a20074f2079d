import { Inject, Injectable, Logger, OnModuleDestroy, Optional } from '@nestjs/common';
import type { AuthUser } from '@rejoinder/accounts';
import { assertPerson } from '@rejoinder/accounts';
import { DomainError, DomainEventBus, ErrorCode } from '@rejoinder/common';
import { COMMENT_POLICY } from './comment-policy.js';
import type { CommentPolicy } from './comment-policy.js';
import { VotesRepository } from './votes.repository.js';
import { ReadCache } from '../read-cache/read-cache.js';

export interface VoteResult {
  commentId: string;
  value: -1 | 0 | 1;
  score: number;
  upvotes: number;
  downvotes: number;
}

// A voting storm becomes at most one `comment.voted` per comment per window.
export const VOTE_EVENT_WINDOW_MS = 250;

@Injectable()
export class VotesService implements OnModuleDestroy {
  private readonly logger = new Logger(VotesService.name);
  private readonly scheduled = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly votes: VotesRepository,
    private readonly bus: DomainEventBus,
    private readonly cache: ReadCache,
    @Optional() @Inject(COMMENT_POLICY) private readonly policy?: CommentPolicy,
  ) {}

  // One vote per reader per comment; the same vote again changes nothing.
  async vote(voter: AuthUser, commentId: string, value: -1 | 0 | 1): Promise<VoteResult> {
    assertPerson(voter);
    await this.policy?.participate(voter);
    const outcome = await this.votes.vote(commentId, voter.id, value);
    switch (outcome.kind) {
      case 'not-found':
      case 'not-votable':
        throw new DomainError(ErrorCode.CommentNotFound);
      case 'own':
        throw new DomainError(ErrorCode.CannotVoteOwnComment);
      case 'voted':
        this.cache.drop(outcome.articleId);
        this.schedule(commentId);
        return { commentId, value, score: outcome.score, upvotes: outcome.upvotes, downvotes: outcome.downvotes };
      case 'unchanged':
        return { commentId, value, score: outcome.score, upvotes: outcome.upvotes, downvotes: outcome.downvotes };
    }
  }

  onModuleDestroy(): void {
    for (const timer of this.scheduled.values()) clearTimeout(timer);
    this.scheduled.clear();
  }

  private schedule(commentId: string): void {
    if (this.scheduled.has(commentId)) return;
    const timer = setTimeout(() => {
      this.scheduled.delete(commentId);
      this.votes.appendVoteEvent(commentId).then(
        (event) => event && this.bus.publish(event),
        (error: unknown) => this.logger.error({ err: error, commentId }, 'Could not record comment.voted'),
      );
    }, VOTE_EVENT_WINDOW_MS);
    timer.unref();
    this.scheduled.set(commentId, timer);
  }
}
