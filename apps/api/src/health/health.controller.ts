import { Controller, Get, Inject, Injectable } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  APP_CONFIG,
  ErrorCode,
  RateLimits,
  realtimeAdapter,
  RedisConnections,
  serviceUnavailable,
} from '@rejoinder/common';
import type { AppConfig, RateLimitsStatus, RedisConnectionStatus, RedisHealth } from '@rejoinder/common';
import { DatabaseHealthRepository } from '@rejoinder/db';
import { RealtimeService, SWEEP_MS } from '@rejoinder/realtime';
import { ApiJsonResponse, ApiProblems } from '../http/openapi.js';

@Injectable()
export class Readiness {
  private stopping = false;

  markStopping(): void {
    this.stopping = true;
  }

  get isStopping(): boolean {
    return this.stopping;
  }
}

const REDIS_HEALTH = { type: 'string', enum: ['up', 'degraded', 'unused'] };
const CONNECTION_STATUS = {
  type: 'object',
  properties: {
    state: { type: 'string', enum: ['connecting', 'up', 'down'] },
    since: { type: 'string', format: 'date-time' },
    outages: { type: 'integer' },
  },
};

interface HealthDetails {
  status: 'ok' | 'degraded' | 'stopping';
  database: 'up' | 'down';
  redis: RedisHealth;
  connections: Record<string, RedisConnectionStatus>;
  rateLimits: RateLimitsStatus;
  realtime: {
    adapter: string;
    crossNode: 'direct' | 'event-log';
    catchUpMs: number;
    presence: 'exact' | 'approximate';
  };
}

@ApiTags('operations')
@Controller()
export class HealthController {
  constructor(
    private readonly database: DatabaseHealthRepository,
    private readonly readiness: Readiness,
    private readonly redis: RedisConnections,
    private readonly limits: RateLimits,
    private readonly realtime: RealtimeService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('health')
  @ApiOperation({ summary: 'Liveness: the process is up' })
  @ApiJsonResponse(200, 'Alive', { type: 'object', properties: { status: { type: 'string', enum: ['ok'] } } })
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  // Redis down does not take a node out: it serves with the fallbacks, and
  // every node would be taken out together.
  @Get('ready')
  @ApiOperation({
    summary: 'Readiness: the database answers and the server is not shutting down',
    description:
      'Stays 200 while Redis is down (`redis: "degraded"`): the node serves with its fallbacks. Details: `/health/details`.',
  })
  @ApiJsonResponse(200, 'Ready', {
    type: 'object',
    properties: {
      status: { type: 'string', enum: ['ready'] },
      database: { type: 'string', enum: ['up'] },
      redis: REDIS_HEALTH,
    },
  })
  @ApiProblems(ErrorCode.ServiceUnavailable)
  async ready(): Promise<{ status: 'ready'; database: 'up'; redis: RedisHealth }> {
    if (this.readiness.isStopping) throw serviceUnavailable('Shutting down');
    if (!(await this.database.ping()))
      throw serviceUnavailable('The database does not answer', { dependency: 'database' });
    return { status: 'ready', database: 'up', redis: this.redis.health() };
  }

  @Get('health/details')
  @ApiOperation({
    summary: 'What this node depends on, and how it is coping',
    description:
      'Always 200: a report for operators and monitoring, not a gate (use `/ready`). `status` is `degraded` while the ' +
      'database or Redis is down; `rateLimits.localDecisions` counts limit decisions taken in memory without Redis.',
  })
  @ApiJsonResponse(200, 'The report', {
    type: 'object',
    properties: {
      status: { type: 'string', enum: ['ok', 'degraded', 'stopping'] },
      database: { type: 'string', enum: ['up', 'down'] },
      redis: REDIS_HEALTH,
      connections: { type: 'object', additionalProperties: CONNECTION_STATUS },
      rateLimits: {
        type: 'object',
        properties: { store: { type: 'string', enum: ['redis', 'memory'] }, localDecisions: { type: 'integer' } },
      },
      realtime: {
        type: 'object',
        properties: {
          adapter: { type: 'string', enum: ['memory', 'redis', 'postgres'] },
          crossNode: { type: 'string', enum: ['direct', 'event-log'] },
          catchUpMs: { type: 'integer' },
          presence: { type: 'string', enum: ['exact', 'approximate'] },
        },
      },
    },
  })
  async details(): Promise<HealthDetails> {
    const database = (await this.database.ping()) ? 'up' : 'down';
    const redis = this.redis.health();
    const approximate = this.realtime.presenceApproximate;
    return {
      status: this.readiness.isStopping ? 'stopping' : database === 'down' || redis === 'degraded' ? 'degraded' : 'ok',
      database,
      redis,
      connections: this.redis.status(),
      rateLimits: this.limits.status(),
      realtime: {
        adapter: realtimeAdapter(this.config),
        crossNode: approximate ? 'event-log' : 'direct',
        catchUpMs: SWEEP_MS,
        presence: approximate ? 'approximate' : 'exact',
      },
    };
  }
}
