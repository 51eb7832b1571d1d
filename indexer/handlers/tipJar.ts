import type pg from "pg";
import { parseAbi } from "viem";
import type { DecodedLog } from "../sync/decode";
import { deleteRowsAbove, stringColumns } from "./rows";
import { deleteSettingsAbove, insertSettings } from "./settings";
import {
  deleteEventsAbove,
  insertEvents,
  textArg,
  uintArg,
  unique,
  type EventTable,
  type Handler,
  uintColumn,
} from "./types";

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
 * Tip totals kept per recipient and token: a profile's (every tip to it, its posts' included)
 * and a post's. A row exists while its recipient has a tip in the token.
 */
interface TipTotals {
  table: "profile_tip_totals" | "post_tip_totals";
  /** The recipient's column, in `tips` and in `table`. */
  key: "profile_id" | "post_id";
  /** The recipient of a tip, or null when the tip has none of this kind (a tip to a profile). */
  recipient(log: DecodedLog): bigint | null;
}

const TIP_TOTALS: readonly TipTotals[] = [
  { table: "profile_tip_totals", key: "profile_id", recipient: (log) => uintArg(log, "profileId") },
  {
    table: "post_tip_totals",
    key: "post_id",
    recipient: (log) => (uintArg(log, "postId") === 0n ? null : uintArg(log, "postId")),
  },
];

/** The key of a (recipient, token) pair: an id and a token address never hold ":". */
const pairKey = (id: string, token: string) => `${id}:${token}`;
const splitPairKeys = (keys: readonly string[]) => [
  keys.map((key) => key.split(":")[0]),
  keys.map((key) => key.split(":")[1]),
];

/**
 * Adds a batch's tips to the totals of their (recipient, token) pairs: one statement of
 * arithmetic per table, whatever the table holds, so a backfill does not read `tips` again.
 */
async function addTipTotals(
  client: pg.PoolClient,
  totals: TipTotals,
  tips: readonly DecodedLog[],
): Promise<void> {
  const added = new Map<string, { amount: bigint; count: number }>();
  for (const log of tips) {
    const recipient = totals.recipient(log);
    if (recipient === null) continue;
    const key = pairKey(recipient.toString(), textArg(log, "token"));
    const total = added.get(key) ?? { amount: 0n, count: 0 };
    total.amount += uintArg(log, "amount");
    total.count += 1;
    added.set(key, total);
  }
  if (added.size === 0) return;
  const keys = [...added.keys()];
  await client.query(
    `INSERT INTO ${totals.table} AS p (${totals.key}, token, amount, count)
     SELECT * FROM unnest($1::numeric[], $2::text[], $3::numeric[], $4::int[])
     ON CONFLICT (${totals.key}, token) DO UPDATE SET amount = p.amount + EXCLUDED.amount,
       count = p.count + EXCLUDED.count`,
    [
      ...splitPairKeys(keys),
      keys.map((key) => added.get(key)!.amount.toString()),
      keys.map((key) => added.get(key)!.count),
    ],
  );
}

/**
 * Rebuilds the tip totals of the given (recipient, token) pairs from `tips`, after a rollback,
 * so the table is left as a fresh index would leave it.
 */
async function recomputeTipTotals(
  client: pg.PoolClient,
  totals: TipTotals,
  pairs: readonly { id: string | null; token: string }[],
): Promise<void> {
  const keys = unique(
    pairs.flatMap((pair) => (pair.id === null ? [] : [pairKey(pair.id, pair.token)])),
  );
  if (keys.length === 0) return;
  const { table, key } = totals;
  await client.query(
    `WITH totals AS (
       SELECT k.id, k.token, t.amount, t.count
       FROM unnest($1::numeric[], $2::text[]) AS k(id, token)
       CROSS JOIN LATERAL (
         SELECT sum(amount) AS amount, count(*)::int AS count
         FROM tips WHERE ${key} = k.id AND token = k.token
       ) t
     ), dropped AS (
       DELETE FROM ${table} p USING totals
       WHERE p.${key} = totals.id AND p.token = totals.token AND totals.count = 0
     )
     INSERT INTO ${table} (${key}, token, amount, count)
     SELECT id, token, amount, count FROM totals WHERE count > 0
     ON CONFLICT (${key}, token) DO UPDATE SET amount = EXCLUDED.amount,
       count = EXCLUDED.count`,
    splitPairKeys(keys),
  );
}

/**
 * TipJar: tips (ETH with the zero address as token; a referred tip carries the referrer and its
 * credit from the `ReferrerCredited` just before it), rejected ETH credited to profiles, claims,
 * fee sweeps, fee changes and referrer withdrawals. Event tables, and the tip totals of each
 * profile and of each post per token (`profile_tip_totals`, `post_tip_totals`: a batch adds to
 * them, a rollback recomputes what it touched from `tips`). Balances (claimable, pending fees)
 * are the `claimable`/`amount` columns of the latest rows, or the contract's views.
 * `CreatorShareSynced` and `ReferrerShareChanged` go to `governance_setting_changes` (settings
 * `creatorShareBps`, `referrerShareBps`).
 */
export const tipJarHandler: Handler = {
  contract: "TipJar",
  events: TIP_JAR_EVENTS,

  async apply(client, logs) {
    await insertEvents(client, tables(referralsOf(logs)), logs);
    await insertSettings(client, "TipJar", logs);
    const tips = logs.filter((log) => log.event === "Tipped");
    for (const totals of TIP_TOTALS) await addTipTotals(client, totals, tips);
  },

  async rollback(client, ancestor) {
    const tips = await deleteEventsAbove<{
      profile_id: string;
      post_id: string | null;
      token: string;
    }>(client, "tips", ancestor, ["profile_id", "post_id", "token"]);
    for (const table of tables(new Map())) {
      if (table.table !== "tips") await deleteRowsAbove(client, table.table, ancestor);
    }
    for (const totals of TIP_TOTALS) {
      const pairs = tips.map((row) => ({ id: row[totals.key], token: row.token }));
      await recomputeTipTotals(client, totals, pairs);
    }
    await deleteSettingsAbove(client, "TipJar", ancestor);
  },
};
