import { expect } from "chai";
import { spawn } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import hre from "hardhat";
import pg from "pg";
import pino from "pino";
import { generateWorkload } from "../../bench/workload";
import { deploySuite } from "../../deploy/suite";
import { inTransaction } from "../../indexer/db/database";
import { databaseConfigFix, isDatabaseUnavailable } from "../../indexer/db/errors";
import { createIndexer, type Indexer, type Readiness } from "../../indexer/indexer";
import { createMetrics } from "../../indexer/metrics";
import { backoffDelay, parseRetryAfter } from "../../indexer/sync/backoff";
import { bloomBits, bloomHas, parseBloom } from "../../indexer/sync/bloom";
import { createRpc, isRangeError, RpcFaultError, type RpcLog } from "../../indexer/sync/rpc";
import type { ProfileRegistry } from "../../typechain-types";
import { addToBloom, startFaultProxy, type Fault, type FaultProxy } from "./faultProxy";
import {
  ADMIN_URL,
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
import { writeSuiteDeployment } from "./suiteHelpers";
import { startTcpProxy } from "./tcpProxy";
import { builtEntryPoint } from "../build";

const provider = hre.network.provider;
const silent = pino({ level: "silent" });
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` until it holds; fails with `label` and `describe()` after `timeoutMs`. */
async function waitFor(
  condition: () => boolean | Promise<boolean>,
  label: string,
  describe: () => unknown = () => "",
  timeoutMs = 90_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${label}: ${JSON.stringify(describe())}`);
    }
    await pause(25);
  }
}

/** Settings that make faults cheap to wait out in a test: short timeouts, small backoff. */
const FAST = {
  BACKOFF_BASE_MS: "20",
  BACKOFF_MAX_MS: "200",
  RPC_TIMEOUT_MS: "400",
  RPC_MAX_RETRIES: "2",
  READY_MAX_LAG_BLOCKS: "0",
  READY_TIMEOUT_MS: "1000",
  DATABASE_CONNECT_TIMEOUT_MS: "1000",
  // One block per range: many requests, so that faults hit every kind of them.
  INITIAL_BLOCK_RANGE: "1",
  MAX_BLOCK_RANGE: "1",
};

async function readyStatus(indexer: Indexer): Promise<{ status: number; body: Readiness }> {
  const response = await fetch(`http://127.0.0.1:${indexer.server!.port}/ready`);
  return { status: response.status, body: (await response.json()) as Readiness };
}

describe("indexer: provider and database faults", function () {
  this.timeout(300_000);
  let honest: RpcServer;
  let proxy: FaultProxy;
  let deploymentFile: string;
  let registryAddress: string;
  let registry: ProfileRegistry;
  let actors: Actor[];
  let reference: Record<string, string>;
  const databases: TestDatabase[] = [];
  const running: Indexer[] = [];

  before(async function () {
    const signers = await hre.ethers.getSigners();
    const suite = await deploySuite(signers[0]);
    registry = suite.profileRegistry.contract;
    registryAddress = suite.profileRegistry.address.toLowerCase();
    actors = [];
    for (let i = 1; i <= 4; i++) {
      await (
        await registry.connect(signers[i]).register(`fault_user_${i}`, `ipfs://fault-${i}`)
      ).wait();
      actors.push({
        signer: signers[i],
        profileId: await registry.profileIdOf(signers[i].address),
      });
    }
    // Blocks without any log, whose blooms a test makes match by chance.
    for (let i = 0; i < 12; i++) await provider.request({ method: "evm_mine", params: [] });
    honest = await serveProvider(provider);
    // Activity on every contract (coins are factory children), a few blocks of it.
    const workload = await generateWorkload({
      url: honest.url,
      suite,
      targetEvents: 300,
      wallets: 8,
      actionsPerWallet: 1,
      seed: 4_201,
    });
    expect(workload.reverted).to.equal(0);
    deploymentFile = writeSuiteDeployment(31337, suite);
    proxy = await startFaultProxy(honest.url, 7);
    reference = await freshIndex();
  });

  after(async function () {
    for (const indexer of running) await indexer.stop();
    await proxy?.close();
    await honest?.close();
    for (const db of databases) await db.drop();
  });

  async function database(): Promise<TestDatabase> {
    const db = await createTestDatabase("idx_fault");
    databases.push(db);
    return db;
  }

  /** Checksums of every table of a fresh index of the chain as it is now, through `honest`. */
  async function freshIndex(): Promise<Record<string, string>> {
    const db = await database();
    const indexer = await indexToHead(
      testConfig(testEnv({ rpcUrl: honest.url, databaseUrl: db.url, deploymentFile })),
    );
    await indexer.stop();
    return checksumTables(db.url);
  }

  async function head(): Promise<bigint> {
    return BigInt((await provider.request({ method: "eth_blockNumber", params: [] })) as string);
  }

  /** An indexer with a status server, running in this process; `failure` is set if run() throws. */
  async function start(params: {
    rpcUrl?: string;
    databaseUrl?: string;
    extra?: Record<string, string>;
    logger?: pino.Logger;
  }) {
    const databaseUrl = params.databaseUrl ?? (await database()).url;
    const config = testConfig(
      testEnv({
        rpcUrl: params.rpcUrl ?? proxy.url,
        databaseUrl,
        deploymentFile,
        extra: { ...FAST, ...params.extra },
      }),
    );
    const indexer = await createIndexer({ config, logger: params.logger ?? silent, serve: true });
    running.push(indexer);
    const state: { failure?: unknown } = {};
    const done = indexer.run().catch((error) => (state.failure = error));
    return { indexer, state, done, databaseUrl };
  }

  /** Waits until the indexer reports ready at the head, then stops it. */
  async function finish(indexer: Indexer, state: { failure?: unknown }) {
    const target = Number(await head());
    let last: { status: number; body: Readiness } | undefined;
    await waitFor(
      async () => {
        last = await readyStatus(indexer);
        return last.status === 200 && last.body.indexed_block === target;
      },
      "ready at the head",
      () => ({ last, injected: proxy.injected, failure: String(state.failure) }),
    );
    expect(state.failure, "run() never fails on a fault").to.equal(undefined);
    await indexer.stop();
  }

  /**
   * Indexes the chain from scratch through the proxy while it injects `fault` into a share of
   * the requests, until the fault hit `minimum` requests (or the indexer claims to be done),
   * then without it. The run must never fail, every table must equal a fresh index, and the
   * fault must really have been injected.
   */
  async function indexThrough(
    fault: Fault,
    options: {
      rate?: number;
      methods?: string[];
      minimum?: number;
      /** Keep injecting until the indexer is done, instead of stopping at `minimum`. */
      throughout?: boolean;
      extra?: Record<string, string>;
    } = {},
  ): Promise<Indexer> {
    const minimum = options.minimum ?? 3;
    const before = proxy.injected[fault.kind] ?? 0;
    const injected = () => (proxy.injected[fault.kind] ?? 0) - before;
    const target = Number(await head());
    proxy.set(fault, options);
    try {
      const { indexer, state } = await start({ extra: options.extra });
      await waitFor(
        async () => {
          if (injected() >= minimum && !options.throughout) return true;
          const ready = await readyStatus(indexer);
          return ready.status === 200 && ready.body.indexed_block === target;
        },
        `${fault.kind} faults injected`,
        () => proxy.injected,
      );
      proxy.set(null);
      await finish(indexer, state);
      expect(await checksumTables(indexer.db.url)).to.deep.equal(reference);
      expect(injected(), `${fault.kind} faults injected`).to.be.at.least(minimum);
      return indexer;
    } finally {
      proxy.set(null);
    }
  }

  describe("backoff", function () {
    const policy = { baseMs: 100, maxMs: 5_000 };

    it("waits a uniformly random time up to a ceiling that doubles per attempt", function () {
      expect(backoffDelay(policy, 0, undefined, () => 0)).to.equal(0);
      expect(backoffDelay(policy, 0, undefined, () => 0.999)).to.equal(100);
      expect(backoffDelay(policy, 3, undefined, () => 0.5)).to.equal(400);
      expect(backoffDelay(policy, 3, undefined, () => 0.999)).to.equal(799);
    });

    it("never waits longer than the cap, whatever the attempt", function () {
      expect(backoffDelay(policy, 6, undefined, () => 0.999)).to.equal(4_995);
      expect(backoffDelay(policy, 1_000_000, undefined, () => 0.999)).to.equal(4_995);
    });

    it("honours a Retry-After above the jittered wait, up to the cap", function () {
      expect(backoffDelay(policy, 0, 2_000, () => 0.5)).to.equal(2_000);
      expect(backoffDelay(policy, 0, 3_600_000, () => 0.5)).to.equal(5_000);
      expect(parseRetryAfter("3")).to.equal(3_000);
      expect(parseRetryAfter(new Date(61_000).toUTCString(), 1_000)).to.equal(60_000);
      expect(parseRetryAfter("soon")).to.equal(undefined);
      expect(parseRetryAfter(null)).to.equal(undefined);
    });
  });

  describe("the RPC client", function () {
    /** A server whose replies `answer` makes up; records when each request arrived. */
    async function serve(answer: (count: number, response: http.ServerResponse) => void) {
      const arrivals: number[] = [];
      const server = http.createServer((request, response) => {
        request.resume();
        request.on("end", () => {
          arrivals.push(Date.now());
          answer(arrivals.length, response);
        });
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      return { url, arrivals, close: () => new Promise((r) => server.close(r)) };
    }

    function client(url: string, maxRetries: number) {
      return createRpc({
        url,
        timeoutMs: 2_000,
        maxRetries,
        maxResponseBytes: 1024 * 1024,
        backoff: { baseMs: 10, maxMs: 5_000 },
        logger: silent,
        metrics: createMetrics(),
        signal: new AbortController().signal,
      });
    }

    it("waits at least the Retry-After a 429 asks for", async function () {
      const server = await serve((count, response) => {
        if (count === 1) {
          response.writeHead(429, { "retry-after": "1" });
          return response.end("slow down");
        }
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify({ jsonrpc: "2.0", id: 1, result: "0x2a" }));
      });
      try {
        expect(await client(server.url, 3).request("eth_blockNumber", [])).to.equal("0x2a");
        expect(server.arrivals).to.have.length(2);
        expect(server.arrivals[1] - server.arrivals[0]).to.be.at.least(990);
      } finally {
        await server.close();
      }
    });

    it("gives up after RPC_MAX_RETRIES with a retryable fault naming what was wrong", async function () {
      const server = await serve((_, response) => {
        response.writeHead(200, { "content-type": "application/json" });
        response.end('{"jsonrpc":"2.0","id":1,"resu');
      });
      try {
        const error = (await client(server.url, 2)
          .request("eth_blockNumber", [])
          .catch((e) => e)) as RpcFaultError;
        expect(error).to.be.instanceOf(RpcFaultError);
        expect(error.fault).to.equal("bad-body");
        expect(error.message).to.contain("not JSON");
        expect(server.arrivals).to.have.length(3);
      } finally {
        await server.close();
      }
    });

    it("does not mistake a rate limit for a range refusal", function () {
      expect(isRangeError(-32005, "daily request count exceeded, request rate limited")).to.equal(
        false,
      );
      expect(isRangeError(-32005, "query returned more than 10000 results")).to.equal(true);
    });
  });

  describe("logsBloom", function () {
    it("holds every log's address and topics, and equals the bloom of the block's logs", async function () {
      const logs = (await provider.request({
        method: "eth_getLogs",
        params: [{ fromBlock: "0x0", toBlock: "latest", address: registryAddress }],
      })) as RpcLog[];
      const blockHashes = [...new Set(logs.map((log) => log.blockHash))].slice(-20);
      expect(blockHashes.length).to.be.greaterThan(5);
      for (const hash of blockHashes) {
        const block = (await provider.request({
          method: "eth_getBlockByHash",
          params: [hash, false],
        })) as { logsBloom: string };
        const all = (await provider.request({
          method: "eth_getLogs",
          params: [{ blockHash: hash }],
        })) as RpcLog[];
        const bloom = parseBloom(block.logsBloom);
        const built = new Uint8Array(256);
        for (const log of all) {
          for (const item of [log.address, ...log.topics]) {
            expect(bloomHas(bloom, bloomBits(item)), `${item} in block ${hash}`).to.equal(true);
            addToBloom(built, item);
          }
        }
        expect("0x" + Buffer.from(built).toString("hex")).to.equal(block.logsBloom);
      }
    });
  });

  describe("/ready", function () {
    it("answers 503 further than READY_MAX_LAG_BLOCKS behind the head, 200 within it", async function () {
      const config = testConfig(
        testEnv({
          rpcUrl: honest.url,
          databaseUrl: (await database()).url,
          deploymentFile,
          extra: { INITIAL_BLOCK_RANGE: "1", MAX_BLOCK_RANGE: "1", READY_MAX_LAG_BLOCKS: "3" },
        }),
      );
      const indexer = await createIndexer({ config, logger: silent, serve: true });
      running.push(indexer);
      const before = await readyStatus(indexer);
      expect(before.status).to.equal(503);
      expect(before.body.head_block, "no head known before the first step").to.equal(null);

      await indexer.sync.step();
      const backfilling = await readyStatus(indexer);
      expect(backfilling.status).to.equal(503);
      expect(backfilling.body.lag_blocks).to.be.greaterThan(3);
      expect(backfilling.body.problems).to.deep.equal([]);

      await indexer.sync.syncToHead();
      expect((await readyStatus(indexer)).body).to.include({ ready: true, lag_blocks: 0 });

      await activity(3);
      await indexer.sync.step();
      const within = await readyStatus(indexer);
      expect(within.body.lag_blocks).to.equal(2);
      expect(within.status).to.equal(200);

      await activity(3);
      await indexer.sync.step();
      const behind = await readyStatus(indexer);
      expect(behind.body.lag_blocks).to.equal(4);
      expect(behind.status).to.equal(503);
      await indexer.stop();
      // The chain grew: what the next tests compare with.
      reference = await freshIndex();
    });

    async function activity(blocks: number) {
      for (let i = 0; i < blocks; i++) {
        const actor = actors[i % actors.length];
        await (
          await registry.connect(actor.signer).post(actor.profileId, `ipfs://lag-${i}`)
        ).wait();
      }
    }
  });

  describe("a provider that fails in every way", function () {
    it("HTTP 500, 502 and 503: retried", async function () {
      for (const status of [500, 502, 503]) {
        await indexThrough({ kind: "http", status }, { rate: 0.3 });
      }
    });

    it("HTTP 429 with and without Retry-After: retried", async function () {
      await indexThrough({ kind: "http", status: 429, retryAfter: "1" }, { rate: 0.3 });
      await indexThrough({ kind: "http", status: 429 }, { rate: 0.3 });
    });

    it("bodies that are not JSON: retried", async function () {
      await indexThrough({ kind: "garbage" }, { rate: 0.3 });
    });

    it("truncated bodies: retried", async function () {
      await indexThrough({ kind: "truncated" }, { rate: 0.3 });
    });

    it("bodies above RPC_MAX_RESPONSE_BYTES: refused and retried", async function () {
      await indexThrough(
        { kind: "huge", bytes: 300_000 },
        { rate: 0.2, extra: { RPC_MAX_RESPONSE_BYTES: "200000" } },
      );
    });

    it("a node that accepts the connection and never answers: timed out and retried", async function () {
      await indexThrough({ kind: "hang" }, { rate: 0.2 });
    });

    it("connections reset: retried", async function () {
      await indexThrough({ kind: "reset" }, { rate: 0.3 });
    });

    it("transient JSON-RPC errors (internal error, header not found, rate limit): retried", async function () {
      await indexThrough(
        { kind: "rpc-error", code: -32603, message: "internal error" },
        { rate: 0.3 },
      );
      await indexThrough(
        { kind: "rpc-error", code: -32000, message: "header not found" },
        { rate: 0.3 },
      );
      await indexThrough(
        { kind: "rpc-error", code: -32005, message: "request rate limited, try again" },
        { rate: 0.3 },
      );
    });

    it('"result": null for eth_blockNumber, eth_getLogs and eth_getBlockByNumber: retried, never a rollback', async function () {
      for (const method of ["eth_blockNumber", "eth_getLogs", "eth_getBlockByNumber"]) {
        const indexer = await indexThrough(
          { kind: "null-result", methods: [method] },
          { rate: 0.4, methods: [method] },
        );
        expect(indexer.metrics.reorgs.value(), `reorgs with null ${method}`).to.equal(0);
      }
    });

    it("batch replies with a reply missing or repeated: retried; in another order: used", async function () {
      await indexThrough({ kind: "batch", change: "missing" }, { rate: 0.5 });
      await indexThrough({ kind: "batch", change: "duplicate" }, { rate: 0.5 });
      const reordered = await indexThrough({ kind: "batch", change: "reversed" }, { rate: 1 });
      expect(reordered.metrics.rpcErrors.value(), "reordered replies are not faults").to.equal(0);
    });

    it("an outage of every request: /ready answers 503 with the fault, then 200 again", async function () {
      const { indexer, state } = await start({});
      await waitFor(
        async () => (await readyStatus(indexer)).status === 200,
        "ready before the outage",
      );
      proxy.set({ kind: "http", status: 503 });
      let outage: { status: number; body: Readiness } | undefined;
      try {
        await waitFor(async () => {
          outage = await readyStatus(indexer);
          return outage.status === 503 && outage.body.problems.length > 0;
        }, "503 during the outage");
        const health = await fetch(`http://127.0.0.1:${indexer.server!.port}/health`);
        expect(health.status, "/health is liveness only").to.equal(200);
        await waitFor(() => (proxy.injected.http ?? 0) > 20, "a long outage");
      } finally {
        proxy.set(null);
      }
      expect(outage!.body.ready).to.equal(false);
      expect(outage!.body.problems.map((p) => p.error).join(" ")).to.contain("HTTP 503");
      await finish(indexer, state);
    });

    it("a provider that refuses connections for a while: /ready 503, then it catches up", async function () {
      const { indexer, state } = await start({});
      await proxy.refuse();
      try {
        await waitFor(async () => {
          const ready = await readyStatus(indexer);
          return ready.status === 503 && ready.body.problems.some((p) => p.component === "rpc");
        }, "503 while refused");
      } finally {
        await proxy.accept();
      }
      await finish(indexer, state);
      expect(await checksumTables(indexer.db.url)).to.deep.equal(reference);
    });
  });

  describe("a provider that loses logs", function () {
    it("refuses the blocks a lagging node answers without their logs until it has them", async function () {
      const lag = 3;
      const newest = Number(await head());
      const recent = (await provider.request({
        method: "eth_getLogs",
        params: [{ fromBlock: "0x" + (newest - lag + 1).toString(16), toBlock: "latest" }],
      })) as RpcLog[];
      expect(recent.length, "the newest blocks hold logs").to.be.greaterThan(0);
      const firstLost = Math.min(...recent.map((log) => Number(log.blockNumber)));

      const before = proxy.injected.lagging ?? 0;
      proxy.set({ kind: "lagging", blocks: lag }, { methods: ["eth_getLogs"] });
      try {
        const { indexer, state } = await start({});
        // Replies without the newest blocks' logs, or refusing their hashes, again and again.
        await waitFor(
          async () => {
            if ((proxy.injected.lagging ?? 0) - before >= 5) return true;
            const ready = await readyStatus(indexer);
            return ready.status === 200 && ready.body.indexed_block === newest;
          },
          "lagging replies",
          () => proxy.injected,
        );
        const during = await readyStatus(indexer);
        expect(during.status).to.equal(503);
        expect(during.body.indexed_block, "nothing written past the lost logs").to.be.below(
          firstLost,
        );
        proxy.set(null);
        await finish(indexer, state);
        expect(await checksumTables(indexer.db.url)).to.deep.equal(reference);
      } finally {
        proxy.set(null);
      }
    });

    it("refuses a range that leaves out every log of one of its blocks", async function () {
      const indexer = await indexThrough(
        { kind: "drop-block-logs" },
        // Every range with logs loses one block's logs until three have been refused: a random
        // rate could let the indexer finish before any range lost a block.
        { rate: 1, methods: ["eth_getLogs"], extra: { MAX_BLOCK_RANGE: "8" } },
      );
      expect(indexer.metrics.incompleteRanges.value()).to.be.greaterThan(0);
    });

    it("accepts a block whose bloom matches by chance once its query by hash is empty", async function () {
      // Every header claims the registry logged a Followed event; the blocks without logs
      // (those of the others hold logs of the registry's query) are read again by hash.
      const followed = hre.ethers.id("Followed(uint256,uint256)");
      const indexer = await indexThrough(
        { kind: "bloom", items: [registryAddress, followed] },
        { methods: ["eth_getBlockByNumber"], minimum: 10, throughout: true },
      );
      expect(indexer.metrics.bloomRefetches.value()).to.be.greaterThan(10);
      expect(indexer.metrics.incompleteRanges.value()).to.equal(0);
    });
  });

  describe("a database that fails", function () {
    const target = () => {
      const url = new URL(ADMIN_URL);
      return { host: url.hostname, port: Number(url.port || 5432) };
    };
    const through = (databaseUrl: string, port: number) => {
      const url = new URL(databaseUrl);
      url.port = String(port);
      return url.toString();
    };

    it("is waited for at start, with /health 200 and /ready 503, and logged", async function () {
      const db = await database();
      const tcp = await startTcpProxy(target(), { listening: false });
      const lines: { msg: string; retry_in_ms?: number; component?: string; http_port?: number }[] =
        [];
      const logger = pino(
        { level: "info" },
        { write: (line: string) => void lines.push(JSON.parse(line)) },
      );
      const config = testConfig(
        testEnv({
          rpcUrl: honest.url,
          databaseUrl: through(db.url, tcp.port),
          deploymentFile,
          extra: FAST,
        }),
      );
      const starting = createIndexer({ config, logger, serve: true });
      starting.catch(() => undefined);
      try {
        const waits = () => lines.filter((line) => line.msg === "database unreachable, waiting");
        await waitFor(
          () => waits().length >= 3,
          "retries logged",
          () => lines,
        );
        expect(waits()[0].component).to.equal("database");
        expect(waits()[0].retry_in_ms).to.be.a("number");
        // The status server answers while the database is awaited.
        const port = lines.find((line) => line.msg === "status server listening")!.http_port;
        expect((await fetch(`http://127.0.0.1:${port}/health`)).status).to.equal(200);
        const ready = await fetch(`http://127.0.0.1:${port}/ready`);
        expect(ready.status).to.equal(503);
        const body = (await ready.json()) as Readiness;
        expect(body.problems.map((p) => p.component)).to.include("database");
        await tcp.accept();
        const indexer = await starting;
        running.push(indexer);
        const state: { failure?: unknown } = {};
        indexer.run().catch((error) => (state.failure = error));
        await finish(indexer, state);
        expect(await checksumTables(db.url)).to.deep.equal(reference);
      } finally {
        await tcp.close();
      }
    });

    it("while it is awaited at start, SIGTERM still stops the process cleanly (exit 0)", async function () {
      const tcp = await startTcpProxy(target(), { listening: false });
      const child = spawn(process.execPath, [builtEntryPoint("indexer/main.ts")], {
        cwd: path.resolve(__dirname, "../.."),
        env: {
          ...process.env,
          ...testEnv({
            rpcUrl: honest.url,
            databaseUrl: `postgres://postgres@127.0.0.1:${tcp.port}/postgres`,
            deploymentFile,
            extra: { ...FAST, LOG_LEVEL: "info" },
          }),
        },
        stdio: ["ignore", "pipe", "inherit"],
      });
      let output = "";
      child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
      try {
        await waitFor(
          () => output.split("database unreachable, waiting").length > 2,
          "waiting for the database",
          () => output,
        );
        child.kill("SIGTERM");
        expect(await exited).to.equal(0);
        expect(output).to.contain('"msg":"stopped"');
      } finally {
        child.kill("SIGKILL");
        await tcp.close();
      }
    });

    it("survives a connection that dies between two statements of a transaction", async function () {
      const db = await database();
      const pool = new pg.Pool({ connectionString: db.url, max: 1 });
      const admin = new pg.Client({ connectionString: db.url });
      await admin.connect();
      try {
        const error = await inTransaction(pool, async (client) => {
          const { rows } = await client.query("SELECT pg_backend_pid() AS pid");
          const closed = new Promise((resolve) =>
            (
              client as unknown as { connection: { stream: NodeJS.EventEmitter } }
            ).connection.stream.once("close", resolve),
          );
          await admin.query("SELECT pg_terminate_backend($1)", [rows[0].pid]);
          // The server's goodbye arrives while no statement runs: the client emits 'error'.
          await closed;
          await client.query("SELECT 1");
        }).catch((e) => e);
        expect(isDatabaseUnavailable(error), String(error)).to.equal(true);
        // The broken connection was discarded: the pool hands out a working one.
        expect((await pool.query("SELECT 1 AS one")).rows[0].one).to.equal(1);
      } finally {
        await admin.end();
        await pool.end();
      }
    });

    it("classifies what waiting cures and what it does not", async function () {
      const refused = await new pg.Client({ host: "127.0.0.1", port: 1, user: "x" })
        .connect()
        .catch((e) => e);
      expect(isDatabaseUnavailable(refused), String(refused)).to.equal(true);
      const missing = new URL(ADMIN_URL);
      missing.pathname = "/agora_no_such_database";
      const noDatabase = await new pg.Client({ connectionString: missing.toString() })
        .connect()
        .catch((e) => e);
      expect(isDatabaseUnavailable(noDatabase)).to.equal(false);
      expect(databaseConfigFix(noDatabase)).to.contain("create the database");
      const client = new pg.Client({ connectionString: ADMIN_URL });
      await client.connect();
      const syntax = await client.query("SELEC 1").catch((e) => e);
      await client.end();
      expect(isDatabaseUnavailable(syntax)).to.equal(false);
      expect(databaseConfigFix(syntax)).to.equal(undefined);
    });

    it("drops connections in the middle of writes: each batch is retried, nothing lost or doubled", async function () {
      const db = await database();
      const tcp = await startTcpProxy(target());
      const monitor = new pg.Client({ connectionString: db.url });
      await monitor.connect();
      try {
        const { indexer, state } = await start({
          rpcUrl: honest.url,
          databaseUrl: through(db.url, tcp.port),
          extra: { MAX_BLOCK_RANGE: "1" },
        });
        await waitFor(
          async () => (await readyStatus(indexer)).status === 200,
          "ready before the cuts",
        );
        // New blocks, one batch each, while connections are cut inside write transactions.
        const activity = randomActivity(registry, actors, 24, 4_202);
        let cuts = 0;
        let settled = false;
        activity.finally(() => (settled = true));
        while (!settled || cuts === 0) {
          const { rows } = await monitor.query(
            `SELECT count(*)::int AS n FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL
               AND query ~* '^\\s*(INSERT|UPDATE|DELETE|SELECT pg_notify)'`,
          );
          if (rows[0].n > 0) {
            tcp.cut();
            cuts++;
            await pause(30);
          }
        }
        await activity;
        expect(cuts, "connections cut inside a write").to.be.greaterThan(0);
        await finish(indexer, state);
        expect(indexer.metrics.databaseErrors.value()).to.be.greaterThan(0);
        expect(await checksumTables(db.url)).to.deep.equal(await freshIndex());
      } finally {
        await monitor.end();
        await tcp.close();
      }
    });

    it("refuses connections while it restarts: /ready 503, then the sync goes on", async function () {
      const db = await database();
      const tcp = await startTcpProxy(target());
      try {
        const { indexer, state } = await start({
          rpcUrl: honest.url,
          databaseUrl: through(db.url, tcp.port),
        });
        await waitFor(async () => (await readyStatus(indexer)).status === 200, "ready");
        await tcp.refuse();
        const activity = randomActivity(registry, actors, 3, 4_203);
        try {
          await waitFor(async () => {
            const ready = await readyStatus(indexer);
            return (
              ready.status === 503 && ready.body.problems.some((p) => p.component === "database")
            );
          }, "503 while the database is away");
          await waitFor(
            () => indexer.metrics.databaseErrors.value() >= 2,
            "sync steps failing on the database",
          );
        } finally {
          await tcp.accept();
          await activity;
        }
        await finish(indexer, state);
        expect(await checksumTables(db.url)).to.deep.equal(await freshIndex());
      } finally {
        await tcp.close();
      }
    });
  });
});
