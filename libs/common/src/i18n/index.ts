export * from './locales.js';
export * from './negotiate.js';
