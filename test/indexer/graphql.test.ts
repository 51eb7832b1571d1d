import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { getIntrospectionQuery, parse, validate } from "graphql";
import hre from "hardhat";
import pg from "pg";
import pino from "pino";
import { deploySuite } from "../../deploy/suite";
import { createApi, type Api } from "../../indexer/graphql/api";
import { createReadPool } from "../../indexer/graphql/database";
import { serveApi } from "../../indexer/graphql/server";
import { rpcHeadBlock } from "../../indexer/graphql/status";
import type { Indexer } from "../../indexer/indexer";
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
import { subscribeSse } from "./sse";
import { builtEntryPoint } from "../build";

// A reply's shape is the query's own; the assertions check it field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const logger = pino({ level: "silent" });
const postId = (author: bigint, sequence: bigint) => ((author << 64n) | sequence).toString();

interface GraphQLReply {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

describe("GraphQL API", function () {
  let rpc: RpcServer;
  let db: TestDatabase;
  let indexer: Indexer;
  let pool: pg.Pool;
  let api: Api;
  let registry: ProfileRegistry;
  let signers: Awaited<ReturnType<typeof hre.ethers.getSigners>>;
  const queries: string[] = [];

  /** Post ids in the order they were mined. */
  const posted: { id: string; author: string }[] = [];
  const a = (n: number) => postId(1n, BigInt(n));

  async function gql(
    query: string,
    variables?: Record<string, unknown>,
    target: Api = api,
  ): Promise<GraphQLReply> {
    const response = await target.yoga.fetch("http://api/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLReply;
  }

  async function data(
    query: string,
    variables?: Record<string, unknown>,
    target: Api = api,
  ): Promise<Record<string, Json>> {
    const reply = await gql(query, variables, target);
    expect(reply.errors, JSON.stringify(reply.errors)).to.equal(undefined);
    return reply.data as Record<string, Json>;
  }

  async function errorOf(query: string, variables?: Record<string, unknown>) {
    const reply = await gql(query, variables);
    expect(reply.errors, "expected an error").to.be.an("array").that.is.not.empty;
    return reply.errors![0];
  }

  const subscribe = (target: Api, query: string) => subscribeSse(target, query, "posts");

  /** `promise`, or a failure naming `what` once `ms` have passed without it. */
  async function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`not within ${ms / 1000} s: ${what}`)), ms);
    });
    try {
      return await Promise.race([promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async function until(condition: () => boolean): Promise<void> {
    for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(condition()).to.equal(true);
  }

  before(async function () {
    signers = await hre.ethers.getSigners();
    const [deployer, alice, bob, carol, dave, alina, alx] = signers;
    const suite = await deploySuite(deployer);
    registry = suite.profileRegistry.contract;
    const as = (signer: typeof alice) => registry.connect(signer);
    const send = async (tx: Promise<{ wait(): Promise<unknown> }>) => (await tx).wait();

    for (const [signer, handle] of [
      [alice, "alice"],
      [bob, "bob"],
      [carol, "carol"],
      [dave, "dave"],
      [alina, "alina"],
      [alx, "al_x"],
    ] as const) {
      await send(as(signer).register(handle, `ipfs://${handle}`));
    }
    await send(as(alx).changeHandle(6, "al_z"));
    for (let i = 1; i <= 12; i++) {
      await send(as(alice).post(1, `ipfs://alice/${i}`));
      posted.push({ id: a(i), author: "1" });
    }
    await send(as(carol).post(3, "ipfs://carol/1"));
    posted.push({ id: postId(3n, 1n), author: "3" });
    await send(as(carol).post(3, "ipfs://carol/2"));
    posted.push({ id: postId(3n, 2n), author: "3" });
    await send(as(dave).post(4, "ipfs://dave/1"));
    posted.push({ id: postId(4n, 1n), author: "4" });
    await send(as(bob).postWithRefs(2, "ipfs://bob/reply", a(1), 0));
    posted.push({ id: postId(2n, 1n), author: "2" });
    await send(as(carol).postWithRefs(3, "ipfs://carol/reply", a(1), 0));
    posted.push({ id: postId(3n, 3n), author: "3" });
    await send(as(dave).postWithRefs(4, "ipfs://dave/quote", 0, a(1)));
    posted.push({ id: postId(4n, 2n), author: "4" });
    await send(as(alice).retract(a(12)));
    await send(as(bob).follow(2, 1));
    await send(as(bob).follow(2, 3));
    await send(as(bob).follow(2, 4));
    await send(as(bob).unfollow(2, 4));
    await send(as(carol).follow(3, 1));
    await send(as(dave).follow(4, 1));
    await send(as(bob).react(2, a(1), 1));
    await send(as(carol).react(3, a(1), 1));
    await send(as(dave).react(4, a(1), 1));
    await send(as(dave).react(4, a(1), 0));
    await send(as(carol).react(3, a(2), 2));

    rpc = await serveProvider(hre.network.provider);
    db = await createTestDatabase("graphql");
    const deploymentFile = writeDeployment(
      31337,
      suite.profileRegistry.address,
      suite.profileRegistry.blockNumber,
    );
    indexer = await indexToHead(
      testConfig(testEnv({ rpcUrl: rpc.url, databaseUrl: db.url, deploymentFile })),
    );
    pool = createReadPool({ url: db.url, statementTimeoutMs: 5_000, logger });
    api = await createApi({
      pool,
      databaseUrl: db.url,
      logger,
      headBlock: rpcHeadBlock(rpc.url, 0),
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

  describe("profiles", function () {
    const fields = "id handle owner metadataUri blockNumber";

    it("finds a profile by handle, id or address, all the same", async function () {
      const alice = signers[1].address;
      const result = await data(
        `query($address: Address!) {
          byHandle: profile(handle: "alice") { ${fields} }
          byId: profile(id: "1") { ${fields} }
          byAddress: profile(address: $address) { ${fields} }
        }`,
        { address: alice.toUpperCase().replace("0X", "0x") },
      );
      expect(result.byHandle).to.include({
        id: "1",
        handle: "alice",
        owner: alice.toLowerCase(),
        metadataUri: "ipfs://alice",
      });
      expect(result.byId).to.deep.equal(result.byHandle);
      expect(result.byAddress).to.deep.equal(result.byHandle);
    });

    it("answers an unknown handle with PROFILE_NOT_FOUND and a message naming it", async function () {
      const error = await errorOf(`{ profile(handle: "nobody") { id } }`);
      expect(error.extensions?.code).to.equal("PROFILE_NOT_FOUND");
      expect(error.message).to.equal('no profile has the handle "nobody"');
    });

    it("refuses a lookup by two keys at once", async function () {
      const error = await errorOf(`{ profile(handle: "alice", id: "1") { id } }`);
      expect(error.extensions?.code).to.equal("BAD_USER_INPUT");
      expect(error.message).to.match(/exactly one of id, handle or address/);
    });

    it("searches handles by prefix, in handle order, with _ taken literally", async function () {
      const result = await data(`{
        al: searchProfiles(prefix: "AL") { nodes { handle } }
        underscore: searchProfiles(prefix: "al_") { nodes { handle } }
        none: searchProfiles(prefix: "zz") { nodes { handle } }
      }`);
      expect(result.al.nodes.map((p: { handle: string }) => p.handle)).to.deep.equal([
        "al_z",
        "alice",
        "alina",
      ]);
      expect(result.underscore.nodes).to.deep.equal([{ handle: "al_z" }]);
      expect(result.none.nodes).to.deep.equal([]);
    });

    it("keeps the handle history", async function () {
      const result = await data(
        `{ profile(id: "6") { handle handleHistory { nodes { oldHandle newHandle } } } }`,
      );
      expect(result.profile).to.deep.equal({
        handle: "al_z",
        handleHistory: { nodes: [{ oldHandle: "al_x", newHandle: "al_z" }] },
      });
    });

    it("lists every handle change at the top level, newest first, filtered and paged, as the chain emitted them", async function () {
      // alina takes another handle and then her own back: her profile ends as it was.
      await (await registry.connect(signers[5]).changeHandle(5, "alina_two")).wait();
      await (await registry.connect(signers[5]).changeHandle(5, "alina")).wait();
      await indexer.sync.syncToHead();
      const emitted = (await registry.queryFilter(registry.filters.HandleChanged(), 0, "latest"))
        .map((event) => ({
          profileId: String(event.args.profileId),
          oldHandle: event.args.oldHandle,
          newHandle: event.args.newHandle,
          blockNumber: String(event.blockNumber),
          txHash: event.transactionHash,
        }))
        .reverse();
      expect(emitted).to.have.length(3);
      const fields = "profileId oldHandle newHandle blockNumber txHash";
      const all = await data(`{ handleChanges { nodes { ${fields} } } }`);
      expect(all.handleChanges.nodes).to.deep.equal(emitted);

      const filtered = await data(`{
        alina: handleChanges(where: { profileId: "5" }, orderDirection: asc) { nodes { oldHandle newHandle } }
        freed: handleChanges(where: { oldHandle: "al_x" }) { nodes { profileId newHandle } }
        none: handleChanges(where: { newHandle: "nobody" }) { nodes { profileId } }
      }`);
      expect(filtered).to.deep.equal({
        alina: {
          nodes: [
            { oldHandle: "alina", newHandle: "alina_two" },
            { oldHandle: "alina_two", newHandle: "alina" },
          ],
        },
        freed: { nodes: [{ profileId: "6", newHandle: "al_z" }] },
        none: { nodes: [] },
      });

      const pages: string[] = [];
      let after: string | null = null;
      for (;;) {
        const page = (await data(
          `query($after: String) { handleChanges(first: 1, after: $after) {
            nodes { txHash } pageInfo { hasNextPage endCursor } } }`,
          { after },
        )) as Json;
        pages.push(...page.handleChanges.nodes.map((n: Json) => n.txHash));
        if (!page.handleChanges.pageInfo.hasNextPage) break;
        after = page.handleChanges.pageInfo.endCursor;
      }
      expect(pages).to.deep.equal(emitted.map((change) => change.txHash));
      expect((await data(`{ profile(id: "5") { handle } }`)).profile.handle).to.equal("alina");
    });

    it("lists current followers and follows, and counts posts and follows", async function () {
      const result = await data(`{
        alice: profile(handle: "alice") {
          stats { postCount retractedPostCount followerCount followingCount }
          followers(orderDirection: asc) { nodes { follower { handle } } }
        }
        bob: profile(handle: "bob") {
          stats { postCount retractedPostCount followerCount followingCount }
          following(orderDirection: asc) { nodes { followed { handle } } }
        }
      }`);
      expect(result.alice.stats).to.deep.equal({
        postCount: 12,
        retractedPostCount: 1,
        followerCount: 3,
        followingCount: 0,
      });
      expect(result.alice.followers.nodes.map((f: Json) => f.follower.handle)).to.deep.equal([
        "bob",
        "carol",
        "dave",
      ]);
      // bob unfollowed dave: only the current state counts.
      expect(result.bob.stats).to.deep.equal({
        postCount: 1,
        retractedPostCount: 0,
        followerCount: 0,
        followingCount: 2,
      });
      expect(result.bob.following.nodes.map((f: Json) => f.followed.handle)).to.deep.equal([
        "alice",
        "carol",
      ]);
    });

    it("filters and orders profiles", async function () {
      const result = await data(`{
        profiles(where: { id_gte: "2", id_lt: "5", handle_not: "carol" }, orderBy: handle, orderDirection: desc) {
          nodes { handle }
        }
        either: profiles(where: { OR: [{ handle: "bob" }, { id_in: ["5", "6"] }] }) { nodes { id } }
      }`);
      expect(result.profiles.nodes).to.deep.equal([{ handle: "dave" }, { handle: "bob" }]);
      expect(result.either.nodes).to.deep.equal([{ id: "2" }, { id: "5" }, { id: "6" }]);
    });
  });

  describe("posts", function () {
    it("gives an author's feed newest first, retracted posts flagged and kept", async function () {
      const result = await data(
        `{ profile(handle: "alice") { posts { nodes { id contentUri retracted retractedBlockNumber timestamp author { handle } } } } }`,
      );
      const nodes = result.profile.posts.nodes;
      expect(nodes.map((p: { id: string }) => p.id)).to.deep.equal(
        [...Array(12)].map((_, i) => a(12 - i)),
      );
      expect(nodes[0]).to.include({ id: a(12), contentUri: "ipfs://alice/12", retracted: true });
      expect(nodes[0].retractedBlockNumber).to.be.a("string");
      expect(nodes[1]).to.include({ retracted: false, retractedBlockNumber: null });
      expect(nodes[1].author).to.deep.equal({ handle: "alice" });
      expect(Number(nodes[1].timestamp)).to.be.greaterThan(1_600_000_000);
    });

    it("filters posts: standing posts of an author, top-level posts, block ranges", async function () {
      const result = await data(`{
        standing: posts(where: { authorId: "1", retracted: false }) { nodes { id } }
        topLevel: posts(where: { parentId: null, quotedId: null, authorId_not: "1" }, orderDirection: asc) { nodes { id } }
        replies: posts(where: { parentId_not: null }, orderDirection: asc) { nodes { id } }
      }`);
      expect(result.standing.nodes).to.have.length(11);
      expect(result.standing.nodes.map((p: { id: string }) => p.id)).to.not.include(a(12));
      expect(result.topLevel.nodes.map((p: { id: string }) => p.id)).to.deep.equal([
        postId(3n, 1n),
        postId(3n, 2n),
        postId(4n, 1n),
      ]);
      expect(result.replies.nodes.map((p: { id: string }) => p.id)).to.deep.equal([
        postId(2n, 1n),
        postId(3n, 3n),
      ]);
    });

    it("refuses filters nested too deep and _in lists that are too long", async function () {
      const nested = `{ OR: [{ AND: [{ OR: [{ AND: [{ OR: [{ id: "1" }] }] }] }] }] }`;
      const deep = await errorOf(`{ posts(where: ${nested}) { nodes { id } } }`);
      expect(deep.extensions?.code).to.equal("BAD_USER_INPUT");
      expect(deep.message).to.equal("filters nest AND/OR at most 4 levels deep");
      const ids = [...Array(1001)].map((_, i) => String(i + 1));
      const long = await errorOf(
        `query($ids: [BigInt!]) { posts(where: { id_in: $ids }) { nodes { id } } }`,
        {
          ids,
        },
      );
      expect(long.extensions?.code).to.equal("TOO_MANY_ITEMS");
      expect(long.message).to.equal("filter id_in lists 1001 values but takes at most 1000");
    });

    it("gives a home feed of the profiles one follows now", async function () {
      const result = await data(
        `{ homeFeed(handle: "bob", first: 100) { nodes { id authorId } } }`,
      );
      const expected = posted.filter((p) => p.author === "1" || p.author === "3").reverse();
      expect(result.homeFeed.nodes).to.deep.equal(
        expected.map((p) => ({ id: p.id, authorId: p.author })),
      );
    });

    it("answers a home feed of an unknown handle with PROFILE_NOT_FOUND", async function () {
      const error = await errorOf(`{ homeFeed(handle: "ghost") { nodes { id } } }`);
      expect(error.extensions?.code).to.equal("PROFILE_NOT_FOUND");
      expect(error.message).to.equal('no profile has the handle "ghost"');
    });

    it("links replies, quotes and reactions of a post", async function () {
      const result = await data(
        `query($id: BigInt!) {
        post(id: $id) {
          stats { replyCount quoteCount reactionCount }
          replies(orderDirection: asc) { nodes { id parent { id } author { handle } } }
          quotes { nodes { id quoted { id } author { handle } } }
          reactions(orderDirection: asc) { nodes { kind profile { handle } post { id } } }
        }
      }`,
        { id: a(1) },
      );
      expect(result.post.stats).to.deep.equal({ replyCount: 2, quoteCount: 1, reactionCount: 2 });
      expect(result.post.replies.nodes).to.deep.equal([
        { id: postId(2n, 1n), parent: { id: a(1) }, author: { handle: "bob" } },
        { id: postId(3n, 3n), parent: { id: a(1) }, author: { handle: "carol" } },
      ]);
      expect(result.post.quotes.nodes).to.deep.equal([
        { id: postId(4n, 2n), quoted: { id: a(1) }, author: { handle: "dave" } },
      ]);
      // dave's reaction was removed (kind 0): only current reactions are listed.
      expect(result.post.reactions.nodes).to.deep.equal([
        { kind: 1, profile: { handle: "bob" }, post: { id: a(1) } },
        { kind: 1, profile: { handle: "carol" }, post: { id: a(1) } },
      ]);
    });

    it("answers an unknown post with POST_NOT_FOUND", async function () {
      const error = await errorOf(`{ post(id: "12345") { id } }`);
      expect(error.extensions?.code).to.equal("POST_NOT_FOUND");
      expect(error.message).to.equal("no post has the id 12345");
    });

    it("refuses a malformed BigInt with BAD_USER_INPUT", async function () {
      const error = await errorOf(`query($id: BigInt!) { post(id: $id) { id } }`, { id: "-1" });
      expect(error.message).to.match(/BigInt takes a non-negative decimal integer/);
    });

    it("lists follows and reactions at the top level", async function () {
      const result = await data(`{
        follows(where: { followedId: "1" }) { nodes { followerId } }
        reactions(where: { kind_gt: 1 }) { nodes { profileId postId kind } }
      }`);
      expect(result.follows.nodes.map((f: { followerId: string }) => f.followerId)).to.have.members(
        ["2", "3", "4"],
      );
      expect(result.reactions.nodes).to.deep.equal([{ profileId: "3", postId: a(2), kind: 2 }]);
    });
  });

  describe("pagination", function () {
    it("walks every page with opaque cursors and stops at the last", async function () {
      const seen: string[] = [];
      let after: string | null = null;
      let pages = 0;
      for (;;) {
        const result: Record<string, Json> = await data(
          `query($after: String) { posts(first: 4, after: $after, orderDirection: asc) {
            edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage endCursor startCursor }
          } }`,
          { after },
        );
        const page = result.posts;
        pages++;
        seen.push(...page.edges.map((e: { node: { id: string } }) => e.node.id));
        expect(page.pageInfo.hasPreviousPage).to.equal(after !== null);
        expect(page.pageInfo.endCursor).to.equal(page.edges.at(-1)?.cursor ?? null);
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      expect(seen).to.deep.equal(posted.map((p) => p.id));
      expect(pages).to.equal(Math.ceil(posted.length / 4));
    });

    it("pages nested connections independently per parent", async function () {
      const result = await data(`{
        post(id: "${a(1)}") { replies(first: 1, orderDirection: asc) { nodes { id } pageInfo { hasNextPage endCursor } } }
      }`);
      expect(result.post.replies.nodes).to.deep.equal([{ id: postId(2n, 1n) }]);
      const next = await data(
        `query($after: String) { post(id: "${a(1)}") { replies(first: 1, orderDirection: asc, after: $after) { nodes { id } pageInfo { hasNextPage } } } }`,
        { after: result.post.replies.pageInfo.endCursor },
      );
      expect(next.post.replies).to.deep.equal({
        nodes: [{ id: postId(3n, 3n) }],
        pageInfo: { hasNextPage: false },
      });
    });

    it("refuses a malformed cursor with BAD_CURSOR", async function () {
      const error = await errorOf(`{ posts(after: "not a cursor!") { nodes { id } } }`);
      expect(error.extensions?.code).to.equal("BAD_CURSOR");
      expect(error.message).to.equal('after: "not a cursor!" is not a cursor this API issued');
    });

    it("refuses a cursor issued for another ordering", async function () {
      const first = await data(`{ posts(first: 1, orderBy: id) { pageInfo { endCursor } } }`);
      const error = await errorOf(
        `query($after: String) { posts(after: $after) { nodes { id } } }`,
        {
          after: first.posts.pageInfo.endCursor,
        },
      );
      expect(error.extensions?.code).to.equal("BAD_CURSOR");
      expect(error.message).to.match(/issued for orderBy id desc, not blockNumber desc/);
    });

    it("serves 50 items by default and up to 1000, and refuses more with TOO_MANY_ITEMS", async function () {
      const ok = await data(`{ posts(first: 1000) { nodes { id } } }`);
      expect(ok.posts.nodes).to.have.length(posted.length);
      const error = await errorOf(`{ posts(first: 1001) { nodes { id } } }`);
      expect(error.extensions?.code).to.equal("TOO_MANY_ITEMS");
      expect(error.message).to.equal(
        "first is 1001 but at most 1000 items can be asked for at once; read further pages with after",
      );
      expect(api.limits.defaultPageSize).to.equal(50);
    });
  });

  describe("protection", function () {
    it("refuses queries nested deeper than the limit with QUERY_TOO_DEEP", async function () {
      const nest = (n: number): string => (n === 0 ? "id" : `parent { ${nest(n - 1)} }`);
      const ok = await gql(`{ post(id: "${a(1)}") { ${nest(api.limits.maxDepth - 2)} } }`);
      expect(ok.errors).to.equal(undefined);
      const error = await errorOf(`{ post(id: "${a(1)}") { ${nest(api.limits.maxDepth)} } }`);
      expect(error.extensions?.code).to.equal("QUERY_TOO_DEEP");
      expect(error.message).to.equal(
        `the operation nests fields ${api.limits.maxDepth + 2} deep; at most ${api.limits.maxDepth} levels are allowed`,
      );
    });

    it("lets GraphiQL's introspection query through", async function () {
      const reply = await gql(getIntrospectionQuery());
      expect(reply.errors).to.equal(undefined);
      expect((reply.data as Json).__schema.queryType.name).to.equal("Query");
    });

    it("documents every type and field", async function () {
      const reply = await gql(getIntrospectionQuery());
      const types = (reply.data as Json).__schema.types.filter(
        (t: { name: string }) => !t.name.startsWith("__"),
      );
      const builtIn = new Set(["String", "Int", "Boolean", "Float", "ID"]);
      const missing: string[] = [];
      for (const type of types) {
        if (builtIn.has(type.name)) continue;
        if (!type.description) missing.push(type.name);
        for (const field of [
          ...(type.fields ?? []),
          ...(type.inputFields ?? []),
          ...(type.enumValues ?? []),
        ]) {
          if (!field.description) missing.push(`${type.name}.${field.name}`);
          for (const arg of field.args ?? [])
            if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
        }
      }
      expect(missing).to.deep.equal([]);
    });

    it("refuses more aliases than the limit with TOO_MANY_ALIASES", async function () {
      const fields = [...Array(api.limits.maxAliases + 1)]
        .map((_, i) => `p${i}: profile(id: "1") { id }`)
        .join(" ");
      const error = await errorOf(`{ ${fields} }`);
      expect(error.extensions?.code).to.equal("TOO_MANY_ALIASES");
      expect(error.message).to.equal(
        `the operation uses ${api.limits.maxAliases + 1} aliases; at most ${api.limits.maxAliases} are allowed`,
      );
    });

    it("refuses queries whose estimated cost exceeds the limit with QUERY_TOO_COSTLY, reading first from variables", async function () {
      const query = `query Heavy($n: Int) { posts(first: $n) { nodes { id replies(first: $n) { nodes { id author { handle } } } } } }`;
      const cheap = await gql(query, { n: 10 });
      expect(cheap.errors).to.equal(undefined);
      const error = await errorOf(query, { n: 1000 });
      expect(error.extensions?.code).to.equal("QUERY_TOO_COSTLY");
      expect(error.message).to.match(
        /^operation Heavy may resolve about \d+ fields; at most 100000 are allowed/,
      );
    });

    it("masks internal errors and keeps their details out of the reply", async function () {
      const admin = new pg.Client({ connectionString: db.url });
      await admin.connect();
      try {
        await admin.query("ALTER TABLE reactions RENAME TO reactions_moved");
        const reply = await gql(`{ reactions { nodes { kind } } }`);
        expect(reply.errors).to.have.length(1);
        expect(reply.errors![0].message).to.equal("Unexpected error.");
        expect(JSON.stringify(reply)).to.not.match(/reactions_moved|relation|does not exist/);
      } finally {
        await admin.query("ALTER TABLE reactions_moved RENAME TO reactions");
        await admin.end();
      }
    });

    for (const { what, statementTimeoutMs, timeoutMs, message } of [
      {
        what: "Postgres cancels a statement",
        statementTimeoutMs: 200,
        timeoutMs: 5_000,
        message: "a database query ran longer than the time limit; ask for fewer items",
      },
      {
        what: "the request's own timer fires first",
        statementTimeoutMs: 5_000,
        timeoutMs: 200,
        message: "the query ran longer than 200 ms; ask for fewer items",
      },
    ]) {
      it(`ends a request that runs out of time with TIMEOUT when ${what}`, async function () {
        const slowPool = createReadPool({ url: db.url, statementTimeoutMs, logger });
        const slow = await createApi({
          pool: slowPool,
          databaseUrl: db.url,
          logger,
          limits: { timeoutMs },
        });
        const locker = new pg.Client({ connectionString: db.url });
        await locker.connect();
        try {
          await locker.query("BEGIN");
          await locker.query("LOCK TABLE posts IN ACCESS EXCLUSIVE MODE");
          const reply = await gql(`{ posts { nodes { id } } }`, undefined, slow);
          expect(reply.errors![0].extensions?.code).to.equal("TIMEOUT");
          expect(reply.errors![0].message).to.equal(message);
        } finally {
          await locker.query("ROLLBACK");
          await locker.end();
          await slow.close();
          await slowPool.end();
        }
      });
    }

    it("reads through sessions that cannot write", async function () {
      let code: string | undefined;
      try {
        await pool.query("INSERT INTO blocks (number, hash, timestamp) VALUES (999999, '0x', 0)");
      } catch (error) {
        code = (error as { code?: string }).code;
      }
      expect(code).to.equal("25006"); // read_only_sql_transaction
    });

    it("resolves nested lists with a fixed number of queries, whatever the page size", async function () {
      const query = `query($n: Int) { posts(first: $n, orderDirection: asc) { nodes {
        id author { handle stats { postCount followerCount } }
        parent { id } quoted { id } stats { replyCount reactionCount }
        replies(first: 3) { nodes { id author { handle } } }
        reactions { nodes { kind profile { handle } } }
      } } }`;
      const count = async (n: number) => {
        queries.length = 0;
        const result = await data(query, { n });
        expect(result.posts.nodes).to.have.length(Math.min(n, posted.length));
        return queries.length;
      };
      const small = await count(2);
      const large = await count(posted.length);
      console.log(`      ${small} queries for 2 posts, ${large} for ${posted.length}`);
      // posts, authors, author stats, parents, quoted, post stats, replies, reply authors,
      // reactions, reaction profiles: one query each, batched over every item.
      expect(large).to.equal(small);
      expect(large).to.be.at.most(10);
    });
  });

  describe("documentation", function () {
    it("runs every example of docs/api.md without errors", async function () {
      const doc = readFileSync(path.join(__dirname, "../../docs/api.md"), "utf8");
      const examples = [...doc.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]);
      expect(examples.length).to.be.greaterThan(4);
      for (const example of examples) {
        expect(validate(api.schema, parse(example)), example).to.deep.equal([]);
        // Subscriptions and examples needing variables are checked against the schema only.
        if (example.trimStart().startsWith("subscription") || /\$\w+: [\w[\]]+!/.test(example))
          continue;
        const reply = await gql(example);
        // This file's chain has profiles and posts only: an example naming a coin finds none.
        const errors = (reply.errors ?? []).filter((e) => e.extensions?.code !== "COIN_NOT_FOUND");
        expect(errors, example).to.deep.equal([]);
      }
    });
  });

  describe("server", function () {
    it("serves queries over HTTP and GraphiQL to browsers at /graphql", async function () {
      const server = await serveApi(api, { port: 0, host: "127.0.0.1" });
      try {
        const reply = await fetch(server.url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ query: `{ profile(handle: "bob") { id } }` }),
        });
        expect(await reply.json()).to.deep.equal({ data: { profile: { id: "2" } } });
        const page = await fetch(server.url, { headers: { accept: "text/html" } });
        expect(page.headers.get("content-type")).to.match(/text\/html/);
        expect(await page.text()).to.match(/GraphiQL/i);
      } finally {
        await server.close();
      }
    });

    it("refuses to start on a malformed API_CACHE_TTL_MS or API_TIMEOUT_MS, naming it", function () {
      for (const [name, value] of [
        ["API_CACHE_TTL_MS", "soon"],
        ["API_TIMEOUT_MS", "-5"],
      ]) {
        const result = spawnSync(process.execPath, [builtEntryPoint("indexer/graphql/main.ts")], {
          cwd: path.resolve(__dirname, "../.."),
          env: { ...process.env, DATABASE_URL: db.url, API_PORT: "0", [name]: value },
          encoding: "utf8",
          timeout: 60_000,
        });
        expect(result.status, result.stdout + result.stderr).to.equal(1);
        expect(result.stdout + result.stderr).to.include(
          `${name} must be a whole number of milliseconds (0 or more), got \\"${value}\\"`,
        );
      }
    });
  });

  describe("indexer status", function () {
    it("reports the last indexed block and the lag behind the head", async function () {
      const checkpoint = await pool.query("SELECT block_number FROM sync_checkpoint");
      const before = await data(
        `{ indexerStatus { chainId lastIndexedBlock lastIndexedBlockHash headBlock headLag } }`,
      );
      expect(before.indexerStatus).to.include({
        chainId: 31337,
        lastIndexedBlock: checkpoint.rows[0].block_number,
        headLag: "0",
      });
      for (let i = 0; i < 3; i++)
        await hre.network.provider.request({ method: "evm_mine", params: [] });
      const after = await data(`{ indexerStatus { lastIndexedBlock headBlock headLag } }`);
      expect(after.indexerStatus.headLag).to.equal("3");
      expect(
        BigInt(after.indexerStatus.headBlock) - BigInt(after.indexerStatus.lastIndexedBlock),
      ).to.equal(3n);
      await indexer.sync.syncToHead();
      const caughtUp = await data(`{ indexerStatus { headLag } }`);
      expect(caughtUp.indexerStatus.headLag).to.equal("0");
    });
  });

  describe("live updates", function () {
    it("streams a new post over Server-Sent Events once its batch commits", async function () {
      const stream = await subscribe(
        api,
        `subscription { postCreated(authorIds: ["3"]) { id contentUri author { handle stats { postCount } } } }`,
      );
      const [, , , carol, dave] = signers;
      // dave's post does not pass the filter; carol's does.
      await (await registry.connect(dave).post(4, "ipfs://dave/live")).wait();
      await (await registry.connect(carol).post(3, "ipfs://carol/live")).wait();
      // The sync notifies in the transaction that moves the checkpoint; the hub wakes on it.
      const syncedAt = Date.now();
      await indexer.sync.syncToHead();
      const event = await stream.first;
      console.log(`      post delivered ${Date.now() - syncedAt} ms after the sync started`);
      expect(event.data.postCreated).to.deep.equal({
        id: postId(3n, 4n),
        contentUri: "ipfs://carol/live",
        author: { handle: "carol", stats: { postCount: 4 } },
      });
      await stream.close();
      await until(() => api.live.subscribers("posts") === 0);
    });

    it("delivers the post of the new chain after a reorg replaced a delivered one", async function () {
      const provider = hre.network.provider;
      const alina = registry.connect(signers[5]);
      const stream = await subscribe(
        api,
        `subscription { postCreated(authorIds: ["5"]) { id contentUri } }`,
      );
      const snapshot = await provider.request({ method: "evm_snapshot", params: [] });
      await (await alina.post(5, "ipfs://alina/orphaned")).wait();
      await indexer.sync.syncToHead();
      expect((await stream.first).data.postCreated).to.deep.equal({
        id: postId(5n, 1n),
        contentUri: "ipfs://alina/orphaned",
      });

      await provider.request({ method: "evm_revert", params: [snapshot] });
      await (await alina.post(5, "ipfs://alina/canonical")).wait();
      // The sync rolls back to the common ancestor, then indexes the new block at the same height.
      await indexer.sync.syncToHead();
      expect((await stream.next()).data.postCreated).to.deep.equal({
        id: postId(5n, 1n),
        contentUri: "ipfs://alina/canonical",
      });
      await stream.close();
      await until(() => api.live.subscribers("posts") === 0);
    });

    it("still delivers when a notification is lost, at the next checkpoint check", async function () {
      // Notifications are delivered per database: these two APIs read the indexed database but
      // LISTEN on another one, so they never hear of the commit. One checks the checkpoint every
      // 100 ms; the other only on notifications, and shows that none arrived.
      const deaf = await createTestDatabase("graphql_deaf");
      const polling = await createApi({ pool, databaseUrl: deaf.url, logger, fallbackPollMs: 100 });
      const waiting = await createApi({ pool, databaseUrl: deaf.url, logger, fallbackPollMs: 0 });
      try {
        const query = `subscription { postCreated { id contentUri } }`;
        const stream = await subscribe(polling, query);
        const control = await subscribe(waiting, query);
        let heard = false;
        void control.first.then(() => (heard = true)).catch(() => undefined);
        await (await registry.connect(signers[2]).post(2, "ipfs://bob/unannounced")).wait();
        await indexer.sync.syncToHead();
        const event = await within(60_000, stream.first, "the checkpoint check delivered the post");
        expect(event.data.postCreated).to.deep.equal({
          id: postId(2n, 2n),
          contentUri: "ipfs://bob/unannounced",
        });
        await stream.close();
        // Given time to hear of it, the API without the checkpoint check has not.
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        expect(heard, "a notification reached the API listening elsewhere").to.equal(false);
        // It delivers the same post once it checks, so the post was there to deliver.
        await waiting.live.wake();
        expect((await control.first).data.postCreated.id).to.equal(postId(2n, 2n));
        await control.close();
      } finally {
        await polling.close();
        await waiting.close();
        await deaf.drop();
      }
    });
  });

  describe("response cache", function () {
    it("answers a repeated query from memory until the indexer commits, then afresh", async function () {
      // The time limit of a cached answer is an hour here: only a commit may refresh it, however
      // slowly this test runs.
      const cached = await createApi({
        pool,
        databaseUrl: db.url,
        logger,
        fallbackPollMs: 0,
        limits: { cacheTtlMs: 3_600_000 },
        onQuery: (sql) => queries.push(sql),
      });
      try {
        const query = `{ profile(handle: "dave") { metadataUri } }`;
        queries.length = 0;
        const first = await data(query, undefined, cached);
        expect(queries.length).to.be.greaterThan(0);
        const hits = cached.cache.stats().hits;
        queries.length = 0;
        expect(await data(query, undefined, cached)).to.deep.equal(first);
        expect(queries, "served without running SQL").to.deep.equal([]);
        expect(cached.cache.stats().hits).to.equal(hits + 1);

        await (await registry.connect(signers[4]).setMetadataURI(4, "ipfs://dave/v2")).wait();
        await indexer.sync.syncToHead();
        expect(await data(query, undefined, cached)).to.deep.equal({
          profile: { metadataUri: "ipfs://dave/v2" },
        });
        expect(queries.length, "the new checkpoint made it run again").to.be.greaterThan(0);
      } finally {
        await cached.close();
      }
    });

    it("serves a cached answer no longer than its time limit", async function () {
      const shortLived = await createApi({
        pool,
        databaseUrl: db.url,
        logger,
        fallbackPollMs: 0,
        limits: { cacheTtlMs: 50 },
        onQuery: (sql) => queries.push(sql),
      });
      try {
        const query = `{ profile(handle: "carol") { metadataUri } }`;
        await data(query, undefined, shortLived);
        await new Promise((resolve) => setTimeout(resolve, 200));
        queries.length = 0;
        await data(query, undefined, shortLived);
        expect(queries.length, "executed again after the time limit").to.be.greaterThan(0);
        expect(shortLived.cache.stats()).to.include({ hits: 0, misses: 2 });
      } finally {
        await shortLived.close();
      }
    });

    it("keeps neither errors nor answers to other variables", async function () {
      const query = `query($h: String!) { profile(handle: $h) { handle } }`;
      const hits = api.cache.stats().hits;
      expect((await gql(query, { h: "nobody_here" })).errors?.[0].extensions?.code).to.equal(
        "PROFILE_NOT_FOUND",
      );
      expect((await gql(query, { h: "nobody_here" })).errors?.[0].extensions?.code).to.equal(
        "PROFILE_NOT_FOUND",
      );
      expect(await data(query, { h: "carol" })).to.deep.equal({ profile: { handle: "carol" } });
      expect(api.cache.stats().hits).to.equal(hits);
    });
  });
});
