import { expect } from "chai";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import hre from "hardhat";
import pg from "pg";
import type { AbiEvent } from "viem";
import type { ContractTransactionResponse, Signer } from "ethers";
import { creatorCoinAt, deployCoins } from "../../deploy/coins";
import { deploySuite } from "../../deploy/suite";
import {
  CREATOR_COIN_EVENTS,
  CREATOR_COIN_FACTORY_EVENTS,
  spotPrice,
} from "../../indexer/handlers/coins";
import type { Indexer } from "../../indexer/indexer";
import {
  costToMintRoundingUp,
  DIVISOR,
  FLOOR_SUPPLY,
  proceedsToBurnRoundingDown,
} from "../../sdk/curve";
import type { CreatorCoin, CreatorCoinFactory, ProfileRegistry } from "../../typechain-types";
import {
  createRandom,
  createTestDatabase,
  indexToHead,
  serveProvider,
  testConfig,
  testEnv,
  type RpcServer,
  type TestDatabase,
} from "./helpers";

const provider = hre.network.provider;
const ZERO = "0x0000000000000000000000000000000000000000";
const DEADLINE = 2n ** 40n;
const WAD = 10n ** 18n;
const ETH = (n: string) => hre.ethers.parseEther(n);

const snapshot = async () =>
  (await provider.request({ method: "evm_snapshot", params: [] })) as string;
const revert = async (id: string) =>
  expect(await provider.request({ method: "evm_revert", params: [id] })).to.equal(true);
const blockNumber = async () =>
  BigInt((await provider.request({ method: "eth_blockNumber", params: [] })) as string);

/** Every table the coins handler writes. */
const COIN_TABLES = [
  "coin_launches",
  "coins",
  "trades",
  "coin_transfers",
  "holdings",
  "creator_fee_schedules",
  "creator_fee_withdrawals",
  "coin_protocol_fee_sweeps",
  "coin_protocol_fee_changes",
  "coin_fee_rate_changes",
];

const signature = (event: AbiEvent) =>
  `${event.name}(${event.inputs.map((i) => `${i.type}${i.indexed ? " indexed" : ""} ${i.name}`).join(",")})`;

async function mined(tx: Promise<ContractTransactionResponse>) {
  return (await (await tx).wait())!;
}

describe("indexer: creator coins", function () {
  this.timeout(120_000);
  let rpc: RpcServer;
  let registry: ProfileRegistry;
  let factory: CreatorCoinFactory;
  let signers: Signer[];
  let governance: Signer;
  let deploymentFile: string;
  /** Every address that ever held or traded a coin, for the balanceOf comparison. */
  const everyone = new Set<string>();
  const coins: CreatorCoin[] = [];
  const databases: TestDatabase[] = [];
  const indexers: Indexer[] = [];

  async function start(db?: TestDatabase, extra: Record<string, string> = {}, rpcUrl = rpc.url) {
    if (!db) {
      db = await createTestDatabase("idx_coins");
      databases.push(db);
    }
    const indexer = await indexToHead(
      testConfig(testEnv({ rpcUrl, databaseUrl: db.url, deploymentFile, extra })),
    );
    indexers.push(indexer);
    return { indexer, db };
  }

  async function query<T = Record<string, unknown>>(
    db: TestDatabase,
    sql: string,
    params: unknown[] = [],
  ): Promise<T[]> {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  /** Row count and md5 of the sorted rows, per coin table. */
  async function checksums(db: TestDatabase): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const table of COIN_TABLES) {
      const [row] = await query<{ n: string; md5: string | null }>(
        db,
        `SELECT count(*)::text AS n, md5(string_agg(t::text, '|' ORDER BY t::text)) AS md5 FROM "${table}" t`,
      );
      out[table] = `${row.n}:${row.md5 ?? "-"}`;
    }
    return out;
  }

  const address = async (signer: Signer) => (await signer.getAddress()).toLowerCase();

  async function launch(signer: Signer, handle: string, feeBps: bigint, value: bigint) {
    await mined(registry.connect(signer).register(handle, `ipfs://${handle}`));
    const id = await registry.profileIdOf(await signer.getAddress());
    await mined(factory.connect(signer).launch(id, feeBps, 0, DEADLINE, { value }));
    const coin = creatorCoinAt(await factory.coinOf(id), signer);
    coins.push(coin);
    everyone.add(await address(signer));
    return coin;
  }

  async function buy(coin: CreatorCoin, signer: Signer, eth: bigint, recipient?: Signer) {
    const to = recipient ?? signer;
    everyone.add(await address(to));
    await mined(
      coin.connect(signer).buyExactIn(0, DEADLINE, await to.getAddress(), { value: eth }),
    );
  }

  async function sell(coin: CreatorCoin, signer: Signer, amount: bigint, recipient?: Signer) {
    await mined(
      coin
        .connect(signer)
        .sellExactIn(amount, 0, DEADLINE, await (recipient ?? signer).getAddress()),
    );
  }

  /** Random buys, sells and transfers among `wallets` on `pool`; every action is one valid tx. */
  async function randomTrading(
    pool: CreatorCoin[],
    wallets: Signer[],
    count: number,
    seed: number,
  ) {
    const random = createRandom(seed);
    for (let i = 0; i < count; i++) {
      const coin = random.pick(pool);
      const wallet = random.pick(wallets);
      const balance = await coin.balanceOf(await wallet.getAddress());
      const action = random.int(4);
      // Small balances only buy, so that no sell or transfer falls below MIN_TRADE.
      if (action <= 1 || balance < 10n ** 14n) {
        await buy(coin, wallet, ETH("0.001") * BigInt(1 + random.int(50)));
      } else if (action === 2) {
        await sell(coin, wallet, random.int(3) === 0 ? balance : balance / 3n);
      } else {
        const to = random.pick(wallets.filter((w) => w !== wallet));
        everyone.add(await address(to));
        await mined(coin.connect(wallet).transfer(await to.getAddress(), balance / 2n));
      }
    }
  }

  /** What the indexed `coins` row of `coin` must be, from the coin's own views and logs. */
  async function coinFromChain(coin: CreatorCoin) {
    const addr = (await coin.getAddress()).toLowerCase();
    const supply = await coin.totalSupply();
    const trades = await coin.queryFilter(coin.filters.Traded());
    let holders = 0;
    for (const holder of [...everyone, addr]) if ((await coin.balanceOf(holder)) > 0n) holders++;
    const price = (3n * supply * supply * WAD) / DIVISOR;
    return {
      address: addr,
      profile_id: (await coin.profileId()).toString(),
      handle: await coin.handle(),
      name: await coin.name(),
      symbol: await coin.symbol(),
      creator_fee_bps: Number(await coin.creatorFeeBps()),
      supply: supply.toString(),
      reserve: (await coin.reserve()).toString(),
      price: price.toString(),
      market_cap: ((price * supply) / WAD).toString(),
      trade_count: trades.length,
      holder_count: holders,
      volume: trades.reduce((sum, t) => sum + t.args.ethAmount, 0n).toString(),
    };
  }

  async function coinFromIndex(db: TestDatabase, coin: CreatorCoin) {
    const [row] = await query(
      db,
      `SELECT address, profile_id::text, handle, name, symbol, creator_fee_bps, supply::text,
         reserve::text, price::text, market_cap::text, trade_count, holder_count, volume::text
       FROM coins WHERE address = $1`,
      [(await coin.getAddress()).toLowerCase()],
    );
    return row;
  }

  /** holdings equals balanceOf for every address that ever held the coin, and nothing else. */
  async function expectHoldingsMatch(db: TestDatabase, coin: CreatorCoin) {
    const addr = (await coin.getAddress()).toLowerCase();
    const expected: Record<string, string> = {};
    for (const holder of [...everyone, addr]) {
      const balance = await coin.balanceOf(holder);
      if (balance > 0n) expected[holder] = balance.toString();
    }
    const rows = await query<{ holder: string; balance: string }>(
      db,
      "SELECT holder, balance::text FROM holdings WHERE coin = $1",
      [addr],
    );
    expect(Object.fromEntries(rows.map((r) => [r.holder, r.balance])), addr).to.deep.equal(
      expected,
    );
  }

  async function expectIndexMatchesChain(db: TestDatabase) {
    expect(Number((await query(db, "SELECT count(*)::int AS n FROM coins"))[0].n)).to.equal(
      coins.length,
    );
    for (const coin of coins) {
      expect(await coinFromIndex(db, coin)).to.deep.equal(await coinFromChain(coin));
      await expectHoldingsMatch(db, coin);
    }
  }

  before(async function () {
    signers = await hre.ethers.getSigners();
    const [deployer] = signers;
    governance = signers[1];
    const suite = await deploySuite(deployer);
    registry = suite.profileRegistry.contract;
    const deployed = await deployCoins(
      deployer,
      suite.profileRegistry.address,
      suite.revenueSplit.address,
      await governance.getAddress(),
    );
    factory = deployed.creatorCoinFactory.contract;
    const dir = mkdtempSync(path.join(os.tmpdir(), "agora-deployment-"));
    deploymentFile = path.join(dir, "test.json");
    writeFileSync(
      deploymentFile,
      JSON.stringify({
        chainId: 31337,
        commit: "test",
        contracts: {
          ProfileRegistry: {
            address: suite.profileRegistry.address.toLowerCase(),
            blockNumber: suite.profileRegistry.blockNumber,
          },
          CreatorCoinFactory: {
            address: deployed.creatorCoinFactory.address.toLowerCase(),
            blockNumber: deployed.creatorCoinFactory.blockNumber,
          },
        },
      }),
    );
    rpc = await serveProvider(provider);
  });

  after(async function () {
    for (const indexer of indexers) await indexer.stop();
    for (const db of databases) await db.drop();
    await rpc?.close();
  });

  it("declares the events of the compiled ICreatorCoin and ICreatorCoinFactory", async function () {
    const compiledEvents = async (name: string) =>
      ((await hre.artifacts.readArtifact(name)).abi as AbiEvent[]).filter(
        (item) => item.type === "event",
      );
    expect(CREATOR_COIN_FACTORY_EVENTS.map(signature).sort()).to.deep.equal(
      (await compiledEvents("ICreatorCoinFactory")).map(signature).sort(),
    );
    const coinEvents = (await compiledEvents("ICreatorCoin"))
      .filter((event) => event.name !== "Approval" && event.name !== "EIP712DomainChanged")
      .map(signature)
      .sort();
    expect(CREATOR_COIN_EVENTS.map(signature).sort()).to.deep.equal(coinEvents);
  });

  it("prices at the derivative of the reserve curve", function () {
    for (const whole of [1n, 7n, 1000n, 123_456n]) {
      const s = whole * WAD + 12_345n;
      const price = spotPrice(s);
      // The curve is convex: burning the last d coin-wei releases at most the spot price of d,
      // minting the next d costs at least that.
      const d = 10n ** 15n;
      expect(proceedsToBurnRoundingDown(s, d)).to.be.at.most((price * d) / WAD);
      expect(costToMintRoundingUp(s, d)).to.be.at.least((price * d) / WAD);
      expect(costToMintRoundingUp(s, d) - proceedsToBurnRoundingDown(s, d)).to.be.lessThan(
        (price * d) / WAD / 100n,
      );
      expect(price).to.equal((s * s * WAD) / (16_000n * WAD * WAD)); // S^2 / 16000 ETH
    }
  });

  describe("a history of launches, trades, transfers and fees", function () {
    let db: TestDatabase;
    let alice: Signer, bob: Signer, carol: Signer;
    let traders: Signer[];
    let aliceCoin: CreatorCoin, bobCoin: CreatorCoin, carolCoin: CreatorCoin;

    before(async function () {
      [alice, bob, carol] = signers.slice(2, 5);
      traders = signers.slice(5, 10);
      const [dave, erin, frank] = traders;
      everyone.add(await address(governance));

      // Alice launches with a buy: the coin's Traded and Transfers precede CoinLaunched.
      aliceCoin = await launch(alice, "alice", 200n, ETH("0.05"));
      bobCoin = await launch(bob, "bob_builds", 0n, 0n);
      // The first index stops here; the second resumes and must know both coins from the database.
      ({ db } = await start());
      await indexers.pop()!.stop();

      await buy(bobCoin, dave, ETH("0.2")); // first buy: FLOOR_SUPPLY minted to the coin
      await mined(
        bobCoin.connect(erin).buyExactOut(ETH("3"), ETH("10"), DEADLINE, await erin.getAddress(), {
          value: ETH("10"),
        }),
      );
      everyone.add(await address(erin));
      await buy(aliceCoin, dave, ETH("0.3"), frank);
      await sell(bobCoin, dave, (await bobCoin.balanceOf(await dave.getAddress())) / 4n, erin);
      // Plain transfers and transferFrom.
      await mined(bobCoin.connect(erin).transfer(await frank.getAddress(), ETH("1")));
      await mined(bobCoin.connect(frank).approve(await dave.getAddress(), ETH("1")));
      await mined(
        bobCoin
          .connect(dave)
          .transferFrom(await frank.getAddress(), await carol.getAddress(), ETH("0.4")),
      );
      everyone.add(await address(carol));
      // Frank sells his whole balance of bob's coin: his holding row goes away.
      await sell(bobCoin, frank, await bobCoin.balanceOf(await frank.getAddress()));

      carolCoin = await launch(carol, "carol", 1000n, ETH("0.01"));
      await randomTrading([aliceCoin, bobCoin, carolCoin], traders, 25, 7);

      // Fee schedules: alice's matures before her next trade, carol's is still pending.
      // Governance changes the protocol fee the same week: the trades after the wait pay it.
      await mined(aliceCoin.connect(alice).scheduleCreatorFee(500));
      await mined(factory.connect(governance).setProtocolFeeBps(250));
      await provider.request({ method: "evm_increaseTime", params: [7 * 24 * 3600 + 1] });
      await buy(aliceCoin, erin, ETH("0.02"));
      await mined(carolCoin.connect(carol).scheduleCreatorFee(10));
      // Fees leave the coins.
      await mined(aliceCoin.connect(alice).withdrawCreatorFees(await frank.getAddress()));
      await mined(aliceCoin.connect(dave).sweepProtocolFees());
      await mined(bobCoin.connect(erin).sweepProtocolFees());
      await buy(carolCoin, frank, ETH("0.05"));
      await sell(aliceCoin, frank, (await aliceCoin.balanceOf(await frank.getAddress())) / 2n);

      // Resume on the same database: the coins launched before the restart come from the database.
      await start(db);
    });

    it("records every launch with the handle the name and symbol derive from", async function () {
      const rows = await query(
        db,
        "SELECT profile_id::text, coin, launcher, handle, creator_fee_bps FROM coin_launches ORDER BY block_number",
      );
      expect(rows).to.deep.equal([
        {
          profile_id: (await aliceCoin.profileId()).toString(),
          coin: (await aliceCoin.getAddress()).toLowerCase(),
          launcher: await address(alice),
          handle: "alice",
          creator_fee_bps: 200,
        },
        {
          profile_id: (await bobCoin.profileId()).toString(),
          coin: (await bobCoin.getAddress()).toLowerCase(),
          launcher: await address(bob),
          handle: "bob_builds",
          creator_fee_bps: 0,
        },
        {
          profile_id: (await carolCoin.profileId()).toString(),
          coin: (await carolCoin.getAddress()).toLowerCase(),
          launcher: await address(carol),
          handle: "carol",
          creator_fee_bps: 1000,
        },
      ]);
      expect((await coinFromIndex(db, bobCoin)).symbol).to.equal("BOB_BUILDS");
    });

    it("keeps each coin's row equal to the coin's own views", async function () {
      await expectIndexMatchesChain(db);
      expect((await coinFromIndex(db, aliceCoin)).creator_fee_bps).to.equal(500);
      expect((await coinFromIndex(db, carolCoin)).creator_fee_bps).to.equal(1000);
    });

    it("keeps holdings equal to balanceOf, the coin's locked floor included", async function () {
      for (const coin of coins) {
        const addr = (await coin.getAddress()).toLowerCase();
        const [floor] = await query<{ balance: string }>(
          db,
          "SELECT balance::text FROM holdings WHERE coin = $1 AND holder = $1",
          [addr],
        );
        expect(floor.balance).to.equal(FLOOR_SUPPLY.toString());
        const [sum] = await query<{ total: string }>(
          db,
          "SELECT sum(balance)::text AS total FROM holdings WHERE coin = $1",
          [addr],
        );
        expect(sum.total).to.equal((await coin.totalSupply()).toString());
      }
      const [zero] = await query<{ n: number }>(
        db,
        "SELECT count(*)::int AS n FROM holdings WHERE balance <= 0 OR holder = $1",
        [ZERO],
      );
      expect(zero.n).to.equal(0);
    });

    it("stores every trade as the coin emitted it, with the spot price after it", async function () {
      for (const coin of coins) {
        const addr = (await coin.getAddress()).toLowerCase();
        const logs = await coin.queryFilter(coin.filters.Traded());
        const expected = await Promise.all(
          logs.map(async (log) => ({
            block_number: String(log.blockNumber),
            log_index: log.index,
            tx_hash: log.transactionHash.toLowerCase(),
            timestamp: String((await log.getBlock()).timestamp),
            coin: addr,
            trader: log.args.trader.toLowerCase(),
            recipient: log.args.recipient.toLowerCase(),
            is_buy: log.args.isBuy,
            coin_amount: log.args.coinAmount.toString(),
            eth_amount: log.args.ethAmount.toString(),
            protocol_fee: log.args.protocolFee.toString(),
            creator_fee: log.args.creatorFee.toString(),
            supply_after: log.args.newSupply.toString(),
            reserve_after: log.args.newReserve.toString(),
            price_after: ((3n * log.args.newSupply ** 2n * WAD) / DIVISOR).toString(),
          })),
        );
        const rows = await query(
          db,
          `SELECT block_number::text, log_index, tx_hash, timestamp::text, coin, trader, recipient,
             is_buy, coin_amount::text, eth_amount::text, protocol_fee::text, creator_fee::text,
             supply_after::text, reserve_after::text, price_after::text
           FROM trades t WHERE coin = $1 ORDER BY t.block_number, t.log_index`,
          [addr],
        );
        expect(rows).to.deep.equal(expected);
        expect(rows.length).to.be.greaterThan(1);
      }
    });

    it("stores every transfer, transferFrom, mint and burn", async function () {
      for (const coin of coins) {
        const addr = (await coin.getAddress()).toLowerCase();
        const logs = await coin.queryFilter(coin.filters.Transfer());
        const rows = await query(
          db,
          `SELECT block_number::text, log_index, from_address, to_address, value::text
           FROM coin_transfers t WHERE coin = $1 ORDER BY t.block_number, t.log_index`,
          [addr],
        );
        expect(rows).to.deep.equal(
          logs.map((log) => ({
            block_number: String(log.blockNumber),
            log_index: log.index,
            from_address: log.args.from.toLowerCase(),
            to_address: log.args.to.toLowerCase(),
            value: log.args.value.toString(),
          })),
        );
      }
      const [viaAllowance] = await query(
        db,
        "SELECT value::text FROM coin_transfers WHERE from_address = $1 AND to_address = $2",
        [await address(traders[2]), await address(carol)],
      );
      expect(viaAllowance).to.deep.equal({ value: ETH("0.4").toString() });
    });

    it("accounts for every fee: accrued by trades minus paid out equals what the coin owes", async function () {
      for (const coin of coins) {
        const [row] = await query<Record<string, string>>(
          db,
          `SELECT
             (SELECT coalesce(sum(creator_fee), 0) FROM trades WHERE coin = $1)
               - (SELECT coalesce(sum(amount), 0) FROM creator_fee_withdrawals WHERE coin = $1)
               AS creator_owed,
             (SELECT coalesce(sum(protocol_fee), 0) FROM trades WHERE coin = $1)
               - (SELECT coalesce(sum(amount), 0) FROM coin_protocol_fee_sweeps WHERE coin = $1)
               AS protocol_owed`,
          [(await coin.getAddress()).toLowerCase()],
        );
        expect(row.creator_owed).to.equal((await coin.creatorFeesOwed()).toString());
        expect(row.protocol_owed).to.equal((await coin.protocolFeesOwed()).toString());
      }
      const withdrawals = await query(
        db,
        "SELECT coin, owner, to_address, amount::text FROM creator_fee_withdrawals",
      );
      const [withdrawn] = await aliceCoin.queryFilter(aliceCoin.filters.CreatorFeesWithdrawn());
      expect(withdrawals).to.deep.equal([
        {
          coin: (await aliceCoin.getAddress()).toLowerCase(),
          owner: await address(alice),
          to_address: await address(traders[2]),
          amount: withdrawn.args.amount.toString(),
        },
      ]);
      expect(
        await query(db, "SELECT coin, caller FROM coin_protocol_fee_sweeps ORDER BY block_number"),
      ).to.deep.equal([
        { coin: (await aliceCoin.getAddress()).toLowerCase(), caller: await address(traders[0]) },
        { coin: (await bobCoin.getAddress()).toLowerCase(), caller: await address(traders[1]) },
      ]);
    });

    it("records fee schedules and protocol fee changes", async function () {
      const schedules = await query(
        db,
        "SELECT coin, current_bps, new_bps, effective_at::text FROM creator_fee_schedules ORDER BY block_number",
      );
      const [aliceSchedule] = await aliceCoin.queryFilter(
        aliceCoin.filters.CreatorFeeChangeScheduled(),
      );
      const [, carolPendingAt] = await carolCoin.pendingCreatorFee();
      expect(schedules).to.deep.equal([
        {
          coin: (await aliceCoin.getAddress()).toLowerCase(),
          current_bps: 200,
          new_bps: 500,
          effective_at: aliceSchedule.args.effectiveAt.toString(),
        },
        {
          coin: (await carolCoin.getAddress()).toLowerCase(),
          current_bps: 1000,
          new_bps: 10,
          effective_at: carolPendingAt.toString(),
        },
      ]);
      expect(
        await query(
          db,
          "SELECT old_bps, new_bps FROM coin_protocol_fee_changes ORDER BY block_number",
        ),
      ).to.deep.equal([
        { old_bps: 0, new_bps: 100 },
        { old_bps: 100, new_bps: 250 },
      ]);
    });

    it("gives the same tables when every block is its own batch", async function () {
      const { db: stepwise } = await start(undefined, {
        INITIAL_BLOCK_RANGE: "1",
        MAX_BLOCK_RANGE: "1",
      });
      expect(await checksums(stepwise)).to.deep.equal(await checksums(db));
    });

    it("gives the same tables through a provider that refuses ranges over 2 blocks", async function () {
      const limited = await serveProvider(provider, { maxLogRange: 2 });
      try {
        const { db: shrunk } = await start(undefined, {}, limited.url);
        expect(await checksums(shrunk)).to.deep.equal(await checksums(db));
      } finally {
        await limited.close();
      }
    });
  });

  describe("a reorg that replaces trades, transfers and a launch", function () {
    it("rolls every coin table back and equals a fresh index of the new chain", async function () {
      const { indexer, db } = await start();
      const [, , , , , dave, erin, frank, grace, heidi] = signers;
      const wallets = [dave, erin, frank, grace, heidi];
      const forkPoint = await snapshot();
      const known = coins.length;

      // Chain A: a new coin, trades everywhere, a fee change, a withdrawal and a sweep.
      const graceCoin = await launch(grace, "grace", 300n, ETH("0.1"));
      await randomTrading([...coins], wallets, 15, 101);
      await mined(coins[0].connect(signers[2]).scheduleCreatorFee(50));
      await mined(coins[0].connect(signers[2]).withdrawCreatorFees(await dave.getAddress()));
      await mined(graceCoin.connect(erin).sweepProtocolFees());
      await mined(factory.connect(governance).setProtocolFeeBps(0));
      await indexer.sync.syncToHead();
      await expectIndexMatchesChain(db);
      const heightA = await blockNumber();

      // Chain B: other trades on the old coins only, and longer than chain A.
      await revert(forkPoint);
      coins.length = known;
      await randomTrading(coins, wallets, 25, 202);
      expect(await blockNumber()).to.be.greaterThan(heightA);

      await indexer.sync.syncToHead();
      expect(indexer.metrics.reorgs.value()).to.equal(1);
      await expectIndexMatchesChain(db);
      expect(
        await query(db, "SELECT count(*)::int AS n FROM coin_launches WHERE handle = 'grace'"),
      ).to.deep.equal([{ n: 0 }]);
      const fresh = await start();
      expect(await checksums(db)).to.deep.equal(await checksums(fresh.db));

      // The rolled-back coin is forgotten: a new launch at the next nonce is indexed correctly.
      await launch(grace, "grace_b", 0n, ETH("0.02"));
      await randomTrading(coins, wallets, 5, 303);
      await indexer.sync.syncToHead();
      await expectIndexMatchesChain(db);
    });
  });
});
