import { Module } from '@nestjs/common';
import { ForumModule } from '@rejoinder/forum';
import { ArticleEventsRepository } from './article-events.repository.js';
import { RealtimeService } from './realtime.service.js';

@Module({
  imports: [ForumModule],
  providers: [ArticleEventsRepository, RealtimeService],
  exports: [RealtimeService],
})
export class RealtimeModule {}
