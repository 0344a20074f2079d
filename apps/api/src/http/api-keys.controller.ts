import { Body, Controller, Delete, Get, Header, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiKeysService, apiKeyViewSchema, API_KEY_SCOPES, createApiKeySchema } from '@rejoinder/accounts';
import type { AuthUser, CreateApiKeyInput } from '@rejoinder/accounts';
import { ErrorCode, pageQuery, ZodValidationPipe } from '@rejoinder/common';
import { Role } from '@rejoinder/db';
import { z } from 'zod';
import { CurrentUser } from '../auth/auth.guard.js';
import { RequireRole } from '../auth/roles.guard.js';
import { uuidParam } from './params.js';
import {
  ApiAuth,
  ApiJsonBody,
  ApiJsonQuery,
  ApiJsonResponse,
  ApiProblems,
  BODY_PROBLEMS,
  ROLE_PROBLEMS,
} from './openapi.js';
import { apiKeyPageSchema, apiKeyWithSecretSchema } from './schemas.js';

const listQuerySchema = z.strictObject(pageQuery(100, 50));

// Service keys are made, listed and revoked by admins (signed in as people:
// no key can make or revoke a key).
@ApiTags('admin')
@ApiAuth()
@Controller('api/admin/api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @RequireRole(Role.admin)
  @Header('cache-control', 'no-store')
  @ApiOperation({
    summary: 'Make a service key (admins); the key is in this answer only',
    description:
      `Scopes: ${API_KEY_SCOPES.map((s) => `\`${s}\``).join(', ')}. Send the key as \`Authorization: Bearer <key>\`. ` +
      'Only a hash is stored: a lost key cannot be shown again, make another and revoke the lost one. ' +
      'A key is accepted only on routes that name one of its scopes; it never posts, votes or reports.',
  })
  @ApiJsonBody(createApiKeySchema)
  @ApiJsonResponse(201, 'The key, with its secret', apiKeyWithSecretSchema)
  @ApiProblems(...ROLE_PROBLEMS, ...BODY_PROBLEMS)
  create(@Body(new ZodValidationPipe(createApiKeySchema)) input: CreateApiKeyInput, @CurrentUser() admin: AuthUser) {
    return this.keys.create(admin, input);
  }

  @Get()
  @RequireRole(Role.admin)
  @ApiOperation({ summary: 'The service keys, newest first, with their last use (admins); never the secrets' })
  @ApiJsonQuery(listQuerySchema)
  @ApiJsonResponse(200, 'A page of keys', apiKeyPageSchema)
  @ApiProblems(...ROLE_PROBLEMS, ErrorCode.ValidationFailed, ErrorCode.UnknownFields, ErrorCode.InvalidCursor)
  list(@Query(new ZodValidationPipe(listQuerySchema)) query: z.infer<typeof listQuerySchema>) {
    return this.keys.list(query);
  }

  @Delete(':id')
  @RequireRole(Role.admin)
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({
    summary: 'Revoke a service key (admins): refused from its next request on; kept in the list as revoked',
  })
  @ApiJsonResponse(200, 'The revoked key', apiKeyViewSchema)
  @ApiProblems(...ROLE_PROBLEMS, ErrorCode.ApiKeyNotFound)
  revoke(@Param('id') id: string) {
    return this.keys.revoke(uuidParam(id, ErrorCode.ApiKeyNotFound));
  }
}
