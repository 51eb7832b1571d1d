/**
 * End-to-end indexer benchmark, written to bench/indexer.json.
 *
 * 1. Starts `hardhat node` (real JSON-RPC over HTTP, in its own process), deploys the suite and
 *    generates at least BENCH_EVENTS events (default 100,000) over every contract with
 *    bench/workload.ts.
 * 2. Indexes that chain from an empty database with the real indexer (createIndexer, then sync
 *    steps to the head): events/s end to end, fetching and decoding and writing included. The
 *    content resolver runs beside the sync all along, fetching the workload's ipfs:// URIs from
 *    a local gateway, as it does in production.
 * 3. Separately, on the same logs: JSON parsing of the eth_getLogs reply, the lowercase decoder
 *    against viem's decodeEventLog, and the database write alone (the handlers' apply plus the
 *    checkpoint, batches of 5,000 logs, one transaction each, on another empty database).
 *
 * Run: npm run bench:indexer. Needs the local Postgres (BENCH_POSTGRES_URL, an admin URL on which
 * the benchmark creates and drops its databases). BENCH_NODE_PORT sets the node's port (18545).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { JsonRpcProvider, type Interface } from "ethers";
import pg from "pg";
import pino from "pino";
import { decodeEventLog, toEventSelector, type Abi, type AbiEvent } from "viem";
import { toDeploymentFile } from "../deploy/deployment";
import { deploySuite } from "../deploy/suite";
import { rpc, startLocalNode } from "../devnet/node";
import { loadConfig } from "../indexer/config";
import { inTransaction } from "../indexer/db/database";
import { migrate } from "../indexer/db/migrate";
import { HANDLERS } from "../indexer/handlers";
import type { Handler } from "../indexer/handlers/types";
import { createIndexer } from "../indexer/indexer";
import {
  compileEventDecoder,
  createLogDecoder,
  type ContractEvents,
  type DecodedLog,
} from "../indexer/sync/decode";
import type { RpcLog } from "../indexer/sync/rpc";
import { generateWorkload } from "./workload";
import { followDatabaseCpu } from "./cpu";
import { writeFigures } from "./figures";

const ROOT = path.resolve(__dirname, "..");
const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const NODE_PORT = Number(process.env.BENCH_NODE_PORT ?? 18_545);
const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const WRITE_BATCH = 5_000;

const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

function rate(count: number, work: () => void): number {
  const start = process.hrtime.bigint();
  work();
  return Math.round(count / seconds(start));
}

/** The events of an ethers interface in viem's ABI format that the lowercase decoder supports. */
function eventsOf(iface: Interface): AbiEvent[] {
  return (JSON.parse(iface.formatJson()) as AbiEvent[]).filter((item) => {
    if (item.type !== "event") return false;
    try {
      compileEventDecoder(item);
      return true;
    } catch {
      return false;
    }
  });
}

/** A fresh database on the admin URL's server; `drop` removes it. */
async function freshDatabase(
  label: string,
): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `bench_${label}_${process.pid}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
    },
  };
}

/** An IPFS gateway on 127.0.0.1 answering every path with a small post or profile document. */
async function serveGateway(): Promise<{
  url: string;
  requests(): number;
  close(): Promise<void>;
}> {
  let requests = 0;
  const server = http.createServer((request, response) => {
    requests++;
    const url = request.url ?? "";
    const body = url.includes("/profile/")
      ? { displayName: `Person ${url.split("/").pop()}`, bio: "A benchmark profile" }
      : { text: `Benchmark post ${url} about rivers and coins`, tags: ["bench"] };
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function main() {
  const log = (message: string) => console.log(`[bench] ${message}`);
  // The machine may be shared: the load before and after the run says how much.
  const loadAverageAtStart = os.loadavg().map((load) => Number(load.toFixed(2)));
  const node = await startLocalNode(ROOT, NODE_PORT);
  const cleanups: (() => Promise<void>)[] = [() => node.stop()];
  try {
    const provider = new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1 });
    await rpc(node.url, "hardhat_setLoggingEnabled", [false]);
    const suite = await deploySuite(await provider.getSigner(0));
    provider.destroy();
    log(`suite deployed on ${node.url}; generating ${EVENTS} events`);

    // 1. The workload.
    const workload = await generateWorkload({ url: node.url, suite, targetEvents: EVENTS, log });
    if (workload.reverted > 0)
      throw new Error(`${workload.reverted} workload transactions reverted`);

    // 2. End to end: the real indexer from an empty database.
    const deployment = toDeploymentFile("localhost", 31337, suite);
    const deploymentDir = mkdtempSync(path.join(os.tmpdir(), "agora-bench-"));
    cleanups.push(async () => rmSync(deploymentDir, { recursive: true, force: true }));
    const deploymentFile = path.join(deploymentDir, "deployment.json");
    writeFileSync(deploymentFile, JSON.stringify(deployment));
    const gateway = await serveGateway();
    cleanups.push(() => gateway.close());
    /**
     * Indexes the chain from an empty database with the real indexer, its content resolver
     * running beside the sync; `env` adds options.
     */
    const indexFromEmpty = async (label: string, env: Record<string, string> = {}) => {
      const database = await freshDatabase(label);
      cleanups.push(() => database.drop());
      const config = loadConfig({
        env: {
          RPC_URL: node.url,
          DATABASE_URL: database.url,
          DEPLOYMENT_FILE: deploymentFile,
          INDEXER_HTTP_PORT: "0",
          LOG_LEVEL: "silent",
          IPFS_GATEWAYS: gateway.url,
          CONTENT_ALLOW_PRIVATE_ADDRESSES: "true",
          CONTENT_ALLOW_HTTP: "true",
          ...env,
        },
      });
      const indexer = await createIndexer({ config, logger: pino({ level: "silent" }) });
      let events = 0;
      let batches = 0;
      const resolving = new AbortController();
      const resolver = indexer.content.run(resolving.signal);
      const postgresCpu = followDatabaseCpu(ADMIN_URL, database.name);
      const cpuStart = process.cpuUsage();
      const start = process.hrtime.bigint();
      for (;;) {
        const step = await indexer.sync.step();
        if (step.type === "batch") {
          events += step.events;
          batches++;
        }
        if (step.type === "caught-up") break;
      }
      const elapsed = seconds(start);
      const cpuUsed = process.cpuUsage(cpuStart);
      const indexerCpuSeconds = (cpuUsed.user + cpuUsed.system) / 1e6;
      const postgresCpuSeconds = (await postgresCpu.stop()) / 1000;
      resolving.abort();
      await resolver;
      const resolved = await indexer.db.pool.query<{ status: string; n: string }>(
        "SELECT status, count(*)::text AS n FROM content_resolutions GROUP BY status ORDER BY status",
      );
      const contentDuringSync = Object.fromEntries(
        resolved.rows.map((row) => [row.status, Number(row.n)]),
      );
      const rowsPerTable: Record<string, number> = {};
      const tables = await indexer.db.pool.query<{ name: string }>(
        "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
      );
      for (const { name } of tables.rows) {
        const counted = await indexer.db.pool.query<{ n: string }>(
          `SELECT count(*)::text AS n FROM "${name}"`,
        );
        const n = Number(counted.rows[0].n);
        if (n > 0 && !name.startsWith("_")) rowsPerTable[name] = n;
      }
      await indexer.stop();
      log(`${label}: indexed ${events} events in ${elapsed.toFixed(1)} s (${batches} batches)`);
      return {
        config: {
          initialBlockRange: config.initialBlockRange,
          maxBlockRange: config.maxBlockRange,
          targetLogsPerRequest: config.targetLogsPerRequest,
        },
        eventsIndexed: events,
        batches,
        seconds: Number(elapsed.toFixed(2)),
        eventsPerSecond: Math.round(events / elapsed),
        /**
         * CPU seconds of this process (the indexer, its content resolver and the local gateway)
         * and of the database's Postgres sessions during the sync, from /proc: events per second
         * of one core whatever the machine's other load.
         */
        indexerCpuSeconds: Number(indexerCpuSeconds.toFixed(2)),
        postgresCpuSeconds: Number(postgresCpuSeconds.toFixed(2)),
        eventsPerIndexerCpuSecond: Math.round(events / indexerCpuSeconds),
        eventsPerPostgresCpuSecond: Math.round(events / postgresCpuSeconds),
        /** URIs by status when the sync caught up: what the resolver did meanwhile. */
        contentDuringSync,
        rowsPerTable,
      };
    };
    const endToEnd = await indexFromEmpty("e2e");
    // The same with ranges of 10 blocks (about 5,000 events each), as against a provider that
    // limits eth_getLogs: the per-batch costs (headers, checks, one transaction) show.
    const endToEndRanges = await indexFromEmpty("e2e_ranges", {
      INITIAL_BLOCK_RANGE: "10",
      MAX_BLOCK_RANGE: "10",
    });
    delete (endToEndRanges as { rowsPerTable?: unknown }).rowsPerTable;

    // 3. Decoding and writing alone, on the workload's logs.
    const interfaces: [string, string, Interface][] = [
      ["ProfileRegistry", suite.profileRegistry.address, suite.profileRegistry.contract.interface],
      [
        "CreatorCoinFactory",
        suite.creatorCoinFactory.address,
        suite.creatorCoinFactory.contract.interface,
      ],
      ["TipJar", suite.tipJar.address, suite.tipJar.contract.interface],
      ["RevenueSplit", suite.revenueSplit.address, suite.revenueSplit.contract.interface],
      ["GovernanceToken", suite.governanceToken.address, suite.governanceToken.contract.interface],
      ["AgoraGovernor", suite.governor.address, suite.governor.contract.interface],
      ["AgoraTimelock", suite.timelock.address, suite.timelock.contract.interface],
    ];
    const reply = await fetch(node.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "eth_getLogs",
        params: [{ fromBlock: "0x0", toBlock: "latest" }],
      }),
    }).then((response) => response.text());
    const logs = (JSON.parse(reply) as { result: RpcLog[] }).result;
    const known = new Set(interfaces.map(([, address]) => address.toLowerCase()));
    const coinEvents = eventsOf(suite.creatorCoinImplementation.contract.interface);
    const contracts: ContractEvents[] = interfaces.map(([contract, address, iface]) => ({
      contract,
      address,
      events: eventsOf(iface),
    }));
    for (const address of new Set(logs.map((l) => l.address.toLowerCase()))) {
      if (!known.has(address))
        contracts.push({ contract: "CreatorCoin", address, events: coinEvents });
    }
    const decode = createLogDecoder(contracts);
    const abiOf = new Map(contracts.map((c) => [c.address.toLowerCase(), c.events as Abi]));
    // Both decoders decode the same logs: those of events the lowercase decoder supports.
    const routes = new Set(
      contracts.flatMap((c) =>
        c.events.map((e) => `${c.address.toLowerCase()}:${toEventSelector(e)}`),
      ),
    );
    const decodable = logs.filter((l) => routes.has(`${l.address.toLowerCase()}:${l.topics[0]}`));
    const jsonParse = rate(logs.length, () => JSON.parse(reply));
    const lowercase = rate(decodable.length, () => decode(decodable, () => 0n));
    const viem = rate(decodable.length, () => {
      for (const entry of decodable) {
        decodeEventLog({
          abi: abiOf.get(entry.address.toLowerCase())!,
          data: entry.data as `0x${string}`,
          topics: entry.topics as [`0x${string}`],
        });
      }
    });

    // The write alone: the indexer's own decoder and handlers, the engine's transaction (blocks,
    // handlers, checkpoint) over whole blocks of about WRITE_BATCH logs, on an empty database.
    const headers = new Map<bigint, { hash: string; timestamp: string }>();
    const numbers = [...new Set(logs.map((l) => l.blockNumber))];
    for (let i = 0; i < numbers.length; i += 100) {
      const chunk = numbers.slice(i, i + 100);
      const replies = (await fetch(node.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(
          chunk.map((n, j) => ({
            jsonrpc: "2.0",
            id: j,
            method: "eth_getBlockByNumber",
            params: [n, false],
          })),
        ),
      }).then((response) => response.json())) as {
        id: number;
        result: { hash: string; timestamp: string };
      }[];
      for (const reply of replies) headers.set(BigInt(chunk[reply.id]), reply.result);
    }
    const handlerOf = new Map<string, Handler>();
    const indexed: ContractEvents[] = [];
    for (const handler of HANDLERS) {
      handlerOf.set(handler.contract, handler);
      const deployed = deployment.contracts[handler.contract];
      if (deployed) {
        indexed.push({
          contract: handler.contract,
          address: deployed.address,
          events: handler.events,
        });
      }
      if (handler.children) {
        handlerOf.set(handler.children.contract, handler);
        for (const address of new Set(logs.map((l) => l.address.toLowerCase()))) {
          if (!known.has(address)) {
            indexed.push({
              contract: handler.children.contract,
              address,
              events: handler.children.events,
            });
          }
        }
      }
    }
    const indexerDecode = createLogDecoder(indexed);
    const decoded: DecodedLog[] = indexerDecode(logs, (n) => BigInt(headers.get(n)!.timestamp));
    const writeBatches: DecodedLog[][] = [];
    for (const entry of decoded) {
      const last = writeBatches[writeBatches.length - 1];
      if (
        last &&
        (last.length < WRITE_BATCH || last[last.length - 1].blockNumber === entry.blockNumber)
      ) {
        last.push(entry);
      } else {
        writeBatches.push([entry]);
      }
    }
    const writeDb = await freshDatabase("write");
    cleanups.push(() => writeDb.drop());
    const pool = new pg.Pool({ connectionString: writeDb.url });
    pool.on("error", () => undefined);
    let write: number;
    try {
      await migrate(pool, pino({ level: "silent" }));
      const start = process.hrtime.bigint();
      for (const batch of writeBatches) {
        await inTransaction(pool, async (client) => {
          const blocks = [...new Set(batch.map((l) => l.blockNumber))];
          await client.query(
            `INSERT INTO blocks (number, hash, timestamp)
             SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[]) ON CONFLICT DO NOTHING`,
            [
              blocks.map(String),
              blocks.map((n) => headers.get(n)!.hash),
              blocks.map((n) => BigInt(headers.get(n)!.timestamp).toString()),
            ],
          );
          const byHandler = new Map<Handler, DecodedLog[]>();
          for (const entry of batch) {
            const handler = handlerOf.get(entry.contract)!;
            byHandler.set(handler, [...(byHandler.get(handler) ?? []), entry]);
          }
          for (const [handler, own] of byHandler) await handler.apply(client, own);
          await client.query("UPDATE sync_checkpoint SET block_number = $1 WHERE id = 1", [
            batch[batch.length - 1].blockNumber.toString(),
          ]);
        });
      }
      write = Math.round(decoded.length / seconds(start));
    } finally {
      await pool.end();
    }

    const cpu = os.cpus()[0];
    const postgres = await (async () => {
      const client = new pg.Client({ connectionString: ADMIN_URL });
      await client.connect();
      const version = (
        await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")
      ).rows[0].v;
      await client.end();
      return version;
    })();
    const figures = {
      machine: {
        cpus: os.cpus().length,
        cpuModel: cpu?.model ?? "unknown",
        memoryGiB: Math.round(os.totalmem() / 2 ** 30),
        node: process.version,
        postgres,
        note: "the Hardhat node, the indexer and Postgres share the machine's cores",
        loadAverageAtStart,
        loadAverageAtEnd: os.loadavg().map((load) => Number(load.toFixed(2))),
      },
      handlers: HANDLERS.map((handler) => handler.contract),
      workload: {
        events: workload.events,
        transactions: workload.transactions,
        blocks: workload.blocks,
        reverted: workload.reverted,
        seconds: Number(workload.seconds.toFixed(1)),
        eventsPerSecond: Math.round(workload.events / workload.seconds),
        byContract: workload.byContract,
        byEvent: workload.byEvent,
      },
      endToEnd: { ...endToEnd, eventsOnChain: logs.length, chainHead: workload.toBlock },
      endToEndRangesOf10Blocks: endToEndRanges,
      logsPerSecond: {
        logs: logs.length,
        decodedLogs: decodable.length,
        jsonParseGetLogsReply: jsonParse,
        lowercaseDecoder: lowercase,
        viemDecodeEventLog: viem,
        databaseWriteBatchesOf5000Logs: write,
        databaseWriteLogs: decoded.length,
      },
    };
    await writeFigures(path.join(__dirname, "indexer.json"), figures);
    console.log(JSON.stringify(figures, null, 2));
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
