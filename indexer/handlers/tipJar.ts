import { parseAbi } from "viem";
import type { DecodedLog } from "../sync/decode";
import { deleteRowsAbove, stringColumns } from "./rows";
import { deleteSettingsAbove, insertSettings } from "./settings";
import { insertEvents, textArg, uintArg, type EventTable, type Handler, uintColumn } from "./types";

/** Must match contracts/interfaces/ITipJar.sol (a test compares them). */
export const TIP_JAR_EVENTS = parseAbi([
  "event Tipped(uint256 indexed profileId, uint256 indexed postId, address indexed tipper, address token, uint256 amount, uint256 fee, string message)",
  "event TipCredited(uint256 indexed profileId, uint256 amount, uint256 claimable)",
  "event TipClaimed(uint256 indexed profileId, address indexed to, uint256 amount)",
  "event FeesSwept(uint256 indexed creatorId, address indexed token, uint256 amount)",
  "event FeeChanged(uint16 oldFeeBps, uint16 newFeeBps)",
  "event CreatorShareSynced(uint16 oldBps, uint16 newBps)",
  "event ReferrerCredited(address indexed referrer, address indexed token, uint256 amount, uint256 balance)",
  "event ReferrerFeesWithdrawn(address indexed referrer, address indexed token, address to, uint256 amount)",
  "event ReferrerShareChanged(uint16 oldBps, uint16 newBps)",
]);

const profileId = uintColumn("profile_id", "profileId");

const amount = uintColumn("amount", "amount");

/**
 * The `ReferrerCredited` of each referred tip, keyed by the tip's `Tipped` log: the jar emits the
 * credit immediately before the tip it belongs to, in the same transaction.
 */
function referralsOf(logs: readonly DecodedLog[]): Map<DecodedLog, DecodedLog> {
  const referrals = new Map<DecodedLog, DecodedLog>();
  for (let i = 1; i < logs.length; i++) {
    const [credit, tip] = [logs[i - 1], logs[i]];
    if (
      tip.event === "Tipped" &&
      credit.event === "ReferrerCredited" &&
      credit.txHash === tip.txHash &&
      credit.logIndex === tip.logIndex - 1
    ) {
      referrals.set(tip, credit);
    }
  }
  return referrals;
}

/** Every TipJar table; all are append-only event tables. */
const tables = (referrals: Map<DecodedLog, DecodedLog>): readonly EventTable[] => [
  {
    table: "tips",
    event: "Tipped",
    columns: [
      { name: "timestamp", type: "bigint", value: (log) => log.timestamp },
      profileId,
      {
        name: "post_id",
        type: "numeric",
        value: (log) => (uintArg(log, "postId") === 0n ? null : uintArg(log, "postId")),
      },
      { name: "tipper", type: "text", value: (log) => textArg(log, "tipper") },
      { name: "token", type: "text", value: (log) => textArg(log, "token") },
      amount,
      { name: "fee", type: "numeric", value: (log) => uintArg(log, "fee") },
      {
        name: "referrer",
        type: "text",
        value: (log) => {
          const credit = referrals.get(log);
          return credit ? textArg(credit, "referrer") : null;
        },
      },
      {
        name: "referrer_fee",
        type: "numeric",
        value: (log) => {
          const credit = referrals.get(log);
          return credit ? uintArg(credit, "amount") : 0n;
        },
      },
      ...stringColumns("message", "message"),
    ],
  },
  {
    table: "referrer_withdrawals",
    event: "ReferrerFeesWithdrawn",
    columns: [
      { name: "source", type: "text", value: (log) => log.address },
      { name: "referrer", type: "text", value: (log) => textArg(log, "referrer") },
      { name: "token", type: "text", value: (log) => textArg(log, "token") },
      { name: "to_address", type: "text", value: (log) => textArg(log, "to") },
      amount,
    ],
  },
  {
    table: "tip_credits",
    event: "TipCredited",
    columns: [
      profileId,
      amount,
      { name: "claimable", type: "numeric", value: (log) => uintArg(log, "claimable") },
    ],
  },
  {
    table: "tip_claims",
    event: "TipClaimed",
    columns: [
      profileId,
      { name: "to_address", type: "text", value: (log) => textArg(log, "to") },
      amount,
    ],
  },
  {
    table: "tip_fee_sweeps",
    event: "FeesSwept",
    columns: [
      { name: "creator_id", type: "numeric", value: (log) => uintArg(log, "creatorId") },
      { name: "token", type: "text", value: (log) => textArg(log, "token") },
      amount,
    ],
  },
  {
    table: "tip_fee_changes",
    event: "FeeChanged",
    columns: [
      { name: "old_fee_bps", type: "integer", value: (log) => Number(uintArg(log, "oldFeeBps")) },
      { name: "new_fee_bps", type: "integer", value: (log) => Number(uintArg(log, "newFeeBps")) },
    ],
  },
];

/**
 * TipJar: tips (ETH with the zero address as token; a referred tip carries the referrer and its
 * credit from the `ReferrerCredited` just before it), rejected ETH credited to profiles, claims,
 * fee sweeps, fee changes and referrer withdrawals. Event tables only: balances (claimable, pending fees) are the
 * `claimable`/`amount` columns of the latest rows, or the contract's views. `CreatorShareSynced`
 * and `ReferrerShareChanged` go to
 * `governance_setting_changes` (settings `creatorShareBps`, `referrerShareBps`).
 */
export const tipJarHandler: Handler = {
  contract: "TipJar",
  events: TIP_JAR_EVENTS,

  async apply(client, logs) {
    await insertEvents(client, tables(referralsOf(logs)), logs);
    await insertSettings(client, "TipJar", logs);
  },

  async rollback(client, ancestor) {
    for (const table of tables(new Map())) await deleteRowsAbove(client, table.table, ancestor);
    await deleteSettingsAbove(client, "TipJar", ancestor);
  },
};
