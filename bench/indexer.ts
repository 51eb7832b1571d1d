/**
 * Indexer throughput, written to bench/indexer.json: decoding (the lowercase decoder against
 * viem's decodeEventLog), JSON parsing of an eth_getLogs reply, and the database write of one
 * batch (event rows + current-state recompute + checkpoint, one transaction).
 *
 * Run: npx hardhat run bench/indexer.ts (needs the local Postgres, or BENCH_POSTGRES_URL).
 * BENCH_LOGS sets how many logs are decoded and written (default 50,000).
 */
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import hre from "hardhat";
import pg from "pg";
import pino from "pino";
import { decodeEventLog, type Abi } from "viem";
import { deploySuite } from "../deploy/suite";
import { inTransaction } from "../indexer/db/database";
import { migrate } from "../indexer/db/migrate";
import {
  PROFILE_REGISTRY_EVENTS,
  profileRegistryHandler,
} from "../indexer/handlers/profileRegistry";
import { SOCIAL_GRAPH_EVENTS } from "../indexer/handlers/socialGraph";
import { createLogDecoder, type DecodedLog } from "../indexer/sync/decode";
import type { RpcLog } from "../indexer/sync/rpc";
import { randomActivity, type Actor } from "../test/indexer/helpers";

const LOGS = Number(process.env.BENCH_LOGS ?? 50_000);
const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

function rate(count: number, work: () => void): number {
  const start = process.hrtime.bigint();
  work();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return Math.round(count / seconds);
}

async function main() {
  const signers = await hre.ethers.getSigners();
  const suite = await deploySuite(signers[0]);
  const registry = suite.profileRegistry.contract;
  const actors: Actor[] = [];
  for (let i = 1; i <= 8; i++) {
    await (
      await registry.connect(signers[i]).register(`bench_user_${i}`, `ipfs://bench-${i}`)
    ).wait();
    actors.push({ signer: signers[i], profileId: await registry.profileIdOf(signers[i].address) });
  }
  await randomActivity(registry, actors, 150, 7);
  const sample = (await hre.network.provider.request({
    method: "eth_getLogs",
    params: [{ fromBlock: "0x0", toBlock: "latest", address: suite.profileRegistry.address }],
  })) as RpcLog[];

  // The real logs, repeated with distinct positions and ids, stand in for a long history.
  const logs: RpcLog[] = Array.from({ length: LOGS }, (_, i) => {
    const log = sample[i % sample.length];
    const round = Math.floor(i / sample.length);
    return {
      ...log,
      blockNumber: "0x" + (1_000 + Math.floor(i / 10)).toString(16),
      logIndex: "0x" + (i % 10).toString(16),
      topics: log.topics.map((topic, t) =>
        t === 1
          ? "0x" + (BigInt(topic) + BigInt(round) * 1_000n).toString(16).padStart(64, "0")
          : topic,
      ),
    };
  });
  const events = [...PROFILE_REGISTRY_EVENTS, ...SOCIAL_GRAPH_EVENTS];
  const decode = createLogDecoder([
    { contract: "ProfileRegistry", address: suite.profileRegistry.address, events },
  ]);
  const reply = JSON.stringify({ jsonrpc: "2.0", id: 1, result: logs });

  const jsonParse = rate(LOGS, () => JSON.parse(reply));
  const ours = rate(LOGS, () => decode(logs, () => 0n));
  const viem = rate(LOGS, () => {
    for (const log of logs) {
      decodeEventLog({
        abi: events as Abi,
        data: log.data as `0x${string}`,
        topics: log.topics as [`0x${string}`],
      });
    }
  });

  const decoded: DecodedLog[] = decode(logs, () => 0n);
  const name = `bench_indexer_${process.pid}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString() });
  // DROP DATABASE ... WITH (FORCE) below ends whatever connection pool.end() has not closed yet.
  pool.on("error", () => undefined);
  let write: number;
  try {
    await migrate(pool, pino({ level: "silent" }));
    const start = process.hrtime.bigint();
    for (let i = 0; i < decoded.length; i += 5_000) {
      await inTransaction(pool, async (client) => {
        await profileRegistryHandler.apply(client, decoded.slice(i, i + 5_000));
        await client.query("SELECT 1 FROM sync_checkpoint FOR UPDATE");
      });
    }
    write = Math.round(decoded.length / (Number(process.hrtime.bigint() - start) / 1e9));
  } finally {
    await pool.end();
    await admin.query(`DROP DATABASE "${name}" WITH (FORCE)`);
    await admin.end();
  }

  const figures = {
    machine: `${os.cpus().length} cores, Node ${process.version}, PostgreSQL ${ADMIN_URL.includes("5432") ? "15 (local)" : "given"}`,
    logs: LOGS,
    sampleEvents: [...new Set(decoded.map((log) => log.event))].sort(),
    logsPerSecond: {
      jsonParseGetLogsReply: jsonParse,
      lowercaseDecoder: ours,
      viemDecodeEventLog: viem,
      databaseWriteBatchesOf5000: write,
    },
  };
  const file = path.join(__dirname, "indexer.json");
  writeFileSync(file, JSON.stringify(figures, null, 2) + "\n");
  console.log(JSON.stringify(figures, null, 2));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
