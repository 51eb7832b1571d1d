import { expect } from "chai";
import hre from "hardhat";
import pg from "pg";
import type { ContractTransactionResponse } from "ethers";
import { deploySuite } from "../../deploy/suite";
import {
  HANDLE_COOLDOWN_SECONDS,
  RECOVERY_DELAY_SECONDS,
  RECOVERY_OFFER_PERIOD_SECONDS,
} from "../../sdk/handles";
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

const ZERO = "0x0000000000000000000000000000000000000000";

/** Where a transaction's n-th log sits on chain, as the indexer must record it. */
async function trace(tx: ContractTransactionResponse, n = 0) {
  const receipt = (await tx.wait())!;
  const log = receipt.logs[n];
  return {
    block_number: String(receipt.blockNumber),
    tx_hash: receipt.hash.toLowerCase(),
    log_index: log.index,
  };
}

/** The timestamp of the block that mined `tx`, as a decimal string. */
async function minedAt(tx: ContractTransactionResponse, plus = 0): Promise<string> {
  const receipt = (await tx.wait())!;
  const block = await hre.ethers.provider.getBlock(receipt.blockNumber);
  return String(BigInt(block!.timestamp) + BigInt(plus));
}

describe("indexer: profiles and social graph", function () {
  let rpc: RpcServer;
  let db: TestDatabase;
  let indexer: Indexer;
  let client: pg.Client;
  let registry: ProfileRegistry;
  const expected: Record<string, unknown> = {};

  before(async function () {
    const [deployer, alice, bob, carol, dave, rescuer, erin, frank] = await hre.ethers.getSigners();
    const suite = await deploySuite(deployer);
    registry = suite.profileRegistry.contract;
    const as = (signer: typeof alice) => registry.connect(signer);
    const address = (signer: typeof alice) => signer.address.toLowerCase();

    const aliceReg = await as(alice).register("alice", "ipfs://alice");
    const bobReg = await as(bob).register("bob", "ipfs://bob");
    const carolReg = await as(carol).register("carol", "ipfs://carol");
    const rename = await as(alice).changeHandle(1, "alice_2");
    const meta = await as(bob).setMetadataURI(2, "ipfs://bob-v2");
    const recovery = await as(carol).setRecovery(3, rescuer.address);
    const offerExpiry = BigInt((await hre.ethers.provider.getBlock("latest"))!.timestamp) + 86_400n;
    const offer = await as(bob).offerTransfer(2, dave.address, offerExpiry);
    const accepted = await as(dave).acceptTransfer(2);
    const recoveryOffer = await as(rescuer).recover(3, erin.address);
    const recovered = await as(erin).acceptTransfer(3);
    const daveRecovery = await as(dave).setRecovery(2, rescuer.address);
    const scheduled = await as(dave).setRecovery(2, frank.address);
    const burned = await as(alice).burnNonce();

    const post = await as(alice).post(1, "ipfs://hello");
    const reply = await as(dave).postWithRefs(2, "ipfs://reply", (1n << 64n) | 1n, 0);
    const quote = await as(alice).postWithRefs(1, "ipfs://quote", 0, (2n << 64n) | 1n);
    const retract = await as(alice).retract((1n << 64n) | 2n);
    const follow1 = await as(alice).follow(1, 2);
    const follow2 = await as(dave).follow(2, 1);
    const unfollow = await as(dave).unfollow(2, 1);
    const like = await as(dave).react(2, (1n << 64n) | 1n, 1);
    const likeQuote = await as(dave).react(2, (1n << 64n) | 2n, 1);
    const unlike = await as(dave).react(2, (1n << 64n) | 2n, 0);
    const pendingOffer = await as(alice).offerTransfer(1, carol.address, hre.ethers.MaxUint256);

    Object.assign(expected, {
      aliceReg: await trace(aliceReg),
      bobReg: await trace(bobReg),
      carolReg: await trace(carolReg),
      rename: await trace(rename),
      meta: await trace(meta),
      recovery: await trace(recovery),
      renameFreeAt: await minedAt(rename, HANDLE_COOLDOWN_SECONDS),
      offer: await trace(offer),
      offerExpiry: String(offerExpiry),
      accepted: await trace(accepted),
      recoveryOffer: await trace(recoveryOffer),
      recoveryOfferExpiry: await minedAt(recoveryOffer, RECOVERY_OFFER_PERIOD_SECONDS),
      recoveredClear: await trace(recovered, 0),
      recovered: await trace(recovered, 1),
      daveRecovery: await trace(daveRecovery),
      scheduled: await trace(scheduled),
      scheduledAt: await minedAt(scheduled, RECOVERY_DELAY_SECONDS),
      burned: await trace(burned),
      pendingOfferAt: await minedAt(pendingOffer),
      erin: address(erin),
      frank: address(frank),
      post: await trace(post),
      reply: await trace(reply),
      quote: await trace(quote),
      retract: await trace(retract),
      follow1: await trace(follow1),
      follow2: await trace(follow2),
      unfollow: await trace(unfollow),
      like: await trace(like),
      likeQuote: await trace(likeQuote),
      unlike: await trace(unlike),
      pendingOffer: await trace(pendingOffer),
      alice: address(alice),
      bob: address(bob),
      carol: address(carol),
      dave: address(dave),
      rescuer: address(rescuer),
    });

    rpc = await serveProvider(hre.network.provider);
    db = await createTestDatabase("idx_social");
    const deploymentFile = writeDeployment(
      31337,
      suite.profileRegistry.address,
      suite.profileRegistry.blockNumber,
    );
    indexer = await indexToHead(
      testConfig(testEnv({ rpcUrl: rpc.url, databaseUrl: db.url, deploymentFile })),
    );
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  });

  after(async function () {
    await client?.end();
    await indexer?.stop();
    await db?.drop();
    await rpc?.close();
  });

  const rows = async (sql: string) => (await client.query(sql)).rows;
  const e = (key: string) =>
    expected[key] as { block_number: string; tx_hash: string; log_index: number };

  describe("profiles", function () {
    it("keeps each profile's current owner, handle, metadata, recovery and offer", async function () {
      expect(await rows("SELECT * FROM profiles ORDER BY id")).to.deep.equal([
        {
          id: "1",
          owner: expected.alice,
          handle: "alice_2",
          metadata_uri: "ipfs://alice",
          metadata_uri_bytes: null,
          handle_bytes: null,
          recovery: null,
          next_recovery: null,
          recovery_change_at: null,
          pending_owner: expected.carol,
          offer_expires_at: String((1n << 40n) - 1n),
          offered_at: expected.pendingOfferAt,
          offer_by_recovery: false,
          ...e("aliceReg"),
          updated_block_number: e("pendingOffer").block_number,
          updated_tx_hash: e("pendingOffer").tx_hash,
          updated_log_index: e("pendingOffer").log_index,
        },
        {
          id: "2",
          owner: expected.dave,
          handle: "bob",
          metadata_uri: "ipfs://bob-v2",
          metadata_uri_bytes: null,
          handle_bytes: null,
          recovery: expected.rescuer,
          next_recovery: expected.frank,
          recovery_change_at: expected.scheduledAt,
          pending_owner: null,
          offer_expires_at: null,
          offered_at: null,
          offer_by_recovery: null,
          ...e("bobReg"),
          updated_block_number: e("scheduled").block_number,
          updated_tx_hash: e("scheduled").tx_hash,
          updated_log_index: e("scheduled").log_index,
        },
        {
          id: "3",
          owner: expected.erin,
          handle: "carol",
          metadata_uri: "ipfs://carol",
          metadata_uri_bytes: null,
          handle_bytes: null,
          recovery: null,
          next_recovery: null,
          recovery_change_at: null,
          pending_owner: null,
          offer_expires_at: null,
          offered_at: null,
          offer_by_recovery: null,
          ...e("carolReg"),
          updated_block_number: e("recovered").block_number,
          updated_tx_hash: e("recovered").tx_hash,
          updated_log_index: e("recovered").log_index,
        },
      ]);
    });

    it("records registrations, the handle history, transfers, offers and recovery changes", async function () {
      expect(
        await rows(
          "SELECT profile_id, old_handle, new_handle, old_handle_free_at, block_number, tx_hash, log_index FROM handle_changes",
        ),
      ).to.deep.equal([
        {
          profile_id: "1",
          old_handle: "alice",
          new_handle: "alice_2",
          old_handle_free_at: expected.renameFreeAt,
          ...e("rename"),
        },
      ]);
      expect(
        await rows(
          "SELECT profile_id, owner, handle, metadata_uri FROM profile_registrations ORDER BY profile_id",
        ),
      ).to.deep.equal([
        { profile_id: "1", owner: expected.alice, handle: "alice", metadata_uri: "ipfs://alice" },
        { profile_id: "2", owner: expected.bob, handle: "bob", metadata_uri: "ipfs://bob" },
        { profile_id: "3", owner: expected.carol, handle: "carol", metadata_uri: "ipfs://carol" },
      ]);
      expect(
        await rows(
          "SELECT profile_id, recovery, to_address, expires_at, block_number, tx_hash, log_index FROM profile_transfer_offers ORDER BY block_number",
        ),
      ).to.deep.equal([
        {
          profile_id: "2",
          recovery: null,
          to_address: expected.dave,
          expires_at: expected.offerExpiry,
          ...e("offer"),
        },
        {
          profile_id: "3",
          recovery: expected.rescuer,
          to_address: expected.erin,
          expires_at: expected.recoveryOfferExpiry,
          ...e("recoveryOffer"),
        },
        {
          profile_id: "1",
          recovery: null,
          to_address: expected.carol,
          expires_at: String((1n << 40n) - 1n),
          ...e("pendingOffer"),
        },
      ]);
      expect(
        await rows(
          "SELECT profile_id, from_address, to_address, block_number, tx_hash, log_index FROM profile_transfers ORDER BY block_number",
        ),
      ).to.deep.equal([
        {
          profile_id: "2",
          from_address: expected.bob,
          to_address: expected.dave,
          ...e("accepted"),
        },
        {
          profile_id: "3",
          from_address: expected.carol,
          to_address: expected.erin,
          ...e("recovered"),
        },
      ]);
      expect(
        await rows(
          "SELECT profile_id, recovery, next_recovery, change_at, block_number, tx_hash, log_index FROM recovery_changes ORDER BY block_number, log_index",
        ),
      ).to.deep.equal([
        {
          profile_id: "3",
          recovery: expected.rescuer,
          next_recovery: null,
          change_at: null,
          ...e("recovery"),
        },
        {
          profile_id: "3",
          recovery: ZERO,
          next_recovery: null,
          change_at: null,
          ...e("recoveredClear"),
        },
        {
          profile_id: "2",
          recovery: expected.rescuer,
          next_recovery: null,
          change_at: null,
          ...e("daveRecovery"),
        },
        {
          profile_id: "2",
          recovery: expected.rescuer,
          next_recovery: expected.frank,
          change_at: expected.scheduledAt,
          ...e("scheduled"),
        },
      ]);
      expect(await rows("SELECT profile_id, metadata_uri FROM metadata_changes")).to.deep.equal([
        { profile_id: "2", metadata_uri: "ipfs://bob-v2" },
      ]);
    });
  });

  describe("posts", function () {
    it("stores posts with their author, reply parent, quote and retraction", async function () {
      expect(await rows("SELECT * FROM posts ORDER BY block_number")).to.deep.equal([
        {
          id: ((1n << 64n) | 1n).toString(),
          author_id: "1",
          parent_id: null,
          quoted_id: null,
          content_uri: "ipfs://hello",
          content_uri_bytes: null,
          ...e("post"),
          retracted_block_number: null,
          retracted_tx_hash: null,
          retracted_log_index: null,
        },
        {
          id: ((2n << 64n) | 1n).toString(),
          author_id: "2",
          parent_id: ((1n << 64n) | 1n).toString(),
          quoted_id: null,
          content_uri: "ipfs://reply",
          content_uri_bytes: null,
          ...e("reply"),
          retracted_block_number: null,
          retracted_tx_hash: null,
          retracted_log_index: null,
        },
        {
          id: ((1n << 64n) | 2n).toString(),
          author_id: "1",
          parent_id: null,
          quoted_id: ((2n << 64n) | 1n).toString(),
          content_uri: "ipfs://quote",
          content_uri_bytes: null,
          ...e("quote"),
          retracted_block_number: e("retract").block_number,
          retracted_tx_hash: e("retract").tx_hash,
          retracted_log_index: e("retract").log_index,
        },
      ]);
    });
  });

  describe("follows and reactions", function () {
    it("keeps the follow history and only the follows whose latest event is a follow", async function () {
      expect(
        await rows(
          "SELECT follower_id, followed_id, following, block_number FROM follow_events ORDER BY block_number",
        ),
      ).to.deep.equal([
        {
          follower_id: "1",
          followed_id: "2",
          following: true,
          block_number: e("follow1").block_number,
        },
        {
          follower_id: "2",
          followed_id: "1",
          following: true,
          block_number: e("follow2").block_number,
        },
        {
          follower_id: "2",
          followed_id: "1",
          following: false,
          block_number: e("unfollow").block_number,
        },
      ]);
      expect(await rows("SELECT * FROM follows")).to.deep.equal([
        { follower_id: "1", followed_id: "2", ...e("follow1") },
      ]);
    });

    it("keeps the reaction history and the reactions not removed since", async function () {
      expect(
        await rows("SELECT profile_id, post_id, kind FROM reaction_events ORDER BY block_number"),
      ).to.deep.equal([
        { profile_id: "2", post_id: ((1n << 64n) | 1n).toString(), kind: 1 },
        { profile_id: "2", post_id: ((1n << 64n) | 2n).toString(), kind: 1 },
        { profile_id: "2", post_id: ((1n << 64n) | 2n).toString(), kind: 0 },
      ]);
      expect(await rows("SELECT * FROM reactions")).to.deep.equal([
        { profile_id: "2", post_id: ((1n << 64n) | 1n).toString(), kind: 1, ...e("like") },
      ]);
    });
  });

  describe("blocks and checkpoint", function () {
    it("records the hash and timestamp of every block holding an event, and the head as checkpoint", async function () {
      const blocks = await rows("SELECT number, hash, timestamp FROM blocks ORDER BY number");
      // 24 transactions, one block each; burnNonce's NonceUsed is an indexed event too.
      expect(blocks).to.have.length(24);
      expect(blocks.map((b) => b.number)).to.include(e("burned").block_number);
      for (const block of blocks) {
        const onChain = await hre.ethers.provider.getBlock(Number(block.number));
        expect(block).to.deep.equal({
          number: String(onChain!.number),
          hash: onChain!.hash,
          timestamp: String(onChain!.timestamp),
        });
      }
      const [checkpoint] = await rows("SELECT block_number, block_hash FROM sync_checkpoint");
      const head = await hre.ethers.provider.getBlock("latest");
      expect(checkpoint).to.deep.equal({
        block_number: String(head!.number),
        block_hash: head!.hash,
      });
    });
  });
});
