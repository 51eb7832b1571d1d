/**
 * GraphQL API load benchmark, written to bench/api.json.
 *
 * 1. Starts `hardhat node` (real JSON-RPC over HTTP, in its own process), deploys the suite and
 *    generates at least BENCH_EVENTS events (default 110,000) over every contract with
 *    bench/workload.ts, then indexes them with the real indexer into an empty database.
 * 2. Serves the API over HTTP as `npm run api` does, in its own process, and loads
 *    it with autocannon, BENCH_CONNECTIONS connections (default 50) for BENCH_SECONDS seconds
 *    (default 10) per query, one query at a time:
 *    - coin page: a coin, its last 50 trades and its top 20 holders, each connection asking for
 *      every coin in turn (a distinct coin on each of its requests);
 *    - home feed: the 50 latest posts of the profiles the most-following profile follows, with
 *      their authors and counts;
 *    - tip leaderboard: the 20 most tipped profiles in ETH, with their handles.
 *    Each query is first run once (for each coin) and must answer without errors.
 * 3. Records requests per second and the p50 and p99 latency of each query, twice: against the
 *    API as served (its response cache answers a repeated query while the indexer's checkpoint
 *    stays put and the answer is younger than API_CACHE_TTL_MS, 1 s by default) and against the
 *    same API with the cache off (every request parsed, validated and executed).
 * 4. Counts how many requests of each run were executed rather than answered from the cache,
 *    from Postgres' own counters: an executed request scans the data tables (a fixed number of
 *    times per query, which the uncached run measures), a cache hit reads only the checkpoint.
 *    Postgres publishes a session's counters up to 10 s after it goes idle, so each count waits
 *    STATS_SETTLE_MS after the load stops.
 *
 * 5. Records the CPU time each request costs: the API process's and that of its Postgres sessions
 *    (application_name agora-api), read from /proc over the measured run and divided by its
 *    requests. The load generator's own CPU is not counted.
 *
 * 6. Measures it all against each target of BENCH_TARGETS in turn (default "primary,replica"):
 *    - primary: the database the indexer wrote;
 *    - replica: a hot-standby streaming replica of it (docs/operations.md). The API reads the
 *      replica as `npm run api` does with DATABASE_URL pointing at one (it polls the replica's
 *      checkpoint instead of LISTEN). Each run records the replica's replay lag in bytes of WAL
 *      as it starts (nothing writes during the load, so it stays 0 once replayed).
 *    A replica needs a primary that pg_basebackup may copy, which the machine's shared server is
 *    not ours to reconfigure for. So when the targets include the replica, the benchmark starts a
 *    PostgreSQL cluster of its own (devnet/postgresServer.ts: the machine's PostgreSQL binaries,
 *    initdb in a temporary folder, a free port, fsync off, wal_level replica by default), indexes
 *    the workload into it, copies it with `pg_basebackup -R`, starts the replica, waits until the
 *    replica has replayed the primary's current WAL position, and measures both targets on that
 *    pair: primary and replica then differ only in being a standby. Both clusters are removed at
 *    the end. With BENCH_TARGETS=primary the database is made on BENCH_POSTGRES_URL as before.
 *    BENCH_REPLICA_QUERIES (default "coinPage") are the queries measured on the replica, in both
 *    modes and every process count: each query measured there adds four runs of about 25 s
 *    (warm-up, load and the settling of Postgres' counters) to a run of 15 to 20 minutes on the
 *    shared 2-core machine.
 *
 * Run: npm run bench:api. With BENCH_TARGETS=primary it needs the local Postgres
 * (BENCH_POSTGRES_URL, an admin URL on which the benchmark creates and drops its database;
 * BENCH_KEEP=1 keeps it, and BENCH_DATABASE_URL=<its URL> measures the API over it again without
 * generating and indexing the workload anew); with the replica among the targets, the machine's
 * PostgreSQL server binaries (`pg_config --bindir`, pg_basebackup included).
 * BENCH_EVENTS sets the workload's size, BENCH_NODE_PORT the node's port (18546),
 * BENCH_CONNECTIONS and BENCH_SECONDS the load, BENCH_API_WORKERS the API processes measured in
 * turn (default "1,2": one process, then API_WORKERS=2; `scaling` in the figures compares them),
 * BENCH_QUERIES the queries measured (default "coinPage,homeFeed,tipLeaderboard"; a subset is for
 * trying a change: bench/api.json is only committed from a run of all of them),
 * BENCH_API_NODE_OPTIONS the Node.js options of the API processes (default: those of
 * `npm run api` in package.json; empty for none).
 */
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import pg from "pg";
import { createPostgresServer, createReplica, type PostgresServer } from "../devnet/postgresServer";
import { apiNodeOptions, buildDatabase, startApiProcess, type ApiProcess } from "./apiProcess";
import { processCpuMs } from "./cpu";
import { writeFigures } from "./figures";
import { COIN_PAGE } from "./queries";

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
/**
 * A database a previous run kept (BENCH_KEEP=1): measure the API over it again, without
 * generating and indexing the workload anew.
 */
const REUSE_URL = process.env.BENCH_DATABASE_URL;
const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
/** Longer than Postgres' PGSTAT_IDLE_INTERVAL (10 s): an idle session has published its counters. */
const STATS_SETTLE_MS = 11_000;

/**
 * API processes to measure, in turn: 1 is `npm run api` as one process, N above 1 runs it with
 * API_WORKERS=N (node:cluster, docs/api.md "Several processes").
 */
const WORKER_COUNTS = (process.env.BENCH_API_WORKERS ?? "1,2").split(",").map((count) => {
  const workers = Number(count);
  if (!Number.isInteger(workers) || workers < 1) {
    throw new Error(`BENCH_API_WORKERS lists whole numbers of 1 or more, got "${count}"`);
  }
  return workers;
});

const QUERIES = (process.env.BENCH_QUERIES ?? "coinPage,homeFeed,tipLeaderboard").split(",");

type Target = "primary" | "replica";
/** What the API reads, in turn: the primary the indexer wrote, a streaming replica of it. */
const TARGETS = (process.env.BENCH_TARGETS ?? "primary,replica").split(",").map((target) => {
  if (target !== "primary" && target !== "replica") {
    throw new Error(`BENCH_TARGETS lists primary and/or replica, got "${target}"`);
  }
  return target as Target;
});
/** The queries measured on the replica (of those BENCH_QUERIES names). */
const REPLICA_QUERIES = (process.env.BENCH_REPLICA_QUERIES ?? "coinPage").split(",");
/** How long the replica may take to replay the primary's WAL after the copy. */
const REPLAY_TIMEOUT_MS = 300_000;

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
  /** What the API read: the primary, or a hot-standby replica streaming from it. */
  target: Target;
  /** On the replica: WAL bytes the primary had written that it had not replayed as the measured run started. */
  replayLagBytesAtStart: number | null;
  query: string;
  /** API processes serving (API_WORKERS; 1: one process, no cluster). */
  workers: number;
  /** "cached": the API as served (response cache on); "uncached": every request executed. */
  mode: "cached" | "uncached";
  description: string;
  variables: Record<string, unknown>;
  /** Requests cycle through this many variable sets (distinct coins for the coin page). */
  distinctVariables: number;
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMaxMs: number;
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  responseBytes: number;
  /** Requests of the warm-up and the measured run together: what the two counts below cover. */
  requestsWithWarmup: number;
  /** Of those, the requests that were executed (not answered from the cache). */
  executed: number;
  /** executed / requestsWithWarmup. */
  executedShare: number;
  /** CPU time of the API's processes (primary and workers) during the measured run, per request, in ms. */
  apiCpuMsPerRequest: number;
  /** The machine's 1-minute load average as the measured run ended. */
  loadAverage1m: number;
  /** CPU time of the API's Postgres backends during the measured run, per request, in ms. */
  postgresCpuMsPerRequest: number;
  /** The two together: what one request costs the machine (the load generator excluded). */
  cpuMsPerRequest: number;
}

/** The process ids of the API's Postgres sessions (application_name agora-api) on the database. */
async function apiBackendPids(url: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE application_name = 'agora-api' AND datname = current_database()",
    );
    return rows.map((row) => row.pid);
  } finally {
    await client.end();
  }
}

/**
 * CPU spent by the API's processes and by their Postgres backends while `run` runs, read from /proc
 * (Postgres runs on this machine). A backend that exits during the run takes its CPU time with
 * it; the API's pool keeps its connections open while it is under load. Any other client of the
 * database with application_name agora-api is counted too: measure on a database nothing else
 * reads.
 */
async function cpuDuring<T>(
  pids: number[],
  url: string,
  run: () => Promise<T>,
): Promise<{ result: T; apiMs: number; postgresMs: number; backends: number }> {
  const before = await apiBackendPids(url);
  const apiCpuMs = () => pids.reduce((sum, pid) => sum + processCpuMs(pid), 0);
  const apiStart = apiCpuMs();
  const pgStart = new Map(before.map((backend) => [backend, processCpuMs(backend)]));
  const result = await run();
  const apiMs = apiCpuMs() - apiStart;
  const after = await apiBackendPids(url);
  let postgresMs = 0;
  for (const backend of new Set([...before, ...after])) {
    const now = processCpuMs(backend);
    // 0: the session ended during the run and took its CPU time with it.
    if (now > 0) postgresMs += now - (pgStart.get(backend) ?? 0);
  }
  return { result, apiMs, postgresMs, backends: after.length };
}

/**
 * Scans of the data tables (every table but the checkpoint, which a cache hit reads) since the
 * database's counters started, once every session has published its own: a fresh connection
 * after STATS_SETTLE_MS without load.
 */
async function settledTableScans(url: string): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, STATS_SETTLE_MS));
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ scans: string }>(
      `SELECT coalesce(sum(coalesce(seq_scan, 0) + coalesce(idx_scan, 0)), 0)::text AS scans
       FROM pg_stat_user_tables WHERE relname NOT IN ('sync_checkpoint', '_agora_migrations')`,
    );
    return Number(rows[0].scans);
  } finally {
    await client.end();
  }
}

/** WAL bytes the primary has written that the replica has not replayed yet (0 when caught up). */
async function replayLagBytes(primaryUrl: string, replicaUrl: string): Promise<number> {
  const primary = new pg.Client({ connectionString: primaryUrl });
  const replica = new pg.Client({ connectionString: replicaUrl });
  await primary.connect();
  await replica.connect();
  try {
    const {
      rows: [{ lsn }],
    } = await primary.query<{ lsn: string }>("SELECT pg_current_wal_lsn()::text AS lsn");
    const {
      rows: [{ bytes }],
    } = await replica.query<{ bytes: string }>(
      "SELECT pg_wal_lsn_diff($1::pg_lsn, pg_last_wal_replay_lsn())::text AS bytes",
      [lsn],
    );
    return Math.max(0, Number(bytes));
  } finally {
    await primary.end();
    await replica.end();
  }
}

/** Waits until the replica has replayed everything the primary has written so far. */
async function replayed(primaryUrl: string, replicaUrl: string): Promise<void> {
  const deadline = Date.now() + REPLAY_TIMEOUT_MS;
  while ((await replayLagBytes(primaryUrl, replicaUrl)) > 0) {
    if (Date.now() > deadline) {
      throw new Error(`the replica did not catch up with the primary in ${REPLAY_TIMEOUT_MS} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function main() {
  const log = (message: string) => console.log(`[bench:api] ${message}`);
  // The machine may be shared: the load before and after the run says how much.
  const loadAverageAtStart = os.loadavg().map((load) => Number(load.toFixed(2)));
  const cleanups: (() => Promise<void>)[] = [];
  /** The benchmark's own clusters, removed after every cleanup (the API, the database) ran. */
  const clusters: PostgresServer[] = [];
  try {
    const withReplica = TARGETS.includes("replica");
    if (withReplica && REUSE_URL) {
      throw new Error(
        "BENCH_DATABASE_URL measures a kept database on its own server, which has no replica: set BENCH_TARGETS=primary with it",
      );
    }
    let primaryServer: PostgresServer | undefined;
    if (withReplica) {
      primaryServer = await createPostgresServer();
      clusters.push(primaryServer);
      primaryServer.start();
      log(`started the benchmark's own primary cluster on port ${primaryServer.port}`);
    }
    const { url: databaseUrl, built } = REUSE_URL
      ? { url: REUSE_URL, built: null }
      : await buildDatabase({
          events: EVENTS,
          nodePort: NODE_PORT,
          // The benchmark's own cluster is removed whole at the end.
          keep: KEEP && !withReplica,
          adminUrl: primaryServer?.url ?? ADMIN_URL,
          log,
          cleanups,
        });
    if (REUSE_URL) log(`measuring the database already indexed at ${REUSE_URL}`);
    const targetUrls: Record<Target, string> = { primary: databaseUrl, replica: "" };
    if (primaryServer) {
      const copyStart = process.hrtime.bigint();
      const replica = await createReplica(primaryServer);
      clusters.push(replica);
      replica.start();
      const replicaUrl = new URL(databaseUrl);
      replicaUrl.port = String(replica.port);
      targetUrls.replica = replicaUrl.toString();
      await replayed(databaseUrl, targetUrls.replica);
      log(
        `replica on port ${replica.port} copied and caught up in ${(Number(process.hrtime.bigint() - copyStart) / 1e9).toFixed(1)} s`,
      );
    }
    const admin = new pg.Pool({ connectionString: databaseUrl, max: 1 });
    cleanups.push(() => admin.end());
    const serverVersion = (
      await admin.query<{ version: string }>("SELECT current_setting('server_version') AS version")
    ).rows[0].version.split(" ")[0];
    const tables = Object.fromEntries(
      (
        await admin.query<{ table: string; rows: string }>(
          `SELECT relname AS table, n_live_tup::text AS rows FROM pg_stat_user_tables
           WHERE n_live_tup > 0 ORDER BY relname`,
        )
      ).rows.map((row) => [row.table, Number(row.rows)]),
    );
    const coins = (
      await admin.query<{ address: string; trades: number }>(
        "SELECT address, trade_count AS trades FROM coins ORDER BY trade_count DESC, address",
      )
    ).rows;
    const [reader] = (
      await admin.query<{ id: string; following: string }>(
        `SELECT follower_id::text AS id, count(*)::text AS following FROM follows
         GROUP BY follower_id ORDER BY count(*) DESC, follower_id LIMIT 1`,
      )
    ).rows;

    const queries: {
      query: string;
      description: string;
      document: string;
      variableSets: Record<string, unknown>[];
    }[] = [
      {
        query: "coinPage",
        description: `every coin in turn (${coins.length} coins, ${coins.at(-1)!.trades} to ${coins[0].trades} trades), a distinct coin on each request of a connection: the coin, its last 50 trades, its top 20 holders`,
        document: COIN_PAGE,
        variableSets: coins.map((coin) => ({ coin: coin.address })),
      },
      {
        query: "homeFeed",
        description: `home feed of profile ${reader.id} (follows ${reader.following} profiles): 50 posts with authors and counts`,
        document: HOME_FEED,
        variableSets: [{ reader: reader.id }],
      },
      {
        query: "tipLeaderboard",
        description: "the 20 most tipped profiles in ETH, with handles",
        document: TIP_LEADERBOARD,
        variableSets: [{}],
      },
    ].filter((q) => QUERIES.includes(q.query));
    if (queries.length === 0)
      throw new Error(`BENCH_QUERIES names none of the queries: ${QUERIES}`);
    const results: Measured[] = [];
    /** Table scans of each run and the requests they served, to divide once all ran. */
    const counted: { measured: Measured; scans: number }[] = [];
    for (const target of TARGETS) {
      const db = { url: targetUrls[target] };
      const targetQueries =
        target === "replica" ? queries.filter((q) => REPLICA_QUERIES.includes(q.query)) : queries;
      if (targetQueries.length === 0) {
        throw new Error(
          `BENCH_REPLICA_QUERIES names none of the queries measured: ${REPLICA_QUERIES}`,
        );
      }
      // Each server counts its own scans (a standby's sessions count theirs on the standby).
      let scans = await settledTableScans(db.url);
      for (const workers of WORKER_COUNTS) {
        // The API as `npm run api` serves it, in its own processes (its read pool, the default
        // limits), once as configured by default and once with its response cache off: what
        // every request costs when executed. Only the processes measured run.
        // The load generator is one address standing for CONNECTIONS clients: the per-client
        // limits (4 running, 32 waiting by default) would refuse its connections past 36 with
        // 429, and per process, so one process would be measured answering 429s; its budget of
        // processing time is off for the same reason.
        const processes = {
          API_WORKERS: String(workers),
          API_MAX_CONCURRENT_PER_CLIENT: String(CONNECTIONS),
          API_MAX_QUEUED_PER_CLIENT: String(CONNECTIONS),
          API_CLIENT_BUDGET_MS: "0",
        };
        const servers: { mode: "cached" | "uncached"; server: ApiProcess }[] = [
          { mode: "cached", server: await startApiProcess(db.url, processes, cleanups) },
          {
            mode: "uncached",
            server: await startApiProcess(
              db.url,
              { ...processes, API_CACHE_TTL_MS: "0" },
              cleanups,
            ),
          },
        ];
        for (const q of targetQueries) {
          for (const { mode, server } of servers) {
            const { url, pids } = server;
            const headers = { "content-type": "application/json" };
            const bodies = q.variableSets.map((variables) =>
              JSON.stringify({ query: q.document, variables }),
            );
            let responseBytes = 0;
            for (const body of bodies) {
              const probe = await fetch(url, { method: "POST", headers, body });
              const reply = (await probe.json()) as { errors?: unknown[] };
              if (reply.errors)
                throw new Error(`${q.query} failed: ${JSON.stringify(reply.errors)}`);
              responseBytes = Math.max(responseBytes, JSON.stringify(reply).length);
            }
            // Each connection sends the bodies in turn, over and over.
            const requests = bodies.map((body) => ({ method: "POST" as const, headers, body }));
            // Warm-up, not timed: the JIT compiles the hot paths and the pools fill.
            const warmup = await autocannon({
              url,
              requests,
              connections: CONNECTIONS,
              duration: WARMUP,
              workers: 1,
            });
            const run = `${q.query} (${target}, ${workers} × ${mode})`;
            const replayLagBytesAtStart =
              target === "replica" ? await replayLagBytes(targetUrls.primary, db.url) : null;
            log(`${run}: ${CONNECTIONS} connections for ${DURATION} s`);
            const { result, apiMs, postgresMs } = await cpuDuring(pids, db.url, () =>
              autocannon({
                url,
                requests,
                connections: CONNECTIONS,
                duration: DURATION,
                // The load generator runs in a worker thread, off the API's event loop.
                workers: 1,
              }),
            );
            const perRequest = (ms: number) =>
              Number((ms / Math.max(1, result.requests.total)).toFixed(3));
            const measured: Measured = {
              target,
              replayLagBytesAtStart,
              query: q.query,
              workers,
              mode,
              description: q.description,
              variables: q.variableSets[0],
              distinctVariables: q.variableSets.length,
              requestsPerSecond: Math.round(result.requests.average),
              latencyP50Ms: result.latency.p50,
              latencyP99Ms: result.latency.p99,
              latencyMaxMs: result.latency.max,
              requests: result.requests.total,
              non2xx: result.non2xx,
              errors: result.errors,
              timeouts: result.timeouts,
              responseBytes,
              // The probe requests above count too.
              requestsWithWarmup: bodies.length + warmup.requests.total + result.requests.total,
              executed: 0,
              executedShare: 0,
              loadAverage1m: Number(os.loadavg()[0].toFixed(2)),
              apiCpuMsPerRequest: perRequest(apiMs),
              postgresCpuMsPerRequest: perRequest(postgresMs),
              cpuMsPerRequest: perRequest(apiMs + postgresMs),
            };
            log(
              `${run}: ${measured.requestsPerSecond} req/s, p50 ${measured.latencyP50Ms} ms, p99 ${measured.latencyP99Ms} ms, CPU per request ${measured.apiCpuMsPerRequest} ms API + ${measured.postgresCpuMsPerRequest} ms Postgres, ${measured.non2xx} non-2xx`,
            );
            // Refused or failed requests cost less than answers: they would understate the CPU.
            if (measured.non2xx > 0 || measured.errors > 0) {
              throw new Error(
                `${run}: ${measured.non2xx} non-2xx replies and ${measured.errors} errors`,
              );
            }
            const after = await settledTableScans(db.url);
            counted.push({ measured, scans: after - scans });
            scans = after;
            results.push(measured);
          }
        }
        for (const { server } of servers) await server.stop();
      }
    }
    for (const [target, q] of TARGETS.flatMap((target) =>
      queries.map((q) => [target, q] as const),
    )) {
      const runs = counted.filter(
        (run) => run.measured.query === q.query && run.measured.target === target,
      );
      if (runs.length === 0) continue;
      // An uncached run executed every request: its scans per request are one execution's.
      // Coin pages share statements under load (indexer/graphql/coinPage.ts), and a shared
      // statement scans fewer times per coin than one coin's statement alone, so for the coin
      // page this undercounts an execution's scans and overcounts a cached run's executions.
      const uncached = runs.find((run) => run.measured.mode === "uncached")!;
      const scansPerExecution = uncached.scans / uncached.measured.requestsWithWarmup;
      for (const { measured, scans: runScans } of runs) {
        measured.executed = Math.min(
          measured.requestsWithWarmup,
          Math.round(runScans / scansPerExecution),
        );
        measured.executedShare = Number(
          (measured.executed / measured.requestsWithWarmup).toFixed(4),
        );
        log(
          `${q.query} (${target}, ${measured.workers} × ${measured.mode}): ${measured.executed} of ${measured.requestsWithWarmup} requests executed (${runScans} table scans, ${scansPerExecution.toFixed(2)} per execution)`,
        );
      }
    }
    // req/s of each target, query and mode as the processes go from the first count to the others.
    const scaling = TARGETS.flatMap((target) =>
      queries.flatMap((q) =>
        (["cached", "uncached"] as const).flatMap((mode) => {
          const runs = results.filter(
            (run) => run.target === target && run.query === q.query && run.mode === mode,
          );
          if (runs.length === 0) return [];
          const base = runs[0].requestsPerSecond;
          return [
            {
              target,
              query: q.query,
              mode,
              requestsPerSecond: Object.fromEntries(
                runs.map((run) => [String(run.workers), run.requestsPerSecond]),
              ),
              speedup: Object.fromEntries(
                runs.map((run) => [
                  String(run.workers),
                  Number((run.requestsPerSecond / Math.max(1, base)).toFixed(2)),
                ]),
              ),
              // What one core of API process serves: 1000 / its CPU ms per request.
              requestsPerApiCpuSecond: Object.fromEntries(
                runs.map((run) => [
                  String(run.workers),
                  Math.round(1000 / Math.max(0.001, run.apiCpuMsPerRequest)),
                ]),
              ),
            },
          ];
        }),
      ),
    );

    const cpus = os.cpus();
    const report = {
      machine: {
        cpus: cpus.length,
        cpuModel: cpus[0]?.model ?? "unknown",
        memoryGiB: Math.round(os.totalmem() / 2 ** 30),
        node: process.version,
        note: "the API, its load generator (autocannon, in a worker thread of the same process) and Postgres share the machine's cores",
        loadAverageAtStart,
        loadAverageAtEnd: os.loadavg().map((load) => Number(load.toFixed(2))),
      },
      setup: {
        targets: TARGETS,
        database: withReplica
          ? `the benchmark's own PostgreSQL ${serverVersion} cluster (the machine's binaries, initdb in a temporary folder, fsync off, default settings otherwise), for both targets: the workload is indexed into its primary, which pg_basebackup -R then copies into a hot-standby replica streaming from it; the replica had replayed the primary's current WAL position before the first run (replayLagBytesAtStart per run)`
          : `a database on the machine's PostgreSQL ${serverVersion} server (BENCH_POSTGRES_URL)`,
        replicaQueries: withReplica
          ? `${queries
              .filter((q) => REPLICA_QUERIES.includes(q.query))
              .map((q) => q.query)
              .join(
                ", ",
              )} only (BENCH_REPLICA_QUERIES), in both modes and with every process count, to keep the whole run near ten to fifteen minutes`
          : null,
        connections: CONNECTIONS,
        secondsPerQuery: DURATION,
        warmupSeconds: WARMUP,
        server: `npm run api (indexer/graphql/main.ts, node ${apiNodeOptions().join(" ")}) in its own process: createReadPool, 8 connections, statement_timeout 5000 ms; API_MAX_CONCURRENT_PER_CLIENT and API_MAX_QUEUED_PER_CLIENT ${CONNECTIONS} and API_CLIENT_BUDGET_MS 0, since the load generator's one address stands for ${CONNECTIONS} clients`,
        workers: `each query is measured with API_WORKERS of ${WORKER_COUNTS.join(", then ")}: 1 is one process; N above 1 is a node:cluster primary that hands connections round-robin to N worker processes, each a whole API with its own 8-connection pool and response cache. The machine has ${os.cpus().length} cores, shared by the API's processes, Postgres and the load generator, so a second process can only take what the first leaves idle; requestsPerApiCpuSecond (1000 / apiCpuMsPerRequest) is what one core of API process serves, whatever the contention`,
        cache:
          "cached: the default API, whose response cache serves a repeated query until the indexer's checkpoint moves or the answer is API_CACHE_TTL_MS (1000 ms) old; no indexing runs during the load, so each query is executed again about once a second, by every request that arrives while no fresh answer is stored. uncached: the same API with API_CACHE_TTL_MS=0. executed counts the requests (warm-up and measured run) that were executed rather than answered from the cache, from Postgres' table-scan counters: an execution scans the data tables as often as an uncached request does, a cache hit only reads the checkpoint",
      },
      // Null when BENCH_DATABASE_URL named a database indexed by an earlier run.
      workload: built,
      tables,
      scaling,
      queries: results,
    };
    const out = path.join(ROOT, "bench", "api.json");
    await writeFigures(out, report);
    log(`wrote ${out}`);
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    // The replica first: stopped after its primary, it would wait for the stream.
    for (const cluster of clusters.reverse()) cluster.destroy();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
