import type pg from "pg";
import { parseAbi } from "viem";
import { insertRows, type BulkColumn } from "../db/bulk";
import type { DecodedLog } from "../sync/decode";
import { deleteRowsAbove, insertJsonRows, stringColumns, stringListColumns } from "./rows";
import { deleteSettingsAbove, insertSettings } from "./settings";
import {
  arg,
  deleteEventsAbove,
  insertEvents,
  textArg,
  TRACE_COLUMNS,
  uintArg,
  unique,
  type EventTable,
  type Handler,
} from "./types";

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

// ---------------------------------------------------------------------------------------------
// GovernanceToken (OpenZeppelin 5 ERC20Votes)
// ---------------------------------------------------------------------------------------------

/** The GovernanceToken events the indexer keeps (OpenZeppelin 5 ERC20 and IVotes). */
export const GOVERNANCE_TOKEN_EVENTS = parseAbi([
  "event Transfer(address indexed from, address indexed to, uint256 value)",
  "event DelegateChanged(address indexed delegator, address indexed fromDelegate, address indexed toDelegate)",
  "event DelegateVotesChanged(address indexed delegate, uint256 previousVotes, uint256 newVotes)",
]);

const TOKEN_TABLES: readonly EventTable[] = [
  {
    table: "delegate_changes",
    event: "DelegateChanged",
    columns: [
      { name: "delegator", type: "text", value: (log) => textArg(log, "delegator") },
      { name: "from_delegate", type: "text", value: (log) => textArg(log, "fromDelegate") },
      { name: "to_delegate", type: "text", value: (log) => textArg(log, "toDelegate") },
    ],
  },
  {
    table: "delegate_votes_changes",
    event: "DelegateVotesChanged",
    columns: [
      { name: "timestamp", type: "bigint", value: (log) => log.timestamp },
      { name: "delegate", type: "text", value: (log) => textArg(log, "delegate") },
      { name: "previous_votes", type: "numeric", value: (log) => uintArg(log, "previousVotes") },
      { name: "new_votes", type: "numeric", value: (log) => uintArg(log, "newVotes") },
    ],
  },
];

/** The distinct accounts among `addresses`; the zero address (mint and burn side, no delegate) is none. */
function accounts(addresses: readonly string[]): string[] {
  return unique(addresses).filter((address) => address !== ZERO_ADDRESS);
}

/**
 * The statement that adds the net amount of the transfers in relation `moved` (from_address,
 * to_address, value) to each account's balance, creating missing accounts, and returns the
 * accounts it touched. Balances move by deltas, not a sum over the whole history, so a busy
 * account costs the same every batch. `moved` is the set of rows an INSERT actually added (a
 * range written twice moves nothing twice) or a DELETE removed (`sign` -1 reverses them exactly).
 */
function moveBalances(moved: string, sign: 1 | -1): string {
  return `INSERT INTO governance_accounts (address, balance, delegate, votes, delegators)
    SELECT address, sum(delta) * ${sign}, NULL, 0, 0 FROM (
      SELECT to_address AS address, value AS delta FROM ${moved}
      UNION ALL
      SELECT from_address, -value FROM ${moved}
    ) d WHERE address <> '${ZERO_ADDRESS}' GROUP BY address
    ON CONFLICT (address) DO UPDATE SET balance = governance_accounts.balance + EXCLUDED.balance
    RETURNING address`;
}

/** Inserts the Transfer rows and moves the balances of the rows inserted, in one statement. */
async function insertTransfers(
  client: pg.PoolClient,
  transfers: readonly DecodedLog[],
): Promise<void> {
  if (transfers.length === 0) return;
  await client.query(
    `WITH moved AS (
       INSERT INTO governance_transfers
         (block_number, log_index, tx_hash, from_address, to_address, value)
       SELECT * FROM unnest($1::bigint[], $2::integer[], $3::text[], $4::text[], $5::text[],
         $6::numeric[])
       ON CONFLICT DO NOTHING RETURNING from_address, to_address, value)
     ${moveBalances("moved", 1)}`,
    [
      transfers.map((log) => log.blockNumber.toString()),
      transfers.map((log) => log.logIndex),
      transfers.map((log) => log.txHash),
      transfers.map((log) => textArg(log, "from")),
      transfers.map((log) => textArg(log, "to")),
      transfers.map((log) => uintArg(log, "value").toString()),
    ],
  );
}

/** Deletes the Transfer rows above `ancestor`, reverses their balance moves, returns the accounts. */
async function deleteTransfersAbove(client: pg.PoolClient, ancestor: bigint): Promise<string[]> {
  const result = await client.query<{ address: string }>(
    `WITH moved AS (
       DELETE FROM governance_transfers WHERE block_number > $1
       RETURNING from_address, to_address, value)
     ${moveBalances("moved", -1)}`,
    [ancestor.toString()],
  );
  return result.rows.map((row) => row.address);
}

/**
 * Recomputes delegate, votes and delegators of the touched accounts (creating missing ones):
 * the delegate is the latest `DelegateChanged.toDelegate` (null when none or zero), the votes
 * the latest `DelegateVotesChanged.newVotes` (0 when none), the delegators the number of
 * accounts whose current delegate it is. Every account whose delegate changed has both its old
 * and new delegate among the touched accounts, so their counts stay exact.
 */
async function recomputeAccounts(client: pg.PoolClient, addresses: string[]): Promise<void> {
  if (addresses.length === 0) return;
  await client.query(
    `INSERT INTO governance_accounts (address, balance, delegate, votes, delegators)
     SELECT address, 0, NULL, 0, 0 FROM unnest($1::text[]) AS k(address)
     ON CONFLICT (address) DO NOTHING`,
    [addresses],
  );
  // Rows are rewritten only where a value changed: an unchanged row costs no new tuple.
  await client.query(
    `UPDATE governance_accounts a SET delegate = s.delegate, votes = s.votes
     FROM (
       SELECT k.address, NULLIF(d.to_delegate, '${ZERO_ADDRESS}') AS delegate,
              COALESCE(v.new_votes, 0) AS votes
       FROM unnest($1::text[]) AS k(address)
       LEFT JOIN LATERAL (SELECT to_delegate FROM delegate_changes
         WHERE delegator = k.address ORDER BY block_number DESC, log_index DESC LIMIT 1) d ON true
       LEFT JOIN LATERAL (SELECT new_votes FROM delegate_votes_changes
         WHERE delegate = k.address ORDER BY block_number DESC, log_index DESC LIMIT 1) v ON true
     ) s
     WHERE a.address = s.address
       AND (a.delegate IS DISTINCT FROM s.delegate OR a.votes <> s.votes)`,
    [addresses],
  );
  await client.query(
    `UPDATE governance_accounts a SET delegators = s.delegators
     FROM (
       SELECT k.address, COALESCE(c.n, 0)::int AS delegators
       FROM unnest($1::text[]) AS k(address)
       LEFT JOIN (SELECT delegate, count(*) AS n FROM governance_accounts
                  WHERE delegate = ANY($1::text[]) GROUP BY delegate) c ON c.delegate = k.address
     ) s
     WHERE a.address = s.address AND a.delegators <> s.delegators`,
    [addresses],
  );
}

/** Deletes the touched accounts that no remaining event mentions (after a rollback). */
async function dropForgottenAccounts(client: pg.PoolClient, addresses: string[]): Promise<void> {
  if (addresses.length === 0) return;
  await client.query(
    `DELETE FROM governance_accounts a WHERE a.address = ANY($1::text[])
       AND NOT EXISTS (SELECT 1 FROM governance_transfers WHERE to_address = a.address)
       AND NOT EXISTS (SELECT 1 FROM governance_transfers WHERE from_address = a.address)
       AND NOT EXISTS (SELECT 1 FROM delegate_changes WHERE delegator = a.address)
       AND NOT EXISTS (SELECT 1 FROM delegate_changes WHERE to_delegate = a.address)
       AND NOT EXISTS (SELECT 1 FROM delegate_changes WHERE from_delegate = a.address)
       AND NOT EXISTS (SELECT 1 FROM delegate_votes_changes WHERE delegate = a.address)`,
    [addresses],
  );
}

/**
 * GovernanceToken: transfers, delegation and voting power history, and `governance_accounts`,
 * the current balance, delegate, votes and delegator count of every account.
 */
export const governanceTokenHandler: Handler = {
  contract: "GovernanceToken",
  events: GOVERNANCE_TOKEN_EVENTS,

  async apply(client, logs) {
    await insertEvents(client, TOKEN_TABLES, logs);
    await insertTransfers(
      client,
      logs.filter((log) => log.event === "Transfer"),
    );
    const touched: string[] = [];
    for (const log of logs) {
      if (log.event === "Transfer") touched.push(textArg(log, "from"), textArg(log, "to"));
      else if (log.event === "DelegateChanged") {
        touched.push(
          textArg(log, "delegator"),
          textArg(log, "fromDelegate"),
          textArg(log, "toDelegate"),
        );
      } else touched.push(textArg(log, "delegate"));
    }
    await recomputeAccounts(client, accounts(touched));
  },

  async rollback(client, ancestor) {
    const moved = await deleteTransfersAbove(client, ancestor);
    const delegations = await deleteEventsAbove<Record<string, string>>(
      client,
      "delegate_changes",
      ancestor,
      ["delegator", "from_delegate", "to_delegate"],
    );
    const votes = await deleteEventsAbove<{ delegate: string }>(
      client,
      "delegate_votes_changes",
      ancestor,
      ["delegate"],
    );
    const touched = accounts([
      ...moved,
      ...delegations.flatMap((row) => [row.delegator, row.from_delegate, row.to_delegate]),
      ...votes.map((row) => row.delegate),
    ]);
    await recomputeAccounts(client, touched);
    await dropForgottenAccounts(client, touched);
  },
};

// ---------------------------------------------------------------------------------------------
// AgoraGovernor (OpenZeppelin 5 Governor, GovernorSettings, GovernorCountingSimple,
// GovernorVotesQuorumFraction, GovernorTimelockControl)
// ---------------------------------------------------------------------------------------------

/** The AgoraGovernor events the indexer keeps. */
export const GOVERNOR_EVENTS = parseAbi([
  "event ProposalCreated(uint256 proposalId, address proposer, address[] targets, uint256[] values, string[] signatures, bytes[] calldatas, uint256 voteStart, uint256 voteEnd, string description)",
  "event ProposalQueued(uint256 proposalId, uint256 etaSeconds)",
  "event ProposalExecuted(uint256 proposalId)",
  "event ProposalCanceled(uint256 proposalId)",
  "event VoteCast(address indexed voter, uint256 proposalId, uint8 support, uint256 weight, string reason)",
  "event VoteCastWithParams(address indexed voter, uint256 proposalId, uint8 support, uint256 weight, string reason, bytes params)",
  "event VotingDelaySet(uint256 oldVotingDelay, uint256 newVotingDelay)",
  "event VotingPeriodSet(uint256 oldVotingPeriod, uint256 newVotingPeriod)",
  "event ProposalThresholdSet(uint256 oldProposalThreshold, uint256 newProposalThreshold)",
  "event QuorumNumeratorUpdated(uint256 oldQuorumNumerator, uint256 newQuorumNumerator)",
  "event TimelockChange(address oldTimelock, address newTimelock)",
]);

/** The AgoraTimelock events the indexer keeps (OpenZeppelin 5 TimelockController). */
export const TIMELOCK_EVENTS = parseAbi([
  "event CallScheduled(bytes32 indexed id, uint256 indexed index, address target, uint256 value, bytes data, bytes32 predecessor, uint256 delay)",
  "event CallExecuted(bytes32 indexed id, uint256 indexed index, address target, uint256 value, bytes data)",
  "event Cancelled(bytes32 indexed id)",
  "event MinDelayChange(uint256 oldDuration, uint256 newDuration)",
]);

const proposalId = {
  name: "proposal_id",
  type: "numeric",
  value: (log: DecodedLog) => uintArg(log, "proposalId"),
} as const;

const LIFECYCLE_KINDS: Record<string, string> = {
  ProposalQueued: "queued",
  ProposalExecuted: "executed",
  ProposalCanceled: "canceled",
};

const LIFECYCLE_COLUMNS = [
  ...TRACE_COLUMNS,
  proposalId,
  { name: "kind", type: "text", value: (log: DecodedLog) => LIFECYCLE_KINDS[log.event] },
  {
    name: "eta",
    type: "bigint",
    value: (log: DecodedLog) =>
      log.event === "ProposalQueued" ? uintArg(log, "etaSeconds") : null,
  },
] as const;

const VOTE_COLUMNS = [
  ...TRACE_COLUMNS,
  proposalId,
  { name: "voter", type: "text", value: (log: DecodedLog) => textArg(log, "voter") },
  { name: "support", type: "integer", value: (log: DecodedLog) => Number(uintArg(log, "support")) },
  { name: "weight", type: "numeric", value: (log: DecodedLog) => uintArg(log, "weight") },
  ...stringColumns("reason", "reason"),
  {
    name: "params",
    type: "text",
    value: (log: DecodedLog) =>
      log.event === "VoteCastWithParams" ? textArg(log, "params") : null,
  },
] as const;

const list = (log: DecodedLog, name: string) => arg(log, name) as readonly (string | bigint)[];

// Tallies and lifecycle start empty; recomputeProposals fills them in the same transaction.
const PROPOSAL_COLUMNS = [
  { name: "id", type: "numeric", value: (log: DecodedLog) => uintArg(log, "proposalId") },
  { name: "proposer", type: "text", value: (log: DecodedLog) => textArg(log, "proposer") },
  { name: "targets", type: "text[]", value: (log: DecodedLog) => list(log, "targets") },
  { name: "values", type: "numeric[]", value: (log: DecodedLog) => list(log, "values") },
  ...stringListColumns("signatures", "signatures"),
  { name: "calldatas", type: "text[]", value: (log: DecodedLog) => list(log, "calldatas") },
  { name: "vote_start", type: "bigint", value: (log: DecodedLog) => uintArg(log, "voteStart") },
  { name: "vote_end", type: "bigint", value: (log: DecodedLog) => uintArg(log, "voteEnd") },
  ...stringColumns("description", "description"),
  { name: "block_number", type: "bigint", value: (log: DecodedLog) => log.blockNumber },
  { name: "tx_hash", type: "text", value: (log: DecodedLog) => log.txHash },
  { name: "log_index", type: "integer", value: (log: DecodedLog) => log.logIndex },
  { name: "timestamp", type: "bigint", value: (log: DecodedLog) => log.timestamp },
  { name: "for_votes", type: "numeric", value: () => 0 },
  { name: "against_votes", type: "numeric", value: () => 0 },
  { name: "abstain_votes", type: "numeric", value: () => 0 },
  { name: "vote_count", type: "integer", value: () => 0 },
] as const;

/**
 * Recomputes the derived columns of the given proposals: tallies per support (0 against,
 * 1 for, 2 abstain; GovernorCountingSimple counts one vote per account) and vote count from
 * `votes`; eta and queued/executed/canceled blocks from the latest lifecycle event of each kind.
 */
async function recomputeProposals(client: pg.PoolClient, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await client.query(
    `UPDATE proposals p SET
       for_votes = COALESCE(v.for_votes, 0),
       against_votes = COALESCE(v.against_votes, 0),
       abstain_votes = COALESCE(v.abstain_votes, 0),
       vote_count = COALESCE(v.vote_count, 0),
       eta = q.eta,
       queued_block_number = q.block_number,
       executed_block_number = x.block_number,
       canceled_block_number = c.block_number
     FROM unnest($1::numeric[]) AS k(id)
     LEFT JOIN LATERAL (
       SELECT sum(weight) FILTER (WHERE support = 1) AS for_votes,
              sum(weight) FILTER (WHERE support = 0) AS against_votes,
              sum(weight) FILTER (WHERE support = 2) AS abstain_votes,
              count(*) AS vote_count
       FROM votes WHERE proposal_id = k.id) v ON true
     ${["queued q", "executed x", "canceled c"]
       .map((kindAlias) => {
         const [kind, alias] = kindAlias.split(" ");
         return `LEFT JOIN LATERAL (SELECT eta, block_number FROM proposal_lifecycle_events
           WHERE proposal_id = k.id AND kind = '${kind}'
           ORDER BY block_number DESC, log_index DESC LIMIT 1) ${alias} ON true`;
       })
       .join("\n")}
     WHERE p.id = k.id`,
    [ids],
  );
}

/**
 * AgoraGovernor: proposals with their derived tallies and lifecycle, votes, lifecycle events and
 * governor setting changes.
 */
export const governorHandler: Handler = {
  contract: "AgoraGovernor",
  events: GOVERNOR_EVENTS,

  async apply(client, logs) {
    const created = logs.filter((log) => log.event === "ProposalCreated");
    const lifecycle = logs.filter((log) => log.event in LIFECYCLE_KINDS);
    const votes = logs.filter(
      (log) => log.event === "VoteCast" || log.event === "VoteCastWithParams",
    );
    await insertJsonRows(client, "proposals", PROPOSAL_COLUMNS, created);
    await insertRows(client, "proposal_lifecycle_events", LIFECYCLE_COLUMNS, lifecycle);
    await insertRows(client, "votes", VOTE_COLUMNS, votes);
    await insertSettings(client, "AgoraGovernor", logs);
    await recomputeProposals(
      client,
      unique(
        [...created, ...lifecycle, ...votes].map((log) => uintArg(log, "proposalId").toString()),
      ),
    );
  },

  async rollback(client, ancestor) {
    await deleteSettingsAbove(client, "AgoraGovernor", ancestor);
    const votes = await deleteEventsAbove<{ proposal_id: string }>(client, "votes", ancestor, [
      "proposal_id",
    ]);
    const lifecycle = await deleteEventsAbove<{ proposal_id: string }>(
      client,
      "proposal_lifecycle_events",
      ancestor,
      ["proposal_id"],
    );
    await deleteRowsAbove(client, "proposals", ancestor);
    await recomputeProposals(
      client,
      unique([...votes, ...lifecycle].map((row) => row.proposal_id)),
    );
  },
};

const TIMELOCK_KINDS: Record<string, string> = {
  CallScheduled: "scheduled",
  CallExecuted: "executed",
  Cancelled: "cancelled",
};

const optional = (log: DecodedLog, name: string) => log.args[name] ?? null;

const OPERATION_COLUMNS: BulkColumn<DecodedLog>[] = [
  ...TRACE_COLUMNS,
  { name: "operation_id", type: "text", value: (log) => textArg(log, "id") },
  { name: "kind", type: "text", value: (log) => TIMELOCK_KINDS[log.event] },
  { name: "call_index", type: "numeric", value: (log) => optional(log, "index") as bigint | null },
  { name: "target", type: "text", value: (log) => optional(log, "target") as string | null },
  { name: "value", type: "numeric", value: (log) => optional(log, "value") as bigint | null },
  { name: "data", type: "text", value: (log) => optional(log, "data") as string | null },
  { name: "delay", type: "numeric", value: (log) => optional(log, "delay") as bigint | null },
];

/** AgoraTimelock: scheduled, executed and cancelled operations, and min delay changes. */
export const timelockHandler: Handler = {
  contract: "AgoraTimelock",
  events: TIMELOCK_EVENTS,

  async apply(client, logs) {
    await insertRows(
      client,
      "timelock_operations",
      OPERATION_COLUMNS,
      logs.filter((log) => log.event in TIMELOCK_KINDS),
    );
    await insertSettings(client, "AgoraTimelock", logs);
  },

  async rollback(client, ancestor) {
    await deleteRowsAbove(client, "timelock_operations", ancestor);
    await deleteSettingsAbove(client, "AgoraTimelock", ancestor);
  },
};
