-- AlterTable
ALTER TABLE "users" ADD COLUMN     "external_issuer" TEXT,
ADD COLUMN     "external_subject" TEXT,
ALTER COLUMN "email" DROP NOT NULL,
ALTER COLUMN "password_hash" DROP NOT NULL;

-- CreateTable
CREATE TABLE "oidc_logins" (
    "state" TEXT NOT NULL,
    "code_verifier" TEXT NOT NULL,
    "nonce" TEXT NOT NULL,
    "redirect_uri" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "oidc_logins_pkey" PRIMARY KEY ("state")
);

-- CreateIndex
CREATE INDEX "oidc_logins_created_at_idx" ON "oidc_logins"("created_at");

-- CreateIndex
CREATE UNIQUE INDEX "users_external_identity_key" ON "users"("external_issuer", "external_subject");

-- The author of every erased account's comments: a placeholder with no
-- personal data, no password and no identity, so no one can sign in as it.
-- Its name cannot be registered (brackets are not allowed in usernames).
INSERT INTO "users" ("id", "username", "username_key", "email", "password_hash", "role", "created_at", "updated_at")
VALUES ('e4a5ed00-0000-4000-8000-000000000000', '[erased]', '[erased]', NULL, NULL, 'commenter', '1970-01-01T00:00:00Z', '1970-01-01T00:00:00Z')
ON CONFLICT DO NOTHING;
