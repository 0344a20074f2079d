import { Body, Controller, Get, HttpCode, Post, Put, Query, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { NotificationsService } from '@rejoinder/forum';
import { z } from 'zod';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  AccountsService,
  loginSchema,
  oidcCallbackSchema,
  OidcService,
  registerSchema,
  ssoSchema,
  SsoService,
} from '@rejoinder/accounts';
import type {
  AuthUser,
  LoginInput,
  OidcCallbackInput,
  OidcStart,
  PublicAccount,
  RegisterInput,
  Session,
  SsoInput,
} from '@rejoinder/accounts';
import {
  availableLocales,
  chooseLocale,
  currentDefaultLocale,
  directionOf,
  ErrorCode,
  pageQuery,
  RateLimits,
  ZodValidationPipe,
} from '@rejoinder/common';
import { AuthGuard, CurrentUser, OptionalAuth } from '../auth/auth.guard.js';
import {
  ApiAuth,
  ApiJsonBody,
  ApiJsonQuery,
  ApiJsonResponse,
  ApiProblems,
  BODY_PROBLEMS,
  SSO_TOKEN_PROBLEMS,
  TOKEN_PROBLEMS,
} from './openapi.js';
import {
  ACCOUNT_SCHEMA,
  LOCALE_SCHEMA,
  localeSchema,
  localeSettingSchema,
  NOTIFICATIONS_PAGE_SCHEMA,
  notificationsReadSchema,
  SESSION_SCHEMA,
} from './schemas.js';

const notificationsQuerySchema = z.object(pageQuery(100, 20));
const localeQuerySchema = z.strictObject({
  lang: z
    .string()
    .max(35)
    .optional()
    .describe("A language asked for by name (the embed's data-lang, the page's ?lang=)"),
});
const markReadSchema = z
  .strictObject({ ids: z.array(z.uuid()).max(500).optional(), all: z.literal(true).optional() })
  .refine((b) => (b.ids === undefined) !== (b.all === undefined), { message: 'give ids or all: true' });

@ApiTags('accounts')
@Controller('api')
export class AccountsController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly notifications: NotificationsService,
    private readonly limits: RateLimits,
    private readonly sso: SsoService,
    private readonly oidc: OidcService,
  ) {}

  @Get('me/notifications')
  @UseGuards(AuthGuard)
  @ApiAuth()
  @ApiOperation({ summary: 'Your notifications (replies to your comments), newest first, with the unread count' })
  @ApiJsonQuery(notificationsQuerySchema)
  @ApiJsonResponse(200, 'A page of notifications', NOTIFICATIONS_PAGE_SCHEMA)
  @ApiProblems(...TOKEN_PROBLEMS, ErrorCode.ValidationFailed, ErrorCode.InvalidCursor)
  listNotifications(
    @CurrentUser() user: AuthUser,
    @Query(new ZodValidationPipe(notificationsQuerySchema)) query: z.output<typeof notificationsQuerySchema>,
  ) {
    return this.notifications.list(user, query);
  }

  @Post('me/notifications/read')
  @HttpCode(200)
  @UseGuards(AuthGuard)
  @ApiAuth()
  @ApiOperation({ summary: 'Mark notifications read: the ids given, or all' })
  @ApiJsonBody(markReadSchema)
  @ApiJsonResponse(200, 'How many were marked, and the unread count left', notificationsReadSchema)
  @ApiProblems(...TOKEN_PROBLEMS, ...BODY_PROBLEMS)
  markRead(
    @CurrentUser() user: AuthUser,
    @Body(new ZodValidationPipe(markReadSchema)) input: z.output<typeof markReadSchema>,
  ) {
    return this.notifications.markRead(user.id, input.all ? 'all' : (input.ids ?? []));
  }

  @Post('auth/register')
  @ApiOperation({ summary: 'Create an account (role: commenter) and sign in' })
  @ApiJsonBody(registerSchema)
  @ApiJsonResponse(201, 'The new account and an access token', SESSION_SCHEMA)
  @ApiProblems(
    ...BODY_PROBLEMS,
    ErrorCode.UsernameTaken,
    ErrorCode.EmailTaken,
    ErrorCode.SignupDisabled,
    ErrorCode.EmailDomainRefused,
    ErrorCode.RateLimited,
  )
  async register(
    @Body(new ZodValidationPipe(registerSchema)) input: RegisterInput,
    @Req() request: FastifyRequest,
  ): Promise<Session> {
    await this.limits.consume('auth-ip', request.ip);
    return this.accounts.signUp(input);
  }

  @Post('auth/sso')
  @HttpCode(200)
  @ApiOperation({
    summary: "Sign in with a token signed by the publisher's site",
    description:
      'The host site signs a short-lived JWT for its signed-in reader (`sub`, `name`, optional `email` and role claim; ' +
      '`iss`, `aud`, `iat` and `exp` required). The account is found or made by issuer and subject, never by name.',
  })
  @ApiJsonBody(ssoSchema)
  @ApiJsonResponse(200, 'The account and an access token', SESSION_SCHEMA)
  @ApiProblems(
    ...BODY_PROBLEMS,
    ...SSO_TOKEN_PROBLEMS,
    ErrorCode.SsoNotConfigured,
    ErrorCode.EmailDomainRefused,
    ErrorCode.RateLimited,
  )
  async signInWithSso(
    @Body(new ZodValidationPipe(ssoSchema)) input: SsoInput,
    @Req() request: FastifyRequest,
  ): Promise<Session> {
    await this.limits.consume('auth-ip', request.ip);
    return this.sso.signIn(input.token);
  }

  @Post('auth/oidc/start')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Start signing in with the OIDC provider',
    description:
      "Send the reader's browser to `authorizationUrl`; the provider comes back to the redirect URI with `code` and `state`.",
  })
  @ApiJsonResponse(200, 'Where to send the reader', {
    type: 'object',
    properties: {
      authorizationUrl: { type: 'string', format: 'uri' },
      state: { type: 'string' },
      expiresIn: { type: 'integer' },
    },
  })
  @ApiProblems(ErrorCode.OidcNotConfigured, ErrorCode.OidcProviderUnavailable, ErrorCode.RateLimited)
  async startOidc(@Req() request: FastifyRequest): Promise<OidcStart> {
    await this.limits.consume('auth-ip', request.ip);
    return this.oidc.start();
  }

  @Post('auth/oidc/callback')
  @HttpCode(200)
  @ApiOperation({ summary: 'Finish signing in with the OIDC provider: the parameters it sent to the redirect URI' })
  @ApiJsonBody(oidcCallbackSchema)
  @ApiJsonResponse(200, 'The account and an access token', SESSION_SCHEMA)
  @ApiProblems(
    ...BODY_PROBLEMS,
    ErrorCode.OidcNotConfigured,
    ErrorCode.OidcStateInvalid,
    ErrorCode.OidcCodeRejected,
    ErrorCode.OidcIdTokenInvalid,
    ErrorCode.OidcProviderUnavailable,
    ErrorCode.EmailDomainRefused,
    ErrorCode.RateLimited,
  )
  async finishOidc(
    @Body(new ZodValidationPipe(oidcCallbackSchema)) input: OidcCallbackInput,
    @Req() request: FastifyRequest,
  ): Promise<Session> {
    await this.limits.consume('auth-ip', request.ip);
    return this.oidc.callback(input);
  }

  @Post('auth/login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in with a username or email address and a password' })
  @ApiJsonBody(loginSchema)
  @ApiJsonResponse(200, 'The account and an access token', SESSION_SCHEMA)
  @ApiProblems(...BODY_PROBLEMS, ErrorCode.InvalidCredentials, ErrorCode.RateLimited)
  async login(
    @Body(new ZodValidationPipe(loginSchema)) input: LoginInput,
    @Req() request: FastifyRequest,
  ): Promise<Session> {
    // Every attempt counts, failed ones most of all: that is what stops password guessing.
    await this.limits.consume('auth-ip', request.ip);
    return this.accounts.login(input);
  }

  @Get('me')
  @UseGuards(AuthGuard)
  @ApiAuth()
  @ApiOperation({ summary: 'The signed-in account' })
  @ApiJsonResponse(200, 'The account', ACCOUNT_SCHEMA)
  @ApiProblems(...TOKEN_PROBLEMS)
  me(@CurrentUser() user: AuthUser): Promise<PublicAccount> {
    return this.accounts.account(user.id);
  }

  // The pages ask once which language to speak: ?lang=, then the signed-in
  // reader's setting, then Accept-Language, then DEFAULT_LOCALE.
  @Get('locale')
  @UseGuards(AuthGuard)
  @OptionalAuth()
  @ApiOperation({ summary: 'The language for this reader, and the languages with a catalogue' })
  @ApiJsonQuery(localeQuerySchema)
  @ApiJsonResponse(200, 'The language chosen', LOCALE_SCHEMA)
  @ApiProblems(ErrorCode.ValidationFailed, ErrorCode.UnknownFields, ...TOKEN_PROBLEMS)
  async locale(
    @Query(new ZodValidationPipe(localeQuerySchema)) query: z.infer<typeof localeQuerySchema>,
    @CurrentUser() user: AuthUser | null,
    @Req() request: FastifyRequest,
  ): Promise<z.infer<typeof localeSchema>> {
    const stored = user && !user.apiKey ? (await this.accounts.record(user.id)).locale : null;
    const locale = chooseLocale({
      requested: query.lang,
      stored,
      acceptLanguage: request.headers['accept-language'] ?? null,
      defaultLocale: currentDefaultLocale(),
    });
    const available = availableLocales();
    return {
      locale,
      dir: directionOf(locale),
      available: [currentDefaultLocale(), ...available.filter((tag) => tag !== currentDefaultLocale())],
      defaultLocale: currentDefaultLocale(),
    };
  }

  @Put('me/locale')
  @UseGuards(AuthGuard)
  @ApiAuth()
  @ApiOperation({ summary: "Set the reader's language for the pages and their emails" })
  @ApiJsonBody(localeSettingSchema)
  @ApiJsonResponse(200, 'The account', ACCOUNT_SCHEMA)
  @ApiProblems(...BODY_PROBLEMS, ...TOKEN_PROBLEMS)
  setLocale(
    @CurrentUser() user: AuthUser,
    @Body(new ZodValidationPipe(localeSettingSchema)) input: z.infer<typeof localeSettingSchema>,
  ): Promise<PublicAccount> {
    return this.accounts.setLocale(user.id, input.locale);
  }
}
