-- AlterTable
ALTER TABLE "comments" ADD COLUMN     "lang" VARCHAR(35);
