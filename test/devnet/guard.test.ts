import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";

const ROOT = path.resolve(__dirname, "..", "..");

/** True while a process with this id exists (and is not a zombie). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
}

/** The process group of `pid`, from /proc/<pid>/stat. */
function processGroup(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
}

async function until(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * A process that starts `sleep` under a guard, as npm start starts the node and Postgres, in a
 * process group of its own as a terminal's foreground job is. It says "stop" on stdin to stop.
 */
function startParent(dir: string): { parent: ChildProcess; output: () => string } {
  const script = path.join(dir, "parent.js");
  fs.writeFileSync(
    script,
    `const { startGuarded } = require(${JSON.stringify(path.join(ROOT, "devnet", "guard.ts"))});
const guarded = startGuarded({ command: "sh", args: ["-c", "echo $$; exec sleep 1000"], stdout: true, stopSignal: "SIGTERM" });
guarded.process.stdout.on("data", (d) => process.stdout.write("child " + d));
process.on("SIGINT", () => process.stdout.write("parent got SIGINT\\n"));
process.stdin.on("data", async (d) => {
  if (String(d).trim() === "stop") process.stdout.write("stopped " + (await guarded.stop()) + "\\n");
});
setInterval(() => undefined, 1000);
`,
  );
  const parent = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", script], {
    cwd: ROOT,
    detached: true,
    stdio: ["pipe", "pipe", "inherit"],
  });
  let output = "";
  parent.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return { parent, output: () => output };
}

describe("guarded commands (devnet/guard.ts)", function () {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agora-guard-"));
  const parents: ChildProcess[] = [];

  after(function () {
    for (const parent of parents) if (parent.exitCode === null) parent.kill("SIGKILL");
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function childOf(output: () => string): Promise<number> {
    await until("the guarded command reports its pid", () => /child \d+/.test(output()));
    return Number(/child (\d+)/.exec(output())![1]);
  }

  it("runs outside the terminal's process group: Ctrl-C does not reach it, stop() ends it", async function () {
    const { parent, output } = startParent(dir);
    parents.push(parent);
    const child = await childOf(output);
    expect(processGroup(child)).to.not.equal(processGroup(parent.pid!));

    // What a terminal does on Ctrl-C: SIGINT to every process of the foreground group.
    process.kill(-parent.pid!, "SIGINT");
    await until("the parent got SIGINT", () => output().includes("parent got SIGINT"));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(alive(child), "the guarded command survived the terminal's SIGINT").to.equal(true);

    parent.stdin!.write("stop\n");
    await until("stop() resolved", () => /stopped 0/.test(output()));
    expect(alive(child)).to.equal(false);
    parent.kill("SIGKILL");
  });

  it("ends the command when the process that started it is killed with SIGKILL", async function () {
    const { parent, output } = startParent(dir);
    parents.push(parent);
    const child = await childOf(output);
    expect(alive(child)).to.equal(true);
    parent.kill("SIGKILL");
    await until("the guarded command is gone", () => !alive(child));
  });
});
