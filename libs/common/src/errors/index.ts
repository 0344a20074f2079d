export * from './error-codes.js';
export * from './error-descriptions.js';
export * from './domain-error.js';
export * from './problem.js';
export * from './unavailable.js';
