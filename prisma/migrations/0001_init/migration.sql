-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "sync_checkpoint" (
    "id" INTEGER NOT NULL,
    "chain_id" BIGINT NOT NULL,
    "contracts" TEXT NOT NULL,
    "block_number" BIGINT NOT NULL,
    "block_hash" TEXT NOT NULL,

    CONSTRAINT "sync_checkpoint_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sync_blocks" (
    "number" BIGINT NOT NULL,
    "hash" TEXT NOT NULL,
    "parent_hash" TEXT NOT NULL,

    CONSTRAINT "sync_blocks_pkey" PRIMARY KEY ("number")
);

-- CreateTable
CREATE TABLE "blocks" (
    "number" BIGINT NOT NULL,
    "hash" TEXT NOT NULL,
    "timestamp" BIGINT NOT NULL,

    CONSTRAINT "blocks_pkey" PRIMARY KEY ("number")
);

-- CreateTable
CREATE TABLE "profiles" (
    "id" DECIMAL(78,0) NOT NULL,
    "owner" TEXT NOT NULL,
    "handle" TEXT NOT NULL,
    "metadata_uri" TEXT NOT NULL,
    "recovery" TEXT,
    "pending_owner" TEXT,
    "block_number" BIGINT NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "updated_block_number" BIGINT NOT NULL,
    "updated_tx_hash" TEXT NOT NULL,
    "updated_log_index" INTEGER NOT NULL,

    CONSTRAINT "profiles_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "profile_registrations" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "profile_id" DECIMAL(78,0) NOT NULL,
    "owner" TEXT NOT NULL,
    "handle" TEXT NOT NULL,
    "metadata_uri" TEXT NOT NULL,

    CONSTRAINT "profile_registrations_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateTable
CREATE TABLE "handle_changes" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "profile_id" DECIMAL(78,0) NOT NULL,
    "old_handle" TEXT NOT NULL,
    "new_handle" TEXT NOT NULL,

    CONSTRAINT "handle_changes_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateTable
CREATE TABLE "metadata_changes" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "profile_id" DECIMAL(78,0) NOT NULL,
    "metadata_uri" TEXT NOT NULL,

    CONSTRAINT "metadata_changes_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateTable
CREATE TABLE "profile_transfer_offers" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "profile_id" DECIMAL(78,0) NOT NULL,
    "from_address" TEXT NOT NULL,
    "to_address" TEXT NOT NULL,

    CONSTRAINT "profile_transfer_offers_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateTable
CREATE TABLE "profile_transfers" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "profile_id" DECIMAL(78,0) NOT NULL,
    "from_address" TEXT NOT NULL,
    "to_address" TEXT NOT NULL,

    CONSTRAINT "profile_transfers_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateTable
CREATE TABLE "recovery_changes" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "profile_id" DECIMAL(78,0) NOT NULL,
    "recovery" TEXT NOT NULL,

    CONSTRAINT "recovery_changes_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateTable
CREATE TABLE "posts" (
    "id" DECIMAL(78,0) NOT NULL,
    "author_id" DECIMAL(78,0) NOT NULL,
    "parent_id" DECIMAL(78,0),
    "quoted_id" DECIMAL(78,0),
    "content_uri" TEXT NOT NULL,
    "block_number" BIGINT NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "retracted_block_number" BIGINT,
    "retracted_tx_hash" TEXT,
    "retracted_log_index" INTEGER,

    CONSTRAINT "posts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "post_retractions" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "author_id" DECIMAL(78,0) NOT NULL,
    "post_id" DECIMAL(78,0) NOT NULL,

    CONSTRAINT "post_retractions_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateTable
CREATE TABLE "follow_events" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "follower_id" DECIMAL(78,0) NOT NULL,
    "followed_id" DECIMAL(78,0) NOT NULL,
    "following" BOOLEAN NOT NULL,

    CONSTRAINT "follow_events_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateTable
CREATE TABLE "follows" (
    "follower_id" DECIMAL(78,0) NOT NULL,
    "followed_id" DECIMAL(78,0) NOT NULL,
    "block_number" BIGINT NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "log_index" INTEGER NOT NULL,

    CONSTRAINT "follows_pkey" PRIMARY KEY ("follower_id","followed_id")
);

-- CreateTable
CREATE TABLE "reaction_events" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "profile_id" DECIMAL(78,0) NOT NULL,
    "post_id" DECIMAL(78,0) NOT NULL,
    "kind" INTEGER NOT NULL,

    CONSTRAINT "reaction_events_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateTable
CREATE TABLE "reactions" (
    "profile_id" DECIMAL(78,0) NOT NULL,
    "post_id" DECIMAL(78,0) NOT NULL,
    "kind" INTEGER NOT NULL,
    "block_number" BIGINT NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "log_index" INTEGER NOT NULL,

    CONSTRAINT "reactions_pkey" PRIMARY KEY ("profile_id","post_id")
);

-- CreateIndex
CREATE INDEX "profiles_owner_idx" ON "profiles"("owner");

-- CreateIndex
CREATE INDEX "profiles_handle_idx" ON "profiles"("handle");

-- CreateIndex
CREATE INDEX "profile_registrations_profile_id_idx" ON "profile_registrations"("profile_id");

-- CreateIndex
CREATE INDEX "handle_changes_profile_id_block_number_log_index_idx" ON "handle_changes"("profile_id", "block_number", "log_index");

-- CreateIndex
CREATE INDEX "handle_changes_old_handle_idx" ON "handle_changes"("old_handle");

-- CreateIndex
CREATE INDEX "handle_changes_new_handle_idx" ON "handle_changes"("new_handle");

-- CreateIndex
CREATE INDEX "metadata_changes_profile_id_block_number_log_index_idx" ON "metadata_changes"("profile_id", "block_number", "log_index");

-- CreateIndex
CREATE INDEX "profile_transfer_offers_profile_id_block_number_log_index_idx" ON "profile_transfer_offers"("profile_id", "block_number", "log_index");

-- CreateIndex
CREATE INDEX "profile_transfers_profile_id_block_number_log_index_idx" ON "profile_transfers"("profile_id", "block_number", "log_index");

-- CreateIndex
CREATE INDEX "recovery_changes_profile_id_block_number_log_index_idx" ON "recovery_changes"("profile_id", "block_number", "log_index");

-- CreateIndex
CREATE INDEX "posts_author_id_block_number_log_index_idx" ON "posts"("author_id", "block_number", "log_index");

-- CreateIndex
CREATE INDEX "posts_parent_id_idx" ON "posts"("parent_id");

-- CreateIndex
CREATE INDEX "posts_quoted_id_idx" ON "posts"("quoted_id");

-- CreateIndex
CREATE UNIQUE INDEX "posts_block_number_log_index_key" ON "posts"("block_number", "log_index");

-- CreateIndex
CREATE INDEX "post_retractions_post_id_idx" ON "post_retractions"("post_id");

-- CreateIndex
CREATE INDEX "follow_events_follower_id_followed_id_block_number_log_inde_idx" ON "follow_events"("follower_id", "followed_id", "block_number", "log_index");

-- CreateIndex
CREATE INDEX "follows_followed_id_idx" ON "follows"("followed_id");

-- CreateIndex
CREATE INDEX "reaction_events_profile_id_post_id_block_number_log_index_idx" ON "reaction_events"("profile_id", "post_id", "block_number", "log_index");

-- CreateIndex
CREATE INDEX "reactions_post_id_idx" ON "reactions"("post_id");

