export * from './webhooks.module.js';
export * from './webhooks.service.js';
export * from './webhook-sender.service.js';
export * from './webhook-events.js';
export * from './safe-http.js';
export * from './deliveries.repository.js';
