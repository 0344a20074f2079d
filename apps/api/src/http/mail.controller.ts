import {
  applyDecorators,
  Body,
  Controller,
  Get,
  HttpCode,
  Patch,
  Post,
  Put,
  Query,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { passwordSchema } from '@rejoinder/accounts';
import type { AuthUser, PublicAccount, Session } from '@rejoinder/accounts';
import { ErrorCode, localeOfRequest, openApiSchema, RateLimits, ZodValidationPipe } from '@rejoinder/common';
import { Role } from '@rejoinder/db';
import {
  AccountMailService,
  MailDeliveriesService,
  MailSettingsService,
  notificationSettingsPatchSchema,
  unsubscribePage,
} from '@rejoinder/mail';
import type { NotificationSettingsPatch, NotificationSettingsView } from '@rejoinder/mail';
import { TransferService } from '@rejoinder/forum';
import { z } from 'zod';
import { AuthGuard, CurrentUser } from '../auth/auth.guard.js';
import { RequireRole } from '../auth/roles.guard.js';
import {
  ApiAuth,
  ApiJsonBody,
  ApiJsonQuery,
  ApiJsonResponse,
  ApiProblems,
  BODY_PROBLEMS,
  PROBLEM_SCHEMA,
  ROLE_PROBLEMS,
  TOKEN_PROBLEMS,
} from './openapi.js';
import {
  acceptedSchema,
  accountSchema,
  mailDeliveriesSchema,
  notificationSettingsSchema,
  responseSchema,
  sessionSchema,
} from './schemas.js';

const linkToken = z.string().min(16).max(200);
const verifyEmailSchema = z.strictObject({ token: linkToken });
const resetRequestSchema = z.strictObject({ email: z.email().max(254) });
const resetConfirmSchema = z.strictObject({ token: linkToken, password: passwordSchema });
const changePasswordSchema = z.strictObject({
  currentPassword: z.string().min(1).max(200),
  newPassword: passwordSchema,
});
const changeEmailSchema = z.strictObject({ password: z.string().min(1).max(200), email: z.email().max(254) });
const unsubscribeQuery = z.object({ token: z.string().min(1).max(300) });
const deliveriesQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  status: z.enum(['queued', 'sent', 'skipped', 'failed']).optional(),
});

// RFC 8058's one-click POST: a form body, or none.
const oneClickSchema = z.strictObject({ 'List-Unsubscribe': z.literal('One-Click').optional() });
const HTML_PAGE = { 'text/html': { schema: responseSchema(z.string().describe('An HTML page')) } };

// A signed-in reader's change to their local account: it takes their current
// password (wrong ones count toward the sign-in limit), and an account from
// the publisher's login has no password here.
const AccountChange = (change: {
  summary: string;
  description?: string;
  body: z.ZodType;
  answer: [description: string, schema: z.ZodType];
  problems?: ErrorCode[];
}) =>
  applyDecorators(
    UseGuards(AuthGuard),
    ApiAuth(),
    ApiOperation({ summary: change.summary, ...(change.description ? { description: change.description } : {}) }),
    ApiJsonBody(change.body),
    ApiJsonResponse(200, ...change.answer),
    ApiProblems(
      ...TOKEN_PROBLEMS,
      ...BODY_PROBLEMS,
      ErrorCode.InvalidCredentials,
      ...(change.problems ?? []),
      ErrorCode.ExternalAccount,
      ErrorCode.RateLimited,
    ),
  );

@ApiTags('accounts')
@Controller('api')
export class MailController {
  constructor(
    private readonly accountMail: AccountMailService,
    private readonly settings: MailSettingsService,
    private readonly deliveries: MailDeliveriesService,
    private readonly limits: RateLimits,
    private readonly transfer: TransferService,
  ) {}

  @Post('auth/verify-email')
  @HttpCode(200)
  @ApiOperation({ summary: 'Confirm an email address with the token from the link sent to it (single use, 24 h)' })
  @ApiJsonBody(verifyEmailSchema)
  @ApiJsonResponse(200, 'The account, its address confirmed', accountSchema)
  @ApiProblems(
    ...BODY_PROBLEMS,
    ErrorCode.LinkInvalid,
    ErrorCode.LinkUsed,
    ErrorCode.LinkExpired,
    ErrorCode.RateLimited,
  )
  async verifyEmail(
    @Body(new ZodValidationPipe(verifyEmailSchema)) input: z.output<typeof verifyEmailSchema>,
    @Req() request: FastifyRequest,
  ): Promise<PublicAccount> {
    await this.limits.consume('auth-ip', request.ip);
    const account = await this.accountMail.confirmAddress(input.token);
    // The address is proved now: accounts an import brought in with it (a
    // Disqus or WordPress export's author address) become this reader's.
    if (account.email) await this.transfer.claimByVerifiedEmail(account.id, account.email);
    return account;
  }

  @Post('me/email/verification')
  @HttpCode(202)
  @UseGuards(AuthGuard)
  @ApiAuth()
  @ApiOperation({ summary: 'Send the confirmation link to my address again (a few an hour)' })
  @ApiJsonResponse(202, 'Queued', acceptedSchema)
  @ApiProblems(...TOKEN_PROBLEMS, ErrorCode.EmailAlreadyVerified, ErrorCode.NoEmailAddress, ErrorCode.RateLimited)
  async resendVerification(@CurrentUser() user: AuthUser): Promise<{ accepted: true }> {
    await this.accountMail.resendConfirmation(user.id);
    return { accepted: true };
  }

  @Post('auth/password-reset')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Ask for a password reset link',
    description:
      'Always 202, whether or not the address belongs to an account. The link (single use, 30 minutes) goes to the ' +
      "address; an account from the publisher's login gets a message saying it has no password here.",
  })
  @ApiJsonBody(resetRequestSchema)
  @ApiJsonResponse(202, 'Accepted', acceptedSchema)
  @ApiProblems(...BODY_PROBLEMS, ErrorCode.RateLimited)
  async requestReset(
    @Body(new ZodValidationPipe(resetRequestSchema)) input: z.output<typeof resetRequestSchema>,
    @Req() request: FastifyRequest,
  ): Promise<{ accepted: true }> {
    await this.limits.consume('auth-ip', request.ip);
    await this.accountMail.requestReset(input.email);
    return { accepted: true };
  }

  @Post('auth/password-reset/confirm')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Set a new password with the token from the reset link',
    description: 'Signs the account out everywhere (older access tokens are refused, open sockets get `auth.expired`).',
  })
  @ApiJsonBody(resetConfirmSchema)
  @ApiJsonResponse(200, 'The account and a new access token', sessionSchema)
  @ApiProblems(
    ...BODY_PROBLEMS,
    ErrorCode.LinkInvalid,
    ErrorCode.LinkUsed,
    ErrorCode.LinkExpired,
    ErrorCode.ExternalAccount,
    ErrorCode.RateLimited,
  )
  async confirmReset(
    @Body(new ZodValidationPipe(resetConfirmSchema)) input: z.output<typeof resetConfirmSchema>,
    @Req() request: FastifyRequest,
  ): Promise<Session> {
    await this.limits.consume('auth-ip', request.ip);
    return this.accountMail.confirmReset(input.token, input.password);
  }

  @Put('me/password')
  @AccountChange({
    summary: 'Change my password; signs out everywhere and returns a new access token',
    body: changePasswordSchema,
    answer: ['The account and a new access token', sessionSchema],
  })
  changePassword(
    @CurrentUser() user: AuthUser,
    @Body(new ZodValidationPipe(changePasswordSchema)) input: z.output<typeof changePasswordSchema>,
  ): Promise<Session> {
    return this.accountMail.changePassword(user.id, input.currentPassword, input.newPassword);
  }

  @Put('me/email')
  @AccountChange({
    summary: 'Change my email address',
    description: 'The new address is unconfirmed until its link is followed; the old address is told of the change.',
    body: changeEmailSchema,
    answer: ['The account', accountSchema],
    problems: [ErrorCode.EmailTaken],
  })
  changeEmail(
    @CurrentUser() user: AuthUser,
    @Body(new ZodValidationPipe(changeEmailSchema)) input: z.output<typeof changeEmailSchema>,
  ): Promise<PublicAccount> {
    return this.accountMail.changeEmail(user.id, input.password, input.email);
  }

  @Get('me/notification-settings')
  @UseGuards(AuthGuard)
  @ApiAuth()
  @ApiOperation({ summary: 'What I am emailed about' })
  @ApiJsonResponse(200, 'The settings', notificationSettingsSchema)
  @ApiProblems(...TOKEN_PROBLEMS)
  getSettings(@CurrentUser() user: AuthUser): Promise<NotificationSettingsView> {
    return this.settings.get(user);
  }

  @Patch('me/notification-settings')
  @UseGuards(AuthGuard)
  @ApiAuth()
  @ApiOperation({ summary: 'Change what I am emailed about (moderators also set onReport and queueAgeMinutes)' })
  @ApiJsonBody(notificationSettingsPatchSchema)
  @ApiJsonResponse(200, 'The settings', notificationSettingsSchema)
  @ApiProblems(...TOKEN_PROBLEMS, ...BODY_PROBLEMS, ErrorCode.Forbidden)
  updateSettings(
    @CurrentUser() user: AuthUser,
    @Body(new ZodValidationPipe(notificationSettingsPatchSchema)) input: NotificationSettingsPatch,
  ): Promise<NotificationSettingsView> {
    return this.settings.update(user, input);
  }

  @Get('mail/unsubscribe')
  @ApiJsonQuery(unsubscribeQuery)
  @ApiResponse({ status: 200, description: 'A page that asks before unsubscribing', content: HTML_PAGE })
  @ApiResponse({
    status: 400,
    description:
      'A page that says the link is not valid; `VALIDATION_FAILED` (a problem document) for a malformed query',
    content: { ...HTML_PAGE, 'application/problem+json': { schema: PROBLEM_SCHEMA } },
  })
  @ApiOperation({
    summary: 'The page an unsubscribe link opens: it asks before doing anything (link scanners follow GETs)',
  })
  unsubscribePage(
    @Query(new ZodValidationPipe(unsubscribeQuery)) query: z.output<typeof unsubscribeQuery>,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Req() request: FastifyRequest,
  ): string {
    void reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store');
    const locale = localeOfRequest({ headers: request.headers });
    const scope = this.settings.read(query.token);
    if (!scope) {
      void reply.status(400);
      return unsubscribePage({ kind: null, action: null, done: false, error: 'invalid', locale });
    }
    return unsubscribePage({
      kind: scope.kind,
      action: `/api/mail/unsubscribe?token=${encodeURIComponent(query.token)}`,
      done: false,
      locale,
    });
  }

  @Post('mail/unsubscribe')
  @HttpCode(200)
  @ApiJsonQuery(unsubscribeQuery)
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({
    required: false,
    description: 'RFC 8058: `List-Unsubscribe=One-Click`, or nothing',
    schema: openApiSchema(oneClickSchema) as never,
  })
  @ApiResponse({ status: 200, description: 'A page that says it is done', content: HTML_PAGE })
  @ApiOperation({
    summary: 'One-click unsubscribe (RFC 8058): turns off the kind of email the link was made for, with no session',
    description: 'The body may be `List-Unsubscribe=One-Click` (application/x-www-form-urlencoded) or empty.',
  })
  @ApiProblems(ErrorCode.UnsubscribeTokenInvalid, ErrorCode.UnsupportedMediaType, ErrorCode.PayloadTooLarge)
  async unsubscribe(
    @Query(new ZodValidationPipe(unsubscribeQuery)) query: z.output<typeof unsubscribeQuery>,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Req() request: FastifyRequest,
  ): Promise<string> {
    const kind = await this.settings.unsubscribe(query.token);
    void reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store');
    return unsubscribePage({ kind, action: null, done: true, locale: localeOfRequest({ headers: request.headers }) });
  }

  @Get('admin/mail')
  @RequireRole(Role.admin)
  @ApiAuth()
  @ApiOperation({ summary: 'Recent mail: what was owed, to whom, and what became of it (admins)' })
  @ApiJsonQuery(deliveriesQuery)
  @ApiJsonResponse(200, 'Recent deliveries, newest first, with the queue', mailDeliveriesSchema)
  @ApiProblems(...ROLE_PROBLEMS, ErrorCode.ValidationFailed, ErrorCode.UnknownFields)
  recentMail(@Query(new ZodValidationPipe(deliveriesQuery)) query: z.output<typeof deliveriesQuery>) {
    return this.deliveries.recent(query.limit, query.status);
  }
}
