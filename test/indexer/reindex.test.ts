import { expect } from "chai";
import hre from "hardhat";
import pg from "pg";
import pino from "pino";
import { deploySuite } from "../../deploy/suite";
import { createApi, type Api } from "../../indexer/graphql/api";
import { createReadPool } from "../../indexer/graphql/database";
import { serveApi, type ApiServer } from "../../indexer/graphql/server";
import {
  dropSchema,
  liveSource,
  publishSchema,
  type PublishResult,
} from "../../indexer/db/schemas";
import { HANDLERS } from "../../indexer/handlers";
import type { Handler } from "../../indexer/handlers/types";
import { createIndexer, type Indexer } from "../../indexer/indexer";
import type { ProfileRegistry } from "../../typechain-types";
import {
  createTestDatabase,
  indexToHead,
  serveProvider,
  testConfig,
  testEnv,
  writeDeployment,
  type RpcServer,
  type TestDatabase,
} from "./helpers";

const logger = pino({ level: "silent" });

/** The handler change being rolled out: posts' URIs get a marker the old index lacks. */
const CHANGED_HANDLERS: readonly Handler[] = HANDLERS.map((handler) =>
  handler.contract !== "ProfileRegistry"
    ? handler
    : {
        ...handler,
        async apply(client, logs) {
          await handler.apply(client, logs);
          await client.query(
            "UPDATE posts SET content_uri = content_uri || '#v2' WHERE block_number = ANY($1::bigint[])",
            [[...new Set(logs.map((log) => log.blockNumber.toString()))]],
          );
        },
      },
);

const QUERY = "{ posts(first: 100) { nodes { contentUri } } stats { posts } }";

describe("zero-downtime re-index: a fresh schema indexed alongside, views switched atomically", function () {
  this.timeout(300_000);
  let rpc: RpcServer;
  let db: TestDatabase;
  let admin: pg.Pool;
  let readPool: pg.Pool;
  let api: Api;
  let server: ApiServer;
  let registry: ProfileRegistry;
  let deploymentFile: string;
  const indexers: Indexer[] = [];

  const config = (schema: string) =>
    testConfig(
      testEnv({
        rpcUrl: rpc.url,
        databaseUrl: db.url,
        deploymentFile,
        extra: { DATABASE_SCHEMA: schema },
      }),
    );

  before(async function () {
    const signers = await hre.ethers.getSigners();
    const suite = await deploySuite(signers[0]);
    registry = suite.profileRegistry.contract;
    for (let i = 1; i <= 2; i++) {
      await (await registry.connect(signers[i]).register(`reindex_${i}`, `ipfs://x${i}`)).wait();
      for (let j = 1; j <= 3; j++) {
        await (await registry.connect(signers[i]).post(i, `ipfs://reindex/${i}/${j}`)).wait();
      }
    }
    rpc = await serveProvider(hre.network.provider);
    db = await createTestDatabase("reindex");
    deploymentFile = writeDeployment(
      31337,
      suite.profileRegistry.address,
      suite.profileRegistry.blockNumber,
    );
    admin = new pg.Pool({ connectionString: db.url, max: 2 });
  });

  after(async function () {
    await server?.close();
    await api?.close();
    await readPool?.end();
    for (const indexer of indexers) await indexer.stop();
    await admin?.end();
    await db?.drop();
    await rpc?.close();
  });

  it("switches the running API to an index built with a changed handler, and no request fails", async function () {
    const old = await indexToHead(config("index_a"));
    indexers.push(old);
    expect(await publishSchema(admin, { source: "index_a" })).to.deep.include({ previous: null });
    readPool = createReadPool({ url: db.url, statementTimeoutMs: 5_000, logger, schema: "agora" });
    api = await createApi({ pool: readPool, databaseUrl: db.url, logger });
    server = await serveApi(api, { port: 0 });

    // Clients that keep asking, over HTTP, from before the re-index to after the drop.
    const tally = { ok: 0, failed: 0, mixed: 0, old: 0, new: 0, oldAfterSwitch: 0 };
    const failures: string[] = [];
    let switchedAt = Infinity;
    let running = true;
    const client = async () => {
      while (running) {
        const startedAt = performance.now();
        try {
          const response = await fetch(server.url, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ query: QUERY }),
          });
          const body = (await response.json()) as {
            data?: { posts: { nodes: { contentUri: string }[] } };
            errors?: unknown[];
          };
          if (response.status !== 200 || body.errors || !body.data) {
            tally.failed++;
            failures.push(`${response.status} ${JSON.stringify(body.errors)}`);
            continue;
          }
          tally.ok++;
          const marked = body.data.posts.nodes.filter((p) => p.contentUri.endsWith("#v2"));
          if (marked.length === 0) {
            tally.old++;
            if (startedAt > switchedAt) tally.oldAfterSwitch++;
          } else if (marked.length === body.data.posts.nodes.length) tally.new++;
          else tally.mixed++;
        } catch (error) {
          tally.failed++;
          failures.push((error as Error).message);
        }
      }
    };
    const clients = [client(), client(), client(), client()];
    const until = async (condition: () => boolean, what: string) => {
      for (let i = 0; i < 1_200 && !condition(); i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(condition(), what).to.equal(true);
    };
    try {
      await until(() => tally.old >= 20, "answers from the old index");
      // The new index is built alongside while the old one serves.
      const fresh = await createIndexer({
        config: config("index_b"),
        logger,
        handlers: CHANGED_HANDLERS,
      });
      indexers.push(fresh);
      await fresh.sync.syncToHead();
      expect(tally.new, "nothing reads the new index before the switch").to.equal(0);

      const published = await publishSchema(admin, { source: "index_b" });
      switchedAt = performance.now();
      expect(published.previous).to.equal("index_a");
      expect(await liveSource(admin)).to.equal("index_b");
      const served = tally.ok;
      await until(() => tally.new >= 20, "answers from the new index");

      // The old indexer stops and its schema goes, while clients keep asking.
      await old.stop();
      indexers.splice(indexers.indexOf(old), 1);
      await dropSchema(admin, { schema: "index_a" });
      const afterDrop = tally.ok;
      await until(() => tally.ok >= afterDrop + 20, "answers after the drop");
      expect(tally.ok).to.be.greaterThan(served);
    } finally {
      running = false;
      await Promise.all(clients);
    }
    expect(failures, failures.slice(0, 3).join("\n")).to.deep.equal([]);
    expect(tally.failed).to.equal(0);
    expect(tally.mixed, "an answer mixes the two indexes").to.equal(0);
    expect(tally.oldAfterSwitch, "an old answer to a request sent after the switch").to.equal(0);
    expect(tally.old).to.be.greaterThan(0);
    expect(tally.new).to.be.greaterThan(0);
    const { rows } = await admin.query("SELECT 1 FROM pg_namespace WHERE nspname = 'index_a'");
    expect(rows, "the old schema is dropped").to.have.length(0);
  });

  it("refuses to drop the schema the API serves, or to publish one without an index", async function () {
    await dropSchema(admin, { schema: "index_b" }).then(
      () => expect.fail("dropped the live index"),
      (error: Error) => expect(error.message).to.match(/index_b is what agora serves/),
    );
    await publishSchema(admin, { source: "index_none" }).then(
      () => expect.fail("published an empty schema"),
      (error: Error) => expect(error.message).to.match(/index_none holds no index/),
    );
    expect(await liveSource(admin)).to.equal("index_b");
  });

  it("refuses schema names that would need quoting, in the indexer's config and in the tools", async function () {
    for (const name of ["Index_A", "a-b", 'x"; DROP SCHEMA agora; --', "1abc", "a".repeat(64)]) {
      expect(() => config(name), name).to.throw(/DATABASE_SCHEMA.*lowercase schema name/);
      await publishSchema(admin, { source: name }).then(
        () => expect.fail(`published ${name}`),
        (error: Error) => expect(error.message).to.match(/is not a schema name here/),
      );
    }
  });

  it("refuses to publish an index behind the one served, unless told to", async function () {
    const behind = await indexToHead(config("index_c"));
    indexers.push(behind);
    await (
      await registry.connect((await hre.ethers.getSigners())[1]).post(1, "ipfs://reindex/later")
    ).wait();
    const live = indexers.find((indexer) => indexer !== behind)!;
    await live.sync.syncToHead();
    await publishSchema(admin, { source: "index_c" }).then(
      () => expect.fail("published an index behind the live one"),
      (error: Error) =>
        expect(error.message).to.match(/index_c is indexed to block \d+, behind index_b/),
    );
    expect(
      (await publishSchema(admin, { source: "index_c", allowBehind: true })).previous,
    ).to.equal("index_b");
  });

  it("applies an additive migration to the served index while the API serves it, and shows it once published again", async function () {
    const source = (await liveSource(admin))!;
    expect(source).to.match(/^index_/);
    let ok = 0;
    const failures: string[] = [];
    let running = true;
    const client = async () => {
      while (running) {
        try {
          const response = await fetch(server.url, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ query: QUERY }),
          });
          const body = (await response.json()) as { data?: unknown; errors?: unknown[] };
          if (response.status !== 200 || body.errors || !body.data) {
            failures.push(`${response.status} ${JSON.stringify(body.errors)}`);
          } else ok++;
        } catch (error) {
          failures.push((error as Error).message);
        }
      }
    };
    const clients = [client(), client()];
    const answered = async (count: number, what: string) => {
      const target = ok + count;
      for (let i = 0; i < 1_200 && ok < target && failures.length === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(ok >= target || failures.length > 0, what).to.equal(true);
    };
    let published: PublishResult | undefined;
    try {
      await answered(20, "answers before the migration");
      // What docs/operations.md calls additive: a nullable column, a table, an index.
      await admin.query(`ALTER TABLE ${source}.posts ADD COLUMN note text;
        CREATE TABLE ${source}.post_notes (post_id numeric(78, 0) PRIMARY KEY, note text);
        CREATE INDEX posts_note_idx ON ${source}.posts (note)`);
      await answered(20, "answers after the migration, through the unchanged views");
      published = await publishSchema(admin, { source });
      await answered(20, "answers after publishing again");
    } finally {
      running = false;
      await Promise.all(clients);
    }
    expect(failures, failures.slice(0, 3).join("\n")).to.deep.equal([]);
    expect(published!.previous).to.equal(source);
    expect(published!.tables).to.include("post_notes");
    const { rows } = await admin.query(
      `SELECT 1 FROM information_schema.columns
       WHERE table_schema = 'agora' AND table_name = 'posts' AND column_name = 'note'`,
    );
    expect(rows, "the live view shows the new column").to.have.length(1);
  });
});
