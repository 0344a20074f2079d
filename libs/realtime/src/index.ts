export * from './realtime.types.js';
export * from './realtime.service.js';
export * from './realtime.module.js';
export { Subscription } from './article-stream.js';
