export * from './privacy.module.js';
export * from './account-export.service.js';
export * from './account-erasure.service.js';
export * from './retention.service.js';
