-- CreateIndex
CREATE INDEX "users_updated_at_idx" ON "users"("updated_at");
