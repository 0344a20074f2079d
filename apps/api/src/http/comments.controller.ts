import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '@rejoinder/accounts';
import { APP_CONFIG, ErrorCode, ZodValidationPipe } from '@rejoinder/common';
import type { AppConfig } from '@rejoinder/common';
import { ModerationService, reportSchema } from '@rejoinder/moderation';
import type { ReportInput } from '@rejoinder/moderation';
import { CommentsService, editCommentSchema, repliesQuerySchema, VotesService, voteSchema } from '@rejoinder/forum';
import type { CommentView, EditCommentInput, VoteInput, VoteResult } from '@rejoinder/forum';
import type { Permalink, RepliesQuery } from '@rejoinder/forum';
import { AuthGuard, CurrentUser, OptionalAuth } from '../auth/auth.guard.js';
import {
  ApiAuth,
  ApiJsonBody,
  ApiJsonResponse,
  ApiNotModified,
  ApiProblems,
  BODY_PROBLEMS,
  SANCTION_PROBLEMS,
  TOKEN_PROBLEMS,
} from './openapi.js';
import {
  COMMENT_PAGE_SCHEMA,
  COMMENT_SCHEMA,
  PERMALINK_SCHEMA,
  reportResultSchema,
  voteResultSchema,
} from './schemas.js';
import { uuidParam } from './params.js';
import { sendCached } from './cached-response.js';

const commentId = (id: string) => uuidParam(id, ErrorCode.CommentNotFound);

@ApiTags('comments')
@Controller('api/comments')
export class CommentsController {
  constructor(
    private readonly comments: CommentsService,
    private readonly moderation: ModerationService,
    private readonly votes: VotesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Put(':id/vote')
  @UseGuards(AuthGuard)
  @ApiAuth()
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({
    summary: 'Vote: 1 up, -1 down, 0 to retract',
    description: 'One vote per reader and comment; the same vote again changes nothing. Not on your own comment.',
  })
  @ApiJsonBody(voteSchema)
  @ApiJsonResponse(200, 'The comment’s counts after the vote', voteResultSchema)
  @ApiProblems(
    ...TOKEN_PROBLEMS,
    ...BODY_PROBLEMS,
    ...SANCTION_PROBLEMS,
    ErrorCode.CommentNotFound,
    ErrorCode.CannotVoteOwnComment,
  )
  vote(
    @Param('id') id: string,
    @Body(new ZodValidationPipe(voteSchema)) input: VoteInput,
    @CurrentUser() user: AuthUser,
  ): Promise<VoteResult> {
    return this.votes.vote(user, commentId(id), input.value);
  }

  @Patch(':id')
  @UseGuards(AuthGuard)
  @ApiAuth()
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({
    summary: 'Edit your comment within the edit window (EDIT_WINDOW_SECONDS, default 5 minutes)',
    description: 'The earlier body is kept as a revision that moderators can read; the comment shows editedAt.',
  })
  @ApiJsonBody(editCommentSchema)
  @ApiJsonResponse(200, 'The edited comment', COMMENT_SCHEMA)
  @ApiProblems(
    ...TOKEN_PROBLEMS,
    ...BODY_PROBLEMS,
    ...SANCTION_PROBLEMS,
    ErrorCode.CommentBodyEmpty,
    ErrorCode.CommentBodyTooLong,
    ErrorCode.BannedWord,
    ErrorCode.NotYourComment,
    ErrorCode.EditWindowClosed,
    ErrorCode.CommentNotFound,
  )
  edit(
    @Param('id') id: string,
    @Body(new ZodValidationPipe(editCommentSchema)) input: EditCommentInput,
    @CurrentUser() user: AuthUser,
  ): Promise<CommentView> {
    return this.comments.edit(user, commentId(id), input.body);
  }

  @Delete(':id')
  @HttpCode(204)
  @UseGuards(AuthGuard)
  @ApiAuth()
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: 'Delete your comment: a tombstone (no body, no author) keeps its replies in place' })
  @ApiJsonResponse(204, 'Deleted')
  @ApiProblems(...TOKEN_PROBLEMS, ErrorCode.NotYourComment, ErrorCode.CommentNotFound)
  async remove(@Param('id') id: string, @CurrentUser() user: AuthUser): Promise<void> {
    await this.comments.delete(user, commentId(id));
  }

  @Post(':id/reports')
  @UseGuards(AuthGuard)
  @ApiAuth()
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({
    summary: 'Report a comment (once per reader)',
    description:
      'With REPORT_HOLD_THRESHOLD open reports (default 3), a published comment is held from readers until a moderator decides.',
  })
  @ApiJsonBody(reportSchema)
  @ApiJsonResponse(201, 'The report was recorded', reportResultSchema)
  @ApiProblems(
    ...TOKEN_PROBLEMS,
    ...BODY_PROBLEMS,
    ...SANCTION_PROBLEMS,
    ErrorCode.CommentNotFound,
    ErrorCode.CannotReportOwnComment,
    ErrorCode.AlreadyReported,
  )
  report(
    @Param('id') id: string,
    @Body(new ZodValidationPipe(reportSchema)) input: ReportInput,
    @CurrentUser() user: AuthUser,
  ) {
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
  @ApiProblems(ErrorCode.CommentNotFound, ErrorCode.InvalidToken, ErrorCode.TokenExpired, ErrorCode.ApiKeyNotAllowed)
  @ApiNotModified()
  async permalink(
    @Param('id') id: string,
    @CurrentUser() viewer: AuthUser | null,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Permalink | Buffer | ''> {
    // Anonymous readers share one rendering; a signed-in reader may see their
    // own (or, as a moderator, anyone's) comments waiting for review in it.
    if (viewer) {
      void reply.header('cache-control', 'private, no-cache').header('vary', 'Authorization');
      return this.comments.permalink(commentId(id), viewer);
    }
    return sendCached(request, reply, await this.comments.cachedPermalink(commentId(id)), false);
  }

  @Get(':id/replies')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: "A page of a comment's replies (oldest first), each with its first replies nested" })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } })
  @ApiQuery({
    name: 'cursor',
    required: false,
    schema: { type: 'string' },
    description: 'a repliesCursor or nextCursor',
  })
  @ApiJsonResponse(200, 'A page of replies', COMMENT_PAGE_SCHEMA)
  @ApiProblems(ErrorCode.CommentNotFound, ErrorCode.ValidationFailed, ErrorCode.InvalidCursor)
  @ApiNotModified()
  async replies(
    @Param('id') id: string,
    @Query(new ZodValidationPipe(repliesQuerySchema)) query: RepliesQuery,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Buffer | ''> {
    return sendCached(request, reply, await this.comments.cachedReplies(commentId(id), query), false);
  }
}
