import { mkdtempSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import pino from "pino";
import type { Signer } from "ethers";
import type { EthereumProvider } from "hardhat/types";
import { loadConfig, type IndexerConfig } from "../../indexer/config";
import { createIndexer, type Indexer } from "../../indexer/indexer";
import type { ProfileRegistry } from "../../typechain-types";

export const ADMIN_URL =
  process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh, empty database on the local Postgres server. */
export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: ADMIN_URL });
      await client.connect();
      try {
        // A pool's end() resolves once it has asked its clients to end, not once the server
        // has closed them: DROP ... WITH (FORCE) would then terminate a closing connection, whose
        // client no longer has an error listener. Wait (bounded) for such sessions to go.
        for (let attempt = 0; attempt < 100; attempt++) {
          const { rows } = await client.query<{ sessions: number }>(
            "SELECT count(*)::int AS sessions FROM pg_stat_activity WHERE datname = $1",
            [name],
          );
          if (rows[0].sessions === 0) break;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

export interface RpcServer {
  url: string;
  close(): Promise<void>;
}

export interface ProviderLimits {
  /** Refuse eth_getLogs over more blocks than this, the way hosted providers do. */
  maxLogRange?: number;
  /** Answer this many HTTP requests with 503 before serving. */
  failFirst?: number;
}

/**
 * Serves an EIP-1193 provider (Hardhat's in-process network) as JSON-RPC over HTTP,
 * optionally with the limits and failures of a hosted provider.
 */
export async function serveProvider(
  provider: EthereumProvider,
  limits: ProviderLimits = {},
): Promise<RpcServer> {
  let failures = limits.failFirst ?? 0;
  const call = async (body: { id: unknown; method: string; params?: unknown[] }) => {
    if (body.method === "eth_getLogs" && limits.maxLogRange !== undefined) {
      const filter = (body.params ?? [])[0] as { fromBlock?: string; toBlock?: string };
      if (
        filter.fromBlock &&
        filter.toBlock &&
        Number(filter.toBlock) - Number(filter.fromBlock) + 1 > limits.maxLogRange
      ) {
        return {
          jsonrpc: "2.0",
          id: body.id,
          error: {
            code: -32602,
            message: `Log response size exceeded. Use a block range of at most ${limits.maxLogRange}`,
          },
        };
      }
    }
    try {
      const result = await provider.request({ method: body.method, params: body.params ?? [] });
      return { jsonrpc: "2.0", id: body.id, result };
    } catch (error) {
      const { code, message } = error as { code?: number; message: string };
      return { jsonrpc: "2.0", id: body.id, error: { code: code ?? -32603, message } };
    }
  };
  const server = http.createServer((request, response) => {
    if (failures > 0) {
      failures--;
      response.writeHead(503);
      response.end("overloaded");
      return;
    }
    let raw = "";
    request.on("data", (chunk) => (raw += chunk));
    request.on("end", async () => {
      const parsed = JSON.parse(raw);
      const reply = Array.isArray(parsed)
        ? await Promise.all(parsed.map(call))
        : await call(parsed);
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify(reply));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Writes a deployment file for the registry and returns its path. */
export function writeDeployment(chainId: number, address: string, blockNumber: number): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "agora-deployment-"));
  const file = path.join(dir, "test.json");
  writeFileSync(
    file,
    JSON.stringify({
      chainId,
      commit: "test",
      contracts: { ProfileRegistry: { address: address.toLowerCase(), blockNumber } },
    }),
  );
  return file;
}

/** The indexer's environment for a test: fast polling, small ranges unless overridden. */
export function testEnv(params: {
  rpcUrl: string;
  databaseUrl: string;
  deploymentFile: string;
  extra?: Record<string, string>;
}): Record<string, string> {
  return {
    RPC_URL: params.rpcUrl,
    DATABASE_URL: params.databaseUrl,
    DEPLOYMENT_FILE: params.deploymentFile,
    POLL_INTERVAL_MS: "20",
    RPC_MAX_RETRIES: "3",
    INDEXER_HTTP_PORT: "0",
    LOG_LEVEL: "silent",
    ...params.extra,
  };
}

export function testConfig(env: Record<string, string>): IndexerConfig {
  return loadConfig({ env });
}

/** Indexes from scratch (or from the checkpoint) up to the head, in this process. */
export async function indexToHead(config: IndexerConfig): Promise<Indexer> {
  const indexer = await createIndexer({ config, logger: pino({ level: "silent" }) });
  await indexer.sync.syncToHead();
  return indexer;
}

/** Bookkeeping tables: where the sync stands, not what it indexed. */
const BOOKKEEPING_TABLES = [
  "_agora_migrations",
  "sync_checkpoint",
  "sync_blocks",
  // A cache of off-chain documents, filled by the content resolver as it goes: a rolled-back
  // URI may stay in it, and it is never what the chain alone decides.
  "content_resolutions",
];

/** Every table that holds indexed data: all tables of the schema but the bookkeeping ones. */
export async function dataTables(client: pg.Client): Promise<string[]> {
  const result = await client.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
     WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND NOT (table_name = ANY($1))
     ORDER BY table_name`,
    [BOOKKEEPING_TABLES],
  );
  return result.rows.map((row) => row.table_name);
}

/** Row count and an md5 over the sorted text of every row, per data table. */
export async function checksumTables(databaseUrl: string): Promise<Record<string, string>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const out: Record<string, string> = {};
    for (const table of await dataTables(client)) {
      const result = await client.query<{ n: string; md5: string | null }>(
        `SELECT count(*)::text AS n, md5(string_agg(t::text, '|' ORDER BY t::text)) AS md5 FROM "${table}" t`,
      );
      out[table] = `${result.rows[0].n}:${result.rows[0].md5 ?? "-"}`;
    }
    return out;
  } finally {
    await client.end();
  }
}

/** A deterministic pseudo-random generator (mulberry32), so a failing run can be replayed. */
export function createRandom(seed: number): {
  int(max: number): number;
  pick<T>(items: readonly T[]): T;
} {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    int: (max) => Math.floor(next() * max),
    pick: (items) => items[Math.floor(next() * items.length)],
  };
}

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";
const MAX_UINT256 = (1n << 256n) - 1n;

export interface Actor {
  signer: Signer;
  profileId: bigint;
}

/**
 * Sends `count` random social actions from real signers: posts, replies, quotes, retractions,
 * follows, unfollows, reactions, metadata and handle changes (to handles no one used), recovery
 * addresses set or scheduled, transfer offers made or withdrawn (never accepted, so owners stay
 * put), and burnt nonces. Actions the contract would refuse are not sent. Returns how many
 * transactions were mined.
 */
export async function randomActivity(
  registry: ProfileRegistry,
  actors: readonly Actor[],
  count: number,
  seed: number,
): Promise<number> {
  const random = createRandom(seed);
  const posts: bigint[] = [];
  for (const actor of actors) {
    const sequence = await registry.postCountOf(actor.profileId);
    for (let i = 1n; i <= sequence; i++) posts.push((actor.profileId << 64n) | i);
  }
  let sent = 0;
  for (let i = 0; i < count; i++) {
    const actor = random.pick(actors);
    const as = registry.connect(actor.signer);
    const other = random.pick(actors.filter((a) => a !== actor));
    const action = random.int(14);
    let tx;
    if (action <= 2 || posts.length === 0) {
      const parent = posts.length > 0 && random.int(2) === 0 ? random.pick(posts) : 0n;
      const quoted = posts.length > 0 && random.int(3) === 0 ? random.pick(posts) : 0n;
      const uri = `ipfs://post-${seed}-${i}`;
      const sequence = (await registry.postCountOf(actor.profileId)) + 1n;
      tx =
        parent === 0n && quoted === 0n
          ? await as.post(actor.profileId, uri)
          : await as.postWithRefs(actor.profileId, uri, parent, quoted);
      posts.push((actor.profileId << 64n) | sequence);
    } else if (action <= 4) {
      tx = await as.follow(actor.profileId, other.profileId);
    } else if (action === 5) {
      tx = await as.unfollow(actor.profileId, other.profileId);
    } else if (action <= 7) {
      tx = await as.react(actor.profileId, random.pick(posts), random.int(3));
    } else if (action === 8) {
      const own = posts.filter((id) => id >> 64n === actor.profileId);
      if (own.length === 0) continue;
      tx = await as.retract(random.pick(own));
    } else if (action === 9) {
      tx = await as.setMetadataURI(actor.profileId, `ipfs://meta-${seed}-${i}`);
    } else if (action === 10) {
      tx = await as.changeHandle(actor.profileId, `h${seed}x${i}p${actor.profileId}`);
    } else if (action === 11) {
      // Another actor or none: the first applies at once, later ones are scheduled.
      const recovery = random.int(3) === 0 ? ZERO_ADDRESS : await other.signer.getAddress();
      tx = await as.setRecovery(actor.profileId, recovery);
    } else if (action === 12) {
      // Offers to addresses no actor holds (zero withdraws), a day or forever.
      const to =
        random.int(4) === 0
          ? ZERO_ADDRESS
          : `0x${(seed * 1_000 + i + 1).toString(16).padStart(40, "0")}`;
      const block = await registry.runner!.provider!.getBlock("latest");
      const expiresAt = random.int(2) === 0 ? BigInt(block!.timestamp) + 86_400n : MAX_UINT256;
      tx = await as.offerTransfer(actor.profileId, to, expiresAt);
    } else {
      tx = await as.burnNonce();
    }
    await tx.wait();
    sent++;
  }
  return sent;
}

/** A POST opened by openPost: its body is the test's to write, hold or cut off. */
export interface OpenPost {
  request: http.ClientRequest;
  /** The answer's status and body, once it has ended; null if the connection failed first. */
  answered: Promise<{ status: number; text: string } | null>;
}

/**
 * Opens a POST to `url` with `headers` and no body yet: for the tests that send a body slowly,
 * in part, past a limit or never, which `fetch` cannot.
 */
export function openPost(url: string, headers: Record<string, string>): OpenPost {
  const { hostname, port, pathname } = new URL(url);
  const request = http.request({ host: hostname, port, path: pathname, method: "POST", headers });
  const answered = new Promise<{ status: number; text: string } | null>((resolve) => {
    request.on("response", (response) => {
      let text = "";
      response.on("data", (chunk: Buffer) => (text += chunk.toString()));
      response.on("end", () => resolve({ status: response.statusCode!, text }));
      response.on("error", () => resolve(null));
    });
    request.on("error", () => resolve(null));
  });
  return { request, answered };
}
