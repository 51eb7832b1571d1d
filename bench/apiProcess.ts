/**
 * The API benchmarks' common parts (bench/api.ts, bench/attack.ts): a database filled with the
 * benchmark workload and indexed by the real indexer, and the API served over it as `npm run
 * api` serves it, in a process of its own.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { JsonRpcProvider } from "ethers";
import pg from "pg";
import pino from "pino";
import { toDeploymentFile } from "../deploy/deployment";
import { deploySuite } from "../deploy/suite";
import { rpc, startLocalNode } from "../devnet/node";
import { loadConfig } from "../indexer/config";
import { createIndexer } from "../indexer/indexer";
import { generateWorkload } from "./workload";

const ROOT = path.resolve(__dirname, "..");

const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

/** A fresh database on the admin URL's server; `drop` removes it. */
export async function freshDatabase(
  adminUrl: string,
  label: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `bench_${label}_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
    },
  };
}

export interface ApiProcess {
  /** The GraphQL endpoint. */
  url: string;
  /** The process and, with API_WORKERS above 1, its workers. */
  pids: number[];
  /** Stops it (SIGTERM) and waits until it has exited. Idempotent. */
  stop(): Promise<void>;
}

/**
 * The Node.js options `npm run api` starts the API with (`node <options> dist/...` in
 * package.json), so that the benchmarks run it the same way; BENCH_API_NODE_OPTIONS, when set
 * (empty for none), replaces them, to measure the API without them or with others.
 */
export function apiNodeOptions(): string[] {
  const chosen = process.env.BENCH_API_NODE_OPTIONS;
  if (chosen !== undefined) return chosen.split(/\s+/).filter(Boolean);
  const { scripts } = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  };
  const [node, ...words] = scripts.api.split(/\s+/);
  if (node !== "node") throw new Error(`npm run api does not start node: ${scripts.api}`);
  return words.filter((word) => word.startsWith("--"));
}

/**
 * Starts `indexer/graphql/main.ts` (what `npm run api` runs, with its Node.js options) on a free
 * port over `databaseUrl`, with `env` on top of this process' environment (API_WORKERS, limits),
 * and returns its GraphQL URL once it listens; `cleanups` gets its shutdown.
 */
export async function startApiProcess(
  databaseUrl: string,
  env: Record<string, string>,
  cleanups: (() => Promise<unknown>)[],
): Promise<ApiProcess> {
  const child = spawn(
    process.execPath,
    [...apiNodeOptions(), "-r", "ts-node/register/transpile-only", "indexer/graphql/main.ts"],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        ...env,
        DATABASE_URL: databaseUrl,
        API_PORT: "0",
        API_METRICS_PORT: "0",
        LOG_LEVEL: "info",
      },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  };
  cleanups.unshift(stop);
  return new Promise<ApiProcess>((resolve, reject) => {
    let buffer = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split("\n");
      buffer = lines.pop()!;
      for (const line of lines) {
        const entry = JSON.parse(line) as {
          msg?: string;
          port?: number;
          endpoint?: string;
          workers?: number[];
        };
        if (entry.msg === "api listening") {
          resolve({
            url: `http://127.0.0.1:${entry.port}${entry.endpoint}`,
            pids: [child.pid!, ...(entry.workers ?? [])],
            stop,
          });
        }
      }
    });
    void exited.then(() => reject(new Error("the API process exited before listening")));
  });
}

/** The figures of the workload and its indexing, when this run built the database. */
export interface Built {
  events: number;
  transactions: number;
  blocks: number;
  reverted: number;
  indexedEvents: number;
  indexSeconds: number;
  byContract: Record<string, number>;
}

/**
 * Fills a fresh database: a Hardhat node, the suite, the workload, the real indexer over it.
 * The node is stopped once indexed; the database is dropped by `cleanups` unless `keep`.
 */
export async function buildDatabase(params: {
  /** Emit at least this many events. */
  events: number;
  /** Port of the Hardhat node. */
  nodePort: number;
  /** Keep the database (its URL is logged) instead of dropping it with `cleanups`. */
  keep: boolean;
  /** An admin URL on which the database is created. */
  adminUrl: string;
  log: (message: string) => void;
  cleanups: (() => Promise<void>)[];
}): Promise<{ url: string; built: Built }> {
  const { log, cleanups } = params;
  const node = await startLocalNode(ROOT, params.nodePort);
  let nodeRunning = true;
  const stopNode = async () => {
    if (nodeRunning) await node.stop();
    nodeRunning = false;
  };
  cleanups.push(stopNode);
  const provider = new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1 });
  await rpc(node.url, "hardhat_setLoggingEnabled", [false]);
  const suite = await deploySuite(await provider.getSigner(0));
  provider.destroy();
  log(`suite deployed on ${node.url}; generating ${params.events} events`);
  const workload = await generateWorkload({
    url: node.url,
    suite,
    targetEvents: params.events,
    log,
  });
  // A reverted transaction emits nothing; the count of indexed events below is what matters.
  if (workload.reverted > 0) log(`${workload.reverted} workload transactions reverted`);

  const deploymentFile = path.join(mkdtempSync(path.join(os.tmpdir(), "agora-bench-")), "d.json");
  writeFileSync(deploymentFile, JSON.stringify(toDeploymentFile("localhost", 31337, suite)));
  const db = await freshDatabase(params.adminUrl, "api");
  if (params.keep) log(`keeping ${db.url}`);
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
  // The steady state of a database after a bulk load: vacuumed and analyzed, so that neither
  // autovacuum nor stale planner statistics weigh on the measurement.
  await indexer.db.pool.query("VACUUM ANALYZE");
  await indexer.stop();
  // The API reads only the database: the node (about 11 GB after the workload) can go.
  await stopNode();
  return {
    url: db.url,
    built: {
      events: workload.events,
      transactions: workload.transactions,
      blocks: workload.blocks,
      reverted: workload.reverted,
      indexedEvents,
      indexSeconds: Number(syncSeconds.toFixed(1)),
      byContract: workload.byContract,
    },
  };
}
