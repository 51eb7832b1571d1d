-- AlterTable
ALTER TABLE "profiles" ADD COLUMN     "handle_bytes" BYTEA,
ADD COLUMN     "metadata_uri_bytes" BYTEA;

-- AlterTable
ALTER TABLE "profile_registrations" ADD COLUMN     "handle_bytes" BYTEA,
ADD COLUMN     "metadata_uri_bytes" BYTEA;

-- AlterTable
ALTER TABLE "handle_changes" ADD COLUMN     "new_handle_bytes" BYTEA,
ADD COLUMN     "old_handle_bytes" BYTEA;

-- AlterTable
ALTER TABLE "metadata_changes" ADD COLUMN     "metadata_uri_bytes" BYTEA;

-- AlterTable
ALTER TABLE "posts" ADD COLUMN     "content_uri_bytes" BYTEA;

-- AlterTable
ALTER TABLE "coin_launches" ADD COLUMN     "handle_bytes" BYTEA;

-- AlterTable
ALTER TABLE "coins" ADD COLUMN     "handle_bytes" BYTEA;

-- AlterTable
ALTER TABLE "tips" ADD COLUMN     "message_bytes" BYTEA;

-- AlterTable
ALTER TABLE "proposals" ADD COLUMN     "description_bytes" BYTEA,
ADD COLUMN     "signatures_bytes" BYTEA[];

-- AlterTable
ALTER TABLE "votes" ADD COLUMN     "reason_bytes" BYTEA;

