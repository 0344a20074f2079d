import { Global, Module } from '@nestjs/common';
import { COMMENT_POLICY, ForumModule } from '@rejoinder/forum';
import { ModerationPolicy } from './moderation.policy.js';
import { ModerationRepository } from './moderation.repository.js';
import { ModerationService } from './moderation.service.js';
import { WordListsService } from './word-lists.service.js';

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
    { provide: COMMENT_POLICY, useExisting: ModerationPolicy },
  ],
  exports: [ModerationService, WordListsService, COMMENT_POLICY],
})
export class ModerationModule {}
