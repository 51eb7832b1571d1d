-- CreateTable
CREATE TABLE "coin_fee_rate_changes" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "rate" TEXT NOT NULL,
    "old_bps" INTEGER NOT NULL,
    "new_bps" INTEGER NOT NULL,
    "logged_at" BIGINT NOT NULL,
    "effective_at" BIGINT NOT NULL,
    "superseded_block_number" BIGINT,
    "superseded_log_index" INTEGER,

    CONSTRAINT "coin_fee_rate_changes_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateIndex
CREATE INDEX "coin_fee_rate_changes_rate_block_number_log_index_idx" ON "coin_fee_rate_changes"("rate", "block_number", "log_index");

-- Backfill from the factory's changes already indexed, by the rule the indexer applies to new
-- ones (indexer/handlers/coins.ts): every block holding an event is in "blocks", so each change
-- has its block's timestamp; the first change of each rate is the constructor's; a change is
-- superseded by the next one of its rate if that one was logged before it took effect.
INSERT INTO "coin_fee_rate_changes"
  ("block_number", "log_index", "tx_hash", "rate", "old_bps", "new_bps", "logged_at", "effective_at")
SELECT c.block_number, c.log_index, c.tx_hash, c.rate, c.old_bps, c.new_bps, b.timestamp,
  b.timestamp + CASE
    WHEN row_number() OVER (PARTITION BY c.rate ORDER BY c.block_number, c.log_index) = 1 THEN 0
    ELSE 604800
  END
FROM (
  SELECT block_number, log_index, tx_hash, 'protocolFeeBps' AS rate, old_bps, new_bps
  FROM "coin_protocol_fee_changes"
  UNION ALL
  SELECT block_number, log_index, tx_hash, 'referrerShareBps', old_value::int, new_value::int
  FROM "governance_setting_changes"
  WHERE contract = 'CreatorCoinFactory' AND setting = 'referrerShareBps'
) c
JOIN "blocks" b ON b.number = c.block_number;

UPDATE "coin_fee_rate_changes" c
SET "superseded_block_number" = n.block_number, "superseded_log_index" = n.log_index
FROM (
  SELECT block_number, log_index, logged_at,
    lag(block_number) OVER w AS previous_block, lag(log_index) OVER w AS previous_log
  FROM "coin_fee_rate_changes"
  WINDOW w AS (PARTITION BY rate ORDER BY block_number, log_index)
) n
WHERE n.previous_block = c.block_number AND n.previous_log = c.log_index
  AND n.logged_at < c.effective_at;
