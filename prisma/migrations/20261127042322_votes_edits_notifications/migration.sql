-- AlterTable
ALTER TABLE "comments" ADD COLUMN     "best_score" DOUBLE PRECISION NOT NULL DEFAULT 0,
ADD COLUMN     "controversy" DOUBLE PRECISION NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "votes" (
    "comment_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "value" SMALLINT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "votes_pkey" PRIMARY KEY ("comment_id","user_id")
);

-- CreateTable
CREATE TABLE "comment_revisions" (
    "id" UUID NOT NULL,
    "comment_id" UUID NOT NULL,
    "body_source" TEXT NOT NULL,
    "body_html" TEXT NOT NULL,
    "replaced_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "comment_revisions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notifications" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "comment_id" UUID NOT NULL,
    "article_id" UUID NOT NULL,
    "actor_id" UUID NOT NULL,
    "read_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "notifications_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "comment_revisions_comment_id_replaced_at_idx" ON "comment_revisions"("comment_id", "replaced_at");

-- CreateIndex
CREATE INDEX "notifications_user_idx" ON "notifications"("user_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "notifications_unread_idx" ON "notifications"("user_id", "read_at");

-- CreateIndex
CREATE INDEX "comments_top_best_idx" ON "comments"("article_id", "depth", "listed", "best_score" DESC, "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "comments_top_controversy_idx" ON "comments"("article_id", "depth", "listed", "controversy" DESC, "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "comments_top_replies_idx" ON "comments"("article_id", "depth", "listed", "reply_count" DESC, "created_at" DESC, "id" DESC);

-- AddForeignKey
ALTER TABLE "votes" ADD CONSTRAINT "votes_comment_id_fkey" FOREIGN KEY ("comment_id") REFERENCES "comments"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "votes" ADD CONSTRAINT "votes_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "comment_revisions" ADD CONSTRAINT "comment_revisions_comment_id_fkey" FOREIGN KEY ("comment_id") REFERENCES "comments"("id") ON DELETE CASCADE ON UPDATE CASCADE;
