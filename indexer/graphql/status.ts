import type { ApiContext, ApiModule } from "./context";
import { NOW_SQL } from "./shared";

const ETH = "'0x0000000000000000000000000000000000000000'";

/** Totals over the whole index, one statement (each count reads its table once). */
const STATS_SQL = `SELECT
  (SELECT count(*) FROM profiles)::int AS profiles,
  (SELECT count(*) FROM posts)::int AS posts,
  (SELECT count(*) FROM follows)::int AS follows,
  (SELECT count(*) FROM coins)::int AS coins,
  (SELECT count(*) FROM trades)::int AS trades,
  (SELECT coalesce(sum(volume), 0) FROM coins) AS volume,
  (SELECT count(*) FROM tips)::int AS tips,
  (SELECT coalesce(sum(amount), 0) FROM tips WHERE token = ${ETH}) AS "tipVolume",
  (SELECT count(*) FROM proposals)::int AS proposals,
  (SELECT count(*) FROM votes)::int AS votes,
  ${NOW_SQL} AS "asOf"`;

/**
 * Replay lag of a hot standby (all null on a primary). WAL received and replayed are the
 * replica's own figures; while they are equal the replica is as current as what it has
 * received, whatever the age of its last replayed commit (the primary may be idle).
 */
const REPLAY_SQL = `SELECT pg_is_in_recovery() AS replica,
  CASE WHEN pg_is_in_recovery() THEN
    pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())::bigint::text END AS lag_bytes,
  CASE WHEN NOT pg_is_in_recovery() THEN NULL
    WHEN pg_last_wal_receive_lsn() IS NULL OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
    ELSE greatest(0, extract(epoch FROM now() - pg_last_xact_replay_timestamp())) END::float8 AS lag_seconds`;

interface ReplayRow {
  replica: boolean;
  lag_bytes: string | null;
  lag_seconds: number | null;
}

interface CheckpointRow {
  chain_id: string;
  block_number: string;
  block_hash: string;
  contracts: string;
}

export const statusModule: ApiModule = {
  typeDefs: /* GraphQL */ `
    "How far the indexer has come."
    type IndexerStatus {
      "Chain the data comes from."
      chainId: Int!
      "Every event up to and including this block is indexed; null before the sync starts."
      lastIndexedBlock: BigInt
      "Hash of lastIndexedBlock; null at genesis."
      lastIndexedBlockHash: String
      "Contracts indexed, as name=address joined by commas."
      contracts: String
      "The chain's latest block, null when the API has no RPC to ask."
      headBlock: BigInt
      "Blocks mined and not yet indexed (headBlock - lastIndexedBlock, never negative); null without headBlock."
      headLag: BigInt
      "True when the API reads a hot-standby replica of the indexer's database."
      replica: Boolean!
      "On a replica: bytes of WAL it has received and not yet replayed (0: it shows all it has received); null on the primary or before streaming starts."
      replayLagBytes: BigInt
      "On a replica: seconds since the last replayed commit while WAL waits to be replayed, 0 when none waits; null on the primary. WAL the primary has not sent yet is not counted: compare lastIndexedBlock with the primary's for that."
      replayLagSeconds: Float
    }

    "Totals over everything indexed."
    type Stats {
      "Profiles registered."
      profiles: Int!
      "Posts published, retracted ones included."
      posts: Int!
      "Current follows."
      follows: Int!
      "Coins launched."
      coins: Int!
      "Trades of every coin."
      trades: Int!
      "Sum of the ETH amounts of every trade of every coin, in wei (buys fees included, sells fees deducted)."
      volume: BigInt!
      "Tips sent, in every token."
      tips: Int!
      "ETH tipped, in wei (fees included)."
      tipVolume: BigInt!
      "Governance proposals."
      proposals: Int!
      "Votes cast on proposals."
      votes: Int!
      "Unix time of the latest indexed block, with or without events: the now of time-dependent values (24-hour volume, proposal states). Null before the first block is indexed."
      asOf: BigInt
    }

    extend type Query {
      "The sync checkpoint and the distance to the chain head; null before the indexer first ran."
      indexerStatus: IndexerStatus
      "Totals over everything indexed."
      stats: Stats!
    }
  `,
  resolvers: {
    Query: {
      async stats(_: unknown, __: unknown, context: ApiContext) {
        const [row] = await context.db.query(STATS_SQL);
        return row;
      },
      async indexerStatus(_: unknown, __: unknown, context: ApiContext) {
        const [rows, head, [replay]] = await Promise.all([
          context.db.query<CheckpointRow>(
            "SELECT chain_id, block_number, block_hash, contracts FROM sync_checkpoint WHERE id = 1",
          ),
          context.headBlock(),
          context.db.query<ReplayRow>(REPLAY_SQL),
        ]);
        if (rows.length === 0) return null;
        const row = rows[0];
        const indexed = BigInt(row.block_number);
        return {
          chainId: Number(row.chain_id),
          lastIndexedBlock: indexed < 0n ? null : row.block_number,
          lastIndexedBlockHash: row.block_hash === "" ? null : row.block_hash,
          contracts: row.contracts,
          headBlock: head,
          headLag: head === null ? null : head > indexed ? head - indexed : 0n,
          replica: replay.replica,
          replayLagBytes: replay.lag_bytes,
          replayLagSeconds: replay.lag_seconds === null ? null : Number(replay.lag_seconds),
        };
      },
    },
  },
};

/**
 * The head block from a JSON-RPC endpoint (`eth_blockNumber`), cached for `cacheMs` so that a
 * burst of status queries costs one RPC call. A failing RPC reads as an unknown head.
 */
export function rpcHeadBlock(rpcUrl: string, cacheMs = 1_000): () => Promise<bigint | null> {
  let cached: { at: number; value: Promise<bigint | null> } | null = null;
  return () => {
    const now = Date.now();
    if (cached && now - cached.at < cacheMs) return cached.value;
    const value = fetch(rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] }),
      signal: AbortSignal.timeout(2_000),
    })
      .then((response) => response.json() as Promise<{ result?: string }>)
      .then((body) => (typeof body.result === "string" ? BigInt(body.result) : null))
      .catch(() => null);
    cached = { at: now, value };
    return value;
  };
}
