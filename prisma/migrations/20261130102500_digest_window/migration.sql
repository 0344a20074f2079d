-- "Catch me up" finds where its window starts by time: the last event of an
-- article before a moment.
-- CreateIndex
CREATE INDEX "article_events_time_idx" ON "article_events"("article_id", "created_at", "seq");
