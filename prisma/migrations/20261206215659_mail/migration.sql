-- AlterTable
ALTER TABLE "users" ADD COLUMN     "email_undeliverable_at" TIMESTAMPTZ(3),
ADD COLUMN     "email_verified_at" TIMESTAMPTZ(3),
ADD COLUMN     "sessions_valid_after" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "account_tokens" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "purpose" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "email" TEXT,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "account_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "mail_settings" (
    "user_id" UUID NOT NULL,
    "on_reply" BOOLEAN NOT NULL DEFAULT true,
    "on_staff_reply" BOOLEAN NOT NULL DEFAULT true,
    "on_moderation" BOOLEAN NOT NULL DEFAULT true,
    "on_featured" BOOLEAN NOT NULL DEFAULT true,
    "digest" TEXT NOT NULL DEFAULT 'off',
    "on_report" BOOLEAN NOT NULL DEFAULT false,
    "queue_age_minutes" INTEGER,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "mail_settings_pkey" PRIMARY KEY ("user_id")
);

-- CreateTable
CREATE TABLE "mail_outbox" (
    "id" BIGSERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "recipient_id" UUID NOT NULL,
    "cause" TEXT NOT NULL,
    "comment_id" UUID,
    "article_id" UUID,
    "data" JSONB NOT NULL DEFAULT '{}',
    "status" TEXT NOT NULL DEFAULT 'queued',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "leased_until" TIMESTAMPTZ(3),
    "message_id" TEXT,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "done_at" TIMESTAMPTZ(3),

    CONSTRAINT "mail_outbox_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "account_tokens_token_hash_key" ON "account_tokens"("token_hash");

-- CreateIndex
CREATE INDEX "account_tokens_user_idx" ON "account_tokens"("user_id", "purpose");

-- CreateIndex
CREATE INDEX "mail_outbox_due_idx" ON "mail_outbox"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "mail_outbox_done_idx" ON "mail_outbox"("done_at");

-- CreateIndex
CREATE UNIQUE INDEX "mail_outbox_cause_key" ON "mail_outbox"("kind", "cause", "recipient_id");

-- Mail owed by the article's event log, queued by the same transaction that
-- appends the event (so a crash loses nothing and a rollback queues nothing).
-- What a message shows is decided when it is sent, not here.
CREATE FUNCTION mail_owed_by_event() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  c RECORD;
BEGIN
  IF NEW.comment_id IS NULL THEN
    RETURN NULL;
  END IF;
  IF NEW.type = 'comment.created' AND NEW.audience = 'public' THEN
    SELECT id, author_id, parent_id, created_at INTO c FROM comments WHERE id = NEW.comment_id;
    IF NOT FOUND THEN
      RETURN NULL;
    END IF;
    -- A published reply tells its parent's author (not someone answering themself).
    -- A reply by staff falls under its own setting.
    INSERT INTO mail_outbox (kind, recipient_id, cause, comment_id, article_id, data)
      SELECT 'reply', p.author_id, c.id::text, c.id, NEW.article_id,
             jsonb_build_object('staff', u.role IN ('moderator', 'admin'))
      FROM comments p JOIN users u ON u.id = c.author_id
      WHERE p.id = c.parent_id AND p.author_id <> c.author_id
      ON CONFLICT DO NOTHING;
    -- Published after it was written: a moderator let a held comment through.
    IF NEW.created_at > c.created_at THEN
      INSERT INTO mail_outbox (kind, recipient_id, cause, comment_id, article_id)
      VALUES ('published', c.author_id, c.id::text || ':' || NEW.seq, c.id, NEW.article_id)
      ON CONFLICT DO NOTHING;
    END IF;
  ELSIF NEW.type = 'comment.removed' AND NEW.audience = 'user' AND NEW.payload->>'status' = 'rejected' THEN
    INSERT INTO mail_outbox (kind, recipient_id, cause, comment_id, article_id, data)
    VALUES ('rejected', NEW.user_id, NEW.comment_id::text || ':' || NEW.seq, NEW.comment_id, NEW.article_id,
            jsonb_build_object('reasonCode', NEW.payload->'reasonCode'))
    ON CONFLICT DO NOTHING;
  ELSIF NEW.type = 'queue.resolved' AND NEW.payload->>'action' = 'feature' THEN
    INSERT INTO mail_outbox (kind, recipient_id, cause, comment_id, article_id)
      SELECT 'featured', author_id, id::text, id, NEW.article_id FROM comments WHERE id = NEW.comment_id
      ON CONFLICT DO NOTHING;
  ELSIF NEW.type = 'queue.added' AND NEW.payload->>'queue' = 'reported' THEN
    -- Moderators who asked for report alerts.
    INSERT INTO mail_outbox (kind, recipient_id, cause, comment_id, article_id)
      SELECT 'report', s.user_id, NEW.comment_id::text || ':' || NEW.seq, NEW.comment_id, NEW.article_id
      FROM mail_settings s JOIN users u ON u.id = s.user_id
      WHERE s.on_report AND u.role IN ('moderator', 'admin')
      ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER article_events_mail AFTER INSERT ON article_events FOR EACH ROW
  WHEN (NEW.type IN ('comment.created', 'comment.removed', 'queue.resolved', 'queue.added'))
  EXECUTE FUNCTION mail_owed_by_event();


-- A local account's new or changed address is confirmed by a link sent to
-- it, and the address it replaces is told. Queued in the writing transaction.
CREATE FUNCTION mail_owed_by_address() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.password_hash IS NULL OR NEW.email IS NULL OR NEW.email_verified_at IS NOT NULL THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'UPDATE' AND NEW.email IS NOT DISTINCT FROM OLD.email THEN
    RETURN NULL;
  END IF;
  INSERT INTO mail_outbox (kind, recipient_id, cause, data)
  VALUES ('verify_email', NEW.id, gen_random_uuid()::text, jsonb_build_object('email', NEW.email));
  IF TG_OP = 'UPDATE' AND OLD.email IS NOT NULL THEN
    INSERT INTO mail_outbox (kind, recipient_id, cause, data)
    VALUES ('email_changed', NEW.id, gen_random_uuid()::text, jsonb_build_object('email', OLD.email, 'newEmail', NEW.email));
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER users_mail AFTER INSERT OR UPDATE OF email ON users FOR EACH ROW
  EXECUTE FUNCTION mail_owed_by_address();
