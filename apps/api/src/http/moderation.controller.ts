import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '@rejoinder/accounts';
import { ErrorCode, threadHealthSchema, ZodValidationPipe } from '@rejoinder/common';
import { Role } from '@rejoinder/db';
import {
  actionSchema,
  articleSettingsSchema,
  EmailDomainsService,
  emailDomainRuleSchema,
  logQuerySchema,
  ModerationService,
  queueQuerySchema,
  roleSchema,
  sanctionSchema,
  ThreadHealthService,
  trustView,
  WordListsService,
  wordRuleSchema,
} from '@rejoinder/moderation';
import type {
  ActionInput,
  ArticleSettingsInput,
  EmailDomainRuleInput,
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
import {
  actionResultSchema,
  emailDomainRulesSchema,
  emailDomainRuleViewSchema,
  queueItemSchema,
  ARTICLE_SCHEMA,
  moderationLogPageSchema,
  queuePageSchema,
  revisionsSchema,
  roleChangeSchema,
  sanctionsSchema,
  wordRulesSchema,
  wordRuleViewSchema,
} from './schemas.js';
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
    private readonly domains: EmailDomainsService,
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
  @ApiJsonResponse(200, 'A page of the queue', queuePageSchema)
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
  @ApiJsonResponse(200, 'The comment after the action, with its new version', actionResultSchema)
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

  @Get('comments/:id')
  @RequireRole(Role.moderator)
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({
    summary: 'One comment as the queue shows it, whatever its status',
    description:
      'holdReasons lists every rule that held it (new_commenter, links, email_domain, spam, suspect_word, premoderation, ' +
      'user_premoderated, reports), kept after a decision; with its parent, open reports, the version to act on, and the ' +
      'author’s record and trust level (shown to moderators only).',
  })
  @ApiJsonResponse(200, 'The comment as a queue item', queueItemSchema)
  @ApiProblems(...ROLE_PROBLEMS, ErrorCode.CommentNotFound)
  comment(@Param('id') id: string, @CurrentUser() user: AuthUser) {
    return this.moderation.item(user, uuidParam(id, ErrorCode.CommentNotFound));
  }

  @Get('comments/:id/revisions')
  @RequireRole(Role.moderator, 'comments:read')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: 'A comment’s current body and every earlier one (edits)' })
  @ApiJsonResponse(200, 'The comment and its revisions, oldest first', revisionsSchema)
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
  @ApiJsonResponse(200, 'The thread’s health', threadHealthSchema)
  @ApiProblems(...ROLE_PROBLEMS, ErrorCode.ArticleNotFound)
  threadHealth(@Param('slug') slug: string) {
    return this.health.bySlug(slugParam(slug));
  }

  @Patch('users/:id')
  @RequireRole(Role.moderator, 'moderation:write')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({
    summary: 'Sanctions: ban, suspend until a time, always premoderate, ghost-ban (and lift them); pin a trust level',
    description:
      'ghostBanned: the account’s new comments are shown to their author as published and to moderators, and to nobody ' +
      'else, at every door; the author is not told (the action is in the moderation log, never in the public log). ' +
      'trustLevel (0 new, 1 member, 2 regular) pins the account’s level over the one computed from its history; null ' +
      'unpins it. A pinned account is out of new-commenter review.',
  })
  @ApiJsonBody(sanctionSchema)
  @ApiJsonResponse(200, 'The user’s sanctions', sanctionsSchema)
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
      ghostBanned: state.ghostBannedAt !== null,
      trust: trustView(state),
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
  @ApiJsonResponse(200, 'The user and the new role', roleChangeSchema)
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
  @ApiJsonResponse(200, 'A page of the log', moderationLogPageSchema)
  @ApiProblems(...ROLE_PROBLEMS, ErrorCode.ValidationFailed, ErrorCode.InvalidCursor, ErrorCode.ArticleNotFound)
  log(@Query(new ZodValidationPipe(logQuerySchema)) query: LogQuery) {
    return this.moderation.log(query, false);
  }

  @Get('word-rules')
  @RequireRole(Role.admin)
  @ApiOperation({ summary: 'The word lists (admins)' })
  @ApiJsonResponse(200, 'Every rule', wordRulesSchema)
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
  @ApiJsonResponse(201, 'The rule', wordRuleViewSchema)
  @ApiProblems(...ROLE_PROBLEMS, ...BODY_PROBLEMS, ErrorCode.WordRuleExists)
  addWordRule(@Body(new ZodValidationPipe(wordRuleSchema)) input: WordRuleInput) {
    return this.words.add(input.pattern, input.action);
  }

  @Get('email-domains')
  @RequireRole(Role.moderator)
  @ApiOperation({
    summary: 'The email-domain rules',
    description:
      'refuse: sign-ups (local and through the publisher’s login) with an address at the domain or under it are refused ' +
      'with 403 EMAIL_DOMAIN_REFUSED, and comments of accounts that exist anyway are held; premoderate: every comment of ' +
      'such accounts is held (reason email_domain). DISPOSABLE_EMAIL_DOMAINS applies the bundled disposable-mail list the same way.',
  })
  @ApiJsonResponse(200, 'Every rule, by domain', emailDomainRulesSchema)
  @ApiProblems(...ROLE_PROBLEMS)
  async emailDomains() {
    return { items: await this.domains.list() };
  }

  @Post('email-domains')
  @RequireRole(Role.moderator)
  @ApiOperation({
    summary: 'Refuse or premoderate accounts with an address at a domain (and its subdomains)',
    description: 'Recorded in the moderation log (add_email_domain, remove_email_domain), never in the public log.',
  })
  @ApiJsonBody(emailDomainRuleSchema)
  @ApiJsonResponse(201, 'The rule', emailDomainRuleViewSchema)
  @ApiProblems(...ROLE_PROBLEMS, ...BODY_PROBLEMS, ErrorCode.EmailDomainRuleExists)
  addEmailDomain(
    @Body(new ZodValidationPipe(emailDomainRuleSchema)) input: EmailDomainRuleInput,
    @CurrentUser() user: AuthUser,
  ) {
    return this.domains.add(user.id, input.domain, input.action);
  }

  @Delete('email-domains/:id')
  @HttpCode(204)
  @RequireRole(Role.moderator)
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: 'Remove an email-domain rule' })
  @ApiJsonResponse(204, 'Removed')
  @ApiProblems(...ROLE_PROBLEMS, ErrorCode.EmailDomainRuleNotFound)
  async deleteEmailDomain(@Param('id') id: string, @CurrentUser() user: AuthUser): Promise<void> {
    await this.domains.remove(user.id, uuidParam(id, ErrorCode.EmailDomainRuleNotFound));
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
