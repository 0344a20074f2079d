import 'reflect-metadata';
import { ConfigError, loadConfig, requireSupportedNode } from '@rejoinder/common';
import type { AppConfig } from '@rejoinder/common';
import { createLogger } from './logger.js';
import { startServer } from './server.js';
import { startTracing } from './tracing.js';

function configOrExit(): AppConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}

function portInUse(error: unknown, config: AppConfig): { port: number; variable: string } | null {
  const { code, port } = (error ?? {}) as { code?: unknown; port?: unknown };
  if (code !== 'EADDRINUSE' || typeof port !== 'number') return null;
  const settings = { EMBEDDED_PG_PORT: config.EMBEDDED_PG_PORT, METRICS_PORT: config.METRICS_PORT, PORT: config.PORT };
  const variable = Object.entries(settings).find(([, value]) => value === port)?.[0] ?? 'PORT';
  return { port, variable };
}

async function main(): Promise<void> {
  requireSupportedNode();
  const config = configOrExit();
  const logger = createLogger(config);
  const tracing = await startTracing();
  const server = await startServer(config, logger).catch((error: unknown) => {
    // A port in use is a line naming the port and its setting, not a stack.
    const port = portInUse(error, config);
    if (!port) throw error;
    logger.error(
      { port: port.port, variable: port.variable },
      `Port ${port.port} is in use (${port.variable}): stop what listens there, or set ${port.variable} to another port`,
    );
    process.exit(1);
  });
  logger.info({ url: server.url }, `Rejoinder is serving on ${server.url} (API documentation: ${server.url}/docs)`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'Shutting down: no new connections, finishing requests in flight');
    const force = setTimeout(() => {
      logger.error({ timeoutMs: config.SHUTDOWN_TIMEOUT_MS }, 'Shutdown timed out; exiting');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS);
    force.unref();
    server
      .close()
      .then(() => tracing?.shutdown((details, message) => logger.warn(details, message)))
      .then(
        () => {
          logger.info('Stopped');
          process.exit(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'Shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
