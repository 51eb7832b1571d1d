import { expect } from "chai";
import hre from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import pg from "pg";
import { deploySuite } from "../../deploy/suite";
import { RECOVERY_DELAY_SECONDS } from "../../sdk/handles";
import type { Indexer } from "../../indexer/indexer";
import type { ProfileRegistry } from "../../typechain-types";
import {
  checksumTables,
  createTestDatabase,
  indexToHead,
  randomActivity,
  serveProvider,
  testConfig,
  testEnv,
  writeDeployment,
  type Actor,
  type RpcServer,
  type TestDatabase,
} from "./helpers";

const provider = hre.network.provider;
const snapshot = async () =>
  (await provider.request({ method: "evm_snapshot", params: [] })) as string;
const revert = async (id: string) =>
  expect(await provider.request({ method: "evm_revert", params: [id] })).to.equal(true);
const blockNumber = async () =>
  BigInt((await provider.request({ method: "eth_blockNumber", params: [] })) as string);

describe("indexer: reorgs", function () {
  let rpc: RpcServer;
  let registry: ProfileRegistry;
  let actors: Actor[];
  let deploymentFile: string;
  const databases: TestDatabase[] = [];
  const indexers: Indexer[] = [];

  before(async function () {
    const signers = await hre.ethers.getSigners();
    const suite = await deploySuite(signers[0]);
    registry = suite.profileRegistry.contract;
    actors = [];
    for (let i = 1; i <= 6; i++) {
      await (
        await registry.connect(signers[i]).register(`reorg_user_${i}`, `ipfs://user-${i}`)
      ).wait();
      actors.push({
        signer: signers[i],
        profileId: await registry.profileIdOf(signers[i].address),
      });
    }
    await randomActivity(registry, actors, 30, 1);
    rpc = await serveProvider(provider);
    deploymentFile = writeDeployment(
      31337,
      suite.profileRegistry.address,
      suite.profileRegistry.blockNumber,
    );
  });

  after(async function () {
    for (const indexer of indexers) await indexer.stop();
    for (const db of databases) await db.drop();
    await rpc?.close();
  });

  async function start(
    extra: Record<string, string> = {},
  ): Promise<{ indexer: Indexer; db: TestDatabase }> {
    const db = await createTestDatabase("idx_reorg");
    databases.push(db);
    const config = testConfig(
      testEnv({ rpcUrl: rpc.url, databaseUrl: db.url, deploymentFile, extra }),
    );
    const indexer = await indexToHead(config);
    indexers.push(indexer);
    return { indexer, db };
  }

  /** Every table of `db` equals a fresh index of the chain as it is now. */
  async function expectEqualsFreshIndex(db: TestDatabase) {
    const fresh = await start();
    expect(await checksumTables(db.url)).to.deep.equal(await checksumTables(fresh.db.url));
  }

  /**
   * The profile as the chain holds it (`fromChain`) or as the database holds it, read at the
   * latest block's time (a scheduled recovery change or an offer's expiry depends on it).
   */
  async function profileRow(id: bigint, db: TestDatabase, fromChain: boolean) {
    const zero = "0x" + "0".repeat(40);
    if (fromChain) {
      const [recovery, nextRecovery, changeAt] = await registry.recoveryOf(id);
      const [pendingOwner, , expiresAt] = await registry.transferOfferOf(id);
      return {
        owner: (await registry.ownerOf(id)).toLowerCase(),
        handle: await registry.handleOf(id),
        recovery: recovery.toLowerCase(),
        next_recovery: nextRecovery.toLowerCase(),
        change_at: changeAt.toString(),
        pending_owner: pendingOwner.toLowerCase(),
        offer_expires_at: expiresAt.toString(),
      };
    }
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query(
      `SELECT owner, handle,
         coalesce(CASE WHEN recovery_change_at <= $3 THEN next_recovery ELSE recovery END, $2) AS recovery,
         coalesce(CASE WHEN recovery_change_at > $3 THEN next_recovery END, $2) AS next_recovery,
         coalesce(CASE WHEN recovery_change_at > $3 THEN recovery_change_at END, 0)::text AS change_at,
         coalesce(CASE WHEN offer_expires_at >= $3 THEN pending_owner END, $2) AS pending_owner,
         coalesce(CASE WHEN offer_expires_at >= $3 THEN offer_expires_at END, 0)::text AS offer_expires_at
       FROM profiles WHERE id = $1`,
      [id.toString(), zero, await time.latest()],
    );
    await client.end();
    return rows[0];
  }

  async function renames(db: TestDatabase, newHandle: string): Promise<number> {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query(
      "SELECT count(*)::int AS n FROM handle_changes WHERE new_handle = $1",
      [newHandle],
    );
    await client.end();
    return rows[0].n;
  }

  describe("when the chain is replaced by a longer fork", function () {
    it("rolls back to the common ancestor and every table equals a fresh index of the new chain", async function () {
      // The indexer follows the chain up to the fork point, then through chain A.
      const { indexer, db } = await start();
      const forkPoint = await snapshot();
      const signers = await hre.ethers.getSigners();
      // Chain A changes current state everywhere: handles, owners, offers, recovery, follows.
      await (
        await registry.connect(actors[0].signer).changeHandle(actors[0].profileId, "renamed_on_a")
      ).wait();
      await (
        await registry
          .connect(actors[1].signer)
          .setRecovery(actors[1].profileId, signers[10].address)
      ).wait();
      await (
        await registry
          .connect(actors[2].signer)
          .offerTransfer(actors[2].profileId, signers[11].address, hre.ethers.MaxUint256)
      ).wait();
      // The random activity may have given the profile a recovery address: wait it out.
      await time.increase(RECOVERY_DELAY_SECONDS);
      await (await registry.connect(signers[11]).acceptTransfer(actors[2].profileId)).wait();
      await (
        await registry.connect(actors[0].signer).follow(actors[0].profileId, actors[1].profileId)
      ).wait();
      await (
        await registry.connect(actors[1].signer).unfollow(actors[1].profileId, actors[0].profileId)
      ).wait();
      await randomActivity(registry, actors.slice(3), 25, 2);
      await indexer.sync.syncToHead();
      const heightA = await blockNumber();
      expect(await renames(db, "renamed_on_a")).to.equal(1);

      // Chain B never touches the first three profiles: only the rollback can restore them.
      await revert(forkPoint);
      const before = await Promise.all(
        actors.slice(0, 3).map((actor) => profileRow(actor.profileId, db, true)),
      );
      await randomActivity(registry, actors.slice(3), 40, 3);
      expect(await blockNumber()).to.be.greaterThan(heightA);

      await indexer.sync.syncToHead();
      expect(indexer.metrics.reorgs.value()).to.equal(1);
      await expectEqualsFreshIndex(db);
      // Chain A's rename is gone (the random activity before the fork renames others).
      expect(await renames(db, "renamed_on_a")).to.equal(0);
      for (let i = 0; i < 3; i++) {
        expect(await profileRow(actors[i].profileId, db, false)).to.deep.equal(before[i]);
      }
    });
  });

  describe("when the chain is replaced by a fork no longer than the indexed one", function () {
    it("notices the replaced head while caught up and restores the state of the shorter chain", async function () {
      const { indexer, db } = await start();
      const forkPoint = await snapshot();
      await randomActivity(registry, actors, 20, 4);
      await indexer.sync.syncToHead();
      const heightA = await blockNumber();

      await revert(forkPoint);
      await randomActivity(registry, actors, 5, 5);
      expect(await blockNumber()).to.be.lessThan(heightA);

      await indexer.sync.syncToHead();
      expect(indexer.metrics.reorgs.value()).to.equal(1);
      await expectEqualsFreshIndex(db);
    });
  });

  describe("when several reorgs follow each other during live sync", function () {
    it("stays equal to a fresh index after each one", async function () {
      const { indexer, db } = await start({ INITIAL_BLOCK_RANGE: "1", MAX_BLOCK_RANGE: "1" });
      for (let round = 0; round < 3; round++) {
        const forkPoint = await snapshot();
        await randomActivity(registry, actors, 6, 10 + round);
        await indexer.sync.syncToHead();
        await revert(forkPoint);
        await randomActivity(registry, actors, 8, 20 + round);
        await indexer.sync.syncToHead();
      }
      expect(indexer.metrics.reorgs.value()).to.equal(3);
      await expectEqualsFreshIndex(db);
    });
  });

  describe("when blocks were made by hardhat_mine (zero parentHash)", function () {
    it("does not mistake them for a reorg", async function () {
      this.timeout(60_000);
      const { indexer, db } = await start({ INITIAL_BLOCK_RANGE: "1", MAX_BLOCK_RANGE: "1" });
      const minedFrom = await blockNumber();
      await provider.request({ method: "hardhat_mine", params: ["0x10"] });
      const mined = (await provider.request({
        method: "eth_getBlockByNumber",
        params: ["0x" + (minedFrom + 8n).toString(16), false],
      })) as { parentHash: string };
      expect(mined.parentHash, "hardhat_mine leaves parentHash zero").to.equal(
        "0x" + "0".repeat(64),
      );
      await randomActivity(registry, actors, 3, 30);
      await indexer.sync.syncToHead();
      expect(indexer.metrics.reorgs.value()).to.equal(0);
      await expectEqualsFreshIndex(db);
    });
  });

  describe("when the chain shortens under a range fetched ahead", function () {
    it("drops the range instead of writing blocks past the new head", async function () {
      const { indexer, db } = await start({ INITIAL_BLOCK_RANGE: "2", MAX_BLOCK_RANGE: "2" });
      const author = actors[0];
      const post = async (uri: string) =>
        (await registry.connect(author.signer).post(author.profileId, uri)).wait();
      await post("ipfs://ahead/1");
      await post("ipfs://ahead/2");
      const kept = await blockNumber();
      const fork = await snapshot();
      for (let i = 3; i <= 6; i++) await post(`ipfs://ahead/${i}`);
      // Writes the two blocks up to `kept` and fetches the next two ahead.
      const first = await indexer.sync.step();
      expect(first).to.include({ type: "batch", toBlock: kept });

      await revert(fork);
      await post("ipfs://ahead/3-on-the-new-chain");
      const head = await blockNumber();
      expect(head).to.equal(kept + 1n);
      const second = await indexer.sync.step();
      expect(second).to.include({ type: "batch", toBlock: head });
      await indexer.sync.syncToHead();
      expect(indexer.metrics.reorgs.value(), "nothing to roll back").to.equal(0);
      await expectEqualsFreshIndex(db);
    });
  });
});
