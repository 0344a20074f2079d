-- AlterEnum
ALTER TYPE "CommentStatus" ADD VALUE 'shadowed';

-- CreateEnum
CREATE TYPE "EmailDomainAction" AS ENUM ('refuse', 'premoderate');

-- AlterTable
ALTER TABLE "articles" ADD COLUMN     "new_commenter_review" INTEGER;

-- AlterTable
ALTER TABLE "comments" ADD COLUMN     "hold_reasons" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- AlterTable
ALTER TABLE "reports" ADD COLUMN     "weight" SMALLINT NOT NULL DEFAULT 1;

-- AlterTable
ALTER TABLE "users" ADD COLUMN     "ghost_banned_at" TIMESTAMPTZ(3),
ADD COLUMN     "trust_computed_at" TIMESTAMPTZ(3),
ADD COLUMN     "trust_level" SMALLINT NOT NULL DEFAULT 0,
ADD COLUMN     "trust_level_pinned" SMALLINT;

-- CreateTable
CREATE TABLE "email_domain_rules" (
    "id" UUID NOT NULL,
    "domain" TEXT NOT NULL,
    "action" "EmailDomainAction" NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "email_domain_rules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "spam_checks" (
    "comment_id" UUID NOT NULL,
    "verdict" TEXT NOT NULL,
    "user_ip" TEXT,
    "user_agent" TEXT,
    "checked_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "spam_checks_pkey" PRIMARY KEY ("comment_id")
);

-- CreateTable
CREATE TABLE "spam_feedback_cursor" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "last_at" TIMESTAMPTZ(3),
    "last_id" UUID,

    CONSTRAINT "spam_feedback_cursor_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "email_domain_rules_domain_key" ON "email_domain_rules"("domain");

-- CreateIndex
CREATE INDEX "moderation_actions_target_idx" ON "moderation_actions"("target_id");
