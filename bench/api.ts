/**
 * GraphQL API load benchmark, written to bench/api.json.
 *
 * 1. Starts `hardhat node` (real JSON-RPC over HTTP, in its own process), deploys the suite and
 *    generates at least BENCH_EVENTS events (default 110,000) over every contract with
 *    bench/workload.ts, then indexes them with the real indexer into an empty database.
 * 2. Serves the API over HTTP as `npm run api` does, in its own process, and loads
 *    it with autocannon, BENCH_CONNECTIONS connections (default 50) for BENCH_SECONDS seconds
 *    (default 10) per query, one query at a time:
 *    - coin page: the most traded coin, its last 50 trades and its top 20 holders;
 *    - home feed: the 50 latest posts of the profiles the most-following profile follows, with
 *      their authors and counts;
 *    - tip leaderboard: the 20 most tipped profiles in ETH, with their handles.
 *    Each query is first run once and must answer without errors.
 * 3. Records requests per second and the p50 and p99 latency of each query, twice: against the
 *    API as served (its response cache answers a repeated query while the indexer's checkpoint
 *    stays put) and against the same API with the cache off (every request parsed, validated
 *    and executed).
 *
 * Run: npm run bench:api. Needs the local Postgres (BENCH_POSTGRES_URL, an admin URL on which the
 * benchmark creates and drops its database; BENCH_KEEP=1 keeps it). BENCH_NODE_PORT sets the node's
 * port (18546); BENCH_CONNECTIONS and BENCH_SECONDS the load.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { JsonRpcProvider } from "ethers";
import pg from "pg";
import pino from "pino";
import { toDeploymentFile } from "../deploy/deployment";
import { deploySuite } from "../deploy/suite";
import { rpc, startLocalNode } from "../devnet/node";
import { loadConfig } from "../indexer/config";
import { createIndexer } from "../indexer/indexer";
import { generateWorkload } from "./workload";
import { writeFigures } from "./figures";

const ROOT = path.resolve(__dirname, "..");
// The indexer decodes about 93% of what the workload emits (not every event of every contract
// has a table), so 110,000 emitted gives over 100,000 indexed.
const EVENTS = Number(process.env.BENCH_EVENTS ?? 110_000);
/** Keep the database after the run, to inspect its plans. */
const KEEP = process.env.BENCH_KEEP === "1";
const NODE_PORT = Number(process.env.BENCH_NODE_PORT ?? 18_546);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
/** Seconds of unrecorded load before each measured run. */
const WARMUP = 2;
const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

/** A fresh database on the admin URL's server; `drop` removes it. */
async function freshDatabase(label: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `bench_${label}_${process.pid}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
    },
  };
}

const COIN_PAGE = /* GraphQL */ `
  query CoinPage($coin: Address!) {
    coin(address: $coin) {
      address
      name
      symbol
      price
      marketCap
      supply
      reserve
      volume
      volume24h
      holders
      tradeCount
      profile {
        id
        handle
        metadataUri
      }
      trades(first: 50) {
        nodes {
          txHash
          timestamp
          trader
          isBuy
          coinAmount
          ethAmount
          priceAfter
        }
        pageInfo {
          endCursor
          hasNextPage
        }
      }
      holdings(first: 20) {
        nodes {
          holder
          balance
          value
        }
        pageInfo {
          endCursor
          hasNextPage
        }
      }
    }
  }
`;

const HOME_FEED = /* GraphQL */ `
  query HomeFeed($reader: BigInt!) {
    homeFeed(id: $reader, first: 50) {
      nodes {
        id
        contentUri
        timestamp
        parentId
        quotedId
        author {
          id
          handle
          metadataUri
        }
        stats {
          replyCount
          quoteCount
          reactionCount
        }
      }
      pageInfo {
        endCursor
        hasNextPage
      }
    }
  }
`;

const TIP_LEADERBOARD = /* GraphQL */ `
  query TipLeaderboard {
    topTippedProfiles(first: 20) {
      nodes {
        profileId
        amount
        count
        tippers
        profile {
          handle
        }
      }
      pageInfo {
        endCursor
        hasNextPage
      }
    }
  }
`;

interface Measured {
  query: string;
  /** "cached": the API as served (response cache on); "uncached": every request executed. */
  mode: "cached" | "uncached";
  description: string;
  variables: Record<string, unknown>;
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMaxMs: number;
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  responseBytes: number;
}

/**
 * Starts `indexer/graphql/main.ts` (what `npm run api` runs) on a free port over `databaseUrl`
 * and returns its GraphQL URL once it listens; `cleanups` gets its shutdown.
 */
async function startApiProcess(
  databaseUrl: string,
  env: Record<string, string>,
  cleanups: (() => Promise<unknown>)[],
): Promise<string> {
  const child = spawn(
    process.execPath,
    ["-r", "ts-node/register/transpile-only", "indexer/graphql/main.ts"],
    {
      cwd: ROOT,
      env: { ...process.env, ...env, DATABASE_URL: databaseUrl, API_PORT: "0", LOG_LEVEL: "info" },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  cleanups.unshift(async () => {
    child.kill("SIGTERM");
    await exited;
  });
  return new Promise<string>((resolve, reject) => {
    let buffer = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split("\n");
      buffer = lines.pop()!;
      for (const line of lines) {
        const entry = JSON.parse(line) as { msg?: string; port?: number; endpoint?: string };
        if (entry.msg === "api listening") {
          resolve(`http://127.0.0.1:${entry.port}${entry.endpoint}`);
        }
      }
    });
    void exited.then(() => reject(new Error("the API process exited before listening")));
  });
}

async function main() {
  const log = (message: string) => console.log(`[bench:api] ${message}`);
  const node = await startLocalNode(ROOT, NODE_PORT);
  let nodeRunning = true;
  const stopNode = async () => {
    if (nodeRunning) await node.stop();
    nodeRunning = false;
  };
  const cleanups: (() => Promise<void>)[] = [stopNode];
  try {
    const provider = new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1 });
    await rpc(node.url, "hardhat_setLoggingEnabled", [false]);
    const suite = await deploySuite(await provider.getSigner(0));
    provider.destroy();
    log(`suite deployed on ${node.url}; generating ${EVENTS} events`);
    const workload = await generateWorkload({ url: node.url, suite, targetEvents: EVENTS, log });
    // A reverted transaction emits nothing; the count of indexed events below is what matters.
    if (workload.reverted > 0) log(`${workload.reverted} workload transactions reverted`);

    const deploymentFile = path.join(mkdtempSync(path.join(os.tmpdir(), "agora-bench-")), "d.json");
    writeFileSync(deploymentFile, JSON.stringify(toDeploymentFile("localhost", 31337, suite)));
    const db = await freshDatabase("api");
    if (KEEP) log(`keeping ${db.url}`);
    else cleanups.push(() => db.drop());
    const config = loadConfig({
      env: {
        RPC_URL: node.url,
        DATABASE_URL: db.url,
        DEPLOYMENT_FILE: deploymentFile,
        INDEXER_HTTP_PORT: "0",
        LOG_LEVEL: "silent",
      },
    });
    const indexer = await createIndexer({ config, logger: pino({ level: "silent" }) });
    const syncStart = process.hrtime.bigint();
    let indexedEvents = 0;
    for (;;) {
      const step = await indexer.sync.step();
      if (step.type === "batch") indexedEvents += step.events;
      if (step.type === "caught-up") break;
    }
    const syncSeconds = seconds(syncStart);
    log(`indexed ${indexedEvents} events in ${syncSeconds.toFixed(1)} s`);
    const admin = indexer.db.pool;
    // The steady state of a database after a bulk load: vacuumed and analyzed, so that neither
    // autovacuum nor stale planner statistics weigh on the measurement.
    await admin.query("VACUUM ANALYZE");
    const tables = Object.fromEntries(
      (
        await admin.query<{ table: string; rows: string }>(
          `SELECT relname AS table, n_live_tup::text AS rows FROM pg_stat_user_tables
           WHERE n_live_tup > 0 ORDER BY relname`,
        )
      ).rows.map((row) => [row.table, Number(row.rows)]),
    );
    const [coin] = (
      await admin.query<{ address: string; trades: number }>(
        "SELECT address, trade_count AS trades FROM coins ORDER BY trade_count DESC, address LIMIT 1",
      )
    ).rows;
    const [reader] = (
      await admin.query<{ id: string; following: string }>(
        `SELECT follower_id::text AS id, count(*)::text AS following FROM follows
         GROUP BY follower_id ORDER BY count(*) DESC, follower_id LIMIT 1`,
      )
    ).rows;
    await indexer.stop();
    // The API reads only the database: the node (about 11 GB after the workload) can go.
    await stopNode();

    // The API as `npm run api` serves it, in its own process (its read-only pool, the default
    // limits), once as configured by default and once with its response cache off: what every
    // request costs when executed.
    const servers = [
      { mode: "cached", url: await startApiProcess(db.url, {}, cleanups) },
      { mode: "uncached", url: await startApiProcess(db.url, { API_CACHE_TTL_MS: "0" }, cleanups) },
    ] as const;

    const queries = [
      {
        query: "coinPage",
        description: `coin ${coin.address} (${coin.trades} trades): the coin, its last 50 trades, its top 20 holders`,
        document: COIN_PAGE,
        variables: { coin: coin.address },
      },
      {
        query: "homeFeed",
        description: `home feed of profile ${reader.id} (follows ${reader.following} profiles): 50 posts with authors and counts`,
        document: HOME_FEED,
        variables: { reader: reader.id },
      },
      {
        query: "tipLeaderboard",
        description: "the 20 most tipped profiles in ETH, with handles",
        document: TIP_LEADERBOARD,
        variables: {},
      },
    ];
    const results: Measured[] = [];
    for (const q of queries) {
      for (const { mode, url } of servers) {
        const body = JSON.stringify({ query: q.document, variables: q.variables });
        const probe = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
        });
        const reply = (await probe.json()) as { errors?: unknown[] };
        if (reply.errors) throw new Error(`${q.query} failed: ${JSON.stringify(reply.errors)}`);
        const responseBytes = JSON.stringify(reply).length;
        // Warm-up, not recorded: the JIT compiles the hot paths and the pools fill.
        await autocannon({
          url,
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
          connections: CONNECTIONS,
          duration: WARMUP,
          workers: 1,
        });
        log(`${q.query} (${mode}): ${CONNECTIONS} connections for ${DURATION} s`);
        const result = await autocannon({
          url,
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
          connections: CONNECTIONS,
          duration: DURATION,
          // The load generator runs in a worker thread, off the API's event loop.
          workers: 1,
        });
        const measured: Measured = {
          query: q.query,
          mode,
          description: q.description,
          variables: q.variables,
          requestsPerSecond: Math.round(result.requests.average),
          latencyP50Ms: result.latency.p50,
          latencyP99Ms: result.latency.p99,
          latencyMaxMs: result.latency.max,
          requests: result.requests.total,
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          responseBytes,
        };
        log(
          `${q.query} (${mode}): ${measured.requestsPerSecond} req/s, p50 ${measured.latencyP50Ms} ms, p99 ${measured.latencyP99Ms} ms, ${measured.non2xx} non-2xx`,
        );
        results.push(measured);
      }
    }

    const cpus = os.cpus();
    const report = {
      machine: {
        cpus: cpus.length,
        cpuModel: cpus[0]?.model ?? "unknown",
        memoryGiB: Math.round(os.totalmem() / 2 ** 30),
        node: process.version,
        note: "the API, its load generator (autocannon, in a worker thread of the same process) and Postgres share the machine's cores",
        loadAverageAtEnd: os.loadavg().map((load) => Number(load.toFixed(2))),
      },
      setup: {
        connections: CONNECTIONS,
        secondsPerQuery: DURATION,
        warmupSeconds: WARMUP,
        server:
          "npm run api (indexer/graphql/main.ts) in its own process: createReadPool, 8 connections, statement_timeout 5000 ms",
        cache:
          "cached: the default API, whose response cache serves a repeated query until the indexer's checkpoint moves (no indexing runs during the load, so after the first request every request is a hit); uncached: the same API with API_CACHE_TTL_MS=0",
      },
      workload: {
        events: workload.events,
        transactions: workload.transactions,
        blocks: workload.blocks,
        reverted: workload.reverted,
        indexedEvents,
        indexSeconds: Number(syncSeconds.toFixed(1)),
        byContract: workload.byContract,
      },
      tables,
      queries: results,
    };
    const out = path.join(ROOT, "bench", "api.json");
    await writeFigures(out, report);
    log(`wrote ${out}`);
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
