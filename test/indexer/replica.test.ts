import { expect } from "chai";
import hre from "hardhat";
import pg from "pg";
import pino from "pino";
import { deploySuite } from "../../deploy/suite";
import { createApi, type Api } from "../../indexer/graphql/api";
import { createReadPool } from "../../indexer/graphql/database";
import type { Indexer } from "../../indexer/indexer";
import type { ProfileRegistry } from "../../typechain-types";
import {
  indexToHead,
  serveProvider,
  testConfig,
  testEnv,
  writeDeployment,
  type RpcServer,
} from "./helpers";
import {
  createPostgresServer,
  createReplica,
  type PostgresServer,
} from "../../devnet/postgresServer";
import { subscribeSse } from "./sse";

const logger = pino({ level: "silent" });

// A reply's shape is the query's own; the assertions compare replies whole.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** Queries over every kind of read: lookups, pages, aggregates, nested loaders, the checkpoint. */
const QUERIES = [
  "{ stats { profiles posts follows coins trades volume tips tipVolume proposals votes asOf } }",
  "{ profiles(first: 100) { nodes { id handle owner metadataUri blockNumber } } }",
  "{ posts(first: 100) { nodes { id contentUri author { handle stats { postCount } } } } }",
  '{ profile(handle: "replica_1") { id handle followers(first: 10) { nodes { follower { handle } } } } }',
  "{ indexerStatus { chainId lastIndexedBlock lastIndexedBlockHash contracts } }",
];

describe("API on a streaming replica (PostgreSQL hot standby)", function () {
  this.timeout(300_000);
  let primary: PostgresServer;
  let replica: PostgresServer;
  let rpc: RpcServer;
  let indexer: Indexer;
  let registry: ProfileRegistry;
  let signers: Awaited<ReturnType<typeof hre.ethers.getSigners>>;
  let primaryPool: pg.Pool;
  let replicaPool: pg.Pool;
  let onPrimary: Api;
  let onReplica: Api;
  let posts = 0;

  const url = (server: PostgresServer) => `postgres://postgres@127.0.0.1:${server.port}/agora`;

  async function gql(api: Api, query: string): Promise<Json> {
    const response = await api.yoga.fetch("http://api/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ query }),
    });
    const reply = (await response.json()) as Json;
    expect(reply.errors, JSON.stringify(reply.errors)).to.equal(undefined);
    return reply.data;
  }

  /** Waits until the replica has replayed everything the primary has written so far. */
  async function replayed(): Promise<void> {
    const {
      rows: [{ lsn }],
    } = await primaryPool.query<{ lsn: string }>("SELECT pg_current_wal_lsn()::text AS lsn");
    for (let i = 0; i < 1_200; i++) {
      const { rows } = await replicaPool.query<{ done: boolean }>(
        "SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done",
        [lsn],
      );
      if (rows[0].done) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`the replica did not replay up to ${lsn} within 60 s`);
  }

  async function post(): Promise<void> {
    posts++;
    await (await registry.connect(signers[1]).post(1, `ipfs://replica/post-${posts}`)).wait();
  }

  before(async function () {
    primary = await createPostgresServer();
    primary.start();
    const admin = new pg.Client({ connectionString: primary.url });
    await admin.connect();
    await admin.query("CREATE DATABASE agora");
    await admin.end();

    signers = await hre.ethers.getSigners();
    const suite = await deploySuite(signers[0]);
    registry = suite.profileRegistry.contract;
    for (let i = 1; i <= 3; i++) {
      await (await registry.connect(signers[i]).register(`replica_${i}`, `ipfs://r${i}`)).wait();
    }
    await (await registry.connect(signers[2]).follow(2, 1)).wait();
    await (await registry.connect(signers[3]).follow(3, 1)).wait();
    for (let i = 0; i < 3; i++) await post();
    rpc = await serveProvider(hre.network.provider);
    const deploymentFile = writeDeployment(
      31337,
      suite.profileRegistry.address,
      suite.profileRegistry.blockNumber,
    );
    indexer = await indexToHead(
      testConfig(testEnv({ rpcUrl: rpc.url, databaseUrl: url(primary), deploymentFile })),
    );

    replica = await createReplica(primary);
    replica.start();
    primaryPool = createReadPool({ url: url(primary), statementTimeoutMs: 5_000, logger });
    replicaPool = createReadPool({ url: url(replica), statementTimeoutMs: 5_000, logger });
    onPrimary = await createApi({
      pool: primaryPool,
      databaseUrl: url(primary),
      logger,
      fallbackPollMs: 0,
      limits: { cacheTtlMs: 0 },
    });
    // A long TTL: only the version may tell the cache that an answer is out of date.
    onReplica = await createApi({
      pool: replicaPool,
      databaseUrl: url(replica),
      logger,
      limits: { cacheTtlMs: 600_000 },
      replicaPollMs: 100,
    });
    await replayed();
  });

  after(async function () {
    await onReplica?.close();
    await onPrimary?.close();
    await replicaPool?.end();
    await primaryPool?.end();
    await indexer?.stop();
    await rpc?.close();
    replica?.destroy();
    primary?.destroy();
  });

  it("is a hot standby that refuses writes", async function () {
    const { rows } = await replicaPool.query<{ standby: boolean }>(
      "SELECT pg_is_in_recovery() AS standby",
    );
    expect(rows[0].standby).to.equal(true);
    const writer = new pg.Client({ connectionString: url(replica) });
    await writer.connect();
    try {
      await writer.query("UPDATE sync_checkpoint SET block_number = 0").then(
        () => expect.fail("the replica took a write"),
        (error: Error) => expect(error.message).to.match(/read-only transaction/),
      );
    } finally {
      await writer.end();
    }
  });

  it("answers every query the same as the primary once it has caught up", async function () {
    for (const query of QUERIES) {
      expect(await gql(onReplica, query), query).to.deep.equal(await gql(onPrimary, query));
    }
    const stats = await gql(onReplica, QUERIES[0]);
    expect(stats.stats.posts).to.equal(posts);
  });

  it("gives no stale answer from its cache once it replays a commit, and streams it live", async function () {
    const before = await gql(onReplica, QUERIES[2]);
    const hits = onReplica.cache.stats().hits;
    expect(await gql(onReplica, QUERIES[2])).to.deep.equal(before);
    expect(onReplica.cache.stats().hits, "a repeat is a hit").to.equal(hits + 1);

    const stream = await subscribeSse(
      onReplica,
      "subscription { postCreated { contentUri } }",
      "posts",
    );
    await post();
    await indexer.sync.syncToHead();
    await replayed();
    const after = await gql(onReplica, QUERIES[2]);
    expect(after).to.not.deep.equal(before);
    expect(after).to.deep.equal(await gql(onPrimary, QUERIES[2]));
    expect(after.posts.nodes.map((p: Json) => p.contentUri)).to.include(
      `ipfs://replica/post-${posts}`,
    );
    const event = await stream.first;
    expect(event.data.postCreated.contentUri).to.equal(`ipfs://replica/post-${posts}`);
    await stream.close();
  });

  it("serves the same answer from its cache after the primary rolls a transaction back", async function () {
    const before = await gql(onReplica, QUERIES[0]);
    const writer = await primaryPool.connect();
    try {
      await writer.query("BEGIN READ WRITE");
      await writer.query("UPDATE sync_checkpoint SET block_number = block_number + 1000");
      await writer.query("DELETE FROM posts");
      await writer.query("ROLLBACK");
    } finally {
      writer.release();
    }
    await replayed();
    const hits = onReplica.cache.stats().hits;
    expect(await gql(onReplica, QUERIES[0])).to.deep.equal(before);
    expect(onReplica.cache.stats().hits, "nothing committed: the version stands").to.equal(
      hits + 1,
    );
  });

  it("gives no stale answer once it replays a reorg's rollback", async function () {
    const provider = hre.network.provider;
    const snapshot = (await provider.request({ method: "evm_snapshot", params: [] })) as string;
    await post();
    await indexer.sync.syncToHead();
    await replayed();
    const forked = await gql(onReplica, QUERIES[2]);
    expect(forked.posts.nodes.map((p: Json) => p.contentUri)).to.include(
      `ipfs://replica/post-${posts}`,
    );
    const reorgs = indexer.metrics.reorgs.value();
    expect(await provider.request({ method: "evm_revert", params: [snapshot] })).to.equal(true);
    // The same number of blocks again, so the checkpoint comes back to the same height.
    posts--;
    await (await registry.connect(signers[2]).post(2, "ipfs://replica/other-branch")).wait();
    await indexer.sync.syncToHead();
    expect(indexer.metrics.reorgs.value()).to.equal(reorgs + 1);
    await replayed();
    const after = await gql(onReplica, QUERIES[2]);
    expect(after).to.deep.equal(await gql(onPrimary, QUERIES[2]));
    const uris = after.posts.nodes.map((p: Json) => p.contentUri);
    expect(uris).to.include("ipfs://replica/other-branch");
    expect(uris).to.not.include(`ipfs://replica/post-${posts + 1}`);
  });

  it("reports its replay lag in indexerStatus", async function () {
    const status = "{ indexerStatus { lastIndexedBlock replica replayLagBytes replayLagSeconds } }";
    const caughtUp = (await gql(onReplica, status)).indexerStatus;
    expect(caughtUp.replica).to.equal(true);
    expect(caughtUp.replayLagBytes).to.equal("0");
    expect(caughtUp.replayLagSeconds).to.equal(0);
    const onMain = (await gql(onPrimary, status)).indexerStatus;
    expect(onMain).to.deep.include({
      replica: false,
      replayLagBytes: null,
      replayLagSeconds: null,
    });

    const admin = new pg.Client({ connectionString: url(replica) });
    await admin.connect();
    try {
      await admin.query("SELECT pg_wal_replay_pause()");
      await post();
      await indexer.sync.syncToHead();
      const {
        rows: [{ lsn }],
      } = await primaryPool.query<{ lsn: string }>("SELECT pg_current_wal_lsn()::text AS lsn");
      for (let i = 0; i < 1_200; i++) {
        const { rows } = await admin.query<{ received: boolean }>(
          "SELECT pg_last_wal_receive_lsn() >= $1::pg_lsn AS received",
          [lsn],
        );
        if (rows[0].received) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const lagging = (await gql(onReplica, `${status} # paused`)).indexerStatus;
      expect(Number(lagging.replayLagBytes)).to.be.greaterThan(0);
      expect(lagging.replayLagSeconds).to.be.greaterThan(0);
      // It answers what it has replayed, and says so.
      expect(BigInt(lagging.lastIndexedBlock)).to.be.lessThan(
        BigInt((await gql(onPrimary, status)).indexerStatus.lastIndexedBlock),
      );
    } finally {
      await admin.query("SELECT pg_wal_replay_resume()");
      await admin.end();
    }
    await replayed();
    const resumed = (await gql(onReplica, `${status} # resumed`)).indexerStatus;
    expect(resumed.replayLagBytes).to.equal("0");
    expect(resumed.lastIndexedBlock).to.equal(
      (await gql(onPrimary, status)).indexerStatus.lastIndexedBlock,
    );
  });
});
