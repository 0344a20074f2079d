export * from './moderation.module.js';
export * from './moderation.service.js';
export * from './word-lists.service.js';
export * from './dto/moderation.dto.js';
export { assertMayParticipate } from './sanctions.js';
