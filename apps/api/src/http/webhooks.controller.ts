import { Body, Controller, Delete, Get, Header, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ErrorCode, ZodValidationPipe } from '@rejoinder/common';
import { Role } from '@rejoinder/db';
import {
  createWebhookSchema,
  deliveriesQuerySchema,
  deliveryViewSchema,
  replaySchema,
  updateWebhookSchema,
  WEBHOOK_EVENTS,
  webhookViewSchema,
  WebhooksService,
} from '@rejoinder/webhooks';
import type { CreateWebhookInput, ReplayInput, UpdateWebhookInput } from '@rejoinder/webhooks';
import { z } from 'zod';
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
import {
  replayResultSchema,
  webhookDeliveryPageSchema,
  webhookPageSchema,
  webhookWithSecretSchema,
} from './schemas.js';

const listQuery = z.strictObject(deliveriesQuerySchema.shape);

@ApiTags('admin')
@ApiAuth()
@Controller('api/admin/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @RequireRole(Role.admin, 'webhooks:manage')
  @Header('cache-control', 'no-store')
  @ApiOperation({
    summary: 'Register an endpoint for events (admins)',
    description:
      `Events: ${WEBHOOK_EVENTS.map((e) => `\`${e}\``).join(', ')}. The URL must be https and resolve to public ` +
      'addresses only (checked now and at every connection; WEBHOOK_ALLOW_PRIVATE=true allows loopback, private ' +
      'addresses and http for internal receivers). Deliveries follow Standard Webhooks: webhook-id, webhook-timestamp, ' +
      'webhook-signature (v1, HMAC-SHA256 of "id.timestamp.body" with the secret).',
  })
  @ApiJsonBody(createWebhookSchema)
  @ApiJsonResponse(201, 'The endpoint, with its secret', webhookWithSecretSchema)
  @ApiProblems(...ROLE_PROBLEMS, ...BODY_PROBLEMS, ErrorCode.WebhookUrlRefused)
  create(@Body(new ZodValidationPipe(createWebhookSchema)) input: CreateWebhookInput) {
    return this.webhooks.create(input);
  }

  @Get()
  @RequireRole(Role.admin, 'webhooks:manage')
  @ApiOperation({ summary: 'The endpoints, newest first (admins)' })
  @ApiJsonQuery(listQuery)
  @ApiJsonResponse(200, 'A page of endpoints', webhookPageSchema)
  @ApiProblems(...ROLE_PROBLEMS, ErrorCode.ValidationFailed, ErrorCode.UnknownFields, ErrorCode.InvalidCursor)
  list(@Query(new ZodValidationPipe(listQuery)) query: z.infer<typeof listQuery>) {
    return this.webhooks.list(query);
  }

  @Patch(':id')
  @RequireRole(Role.admin, 'webhooks:manage')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: 'Change the URL, events or description; turn it off or on again (admins)' })
  @ApiJsonBody(updateWebhookSchema)
  @ApiJsonResponse(200, 'The endpoint', webhookViewSchema)
  @ApiProblems(...ROLE_PROBLEMS, ...BODY_PROBLEMS, ErrorCode.WebhookNotFound, ErrorCode.WebhookUrlRefused)
  update(@Param('id') id: string, @Body(new ZodValidationPipe(updateWebhookSchema)) input: UpdateWebhookInput) {
    return this.webhooks.update(uuidParam(id, ErrorCode.WebhookNotFound), input);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireRole(Role.admin, 'webhooks:manage')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: 'Delete an endpoint and its delivery log (admins)' })
  @ApiJsonResponse(204, 'Deleted')
  @ApiProblems(...ROLE_PROBLEMS, ErrorCode.WebhookNotFound)
  async remove(@Param('id') id: string): Promise<void> {
    await this.webhooks.remove(uuidParam(id, ErrorCode.WebhookNotFound));
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @RequireRole(Role.admin, 'webhooks:manage')
  @Header('cache-control', 'no-store')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({
    summary: 'A new secret; for 24 hours deliveries carry a signature with each (admins)',
  })
  @ApiJsonResponse(200, 'The endpoint, with its new secret', webhookWithSecretSchema)
  @ApiProblems(...ROLE_PROBLEMS, ErrorCode.WebhookNotFound)
  rotate(@Param('id') id: string) {
    return this.webhooks.rotate(uuidParam(id, ErrorCode.WebhookNotFound));
  }

  @Post(':id/test')
  @HttpCode(202)
  @RequireRole(Role.admin, 'webhooks:manage')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: 'Send a `webhook.test` delivery now (see it in the delivery log)' })
  @ApiJsonResponse(202, 'The delivery, queued', deliveryViewSchema)
  @ApiProblems(...ROLE_PROBLEMS, ErrorCode.WebhookNotFound)
  test(@Param('id') id: string) {
    return this.webhooks.test(uuidParam(id, ErrorCode.WebhookNotFound));
  }

  @Post(':id/replay')
  @HttpCode(202)
  @RequireRole(Role.admin, 'webhooks:manage')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({
    summary: 'Deliver again the events since a time, or from an article’s event number (new webhook-ids)',
    description: 'At most 10,000 events per call; `truncated` says there are more (call again from the last one).',
  })
  @ApiJsonBody(replaySchema)
  @ApiJsonResponse(202, 'How many events were read and deliveries queued', replayResultSchema)
  @ApiProblems(...ROLE_PROBLEMS, ...BODY_PROBLEMS, ErrorCode.WebhookNotFound)
  replay(@Param('id') id: string, @Body(new ZodValidationPipe(replaySchema)) input: ReplayInput) {
    return this.webhooks.replay(uuidParam(id, ErrorCode.WebhookNotFound), input);
  }

  @Get(':id/deliveries')
  @RequireRole(Role.admin, 'webhooks:manage')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ summary: 'The delivery log: status, attempts, latency, the answer’s first kilobyte; newest first' })
  @ApiJsonQuery(listQuery)
  @ApiJsonResponse(200, 'A page of deliveries', webhookDeliveryPageSchema)
  @ApiProblems(...ROLE_PROBLEMS, ErrorCode.WebhookNotFound, ErrorCode.ValidationFailed, ErrorCode.InvalidCursor)
  deliveries(@Param('id') id: string, @Query(new ZodValidationPipe(listQuery)) query: z.infer<typeof listQuery>) {
    return this.webhooks.deliveryLog(uuidParam(id, ErrorCode.WebhookNotFound), query);
  }
}
