import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { expect } from "chai";
import hre from "hardhat";
import pg from "pg";
import pino from "pino";
import { deploySuite } from "../../deploy/suite";
import { createApi, type Api } from "../../indexer/graphql/api";
import { createReadPool } from "../../indexer/graphql/database";
import { MAX_LABEL_VALUES } from "../../indexer/graphql/metrics";
import { serveApi, serveMetrics, type MetricsServer } from "../../indexer/graphql/server";
import { createIndexer, type Indexer } from "../../indexer/indexer";
import type { ProfileRegistry } from "../../typechain-types";
import {
  createTestDatabase,
  serveProvider,
  testConfig,
  testEnv,
  writeDeployment,
  type RpcServer,
  type TestDatabase,
} from "./helpers";
import { parseExposition, type Exposition } from "./prometheus";
import { subscribeSse } from "./sse";

const logger = pino({ level: "silent" });

describe("Prometheus metrics", function () {
  this.timeout(120_000);
  let rpc: RpcServer;
  let db: TestDatabase;
  let indexer: Indexer;
  let pool: pg.Pool;
  let api: Api;
  let metricsServer: MetricsServer;
  let registry: ProfileRegistry;
  let signers: Awaited<ReturnType<typeof hre.ethers.getSigners>>;

  async function indexerMetrics(): Promise<Exposition> {
    const response = await fetch(`http://127.0.0.1:${indexer.server!.port}/metrics`);
    expect(response.status).to.equal(200);
    expect(response.headers.get("content-type")).to.match(/^text\/plain; version=0\.0\.4/);
    return parseExposition(await response.text());
  }

  async function apiMetrics(): Promise<Exposition> {
    const response = await fetch(`http://127.0.0.1:${metricsServer.port}/metrics`);
    expect(response.status).to.equal(200);
    expect(response.headers.get("content-type")).to.match(/^text\/plain; version=0\.0\.4/);
    return parseExposition(await response.text());
  }

  async function gql(query: string, extra: Record<string, unknown> = {}): Promise<unknown> {
    const response = await api.yoga.fetch("http://api/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ query, ...extra }),
    });
    return response.json();
  }

  before(async function () {
    signers = await hre.ethers.getSigners();
    const suite = await deploySuite(signers[0]);
    registry = suite.profileRegistry.contract;
    for (let i = 1; i <= 3; i++) {
      await (await registry.connect(signers[i]).register(`metrics_${i}`, `ipfs://m${i}`)).wait();
    }
    rpc = await serveProvider(hre.network.provider);
    db = await createTestDatabase("metrics");
    const deploymentFile = writeDeployment(
      31337,
      suite.profileRegistry.address,
      suite.profileRegistry.blockNumber,
    );
    indexer = await createIndexer({
      config: testConfig(testEnv({ rpcUrl: rpc.url, databaseUrl: db.url, deploymentFile })),
      logger,
      serve: true,
    });
    await indexer.sync.syncToHead();
    pool = createReadPool({ url: db.url, statementTimeoutMs: 5_000, logger });
    api = await createApi({ pool, databaseUrl: db.url, logger, fallbackPollMs: 0 });
    metricsServer = await serveMetrics(
      {
        render: () => api.metrics.registry.metrics(),
        contentType: api.metrics.registry.contentType,
      },
      { port: 0 },
    );
  });

  after(async function () {
    await metricsServer?.close();
    await api?.close();
    await pool?.end();
    await indexer?.stop();
    await db?.drop();
    await rpc?.close();
  });

  describe("the indexer's /metrics", function () {
    it("parses as Prometheus text with the sync's, the RPC's, the writes' and the process' metrics", async function () {
      const metrics = await indexerMetrics();
      expect(metrics.types.get("indexer_rpc_duration_seconds")).to.equal("histogram");
      expect(metrics.types.get("indexer_write_duration_seconds")).to.equal("histogram");
      expect(metrics.types.get("indexer_events_total")).to.equal("counter");
      expect(metrics.types.get("indexer_reorgs_total")).to.equal("counter");
      expect(metrics.types.get("indexer_head_lag_blocks")).to.equal("gauge");
      expect(metrics.value("indexer_events_total")).to.be.at.least(3);
      expect(metrics.value("indexer_batches_total")).to.be.at.least(1);
      expect(metrics.value("indexer_head_lag_blocks")).to.equal(0);
      const getLogs = metrics.value("indexer_rpc_duration_seconds_count", {
        method: "eth_getLogs",
        outcome: "ok",
      });
      expect(getLogs, "eth_getLogs timed").to.be.greaterThan(0);
      expect(
        metrics.value("indexer_rpc_duration_seconds_bucket", {
          method: "eth_getLogs",
          outcome: "ok",
          le: "+Inf",
        }),
      ).to.equal(getLogs);
      expect(metrics.value("indexer_write_duration_seconds_count")).to.be.greaterThan(0);
      // Default process metrics.
      expect(metrics.value("process_cpu_user_seconds_total")).to.be.greaterThan(0);
      expect(metrics.value("nodejs_heap_size_used_bytes")).to.be.greaterThan(0);
    });

    it("moves as blocks and events are indexed", async function () {
      const before = await indexerMetrics();
      await (await registry.connect(signers[1]).post(1, "ipfs://metrics/post")).wait();
      await (await registry.connect(signers[2]).follow(2, 1)).wait();
      await indexer.sync.syncToHead();
      const after = await indexerMetrics();
      expect(after.value("indexer_events_total")).to.equal(
        before.value("indexer_events_total")! + 2,
      );
      expect(after.value("indexer_indexed_block")).to.be.greaterThan(
        before.value("indexer_indexed_block")!,
      );
      expect(after.value("indexer_write_duration_seconds_count")).to.be.greaterThan(
        before.value("indexer_write_duration_seconds_count")!,
      );
      const blockNumberCalls = (e: Exposition) =>
        e.value("indexer_rpc_duration_seconds_count", {
          method: "eth_blockNumber",
          outcome: "ok",
        }) ?? 0;
      expect(blockNumberCalls(after)).to.be.greaterThan(blockNumberCalls(before));
    });
  });

  describe("the API's /metrics", function () {
    it("times requests by operation name, counts cache hits and misses and errors by code", async function () {
      const before = await apiMetrics();
      const query = "query Profiles { profiles(first: 2) { nodes { handle } } }";
      expect(await gql(query)).to.not.have.property("errors");
      expect(await gql(query)).to.not.have.property("errors");
      expect(await gql("{ stats { profiles } }")).to.not.have.property("errors");
      await gql("query Broken { nothingHere }");
      const after = await apiMetrics();
      const count = (e: Exposition, operation: string) =>
        e.value("api_request_duration_seconds_count", { operation }) ?? 0;
      expect(count(after, "Profiles") - count(before, "Profiles")).to.equal(2);
      expect(count(after, "anonymous") - count(before, "anonymous")).to.equal(1);
      expect(count(after, "Broken") - count(before, "Broken")).to.equal(1);
      const hits = (e: Exposition) => e.value("api_cache_hits_total") ?? 0;
      const misses = (e: Exposition) => e.value("api_cache_misses_total") ?? 0;
      expect(hits(after) - hits(before)).to.equal(1);
      expect(misses(after) - misses(before)).to.equal(3);
      const validation = (e: Exposition) =>
        e.value("api_errors_total", { code: "GRAPHQL_VALIDATION_FAILED" }) ?? 0;
      expect(validation(after) - validation(before)).to.equal(1);
      expect(after.value("api_db_pool_connections", { state: "max" })).to.equal(8);
      expect(after.value("api_db_pool_waiting")).to.equal(0);
      expect(after.value("process_resident_memory_bytes")).to.be.greaterThan(0);
    });

    it("counts open live subscriptions per feed", async function () {
      const before = await apiMetrics();
      expect(before.value("api_sse_subscribers", { feed: "posts" })).to.equal(0);
      const stream = await subscribeSse(api, "subscription { postCreated { id } }", "posts");
      const during = await apiMetrics();
      expect(during.value("api_sse_subscribers", { feed: "posts" })).to.equal(1);
      await stream.close();
      for (let i = 0; i < 200 && api.live.subscribers("posts") > 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect((await apiMetrics()).value("api_sse_subscribers", { feed: "posts" })).to.equal(0);
    });

    it("keeps client-chosen operation names from growing the registry without bound", async function () {
      for (let i = 0; i < MAX_LABEL_VALUES + 50; i++) {
        await gql(`query Op${i} { stats { profiles } }`);
      }
      await gql("{ stats { posts } }", { operationName: 'x"}\n# TYPE evil counter\nevil 1' });
      await gql("{ stats { posts } }", { operationName: "a".repeat(10_000) });
      const metrics = await apiMetrics();
      const operations = metrics
        .all("api_request_duration_seconds_count")
        .map(([l]) => l.operation);
      // The names kept, "anonymous" and "other".
      expect(operations.length).to.be.at.most(MAX_LABEL_VALUES + 2);
      expect(operations).to.include("other");
      expect(metrics.types.has("evil")).to.equal(false);
    });

    it("has every metric the Grafana dashboard (ops/grafana/agora.json) plots", async function () {
      const dashboard = readFileSync(
        path.resolve(__dirname, "../../ops/grafana/agora.json"),
        "utf8",
      );
      const exprs = [...dashboard.matchAll(/"expr": "((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]);
      expect(exprs.length).to.be.greaterThan(15);
      const served = new Set([
        ...(await indexerMetrics()).types.keys(),
        ...(await apiMetrics()).types.keys(),
      ]);
      const plotted = new Set(
        exprs.flatMap((expr) =>
          [...expr.matchAll(/(?<![$\w])((?:indexer|api|process|nodejs)_[a-z0-9_]+)/g)].map((m) =>
            m[1].replace(/_(bucket|count|sum)$/, ""),
          ),
        ),
      );
      for (const name of plotted) expect(served.has(name), `${name} is served`).to.equal(true);
    });

    it("is served on the operations port only, not on the API's public port", async function () {
      const server = await serveApi(api, { port: 0 });
      try {
        const response = await fetch(new URL("/metrics", server.url));
        expect(response.status).to.equal(404);
        expect(await response.text()).to.not.contain("api_request_duration_seconds");
      } finally {
        await server.close();
      }
      const wrong = await fetch(`http://127.0.0.1:${metricsServer.port}/graphql`);
      expect(wrong.status).to.equal(404);
    });
  });

  describe("npm run api with API_WORKERS=2", function () {
    let child: ChildProcess;
    let exited: Promise<number | null>;
    let listening: { port: number; endpoint: string; workers: number[] };
    let metricsPort: number;

    before(async function () {
      child = spawn(
        process.execPath,
        ["-r", "ts-node/register/transpile-only", "indexer/graphql/main.ts"],
        {
          cwd: path.resolve(__dirname, "../.."),
          env: {
            ...process.env,
            DATABASE_URL: db.url,
            API_PORT: "0",
            API_METRICS_PORT: "0",
            API_WORKERS: "2",
            // Every request executes, so each one is counted where it ran.
            API_CACHE_TTL_MS: "0",
            LOG_LEVEL: "info",
          },
          stdio: ["ignore", "pipe", "inherit"],
        },
      );
      exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
      const lines = readline.createInterface({ input: child.stdout! });
      let api: typeof listening | undefined;
      let metrics: number | undefined;
      for await (const line of lines) {
        const entry = JSON.parse(line) as { msg: string; port: number } & typeof listening;
        if (entry.msg === "api listening") api = entry;
        if (entry.msg === "api metrics listening") metrics = entry.port;
        if (api && metrics !== undefined) break;
      }
      if (!api || metrics === undefined) throw new Error("the API exited before listening");
      listening = api;
      metricsPort = metrics;
    });

    after(async function () {
      if (child && child.exitCode === null) child.kill("SIGKILL");
    });

    it("answers from two worker processes on one port and sums their metrics on the operations port", async function () {
      expect(listening.workers).to.have.length(2);
      expect(new Set(listening.workers).size).to.equal(2);
      const url = `http://127.0.0.1:${listening.port}${listening.endpoint}`;
      const count = async () =>
        parseExposition(
          await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text(),
        ).value("api_request_duration_seconds_count", { operation: "Clustered" }) ?? 0;
      expect(await count()).to.equal(0);
      const requests = 20;
      for (let i = 0; i < requests; i++) {
        // A connection of its own each: the primary hands connections to the workers in turn.
        const response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", connection: "close" },
          body: JSON.stringify({ query: "query Clustered { stats { profiles } }" }),
        });
        const reply = (await response.json()) as { errors?: unknown; data?: unknown };
        expect(reply.errors).to.equal(undefined);
        expect(reply.data).to.have.nested.property("stats.profiles");
      }
      expect(await count()).to.equal(requests);
      const exposition = parseExposition(
        await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text(),
      );
      // Each worker's pool has 8 connections at most: the sum says both answered the scrape.
      expect(exposition.value("api_db_pool_connections", { state: "max" })).to.equal(16);
      expect((await fetch(url.replace(listening.endpoint, "/metrics"))).status).to.equal(404);
    });

    it("stops its workers and exits 0 on SIGTERM", async function () {
      child.kill("SIGTERM");
      expect(await exited).to.equal(0);
      for (const pid of listening.workers) {
        expect(() => process.kill(pid, 0), `worker ${pid} is gone`).to.throw();
      }
    });
  });
});
