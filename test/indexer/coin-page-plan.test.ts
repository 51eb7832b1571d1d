import { expect } from "chai";
import hre from "hardhat";
import pg from "pg";
import pino from "pino";
import { parseEther, type ContractTransactionResponse, type Signer } from "ethers";
import { creatorCoinAt } from "../../deploy/coins";
import { deploySuite } from "../../deploy/suite";
import { createApi, type Api } from "../../indexer/graphql/api";
import { createReadPool } from "../../indexer/graphql/database";
import type { Indexer } from "../../indexer/indexer";
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
import { COIN_PAGE } from "../../bench/queries";

const logger = pino({ level: "silent" });
const ETH = parseEther;
const DEADLINE = 2n ** 40n;

/**
 * Coin pages answered with one statement per coin (coinPage.ts) give, byte for byte, the answer
 * of the general execution, for any selection the plan covers, and fall back to it for the rest.
 */
describe("GraphQL API: coin pages in one statement", function () {
  let rpc: RpcServer;
  let db: TestDatabase;
  let indexer: Indexer;
  let pool: pg.Pool;
  /** The API as served: coin pages planned. */
  let planned: Api;
  /** The same API executing every field with its resolver. */
  let general: Api;
  /** A planned API with a low cost limit. */
  let strict: Api;
  const statements = { planned: [] as string[], general: [] as string[], strict: [] as string[] };
  /** What every API of these tests is built with. */
  let base: { pool: pg.Pool; databaseUrl: string; logger: typeof logger; fallbackPollMs: number };
  const coins: string[] = [];

  async function post(api: Api, query: string, variables?: Record<string, unknown>) {
    const response = await api.yoga.fetch("http://api/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, text: await response.text() };
  }

  /**
   * Asks both APIs; the answers must be the same text. Returns the answer and the statements
   * the planned API ran.
   */
  async function same(query: string, variables?: Record<string, unknown>) {
    statements.planned.length = 0;
    statements.general.length = 0;
    const fast = await post(planned, query, variables);
    const slow = await post(general, query, variables);
    expect(fast.text, query).to.equal(slow.text);
    expect(fast.status).to.equal(slow.status);
    return {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      reply: JSON.parse(fast.text) as { data?: any; errors?: { extensions?: { code?: string } }[] },
      statements: [...statements.planned],
      generalStatements: statements.general.length,
    };
  }

  before(async function () {
    const signers = await hre.ethers.getSigners();
    const [deployer, alice, bob, carol, dave] = signers;
    const suite = await deploySuite(deployer);
    const registry = suite.profileRegistry.contract;
    const factory = suite.creatorCoinFactory.contract;
    const send = async (tx: Promise<ContractTransactionResponse>) => (await tx).wait();
    const traders: Signer[] = [bob, carol, dave, alice];
    for (const [name, signer] of [
      ["alice", alice],
      ["bob", bob],
    ] as const) {
      await send(registry.connect(signer).register(name, `ipfs://${name}`));
      const id = await registry.profileIdOf(await signer.getAddress());
      await send(factory.connect(signer).launch(id, 0n, 0, DEADLINE));
      coins.push((await factory.coinOf(id)).toLowerCase());
    }
    // Trades spread over the two coins: buys of varied sizes and a few sells.
    for (let i = 0; i < 12; i++) {
      const signer = traders[i % traders.length];
      const coin = creatorCoinAt(coins[i % 2], signer);
      await send(
        coin.buyExactIn(0, DEADLINE, signer.getAddress(), { value: ETH(`0.0${(i % 9) + 1}`) }),
      );
      if (i % 5 === 4) {
        const balance = await coin.balanceOf(await signer.getAddress());
        await send(coin.sellExactIn(balance / 3n, 0, DEADLINE, signer.getAddress()));
      }
    }
    rpc = await serveProvider(hre.network.provider);
    db = await createTestDatabase("coin_page_plan");
    const deploymentFile = writeSuiteDeployment(31337, suite);
    indexer = await indexToHead(
      testConfig(testEnv({ rpcUrl: rpc.url, databaseUrl: db.url, deploymentFile })),
    );
    pool = createReadPool({ url: db.url, statementTimeoutMs: 5_000, logger });
    base = { pool, databaseUrl: db.url, logger, fallbackPollMs: 0 };
    // The response cache off: every request is executed.
    planned = await createApi({
      ...base,
      limits: { cacheTtlMs: 0 },
      onQuery: (sql) => statements.planned.push(sql),
    });
    general = await createApi({
      ...base,
      limits: { cacheTtlMs: 0 },
      coinPagePlans: false,
      onQuery: (sql) => statements.general.push(sql),
    });
    strict = await createApi({
      ...base,
      limits: { cacheTtlMs: 0, maxCost: 500 },
      onQuery: (sql) => statements.strict.push(sql),
    });
  });

  after(async function () {
    await planned?.close();
    await general?.close();
    await strict?.close();
    await pool?.end();
    await indexer?.stop();
    await db?.drop();
    await rpc?.close();
  });

  it("answers the coin page of every coin with one statement, as the general path does", async function () {
    for (const coin of coins) {
      const { reply, statements: ran, generalStatements } = await same(COIN_PAGE, { coin });
      expect(reply.errors).to.equal(undefined);
      expect(reply.data.coin.address).to.equal(coin);
      expect(reply.data.coin.trades.nodes).to.have.length(reply.data.coin.tradeCount);
      expect(reply.data.coin.holdings.nodes.length).to.be.greaterThan(0);
      expect(ran).to.have.length(1);
      expect(generalStatements).to.be.greaterThan(1);
    }
  });

  it("gives the same JSON for aliases, fragments, variables, subsets of fields and page arguments", async function () {
    const [first, second] = coins;
    const cases: [string, Record<string, unknown>?][] = [
      [`{ coin(address: "${first.toUpperCase().replace("0X", "0x")}") { symbol } }`],
      [
        `query($c: Address!) { a: coin(address: $c) { n: name p: price __typename
            t: trades(first: 2) { list: nodes { h: txHash isBuy } info: pageInfo { endCursor hasNextPage hasPreviousPage startCursor __typename } __typename }
            profile { owner handle __typename } } }`,
        { c: first },
      ],
      [
        `query Page($c: Address!, $n: Int, $dir: OrderDirection) {
            coin(address: $c) { ...Head ... on Coin { trades(first: $n, orderDirection: $dir) { nodes { ...T } } }
              trades(first: $n, orderDirection: $dir) { nodes { txHash blockNumber logIndex } pageInfo { endCursor } } }
          }
          fragment Head on Coin { address holders ... { tradeCount creatorFeeBps lastTradeTimestamp } }
          fragment T on Trade { trader coinAmount supplyAfter reserveAfter protocolFee creatorFee referrer referrerFee recipient coinAddress timestamp }`,
        { c: second, n: 3, dir: "asc" },
      ],
      [
        `query($c: Address!) { coin(address: $c) {
            holdings(orderBy: value, orderDirection: asc, first: 2) { totalCount nodes { holder value coinAddress } pageInfo { endCursor hasNextPage } }
            rich: holdings(where: { balance_gt: "1000" }) { totalCount nodes { holder balance } }
            buys: trades(where: { isBuy: true, ethAmount_gte: "20000000000000000" }) { totalCount nodes { ethAmount isBuy } } } }`,
        { c: first },
      ],
      [
        `query($a: Address!, $b: Address!) { a: coin(address: $a) { symbol volume24h timestamp blockNumber logIndex txHash launcher profileId handle }
            b: coin(address: $b) { symbol profile { id metadataUri } holdings(first: 1) { totalCount } } }`,
        { a: first, b: second },
      ],
      [
        `query($c: Address!) { coin(address: $c) { trades(first: 0) { nodes { txHash } pageInfo { endCursor hasNextPage } } } }`,
        { c: second },
      ],
    ];
    for (const [query, variables] of cases) {
      const { reply, statements: ran } = await same(query, variables);
      expect(reply.errors, query).to.equal(undefined);
      expect(ran, query).to.have.length(Object.keys(reply.data).length);
    }

    // Paging with after, through the cursors of either path, to the end.
    const page = `query($c: Address!, $after: String) { coin(address: $c) {
        trades(first: 4, after: $after) { nodes { txHash logIndex } pageInfo { endCursor hasNextPage hasPreviousPage } } } }`;
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const { reply, statements: ran } = await same(page, { c: first, after });
      expect(ran).to.have.length(1);
      pages++;
      const { pageInfo } = reply.data.coin.trades;
      if (!pageInfo.hasNextPage) break;
      after = pageInfo.endCursor;
    }
    expect(pages).to.be.greaterThan(1);
  });

  it("shares statements between concurrent coin pages, each answer as it is alone", async function () {
    const unknown = "0x" + "12".repeat(20);
    const asked = [...coins, ...coins, unknown, coins[0], coins[1], coins[0]];
    const alone = new Map<string, string>();
    for (const coin of new Set(asked))
      alone.set(coin, (await post(planned, COIN_PAGE, { coin })).text);
    expect(JSON.parse(alone.get(unknown)!).errors[0].extensions.code).to.equal("COIN_NOT_FOUND");

    // Sent at once: the coins of one shape are read together, the unknown one included (its
    // request then goes to the general path, which reports it).
    statements.planned.length = 0;
    const together = await Promise.all(asked.map((coin) => post(planned, COIN_PAGE, { coin })));
    together.forEach((reply, i) => expect(reply.text, asked[i]).to.equal(alone.get(asked[i])));
    const coinStatements = statements.planned.filter((sql) => sql.includes("json_agg"));
    // The first coin, asked while nothing ran, was read at once and alone; the rest waited.
    expect(coinStatements[0]).to.not.include('AS "__key"');
    expect(coinStatements.length).to.be.lessThan(asked.length);
    expect(coinStatements.some((sql) => sql.includes('AS "__key"'))).to.equal(true);

    // A shared statement that fails: each request reads its coin alone, with the same answer.
    const failing = await createApi({
      ...base,
      limits: { cacheTtlMs: 0 },
      onQuery: (sql) => {
        statements.strict.push(sql);
        if (sql.includes('AS "__key"')) throw new Error("shared statement refused");
      },
    });
    try {
      statements.strict.length = 0;
      const replies = await Promise.all(asked.map((coin) => post(failing, COIN_PAGE, { coin })));
      replies.forEach((reply, i) => expect(reply.text, asked[i]).to.equal(alone.get(asked[i])));
      expect(statements.strict.some((sql) => sql.includes('AS "__key"'))).to.equal(true);
      // Read alone by the plan's single-coin statement, not by the general path's resolvers.
      const single = statements.strict.filter(
        (sql) => sql.includes("json_agg") && !sql.includes('AS "__key"'),
      );
      expect(single.length).to.be.at.least(new Set(asked).size);
    } finally {
      await failing.close();
    }
  });

  it("leaves other selections and every error to the general path, with the same answers", async function () {
    const [first] = coins;
    const cases: [string, Record<string, unknown>?][] = [
      // Not covered by the plan: edges, directives, other fields.
      [
        `query($c: Address!) { coin(address: $c) { trades(first: 2) { edges { cursor node { txHash } } } } }`,
        { c: first },
      ],
      [
        `query($c: Address!, $x: Boolean!) { coin(address: $c) { symbol @include(if: $x) name } }`,
        { c: first, x: false },
      ],
      [
        `query($c: Address!) { coin(address: $c) { symbol candles(interval: HOUR, from: "0", to: "86400") { open } } }`,
        { c: first },
      ],
      // Errors: an unknown coin, page arguments refused, a cursor of another ordering, bad variables.
      [COIN_PAGE, { coin: "0x" + "12".repeat(20) }],
      [COIN_PAGE, { coin: "not an address" }],
      [
        `query($c: Address!) { coin(address: $c) { trades(first: 5000) { nodes { txHash } } } }`,
        { c: first },
      ],
      [
        `query($c: Address!) { coin(address: $c) { trades(first: -1) { nodes { txHash } } } }`,
        { c: first },
      ],
      [
        `query($c: Address!) { coin(address: $c) { trades(after: "bm90IGEgY3Vyc29y") { nodes { txHash } } } }`,
        { c: first },
      ],
      [
        `query($c: Address!, $a: String) { coin(address: $c) { holdings(orderBy: value, after: $a) { nodes { holder } } } }`,
        { c: first, a: null },
      ],
    ];
    const codes: (string | undefined)[] = [];
    for (const [query, variables] of cases) {
      const { reply } = await same(query, variables);
      codes.push(reply.errors?.[0]?.extensions?.code);
    }
    expect(codes).to.deep.equal([
      undefined,
      undefined,
      undefined,
      "COIN_NOT_FOUND",
      "BAD_USER_INPUT",
      "TOO_MANY_ITEMS",
      "BAD_USER_INPUT",
      "BAD_CURSOR",
      undefined,
    ]);
  });

  it("still refuses hostile coin pages by the query limits, before any statement", async function () {
    const [first] = coins;
    statements.strict.length = 0;
    const costly = await post(
      strict,
      `query($c: Address!) { coin(address: $c) { trades(first: 1000) { nodes { txHash trader } } } }`,
      { c: first },
    );
    expect(JSON.parse(costly.text).errors[0].extensions.code).to.equal("QUERY_TOO_COSTLY");
    const aliases = Array.from({ length: 40 }, (_, i) => `c${i}: coin(address: $c) { symbol }`);
    const many = await post(strict, `query($c: Address!) { ${aliases.join(" ")} }`, { c: first });
    expect(JSON.parse(many.text).errors[0].extensions.code).to.equal("TOO_MANY_ALIASES");
    expect(statements.strict).to.deep.equal([]);
    // The cost of a document is remembered per value of the variables it reads: a page size or
    // a filter passed as a variable is costed with each new value.
    const sized = `query($c: Address!, $n: Int, $w: TradeFilter) { coin(address: $c) {
        trades(first: $n, where: $w) { nodes { txHash trader } } } }`;
    const codeOf = async (variables: Record<string, unknown>) =>
      JSON.parse((await post(strict, sized, variables)).text).errors?.[0]?.extensions?.code;
    const wide = { trader_in: Array.from({ length: 60 }, () => first) };
    expect(await codeOf({ c: first, n: 5 })).to.equal(undefined);
    expect(await codeOf({ c: coins[1], n: 5 })).to.equal(undefined);
    expect(await codeOf({ c: first, n: 1000 })).to.equal("QUERY_TOO_COSTLY");
    expect(await codeOf({ c: first, n: 5, w: { isBuy: true } })).to.equal(undefined);
    expect(await codeOf({ c: first, n: 5, w: wide })).to.equal("QUERY_TOO_COSTLY");
    expect(await codeOf({ c: first, n: 5 })).to.equal(undefined);
    statements.strict.length = 0;
    // Within the limits, the same document shape is planned.
    const fine = await post(strict, `query($c: Address!) { coin(address: $c) { symbol } }`, {
      c: first,
    });
    expect(JSON.parse(fine.text).data.coin.symbol).to.equal("ALICE");
    expect(statements.strict).to.have.length(1);
  });
});
