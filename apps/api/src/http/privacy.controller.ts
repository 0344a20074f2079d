import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { oidcCallbackSchema } from '@rejoinder/accounts';
import type { AuthUser } from '@rejoinder/accounts';
import { ErrorCode, RateLimits, ZodValidationPipe } from '@rejoinder/common';
import { Role } from '@rejoinder/db';
import { AccountErasureService, AccountExportService, RetentionService } from '@rejoinder/privacy';
import type { ErasureResult, RetentionReport } from '@rejoinder/privacy';
import { z } from 'zod';
import { AuthGuard, CurrentUser } from '../auth/auth.guard.js';
import { RequireRole } from '../auth/roles.guard.js';
import { uuidParam } from './params.js';
import { accountExportSchema } from './schemas.js';
import {
  ApiAuth,
  ApiJsonBody,
  ApiJsonResponse,
  ApiProblems,
  BODY_PROBLEMS,
  ROLE_PROBLEMS,
  SSO_TOKEN_PROBLEMS,
  TOKEN_PROBLEMS,
} from './openapi.js';

// Either confirmation; neither is ERASURE_NOT_CONFIRMED (not a validation error).
const eraseOwnSchema = z
  .strictObject({
    password: z.string().min(1).max(200).optional(),
    token: z.string().min(1).max(8192).optional(),
    // The provider's answer to a sign-in started with POST /api/auth/oidc/start.
    oidc: oidcCallbackSchema.optional(),
  })
  .default({});
const eraseAccountSchema = z.strictObject({ confirm: z.string().min(1).max(100).optional() }).default({});

const ERASURE_SCHEMA = {
  type: 'object',
  properties: {
    userId: { type: 'string', format: 'uuid' },
    comments: { type: 'integer', description: 'Comments turned into tombstones' },
    erasedAt: { type: 'string', format: 'date-time' },
  },
};
const RETENTION_SCHEMA = {
  type: 'object',
  properties: {
    dryRun: { type: 'boolean' },
    policy: {
      type: 'object',
      properties: {
        rejectedDays: { type: 'integer' },
        removedDays: { type: 'integer' },
        deletedDays: { type: 'integer' },
      },
    },
    comments: { type: 'integer', description: 'Comments whose bodies are (or would be) purged' },
    revisions: { type: 'integer' },
    articles: { type: 'integer' },
    ranAt: { type: 'string', format: 'date-time' },
  },
};

@ApiTags('privacy')
@ApiAuth()
@Controller('api')
export class PrivacyController {
  constructor(
    private readonly exports: AccountExportService,
    private readonly erasure: AccountErasureService,
    private readonly retention: RetentionService,
    private readonly limits: RateLimits,
  ) {}

  @Get('me/export')
  @UseGuards(AuthGuard)
  @Header('content-disposition', 'attachment; filename="rejoinder-export.json"')
  @Header('cache-control', 'no-store')
  @ApiOperation({
    summary: 'Everything Rejoinder holds about you, as one JSON document',
    description:
      'Account, comments with their revisions and states, votes, reports you filed, notifications and sanctions. The format is described in docs/privacy.md.',
  })
  @ApiJsonResponse(200, 'The export (format `rejoinder.account-export`, version 1)', accountExportSchema)
  @ApiProblems(...TOKEN_PROBLEMS, ErrorCode.UserNotFound)
  exportOwn(@CurrentUser() user: AuthUser) {
    return this.exports.export(user.id);
  }

  @Delete('me')
  @HttpCode(200)
  @UseGuards(AuthGuard)
  @ApiOperation({
    summary: 'Erase your account',
    description:
      "Confirm with `{ password }`, or, for an account from the publisher's login, `{ token }`: a token the host site has just signed for you, " +
      'or `{ oidc: { code, state, iss } }`: the answer to a sign-in just made at the OIDC provider. ' +
      'Your comments become tombstones with no body and no author; everything else about you is deleted.',
  })
  @ApiJsonBody(eraseOwnSchema)
  @ApiJsonResponse(200, 'The account is erased', ERASURE_SCHEMA)
  @ApiProblems(
    ...TOKEN_PROBLEMS,
    ...BODY_PROBLEMS,
    ...SSO_TOKEN_PROBLEMS,
    ErrorCode.ErasureNotConfirmed,
    ErrorCode.InvalidCredentials,
    ErrorCode.SignInWrongAccount,
    ErrorCode.SsoNotConfigured,
    ErrorCode.OidcStateInvalid,
    ErrorCode.OidcCodeRejected,
    ErrorCode.OidcIdTokenInvalid,
    ErrorCode.OidcProviderUnavailable,
    ErrorCode.RateLimited,
  )
  async eraseOwn(
    @CurrentUser() user: AuthUser,
    @Body(new ZodValidationPipe(eraseOwnSchema)) input: z.output<typeof eraseOwnSchema>,
    @Req() request: FastifyRequest,
  ): Promise<ErasureResult> {
    // A password is being checked: the same limit as signing in.
    await this.limits.consume('auth-ip', request.ip);
    return this.erasure.eraseOwn(user, input);
  }

  @Delete('admin/users/:id')
  @HttpCode(200)
  @RequireRole(Role.admin)
  @ApiOperation({ summary: "Erase an account (admins), confirming with the account's username as `confirm`" })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiJsonBody(eraseAccountSchema)
  @ApiJsonResponse(200, 'The account is erased', ERASURE_SCHEMA)
  @ApiProblems(...ROLE_PROBLEMS, ...BODY_PROBLEMS, ErrorCode.UserNotFound, ErrorCode.ErasureNotConfirmed)
  eraseAccount(
    @CurrentUser() admin: AuthUser,
    @Param('id') id: string,
    @Body(new ZodValidationPipe(eraseAccountSchema)) input: z.output<typeof eraseAccountSchema>,
  ): Promise<ErasureResult> {
    return this.erasure.eraseByAdmin(admin, uuidParam(id, ErrorCode.UserNotFound), input.confirm);
  }

  @Get('admin/retention')
  @RequireRole(Role.admin)
  @ApiOperation({ summary: 'Retention dry run (admins): what the next run would purge under the configured periods' })
  @ApiJsonResponse(200, 'The dry-run report', RETENTION_SCHEMA)
  @ApiProblems(...ROLE_PROBLEMS)
  retentionReport(): Promise<RetentionReport> {
    return this.retention.run(true);
  }

  @Post('admin/retention/run')
  @HttpCode(200)
  @RequireRole(Role.admin)
  @ApiOperation({
    summary: 'Run the retention job now (admins); it also runs on its own every RETENTION_INTERVAL_MINUTES',
  })
  @ApiJsonResponse(200, 'What was purged', RETENTION_SCHEMA)
  @ApiProblems(...ROLE_PROBLEMS)
  runRetention(): Promise<RetentionReport> {
    return this.retention.run(false);
  }
}
