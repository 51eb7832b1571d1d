import type pg from "pg";
import { insertRows, type BulkColumn } from "../db/bulk";
import type { DecodedLog } from "../sync/decode";
import { arg, TRACE_COLUMNS } from "./types";

// `governance_setting_changes`: one row per change of a governed parameter, whichever contract
// holds it. Constructor values are included (old value 0), so the latest row per (contract,
// setting) is the current value.

/**
 * `governance_setting_changes.setting` per event, with the event's (old, new) argument names.
 * Values are stored as text: decimal integers, or lowercase addresses for `timelock`.
 */
const SETTINGS: Record<string, { setting: string; old: string; new: string }> = {
  VotingDelaySet: { setting: "votingDelay", old: "oldVotingDelay", new: "newVotingDelay" },
  VotingPeriodSet: { setting: "votingPeriod", old: "oldVotingPeriod", new: "newVotingPeriod" },
  ProposalThresholdSet: {
    setting: "proposalThreshold",
    old: "oldProposalThreshold",
    new: "newProposalThreshold",
  },
  QuorumNumeratorUpdated: {
    setting: "quorumNumerator",
    old: "oldQuorumNumerator",
    new: "newQuorumNumerator",
  },
  TimelockChange: { setting: "timelock", old: "oldTimelock", new: "newTimelock" },
  MinDelayChange: { setting: "minDelay", old: "oldDuration", new: "newDuration" },
  // The TipJar's copy of the revenue split's creator share, which ETH tips pay out.
  CreatorShareSynced: { setting: "creatorShareBps", old: "oldBps", new: "newBps" },
  // A referrer's share of the protocol fee (CreatorCoinFactory for trades, TipJar for tips).
  ReferrerShareChanged: { setting: "referrerShareBps", old: "oldBps", new: "newBps" },
};

function settingColumns(contract: string): BulkColumn<DecodedLog>[] {
  return [
    ...TRACE_COLUMNS,
    { name: "contract", type: "text", value: () => contract },
    { name: "setting", type: "text", value: (log) => SETTINGS[log.event].setting },
    {
      name: "old_value",
      type: "text",
      value: (log) => String(arg(log, SETTINGS[log.event].old)),
    },
    {
      name: "new_value",
      type: "text",
      value: (log) => String(arg(log, SETTINGS[log.event].new)),
    },
  ];
}

export async function insertSettings(
  client: pg.PoolClient,
  contract: string,
  logs: readonly DecodedLog[],
): Promise<void> {
  await insertRows(
    client,
    "governance_setting_changes",
    settingColumns(contract),
    logs.filter((log) => log.event in SETTINGS),
  );
}

export async function deleteSettingsAbove(
  client: pg.PoolClient,
  contract: string,
  ancestor: bigint,
): Promise<void> {
  await client.query(
    `DELETE FROM governance_setting_changes WHERE contract = $1 AND block_number > $2`,
    [contract, ancestor.toString()],
  );
}
