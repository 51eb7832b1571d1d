import type { ApiContext, ApiModule } from "./context";
import {
  connectionArgs,
  countInPageSpan,
  createPageLoader,
  createSpanCountLoader,
  entityTypeDefs,
  fetchPage,
  pageLoaderKey,
  type Connection,
  type Entity,
  type PageArgs,
  type PageLimits,
  type Row,
} from "./entity";
import { findProfile, profileById } from "./profiles";
import { required, traceColumns } from "./shared";
import { chainStrings } from "./strings";

/**
 * A viewer's own moderation (docs/moderation.md): the profiles a viewer blocked or muted, those
 * that blocked the viewer, and the members of the lists the viewer subscribes to are left out of
 * what the API shows that viewer. Nothing is deleted; without a viewer every row is served.
 *
 * This file is the one place that decides what a viewer does not see. Feeds, replies, quotes
 * and search use `moderatedPage`; anything else that shows one profile's actions to another
 * (notifications: a blocked profile's replies and quotes must not notify the blocker) filters
 * with `visibleToSql(recipient, actor)` or reads the reason with `hiddenReasonSql`.
 */

/** Why a profile's content is left out for a viewer, in order of precedence. */
export const HIDDEN_REASONS = ["BLOCKED", "BLOCKED_BY", "MUTED", "LIST"] as const;
export type HiddenReason = (typeof HIDDEN_REASONS)[number];

/**
 * SQL of the reason the profile `authorSql` is hidden from the profile `viewerSql` (both SQL
 * expressions of numeric type), or NULL when it is not. A viewer never hides itself.
 */
export function hiddenReasonSql(viewerSql: string, authorSql: string): string {
  return `(CASE
    WHEN ${authorSql} = ${viewerSql} THEN NULL
    WHEN EXISTS (SELECT 1 FROM profile_blocks hb
      WHERE hb.profile_id = ${viewerSql} AND hb.target_id = ${authorSql}) THEN 'BLOCKED'
    WHEN EXISTS (SELECT 1 FROM profile_blocks hb
      WHERE hb.profile_id = ${authorSql} AND hb.target_id = ${viewerSql}) THEN 'BLOCKED_BY'
    WHEN EXISTS (SELECT 1 FROM profile_mutes hm
      WHERE hm.profile_id = ${viewerSql} AND hm.target_id = ${authorSql}) THEN 'MUTED'
    WHEN EXISTS (${listMembershipSql(viewerSql, authorSql, "1")}) THEN 'LIST'
  END)`;
}

/** SQL that is true when the viewer's moderation leaves `authorSql` visible to `viewerSql`. */
export function visibleToSql(viewerSql: string, authorSql: string): string {
  return `(${hiddenReasonSql(viewerSql, authorSql)} IS NULL)`;
}

/** SQL of the lowest id of a list the viewer subscribes to that holds the author, or NULL. */
export function hidingListSql(viewerSql: string, authorSql: string): string {
  return `(${listMembershipSql(viewerSql, authorSql, "min(hs.list_id)")})`;
}

function listMembershipSql(viewerSql: string, authorSql: string, select: string): string {
  return `SELECT ${select} FROM moderation_list_subscriptions hs
    JOIN moderation_list_members hl ON hl.list_id = hs.list_id
    WHERE hs.profile_id = ${viewerSql} AND hl.member_id = ${authorSql}`;
}

/** What a page left out for its viewer: per hidden profile, why and how many rows. */
export interface HiddenGroup {
  reason: HiddenReason;
  profileId: string;
  listId: string | null;
  count: number;
}

/** `hidden` may be a function, which the default resolver calls only when it is selected. */
export type ModeratedConnection = Connection & {
  hidden?: HiddenGroup[] | (() => Promise<HiddenGroup[]>);
};

type Scope = (add: (value: unknown, cast: string) => string) => string;

/** The SDL of the `viewer` argument, appended to a field's connection arguments. */
export function withViewerArg(args: string): string {
  return args.replace(
    /\)\s*$/,
    `  "Leave out what this profile's blocks, mutes and subscribed lists hide, and profiles that blocked it; the connection's hidden field says what and why."
    viewer: BigInt
  )`,
  );
}

/**
 * A page of `entity` (`authorSql`: the SQL of the profile a row belongs to) as `args.viewer`
 * sees it: rows of hidden profiles left out, and `hidden` counting them by profile and reason
 * within the page's span, a query of its own run only when `hidden` is selected. Without a
 * viewer, fetchPage's page as it is (`hidden` null).
 */
export async function moderatedPage(
  context: ApiContext,
  entity: Entity,
  args: PageArgs & { viewer?: string | null },
  authorSql: string,
  scope?: Scope,
): Promise<ModeratedConnection> {
  if (args.viewer == null) return fetchPage(context.db, entity, args, context.limits, scope);
  const viewer = String((await findProfile(context, { id: args.viewer }, "viewer")).id);
  const withReason =
    (visible: boolean): Scope =>
    (add) => {
      const reason = hiddenReasonSql(add(viewer, "numeric"), authorSql);
      const own = `(${reason} IS ${visible ? "" : "NOT "}NULL)`;
      return scope ? `${scope(add)} AND ${own}` : own;
    };
  const page = await fetchPage(context.db, entity, args, context.limits, withReason(true));
  // Read only when selected (see ModeratedConnection).
  return { ...page, hidden: () => hiddenIn(context, entity, args, page, authorSql, viewer, scope) };
}

async function hiddenIn(
  context: ApiContext,
  entity: Entity,
  args: PageArgs,
  page: Connection,
  authorSql: string,
  viewer: string,
  scope?: Scope,
): Promise<HiddenGroup[]> {
  const viewerSql = `'${viewer}'::numeric`;
  const groups = await countInPageSpan(
    context.db,
    entity,
    args,
    context.limits,
    page,
    (add) => {
      const own = `(${hiddenReasonSql(viewerSql, authorSql)} IS NOT NULL)`;
      return scope ? `${scope(add)} AND ${own}` : own;
    },
    hiddenGroupSql(viewerSql, authorSql),
  );
  return groups.map(toHiddenGroup);
}

/** The groups of a hidden count: reason, profile and hiding list, in HiddenGroup's order. */
function hiddenGroupSql(viewerSql: string, authorSql: string): string[] {
  return [
    hiddenReasonSql(viewerSql, authorSql),
    `${authorSql}::text`,
    `${hidingListSql(viewerSql, authorSql)}::text`,
  ];
}

function toHiddenGroup(group: Row): HiddenGroup {
  return {
    reason: group.g0 as HiddenReason,
    profileId: String(group.g1),
    listId: group.g2 == null ? null : String(group.g2),
    count: Number(group.count),
  };
}

/**
 * A nested connection of `entity` under a parent row (replies of a post), as `args.viewer` sees
 * it; like `nested` (shared.ts) with the viewer's moderation applied. The pages of all parents
 * are read with one query, and so are their hidden counts, only when a client selects `hidden`.
 */
export function moderatedNested(
  name: string,
  entity: Entity,
  keyField: string,
  condition: (key: string) => string,
  authorSql: string,
) {
  return async (
    parent: Row,
    args: PageArgs & { viewer?: string | null },
    context: ApiContext,
  ): Promise<ModeratedConnection> => {
    const viewer =
      args.viewer == null
        ? null
        : String((await findProfile(context, { id: args.viewer }, "viewer")).id);
    const key = String(parent[keyField]);
    const page: Connection = await context
      .loader(pageLoaderKey(`${name}:${viewer}`, args), () =>
        createPageLoader(context.db, entity, args, context.limits, {
          cast: "numeric",
          condition: (keyRef) =>
            viewer === null
              ? condition(keyRef)
              : `${condition(keyRef)} AND ${visibleToSql(`'${viewer}'::numeric`, authorSql)}`,
        }),
      )
      .load(key);
    if (viewer === null) return page;
    // The default resolver calls a function field: the counts are read only when selected,
    // and the loader gathers those of every parent resolved in the same tick.
    const hidden = () =>
      context
        .loader(pageLoaderKey(`${name}:${viewer}:hidden`, args), () =>
          createSpanCountLoader(
            context.db,
            entity,
            args,
            context.limits,
            { cast: "numeric", condition },
            (add) => {
              const viewerSql = add(viewer, "numeric");
              return {
                where: `(${hiddenReasonSql(viewerSql, authorSql)} IS NOT NULL)`,
                groups: hiddenGroupSql(viewerSql, authorSql),
              };
            },
          ),
        )
        .load({ key, page })
        .then((groups) => groups.map(toHiddenGroup));
    return {
      get edges() {
        return page.edges;
      },
      nodes: page.nodes,
      pageInfo: page.pageInfo,
      hidden,
    };
  };
}

// ------------------------------------------------------------------------ entities

const PAIR_DOC = {
  profile_blocks: ["Block", "A current block: the latest event between the two was Blocked."],
  profile_mutes: ["Mute", "A current mute: the latest event between the two was Muted."],
} as const;

function pairEntity(table: keyof typeof PAIR_DOC, alias: string): Entity {
  const [name, description] = PAIR_DOC[table];
  return {
    name,
    description,
    from: `${table} ${alias}`,
    alias,
    columns: [
      {
        field: "profileId",
        sql: `${alias}.profile_id`,
        kind: "uint256",
        filter: true,
        description: `Profile that acted (the ${name.toLowerCase()} applies to its view).`,
      },
      {
        field: "targetId",
        sql: `${alias}.target_id`,
        kind: "uint256",
        filter: true,
        description: "Profile acted upon.",
      },
      ...traceColumns(alias, `${name} event the state dates from`),
    ],
    orderings: [
      { name: "blockNumber", description: "By when it began.", keys: ["blockNumber", "logIndex"] },
    ],
    defaultOrdering: "blockNumber",
    defaultDirection: "desc",
  };
}

export const BLOCK = pairEntity("profile_blocks", "bk");
export const MUTE = pairEntity("profile_mutes", "mu");

export const MODERATION_LIST: Entity = {
  name: "ModerationList",
  description:
    "A moderation list: a named set of profiles curated by one profile, which others subscribe to.",
  from: `moderation_lists ml JOIN moderation_list_names mln
    ON mln.block_number = ml.name_block_number AND mln.log_index = ml.name_log_index`,
  alias: "ml",
  columns: [
    { field: "id", sql: "ml.id", kind: "uint256", filter: true, description: "List id, from 1." },
    {
      field: "ownerId",
      sql: "ml.owner_id",
      kind: "uint256",
      filter: true,
      description: "Profile that curates the list.",
    },
    {
      field: "name",
      sql: "mln.name",
      kind: "text",
      description: "Current name (its latest rename, else the name it was created with).",
    },
    {
      field: "nameBlockNumber",
      sql: "mln.block_number",
      kind: "uint64",
      description: "Block of the event that gave the current name.",
    },
    {
      field: "nameLogIndex",
      sql: "mln.log_index",
      kind: "int",
      description: "Log index of the event that gave the current name.",
    },
    ...traceColumns("ml", "list's creation"),
  ],
  orderings: [{ name: "id", description: "By list id.", keys: ["id"] }],
  defaultOrdering: "id",
  defaultDirection: "asc",
};

const LIST_STRINGS = chainStrings(
  "ModerationList",
  {
    table: "moderation_list_names",
    columns: [
      { field: "nameBlockNumber", column: "block_number", cast: "int8" },
      { field: "nameLogIndex", column: "log_index", cast: "int4" },
    ],
  },
  [{ field: "name", column: "name" }],
);

export const LIST_MEMBER: Entity = {
  name: "ModerationListMember",
  description: "A current member of a moderation list.",
  from: "moderation_list_members lm",
  alias: "lm",
  columns: [
    { field: "listId", sql: "lm.list_id", kind: "uint256", filter: true, description: "List." },
    {
      field: "memberId",
      sql: "lm.member_id",
      kind: "uint256",
      filter: true,
      description: "Profile on the list.",
    },
    ...traceColumns("lm", "event that added the member"),
  ],
  orderings: [
    { name: "blockNumber", description: "By when added.", keys: ["blockNumber", "logIndex"] },
  ],
  defaultOrdering: "blockNumber",
  defaultDirection: "desc",
};

export const LIST_SUBSCRIPTION: Entity = {
  name: "ModerationListSubscription",
  description: "A current subscription of a profile to a moderation list.",
  from: "moderation_list_subscriptions ls",
  alias: "ls",
  columns: [
    {
      field: "profileId",
      sql: "ls.profile_id",
      kind: "uint256",
      filter: true,
      description: "Profile that subscribes: the list's members are hidden from its view.",
    },
    { field: "listId", sql: "ls.list_id", kind: "uint256", filter: true, description: "List." },
    ...traceColumns("ls", "event that subscribed"),
  ],
  orderings: [
    { name: "blockNumber", description: "By when subscribed.", keys: ["blockNumber", "logIndex"] },
  ],
  defaultOrdering: "blockNumber",
  defaultDirection: "desc",
};

function listById(context: ApiContext, id: string): Promise<Row | null> {
  return fetchPage(context.db, MODERATION_LIST, { where: { id }, first: 1 }, context.limits).then(
    (page) => page.nodes[0] ?? null,
  );
}

export function moderationModule(limits: PageLimits): ApiModule {
  const profileOf = (field: string) => (row: Row, _: unknown, context: ApiContext) =>
    required(profileById(context, String(row[field])), `profile ${row[field]}`);
  return {
    typeDefs: /* GraphQL */ `
      ${entityTypeDefs(BLOCK)}
      ${entityTypeDefs(MUTE)}
      ${entityTypeDefs(MODERATION_LIST)}
      ${LIST_STRINGS.typeDefs}
      ${entityTypeDefs(LIST_MEMBER)}
      ${entityTypeDefs(LIST_SUBSCRIPTION)}

      "Why a viewer does not see a profile's content."
      enum HiddenReason {
        "The viewer blocked the profile."
        BLOCKED
        "The profile blocked the viewer."
        BLOCKED_BY
        "The viewer muted the profile."
        MUTED
        "The profile is on a moderation list the viewer subscribes to."
        LIST
      }

      "Rows a viewer's moderation left out of a page: one profile, one reason."
      type HiddenProfile {
        "Why the profile is hidden (the first that applies, in the order of HiddenReason)."
        reason: HiddenReason!
        "The hidden profile's id."
        profileId: BigInt!
        "The hidden profile."
        profile: Profile!
        "For LIST: the lowest id of a subscribed list that holds the profile."
        listId: BigInt
        "How many rows of this profile were left out between the page's cursor and its last row (to the end on the last page)."
        count: Int!
      }

      extend type PostConnection {
        "With a viewer: what the viewer's moderation left out of this page, and why. Null without a viewer."
        hidden: [HiddenProfile!]
      }

      extend type ProfileConnection {
        "With a viewer: the profiles the viewer's moderation left out of this page, and why. Null without a viewer."
        hidden: [HiddenProfile!]
      }

      extend type Block {
        "Profile that blocked."
        profile: Profile!
        "Profile blocked."
        target: Profile!
      }

      extend type Mute {
        "Profile that muted."
        profile: Profile!
        "Profile muted."
        target: Profile!
      }

      extend type ModerationList {
        "Profile that curates the list."
        owner: Profile!
        "Current members."
        members${connectionArgs(LIST_MEMBER, limits)}: ModerationListMemberConnection!
        "Current subscriptions."
        subscriptions${connectionArgs(LIST_SUBSCRIPTION, limits)}: ModerationListSubscriptionConnection!
      }

      extend type ModerationListMember {
        "Profile on the list."
        member: Profile!
        "The list."
        list: ModerationList!
      }

      extend type ModerationListSubscription {
        "Profile that subscribes."
        profile: Profile!
        "The list."
        list: ModerationList!
      }

      extend type Query {
        "Current blocks matching a filter (blocks are public, like follows)."
        blocks${connectionArgs(BLOCK, limits)}: BlockConnection!
        "Current mutes matching a filter (mutes are public events too)."
        mutes${connectionArgs(MUTE, limits)}: MuteConnection!
        "Moderation lists matching a filter."
        moderationLists${connectionArgs(MODERATION_LIST, limits)}: ModerationListConnection!
        "The moderation list with this id, null when none has it."
        moderationList("List id." id: BigInt!): ModerationList
        "Current list members matching a filter."
        moderationListMembers${connectionArgs(LIST_MEMBER, limits)}: ModerationListMemberConnection!
        "Current list subscriptions matching a filter."
        moderationListSubscriptions${connectionArgs(LIST_SUBSCRIPTION, limits)}: ModerationListSubscriptionConnection!
        "Why viewer does not see profile's content, null when it does."
        hiddenReason("The profile that looks." viewer: BigInt!, "The profile looked at." profileId: BigInt!): HiddenReason
      }
    `,
    resolvers: {
      Query: {
        blocks: (_: unknown, args: PageArgs, context: ApiContext) =>
          fetchPage(context.db, BLOCK, args, context.limits),
        mutes: (_: unknown, args: PageArgs, context: ApiContext) =>
          fetchPage(context.db, MUTE, args, context.limits),
        moderationLists: (_: unknown, args: PageArgs, context: ApiContext) =>
          fetchPage(context.db, MODERATION_LIST, args, context.limits),
        moderationList: (_: unknown, args: { id: string }, context: ApiContext) =>
          listById(context, args.id),
        moderationListMembers: (_: unknown, args: PageArgs, context: ApiContext) =>
          fetchPage(context.db, LIST_MEMBER, args, context.limits),
        moderationListSubscriptions: (_: unknown, args: PageArgs, context: ApiContext) =>
          fetchPage(context.db, LIST_SUBSCRIPTION, args, context.limits),
        async hiddenReason(
          _: unknown,
          args: { viewer: string; profileId: string },
          context: ApiContext,
        ) {
          const viewer = await findProfile(context, { id: args.viewer }, "viewer");
          const profile = await findProfile(context, { id: args.profileId }, "profileId");
          const [row] = await context.db.query<{ reason: HiddenReason | null }>(
            `SELECT ${hiddenReasonSql("$1::numeric", "$2::numeric")} AS reason`,
            [viewer.id, profile.id],
          );
          return row.reason;
        },
      },
      HiddenProfile: { profile: profileOf("profileId") },
      Block: { profile: profileOf("profileId"), target: profileOf("targetId") },
      Mute: { profile: profileOf("profileId"), target: profileOf("targetId") },
      ModerationList: {
        ...LIST_STRINGS.resolvers,
        owner: profileOf("ownerId"),
        members: (list: Row, args: PageArgs, context: ApiContext) =>
          fetchPage(context.db, LIST_MEMBER, args, context.limits, (add) => {
            return `lm.list_id = ${add(list.id, "numeric")}`;
          }),
        subscriptions: (list: Row, args: PageArgs, context: ApiContext) =>
          fetchPage(context.db, LIST_SUBSCRIPTION, args, context.limits, (add) => {
            return `ls.list_id = ${add(list.id, "numeric")}`;
          }),
      },
      ModerationListMember: {
        member: profileOf("memberId"),
        list: (row: Row, _: unknown, context: ApiContext) =>
          required(listById(context, String(row.listId)), `list ${row.listId}`),
      },
      ModerationListSubscription: {
        profile: profileOf("profileId"),
        list: (row: Row, _: unknown, context: ApiContext) =>
          required(listById(context, String(row.listId)), `list ${row.listId}`),
      },
    },
  };
}
