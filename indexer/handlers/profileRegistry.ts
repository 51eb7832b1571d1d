import type pg from "pg";
import { parseAbi } from "viem";
import {
  deleteEventsAbove,
  insertEvents,
  textArg,
  uintArg,
  unique,
  combineParts,
  type EventTable,
  type HandlerPart,
  uintColumn,
} from "./types";
import { socialGraphPart } from "./socialGraph";

/** Must match contracts/interfaces/IProfileRegistry.sol (a test compares them). */
export const PROFILE_REGISTRY_EVENTS = parseAbi([
  "event ProfileRegistered(uint256 indexed profileId, address indexed owner, string handle, string metadataURI)",
  "event HandleChanged(uint256 indexed profileId, string oldHandle, string newHandle)",
  "event MetadataURIChanged(uint256 indexed profileId, string metadataURI)",
  "event ProfileTransferOffered(uint256 indexed profileId, address indexed from, address indexed to)",
  "event ProfileTransferred(uint256 indexed profileId, address indexed from, address indexed to)",
  "event RecoverySet(uint256 indexed profileId, address indexed recovery)",
]);

const profileId = uintColumn("profile_id", "profileId");

const TABLES: readonly EventTable[] = [
  {
    table: "profile_registrations",
    event: "ProfileRegistered",
    columns: [
      profileId,
      { name: "owner", type: "text", value: (log) => textArg(log, "owner") },
      { name: "handle", type: "text", value: (log) => textArg(log, "handle") },
      { name: "metadata_uri", type: "text", value: (log) => textArg(log, "metadataURI") },
    ],
  },
  {
    table: "handle_changes",
    event: "HandleChanged",
    columns: [
      profileId,
      { name: "old_handle", type: "text", value: (log) => textArg(log, "oldHandle") },
      { name: "new_handle", type: "text", value: (log) => textArg(log, "newHandle") },
    ],
  },
  {
    table: "metadata_changes",
    event: "MetadataURIChanged",
    columns: [
      profileId,
      { name: "metadata_uri", type: "text", value: (log) => textArg(log, "metadataURI") },
    ],
  },
  {
    table: "profile_transfer_offers",
    event: "ProfileTransferOffered",
    columns: [
      profileId,
      { name: "from_address", type: "text", value: (log) => textArg(log, "from") },
      { name: "to_address", type: "text", value: (log) => textArg(log, "to") },
    ],
  },
  {
    table: "profile_transfers",
    event: "ProfileTransferred",
    columns: [
      profileId,
      { name: "from_address", type: "text", value: (log) => textArg(log, "from") },
      { name: "to_address", type: "text", value: (log) => textArg(log, "to") },
    ],
  },
  {
    table: "recovery_changes",
    event: "RecoverySet",
    columns: [
      profileId,
      { name: "recovery", type: "text", value: (log) => textArg(log, "recovery") },
    ],
  },
];

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

const latest = (table: string, columns: string) =>
  `LEFT JOIN LATERAL (SELECT ${columns}, block_number, log_index FROM "${table}" e
     WHERE e.profile_id = r.profile_id ORDER BY block_number DESC, log_index DESC LIMIT 1)`;

/**
 * Rebuilds the `profiles` rows of `ids` from the event tables: owner from the latest transfer,
 * handle from the latest handle change, and so on, each falling back to the registration.
 * A transfer offer is pending only if it is newer than the latest transfer and not withdrawn.
 */
async function recomputeProfiles(client: pg.PoolClient, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await client.query(`DELETE FROM profiles WHERE id = ANY($1::numeric[])`, [ids]);
  await client.query(
    `INSERT INTO profiles (id, owner, handle, metadata_uri, recovery, pending_owner,
       block_number, tx_hash, log_index, updated_block_number, updated_tx_hash, updated_log_index)
     SELECT r.profile_id,
       COALESCE(t.to_address, r.owner),
       COALESCE(h.new_handle, r.handle),
       COALESCE(m.metadata_uri, r.metadata_uri),
       NULLIF(rc.recovery, '${ZERO_ADDRESS}'),
       CASE WHEN o.block_number IS NOT NULL
             AND (t.block_number IS NULL OR (o.block_number, o.log_index) > (t.block_number, t.log_index))
            THEN NULLIF(o.to_address, '${ZERO_ADDRESS}') END,
       r.block_number, r.tx_hash, r.log_index,
       u.block_number, u.tx_hash, u.log_index
     FROM profile_registrations r
     ${latest("profile_transfers", "to_address")} t ON true
     ${latest("handle_changes", "new_handle")} h ON true
     ${latest("metadata_changes", "metadata_uri")} m ON true
     ${latest("recovery_changes", "recovery")} rc ON true
     ${latest("profile_transfer_offers", "to_address")} o ON true
     CROSS JOIN LATERAL (
       SELECT block_number, tx_hash, log_index FROM (
         ${TABLES.map(
           (t) =>
             `SELECT block_number, tx_hash, log_index FROM "${t.table}" WHERE profile_id = r.profile_id`,
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
    await recomputeProfiles(
      client,
      unique(logs.map((log) => uintArg(log, "profileId").toString())),
    );
  },

  async rollback(client, ancestor) {
    const touched: string[] = [];
    for (const table of TABLES) {
      const rows = await deleteEventsAbove<{ profile_id: string }>(client, table.table, ancestor, [
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
