-- CreateExtension
-- In public, once per database: every schema an index is built in (DATABASE_SCHEMA) finds it there.
CREATE EXTENSION IF NOT EXISTS "pg_trgm" WITH SCHEMA public;

-- CreateTable
CREATE TABLE "profile_counts" (
    "profile_id" DECIMAL(78,0) NOT NULL,
    "posts" INTEGER NOT NULL,
    "retracted_posts" INTEGER NOT NULL,
    "followers" INTEGER NOT NULL,
    "following" INTEGER NOT NULL,

    CONSTRAINT "profile_counts_pkey" PRIMARY KEY ("profile_id")
);

-- CreateTable
CREATE TABLE "content_resolutions" (
    "kind" TEXT NOT NULL,
    "uri_hash" BYTEA NOT NULL,
    "uri" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "error" TEXT,
    "content_type" TEXT,
    "size" INTEGER,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "display_name" TEXT,
    "bio" TEXT,
    "avatar" TEXT,
    "text" TEXT,
    "media" JSONB,
    "mentions" TEXT[],
    "tags" TEXT[],
    "search" tsvector,
    "queued_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolved_at" TIMESTAMPTZ(3),
    "next_attempt_at" TIMESTAMPTZ(3) DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "content_resolutions_pkey" PRIMARY KEY ("kind","uri_hash")
);

-- CreateIndex
CREATE INDEX "content_resolutions_next_attempt_at_idx" ON "content_resolutions"("next_attempt_at");

-- CreateIndex
CREATE INDEX "content_resolutions_display_name_trgm_idx" ON "content_resolutions" USING GIN ("display_name" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "content_resolutions_search_idx" ON "content_resolutions" USING GIN ("search");

-- CreateIndex
CREATE INDEX "profiles_handle_trgm_idx" ON "profiles" USING GIN ("handle" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "profiles_metadata_uri_idx" ON "profiles" USING HASH ("metadata_uri");

-- CreateIndex
CREATE INDEX "posts_content_uri_idx" ON "posts" USING HASH ("content_uri");


-- Data: the counts of profiles indexed before this migration (rows only where a count is not
-- zero, as the handlers keep them), and their URIs queued for the content resolver (only URIs
-- stored exactly: without _bytes).
INSERT INTO "profile_counts" ("profile_id", "posts", "retracted_posts", "followers", "following")
SELECT * FROM (
  SELECT pr.id,
    (SELECT count(*) FROM "posts" p WHERE p.author_id = pr.id)::int AS posts,
    (SELECT count(*) FROM "posts" p WHERE p.author_id = pr.id AND p.retracted_block_number IS NOT NULL)::int,
    (SELECT count(*) FROM "follows" f WHERE f.followed_id = pr.id)::int AS followers,
    (SELECT count(*) FROM "follows" f WHERE f.follower_id = pr.id)::int AS following
  FROM "profiles" pr
) counted WHERE posts > 0 OR followers > 0 OR following > 0;

INSERT INTO "content_resolutions" ("kind", "uri_hash", "uri")
SELECT DISTINCT 'profile', sha256(convert_to(metadata_uri, 'UTF8')), metadata_uri
FROM "profiles" WHERE metadata_uri_bytes IS NULL AND metadata_uri <> ''
ON CONFLICT DO NOTHING;

INSERT INTO "content_resolutions" ("kind", "uri_hash", "uri")
SELECT DISTINCT 'post', sha256(convert_to(content_uri, 'UTF8')), content_uri
FROM "posts" WHERE content_uri_bytes IS NULL AND content_uri <> ''
ON CONFLICT DO NOTHING;
