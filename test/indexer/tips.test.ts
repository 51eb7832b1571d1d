import { readFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import hre from "hardhat";
import pg from "pg";
import { parseEther, ZeroAddress, type ContractTransactionResponse } from "ethers";
import type { AbiEvent } from "viem";
import { deploySuite, type Suite } from "../../deploy/suite";
import { REVENUE_SPLIT_EVENTS } from "../../indexer/handlers/revenueSplit";
import { TIP_JAR_EVENTS } from "../../indexer/handlers/tipJar";
import type { Indexer } from "../../indexer/indexer";
import {
  MaliciousRecipient__factory,
  TestERC20Permit__factory,
  type MaliciousRecipient,
  type TestERC20Permit,
} from "../../typechain-types";
import {
  checksumTables,
  createTestDatabase,
  indexToHead,
  serveProvider,
  testConfig,
  testEnv,
  type RpcServer,
  type TestDatabase,
} from "./helpers";
import { writeSuiteDeployment } from "./suiteHelpers";

const provider = hre.network.provider;
/** The migrations that made each table of kept tip totals, with its backfill. */
const TOTALS_MIGRATIONS = {
  profile_tip_totals: "0014_profile_tip_totals",
  post_tip_totals: "0015_post_tip_totals",
} as const;
const ONE = parseEther("1");
const FEE_BPS = 250n;
/** The protocol fee of a token tip. An ETH tip's `fee` may be less (see ITipJar.Tipped). */
const fee = (amount: bigint) => (amount * FEE_BPS) / 10_000n;
const ZERO = ZeroAddress;
const enum Mode {
  Accept,
  Revert,
}

const signature = (event: AbiEvent) =>
  `${event.name}(${event.inputs.map((i) => `${i.indexed ? "indexed " : ""}${i.type} ${i.name}`).join(", ")})`;

/** Where a transaction's n-th log sits on chain and when, as the indexer must record it. */
async function trace(tx: ContractTransactionResponse, n = 0) {
  const receipt = (await tx.wait())!;
  const block = (await hre.ethers.provider.getBlock(receipt.blockNumber))!;
  return {
    block_number: String(receipt.blockNumber),
    log_index: receipt.logs[n].index,
    tx_hash: receipt.hash.toLowerCase(),
    timestamp: String(block.timestamp),
  };
}

describe("indexer: tips", function () {
  let rpc: RpcServer;
  let suite: Suite;
  let token: TestERC20Permit;
  let wallet: MaliciousRecipient;
  let deploymentFile: string;
  const databases: TestDatabase[] = [];
  const indexers: Indexer[] = [];
  let db: TestDatabase;
  let client: pg.Client;
  const t: Record<string, Awaited<ReturnType<typeof trace>>> = {};
  const ids = { alice: 0n, bob: 0n, wallet: 0n, post: 0n };
  /** The `fee` each ETH tip's Tipped event carries, by trace key. */
  const ethFee: Record<string, bigint> = {};
  const who: Record<string, string> = {};

  async function start(): Promise<{ indexer: Indexer; db: TestDatabase }> {
    const fresh = await createTestDatabase("idx_tips");
    databases.push(fresh);
    const indexer = await indexToHead(
      testConfig(testEnv({ rpcUrl: rpc.url, databaseUrl: fresh.url, deploymentFile })),
    );
    indexers.push(indexer);
    return { indexer, db: fresh };
  }

  before(async function () {
    const [deployer, alice, bob, tipper, stranger] = await hre.ethers.getSigners();
    suite = await deploySuite(deployer);
    const registry = suite.profileRegistry.contract;
    const jar = suite.tipJar.contract;
    const jarAddress = suite.tipJar.address;
    Object.assign(who, {
      alice: alice.address.toLowerCase(),
      tipper: tipper.address.toLowerCase(),
      stranger: stranger.address.toLowerCase(),
      jar: jarAddress.toLowerCase(),
    });

    await (await registry.connect(alice).register("tip_alice", "")).wait();
    await (await registry.connect(bob).register("tip_bob", "")).wait();
    ids.alice = await registry.profileIdOf(alice.address);
    ids.bob = await registry.profileIdOf(bob.address);
    await (await registry.connect(alice).post(ids.alice, "ipfs://tip-me")).wait();
    ids.post = (ids.alice << 64n) | 1n;
    // A contract-owned profile whose owner rejects ETH: its tips are credited, then claimed.
    wallet = await new MaliciousRecipient__factory(deployer).deploy();
    const register = registry.interface.encodeFunctionData("register", ["tip_wallet", ""]);
    await (await wallet.act(suite.profileRegistry.address, register)).wait();
    ids.wallet = await registry.profileIdOf(await wallet.getAddress());
    await (await wallet.setMode(Mode.Revert)).wait();
    token = await new TestERC20Permit__factory(deployer).deploy("Tip Token");
    who.token = (await token.getAddress()).toLowerCase();
    await (await token.mint(tipper.address, 1_000n * ONE)).wait();
    await (await token.connect(tipper).approve(jarAddress, hre.ethers.MaxUint256)).wait();

    const as = jar.connect(tipper);
    const tipped = async (key: string, tx: ContractTransactionResponse) => {
      t[key] = await trace(tx);
      const log = (await tx.wait())!.logs.find((l) => l.address.toLowerCase() === who.jar)!;
      ethFee[key] = jar.interface.parseLog(log)!.args.fee as bigint;
    };
    await tipped("profileTip", await as.tipETH(ids.alice, "gm", { value: ONE }));
    await tipped("postTip", await as.tipPostETH(ids.post, "nice post", { value: ONE / 3n }));
    const rejected = await as.tipETH(ids.wallet, "to the wallet", { value: 2n * ONE });
    await tipped("rejected", rejected);
    t.credited = await trace(rejected, 1);
    t.tokenTip = await trace(await as.tipToken(ids.bob, who.token, 100n * ONE + 7n, "tokens"));
    t.tokenPostTip = await trace(await as.tipPostToken(ids.post, who.token, 9n, "dust"));
    const claim = jar.interface.encodeFunctionData("claim", [ids.wallet, stranger.address]);
    t.claim = await trace(await wallet.act(jarAddress, claim));
    const sweep = await jar.connect(stranger).sweepETH();
    t.sweep = await trace(sweep, 0);
    const tokenSweep = await jar.connect(stranger).sweepToken(who.token, [ids.bob, ids.alice]);
    // Alice's 9-wei tip paid no fee, so only Bob's fees are swept.
    t.tokenSweepBob = await trace(tokenSweep);
    t.shareSync = await trace(await jar.connect(stranger).syncCreatorShare());
    // Left unswept and unclaimed, so the views the rows are checked against are not zero.
    t.lateTip = await trace(await as.tipETH(ids.wallet, "", { value: 5n }));
    t.lateCredit = { ...t.lateTip, log_index: t.lateTip.log_index + 1 };

    rpc = await serveProvider(provider);
    deploymentFile = writeSuiteDeployment(31337, suite);
    db = (await start()).db;
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  });

  after(async function () {
    await client?.end();
    for (const indexer of indexers) await indexer.stop();
    for (const database of databases) await database.drop();
    await rpc?.close();
  });

  const rows = async (sql: string) => (await client.query(sql)).rows;
  const at = (key: string) => {
    const { block_number, log_index, tx_hash } = t[key];
    return { block_number, log_index, tx_hash };
  };

  it("decodes the events of the compiled ITipJar and IRevenueSplit interfaces", async function () {
    for (const [name, events] of [
      ["ITipJar", TIP_JAR_EVENTS],
      ["IRevenueSplit", REVENUE_SPLIT_EVENTS],
    ] as const) {
      const artifact = await hre.artifacts.readArtifact(name);
      const compiled = (artifact.abi as AbiEvent[])
        .filter((item) => item.type === "event")
        .map(signature);
      expect(events.map(signature).sort(), name).to.deep.equal(compiled.sort());
    }
  });

  it("records the tip jar's creator and referrer shares, from deployment and from every sync", async function () {
    const share = await suite.tipJar.contract.creatorShareBps();
    expect(share).to.be.greaterThan(0n);
    expect(
      await rows(
        `SELECT block_number, setting, old_value, new_value FROM governance_setting_changes
         WHERE contract = 'TipJar' ORDER BY block_number, log_index`,
      ),
    ).to.deep.equal([
      {
        block_number: String(suite.tipJar.blockNumber),
        setting: "referrerShareBps",
        old_value: "0",
        new_value: String(await suite.tipJar.contract.referrerShareBps()),
      },
      {
        block_number: String(suite.tipJar.blockNumber),
        setting: "creatorShareBps",
        old_value: "0",
        new_value: String(share),
      },
      {
        block_number: t.shareSync.block_number,
        setting: "creatorShareBps",
        old_value: String(share),
        new_value: String(share),
      },
    ]);
  });

  it("records every tip: ETH with the zero address as token, post id null for a profile tip", async function () {
    expect(
      await rows(
        `SELECT block_number, log_index, tx_hash, timestamp, profile_id, post_id, tipper, token,
           amount, fee, message FROM tips ORDER BY block_number, log_index`,
      ),
    ).to.deep.equal([
      {
        ...t.profileTip,
        profile_id: String(ids.alice),
        post_id: null,
        tipper: who.tipper,
        token: ZERO,
        amount: String(ONE),
        fee: String(ethFee.profileTip),
        message: "gm",
      },
      {
        ...t.postTip,
        profile_id: String(ids.alice),
        post_id: String(ids.post),
        tipper: who.tipper,
        token: ZERO,
        amount: String(ONE / 3n),
        fee: String(ethFee.postTip),
        message: "nice post",
      },
      {
        ...t.rejected,
        profile_id: String(ids.wallet),
        post_id: null,
        tipper: who.tipper,
        token: ZERO,
        amount: String(2n * ONE),
        fee: String(ethFee.rejected),
        message: "to the wallet",
      },
      {
        ...t.tokenTip,
        profile_id: String(ids.bob),
        post_id: null,
        tipper: who.tipper,
        token: who.token,
        amount: String(100n * ONE + 7n),
        fee: String(fee(100n * ONE + 7n)),
        message: "tokens",
      },
      {
        ...t.tokenPostTip,
        profile_id: String(ids.alice),
        post_id: String(ids.post),
        tipper: who.tipper,
        token: who.token,
        amount: "9",
        fee: "0",
        message: "dust",
      },
      {
        ...t.lateTip,
        profile_id: String(ids.wallet),
        post_id: null,
        tipper: who.tipper,
        token: ZERO,
        amount: "5",
        fee: "0",
        message: "",
      },
    ]);
  });

  it("records rejected ETH as credits and the claim, matching the contract's claimable balance", async function () {
    const net = 2n * ONE - ethFee.rejected;
    expect(await rows("SELECT * FROM tip_credits ORDER BY block_number, log_index")).to.deep.equal([
      {
        ...at("credited"),
        profile_id: String(ids.wallet),
        amount: String(net),
        claimable: String(net),
      },
      { ...at("lateCredit"), profile_id: String(ids.wallet), amount: "5", claimable: "5" },
    ]);
    expect(await rows("SELECT * FROM tip_claims")).to.deep.equal([
      {
        ...at("claim"),
        profile_id: String(ids.wallet),
        to_address: who.stranger,
        amount: String(net),
      },
    ]);
    const [{ claimable }] = await rows(
      `SELECT (SELECT sum(amount) FROM tip_credits WHERE profile_id = ${ids.wallet})
            - (SELECT sum(amount) FROM tip_claims WHERE profile_id = ${ids.wallet}) AS claimable`,
    );
    expect(claimable).to.equal(String(await suite.tipJar.contract.claimable(ids.wallet)));
  });

  it("records fee sweeps and fee changes, and the unswept fees equal the contract's views", async function () {
    const ethFees = ethFee.profileTip + ethFee.postTip + ethFee.rejected;
    expect(ethFees).to.be.greaterThan(0n);
    expect(
      await rows("SELECT * FROM tip_fee_sweeps ORDER BY block_number, log_index"),
    ).to.deep.equal([
      { ...at("sweep"), creator_id: "0", token: ZERO, amount: String(ethFees) },
      {
        ...at("tokenSweepBob"),
        creator_id: String(ids.bob),
        token: who.token,
        amount: String(fee(100n * ONE + 7n)),
      },
    ]);
    const deployBlock = String(suite.tipJar.blockNumber);
    expect(
      await rows("SELECT block_number, old_fee_bps, new_fee_bps FROM tip_fee_changes"),
    ).to.deep.equal([{ block_number: deployBlock, old_fee_bps: 0, new_fee_bps: Number(FEE_BPS) }]);
    const pending = async (tokenAddress: string, creator: bigint | null) => {
      const filter = creator === null ? "" : ` AND profile_id = ${creator}`;
      const sweepFilter = creator === null ? " AND creator_id = 0" : ` AND creator_id = ${creator}`;
      const [row] = await rows(
        `SELECT (SELECT coalesce(sum(fee), 0) FROM tips WHERE token = '${tokenAddress}'${filter})
              - (SELECT coalesce(sum(amount), 0) FROM tip_fee_sweeps WHERE token = '${tokenAddress}'${sweepFilter}) AS p`,
      );
      return BigInt(row.p);
    };
    const jar = suite.tipJar.contract;
    expect(await pending(ZERO, null)).to.equal(await jar.pendingETHFees());
    for (const creator of [ids.alice, ids.bob]) {
      expect(await pending(who.token, creator)).to.equal(
        await jar.pendingTokenFees(who.token, creator),
      );
    }
    // Every wei the jar holds is an unswept fee or a claimable credit.
    const [{ held }] = await rows(
      `SELECT (SELECT sum(fee) FROM tips WHERE token = '${ZERO}')
            - (SELECT sum(amount) FROM tip_fee_sweeps WHERE token = '${ZERO}')
            + (SELECT sum(amount) FROM tip_credits) - (SELECT sum(amount) FROM tip_claims) AS held`,
    );
    expect(BigInt(held)).to.equal(await hre.ethers.provider.getBalance(who.jar));
  });

  it("records the swept fees arriving in the revenue split, matching its accounting", async function () {
    const split = suite.revenueSplit.contract;
    const deposits = await rows(
      "SELECT token, from_address, creator_id, amount, creator_credit, undistributed, timestamp FROM revenue_deposits ORDER BY block_number, log_index",
    );
    expect(deposits.map((d) => [d.token, d.creator_id])).to.deep.equal([
      [ZERO, "0"],
      [who.token, String(ids.bob)],
    ]);
    expect(deposits[0].timestamp).to.equal(t.sweep.timestamp);
    for (const tokenAddress of [ZERO, who.token]) {
      const accounting = await split.accounting(tokenAddress);
      const [row] = await rows(
        `SELECT (SELECT coalesce(sum(amount), 0) FROM revenue_deposits WHERE token = '${tokenAddress}') AS received,
           (SELECT undistributed FROM revenue_deposits WHERE token = '${tokenAddress}'
              ORDER BY block_number DESC, log_index DESC LIMIT 1) AS undistributed`,
      );
      expect(row).to.deep.equal({
        received: String(accounting.received),
        undistributed: String(accounting.undistributed),
      });
    }
    const [credit] = await rows(
      `SELECT profile_id, amount, balance FROM revenue_profile_credits WHERE token = '${who.token}'`,
    );
    expect(credit.balance).to.equal(String(await split.profileBalanceOf(who.token, ids.bob)));
    expect(deposits.every((d) => d.from_address === who.jar)).to.equal(true);
  });

  for (const [table, key] of [
    ["profile_tip_totals", "profile_id"],
    ["post_tip_totals", "post_id"],
  ] as const) {
    it(`keeps ${table} equal to the tips grouped by ${key} and token, as its migration fills it`, async function () {
      const totals = `SELECT * FROM ${table} ORDER BY ${key}, token`;
      const kept = (await client.query(totals)).rows;
      const { rows: grouped } = await client.query(
        `SELECT ${key}, token, sum(amount) AS amount, count(*)::int AS count
         FROM tips WHERE ${key} IS NOT NULL GROUP BY ${key}, token ORDER BY ${key}, token`,
      );
      expect(kept).to.deep.equal(grouped);
      // Both tokens (ETH and the test token) are tipped to profiles and to the post.
      expect(new Set(kept.map((row) => row.token)).size).to.equal(2);
      const sql = readFileSync(
        path.join(__dirname, `../../prisma/migrations/${TOTALS_MIGRATIONS[table]}/migration.sql`),
        "utf8",
      );
      await client.query("BEGIN");
      try {
        await client.query(`DELETE FROM ${table}`);
        await client.query(sql.slice(sql.indexOf("-- Data")));
        expect((await client.query(totals)).rows).to.deep.equal(kept);
      } finally {
        await client.query("ROLLBACK");
      }
    });
  }

  describe("when the chain is replaced by a longer fork", function () {
    it("rolls the tip and revenue tables back and they equal a fresh index of the new chain", async function () {
      const [, alice, bob, tipper, stranger] = await hre.ethers.getSigners();
      const { indexer, db: followed } = await start();
      const jar = suite.tipJar.contract;
      const split = suite.revenueSplit.contract;
      const forkPoint = (await provider.request({ method: "evm_snapshot", params: [] })) as string;

      // Chain A: tips, a credit and its claim, sweeps, a distribution and withdrawals.
      await (await jar.connect(tipper).tipETH(ids.bob, "chain A", { value: ONE })).wait();
      await (await jar.connect(tipper).tipETH(ids.wallet, "chain A credit", { value: ONE })).wait();
      const claim = jar.interface.encodeFunctionData("claim", [ids.wallet, stranger.address]);
      await (await wallet.act(suite.tipJar.address, claim)).wait();
      await (await jar.connect(tipper).tipToken(ids.alice, who.token, ONE, "A")).wait();
      // A post's totals too: chain B tips no post, so only the rollback takes this one out.
      await (await jar.connect(tipper).tipPostETH(ids.post, "chain A post", { value: ONE })).wait();
      await (await jar.sweepETH()).wait();
      await (await jar.sweepToken(who.token, [ids.alice])).wait();
      await (await split.distribute(ZERO)).wait();
      await (
        await split.connect(alice).withdrawForProfile(who.token, ids.alice, alice.address)
      ).wait();
      await indexer.sync.syncToHead();
      const onChainA = await checksumTables(followed.url);

      // Chain B: other transactions, and more blocks, so it wins.
      expect(await provider.request({ method: "evm_revert", params: [forkPoint] })).to.equal(true);
      await (await jar.connect(bob).tipETH(ids.alice, "chain B", { value: 3n * ONE })).wait();
      await (await jar.sweepETH()).wait();
      await (await split.distribute(ZERO)).wait();
      await provider.request({ method: "hardhat_mine", params: ["0x10"] });
      await indexer.sync.syncToHead();

      const onChainB = await checksumTables(followed.url);
      const fresh = await start();
      expect(onChainB).to.deep.equal(await checksumTables(fresh.db.url));
      expect(onChainB).to.not.deep.equal(onChainA);
      const check = new pg.Client({ connectionString: followed.url });
      await check.connect();
      const { rows: left } = await check.query(
        "SELECT message FROM tips WHERE message LIKE 'chain%' ORDER BY message",
      );
      const post = [String(ids.post), ZERO];
      const { rows: postTotals } = await check.query(
        "SELECT amount, count FROM post_tip_totals WHERE post_id = $1 AND token = $2",
        post,
      );
      const { rows: postTips } = await check.query(
        "SELECT sum(amount)::text AS amount, count(*)::int AS count FROM tips WHERE post_id = $1 AND token = $2",
        post,
      );
      await check.end();
      expect(left).to.deep.equal([{ message: "chain B" }]);
      expect(postTips[0].count).to.be.greaterThan(0);
      expect(postTotals).to.deep.equal(postTips);
    });
  });
});
