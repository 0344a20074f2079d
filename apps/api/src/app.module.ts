import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import { AccountsModule } from '@rejoinder/accounts';
import {
  APP_CONFIG,
  AppConfig,
  DomainEventBus,
  Metrics,
  PostMarks,
  RATE_LIMIT_REDIS,
  RateLimits,
  RedisConnections,
} from '@rejoinder/common';
import { DbModule } from '@rejoinder/db';
import { ForumModule } from '@rejoinder/forum';
import { ModerationModule } from '@rejoinder/moderation';
import { MailModule } from '@rejoinder/mail';
import { PrivacyModule } from '@rejoinder/privacy';
import { RealtimeModule } from '@rejoinder/realtime';
import { LoggerModule } from 'nestjs-pino';
import type { Logger as PinoLogger } from 'pino';
import { AuthGuard } from './auth/auth.guard.js';
import { HealthController, Readiness } from './health/health.controller.js';
import { AccountsController } from './http/accounts.controller.js';
import { ApiKeysController } from './http/api-keys.controller.js';
import { AdminArticlesController } from './http/admin-articles.controller.js';
import { EmbedController } from './http/embed.controller.js';
import { WebhooksController } from './http/webhooks.controller.js';
import { FeedsController } from './http/feeds.controller.js';
import { WebhooksModule } from '@rejoinder/webhooks';
import { ArticlesController } from './http/articles.controller.js';
import { CommentsController } from './http/comments.controller.js';
import { ProblemFilter } from './http/problem.filter.js';
import { InFlight, InFlightInterceptor } from './http/in-flight.js';
import { ModerationController } from './http/moderation.controller.js';
import { PrivacyController } from './http/privacy.controller.js';
import { MailController } from './http/mail.controller.js';
import { RolesGuard } from './auth/roles.guard.js';
import { PostingAdmission } from './edge/posting-admission.js';
import { EventsGateway } from './realtime/events.gateway.js';
import { SocketSessions } from './realtime/socket-sessions.js';
import { ThreadHealthPush } from './realtime/thread-health-push.js';
import { MetricsController } from './metrics/metrics.controller.js';

export interface AppModuleOptions {
  config: AppConfig;
  logger: PinoLogger;
  databaseUrl: string;
  jwtSecret: string;
}

@Module({})
export class CoreModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CoreModule,
      global: true,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        DomainEventBus,
        Metrics,
        Readiness,
        InFlight,
        RedisConnections,
        {
          provide: RATE_LIMIT_REDIS,
          inject: [RedisConnections],
          useFactory: (redis: RedisConnections) => (config.REDIS_URL ? redis.open('limits') : null),
        },
        RateLimits,
        PostMarks,
      ],
      exports: [APP_CONFIG, DomainEventBus, Metrics, Readiness, InFlight, RateLimits, PostMarks, RedisConnections],
    };
  }
}

@Module({})
export class AppModule {
  static forRoot({ config, logger, databaseUrl, jwtSecret }: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config),
        // Fastify logs each request (with its id) through the same pino
        // instance; nestjs-pino routes Nest's own messages there too.
        LoggerModule.forRoot({ pinoHttp: { logger }, useExisting: true }),
        DbModule.forRoot({
          url: databaseUrl,
          poolSize: config.DATABASE_POOL_SIZE,
          timeouts: {
            statementMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
            lockMs: config.DATABASE_LOCK_TIMEOUT_MS,
            acquireMs: config.DATABASE_ACQUIRE_TIMEOUT_MS,
            transactionMs: config.DATABASE_TRANSACTION_TIMEOUT_MS,
          },
        }),
        AccountsModule.forRoot({ secret: jwtSecret, ttlSeconds: config.JWT_TTL_SECONDS }),
        ForumModule,
        RealtimeModule,
        ModerationModule,
        PrivacyModule,
        MailModule.forRoot({ tokenSecret: jwtSecret }),
        WebhooksModule,
      ],
      controllers: [
        HealthController,
        AccountsController,
        ArticlesController,
        CommentsController,
        ModerationController,
        MetricsController,
        PrivacyController,
        MailController,
        ApiKeysController,
        AdminArticlesController,
        EmbedController,
        WebhooksController,
        FeedsController,
      ],
      providers: [
        AuthGuard,
        RolesGuard,
        EventsGateway,
        SocketSessions,
        ThreadHealthPush,
        PostingAdmission,
        { provide: APP_FILTER, useClass: ProblemFilter },
        { provide: APP_INTERCEPTOR, useClass: InFlightInterceptor },
      ],
    };
  }
}
