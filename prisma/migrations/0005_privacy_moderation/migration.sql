-- CreateTable
CREATE TABLE "profile_block_events" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "profile_id" DECIMAL(78,0) NOT NULL,
    "target_id" DECIMAL(78,0) NOT NULL,
    "blocked" BOOLEAN NOT NULL,

    CONSTRAINT "profile_block_events_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateTable
CREATE TABLE "profile_blocks" (
    "profile_id" DECIMAL(78,0) NOT NULL,
    "target_id" DECIMAL(78,0) NOT NULL,
    "block_number" BIGINT NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "log_index" INTEGER NOT NULL,

    CONSTRAINT "profile_blocks_pkey" PRIMARY KEY ("profile_id","target_id")
);

-- CreateTable
CREATE TABLE "profile_mute_events" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "profile_id" DECIMAL(78,0) NOT NULL,
    "target_id" DECIMAL(78,0) NOT NULL,
    "muted" BOOLEAN NOT NULL,

    CONSTRAINT "profile_mute_events_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateTable
CREATE TABLE "profile_mutes" (
    "profile_id" DECIMAL(78,0) NOT NULL,
    "target_id" DECIMAL(78,0) NOT NULL,
    "block_number" BIGINT NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "log_index" INTEGER NOT NULL,

    CONSTRAINT "profile_mutes_pkey" PRIMARY KEY ("profile_id","target_id")
);

-- CreateTable
CREATE TABLE "moderation_lists" (
    "id" DECIMAL(78,0) NOT NULL,
    "owner_id" DECIMAL(78,0) NOT NULL,
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "name_block_number" BIGINT NOT NULL,
    "name_log_index" INTEGER NOT NULL,

    CONSTRAINT "moderation_lists_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "moderation_list_names" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "list_id" DECIMAL(78,0) NOT NULL,
    "name" TEXT NOT NULL,
    "name_bytes" BYTEA,

    CONSTRAINT "moderation_list_names_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateTable
CREATE TABLE "conversations" (
    "profile_id" DECIMAL(78,0) NOT NULL,
    "counterpart_id" DECIMAL(78,0) NOT NULL,
    "message_count" INTEGER NOT NULL,
    "last_block_number" BIGINT NOT NULL,
    "last_log_index" INTEGER NOT NULL,

    CONSTRAINT "conversations_pkey" PRIMARY KEY ("profile_id","counterpart_id")
);

-- CreateTable
CREATE TABLE "moderation_list_member_events" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "list_id" DECIMAL(78,0) NOT NULL,
    "member_id" DECIMAL(78,0) NOT NULL,
    "added" BOOLEAN NOT NULL,

    CONSTRAINT "moderation_list_member_events_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateTable
CREATE TABLE "moderation_list_members" (
    "list_id" DECIMAL(78,0) NOT NULL,
    "member_id" DECIMAL(78,0) NOT NULL,
    "block_number" BIGINT NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "log_index" INTEGER NOT NULL,

    CONSTRAINT "moderation_list_members_pkey" PRIMARY KEY ("list_id","member_id")
);

-- CreateTable
CREATE TABLE "moderation_list_subscription_events" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "profile_id" DECIMAL(78,0) NOT NULL,
    "list_id" DECIMAL(78,0) NOT NULL,
    "subscribed" BOOLEAN NOT NULL,

    CONSTRAINT "moderation_list_subscription_events_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateTable
CREATE TABLE "moderation_list_subscriptions" (
    "profile_id" DECIMAL(78,0) NOT NULL,
    "list_id" DECIMAL(78,0) NOT NULL,
    "block_number" BIGINT NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "log_index" INTEGER NOT NULL,

    CONSTRAINT "moderation_list_subscriptions_pkey" PRIMARY KEY ("profile_id","list_id")
);

-- CreateTable
CREATE TABLE "messaging_key_events" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "timestamp" BIGINT NOT NULL,
    "profile_id" DECIMAL(78,0) NOT NULL,
    "key_version" DECIMAL(78,0) NOT NULL,
    "public_key" TEXT,

    CONSTRAINT "messaging_key_events_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateTable
CREATE TABLE "messages" (
    "block_number" BIGINT NOT NULL,
    "log_index" INTEGER NOT NULL,
    "tx_hash" TEXT NOT NULL,
    "timestamp" BIGINT NOT NULL,
    "from_id" DECIMAL(78,0) NOT NULL,
    "to_id" DECIMAL(78,0) NOT NULL,
    "ciphertext" BYTEA NOT NULL,

    CONSTRAINT "messages_pkey" PRIMARY KEY ("block_number","log_index")
);

-- CreateIndex
CREATE INDEX "profile_block_events_profile_id_target_id_block_number_log__idx" ON "profile_block_events"("profile_id", "target_id", "block_number", "log_index");

-- CreateIndex
CREATE INDEX "profile_blocks_target_id_idx" ON "profile_blocks"("target_id");

-- CreateIndex
CREATE INDEX "profile_mute_events_profile_id_target_id_block_number_log_i_idx" ON "profile_mute_events"("profile_id", "target_id", "block_number", "log_index");

-- CreateIndex
CREATE INDEX "profile_mutes_target_id_idx" ON "profile_mutes"("target_id");

-- CreateIndex
CREATE INDEX "moderation_lists_owner_id_idx" ON "moderation_lists"("owner_id");

-- CreateIndex
CREATE INDEX "moderation_lists_block_number_idx" ON "moderation_lists"("block_number");

-- CreateIndex
CREATE INDEX "moderation_list_names_list_id_block_number_log_index_idx" ON "moderation_list_names"("list_id", "block_number", "log_index");

-- CreateIndex
CREATE INDEX "conversations_profile_id_last_block_number_last_log_index_idx" ON "conversations"("profile_id", "last_block_number", "last_log_index");

-- CreateIndex
CREATE INDEX "moderation_list_member_events_list_id_member_id_block_numbe_idx" ON "moderation_list_member_events"("list_id", "member_id", "block_number", "log_index");

-- CreateIndex
CREATE INDEX "moderation_list_members_member_id_idx" ON "moderation_list_members"("member_id");

-- CreateIndex
CREATE INDEX "moderation_list_subscription_events_profile_id_list_id_bloc_idx" ON "moderation_list_subscription_events"("profile_id", "list_id", "block_number", "log_index");

-- CreateIndex
CREATE INDEX "moderation_list_subscriptions_list_id_idx" ON "moderation_list_subscriptions"("list_id");

-- CreateIndex
CREATE INDEX "messaging_key_events_profile_id_block_number_log_index_idx" ON "messaging_key_events"("profile_id", "block_number", "log_index");

-- CreateIndex
CREATE INDEX "messages_from_id_to_id_block_number_log_index_idx" ON "messages"("from_id", "to_id", "block_number", "log_index");

-- CreateIndex
CREATE INDEX "messages_to_id_from_id_block_number_log_index_idx" ON "messages"("to_id", "from_id", "block_number", "log_index");

