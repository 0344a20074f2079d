import { Body, Controller, Get, Param, Put, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { DomainError, ErrorCode, ZodValidationPipe } from '@rejoinder/common';
import { Role } from '@rejoinder/db';
import {
  adminArticleQuerySchema,
  adminArticleSchema,
  externalIdSchema,
  NewsroomArticlesService,
  putArticleSchema,
} from '@rejoinder/forum';
import type { AdminArticleQuery, PutArticleInput } from '@rejoinder/forum';
import type { FastifyReply } from 'fastify';
import { RequireRole } from '../auth/roles.guard.js';
import {
  ApiAuth,
  ApiJsonBody,
  ApiJsonQuery,
  ApiJsonResponse,
  ApiProblems,
  BODY_PROBLEMS,
  ROLE_PROBLEMS,
} from './openapi.js';
import { adminArticlePageSchema } from './schemas.js';

// The newsroom's articles by its own ids: its CMS creates and updates them
// (with a service key holding articles:write), and lists them.
@ApiTags('admin')
@ApiAuth()
@Controller('api/admin/articles')
export class AdminArticlesController {
  constructor(private readonly articles: NewsroomArticlesService) {}

  @Put(':externalId')
  @RequireRole(Role.admin, 'articles:write')
  @ApiParam({ name: 'externalId', description: "The newsroom's own id for the article" })
  @ApiOperation({
    summary: "Create or update an article by the newsroom's id (idempotent)",
    description:
      'The same body twice is one article. The URL is stored canonical, and one page is one article: ' +
      'an article with the same canonical URL and no newsroom id yet is adopted; one with another newsroom id is ' +
      '409 ARTICLE_URL_TAKEN. A change readers see is announced as `article.updated`; a new article as `article.created`. ' +
      'Opening and closing stay on PATCH /api/moderation/articles/{slug}; `closesAt` sets when commenting closes by itself.',
  })
  @ApiJsonBody(putArticleSchema)
  @ApiJsonResponse(201, 'Created', adminArticleSchema)
  @ApiJsonResponse(200, 'Updated (or already so)', adminArticleSchema)
  @ApiProblems(
    ...ROLE_PROBLEMS,
    ...BODY_PROBLEMS,
    ErrorCode.ArticleNotFound,
    ErrorCode.ArticleUrlInvalid,
    ErrorCode.ArticleUrlTaken,
  )
  async put(
    @Param('externalId') externalId: string,
    @Body(new ZodValidationPipe(putArticleSchema)) input: PutArticleInput,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    if (!externalIdSchema.safeParse(externalId).success)
      throw new DomainError(ErrorCode.ArticleNotFound, 'Not a newsroom id: letters, digits and . _ : ~ -, at most 100');
    const { article, created } = await this.articles.put(externalId, input);
    void reply.status(created ? 201 : 200);
    return article;
  }

  @Get()
  @RequireRole(Role.moderator, 'articles:read')
  @ApiOperation({
    summary: 'The articles, newest published first; search by title words, newsroom id or slug',
  })
  @ApiJsonQuery(adminArticleQuerySchema)
  @ApiJsonResponse(200, 'A page of articles', adminArticlePageSchema)
  @ApiProblems(...ROLE_PROBLEMS, ErrorCode.ValidationFailed, ErrorCode.UnknownFields, ErrorCode.InvalidCursor)
  list(@Query(new ZodValidationPipe(adminArticleQuerySchema)) query: AdminArticleQuery) {
    return this.articles.list(query);
  }
}
