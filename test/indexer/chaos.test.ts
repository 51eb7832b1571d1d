import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import hre from "hardhat";
import pg from "pg";
import { generateWorkload } from "../../bench/workload";
import { deploySuite } from "../../deploy/suite";
import type { Readiness } from "../../indexer/indexer";
import type { ProfileRegistry } from "../../typechain-types";
import { startFaultProxy, type Fault, type FaultProxy } from "./faultProxy";
import {
  checksumTables,
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
import { createPostgresServer, type PostgresServer } from "../../devnet/postgresServer";
import { bytesOf, sendWithRawStrings } from "./rawStrings";
import { writeSuiteDeployment } from "./suiteHelpers";
import { builtEntryPoint } from "../build";

const ROOT = path.resolve(__dirname, "../..");
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface LogLine {
  msg: string;
  level: string;
  component?: string;
  http_port?: number;
  [key: string]: unknown;
}

/**
 * The indexer as an operator runs it: `indexer/main.ts` in a process of its own. A crash of any
 * kind (an uncaught 'error' event, an unhandled rejection, process.exit) shows as an exit.
 */
interface IndexerProcess {
  child: ChildProcess;
  /** Log lines so far (JSON), in order. */
  lines: LogLine[];
  /** Set once the process exits. */
  exit: { code: number | null } | null;
  exited: Promise<number | null>;
  stderr(): string;
}

function spawnIndexer(env: Record<string, string>): IndexerProcess {
  const child = spawn(process.execPath, [builtEntryPoint("indexer/main.ts")], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const state: IndexerProcess = {
    child,
    lines: [],
    exit: null,
    exited: Promise.resolve(null),
    stderr: () => stderr,
  };
  let buffer = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split("\n");
    buffer = lines.pop()!;
    for (const line of lines) if (line.startsWith("{")) state.lines.push(JSON.parse(line));
  });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  state.exited = new Promise((resolve) =>
    child.on("exit", (code) => {
      state.exit = { code };
      resolve(code);
    }),
  );
  return state;
}

describe("indexer: chaos (a separate indexer process through a faulty provider and a Postgres that stops, over hostile strings)", function () {
  this.timeout(600_000);
  let honest: RpcServer;
  let proxy: FaultProxy;
  let postgres: PostgresServer;
  let indexer: IndexerProcess;
  let registry: ProfileRegistry;
  let registryAddress: string;
  let actors: Actor[];
  let deploymentFile: string;
  let statusPort = 0;
  let activitySeed = 9_100;
  const databases: TestDatabase[] = [];
  let hostile: Buffer[] = [];
  /** A tip's message: at most the TipJar's MAX_MESSAGE_LENGTH (280) bytes. */
  const tipMessage = (bytes: Buffer) => bytes.subarray(0, 280);

  before(async function () {
    const signers = await hre.ethers.getSigners();
    const suite = await deploySuite(signers[0]);
    registry = suite.profileRegistry.contract;
    registryAddress = suite.profileRegistry.address.toLowerCase();
    actors = [];
    for (let i = 1; i <= 5; i++) {
      await (
        await registry.connect(signers[i]).register(`chaos_user_${i}`, `ipfs://chaos-${i}`)
      ).wait();
      actors.push({
        signer: signers[i],
        profileId: await registry.profileIdOf(signers[i].address),
      });
    }
    // Hostile strings in the history the faults hit: posts, a metadata URI and tips whose
    // bytes are NUL, ill-formed UTF-8, encoded surrogates and a long run past the display cap.
    hostile = [
      bytesOf("ipfs://x\u0000y"),
      bytesOf([0xff, 0xfe], "a", [0x80]),
      bytesOf([0xed, 0xa0, 0x80], " ", [0xc0, 0x80]),
      bytesOf("cut ", [0xe2, 0x82]),
      Buffer.alloc(70_000, 0xff),
    ];
    for (const [i, bytes] of hostile.entries()) {
      const { signer, profileId } = actors[i % actors.length];
      await sendWithRawStrings(registry, signer, "post", [profileId, bytes]);
      await sendWithRawStrings(
        suite.tipJar.contract,
        signers[6],
        "tipETH",
        [profileId, tipMessage(bytes)],
        10n ** 15n,
      );
    }
    await sendWithRawStrings(registry, actors[0].signer, "setMetadataURI", [
      actors[0].profileId,
      hostile[1],
    ]);
    honest = await serveProvider(hre.network.provider);
    // History on every contract for the backfill: coins and their trades, tips, revenue,
    // governance.
    const workload = await generateWorkload({
      url: honest.url,
      suite,
      targetEvents: 800,
      wallets: 10,
      actionsPerWallet: 1,
      seed: 9_001,
    });
    expect(workload.reverted).to.equal(0);
    deploymentFile = writeSuiteDeployment(31337, suite);
    proxy = await startFaultProxy(honest.url, 11);
    postgres = await createPostgresServer();
  });

  after(async function () {
    if (indexer && !indexer.exit) {
      indexer.child.kill("SIGKILL");
      await indexer.exited;
    }
    postgres?.destroy();
    await proxy?.close();
    await honest?.close();
    for (const db of databases) await db.drop();
  });

  /** Polls `condition`; fails with `label` and the indexer's latest log lines after `timeoutMs`. */
  async function waitFor(
    condition: () => boolean | Promise<boolean>,
    label: string,
    timeoutMs = 120_000,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (indexer?.exit) {
        throw new Error(
          `the indexer exited (${indexer.exit.code}) while waiting for ${label}: ${indexer.stderr()}\n${JSON.stringify(indexer.lines.slice(-5))}`,
        );
      }
      if (Date.now() > deadline) {
        throw new Error(
          `timed out waiting for ${label}; injected ${JSON.stringify(proxy.injected)}; last log lines ${JSON.stringify(indexer?.lines.slice(-5))}`,
        );
      }
      await pause(50);
    }
  }

  async function ready(): Promise<{ status: number; body: Readiness }> {
    const response = await fetch(`http://127.0.0.1:${statusPort}/ready`);
    return { status: response.status, body: (await response.json()) as Readiness };
  }

  async function head(): Promise<number> {
    return Number(await hre.network.provider.request({ method: "eth_blockNumber", params: [] }));
  }

  /** Ready, and indexed up to the head. */
  async function caughtUp(): Promise<boolean> {
    const [state, target] = await Promise.all([ready(), head()]);
    return state.status === 200 && state.body.indexed_block === target;
  }

  const count = (predicate: (line: LogLine) => boolean) => indexer.lines.filter(predicate).length;
  const batches = () => count((line) => line.msg === "batch committed");
  const activity = (transactions: number) =>
    randomActivity(registry, actors, transactions, activitySeed++);

  it("waits for a database that is down at start, then begins", async function () {
    indexer = spawnIndexer(
      testEnv({
        rpcUrl: proxy.url,
        databaseUrl: postgres.url,
        deploymentFile,
        extra: {
          LOG_LEVEL: "info",
          INITIAL_BLOCK_RANGE: "2",
          MAX_BLOCK_RANGE: "4",
          BACKOFF_BASE_MS: "20",
          BACKOFF_MAX_MS: "500",
          RPC_TIMEOUT_MS: "1000",
          RPC_MAX_RETRIES: "2",
          RPC_MAX_RESPONSE_BYTES: "1000000",
          READY_MAX_LAG_BLOCKS: "0",
          READY_TIMEOUT_MS: "1000",
          DATABASE_CONNECT_TIMEOUT_MS: "1000",
          POLL_INTERVAL_MS: "50",
        },
      }),
    );
    await waitFor(
      () => count((line) => line.msg === "database unreachable, waiting") >= 3,
      "retries while the database is down",
    );
    statusPort = indexer.lines.find((line) => line.msg === "status server listening")!.http_port!;
    expect((await fetch(`http://127.0.0.1:${statusPort}/health`)).status).to.equal(200);
    const waiting = await ready();
    expect(waiting.status).to.equal(503);
    expect(waiting.body.problems.map((p) => p.component)).to.include("database");

    postgres.start();
    await waitFor(() => batches() >= 3, "the first batches");
  });

  for (const mode of ["immediate", "fast"] as const) {
    it(`keeps going when Postgres stops in the middle of a write (pg_ctl stop -m ${mode}) and comes back`, async function () {
      const monitor = new pg.Client({ connectionString: postgres.url });
      monitor.on("error", () => undefined);
      await monitor.connect();
      try {
        // New blocks arrive until Postgres is caught with a write transaction of the indexer
        // open: one that has written rows (it holds a transaction id) and not committed.
        let inside = false;
        const watching = (async () => {
          while (!inside) {
            const { rows } = await monitor.query(
              `SELECT count(*)::int AS n FROM pg_stat_activity
               WHERE datname = current_database() AND pid <> pg_backend_pid()
                 AND backend_xid IS NOT NULL`,
            );
            if (rows[0].n > 0) {
              inside = true;
              postgres.stop(mode);
            }
          }
        })();
        for (let round = 0; round < 40 && !inside; round++) await activity(2);
        await watching.catch(() => undefined);
        expect(inside, "Postgres stopped inside a write transaction").to.equal(true);
        const failuresBefore = count((line) => line.component === "database");
        await waitFor(async () => {
          const state = await ready();
          return (
            state.status === 503 && state.body.problems.some((p) => p.component === "database")
          );
        }, "/ready 503 while Postgres is down");
        await waitFor(
          () => count((line) => line.component === "database") >= failuresBefore + 3,
          "sync steps retried while Postgres is down",
        );
        expect((await fetch(`http://127.0.0.1:${statusPort}/health`)).status).to.equal(200);
        const live = activity(3);
        postgres.start();
        await live;
      } finally {
        await monitor.end().catch(() => undefined);
      }
      await waitFor(caughtUp, "caught up after the restart");
    });
  }

  const phases: {
    fault: Fault;
    rate?: number;
    methods?: string[];
    /** Every request fails: /ready must say so. */
    outage?: boolean;
  }[] = [
    { fault: { kind: "http", status: 503 }, outage: true },
    { fault: { kind: "http", status: 429, retryAfter: "1" }, rate: 0.5 },
    { fault: { kind: "http", status: 429 }, rate: 0.5 },
    { fault: { kind: "http", status: 500 }, rate: 0.3 },
    { fault: { kind: "http", status: 502 }, rate: 0.3 },
    { fault: { kind: "garbage" }, rate: 0.3 },
    { fault: { kind: "truncated" }, rate: 0.3 },
    { fault: { kind: "huge", bytes: 1_500_000 }, rate: 0.2 },
    { fault: { kind: "hang" }, outage: true },
    { fault: { kind: "reset" }, rate: 0.3 },
    { fault: { kind: "rpc-error", code: -32603, message: "internal error" }, rate: 0.3 },
    { fault: { kind: "rpc-error", code: -32000, message: "header not found" }, rate: 0.3 },
    {
      fault: {
        kind: "null-result",
        methods: ["eth_blockNumber", "eth_getLogs", "eth_getBlockByNumber"],
      },
      rate: 0.3,
      methods: ["eth_blockNumber", "eth_getLogs", "eth_getBlockByNumber"],
    },
    { fault: { kind: "batch", change: "missing" }, rate: 0.5 },
    { fault: { kind: "batch", change: "duplicate" }, rate: 0.5 },
    { fault: { kind: "lagging", blocks: 2 }, methods: ["eth_getLogs"], outage: true },
    { fault: { kind: "drop-block-logs" }, rate: 0.4, methods: ["eth_getLogs"] },
  ];

  it(`rides out ${phases.length + 2} kinds of provider fault while the chain grows, /ready 503 while they stop it`, async function () {
    for (const phase of phases) {
      const label = JSON.stringify(phase.fault);
      const before = proxy.injected[phase.fault.kind] ?? 0;
      proxy.set(phase.fault, { rate: phase.rate, methods: phase.methods });
      try {
        // New blocks keep coming until the fault has hit enough requests.
        const injected = () => (proxy.injected[phase.fault.kind] ?? 0) - before;
        const deadline = Date.now() + 120_000;
        while (injected() < (phase.outage ? 6 : 3)) {
          if (Date.now() > deadline || indexer.exit) {
            throw new Error(`${label}: only ${injected()} injected, exit ${indexer.exit?.code}`);
          }
          await activity(1);
          await pause(200);
        }
        if (phase.outage) {
          await waitFor(async () => (await ready()).status === 503, `/ready 503 during ${label}`);
        }
      } finally {
        proxy.set(null);
      }
      await waitFor(caughtUp, `caught up after ${label}`);
    }

    // Connections refused, then headers whose blooms match by chance.
    const live = activity(3);
    await proxy.refuse();
    try {
      await waitFor(async () => (await ready()).status === 503, "/ready 503 while refused");
    } finally {
      await proxy.accept();
      await live;
    }
    await waitFor(caughtUp, "caught up after refused connections");
    proxy.set(
      { kind: "bloom", items: [registryAddress, hre.ethers.id("Followed(uint256,uint256)")] },
      { methods: ["eth_getBlockByNumber"] },
    );
    const metrics = async () => {
      const text = await (await fetch(`http://127.0.0.1:${statusPort}/metrics`)).text();
      return (name: string) => Number(new RegExp(`^${name} (\\d+)$`, "m").exec(text)![1]);
    };
    const refetchedBefore = (await metrics())("indexer_bloom_refetches_total");
    try {
      // Blocks without logs, whose headers now claim the registry logged in them.
      for (let i = 0; i < 5; i++) {
        await hre.network.provider.request({ method: "evm_mine", params: [] });
      }
      await activity(2);
      await waitFor(caughtUp, "caught up through bloom false positives");
    } finally {
      proxy.set(null);
    }

    const value = await metrics();
    expect(value("indexer_bloom_refetches_total") - refetchedBefore).to.be.at.least(5);
    expect(value("indexer_rpc_errors_total")).to.be.greaterThan(50);
    expect(value("indexer_incomplete_ranges_total")).to.be.greaterThan(0);
    expect(value("indexer_database_errors_total")).to.be.greaterThan(0);
    expect(value("indexer_reorgs_total"), "no fault passes for a reorg").to.equal(0);
  });

  it("ends with every table equal to a fresh index of the same chain, and stops cleanly", async function () {
    await waitFor(caughtUp, "caught up");
    expect(indexer.exit, "the indexer never exited").to.equal(null);
    indexer.child.kill("SIGTERM");
    expect(await indexer.exited, "exit code after SIGTERM").to.equal(0);

    const fresh = await createTestDatabase("idx_chaos");
    databases.push(fresh);
    const reference = await indexToHead(
      testConfig(testEnv({ rpcUrl: honest.url, databaseUrl: fresh.url, deploymentFile })),
    );
    await reference.stop();
    const expected = await checksumTables(fresh.url);
    const actual = await checksumTables(postgres.url);
    expect(Object.keys(actual)).to.deep.equal(Object.keys(expected));
    for (const table of Object.keys(expected)) {
      expect(actual[table], table).to.equal(expected[table]);
    }
    // The hostile strings went through the faults byte for byte: each as a post and a tip.
    const client = new pg.Client({ connectionString: postgres.url });
    await client.connect();
    try {
      for (const [table, column, sent] of [
        ["posts", "content_uri", (bytes: Buffer) => bytes],
        ["tips", "message", tipMessage],
      ] as const) {
        const { rows } = await client.query<{ bytes: Buffer }>(
          `SELECT coalesce(${column}_bytes, convert_to(${column}, 'UTF8')) AS bytes FROM ${table}`,
        );
        for (const bytes of hostile.map(sent)) {
          expect(
            rows.some((row) => row.bytes.equals(bytes)),
            `${table}.${column} holds ${bytes.subarray(0, 16).toString("hex")}…`,
          ).to.equal(true);
        }
      }
    } finally {
      await client.end();
    }
  });
});
