-- CreateTable
CREATE TABLE "profile_tip_totals" (
    "profile_id" DECIMAL(78,0) NOT NULL,
    "token" TEXT NOT NULL,
    "amount" DECIMAL NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "profile_tip_totals_pkey" PRIMARY KEY ("profile_id","token")
);

-- CreateIndex
CREATE INDEX "tips_profile_id_token_tipper_idx" ON "tips"("profile_id", "token", "tipper");

-- CreateIndex
CREATE INDEX "profile_tip_totals_token_amount_profile_id_idx" ON "profile_tip_totals"("token", "amount", "profile_id");

-- CreateIndex
CREATE INDEX "profile_tip_totals_token_count_profile_id_idx" ON "profile_tip_totals"("token", "count", "profile_id");

-- Data: the totals of the tips indexed before this migration, as the tip jar's handler keeps them.
INSERT INTO "profile_tip_totals" ("profile_id", "token", "amount", "count")
SELECT "profile_id", "token", sum("amount"), count(*)::int
FROM "tips" GROUP BY "profile_id", "token";
