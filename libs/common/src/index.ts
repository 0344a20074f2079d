export * from './errors/index.js';
export * from './config/app-config.js';
export * from './validation/zod-validation.pipe.js';
export * from './pagination/cursor.js';
export * from './events/domain-events.js';
export * from './rate-limit/rate-limits.js';
export * from './redis/redis-connection.js';
export * from './events/event-catalogue.js';
