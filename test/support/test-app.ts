import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@rejoinder/common';
import type { AppConfig } from '@rejoinder/common';
import { PrismaService } from '@rejoinder/db';
import { createApp } from '../../apps/api/src/server.js';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';

// Limits stay on in tests, set wide enough for suites that post and register
// fast from one address; the defaults are tested on their own.
export const TEST_LIMITS = {
  RATE_COMMENTS_PER_USER: '1000',
  RATE_COMMENTS_PER_USER_WINDOW: '1',
  RATE_COMMENTS_PER_NEW_USER: '1000',
  RATE_COMMENTS_PER_NEW_USER_WINDOW: '1',
  RATE_COMMENTS_PER_IP: '100000',
  RATE_AUTH_PER_IP: '100000',
  RATE_DIGESTS_PER_IP: '100000',
  SOCKET_CONNECTIONS_PER_IP: '100000',
  // Suites post fast to one article: automatic slow mode is tested on its own.
  SLOW_MODE_AUTO_COMMENTS_PER_MINUTE: '0',
  SLOW_MODE_AUTO_REPORTS_PER_MINUTE: '0',
  // Test files share one database: only the webhook tests send deliveries.
  WEBHOOK_SENDER: 'false',
};

export interface TestApp {
  app: NestFastifyApplication;
  url: string;
  prisma: PrismaService;
  config: AppConfig;
  close(): Promise<void>;
}

export function testConfig(overrides: Record<string, string> = {}): AppConfig {
  return loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: requireEnv('TEST_DATABASE_URL'),
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    SEED: 'false',
    DATABASE_POOL_SIZE: '5',
    ...TEST_LIMITS,
    ...overrides,
  });
}

// The real application on a real port, against the run's test database.
export async function startTestApp(overrides: Record<string, string> = {}): Promise<TestApp> {
  const config = testConfig(overrides);
  const app = await createApp(config, config.DATABASE_URL!);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return {
    app,
    url: `http://127.0.0.1:${address.port}`,
    prisma: app.get(PrismaService),
    config,
    close: () => app.close(),
  };
}

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through Jest's globalSetup`);
  return value;
}
