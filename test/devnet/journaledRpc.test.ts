import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { keccak256 } from "ethers";
import pino from "pino";
import { ChainJournal } from "../../devnet/journal";
import {
  MAX_RPC_BODY_BYTES,
  serveJournaledRpc,
  type JournaledRpc,
} from "../../devnet/journaledRpc";
import { rpc, startLocalNode, type LocalNode } from "../../devnet/node";
import { freePort } from "./helpers";

const ROOT = path.resolve(__dirname, "..", "..");

interface Line {
  number: number;
  hash: string;
  timestamp: string;
  transactions: string[];
}

interface RpcReply {
  id?: unknown;
  result?: unknown;
  error?: { code: number; message: string };
}

describe("the journaled JSON-RPC endpoint of npm start (devnet/journaledRpc.ts)", function () {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agora-journaled-"));
  const journalFile = path.join(dir, "chain", "journal.jsonl");
  let node: LocalNode;
  let journal: ChainJournal;
  let endpoint: JournaledRpc;
  let accounts: string[];
  const nodes: LocalNode[] = [];

  /** Every block line of the journal file, as it is on disk now. */
  const recorded = (): Line[] =>
    fs
      .readFileSync(journalFile, "utf8")
      .split("\n")
      .filter(Boolean)
      .slice(1)
      .map((line) => JSON.parse(line) as Line);

  async function call(body: unknown): Promise<{ status: number; reply: RpcReply | RpcReply[] }> {
    const response = await fetch(endpoint.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    return { status: response.status, reply: (await response.json()) as RpcReply | RpcReply[] };
  }

  async function send(method: string, params: unknown[] = []): Promise<RpcReply> {
    return (await call({ jsonrpc: "2.0", id: 7, method, params })).reply as RpcReply;
  }

  const head = async (url: string) => Number(await rpc<string>(url, "eth_blockNumber"));

  before(async function () {
    node = await startLocalNode(ROOT, await freePort());
    nodes.push(node);
    journal = new ChainJournal(path.join(dir, "chain"));
    await journal.record(node.url);
    endpoint = await serveJournaledRpc({
      nodeUrl: node.url,
      journal,
      port: 0,
      host: "127.0.0.1",
      logger: pino({ level: "silent" }),
    });
    accounts = await rpc<string[]>(node.url, "eth_accounts");
  });

  after(async function () {
    await endpoint?.close();
    for (const started of nodes) await started.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("has the block in the journal before it answers the transaction that mined it", async function () {
    const reply = await send("eth_sendTransaction", [
      { from: accounts[0], to: accounts[1], value: "0x1" },
    ]);
    // Read at once: nothing could have been written after the answer.
    const lines = recorded();
    const last = lines[lines.length - 1];
    expect(last.number).to.equal(await head(node.url));
    expect(last.transactions.map((raw) => keccak256(raw))).to.deep.equal([reply.result]);
  });

  it("never answers with a head the journal does not hold, however the blocks were mined", async function () {
    // Blocks the node mines on its own (here: asked directly, as interval mining would).
    for (let i = 0; i < 3; i++) await rpc(node.url, "evm_mine", []);
    const reply = await send("eth_blockNumber");
    const lines = recorded();
    expect(lines[lines.length - 1].number).to.equal(Number(reply.result));
    expect(lines.map((line) => line.number)).to.deep.equal(
      Array.from({ length: lines.length }, (_, i) => i + 1),
    );
  });

  it("moves the clock and mines through evm_ methods the journal can follow", async function () {
    expect((await send("evm_increaseTime", [3_600])).error).to.equal(undefined);
    expect((await send("evm_mine", [])).error).to.equal(undefined);
    const lines = recorded();
    const block = await rpc<{ timestamp: string; hash: string }>(node.url, "eth_getBlockByNumber", [
      "latest",
      false,
    ]);
    expect(lines[lines.length - 1]).to.include({ hash: block.hash, timestamp: block.timestamp });
  });

  it("refuses, by name, every method whose effect a replay could not rebuild, and changes nothing", async function () {
    const before = {
      head: await head(node.url),
      balance: await rpc<string>(node.url, "eth_getBalance", [accounts[5], "latest"]),
    };
    const refused: [string, unknown[]][] = [
      ["hardhat_setBalance", [accounts[5], "0x1"]],
      ["hardhat_setCode", [accounts[5], "0x00"]],
      ["hardhat_setStorageAt", [accounts[5], "0x0", "0x" + "11".repeat(32)]],
      ["hardhat_setNonce", [accounts[5], "0x99"]],
      ["hardhat_impersonateAccount", [accounts[5]]],
      ["hardhat_mine", ["0x10"]],
      ["hardhat_reset", []],
      ["evm_revert", ["0x1"]],
    ];
    for (const [method, params] of refused) {
      const reply = await send(method, params);
      expect(reply.error?.code, method).to.equal(-32601);
      expect(reply.error?.message).to.contain(
        `${method} is not available on npm start's local chain`,
      );
    }
    // A batch with one refused method is not sent at all.
    const { reply: batch } = await call([
      { jsonrpc: "2.0", id: 1, method: "evm_mine", params: [] },
      { jsonrpc: "2.0", id: 2, method: "hardhat_setBalance", params: [accounts[5], "0x1"] },
    ]);
    expect((batch as RpcReply[]).map((r) => [r.id, r.error?.code])).to.deep.equal([
      [1, -32601],
      [2, -32601],
    ]);
    expect(await head(node.url)).to.equal(before.head);
    expect(await rpc<string>(node.url, "eth_getBalance", [accounts[5], "latest"])).to.equal(
      before.balance,
    );
  });

  it("records each block once when many clients send at the same time", async function () {
    const from = await head(node.url);
    const replies = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        send("eth_sendTransaction", [{ from: accounts[i % 10], to: accounts[19], value: "0x2" }]),
      ),
    );
    expect(replies.filter((r) => r.error)).to.deep.equal([]);
    // And record() called directly, at once, after blocks the endpoint did not see.
    for (let i = 0; i < 3; i++) await rpc(node.url, "evm_mine", []);
    await Promise.all(Array.from({ length: 5 }, () => journal.record(node.url)));
    const numbers = recorded().map((line) => line.number);
    expect(numbers).to.deep.equal(Array.from({ length: numbers.length }, (_, i) => i + 1));
    expect(numbers[numbers.length - 1]).to.equal(from + 28);
  });

  it("answers a browser on another origin, as the web app is, without credentials", async function () {
    const origin = "http://127.0.0.1:3000";
    const preflight = await fetch(endpoint.url, {
      method: "OPTIONS",
      headers: {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
      },
    });
    expect(preflight.status).to.equal(204);
    expect(preflight.headers.get("access-control-allow-origin")).to.equal("*");
    expect(preflight.headers.get("access-control-allow-headers")).to.match(/content-type/);
    expect(preflight.headers.get("access-control-allow-credentials")).to.equal(null);
    const reply = await fetch(endpoint.url, {
      method: "POST",
      headers: { origin, "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] }),
    });
    expect(reply.headers.get("access-control-allow-origin")).to.equal("*");
    expect(Number(((await reply.json()) as RpcReply).result)).to.equal(await head(node.url));
  });

  it("answers bad requests with an error and keeps serving", async function () {
    const garbage = await call("{ this is not json");
    expect((garbage.reply as RpcReply).error?.code).to.equal(-32700);
    const get = await fetch(endpoint.url);
    expect(get.status).to.equal(405);
    const huge = await fetch(endpoint.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "x".repeat(MAX_RPC_BODY_BYTES + 1),
    }).then(
      (response) => response.status,
      () => "connection closed",
    );
    expect([413, "connection closed"]).to.include(huge);
    expect(Number((await send("eth_blockNumber")).result)).to.equal(await head(node.url));
  });

  it("answers with an error, never with the result, while the journal cannot be written", async function () {
    const saved = fs.readFileSync(journalFile);
    fs.rmSync(journalFile);
    fs.mkdirSync(journalFile); // appending to it now fails
    try {
      const reply = await send("eth_sendTransaction", [
        { from: accounts[2], to: accounts[3], value: "0x3" },
      ]);
      expect(reply.result).to.equal(undefined);
      expect(reply.error?.message).to.contain(
        `the chain journal (${journalFile}) could not record`,
      );
    } finally {
      fs.rmdirSync(journalFile);
      fs.writeFileSync(journalFile, saved);
    }
    // Once it can be written again, the block mined meanwhile is recorded before any answer.
    const reply = await send("eth_blockNumber");
    const numbers = recorded().map((line) => line.number);
    expect(numbers[numbers.length - 1]).to.equal(Number(reply.result));
    expect(numbers).to.deep.equal(Array.from({ length: numbers.length }, (_, i) => i + 1));
  });

  it("is replayed into a fresh node block for block, a line cut short at the end dropped", async function () {
    const expected = recorded().map((line) => line.hash);
    // The end of an append cut short by a crash.
    fs.appendFileSync(journalFile, '{"number":999,"hash":"0xab');
    const fresh = await startLocalNode(ROOT, await freePort());
    nodes.push(fresh);
    const replayed = new ChainJournal(path.join(dir, "chain"));
    expect(await replayed.replay(fresh.url)).to.equal(expected.length);
    const hashes: string[] = [];
    for (let n = 1; n <= expected.length; n++) {
      const block = await rpc<{ hash: string }>(fresh.url, "eth_getBlockByNumber", [
        `0x${n.toString(16)}`,
        false,
      ]);
      hashes.push(block.hash);
    }
    expect(hashes).to.deep.equal(expected);
    expect(fs.readFileSync(journalFile, "utf8").endsWith("\n")).to.equal(true);
    expect(recorded().map((line) => line.hash)).to.deep.equal(expected);
  });
});
