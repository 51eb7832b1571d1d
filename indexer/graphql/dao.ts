import type { ApiContext, ApiModule } from "./context";
import {
  column,
  connectionArgs,
  createRowLoader,
  entityTypeDefs,
  fetchPage,
  selectColumns,
  type Entity,
  type PageArgs,
  type PageLimits,
  type Row,
} from "./entity";
import { ErrorCode, userError } from "./errors";
import { profileById } from "./profiles";
import { NOW_SQL, nested, required, traceColumns } from "./shared";

const ZERO = "'0x0000000000000000000000000000000000000000'";

/**
 * The quorum of proposal `pp`, as GovernorVotesQuorumFraction computes it:
 * getPastTotalSupply(voteStart) * quorumNumerator(voteStart) / quorumDenominator(), with the
 * denominator 100. Both are checkpointed by the clock (block timestamps), so each is the value
 * of the latest change in a block whose timestamp is at most voteStart: the numerator from
 * QuorumNumeratorUpdated, the supply from mints (transfers from the zero address) minus burns.
 */
const QUORUM_SQL = `div(
  (SELECT coalesce(sum(CASE WHEN s.from_address = ${ZERO} THEN s.value ELSE -s.value END), 0)
     FROM governance_transfers s JOIN blocks sb ON sb.number = s.block_number
     WHERE (s.from_address = ${ZERO} OR s.to_address = ${ZERO})
       AND s.from_address <> s.to_address AND sb.timestamp <= pp.vote_start)
  * coalesce(
    (SELECT g.new_value::numeric FROM governance_setting_changes g JOIN blocks gb ON gb.number = g.block_number
       WHERE g.setting = 'quorumNumerator' AND gb.timestamp <= pp.vote_start
       ORDER BY g.block_number DESC, g.log_index DESC LIMIT 1), 0),
  100)`;

/**
 * Governor.state (with GovernorTimelockControl) against "now", the timestamp of the latest
 * indexed block holding an event (see NOW_SQL). A proposal whose timelock operation was
 * executed or cancelled on the timelock directly (not through the governor) stays Queued.
 */
const STATE_SQL = `CASE
  WHEN pp.executed_block_number IS NOT NULL THEN 'Executed'
  WHEN pp.canceled_block_number IS NOT NULL THEN 'Canceled'
  WHEN pq.now IS NULL OR pp.vote_start >= pq.now THEN 'Pending'
  WHEN pp.vote_end >= pq.now THEN 'Active'
  WHEN pq.quorum > pp.for_votes + pp.abstain_votes OR pp.for_votes <= pp.against_votes THEN 'Defeated'
  WHEN pp.queued_block_number IS NULL THEN 'Succeeded'
  ELSE 'Queued' END`;

export const PROPOSAL: Entity = {
  name: "Proposal",
  description:
    "A governance proposal: its calls, voting window, tallies, quorum and lifecycle. Vote weights and the quorum are in governance-token wei.",
  from: `proposals pp CROSS JOIN LATERAL (SELECT ${QUORUM_SQL} AS quorum, ${NOW_SQL} AS now) pq`,
  alias: "pp",
  columns: [
    {
      field: "id",
      sql: "pp.id",
      kind: "uint256",
      filter: true,
      description: "Proposal id (the hash of its calls and description).",
    },
    {
      field: "proposer",
      sql: "pp.proposer",
      kind: "address",
      filter: true,
      description: "Address that proposed it.",
    },
    {
      field: "targets",
      sql: "pp.targets",
      kind: "addresses",
      description: "Contracts called, one per call.",
    },
    {
      field: "values",
      sql: "pp.values",
      kind: "uint256s",
      description: "ETH sent with each call, in wei.",
    },
    {
      field: "signatures",
      sql: "pp.signatures",
      kind: "texts",
      description: "Function signatures of the calls (empty: given in the calldata).",
    },
    {
      field: "calldatas",
      sql: "pp.calldatas",
      kind: "texts",
      description: "Calldata of each call, 0x-prefixed hex.",
    },
    {
      field: "voteStart",
      sql: "pp.vote_start",
      kind: "uint64",
      filter: true,
      description: "Unix time voting opens after (the snapshot of voting power), in seconds.",
    },
    {
      field: "voteEnd",
      sql: "pp.vote_end",
      kind: "uint64",
      filter: true,
      description: "Unix time voting closes at (inclusive), in seconds.",
    },
    { field: "description", sql: "pp.description", kind: "text", description: "Description." },
    ...traceColumns("pp", "proposal"),
    {
      field: "timestamp",
      sql: "pp.timestamp",
      kind: "uint64",
      description: "Unix time of the proposal's block, in seconds.",
    },
    {
      field: "forVotes",
      sql: "pp.for_votes",
      kind: "uint256",
      description: "Weight of the votes for.",
    },
    {
      field: "againstVotes",
      sql: "pp.against_votes",
      kind: "uint256",
      description: "Weight of the votes against.",
    },
    {
      field: "abstainVotes",
      sql: "pp.abstain_votes",
      kind: "uint256",
      description: "Weight of the abstentions.",
    },
    { field: "voteCount", sql: "pp.vote_count", kind: "int", description: "Number of votes." },
    {
      field: "quorum",
      sql: "pq.quorum",
      kind: "uint256",
      description:
        "Votes for plus abstentions needed: total supply at voteStart * quorum numerator at voteStart / 100.",
    },
    {
      field: "state",
      sql: STATE_SQL,
      kind: "text",
      filter: true,
      description:
        "Pending, Active, Defeated, Succeeded, Queued, Executed or Canceled, as Governor.state computes it with the clock at the timestamp of the latest indexed block holding an event (not the wall clock).",
    },
    {
      field: "eta",
      sql: "pp.eta",
      kind: "uint64",
      nullable: true,
      description: "Once queued: Unix time the timelock lets it execute.",
    },
    {
      field: "queuedBlockNumber",
      sql: "pp.queued_block_number",
      kind: "uint64",
      nullable: true,
      description: "Block it was queued in, null until then.",
    },
    {
      field: "executedBlockNumber",
      sql: "pp.executed_block_number",
      kind: "uint64",
      nullable: true,
      description: "Block it was executed in, null until then.",
    },
    {
      field: "canceledBlockNumber",
      sql: "pp.canceled_block_number",
      kind: "uint64",
      nullable: true,
      description: "Block it was canceled in, null unless canceled.",
    },
  ],
  orderings: [
    {
      name: "blockNumber",
      description: "In order of proposal.",
      keys: ["blockNumber", "logIndex"],
    },
  ],
  defaultOrdering: "blockNumber",
  defaultDirection: "desc",
};

export const VOTE: Entity = {
  name: "Vote",
  description: "A vote on a proposal (VoteCast or VoteCastWithParams).",
  from: "votes v",
  alias: "v",
  columns: [
    ...traceColumns("v", "vote"),
    {
      field: "proposalId",
      sql: "v.proposal_id",
      kind: "uint256",
      filter: true,
      description: "Proposal voted on.",
    },
    { field: "voter", sql: "v.voter", kind: "address", filter: true, description: "Voter." },
    {
      field: "support",
      sql: "v.support",
      kind: "int",
      filter: true,
      description: "0: against, 1: for, 2: abstain.",
    },
    {
      field: "weight",
      sql: "v.weight",
      kind: "uint256",
      filter: true,
      description: "Voting power at the proposal's snapshot.",
    },
    { field: "reason", sql: "v.reason", kind: "text", description: "Reason given, may be empty." },
    {
      field: "params",
      sql: "v.params",
      kind: "text",
      nullable: true,
      description: "Params of VoteCastWithParams, null for VoteCast.",
    },
  ],
  orderings: [
    { name: "blockNumber", description: "In chain order.", keys: ["blockNumber", "logIndex"] },
    { name: "weight", description: "By weight.", keys: ["weight", "blockNumber", "logIndex"] },
  ],
  defaultOrdering: "blockNumber",
  defaultDirection: "desc",
};

export const GOVERNANCE_ACCOUNT: Entity = {
  name: "GovernanceAccount",
  description:
    "An account's current governance state: token balance, chosen delegate and voting power.",
  from: "governance_accounts ga",
  alias: "ga",
  columns: [
    { field: "address", sql: "ga.address", kind: "address", filter: true, description: "Account." },
    {
      field: "balance",
      sql: "ga.balance",
      kind: "uint256",
      filter: true,
      description: "Governance token balance.",
    },
    {
      field: "delegate",
      sql: "ga.delegate",
      kind: "address",
      nullable: true,
      filter: true,
      description: "Delegate its balance votes through; null: none, so its balance does not vote.",
    },
    {
      field: "votes",
      sql: "ga.votes",
      kind: "uint256",
      filter: true,
      description:
        "Voting power: the balances delegated to it (its own included if self-delegated).",
    },
    {
      field: "delegators",
      sql: "ga.delegators",
      kind: "int",
      description: "Accounts that delegate to it.",
    },
  ],
  orderings: [
    { name: "votes", description: "By voting power.", keys: ["votes", "address"] },
    { name: "address", description: "By address.", keys: ["address"] },
  ],
  defaultOrdering: "votes",
  defaultDirection: "desc",
};

export const VOTING_POWER_CHANGE: Entity = {
  name: "VotingPowerChange",
  description: "A change of a delegate's voting power (DelegateVotesChanged).",
  from: "delegate_votes_changes dv",
  alias: "dv",
  columns: [
    ...traceColumns("dv", "change"),
    {
      field: "timestamp",
      sql: "dv.timestamp",
      kind: "uint64",
      filter: true,
      description: "Unix time of the change, in seconds.",
    },
    {
      field: "delegate",
      sql: "dv.delegate",
      kind: "address",
      filter: true,
      description: "Delegate.",
    },
    {
      field: "previousVotes",
      sql: "dv.previous_votes",
      kind: "uint256",
      description: "Voting power before.",
    },
    { field: "newVotes", sql: "dv.new_votes", kind: "uint256", description: "Voting power after." },
  ],
  orderings: [
    { name: "blockNumber", description: "In chain order.", keys: ["blockNumber", "logIndex"] },
  ],
  defaultOrdering: "blockNumber",
  defaultDirection: "desc",
};

export const ALLOCATION: Entity = {
  name: "Allocation",
  description:
    "How the revenue split divides each fee: the creator's share first, the rest across the buckets.",
  from: "allocation_changes ac",
  alias: "ac",
  columns: [
    ...traceColumns("ac", "AllocationChanged event"),
    {
      field: "timestamp",
      sql: "ac.timestamp",
      kind: "uint64",
      description: "Unix time the allocation took effect, in seconds.",
    },
    {
      field: "recipients",
      sql: "ac.recipients",
      kind: "addresses",
      description: "Bucket recipients, in order.",
    },
    {
      field: "bps",
      sql: "ac.bps",
      kind: "ints",
      description: "Share of each bucket in basis points, in the order of recipients.",
    },
    {
      field: "creatorShareBps",
      sql: "ac.creator_share_bps",
      kind: "int",
      description: "Share of a creator-attributed fee credited to the creator, in basis points.",
    },
  ],
  orderings: [
    { name: "blockNumber", description: "In chain order.", keys: ["blockNumber", "logIndex"] },
  ],
  defaultOrdering: "blockNumber",
  defaultDirection: "desc",
};

export const REVENUE_BUCKET: Entity = {
  name: "RevenueBucket",
  description: "What one bucket recipient of the revenue split was credited in one token.",
  from: `(SELECT account, token, sum(amount) AS credited, count(*)::int AS credits
          FROM revenue_credits GROUP BY account, token) rb`,
  alias: "rb",
  columns: [
    {
      field: "account",
      sql: "rb.account",
      kind: "address",
      filter: true,
      description: "Bucket recipient.",
    },
    {
      field: "token",
      sql: "rb.token",
      kind: "address",
      filter: true,
      description: "Token (the zero address for ETH).",
    },
    {
      field: "credited",
      sql: "rb.credited",
      kind: "uint256",
      description: "Sum of its credits.",
    },
    { field: "credits", sql: "rb.credits", kind: "int", description: "Number of credits." },
    {
      field: "withdrawn",
      sql: `(SELECT coalesce(sum(w.amount), 0) FROM revenue_withdrawals w
             WHERE w.account = rb.account AND w.token = rb.token)`,
      kind: "uint256",
      description: "Sum of its withdrawals.",
    },
  ],
  orderings: [
    {
      name: "credited",
      description: "By amount credited.",
      keys: ["credited", "account", "token"],
    },
  ],
  defaultOrdering: "credited",
  defaultDirection: "desc",
};

export const REVENUE_TOKEN: Entity = {
  name: "RevenueToken",
  description: "Fees deposited into the revenue split in one token.",
  from: `(SELECT token, sum(amount) AS deposited, sum(creator_credit) AS creator_credited,
            count(*)::int AS deposits
          FROM revenue_deposits GROUP BY token) rt`,
  alias: "rt",
  columns: [
    {
      field: "token",
      sql: "rt.token",
      kind: "address",
      filter: true,
      description: "Token (the zero address for ETH).",
    },
    { field: "deposited", sql: "rt.deposited", kind: "uint256", description: "Sum deposited." },
    {
      field: "creatorCredited",
      sql: "rt.creator_credited",
      kind: "uint256",
      description: "Part of it credited to creators.",
    },
    { field: "deposits", sql: "rt.deposits", kind: "int", description: "Number of deposits." },
    {
      field: "distributed",
      sql: "(SELECT coalesce(sum(d.amount), 0) FROM revenue_distributions d WHERE d.token = rt.token)",
      kind: "uint256",
      description: "Sum distributed across the buckets.",
    },
  ],
  orderings: [
    { name: "deposited", description: "By amount deposited.", keys: ["deposited", "token"] },
  ],
  defaultOrdering: "deposited",
  defaultDirection: "desc",
};

export const REVENUE_CREATOR: Entity = {
  name: "RevenueCreator",
  description: "What one creator (profile) earned from the revenue split in one token.",
  from: `(SELECT profile_id, token, sum(amount) AS credited, count(*)::int AS credits
          FROM revenue_profile_credits GROUP BY profile_id, token) rc`,
  alias: "rc",
  columns: [
    {
      field: "profileId",
      sql: "rc.profile_id",
      kind: "uint256",
      filter: true,
      description: "Creator's profile.",
    },
    {
      field: "token",
      sql: "rc.token",
      kind: "address",
      filter: true,
      description: "Token (the zero address for ETH).",
    },
    {
      field: "credited",
      sql: "rc.credited",
      kind: "uint256",
      description: "Sum credited to the creator.",
    },
    { field: "credits", sql: "rc.credits", kind: "int", description: "Number of credits." },
    {
      field: "generated",
      sql: `(SELECT coalesce(sum(d.amount), 0) FROM revenue_deposits d
             WHERE d.creator_id = rc.profile_id AND d.token = rc.token)`,
      kind: "uint256",
      description: "Fees deposited on the creator's account (its credit is a share of them).",
    },
    {
      field: "withdrawn",
      sql: `(SELECT coalesce(sum(w.amount), 0) FROM revenue_withdrawals w
             WHERE w.profile_id = rc.profile_id AND w.token = rc.token)`,
      kind: "uint256",
      description: "Sum the creator withdrew.",
    },
  ],
  orderings: [
    {
      name: "credited",
      description: "By amount credited.",
      keys: ["credited", "profileId", "token"],
    },
  ],
  defaultOrdering: "credited",
  defaultDirection: "desc",
};

function proposalById(context: ApiContext, id: string): Promise<Row | null> {
  return context
    .loader("proposal:id", () => createRowLoader(context.db, PROPOSAL, column(PROPOSAL, "id")))
    .load(id);
}

function accountByAddress(context: ApiContext, address: string): Promise<Row | null> {
  return context
    .loader("governanceAccount:address", () =>
      createRowLoader(context.db, GOVERNANCE_ACCOUNT, column(GOVERNANCE_ACCOUNT, "address")),
    )
    .load(address);
}

export function daoModule(limits: PageLimits): ApiModule {
  return {
    typeDefs: /* GraphQL */ `
      ${entityTypeDefs(PROPOSAL)}
      ${entityTypeDefs(VOTE)}
      ${entityTypeDefs(GOVERNANCE_ACCOUNT)}
      ${entityTypeDefs(VOTING_POWER_CHANGE)}
      ${entityTypeDefs(ALLOCATION)}
      ${entityTypeDefs(REVENUE_BUCKET)}
      ${entityTypeDefs(REVENUE_TOKEN)}
      ${entityTypeDefs(REVENUE_CREATOR)}

      extend type Proposal {
        "Votes on this proposal, latest first by default."
        votes${connectionArgs(VOTE, limits)}: VoteConnection!
      }

      extend type Vote {
        "Proposal voted on."
        proposal: Proposal!
      }

      extend type GovernanceAccount {
        "Changes of its voting power, latest first by default."
        votingPowerHistory${connectionArgs(VOTING_POWER_CHANGE, limits)}: VotingPowerChangeConnection!
        "Its votes on proposals, latest first by default."
        votesCast${connectionArgs(VOTE, limits)}: VoteConnection!
      }

      extend type RevenueCreator {
        "Creator's profile."
        profile: Profile!
      }

      extend type Query {
        "The proposal with this id; an unknown id is an error with code PROPOSAL_NOT_FOUND."
        proposal("Proposal id." id: BigInt!): Proposal
        "Proposals matching a filter (where: { state: \\"Active\\" } for open ones), latest first by default."
        proposals${connectionArgs(PROPOSAL, limits)}: ProposalConnection!
        "Votes matching a filter (where: { voter } for an address's votes)."
        votes${connectionArgs(VOTE, limits)}: VoteConnection!
        "Accounts by voting power (the delegates), largest first by default."
        delegates${connectionArgs(GOVERNANCE_ACCOUNT, limits)}: GovernanceAccountConnection!
        "The governance state of an address, null when it never held, delegated or received votes."
        governanceAccount("Account." address: Address!): GovernanceAccount
        "Current voting power of an address: 0 when it has none."
        votingPower("Account." address: Address!): BigInt!
        "The current revenue allocation, null before the first is set."
        allocation: Allocation
        "Every allocation set, latest first by default."
        allocationHistory${connectionArgs(ALLOCATION, limits)}: AllocationConnection!
        "Revenue credited to each bucket recipient, per token."
        revenueByBucket${connectionArgs(REVENUE_BUCKET, limits)}: RevenueBucketConnection!
        "Fees deposited into the revenue split, per token."
        revenueByToken${connectionArgs(REVENUE_TOKEN, limits)}: RevenueTokenConnection!
        "Revenue credited to each creator, per token."
        revenueByCreator${connectionArgs(REVENUE_CREATOR, limits)}: RevenueCreatorConnection!
      }
    `,
    resolvers: {
      Query: {
        async proposal(_: unknown, args: { id: string }, context: ApiContext) {
          const row = await proposalById(context, args.id);
          if (!row)
            throw userError(ErrorCode.ProposalNotFound, `no proposal has the id ${args.id}`);
          return row;
        },
        proposals: (_: unknown, args: PageArgs, context: ApiContext) =>
          fetchPage(context.db, PROPOSAL, args, context.limits),
        votes: (_: unknown, args: PageArgs, context: ApiContext) =>
          fetchPage(context.db, VOTE, args, context.limits),
        delegates: (_: unknown, args: PageArgs, context: ApiContext) =>
          fetchPage(context.db, GOVERNANCE_ACCOUNT, args, context.limits),
        governanceAccount: (_: unknown, args: { address: string }, context: ApiContext) =>
          accountByAddress(context, args.address),
        async votingPower(_: unknown, args: { address: string }, context: ApiContext) {
          const account = await accountByAddress(context, args.address);
          return account ? account.votes : "0";
        },
        async allocation(_: unknown, __: unknown, context: ApiContext) {
          const rows = await context.db.query<Row>(
            `SELECT ${selectColumns(ALLOCATION)} FROM ${ALLOCATION.from}
             ORDER BY ac.block_number DESC, ac.log_index DESC LIMIT 1`,
          );
          return rows[0] ?? null;
        },
        allocationHistory: (_: unknown, args: PageArgs, context: ApiContext) =>
          fetchPage(context.db, ALLOCATION, args, context.limits),
        revenueByBucket: (_: unknown, args: PageArgs, context: ApiContext) =>
          fetchPage(context.db, REVENUE_BUCKET, args, context.limits),
        revenueByToken: (_: unknown, args: PageArgs, context: ApiContext) =>
          fetchPage(context.db, REVENUE_TOKEN, args, context.limits),
        revenueByCreator: (_: unknown, args: PageArgs, context: ApiContext) =>
          fetchPage(context.db, REVENUE_CREATOR, args, context.limits),
      },
      Proposal: {
        votes: nested("Proposal.votes", VOTE, "id", (key) => `v.proposal_id = ${key}`),
      },
      Vote: {
        proposal: (vote: Row, _: unknown, context: ApiContext) =>
          required(proposalById(context, String(vote.proposalId)), `proposal ${vote.proposalId}`),
      },
      GovernanceAccount: {
        votingPowerHistory: nested(
          "GovernanceAccount.votingPowerHistory",
          VOTING_POWER_CHANGE,
          "address",
          (key) => `dv.delegate = ${key}`,
          "text",
        ),
        votesCast: nested(
          "GovernanceAccount.votesCast",
          VOTE,
          "address",
          (key) => `v.voter = ${key}`,
          "text",
        ),
      },
      RevenueCreator: {
        profile: (entry: Row, _: unknown, context: ApiContext) =>
          required(profileById(context, String(entry.profileId)), `profile ${entry.profileId}`),
      },
    },
  };
}
