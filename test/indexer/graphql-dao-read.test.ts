import { expect } from "chai";
import hre from "hardhat";
import pg from "pg";
import pino from "pino";
import { impersonateAccount, setBalance } from "@nomicfoundation/hardhat-network-helpers";
import {
  id as keccakText,
  parseEther,
  type ContractTransactionResponse,
  type Signer,
} from "ethers";
import { DAO_DEFAULTS } from "../../deploy/dao";
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
import { subscribeSse } from "./sse";
import { writeSuiteDeployment } from "./suiteHelpers";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const logger = pino({ level: "silent" });
const ETH = parseEther;
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

interface Proposed {
  id: bigint;
  targets: string[];
  values: bigint[];
  calldatas: string[];
  description: string;
}

describe("GraphQL API: governance as DAO members read it", function () {
  let rpc: RpcServer;
  let db: TestDatabase;
  let indexer: Indexer;
  let pool: pg.Pool;
  let api: Api;
  let suite: Suite;
  let signers: Signer[];
  const addr: Record<string, string> = {};
  const proposals: Record<string, Proposed> = {};
  const queries: string[] = [];

  async function gql(query: string, variables?: Record<string, unknown>): Promise<Json> {
    const response = await api.yoga.fetch("http://api/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ query, variables }),
    });
    return response.json();
  }

  async function data(query: string, variables?: Record<string, unknown>): Promise<Json> {
    const reply = await gql(query, variables);
    expect(reply.errors, JSON.stringify(reply.errors)).to.equal(undefined);
    return reply.data;
  }

  const send = async (tx: Promise<ContractTransactionResponse>) => (await tx).wait();
  const increaseTime = (seconds: number) =>
    hre.network.provider.request({ method: "evm_increaseTime", params: [seconds] });
  const mine = () => hre.network.provider.request({ method: "evm_mine", params: [] });

  async function propose(
    proposer: Signer,
    name: string,
    description: string,
    calls: { target: string; data: string; value?: bigint }[],
  ): Promise<Proposed> {
    const governor = suite.governor.contract;
    const targets = calls.map((c) => c.target);
    const values = calls.map((c) => c.value ?? 0n);
    const calldatas = calls.map((c) => c.data);
    await send(governor.connect(proposer).propose(targets, values, calldatas, description));
    const id = await governor.hashProposal(targets, values, calldatas, keccakText(description));
    proposals[name] = { id, targets, values, calldatas, description };
    return proposals[name];
  }

  async function stateOnChain(name: string): Promise<string> {
    return STATES[Number(await suite.governor.contract.state(proposals[name].id))];
  }

  async function stateInApi(name: string): Promise<string> {
    const reply = await data(`query($id: BigInt!) { proposal(id: $id) { state } }`, {
      id: String(proposals[name].id),
    });
    return reply.proposal.state;
  }

  before(async function () {
    signers = await hre.ethers.getSigners();
    const [deployer, alice, bob, carol] = signers;
    for (const [name, signer] of Object.entries({ deployer, alice, bob, carol }))
      addr[name] = (await signer.getAddress()).toLowerCase();
    suite = await deploySuite(deployer);
    const token = suite.governanceToken.contract;
    const split = suite.revenueSplit.contract;
    const jar = suite.tipJar.contract;

    await send(suite.profileRegistry.contract.connect(alice).register("alice", "ipfs://alice"));
    await send(suite.profileRegistry.contract.connect(bob).register("bob", "ipfs://bob"));
    const aliceId = await suite.profileRegistry.contract.profileIdOf(addr.alice);
    await send(jar.connect(bob).tipETH(aliceId, "thanks", { value: ETH("0.01") }));

    // alice: 5M of her own and bob's 2M delegated to her; carol: 1k, self-delegated.
    await send(token.transfer(addr.alice, ETH("5000000")));
    await send(token.transfer(addr.bob, ETH("2000000")));
    await send(token.transfer(addr.carol, ETH("1000")));
    await send(token.connect(alice).delegate(addr.alice));
    await send(token.connect(bob).delegate(addr.alice));
    await send(token.connect(carol).delegate(addr.carol));

    await propose(
      deployer,
      "decoded",
      "# Rebalance the revenue split\n\nGive the treasury more.\nSecond paragraph.",
      [
        {
          target: suite.revenueSplit.address,
          data: split.interface.encodeFunctionData("setAllocation", [
            [
              { recipient: addr.alice, bps: 3_000 },
              { recipient: addr.carol, bps: 7_000 },
            ],
            2_000,
          ]),
        },
        {
          target: suite.tipJar.address,
          data: jar.interface.encodeFunctionData("setFeeBps", [300]),
        },
        // Not an Agora contract: flagged, never decoded.
        { target: addr.carol, data: "0xdeadbeef00" },
        // An Agora contract, but calldata that fits none of its functions.
        { target: suite.tipJar.address, data: "0x12345678" },
        { target: addr.bob, data: "0x", value: 5n },
      ],
    );
    // Voted while active, then read on a quiet chain: the deployer's vote passes "passing",
    // carol's 1k alone leaves "failing" below the quorum.
    await propose(deployer, "passing", "Passing\nraise the fee", [
      { target: suite.tipJar.address, data: jar.interface.encodeFunctionData("setFeeBps", [100]) },
    ]);
    await propose(deployer, "failing", "Failing", [
      { target: suite.tipJar.address, data: jar.interface.encodeFunctionData("setFeeBps", [90]) },
    ]);
    await increaseTime(DAO_DEFAULTS.votingDelay + 10);
    await mine();
    const governor = suite.governor.contract;
    await send(governor.castVote(proposals.passing.id, 1));
    await send(governor.connect(alice).castVoteWithReason(proposals.decoded.id, 0, "no"));
    await send(governor.connect(carol).castVote(proposals.decoded.id, 2));
    await send(governor.connect(carol).castVote(proposals.failing.id, 1));

    rpc = await serveProvider(hre.network.provider);
    db = await createTestDatabase("graphql_dao_read");
    const deploymentFile = writeSuiteDeployment(31337, suite);
    indexer = await indexToHead(
      testConfig(testEnv({ rpcUrl: rpc.url, databaseUrl: db.url, deploymentFile })),
    );
    pool = createReadPool({ url: db.url, statementTimeoutMs: 5_000, logger });
    api = await createApi({
      pool,
      databaseUrl: db.url,
      logger,
      fallbackPollMs: 0,
      limits: { cacheTtlMs: 0 },
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

  describe("a proposal", function () {
    it("has a title: the first line of its description, without a Markdown #", async function () {
      const { proposals: page } = await data(
        `{ proposals(orderDirection: asc) { nodes { title description } } }`,
      );
      expect(page.nodes.map((p: Json) => p.title)).to.deep.equal([
        "Rebalance the revenue split",
        "Passing",
        "Failing",
      ]);
    });

    it("decodes its actions with Agora's ABIs, with named arguments, and flags unknown targets", async function () {
      const { proposal } = await data(
        `query($id: BigInt!) { proposal(id: $id) { actions {
           index target contract knownTarget value calldata function signature
           args { name type value } call decodeError } } }`,
        { id: String(proposals.decoded.id) },
      );
      const [allocation, fee, unknown, misfit, transfer] = proposal.actions;
      const split = suite.revenueSplit.address.toLowerCase();
      expect(allocation).to.deep.include({
        index: 0,
        target: split,
        contract: "RevenueSplit",
        knownTarget: true,
        value: "0",
        function: "setAllocation",
        signature: "setAllocation((address,uint16)[],uint16)",
        decodeError: null,
      });
      expect(allocation.args).to.deep.equal([
        {
          name: "buckets",
          type: "tuple[]",
          value: `[{ recipient: ${addr.alice}, bps: 3000 }, { recipient: ${addr.carol}, bps: 7000 }]`,
        },
        { name: "creatorShareBps", type: "uint16", value: "2000" },
      ]);
      expect(allocation.call).to.equal(
        `RevenueSplit.setAllocation(buckets: [{ recipient: ${addr.alice}, bps: 3000 }, { recipient: ${addr.carol}, bps: 7000 }], creatorShareBps: 2000)`,
      );
      expect(fee.call).to.equal("TipJar.setFeeBps(feeBps: 300)");
      expect(unknown).to.deep.include({
        target: addr.carol,
        contract: null,
        knownTarget: false,
        function: null,
        args: [],
        call: `${addr.carol}.0xdeadbeef(…)`,
        decodeError: "the target is not one of Agora's contracts",
      });
      expect(misfit).to.deep.include({ contract: "TipJar", knownTarget: true, function: null });
      expect(misfit.decodeError).to.match(/^the calldata fits no function of TipJar/);
      expect(transfer).to.deep.include({
        knownTarget: false,
        value: "5",
        call: `transfer {value: 5 wei} to ${addr.bob}`,
        decodeError: null,
      });
    });

    it("reports participation against the supply at its snapshot", async function () {
      const governor = suite.governor.contract;
      const token = suite.governanceToken.contract;
      const { proposal } = await data(
        `query($id: BigInt!) { proposal(id: $id) {
           supplyAtSnapshot totalVotes participationBps forVotes againstVotes abstainVotes } }`,
        { id: String(proposals.decoded.id) },
      );
      const snapshot = await governor.proposalSnapshot(proposals.decoded.id);
      const supply = await token.getPastTotalSupply(snapshot);
      const [against, forVotes, abstain] = await governor.proposalVotes(proposals.decoded.id);
      const total = against + forVotes + abstain;
      expect(proposal).to.deep.equal({
        supplyAtSnapshot: String(supply),
        totalVotes: String(total),
        participationBps: Number((total * 10_000n) / supply),
        forVotes: String(forVotes),
        againstVotes: String(against),
        abstainVotes: String(abstain),
      });
      expect(proposal.participationBps).to.equal(700); // 7M of 100M
    });

    it("gives an account's voting power at its snapshot, as getPastVotes does", async function () {
      const governor = suite.governor.contract;
      const token = suite.governanceToken.contract;
      const id = String(proposals.decoded.id);
      const snapshot = await governor.proposalSnapshot(proposals.decoded.id);
      // Bob moves his delegation after the snapshot: the snapshot keeps alice at 7M.
      await send(token.connect(signers[2]).delegate(addr.bob));
      await indexer.sync.syncToHead();
      const reply = await data(
        `query($id: BigInt!, $alice: Address!, $bob: Address!, $dave: Address!) {
           alice: votingPowerAt(address: $alice, proposalId: $id)
           bob: votingPowerAt(address: $bob, proposalId: $id)
           dave: votingPowerAt(address: $dave, proposalId: $id)
           now: votingPower(address: $alice)
           proposal(id: $id) { alice: votingPowerOf(account: $alice) bob: votingPowerOf(account: $bob) } }`,
        { id, alice: addr.alice, bob: addr.bob, dave: "0x" + "d".repeat(40) },
      );
      expect(reply).to.deep.equal({
        alice: String(await token.getPastVotes(addr.alice, snapshot)),
        bob: String(await token.getPastVotes(addr.bob, snapshot)),
        dave: "0",
        now: String(await token.getVotes(addr.alice)),
        proposal: {
          alice: String(await token.getPastVotes(addr.alice, snapshot)),
          bob: "0",
        },
      });
      expect(reply.alice).to.equal(String(ETH("7000000")));
      expect(reply.now).to.equal(String(ETH("5000000")));
      const unknown = await gql(`{ votingPowerAt(address: "${addr.alice}", proposalId: "12345") }`);
      expect(unknown.errors[0].extensions.code).to.equal("PROPOSAL_NOT_FOUND");
      expect(unknown.errors[0].message).to.equal("no proposal has the id 12345");
    });
  });

  describe("on a quiet chain", function () {
    it("reads Succeeded and Defeated once blocks without events pass the end of voting", async function () {
      expect(await stateInApi("passing")).to.equal("Active");
      expect(await stateInApi("failing")).to.equal("Active");
      await api.live.wake();
      const changes = await subscribeSse(
        api,
        `subscription { proposalChanged { event blockNumber proposal { title state } } }`,
        "proposals",
      );
      await increaseTime(DAO_DEFAULTS.votingPeriod + 10);
      for (let i = 0; i < 3; i++) await mine();
      const head = await hre.ethers.provider.getBlock("latest");
      await indexer.sync.syncToHead();
      // No event marks the end of voting: the synced head's clock passing it does.
      const ended = [];
      for (let i = 0; i < 3; i++) {
        ended.push((await (i === 0 ? changes.first : changes.next())).data.proposalChanged);
      }
      await changes.close();
      expect(ended).to.have.deep.members(
        [
          ["Rebalance the revenue split", "Defeated"],
          ["Passing", "Succeeded"],
          ["Failing", "Defeated"],
        ].map(([title, state]) => ({
          event: "ended",
          blockNumber: String(head!.number),
          proposal: { title, state },
        })),
      );
      expect(await stateOnChain("passing")).to.equal("Succeeded");
      expect(await stateOnChain("failing")).to.equal("Defeated");
      expect(await stateInApi("passing")).to.equal("Succeeded");
      expect(await stateInApi("failing")).to.equal("Defeated");
      // "Now" is the last synced block, though it holds no event.
      const { stats } = await data(`{ stats { asOf } }`);
      expect(stats.asOf).to.equal(String(head!.timestamp));
      const latestEvent = await pool.query<{ t: string }>(
        "SELECT max(timestamp)::text AS t FROM blocks",
      );
      expect(Number(latestEvent.rows[0].t)).to.be.lessThan(head!.timestamp);
    });
  });

  describe("a proposal whose operation the timelock cancelled", function () {
    it("reads Queued while the timelock holds it, then Canceled, as Governor.state does", async function () {
      const governor = suite.governor.contract;
      const timelock = suite.timelock.contract;
      const passing = proposals.passing;
      await send(
        governor.queue(
          passing.targets,
          passing.values,
          passing.calldatas,
          keccakText(passing.description),
        ),
      );
      await indexer.sync.syncToHead();
      expect(await stateOnChain("passing")).to.equal("Queued");
      expect(await stateInApi("passing")).to.equal("Queued");
      const scheduled = await timelock.queryFilter(timelock.filters.CallScheduled(), 0, "latest");
      const operation = scheduled.at(-1)!.args.id;
      expect(await timelock.isOperationPending(operation)).to.equal(true);
      const { proposal: queued } = await data(
        `query($id: BigInt!) { proposal(id: $id) { timelockOperationId } }`,
        { id: String(passing.id) },
      );
      expect(queued.timelockOperationId).to.equal(operation.toLowerCase());

      await api.live.wake();
      const changes = await subscribeSse(
        api,
        `subscription { proposalChanged(id: "${passing.id}") { event blockNumber proposal { state } } }`,
        "proposals",
      );
      await impersonateAccount(suite.governor.address);
      await setBalance(suite.governor.address, ETH("1"));
      let cancelled;
      try {
        const canceller = await hre.ethers.getSigner(suite.governor.address);
        cancelled = await send(timelock.connect(canceller).cancel(operation));
      } finally {
        await hre.network.provider.request({
          method: "hardhat_stopImpersonatingAccount",
          params: [suite.governor.address],
        });
      }
      await indexer.sync.syncToHead();
      expect(await stateOnChain("passing")).to.equal("Canceled");
      expect(await stateInApi("passing")).to.equal("Canceled");
      // The governor emitted nothing: the subscription follows the timelock's own event.
      expect((await changes.first).data.proposalChanged).to.deep.equal({
        event: "canceled",
        blockNumber: String(cancelled!.blockNumber),
        proposal: { state: "Canceled" },
      });
      await changes.close();
      const { proposals: filtered } = await data(
        `{ proposals(where: { state: "Canceled" }) { nodes { title } } }`,
      );
      expect(filtered.nodes).to.deep.equal([{ title: "Passing" }]);
    });
  });

  describe("addresses", function () {
    it("link to their profiles, read with one query for a whole page", async function () {
      queries.length = 0;
      const reply = await data(
        `{ votes(orderDirection: asc) { nodes { voter voterProfile { handle } } }
           delegates(first: 5) { nodes { address addressProfile { handle } delegate delegateProfile { handle } } }
           tips { nodes { tipper tipperProfile { handle } } } }`,
      );
      const handles = { [addr.alice]: "alice", [addr.bob]: "bob" } as Record<string, string>;
      const profileOf = (address: string | null) =>
        address && handles[address] ? { handle: handles[address] } : null;
      for (const vote of reply.votes.nodes)
        expect(vote.voterProfile).to.deep.equal(profileOf(vote.voter));
      expect(reply.votes.nodes.map((v: Json) => v.voterProfile?.handle ?? null)).to.include(
        "alice",
      );
      for (const account of reply.delegates.nodes) {
        expect(account.addressProfile).to.deep.equal(profileOf(account.address));
        expect(account.delegateProfile).to.deep.equal(profileOf(account.delegate));
      }
      expect(reply.tips.nodes).to.deep.equal([
        { tipper: addr.bob, tipperProfile: { handle: "bob" } },
      ]);
      // A page of votes costs one query of profiles by owner, whatever its length.
      queries.length = 0;
      const { votes } = await data(`{ votes { nodes { voterProfile { handle } } } }`);
      expect(votes.nodes.length).to.be.greaterThan(3);
      const profileQueries = queries.filter((sql) =>
        /FROM profiles pr WHERE pr\.owner = ANY/.test(sql),
      );
      expect(profileQueries).to.have.length(1);
    });
  });

  describe("subscriptions", function () {
    it("stream proposals as they are created and votes as they are cast", async function () {
      const [, alice] = signers;
      const governor = suite.governor.contract;
      const changes = await subscribeSse(
        api,
        `subscription { proposalChanged { event blockNumber proposal { title state proposerProfile { handle } } } }`,
        "proposals",
      );
      const votes = await subscribeSse(
        api,
        `subscription { voteCast(voter: "${addr.alice}") { voter support weight voterProfile { handle } proposal { title } } }`,
        "votes",
      );
      const live = await propose(alice, "live", "Live one\nbody", [
        {
          target: suite.tipJar.address,
          data: suite.tipJar.contract.interface.encodeFunctionData("setFeeBps", [80]),
        },
      ]);
      await indexer.sync.syncToHead();
      const created = await changes.first;
      expect(created.data.proposalChanged).to.deep.include({
        event: "created",
        proposal: { title: "Live one", state: "Pending", proposerProfile: { handle: "alice" } },
      });
      await increaseTime(DAO_DEFAULTS.votingDelay + 10);
      await mine();
      // Filtered out: carol's vote.
      await send(governor.connect(signers[3]).castVote(live.id, 0));
      const receipt = await send(governor.connect(alice).castVote(live.id, 1));
      await indexer.sync.syncToHead();
      // Voting opened with the clock, before the first vote's block: placed at that block.
      const [firstVote] = await suite.governor.contract.queryFilter(
        suite.governor.contract.filters.VoteCast(),
        receipt!.blockNumber - 1,
        receipt!.blockNumber - 1,
      );
      expect((await changes.next()).data.proposalChanged).to.deep.equal({
        event: "started",
        blockNumber: String(firstVote.blockNumber),
        proposal: { title: "Live one", state: "Active", proposerProfile: { handle: "alice" } },
      });
      const vote = await votes.first;
      expect(vote.data.voteCast).to.deep.equal({
        voter: addr.alice,
        support: 1,
        weight: String(await suite.governanceToken.contract.getVotes(addr.alice)),
        voterProfile: { handle: "alice" },
        proposal: { title: "Live one" },
      });
      expect(receipt).to.not.equal(null);
      await changes.close();
      await votes.close();
    });
  });

  describe("notifications", function () {
    it("tell every profile of proposals created and decided, on the timelock too, latest first, with the proposer's profile", async function () {
      const governor = suite.governor.contract;
      const handles: Record<string, string> = { [addr.alice]: "alice", [addr.bob]: "bob" };
      // From the governor's own events: every proposal created, queued, executed or canceled.
      const expected: { at: [number, number]; node: Json }[] = [];
      for (const event of await governor.queryFilter(governor.filters.ProposalCreated())) {
        const proposer = event.args.proposer.toLowerCase();
        expected.push({
          at: [event.blockNumber, event.index],
          node: {
            kind: "PROPOSAL_CREATED",
            proposalId: String(event.args.proposalId),
            proposalEvent: null,
            actorAddress: proposer,
            actorAddressProfile: handles[proposer] ? { handle: handles[proposer] } : null,
          },
        });
      }
      for (const [kind, filter] of [
        ["queued", governor.filters.ProposalQueued()],
        ["executed", governor.filters.ProposalExecuted()],
        ["canceled", governor.filters.ProposalCanceled()],
      ] as const) {
        for (const event of await governor.queryFilter(filter)) {
          expected.push({
            at: [event.blockNumber, event.index],
            node: {
              kind: "PROPOSAL_DECIDED",
              proposalId: String(event.args.proposalId),
              proposalEvent: kind,
              actorAddress: null,
              actorAddressProfile: null,
            },
          });
        }
      }
      // And the timelock cancelling, on its own, the operation a proposal's queue scheduled.
      const timelock = suite.timelock.contract;
      const scheduledBy = new Map<string, bigint>();
      for (const queued of await governor.queryFilter(governor.filters.ProposalQueued())) {
        for (const call of await timelock.queryFilter(
          timelock.filters.CallScheduled(),
          queued.blockNumber,
          queued.blockNumber,
        )) {
          if (call.transactionHash === queued.transactionHash)
            scheduledBy.set(call.args.id, queued.args.proposalId);
        }
      }
      const governorCancels = new Set(
        (await governor.queryFilter(governor.filters.ProposalCanceled())).map(
          (event) => event.transactionHash,
        ),
      );
      for (const event of await timelock.queryFilter(timelock.filters.Cancelled())) {
        const proposalId = scheduledBy.get(event.args.id);
        if (proposalId === undefined || governorCancels.has(event.transactionHash)) continue;
        expected.push({
          at: [event.blockNumber, event.index],
          node: {
            kind: "PROPOSAL_DECIDED",
            proposalId: String(proposalId),
            proposalEvent: "canceled",
            actorAddress: null,
            actorAddressProfile: null,
          },
        });
      }
      // "passing" was cancelled on the timelock directly (see above).
      expect(expected.map((e) => e.node)).to.deep.include({
        kind: "PROPOSAL_DECIDED",
        proposalId: String(proposals.passing.id),
        proposalEvent: "canceled",
        actorAddress: null,
        actorAddressProfile: null,
      });
      expected.sort((x, y) => y.at[0] - x.at[0] || y.at[1] - x.at[1]);
      expect(expected.map((e) => e.node.kind)).to.include.members([
        "PROPOSAL_CREATED",
        "PROPOSAL_DECIDED",
      ]);
      expect(expected.map((e) => e.node.actorAddressProfile)).to.deep.include({ handle: "alice" });
      // Every profile gets them: alice (who proposed one) and bob alike.
      for (const handle of ["alice", "bob"]) {
        const { notifications } = await data(
          `{ notifications(handle: "${handle}", first: 100, where: { kind_in: ["PROPOSAL_CREATED", "PROPOSAL_DECIDED"] }) {
               nodes { kind proposalId proposalEvent actorAddress actorAddressProfile { handle } } } }`,
        );
        expect(notifications.nodes, handle).to.deep.equal(expected.map((e) => e.node));
      }
    });
  });
});
