import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { JsonRpcProvider, parseEther } from "ethers";
import { creatorCoinAt } from "../../deploy/coins";
import { deploySuite, type Suite } from "../../deploy/suite";
import { ChainJournal } from "../../devnet/journal";
import { rpc, startLocalNode, type LocalNode } from "../../devnet/node";
import { CreatorCoin__factory } from "../../typechain-types";

const ROOT = path.resolve(__dirname, "..", "..");

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Block {
  hash: string;
  stateRoot: string;
  timestamp: string;
  transactions: string[];
}

const block = (url: string, n: number) =>
  rpc<Block>(url, "eth_getBlockByNumber", [`0x${n.toString(16)}`, false]);

/** Every block's hash, state root, timestamp and transaction hashes, from genesis to the head. */
async function chainOf(url: string): Promise<Block[]> {
  const head = Number(await rpc<string>(url, "eth_blockNumber"));
  const blocks: Block[] = [];
  for (let n = 0; n <= head; n++) {
    const { hash, stateRoot, timestamp, transactions } = await block(url, n);
    blocks.push({ hash, stateRoot, timestamp, transactions });
  }
  return blocks;
}

/** State read through the contracts: what a user of the replayed chain would see. */
async function stateOf(url: string, suite: Suite, accounts: string[]) {
  const provider = new JsonRpcProvider(url, undefined, { cacheTimeout: -1 });
  try {
    const registry = suite.profileRegistry.contract.connect(provider);
    const factory = suite.creatorCoinFactory.contract.connect(provider);
    const coin = CreatorCoin__factory.connect(await factory.coinOf(1n), provider);
    return {
      profiles: (await registry.profileCount()).toString(),
      posts: (await registry.postCountOf(1n)).toString(),
      coinSupply: (await coin.totalSupply()).toString(),
      coinReserve: (await coin.reserve()).toString(),
      balances: await Promise.all(
        accounts.map(async (a) => [
          (await provider.getBalance(a)).toString(),
          await provider.getTransactionCount(a),
          (await coin.balanceOf(a)).toString(),
        ]),
      ),
    };
  } finally {
    provider.destroy();
  }
}

describe("ChainJournal (devnet/journal.ts)", function () {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agora-journal-"));
  const nodes: LocalNode[] = [];

  after(async function () {
    for (const node of nodes) await node.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("replays into a fresh node with the same block hashes and state, and refuses another genesis", async function () {
    // The original chain: the suite, profiles, posts, a coin traded, a time jump, an empty block.
    const original = await startLocalNode(ROOT, await freePort());
    nodes.push(original);
    const provider = new JsonRpcProvider(original.url, undefined, { cacheTimeout: -1 });
    const [deployer, alice, bob] = await Promise.all([0, 1, 2].map((i) => provider.getSigner(i)));
    const suite = await deploySuite(deployer);
    const registry = suite.profileRegistry.contract;
    await (await registry.connect(alice).register("alice", "ipfs://alice")).wait();
    await (await registry.connect(bob).register("bob", "ipfs://bob")).wait();
    const journal = new ChainJournal(path.join(dir, "chain"));
    // Recorded in two parts: the second record appends only the blocks mined since the first.
    expect(await journal.record(original.url)).to.equal(
      Number(await rpc<string>(original.url, "eth_blockNumber")),
    );
    const deadline = 2n ** 40n;
    await (await registry.connect(alice).post(1n, "ipfs://hello")).wait();
    await (
      await suite.creatorCoinFactory.contract
        .connect(alice)
        .launch(1n, 100n, 0n, deadline, { value: parseEther("0.1") })
    ).wait();
    const coin = creatorCoinAt(await suite.creatorCoinFactory.contract.coinOf(1n), bob);
    await (
      await coin.buyExactIn(0n, deadline, await bob.getAddress(), { value: parseEther("1") })
    ).wait();
    await rpc(original.url, "evm_increaseTime", [86_400]);
    await rpc(original.url, "evm_mine", []);
    await (await coin.sellExactIn(10n ** 15n, 0n, deadline, await bob.getAddress())).wait();
    // Two transactions in one block.
    await rpc(original.url, "evm_setAutomine", [false]);
    const first = await registry.connect(alice).post(1n, "ipfs://one", { gasLimit: 200_000 });
    const second = await registry.connect(bob).follow(2n, 1n, { gasLimit: 200_000 });
    await rpc(original.url, "evm_mine", []);
    await rpc(original.url, "evm_setAutomine", [true]);
    expect((await first.wait())!.blockNumber).to.equal((await second.wait())!.blockNumber);
    const head = await journal.record(original.url);
    provider.destroy();

    const accounts = await Promise.all([deployer, alice, bob].map((s) => s.getAddress()));
    const expectedChain = await chainOf(original.url);
    const expectedState = await stateOf(original.url, suite, accounts);
    expect(expectedChain).to.have.length(head + 1);
    expect(expectedChain.filter((b) => b.transactions.length === 2)).to.have.length(1);
    expect(expectedChain.filter((b) => b.transactions.length === 0)).to.have.length(2);
    const lines = fs.readFileSync(path.join(dir, "chain", "journal.jsonl"), "utf8").trim();
    expect(lines.split("\n")).to.have.length(head + 1);
    await original.stop();

    // A fresh node: same genesis, then every block replayed.
    const fresh = await startLocalNode(ROOT, await freePort());
    nodes.push(fresh);
    expect((await block(fresh.url, 0)).hash).to.equal(expectedChain[0].hash);
    expect(await journal.replay(fresh.url)).to.equal(head);
    expect(await chainOf(fresh.url)).to.deep.equal(expectedChain);
    expect(await stateOf(fresh.url, suite, accounts)).to.deep.equal(expectedState);
    // The replayed node mines on as usual (automine is back on).
    const next = await new JsonRpcProvider(fresh.url).getSigner(1);
    await (await registry.connect(next).post(1n, "ipfs://after-replay")).wait();
    expect(Number(await rpc<string>(fresh.url, "eth_blockNumber"))).to.equal(head + 1);

    // A journal from another chain is refused before anything is sent, with the way out.
    const other = new ChainJournal(path.join(dir, "other"));
    fs.mkdirSync(path.join(dir, "other"));
    const [header, ...rest] = lines.split("\n");
    const tampered = JSON.stringify({ genesis: "0x" + "ab".repeat(32) });
    expect(JSON.parse(header)).to.have.property("genesis", expectedChain[0].hash);
    fs.writeFileSync(path.join(dir, "other", "journal.jsonl"), [tampered, ...rest].join("\n"));
    const error = await other.replay(fresh.url).then(
      () => null,
      (e: Error) => e,
    );
    expect(error?.message).to.match(/starts from another genesis block; remove the folder \.data/);
    expect(Number(await rpc<string>(fresh.url, "eth_blockNumber"))).to.equal(head + 1);
  });
});
