import DataLoader from "dataloader";
import { decodeAction, titleOf } from "./actions";
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
import type { LiveFeed } from "./live";
import { NOW_SQL, eventFeed, nested, required, traceColumns } from "./shared";
import { chainStrings, eventRowKey } from "./strings";

const ZERO = "'0x0000000000000000000000000000000000000000'";

/**
 * The total supply of the governance token at proposal `pp`'s snapshot (voteStart), as
 * getPastTotalSupply computes it: checkpointed by the clock (block timestamps), so the mints
 * (transfers from the zero address) minus burns in blocks whose timestamp is at most voteStart.
 */
const SUPPLY_SQL = `(SELECT coalesce(sum(CASE WHEN s.from_address = ${ZERO} THEN s.value ELSE -s.value END), 0)
     FROM governance_transfers s JOIN blocks sb ON sb.number = s.block_number
     WHERE (s.from_address = ${ZERO} OR s.to_address = ${ZERO})
       AND s.from_address <> s.to_address AND sb.timestamp <= pp.vote_start)`;

/**
 * The quorum of proposal `pp`, as GovernorVotesQuorumFraction computes it:
 * getPastTotalSupply(voteStart) * quorumNumerator(voteStart) / quorumDenominator(), with the
 * denominator 100. The numerator is the latest QuorumNumeratorUpdated in a block whose
 * timestamp is at most voteStart. `ps.supply` is SUPPLY_SQL.
 */
const QUORUM_SQL = `div(
  ps.supply
  * coalesce(
    (SELECT g.new_value::numeric FROM governance_setting_changes g JOIN blocks gb ON gb.number = g.block_number
       WHERE g.setting = 'quorumNumerator' AND gb.timestamp <= pp.vote_start
       ORDER BY g.block_number DESC, g.log_index DESC LIMIT 1), 0),
  100)`;

/**
 * The timelock operation a queued proposal's `queue` scheduled: GovernorTimelockControl
 * schedules the proposal's calls as one batch in the transaction that emits ProposalQueued, so
 * it is the operation scheduled in that transaction whose first call is the proposal's first.
 */
const OPERATION_SQL = `(SELECT s.operation_id FROM proposal_lifecycle_events q
  JOIN timelock_operations s ON s.tx_hash = q.tx_hash AND s.kind = 'scheduled' AND s.call_index = 0
    AND lower(s.target) = lower(pp.targets[1]) AND lower(s.data) = lower(pp.calldatas[1])
    AND s.value = pp.values[1]
  WHERE q.proposal_id = pp.id AND q.kind = 'queued'
  ORDER BY q.block_number DESC, q.log_index DESC, s.log_index LIMIT 1)`;

/**
 * Governor.state (with GovernorTimelockControl) against "now", the timestamp of the latest
 * indexed block (see NOW_SQL). Once queued, the timelock decides, as it does on chain: an
 * operation executed there reads Executed, one cancelled there (by a canceller acting on the
 * timelock directly, not through the governor) reads Canceled.
 */
const STATE_SQL = `CASE
  WHEN pp.executed_block_number IS NOT NULL THEN 'Executed'
  WHEN pp.canceled_block_number IS NOT NULL THEN 'Canceled'
  WHEN pq.now IS NULL OR pp.vote_start >= pq.now THEN 'Pending'
  WHEN pp.vote_end >= pq.now THEN 'Active'
  WHEN pq.quorum > pp.for_votes + pp.abstain_votes OR pp.for_votes <= pp.against_votes THEN 'Defeated'
  WHEN pp.queued_block_number IS NULL THEN 'Succeeded'
  WHEN pt.done THEN 'Executed'
  WHEN pt.cancelled THEN 'Canceled'
  ELSE 'Queued' END`;

/** Whether the queued proposal's timelock operation was executed or cancelled there. */
const TIMELOCK_SQL = `(SELECT bool_or(o.kind = 'executed') AS done, bool_or(o.kind = 'cancelled') AS cancelled
  FROM timelock_operations o WHERE pp.queued_block_number IS NOT NULL AND o.operation_id = po.operation)`;

export const PROPOSAL: Entity = {
  name: "Proposal",
  description:
    "A governance proposal: its calls, voting window, tallies, quorum and lifecycle. Vote weights and the quorum are in governance-token wei.",
  from: `proposals pp CROSS JOIN LATERAL (SELECT ${SUPPLY_SQL} AS supply) ps
    CROSS JOIN LATERAL (SELECT ${QUORUM_SQL} AS quorum, ${NOW_SQL} AS now) pq
    CROSS JOIN LATERAL (SELECT CASE WHEN pp.queued_block_number IS NOT NULL THEN ${OPERATION_SQL} END AS operation) po
    CROSS JOIN LATERAL ${TIMELOCK_SQL} pt`,
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
      field: "supplyAtSnapshot",
      sql: "ps.supply",
      kind: "uint256",
      description:
        "Total supply of the governance token at the snapshot (voteStart): what participation is measured against.",
    },
    {
      field: "totalVotes",
      sql: "pp.for_votes + pp.against_votes + pp.abstain_votes",
      kind: "uint256",
      description: "Weight of all votes cast: for, against and abstain.",
    },
    {
      field: "participationBps",
      sql: "CASE WHEN ps.supply > 0 THEN div((pp.for_votes + pp.against_votes + pp.abstain_votes) * 10000, ps.supply)::int END",
      kind: "int",
      nullable: true,
      description:
        "Participation: totalVotes / supplyAtSnapshot in basis points, rounded down; null when the supply was 0.",
    },
    {
      field: "state",
      sql: STATE_SQL,
      kind: "text",
      filter: true,
      description:
        "Pending, Active, Defeated, Succeeded, Queued, Executed or Canceled, as Governor.state computes it with the clock at the timestamp of the latest indexed block, events or not (not the wall clock).",
    },
    {
      field: "eta",
      sql: "pp.eta",
      kind: "uint64",
      nullable: true,
      description: "Once queued: Unix time the timelock lets it execute.",
    },
    {
      field: "timelockOperationId",
      sql: "po.operation",
      kind: "text",
      nullable: true,
      description:
        "Once queued: id of the timelock operation holding its calls (bytes32, 0x-prefixed hex).",
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

const PROPOSAL_STRINGS = chainStrings(
  "Proposal",
  { table: "proposals", columns: [{ field: "id", column: "id", cast: "numeric" }] },
  [
    { field: "description", column: "description" },
    { field: "signatures", column: "signatures", list: true },
  ],
);

const VOTE_STRINGS = chainStrings("Vote", eventRowKey("votes"), [
  { field: "reason", column: "reason" },
]);

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

/** Each vote as it is indexed. */
export const VOTES_FEED = eventFeed("votes", VOTE);

/**
 * Proposals whose voting opened (`started`: Pending to Active) or closed (`ended`: Active to
 * Succeeded or Defeated) as "now" moved from `$3` to `$4` (timestamps of the synced heads, see
 * LiveClock): no event marks either, only the clock. Each is placed at the first indexed block
 * of `($1, $2]` past its deadline (its log index before that block's events), else at `$2`.
 * Proposals created within the range are left out: their `created` change already reads the
 * state at its end; and so are those canceled before it, whose state no clock moves.
 */
const CLOCK_CHANGES_SQL = ["started", "ended"]
  .map((kind) => {
    const deadline = kind === "started" ? "c.vote_start" : "c.vote_end";
    return `SELECT c.id AS proposal_id,
         coalesce((SELECT min(b.number) FROM blocks b WHERE b.number > $1::int8
           AND b.number <= $2::int8 AND b.timestamp > ${deadline}), $2::int8) AS block_number,
         ${kind === "started" ? -2 : -1} AS log_index, '${kind}' AS kind, NULL AS operation_id
       FROM proposals c
       WHERE c.block_number <= $1::int8 AND ${deadline} >= $3::int8 AND ${deadline} < $4::int8
         AND (c.canceled_block_number IS NULL OR c.canceled_block_number > $1::int8)`;
  })
  .join("\n UNION ALL ");

/**
 * Each proposal as it is created, queued, executed or canceled, as its voting starts and ends
 * with the synced head's clock, and as the timelock executes or cancels its operation directly
 * (not through the governor, whose own event already reports it): `{ event, blockNumber,
 * proposal }` rows, in chain order, the proposal read as it stands once the range is indexed.
 */
export const PROPOSALS_FEED: LiveFeed = {
  name: "proposals",
  async fetch(db, fromBlock, toBlock, clock) {
    const rows = await db.query<Row & { __event: string; __block: string }>(
      `SELECT e.kind AS "__event", e.block_number::text AS "__block", ${selectColumns(PROPOSAL)}
       FROM ${PROPOSAL.from}
       JOIN (
         SELECT id AS proposal_id, block_number, log_index, 'created' AS kind,
           NULL::text AS operation_id
         FROM proposals
         WHERE block_number > $1::int8 AND block_number <= $2::int8
         UNION ALL
         SELECT proposal_id, block_number, log_index, kind, NULL FROM proposal_lifecycle_events
         WHERE block_number > $1::int8 AND block_number <= $2::int8
         UNION ALL
         ${CLOCK_CHANGES_SQL}
         UNION ALL
         -- The timelock acting on an operation a proposal's queue scheduled, without the governor
         -- (whose own event reports it otherwise); an execution emits once per call.
         SELECT q.proposal_id, o.block_number, o.log_index,
           CASE o.kind WHEN 'cancelled' THEN 'canceled' ELSE 'executed' END, o.operation_id
         FROM timelock_operations o
         JOIN timelock_operations s ON s.operation_id = o.operation_id AND s.kind = 'scheduled'
           AND s.call_index = 0
         JOIN proposal_lifecycle_events q ON q.tx_hash = s.tx_hash AND q.kind = 'queued'
         WHERE o.kind IN ('cancelled', 'executed') AND (o.kind = 'cancelled' OR o.call_index = 0)
           AND o.block_number > $1::int8 AND o.block_number <= $2::int8
           AND NOT EXISTS (SELECT 1 FROM proposal_lifecycle_events g
             WHERE g.proposal_id = q.proposal_id AND g.tx_hash = o.tx_hash)
       ) e ON e.proposal_id = pp.id AND (e.operation_id IS NULL OR e.operation_id = po.operation)
       ORDER BY e.block_number, e.log_index, pp.id`,
      [fromBlock, toBlock, clock.fromTimestamp, clock.toTimestamp],
    );
    return rows.map(({ __event, __block, ...proposal }) => ({
      event: __event,
      blockNumber: __block,
      proposal,
    }));
  },
};

/**
 * Which Agora contract each address is, null for none: the indexed contracts the sync
 * checkpoint names (`name=address` pairs) and the creator coins. One query per tick.
 */
function contractAt(context: ApiContext, address: string): Promise<string | null> {
  return context
    .loader(
      "dao:contractAt",
      () =>
        new DataLoader<string, string | null>(async (addresses) => {
          const [row] = await context.db.query<{
            contracts: string | null;
            coins: string[] | null;
          }>(
            `SELECT (SELECT contracts FROM sync_checkpoint WHERE id = 1) AS contracts,
               (SELECT array_agg(lower(address)) FROM coins WHERE lower(address) = ANY($1::text[])) AS coins`,
            [addresses],
          );
          const names = new Map<string, string>();
          for (const pair of (row?.contracts ?? "").split(",")) {
            const [name, address] = pair.split("=");
            if (name && address) names.set(address.toLowerCase(), name);
          }
          for (const coin of row?.coins ?? []) names.set(coin, "CreatorCoin");
          return addresses.map((address) => names.get(address) ?? null);
        }),
    )
    .load(address.toLowerCase());
}

/**
 * getPastVotes(account, voteStart): the account's voting power at each proposal's snapshot,
 * the latest change of it in a block whose timestamp is at most voteStart. One query per tick
 * for every proposal asked about the same account.
 */
function votingPowerAtSnapshot(
  context: ApiContext,
  account: string,
  proposalId: string,
): Promise<string | null> {
  return context
    .loader(
      `dao:votingPowerAt:${account}`,
      () =>
        new DataLoader<string, string | null>(async (ids) => {
          const rows = await context.db.query<{ id: string; votes: string }>(
            `SELECT p.id::text AS id, coalesce((
                 SELECT dv.new_votes FROM delegate_votes_changes dv
                 WHERE dv.delegate = $2::text AND dv.timestamp <= p.vote_start
                 ORDER BY dv.block_number DESC, dv.log_index DESC LIMIT 1), 0)::text AS votes
             FROM proposals p WHERE p.id = ANY($1::numeric[])`,
            [ids, account],
          );
          const byId = new Map(rows.map((row) => [row.id, row.votes]));
          return ids.map((id) => byId.get(id) ?? null);
        }),
    )
    .load(proposalId);
}

async function proposalActions(proposal: Row, context: ApiContext) {
  const targets = (proposal.targets as string[]) ?? [];
  const values = (proposal.values as string[]) ?? [];
  const calldatas = (proposal.calldatas as string[]) ?? [];
  const contracts = await Promise.all(targets.map((target) => contractAt(context, target)));
  return targets.map((target, i) =>
    decodeAction(i, target, contracts[i], String(values[i] ?? "0"), calldatas[i] ?? "0x"),
  );
}

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
      ${PROPOSAL_STRINGS.typeDefs}
      ${VOTE_STRINGS.typeDefs}
      ${entityTypeDefs(GOVERNANCE_ACCOUNT)}
      ${entityTypeDefs(VOTING_POWER_CHANGE)}
      ${entityTypeDefs(ALLOCATION)}
      ${entityTypeDefs(REVENUE_BUCKET)}
      ${entityTypeDefs(REVENUE_TOKEN)}
      ${entityTypeDefs(REVENUE_CREATOR)}

      """
      One call of a proposal, decoded with the ABI of the Agora contract it targets.
      """
      type ProposalAction {
        "Position of the call in the proposal, from 0."
        index: Int!
        "Contract called."
        target: Address!
        "Name of the Agora contract at target (RevenueSplit, TipJar, CreatorCoin...); null when the target is none of Agora's contracts."
        contract: String
        "Whether the target is one of Agora's contracts; false flags an unknown target."
        knownTarget: Boolean!
        "ETH sent with the call, in wei."
        value: BigInt!
        "Calldata, 0x-prefixed hex."
        calldata: String!
        "Name of the function called (setAllocation); null when not decoded."
        function: String
        "Canonical signature of the function called (setAllocation(address[],uint16[],uint16)); null when not decoded."
        signature: String
        "Arguments with their names, in order; empty when not decoded."
        args: [ProposalActionArgument!]!
        "The call as a reader sees it: RevenueSplit.setAllocation(recipients: [0x...], bps: [6000, 4000], creatorShareBps: 2000); for an undecoded call, the target and the selector."
        call: String!
        "Why the call was not decoded (unknown target, calldata that fits no function); null when it was or when it sends ETH alone."
        decodeError: String
      }

      """
      A decoded argument of a proposal's call.
      """
      type ProposalActionArgument {
        "Parameter name in the ABI without leading or trailing underscores (argN when unnamed)."
        name: String!
        "Solidity type (uint256, address[], ...)."
        type: String!
        "Value: integers in decimal, addresses in lowercase hex, strings quoted, lists in brackets."
        value: String!
      }

      """
      A proposal created or moved along its lifecycle, as delivered by the proposalChanged subscription.
      """
      type ProposalChange {
        """
        created, queued, executed or canceled (by the governor, or by the timelock acting on
        the proposal's operation directly); started when voting opens (Pending to Active) and
        ended when it closes (to Succeeded or Defeated), as the synced head's timestamp passes
        voteStart and voteEnd: no event marks those two, and their blockNumber is the first
        block past the deadline that holds an indexed event, else the synced head that passed it.
        """
        event: String!
        "Block of the event."
        blockNumber: BigInt!
        "The proposal as it stands once that block is indexed."
        proposal: Proposal!
      }

      extend type Proposal {
        "First non-blank line of the description, without a Markdown heading's leading #."
        title: String!
        "Its calls, decoded with Agora's ABIs; unknown targets are flagged (knownTarget false)."
        actions: [ProposalAction!]!
        "Voting power of account at the snapshot (getPastVotes(account, voteStart)): the weight its vote carries. While voting has not opened, the power so far."
        votingPowerOf("Account." account: Address!): BigInt!
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
        "Voting power of an address at a proposal's snapshot (getPastVotes(address, voteStart)); an unknown proposal is an error with code PROPOSAL_NOT_FOUND."
        votingPowerAt("Account." address: Address!, "Proposal id." proposalId: BigInt!): BigInt!
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

      extend type Subscription {
        "Each proposal as it is created, queued, executed or canceled, and as its voting starts and ends; optionally only one proposal."
        proposalChanged("Only this proposal." id: BigInt): ProposalChange!
        "Each vote as it is indexed, optionally only those on one proposal or by one voter."
        voteCast("Only votes on this proposal." proposalId: BigInt, "Only votes by this address." voter: Address): Vote!
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
        async votingPowerAt(
          _: unknown,
          args: { address: string; proposalId: string },
          context: ApiContext,
        ) {
          const votes = await votingPowerAtSnapshot(context, args.address, args.proposalId);
          if (votes === null) {
            throw userError(
              ErrorCode.ProposalNotFound,
              `no proposal has the id ${args.proposalId}`,
            );
          }
          return votes;
        },
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
      Subscription: {
        proposalChanged: {
          subscribe(_: unknown, args: { id?: string | null }, context: ApiContext) {
            return context.live.subscribe(
              "proposals",
              (row) => args.id == null || String((row.proposal as Row).id) === args.id,
            );
          },
          resolve(row: Row, _: unknown, context: ApiContext) {
            context.resetLoaders();
            return row;
          },
        },
        voteCast: {
          subscribe(
            _: unknown,
            args: { proposalId?: string | null; voter?: string | null },
            context: ApiContext,
          ) {
            return context.live.subscribe(
              "votes",
              (row) =>
                (args.proposalId == null || String(row.proposalId) === args.proposalId) &&
                (args.voter == null || row.voter === args.voter),
            );
          },
          resolve(row: Row, _: unknown, context: ApiContext) {
            context.resetLoaders();
            return row;
          },
        },
      },
      Proposal: {
        ...PROPOSAL_STRINGS.resolvers,
        title: (proposal: Row) => titleOf(String(proposal.description ?? "")),
        actions: (proposal: Row, _: unknown, context: ApiContext) =>
          proposalActions(proposal, context),
        async votingPowerOf(proposal: Row, args: { account: string }, context: ApiContext) {
          return (await votingPowerAtSnapshot(context, args.account, String(proposal.id))) ?? "0";
        },
        votes: nested("Proposal.votes", VOTE, "id", (key) => `v.proposal_id = ${key}`),
      },
      Vote: {
        ...VOTE_STRINGS.resolvers,
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
    feeds: [PROPOSALS_FEED, VOTES_FEED],
  };
}
