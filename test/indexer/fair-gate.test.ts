import { expect } from "chai";
import pg from "pg";
import pino from "pino";
import { migrate } from "../../indexer/db/migrate";
import { createApi, type Api, type ApiLimits } from "../../indexer/graphql/api";
import { createReadPool } from "../../indexer/graphql/database";
import { serveApi, type ApiServer } from "../../indexer/graphql/server";
import { createTestDatabase, openPost, type TestDatabase } from "./helpers";

// A reply's shape is the query's own; the assertions check it field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const TRIVIAL = "{ indexerStatus { lastIndexedBlock } }";

const fragmentBomb = () =>
  `{ profile(id: "1") { ...F0 } }\n${[...Array(22)]
    .map((_, i) => `fragment F${i} on Profile { ...F${i + 1} ...F${i + 1} }`)
    .concat("fragment F22 on Profile { id handle }")
    .join("\n")}`;

/** A counter or gauge of the API's registry, summed over its labels matching `labels`. */
async function metric(api: Api, name: string, labels = ""): Promise<number> {
  const text = await api.metrics.registry.metrics();
  return text
    .split("\n")
    .filter((line) => line.startsWith(name) && line.includes(labels) && !line.startsWith("#"))
    .filter((line) => line.split(/[{ ]/)[0] === name)
    .reduce((sum, line) => sum + Number(line.split(" ").at(-1)), 0);
}

describe("the API's client gate under a flood", function () {
  this.timeout(120_000);

  let db: TestDatabase;
  let admin: pg.Pool;
  let pool: pg.Pool;
  const logger = pino({ level: "silent" });
  const started: { api: Api; server: ApiServer }[] = [];

  before(async function () {
    db = await createTestDatabase("fairgate");
    admin = new pg.Pool({ connectionString: db.url, max: 2 });
    await migrate(admin, pino({ level: "silent" }));
    await admin.query(
      `INSERT INTO sync_checkpoint (id, chain_id, contracts, block_number, block_hash)
       VALUES (1, 31337, '', 1, '0x01')`,
    );
    pool = createReadPool({ url: db.url, statementTimeoutMs: 30_000, logger });
  });

  after(async function () {
    for (const { api, server } of started) {
      await server.close();
      await api.close();
    }
    await pool?.end();
    await admin?.end();
    await db?.drop();
  });

  /** An API over the test database with `limits`, served on a free port (clients by X-Forwarded-For). */
  async function serve(
    limits: Partial<ApiLimits>,
    trustProxy = true,
  ): Promise<{ api: Api; server: ApiServer }> {
    const api = await createApi({
      pool,
      databaseUrl: db.url,
      logger,
      fallbackPollMs: 0,
      limits: { cacheTtlMs: 0, ...limits },
    });
    const server = await serveApi(api, { port: 0, host: "127.0.0.1", trustProxy });
    started.push({ api, server });
    return { api, server };
  }

  async function post(
    server: ApiServer,
    client: string,
    body: Json,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; headers: Headers; body: Json; text: string }> {
    const response = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": client, ...headers },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: JSON.parse(text), text };
  }

  describe("a per-client budget of processing time", function () {
    it("refuses a client over its budget with 429 and Retry-After before reading its body, and serves another client meanwhile", async function () {
      // 1 ms a second over 10 s: a client that has used 10 ms is over it.
      const { api, server } = await serve({ clientBudgetMsPerSecond: 1 });
      let refused: Awaited<ReturnType<typeof post>> | undefined;
      let answered = 0;
      for (let i = 0; i < 1_000 && !refused; i++) {
        const reply = await post(server, "10.1.1.1", { query: TRIVIAL });
        if (reply.status === 429) refused = reply;
        else {
          expect(reply.body.data.indexerStatus.lastIndexedBlock).to.equal("1");
          answered++;
        }
      }
      expect(refused, "the flooding client was refused").to.not.equal(undefined);
      expect(answered).to.be.above(0);
      expect(refused!.body.errors[0].extensions.code).to.equal("TOO_MANY_REQUESTS");
      expect(refused!.body.errors[0].message).to.contain("budget of 1 ms a second");
      expect(Number(refused!.headers.get("retry-after"))).to.be.at.least(1);
      expect(server.load().get("10.1.1.1")!.usedMs).to.be.above(10);

      // Refused before its body is read: a request that never sends its body is answered.
      const unread = openPost(server.url, {
        "content-type": "application/json",
        "content-length": "1000",
        "x-forwarded-for": "10.1.1.1",
      });
      unread.request.write("{");
      const status = (await unread.answered)?.status;
      unread.request.destroy();
      expect(status).to.equal(429);

      const other = await post(server, "10.1.1.2", { query: TRIVIAL });
      expect(other.status).to.equal(200);
      expect(other.body.data.indexerStatus.lastIndexedBlock).to.equal("1");
      expect(await metric(api, "api_client_refusals_total", 'reason="budget"')).to.equal(2);
    });
    it("leaves this machine's own clients out of the budget, unless a proxy names the client", async function () {
      const { server } = await serve({ clientBudgetMsPerSecond: 1 }, false);
      // Far past the 10 ms that put a named client over the same budget above.
      const local = () =>
        fetch(server.url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ query: TRIVIAL }),
        });
      let used = 0;
      for (let i = 0; i < 2_000 && used <= 50; i++) {
        const response = await local();
        expect(response.status, await response.text()).to.equal(200);
        used = [...server.load().values()][0]?.usedMs ?? 0;
      }
      expect(used, "the local client's recent use").to.be.above(50);
    });
  });

  describe("fair turns", function () {
    it("gives the next turn to a client that has used nothing, ahead of the waiting requests of a flooding one", async function () {
      const { server } = await serve({ maxRunning: 1, clientBudgetMsPerSecond: 0 });
      const flooder = "10.2.2.1";
      // The flooder has used some processing time.
      for (let i = 0; i < 3; i++) {
        expect((await post(server, flooder, { query: TRIVIAL })).status).to.equal(200);
      }
      expect(server.load().get(flooder)!.usedMs).to.be.above(0);

      // Its next request holds the one turn: the checkpoint row is locked, so it waits there.
      const lock = await admin.connect();
      const order: string[] = [];
      let flood: Promise<void>[] = [];
      let newcomer: Promise<void> | undefined;
      try {
        await lock.query("BEGIN");
        await lock.query("LOCK TABLE sync_checkpoint IN ACCESS EXCLUSIVE MODE");
        flood = [...Array(4)].map((_, i) =>
          post(server, flooder, { query: TRIVIAL }).then((reply) => {
            expect(reply.status).to.equal(200);
            order.push(`flooder ${i}`);
          }),
        );
        await waitFor(() => server.load().get(flooder)?.awaitingTurn === 3);
        newcomer = post(server, "10.2.2.2", { query: TRIVIAL }).then((reply) => {
          expect(reply.status).to.equal(200);
          order.push("newcomer");
        });
        await waitFor(() => server.load().get("10.2.2.2")?.awaitingTurn === 1);
      } finally {
        await lock.query("COMMIT");
        lock.release();
      }
      await Promise.all([...flood, newcomer]);
      // The flooder's first request held the turn; the newcomer came next, before the flooder's
      // three that had waited longer.
      expect(order[1]).to.equal("newcomer");
      expect(order).to.have.length(5);
    });
  });

  describe("refusals remembered by a hash of the request's text", function () {
    it("refuses a repeated bomb from memory with the same answer, and keeps the variables in the key", async function () {
      const { api, server } = await serve({ maxCost: 1_000 });
      const bomb = { query: fragmentBomb() };
      const first = await post(server, "10.3.3.1", bomb);
      expect(first.body.errors[0].extensions.code).to.equal("QUERY_TOO_COSTLY");
      expect(api.refusals.stats()).to.include({ hits: 0, entries: 1 });
      const again = await post(server, "10.3.3.1", bomb);
      expect(again.status).to.equal(first.status);
      expect(again.text).to.equal(first.text);
      expect(again.headers.get("content-type")).to.equal(first.headers.get("content-type"));
      // Sent again by the server as it was sent the first time, before yoga.
      expect(api.refusals.stats()).to.include({ hits: 1, replays: 1 });
      expect(await metric(api, "api_refusal_cache_hits_total")).to.equal(1);
      expect(await metric(api, "api_errors_total", 'code="QUERY_TOO_COSTLY"')).to.equal(2);
      const timed = (operation: string) =>
        metric(api, "api_request_duration_seconds_count", `operation="${operation}"`);
      expect(await timed("anonymous")).to.equal(1);
      expect(await timed("refused")).to.equal(1);
      // A browser's request (with an Origin: its CORS headers are its own) goes through yoga,
      // refused from memory all the same, and timed as refused too.
      const fromPage = await post(server, "10.3.3.1", bomb, { origin: "https://app.example" });
      expect(fromPage.status).to.equal(first.status);
      expect(fromPage.text).to.equal(first.text);
      expect(fromPage.headers.get("access-control-allow-origin")).to.not.equal(null);
      expect(api.refusals.stats()).to.include({ hits: 2, replays: 1 });
      expect(await timed("refused")).to.equal(2);
      expect(await timed("anonymous")).to.equal(1);
      // Another Accept header may be answered otherwise: it is kept as a reply of its own.
      const graphqlResponse = { accept: "application/graphql-response+json" };
      const strict = await post(server, "10.3.3.1", bomb, graphqlResponse);
      expect(strict.body.errors[0].extensions.code).to.equal("QUERY_TOO_COSTLY");
      const strictAgain = await post(server, "10.3.3.1", bomb, graphqlResponse);
      expect(strictAgain.status).to.equal(strict.status);
      expect(strictAgain.text).to.equal(strict.text);
      expect(strictAgain.headers.get("content-type")).to.equal(strict.headers.get("content-type"));
      expect(api.refusals.stats()).to.include({ hits: 4, replays: 2 });

      // Refused for its variables: the same document with other variables is judged anew.
      const aliased = `query($first: Int) { ${[...Array(20)]
        .map((_, i) => `t${i}: trades(first: $first) { nodes { txHash } }`)
        .join(" ")} }`;
      const costly = await post(server, "10.3.3.1", { query: aliased, variables: { first: 1000 } });
      expect(costly.body.errors[0].extensions.code).to.equal("QUERY_TOO_COSTLY");
      const cheap = await post(server, "10.3.3.1", { query: aliased, variables: { first: 1 } });
      expect(cheap.body.errors, cheap.text).to.equal(undefined);
      expect(cheap.body.data.t0.nodes).to.deep.equal([]);
      expect(api.refusals.stats().hits).to.equal(4);

      // Answers that depend on more than the text are not kept.
      const syntax = await post(server, "10.3.3.1", { query: "{ indexerStatus {" });
      expect(syntax.body.errors[0].extensions.code).to.equal("GRAPHQL_PARSE_FAILED");
      await post(server, "10.3.3.1", { query: TRIVIAL });
      expect(api.refusals.stats().entries).to.equal(3);
    });
  });
});

/** Resolves once `condition` holds, checking every 10 ms (at most 30 s). */
async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("the condition never held");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
