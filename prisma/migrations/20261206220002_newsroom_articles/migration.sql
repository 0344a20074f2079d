-- AlterTable
ALTER TABLE "articles" ADD COLUMN     "auto_closed_at" TIMESTAMPTZ(3),
ADD COLUMN     "closes_at" TIMESTAMPTZ(3),
ADD COLUMN     "closes_at_set" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "created_via" TEXT NOT NULL DEFAULT 'seed',
ADD COLUMN     "language" TEXT NOT NULL DEFAULT 'en',
ADD COLUMN     "section" TEXT;

-- CreateIndex
CREATE INDEX "articles_section_idx" ON "articles"("section", "published_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "articles_open_idx" ON "articles"("state", "published_at");

-- CreateIndex
CREATE INDEX "articles_created_via_idx" ON "articles"("created_via", "created_at");
