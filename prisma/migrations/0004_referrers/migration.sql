-- AlterTable
ALTER TABLE "trades" ADD COLUMN     "referrer" TEXT,
ADD COLUMN     "referrer_fee" DECIMAL(78,0) NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "tips" ADD COLUMN     "referrer" TEXT,
ADD COLUMN     "referrer_fee" DECIMAL(78,0) NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "referrer_withdrawals" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "referrer" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "to_address" TEXT NOT NULL,
    "amount" DECIMAL(78,0) NOT NULL,

    CONSTRAINT "referrer_withdrawals_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateIndex
CREATE INDEX "trades_referrer_idx" ON "trades"("referrer");

-- CreateIndex
CREATE INDEX "tips_referrer_idx" ON "tips"("referrer");

-- CreateIndex
CREATE INDEX "referrer_withdrawals_referrer_idx" ON "referrer_withdrawals"("referrer");
