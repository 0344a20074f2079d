export * from './mail.module.js';
export * from './account-mail.service.js';
export * from './mail-settings.service.js';
export * from './mail-deliveries.service.js';
export * from './mail.worker.js';
export { nextDigest } from './mail-notified-items.js';
export * from './mail.templates.js';
export * from './mail-links.js';
