import { expect } from "chai";
import hre from "hardhat";
import pg from "pg";
import pino from "pino";
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

// Replies are read field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const logger = pino({ level: "silent" });
const postId = (author: bigint, sequence: bigint) => ((author << 64n) | sequence).toString();
const isHiddenCount = (sql: string) => sql.includes("count(*)");

describe("moderated replies of many posts", function () {
  let rpc: RpcServer;
  let db: TestDatabase;
  let indexer: Indexer;
  let pool: pg.Pool;
  let api: Api;
  const queries: string[] = [];
  const parents: string[] = [];

  async function data(query: string, variables?: Record<string, unknown>): Promise<Json> {
    const response = await api.yoga.fetch("http://api/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ query, variables }),
    });
    const reply = (await response.json()) as { data?: Json; errors?: Json[] };
    expect(reply.errors, JSON.stringify(reply.errors)).to.equal(undefined);
    return reply.data;
  }

  /** The statements one request runs. */
  async function statementsOf(query: string, variables?: Record<string, unknown>) {
    queries.length = 0;
    const result = await data(query, variables);
    return { result, statements: [...queries] };
  }

  before(async function () {
    const signers = await hre.ethers.getSigners();
    const [deployer, ...people] = signers;
    const suite = await deploySuite(deployer);
    const registry = suite.profileRegistry.contract;
    const moderation = suite.moderation.contract;
    const send = async (tx: Promise<{ wait(): Promise<unknown> }>) => (await tx).wait();
    // Profiles 1..6: alice looks; she blocked bob (2) and muted carol (3), dave (4) blocked
    // her, erin (5) is on dave's list that she subscribes to, frank (6) is seen.
    const authors = people.slice(0, 6);
    for (const [i, signer] of authors.entries()) {
      await send(registry.connect(signer).register(`nested_${i + 1}`, `ipfs://p/${i + 1}`));
    }
    const [alice, , , dave] = authors;
    await send(moderation.connect(alice).blockProfile(1, 2));
    await send(moderation.connect(alice).muteProfile(1, 3));
    await send(moderation.connect(dave).blockProfile(4, 1));
    await send(moderation.connect(dave).createList(4, "spam"));
    await send(moderation.connect(dave).addListMembers(1, [5]));
    await send(moderation.connect(alice).subscribeList(1, 1));
    // Twelve posts, two per profile; post i gets i % 5 replies from a rotation of authors.
    for (const [i, signer] of authors.entries()) {
      for (const sequence of [1n, 2n]) {
        await send(registry.connect(signer).post(i + 1, `ipfs://post/${i + 1}/${sequence}`));
        parents.push(postId(BigInt(i + 1), sequence));
      }
    }
    for (const [i, parent] of parents.entries()) {
      for (let j = 0; j < i % 5; j++) {
        const author = (i + j) % authors.length;
        await send(
          registry
            .connect(authors[author])
            .postWithRefs(author + 1, `ipfs://r/${i}/${j}`, parent, 0),
        );
      }
    }

    rpc = await serveProvider(hre.network.provider);
    db = await createTestDatabase("moderation_nested");
    indexer = await indexToHead(
      testConfig(
        testEnv({
          rpcUrl: rpc.url,
          databaseUrl: db.url,
          deploymentFile: writeSuiteDeployment(31337, suite),
          // The posts' ipfs: documents are on no gateway: one refused connection each, at once.
          extra: {
            IPFS_GATEWAYS: "http://127.0.0.1:1",
            CONTENT_ALLOW_HTTP: "true",
            CONTENT_ALLOW_PRIVATE_ADDRESSES: "true",
            CONTENT_MAX_ATTEMPTS: "1",
          },
        }),
      ),
    );
    pool = createReadPool({ url: db.url, statementTimeoutMs: 5_000, logger });
    api = await createApi({
      pool,
      databaseUrl: db.url,
      logger,
      // Every request executed: the statement counts below are of executions.
      limits: { cacheTtlMs: 0 },
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

  const PAGE = `nodes { id authorId } pageInfo { hasNextPage endCursor }
    hidden { reason profileId listId count }`;
  const FEED = `query ($posts: Int!, $first: Int!) {
    posts(where: { parentId: null }, first: $posts) {
      nodes { id replies(viewer: 1, first: $first) { ${PAGE} } }
    }
  }`;

  for (const first of [1, 10]) {
    it(`counts what each post's replies (first: ${first}) hid with one statement, as each post's own read does`, async function () {
      const { result, statements } = await statementsOf(FEED, { posts: 50, first });
      const posts = result.posts.nodes as Json[];
      expect(posts).to.have.length(parents.length);
      expect(statements.filter(isHiddenCount)).to.have.length(1);

      // The reference: each post's replies read alone as a filtered feed, which counts its
      // own span with its own statement.
      for (const post of posts) {
        const alone = await data(
          `query ($parent: BigInt!, $first: Int!) {
            posts(where: { parentId: $parent }, viewer: 1, first: $first) { ${PAGE} }
          }`,
          { parent: post.id, first },
        );
        expect(post.replies, `replies of ${post.id}`).to.deep.equal(alone.posts);
      }
      const hidden = posts.flatMap((post) => post.replies.hidden as Json[]);
      expect(new Set(hidden.map((group) => group.reason))).to.deep.equal(
        new Set(["BLOCKED", "BLOCKED_BY", "MUTED", "LIST"]),
      );
      if (first === 1) {
        expect(posts.some((post) => post.replies.pageInfo.hasNextPage)).to.equal(true);
      }
    });
  }

  it("runs as many statements for three posts as for twelve", async function () {
    const few = await statementsOf(FEED, { posts: 3, first: 2 });
    const many = await statementsOf(FEED, { posts: 50, first: 2 });
    expect(few.result.posts.nodes).to.have.length(3);
    expect(many.statements).to.have.length(few.statements.length);
  });

  it("reads no hidden counts when the query does not select them", async function () {
    const query = `{ posts(where: { parentId: null }, first: 50) {
      nodes { replies(viewer: 1) { nodes { id } } }
    } }`;
    const { result, statements } = await statementsOf(query);
    expect(result.posts.nodes).to.have.length(parents.length);
    expect(statements.filter(isHiddenCount)).to.deep.equal([]);
    const withHidden = await statementsOf(
      query.replace("nodes { id }", "nodes { id } hidden { count }"),
    );
    expect(withHidden.statements).to.have.length(statements.length + 1);

    // A feed read with a viewer counts its own hidden rows only when asked, too.
    const feed = `{ posts(where: { parentId: null }, viewer: 1) { nodes { id } } }`;
    expect((await statementsOf(feed)).statements.filter(isHiddenCount)).to.deep.equal([]);
    const feedWithHidden = await statementsOf(feed.replace("nodes { id }", "hidden { count }"));
    expect(feedWithHidden.statements.filter(isHiddenCount)).to.have.length(1);
  });
});
