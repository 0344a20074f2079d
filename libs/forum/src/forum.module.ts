import { Module } from '@nestjs/common';
import { ArticlesRepository } from './articles/articles.repository.js';
import { ArticlesService } from './articles/articles.service.js';
import { CommentsRepository } from './comments/comments.repository.js';
import { CommentsService } from './comments/comments.service.js';
import { SeedService } from './seed/seed.service.js';

@Module({
  providers: [ArticlesRepository, ArticlesService, CommentsRepository, CommentsService, SeedService],
  exports: [ArticlesService, CommentsService, SeedService, CommentsRepository, ArticlesRepository],
})
export class ForumModule {}
