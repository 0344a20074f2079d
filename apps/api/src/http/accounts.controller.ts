import { Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AccountsService, loginSchema, registerSchema } from '@rejoinder/accounts';
import type { AuthUser, LoginInput, PublicAccount, RegisterInput, Session } from '@rejoinder/accounts';
import { ErrorCode, ZodValidationPipe } from '@rejoinder/common';
import { AuthGuard, CurrentUser } from '../auth/auth.guard.js';
import { ApiAuth, ApiJsonBody, ApiJsonResponse, ApiProblems } from './openapi.js';
import { ACCOUNT_SCHEMA, SESSION_SCHEMA } from './schemas.js';

const INPUT_PROBLEMS = [ErrorCode.ValidationFailed, ErrorCode.UnknownFields, ErrorCode.MalformedJson, ErrorCode.UnsupportedMediaType];

@ApiTags('accounts')
@Controller('api')
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @Post('auth/register')
  @ApiOperation({ summary: 'Create an account (role: commenter) and sign in' })
  @ApiJsonBody(registerSchema)
  @ApiJsonResponse(201, 'The new account and an access token', SESSION_SCHEMA)
  @ApiProblems(...INPUT_PROBLEMS, ErrorCode.UsernameTaken, ErrorCode.EmailTaken)
  register(@Body(new ZodValidationPipe(registerSchema)) input: RegisterInput): Promise<Session> {
    return this.accounts.register(input);
  }

  @Post('auth/login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in with a username or email address and a password' })
  @ApiJsonBody(loginSchema)
  @ApiJsonResponse(200, 'The account and an access token', SESSION_SCHEMA)
  @ApiProblems(...INPUT_PROBLEMS, ErrorCode.InvalidCredentials)
  login(@Body(new ZodValidationPipe(loginSchema)) input: LoginInput): Promise<Session> {
    return this.accounts.login(input);
  }

  @Get('me')
  @UseGuards(AuthGuard)
  @ApiAuth()
  @ApiOperation({ summary: 'The signed-in account' })
  @ApiJsonResponse(200, 'The account', ACCOUNT_SCHEMA)
  @ApiProblems(ErrorCode.Unauthenticated, ErrorCode.InvalidToken, ErrorCode.TokenExpired)
  me(@CurrentUser() user: AuthUser): Promise<PublicAccount> {
    return this.accounts.account(user.id);
  }
}
