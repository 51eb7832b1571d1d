/**
 * Latency of a trivial query while the API is attacked, written to bench/attack.json.
 *
 * 1. Fills a database with the benchmark workload (bench/workload.ts, BENCH_EVENTS events,
 *    default 30,000) and indexes it with the real indexer, or reuses BENCH_DATABASE_URL.
 * 2. Serves the API as `npm run api` does, in its own process, with API_TRUST_PROXY=1 (so each
 *    attacker is a client of its own by X-Forwarded-For, as behind a proxy) and the response
 *    cache off (API_CACHE_TTL_MS=0: every request is parsed, validated and executed, and an
 *    attacker cannot be answered from the cache): as one process, then as two (API_WORKERS=2;
 *    BENCH_API_WORKERS lists the counts, default "1,2").
 * 3. For each attack, BENCH_ATTACKERS clients (default 6; one for filterFloodOneClient) each keep
 *    BENCH_ATTACK_INFLIGHT requests (default 40: more than the 4 a client may run plus the 32 it
 *    may queue, so the per-client limits refuse some) in flight for BENCH_SECONDS (default 10),
 *    with the hostile queries of test/indexer/hostile-queries.test.ts:
 *    - a fragment bomb (each fragment spreads the next twice, 22 levels: refused by the cost
 *      rule);
 *    - 30 aliases of trades with nested OR and 1,000-value `_not_in` lists (refused: filters
 *      count in the cost);
 *    - trades filtered by a distinct 1,000-value `trader_in` list (within the limits: executed),
 *      from the 6 clients, then from one client alone (its budget of processing time refuses it);
 *    - all three in turn.
 *    The attackers run in a child process at nice BENCH_ATTACKER_NICE (default 10; "off": on this
 *    process' event loop at the same priority): in real life they are on other machines, and
 *    their load generation should not take the two cores from the server it measures.
 *    Meanwhile a separate client, in a worker thread of its own (off the attackers' event loop),
 *    sends the trivial query `{ indexerStatus { lastIndexedBlock } }` 20 times a second and
 *    records its latency. A run without attack comes first. BENCH_ATTACKS runs only the attacks
 *    it names (comma-separated).
 * 4. Records, per attack, the trivial query's p50, p99 and max latency against the 100 ms target,
 *    what the attackers got (answers, error codes, 429s) and the load average.
 *
 * Run: npm run bench:attack. Needs the local Postgres (BENCH_POSTGRES_URL, an admin URL on which
 * the benchmark creates and drops its database; BENCH_KEEP=1 keeps it). BENCH_NODE_PORT sets the
 * Hardhat node's port (18547).
 */
import { fork } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import pg from "pg";
import { buildDatabase, startApiProcess, type Built } from "./apiProcess";
import { writeFigures } from "./figures";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 30_000);
const KEEP = process.env.BENCH_KEEP === "1";
const NODE_PORT = Number(process.env.BENCH_NODE_PORT ?? 18_547);
const REUSE_URL = process.env.BENCH_DATABASE_URL;
const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const DURATION_MS = Number(process.env.BENCH_SECONDS ?? 10) * 1000;
const ATTACKERS = Number(process.env.BENCH_ATTACKERS ?? 6);
const INFLIGHT = Number(process.env.BENCH_ATTACK_INFLIGHT ?? 40);
const WORKER_COUNTS = (process.env.BENCH_API_WORKERS ?? "1,2").split(",").map((count) => {
  const workers = Number(count);
  if (!Number.isInteger(workers) || workers < 1) {
    throw new Error(`BENCH_API_WORKERS lists whole numbers of 1 or more, got "${count}"`);
  }
  return workers;
});
/**
 * BENCH_ATTACKER_NICE: the attackers run in a child process at this nice value (default 10, below
 * the server's and the trivial client's 0); "off" runs them on this process' event loop, at the
 * same priority as everything else.
 */
const ATTACKER_NICE =
  process.env.BENCH_ATTACKER_NICE === "off" ? null : Number(process.env.BENCH_ATTACKER_NICE ?? 10);
/** The argument that makes this module the attackers' child process (attackFromChild). */
const ATTACKER_ROLE = "--attackers";
/** What a trivial query must answer within while an attack runs (issue 10). */
const TARGET_MS = 100;
/** The trivial query's pace: one user, not a load generator. */
const TRIVIAL_INTERVAL_MS = 50;
/** Attackers run this long before the trivial query is timed, so that they saturate. */
const RAMP_MS = 1_000;

const TRIVIAL = "{ indexerStatus { lastIndexedBlock } }";

const address = (i: number) => `0x${i.toString(16).padStart(40, "0")}`;
/** 1,000 addresses no trade has, from `start` on. */
const addresses = (start: number) => [...Array(1_000)].map((_, i) => address(start + i));

const fragmentChain = (levels: number) =>
  [...Array(levels)]
    .map((_, i) => `fragment F${i} on Profile { ...F${i + 1} ...F${i + 1} }`)
    .concat(`fragment F${levels} on Profile { id handle }`)
    .join("\n");

const FRAGMENT_BOMB = JSON.stringify({
  query: `{ profile(id: "1") { ...F0 } }\n${fragmentChain(22)}`,
});

const ALIAS_FILTER_FLOOD = `query($list: [Address!]) { ${[...Array(30)]
  .map(
    (_, i) =>
      `t${i}: trades(first: 10, where: { OR: [{ trader_not_in: $list }, { OR: [{ trader_not_in: $list }] }] }) { nodes { txHash } }`,
  )
  .join(" ")} }`;

const FILTER_FLOOD = `query($list: [Address!]) { trades(first: 100, where: { trader_in: $list }) { nodes { txHash } } }`;

interface Attack {
  name: string;
  description: string;
  /** The next request's body; `n` counts the requests of the run. */
  body: ((n: number) => string) | null;
  /** Attacker clients (BENCH_ATTACKERS by default). */
  clients?: number;
}

const bomb = () => FRAGMENT_BOMB;
const aliasFlood = (n: number) =>
  JSON.stringify({ query: ALIAS_FILTER_FLOOD, variables: { list: addresses(1_000_000 + n) } });
const filterFlood = (n: number) =>
  JSON.stringify({ query: FILTER_FLOOD, variables: { list: addresses(2_000_000 + n) } });

const ALL_ATTACKS: Attack[] = [
  { name: "none", description: "no attack: the trivial query alone", body: null },
  {
    name: "fragmentBomb",
    description:
      "fragment bomb of under 1 KB (each fragment spreads the next twice, 22 levels): refused QUERY_TOO_COSTLY",
    body: bomb,
  },
  {
    name: "aliasFilterFlood",
    description:
      "30 aliases of trades with nested OR and 1,000-value trader_not_in lists, a distinct list each request: refused QUERY_TOO_COSTLY",
    body: aliasFlood,
  },
  {
    name: "filterFlood",
    description:
      "trades(first: 100) filtered by a distinct 1,000-value trader_in list each request: within the limits, executed",
    body: filterFlood,
  },
  {
    name: "filterFloodOneClient",
    description:
      "the filter flood from one client alone: its turns are charged all the time they take, and its budget of processing time refuses it (TOO_MANY_REQUESTS (budget))",
    body: filterFlood,
    clients: 1,
  },
  {
    name: "mixed",
    description: "the three attacks in turn, request by request",
    body: (n) => [bomb, aliasFlood, filterFlood][n % 3](n),
  },
];

/**
 * The trivial query's client, as plain JavaScript for a worker thread: its timings are taken on
 * an event loop that the attackers' requests do not share.
 */
const TRIVIAL_CLIENT = `
const { parentPort, workerData } = require("node:worker_threads");
const { url, durationMs, intervalMs, body } = workerData;
(async () => {
  const latencies = [];
  const failures = {};
  const end = performance.now() + durationMs;
  while (performance.now() < end) {
    const started = performance.now();
    let outcome = "ok";
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": "10.0.0.1" },
        body,
      });
      const reply = JSON.parse(await response.text());
      if (response.status !== 200 || reply.errors) {
        outcome = String(reply.errors?.[0]?.extensions?.code ?? response.status);
      }
    } catch (error) {
      outcome = String(error.cause?.code ?? error.message);
    }
    const ms = performance.now() - started;
    if (outcome === "ok") latencies.push(ms);
    else failures[outcome] = (failures[outcome] ?? 0) + 1;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, intervalMs - ms)));
  }
  parentPort.postMessage({ latencies, failures });
})();
`;

function timeTrivialQuery(
  url: string,
  durationMs: number,
): Promise<{ latencies: number[]; failures: Record<string, number> }> {
  const worker = new Worker(TRIVIAL_CLIENT, {
    eval: true,
    workerData: {
      url,
      durationMs,
      intervalMs: TRIVIAL_INTERVAL_MS,
      body: JSON.stringify({ query: TRIVIAL }),
    },
  });
  return new Promise((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
  });
}

/**
 * Attacker `client` keeps `inflight` requests of `attack` in flight until `stop` resolves;
 * counts its outcomes (ok, an error code, or the HTTP status) in `tally`.
 */
async function attacker(
  url: string,
  client: string,
  attack: (n: number) => string,
  stopped: () => boolean,
  tally: Map<string, number>,
): Promise<void> {
  let n = 0;
  const count = (outcome: string) => tally.set(outcome, (tally.get(outcome) ?? 0) + 1);
  await Promise.all(
    [...Array(INFLIGHT)].map(async () => {
      while (!stopped()) {
        const body = attack(n++);
        try {
          const response = await fetch(url, {
            method: "POST",
            headers: { "content-type": "application/json", "x-forwarded-for": client },
            body,
          });
          const text = await response.text();
          let code: unknown;
          try {
            const error = (
              JSON.parse(text) as {
                errors?: { message?: string; extensions?: { code?: unknown } }[];
              }
            ).errors?.[0];
            code = error?.extensions?.code;
            // A 429 for the client's budget of processing time, apart from its queue being full.
            if (code === "TOO_MANY_REQUESTS" && error?.message?.includes("budget")) {
              code = "TOO_MANY_REQUESTS (budget)";
            }
          } catch {
            code = undefined;
          }
          count(
            typeof code === "string"
              ? code
              : response.status === 200
                ? "ok"
                : `HTTP ${response.status}`,
          );
        } catch (error) {
          count(String((error as { cause?: { code?: string } }).cause?.code ?? "fetch failed"));
        }
      }
    }),
  );
}

/** A running attack: `stop` ends it and resolves with its attackers' outcomes. */
interface RunningAttack {
  stop(): Promise<Map<string, number>>;
}

/** ATTACKERS attackers of `attack` on this process' event loop. */
function attackHere(url: string, attack: Attack): RunningAttack {
  const tally = new Map<string, number>();
  let stopped = false;
  const running = [...Array(attack.clients ?? ATTACKERS)].map((_, i) =>
    attacker(url, `10.66.0.${i + 1}`, attack.body!, () => stopped, tally),
  );
  return {
    async stop() {
      stopped = true;
      await Promise.all(running);
      return tally;
    },
  };
}

/**
 * The same attackers in a child process of this module, at nice `nice`: resolves once they have
 * begun. The attackers stand for clients on other machines; at a lower priority their load
 * generation takes the cores the server and the trivial client leave, not theirs.
 */
async function attackFromChild(url: string, attack: Attack, nice: number): Promise<RunningAttack> {
  const child = fork(__filename, [ATTACKER_ROLE, url, attack.name], {
    execArgv: ["-r", "ts-node/register/transpile-only"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<never>((_, reject) =>
    child.once("exit", (code) => reject(new Error(`the attackers' process exited (${code})`))),
  );
  const message = <T>(): Promise<T> =>
    Promise.race([new Promise<T>((resolve) => child.once("message", resolve)), exited]);
  os.setPriority(child.pid!, nice);
  await message<"started">();
  return {
    async stop() {
      child.send("stop");
      const outcomes = await message<[string, number][]>();
      child.disconnect();
      return new Map(outcomes);
    },
  };
}

/** The child of attackFromChild: attacks until told to stop, then sends its outcomes. */
async function attackerProcess(url: string, name: string): Promise<void> {
  const running = attackHere(
    url,
    ALL_ATTACKS.find((attack) => attack.name === name)!,
  );
  process.send!("started");
  await new Promise((resolve) => process.once("message", resolve));
  const outcomes = [...(await running.stop())];
  await new Promise((resolve) => process.send!(outcomes, resolve));
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0
    ? null
    : Number(
        sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)].toFixed(1),
      );

/** BENCH_ATTACKS: a comma-separated subset of the attacks' names to run (all by default). */
const ATTACKS = process.env.BENCH_ATTACKS
  ? ALL_ATTACKS.filter((attack) => process.env.BENCH_ATTACKS!.split(",").includes(attack.name))
  : ALL_ATTACKS;

async function main() {
  const log = (message: string) => console.log(`[bench:attack] ${message}`);
  const loadAverageAtStart = os.loadavg().map((load) => Number(load.toFixed(2)));
  const cleanups: (() => Promise<void>)[] = [];
  try {
    let built: Built | null = null;
    let databaseUrl: string;
    if (REUSE_URL) {
      databaseUrl = REUSE_URL;
      log(`attacking the database already indexed at ${REUSE_URL}`);
    } else {
      ({ url: databaseUrl, built } = await buildDatabase({
        events: EVENTS,
        nodePort: NODE_PORT,
        keep: KEEP,
        adminUrl: ADMIN_URL,
        log,
        cleanups,
      }));
    }
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    const tables = Object.fromEntries(
      (
        await admin.query<{ table: string; rows: string }>(
          `SELECT relname AS table, n_live_tup::text AS rows FROM pg_stat_user_tables
           WHERE relname IN ('trades', 'profiles', 'posts', 'coins') ORDER BY relname`,
        )
      ).rows.map((row) => [row.table, Number(row.rows)]),
    );
    await admin.end();

    const results = [];
    for (const workers of WORKER_COUNTS) {
      const server = await startApiProcess(
        databaseUrl,
        { API_TRUST_PROXY: "1", API_CACHE_TTL_MS: "0", API_WORKERS: String(workers) },
        cleanups,
      );
      for (const attack of ATTACKS) {
        const attackers = attack.body
          ? ATTACKER_NICE === null
            ? attackHere(server.url, attack)
            : await attackFromChild(server.url, attack, ATTACKER_NICE)
          : null;
        if (attack.body) await new Promise((resolve) => setTimeout(resolve, RAMP_MS));
        const started = performance.now();
        const trivial = await timeTrivialQuery(server.url, DURATION_MS);
        const seconds = (performance.now() - started) / 1000;
        const loadAverage1m = Number(os.loadavg()[0].toFixed(2));
        const tally = attackers ? await attackers.stop() : new Map<string, number>();
        const sorted = [...trivial.latencies].sort((a, b) => a - b);
        const attackRequests = [...tally.values()].reduce((sum, n) => sum + n, 0);
        const result = {
          workers,
          attack: attack.name,
          description: attack.description,
          trivialQueries: sorted.length,
          trivialFailures: trivial.failures,
          latencyP50Ms: percentile(sorted, 50),
          latencyP99Ms: percentile(sorted, 99),
          latencyMaxMs: percentile(sorted, 100),
          withinTarget: (percentile(sorted, 99) ?? Infinity) < TARGET_MS,
          attackRequestsPerSecond: Math.round(attackRequests / seconds),
          attackOutcomes: Object.fromEntries([...tally].sort(([a], [b]) => a.localeCompare(b))),
          loadAverage1m,
        };
        log(
          `${workers} × ${attack.name}: trivial query p50 ${result.latencyP50Ms} ms, p99 ${result.latencyP99Ms} ms, max ${result.latencyMaxMs} ms (${sorted.length} answered, failures ${JSON.stringify(trivial.failures)}); attackers ${result.attackRequestsPerSecond} req/s ${JSON.stringify(result.attackOutcomes)}; load ${loadAverage1m}`,
        );
        results.push(result);
      }
      await server.stop();
    }

    const cpus = os.cpus();
    await writeFigures(path.join(__dirname, "attack.json"), {
      machine: {
        cpus: cpus.length,
        cpuModel: cpus[0]?.model ?? "unknown",
        memoryGiB: Math.round(os.totalmem() / 2 ** 30),
        node: process.version,
        note:
          ATTACKER_NICE === null
            ? "the API, Postgres, the attackers (this process) and the trivial query's client (a worker thread of this process) share the machine's cores at the same priority"
            : `the API, Postgres, the attackers and the trivial query's client (a worker thread of this process) share the machine's cores; the attackers run in a child process at nice ${ATTACKER_NICE}, standing for clients on other machines: their load generation gets the CPU the server and the trivial client leave (BENCH_ATTACKER_NICE=off runs them in this process at the same priority)`,
        loadAverageAtStart,
        loadAverageAtEnd: os.loadavg().map((load) => Number(load.toFixed(2))),
      },
      setup: {
        targetMs: TARGET_MS,
        server: `npm run api (indexer/graphql/main.ts) in its own process, API_WORKERS=${WORKER_COUNTS.join(", then ")}, API_TRUST_PROXY=1, API_CACHE_TTL_MS=0, the default limits (per process: each attacker may run 4 requests and queue 32, so with 2 workers 8 and 64; 8 requests processed at once, one turn begun per phase of the event loop; a budget of 250 ms of processing time a second per client)`,
        attackers: ATTACKERS,
        attackersProcess:
          ATTACKER_NICE === null ? "this process" : `a child process at nice ${ATTACKER_NICE}`,
        inflightPerAttacker: INFLIGHT,
        secondsPerAttack: DURATION_MS / 1000,
        trivialQuery: TRIVIAL,
        trivialQueryIntervalMs: TRIVIAL_INTERVAL_MS,
      },
      // Null when BENCH_DATABASE_URL named a database indexed by an earlier run.
      workload: built,
      tables,
      attacks: results,
    });
    log("wrote bench/attack.json");
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
  }
}

(process.argv[2] === ATTACKER_ROLE
  ? attackerProcess(process.argv[3], process.argv[4])
  : main()
).then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
