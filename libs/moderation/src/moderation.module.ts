import { Global, Module } from '@nestjs/common';
import { SIGNUP_POLICY } from '@rejoinder/accounts';
import { APP_CONFIG } from '@rejoinder/common';
import type { AppConfig } from '@rejoinder/common';
import { COMMENT_POLICY, ForumModule } from '@rejoinder/forum';
import { ModerationPolicy } from './moderation.policy.js';
import { ModerationRepository } from './moderation.repository.js';
import { ModerationService } from './moderation.service.js';
import { WordListsService } from './word-lists.service.js';
import { ThreadHealthRepository } from './health/thread-health.repository.js';
import { ThreadHealthService } from './health/thread-health.service.js';
import { SlowModeService } from './slow-mode/slow-mode.service.js';
import { TrustRepository } from './trust/trust.repository.js';
import { TrustService } from './trust/trust.service.js';
import { EmailDomainsRepository } from './email-domains/email-domains.repository.js';
import { EmailDomainsService } from './email-domains/email-domains.service.js';
import { AkismetClient } from './spam/akismet.client.js';
import { SPAM_CHECK } from './spam/spam-check.js';
import { SpamRepository } from './spam/spam.repository.js';
import { SpamFeedbackWorker } from './spam/spam-feedback.worker.js';
import { ArticleClosingRepository } from './schedule/article-closing.repository.js';
import { ArticleClosingService } from './schedule/article-closing.service.js';

// Global so the forum's CommentsService receives the comment policy, and
// accounts the sign-up policy, without importing this module (which imports
// them).
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
    TrustRepository,
    TrustService,
    EmailDomainsRepository,
    EmailDomainsService,
    SpamRepository,
    SpamFeedbackWorker,
    // The spam check is on when AKISMET_KEY is set.
    {
      provide: SPAM_CHECK,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => (config.AKISMET_KEY ? new AkismetClient(config) : null),
    },
    ArticleClosingRepository,
    ArticleClosingService,
    { provide: COMMENT_POLICY, useExisting: ModerationPolicy },
    { provide: SIGNUP_POLICY, useExisting: EmailDomainsService },
  ],
  exports: [
    ModerationService,
    WordListsService,
    ThreadHealthService,
    SlowModeService,
    TrustService,
    EmailDomainsService,
    SpamFeedbackWorker,
    COMMENT_POLICY,
    SIGNUP_POLICY,
    ArticleClosingService,
  ],
})
export class ModerationModule {}
