import { expect } from "chai";
import hre from "hardhat";
import pg from "pg";
import { impersonateAccount, setBalance, time } from "@nomicfoundation/hardhat-network-helpers";
import { id as hashText, parseEther, ZeroHash } from "ethers";
import { DAO_DEFAULTS } from "../../deploy/dao";
import { deploySuite, type Suite } from "../../deploy/suite";
import type { Indexer } from "../../indexer/indexer";
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
import { writeSuiteDeployment } from "./suiteHelpers";

const provider = hre.network.provider;

/**
 * The timelock's `Cancelled`: the governor is the timelock's only canceller, and it cancels an
 * operation only through `cancel`, which OpenZeppelin's governor allows while a proposal is
 * pending, before anything reaches the timelock. So `Cancelled` comes from the canceller acting
 * on the timelock directly; here the governor's address is impersonated to do it.
 */
describe("indexer: the timelock's cancelled operations", function () {
  let rpc: RpcServer;
  let suite: Suite;
  let deploymentFile: string;
  const databases: TestDatabase[] = [];
  const indexers: Indexer[] = [];
  /** The operation of a queued proposal, and one scheduled on the timelock directly. */
  const operations = { proposal: "", direct: "" };
  let proposalId = 0n;

  async function index(): Promise<{ indexer: Indexer; db: TestDatabase }> {
    const db = await createTestDatabase("idx_timelock");
    databases.push(db);
    const indexer = await indexToHead(
      testConfig(testEnv({ rpcUrl: rpc.url, databaseUrl: db.url, deploymentFile })),
    );
    indexers.push(indexer);
    return { indexer, db };
  }

  async function timelockRows(url: string) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query(
        `SELECT operation_id, kind, call_index, target, value, data, delay, block_number::text
         FROM timelock_operations ORDER BY block_number, log_index`,
      );
      return rows;
    } finally {
      await client.end();
    }
  }

  before(async function () {
    const [deployer] = await hre.ethers.getSigners();
    suite = await deploySuite(deployer);
    const governor = suite.governor.contract;
    const timelock = suite.timelock.contract;
    const jar = suite.tipJar.contract;

    // A proposal carried to the timelock: proposed, voted, queued.
    const targets = [suite.tipJar.address];
    const calldatas = [jar.interface.encodeFunctionData("setFeeBps", [100])];
    const description = "Lower the tip fee";
    await (await governor.propose(targets, [0n], calldatas, description)).wait();
    proposalId = await governor.hashProposal(targets, [0n], calldatas, hashText(description));
    await time.increase(DAO_DEFAULTS.votingDelay + 1);
    await (await governor.castVote(proposalId, 1)).wait();
    await time.increase(DAO_DEFAULTS.votingPeriod);
    await (await governor.queue(targets, [0n], calldatas, hashText(description))).wait();
    const [scheduled] = await timelock.queryFilter(timelock.filters.CallScheduled(), 0, "latest");
    operations.proposal = scheduled.args.id;

    // The canceller acts on the timelock itself: schedules one call and cancels both.
    await impersonateAccount(suite.governor.address);
    await setBalance(suite.governor.address, parseEther("1"));
    const canceller = await hre.ethers.getSigner(suite.governor.address);
    const data = jar.interface.encodeFunctionData("setFeeBps", [42]);
    const salt = hashText("direct");
    const delay = await timelock.getMinDelay();
    await (
      await timelock
        .connect(canceller)
        .schedule(suite.tipJar.address, 0n, data, ZeroHash, salt, delay)
    ).wait();
    operations.direct = await timelock.hashOperation(
      suite.tipJar.address,
      0n,
      data,
      ZeroHash,
      salt,
    );
    await (await timelock.connect(canceller).cancel(operations.direct)).wait();
    await (await timelock.connect(canceller).cancel(operations.proposal)).wait();

    rpc = await serveProvider(provider);
    deploymentFile = writeSuiteDeployment(31337, suite);
  });

  after(async function () {
    await provider.request({
      method: "hardhat_stopImpersonatingAccount",
      params: [suite.governor.address],
    });
    for (const indexer of indexers) await indexer.stop();
    for (const database of databases) await database.drop();
    await rpc?.close();
  });

  it("records each Cancelled as the timelock emitted it, after the calls it scheduled", async function () {
    const timelock = suite.timelock.contract;
    const { db } = await index();
    const emitted = await timelock.queryFilter(timelock.filters.Cancelled(), 0, "latest");
    expect(emitted.map((event) => event.args.id)).to.deep.equal([
      operations.direct,
      operations.proposal,
    ]);
    // The chain forgot both operations.
    for (const id of Object.values(operations))
      expect(await timelock.isOperation(id)).to.equal(false);

    const rows = await timelockRows(db.url);
    expect(rows.filter((row) => row.kind === "cancelled")).to.deep.equal(
      emitted.map((event) => ({
        operation_id: event.args.id.toLowerCase(),
        kind: "cancelled",
        call_index: null,
        target: null,
        value: null,
        data: null,
        delay: null,
        block_number: String(event.blockNumber),
      })),
    );
    // Every operation cancelled was scheduled before, in an earlier block.
    for (const cancelled of rows.filter((row) => row.kind === "cancelled")) {
      const scheduled = rows.filter(
        (row) => row.kind === "scheduled" && row.operation_id === cancelled.operation_id,
      );
      expect(scheduled).to.have.length(1);
      expect(Number(scheduled[0].block_number)).to.be.lessThan(Number(cancelled.block_number));
    }
  });

  it("rolls a cancellation back with the block that held it, equal to a fresh index", async function () {
    const { indexer, db } = await index();
    const forkPoint = (await provider.request({ method: "evm_snapshot", params: [] })) as string;
    const canceller = await hre.ethers.getSigner(suite.governor.address);
    const timelock = suite.timelock.contract;
    const data = suite.tipJar.contract.interface.encodeFunctionData("setFeeBps", [7]);
    const salt = hashText("chain A");
    await (
      await timelock
        .connect(canceller)
        .schedule(suite.tipJar.address, 0n, data, ZeroHash, salt, await timelock.getMinDelay())
    ).wait();
    const chainA = await timelock.hashOperation(suite.tipJar.address, 0n, data, ZeroHash, salt);
    await (await timelock.connect(canceller).cancel(chainA)).wait();
    await indexer.sync.syncToHead();
    const idsOnA = (await timelockRows(db.url)).map((row) => row.operation_id);
    expect(idsOnA).to.include(chainA.toLowerCase());

    // Chain B: longer, without that operation.
    expect(await provider.request({ method: "evm_revert", params: [forkPoint] })).to.equal(true);
    for (let i = 0; i < 5; i++) await provider.request({ method: "evm_mine", params: [] });
    await indexer.sync.syncToHead();
    const rowsOnB = await timelockRows(db.url);
    expect(rowsOnB.map((row) => row.operation_id)).to.not.include(chainA.toLowerCase());
    const fresh = await index();
    expect(await checksumTables(db.url)).to.deep.equal(await checksumTables(fresh.db.url));
  });
});
