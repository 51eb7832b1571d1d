-- AlterTable
ALTER TABLE "sync_checkpoint" ADD COLUMN     "block_timestamp" BIGINT;

-- CreateIndex
CREATE INDEX "timelock_operations_tx_hash_idx" ON "timelock_operations"("tx_hash");

