import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { localUrl } from "../indexer/graphql/server";
import type { ChainJournal } from "./journal";

/**
 * Methods of the `evm_` and `hardhat_` families that the journal can follow: they mine, move the
 * clock (which the next block's timestamp records) or only read. The others change the chain
 * outside of signed transactions (balances, code, storage, impersonated senders, reverts,
 * resets, lazily mined blocks): a replay could not rebuild their effects, so they are refused.
 */
const JOURNALED_TEST_METHODS = new Set([
  "evm_mine",
  "evm_increaseTime",
  "evm_setNextBlockTimestamp",
  "evm_setAutomine",
  "evm_setIntervalMining",
  "evm_snapshot",
  "hardhat_getAutomine",
  "hardhat_metadata",
  "hardhat_setLoggingEnabled",
]);

/** Largest request body accepted, in bytes (a contract deployment is well under 1 MB). */
export const MAX_RPC_BODY_BYTES = 16 * 1024 * 1024;

export interface JournaledRpc {
  /** The endpoint, as a client on this machine reaches it. */
  url: string;
  port: number;
  /** The address it listens on, as the socket reports it. */
  address: string;
  close(): Promise<void>;
}

export interface JournaledRpcParams {
  /** The Hardhat node every request is forwarded to. */
  nodeUrl: string;
  journal: ChainJournal;
  port: number;
  host: string;
  logger: Logger;
}

interface JsonRpcRequest {
  id?: unknown;
  method?: unknown;
}

const rpcError = (id: unknown, code: number, message: string) => ({
  jsonrpc: "2.0",
  id: id ?? null,
  error: { code, message },
});

function refusal(request: JsonRpcRequest): string | null {
  const method = request?.method;
  if (typeof method !== "string") return null;
  if (!/^(evm|hardhat)_/.test(method) || JOURNALED_TEST_METHODS.has(method)) return null;
  return (
    `${method} is not available on npm start's local chain: its journal replays mined ` +
    `transactions only, and could not rebuild what ${method} changes`
  );
}

/**
 * The JSON-RPC endpoint of npm start's local chain. Every request goes to the Hardhat node, and
 * before its answer goes back, every block the node has mined is in the chain journal (one
 * eth_blockNumber, plus the new blocks). No client (a wallet, the seed, the indexer, the API)
 * can learn of a block the journal does not hold, so no way npm start ends (Ctrl-C, a crash,
 * kill -9) loses a block anyone has seen. If the journal cannot be written, the request is
 * answered with an error instead. Methods whose effect a replay could not rebuild are refused.
 */
/**
 * The web app (another origin: APP_PORT) reads the chain from the browser, so the endpoint answers
 * CORS as Hardhat's own node does: any origin, never with credentials. It listens on 127.0.0.1
 * unless HOST says otherwise (docs/devnet.md).
 */
const CORS_HEADERS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "POST, OPTIONS",
  "access-control-allow-headers": "content-type",
  "access-control-max-age": "600",
};

export async function serveJournaledRpc(params: JournaledRpcParams): Promise<JournaledRpc> {
  const { journal, logger } = params;

  async function answer(body: string): Promise<{ status: number; body: string }> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return { status: 200, body: JSON.stringify(rpcError(null, -32700, "parse error")) };
    }
    const requests = (Array.isArray(parsed) ? parsed : [parsed]) as JsonRpcRequest[];
    const refused = requests.map(refusal);
    if (refused.some((reason) => reason !== null)) {
      const first = refused.find((reason) => reason !== null)!;
      const errors = requests.map((request, i) =>
        rpcError(
          request?.id,
          -32601,
          refused[i] ?? `not sent: the batch holds a refused method (${first})`,
        ),
      );
      return { status: 200, body: JSON.stringify(Array.isArray(parsed) ? errors : errors[0]) };
    }
    const response = await fetch(params.nodeUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    const text = await response.text();
    try {
      await journal.record(params.nodeUrl);
    } catch (error) {
      logger.error({ err: error, journal: journal.path }, "chain journal write failed");
      const message = `the chain journal (${journal.path}) could not record the latest blocks: ${(error as Error).message}`;
      const errors = requests.map((request) => rpcError(request?.id, -32603, message));
      return { status: 200, body: JSON.stringify(Array.isArray(parsed) ? errors : errors[0]) };
    }
    return { status: response.status, body: text };
  }

  const server = http.createServer((request, response) => {
    const reply = (status: number, body: string) => {
      if (response.headersSent) return;
      response.writeHead(status, { "content-type": "application/json", ...CORS_HEADERS });
      response.end(body);
    };
    if (request.method === "OPTIONS") {
      response.writeHead(204, CORS_HEADERS);
      response.end();
      return;
    }
    if (request.method !== "POST") {
      reply(405, JSON.stringify(rpcError(null, -32600, "JSON-RPC takes POST requests")));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_RPC_BODY_BYTES) {
        reply(413, JSON.stringify(rpcError(null, -32600, "request body too large")));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => {
      answer(Buffer.concat(chunks).toString("utf8")).then(
        (result) => reply(result.status, result.body),
        (error: unknown) => {
          logger.warn({ err: error }, "local chain request failed");
          reply(502, JSON.stringify(rpcError(null, -32603, "the local node did not answer")));
        },
      );
    });
    request.on("error", () => undefined);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(params.port, params.host, () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  return {
    url: localUrl(address, port),
    port,
    address,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
