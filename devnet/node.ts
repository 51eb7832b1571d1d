import path from "node:path";
import { startGuarded } from "./guard";

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

/**
 * Starts `hardhat node` on 127.0.0.1:`port` and resolves once it answers JSON-RPC. It runs under
 * a guard (see guard.ts): a terminal's Ctrl-C does not reach it, `stop()` ends it, and it ends
 * with this process however this process ends.
 */
export async function startLocalNode(root: string, port: number): Promise<LocalNode> {
  const url = `http://127.0.0.1:${port}`;
  try {
    await rpc(url, "eth_chainId");
    throw new Error(`port ${port} already answers JSON-RPC: stop that node or set AGORA_NODE_PORT`);
  } catch (error) {
    if (error instanceof Error && error.message.startsWith("port")) throw error;
  }
  const cli = path.join(root, "node_modules", "hardhat", "internal", "cli", "cli.js");
  const node = startGuarded({
    command: process.execPath,
    args: [cli, "node", "--hostname", "127.0.0.1", "--port", String(port)],
    cwd: root,
    env: { ...process.env, AGORA_GENESIS_DATE: DEVNET_GENESIS_DATE },
    stopSignal: "SIGTERM",
  });
  let stderr = "";
  node.process.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  let exited = false;
  void node.exited.then(() => (exited = true));
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (exited) throw new Error(`hardhat node exited: ${stderr.trim()}`);
    try {
      await rpc(url, "eth_chainId");
      break;
    } catch {
      if (Date.now() > deadline) {
        await node.stop();
        throw new Error(`hardhat node did not answer on ${url} within 120 s`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  return {
    url,
    async stop() {
      await node.stop();
    },
  };
}
