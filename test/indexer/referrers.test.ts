import { expect } from "chai";
import hre from "hardhat";
import pg from "pg";
import pino from "pino";
import { parseEther, ZeroAddress, type ContractTransactionResponse, type Signer } from "ethers";
import { creatorCoinAt } from "../../deploy/coins";
import { deploySuite, type Suite } from "../../deploy/suite";
import { createApi, type Api } from "../../indexer/graphql/api";
import { createReadPool } from "../../indexer/graphql/database";
import type { Indexer } from "../../indexer/indexer";
import { TestERC20Permit__factory } from "../../typechain-types";
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

// A reply's shape is the query's own; the assertions check it field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const logger = pino({ level: "silent" });
const ETH = parseEther;
const DEADLINE = 2n ** 40n;

/** Sums the named uint argument of every `event` log of a mined transaction. */
async function eventSum(
  tx: Promise<ContractTransactionResponse>,
  contract: { interface: { parseLog(log: { topics: string[]; data: string }): unknown } },
  event: string,
  arg: string,
): Promise<bigint> {
  const receipt = (await (await tx).wait())!;
  let sum = 0n;
  for (const log of receipt.logs) {
    const parsed = contract.interface.parseLog({ topics: [...log.topics], data: log.data }) as {
      name: string;
      args: Record<string, bigint>;
    } | null;
    if (parsed?.name === event) sum += parsed.args[arg];
  }
  return sum;
}

describe("indexer and API: referrers", function () {
  let rpc: RpcServer;
  let db: TestDatabase;
  let indexer: Indexer;
  let pool: pg.Pool;
  let api: Api;
  let suite: Suite;
  let app: string;
  let token: string;
  let tradeFees = 0n;
  let ethTipFees = 0n;
  let tokenTipFees = 0n;
  let withdrawnEth = 0n;
  let aliceCoin: string;
  let bobCoin: string;
  let aliceCoinFees = 0n;
  let bobCoinFees = 0n;

  async function data(query: string, variables?: Record<string, unknown>): Promise<Json> {
    const response = await api.yoga.fetch("http://api/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ query, variables }),
    });
    const reply = (await response.json()) as { data?: Json; errors?: unknown[] };
    expect(reply.errors, JSON.stringify(reply.errors)).to.equal(undefined);
    return reply.data;
  }

  before(async function () {
    const signers: Signer[] = await hre.ethers.getSigners();
    const [deployer, alice, bob, carol, appSigner] = signers;
    app = (await appSigner.getAddress()).toLowerCase();
    suite = await deploySuite(deployer);
    const registry = suite.profileRegistry.contract;
    const factory = suite.creatorCoinFactory.contract;
    const jar = suite.tipJar.contract;
    const send = async (tx: Promise<ContractTransactionResponse>) => (await tx).wait();
    await send(registry.connect(alice).register("alice", "ipfs://alice"));
    const aliceId = await registry.profileIdOf(await alice.getAddress());
    await send(registry.connect(alice).post(aliceId, "ipfs://alice/1"));
    const post = (aliceId << 64n) | 1n;
    await send(factory.connect(alice).launch(aliceId, 500n, 0, DEADLINE));
    const coin = creatorCoinAt(await factory.coinOf(aliceId), alice);

    // A plain buy, then trades brought by the app.
    await send(coin.connect(bob).buyExactIn(0, DEADLINE, bob.getAddress(), { value: ETH("1") }));
    aliceCoinFees += await eventSum(
      coin
        .connect(carol)
        .buyExactInWithReferrer(0, DEADLINE, carol.getAddress(), app, { value: ETH("0.5") }),
      coin,
      "Traded",
      "referrerFee",
    );
    aliceCoinFees += await eventSum(
      coin.connect(bob).sellExactInWithReferrer(ETH("1"), 0, DEADLINE, bob.getAddress(), app),
      coin,
      "Traded",
      "referrerFee",
    );
    // Tips: a plain one, referred ETH tips (single and batch) and a referred token tip.
    await send(jar.connect(bob).tipETH(aliceId, "plain", { value: ETH("1") }));
    ethTipFees += await eventSum(
      jar.connect(bob).tipETHWithReferrer(aliceId, "via app", app, { value: ETH("1") }),
      jar,
      "ReferrerCredited",
      "amount",
    );
    ethTipFees += await eventSum(
      jar.connect(carol).tipETHBatchWithReferrer(
        [
          { profileId: aliceId, postId: 0n, amount: ETH("0.2") },
          { profileId: aliceId, postId: post, amount: ETH("0.3") },
        ],
        "batch",
        app,
        { value: ETH("0.5") },
      ),
      jar,
      "ReferrerCredited",
      "amount",
    );
    const usd = await new TestERC20Permit__factory(deployer).deploy("USD");
    token = (await usd.getAddress()).toLowerCase();
    await send(usd.mint(await carol.getAddress(), ETH("100")));
    await send(usd.connect(carol).approve(suite.tipJar.address, ETH("100")));
    tokenTipFees += await eventSum(
      jar.connect(carol).tipTokenWithReferrer(aliceId, token, ETH("40"), "usd", app),
      jar,
      "ReferrerCredited",
      "amount",
    );
    // The app withdraws what the coin owes it.
    withdrawnEth = await coin.referrerFeesOwed(app);
    await send(coin.connect(appSigner).withdrawReferrerFees(app));
    // A second coin whose trade the app brought, and which still owes it its fee.
    await send(registry.connect(bob).register("bob", "ipfs://bob"));
    const bobId = await registry.profileIdOf(await bob.getAddress());
    await send(factory.connect(bob).launch(bobId, 500n, 0, DEADLINE));
    const second = creatorCoinAt(await factory.coinOf(bobId), bob);
    bobCoinFees += await eventSum(
      second
        .connect(carol)
        .buyExactInWithReferrer(0, DEADLINE, carol.getAddress(), app, { value: ETH("0.5") }),
      second,
      "Traded",
      "referrerFee",
    );
    tradeFees = aliceCoinFees + bobCoinFees;
    aliceCoin = (await coin.getAddress()).toLowerCase();
    bobCoin = (await second.getAddress()).toLowerCase();

    rpc = await serveProvider(hre.network.provider);
    db = await createTestDatabase("referrers");
    const deploymentFile = writeSuiteDeployment(31337, suite);
    indexer = await indexToHead(
      testConfig(testEnv({ rpcUrl: rpc.url, databaseUrl: db.url, deploymentFile })),
    );
    pool = createReadPool({ url: db.url, statementTimeoutMs: 5_000, logger });
    api = await createApi({ pool, databaseUrl: db.url, logger, fallbackPollMs: 0 });
  });

  after(async function () {
    await api?.close();
    await pool?.end();
    await indexer?.stop();
    await db?.drop();
    await rpc?.close();
  });

  it("shows the referrer and its fee on each trade, null on a plain one", async function () {
    const { trades } = await data(
      `{ trades(orderDirection: asc) { nodes { isBuy referrer referrerFee protocolFee } } }`,
    );
    const nodes = trades.nodes as Json[];
    expect(nodes.map((t) => t.referrer)).to.deep.equal([null, app, app, app]);
    expect(nodes[0].referrerFee).to.equal("0");
    const sum = nodes.reduce((s: bigint, t: Json) => s + BigInt(t.referrerFee), 0n);
    expect(sum).to.equal(tradeFees);
    for (const t of nodes) {
      expect(BigInt(t.referrerFee) <= BigInt(t.protocolFee) / 2n).to.equal(true);
    }
  });

  it("pairs each referred tip with its credit, batches included", async function () {
    const { tips } = await data(
      `{ tips(orderDirection: asc) { nodes { message token amount fee referrer referrerFee } } }`,
    );
    const nodes = tips.nodes as Json[];
    expect(nodes.map((t) => [t.message, t.referrer])).to.deep.equal([
      ["plain", null],
      ["via app", app],
      ["batch", app],
      ["batch", app],
      ["usd", app],
    ]);
    const eth = nodes.filter((t) => t.token === ZeroAddress && t.referrer !== null);
    expect(eth.reduce((s: bigint, t: Json) => s + BigInt(t.referrerFee), 0n)).to.equal(ethTipFees);
    expect(nodes[4].referrerFee).to.equal(tokenTipFees.toString());
  });

  it("reports what the app earned and withdrew, per token", async function () {
    const { referrerEarnings } = await data(
      `query ($r: Address!) { referrerEarnings(referrer: $r) {
        token tradeCount tradeFees tipCount tipFees withdrawn } }`,
      { r: app },
    );
    const byToken = new Map((referrerEarnings as Json[]).map((e) => [e.token, e]));
    expect(byToken.get(ZeroAddress)).to.deep.equal({
      token: ZeroAddress,
      tradeCount: 3,
      tradeFees: tradeFees.toString(),
      tipCount: 3,
      tipFees: ethTipFees.toString(),
      withdrawn: withdrawnEth.toString(),
    });
    expect(byToken.get(token)).to.deep.equal({
      token,
      tradeCount: 0,
      tradeFees: "0",
      tipCount: 1,
      tipFees: tokenTipFees.toString(),
      withdrawn: "0",
    });
    const none = await data(
      `{ referrerEarnings(referrer: "${ZeroAddress.slice(0, -1)}1") { token } }`,
    );
    expect(none.referrerEarnings).to.deep.equal([]);
  });

  it("lists every coin whose trades the app brought, page by page, with what each credited", async function () {
    const query = `query ($r: Address!, $first: Int, $after: Address) {
      referrerCoins(referrer: $r, first: $first, after: $after) {
        coin { address symbol } tradeCount tradeFees withdrawn } }`;
    const expected = [
      {
        coin: { address: aliceCoin, symbol: "ALICE" },
        tradeCount: 2,
        tradeFees: aliceCoinFees.toString(),
        withdrawn: withdrawnEth.toString(),
      },
      {
        coin: { address: bobCoin, symbol: "BOB" },
        tradeCount: 1,
        tradeFees: bobCoinFees.toString(),
        withdrawn: "0",
      },
    ].sort((a, b) => (a.coin.address < b.coin.address ? -1 : 1));
    const all = await data(query, { r: app });
    expect(all.referrerCoins).to.deep.equal(expected);
    expect(aliceCoinFees - withdrawnEth, "the first coin owes nothing more").to.equal(0n);

    const first = await data(query, { r: app, first: 1 });
    expect(first.referrerCoins).to.deep.equal(expected.slice(0, 1));
    const second = await data(query, {
      r: app,
      first: 1,
      after: first.referrerCoins[0].coin.address,
    });
    expect(second.referrerCoins).to.deep.equal(expected.slice(1));
    const third = await data(query, { r: app, first: 1, after: expected[1].coin.address });
    expect(third.referrerCoins).to.deep.equal([]);
    const none = await data(`{ referrerCoins(referrer: "${ZeroAddress}") { tradeCount } }`);
    expect(none.referrerCoins).to.deep.equal([]);
    const response = await api.yoga.fetch("http://api/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ query, variables: { r: app, first: -1 } }),
    });
    const refused = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
    expect(refused.errors?.[0]?.extensions?.code).to.equal("BAD_USER_INPUT");
  });

  it("records the referrer shares governance set at deployment", async function () {
    const rows = await pool.query<{ contract: string; new_value: string }>(
      `SELECT contract, new_value FROM governance_setting_changes
       WHERE setting = 'referrerShareBps' ORDER BY contract`,
    );
    expect(rows.rows).to.deep.equal([
      { contract: "CreatorCoinFactory", new_value: "2000" },
      { contract: "TipJar", new_value: "2000" },
    ]);
  });
});
