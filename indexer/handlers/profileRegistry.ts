import type pg from "pg";
import { parseAbi } from "viem";
import {
  deleteEventsAbove,
  insertEvents,
  uintArg,
  unique,
  combineParts,
  textColumn,
  type EventTable,
  type HandlerPart,
  uintColumn,
} from "./types";
import { queueContent } from "../content/queue";
import { stringArg, stringColumns } from "./rows";
import { socialGraphPart } from "./socialGraph";

/** Must match contracts/interfaces/IProfileRegistry.sol (a test compares them). */
export const PROFILE_REGISTRY_EVENTS = parseAbi([
  "event ProfileRegistered(uint256 indexed profileId, address indexed owner, string handle, string metadataURI)",
  "event HandleChanged(uint256 indexed profileId, string oldHandle, string newHandle, uint256 oldHandleFreeAt)",
  "event MetadataURIChanged(uint256 indexed profileId, string metadataURI)",
  "event ProfileTransferOffered(uint256 indexed profileId, address indexed to, uint256 expiresAt)",
  "event ProfileRecoveryOffered(uint256 indexed profileId, address indexed recovery, address indexed to, uint256 expiresAt)",
  "event ProfileTransferred(uint256 indexed profileId, address indexed from, address indexed to)",
  "event RecoverySet(uint256 indexed profileId, address indexed recovery)",
  "event RecoveryChangeScheduled(uint256 indexed profileId, address indexed currentRecovery, address indexed newRecovery, uint256 effectiveAt)",
  "event NonceUsed(address indexed account, uint256 nonce)",
]);

const profileId = uintColumn("profile_id", "profileId");
/** A unix time the registry computed (block time plus a fixed period, or an expiry it capped
 * at 2^40 - 1): it fits a bigint. */
const timeColumn = (name: string, argument: string) =>
  ({
    name,
    type: "bigint",
    value: (log) => uintArg(log, argument),
  }) as const satisfies EventTable["columns"][number];

const TABLES: readonly EventTable[] = [
  {
    table: "profile_registrations",
    event: "ProfileRegistered",
    columns: [
      profileId,
      textColumn("owner", "owner"),
      ...stringColumns("handle", "handle"),
      ...stringColumns("metadata_uri", "metadataURI"),
    ],
  },
  {
    table: "handle_changes",
    event: "HandleChanged",
    columns: [
      profileId,
      ...stringColumns("old_handle", "oldHandle"),
      ...stringColumns("new_handle", "newHandle"),
      timeColumn("old_handle_free_at", "oldHandleFreeAt"),
    ],
  },
  {
    table: "metadata_changes",
    event: "MetadataURIChanged",
    columns: [profileId, ...stringColumns("metadata_uri", "metadataURI")],
  },
  // Both kinds of offer share one table: the latest row after the latest transfer is the offer
  // the profile holds (`recovery` null: the owner's).
  {
    table: "profile_transfer_offers",
    event: "ProfileTransferOffered",
    columns: [profileId, textColumn("to_address", "to"), timeColumn("expires_at", "expiresAt")],
  },
  {
    table: "profile_transfer_offers",
    event: "ProfileRecoveryOffered",
    columns: [
      profileId,
      textColumn("recovery", "recovery"),
      textColumn("to_address", "to"),
      timeColumn("expires_at", "expiresAt"),
    ],
  },
  {
    table: "profile_transfers",
    event: "ProfileTransferred",
    columns: [profileId, textColumn("from_address", "from"), textColumn("to_address", "to")],
  },
  // The latest row of either kind is the profile's recovery state.
  {
    table: "recovery_changes",
    event: "RecoverySet",
    columns: [profileId, textColumn("recovery", "recovery")],
  },
  {
    table: "recovery_changes",
    event: "RecoveryChangeScheduled",
    columns: [
      profileId,
      textColumn("recovery", "currentRecovery"),
      textColumn("next_recovery", "newRecovery"),
      timeColumn("change_at", "effectiveAt"),
    ],
  },
];

/** Each event table once (two events may share one). */
const EVENT_TABLES = unique(TABLES.map((t) => t.table));

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

const latest = (table: string, columns: string) =>
  `LEFT JOIN LATERAL (SELECT ${columns}, block_number, log_index FROM "${table}" e
     WHERE e.profile_id = r.profile_id ORDER BY block_number DESC, log_index DESC LIMIT 1)`;

/**
 * Rebuilds the `profiles` rows of `ids` from the event tables: owner from the latest transfer,
 * handle from the latest handle change, and so on, each falling back to the registration.
 * The recovery columns are the latest recovery row as it is (a scheduled change applies later
 * without an event; readers compare `recovery_change_at` with "now"). An offer is pending only
 * if it is newer than the latest transfer, which spends it, and not withdrawn; its expiry is
 * likewise left to readers.
 */
async function recomputeProfiles(client: pg.PoolClient, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await client.query(`DELETE FROM profiles WHERE id = ANY($1::numeric[])`, [ids]);
  await client.query(
    `INSERT INTO profiles (id, owner, handle, handle_bytes, metadata_uri, metadata_uri_bytes,
       recovery, next_recovery, recovery_change_at, pending_owner, offer_expires_at, offered_at,
       offer_by_recovery,
       block_number, tx_hash, log_index, updated_block_number, updated_tx_hash, updated_log_index)
     SELECT r.profile_id,
       COALESCE(t.to_address, r.owner),
       COALESCE(h.new_handle, r.handle),
       CASE WHEN h.block_number IS NULL THEN r.handle_bytes ELSE h.new_handle_bytes END,
       COALESCE(m.metadata_uri, r.metadata_uri),
       CASE WHEN m.block_number IS NULL THEN r.metadata_uri_bytes ELSE m.metadata_uri_bytes END,
       NULLIF(rc.recovery, '${ZERO_ADDRESS}'),
       NULLIF(rc.next_recovery, '${ZERO_ADDRESS}'),
       rc.change_at,
       po.to_address, po.expires_at, po.offered_at, CASE WHEN po.to_address IS NOT NULL THEN po.recovery IS NOT NULL END,
       r.block_number, r.tx_hash, r.log_index,
       u.block_number, u.tx_hash, u.log_index
     FROM profile_registrations r
     ${latest("profile_transfers", "to_address")} t ON true
     ${latest("handle_changes", "new_handle, new_handle_bytes")} h ON true
     ${latest("metadata_changes", "metadata_uri, metadata_uri_bytes")} m ON true
     ${latest("recovery_changes", "recovery, next_recovery, change_at")} rc ON true
     ${latest("profile_transfer_offers", "to_address, expires_at, recovery")} o ON true
     LEFT JOIN LATERAL (
       SELECT o.to_address, o.expires_at, o.recovery, b.timestamp AS offered_at
       FROM blocks b WHERE b.number = o.block_number
         AND o.to_address <> '${ZERO_ADDRESS}'
         AND (t.block_number IS NULL OR (o.block_number, o.log_index) > (t.block_number, t.log_index))
     ) po ON true
     CROSS JOIN LATERAL (
       SELECT block_number, tx_hash, log_index FROM (
         ${EVENT_TABLES.map(
           (table) =>
             `SELECT block_number, tx_hash, log_index FROM "${table}" WHERE profile_id = r.profile_id`,
         ).join(" UNION ALL ")}
       ) every_event ORDER BY block_number DESC, log_index DESC LIMIT 1
     ) u
     WHERE r.profile_id = ANY($1::numeric[])`,
    [ids],
  );
}

/** IProfileRegistry: profiles, handle history, ownership, transfer offers, recovery. */
export const profilePart: HandlerPart = {
  events: PROFILE_REGISTRY_EVENTS,

  async apply(client, logs) {
    await insertEvents(client, TABLES, logs);
    await queueContent(
      client,
      "profile",
      logs
        .filter((log) => log.event === "ProfileRegistered" || log.event === "MetadataURIChanged")
        .map((log) => stringArg(log, "metadataURI")),
    );
    // `NonceUsed` names an account, not a profile, and changes no table.
    const profileLogs = logs.filter((log) => log.event !== "NonceUsed");
    await recomputeProfiles(
      client,
      unique(profileLogs.map((log) => uintArg(log, "profileId").toString())),
    );
  },

  async rollback(client, ancestor) {
    const touched: string[] = [];
    for (const table of EVENT_TABLES) {
      const rows = await deleteEventsAbove<{ profile_id: string }>(client, table, ancestor, [
        "profile_id",
      ]);
      touched.push(...rows.map((row) => row.profile_id));
    }
    await recomputeProfiles(client, unique(touched));
  },
};

/** ProfileRegistry implements IProfileRegistry and ISocialGraph. */
export const profileRegistryHandler = combineParts("ProfileRegistry", [
  profilePart,
  socialGraphPart,
]);
