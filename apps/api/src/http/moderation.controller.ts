import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '@rejoinder/accounts';
import { ErrorCode, openApiSchema, threadHealthSchema, ZodValidationPipe } from '@rejoinder/common';
import { Role } from '@rejoinder/db';
import {
  actionSchema,
  articleSettingsSchema,
  logQuerySchema,
  ModerationService,
  queueQuerySchema,
  roleSchema,
  sanctionSchema,
  ThreadHealthService,
  WordListsService,
  wordRuleSchema,
} from '@rejoinder/moderation';
import type {
  ActionInput,
  ArticleSettingsInput,
  LogQuery,
  QueueQuery,
  RoleInput,
  SanctionInput,
  WordRuleInput,
} from '@rejoinder/moderation';
import { CommentsService } from '@rejoinder/forum';
import { CurrentUser } from '../auth/auth.guard.js';
import { RequireRole } from '../auth/roles.guard.js';
import { ApiAuth, ApiJsonBody, ApiJsonResponse, ApiProblems, BODY_PROBLEMS, ROLE_PROBLEMS } from './openapi.js';
import { ARTICLE_SCHEMA } from './schemas.js';
import { slugParam, uuidParam } from './params.js';

@ApiTags('moderation')
@ApiAuth()
@Controller('api/moderation')
export class ModerationController {
  constructor(
    private readonly moderation: ModerationService,
    private readonly words: WordListsService,
    private readonly comments: CommentsService,
    private readonly health: ThreadHealthService,
  ) {}

  @Get('queue')
  @RequireRole(Role.moderator, 'comments:read')
  @ApiOperation({
    summary: 'A moderation queue, oldest first',
    description:
      'pending: waiting for approval (premoderation, held by reports, suspect words); reported: with open reports; ' +
      'rejected: rejected comments. Each item has the comment, its parent, the open reports, the author’s record and the version to act on.',
  })
  @ApiQuery({
    name: 'status',
    required: false,
    schema: { type: 'string', enum: ['pending', 'reported', 'rejected'], default: 'pending' },
  })
  @ApiQuery({ name: 'article', required: false, schema: { type: 'string' }, description: 'An article slug' })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } })
  @ApiQuery({ name: 'cursor', required: false, schema: { type: 'string' } })
  @ApiJsonResponse(200, 'A page of the queue')
  @ApiProblems(...ROLE_PROBLEMS, ErrorCode.ValidationFailed, ErrorCode.InvalidCursor, ErrorCode.ArticleNotFound)
  queue(@Query(new ZodValidationPipe(queueQuerySchema)) query: QueueQuery, @CurrentUser() user: AuthUser) {
    return this.moderation.queue(user, query);
  }

  @Post('comments/:id/actions')
  @HttpCode(200)
  @RequireRole(Role.moderator, 'moderation:write')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({
    summary: 'Act on a comment: approve, reject, remove, restore, feature, unfeature, pin, unpin',
    description:
      'Send the version you saw; if someone acted first, the answer is 409 STALE_VERSION and nothing changes. reject and remove need a reason.',
  })
  @ApiJsonBody(actionSchema)
  @ApiJsonResponse(200, 'The comment after the action, with its new version')
  @ApiProblems(
    ...ROLE_PROBLEMS,
    ...BODY_PROBLEMS,
    ErrorCode.CommentNotFound,
    ErrorCode.StaleVersion,
    ErrorCode.InvalidTransition,
  )
  act(
    @Param('id') id: string,
    @Body(new ZodValidationPipe(actionSchema)) input: ActionInput,
    @CurrentUser() user: AuthUser,
  ) {
    return this.moderation.act(user, uuidParam(id, ErrorCode.CommentNotFound), input);
  }

  @Get('comments/:id/revisions')
  @RequireRole(Role.moderator, 'comments:read')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: 'A comment’s current body and every earlier one (edits)' })
  @ApiJsonResponse(200, 'The comment and its revisions, oldest first')
  @ApiProblems(...ROLE_PROBLEMS, ErrorCode.CommentNotFound)
  revisions(@Param('id') id: string, @CurrentUser() user: AuthUser) {
    return this.comments.revisions(uuidParam(id, ErrorCode.CommentNotFound), user);
  }

  @Patch('articles/:slug')
  @RequireRole(Role.moderator, 'moderation:write')
  @ApiParam({ name: 'slug' })
  @ApiOperation({
    summary: 'Article settings: open or closed, premoderation, slow mode (seconds between one user’s comments)',
    description:
      'slowMode: { setting: "auto" } (the default: on by itself when the thread runs hot, off again when it calms down), ' +
      '{ setting: "off" } (never), or { setting: "manual", seconds } (a fixed interval). slowModeSeconds is the older form: ' +
      'N > 0 is manual, 0 is off. A change of slow mode is announced to readers (`article.updated`) and to moderators ' +
      '(`slow_mode.changed`, also in their feed).',
  })
  @ApiJsonBody(articleSettingsSchema)
  @ApiJsonResponse(200, 'The article', ARTICLE_SCHEMA)
  @ApiProblems(...ROLE_PROBLEMS, ...BODY_PROBLEMS, ErrorCode.ArticleNotFound)
  updateArticle(
    @Param('slug') slug: string,
    @Body(new ZodValidationPipe(articleSettingsSchema)) input: ArticleSettingsInput,
    @CurrentUser() user: AuthUser,
  ) {
    return this.moderation.updateArticle(user, slugParam(slug), input);
  }

  @Get('articles/:slug/health')
  @RequireRole(Role.moderator, 'comments:read')
  @ApiParam({ name: 'slug' })
  @ApiOperation({
    summary: 'How hot the thread runs: comment and report rates, shares held, removed and by new accounts',
    description:
      'Comments and reports per minute over the last 1 and 5 minutes; of the last hour’s comments, the share held for review, ' +
      'removed or rejected, and posted by accounts younger than NEW_ACCOUNT_HOURS; the subthreads with the most replies in the ' +
      'last 5 minutes; the slow mode in force and who set it. Moderators following the article over the socket receive the same ' +
      'body live as `thread.health`.',
  })
  @ApiJsonResponse(200, 'The thread’s health', openApiSchema(threadHealthSchema))
  @ApiProblems(...ROLE_PROBLEMS, ErrorCode.ArticleNotFound)
  threadHealth(@Param('slug') slug: string) {
    return this.health.bySlug(slugParam(slug));
  }

  @Patch('users/:id')
  @RequireRole(Role.moderator, 'moderation:write')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: 'Sanctions: ban, suspend until a time, always premoderate (and lift them)' })
  @ApiJsonBody(sanctionSchema)
  @ApiJsonResponse(200, 'The user’s sanctions')
  @ApiProblems(...ROLE_PROBLEMS, ...BODY_PROBLEMS, ErrorCode.UserNotFound, ErrorCode.CannotSanctionStaff)
  async sanction(
    @Param('id') id: string,
    @Body(new ZodValidationPipe(sanctionSchema)) input: SanctionInput,
    @CurrentUser() user: AuthUser,
  ) {
    const state = await this.moderation.sanction(user, uuidParam(id, ErrorCode.UserNotFound), input);
    return {
      id: state.id,
      username: state.username,
      banned: state.bannedAt !== null,
      suspendedUntil: state.suspendedUntil?.toISOString() ?? null,
      premoderated: state.premoderated,
    };
  }

  @Put('users/:id/role')
  @RequireRole(Role.admin)
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({
    summary: 'Appoint a moderator or an admin, or make one a commenter again (admins)',
    description:
      'Takes effect at the user’s next request; recorded in the moderation log. Admins cannot change their own role.',
  })
  @ApiJsonBody(roleSchema)
  @ApiJsonResponse(200, 'The user and the new role', {
    type: 'object',
    properties: {
      id: { type: 'string', format: 'uuid' },
      username: { type: 'string' },
      role: { type: 'string', enum: ['commenter', 'moderator', 'admin'] },
    },
  })
  @ApiProblems(...ROLE_PROBLEMS, ...BODY_PROBLEMS, ErrorCode.UserNotFound)
  setRole(
    @Param('id') id: string,
    @Body(new ZodValidationPipe(roleSchema)) input: RoleInput,
    @CurrentUser() user: AuthUser,
  ) {
    return this.moderation.setRole(user, uuidParam(id, ErrorCode.UserNotFound), input.role);
  }

  @Get('log')
  @RequireRole(Role.moderator, 'comments:read')
  @ApiOperation({ summary: 'The moderation log: every action, who, what, when, target and reason, newest first' })
  @ApiQuery({ name: 'article', required: false, schema: { type: 'string' } })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 50 } })
  @ApiQuery({ name: 'cursor', required: false, schema: { type: 'string' } })
  @ApiJsonResponse(200, 'A page of the log')
  @ApiProblems(...ROLE_PROBLEMS, ErrorCode.ValidationFailed, ErrorCode.InvalidCursor, ErrorCode.ArticleNotFound)
  log(@Query(new ZodValidationPipe(logQuerySchema)) query: LogQuery) {
    return this.moderation.log(query, false);
  }

  @Get('word-rules')
  @RequireRole(Role.admin)
  @ApiOperation({ summary: 'The word lists (admins)' })
  @ApiJsonResponse(200, 'Every rule')
  @ApiProblems(...ROLE_PROBLEMS)
  async wordRules() {
    return { items: await this.words.list() };
  }

  @Post('word-rules')
  @RequireRole(Role.admin)
  @ApiOperation({
    summary: 'Add a word or phrase: ban refuses comments with it, suspect holds them for review (admins)',
  })
  @ApiJsonBody(wordRuleSchema)
  @ApiJsonResponse(201, 'The rule')
  @ApiProblems(...ROLE_PROBLEMS, ...BODY_PROBLEMS, ErrorCode.WordRuleExists)
  addWordRule(@Body(new ZodValidationPipe(wordRuleSchema)) input: WordRuleInput) {
    return this.words.add(input.pattern, input.action);
  }

  @Delete('word-rules/:id')
  @HttpCode(204)
  @RequireRole(Role.admin)
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: 'Remove a rule (admins)' })
  @ApiJsonResponse(204, 'Removed')
  @ApiProblems(...ROLE_PROBLEMS, ErrorCode.WordRuleNotFound)
  async deleteWordRule(@Param('id') id: string): Promise<void> {
    await this.words.remove(uuidParam(id, ErrorCode.WordRuleNotFound));
  }
}
