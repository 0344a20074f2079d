export * from './transfer.format.js';
export * from './transfer.service.js';
export * from './disqus.js';
