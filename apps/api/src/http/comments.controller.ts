import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '@rejoinder/accounts';
import { DomainError, ErrorCode, ZodValidationPipe } from '@rejoinder/common';
import { commentIdSchema, CommentsService, repliesQuerySchema } from '@rejoinder/forum';
import type { CommentNode, Page, Permalink, RepliesQuery } from '@rejoinder/forum';
import { AuthGuard, CurrentUser, OptionalAuth } from '../auth/auth.guard.js';
import { ApiAuth, ApiJsonResponse, ApiProblems } from './openapi.js';
import { COMMENT_PAGE_SCHEMA, PERMALINK_SCHEMA } from './schemas.js';

// A malformed id names no comment.
function commentId(id: string): string {
  if (!commentIdSchema.safeParse(id).success) throw new DomainError(ErrorCode.CommentNotFound);
  return id;
}

@ApiTags('comments')
@Controller('api/comments')
export class CommentsController {
  constructor(private readonly comments: CommentsService) {}

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
