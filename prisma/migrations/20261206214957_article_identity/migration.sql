-- AlterTable
ALTER TABLE "articles" ADD COLUMN     "external_id" TEXT,
ADD COLUMN     "url_key" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "articles_external_id_key" ON "articles"("external_id");

-- CreateIndex
CREATE UNIQUE INDEX "articles_url_key_key" ON "articles"("url_key");
