import pino, { Logger } from 'pino';
import type { AppConfig } from '@rejoinder/common';

// One JSON logger for the whole process: boot, HTTP requests and Nest's own
// messages all go through it, so every line is structured.
export function createLogger(config: Pick<AppConfig, 'LOG_LEVEL'>): Logger {
  return pino({
    level: config.LOG_LEVEL,
    base: { service: 'rejoinder' },
    redact: ['req.headers.authorization', 'req.headers.cookie'],
  });
}
