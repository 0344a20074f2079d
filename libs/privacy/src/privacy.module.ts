import { Module } from '@nestjs/common';
import { ForumModule } from '@rejoinder/forum';
import { AccountErasureService } from './account-erasure.service.js';
import { AccountExportService } from './account-export.service.js';
import { PrivacyRepository } from './privacy.repository.js';
import { CommentErasureRepository } from './comment-erasure.repository.js';
import { RetentionService } from './retention.service.js';

@Module({
  imports: [ForumModule],
  providers: [
    PrivacyRepository,
    CommentErasureRepository,
    AccountExportService,
    AccountErasureService,
    RetentionService,
  ],
  exports: [AccountExportService, AccountErasureService, RetentionService],
})
export class PrivacyModule {}
