export * from './moderation.module.js';
export * from './moderation.service.js';
export * from './word-lists.service.js';
export * from './dto/moderation.dto.js';
export { assertMayParticipate } from './sanctions.js';
export * from './health/thread-health.service.js';
export { SlowModeService } from './slow-mode/slow-mode.service.js';
export { ArticleClosingService } from './schedule/article-closing.service.js';
