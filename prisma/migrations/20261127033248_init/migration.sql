-- CreateEnum
CREATE TYPE "Role" AS ENUM ('commenter', 'moderator', 'admin');

-- CreateEnum
CREATE TYPE "ArticleState" AS ENUM ('open', 'closed');

-- CreateEnum
CREATE TYPE "CommentStatus" AS ENUM ('published', 'pending', 'rejected', 'removed', 'deleted');

-- CreateEnum
CREATE TYPE "EventAudience" AS ENUM ('public', 'moderators', 'user');

-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL,
    "username" TEXT NOT NULL,
    "username_key" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "password_hash" TEXT NOT NULL,
    "role" "Role" NOT NULL DEFAULT 'commenter',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "articles" (
    "id" UUID NOT NULL,
    "slug" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "byline" TEXT NOT NULL,
    "published_at" TIMESTAMPTZ(3) NOT NULL,
    "source_url" TEXT,
    "body_source" TEXT NOT NULL,
    "body_html" TEXT NOT NULL,
    "state" "ArticleState" NOT NULL DEFAULT 'open',
    "premoderation" BOOLEAN NOT NULL DEFAULT false,
    "slow_mode_seconds" INTEGER NOT NULL DEFAULT 0,
    "comment_count" INTEGER NOT NULL DEFAULT 0,
    "last_seq" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "articles_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "comments" (
    "id" UUID NOT NULL,
    "article_id" UUID NOT NULL,
    "parent_id" UUID,
    "author_id" UUID NOT NULL,
    "path" UUID[],
    "depth" INTEGER NOT NULL,
    "status" "CommentStatus" NOT NULL DEFAULT 'published',
    "listed" BOOLEAN NOT NULL DEFAULT true,
    "body_source" TEXT NOT NULL,
    "body_html" TEXT NOT NULL,
    "reply_count" INTEGER NOT NULL DEFAULT 0,
    "descendant_count" INTEGER NOT NULL DEFAULT 0,
    "upvotes" INTEGER NOT NULL DEFAULT 0,
    "downvotes" INTEGER NOT NULL DEFAULT 0,
    "score" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "edited_at" TIMESTAMPTZ(3),

    CONSTRAINT "comments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "article_events" (
    "article_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "type" TEXT NOT NULL,
    "audience" "EventAudience" NOT NULL,
    "user_id" UUID,
    "comment_id" UUID,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "article_events_pkey" PRIMARY KEY ("article_id","seq")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_username_key" ON "users"("username");

-- CreateIndex
CREATE UNIQUE INDEX "users_username_key_key" ON "users"("username_key");

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE UNIQUE INDEX "articles_slug_key" ON "articles"("slug");

-- CreateIndex
CREATE INDEX "comments_thread_time_idx" ON "comments"("article_id", "parent_id", "listed", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "comments_thread_score_idx" ON "comments"("article_id", "parent_id", "listed", "score" DESC, "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "comments_parent_idx" ON "comments"("parent_id");

-- CreateIndex
CREATE INDEX "comments_path_idx" ON "comments" USING GIN ("path");

-- CreateIndex
CREATE INDEX "comments_author_idx" ON "comments"("author_id", "created_at");

-- AddForeignKey
ALTER TABLE "comments" ADD CONSTRAINT "comments_article_id_fkey" FOREIGN KEY ("article_id") REFERENCES "articles"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "comments" ADD CONSTRAINT "comments_parent_id_fkey" FOREIGN KEY ("parent_id") REFERENCES "comments"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "comments" ADD CONSTRAINT "comments_author_id_fkey" FOREIGN KEY ("author_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "article_events" ADD CONSTRAINT "article_events_article_id_fkey" FOREIGN KEY ("article_id") REFERENCES "articles"("id") ON DELETE CASCADE ON UPDATE CASCADE;
