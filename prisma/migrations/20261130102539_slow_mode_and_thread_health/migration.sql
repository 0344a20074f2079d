-- Automatic slow mode (who set the slow mode in force, why, since when, and the
-- moderators' setting), audit entries by the service itself (no moderator),
-- and the indexes the comment and report rates are measured with.
-- CreateEnum
CREATE TYPE "SlowModeSetting" AS ENUM ('auto', 'off', 'manual');

-- AlterTable
ALTER TABLE "articles" ADD COLUMN     "slow_mode_reason" TEXT,
ADD COLUMN     "slow_mode_setting" "SlowModeSetting" NOT NULL DEFAULT 'auto',
ADD COLUMN     "slow_mode_since" TIMESTAMPTZ(3),
ADD COLUMN     "slow_mode_source" TEXT;

-- AlterTable
ALTER TABLE "moderation_actions" ALTER COLUMN "moderator_id" DROP NOT NULL;

-- CreateIndex
CREATE INDEX "articles_slow_mode_idx" ON "articles"("slow_mode_source");

-- CreateIndex
CREATE INDEX "comments_article_time_idx" ON "comments"("article_id", "created_at");

-- CreateIndex
CREATE INDEX "reports_time_idx" ON "reports"("created_at");

-- A slow mode set before is a moderator's fixed interval.
UPDATE "articles" SET "slow_mode_setting" = 'manual', "slow_mode_source" = 'manual', "slow_mode_since" = now()
WHERE "slow_mode_seconds" > 0;
