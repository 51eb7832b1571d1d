/**
 * Startup benchmark, written to bench/startup.json: how long the production entry points take
 * from the start of their process to listening, run three ways.
 *
 * - `ts-node`: the TypeScript sources through ts-node with type checking (what `npm run api` and
 *   `npm run indexer` ran before they were built);
 * - `ts-node --transpile-only`: the sources through ts-node without type checking;
 * - `node dist`: the build of `npm run build` (tsc to dist/), what `npm run api`,
 *   `npm run indexer` and `npm start` run now.
 *
 * Each is started BENCH_STARTUP_RUNS times (default 3) over a fresh, migrated database: the API
 * until it logs "api listening", the indexer until its status server listens (before it asks
 * its provider for anything: RPC_URL points at a closed port). Wall time and the CPU time of the
 * process (user + system, from /proc) up to that moment are recorded; the machine may be shared,
 * so the load average at the start and the end is recorded too, and the CPU time is the figure
 * that load does not inflate.
 *
 * Run: npm run bench:startup (it builds first). Needs the local Postgres (BENCH_POSTGRES_URL,
 * an admin URL on which it creates and drops its database).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import pino from "pino";
import { migrate } from "../indexer/db/migrate";
import { processCpuMs } from "./cpu";
import { writeFigures } from "./figures";

const ROOT = path.resolve(__dirname, "..");
const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 3);
const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
/** Give up on one start after this long (a type-checked start on a loaded machine is slow). */
const PATIENCE_MS = 600_000;

interface Start {
  wallMs: number;
  cpuMs: number;
}

/** Starts `args` with node and measures it until a log line has `msg`; then stops it. */
async function timeStart(args: string[], env: Record<string, string>, msg: string): Promise<Start> {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let output = "";
  try {
    return await new Promise<Start>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no "${msg}" within ${PATIENCE_MS} ms:\n${output}`)),
        PATIENCE_MS,
      );
      child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
      child.stdout!.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes(`"msg":"${msg}"`)) {
          const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
          const cpuMs = processCpuMs(child.pid!);
          clearTimeout(timer);
          resolve({ wallMs: Math.round(wallMs), cpuMs });
        }
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`${args.join(" ")} exited before "${msg}":\n${output}`));
      });
    });
  } finally {
    child.kill("SIGTERM");
    await exited;
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

async function main() {
  const log = (message: string) => console.log(`[bench:startup] ${message}`);
  const loadAverageAtStart = os.loadavg().map((load) => Number(load.toFixed(2)));
  const name = `bench_startup_${process.pid}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  try {
    const pool = new pg.Pool({ connectionString: databaseUrl });
    await migrate(pool, pino({ level: "silent" }));
    await pool.end();
    // The indexer only needs a well-formed deployment to start; it listens before it asks the
    // provider (a closed port) for anything.
    const deploymentFile = path.join(
      mkdtempSync(path.join(os.tmpdir(), "agora-startup-")),
      "d.json",
    );
    const names = [
      "ProfileRegistry",
      "GovernanceToken",
      "AgoraTimelock",
      "AgoraGovernor",
      "RevenueSplit",
      "TipJar",
      "CreatorCoinFactory",
      "CreatorCoin",
    ];
    writeFileSync(
      deploymentFile,
      JSON.stringify({
        network: "bench",
        chainId: 31337,
        commit: "bench",
        contracts: Object.fromEntries(
          names.map((contract, i) => [
            contract,
            { address: `0x${(i + 1).toString(16).padStart(40, "0")}`, blockNumber: 1 },
          ]),
        ),
      }),
    );
    const env = {
      DATABASE_URL: databaseUrl,
      API_PORT: "0",
      INDEXER_HTTP_PORT: "0",
      API_METRICS_PORT: "0",
      RPC_URL: "http://127.0.0.1:9",
      DEPLOYMENT_FILE: deploymentFile,
      LOG_LEVEL: "info",
    };
    const tsNode = require.resolve("ts-node/dist/bin.js");
    const entries = [
      { entry: "api", source: "indexer/graphql/main.ts", msg: "api listening" },
      { entry: "indexer", source: "indexer/main.ts", msg: "status server listening" },
    ];
    const results = [];
    for (const { entry, source, msg } of entries) {
      const built = path.join("dist", source.replace(/\.ts$/, ".js"));
      const ways = [
        { way: "ts-node", args: [tsNode, source] },
        { way: "ts-node --transpile-only", args: [tsNode, "--transpile-only", source] },
        { way: "node dist", args: [built] },
      ];
      for (const { way, args } of ways) {
        const runs: Start[] = [];
        for (let run = 0; run < RUNS; run++) {
          runs.push(await timeStart(args, env, msg));
          log(`${entry}, ${way}: ${runs.at(-1)!.wallMs} ms wall, ${runs.at(-1)!.cpuMs} ms CPU`);
        }
        results.push({
          entry,
          way,
          command: `node ${args.map((arg) => (arg === tsNode ? "ts-node" : arg)).join(" ")}`,
          medianWallMs: median(runs.map((r) => r.wallMs)),
          medianCpuMs: median(runs.map((r) => r.cpuMs)),
          runs,
        });
      }
    }
    const cpus = os.cpus();
    await writeFigures(path.join(ROOT, "bench", "startup.json"), {
      machine: {
        cpus: cpus.length,
        cpuModel: cpus[0]?.model ?? "unknown",
        node: process.version,
        note: "the machine is shared: wall times grow with its load, CPU times much less",
        loadAverageAtStart,
        loadAverageAtEnd: os.loadavg().map((load) => Number(load.toFixed(2))),
      },
      runsPerWay: RUNS,
      until: {
        api: 'the log line "api listening" (the pool created, the live hub listening, the HTTP server bound)',
        indexer:
          'the log line "status server listening" (configuration read, pools created, the status server bound)',
      },
      results,
    });
    log("wrote bench/startup.json");
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
