import { Global, Module } from '@nestjs/common';
import { COMMENT_POLICY, ForumModule } from '@rejoinder/forum';
import { ModerationPolicy } from './moderation.policy.js';
import { ModerationRepository } from './moderation.repository.js';
import { ModerationService } from './moderation.service.js';
import { WordListsService } from './word-lists.service.js';
import { ThreadHealthRepository } from './health/thread-health.repository.js';
import { ThreadHealthService } from './health/thread-health.service.js';
import { SlowModeService } from './slow-mode/slow-mode.service.js';
import { ArticleClosingRepository } from './schedule/article-closing.repository.js';
import { ArticleClosingService } from './schedule/article-closing.service.js';

// Global so the forum's CommentsService receives the comment policy without
// importing this module (which imports the forum).
@Global()
@Module({
  imports: [ForumModule],
  providers: [
    ModerationRepository,
    WordListsService,
    ModerationPolicy,
    ModerationService,
    ThreadHealthRepository,
    ThreadHealthService,
    SlowModeService,
    ArticleClosingRepository,
    ArticleClosingService,
    { provide: COMMENT_POLICY, useExisting: ModerationPolicy },
  ],
  exports: [
    ArticleClosingService,
    ModerationService,
    WordListsService,
    ThreadHealthService,
    SlowModeService,
    COMMENT_POLICY,
  ],
})
export class ModerationModule {}
