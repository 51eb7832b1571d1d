import { expect } from "chai";
import hre from "hardhat";
import pg from "pg";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import {
  id as hashText,
  parseEther,
  toBeHex,
  ZeroAddress,
  ZeroHash,
  zeroPadValue,
  type ContractTransactionResponse,
} from "ethers";
import type { AbiEvent } from "viem";
import { DAO_DEFAULTS } from "../../deploy/dao";
import { toDeploymentFile } from "../../deploy/deployment";
import { deploySuite, type Suite } from "../../deploy/suite";
import {
  GOVERNANCE_TOKEN_EVENTS,
  GOVERNOR_EVENTS,
  TIMELOCK_EVENTS,
} from "../../indexer/handlers/governance";
import { inTransaction } from "../../indexer/db/database";
import { HANDLERS } from "../../indexer/handlers";
import type { Indexer } from "../../indexer/indexer";
import { createLogDecoder } from "../../indexer/sync/decode";
import type { RpcLog } from "../../indexer/sync/rpc";
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
const ETH = ZeroAddress;
const ONE = parseEther("1");
const enum Vote {
  Against,
  For,
  Abstain,
}

const signature = (event: AbiEvent) =>
  `${event.name}(${event.inputs.map((i) => `${i.indexed ? "indexed " : ""}${i.type} ${i.name}`).join(", ")})`;

async function blockOf(tx: ContractTransactionResponse): Promise<string> {
  return String((await tx.wait())!.blockNumber);
}

describe("indexer: DAO governance and revenue", function () {
  let rpc: RpcServer;
  let suite: Suite;
  let deploymentFile: string;
  const databases: TestDatabase[] = [];
  const indexers: Indexer[] = [];
  let db: TestDatabase;
  let client: pg.Client;
  const who: Record<string, string> = {};
  const proposal = {
    id: 0n,
    canceledId: 0n,
    targets: [] as string[],
    values: [] as bigint[],
    calldatas: [] as string[],
    description: "",
    blocks: {} as Record<string, string>,
  };
  let creatorId = 0n;
  const newBuckets = [] as { recipient: string; bps: number }[];

  async function start(): Promise<{ indexer: Indexer; db: TestDatabase }> {
    const fresh = await createTestDatabase("idx_dao");
    databases.push(fresh);
    const indexer = await indexToHead(
      testConfig(testEnv({ rpcUrl: rpc.url, databaseUrl: fresh.url, deploymentFile })),
    );
    indexers.push(indexer);
    return { indexer, db: fresh };
  }

  before(async function () {
    const [deployer, alice, bob, carol, dave, operations] = await hre.ethers.getSigners();
    suite = await deploySuite(deployer);
    for (const [name, signer] of Object.entries({ deployer, alice, bob, carol, dave, operations }))
      who[name] = signer.address.toLowerCase();
    who.timelock = suite.timelock.address.toLowerCase();
    const token = suite.governanceToken.contract;
    const governor = suite.governor.contract;
    const split = suite.revenueSplit.contract;
    const registry = suite.profileRegistry.contract;

    // Spread the votes: alice and carol vote themselves, bob lends his votes to alice, dave
    // holds tokens without delegating.
    await (await token.transfer(alice.address, 3_000_000n * ONE)).wait();
    await (await token.transfer(bob.address, 2_000_000n * ONE)).wait();
    await (await token.transfer(carol.address, 1_000_000n * ONE + 1n)).wait();
    await (await token.transfer(dave.address, 5n)).wait();
    await (await token.connect(alice).delegate(alice.address)).wait();
    await (await token.connect(bob).delegate(alice.address)).wait();
    await (await token.connect(carol).delegate(carol.address)).wait();
    await (await token.connect(bob).transfer(carol.address, 7n)).wait();

    await (await registry.connect(carol).register("dao_carol", "")).wait();
    creatorId = await registry.profileIdOf(carol.address);

    // One proposal changes the allocation, the voting period and the tip fee.
    newBuckets.push(
      { recipient: operations.address, bps: 2_000 },
      { recipient: who.timelock, bps: 7_000 },
    );
    proposal.targets = [suite.revenueSplit.address, suite.governor.address, suite.tipJar.address];
    proposal.values = [0n, 0n, 0n];
    proposal.calldatas = [
      split.interface.encodeFunctionData("setAllocation", [newBuckets, 1_000]),
      governor.interface.encodeFunctionData("setVotingPeriod", [6 * 24 * 3600]),
      suite.tipJar.contract.interface.encodeFunctionData("setFeeBps", [300]),
    ];
    proposal.description = "# New split\nOperations 20%, treasury 70%, creators 10%.";
    const descriptionHash = hashText(proposal.description);
    const { targets, values, calldatas } = proposal;
    proposal.blocks.created = await blockOf(
      await governor.propose(targets, values, calldatas, proposal.description),
    );
    proposal.id = await governor.hashProposal(targets, values, calldatas, descriptionHash);
    // A second proposal, canceled by its proposer while pending.
    const other: [string[], bigint[], string[], string] = [
      [suite.tipJar.address],
      [0n],
      [calldatas[2]],
      "Fee only",
    ];
    await (await governor.propose(...other)).wait();
    proposal.canceledId = await governor.hashProposal(
      other[0],
      other[1],
      other[2],
      hashText(other[3]),
    );
    proposal.blocks.canceled = await blockOf(
      await governor.cancel(other[0], other[1], other[2], hashText(other[3])),
    );

    await time.increase(DAO_DEFAULTS.votingDelay + 1);
    await (await governor.castVote(proposal.id, Vote.For)).wait();
    await (
      await governor.connect(alice).castVoteWithReason(proposal.id, Vote.Against, "too much")
    ).wait();
    await (
      await governor
        .connect(carol)
        .castVoteWithReasonAndParams(proposal.id, Vote.Abstain, "abstaining", "0xc0ffee")
    ).wait();
    await time.increase(DAO_DEFAULTS.votingPeriod);
    proposal.blocks.queued = await blockOf(
      await governor.connect(dave).queue(targets, values, calldatas, descriptionHash),
    );
    await time.increase(DAO_DEFAULTS.timelockDelay);
    proposal.blocks.executed = await blockOf(
      await governor.connect(dave).execute(targets, values, calldatas, descriptionHash),
    );

    // Revenue under the new split: deposits, a distribution, bucket and creator withdrawals.
    await (await split.connect(dave).depositETH(creatorId, { value: ONE + 3n })).wait();
    await (await split.connect(dave).depositETH(0, { value: 2n * ONE })).wait();
    await (await split.distribute(ETH)).wait();
    await (await split.connect(operations).withdraw(ETH, dave.address)).wait();
    await (await split.connect(carol).withdrawForProfile(ETH, creatorId, carol.address)).wait();
    await (await split.connect(dave).depositETH(creatorId, { value: 10n })).wait();

    rpc = await serveProvider(provider);
    deploymentFile = writeSuiteDeployment(31337, suite);
    db = (await start()).db;
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  });

  after(async function () {
    await client?.end();
    for (const indexer of indexers) await indexer.stop();
    for (const database of databases) await database.drop();
    await rpc?.close();
  });

  const rows = async (sql: string, params: unknown[] = []) =>
    (await client.query(sql, params)).rows;

  it("decodes the events the compiled governor, timelock and token emit", async function () {
    for (const [name, events] of [
      ["AgoraGovernor", GOVERNOR_EVENTS],
      ["AgoraTimelock", TIMELOCK_EVENTS],
      ["GovernanceToken", GOVERNANCE_TOKEN_EVENTS],
    ] as const) {
      const artifact = await hre.artifacts.readArtifact(name);
      const compiled = (artifact.abi as AbiEvent[])
        .filter((item) => item.type === "event")
        .map(signature);
      expect(compiled, name).to.include.members(events.map(signature));
    }
  });

  describe("proposals", function () {
    it("stores the proposal with tallies equal to the governor's and its lifecycle", async function () {
      const governor = suite.governor.contract;
      const [against, forVotes, abstain] = await governor.proposalVotes(proposal.id);
      const [row] = await rows("SELECT * FROM proposals WHERE id = $1", [String(proposal.id)]);
      const { block_number, tx_hash, log_index, timestamp, ...rest } = row;
      expect(rest).to.deep.equal({
        id: String(proposal.id),
        proposer: who.deployer,
        targets: proposal.targets.map((t) => t.toLowerCase()),
        values: ["0", "0", "0"],
        signatures: ["", "", ""],
        signatures_bytes: null,
        calldatas: proposal.calldatas,
        vote_start: String(await governor.proposalSnapshot(proposal.id)),
        vote_end: String(await governor.proposalDeadline(proposal.id)),
        description: proposal.description,
        description_bytes: null,
        for_votes: String(forVotes),
        against_votes: String(against),
        abstain_votes: String(abstain),
        vote_count: 3,
        eta: String(await governor.proposalEta(proposal.id)),
        queued_block_number: proposal.blocks.queued,
        executed_block_number: proposal.blocks.executed,
        canceled_block_number: null,
      });
      expect(block_number).to.equal(proposal.blocks.created);
      const block = await hre.ethers.provider.getBlock(Number(block_number));
      expect(timestamp).to.equal(String(block!.timestamp));
      expect(tx_hash).to.match(/^0x[0-9a-f]{64}$/);
      expect(log_index).to.be.a("number");
      expect(forVotes > 0n && against > 0n && abstain > 0n).to.equal(true);
    });

    it("marks the canceled proposal and keeps one lifecycle row per event", async function () {
      const [row] = await rows(
        "SELECT vote_count, for_votes, eta, queued_block_number, canceled_block_number FROM proposals WHERE id = $1",
        [String(proposal.canceledId)],
      );
      expect(row).to.deep.equal({
        vote_count: 0,
        for_votes: "0",
        eta: null,
        queued_block_number: null,
        canceled_block_number: proposal.blocks.canceled,
      });
      expect(
        await rows(
          "SELECT proposal_id, kind, eta, block_number FROM proposal_lifecycle_events ORDER BY block_number, log_index",
        ),
      ).to.deep.equal([
        {
          proposal_id: String(proposal.canceledId),
          kind: "canceled",
          eta: null,
          block_number: proposal.blocks.canceled,
        },
        {
          proposal_id: String(proposal.id),
          kind: "queued",
          eta: String(await suite.governor.contract.proposalEta(proposal.id)),
          block_number: proposal.blocks.queued,
        },
        {
          proposal_id: String(proposal.id),
          kind: "executed",
          eta: null,
          block_number: proposal.blocks.executed,
        },
      ]);
    });

    it("records every vote with its weight, reason and params", async function () {
      const token = suite.governanceToken.contract;
      const snapshot = await suite.governor.contract.proposalSnapshot(proposal.id);
      const weight = async (name: string) => String(await token.getPastVotes(who[name], snapshot));
      expect(
        await rows(
          "SELECT proposal_id, voter, support, weight, reason, params FROM votes ORDER BY block_number, log_index",
        ),
      ).to.deep.equal([
        {
          proposal_id: String(proposal.id),
          voter: who.deployer,
          support: Vote.For,
          weight: await weight("deployer"),
          reason: "",
          params: null,
        },
        {
          proposal_id: String(proposal.id),
          voter: who.alice,
          support: Vote.Against,
          weight: await weight("alice"),
          reason: "too much",
          params: null,
        },
        {
          proposal_id: String(proposal.id),
          voter: who.carol,
          support: Vote.Abstain,
          weight: await weight("carol"),
          reason: "abstaining",
          params: "0xc0ffee",
        },
      ]);
    });

    it("records the timelock operations the proposal scheduled and executed", async function () {
      const timelock = suite.timelock.contract;
      const governorBits = BigInt(suite.governor.address) << 96n;
      const salt = zeroPadValue(toBeHex(governorBits ^ BigInt(hashText(proposal.description))), 32);
      const operationId = (
        await timelock.hashOperationBatch(
          proposal.targets,
          proposal.values,
          proposal.calldatas,
          ZeroHash,
          salt,
        )
      ).toLowerCase();
      const ops = await rows(
        "SELECT operation_id, kind, call_index, target, value, data, delay, block_number FROM timelock_operations ORDER BY block_number, log_index",
      );
      const delay = String(await timelock.getMinDelay());
      expect(ops).to.deep.equal(
        (["scheduled", "executed"] as const).flatMap((kind) =>
          proposal.targets.map((target, i) => ({
            operation_id: operationId,
            kind,
            call_index: String(i),
            target: target.toLowerCase(),
            value: "0",
            data: proposal.calldatas[i],
            delay: kind === "scheduled" ? delay : null,
            block_number: kind === "scheduled" ? proposal.blocks.queued : proposal.blocks.executed,
          })),
        ),
      );
    });

    it("records every governed setting; the latest of each equals the contracts' views", async function () {
      const governor = suite.governor.contract;
      const latest = await rows(
        `SELECT DISTINCT ON (contract, setting) contract, setting, new_value FROM governance_setting_changes
         ORDER BY contract, setting, block_number DESC, log_index DESC`,
      );
      expect(latest).to.deep.equal([
        {
          contract: "AgoraGovernor",
          setting: "proposalThreshold",
          new_value: String(await governor.proposalThreshold()),
        },
        {
          contract: "AgoraGovernor",
          setting: "quorumNumerator",
          new_value: String(await governor["quorumNumerator()"]()),
        },
        { contract: "AgoraGovernor", setting: "timelock", new_value: who.timelock },
        {
          contract: "AgoraGovernor",
          setting: "votingDelay",
          new_value: String(await governor.votingDelay()),
        },
        {
          contract: "AgoraGovernor",
          setting: "votingPeriod",
          new_value: String(await governor.votingPeriod()),
        },
        {
          contract: "AgoraTimelock",
          setting: "minDelay",
          new_value: String(await suite.timelock.contract.getMinDelay()),
        },
        {
          contract: "CreatorCoinFactory",
          setting: "referrerShareBps",
          new_value: String(await suite.creatorCoinFactory.contract.referrerShareBps()),
        },
        {
          contract: "TipJar",
          setting: "creatorShareBps",
          new_value: String(await suite.tipJar.contract.creatorShareBps()),
        },
        {
          contract: "TipJar",
          setting: "referrerShareBps",
          new_value: String(await suite.tipJar.contract.referrerShareBps()),
        },
      ]);
      expect(
        await rows(
          "SELECT old_value, new_value, block_number FROM governance_setting_changes WHERE setting = 'votingPeriod' ORDER BY block_number",
        ),
      ).to.deep.equal([
        {
          old_value: "0",
          new_value: String(DAO_DEFAULTS.votingPeriod),
          block_number: String(suite.governor.blockNumber),
        },
        {
          old_value: String(DAO_DEFAULTS.votingPeriod),
          new_value: String(6 * 24 * 3600),
          block_number: proposal.blocks.executed,
        },
      ]);
      const [fee] = await rows(
        "SELECT old_fee_bps, new_fee_bps FROM tip_fee_changes ORDER BY block_number DESC LIMIT 1",
      );
      expect(fee).to.deep.equal({
        old_fee_bps: DAO_DEFAULTS.tipFeeBps,
        new_fee_bps: Number(await suite.tipJar.contract.feeBps()),
      });
    });
  });

  describe("token accounts", function () {
    it("keep balance, delegate, votes and delegators equal to the token's views", async function () {
      const token = suite.governanceToken.contract;
      const accounts = await rows("SELECT * FROM governance_accounts ORDER BY address");
      const expected = [];
      for (const name of ["deployer", "alice", "bob", "carol", "dave"]) {
        const address = who[name];
        const delegate = (await token.delegates(address)).toLowerCase();
        expected.push({
          address,
          balance: String(await token.balanceOf(address)),
          delegate: delegate === ETH ? null : delegate,
          votes: String(await token.getVotes(address)),
          delegators: { deployer: 1, alice: 2, bob: 0, carol: 1, dave: 0 }[name],
        });
      }
      expect(accounts).to.deep.equal(expected.sort((a, b) => (a.address < b.address ? -1 : 1)));
      const [{ supply }] = await rows("SELECT sum(balance) AS supply FROM governance_accounts");
      expect(supply).to.equal(String(await token.totalSupply()));
    });

    it("records transfers, delegation changes and vote changes", async function () {
      const [counts] = await rows(
        `SELECT (SELECT count(*)::int FROM governance_transfers) AS transfers,
                (SELECT count(*)::int FROM delegate_changes) AS delegations,
                (SELECT count(*)::int FROM delegate_votes_changes) AS vote_changes`,
      );
      // The mint and 5 transfers; deployer, alice, bob and carol delegate. Votes move at the
      // deployer's delegation, its 4 transfers, 3 delegations, and on both sides of bob's transfer.
      expect(counts).to.deep.equal({ transfers: 6, delegations: 4, vote_changes: 10 });
      const [bobChange] = await rows(
        "SELECT from_delegate, to_delegate FROM delegate_changes WHERE delegator = $1",
        [who.bob],
      );
      expect(bobChange).to.deep.equal({ from_delegate: ETH, to_delegate: who.alice });
    });
    it("writing a range twice changes no table (balances move only for rows inserted)", async function () {
      const raw = (await provider.request({
        method: "eth_getLogs",
        params: [{ fromBlock: "0x0", toBlock: "latest" }],
      })) as RpcLog[];
      const handlers = HANDLERS.filter((h) =>
        ["GovernanceToken", "AgoraGovernor", "AgoraTimelock", "RevenueSplit", "TipJar"].includes(
          h.contract,
        ),
      );
      const file = toDeploymentFile("test", 31337, suite);
      const logs = createLogDecoder(
        handlers.map((h) => ({
          contract: h.contract,
          address: file.contracts[h.contract].address,
          events: h.events,
        })),
      )(raw, () => 0n);
      expect(logs.filter((log) => log.event === "Transfer")).to.have.length(6);
      const before = await checksumTables(db.url);
      const pool = new pg.Pool({ connectionString: db.url });
      try {
        await inTransaction(pool, async (tx) => {
          for (const handler of handlers) {
            await handler.apply(
              tx,
              logs.filter((log) => log.contract === handler.contract),
            );
          }
        });
      } finally {
        await pool.end();
      }
      expect(await checksumTables(db.url)).to.deep.equal(before);
    });
  });

  describe("revenue", function () {
    it("keeps the allocation history; the latest row equals the split's allocation", async function () {
      const split = suite.revenueSplit.contract;
      const history = await rows(
        "SELECT recipients, bps, creator_share_bps, block_number FROM allocation_changes ORDER BY block_number, log_index",
      );
      expect(history).to.have.length(2);
      expect(history[0]).to.deep.equal({
        recipients: [who.deployer, who.timelock],
        bps: [5_000, 3_000],
        creator_share_bps: DAO_DEFAULTS.creatorShareBps,
        block_number: String(suite.revenueSplit.blockNumber),
      });
      const buckets = await split.buckets();
      expect(history[1]).to.deep.equal({
        recipients: buckets.map((b) => b.recipient.toLowerCase()),
        bps: buckets.map((b) => Number(b.bps)),
        creator_share_bps: Number(await split.creatorShareBps()),
        block_number: proposal.blocks.executed,
      });
      expect(history[1].recipients).to.deep.equal(newBuckets.map((b) => b.recipient.toLowerCase()));
    });

    it("balances and totals from the revenue tables equal the split's views to the wei", async function () {
      const split = suite.revenueSplit.contract;
      const [totals] = await rows(
        `SELECT
           (SELECT sum(amount) FROM revenue_deposits WHERE token = $1) AS received,
           (SELECT coalesce(sum(creator_credit), 0) FROM revenue_deposits WHERE token = $1)
             + (SELECT coalesce(sum(amount), 0) FROM revenue_distributions WHERE token = $1) AS credited,
           (SELECT undistributed FROM (
              SELECT undistributed, block_number, log_index FROM revenue_deposits WHERE token = $1
              UNION ALL
              SELECT undistributed, block_number, log_index FROM revenue_distributions WHERE token = $1
            ) u ORDER BY block_number DESC, log_index DESC LIMIT 1) AS undistributed,
           (SELECT sum(amount) FROM revenue_withdrawals WHERE token = $1) AS withdrawn`,
        [ETH],
      );
      const accounting = await split.accounting(ETH);
      expect(totals).to.deep.equal({
        received: String(accounting.received),
        credited: String(accounting.credited),
        undistributed: String(accounting.undistributed),
        withdrawn: String(accounting.withdrawn),
      });
      // Per account: the latest credit's balance, zero if withdrawn since.
      const balances = await rows(
        `SELECT c.account, CASE WHEN w.block_number IS NOT NULL
             AND (w.block_number, w.log_index) > (c.block_number, c.log_index) THEN '0' ELSE c.balance::text END AS balance
         FROM (SELECT DISTINCT ON (account) * FROM revenue_credits WHERE token = $1
               ORDER BY account, block_number DESC, log_index DESC) c
         LEFT JOIN LATERAL (SELECT block_number, log_index FROM revenue_withdrawals
           WHERE account = c.account AND token = $1 ORDER BY block_number DESC, log_index DESC LIMIT 1) w ON true
         ORDER BY c.account`,
        [ETH],
      );
      expect(balances.map((b) => b.account).sort()).to.deep.equal(
        [who.operations, who.timelock].sort(),
      );
      for (const { account, balance } of balances) {
        expect(balance).to.equal(String(await split.balanceOf(ETH, account)));
      }
      const [profile] = await rows(
        `SELECT balance FROM revenue_profile_credits WHERE token = $1 AND profile_id = $2
         ORDER BY block_number DESC, log_index DESC LIMIT 1`,
        [ETH, String(creatorId)],
      );
      expect(profile.balance).to.equal(String(await split.profileBalanceOf(ETH, creatorId)));
      expect(
        await rows(
          "SELECT token, account, profile_id, to_address FROM revenue_withdrawals ORDER BY block_number",
        ),
      ).to.deep.equal([
        { token: ETH, account: who.operations, profile_id: null, to_address: who.dave },
        { token: ETH, account: null, profile_id: String(creatorId), to_address: who.carol },
      ]);
    });
  });

  describe("when the chain is replaced by a longer fork", function () {
    it("rolls every table back and they equal a fresh index of the new chain", async function () {
      const [deployer, alice, bob, carol, dave, , erin] = await hre.ethers.getSigners();
      const tipJar = suite.tipJar.contract;
      await (await tipJar.connect(dave).tipETH(creatorId, "before the fork", { value: 4n })).wait();
      const { indexer, db: followed } = await start();
      const token = suite.governanceToken.contract;
      const governor = suite.governor.contract;
      const split = suite.revenueSplit.contract;
      const forkPoint = (await provider.request({ method: "evm_snapshot", params: [] })) as string;

      // Chain A: a new holder delegating, moved delegations, a proposal with votes, revenue.
      await (await token.transfer(erin.address, 1_000n * ONE)).wait();
      await (await token.connect(erin).delegate(carol.address)).wait();
      await (await token.connect(bob).delegate(bob.address)).wait();
      const targets = [suite.tipJar.address];
      const calldatas = [suite.tipJar.contract.interface.encodeFunctionData("setFeeBps", [100])];
      await (await governor.propose(targets, [0n], calldatas, "Chain A")).wait();
      const aId = await governor.hashProposal(targets, [0n], calldatas, hashText("Chain A"));
      await time.increase(DAO_DEFAULTS.votingDelay + 1);
      await (await governor.connect(alice).castVote(aId, Vote.For)).wait();
      await (await governor.connect(carol).castVote(aId, Vote.Against)).wait();
      await (await split.connect(dave).depositETH(creatorId, { value: ONE })).wait();
      await (await split.distribute(ETH)).wait();
      await (await tipJar.connect(dave).tipETH(creatorId, "chain A", { value: ONE })).wait();
      await (await tipJar.connect(erin).tipETH(creatorId, "chain A", { value: 2n })).wait();
      await indexer.sync.syncToHead();
      const onChainA = await checksumTables(followed.url);

      // Chain B: other moves, and more blocks, so it wins.
      expect(await provider.request({ method: "evm_revert", params: [forkPoint] })).to.equal(true);
      await (await token.connect(alice).transfer(dave.address, 9n)).wait();
      await (await token.connect(dave).delegate(deployer.address)).wait();
      await (await split.connect(dave).depositETH(0, { value: 4n })).wait();
      await provider.request({ method: "hardhat_mine", params: ["0x20"] });
      await indexer.sync.syncToHead();

      const onChainB = await checksumTables(followed.url);
      const fresh = await start();
      expect(onChainB).to.deep.equal(await checksumTables(fresh.db.url));
      expect(onChainB).to.not.deep.equal(onChainA);
      const check = new pg.Client({ connectionString: followed.url });
      await check.connect();
      const { rows: erinRows } = await check.query(
        "SELECT * FROM governance_accounts WHERE address = $1",
        [erin.address.toLowerCase()],
      );
      const { rows: daveRows } = await check.query(
        "SELECT delegate, votes FROM governance_accounts WHERE address = $1",
        [who.dave],
      );
      const { rows: tipTotals } = await check.query(
        "SELECT token, amount, count FROM profile_tip_totals WHERE profile_id = $1",
        [String(creatorId)],
      );
      await check.end();
      expect(erinRows).to.deep.equal([]);
      expect(daveRows).to.deep.equal([{ delegate: who.deployer, votes: "0" }]);
      // Chain B has no tip: only the rollback takes chain A's two out of the totals.
      expect(tipTotals).to.deep.equal([{ token: ETH, amount: "4", count: 1 }]);
    });
  });
});
