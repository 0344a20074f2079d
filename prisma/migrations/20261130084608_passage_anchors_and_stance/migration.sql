-- A top-level comment may quote a passage of the article and declare its stance;
-- articles count both (kept exact by writers, like comment_count).
-- CreateEnum
CREATE TYPE "Stance" AS ENUM ('agree', 'disagree', 'question', 'other');

-- AlterTable
ALTER TABLE "articles" ADD COLUMN     "passage_counts" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "stance_counts" JSONB NOT NULL DEFAULT '{}';

-- AlterTable
ALTER TABLE "comments" ADD COLUMN     "anchor_paragraph" INTEGER,
ADD COLUMN     "anchor_prefix" TEXT,
ADD COLUMN     "anchor_quote" TEXT,
ADD COLUMN     "anchor_suffix" TEXT,
ADD COLUMN     "stance" "Stance";

-- CreateIndex
CREATE INDEX "comments_passage_idx" ON "comments"("article_id", "anchor_paragraph", "listed", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "comments_stance_best_idx" ON "comments"("article_id", "stance", "depth", "listed", "best_score" DESC, "created_at" DESC, "id" DESC);
