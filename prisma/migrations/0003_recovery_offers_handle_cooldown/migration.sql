-- AlterTable
ALTER TABLE "profiles" ADD COLUMN     "next_recovery" TEXT,
ADD COLUMN     "offer_by_recovery" BOOLEAN,
ADD COLUMN     "offer_expires_at" BIGINT,
ADD COLUMN     "offered_at" BIGINT,
ADD COLUMN     "recovery_change_at" BIGINT;

-- AlterTable
ALTER TABLE "handle_changes" ADD COLUMN     "old_handle_free_at" BIGINT NOT NULL;

-- AlterTable
ALTER TABLE "profile_transfer_offers" DROP COLUMN "from_address",
ADD COLUMN     "expires_at" BIGINT NOT NULL,
ADD COLUMN     "recovery" TEXT;

-- AlterTable
ALTER TABLE "recovery_changes" ADD COLUMN     "change_at" BIGINT,
ADD COLUMN     "next_recovery" TEXT;

