import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { projectRoot } from "../indexer/root";

/**
 * A long-running helper of npm start (the Hardhat node, the embedded Postgres), started through
 * a guard: a small process in a process group of its own, which runs the command as its child.
 *
 * - A terminal's Ctrl-C (SIGINT to its whole foreground process group) and the SIGHUP of a closed
 *   terminal do not reach the command: npm start stops it when it is done with it, in its own
 *   order (the Postgres after the indexer's last commit).
 * - The guard stops the command (with `stopSignal`) as soon as its stdin closes. npm start holds
 *   the other end: `stop()` closes it, and so does the end of npm start however it ends (a crash
 *   or kill -9 included), so the command never outlives it.
 */
export interface GuardedCommand {
  command: string;
  args: string[];
  cwd?: string;
  /** Run the command as this user and group (npm start as root runs Postgres as `postgres`). */
  uid?: number;
  gid?: number;
  env?: NodeJS.ProcessEnv;
  /** How the command is asked to stop: SIGTERM for the node, SIGINT (fast shutdown) for Postgres. */
  stopSignal: NodeJS.Signals;
  /** Keep the command's stdout (false: discard it); its stderr is always kept. */
  stdout?: boolean;
}

export interface Guarded {
  /** The guard's process: its stdout and stderr carry the command's. */
  process: ChildProcess;
  /** Resolves with the command's exit code (null: ended by a signal) once the guard exits. */
  exited: Promise<number | null>;
  /** Asks the command to stop and waits until it has. Idempotent. */
  stop(): Promise<number | null>;
}

/**
 * Node options that load this file: its build in dist/ runs as it is, its TypeScript source
 * through ts-node (transpile-only: a guard must start fast).
 */
function typeScriptLoader(): string[] {
  return __filename.endsWith(".ts")
    ? ["-r", require.resolve("ts-node/register/transpile-only")]
    : [];
}

/** Starts `spec` under a guard (this file run as a script). */
export function startGuarded(spec: GuardedCommand): Guarded {
  const { env, ...rest } = spec;
  const guard = spawn(process.execPath, [...typeScriptLoader(), __filename, JSON.stringify(rest)], {
    cwd: projectRoot(),
    env: { ...(env ?? process.env), TS_NODE_TRANSPILE_ONLY: "true" },
    detached: true,
    stdio: ["pipe", spec.stdout ? "pipe" : "ignore", "pipe"],
  });
  const exited = new Promise<number | null>((resolve) =>
    guard.once("exit", (code) => resolve(code)),
  );
  // The guard may be gone (its command failed to start); stop() must not throw for that.
  guard.stdin!.on("error", () => undefined);
  return {
    process: guard,
    exited,
    stop() {
      guard.stdin!.end();
      return exited;
    },
  };
}

/** The guard itself: runs the command and stops it when stdin closes or a signal arrives. */
function runGuard(spec: GuardedCommand): void {
  const stdio: StdioOptions = ["ignore", spec.stdout ? "inherit" : "ignore", "inherit"];
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    uid: spec.uid,
    gid: spec.gid,
    stdio,
  });
  let stopping = false;
  const stop = () => {
    if (stopping || child.exitCode !== null || child.signalCode !== null) return;
    stopping = true;
    child.kill(spec.stopSignal);
  };
  process.stdin.on("end", stop);
  process.stdin.on("close", stop);
  process.stdin.on("error", stop);
  process.stdin.resume();
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, stop);
  child.once("error", (error) => {
    process.stderr.write(`cannot start ${spec.command}: ${error.message}\n`);
    process.exit(127);
  });
  child.once("exit", (code, signal) => {
    process.exit(code ?? (signal === spec.stopSignal ? 0 : 1));
  });
}

if (require.main === module) runGuard(JSON.parse(process.argv[2]) as GuardedCommand);
