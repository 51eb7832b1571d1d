import type { ApiContext, ApiModule } from "./context";
import {
  column,
  connectionArgs,
  createPageLoader,
  createRowLoader,
  entityTypeDefs,
  fetchPage,
  pageLoaderKey,
  type Entity,
  type PageArgs,
  type PageLimits,
  type Row,
} from "./entity";
import { ErrorCode, userError } from "./errors";
import { chainStrings, eventRowKey } from "./strings";
import { moderatedPage } from "./moderation";
import { NOW_SQL } from "./shared";
import { RECOVERY_DELAY_SECONDS, isValidHandle } from "../../sdk/handles";

// Time-dependent state of a profile, at "now" (see NOW_SQL): a scheduled recovery change
// applies from `recovery_change_at` on, and an offer can be accepted until `offer_expires_at`.
const CHANGE_APPLIED = `pr.recovery_change_at <= ${NOW_SQL}`;
const CHANGE_PENDING = `pr.recovery_change_at > ${NOW_SQL}`;
const RECOVERY_NOW = `CASE WHEN ${CHANGE_APPLIED} THEN pr.next_recovery ELSE pr.recovery END`;
const OFFER_OPEN = `pr.offer_expires_at >= ${NOW_SQL}`;
/** An owner's offer waits the recovery delay while a recovery address is in force, or until a
 * scheduled clearing of it applies, if sooner (LEAST skips the null of "no clearing"). */
const OFFER_ACCEPTABLE_AT = `CASE WHEN pr.offer_by_recovery OR ${RECOVERY_NOW} IS NULL
  THEN pr.offered_at
  ELSE LEAST(pr.offered_at + ${RECOVERY_DELAY_SECONDS},
    CASE WHEN ${CHANGE_PENDING} AND pr.next_recovery IS NULL THEN pr.recovery_change_at END) END`;

export const PROFILE: Entity = {
  name: "Profile",
  description:
    "A profile: a unique handle owned by one address, with its metadata and social graph.",
  from: "profiles pr",
  alias: "pr",
  columns: [
    {
      field: "id",
      sql: "pr.id",
      kind: "uint256",
      filter: true,
      description: "Profile id, assigned in order of registration from 1.",
    },
    {
      field: "handle",
      sql: "pr.handle",
      kind: "text",
      filter: true,
      description: "Current handle: 3-25 characters from a-z, 0-9 and _.",
    },
    {
      field: "owner",
      sql: "pr.owner",
      kind: "address",
      filter: true,
      description: "Address that owns the profile.",
    },
    {
      field: "metadataUri",
      sql: "pr.metadata_uri",
      kind: "text",
      description: "URI of the off-chain metadata (name, bio, avatar).",
    },
    {
      field: "recovery",
      sql: RECOVERY_NOW,
      kind: "address",
      nullable: true,
      filter: true,
      description:
        "Address that may recover the profile now, null when none is in force (a scheduled change counts once its time has come).",
    },
    {
      field: "pendingRecovery",
      sql: `CASE WHEN ${CHANGE_PENDING} THEN pr.next_recovery END`,
      kind: "address",
      nullable: true,
      description:
        "Address a scheduled change makes the recovery address at recoveryChangeAt; null when none is scheduled or the change clears it.",
    },
    {
      field: "recoveryChangeAt",
      sql: `CASE WHEN ${CHANGE_PENDING} THEN pr.recovery_change_at END`,
      kind: "uint64",
      nullable: true,
      description:
        "Unix time from which a scheduled change of the recovery address applies (until then the address in force keeps its power); null when none is pending.",
    },
    {
      field: "pendingOwner",
      sql: `CASE WHEN ${OFFER_OPEN} THEN pr.pending_owner END`,
      kind: "address",
      nullable: true,
      filter: true,
      description:
        "Address the profile is offered to, by its owner or its recovery address; null when no offer is open (none, withdrawn, spent or expired).",
    },
    {
      field: "offerExpiresAt",
      sql: `CASE WHEN ${OFFER_OPEN} THEN pr.offer_expires_at END`,
      kind: "uint64",
      nullable: true,
      description: "Last unix second the open offer can be accepted; null without one.",
    },
    {
      field: "offerAcceptableAt",
      sql: `CASE WHEN ${OFFER_OPEN} THEN ${OFFER_ACCEPTABLE_AT} END`,
      kind: "uint64",
      nullable: true,
      description:
        "Unix time from which the open offer can be accepted: at once for a recovery offer or without a recovery address, else 3 days after the owner's offer (sooner if a scheduled clearing of the recovery address applies first); null without an offer.",
    },
    {
      field: "offerByRecovery",
      sql: `CASE WHEN ${OFFER_OPEN} THEN pr.offer_by_recovery END`,
      kind: "boolean",
      nullable: true,
      description:
        "Whether the recovery address made the open offer (the owner can neither replace nor withdraw it); null without an offer.",
    },
    {
      field: "blockNumber",
      sql: "pr.block_number",
      kind: "uint64",
      filter: true,
      description: "Block of the registration.",
    },
    {
      field: "logIndex",
      sql: "pr.log_index",
      kind: "int",
      description: "Log index of the registration within its block.",
    },
    {
      field: "txHash",
      sql: "pr.tx_hash",
      kind: "text",
      description: "Transaction of the registration.",
    },
    {
      field: "updatedBlockNumber",
      sql: "pr.updated_block_number",
      kind: "uint64",
      filter: true,
      description: "Block of the latest event that changed the profile.",
    },
    {
      field: "updatedLogIndex",
      sql: "pr.updated_log_index",
      kind: "int",
      description: "Log index of the latest event that changed the profile.",
    },
  ],
  orderings: [
    { name: "id", description: "By profile id, i.e. in order of registration.", keys: ["id"] },
    { name: "handle", description: "By handle.", keys: ["handle"] },
  ],
  defaultOrdering: "id",
  defaultDirection: "asc",
};

export const HANDLE_CHANGE: Entity = {
  name: "HandleChange",
  description: "A change of a profile's handle; the history of a profile's handles.",
  from: "handle_changes hc",
  alias: "hc",
  columns: [
    {
      field: "profileId",
      sql: "hc.profile_id",
      kind: "uint256",
      filter: true,
      description: "Profile whose handle changed.",
    },
    {
      field: "oldHandle",
      sql: "hc.old_handle",
      kind: "text",
      filter: true,
      description: "Handle before the change, reserved for this profile until oldHandleFreeAt.",
    },
    {
      field: "newHandle",
      sql: "hc.new_handle",
      kind: "text",
      filter: true,
      description: "Handle after the change.",
    },
    {
      field: "oldHandleFreeAt",
      sql: "hc.old_handle_free_at",
      kind: "uint64",
      description:
        "Unix time from which anyone may claim oldHandle; before it only this profile may.",
    },
    {
      field: "blockNumber",
      sql: "hc.block_number",
      kind: "uint64",
      filter: true,
      description: "Block of the change.",
    },
    {
      field: "logIndex",
      sql: "hc.log_index",
      kind: "int",
      description: "Log index of the change within its block.",
    },
    { field: "txHash", sql: "hc.tx_hash", kind: "text", description: "Transaction of the change." },
  ],
  orderings: [
    { name: "blockNumber", description: "In chain order.", keys: ["blockNumber", "logIndex"] },
  ],
  defaultOrdering: "blockNumber",
  defaultDirection: "desc",
};

const PROFILE_STRINGS = chainStrings(
  "Profile",
  { table: "profiles", columns: [{ field: "id", column: "id", cast: "numeric" }] },
  [
    { field: "handle", column: "handle" },
    { field: "metadataUri", column: "metadata_uri" },
  ],
);

const HANDLE_CHANGE_STRINGS = chainStrings("HandleChange", eventRowKey("handle_changes"), [
  { field: "oldHandle", column: "old_handle" },
  { field: "newHandle", column: "new_handle" },
]);

/** The profile with id `id`, batched with the other lookups of the same tick. */
export function profileById(context: ApiContext, id: string): Promise<Row | null> {
  return context
    .loader("profile:id", () => createRowLoader(context.db, PROFILE, column(PROFILE, "id")))
    .load(id);
}

export interface ProfileKey {
  id?: string | null;
  handle?: string | null;
  address?: string | null;
}

/** Finds the one profile named by id, handle or address; an unknown one is the client's error. */
export async function findProfile(
  context: ApiContext,
  key: ProfileKey,
  argument = "profile",
): Promise<Row> {
  const given = (["id", "handle", "address"] as const).filter(
    (name) => key[name] !== undefined && key[name] !== null,
  );
  if (given.length !== 1) {
    throw userError(
      ErrorCode.BadUserInput,
      `${argument}: give exactly one of id, handle or address (got ${given.length})`,
    );
  }
  if (key.id != null) {
    const row = await profileById(context, key.id);
    if (!row) throw userError(ErrorCode.ProfileNotFound, `no profile has the id ${key.id}`);
    return row;
  }
  const [name, value, sqlColumn] =
    key.handle != null
      ? (["handle", key.handle, "handle"] as const)
      : (["address", key.address!, "owner"] as const);
  const row = await context
    .loader(`profile:${name}`, () =>
      createRowLoader(context.db, PROFILE, column(PROFILE, sqlColumn)),
    )
    .load(value);
  if (!row) {
    throw userError(
      ErrorCode.ProfileNotFound,
      name === "handle"
        ? `no profile has the handle "${value}"`
        : `no profile is owned by ${value}`,
    );
  }
  return row;
}

interface HandleStatus {
  handle: string;
  valid: boolean;
  holderId: string | null;
  reservedForId: string | null;
  freeAt: string | null;
}

/**
 * Who may claim `handle` now: the profile holding it, or the one that gave it up while its
 * cooldown runs (the latest change away from it decides; the registry keeps no other record).
 */
async function handleStatus(context: ApiContext, handle: string): Promise<HandleStatus> {
  const status = {
    handle,
    valid: isValidHandle(handle),
    holderId: null,
    reservedForId: null,
    freeAt: null,
  };
  if (!status.valid) return status;
  const [row] = await context.db.query<{
    holder_id: string | null;
    reserved_for_id: string | null;
    free_at: string | null;
  }>(
    `SELECT (SELECT id::text FROM profiles WHERE handle = $1::text) AS holder_id,
       c.profile_id::text AS reserved_for_id, c.old_handle_free_at::text AS free_at
     FROM (SELECT 1) one
     LEFT JOIN LATERAL (
       SELECT profile_id, old_handle_free_at FROM handle_changes
       WHERE old_handle = $1::text ORDER BY block_number DESC, log_index DESC LIMIT 1
     ) c ON c.old_handle_free_at > ${NOW_SQL}`,
    [handle],
  );
  if (row.holder_id !== null) return { ...status, holderId: row.holder_id };
  return { ...status, reservedForId: row.reserved_for_id, freeAt: row.free_at };
}

export function profilesModule(limits: PageLimits): ApiModule {
  return {
    typeDefs: /* GraphQL */ `
      ${entityTypeDefs(PROFILE)}
      ${entityTypeDefs(HANDLE_CHANGE)}
      ${PROFILE_STRINGS.typeDefs}
      ${HANDLE_CHANGE_STRINGS.typeDefs}

      extend type Profile {
        "Handles the profile had, newest first by default."
        handleHistory${connectionArgs(HANDLE_CHANGE, limits)}: HandleChangeConnection!
      }

      """
      Who may claim a handle now. A handle a profile gave up stays reserved for that profile
      for 30 days; during that time registering it, or changing another profile to it, reverts
      with ProfileHandleCoolingDown.
      """
      type HandleStatus {
        "The handle asked about."
        handle: String!
        "Whether the handle follows the rules (3-25 characters of a-z, 0-9 and _, not starting with _)."
        valid: Boolean!
        "The profile holding it, null when none does."
        holder: Profile
        "The profile that gave it up and alone may claim it until freeAt; null when none."
        reservedFor: Profile
        "Unix time from which anyone may claim it; null when it is not cooling down."
        freeAt: BigInt
        "Whether a new profile could register it now: valid, held by none, reserved for none."
        available: Boolean!
      }

      extend type Query {
        """
        The profile with this id, handle or address (give exactly one). An unknown one is an
        error with code PROFILE_NOT_FOUND.
        """
        profile("Profile id." id: BigInt, "Current handle, e.g. alice." handle: String, "Owner address." address: Address): Profile
        "Profiles matching a filter."
        profiles${connectionArgs(PROFILE, limits)}: ProfileConnection!
        "Profiles whose handle starts with prefix (case-insensitive), in handle order."
        searchProfiles(
          "Start of the handle, at least one character."
          prefix: String!
          "Page size: at most ${limits.maxPageSize}."
          first: Int = ${limits.defaultPageSize}
          "Cursor of the last profile already read."
          after: String
          "Leave out the profiles this profile's blocks, mutes and subscribed lists hide, and profiles that blocked it; the connection's hidden field says which and why."
          viewer: BigInt
        ): ProfileConnection!
        "Handle changes matching a filter."
        handleChanges${connectionArgs(HANDLE_CHANGE, limits)}: HandleChangeConnection!
        "Whether a handle is free, held, or reserved for the profile that gave it up."
        handleStatus("The handle, exactly as it would be registered." handle: String!): HandleStatus!
      }
    `,
    resolvers: {
      Query: {
        profile: (_: unknown, args: ProfileKey, context: ApiContext) => findProfile(context, args),
        profiles: (_: unknown, args: PageArgs, context: ApiContext) =>
          fetchPage(context.db, PROFILE, args, context.limits),
        searchProfiles(
          _: unknown,
          args: { prefix: string; first?: number; after?: string; viewer?: string | null },
          context: ApiContext,
        ) {
          if (args.prefix.length === 0)
            throw userError(ErrorCode.BadUserInput, "prefix must not be empty");
          return moderatedPage(
            context,
            PROFILE,
            {
              where: { handle_starts_with: args.prefix.toLowerCase() },
              orderBy: "handle",
              orderDirection: "asc",
              first: args.first,
              after: args.after,
              viewer: args.viewer,
            },
            "pr.id",
          );
        },
        handleChanges: (_: unknown, args: PageArgs, context: ApiContext) =>
          fetchPage(context.db, HANDLE_CHANGE, args, context.limits),
        handleStatus: (_: unknown, args: { handle: string }, context: ApiContext) =>
          handleStatus(context, args.handle),
      },
      HandleStatus: {
        holder: (status: HandleStatus, _: unknown, context: ApiContext) =>
          status.holderId === null ? null : profileById(context, status.holderId),
        reservedFor: (status: HandleStatus, _: unknown, context: ApiContext) =>
          status.reservedForId === null ? null : profileById(context, status.reservedForId),
        available: (status: HandleStatus) =>
          status.valid && status.holderId === null && status.reservedForId === null,
      },
      HandleChange: HANDLE_CHANGE_STRINGS.resolvers,
      Profile: {
        ...PROFILE_STRINGS.resolvers,
        handleHistory: (profile: Row, args: PageArgs, context: ApiContext) =>
          context
            .loader(pageLoaderKey("Profile.handleHistory", args), () =>
              createPageLoader(context.db, HANDLE_CHANGE, args, context.limits, {
                cast: "numeric",
                condition: (key) => `hc.profile_id = ${key}`,
              }),
            )
            .load(String(profile.id)),
      },
    },
  };
}
