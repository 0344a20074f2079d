import type { AuditRow } from './moderation.repository.js';

// An entry of the moderation log as moderators read it: who acted (a
// moderator, a service key, or the service itself), on what, and why.
export function fullEntry(row: AuditRow) {
  return {
    id: row.id,
    action: row.action,
    // null: the service acted by itself (automatic slow mode), or a service key did.
    moderator: row.moderatorId && row.apiKeyName === null ? { id: row.moderatorId, username: row.moderatorName } : null,
    // The service key that acted on the newsroom's behalf.
    apiKey: row.moderatorId && row.apiKeyName !== null ? { id: row.moderatorId, name: row.apiKeyName } : null,
    targetType: row.targetType,
    targetId: row.targetId,
    articleId: row.articleId,
    reasonCode: row.reasonCode,
    note: row.note,
    at: row.createdAt.toISOString(),
  };
}

// What readers may know: what was removed, when and why; not by whom.
export function publicEntry(row: AuditRow) {
  return {
    id: row.id,
    action: row.action,
    commentId: row.targetId,
    reasonCode: row.reasonCode,
    at: row.createdAt.toISOString(),
  };
}
