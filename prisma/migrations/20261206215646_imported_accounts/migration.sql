-- AlterTable
ALTER TABLE "users" ADD COLUMN     "claim_email" TEXT,
ADD COLUMN     "display_name" TEXT,
ADD COLUMN     "imported_from" TEXT;

-- CreateIndex
CREATE INDEX "users_claim_email_idx" ON "users"("claim_email");
