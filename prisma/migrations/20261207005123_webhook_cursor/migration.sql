-- AlterTable
-- Events already in the log get this migration's transaction id.
ALTER TABLE "article_events" ADD COLUMN     "tx" xid8 NOT NULL DEFAULT pg_current_xact_id();

-- CreateTable
CREATE TABLE "webhook_cursor" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "tx" xid8 NOT NULL DEFAULT pg_snapshot_xmin(pg_current_snapshot()),
    "article_id" UUID NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000'::uuid,
    "seq" INTEGER NOT NULL DEFAULT 0,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_cursor_pkey" PRIMARY KEY ("id")
);

-- Where deliveries had begun, they go on after every event already in the
-- log (each article's events up to its old position were delivered; stop the
-- servers once the senders have caught up before migrating).
INSERT INTO "webhook_cursor" ("id", "tx", "article_id", "seq", "started_at")
SELECT 1, pg_current_xact_id(), 'ffffffff-ffff-ffff-ffff-ffffffffffff', 2147483647, "started_at"
FROM "webhook_epoch";

-- DropTable
DROP TABLE "webhook_epoch";

-- DropTable
DROP TABLE "webhook_positions";

-- CreateIndex
CREATE INDEX "article_events_tx_idx" ON "article_events"("tx", "article_id", "seq");
