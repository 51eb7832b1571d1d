import { monitorEventLoopDelay } from "node:perf_hooks";
import { expect } from "chai";
import pg from "pg";
import pino from "pino";
import { migrate } from "../../indexer/db/migrate";
import { createApi, type Api } from "../../indexer/graphql/api";
import { ByteBoundedCache } from "../../indexer/graphql/cache";
import { API_ROLE, canWrite, createReadPool } from "../../indexer/graphql/database";
import { serveApi, type ApiServer } from "../../indexer/graphql/server";
import { createTestDatabase, openPost, type TestDatabase } from "./helpers";

// A reply's shape is the query's own; the assertions check it field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

interface Reply {
  status: number;
  body: Json;
  ms: number;
}

/** The bound every refusal must come within, generous for a loaded machine. */
const REFUSAL_MS = 5_000;
const COIN = "0x00000000000000000000000000000000000000c1";
const TRADES = 30_000;
const trader = (i: number) => `0x${i.toString(16).padStart(40, "0")}`;

describe("hostile queries against the API", function () {
  this.timeout(180_000);

  let db: TestDatabase;
  let admin: pg.Pool;
  let pool: pg.Pool;
  let api: Api;
  let server: ApiServer;
  /** What the API logged at warn level or above. */
  const logged: { level: number; msg: string }[] = [];
  const logger = pino(
    { level: "warn" },
    {
      write(line: string) {
        const entry = JSON.parse(line) as { level: number; msg: string };
        logged.push(entry);
      },
    },
  );
  /** Latencies of the trivial query while each attack ran, for the report. */
  const latencies: Record<string, number[]> = {};

  before(async function () {
    db = await createTestDatabase("hostile");
    admin = new pg.Pool({ connectionString: db.url, max: 2 });
    await migrate(admin, pino({ level: "silent" }));
    await admin.query(
      `INSERT INTO sync_checkpoint (id, chain_id, contracts, block_number, block_hash)
       VALUES (1, 31337, '', 1, '0x01')`,
    );
    await admin.query(
      `INSERT INTO profiles (id, owner, handle, metadata_uri, block_number, tx_hash, log_index,
         updated_block_number, updated_tx_hash, updated_log_index)
       SELECT g, $1, 'user' || g, 'ipfs://' || g, 1, '0x01', g, 1, '0x01', g
       FROM generate_series(1, 200) g`,
      [trader(1)],
    );
    await admin.query(
      `INSERT INTO coins (address, profile_id, launcher, handle, name, symbol, creator_fee_bps,
         supply, reserve, price, market_cap, trade_count, holder_count, volume, block_number,
         tx_hash, log_index, timestamp)
       VALUES ($1, 1, $2, 'user1', 'User 1', 'U1', 100, 0, 0, 1, 0, 0, 0, 0, 1, '0x01', 0, 1000)`,
      [COIN, trader(1)],
    );
    await admin.query(
      `INSERT INTO trades (block_number, log_index, tx_hash, timestamp, coin, trader, recipient,
         is_buy, coin_amount, eth_amount, protocol_fee, creator_fee, supply_after, reserve_after,
         price_after)
       SELECT g, 0, '0x01', 1000 + g, $1, '0x' || lpad(to_hex(g % 5000), 40, '0'),
         '0x' || lpad(to_hex(g % 5000), 40, '0'), true, g, g, 0, 0, g, g, g
       FROM generate_series(1, ${TRADES}) g`,
      [COIN],
    );
    await admin.query("ANALYZE");
    pool = createReadPool({ url: db.url, statementTimeoutMs: 5_000, logger });
    api = await createApi({
      pool,
      databaseUrl: db.url,
      logger,
      fallbackPollMs: 0,
      limits: { cacheTtlMs: 0 },
    });
    server = await serveApi(api, { port: 0, host: "127.0.0.1", trustProxy: true });
  });

  after(async function () {
    const lines = Object.entries(latencies).map(([attack, ms]) => {
      const sorted = [...ms].sort((a, b) => a - b);
      return `    ${attack}: ${ms.length} trivial queries, median ${sorted[Math.floor(sorted.length / 2)]} ms, max ${sorted.at(-1)} ms`;
    });
    if (lines.length > 0) console.log(`  trivial query latency under attack:\n${lines.join("\n")}`);
    await server?.close();
    await api?.close();
    await pool?.end();
    await admin?.end();
    await db?.drop();
  });

  /** Sends a raw request to the API as client `client` (X-Forwarded-For, trusted here). */
  async function send(
    body: string,
    headers: Record<string, string> = {},
    client = "10.6.6.6",
  ): Promise<Reply> {
    const started = performance.now();
    const response = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": client, ...headers },
      body,
    });
    const text = await response.text();
    let parsed: Json = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON: kept as text for the assertion's message.
    }
    return { status: response.status, body: parsed, ms: performance.now() - started };
  }

  const query = (text: string, variables?: Record<string, unknown>, client?: string) =>
    send(JSON.stringify({ query: text, variables }), {}, client);

  /** The first error's code of a reply, and checks it came within the bound. */
  function codeOf(reply: Reply): string | undefined {
    expect(reply.ms, "refused within the bound").to.be.below(REFUSAL_MS);
    expect(reply.body?.errors, JSON.stringify(reply.body).slice(0, 500)).to.be.an("array");
    return reply.body.errors[0].extensions?.code;
  }

  const TRIVIAL = "{ indexerStatus { lastIndexedBlock } }";

  /**
   * Runs `copies` of `attack` at once from one client and, from another client, the trivial
   * query again and again until the attack is over; each trivial query must answer. Records the
   * latencies of those answered while attacks were still in flight.
   */
  async function underAttack(
    name: string,
    copies: number,
    attack: () => Promise<Reply>,
  ): Promise<{ replies: Reply[]; during: number[] }> {
    let pending = copies;
    let done = false;
    const attacks = Promise.all(
      [...Array(copies)].map(() =>
        attack().finally(() => {
          pending--;
        }),
      ),
    ).finally(() => (done = true));
    const during: number[] = [];
    while (!done) {
      const reply = await query(TRIVIAL, undefined, "10.0.0.1");
      expect(reply.status).to.equal(200);
      expect(reply.body.data.indexerStatus.lastIndexedBlock).to.equal("1");
      if (pending > 0) during.push(Math.round(reply.ms));
    }
    latencies[name] = during;
    return { replies: await attacks, during };
  }

  describe("validation stays linear in the document", function () {
    const chain = (levels: number, body: (next: string) => string, last: string) =>
      [...Array(levels)]
        .map((_, i) => `fragment F${i} on Profile { ${body(`F${i + 1}`)} }`)
        .concat(`fragment F${levels} on Profile { ${last} }`)
        .join("\n");

    it("refuses a fragment bomb (each fragment spreads the next twice, 22 levels) with QUERY_TOO_COSTLY, holding the event loop briefly", async function () {
      const document = `{ profile(id: "1") { ...F0 } }\n${chain(22, (n) => `...${n} ...${n}`, "id handle")}`;
      expect(document.length).to.be.below(1_000);
      const delay = monitorEventLoopDelay({ resolution: 1 });
      delay.enable();
      const { replies } = await underAttack("fragment bomb", 50, () => query(document));
      delay.disable();
      for (const reply of replies) expect(codeOf(reply)).to.equal("QUERY_TOO_COSTLY");
      latencies["fragment bomb (event loop delay, max ms)"] = [Math.round(delay.max / 1e6)];
    });

    it("refuses the same bomb with aliases with TOO_MANY_ALIASES, and nested in fields with QUERY_TOO_DEEP", async function () {
      const aliased = `{ profile(id: "1") { ...F0 } }\n${chain(22, (n) => `a: id ...${n} ...${n}`, "id")}`;
      expect(codeOf(await query(aliased))).to.equal("TOO_MANY_ALIASES");
      const deep = `{ profile(id: "1") { ...F0 } }\n${chain(22, (n) => `coin { profile { ...${n} ...${n} } }`, "id")}`;
      expect(codeOf(await query(deep))).to.equal("QUERY_TOO_DEEP");
    });

    it("refuses a selection set of hundreds of fragments with TOO_MANY_FRAGMENTS before graphql-js compares their pairs", async function () {
      const fragments = [...Array(300)].map((_, i) => `fragment G${i} on Profile { id handle }`);
      const spreads = [...Array(300)].map((_, i) => `...G${i}`).join(" ");
      const reply = await query(`{ profile(id: "1") { ${spreads} } }\n${fragments.join("\n")}`);
      expect(codeOf(reply)).to.equal("TOO_MANY_FRAGMENTS");
    });

    it("refuses a document of more than 5,000 tokens with QUERY_TOO_LARGE", async function () {
      const reply = await query(`{ profiles { nodes { ${Array(6_000).fill("id").join(" ")} } } }`);
      expect(codeOf(reply)).to.equal("QUERY_TOO_LARGE");
      expect(reply.body.errors[0].message).to.contain("5000 tokens");
    });

    it("names syntax and schema errors (GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED)", async function () {
      expect(codeOf(await query("{ profiles { "))).to.equal("GRAPHQL_PARSE_FAILED");
      expect(codeOf(await query("{ nothingHere }"))).to.equal("GRAPHQL_VALIDATION_FAILED");
    });

    it("checks a document once but its cost against each request's variables", async function () {
      const document = `query($n: Int!) { coins(first: $n) { nodes { trades(first: $n) { nodes { txHash } } } } }`;
      expect(codeOf(await query(document, { n: 1_000 }))).to.equal("QUERY_TOO_COSTLY");
      const cheap = await query(document, { n: 2 });
      expect(cheap.status).to.equal(200);
      expect(cheap.body.errors).to.equal(undefined);
      expect(codeOf(await query(document, { n: 1_000 }))).to.equal("QUERY_TOO_COSTLY");
      // An invalid document stays invalid when it comes again, whatever its variables.
      const invalid = `query($n: Int!) { coins(first: $n) { nodes { nothingHere } } }`;
      for (const n of [1, 2]) {
        expect(codeOf(await query(invalid, { n }))).to.equal("GRAPHQL_VALIDATION_FAILED");
      }
    });
  });

  describe("request size", function () {
    it("refuses a 10 MB body with 413 BODY_TOO_LARGE from its Content-Length", async function () {
      const body = JSON.stringify({ query: `{ ${"a".repeat(10_000_000)} }` });
      const reply = await send(body);
      expect(reply.status).to.equal(413);
      expect(codeOf(reply)).to.equal("BODY_TOO_LARGE");
    });

    it("refuses a streamed body without Content-Length once it passes the limit", async function () {
      const started = performance.now();
      const { request, answered } = openPost(server.url, {
        "content-type": "application/json",
        "transfer-encoding": "chunked",
      });
      request.write(`{"query":"{ ${"a".repeat(64 * 1024)}`);
      request.write("a".repeat(64 * 1024));
      request.end(`a".repeat(64 * 1024)}"}`);
      const answer = await answered;
      expect(answer, "the server answered").to.not.equal(null);
      const reply = {
        status: answer!.status,
        body: JSON.parse(answer!.text),
        ms: performance.now() - started,
      };
      expect(reply.status).to.equal(413);
      expect(codeOf(reply)).to.equal("BODY_TOO_LARGE");
    });

    it("lets a client go that closes its connection before its body has arrived", async function () {
      const client = "10.6.7.8";
      const until = async (condition: () => boolean) => {
        while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
      };
      const { request } = openPost(server.url, {
        "content-type": "application/json",
        "transfer-encoding": "chunked",
        "x-forwarded-for": client,
      });
      request.write(`{"query":"{ indexerStatus`);
      await until(() => server.load().get(client)?.running === 1);
      request.destroy();
      await until(() => !server.load().has(client));
      const reply = await query(TRIVIAL, undefined, client);
      expect(reply.status).to.equal(200);
      expect(reply.body.data.indexerStatus.lastIndexedBlock).to.equal("1");
    });

    it("refuses variables nested 60,000 deep with BAD_USER_INPUT", async function () {
      const deep = "[".repeat(60_000) + "]".repeat(60_000);
      const reply = await send(
        `{"query":"{ indexerStatus { chainId } }","variables":{"x":${deep}}}`,
      );
      expect(codeOf(reply)).to.equal("BAD_USER_INPUT");
      expect(reply.body.errors[0].message).to.contain("levels deep");
    });
  });

  describe("filters and floods", function () {
    const notIn = [...Array(1_000)].map((_, i) => trader(i + 7_000));

    it("refuses 30 aliases of trades with nested OR and 1,000-value _not_in lists with QUERY_TOO_COSTLY", async function () {
      const fields = [...Array(30)]
        .map(
          (_, i) =>
            `t${i}: trades(first: 10, where: { OR: [{ trader_not_in: $list }, { OR: [{ trader_not_in: $list }] }] }) { nodes { txHash } }`,
        )
        .join(" ");
      const { replies } = await underAttack("30-alias filter flood", 16, () =>
        query(`query($list: [Address!]) { ${fields} }`, { list: notIn }),
      );
      for (const reply of replies) expect(codeOf(reply)).to.equal("QUERY_TOO_COSTLY");
      expect(replies[0].body.errors[0].message).to.contain("filters count");
    });

    it("refuses 31 aliases with TOO_MANY_ALIASES", async function () {
      const fields = [...Array(31)].map((_, i) => `a${i}: indexerStatus { chainId }`).join(" ");
      expect(codeOf(await query(`{ ${fields} }`))).to.equal("TOO_MANY_ALIASES");
    });

    it("answers a flood of filters within the limits, while another client is served", async function () {
      const heavy = `query($list: [Address!]) { trades(first: 100, where: { trader_in: $list }) { nodes { txHash } } }`;
      const { replies } = await underAttack("40 filters of 1,000 values from one client", 40, () =>
        query(heavy, { list: notIn }),
      );
      for (const reply of replies) {
        if (reply.status === 429) {
          expect(reply.body.errors[0].extensions.code).to.equal("TOO_MANY_REQUESTS");
        } else {
          expect(reply.body.errors, JSON.stringify(reply.body).slice(0, 300)).to.equal(undefined);
          expect(reply.body.data.trades.nodes).to.deep.equal([]);
        }
      }
    });

    it("gives one client 4 requests at a time and 32 waiting, refuses more with 429 TOO_MANY_REQUESTS, and serves other clients meanwhile", async function () {
      const body = JSON.stringify({ query: TRIVIAL });
      // Requests whose bodies arrive slowly hold their turn: the slowest client there is.
      const held = [...Array(36)].map(() => {
        const { request, answered } = openPost(server.url, {
          "content-type": "application/json",
          "content-length": String(Buffer.byteLength(body)),
          "x-forwarded-for": "10.9.9.9",
        });
        request.write(body.slice(0, 5));
        return { request, answered };
      });
      const deadline = Date.now() + 60_000;
      for (;;) {
        const load = server.load().get("10.9.9.9");
        if (load?.running === 4 && load.queued === 32) break;
        if (Date.now() > deadline)
          throw new Error(`the held requests never all arrived: ${JSON.stringify(load)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const refused = await query(TRIVIAL, undefined, "10.9.9.9");
      expect(refused.status).to.equal(429);
      expect(refused.body.errors[0].extensions.code).to.equal("TOO_MANY_REQUESTS");
      expect(refused.body.errors[0].message).to.contain("4 requests running and 32 waiting");
      const other = await query(TRIVIAL, undefined, "10.0.0.2");
      expect(other.status).to.equal(200);
      latencies["another client while one holds 36 requests"] = [Math.round(other.ms)];
      for (const { request } of held) request.end(body.slice(5));
      const answers = await Promise.all(held.map(({ answered }) => answered));
      expect(answers.map((answer) => answer?.status)).to.deep.equal(Array(36).fill(200));
    });

    it("refuses OR nested five levels deep with BAD_USER_INPUT", async function () {
      const deepOr = (depth: number): string =>
        depth === 0 ? `{ blockNumber_gt: "0" }` : `{ OR: [${deepOr(depth - 1)}] }`;
      const reply = await query(`{ trades(where: ${deepOr(5)}) { nodes { txHash } } }`);
      expect(codeOf(reply)).to.equal("BAD_USER_INPUT");
      expect(reply.body.errors[0].message).to.contain("at most 4 levels");
    });

    it("counts the candles of every coin of a page, and reads them in one statement", async function () {
      const wide = await query(
        `{ coins(first: 1000) { nodes { candles(interval: MINUTE, from: "0", to: "60000") { open high low close volume trades } } } }`,
      );
      expect(codeOf(wide)).to.equal("QUERY_TOO_COSTLY");
      const statements: string[] = [];
      const counted = await createApi({
        pool,
        databaseUrl: db.url,
        logger,
        fallbackPollMs: 0,
        onQuery: (sql) => statements.push(sql),
      });
      try {
        await admin.query(
          `INSERT INTO coins (address, profile_id, launcher, handle, name, symbol, creator_fee_bps,
             supply, reserve, price, market_cap, trade_count, holder_count, volume, block_number,
             tx_hash, log_index, timestamp)
           SELECT '0x' || lpad(to_hex(g), 40, '0'), g, $1, 'user' || g, 'U', 'U', 100, 0, 0, 1,
             0, 0, 0, 0, 1, '0x01', g, 1000
           FROM generate_series(2, 40) g`,
          [trader(1)],
        );
        const response = await counted.yoga.fetch("http://api/graphql", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            query: `{ coins(first: 100) { nodes { address candles(interval: HOUR, from: "0", to: "36000") { start trades } } } }`,
          }),
        });
        const reply = (await response.json()) as Json;
        expect(reply.errors).to.equal(undefined);
        expect(reply.data.coins.nodes).to.have.length(40);
        const withTrades = reply.data.coins.nodes.find((coin: Json) => coin.address === COIN);
        const expected = new Map<number, number>();
        for (let g = 1; g <= TRADES; g++) {
          const start = Math.floor((1000 + g) / 3600) * 3600;
          if (1000 + g < 36000) expected.set(start, (expected.get(start) ?? 0) + 1);
        }
        expect(withTrades.candles.map((c: Json) => [Number(c.start), c.trades])).to.deep.equal([
          ...expected,
        ]);
        for (const coin of reply.data.coins.nodes) {
          if (coin.address !== COIN) expect(coin.candles).to.deep.equal([]);
        }
        expect(statements.filter((sql) => sql.includes("FROM trades t"))).to.have.length(1);
      } finally {
        await counted.close();
        await admin.query(`DELETE FROM coins WHERE address <> $1`, [COIN]);
      }
    });
  });

  describe("bad arguments are named client errors, never Unexpected error", function () {
    const cursor = (content: unknown) => Buffer.from(JSON.stringify(content)).toString("base64url");

    it("refuses cursors that are valid JSON with wrong-typed, huge or NUL keys with BAD_CURSOR", async function () {
      const bad = [
        cursor({ o: "blockNumber", d: "desc", k: ["abc", 0] }),
        cursor({ o: "blockNumber", d: "desc", k: [{ x: 1 }, 0] }),
        cursor({ o: "blockNumber", d: "desc", k: ["9".repeat(5_000), 0] }),
        cursor({ o: "blockNumber", d: "desc", k: ["9223372036854775808", 0] }),
        cursor({ o: "blockNumber", d: "desc", k: ["1", 2 ** 40] }),
        cursor({ o: "blockNumber", d: "desc", k: [1.5, 0] }),
        cursor({ o: "blockNumber", d: "desc", k: ["1"] }),
        cursor({ o: "blockNumber", d: 7, k: ["1", 0] }),
        cursor({ o: "x".repeat(50_000), d: "desc", k: [] }),
        cursor([1, 2, 3]),
        cursor("just a string"),
        "A".repeat(120_000),
      ];
      for (const after of bad) {
        const reply = await query(
          `query($after: String) { trades(after: $after) { nodes { txHash } } }`,
          { after },
        );
        expect(codeOf(reply), after.slice(0, 80)).to.equal("BAD_CURSOR");
        expect(reply.body.errors[0].message.length).to.be.below(500);
      }
      const handles = await query(
        `query($after: String) { profiles(orderBy: handle, orderDirection: asc, after: $after) { nodes { id } } }`,
        { after: cursor({ o: "handle", d: "asc", k: ["a\u0000b"] }) },
      );
      expect(codeOf(handles)).to.equal("BAD_CURSOR");
    });

    it("refuses candles with from or to at or above 2^63 with BAD_USER_INPUT", async function () {
      for (const [from, to] of [
        ["9223372036854775808", "9223372036854775900"],
        ["9223372036854775000", "9223372036854775808"],
        ["115792089237316195423570985008687907853269984665640564039457584007913129639935", "1"],
      ]) {
        const reply = await query(
          `query($coin: Address!, $from: BigInt!, $to: BigInt!) { candles(coin: $coin, interval: MINUTE, from: $from, to: $to) { open } }`,
          { coin: COIN, from, to },
        );
        expect(codeOf(reply)).to.equal("BAD_USER_INPUT");
        expect(reply.body.errors[0].message).to.contain("2^63");
      }
    });

    it("refuses NUL in any string argument, literal or variable, with BAD_USER_INPUT", async function () {
      const literal = await query(`{ profile(handle: "a\\u0000b") { id } }`);
      expect(codeOf(literal)).to.equal("BAD_USER_INPUT");
      const variable = await query(`query($h: String) { profile(handle: $h) { id } }`, {
        h: "a\u0000b",
      });
      expect(codeOf(variable)).to.equal("BAD_USER_INPUT");
      const prefix = await query(
        `query($p: String!) { searchProfiles(prefix: $p) { nodes { id } } }`,
        {
          p: "\u0000",
        },
      );
      expect(codeOf(prefix)).to.equal("BAD_USER_INPUT");
    });

    it("logged none of these client errors at error level", function () {
      const errors = logged.filter((entry) => entry.level >= 50);
      expect(errors.map((entry) => entry.msg)).to.deep.equal([]);
    });
  });

  describe("cross-site requests", function () {
    it("refuses form-encoded, multipart and text/plain POST bodies with 415 UNSUPPORTED_MEDIA_TYPE", async function () {
      for (const type of [
        "application/x-www-form-urlencoded",
        "text/plain",
        "multipart/form-data; boundary=x",
      ]) {
        const reply = await send("query=%7B+indexerStatus+%7B+chainId+%7D+%7D", {
          "content-type": type,
        });
        expect(reply.status, type).to.equal(415);
        expect(codeOf(reply)).to.equal("UNSUPPORTED_MEDIA_TYPE");
      }
    });

    it("lets any page read answers without credentials by default", async function () {
      const response = await fetch(server.url, {
        method: "OPTIONS",
        headers: {
          origin: "https://elsewhere.example",
          "access-control-request-method": "POST",
          "access-control-request-headers": "content-type",
        },
      });
      expect(response.headers.get("access-control-allow-origin")).to.equal(
        "https://elsewhere.example",
      );
      expect(response.headers.get("access-control-allow-credentials")).to.equal(null);
    });

    it("lets only the configured origins read answers", async function () {
      const restricted = await createApi({
        pool,
        databaseUrl: db.url,
        logger,
        fallbackPollMs: 0,
        corsOrigins: () => ["https://app.example", "https://other.example"],
      });
      try {
        const ask = async (origin: string) =>
          (
            await restricted.yoga.fetch("http://api/graphql", {
              method: "POST",
              headers: { "content-type": "application/json", origin },
              body: JSON.stringify({ query: TRIVIAL }),
            })
          ).headers;
        expect((await ask("https://app.example")).get("access-control-allow-origin")).to.equal(
          "https://app.example",
        );
        const foreign = await ask("https://evil.example");
        expect(foreign.get("access-control-allow-origin")).to.not.equal("https://evil.example");
        expect(foreign.get("access-control-allow-credentials")).to.equal(null);
      } finally {
        await restricted.close();
      }
    });
  });

  describe("memory", function () {
    it("bounds a cache by bytes, dropping the least recently used", function () {
      const cache = new ByteBoundedCache<string>(1_000, (key, value) => key.length + value.length);
      for (let i = 0; i < 100; i++) cache.set(`k${i}`, "x".repeat(98));
      expect(cache.bytes).to.be.at.most(1_000);
      expect(cache.get("k99")).to.equal("x".repeat(98));
      expect(cache.get("k0")).to.equal(undefined);
      cache.set("huge", "x".repeat(2_000));
      expect(cache.get("huge")).to.equal(undefined);
    });

    it("keeps the response cache within its byte limit however many distinct answers it stores", async function () {
      const small = await createApi({
        pool,
        databaseUrl: db.url,
        logger,
        fallbackPollMs: 0,
        limits: { cacheTtlMs: 60_000, cacheMaxBytes: 200_000 },
      });
      try {
        for (let i = 0; i < 60; i++) {
          const response = await small.yoga.fetch("http://api/graphql", {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({
              query: `query Q${i} { trades(first: 100) { nodes { txHash trader blockNumber } } }`,
            }),
          });
          expect(response.status).to.equal(200);
        }
        const stats = small.cache.stats();
        expect(stats.bytes).to.be.at.most(200_000);
        expect(stats.entries).to.be.above(0).and.below(60);
      } finally {
        await small.close();
      }
    });
  });

  describe("the API's database role", function () {
    const login = `${API_ROLE}_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    let rolePool: pg.Pool;

    before(async function () {
      await admin.query(`CREATE ROLE ${login} LOGIN IN ROLE ${API_ROLE}`);
      const url = new URL(db.url);
      url.username = login;
      url.password = "";
      rolePool = createReadPool({ url: url.toString(), statementTimeoutMs: 5_000, logger });
    });

    after(async function () {
      await rolePool?.end();
      await admin.query(`DROP ROLE IF EXISTS ${login}`);
    });

    it("reads every data table through a member of agora_api, and the API answers through it", async function () {
      expect(await canWrite(rolePool)).to.equal(false);
      expect(await canWrite(admin)).to.equal(true);
      const roleApi = await createApi({
        pool: rolePool,
        databaseUrl: db.url,
        logger,
        fallbackPollMs: 0,
      });
      try {
        const response = await roleApi.yoga.fetch("http://api/graphql", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            query: `{ trades(first: 2) { nodes { txHash } } coins { nodes { address } } }`,
          }),
        });
        const reply = (await response.json()) as Json;
        expect(reply.errors).to.equal(undefined);
        expect(reply.data.trades.nodes).to.have.length(2);
      } finally {
        await roleApi.close();
      }
    });

    it("refuses an INSERT through the API's connection even in a read-write transaction", async function () {
      const client = await rolePool.connect();
      try {
        await client.query("BEGIN READ WRITE");
        const failure = await client
          .query(
            `INSERT INTO sync_checkpoint (id, chain_id, contracts, block_number, block_hash)
             VALUES (2, 1, '', 1, '0x')`,
          )
          .then(
            () => null,
            (error: { code?: string; message: string }) => error,
          );
        expect(failure?.code, failure?.message).to.equal("42501");
        expect(failure?.message).to.contain("permission denied");
        await client.query("ROLLBACK");
        const bookkeeping = await client.query(`SELECT * FROM _agora_migrations`).then(
          () => null,
          (error: { code?: string }) => error,
        );
        expect(bookkeeping?.code).to.equal("42501");
      } finally {
        client.release();
      }
    });
  });
});
