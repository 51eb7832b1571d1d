import type pg from "pg";
import { parseAbi } from "viem";
import { insertRows } from "../db/bulk";
import type { DecodedLog } from "../sync/decode";
import { queueContent } from "../content/queue";
import { stringArg, stringColumns } from "./rows";
import {
  deleteEventsAbove,
  insertEvents,
  TRACE_COLUMNS,
  uintArg,
  unique,
  type EventTable,
  type HandlerPart,
} from "./types";

/** Must match contracts/interfaces/ISocialGraph.sol (a test compares them). */
export const SOCIAL_GRAPH_EVENTS = parseAbi([
  "event Posted(uint256 indexed postId, string contentURI)",
  "event PostedWithRefs(uint256 indexed postId, uint256 indexed parentId, uint256 quotedId, string contentURI)",
  "event PostRetracted(uint256 indexed authorId, uint256 indexed postId)",
  "event Followed(uint256 indexed followerId, uint256 indexed followedId)",
  "event Unfollowed(uint256 indexed followerId, uint256 indexed followedId)",
  "event Reacted(uint256 indexed profileId, uint256 indexed postId, uint8 kind)",
]);

function optionalRef(log: DecodedLog, name: string): bigint | null {
  const value = log.args[name] as bigint | undefined;
  return value === undefined || value === 0n ? null : value;
}

const TABLES: readonly EventTable[] = [
  {
    table: "post_retractions",
    event: "PostRetracted",
    columns: [
      { name: "author_id", type: "numeric", value: (log) => uintArg(log, "authorId") },
      { name: "post_id", type: "numeric", value: (log) => uintArg(log, "postId") },
    ],
  },
  {
    table: "reaction_events",
    event: "Reacted",
    columns: [
      { name: "profile_id", type: "numeric", value: (log) => uintArg(log, "profileId") },
      { name: "post_id", type: "numeric", value: (log) => uintArg(log, "postId") },
      { name: "kind", type: "integer", value: (log) => Number(uintArg(log, "kind")) },
    ],
  },
];

const FOLLOW_COLUMNS = [
  ...TRACE_COLUMNS,
  { name: "follower_id", type: "numeric", value: (log: DecodedLog) => uintArg(log, "followerId") },
  { name: "followed_id", type: "numeric", value: (log: DecodedLog) => uintArg(log, "followedId") },
  { name: "following", type: "boolean", value: (log: DecodedLog) => log.event === "Followed" },
] as const;

// A post id is `authorId << 64 | sequence`; plain `Posted` has neither parent nor quote.
const POST_COLUMNS = [
  { name: "id", type: "numeric", value: (log: DecodedLog) => uintArg(log, "postId") },
  { name: "author_id", type: "numeric", value: (log: DecodedLog) => uintArg(log, "postId") >> 64n },
  { name: "parent_id", type: "numeric", value: (log: DecodedLog) => optionalRef(log, "parentId") },
  { name: "quoted_id", type: "numeric", value: (log: DecodedLog) => optionalRef(log, "quotedId") },
  ...stringColumns("content_uri", "contentURI"),
  ...TRACE_COLUMNS,
] as const;

/** A post is retracted from its first retraction on. */
async function recomputeRetractions(client: pg.PoolClient, postIds: string[]): Promise<void> {
  if (postIds.length === 0) return;
  await client.query(
    `UPDATE posts p SET retracted_block_number = r.block_number, retracted_tx_hash = r.tx_hash,
       retracted_log_index = r.log_index
     FROM posts q LEFT JOIN LATERAL (
       SELECT block_number, tx_hash, log_index FROM post_retractions
       WHERE post_id = q.id ORDER BY block_number, log_index LIMIT 1) r ON true
     WHERE p.id = q.id AND q.id = ANY($1::numeric[])`,
    [postIds],
  );
}

/** Follows whose latest event is `Followed`, for the given (follower, followed) pairs. */
async function recomputeFollows(
  client: pg.PoolClient,
  followers: string[],
  followeds: string[],
): Promise<void> {
  if (followers.length === 0) return;
  await client.query(
    `DELETE FROM follows f USING unnest($1::numeric[], $2::numeric[]) k(follower_id, followed_id)
     WHERE f.follower_id = k.follower_id AND f.followed_id = k.followed_id`,
    [followers, followeds],
  );
  await client.query(
    `INSERT INTO follows (follower_id, followed_id, block_number, tx_hash, log_index)
     SELECT follower_id, followed_id, block_number, tx_hash, log_index FROM (
       SELECT DISTINCT ON (e.follower_id, e.followed_id) e.*
       FROM follow_events e
       JOIN (SELECT DISTINCT * FROM unnest($1::numeric[], $2::numeric[]) AS k(follower_id, followed_id)) k
         ON e.follower_id = k.follower_id AND e.followed_id = k.followed_id
       ORDER BY e.follower_id, e.followed_id, e.block_number DESC, e.log_index DESC
     ) latest WHERE following`,
    [followers, followeds],
  );
}

/** Reactions whose latest event has a non-zero kind, for the given (profile, post) pairs. */
async function recomputeReactions(
  client: pg.PoolClient,
  profiles: string[],
  posts: string[],
): Promise<void> {
  if (profiles.length === 0) return;
  await client.query(
    `DELETE FROM reactions r USING unnest($1::numeric[], $2::numeric[]) k(profile_id, post_id)
     WHERE r.profile_id = k.profile_id AND r.post_id = k.post_id`,
    [profiles, posts],
  );
  await client.query(
    `INSERT INTO reactions (profile_id, post_id, kind, block_number, tx_hash, log_index)
     SELECT profile_id, post_id, kind, block_number, tx_hash, log_index FROM (
       SELECT DISTINCT ON (e.profile_id, e.post_id) e.*
       FROM reaction_events e
       JOIN (SELECT DISTINCT * FROM unnest($1::numeric[], $2::numeric[]) AS k(profile_id, post_id)) k
         ON e.profile_id = k.profile_id AND e.post_id = k.post_id
       ORDER BY e.profile_id, e.post_id, e.block_number DESC, e.log_index DESC
     ) latest WHERE kind <> 0`,
    [profiles, posts],
  );
}

/**
 * Rebuilds the counts of `ids` from the current tables. A profile has a row only while one of
 * its counts is not zero, so a rollback leaves the table as a fresh index would.
 */
async function recomputeCounts(client: pg.PoolClient, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await client.query(
    `WITH counted AS (
       SELECT k.id,
         (SELECT count(*) FROM posts WHERE author_id = k.id)::int AS posts,
         (SELECT count(*) FROM posts WHERE author_id = k.id AND retracted_block_number IS NOT NULL)::int AS retracted,
         (SELECT count(*) FROM follows WHERE followed_id = k.id)::int AS followers,
         (SELECT count(*) FROM follows WHERE follower_id = k.id)::int AS following
       FROM (SELECT DISTINCT unnest($1::numeric[]) AS id) k
     ), dropped AS (
       DELETE FROM profile_counts c USING counted
       WHERE c.profile_id = counted.id AND counted.posts = 0 AND counted.followers = 0
         AND counted.following = 0
     )
     INSERT INTO profile_counts (profile_id, posts, retracted_posts, followers, following)
     SELECT id, posts, retracted, followers, following FROM counted
     WHERE posts > 0 OR followers > 0 OR following > 0
     ON CONFLICT (profile_id) DO UPDATE SET posts = EXCLUDED.posts,
       retracted_posts = EXCLUDED.retracted_posts, followers = EXCLUDED.followers,
       following = EXCLUDED.following`,
    [ids],
  );
}

function pairs(rows: readonly { a: string; b: string }[]): [string[], string[]] {
  const seen = unique(rows.map((row) => `${row.a}:${row.b}`));
  return [seen.map((key) => key.split(":")[0]), seen.map((key) => key.split(":")[1])];
}

/** ISocialGraph: posts with replies, quotes and retractions; follows; reactions. */
export const socialGraphPart: HandlerPart = {
  events: SOCIAL_GRAPH_EVENTS,

  async apply(client, logs) {
    const posted = logs.filter((log) => log.event === "Posted" || log.event === "PostedWithRefs");
    const follows = logs.filter((log) => log.event === "Followed" || log.event === "Unfollowed");
    await insertRows(client, "posts", POST_COLUMNS, posted);
    await insertRows(client, "follow_events", FOLLOW_COLUMNS, follows);
    await insertEvents(client, TABLES, logs);
    await queueContent(
      client,
      "post",
      posted.map((log) => stringArg(log, "contentURI")),
    );

    const retracted = logs.filter((log) => log.event === "PostRetracted");
    await recomputeRetractions(
      client,
      unique(retracted.map((log) => uintArg(log, "postId").toString())),
    );
    await recomputeFollows(
      client,
      ...pairs(
        follows.map((log) => ({
          a: uintArg(log, "followerId").toString(),
          b: uintArg(log, "followedId").toString(),
        })),
      ),
    );
    const reacted = logs.filter((log) => log.event === "Reacted");
    await recomputeReactions(
      client,
      ...pairs(
        reacted.map((log) => ({
          a: uintArg(log, "profileId").toString(),
          b: uintArg(log, "postId").toString(),
        })),
      ),
    );
    await recomputeCounts(
      client,
      unique([
        ...posted.map((log) => (uintArg(log, "postId") >> 64n).toString()),
        ...retracted.map((log) => uintArg(log, "authorId").toString()),
        ...follows.flatMap((log) => [
          uintArg(log, "followerId").toString(),
          uintArg(log, "followedId").toString(),
        ]),
      ]),
    );
  },

  async rollback(client, ancestor) {
    const posts = await deleteEventsAbove<{ author_id: string }>(client, "posts", ancestor, [
      "author_id",
    ]);
    const retractions = await deleteEventsAbove<{ post_id: string; author_id: string }>(
      client,
      "post_retractions",
      ancestor,
      ["post_id", "author_id"],
    );
    const follows = await deleteEventsAbove<{ follower_id: string; followed_id: string }>(
      client,
      "follow_events",
      ancestor,
      ["follower_id", "followed_id"],
    );
    const reactions = await deleteEventsAbove<{ profile_id: string; post_id: string }>(
      client,
      "reaction_events",
      ancestor,
      ["profile_id", "post_id"],
    );
    await recomputeRetractions(client, unique(retractions.map((row) => row.post_id)));
    await recomputeFollows(
      client,
      ...pairs(follows.map((row) => ({ a: row.follower_id, b: row.followed_id }))),
    );
    await recomputeReactions(
      client,
      ...pairs(reactions.map((row) => ({ a: row.profile_id, b: row.post_id }))),
    );
    await recomputeCounts(
      client,
      unique([
        ...posts.map((row) => row.author_id),
        ...retractions.map((row) => row.author_id),
        ...follows.flatMap((row) => [row.follower_id, row.followed_id]),
      ]),
    );
  },
};
