import { expect } from "chai";
import hre from "hardhat";
import pg from "pg";
import pino from "pino";
import { parseEther, Signature, ZeroAddress, type ContractTransactionResponse } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { deploySuite, type Suite } from "../../deploy/suite";
import { createApi, type Api } from "../../indexer/graphql/api";
import { createReadPool } from "../../indexer/graphql/database";
import type { Indexer } from "../../indexer/indexer";
import { TestERC20Permit__factory, type TestERC20Permit } from "../../typechain-types";
import {
  createTestDatabase,
  indexToHead,
  serveProvider,
  testConfig,
  testEnv,
  type RpcServer,
  type TestDatabase,
} from "./helpers";
import { writeSuiteDeployment } from "./suiteHelpers";
import { signPermit } from "../../sdk/permit";

const ONE = parseEther("1");

/** A tips row as the chain's Tipped log says it must be. */
interface TipRow {
  block_number: string;
  log_index: number;
  tx_hash: string;
  profile_id: string;
  post_id: string | null;
  tipper: string;
  token: string;
  amount: string;
  fee: string;
  message: string;
}

describe("indexer: tips in a batch and with a permit", function () {
  let rpc: RpcServer;
  let suite: Suite;
  let token: TestERC20Permit;
  let db: TestDatabase;
  let indexer: Indexer;
  let pool: pg.Pool;
  let api: Api;
  const ids = { alice: 0n, bob: 0n, post: 0n };
  /** Every Tipped log of the transactions below, in chain order, read from their receipts. */
  const expected: TipRow[] = [];
  let tipper: HardhatEthersSigner;
  let holder: HardhatEthersSigner;

  /** Records the Tipped logs of `tx` and how many it emitted. */
  async function tipped(tx: ContractTransactionResponse): Promise<number> {
    const receipt = (await tx.wait())!;
    const jar = suite.tipJar.contract;
    let count = 0;
    for (const log of receipt.logs) {
      if (log.address.toLowerCase() !== suite.tipJar.address.toLowerCase()) continue;
      const parsed = jar.interface.parseLog(log);
      if (parsed?.name !== "Tipped") continue;
      count++;
      expected.push({
        block_number: String(receipt.blockNumber),
        log_index: log.index,
        tx_hash: receipt.hash.toLowerCase(),
        profile_id: String(parsed.args.profileId),
        post_id: parsed.args.postId === 0n ? null : String(parsed.args.postId),
        tipper: String(parsed.args.tipper).toLowerCase(),
        token: String(parsed.args.token).toLowerCase(),
        amount: String(parsed.args.amount),
        fee: String(parsed.args.fee),
        message: parsed.args.message,
      });
    }
    return count;
  }

  /** An EIP-2612 permit of `holder` letting the tip jar pull `amount`. */
  async function permit(amount: bigint) {
    const deadline = 2n ** 40n;
    const { chainId } = await hre.ethers.provider.getNetwork();
    const signature = await signPermit(
      holder,
      { name: "Tip Token", address: await token.getAddress() },
      chainId,
      {
        owner: holder.address,
        spender: suite.tipJar.address,
        value: amount,
        nonce: await token.nonces(holder.address),
        deadline,
      },
    );
    const { v, r, s } = Signature.from(signature);
    return { deadline, v, r, s };
  }

  before(async function () {
    const signers = await hre.ethers.getSigners();
    const [deployer, alice, bob] = signers;
    tipper = signers[3];
    holder = signers[4];
    suite = await deploySuite(deployer);
    const registry = suite.profileRegistry.contract;
    const jar = suite.tipJar.contract;
    await (await registry.connect(alice).register("batch_alice", "")).wait();
    await (await registry.connect(bob).register("batch_bob", "")).wait();
    ids.alice = await registry.profileIdOf(alice.address);
    ids.bob = await registry.profileIdOf(bob.address);
    await (await registry.connect(bob).post(ids.bob, "ipfs://batch-post")).wait();
    ids.post = (ids.bob << 64n) | 1n;
    token = await new TestERC20Permit__factory(deployer).deploy("Tip Token");
    await (await token.mint(tipper.address, 1_000n * ONE)).wait();
    await (await token.mint(holder.address, 1_000n * ONE)).wait();
    await (await token.connect(tipper).approve(suite.tipJar.address, hre.ethers.MaxUint256)).wait();

    // One ETH batch: a profile, a post (by its author), another profile; one message for all.
    const ethBatch = [
      { profileId: ids.alice, postId: 0n, amount: ONE },
      { profileId: ids.bob, postId: ids.post, amount: ONE / 7n },
      { profileId: ids.bob, postId: 0n, amount: 3n },
    ];
    const total = ethBatch.reduce((sum, tip) => sum + tip.amount, 0n);
    expect(
      await tipped(await jar.connect(tipper).tipETHBatch(ethBatch, "thanks all", { value: total })),
    ).to.equal(3);
    // One token batch, the fee pulled once for all of it.
    const tokenBatch = [
      { profileId: ids.bob, postId: 0n, amount: 40n * ONE },
      { profileId: ids.bob, postId: ids.post, amount: 5n * ONE + 1n },
    ];
    expect(
      await tipped(
        await jar.connect(tipper).tipTokenBatch(await token.getAddress(), tokenBatch, ""),
      ),
    ).to.equal(2);
    // Permits from a holder that never approved: to a profile, and to a post named by its author.
    const toAlice = await permit(12n * ONE);
    expect(
      await tipped(
        await jar
          .connect(holder)
          .tipTokenWithPermit(
            ids.alice,
            0n,
            await token.getAddress(),
            12n * ONE,
            "signed",
            ZeroAddress,
            toAlice.deadline,
            toAlice.v,
            toAlice.r,
            toAlice.s,
          ),
      ),
    ).to.equal(1);
    const toPost = await permit(ONE + 9n);
    expect(
      await tipped(
        await jar
          .connect(holder)
          .tipTokenWithPermit(
            0n,
            ids.post,
            await token.getAddress(),
            ONE + 9n,
            "for the post",
            ZeroAddress,
            toPost.deadline,
            toPost.v,
            toPost.r,
            toPost.s,
          ),
      ),
    ).to.equal(1);
    expect(await token.allowance(holder.address, suite.tipJar.address)).to.equal(0n);

    rpc = await serveProvider(hre.network.provider);
    db = await createTestDatabase("idx_tips_batch");
    const deploymentFile = writeSuiteDeployment(31337, suite);
    indexer = await indexToHead(
      testConfig(testEnv({ rpcUrl: rpc.url, databaseUrl: db.url, deploymentFile })),
    );
    pool = createReadPool({
      url: db.url,
      statementTimeoutMs: 5_000,
      logger: pino({ level: "silent" }),
    });
    api = await createApi({
      pool,
      databaseUrl: db.url,
      logger: pino({ level: "silent" }),
      fallbackPollMs: 0,
    });
  });

  after(async function () {
    await api?.close();
    await pool?.end();
    await indexer?.stop();
    await db?.drop();
    await rpc?.close();
  });

  it("records one row per tip of a batch and of a permit, each with its own log, as the chain emitted them", async function () {
    const { rows } = await indexer.db.pool.query(
      `SELECT block_number::text, log_index, tx_hash, profile_id::text, post_id::text, tipper, token,
         amount::text, fee::text, message FROM tips ORDER BY block_number, log_index`,
    );
    expect(rows).to.deep.equal(expected);
    // Three tips share the ETH batch's transaction, two the token batch's.
    const perTx = new Map<string, number>();
    for (const row of rows) perTx.set(row.tx_hash, (perTx.get(row.tx_hash) ?? 0) + 1);
    expect([...perTx.values()]).to.deep.equal([3, 2, 1, 1]);
    expect(rows.map((row) => row.token)).to.deep.equal([
      ZeroAddress,
      ZeroAddress,
      ZeroAddress,
      ...Array(4).fill((await token.getAddress()).toLowerCase()),
    ]);
  });

  it("serves them through the API: per tipper, per post, and in the leaderboards of their token", async function () {
    const tokenAddress = (await token.getAddress()).toLowerCase();
    const response = await api.yoga.fetch("http://api/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        query: `query($holder: Address!, $post: BigInt!, $token: Address!) {
          signed: tips(where: { tipper: $holder }, orderDirection: asc) { nodes { amount message post { id } profile { handle } } }
          onPost: tips(where: { postId: $post }, orderDirection: asc) { nodes { tipper token amount } }
          board: topTippedProfiles(token: $token) { nodes { profile { handle } amount count tippers } }
        }`,
        variables: { holder: holder.address, post: String(ids.post), token: tokenAddress },
      }),
    });
    const reply = (await response.json()) as {
      data?: Record<string, { nodes: unknown[] }>;
      errors?: unknown;
    };
    expect(reply.errors).to.equal(undefined);
    const data = reply.data!;
    expect(data.signed.nodes).to.deep.equal([
      {
        amount: String(12n * ONE),
        message: "signed",
        post: null,
        profile: { handle: "batch_alice" },
      },
      {
        amount: String(ONE + 9n),
        message: "for the post",
        post: { id: String(ids.post) },
        profile: { handle: "batch_bob" },
      },
    ]);
    expect(data.onPost.nodes).to.deep.equal(
      expected
        .filter((row) => row.post_id === String(ids.post))
        .map((row) => ({ tipper: row.tipper, token: row.token, amount: row.amount })),
    );
    const inToken = expected.filter((row) => row.token === tokenAddress);
    const sum = (profile: bigint) =>
      String(
        inToken
          .filter((row) => row.profile_id === String(profile))
          .reduce((s, row) => s + BigInt(row.amount), 0n),
      );
    expect(data.board.nodes).to.deep.equal([
      { profile: { handle: "batch_bob" }, amount: sum(ids.bob), count: 3, tippers: 2 },
      { profile: { handle: "batch_alice" }, amount: sum(ids.alice), count: 1, tippers: 1 },
    ]);
  });
});
