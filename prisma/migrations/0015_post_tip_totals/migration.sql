-- CreateTable
CREATE TABLE "post_tip_totals" (
    "post_id" DECIMAL(78,0) NOT NULL,
    "token" TEXT NOT NULL,
    "amount" DECIMAL NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "post_tip_totals_pkey" PRIMARY KEY ("post_id","token")
);

-- DropIndex
DROP INDEX "tips_token_idx";

-- CreateIndex
CREATE INDEX "tips_post_id_token_tipper_idx" ON "tips"("post_id", "token", "tipper");

-- CreateIndex
CREATE INDEX "tips_token_timestamp_idx" ON "tips"("token", "timestamp");

-- CreateIndex
CREATE INDEX "post_tip_totals_token_amount_post_id_idx" ON "post_tip_totals"("token", "amount", "post_id");

-- CreateIndex
CREATE INDEX "post_tip_totals_token_count_post_id_idx" ON "post_tip_totals"("token", "count", "post_id");

-- Data: the totals of the tips to posts indexed before this migration, as the tip jar's handler
-- keeps them.
INSERT INTO "post_tip_totals" ("post_id", "token", "amount", "count")
SELECT "post_id", "token", sum("amount"), count(*)::int
FROM "tips" WHERE "post_id" IS NOT NULL GROUP BY "post_id", "token";
