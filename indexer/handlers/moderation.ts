import type pg from "pg";
import { parseAbi } from "viem";
import { insertRows, type BulkColumn } from "../db/bulk";
import type { DecodedLog } from "../sync/decode";
import { pairArrays, recomputePairs, type PairState } from "./latest";
import { stringColumns } from "./rows";
import {
  deleteEventsAbove,
  TRACE_COLUMNS,
  uintArg,
  uintColumn,
  unique,
  type Handler,
} from "./types";

/** Must match contracts/interfaces/IModeration.sol (a test compares them). */
export const MODERATION_EVENTS = parseAbi([
  "event Blocked(uint256 indexed profileId, uint256 indexed targetId)",
  "event Unblocked(uint256 indexed profileId, uint256 indexed targetId)",
  "event Muted(uint256 indexed profileId, uint256 indexed targetId)",
  "event Unmuted(uint256 indexed profileId, uint256 indexed targetId)",
  "event ModerationListCreated(uint256 indexed listId, uint256 indexed ownerId, string name)",
  "event ModerationListRenamed(uint256 indexed listId, string name)",
  "event ModerationListMemberAdded(uint256 indexed listId, uint256 indexed memberId)",
  "event ModerationListMemberRemoved(uint256 indexed listId, uint256 indexed memberId)",
  "event ModerationListSubscribed(uint256 indexed profileId, uint256 indexed listId)",
  "event ModerationListUnsubscribed(uint256 indexed profileId, uint256 indexed listId)",
]);

/** One on/off relation: its events, its tables and the arguments that key it. */
interface Relation {
  on: string;
  off: string;
  state: PairState;
  args: readonly [string, string];
}

const RELATIONS: readonly Relation[] = [
  {
    on: "Blocked",
    off: "Unblocked",
    state: {
      events: "profile_block_events",
      current: "profile_blocks",
      keys: ["profile_id", "target_id"],
      flag: "blocked",
    },
    args: ["profileId", "targetId"],
  },
  {
    on: "Muted",
    off: "Unmuted",
    state: {
      events: "profile_mute_events",
      current: "profile_mutes",
      keys: ["profile_id", "target_id"],
      flag: "muted",
    },
    args: ["profileId", "targetId"],
  },
  {
    on: "ModerationListMemberAdded",
    off: "ModerationListMemberRemoved",
    state: {
      events: "moderation_list_member_events",
      current: "moderation_list_members",
      keys: ["list_id", "member_id"],
      flag: "added",
    },
    args: ["listId", "memberId"],
  },
  {
    on: "ModerationListSubscribed",
    off: "ModerationListUnsubscribed",
    state: {
      events: "moderation_list_subscription_events",
      current: "moderation_list_subscriptions",
      keys: ["profile_id", "list_id"],
      flag: "subscribed",
    },
    args: ["profileId", "listId"],
  },
];

function relationColumns(relation: Relation): BulkColumn<DecodedLog>[] {
  const [a, b] = relation.state.keys;
  return [
    ...TRACE_COLUMNS,
    uintColumn(a, relation.args[0]),
    uintColumn(b, relation.args[1]),
    { name: relation.state.flag, type: "boolean", value: (log) => log.event === relation.on },
  ];
}

const LIST_COLUMNS: readonly BulkColumn<DecodedLog>[] = [
  uintColumn("id", "listId"),
  uintColumn("owner_id", "ownerId"),
  ...TRACE_COLUMNS,
  { name: "name_block_number", type: "bigint", value: (log) => log.blockNumber },
  { name: "name_log_index", type: "integer", value: (log) => log.logIndex },
];

const NAME_COLUMNS: readonly BulkColumn<DecodedLog>[] = [
  ...TRACE_COLUMNS,
  uintColumn("list_id", "listId"),
  ...stringColumns("name", "name"),
];

/** Points each given list at its latest name. */
async function recomputeNames(client: pg.PoolClient, listIds: readonly string[]): Promise<void> {
  if (listIds.length === 0) return;
  await client.query(
    `UPDATE moderation_lists l SET name_block_number = n.block_number, name_log_index = n.log_index
     FROM (
       SELECT DISTINCT ON (list_id) list_id, block_number, log_index FROM moderation_list_names
       WHERE list_id = ANY($1::numeric[])
       ORDER BY list_id, block_number DESC, log_index DESC
     ) n WHERE l.id = n.list_id`,
    [listIds],
  );
}

/**
 * Moderation: blocks, mutes, moderation lists, their members and subscriptions. Event tables
 * keep every action; `profile_blocks`, `profile_mutes`, `moderation_list_members` and
 * `moderation_list_subscriptions` hold the pairs whose latest event turned them on. Every name a
 * list was given is a row of `moderation_list_names`; `moderation_lists` points at the latest.
 */
export const moderationHandler: Handler = {
  contract: "Moderation",
  events: MODERATION_EVENTS,

  async apply(client: pg.PoolClient, logs) {
    await insertRows(
      client,
      "moderation_lists",
      LIST_COLUMNS,
      logs.filter((log) => log.event === "ModerationListCreated"),
    );
    const named = logs.filter(
      (log) => log.event === "ModerationListCreated" || log.event === "ModerationListRenamed",
    );
    await insertRows(client, "moderation_list_names", NAME_COLUMNS, named);
    await recomputeNames(
      client,
      unique(
        logs
          .filter((log) => log.event === "ModerationListRenamed")
          .map((log) => String(uintArg(log, "listId"))),
      ),
    );
    for (const relation of RELATIONS) {
      const own = logs.filter((log) => log.event === relation.on || log.event === relation.off);
      if (own.length === 0) continue;
      await insertRows(client, relation.state.events, relationColumns(relation), own);
      const [a, b] = relation.args;
      await recomputePairs(
        client,
        relation.state,
        ...pairArrays(own.map((log) => [String(uintArg(log, a)), String(uintArg(log, b))])),
      );
    }
  },

  async rollback(client, ancestor) {
    await deleteEventsAbove(client, "moderation_lists", ancestor, ["id"]);
    const names = await deleteEventsAbove<{ list_id: string }>(
      client,
      "moderation_list_names",
      ancestor,
      ["list_id"],
    );
    await recomputeNames(client, unique(names.map((row) => row.list_id)));
    for (const relation of RELATIONS) {
      const [a, b] = relation.state.keys;
      const removed = await deleteEventsAbove<Record<string, string>>(
        client,
        relation.state.events,
        ancestor,
        [a, b],
      );
      await recomputePairs(
        client,
        relation.state,
        ...pairArrays(removed.map((row) => [row[a], row[b]] as const)),
      );
    }
  },
};
