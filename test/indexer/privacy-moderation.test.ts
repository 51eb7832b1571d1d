import { expect } from "chai";
import hre from "hardhat";
import pg from "pg";
import pino from "pino";
import { AbiCoder, concat, type BaseContract, type Signer } from "ethers";
import type { AbiEvent } from "viem";
import { deploySuite, type Suite } from "../../deploy/suite";
import { createApi, type Api } from "../../indexer/graphql/api";
import { createReadPool } from "../../indexer/graphql/database";
import { visibleToSql } from "../../indexer/graphql/moderation";
import { MESSAGING_EVENTS } from "../../indexer/handlers/messaging";
import { MODERATION_EVENTS } from "../../indexer/handlers/moderation";
import type { Indexer } from "../../indexer/indexer";
import {
  PUBLISH_KEY_TYPES,
  bytesToHex,
  decryptMessage,
  encryptMessage,
  hexToBytes,
  keyDerivationMessage,
  keyPairFromSignature,
  messagingDomain,
  randomMessagingKeyPair,
  readEnvelopeHeader,
  type MessageParties,
  type MessagingKeyPair,
} from "../../sdk/messaging";
import {
  checksumTables,
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

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
interface GraphQLReply {
  data?: Json;
  errors?: { message: string; extensions?: { code?: string } }[];
}

const signature = (event: AbiEvent) =>
  `${event.name}(${event.inputs.map((i) => `${i.indexed ? "indexed " : ""}${i.type} ${i.name}`).join(", ")})`;

/** A list name no UTF-8 decoder keeps as it is: invalid bytes, NUL, a bidi override. */
const HOSTILE_NAME = Buffer.concat([
  Buffer.from("spam "),
  Buffer.from([0xff, 0x00, 0xc3]),
  Buffer.from("\u202Egnp.exe"),
]);

describe("indexer and API: encrypted messages and personal moderation", function () {
  let suite: Suite;
  let rpc: RpcServer;
  let db: TestDatabase;
  let indexer: Indexer;
  let pool: pg.Pool;
  let api: Api;
  let deploymentFile: string;
  const logger = pino({ level: "silent" });
  const id = { alice: 1n, bob: 2n, carol: 3n, mallory: 4n, dave: 5n, erin: 6n };
  const keys: Record<string, MessagingKeyPair> = {};
  const posts: Record<string, bigint> = {};
  /** What was sent, in chain order: who wrote, and the text. */
  const sent: { from: bigint; to: bigint; text: string }[] = [];

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
    return reply.data!;
  }

  /** Sends `name(args)` with string arguments given as raw bytes, as calldata allows. */
  async function sendRaw(contract: BaseContract, signer: Signer, name: string, args: unknown[]) {
    const fragment = contract.interface.getFunction(name)!;
    const types = fragment.inputs.map((input) =>
      input.format("sighash").replace(/\bstring\b/g, "bytes"),
    );
    const data = concat([fragment.selector, AbiCoder.defaultAbiCoder().encode(types, args)]);
    await (await signer.sendTransaction({ to: await contract.getAddress(), data })).wait();
  }

  /** The parties of a message between two profiles, with the keys the envelope names. */
  async function partiesOf(message: Json): Promise<MessageParties> {
    const header = readEnvelopeHeader(hexToBytes(message.ciphertext));
    const keyOf = async (profileId: string, version: number) => {
      const { messagingKeys } = await data(
        `query ($p: BigInt!, $v: BigInt!) { messagingKeys(where: { profileId: $p, keyVersion: $v }) { nodes { publicKey } } }`,
        { p: profileId, v: String(version) },
      );
      return hexToBytes(messagingKeys.nodes[0].publicKey);
    };
    return {
      fromId: BigInt(message.fromId),
      toId: BigInt(message.toId),
      senderPublicKey: await keyOf(message.fromId, header.senderKeyVersion),
      senderKeyVersion: header.senderKeyVersion,
      recipientPublicKey: await keyOf(message.toId, header.recipientKeyVersion),
      recipientKeyVersion: header.recipientKeyVersion,
    };
  }

  before(async function () {
    const [deployer, alice, bob, carol, mallory, dave, erin] = await hre.ethers.getSigners();
    suite = await deploySuite(deployer);
    const registry = suite.profileRegistry.contract;
    const messaging = suite.messaging.contract;
    const moderation = suite.moderation.contract;
    const signers = { alice, bob, carol, mallory, dave, erin };
    for (const [name, signer] of Object.entries(signers)) {
      await (await registry.connect(signer).register(`pm_${name}`, `ipfs://${name}`)).wait();
    }
    const { chainId } = await hre.ethers.provider.getNetwork();

    // Alice derives her key from a wallet signature; bob keeps a random key and publishes it
    // with a signature that carol relays; carol and mallory publish their own.
    const derivation = keyDerivationMessage({
      profileId: id.alice,
      keyVersion: 1n,
      chainId,
      messaging: suite.messaging.address,
    });
    keys.alice = keyPairFromSignature(await alice.signMessage(derivation));
    expect(keyPairFromSignature(await alice.signMessage(derivation)).secretKey).to.deep.equal(
      keys.alice.secretKey,
    );
    await (await messaging.connect(alice).publishKey(id.alice, keys.alice.publicKey)).wait();
    keys.bob = randomMessagingKeyPair();
    const domain = messagingDomain(chainId, suite.messaging.address);
    const deadline = BigInt((await hre.ethers.provider.getBlock("latest"))!.timestamp) + 3600n;
    const value = {
      profileId: id.bob,
      publicKey: bytesToHex(keys.bob.publicKey),
      nonce: await messaging.nonces(bob.address),
      deadline,
    };
    const signed = await bob.signTypedData(domain, PUBLISH_KEY_TYPES, value);
    // A forged publication for bob, signed by mallory, is refused on chain.
    const forgedKey = randomMessagingKeyPair();
    const forged = await mallory.signTypedData(domain, PUBLISH_KEY_TYPES, {
      ...value,
      publicKey: bytesToHex(forgedKey.publicKey),
    });
    await expect(
      messaging.connect(mallory).publishKeyFor(id.bob, forgedKey.publicKey, deadline, forged),
    ).to.be.revertedWithCustomError(messaging, "MessagingSignatureInvalid");
    await (
      await messaging.connect(carol).publishKeyFor(id.bob, keys.bob.publicKey, deadline, signed)
    ).wait();
    keys.carol = randomMessagingKeyPair();
    await (await messaging.connect(carol).publishKey(id.carol, keys.carol.publicKey)).wait();
    keys.mallory = randomMessagingKeyPair();
    await (await messaging.connect(mallory).publishKey(id.mallory, keys.mallory.publicKey)).wait();

    const write = async (
      from: keyof typeof signers,
      to: keyof typeof signers,
      text: string,
      versions: [number, number],
    ) => {
      const parties: MessageParties = {
        fromId: id[from],
        toId: id[to],
        senderPublicKey: keys[from].publicKey,
        senderKeyVersion: versions[0],
        recipientPublicKey: keys[to].publicKey,
        recipientKeyVersion: versions[1],
      };
      const ciphertext = encryptMessage(text, keys[from].secretKey, parties);
      await (
        await messaging.connect(signers[from]).sendMessage(id[from], id[to], ciphertext)
      ).wait();
      sent.push({ from: id[from], to: id[to], text });
      return ciphertext;
    };
    const first = await write("alice", "bob", "Hi Bob, this stays between us.", [1, 1]);
    await write("bob", "alice", "Agreed. ünïcödé and emoji 🫖 too.", [1, 1]);
    await write("alice", "bob", "x".repeat(1000), [1, 1]);
    // Bob rotates his key; alice writes to the new one.
    keys.bobOld = keys.bob;
    keys.bob = randomMessagingKeyPair();
    await (await messaging.connect(bob).publishKey(id.bob, keys.bob.publicKey)).wait();
    await write("alice", "bob", "To your new key.", [1, 2]);
    // Mallory replays alice's first ciphertext as her own, then a tampered copy of it.
    const tampered = Uint8Array.from(first);
    tampered[tampered.length - 20] ^= 0x01;
    for (const ciphertext of [first, tampered]) {
      await (await messaging.connect(mallory).sendMessage(id.mallory, id.bob, ciphertext)).wait();
    }

    // Moderation: carol blocks mallory (after a block, unblock, block), mutes bob, and
    // subscribes to dave's list holding alice; erin blocks carol.
    await (await moderation.connect(carol).blockProfile(id.carol, id.mallory)).wait();
    await (await moderation.connect(carol).unblockProfile(id.carol, id.mallory)).wait();
    await (await moderation.connect(carol).blockProfile(id.carol, id.mallory)).wait();
    await (await moderation.connect(carol).muteProfile(id.carol, id.bob)).wait();
    await (await moderation.connect(dave).muteProfile(id.dave, id.bob)).wait();
    await (await moderation.connect(dave).unmuteProfile(id.dave, id.bob)).wait();
    await sendRaw(moderation, dave, "createList", [id.dave, HOSTILE_NAME]);
    await (await moderation.connect(dave).addListMembers(1n, [id.alice, id.erin])).wait();
    await (await moderation.connect(dave).removeListMembers(1n, [id.erin])).wait();
    await (await moderation.connect(carol).subscribeList(id.carol, 1n)).wait();
    await (await moderation.connect(dave).createList(id.dave, "old name")).wait();
    await (await moderation.connect(dave).renameList(2n, "new name")).wait();
    await (await moderation.connect(erin).blockProfile(id.erin, id.carol)).wait();
    // Bob blocks mallory after her replayed messages: his inbox, seen as himself, hides her.
    await (await moderation.connect(bob).blockProfile(id.bob, id.mallory)).wait();

    for (const [name, signer] of Object.entries(signers)) {
      const profile = id[name as keyof typeof id];
      await (await registry.connect(signer).post(profile, `ipfs://${name}-post`)).wait();
      posts[name] = (profile << 64n) | 1n;
    }
    // Replies and quotes of carol's post: what a notification of carol would gather.
    for (const name of ["mallory", "bob", "dave", "alice"] as const) {
      const profile = id[name];
      await (
        await registry
          .connect(signers[name])
          .postWithRefs(profile, `ipfs://${name}-reply`, posts.carol, 0n)
      ).wait();
    }
    await (
      await registry
        .connect(mallory)
        .postWithRefs(id.mallory, "ipfs://mallory-quote", 0n, posts.carol)
    ).wait();

    rpc = await serveProvider(hre.network.provider);
    db = await createTestDatabase("privacy_moderation");
    deploymentFile = writeSuiteDeployment(31337, suite);
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

  it("decodes the events of the compiled IModeration and IMessaging interfaces", async function () {
    for (const [name, events] of [
      ["IModeration", MODERATION_EVENTS],
      ["IMessaging", MESSAGING_EVENTS],
    ] as const) {
      const artifact = await hre.artifacts.readArtifact(name);
      const compiled = (artifact.abi as AbiEvent[]).filter((item) => item.type === "event");
      expect(events.map(signature).sort(), name).to.deep.equal(compiled.map(signature).sort());
    }
  });

  describe("messages", function () {
    it("round trip: both parties read the conversation from the API, every message in order", async function () {
      const { conversation } = await data(
        `query ($a: BigInt!, $b: BigInt!) { conversation(profileId: $a, counterpartId: $b, orderDirection: asc) {
          nodes { fromId toId ciphertext size timestamp from { handle } to { handle } } } }`,
        { a: String(id.bob), b: String(id.alice) },
      );
      const between = sent.filter((m) => m.from !== id.mallory);
      expect(conversation.nodes).to.have.length(between.length);
      for (const [i, message] of conversation.nodes.entries()) {
        expect(message.fromId).to.equal(String(between[i].from));
        expect(message.size).to.equal(hexToBytes(message.ciphertext).length);
        const parties = await partiesOf(message);
        const aliceReads = decryptMessage(
          hexToBytes(message.ciphertext),
          keys.alice.secretKey,
          parties,
        );
        const bobKey = parties.senderKeyVersion === 2 || parties.recipientKeyVersion === 2;
        const bobReads = decryptMessage(
          hexToBytes(message.ciphertext),
          (bobKey ? keys.bob : keys.bobOld).secretKey,
          parties,
        );
        expect(aliceReads).to.equal(between[i].text);
        expect(bobReads).to.equal(between[i].text);
      }
    });

    it("a third party cannot read a message, not even with its own key put in place of one", async function () {
      const { conversation } = await data(
        `{ conversation(profileId: 1, counterpartId: 2, first: 1, orderDirection: asc) { nodes { fromId toId ciphertext } } }`,
      );
      const [message] = conversation.nodes;
      const parties = await partiesOf(message);
      const ciphertext = hexToBytes(message.ciphertext);
      expect(() => decryptMessage(ciphertext, keys.carol.secretKey, parties)).to.throw(
        /neither party/,
      );
      expect(() =>
        decryptMessage(ciphertext, keys.carol.secretKey, {
          ...parties,
          recipientPublicKey: keys.carol.publicKey,
        }),
      ).to.throw(/does not authenticate/);
      // The plaintext appears nowhere in the database.
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        const { rows } = await client.query(
          "SELECT count(*)::int AS n FROM messages WHERE position(convert_to($1, 'UTF8') IN ciphertext) > 0",
          ["stays between us"],
        );
        expect(rows[0].n).to.equal(0);
      } finally {
        await client.end();
      }
    });

    it("a replayed or tampered ciphertext does not open", async function () {
      const { conversation } = await data(
        `{ conversation(profileId: 2, counterpartId: 4, orderDirection: asc) { nodes { fromId toId ciphertext } } }`,
      );
      expect(conversation.nodes).to.have.length(2);
      for (const message of conversation.nodes) {
        const parties = await partiesOf(message);
        expect(() =>
          decryptMessage(hexToBytes(message.ciphertext), keys.bobOld.secretKey, parties),
        ).to.throw(/does not authenticate/);
      }
    });

    it("lists a profile's conversations, newest first, and its key history", async function () {
      const { profile, conversations } = await data(
        `{ conversations(profileId: 2) { nodes { counterpartId messageCount counterpart { handle } lastMessage { fromId } } }
           profile(id: 2) { messagingKey { keyVersion publicKey } messagingKeys(orderDirection: asc) { nodes { keyVersion } } } }`,
      );
      expect(conversations.nodes).to.deep.equal([
        {
          counterpartId: "4",
          messageCount: 2,
          counterpart: { handle: "pm_mallory" },
          lastMessage: { fromId: "4" },
        },
        {
          counterpartId: "1",
          messageCount: 4,
          counterpart: { handle: "pm_alice" },
          lastMessage: { fromId: "1" },
        },
      ]);
      expect(profile.messagingKey).to.deep.equal({
        keyVersion: "2",
        publicKey: bytesToHex(keys.bob.publicKey),
      });
      expect(profile.messagingKeys.nodes.map((k: Json) => k.keyVersion)).to.deep.equal(["1", "2"]);
    });

    it("leaves a blocked counterpart out of a viewer's conversations, saying why", async function () {
      const { own, carols } = await data(
        `{ own: conversations(profileId: 2, viewer: 2) { nodes { counterpartId } hidden { reason profileId count } }
           carols: conversations(profileId: 2, viewer: 3) { nodes { counterpartId } hidden { reason profileId listId count } } }`,
      );
      expect(own.nodes).to.deep.equal([{ counterpartId: "1" }]);
      expect(own.hidden).to.deep.equal([{ reason: "BLOCKED", profileId: "4", count: 1 }]);
      expect(carols.nodes).to.deep.equal([]);
      expect(carols.hidden).to.have.deep.members([
        { reason: "BLOCKED", profileId: "4", listId: null, count: 1 },
        { reason: "LIST", profileId: "1", listId: "1", count: 1 },
      ]);
      const unknown = await gql(
        `{ conversations(profileId: 2, viewer: 77) { nodes { counterpartId } } }`,
      );
      expect(unknown.errors![0].extensions?.code).to.equal("PROFILE_NOT_FOUND");
    });

    it("answers unknown profiles by name", async function () {
      const reply = await gql(
        `{ conversation(profileId: 1, counterpartId: 99) { nodes { size } } }`,
      );
      expect(reply.errors![0].extensions?.code).to.equal("PROFILE_NOT_FOUND");
      expect(reply.errors![0].message).to.equal("no profile has the id 99");
    });
  });

  describe("live messages", function () {
    it("streams each message a profile sends or receives, and only those, to its subscription", async function () {
      const [, , bob, , mallory] = await hre.ethers.getSigners();
      const signers = { bob, mallory };
      const messaging = suite.messaging.contract;
      const stream = await subscribeSse(
        api,
        `subscription { messageSent(profileId: "${id.mallory}") { fromId toId ciphertext from { handle } } }`,
        "messages",
      );
      // Bob's key is at version 2 since he rotated it; the others' at 1.
      const version = (name: string) => (name === "bob" ? 2 : 1);
      const write = async (
        from: "bob" | "mallory",
        to: "alice" | "bob" | "mallory",
        text: string,
      ) => {
        const parties: MessageParties = {
          fromId: id[from],
          toId: id[to],
          senderPublicKey: keys[from].publicKey,
          senderKeyVersion: version(from),
          recipientPublicKey: keys[to].publicKey,
          recipientKeyVersion: version(to),
        };
        const ciphertext = encryptMessage(text, keys[from].secretKey, parties);
        await (
          await messaging.connect(signers[from]).sendMessage(id[from], id[to], ciphertext)
        ).wait();
        return parties;
      };
      // Not mallory's: left out of her stream.
      await write("bob", "alice", "not for mallory");
      const fromMallory = await write("mallory", "bob", "from mallory, live");
      const toMallory = await write("bob", "mallory", "to mallory, live");
      try {
        await indexer.sync.syncToHead();
        // This API never polls (fallbackPollMs: 0): only the commit's notification wakes it.
        const first = (await stream.first).data.messageSent;
        const second = (await stream.next()).data.messageSent;
        expect([first.fromId, first.toId, first.from.handle]).to.deep.equal([
          String(id.mallory),
          String(id.bob),
          "pm_mallory",
        ]);
        expect([second.fromId, second.toId]).to.deep.equal([String(id.bob), String(id.mallory)]);
        expect(
          decryptMessage(hexToBytes(first.ciphertext), keys.mallory.secretKey, fromMallory),
        ).to.equal("from mallory, live");
        expect(
          decryptMessage(hexToBytes(second.ciphertext), keys.mallory.secretKey, toMallory),
        ).to.equal("to mallory, live");
      } finally {
        await stream.close();
      }
    });

    it("refuses a subscription for an unknown profile by name", async function () {
      const response = await api.yoga.fetch("http://api/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", accept: "text/event-stream" },
        body: JSON.stringify({ query: `subscription { messageSent(profileId: "99") { size } }` }),
      });
      const body = await response.text();
      expect(body).to.contain("PROFILE_NOT_FOUND");
      expect(body).to.contain("no profile has the id 99");
    });
  });

  describe("moderation", function () {
    it("leaves blocked, blocking, muted and listed profiles out of a viewer's feed, saying why", async function () {
      const query = `query ($viewer: BigInt) { posts(where: { parentId: null, quotedId: null }, viewer: $viewer) {
        nodes { authorId } hidden { reason profileId listId count profile { handle } } } }`;
      const everyone = await data(query);
      expect(everyone.posts.nodes).to.have.length(6);
      expect(everyone.posts.hidden).to.equal(null);
      const { posts: seen } = await data(query, { viewer: String(id.carol) });
      expect(seen.nodes.map((p: Json) => p.authorId)).to.deep.equal(["5", "3"]);
      expect(seen.hidden).to.deep.equal([
        {
          reason: "BLOCKED",
          profileId: "4",
          listId: null,
          count: 1,
          profile: { handle: "pm_mallory" },
        },
        {
          reason: "BLOCKED_BY",
          profileId: "6",
          listId: null,
          count: 1,
          profile: { handle: "pm_erin" },
        },
        { reason: "LIST", profileId: "1", listId: "1", count: 1, profile: { handle: "pm_alice" } },
        { reason: "MUTED", profileId: "2", listId: null, count: 1, profile: { handle: "pm_bob" } },
      ]);
      // Dave unmuted bob and took erin off his list: neither hides anything from dave.
      const { posts: daves } = await data(query, { viewer: String(id.dave) });
      expect(daves.nodes).to.have.length(6);
      expect(daves.hidden).to.deep.equal([]);
    });

    it("counts what was hidden within each page's span", async function () {
      const query = `query ($after: String) { posts(where: { parentId: null, quotedId: null }, viewer: 3, first: 1, after: $after) {
        nodes { authorId } pageInfo { endCursor hasNextPage } hidden { profileId count } } }`;
      const first = (await data(query)).posts;
      // Newest first: erin (hidden), dave, mallory (hidden), carol, bob and alice (hidden).
      expect(first.nodes.map((p: Json) => p.authorId)).to.deep.equal(["5"]);
      expect(first.hidden).to.deep.equal([{ profileId: "6", count: 1 }]);
      const second = (await data(query, { after: first.pageInfo.endCursor })).posts;
      expect(second.nodes.map((p: Json) => p.authorId)).to.deep.equal(["3"]);
      // The last page's span runs to the end: what lies beyond its last row is counted too.
      expect(second.pageInfo.hasNextPage).to.equal(false);
      expect(second.hidden).to.deep.equal([
        { profileId: "4", count: 1 },
        { profileId: "1", count: 1 },
        { profileId: "2", count: 1 },
      ]);
    });
    it("filters replies, quotes and search for the viewer", async function () {
      const { post, searchProfiles } = await data(
        `query ($post: BigInt!) {
          post(id: $post) {
            replies(viewer: 3, orderDirection: asc) { nodes { authorId } hidden { reason profileId } }
            all: replies { nodes { authorId } hidden { reason } }
            quotes(viewer: 3) { nodes { authorId } hidden { reason profileId count } }
          }
          searchProfiles(prefix: "pm_", viewer: 3) { nodes { handle } hidden { reason profileId } }
        }`,
        { post: String(posts.carol) },
      );
      expect(post.replies.nodes.map((p: Json) => p.authorId)).to.deep.equal(["5"]);
      expect(post.replies.hidden).to.deep.equal([
        { reason: "BLOCKED", profileId: "4" },
        { reason: "LIST", profileId: "1" },
        { reason: "MUTED", profileId: "2" },
      ]);
      expect(post.all.nodes).to.have.length(4);
      expect(post.all.hidden).to.equal(null);
      expect(post.quotes.nodes).to.deep.equal([]);
      expect(post.quotes.hidden).to.deep.equal([{ reason: "BLOCKED", profileId: "4", count: 1 }]);
      expect(searchProfiles.nodes.map((p: Json) => p.handle)).to.deep.equal([
        "pm_carol",
        "pm_dave",
      ]);
      expect(searchProfiles.hidden).to.deep.equal([
        { reason: "BLOCKED", profileId: "4" },
        { reason: "BLOCKED_BY", profileId: "6" },
        { reason: "LIST", profileId: "1" },
        { reason: "MUTED", profileId: "2" },
      ]);
    });

    it("gives notifications one rule to apply: a blocked profile's replies and quotes do not reach the blocker", async function () {
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        const { rows } = await client.query(
          `SELECT p.author_id::text AS author FROM posts p
           WHERE (p.parent_id = $1::numeric OR p.quoted_id = $1::numeric)
             AND ${visibleToSql("$2::numeric", "p.author_id")}
           ORDER BY p.block_number`,
          [posts.carol.toString(), id.carol.toString()],
        );
        expect(rows.map((row) => row.author)).to.deep.equal(["5"]);
      } finally {
        await client.end();
      }
    });

    it("serves blocks, mutes, lists with their exact names, members and subscriptions", async function () {
      const result = await data(`{
        blocks(orderDirection: asc) { nodes { profileId targetId } }
        mutes { nodes { profileId targetId } }
        moderationLists { nodes { id ownerId name nameBytes owner { handle }
          members { nodes { memberId } } subscriptions { nodes { profileId } } } }
        hiddenReason(viewer: 3, profileId: 4)
        visible: hiddenReason(viewer: 3, profileId: 5)
      }`);
      expect(result.blocks.nodes).to.deep.equal([
        { profileId: "3", targetId: "4" },
        { profileId: "6", targetId: "3" },
        { profileId: "2", targetId: "4" },
      ]);
      expect(result.mutes.nodes).to.deep.equal([{ profileId: "3", targetId: "2" }]);
      const [hostile, renamed] = result.moderationLists.nodes;
      expect(hostile.nameBytes).to.equal("0x" + HOSTILE_NAME.toString("hex"));
      expect(hostile.name).to.not.include("\u0000");
      expect(hostile.members.nodes).to.deep.equal([{ memberId: "1" }]);
      expect(hostile.subscriptions.nodes).to.deep.equal([{ profileId: "3" }]);
      expect(renamed).to.include({
        id: "2",
        name: "new name",
        nameBytes: "0x" + Buffer.from("new name").toString("hex"),
      });
      expect(result.hiddenReason).to.equal("BLOCKED");
      expect(result.visible).to.equal(null);
    });

    it("refuses an unknown viewer by name", async function () {
      const reply = await gql(`{ posts(viewer: 77) { nodes { id } } }`);
      expect(reply.errors![0].extensions?.code).to.equal("PROFILE_NOT_FOUND");
      expect(reply.errors![0].message).to.equal("no profile has the id 77");
    });
  });

  describe("on a reorg", function () {
    it("rolls blocks, mutes, lists, keys and messages back to the common ancestor", async function () {
      const provider = hre.network.provider;
      const [, alice, bob, carol, , dave, erin] = await hre.ethers.getSigners();
      const moderation = suite.moderation.contract;
      const messaging = suite.messaging.contract;
      const forkPoint = (await provider.request({ method: "evm_snapshot", params: [] })) as string;
      // Chain A changes every current-state table the two contracts feed.
      await (await moderation.connect(carol).unblockProfile(id.carol, id.mallory)).wait();
      await (await moderation.connect(carol).unmuteProfile(id.carol, id.bob)).wait();
      await (await moderation.connect(dave).renameList(1n, "renamed on A")).wait();
      await (await moderation.connect(dave).removeListMembers(1n, [id.alice])).wait();
      await (await moderation.connect(carol).unsubscribeList(id.carol, 1n)).wait();
      await (await messaging.connect(bob).revokeKey(id.bob)).wait();
      await (await messaging.connect(alice).sendMessage(id.alice, id.carol, "0x0102")).wait();
      await indexer.sync.syncToHead();
      expect((await data(`{ hiddenReason(viewer: 3, profileId: 4) }`)).hiddenReason).to.equal(null);

      expect(await provider.request({ method: "evm_revert", params: [forkPoint] })).to.equal(true);
      // Chain B, longer, touches other pairs only: the rollback alone restores carol's view.
      for (let i = 0; i < 5; i++) {
        await (await moderation.connect(erin).unblockProfile(id.erin, id.carol)).wait();
        await (await moderation.connect(erin).blockProfile(id.erin, id.carol)).wait();
      }
      await (await moderation.connect(dave).createList(id.dave, "made on B")).wait();
      await indexer.sync.syncToHead();

      const fresh = await createTestDatabase("privacy_moderation_fresh");
      try {
        const replay = await indexToHead(
          testConfig(testEnv({ rpcUrl: rpc.url, databaseUrl: fresh.url, deploymentFile })),
        );
        await replay.stop();
        expect(await checksumTables(db.url)).to.deep.equal(await checksumTables(fresh.url));
      } finally {
        await fresh.drop();
      }
      expect((await data(`{ hiddenReason(viewer: 3, profileId: 4) }`)).hiddenReason).to.equal(
        "BLOCKED",
      );
      const { conversations } = await data(
        `{ conversations(profileId: 3) { nodes { counterpartId } } }`,
      );
      expect(conversations.nodes).to.deep.equal([]);
    });
  });
});
