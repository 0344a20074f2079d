import { Controller, Get, Headers, Inject, OnModuleInit, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { APP_CONFIG, DomainError, ErrorCode, Metrics } from '@rejoinder/common';
import type { AppConfig } from '@rejoinder/common';
import { DatabaseHealthRepository } from '@rejoinder/db';
import { ModerationService } from '@rejoinder/moderation';
import type { FastifyReply } from 'fastify';
import { timingSafeEqual } from 'node:crypto';

// True when `authorization` carries the configured bearer token (or none is configured).
export function metricsAuthorized(config: AppConfig, authorization: string | undefined): boolean {
  if (!config.METRICS_TOKEN) return true;
  const expected = Buffer.from(`Bearer ${config.METRICS_TOKEN}`);
  const given = Buffer.from(authorization ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

// Prometheus scrapes GET /metrics, on the API's port unless METRICS_PORT moves
// it to an admin port (see server.ts). Not part of the public API document.
@ApiExcludeController()
@Controller()
export class MetricsController implements OnModuleInit {
  constructor(
    private readonly metrics: Metrics,
    private readonly database: DatabaseHealthRepository,
    private readonly moderation: ModerationService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.metrics.sample('db_pool', () => this.database.poolStats());
    this.metrics.sample('moderation_queue', () => this.moderation.queueDepth());
  }

  @Get('metrics')
  async scrape(@Headers('authorization') authorization: string | undefined, @Res() reply: FastifyReply): Promise<void> {
    if (this.config.METRICS_PORT !== undefined) throw new DomainError(ErrorCode.RouteNotFound);
    if (!metricsAuthorized(this.config, authorization)) throw new DomainError(ErrorCode.Unauthenticated);
    const { contentType, body } = await this.metrics.render();
    await reply.header('content-type', contentType).send(body);
  }
}
