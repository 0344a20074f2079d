export * from './error-codes.js';
export * from './domain-error.js';
export * from './problem.js';
export * from './unavailable.js';
