-- DropIndex
DROP INDEX "posts_parent_id_idx";

-- DropIndex
DROP INDEX "posts_quoted_id_idx";

-- DropIndex
DROP INDEX "follows_followed_id_idx";

-- DropIndex
DROP INDEX "reactions_post_id_idx";

-- CreateTable
CREATE TABLE "coin_launches" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "profile_id" DECIMAL(78,0) NOT NULL,
    "coin" TEXT NOT NULL,
    "launcher" TEXT NOT NULL,
    "handle" TEXT NOT NULL,
    "creator_fee_bps" INTEGER NOT NULL,

    CONSTRAINT "coin_launches_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateTable
CREATE TABLE "coins" (
    "address" TEXT NOT NULL,
    "profile_id" DECIMAL(78,0) NOT NULL,
    "launcher" TEXT NOT NULL,
    "handle" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "symbol" TEXT NOT NULL,
    "creator_fee_bps" INTEGER NOT NULL,
    "supply" DECIMAL(78,0) NOT NULL,
    "reserve" DECIMAL(78,0) NOT NULL,
    "price" DECIMAL(78,0) NOT NULL,
    "market_cap" DECIMAL(78,0) NOT NULL,
    "trade_count" INTEGER NOT NULL,
    "holder_count" INTEGER NOT NULL,
    "volume" DECIMAL(78,0) NOT NULL,
    "block_number" BIGINT NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "timestamp" BIGINT NOT NULL,
    "last_trade_block_number" BIGINT,
    "last_trade_timestamp" BIGINT,

    CONSTRAINT "coins_pkey" PRIMARY KEY ("address")
);

-- CreateTable
CREATE TABLE "trades" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "timestamp" BIGINT NOT NULL,
    "coin" TEXT NOT NULL,
    "trader" TEXT NOT NULL,
    "recipient" TEXT NOT NULL,
    "is_buy" BOOLEAN NOT NULL,
    "coin_amount" DECIMAL(78,0) NOT NULL,
    "eth_amount" DECIMAL(78,0) NOT NULL,
    "protocol_fee" DECIMAL(78,0) NOT NULL,
    "creator_fee" DECIMAL(78,0) NOT NULL,
    "supply_after" DECIMAL(78,0) NOT NULL,
    "reserve_after" DECIMAL(78,0) NOT NULL,
    "price_after" DECIMAL(78,0) NOT NULL,

    CONSTRAINT "trades_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateTable
CREATE TABLE "coin_transfers" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "coin" TEXT NOT NULL,
    "from_address" TEXT NOT NULL,
    "to_address" TEXT NOT NULL,
    "value" DECIMAL(78,0) NOT NULL,

    CONSTRAINT "coin_transfers_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateTable
CREATE TABLE "holdings" (
    "coin" TEXT NOT NULL,
    "holder" TEXT NOT NULL,
    "balance" DECIMAL(78,0) NOT NULL,

    CONSTRAINT "holdings_pkey" PRIMARY KEY ("coin","holder")
);

-- CreateTable
CREATE TABLE "creator_fee_schedules" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "coin" TEXT NOT NULL,
    "current_bps" INTEGER NOT NULL,
    "new_bps" INTEGER NOT NULL,
    "effective_at" BIGINT NOT NULL,

    CONSTRAINT "creator_fee_schedules_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateTable
CREATE TABLE "creator_fee_withdrawals" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "coin" TEXT NOT NULL,
    "owner" TEXT NOT NULL,
    "to_address" TEXT NOT NULL,
    "amount" DECIMAL(78,0) NOT NULL,

    CONSTRAINT "creator_fee_withdrawals_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateTable
CREATE TABLE "coin_protocol_fee_sweeps" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "coin" TEXT NOT NULL,
    "caller" TEXT NOT NULL,
    "amount" DECIMAL(78,0) NOT NULL,

    CONSTRAINT "coin_protocol_fee_sweeps_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateTable
CREATE TABLE "coin_protocol_fee_changes" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "old_bps" INTEGER NOT NULL,
    "new_bps" INTEGER NOT NULL,

    CONSTRAINT "coin_protocol_fee_changes_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateTable
CREATE TABLE "tips" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "timestamp" BIGINT NOT NULL,
    "profile_id" DECIMAL(78,0) NOT NULL,
    "post_id" DECIMAL(78,0),
    "tipper" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "amount" DECIMAL(78,0) NOT NULL,
    "fee" DECIMAL(78,0) NOT NULL,
    "message" TEXT NOT NULL,

    CONSTRAINT "tips_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateTable
CREATE TABLE "tip_credits" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "profile_id" DECIMAL(78,0) NOT NULL,
    "amount" DECIMAL(78,0) NOT NULL,
    "claimable" DECIMAL(78,0) NOT NULL,

    CONSTRAINT "tip_credits_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateTable
CREATE TABLE "tip_claims" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "profile_id" DECIMAL(78,0) NOT NULL,
    "to_address" TEXT NOT NULL,
    "amount" DECIMAL(78,0) NOT NULL,

    CONSTRAINT "tip_claims_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateTable
CREATE TABLE "tip_fee_sweeps" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "creator_id" DECIMAL(78,0) NOT NULL,
    "token" TEXT NOT NULL,
    "amount" DECIMAL(78,0) NOT NULL,

    CONSTRAINT "tip_fee_sweeps_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateTable
CREATE TABLE "tip_fee_changes" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "old_fee_bps" INTEGER NOT NULL,
    "new_fee_bps" INTEGER NOT NULL,

    CONSTRAINT "tip_fee_changes_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateTable
CREATE TABLE "revenue_deposits" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "timestamp" BIGINT NOT NULL,
    "token" TEXT NOT NULL,
    "from_address" TEXT NOT NULL,
    "creator_id" DECIMAL(78,0) NOT NULL,
    "amount" DECIMAL(78,0) NOT NULL,
    "creator_credit" DECIMAL(78,0) NOT NULL,
    "undistributed" DECIMAL(78,0) NOT NULL,

    CONSTRAINT "revenue_deposits_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateTable
CREATE TABLE "revenue_profile_credits" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "profile_id" DECIMAL(78,0) NOT NULL,
    "amount" DECIMAL(78,0) NOT NULL,
    "balance" DECIMAL(78,0) NOT NULL,

    CONSTRAINT "revenue_profile_credits_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateTable
CREATE TABLE "revenue_credits" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "account" TEXT NOT NULL,
    "amount" DECIMAL(78,0) NOT NULL,
    "balance" DECIMAL(78,0) NOT NULL,

    CONSTRAINT "revenue_credits_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateTable
CREATE TABLE "revenue_distributions" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "amount" DECIMAL(78,0) NOT NULL,
    "undistributed" DECIMAL(78,0) NOT NULL,

    CONSTRAINT "revenue_distributions_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateTable
CREATE TABLE "revenue_withdrawals" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "account" TEXT,
    "profile_id" DECIMAL(78,0),
    "to_address" TEXT NOT NULL,
    "amount" DECIMAL(78,0) NOT NULL,

    CONSTRAINT "revenue_withdrawals_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateTable
CREATE TABLE "allocation_changes" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "timestamp" BIGINT NOT NULL,
    "recipients" TEXT[],
    "bps" INTEGER[],
    "creator_share_bps" INTEGER NOT NULL,

    CONSTRAINT "allocation_changes_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateTable
CREATE TABLE "proposals" (
    "id" DECIMAL(78,0) NOT NULL,
    "proposer" TEXT NOT NULL,
    "targets" TEXT[],
    "values" DECIMAL(78,0)[],
    "signatures" TEXT[],
    "calldatas" TEXT[],
    "vote_start" BIGINT NOT NULL,
    "vote_end" BIGINT NOT NULL,
    "description" TEXT NOT NULL,
    "block_number" BIGINT NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "timestamp" BIGINT NOT NULL,
    "for_votes" DECIMAL(78,0) NOT NULL,
    "against_votes" DECIMAL(78,0) NOT NULL,
    "abstain_votes" DECIMAL(78,0) NOT NULL,
    "vote_count" INTEGER NOT NULL,
    "eta" BIGINT,
    "queued_block_number" BIGINT,
    "executed_block_number" BIGINT,
    "canceled_block_number" BIGINT,

    CONSTRAINT "proposals_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "proposal_lifecycle_events" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "proposal_id" DECIMAL(78,0) NOT NULL,
    "kind" TEXT NOT NULL,
    "eta" BIGINT,

    CONSTRAINT "proposal_lifecycle_events_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateTable
CREATE TABLE "votes" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "proposal_id" DECIMAL(78,0) NOT NULL,
    "voter" TEXT NOT NULL,
    "support" INTEGER NOT NULL,
    "weight" DECIMAL(78,0) NOT NULL,
    "reason" TEXT NOT NULL,
    "params" TEXT,

    CONSTRAINT "votes_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateTable
CREATE TABLE "governance_setting_changes" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "contract" TEXT NOT NULL,
    "setting" TEXT NOT NULL,
    "old_value" TEXT NOT NULL,
    "new_value" TEXT NOT NULL,

    CONSTRAINT "governance_setting_changes_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateTable
CREATE TABLE "timelock_operations" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "operation_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "call_index" DECIMAL(78,0),
    "target" TEXT,
    "value" DECIMAL(78,0),
    "data" TEXT,
    "delay" DECIMAL(78,0),

    CONSTRAINT "timelock_operations_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateTable
CREATE TABLE "governance_transfers" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "from_address" TEXT NOT NULL,
    "to_address" TEXT NOT NULL,
    "value" DECIMAL(78,0) NOT NULL,

    CONSTRAINT "governance_transfers_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateTable
CREATE TABLE "delegate_changes" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "delegator" TEXT NOT NULL,
    "from_delegate" TEXT NOT NULL,
    "to_delegate" TEXT NOT NULL,

    CONSTRAINT "delegate_changes_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateTable
CREATE TABLE "delegate_votes_changes" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "timestamp" BIGINT NOT NULL,
    "delegate" TEXT NOT NULL,
    "previous_votes" DECIMAL(78,0) NOT NULL,
    "new_votes" DECIMAL(78,0) NOT NULL,

    CONSTRAINT "delegate_votes_changes_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateTable
CREATE TABLE "governance_accounts" (
    "address" TEXT NOT NULL,
    "balance" DECIMAL(78,0) NOT NULL,
    "delegate" TEXT,
    "votes" DECIMAL(78,0) NOT NULL,
    "delegators" INTEGER NOT NULL,

    CONSTRAINT "governance_accounts_pkey" PRIMARY KEY ("address")
);

-- CreateIndex
CREATE INDEX "posts_parent_id_block_number_log_index_idx" ON "posts"("parent_id", "block_number", "log_index");

-- CreateIndex
CREATE INDEX "posts_quoted_id_block_number_log_index_idx" ON "posts"("quoted_id", "block_number", "log_index");

-- CreateIndex
CREATE INDEX "follows_followed_id_block_number_log_index_idx" ON "follows"("followed_id", "block_number", "log_index");

-- CreateIndex
CREATE INDEX "follows_follower_id_block_number_log_index_idx" ON "follows"("follower_id", "block_number", "log_index");

-- CreateIndex
CREATE INDEX "reactions_post_id_block_number_log_index_idx" ON "reactions"("post_id", "block_number", "log_index");

-- CreateIndex
CREATE INDEX "coin_launches_coin_idx" ON "coin_launches"("coin");

-- CreateIndex
CREATE INDEX "coins_profile_id_idx" ON "coins"("profile_id");

-- CreateIndex
CREATE INDEX "coins_market_cap_address_idx" ON "coins"("market_cap", "address");

-- CreateIndex
CREATE INDEX "coins_price_address_idx" ON "coins"("price", "address");

-- CreateIndex
CREATE INDEX "coins_holder_count_address_idx" ON "coins"("holder_count", "address");

-- CreateIndex
CREATE INDEX "trades_coin_block_number_log_index_idx" ON "trades"("coin", "block_number", "log_index");

-- CreateIndex
CREATE INDEX "trades_coin_timestamp_idx" ON "trades"("coin", "timestamp");

-- CreateIndex
CREATE INDEX "trades_trader_block_number_log_index_idx" ON "trades"("trader", "block_number", "log_index");

-- CreateIndex
CREATE INDEX "trades_timestamp_idx" ON "trades"("timestamp");

-- CreateIndex
CREATE INDEX "coin_transfers_coin_from_address_idx" ON "coin_transfers"("coin", "from_address");

-- CreateIndex
CREATE INDEX "coin_transfers_coin_to_address_idx" ON "coin_transfers"("coin", "to_address");

-- CreateIndex
CREATE INDEX "holdings_coin_balance_idx" ON "holdings"("coin", "balance");

-- CreateIndex
CREATE INDEX "holdings_holder_idx" ON "holdings"("holder");

-- CreateIndex
CREATE INDEX "creator_fee_schedules_coin_block_number_log_index_idx" ON "creator_fee_schedules"("coin", "block_number", "log_index");

-- CreateIndex
CREATE INDEX "creator_fee_withdrawals_coin_idx" ON "creator_fee_withdrawals"("coin");

-- CreateIndex
CREATE INDEX "coin_protocol_fee_sweeps_coin_idx" ON "coin_protocol_fee_sweeps"("coin");

-- CreateIndex
CREATE INDEX "tips_profile_id_block_number_log_index_idx" ON "tips"("profile_id", "block_number", "log_index");

-- CreateIndex
CREATE INDEX "tips_post_id_block_number_log_index_idx" ON "tips"("post_id", "block_number", "log_index");

-- CreateIndex
CREATE INDEX "tips_tipper_block_number_log_index_idx" ON "tips"("tipper", "block_number", "log_index");

-- CreateIndex
CREATE INDEX "tips_token_idx" ON "tips"("token");

-- CreateIndex
CREATE INDEX "tip_credits_profile_id_block_number_log_index_idx" ON "tip_credits"("profile_id", "block_number", "log_index");

-- CreateIndex
CREATE INDEX "tip_claims_profile_id_block_number_log_index_idx" ON "tip_claims"("profile_id", "block_number", "log_index");

-- CreateIndex
CREATE INDEX "revenue_deposits_token_idx" ON "revenue_deposits"("token");

-- CreateIndex
CREATE INDEX "revenue_deposits_creator_id_idx" ON "revenue_deposits"("creator_id");

-- CreateIndex
CREATE INDEX "revenue_profile_credits_profile_id_token_idx" ON "revenue_profile_credits"("profile_id", "token");

-- CreateIndex
CREATE INDEX "revenue_credits_account_token_idx" ON "revenue_credits"("account", "token");

-- CreateIndex
CREATE INDEX "revenue_distributions_token_idx" ON "revenue_distributions"("token");

-- CreateIndex
CREATE INDEX "revenue_withdrawals_account_idx" ON "revenue_withdrawals"("account");

-- CreateIndex
CREATE INDEX "revenue_withdrawals_profile_id_idx" ON "revenue_withdrawals"("profile_id");

-- CreateIndex
CREATE INDEX "proposals_proposer_idx" ON "proposals"("proposer");

-- CreateIndex
CREATE UNIQUE INDEX "proposals_block_number_log_index_key" ON "proposals"("block_number", "log_index");

-- CreateIndex
CREATE INDEX "proposal_lifecycle_events_proposal_id_idx" ON "proposal_lifecycle_events"("proposal_id");

-- CreateIndex
CREATE INDEX "votes_proposal_id_block_number_log_index_idx" ON "votes"("proposal_id", "block_number", "log_index");

-- CreateIndex
CREATE INDEX "votes_voter_idx" ON "votes"("voter");

-- CreateIndex
CREATE INDEX "governance_setting_changes_setting_block_number_log_index_idx" ON "governance_setting_changes"("setting", "block_number", "log_index");

-- CreateIndex
CREATE INDEX "timelock_operations_operation_id_idx" ON "timelock_operations"("operation_id");

-- CreateIndex
CREATE INDEX "governance_transfers_from_address_idx" ON "governance_transfers"("from_address");

-- CreateIndex
CREATE INDEX "governance_transfers_to_address_idx" ON "governance_transfers"("to_address");

-- CreateIndex
CREATE INDEX "delegate_changes_delegator_block_number_log_index_idx" ON "delegate_changes"("delegator", "block_number", "log_index");

-- CreateIndex
CREATE INDEX "delegate_votes_changes_delegate_block_number_log_index_idx" ON "delegate_votes_changes"("delegate", "block_number", "log_index");

-- CreateIndex
CREATE INDEX "governance_accounts_votes_address_idx" ON "governance_accounts"("votes", "address");

-- CreateIndex
CREATE INDEX "governance_accounts_delegate_idx" ON "governance_accounts"("delegate");
