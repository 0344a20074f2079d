-- CreateEnum
CREATE TYPE "ReportReason" AS ENUM ('spam', 'abuse', 'off_topic', 'illegal', 'other');

-- CreateEnum
CREATE TYPE "WordRuleAction" AS ENUM ('ban', 'suspect');

-- AlterTable
ALTER TABLE "comments" ADD COLUMN     "featured" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "moderation_reason" TEXT,
ADD COLUMN     "open_reports" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "pinned" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 1;

-- AlterTable
ALTER TABLE "users" ADD COLUMN     "banned_at" TIMESTAMPTZ(3),
ADD COLUMN     "premoderated" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "suspended_until" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "reports" (
    "id" UUID NOT NULL,
    "comment_id" UUID NOT NULL,
    "reporter_id" UUID NOT NULL,
    "reason" "ReportReason" NOT NULL,
    "note" TEXT,
    "resolved_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "reports_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "word_rules" (
    "id" UUID NOT NULL,
    "pattern" TEXT NOT NULL,
    "action" "WordRuleAction" NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "word_rules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "moderation_actions" (
    "id" UUID NOT NULL,
    "moderator_id" UUID NOT NULL,
    "action" TEXT NOT NULL,
    "target_type" TEXT NOT NULL,
    "target_id" UUID NOT NULL,
    "article_id" UUID,
    "reason_code" TEXT,
    "note" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "moderation_actions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "reports_comment_id_reporter_id_key" ON "reports"("comment_id", "reporter_id");

-- CreateIndex
CREATE UNIQUE INDEX "word_rules_pattern_key" ON "word_rules"("pattern");

-- CreateIndex
CREATE INDEX "moderation_actions_article_idx" ON "moderation_actions"("article_id", "created_at");

-- CreateIndex
CREATE INDEX "moderation_actions_time_idx" ON "moderation_actions"("created_at", "id");

-- CreateIndex
CREATE INDEX "comments_status_idx" ON "comments"("status", "created_at", "id");

-- CreateIndex
CREATE INDEX "comments_reported_idx" ON "comments"("open_reports", "created_at", "id");

-- CreateIndex
CREATE INDEX "comments_pinned_idx" ON "comments"("article_id", "pinned");

-- AddForeignKey
ALTER TABLE "reports" ADD CONSTRAINT "reports_comment_id_fkey" FOREIGN KEY ("comment_id") REFERENCES "comments"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "reports" ADD CONSTRAINT "reports_reporter_id_fkey" FOREIGN KEY ("reporter_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
