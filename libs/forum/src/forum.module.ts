import { Module } from '@nestjs/common';
import { ArticlesRepository } from './articles/articles.repository.js';
import { ArticlesService } from './articles/articles.service.js';
import { NewsroomArticlesRepository } from './articles/newsroom-articles.repository.js';
import { NewsroomArticlesService } from './articles/newsroom-articles.service.js';
import { EmbedArticlesService } from './articles/embed-articles.service.js';
import { FeedsRepository } from './feeds/feeds.repository.js';
import { FeedsService } from './feeds/feeds.service.js';
import { CommentsRepository } from './comments/comments.repository.js';
import { CommentsService } from './comments/comments.service.js';
import { PostingService } from './comments/posting.service.js';
import { PostsRepository } from './comments/posts.repository.js';
import { VotesRepository } from './comments/votes.repository.js';
import { ReadCache } from './read-cache/read-cache.js';
import { CdnPurge } from './read-cache/cdn-purge.js';
import { SeedService } from './seed/seed.service.js';
import { VotesService } from './comments/votes.service.js';
import { NotificationsRepository } from './notifications/notifications.repository.js';
import { NotificationsService } from './notifications/notifications.service.js';
import { TransferRepository } from './transfer/transfer.repository.js';
import { TransferService } from './transfer/transfer.service.js';
import { DigestRepository } from './digest/digest.repository.js';
import { DigestService } from './digest/digest.service.js';

@Module({
  providers: [
    ArticlesRepository,
    ArticlesService,
    CommentsRepository,
    CommentsService,
    PostsRepository,
    PostingService,
    VotesRepository,
    SeedService,
    VotesService,
    NotificationsRepository,
    NotificationsService,
    ReadCache,
    CdnPurge,
    TransferRepository,
    TransferService,
    DigestRepository,
    DigestService,
    NewsroomArticlesRepository,
    NewsroomArticlesService,
    EmbedArticlesService,
    FeedsRepository,
    FeedsService,
  ],
  exports: [
    FeedsService,
    EmbedArticlesService,
    NewsroomArticlesService,
    DigestService,
    ReadCache,
    TransferService,
    ArticlesService,
    CommentsService,
    PostingService,
    SeedService,
    VotesService,
    NotificationsService,
    CommentsRepository,
    ArticlesRepository,
  ],
})
export class ForumModule {}
