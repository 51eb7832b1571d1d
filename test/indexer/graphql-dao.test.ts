import { expect } from "chai";
import hre from "hardhat";
import pg from "pg";
import pino from "pino";
import {
  id as keccakText,
  parseEther,
  ZeroAddress,
  type ContractTransactionResponse,
  type Signer,
} from "ethers";
import { deploySuite, type Suite } from "../../deploy/suite";
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

// A reply's shape is the query's own; the assertions check it field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const logger = pino({ level: "silent" });
const ETH = parseEther;
const DAY = 86_400;
/** IGovernor.ProposalState, by its numeric value. */
const STATES = [
  "Pending",
  "Active",
  "Canceled",
  "Defeated",
  "Succeeded",
  "Queued",
  "Expired",
  "Executed",
];

interface GraphQLReply {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

interface Proposed {
  id: bigint;
  targets: string[];
  values: bigint[];
  calldatas: string[];
  description: string;
}

describe("GraphQL API: governance and revenue", function () {
  let rpc: RpcServer;
  let db: TestDatabase;
  let indexer: Indexer;
  let pool: pg.Pool;
  let api: Api;
  let suite: Suite;
  let signers: Signer[];
  const addr: Record<string, string> = {};
  const proposals: Record<string, Proposed> = {};
  let aliceId: bigint;

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
    return reply.data;
  }

  const send = async (tx: Promise<ContractTransactionResponse>) => (await tx).wait();
  const advance = async (seconds: number) => {
    await hre.network.provider.request({ method: "evm_increaseTime", params: [seconds] });
  };

  async function propose(
    proposer: Signer,
    name: string,
    calls: { target: string; data: string }[],
  ): Promise<Proposed> {
    const governor = suite.governor.contract;
    const description = `proposal ${name}`;
    const targets = calls.map((c) => c.target);
    const values = calls.map(() => 0n);
    const calldatas = calls.map((c) => c.data);
    await send(governor.connect(proposer).propose(targets, values, calldatas, description));
    const id = await governor.hashProposal(targets, values, calldatas, keccakText(description));
    const proposed = { id, targets, values, calldatas, description };
    proposals[name] = proposed;
    return proposed;
  }

  before(async function () {
    signers = await hre.ethers.getSigners();
    const [deployer, alice, bob, carol] = signers;
    for (const [name, signer] of Object.entries({ deployer, alice, bob, carol }))
      addr[name] = (await signer.getAddress()).toLowerCase();
    suite = await deploySuite(deployer);
    const token = suite.governanceToken.contract;
    const governor = suite.governor.contract;
    const split = suite.revenueSplit.contract;
    const jar = suite.tipJar.contract;
    addr.timelock = suite.timelock.address.toLowerCase();

    await send(suite.profileRegistry.contract.connect(alice).register("alice", "ipfs://alice"));
    aliceId = await suite.profileRegistry.contract.profileIdOf(addr.alice);

    // Voting power: alice holds 5M and gets bob's 2M delegated; carol holds 1k, undelegated.
    await send(token.transfer(addr.alice, ETH("5000000")));
    await send(token.transfer(addr.bob, ETH("2000000")));
    await send(token.transfer(addr.carol, ETH("1000")));
    await send(token.connect(alice).delegate(addr.alice));
    await send(token.connect(bob).delegate(addr.alice));

    // "passed": raises the tip fee, the quorum to 10% and changes the allocation.
    const passed = await propose(deployer, "passed", [
      { target: suite.tipJar.address, data: jar.interface.encodeFunctionData("setFeeBps", [300]) },
      {
        target: suite.governor.address,
        data: governor.interface.encodeFunctionData("updateQuorumNumerator", [10]),
      },
      {
        target: suite.revenueSplit.address,
        data: split.interface.encodeFunctionData("setAllocation", [
          [
            { recipient: addr.deployer, bps: 3_000 },
            { recipient: addr.timelock, bps: 5_000 },
          ],
          2_000,
        ]),
      },
    ]);
    await advance(DAY + 10);
    await send(governor.castVote(passed.id, 1));
    await send(governor.connect(alice).castVoteWithReason(passed.id, 0, "too early"));
    await send(governor.connect(carol).castVote(passed.id, 2));
    await advance(5 * DAY + 10);
    const hash = keccakText(passed.description);
    await send(governor.queue(passed.targets, passed.values, passed.calldatas, hash));
    await advance(2 * DAY + 10);
    await send(governor.execute(passed.targets, passed.values, passed.calldatas, hash));

    // "defeated": alice's 7M votes for, under the new 10% quorum of 100M.
    const defeated = await propose(alice, "defeated", [
      { target: suite.tipJar.address, data: jar.interface.encodeFunctionData("setFeeBps", [100]) },
    ]);
    // "succeeded": the deployer votes for; never queued.
    const succeeded = await propose(deployer, "succeeded", [
      { target: suite.tipJar.address, data: jar.interface.encodeFunctionData("setFeeBps", [200]) },
    ]);
    await advance(DAY + 10);
    await send(governor.connect(alice).castVote(defeated.id, 1));
    await send(governor.castVote(succeeded.id, 1));
    await advance(5 * DAY + 10);
    // "canceled": canceled by its proposer while pending.
    const canceled = await propose(deployer, "canceled", [
      { target: suite.tipJar.address, data: jar.interface.encodeFunctionData("setFeeBps", [50]) },
    ]);
    await send(
      governor.cancel(
        canceled.targets,
        canceled.values,
        canceled.calldatas,
        keccakText(canceled.description),
      ),
    );
    // "active": voting open now; "pending": voting opens in a day.
    const active = await propose(alice, "active", [
      { target: suite.tipJar.address, data: jar.interface.encodeFunctionData("setFeeBps", [60]) },
    ]);
    await advance(DAY + 10);
    await propose(deployer, "pending", [
      { target: suite.tipJar.address, data: jar.interface.encodeFunctionData("setFeeBps", [70]) },
    ]);
    await send(governor.connect(alice).castVote(active.id, 1));

    // Revenue: a deposit earned by alice, one by nobody, distributed, partly withdrawn.
    await send(split.connect(carol).depositETH(aliceId, { value: ETH("1") }));
    await send(split.connect(carol).depositETH(0, { value: ETH("0.5") }));
    await send(split.distribute(ZeroAddress));
    await send(split.withdraw(ZeroAddress, addr.deployer));
    await send(split.connect(alice).withdrawForProfile(ZeroAddress, aliceId, addr.alice));
    await send(split.connect(carol).depositETH(aliceId, { value: ETH("0.1") }));

    rpc = await serveProvider(hre.network.provider);
    db = await createTestDatabase("graphql_dao");
    const deploymentFile = writeSuiteDeployment(31337, suite);
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

  describe("proposals", function () {
    it("reports each proposal's state, tallies and quorum as the governor does", async function () {
      const governor = suite.governor.contract;
      const { proposals: page } = await data(
        `{ proposals(first: 10, orderDirection: asc) { nodes {
            id proposer targets values calldatas description voteStart voteEnd
            forVotes againstVotes abstainVotes voteCount quorum state eta } } }`,
      );
      expect(page.nodes.map((p: Json) => p.description)).to.deep.equal(
        ["passed", "defeated", "succeeded", "canceled", "active", "pending"].map(
          (n) => `proposal ${n}`,
        ),
      );
      const clock = await suite.governanceToken.contract.clock();
      for (const node of page.nodes) {
        const name = String(node.description).replace("proposal ", "");
        const proposed = proposals[name];
        const [against, forVotes, abstain] = await governor.proposalVotes(proposed.id);
        const snapshot = await governor.proposalSnapshot(proposed.id);
        expect(node, name).to.deep.include({
          id: String(proposed.id),
          targets: proposed.targets.map((t) => t.toLowerCase()),
          values: proposed.values.map(String),
          calldatas: proposed.calldatas,
          voteStart: String(snapshot),
          voteEnd: String(await governor.proposalDeadline(proposed.id)),
          forVotes: String(forVotes),
          againstVotes: String(against),
          abstainVotes: String(abstain),
          state: STATES[Number(await governor.state(proposed.id))],
        });
        // quorum(timepoint) needs a past timepoint.
        if (snapshot < clock)
          expect(node.quorum, name).to.equal(String(await governor.quorum(snapshot)));
      }
      const states = Object.fromEntries(
        page.nodes.map((p: Json) => [String(p.description).replace("proposal ", ""), p.state]),
      );
      expect(states).to.deep.equal({
        passed: "Executed",
        defeated: "Defeated",
        succeeded: "Succeeded",
        canceled: "Canceled",
        active: "Active",
        pending: "Pending",
      });
      // 4% of the 100M supply before the quorum change, 10% after.
      expect(page.nodes[0].quorum).to.equal(String(ETH("4000000")));
      expect(page.nodes[1].quorum).to.equal(String(ETH("10000000")));
    });

    it("filters proposals by state and reads one by id with its votes", async function () {
      const { open, proposal } = await data(
        `query($id: BigInt!) {
          open: proposals(where: { state_in: ["Active", "Pending"] }) { nodes { description } }
          proposal(id: $id) { state votes(orderDirection: asc) { nodes { voter support weight reason proposal { state } } } }
        }`,
        { id: String(proposals.passed.id) },
      );
      expect(open.nodes.map((p: Json) => p.description)).to.deep.equal([
        "proposal pending",
        "proposal active",
      ]);
      const token = suite.governanceToken.contract;
      const snapshot = await suite.governor.contract.proposalSnapshot(proposals.passed.id);
      expect(proposal.votes.nodes).to.deep.equal([
        {
          voter: addr.deployer,
          support: 1,
          weight: String(await token.getPastVotes(addr.deployer, snapshot)),
          reason: "",
          proposal: { state: "Executed" },
        },
        {
          voter: addr.alice,
          support: 0,
          weight: String(ETH("7000000")),
          reason: "too early",
          proposal: { state: "Executed" },
        },
        { voter: addr.carol, support: 2, weight: "0", reason: "", proposal: { state: "Executed" } },
      ]);
      const unknown = await gql(`{ proposal(id: "12345") { state } }`);
      expect(unknown.errors?.[0].extensions?.code).to.equal("PROPOSAL_NOT_FOUND");
    });
  });

  describe("votes", function () {
    it("lists every vote at the top level as the governor emitted it, filtered, ordered and paged", async function () {
      const governor = suite.governor.contract;
      const emitted = (await governor.queryFilter(governor.filters.VoteCast(), 0, "latest")).map(
        (event) => ({
          proposalId: String(event.args.proposalId),
          voter: event.args.voter.toLowerCase(),
          support: Number(event.args.support),
          weight: String(event.args.weight),
          reason: event.args.reason,
          params: null,
          blockNumber: String(event.blockNumber),
        }),
      );
      expect(emitted).to.have.length(6);
      const fields = "proposalId voter support weight reason params blockNumber";
      const all = await data(`{ votes { nodes { ${fields} } } }`);
      expect(all.votes.nodes, "newest first by default").to.deep.equal([...emitted].reverse());

      const { byAlice, onPassed, against, heaviest } = await data(
        `query($passed: BigInt!, $alice: Address!) {
          byAlice: votes(where: { voter: $alice }, orderDirection: asc) { nodes { proposalId support } }
          onPassed: votes(where: { proposalId: $passed }, orderDirection: asc) { nodes { voter } }
          against: votes(where: { support: 0 }) { nodes { voter reason } }
          heaviest: votes(orderBy: weight, first: 2) { nodes { voter weight } }
        }`,
        {
          passed: String(proposals.passed.id),
          alice: addr.alice.toUpperCase().replace("0X", "0x"),
        },
      );
      expect(byAlice.nodes).to.deep.equal(
        emitted
          .filter((v) => v.voter === addr.alice)
          .map((v) => ({ proposalId: v.proposalId, support: v.support })),
      );
      expect(byAlice.nodes.map((v: Json) => v.proposalId)).to.deep.equal(
        [proposals.passed, proposals.defeated, proposals.active].map((p) => String(p.id)),
      );
      expect(onPassed.nodes.map((v: Json) => v.voter)).to.deep.equal([
        addr.deployer,
        addr.alice,
        addr.carol,
      ]);
      expect(against.nodes).to.deep.equal([{ voter: addr.alice, reason: "too early" }]);
      const byWeight = [...emitted].sort((x, y) =>
        BigInt(y.weight) > BigInt(x.weight) ? 1 : BigInt(y.weight) < BigInt(x.weight) ? -1 : 0,
      );
      expect(heaviest.nodes.map((v: Json) => v.weight)).to.deep.equal(
        byWeight.slice(0, 2).map((v) => v.weight),
      );

      const walked: string[] = [];
      let after: string | null = null;
      for (;;) {
        const page: Json = await data(
          `query($after: String) { votes(first: 4, after: $after, orderDirection: asc) {
            nodes { voter proposalId } pageInfo { hasNextPage endCursor } } }`,
          { after },
        );
        walked.push(...page.votes.nodes.map((v: Json) => `${v.proposalId}:${v.voter}`));
        if (!page.votes.pageInfo.hasNextPage) break;
        after = page.votes.pageInfo.endCursor;
      }
      expect(walked).to.deep.equal(emitted.map((v) => `${v.proposalId}:${v.voter}`));
    });
  });

  describe("delegates", function () {
    it("orders accounts by voting power equal to getVotes", async function () {
      const token = suite.governanceToken.contract;
      const { delegates } = await data(
        `{ delegates(first: 3) { nodes { address votes balance delegate delegators } } }`,
      );
      expect(delegates.nodes.map((d: Json) => d.address)).to.deep.equal([
        addr.deployer,
        addr.alice,
        // Then an account without votes; which one is up to the address order.
        delegates.nodes[2].address,
      ]);
      for (const node of delegates.nodes) {
        expect(node.votes).to.equal(String(await token.getVotes(node.address)));
        expect(node.balance).to.equal(String(await token.balanceOf(node.address)));
      }
      expect(delegates.nodes[1]).to.deep.equal({
        address: addr.alice,
        votes: String(ETH("7000000")),
        balance: String(ETH("5000000")),
        delegate: addr.alice,
        delegators: 2,
      });
    });

    it("gives the voting power of any address and its history", async function () {
      const { alice, carol, stranger, account } = await data(
        `query($alice: Address!, $carol: Address!) {
          alice: votingPower(address: $alice)
          carol: votingPower(address: $carol)
          stranger: votingPower(address: "0x00000000000000000000000000000000000000aa")
          account: governanceAccount(address: $carol) { balance delegate votes
            votesCast { nodes { support } } votingPowerHistory { nodes { newVotes } } }
        }`,
        { alice: addr.alice, carol: addr.carol },
      );
      expect({ alice, carol, stranger }).to.deep.equal({
        alice: String(ETH("7000000")),
        carol: "0",
        stranger: "0",
      });
      expect(account).to.deep.equal({
        balance: String(ETH("1000")),
        delegate: null,
        votes: "0",
        votesCast: { nodes: [{ support: 2 }] },
        votingPowerHistory: { nodes: [] },
      });
      const { governanceAccount } = await data(
        `query($a: Address!) { governanceAccount(address: $a) {
          votingPowerHistory(orderDirection: asc) { nodes { previousVotes newVotes } } } }`,
        { a: addr.alice },
      );
      expect(governanceAccount.votingPowerHistory.nodes).to.deep.equal([
        { previousVotes: "0", newVotes: String(ETH("5000000")) },
        { previousVotes: String(ETH("5000000")), newVotes: String(ETH("7000000")) },
      ]);
    });
  });

  describe("revenue", function () {
    it("reads the current allocation and its history", async function () {
      const split = suite.revenueSplit.contract;
      const { allocation, allocationHistory } = await data(
        `{ allocation { recipients bps creatorShareBps }
           allocationHistory { nodes { recipients bps } } }`,
      );
      const buckets = await split.buckets();
      expect(allocation).to.deep.equal({
        recipients: buckets.map((b) => b.recipient.toLowerCase()),
        bps: buckets.map((b) => Number(b.bps)),
        creatorShareBps: Number(await split.creatorShareBps()),
      });
      expect(allocationHistory.nodes).to.deep.equal([
        { recipients: [addr.deployer, addr.timelock], bps: [3_000, 5_000] },
        { recipients: [addr.deployer, addr.timelock], bps: [5_000, 3_000] },
      ]);
    });

    it("sums revenue by bucket, token and creator as the split accounts it", async function () {
      const split = suite.revenueSplit.contract;
      const { revenueByBucket, revenueByToken, revenueByCreator } = await data(
        `{ revenueByBucket { nodes { account token credited credits withdrawn } }
           revenueByToken { nodes { token deposited creatorCredited deposits distributed } }
           revenueByCreator { nodes { profileId token credited generated withdrawn profile { handle } } } }`,
      );
      // Creator: 20% of the 1.1 ETH alice's activity brought in.
      const aliceCredited = (ETH("1.1") * 2_000n) / 10_000n;
      const accounting = await split.accounting(ZeroAddress);
      expect(revenueByToken.nodes).to.deep.equal([
        {
          token: ZeroAddress,
          deposited: String(accounting.received),
          creatorCredited: String(aliceCredited),
          deposits: 3,
          // What the buckets were credited: everything credited but the creator's share.
          distributed: String(accounting.credited - aliceCredited),
        },
      ]);
      expect(revenueByCreator.nodes).to.deep.equal([
        {
          profileId: String(aliceId),
          token: ZeroAddress,
          credited: String(aliceCredited),
          generated: String(ETH("1.1")),
          withdrawn: String((ETH("1") * 2_000n) / 10_000n),
          profile: { handle: "alice" },
        },
      ]);
      expect(await split.profileBalanceOf(ZeroAddress, aliceId)).to.equal(
        aliceCredited - (ETH("1") * 2_000n) / 10_000n,
      );
      // Buckets: credited once, by the allocation in force then (deployer 3000, timelock 5000).
      const byAccount = Object.fromEntries(revenueByBucket.nodes.map((b: Json) => [b.account, b]));
      expect(Object.keys(byAccount).sort()).to.deep.equal([addr.deployer, addr.timelock].sort());
      for (const account of [addr.deployer, addr.timelock]) {
        const node = byAccount[account];
        expect(BigInt(node.credited) - BigInt(node.withdrawn)).to.equal(
          await split.balanceOf(ZeroAddress, account),
        );
        expect(node.credits).to.equal(1);
      }
      expect(byAccount[addr.deployer].withdrawn).to.equal(byAccount[addr.deployer].credited);
      expect(revenueByBucket.nodes[0].account).to.equal(addr.timelock);
    });
  });

  describe("stats", function () {
    it("counts proposals and votes", async function () {
      const { stats } = await data(`{ stats { proposals votes tips coins } }`);
      expect(stats).to.deep.equal({ proposals: 6, votes: 6, tips: 0, coins: 0 });
    });
  });
});
