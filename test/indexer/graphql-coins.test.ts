import { readFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import hre from "hardhat";
import pg from "pg";
import pino from "pino";
import { parseEther, ZeroAddress, type ContractTransactionResponse, type Signer } from "ethers";
import { creatorCoinAt } from "../../deploy/coins";
import { deploySuite, type Suite } from "../../deploy/suite";
import { createApi, type Api } from "../../indexer/graphql/api";
import { createReadPool } from "../../indexer/graphql/database";
import { spotPrice } from "../../indexer/handlers/coins";
import type { Indexer } from "../../indexer/indexer";
import {
  CreatorCoin__factory,
  TestERC20Permit__factory,
  type CreatorCoin,
} from "../../typechain-types";
import {
  createTestDatabase,
  indexToHead,
  serveProvider,
  testConfig,
  testEnv,
  type RpcServer,
  type TestDatabase,
} from "./helpers";
import { subscribeSse } from "./sse";
import { writeSuiteDeployment } from "./suiteHelpers";

// A reply's shape is the query's own; the assertions check it field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const logger = pino({ level: "silent" });
const ETH = parseEther;
const WAD = 10n ** 18n;
const DEADLINE = 2n ** 40n;
const HOUR = 3_600;
const DAY = 86_400;

interface GraphQLReply {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** A trade as the chain reports it, to compare the API against. */
interface ChainTrade {
  coin: string;
  trader: string;
  isBuy: boolean;
  coinAmount: bigint;
  ethAmount: bigint;
  newSupply: bigint;
  blockNumber: number;
  logIndex: number;
  timestamp: number;
}

describe("GraphQL API: coins and tips", function () {
  let rpc: RpcServer;
  let db: TestDatabase;
  let indexer: Indexer;
  let pool: pg.Pool;
  let api: Api;
  let suite: Suite;
  let signers: Signer[];
  const addr: Record<string, string> = {};
  const ids: Record<string, bigint> = {};
  let aliceCoin: CreatorCoin;
  let bobCoin: CreatorCoin;
  const trades: ChainTrade[] = [];
  let alicePost: bigint;
  /** SQL statements the API ran. */
  const queries: string[] = [];

  async function gql(query: string, variables?: Record<string, unknown>): Promise<GraphQLReply> {
    const response = await api.yoga.fetch("http://api/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLReply;
  }

  async function data(query: string, variables?: Record<string, unknown>): Promise<Json> {
    const reply = await gql(query, variables);
    expect(reply.errors, JSON.stringify(reply.errors)).to.equal(undefined);
    return reply.data;
  }

  async function errorOf(query: string, variables?: Record<string, unknown>) {
    const reply = await gql(query, variables);
    expect(reply.errors, "expected an error").to.be.an("array").that.is.not.empty;
    return reply.errors![0];
  }

  /** Records every Traded event of a transaction. */
  async function record(tx: Promise<ContractTransactionResponse>): Promise<void> {
    const receipt = (await (await tx).wait())!;
    const block = (await hre.ethers.provider.getBlock(receipt.blockNumber))!;
    const iface = CreatorCoin__factory.createInterface();
    for (const log of receipt.logs) {
      let parsed;
      try {
        parsed = iface.parseLog(log);
      } catch {
        continue;
      }
      if (parsed?.name !== "Traded") continue;
      trades.push({
        coin: log.address.toLowerCase(),
        trader: String(parsed.args.trader).toLowerCase(),
        isBuy: parsed.args.isBuy,
        coinAmount: parsed.args.coinAmount,
        ethAmount: parsed.args.ethAmount,
        newSupply: parsed.args.newSupply,
        blockNumber: receipt.blockNumber,
        logIndex: log.index,
        timestamp: block.timestamp,
      });
    }
  }

  const buy = (coin: CreatorCoin, signer: Signer, eth: bigint) =>
    record(coin.connect(signer).buyExactIn(0, DEADLINE, signer.getAddress(), { value: eth }));

  const advance = async (seconds: number) => {
    await hre.network.provider.request({ method: "evm_increaseTime", params: [seconds] });
  };

  const subscribe = (query: string, feed: string) => subscribeSse(api, query, feed);

  before(async function () {
    signers = await hre.ethers.getSigners();
    const [deployer, alice, bob, carol, dave] = signers;
    for (const [name, signer] of Object.entries({ alice, bob, carol, dave }))
      addr[name] = (await signer.getAddress()).toLowerCase();
    suite = await deploySuite(deployer);
    const registry = suite.profileRegistry.contract;
    const factory = suite.creatorCoinFactory.contract;
    const jar = suite.tipJar.contract;
    const send = async (tx: Promise<ContractTransactionResponse>) => (await tx).wait();

    for (const [name, signer] of [
      ["alice", alice],
      ["bob", bob],
      ["carol", carol],
    ] as const) {
      await send(registry.connect(signer).register(name, `ipfs://${name}`));
      ids[name] = await registry.profileIdOf(await signer.getAddress());
    }
    // alice launches with a first buy in the same transaction; bob launches bare.
    expect(await factory.coinOf(ids.alice)).to.equal(ZeroAddress);
    await record(
      factory.connect(alice).launch(ids.alice, 200n, 0, DEADLINE, { value: ETH("0.05") }),
    );
    aliceCoin = creatorCoinAt(await factory.coinOf(ids.alice), alice);
    await send(factory.connect(bob).launch(ids.bob, 0n, 0, DEADLINE));
    bobCoin = creatorCoinAt(await factory.coinOf(ids.bob), bob);

    await buy(aliceCoin, bob, ETH("0.1"));
    await buy(aliceCoin, carol, ETH("0.02"));
    const bobBalance = await aliceCoin.balanceOf(addr.bob);
    await record(aliceCoin.connect(bob).sellExactIn(bobBalance / 2n, 0, DEADLINE, addr.bob));
    await send(aliceCoin.connect(bob).transfer(addr.dave, bobBalance / 8n));
    await advance(2 * HOUR);
    await buy(aliceCoin, carol, ETH("0.03"));
    await advance(2 * DAY);
    await buy(bobCoin, dave, ETH("0.2"));
    await buy(aliceCoin, dave, ETH("0.01"));

    // Tips: ETH to profiles and a post, and one in an ERC-20.
    await send(registry.connect(alice).post(ids.alice, "ipfs://alice/1"));
    alicePost = (ids.alice << 64n) | 1n;
    await send(jar.connect(bob).tipETH(ids.alice, "gm", { value: ETH("1") }));
    await send(jar.connect(carol).tipPostETH(alicePost, "great post", { value: ETH("0.5") }));
    await send(jar.connect(dave).tipETH(ids.bob, "", { value: ETH("2") }));
    await send(jar.connect(dave).tipETH(ids.alice, "again", { value: ETH("0.25") }));
    const token = await new TestERC20Permit__factory(deployer).deploy("USD");
    await send(token.mint(addr.carol, ETH("100")));
    await send(token.connect(carol).approve(suite.tipJar.address, ETH("100")));
    await send(jar.connect(carol).tipToken(ids.carol, await token.getAddress(), ETH("30"), "usd"));
    addr.token = (await token.getAddress()).toLowerCase();

    rpc = await serveProvider(hre.network.provider);
    db = await createTestDatabase("graphql_coins");
    const deploymentFile = writeSuiteDeployment(31337, suite);
    indexer = await indexToHead(
      testConfig(testEnv({ rpcUrl: rpc.url, databaseUrl: db.url, deploymentFile })),
    );
    pool = createReadPool({ url: db.url, statementTimeoutMs: 5_000, logger });
    api = await createApi({
      pool,
      databaseUrl: db.url,
      logger,
      fallbackPollMs: 0,
      onQuery: (sql) => queries.push(sql),
    });
  });

  after(async function () {
    await api?.close();
    await pool?.end();
    await indexer?.stop();
    await db?.drop();
    await rpc?.close();
  });

  /**
   * Who holds `coin` now, from the chain alone: every address a Transfer of the coin named, with
   * its balanceOf where that is not zero.
   */
  async function holdersOnChain(coin: CreatorCoin): Promise<Map<string, bigint>> {
    const seen = new Set<string>();
    for (const transfer of await coin.queryFilter(coin.filters.Transfer(), 0, "latest")) {
      seen.add(transfer.args.from.toLowerCase());
      seen.add(transfer.args.to.toLowerCase());
    }
    seen.delete(ZeroAddress);
    const held = new Map<string, bigint>();
    for (const address of seen) {
      const balance = await coin.balanceOf(address);
      if (balance > 0n) held.set(address, balance);
    }
    return held;
  }

  /** "now" of the API: the timestamp of the latest indexed block, events or not. */
  async function now(): Promise<number> {
    return Number((await data(`{ stats { asOf } }`)).stats.asOf);
  }

  describe("coins", function () {
    it("reports each coin's state exactly as the contract does", async function () {
      for (const coin of [aliceCoin, bobCoin]) {
        const address = (await coin.getAddress()).toLowerCase();
        const { coin: found } = await data(
          `query($a: Address!) { coin(address: $a) {
            address profileId handle symbol supply reserve price marketCap tradeCount holders volume
            profile { handle } } }`,
          { a: address },
        );
        const supply = await coin.totalSupply();
        const price = spotPrice(supply);
        const own = trades.filter((t) => t.coin === address);
        expect(found).to.deep.equal({
          address,
          profileId: String(await coin.profileId()),
          handle: await coin.handle(),
          symbol: await coin.symbol(),
          supply: String(supply),
          reserve: String(await coin.reserve()),
          price: String(price),
          marketCap: String((price * supply) / WAD),
          tradeCount: own.length,
          holders: (await holdersOnChain(coin)).size,
          volume: String(own.reduce((sum, t) => sum + t.ethAmount, 0n)),
          profile: { handle: await coin.handle() },
        });
      }
    });

    it("finds a coin by its profile's handle, and refuses an unknown coin by name", async function () {
      const { coinByHandle } = await data(`{ coinByHandle(handle: "alice") { address } }`);
      expect(coinByHandle.address).to.equal((await aliceCoin.getAddress()).toLowerCase());
      const unknown = await errorOf(
        `{ coin(address: "0x00000000000000000000000000000000000000ff") { address } }`,
      );
      expect(unknown.extensions?.code).to.equal("COIN_NOT_FOUND");
      expect(unknown.message).to.contain("0x00000000000000000000000000000000000000ff");
      const byHandle = await errorOf(`{ coinByHandle(handle: "carol") { address } }`);
      expect(byHandle.extensions?.code).to.equal("COIN_NOT_FOUND");
    });

    it("lists coins by market cap, price, 24-hour volume and holders", async function () {
      const alice = (await aliceCoin.getAddress()).toLowerCase();
      const bob = (await bobCoin.getAddress()).toLowerCase();
      const caps = [
        {
          address: alice,
          cap: (spotPrice(await aliceCoin.totalSupply()) * (await aliceCoin.totalSupply())) / WAD,
        },
        {
          address: bob,
          cap: (spotPrice(await bobCoin.totalSupply()) * (await bobCoin.totalSupply())) / WAD,
        },
      ].sort((x, y) => (y.cap > x.cap ? 1 : y.cap < x.cap ? -1 : 0));
      const { coins } = await data(`{ coins { nodes { address marketCap } } }`);
      expect(coins.nodes.map((c: Json) => c.address)).to.deep.equal(caps.map((c) => c.address));

      const end = await now();
      const expected24h = (address: string) =>
        trades
          .filter((t) => t.coin === address && t.timestamp > end - DAY)
          .reduce((sum, t) => sum + t.ethAmount, 0n);
      const { byVolume } = await data(
        `{ byVolume: coins(orderBy: volume24h) { nodes { address volume24h } } }`,
      );
      const volumes = [alice, bob]
        .map((address) => ({ address, volume24h: String(expected24h(address)) }))
        .sort((x, y) => (BigInt(y.volume24h) > BigInt(x.volume24h) ? 1 : -1));
      expect(byVolume.nodes).to.deep.equal(volumes);
      // Only the two trades after the two-day jump are inside the window.
      expect(trades.filter((t) => t.timestamp > end - DAY)).to.have.length(2);

      const { byHolders, byPrice } = await data(
        `{ byHolders: coins(orderBy: holders) { nodes { address holders } }
           byPrice: coins(orderBy: price, orderDirection: asc) { nodes { address price } } }`,
      );
      expect(byHolders.nodes[0].address).to.equal(alice);
      expect(BigInt(byPrice.nodes[0].price)).to.be.lessThan(BigInt(byPrice.nodes[1].price));
    });

    it("pages through coins with cursors", async function () {
      const first = await data(
        `{ coins(first: 1) { nodes { address } pageInfo { endCursor hasNextPage } } }`,
      );
      expect(first.coins.pageInfo.hasNextPage).to.equal(true);
      const second = await data(
        `query($after: String) { coins(first: 1, after: $after) { nodes { address } pageInfo { hasNextPage } } }`,
        { after: first.coins.pageInfo.endCursor },
      );
      expect(second.coins.pageInfo.hasNextPage).to.equal(false);
      expect(second.coins.nodes[0].address).to.not.equal(first.coins.nodes[0].address);
    });

    it("filters trades by coin, trader and time range", async function () {
      const alice = (await aliceCoin.getAddress()).toLowerCase();
      const { all } = await data(
        `query($c: Address!) { all: trades(where: { coinAddress: $c }, orderDirection: asc, first: 100) {
          nodes { blockNumber logIndex trader isBuy coinAmount ethAmount supplyAfter priceAfter timestamp } } }`,
        { c: alice },
      );
      const own = trades.filter((t) => t.coin === alice);
      expect(all.nodes).to.deep.equal(
        own.map((t) => ({
          blockNumber: String(t.blockNumber),
          logIndex: t.logIndex,
          trader: t.trader,
          isBuy: t.isBuy,
          coinAmount: String(t.coinAmount),
          ethAmount: String(t.ethAmount),
          supplyAfter: String(t.newSupply),
          priceAfter: String(spotPrice(t.newSupply)),
          timestamp: String(t.timestamp),
        })),
      );
      const from = own[1].timestamp;
      const to = own[own.length - 1].timestamp;
      const { window } = await data(
        `query($c: Address!, $t: Address!, $from: BigInt!, $to: BigInt!) {
          window: trades(where: { coinAddress: $c, trader: $t, timestamp_gte: $from, timestamp_lt: $to }) {
            nodes { trader timestamp } } }`,
        { c: alice, t: addr.carol, from: String(from), to: String(to) },
      );
      const expected = own.filter(
        (t) => t.trader === addr.carol && t.timestamp >= from && t.timestamp < to,
      );
      expect(expected).to.have.length(2);
      expect(window.nodes.map((n: Json) => Number(n.timestamp))).to.deep.equal(
        expected.map((t) => t.timestamp).reverse(),
      );
    });

    it("lists top holders with balances equal to balanceOf", async function () {
      const alice = (await aliceCoin.getAddress()).toLowerCase();
      const { holders, coin } = await data(
        `query($c: Address!) { holders(coin: $c, first: 20) { nodes { holder balance value } }
           coin(address: $c) { holders price holdings(first: 1) { totalCount }
             filtered: holdings(where: { balance_gt: "0" }) { totalCount }
             profile { stats { holderCount } } } }`,
        { c: alice },
      );
      const onChain = await holdersOnChain(aliceCoin);
      expect(coin.holders).to.equal(onChain.size);
      // The kept holder count: on the connection without a filter, and on the profile.
      expect(coin.holdings.totalCount).to.equal(onChain.size);
      expect(coin.filtered.totalCount).to.equal(null);
      expect(coin.profile.stats.holderCount).to.equal(onChain.size);
      expect(
        new Map(holders.nodes.map((n: Json) => [n.holder, BigInt(n.balance)] as const)),
      ).to.deep.equal(onChain);
      const price = spotPrice(await aliceCoin.totalSupply());
      for (const node of holders.nodes) {
        expect(node.value).to.equal(String((onChain.get(node.holder)! * price) / WAD));
      }
      const balances = holders.nodes.map((n: Json) => BigInt(n.balance));
      expect([...balances].sort((x, y) => (y > x ? 1 : y < x ? -1 : 0))).to.deep.equal(balances);
      for (const who of ["alice", "bob", "carol", "dave"])
        expect(holders.nodes.map((n: Json) => n.holder)).to.include(addr[who]);
    });

    it("links traders, trade recipients, holders and launchers to their profiles, null without one", async function () {
      const alice = (await aliceCoin.getAddress()).toLowerCase();
      const {
        trades: page,
        holders,
        coin,
      } = await data(
        `query($c: Address!) {
           trades(where: { coinAddress: $c }, first: 100) { nodes { trader traderProfile { handle } recipient recipientProfile { handle } } }
           holders(coin: $c, first: 100) { nodes { holder holderProfile { handle } } }
           coin(address: $c) { launcher launcherProfile { handle } } }`,
        { c: alice },
      );
      // alice, bob and carol registered profiles; dave and the coin contract own none.
      const handles = new Map(["alice", "bob", "carol"].map((name) => [addr[name], name]));
      const profileOf = (address: string) =>
        handles.has(address) ? { handle: handles.get(address) } : null;
      expect(page.nodes.length).to.equal(trades.filter((t) => t.coin === alice).length);
      for (const trade of page.nodes) {
        expect(trade.traderProfile, trade.trader).to.deep.equal(profileOf(trade.trader));
        expect(trade.recipientProfile, trade.recipient).to.deep.equal(profileOf(trade.recipient));
      }
      for (const holding of holders.nodes)
        expect(holding.holderProfile, holding.holder).to.deep.equal(profileOf(holding.holder));
      expect(holders.nodes.map((n: Json) => n.holderProfile?.handle ?? null)).to.include.members([
        "alice",
        "bob",
        "carol",
        null,
      ]);
      expect(coin).to.deep.equal({ launcher: addr.alice, launcherProfile: { handle: "alice" } });
    });

    it("values a portfolio at the current spot prices", async function () {
      const { portfolio } = await data(
        `query($a: Address!) { portfolio(address: $a) { holder value coinCount
          holdings { nodes { coinAddress balance value coin { symbol } } } } }`,
        { a: addr.dave },
      );
      let total = 0n;
      const expected = [];
      for (const coin of [aliceCoin, bobCoin]) {
        const balance = await coin.balanceOf(addr.dave);
        const value = (balance * spotPrice(await coin.totalSupply())) / WAD;
        total += value;
        expected.push({
          coinAddress: (await coin.getAddress()).toLowerCase(),
          balance: String(balance),
          value: String(value),
          coin: { symbol: await coin.symbol() },
        });
      }
      expected.sort((x, y) => (BigInt(y.value) > BigInt(x.value) ? 1 : -1));
      expect(portfolio).to.deep.equal({
        holder: addr.dave,
        value: String(total),
        coinCount: 2,
        holdings: { nodes: expected },
      });
    });

    it("builds OHLCV candles from the trades' spot prices", async function () {
      const alice = (await aliceCoin.getAddress()).toLowerCase();
      const own = trades.filter((t) => t.coin === alice);
      const from = own[0].timestamp - HOUR;
      const to = own[own.length - 1].timestamp + 1;
      const { candles } = await data(
        `query($c: Address!, $from: BigInt!, $to: BigInt!) {
          candles(coin: $c, interval: HOUR, from: $from, to: $to) {
            start open high low close volume coinVolume trades } }`,
        { c: alice, from: String(from), to: String(to) },
      );
      const buckets = new Map<number, ChainTrade[]>();
      for (const t of own) {
        const start = Math.floor(t.timestamp / HOUR) * HOUR;
        buckets.set(start, [...(buckets.get(start) ?? []), t]);
      }
      const max = (xs: bigint[]) => xs.reduce((a, b) => (b > a ? b : a));
      const min = (xs: bigint[]) => xs.reduce((a, b) => (b < a ? b : a));
      const expected = [...buckets.entries()]
        .sort(([a], [b]) => a - b)
        .map(([start, group]) => {
          const prices = group.map((t) => spotPrice(t.newSupply));
          return {
            start: String(start),
            open: String(prices[0]),
            high: String(max(prices)),
            low: String(min(prices)),
            close: String(prices[prices.length - 1]),
            volume: String(group.reduce((s, t) => s + t.ethAmount, 0n)),
            coinVolume: String(group.reduce((s, t) => s + t.coinAmount, 0n)),
            trades: group.length,
          };
        });
      expect(expected.length).to.be.greaterThan(1);
      expect(candles).to.deep.equal(expected);
      // The same candles through the coin.
      const { coin } = await data(
        `query($c: Address!, $from: BigInt!, $to: BigInt!) { coin(address: $c) {
          candles(interval: HOUR, from: $from, to: $to) { start close } } }`,
        { c: alice, from: String(from), to: String(to) },
      );
      expect(coin.candles).to.deep.equal(expected.map(({ start, close }) => ({ start, close })));
    });

    it("refuses candles over too many intervals or an empty range", async function () {
      const alice = (await aliceCoin.getAddress()).toLowerCase();
      const tooMany = await errorOf(
        `query($c: Address!) { candles(coin: $c, interval: MINUTE, from: "0", to: "600000") { start } }`,
        { c: alice },
      );
      expect(tooMany.extensions?.code).to.equal("TOO_MANY_ITEMS");
      expect(tooMany.message).to.contain("at most 1000");
      const empty = await errorOf(
        `query($c: Address!) { candles(coin: $c, interval: DAY, from: "100", to: "100") { start } }`,
        { c: alice },
      );
      expect(empty.extensions?.code).to.equal("BAD_USER_INPUT");
    });
  });

  describe("tips", function () {
    it("lists tips by tipper, recipient and post", async function () {
      const { bySender, byProfile, byPost } = await data(
        `query($dave: Address!, $alice: BigInt!, $post: BigInt!) {
          bySender: tips(where: { tipper: $dave }) { nodes { profileId amount fee message profile { handle } } }
          byProfile: tips(where: { profileId: $alice }, orderDirection: asc) { nodes { tipper amount postId } }
          byPost: tips(where: { postId: $post }) { nodes { tipper amount post { contentUri } } }
        }`,
        { dave: addr.dave, alice: String(ids.alice), post: String(alicePost) },
      );
      // An ETH tip's fee is the protocol fee (250 bps) minus the creator share of it (2,000 bps
      // of the split), which the creator receives with the tip.
      const fee = (amount: bigint) => {
        const protocol = (amount * 250n) / 10_000n;
        return String(protocol - (protocol * 2_000n) / 10_000n);
      };
      expect(bySender.nodes).to.deep.equal([
        {
          profileId: String(ids.alice),
          amount: String(ETH("0.25")),
          fee: fee(ETH("0.25")),
          message: "again",
          profile: { handle: "alice" },
        },
        {
          profileId: String(ids.bob),
          amount: String(ETH("2")),
          fee: fee(ETH("2")),
          message: "",
          profile: { handle: "bob" },
        },
      ]);
      expect(byProfile.nodes).to.deep.equal([
        { tipper: addr.bob, amount: String(ETH("1")), postId: null },
        { tipper: addr.carol, amount: String(ETH("0.5")), postId: String(alicePost) },
        { tipper: addr.dave, amount: String(ETH("0.25")), postId: null },
      ]);
      expect(byPost.nodes).to.deep.equal([
        { tipper: addr.carol, amount: String(ETH("0.5")), post: { contentUri: "ipfs://alice/1" } },
      ]);
    });

    it("ranks the most tipped profiles and posts by amount, with counts, per token", async function () {
      const { eth, byCount, usd, posts } = await data(
        `query($usd: Address!) {
          eth: topTippedProfiles { nodes { profileId amount count tippers profile { handle } } }
          byCount: topTippedProfiles(orderBy: count) { nodes { profileId count } }
          usd: topTippedProfiles(token: $usd) { nodes { profileId token amount count } }
          posts: topTippedPosts { nodes { postId amount count post { author { handle } } } }
        }`,
        { usd: addr.token },
      );
      expect(eth.nodes).to.deep.equal([
        {
          profileId: String(ids.bob),
          amount: String(ETH("2")),
          count: 1,
          tippers: 1,
          profile: { handle: "bob" },
        },
        {
          profileId: String(ids.alice),
          amount: String(ETH("1.75")),
          count: 3,
          tippers: 3,
          profile: { handle: "alice" },
        },
      ]);
      expect(byCount.nodes).to.deep.equal([
        { profileId: String(ids.alice), count: 3 },
        { profileId: String(ids.bob), count: 1 },
      ]);
      expect(usd.nodes).to.deep.equal([
        { profileId: String(ids.carol), token: addr.token, amount: String(ETH("30")), count: 1 },
      ]);
      expect(posts.nodes).to.deep.equal([
        {
          postId: String(alicePost),
          amount: String(ETH("0.5")),
          count: 1,
          post: { author: { handle: "alice" } },
        },
      ]);
    });

    it("pages the leaderboard by its cursor, and by amount the other way round", async function () {
      const { first } = await data(
        `{ first: topTippedProfiles(first: 1) { nodes { profileId } pageInfo { endCursor hasNextPage } } }`,
      );
      expect(first.nodes).to.deep.equal([{ profileId: String(ids.bob) }]);
      expect(first.pageInfo.hasNextPage).to.equal(true);
      const { next, ascending } = await data(
        `query($after: String!) {
          next: topTippedProfiles(first: 1, after: $after) { nodes { profileId } pageInfo { hasNextPage } }
          ascending: topTippedProfiles(orderDirection: asc) { nodes { profileId } }
        }`,
        { after: first.pageInfo.endCursor },
      );
      expect(next).to.deep.equal({
        nodes: [{ profileId: String(ids.alice) }],
        pageInfo: { hasNextPage: false },
      });
      expect(ascending.nodes).to.deep.equal([
        { profileId: String(ids.alice) },
        { profileId: String(ids.bob) },
      ]);
    });

    it("ranks only the tips since a time when asked", async function () {
      const { tips } = await data(
        `query($dave: Address!, $alice: BigInt!) {
          tips(where: { tipper: $dave, profileId: $alice }) { nodes { timestamp } } }`,
        { dave: addr.dave, alice: String(ids.alice) },
      );
      const { recent } = await data(
        `query($since: BigInt!) {
          recent: topTippedProfiles(since: $since) { nodes { profileId amount count tippers } } }`,
        { since: tips.nodes[0].timestamp },
      );
      expect(recent.nodes).to.deep.equal([
        { profileId: String(ids.alice), amount: String(ETH("0.25")), count: 1, tippers: 1 },
      ]);
    });

    it("reads the tips of a profile and of a post through them", async function () {
      const { profile } = await data(
        `{ profile(handle: "alice") { tipsReceived(first: 2) { nodes { amount } pageInfo { hasNextPage } }
           posts { nodes { tips { nodes { amount tipper } } } } coin { symbol } } }`,
      );
      expect(profile.tipsReceived).to.deep.equal({
        nodes: [{ amount: String(ETH("0.25")) }, { amount: String(ETH("0.5")) }],
        pageInfo: { hasNextPage: true },
      });
      expect(profile.posts.nodes[0].tips.nodes).to.deep.equal([
        { amount: String(ETH("0.5")), tipper: addr.carol },
      ]);
      expect(profile.coin.symbol).to.equal("ALICE");
    });
  });

  describe("stats and errors", function () {
    it("counts everything indexed", async function () {
      const { stats } = await data(
        `{ stats { profiles posts coins trades volume tips tipVolume proposals } }`,
      );
      expect(stats).to.deep.equal({
        profiles: 3,
        posts: 1,
        coins: 2,
        trades: trades.length,
        volume: String(trades.reduce((s, t) => s + t.ethAmount, 0n)),
        tips: 5,
        tipVolume: String(ETH("3.75")),
        proposals: 0,
      });
    });

    it("says what is wrong with a bad query", async function () {
      const tooDeep = await errorOf(
        `{ coins { nodes { profile { coin { profile { coin { profile { coin { profile { coin { symbol } } } } } } } } } } }`,
      );
      expect(tooDeep.extensions?.code).to.equal("QUERY_TOO_DEEP");
      const tooMany = await errorOf(`{ trades(first: 1001) { nodes { txHash } } }`);
      expect(tooMany.extensions?.code).to.equal("TOO_MANY_ITEMS");
      expect(tooMany.message).to.contain("at most 1000");
      const cursor = await errorOf(`{ coins(after: "not-a-cursor") { nodes { symbol } } }`);
      expect(cursor.extensions?.code).to.equal("BAD_CURSOR");
      const wrongOrdering = await errorOf(
        `query($after: String) { coins(orderBy: price, after: $after) { nodes { symbol } } }`,
        {
          after: (await data(`{ coins(first: 1) { pageInfo { endCursor } } }`)).coins.pageInfo
            .endCursor,
        },
      );
      expect(wrongOrdering.extensions?.code).to.equal("BAD_CURSOR");
      expect(wrongOrdering.message).to.contain("marketCap");
      const badAddress = await errorOf(`{ holders(coin: "0x12") { nodes { holder } } }`);
      expect(badAddress.message).to.contain("Address takes 0x and 40 hex digits");
      const unknownHolders = await errorOf(
        `{ holders(coin: "0x00000000000000000000000000000000000000ff") { nodes { holder } } }`,
      );
      expect(unknownHolders.extensions?.code).to.equal("COIN_NOT_FOUND");
    });
  });

  describe("query plans", function () {
    it("reads nested lists with one statement per field, whatever the page size", async function () {
      const count = async (first: number) => {
        queries.length = 0;
        const reply = await data(
          `query($first: Int!) { coins(first: $first) { nodes {
            profile { handle coin { symbol } tipsReceived(first: 2) { nodes { tipper } } }
            trades(first: 3) { nodes { ethAmount coin { symbol } } }
            holdings(first: 2) { nodes { holder coin { symbol } } } } } }`,
          { first },
        );
        expect(reply.coins.nodes).to.have.length(first);
        return queries.length;
      };
      const one = await count(1);
      expect(await count(2)).to.equal(one);
      // coins, profiles, profile coins, tips, trades, holdings, and the coins of trades and holdings.
      expect(one).to.be.at.most(8);
    });
  });

  describe("documentation", function () {
    it("runs the coin, tip and portfolio examples of docs/api.md on real data", async function () {
      const doc = readFileSync(path.join(__dirname, "../../docs/api.md"), "utf8");
      const examples = [...doc.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]);
      const alice = (await aliceCoin.getAddress()).toLowerCase();
      const coinPage = examples.find((e) => e.startsWith("query CoinPage"));
      const page = await data(coinPage!, { coin: alice });
      expect(page.coin.trades.nodes).to.have.length(trades.filter((t) => t.coin === alice).length);
      // The other examples name addresses of a local deployment: run them on this one's.
      const named = examples.filter(
        (e) => !e.startsWith("subscription") && /candles|portfolio|topTipped/.test(e),
      );
      expect(named).to.have.length(3);
      for (const example of named) {
        await data(
          example
            .replaceAll("0xba12646cc07adbe43f8bd25d83fb628d29c8a762", alice)
            .replaceAll("0x70997970c51812dc3a010c7d01b50e0d17dc79c8", addr.dave),
        );
      }
    });
  });

  describe("live updates", function () {
    it("streams a trade and a tip once their batch commits, on its notification alone", async function () {
      const [, alice, bob, carol] = signers;
      const bobAddress = (await bobCoin.getAddress()).toLowerCase();
      const tradesStream = await subscribe(
        `subscription { tradeCreated(coin: "${bobAddress}") {
          coinAddress trader isBuy ethAmount coin { symbol tradeCount } } }`,
        "trades",
      );
      const tipsStream = await subscribe(
        `subscription { tipCreated(profileId: "${ids.carol}") { tipper amount message profile { handle } } }`,
        "tips",
      );
      // Filtered out: a trade of alice's coin and a tip to alice.
      await buy(aliceCoin, carol, ETH("0.01"));
      await (
        await suite.tipJar.contract.connect(bob).tipETH(ids.alice, "no", { value: 1000n })
      ).wait();
      await buy(bobCoin, alice, ETH("0.04"));
      await (
        await suite.tipJar.contract.connect(bob).tipETH(ids.carol, "live", { value: ETH("0.3") })
      ).wait();
      await indexer.sync.syncToHead();
      // This API never polls (fallbackPollMs: 0): only the commit's notification wakes it.
      const trade = await tradesStream.first;
      const tip = await tipsStream.first;
      const last = trades[trades.length - 1];
      expect(trade.data.tradeCreated).to.deep.equal({
        coinAddress: bobAddress,
        trader: addr.alice,
        isBuy: true,
        ethAmount: String(last.ethAmount),
        coin: {
          symbol: "BOB",
          tradeCount: trades.filter((t) => t.coin === bobAddress).length,
        },
      });
      expect(tip.data.tipCreated).to.deep.equal({
        tipper: addr.bob,
        amount: String(ETH("0.3")),
        message: "live",
        profile: { handle: "carol" },
      });
      await tradesStream.close();
      await tipsStream.close();
    });
  });

  describe("on a quiet chain", function () {
    it("reads a volume24h of 0 once a day passes in blocks without trades", async function () {
      const { coins: before } = await data(`{ coins { nodes { address volume24h } } }`);
      expect(before.nodes.some((c: Json) => c.volume24h !== "0")).to.equal(true);
      await advance(DAY + 60);
      for (let i = 0; i < 3; i++) await hre.network.provider.request({ method: "evm_mine" });
      const head = (await hre.ethers.provider.getBlock("latest"))!;
      await indexer.sync.syncToHead();
      // No event is in those blocks: the synced head's clock moves "now" past every trade.
      expect(await now()).to.equal(head.timestamp);
      expect(trades.every((t) => t.timestamp <= head.timestamp - DAY)).to.equal(true);
      const { coins: after } = await data(`{ coins { nodes { address volume24h } } }`);
      expect(after.nodes).to.deep.equal(
        before.nodes.map((c: Json) => ({ address: c.address, volume24h: "0" })),
      );
    });
  });
});
