import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import hre from "hardhat";
import pg from "pg";
import { generateWorkload } from "../../bench/workload";
import { deploySuite } from "../../deploy/suite";
import type { ProfileRegistry } from "../../typechain-types";
import {
  checksumTables,
  createRandom,
  createTestDatabase,
  indexToHead,
  randomActivity,
  serveProvider,
  testConfig,
  testEnv,
  type Actor,
  type RpcServer,
  type TestDatabase,
} from "./helpers";
import { writeSuiteDeployment } from "./suiteHelpers";
import { builtEntryPoint } from "../build";

const ROOT = path.resolve(__dirname, "../..");
const KILLS = Number(process.env.INDEXER_CRASH_KILLS ?? 4);
const LIVE_KILLS = Number(process.env.INDEXER_CRASH_LIVE_KILLS ?? 3);
const SEED = Number(process.env.INDEXER_CRASH_SEED ?? Date.now() % 1_000_000);

interface RunningIndexer {
  child: ChildProcess;
  /** Resolves once `count` batches were committed. */
  batches(count: number): Promise<void>;
  exited: Promise<number | null>;
}

/** Starts the indexer as its own process, the way an operator runs it (`npm run indexer`). */
function spawnIndexer(env: Record<string, string>): RunningIndexer {
  const child = spawn(process.execPath, [builtEntryPoint("indexer/main.ts")], {
    cwd: ROOT,
    env: { ...process.env, ...env, LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let committed = 0;
  const waiters: { count: number; resolve: () => void }[] = [];
  let buffer = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split("\n");
    buffer = lines.pop()!;
    for (const line of lines) {
      if (line.includes('"msg":"batch committed"')) committed++;
    }
    for (const waiter of waiters.filter((w) => committed >= w.count)) waiter.resolve();
  });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (code) => {
      if (code !== null && code !== 0) console.error(stderr);
      resolve(code);
    }),
  );
  return {
    child,
    exited,
    batches: (count) =>
      new Promise<void>((resolve, reject) => {
        if (committed >= count) return resolve();
        waiters.push({ count, resolve });
        exited.then((code) =>
          reject(new Error(`indexer exited (${code}) before ${count} batches: ${stderr}`)),
        );
      }),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("indexer: crash safety (kill -9)", function () {
  this.timeout(180_000);
  let rpc: RpcServer;
  let registry: ProfileRegistry;
  let actors: Actor[];
  let deploymentFile: string;
  const databases: TestDatabase[] = [];
  const random = createRandom(SEED);

  before(async function () {
    const signers = await hre.ethers.getSigners();
    const suite = await deploySuite(signers[0]);
    registry = suite.profileRegistry.contract;
    actors = [];
    for (let i = 1; i <= 8; i++) {
      await (
        await registry.connect(signers[i]).register(`crash_user_${i}`, `ipfs://crash-${i}`)
      ).wait();
      actors.push({
        signer: signers[i],
        profileId: await registry.profileIdOf(signers[i].address),
      });
    }
    await randomActivity(registry, actors, 60, SEED);
    rpc = await serveProvider(hre.network.provider);
    // Activity on every contract, a few transactions per block so that backfills take many
    // batches: coin launches, trades and transfers, tips, revenue, delegations and a proposal.
    const workload = await generateWorkload({
      url: rpc.url,
      suite,
      targetEvents: 2_500,
      wallets: 12,
      actionsPerWallet: 1,
      seed: 7_001 + (SEED % 1_000),
    });
    expect(workload.reverted).to.equal(0);
    deploymentFile = writeSuiteDeployment(31337, suite);
  });

  after(async function () {
    for (const db of databases) await db.drop();
    await rpc?.close();
  });

  async function freshDatabase(): Promise<TestDatabase> {
    const db = await createTestDatabase("idx_crash");
    databases.push(db);
    return db;
  }

  async function head(): Promise<bigint> {
    return BigInt(
      (await hre.network.provider.request({ method: "eth_blockNumber", params: [] })) as string,
    );
  }

  async function indexedBlock(db: TestDatabase): Promise<bigint> {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client
        .query("SELECT block_number::text AS n FROM sync_checkpoint")
        .catch(() => ({ rows: [] }));
      return rows.length > 0 ? BigInt(rows[0].n) : -1n;
    } finally {
      await client.end();
    }
  }

  /**
   * Waits until the indexer has a write transaction open (seen in pg_stat_activity), then kills
   * it at once. Returns false if the indexer finished without being caught mid-write.
   */
  async function killInsideWrite(indexer: RunningIndexer, db: TestDatabase): Promise<boolean> {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    let exited = false;
    indexer.exited.then(() => (exited = true));
    try {
      while (!exited) {
        const { rows } = await client.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL
             AND state IN ('active', 'idle in transaction') AND query ~* '^\\s*(INSERT|UPDATE|DELETE)'`,
        );
        if (rows[0].n > 0) {
          indexer.child.kill("SIGKILL");
          return true;
        }
      }
      return false;
    } finally {
      await client.end();
    }
  }

  /** Runs the indexer to the head, then stops it with SIGTERM and expects a clean exit. */
  async function finish(env: Record<string, string>, db: TestDatabase) {
    const indexer = spawnIndexer(env);
    const target = await head();
    while ((await indexedBlock(db)) < target) await sleep(50);
    indexer.child.kill("SIGTERM");
    expect(await indexer.exited, "exit code after SIGTERM").to.equal(0);
  }

  /** A run of the in-process indexer that nothing interrupts, on a database of its own. */
  async function uninterruptedChecksums(): Promise<Record<string, string>> {
    const db = await freshDatabase();
    const indexer = await indexToHead(
      testConfig(testEnv({ rpcUrl: rpc.url, databaseUrl: db.url, deploymentFile })),
    );
    await indexer.stop();
    return checksumTables(db.url);
  }

  it(`leaves every table equal to an uninterrupted run after ${KILLS} kills during backfill (seed ${SEED})`, async function () {
    const db = await freshDatabase();
    const env = testEnv({
      rpcUrl: rpc.url,
      databaseUrl: db.url,
      deploymentFile,
      extra: { INITIAL_BLOCK_RANGE: "2", MAX_BLOCK_RANGE: "6" },
    });
    const killedAt: bigint[] = [];
    let insideWrite = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      const indexer = spawnIndexer(env);
      await indexer.batches(1 + random.int(6));
      // Every other kill waits for the moment a write transaction is open.
      if (kill % 2 === 1) {
        if (await killInsideWrite(indexer, db)) insideWrite++;
      } else {
        await sleep(random.int(25));
        indexer.child.kill("SIGKILL");
      }
      await indexer.exited;
      killedAt.push(await indexedBlock(db));
    }
    expect(insideWrite, "kills that hit an open write transaction").to.be.greaterThan(0);
    expect(killedAt.at(-1)!, `killed at checkpoints ${killedAt.join(", ")}`).to.be.lessThan(
      await head(),
    );
    await finish(env, db);
    expect(await checksumTables(db.url)).to.deep.equal(await uninterruptedChecksums());
  });

  it(`leaves every table equal to an uninterrupted run after ${LIVE_KILLS} kills during live sync (seed ${SEED})`, async function () {
    const db = await freshDatabase();
    const env = testEnv({
      rpcUrl: rpc.url,
      databaseUrl: db.url,
      deploymentFile,
      extra: { INITIAL_BLOCK_RANGE: "1", MAX_BLOCK_RANGE: "2" },
    });
    await finish(env, db);
    for (let kill = 0; kill < LIVE_KILLS; kill++) {
      // New blocks arrive while the indexer follows them; it dies at a random moment.
      const indexer = spawnIndexer(env);
      const activity = randomActivity(registry, actors, 10, SEED + kill + 1);
      await indexer.batches(1 + random.int(4));
      await sleep(random.int(40));
      indexer.child.kill("SIGKILL");
      await indexer.exited;
      await activity;
    }
    await finish(env, db);
    expect(await checksumTables(db.url)).to.deep.equal(await uninterruptedChecksums());
  });
});
