export * from './transfer.format.js';
export * from './transfer.service.js';
export * from './disqus.js';
export * from './wordpress.js';
export * from './remark42.js';
export * from './import-source.js';
export { handleBase } from './imported-handles.js';
