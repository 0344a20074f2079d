import 'reflect-metadata';
import { ConfigError, loadConfig } from '@rejoinder/common';
import { startServer } from './server.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const server = await startServer(config);
  server.app.getHttpAdapter().getInstance().log.info?.(`listening on ${server.url}`);
  console.log(JSON.stringify({ level: 30, time: Date.now(), msg: `Rejoinder is serving on ${server.url} (API docs: ${server.url}/docs)` }));

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(JSON.stringify({ level: 30, time: Date.now(), msg: `${signal}: shutting down` }));
    // In-flight requests get SHUTDOWN_TIMEOUT_MS to finish.
    const force = setTimeout(() => {
      console.error(JSON.stringify({ level: 50, time: Date.now(), msg: 'Shutdown timed out; exiting' }));
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS);
    force.unref();
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
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
