import { Body, Controller, Get, Inject, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '@rejoinder/accounts';
import { APP_CONFIG, DomainError, ErrorCode, ZodValidationPipe } from '@rejoinder/common';
import type { AppConfig } from '@rejoinder/common';
import { ModerationService, reportSchema } from '@rejoinder/moderation';
import type { ReportInput } from '@rejoinder/moderation';
import { commentIdSchema, CommentsService, repliesQuerySchema } from '@rejoinder/forum';
import type { CommentNode, Page, Permalink, RepliesQuery } from '@rejoinder/forum';
import { AuthGuard, CurrentUser, OptionalAuth } from '../auth/auth.guard.js';
import { ApiAuth, ApiJsonBody, ApiJsonResponse, ApiProblems } from './openapi.js';
import { COMMENT_PAGE_SCHEMA, PERMALINK_SCHEMA } from './schemas.js';

// A malformed id names no comment.
function commentId(id: string): string {
  if (!commentIdSchema.safeParse(id).success) throw new DomainError(ErrorCode.CommentNotFound);
  return id;
}

@ApiTags('comments')
@Controller('api/comments')
export class CommentsController {
  constructor(
    private readonly comments: CommentsService,
    private readonly moderation: ModerationService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post(':id/reports')
  @UseGuards(AuthGuard)
  @ApiAuth()
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({
    summary: 'Report a comment (once per reader)',
    description: 'With REPORT_HOLD_THRESHOLD open reports (default 3), a published comment is held from readers until a moderator decides.',
  })
  @ApiJsonBody(reportSchema)
  @ApiJsonResponse(201, 'The report was recorded', { type: 'object', properties: { openReports: { type: 'integer' } } })
  @ApiProblems(
    ErrorCode.ValidationFailed,
    ErrorCode.UnknownFields,
    ErrorCode.MalformedJson,
    ErrorCode.Unauthenticated,
    ErrorCode.InvalidToken,
    ErrorCode.TokenExpired,
    ErrorCode.UserBanned,
    ErrorCode.UserSuspended,
    ErrorCode.CommentNotFound,
    ErrorCode.CannotReportOwnComment,
    ErrorCode.AlreadyReported,
  )
  report(@Param('id') id: string, @Body(new ZodValidationPipe(reportSchema)) input: ReportInput, @CurrentUser() user: AuthUser) {
    return this.moderation.report(user, commentId(id), input, this.config.REPORT_HOLD_THRESHOLD);
  }

  @Get(':id')
  @UseGuards(AuthGuard)
  @OptionalAuth()
  @ApiAuth()
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({
    summary: 'Permalink: a comment with its ancestor chain and its first replies',
    description: 'Pending and rejected comments are visible only to their author and to moderators.',
  })
  @ApiJsonResponse(200, 'The comment in context', PERMALINK_SCHEMA)
  @ApiProblems(ErrorCode.CommentNotFound, ErrorCode.InvalidToken, ErrorCode.TokenExpired)
  permalink(@Param('id') id: string, @CurrentUser() viewer: AuthUser | null): Promise<Permalink> {
    return this.comments.permalink(commentId(id), viewer);
  }

  @Get(':id/replies')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: "A page of a comment's replies (oldest first), each with its first replies nested" })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } })
  @ApiQuery({ name: 'cursor', required: false, schema: { type: 'string' }, description: 'a repliesCursor or nextCursor' })
  @ApiJsonResponse(200, 'A page of replies', COMMENT_PAGE_SCHEMA)
  @ApiProblems(ErrorCode.CommentNotFound, ErrorCode.ValidationFailed, ErrorCode.InvalidCursor)
  replies(
    @Param('id') id: string,
    @Query(new ZodValidationPipe(repliesQuerySchema)) query: RepliesQuery,
  ): Promise<Page<CommentNode>> {
    return this.comments.replies(commentId(id), query);
  }
}
