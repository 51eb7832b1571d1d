import { expect } from "chai";
import hre from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import pino from "pino";
import type pg from "pg";
import type { ContractTransactionResponse } from "ethers";
import { deploySuite } from "../../deploy/suite";
import { createApi, type Api } from "../../indexer/graphql/api";
import { createReadPool } from "../../indexer/graphql/database";
import type { Indexer } from "../../indexer/indexer";
import {
  HANDLE_COOLDOWN_SECONDS,
  RECOVERY_DELAY_SECONDS,
  agoraDomain,
  agoraTypedData,
  signAgora,
} from "../../sdk/handles";
import type { ProfileRegistry } from "../../typechain-types";
import {
  checksumTables,
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
const DAY = 86_400;
const provider = hre.network.provider;

// A reply's shape is the query's own; the assertions check it field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const PROFILE_FIELDS = `id owner handle recovery pendingRecovery recoveryChangeAt pendingOwner
  offerExpiresAt offerAcceptableAt offerByRecovery`;

/** The timestamp of the block that mined `tx`. */
async function minedAt(tx: Promise<ContractTransactionResponse>): Promise<bigint> {
  const receipt = await (await tx).wait();
  return BigInt((await hre.ethers.provider.getBlock(receipt!.blockNumber))!.timestamp);
}

describe("indexer and API: recovery, offers and handle cooldowns", function () {
  let rpc: RpcServer;
  let registry: ProfileRegistry;
  let signers: Awaited<ReturnType<typeof hre.ethers.getSigners>>;
  let deploymentFile: string;
  let domain: ReturnType<typeof agoraDomain>;
  let indexer: Indexer;
  let db: TestDatabase;
  let pool: pg.Pool;
  let api: Api;
  const databases: TestDatabase[] = [];
  const indexers: Indexer[] = [];

  async function start(): Promise<{ indexer: Indexer; db: TestDatabase }> {
    const fresh = await createTestDatabase("idx_ownership");
    databases.push(fresh);
    const started = await indexToHead(
      testConfig(testEnv({ rpcUrl: rpc.url, databaseUrl: fresh.url, deploymentFile })),
    );
    indexers.push(started);
    return { indexer: started, db: fresh };
  }

  async function data(query: string): Promise<Record<string, Json>> {
    const response = await api.yoga.fetch("http://api/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ query }),
    });
    const reply = (await response.json()) as { data?: Record<string, Json>; errors?: unknown };
    expect(reply.errors, JSON.stringify(reply.errors)).to.equal(undefined);
    return reply.data!;
  }

  /**
   * Every profile as the API serves it equals the registry's own views. The latest block holds
   * an indexed event, so the API's "now" and the chain's are the same second.
   */
  async function expectApiMatchesChain(): Promise<Json[]> {
    await indexer.sync.syncToHead();
    const latest = (await hre.ethers.provider.getBlock("latest"))!;
    const { stats, profiles } = await data(
      `{ stats { asOf } profiles(first: 100) { nodes { ${PROFILE_FIELDS} } } }`,
    );
    expect(stats.asOf).to.equal(String(latest.timestamp));
    const nullable = (address: string) => (address === ZERO ? null : address.toLowerCase());
    const nonZero = (value: bigint) => (value === 0n ? null : String(value));
    for (const profile of profiles.nodes) {
      const id = BigInt(profile.id);
      const [recovery, nextRecovery, changeAt] = await registry.recoveryOf(id);
      const [to, acceptableAt, expiresAt, byRecovery] = await registry.transferOfferOf(id);
      const open = to !== ZERO;
      expect(profile, `profile ${id}`).to.deep.equal({
        id: profile.id,
        owner: (await registry.ownerOf(id)).toLowerCase(),
        handle: await registry.handleOf(id),
        recovery: nullable(recovery),
        pendingRecovery: changeAt === 0n ? null : nullable(nextRecovery),
        recoveryChangeAt: nonZero(changeAt),
        pendingOwner: open ? to.toLowerCase() : null,
        offerExpiresAt: open ? String(expiresAt) : null,
        offerAcceptableAt: open ? String(acceptableAt) : null,
        offerByRecovery: open ? byRecovery : null,
      });
    }
    return profiles.nodes;
  }

  const profile = async (id: number) =>
    (await data(`{ profile(id: "${id}") { ${PROFILE_FIELDS} } }`)).profile;

  /** A post by bob (profile 2): moves the chain's and the API's "now" to a new block. */
  const tick = async () => (await registry.connect(signers[2]).post(2, "ipfs://tick")).wait();

  before(async function () {
    signers = await hre.ethers.getSigners();
    const suite = await deploySuite(signers[0]);
    registry = suite.profileRegistry.contract;
    domain = agoraDomain(31337, suite.profileRegistry.address);
    for (const [i, handle] of ["alice", "bob", "carol", "dave"].entries()) {
      await (await registry.connect(signers[i + 1]).register(handle, `ipfs://${handle}`)).wait();
    }
    rpc = await serveProvider(provider);
    deploymentFile = writeDeployment(
      31337,
      suite.profileRegistry.address,
      suite.profileRegistry.blockNumber,
    );
    ({ indexer, db } = await start());
    pool = createReadPool({
      url: db.url,
      statementTimeoutMs: 5_000,
      logger: pino({ level: "silent" }),
    });
    api = await createApi({
      pool,
      databaseUrl: db.url,
      logger: pino({ level: "silent" }),
      headBlock: async () => null,
      fallbackPollMs: 0,
    });
  });

  after(async function () {
    await api?.close();
    await pool?.end();
    for (const started of indexers) await started.stop();
    for (const database of databases) await database.drop();
    await rpc?.close();
  });

  // Signer indexes: alice to dave own profiles 1 to 4 from the start.
  const [alice, bob, carol, dave, rescuer, frank, erin, gary] = [1, 2, 3, 4, 5, 6, 7, 8];

  it("serves a scheduled recovery change as pending, then as the recovery address once its time has come", async function () {
    const as = (i: number) => registry.connect(signers[i]);
    await (await as(alice).setRecovery(1, signers[rescuer].address)).wait();
    const changeAt =
      (await minedAt(as(alice).setRecovery(1, signers[frank].address))) +
      BigInt(RECOVERY_DELAY_SECONDS);
    await expectApiMatchesChain();
    expect(await profile(1)).to.include({
      recovery: signers[rescuer].address.toLowerCase(),
      pendingRecovery: signers[frank].address.toLowerCase(),
      recoveryChangeAt: String(changeAt),
    });
    await time.increaseTo(changeAt);
    await tick();
    await expectApiMatchesChain();
    expect(await profile(1)).to.include({
      recovery: signers[frank].address.toLowerCase(),
      pendingRecovery: null,
      recoveryChangeAt: null,
    });
  });

  it("serves an open offer with its expiry, and none once it expired", async function () {
    const expiresAt = BigInt(await time.latest()) + BigInt(DAY);
    await (
      await registry.connect(signers[bob]).offerTransfer(2, signers[erin].address, expiresAt)
    ).wait();
    await expectApiMatchesChain();
    expect(await profile(2)).to.include({
      pendingOwner: signers[erin].address.toLowerCase(),
      offerExpiresAt: String(expiresAt),
      offerByRecovery: false,
    });
    await time.increaseTo(expiresAt + 1n);
    await tick();
    await expectApiMatchesChain();
    expect(await profile(2)).to.include({ pendingOwner: null, offerExpiresAt: null });
  });

  it("serves the wait of an owner's offer while a recovery address is in force", async function () {
    const as = (i: number) => registry.connect(signers[i]);
    await (await as(dave).setRecovery(4, signers[carol].address)).wait();
    const offeredAt = await minedAt(
      as(dave).offerTransfer(4, signers[gary].address, hre.ethers.MaxUint256),
    );
    await expectApiMatchesChain();
    expect((await profile(4)).offerAcceptableAt).to.equal(
      String(offeredAt + BigInt(RECOVERY_DELAY_SECONDS)),
    );
  });

  it("serves a recovery offer, which its address accepts at once, then the move", async function () {
    const as = (i: number) => registry.connect(signers[i]);
    // frank is profile 1's recovery address since the scheduled change applied.
    const offeredAt = await minedAt(as(frank).recover(1, signers[erin].address));
    await expectApiMatchesChain();
    expect(await profile(1)).to.include({
      pendingOwner: signers[erin].address.toLowerCase(),
      offerByRecovery: true,
      offerAcceptableAt: String(offeredAt),
    });
    await (await as(erin).acceptTransfer(1)).wait();
    await expectApiMatchesChain();
    expect(await profile(1)).to.include({
      owner: signers[erin].address.toLowerCase(),
      recovery: null,
      pendingOwner: null,
    });
  });

  it("moves a profile by recovery with the new owner's signed consent", async function () {
    const to = signers[gary];
    const deadline = BigInt(await time.latest()) + 3_600n;
    const signature = await signAgora(
      to,
      agoraTypedData(domain, "AcceptProfile", {
        profileId: 4n,
        to: to.address,
        nonce: 0n,
        deadline,
      }),
    );
    await (
      await registry
        .connect(signers[carol])
        .recoverWithSignature(4, to.address, deadline, signature)
    ).wait();
    await expectApiMatchesChain();
    expect(await profile(4)).to.include({
      owner: to.address.toLowerCase(),
      recovery: null,
      pendingOwner: null,
    });
  });

  it("serves who may claim a handle: held, reserved for the profile that gave it up, then free", async function () {
    const freeAt =
      (await minedAt(registry.connect(signers[carol]).changeHandle(3, "carol_new"))) +
      BigInt(HANDLE_COOLDOWN_SECONDS);
    await indexer.sync.syncToHead();
    const query = `{
      old: handleStatus(handle: "carol") { handle valid holder { id } reservedFor { id } freeAt available }
      current: handleStatus(handle: "carol_new") { valid holder { id } reservedFor { id } freeAt available }
      unused: handleStatus(handle: "nobody_yet") { valid holder { id } reservedFor { id } freeAt available }
      invalid: handleStatus(handle: "Carol!") { valid holder { id } available }
      history: handleChanges(where: { profileId: "3" }) { nodes { oldHandle newHandle oldHandleFreeAt } }
    }`;
    expect(await data(query)).to.deep.equal({
      old: {
        handle: "carol",
        valid: true,
        holder: null,
        reservedFor: { id: "3" },
        freeAt: String(freeAt),
        available: false,
      },
      current: {
        valid: true,
        holder: { id: "3" },
        reservedFor: null,
        freeAt: null,
        available: false,
      },
      unused: { valid: true, holder: null, reservedFor: null, freeAt: null, available: true },
      invalid: { valid: false, holder: null, available: false },
      history: {
        nodes: [{ oldHandle: "carol", newHandle: "carol_new", oldHandleFreeAt: String(freeAt) }],
      },
    });
    await time.increaseTo(freeAt);
    await tick();
    await indexer.sync.syncToHead();
    expect((await data(query)).old).to.deep.equal({
      handle: "carol",
      valid: true,
      holder: null,
      reservedFor: null,
      freeAt: null,
      available: true,
    });
    // A burnt nonce is indexed as an event but changes no profile.
    await (await registry.connect(signers[carol]).burnNonce()).wait();
    await expectApiMatchesChain();
  });

  it("undoes a recovery offer and its acceptance in a reorg, equal to a fresh index after", async function () {
    const as = (i: number) => registry.connect(signers[i]);
    await (await as(erin).setRecovery(1, signers[rescuer].address)).wait();
    await indexer.sync.syncToHead();
    const forkPoint = (await provider.request({ method: "evm_snapshot", params: [] })) as string;
    // Chain A: the recovery address offers the profile away and the offer is accepted.
    await (await as(rescuer).recover(1, signers[frank].address)).wait();
    await (await as(frank).acceptTransfer(1)).wait();
    await (await as(bob).changeHandle(2, "bob_on_a")).wait();
    await expectApiMatchesChain();
    expect((await profile(1)).owner).to.equal(signers[frank].address.toLowerCase());
    // Chain B, longer: the owner schedules a change and offers the profile instead.
    expect(await provider.request({ method: "evm_revert", params: [forkPoint] })).to.equal(true);
    await (await as(erin).setRecovery(1, ZERO)).wait();
    await (await as(erin).offerTransfer(1, signers[frank].address, hre.ethers.MaxUint256)).wait();
    for (let i = 0; i < 4; i++) await tick();
    const reorgsBefore = indexer.metrics.reorgs.value();
    await expectApiMatchesChain();
    expect(indexer.metrics.reorgs.value()).to.equal(reorgsBefore + 1);
    expect(await profile(1)).to.include({
      owner: signers[erin].address.toLowerCase(),
      recovery: signers[rescuer].address.toLowerCase(),
      pendingRecovery: null,
      pendingOwner: signers[frank].address.toLowerCase(),
      offerByRecovery: false,
    });
    const fresh = await start();
    expect(await checksumTables(db.url)).to.deep.equal(await checksumTables(fresh.db.url));
  });
});
