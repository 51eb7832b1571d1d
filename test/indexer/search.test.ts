import { expect } from "chai";
import hre from "hardhat";
import pg from "pg";
import pino from "pino";
import { deploySuite } from "../../deploy/suite";
import { createApi, type Api } from "../../indexer/graphql/api";
import { createReadPool } from "../../indexer/graphql/database";
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

// A reply's shape is the query's own; the assertions check it field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const logger = pino({ level: "silent" });
const postId = (author: number, sequence: number) =>
  ((BigInt(author) << 64n) | BigInt(sequence)).toString();
const profileUri = (displayName: string) =>
  `data:application/json,${encodeURIComponent(JSON.stringify({ displayName }))}`;
const textUri = (text: string) => `data:text/plain,${encodeURIComponent(text)}`;

describe("Search and counts", function () {
  this.timeout(120_000);
  let rpc: RpcServer;
  let db: TestDatabase;
  let indexer: Indexer;
  let pool: pg.Pool;
  let api: Api;
  let registry: ProfileRegistry;

  async function reply(query: string, variables?: Record<string, unknown>) {
    const response = await api.yoga.fetch("http://api/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as {
      data?: Json;
      errors?: { message: string; extensions?: { code?: string } }[];
    };
  }

  async function data(query: string, variables?: Record<string, unknown>): Promise<Json> {
    const result = await reply(query, variables);
    expect(result.errors, JSON.stringify(result.errors)).to.equal(undefined);
    return result.data;
  }

  const find = async (query: string) =>
    (
      await data(
        `query($q: String!) { findProfiles(query: $q) { matchedField score profile { handle } } }`,
        { q: query },
      )
    ).findProfiles as { matchedField: string; score: number; profile: { handle: string } }[];

  const searchPosts = async (query: string) =>
    (
      await data(
        `query($q: String!) { searchPosts(query: $q) { score post { id content { text } } } }`,
        { q: query },
      )
    ).searchPosts as { score: number; post: { id: string; content: { text: string } } }[];

  before(async function () {
    const signers = await hre.ethers.getSigners();
    const suite = await deploySuite(signers[0]);
    registry = suite.profileRegistry.contract;
    const send = async (tx: Promise<{ wait(): Promise<unknown> }>) => (await tx).wait();
    const people: [string, string][] = [
      ["alice", "Alice Liddell"],
      ["alina", "Alina Starkov"],
      ["bob", "Robert Smith"],
      ["carol", "Caroline"],
      ["dave", "Dave"],
      ["malice", "Quiet Person"],
    ];
    for (let i = 0; i < people.length; i++) {
      await send(registry.connect(signers[i + 1]).register(people[i][0], profileUri(people[i][1])));
    }
    const as = (i: number) => registry.connect(signers[i]);
    await send(as(1).post(1, textUri("The quick brown fox jumps over the lazy dog")));
    await send(as(1).post(1, textUri("fox fox fox, a fox of foxes")));
    await send(as(2).post(2, textUri("Foxes are running in the forest")));
    await send(as(2).post(2, textUri("Nothing to see here")));
    await send(as(3).post(3, textUri("A retracted fox")));
    await send(as(3).retract(postId(3, 1)));
    await send(as(2).follow(2, 1));
    await send(as(3).follow(3, 1));
    await send(as(4).follow(4, 1));
    await send(as(4).unfollow(4, 1));
    await send(as(1).follow(1, 2));

    rpc = await serveProvider(hre.network.provider);
    db = await createTestDatabase("search");
    const deploymentFile = writeDeployment(
      31337,
      suite.profileRegistry.address,
      suite.profileRegistry.blockNumber,
    );
    indexer = await indexToHead(
      testConfig(testEnv({ rpcUrl: rpc.url, databaseUrl: db.url, deploymentFile })),
    );
    while ((await indexer.content.step()) > 0);
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

  describe("findProfiles", function () {
    it("ranks an exact handle first, then handles and names that start with the query", async function () {
      const hits = await find("alice");
      expect(hits[0]).to.include({ matchedField: "handle" });
      expect(hits[0].profile.handle).to.equal("alice");
      expect(hits[0].score).to.be.greaterThan(2);
      // "malice" resembles "alice" without starting with it: below the exact match.
      const handles = hits.map((hit) => hit.profile.handle);
      expect(handles).to.include("malice");
      expect(handles.indexOf("malice")).to.be.greaterThan(0);
      const prefix = (await find("Ali")).map((hit) => hit.profile.handle);
      expect(prefix.slice(0, 2).sort()).to.deep.equal(["alice", "alina"]);
    });

    it("finds display names by prefix and by a word inside them", async function () {
      const byPrefix = await find("caro");
      expect(byPrefix[0].profile.handle).to.equal("carol");
      const byWord = await find("smith");
      expect(byWord.map((hit) => hit.profile.handle)).to.deep.equal(["bob"]);
      expect(byWord[0].matchedField).to.equal("displayName");
    });

    it("forgives typos (trigram similarity)", async function () {
      expect((await find("alise")).map((hit) => hit.profile.handle)).to.include("alice");
      expect((await find("Carolyn")).map((hit) => hit.profile.handle)).to.include("carol");
    });

    it("takes LIKE wildcards literally", async function () {
      expect(await find("%")).to.deep.equal([]);
      expect(await find("a_i")).to.deep.equal([]);
    });

    it("refuses empty, overlong and NUL queries with BAD_USER_INPUT", async function () {
      for (const q of ["", "   ", "x".repeat(101), "a\u0000b"]) {
        const result = await reply(`query($q: String!) { findProfiles(query: $q) { score } }`, {
          q,
        });
        expect(result.errors?.[0].extensions?.code, JSON.stringify(q)).to.equal("BAD_USER_INPUT");
      }
      const tooMany = await reply(`{ searchPosts(query: "fox", first: 100000) { score } }`);
      expect(tooMany.errors?.[0].extensions?.code).to.equal("TOO_MANY_ITEMS");
    });
  });

  describe("searchPosts", function () {
    it("finds resolved text by full-text search with stemming, best ranked first, retracted left out", async function () {
      const hits = await searchPosts("fox");
      expect(hits.map((hit) => hit.post.id).sort()).to.deep.equal(
        [postId(1, 1), postId(1, 2), postId(2, 1)].sort(),
      );
      expect(hits[0].post.content.text).to.equal("fox fox fox, a fox of foxes");
      for (let i = 1; i < hits.length; i++) {
        expect(hits[i - 1].score).to.be.at.least(hits[i].score);
      }
      expect((await searchPosts("run")).map((hit) => hit.post.id)).to.deep.equal([postId(2, 1)]);
      expect((await searchPosts('"brown fox" -lazy')).map((hit) => hit.post.id)).to.deep.equal([]);
      expect((await searchPosts("quick -lazy")).map((hit) => hit.post.id)).to.deep.equal([]);
      expect((await searchPosts("quick dog")).map((hit) => hit.post.id)).to.deep.equal([
        postId(1, 1),
      ]);
      expect(await searchPosts("the")).to.deep.equal([]);
    });
  });

  describe("counts", function () {
    it("profile stats and totalCount come from the counts the handlers keep", async function () {
      const result = await data(`{
        alice: profile(handle: "alice") {
          stats { postCount retractedPostCount followerCount followingCount holderCount }
          posts(first: 1) { totalCount nodes { id } }
          followers(first: 1) { totalCount }
          following { totalCount }
          filtered: posts(where: { retracted: false }) { totalCount }
        }
        bob: profile(handle: "bob") {
          stats { postCount retractedPostCount followerCount followingCount }
          posts { totalCount }
        }
        carol: profile(handle: "carol") { stats { postCount followerCount followingCount } }
        posts(first: 1) { totalCount }
      }`);
      expect(result.alice.stats).to.deep.equal({
        postCount: 2,
        retractedPostCount: 0,
        followerCount: 2,
        followingCount: 1,
        holderCount: 0,
      });
      expect(result.alice.posts.totalCount).to.equal(2);
      expect(result.alice.posts.nodes).to.have.length(1);
      expect(result.alice.followers.totalCount).to.equal(2);
      expect(result.alice.following.totalCount).to.equal(1);
      expect(result.alice.filtered.totalCount).to.equal(null);
      expect(result.bob.stats).to.deep.equal({
        postCount: 1,
        retractedPostCount: 1,
        followerCount: 0,
        followingCount: 1,
      });
      expect(result.bob.posts.totalCount).to.equal(1);
      // Carol followed and unfollowed: no count is left, and no row.
      expect(result.carol.stats).to.deep.equal({
        postCount: 0,
        followerCount: 0,
        followingCount: 0,
      });
      expect(result.posts.totalCount).to.equal(null);
      const { rows } = await indexer.db.pool.query(
        "SELECT profile_id::text AS id FROM profile_counts ORDER BY profile_id",
      );
      expect(rows.map((row) => row.id)).to.deep.equal(["1", "2", "3"]);
    });
  });
});
