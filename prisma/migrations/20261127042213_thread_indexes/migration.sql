-- DropIndex
DROP INDEX "comments_parent_idx";

-- DropIndex
DROP INDEX "comments_thread_score_idx";

-- DropIndex
DROP INDEX "comments_thread_time_idx";

-- CreateIndex
CREATE INDEX "comments_top_time_idx" ON "comments"("article_id", "depth", "listed", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "comments_top_score_idx" ON "comments"("article_id", "depth", "listed", "score" DESC, "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "comments_replies_idx" ON "comments"("parent_id", "listed", "created_at", "id");
