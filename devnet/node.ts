import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

/**
 * The genesis time of the local chain. Fixed, so that two runs of the node start from the same
 * genesis block and a replayed journal rebuilds the same block hashes.
 */
export const DEVNET_GENESIS_DATE = "2026-01-01T00:00:00Z";

export interface LocalNode {
  url: string;
  stop(): Promise<void>;
}

/** JSON-RPC call with no dependency beyond fetch; errors carry the method name. */
export async function rpc<T>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await response.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

/** Starts `hardhat node` on `port` and resolves once it answers JSON-RPC. */
export async function startLocalNode(root: string, port: number): Promise<LocalNode> {
  const url = `http://127.0.0.1:${port}`;
  try {
    await rpc(url, "eth_chainId");
    throw new Error(`port ${port} already answers JSON-RPC: stop that node or set AGORA_NODE_PORT`);
  } catch (error) {
    if (error instanceof Error && error.message.startsWith("port")) throw error;
  }
  const cli = path.join(root, "node_modules", "hardhat", "internal", "cli", "cli.js");
  const child: ChildProcess = spawn(
    process.execPath,
    [cli, "node", "--hostname", "127.0.0.1", "--port", String(port)],
    {
      cwd: root,
      env: { ...process.env, AGORA_GENESIS_DATE: DEVNET_GENESIS_DATE },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  // Never leave the node behind, however this process ends.
  process.once("exit", () => child.exitCode === null && child.kill("SIGKILL"));
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`hardhat node exited: ${stderr.trim()}`);
    try {
      await rpc(url, "eth_chainId");
      break;
    } catch {
      if (Date.now() > deadline)
        throw new Error(`hardhat node did not answer on ${url} within 120 s`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  return {
    url,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
