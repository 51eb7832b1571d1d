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
      sql: "pr.recovery",
      kind: "address",
      nullable: true,
      filter: true,
      description: "Address that may recover the profile, null when none is set.",
    },
    {
      field: "pendingOwner",
      sql: "pr.pending_owner",
      kind: "address",
      nullable: true,
      filter: true,
      description: "Address offered the profile and not yet accepting, null when no offer is open.",
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
      description: "Handle before the change (free for others from then on).",
    },
    {
      field: "newHandle",
      sql: "hc.new_handle",
      kind: "text",
      filter: true,
      description: "Handle after the change.",
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

export function profilesModule(limits: PageLimits): ApiModule {
  return {
    typeDefs: /* GraphQL */ `
      ${entityTypeDefs(PROFILE)}
      ${entityTypeDefs(HANDLE_CHANGE)}

      extend type Profile {
        "Handles the profile had, newest first by default."
        handleHistory${connectionArgs(HANDLE_CHANGE, limits)}: HandleChangeConnection!
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
        ): ProfileConnection!
        "Handle changes matching a filter."
        handleChanges${connectionArgs(HANDLE_CHANGE, limits)}: HandleChangeConnection!
      }
    `,
    resolvers: {
      Query: {
        profile: (_: unknown, args: ProfileKey, context: ApiContext) => findProfile(context, args),
        profiles: (_: unknown, args: PageArgs, context: ApiContext) =>
          fetchPage(context.db, PROFILE, args, context.limits),
        searchProfiles(
          _: unknown,
          args: { prefix: string; first?: number; after?: string },
          context: ApiContext,
        ) {
          if (args.prefix.length === 0)
            throw userError(ErrorCode.BadUserInput, "prefix must not be empty");
          return fetchPage(
            context.db,
            PROFILE,
            {
              where: { handle_starts_with: args.prefix.toLowerCase() },
              orderBy: "handle",
              orderDirection: "asc",
              first: args.first,
              after: args.after,
            },
            context.limits,
          );
        },
        handleChanges: (_: unknown, args: PageArgs, context: ApiContext) =>
          fetchPage(context.db, HANDLE_CHANGE, args, context.limits),
      },
      Profile: {
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
