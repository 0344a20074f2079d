-- The event log keeps ids, never a comment's text (ADR 14): drop the comment
-- snapshots that earlier events stored, so what a moderator took down, or an
-- author deleted or edited, is not kept at rest in the log either.
UPDATE "article_events"
SET "payload" = "payload" - 'comment' - 'tombstone'
WHERE "payload" ? 'comment' OR "payload" ? 'tombstone';

-- The moderators' feed finds the comment of a queue event by its id.
UPDATE "moderation_events"
SET "payload" = ("payload" - 'comment') || jsonb_build_object('commentId', "payload"->'comment'->>'id')
WHERE "payload" ? 'comment';

-- Held comments said `reason`; every comment.removed now says `reasonCode`.
UPDATE "article_events"
SET "payload" = ("payload" - 'reason') || jsonb_build_object('reasonCode', "payload"->'reason')
WHERE "type" = 'comment.removed' AND "payload" ? 'reason';
