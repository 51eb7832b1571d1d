import { expect } from "chai";
import hre from "hardhat";
import pg from "pg";
import pino from "pino";
import { deploySuite } from "../../deploy/suite";
import { createApi, type Api } from "../../indexer/graphql/api";
import { createReadPool } from "../../indexer/graphql/database";
import type { Indexer } from "../../indexer/indexer";
import {
  CreatorCoin__factory,
  type CreatorCoinFactory,
  type Moderation,
  type ProfileRegistry,
  type TipJar,
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

// Replies are read field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const logger = pino({ level: "silent" });
const postId = (author: bigint, sequence: bigint) => ((author << 64n) | sequence).toString();

describe("GraphQL viewer fields and notifications", function () {
  let rpc: RpcServer;
  let db: TestDatabase;
  let indexer: Indexer;
  let pool: pg.Pool;
  let api: Api;
  let registry: ProfileRegistry;
  let moderation: Moderation;
  let factory: CreatorCoinFactory;
  let jar: TipJar;
  let signers: Awaited<ReturnType<typeof hre.ethers.getSigners>>;
  const queries: string[] = [];
  /** Addresses of alice (1), bob (2), carol (3), dave (4); erin owns no profile. */
  const address: Record<string, string> = {};

  async function gql(query: string, variables?: Record<string, unknown>) {
    const response = await api.yoga.fetch("http://api/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as { data?: Json; errors?: Json[] };
  }

  async function data(query: string, variables?: Record<string, unknown>): Promise<Json> {
    const reply = await gql(query, variables);
    expect(reply.errors, JSON.stringify(reply.errors)).to.equal(undefined);
    return reply.data;
  }

  before(async function () {
    signers = await hre.ethers.getSigners();
    const [deployer, alice, bob, carol, dave, erin] = signers;
    Object.assign(address, {
      alice: alice.address,
      bob: bob.address,
      carol: carol.address,
      dave: dave.address,
      erin: erin.address,
    });
    const suite = await deploySuite(deployer);
    registry = suite.profileRegistry.contract;
    moderation = suite.moderation.contract;
    factory = suite.creatorCoinFactory.contract;
    jar = suite.tipJar.contract;
    const as = (signer: typeof alice) => registry.connect(signer);
    const send = async (tx: Promise<{ wait(): Promise<unknown> }>) => (await tx).wait();
    for (const [signer, handle] of [
      [alice, "alice"],
      [bob, "bob"],
      [carol, "carol"],
      [dave, "dave"],
    ] as const) {
      await send(as(signer).register(handle, `ipfs://${handle}`));
    }
    // alice <-> bob follow each other; carol follows alice; alice follows dave.
    await send(as(alice).follow(1, 2));
    await send(as(bob).follow(2, 1));
    await send(as(carol).follow(3, 1));
    await send(as(alice).follow(1, 4));
    await send(as(dave).follow(4, 3));
    await send(as(alice).post(1, "ipfs://alice/1"));
    await send(as(alice).post(1, "ipfs://alice/2"));
    await send(as(bob).postWithRefs(2, "ipfs://bob/reply", postId(1n, 1n), 0));
    await send(as(carol).postWithRefs(3, "ipfs://carol/quote", 0, postId(1n, 1n)));
    // alice replying to herself is no notification.
    await send(as(alice).postWithRefs(1, "ipfs://alice/self", postId(1n, 1n), 0));
    await send(as(bob).react(2, postId(1n, 2n), 1));
    await send(as(alice).react(1, postId(2n, 1n), 1));

    rpc = await serveProvider(hre.network.provider);
    db = await createTestDatabase("viewer");
    const deploymentFile = writeSuiteDeployment(31337, suite);
    indexer = await indexToHead(
      testConfig(
        testEnv({
          rpcUrl: rpc.url,
          databaseUrl: db.url,
          deploymentFile,
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
      // Every request executed: the query counts below are of executions.
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

  describe("viewer-aware fields", function () {
    const VIEWER_QUERY = `query($viewer: Address!) {
      profiles(orderBy: id, orderDirection: asc) {
        nodes {
          handle
          isFollowing(viewer: $viewer)
          followsViewer(viewer: $viewer)
          isMutual(viewer: $viewer)
        }
      }
    }`;

    it("say whom the viewer follows, who follows the viewer and who both", async function () {
      const result = await data(VIEWER_QUERY, { viewer: address.alice });
      expect(result.profiles.nodes).to.deep.equal([
        { handle: "alice", isFollowing: false, followsViewer: false, isMutual: false },
        { handle: "bob", isFollowing: true, followsViewer: true, isMutual: true },
        { handle: "carol", isFollowing: false, followsViewer: true, isMutual: false },
        { handle: "dave", isFollowing: true, followsViewer: false, isMutual: false },
      ]);
    });

    it("read a whole page with one query per field, not one per row", async function () {
      queries.length = 0;
      await data(VIEWER_QUERY, { viewer: address.alice });
      // The page, then isFollowing and followsViewer once each (isMutual shares their loaders).
      expect(queries).to.have.length(3);
    });

    it("take the address in any case and answer false for an address without a profile", async function () {
      const upper = await data(VIEWER_QUERY, {
        viewer: "0x" + address.alice.slice(2).toUpperCase(),
      });
      expect(upper).to.deep.equal(await data(VIEWER_QUERY, { viewer: address.alice }));
      const stranger = await data(VIEWER_QUERY, { viewer: address.erin });
      for (const node of stranger.profiles.nodes) {
        expect(node).to.include({ isFollowing: false, followsViewer: false, isMutual: false });
      }
    });

    it("refuse a malformed viewer with BAD_USER_INPUT", async function () {
      const reply = await gql(`{ profile(id: "1") { isFollowing(viewer: "0x12") } }`);
      expect(reply.errors![0].extensions.code).to.equal("BAD_USER_INPUT");
      expect(reply.errors![0].message).to.match(/Address takes 0x and 40 hex digits/);
    });

    it("say which posts the viewer reacted to", async function () {
      const result = await data(
        `query($viewer: Address!) {
          posts(orderBy: id, orderDirection: asc) { nodes { id hasReacted(viewer: $viewer) } }
        }`,
        { viewer: address.bob },
      );
      const reacted = result.posts.nodes
        .filter((node: Json) => node.hasReacted)
        .map((node: Json) => node.id);
      expect(reacted).to.deep.equal([postId(1n, 2n)]);
    });

    it("list the followers of a profile whom the viewer follows too, with their count", async function () {
      // carol's followers: dave. alice follows dave, so dave is a mutual follow for alice.
      const result = await data(
        `query($viewer: Address!) {
          profile(handle: "carol") {
            mutualFollows(viewer: $viewer) { count profiles { handle } }
            none: mutualFollows(viewer: $viewer, first: 0) { count profiles { handle } }
          }
        }`,
        { viewer: address.alice },
      );
      expect(result.profile.mutualFollows).to.deep.equal({
        count: 1,
        profiles: [{ handle: "dave" }],
      });
      expect(result.profile.none).to.deep.equal({ count: 1, profiles: [] });
      const tooMany = await gql(
        `query($viewer: Address!) { profile(id: "1") { mutualFollows(viewer: $viewer, first: 5000) { count } } }`,
        { viewer: address.alice },
      );
      expect(tooMany.errors![0].extensions.code).to.equal("TOO_MANY_ITEMS");
    });
  });

  describe("notifications", function () {
    const FIELDS = "kind actorId actor { handle } postId subjectPostId reactionKind";

    it("list a profile's followers, replies, quotes and reactions, latest first", async function () {
      const result = await data(`{ notifications(handle: "alice") { nodes { ${FIELDS} } } }`);
      expect(result.notifications.nodes).to.deep.equal([
        {
          kind: "REACTION",
          actorId: "2",
          actor: { handle: "bob" },
          postId: postId(1n, 2n),
          subjectPostId: null,
          reactionKind: 1,
        },
        {
          kind: "QUOTE",
          actorId: "3",
          actor: { handle: "carol" },
          postId: postId(3n, 1n),
          subjectPostId: postId(1n, 1n),
          reactionKind: null,
        },
        {
          kind: "REPLY",
          actorId: "2",
          actor: { handle: "bob" },
          postId: postId(2n, 1n),
          subjectPostId: postId(1n, 1n),
          reactionKind: null,
        },
        {
          kind: "FOLLOW",
          actorId: "3",
          actor: { handle: "carol" },
          postId: null,
          subjectPostId: null,
          reactionKind: null,
        },
        {
          kind: "FOLLOW",
          actorId: "2",
          actor: { handle: "bob" },
          postId: null,
          subjectPostId: null,
          reactionKind: null,
        },
      ]);
    });

    it("pages with cursors and filters by kind, on Profile too", async function () {
      const first = await data(
        `{ profile(id: "1") { notifications(first: 2) { nodes { kind } pageInfo { endCursor hasNextPage } } } }`,
      );
      const page = first.profile.notifications;
      expect(page.nodes.map((n: Json) => n.kind)).to.deep.equal(["REACTION", "QUOTE"]);
      expect(page.pageInfo.hasNextPage).to.equal(true);
      const rest = await data(
        `query($after: String!) { notifications(id: "1", after: $after) { nodes { kind } pageInfo { hasNextPage } } }`,
        { after: page.pageInfo.endCursor },
      );
      expect(rest.notifications.nodes.map((n: Json) => n.kind)).to.deep.equal([
        "REPLY",
        "FOLLOW",
        "FOLLOW",
      ]);
      expect(rest.notifications.pageInfo.hasNextPage).to.equal(false);
      const follows = await data(
        `{ notifications(id: "1", where: { kind_in: ["FOLLOW"] }) { nodes { actorId } } }`,
      );
      expect(follows.notifications.nodes).to.deep.equal([{ actorId: "3" }, { actorId: "2" }]);
    });

    it("answers an unknown profile with PROFILE_NOT_FOUND", async function () {
      const reply = await gql(`{ notifications(handle: "nobody") { nodes { kind } } }`);
      expect(reply.errors![0].extensions.code).to.equal("PROFILE_NOT_FOUND");
    });

    it("delivers a new notification to the recipient's subscription only", async function () {
      const [, alice, , , dave] = signers;
      const stream = await subscribeSse(
        api,
        `subscription { notificationCreated(profileId: "4") { kind recipientId actor { handle } } }`,
        "notifications",
      );
      // A follow of alice (not dave's) and then a follow of dave.
      await (await registry.connect(dave).follow(4, 1)).wait();
      await (await registry.connect(alice).react(1, postId(1n, 2n), 1)).wait();
      await (await registry.connect(alice).unfollow(1, 4)).wait();
      await (await registry.connect(alice).follow(1, 4)).wait();
      await indexer.sync.syncToHead();
      expect((await stream.first).data.notificationCreated).to.deep.equal({
        kind: "FOLLOW",
        recipientId: "4",
        actor: { handle: "alice" },
      });
      await stream.close();
    });

    it("refuses a subscription to kinds that do not exist", async function () {
      const response = await api.yoga.fetch("http://api/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", accept: "text/event-stream" },
        body: JSON.stringify({
          query: `subscription { notificationCreated(profileId: "1", kinds: ["NOPE"]) { kind } }`,
        }),
      });
      const text = await response.text();
      expect(text).to.match(/unknown kinds NOPE/);
    });

    it("leave out what profiles the recipient blocked or muted did, until it lifts them", async function () {
      const [, alice] = signers;
      const seen = async () =>
        (
          await data(`{ notifications(handle: "alice", first: 100) { nodes { kind actorId } } }`)
        ).notifications.nodes.map((n: Json) => `${n.kind} by ${n.actorId}`) as string[];
      const all = await seen();
      expect(all).to.include.members(["REPLY by 2", "REACTION by 2", "QUOTE by 3", "FOLLOW by 3"]);

      await (await moderation.connect(alice).blockProfile(1, 2)).wait();
      await (await moderation.connect(alice).muteProfile(1, 3)).wait();
      await indexer.sync.syncToHead();
      expect(await seen()).to.deep.equal(
        all.filter((n) => !n.endsWith(" by 2") && !n.endsWith(" by 3")),
      );

      await (await moderation.connect(alice).unblockProfile(1, 2)).wait();
      await (await moderation.connect(alice).unmuteProfile(1, 3)).wait();
      await indexer.sync.syncToHead();
      expect(await seen()).to.deep.equal(all);
    });

    it("tell a profile it was mentioned once the post's document resolves, filtered and live", async function () {
      const [, alice, bob, , dave] = signers;
      const doc = (body: object) =>
        `data:application/json;base64,${Buffer.from(JSON.stringify(body)).toString("base64")}`;
      const mentionsOf = async (handle: string) =>
        (
          await data(
            `query($handle: String!) { notifications(handle: $handle, where: { kind_in: ["MENTION"] }) {
               nodes { kind actor { handle } postId } } }`,
            { handle },
          )
        ).notifications.nodes;
      const stream = await subscribeSse(
        api,
        `subscription { notificationCreated(profileId: "1", kinds: ["MENTION"]) { kind recipientId actor { handle } postId } }`,
        "notifications",
      );
      await (await moderation.connect(alice).muteProfile(1, 4)).wait();
      // bob names alice twice, himself and dave; dave, whom alice muted, names alice.
      await (
        await registry.connect(bob).post(2, doc({ text: "hi", mentions: [1, "1", 2, "4"] }))
      ).wait();
      await (await registry.connect(dave).post(4, doc({ text: "psst", mentions: [1] }))).wait();
      await indexer.sync.syncToHead();
      const [bobsPost] = (
        await data(`{ posts(where: { authorId: "2" }, first: 1) { nodes { id } } }`)
      ).posts.nodes;
      const [davesPost] = (
        await data(`{ posts(where: { authorId: "4" }, first: 1) { nodes { id } } }`)
      ).posts.nodes;
      // Unresolved documents name no one yet.
      expect(await mentionsOf("alice")).to.deep.equal([]);

      while ((await indexer.content.step()) > 0);
      const byBob = { kind: "MENTION", actor: { handle: "bob" }, postId: bobsPost.id };
      expect(await mentionsOf("alice")).to.deep.equal([byBob]);
      expect(await mentionsOf("dave")).to.deep.equal([byBob]);
      expect(await mentionsOf("bob")).to.deep.equal([]);
      expect((await stream.first).data.notificationCreated).to.deep.equal({
        ...byBob,
        recipientId: "1",
      });
      await stream.close();

      // Among the other kinds, in chain order, a page at a time.
      const page = await data(
        `{ notifications(id: "1", first: 1) { nodes { kind postId } pageInfo { hasNextPage } } }`,
      );
      expect(page.notifications).to.deep.equal({
        nodes: [{ kind: "MENTION", postId: bobsPost.id }],
        pageInfo: { hasNextPage: true },
      });

      await (await moderation.connect(alice).unmuteProfile(1, 4)).wait();
      await indexer.sync.syncToHead();
      expect(await mentionsOf("alice")).to.deep.equal([
        { kind: "MENTION", actor: { handle: "dave" }, postId: davesPost.id },
        byBob,
      ]);
    });

    it("tell a profile of tips it received and trades of its coin, linking each address to its profile", async function () {
      // frank (a new profile) has a coin; dave (a profile) buys it and tips frank; grace, who
      // owns no profile, tips frank too.
      const [, , , , dave, , frank, grace] = signers;
      await (await registry.connect(frank).register("frank", "")).wait();
      const frankId = await registry.profileIdOf(frank.address);
      await (await factory.connect(frank).launch(frankId, 0, 0, 2n ** 40n)).wait();
      const coin = (await factory.coinOf(frankId)).toLowerCase();
      const bought = 10n ** 16n;
      await (
        await CreatorCoin__factory.connect(coin, dave).buyExactIn(0, 2n ** 40n, dave.address, {
          value: bought,
        })
      ).wait();
      await (
        await jar.connect(dave).tipETH(frankId, "from dave", { value: 3n * 10n ** 15n })
      ).wait();
      await (await jar.connect(grace).tipETH(frankId, "", { value: 10n ** 15n })).wait();
      await indexer.sync.syncToHead();

      const result = await data(
        `{ notifications(handle: "frank") { nodes {
             kind actorId actorAddress actorAddressProfile { handle } amount token coinAddress isBuy } }
           dave: portfolio(address: "${address.dave}") { holder holderProfile { handle } coinCount }
           grace: portfolio(address: "${grace.address}") { holder holderProfile { handle } coinCount } }`,
      );
      const ETH = "0x0000000000000000000000000000000000000000";
      const tip = (from: string, handle: string | null, amount: bigint) => ({
        kind: "TIP",
        actorId: null,
        actorAddress: from.toLowerCase(),
        actorAddressProfile: handle === null ? null : { handle },
        amount: amount.toString(),
        token: ETH,
        coinAddress: null,
        isBuy: null,
      });
      expect(result.notifications.nodes).to.deep.equal([
        tip(grace.address, null, 10n ** 15n),
        tip(dave.address, "dave", 3n * 10n ** 15n),
        {
          kind: "TRADE",
          actorId: null,
          actorAddress: address.dave.toLowerCase(),
          actorAddressProfile: { handle: "dave" },
          amount: bought.toString(),
          token: null,
          coinAddress: coin,
          isBuy: true,
        },
      ]);
      expect(result.dave).to.deep.equal({
        holder: address.dave.toLowerCase(),
        holderProfile: { handle: "dave" },
        coinCount: 1,
      });
      expect(result.grace).to.deep.equal({
        holder: grace.address.toLowerCase(),
        holderProfile: null,
        coinCount: 0,
      });
    });
  });
});
