import type { ApiContext, ApiModule } from "./context";
import {
  connectionArgs,
  entityTypeDefs,
  fetchPage,
  selectColumns,
  type Entity,
  type PageArgs,
  type PageLimits,
  type Row,
} from "./entity";
import { ErrorCode, userError } from "./errors";
import { visibleToSql } from "./moderation";
import { findProfile, profileById, type ProfileKey } from "./profiles";
import { postById } from "./social";
import { eventFeed } from "./shared";
import type { LiveFeed } from "./live";

/** What a notification is about; its fields say which columns it fills. */
export const NOTIFICATION_KINDS = [
  "FOLLOW",
  "REPLY",
  "QUOTE",
  "REACTION",
  "MENTION",
  "TIP",
  "TRADE",
  "PROPOSAL_CREATED",
  "PROPOSAL_DECIDED",
] as const;

/**
 * The moderation filter: the one place that decides whether the profile `actor` (SQL of the
 * acting profile's id) may notify the profile `recipient` (SQL of the recipient's id). Every
 * notification caused by a profile (follows, replies, quotes, reactions, mentions) passes
 * through it: the recipient's own moderation (docs/moderation.md) applies, so a profile it
 * blocked, that blocked it, that it muted, or that a list it subscribes to holds, never notifies it.
 */
export function notificationActorFilter(recipient: string, actor: string): string {
  return visibleToSql(recipient, actor);
}

/** The columns every branch of the union selects, in this order. */
const BRANCH_COLUMNS = [
  "kind",
  "recipient_id",
  "actor_id",
  "actor_address",
  "post_id",
  "subject_post_id",
  "amount",
  "token",
  "coin",
  "proposal_id",
  "reaction_kind",
  "is_buy",
  "proposal_event",
  "block_number",
  "log_index",
  "tx_hash",
] as const;

type BranchColumn = (typeof BRANCH_COLUMNS)[number];

/** The SQL type of each column, for the NULLs of the branches that leave it empty. */
const NULL_OF: Record<BranchColumn, string> = {
  kind: "NULL::text",
  recipient_id: "NULL::numeric",
  actor_id: "NULL::numeric",
  actor_address: "NULL::text",
  post_id: "NULL::numeric",
  subject_post_id: "NULL::numeric",
  amount: "NULL::numeric",
  token: "NULL::text",
  coin: "NULL::text",
  proposal_id: "NULL::numeric",
  reaction_kind: "NULL::int4",
  is_buy: "NULL::bool",
  proposal_event: "NULL::text",
  block_number: "NULL::int8",
  log_index: "NULL::int4",
  tx_hash: "NULL::text",
};

interface Branch {
  kind: (typeof NOTIFICATION_KINDS)[number];
  from: string;
  /** The recipient's profile id; null: every profile (governance concerns every member). */
  recipient: string | null;
  /** The acting profile, when a profile acts: the moderation filter applies to it. */
  actor?: string;
  /** Further conditions. */
  where?: string[];
  /** A condition that finds one recipient's rows through an index the recipient column lacks. */
  scope?: (recipientId: string) => string;
  columns: Partial<Record<BranchColumn, string>>;
}

/** Every notification, one branch per kind; each row comes from one indexed event. */
const BRANCHES: Branch[] = [
  {
    kind: "FOLLOW",
    from: "follows f",
    recipient: "f.followed_id",
    actor: "f.follower_id",
    columns: { block_number: "f.block_number", log_index: "f.log_index", tx_hash: "f.tx_hash" },
  },
  {
    kind: "REPLY",
    from: "posts p JOIN posts pp ON pp.id = p.parent_id",
    recipient: "pp.author_id",
    actor: "p.author_id",
    where: ["p.author_id <> pp.author_id", "p.retracted_block_number IS NULL"],
    columns: {
      post_id: "p.id",
      subject_post_id: "pp.id",
      block_number: "p.block_number",
      log_index: "p.log_index",
      tx_hash: "p.tx_hash",
    },
  },
  {
    kind: "QUOTE",
    from: "posts q JOIN posts qp ON qp.id = q.quoted_id",
    recipient: "qp.author_id",
    actor: "q.author_id",
    where: ["q.author_id <> qp.author_id", "q.retracted_block_number IS NULL"],
    columns: {
      post_id: "q.id",
      subject_post_id: "qp.id",
      block_number: "q.block_number",
      log_index: "q.log_index",
      tx_hash: "q.tx_hash",
    },
  },
  {
    kind: "REACTION",
    from: "reactions r JOIN posts rp ON rp.id = r.post_id",
    recipient: "rp.author_id",
    actor: "r.profile_id",
    where: ["r.profile_id <> rp.author_id"],
    columns: {
      post_id: "r.post_id",
      reaction_kind: "r.kind",
      block_number: "r.block_number",
      log_index: "r.log_index",
      tx_hash: "r.tx_hash",
    },
  },
  {
    // A post's document names the profiles it mentions (docs/metadata.md): known once the
    // content resolver has fetched and validated it, so the notification appears then, at the
    // post's place in the chain. Each profile once per post, never its author.
    kind: "MENTION",
    // The URI's text as well as its hash: either side can lead (the posts' hash index on
    // content_uri, the resolutions' on mentions or resolved_at).
    from: `posts mp JOIN content_resolutions mcr ON mcr.kind = 'post' AND mcr.status = 'ok'
        AND mcr.uri_hash = sha256(convert_to(mp.content_uri, 'UTF8')) AND mcr.uri = mp.content_uri
      CROSS JOIN LATERAL (SELECT DISTINCT mention::numeric AS profile_id
        FROM unnest(mcr.mentions) mention) mm`,
    recipient: "mm.profile_id",
    scope: (recipientId) => `mcr.mentions @> ARRAY['${recipientId}']::text[]`,
    actor: "mp.author_id",
    where: [
      "mm.profile_id <> mp.author_id",
      "mp.retracted_block_number IS NULL",
      // A URI that is not its exact UTF-8 text names no document (content.ts).
      "mp.content_uri_bytes IS NULL",
    ],
    columns: {
      post_id: "mp.id",
      block_number: "mp.block_number",
      log_index: "mp.log_index",
      tx_hash: "mp.tx_hash",
    },
  },
  {
    kind: "TIP",
    from: "tips t",
    recipient: "t.profile_id",
    columns: {
      actor_address: "t.tipper",
      post_id: "t.post_id",
      amount: "t.amount",
      token: "t.token",
      block_number: "t.block_number",
      log_index: "t.log_index",
      tx_hash: "t.tx_hash",
    },
  },
  {
    kind: "TRADE",
    from: "trades tr JOIN coins tc ON tc.address = tr.coin",
    recipient: "tc.profile_id",
    columns: {
      actor_address: "tr.trader",
      amount: "tr.eth_amount",
      coin: "tr.coin",
      is_buy: "tr.is_buy",
      block_number: "tr.block_number",
      log_index: "tr.log_index",
      tx_hash: "tr.tx_hash",
    },
  },
  {
    kind: "PROPOSAL_CREATED",
    from: "proposals gp",
    recipient: null,
    columns: {
      actor_address: "gp.proposer",
      proposal_id: "gp.id",
      block_number: "gp.block_number",
      log_index: "gp.log_index",
      tx_hash: "gp.tx_hash",
    },
  },
  {
    kind: "PROPOSAL_DECIDED",
    from: "proposal_lifecycle_events gl",
    recipient: null,
    columns: {
      proposal_id: "gl.proposal_id",
      proposal_event: "gl.kind",
      block_number: "gl.block_number",
      log_index: "gl.log_index",
      tx_hash: "gl.tx_hash",
    },
  },
  // The timelock deciding the operation a proposal's queue scheduled, without the governor
  // (whose own event is the branch above): cancelled, or executed (once, at its first call) by
  // its canceller or an executor acting on the timelock directly. Proposal.state follows the
  // timelock the same way, and so does the proposalChanged subscription.
  {
    kind: "PROPOSAL_DECIDED",
    from: `timelock_operations tlo
      JOIN timelock_operations tls ON tls.operation_id = tlo.operation_id
        AND tls.kind = 'scheduled' AND tls.call_index = 0
      JOIN proposal_lifecycle_events tlq ON tlq.tx_hash = tls.tx_hash AND tlq.kind = 'queued'`,
    recipient: null,
    where: [
      "(tlo.kind = 'cancelled' OR (tlo.kind = 'executed' AND tlo.call_index = 0))",
      `NOT EXISTS (SELECT 1 FROM proposal_lifecycle_events tlg
        WHERE tlg.proposal_id = tlq.proposal_id AND tlg.tx_hash = tlo.tx_hash)`,
    ],
    columns: {
      proposal_id: "tlq.proposal_id",
      proposal_event: "CASE tlo.kind WHEN 'cancelled' THEN 'canceled' ELSE 'executed' END",
      block_number: "tlo.block_number",
      log_index: "tlo.log_index",
      tx_hash: "tlo.tx_hash",
    },
  },
];

/** One branch's SELECT, scoped to the profile `recipientId` when given, with further conditions. */
function branchSql(
  branch: Branch,
  recipientId: string | null,
  conditions: string[] = [],
  extraColumns: string[] = [],
) {
  const recipientLiteral = recipientId === null ? null : `'${recipientId}'::numeric`;
  const recipient = branch.recipient ?? recipientLiteral ?? NULL_OF.recipient_id;
  const values: Record<BranchColumn, string> = {
    ...NULL_OF,
    ...branch.columns,
    kind: `'${branch.kind}'::text`,
    recipient_id: recipient,
    actor_id: branch.actor ?? NULL_OF.actor_id,
  };
  const where = [...(branch.where ?? []), ...conditions];
  if (recipientId !== null && branch.recipient !== null) {
    where.push(`${branch.recipient} = ${recipientLiteral}`);
    if (branch.scope) where.push(branch.scope(recipientId));
  }
  if (branch.actor) where.push(notificationActorFilter(recipient, branch.actor));
  const columns = [...BRANCH_COLUMNS.map((c) => `${values[c]} AS ${c}`), ...extraColumns];
  return `SELECT ${columns.join(", ")}
      FROM ${branch.from}${where.length > 0 ? ` WHERE ${where.join(" AND ")}` : ""}`;
}

/**
 * The notifications as one SQL relation (a UNION ALL of one branch per kind), aliased `n`: those
 * of the profile `recipientId` (a decimal id read from the database), or with null those of
 * every profile, governance ones with a null recipient (for the live feed). Scoping each branch
 * by its own recipient column lets Postgres use the index of each table.
 */
export function notificationsFrom(
  recipientId: string | null,
  branches: readonly Branch[] = BRANCHES,
): string {
  if (recipientId !== null && !/^\d{1,78}$/.test(recipientId)) {
    throw new Error(`notifications: ${JSON.stringify(recipientId)} is not a profile id`);
  }
  return `(${branches.map((branch) => branchSql(branch, recipientId)).join("\n UNION ALL ")}) n`;
}

const MENTION_BRANCH = BRANCHES.find((branch) => branch.kind === "MENTION")!;

export const NOTIFICATION: Entity = {
  name: "Notification",
  description:
    "Something that happened to a profile: a new follower, a reply to or quote of its post, a reaction to its post, a mention in a post, a tip, a trade of its coin, or a governance proposal created or decided (those concern every profile). Each comes from one indexed event; the fields its kind does not use are null.",
  from: notificationsFrom(null),
  alias: "n",
  columns: [
    {
      field: "kind",
      sql: "n.kind",
      kind: "text",
      filter: true,
      description: `What happened: ${NOTIFICATION_KINDS.join(", ")}.`,
    },
    {
      field: "recipientId",
      sql: "n.recipient_id",
      kind: "uint256",
      nullable: true,
      description:
        "Profile notified; in the live feed of every profile, null for governance notifications (every profile gets them).",
    },
    {
      field: "actorId",
      sql: "n.actor_id",
      kind: "uint256",
      nullable: true,
      description: "Profile that acted (FOLLOW, REPLY, QUOTE, REACTION, MENTION).",
    },
    {
      field: "actorAddress",
      sql: "n.actor_address",
      kind: "address",
      nullable: true,
      description:
        "Address that acted: the tipper (TIP), the trader (TRADE), the proposer (PROPOSAL_CREATED).",
    },
    {
      field: "postId",
      sql: "n.post_id",
      kind: "uint256",
      nullable: true,
      description:
        "The reply (REPLY), the quote (QUOTE), the post that mentions the recipient (MENTION), the post reacted to (REACTION) or tipped (TIP, null for a tip to the profile).",
    },
    {
      field: "subjectPostId",
      sql: "n.subject_post_id",
      kind: "uint256",
      nullable: true,
      description: "The recipient's post replied to (REPLY) or quoted (QUOTE).",
    },
    {
      field: "amount",
      sql: "n.amount",
      kind: "uint256",
      nullable: true,
      description: "Amount tipped (TIP, in the token's units) or ETH traded, in wei (TRADE).",
    },
    {
      field: "token",
      sql: "n.token",
      kind: "address",
      nullable: true,
      description: "Token tipped (TIP; the zero address for ETH).",
    },
    {
      field: "coinAddress",
      sql: "n.coin",
      kind: "address",
      nullable: true,
      description: "The recipient's coin traded (TRADE).",
    },
    {
      field: "proposalId",
      sql: "n.proposal_id",
      kind: "uint256",
      nullable: true,
      description: "Proposal created or decided (PROPOSAL_CREATED, PROPOSAL_DECIDED).",
    },
    {
      field: "reactionKind",
      sql: "n.reaction_kind",
      kind: "int",
      nullable: true,
      description: "Kind of the reaction (REACTION).",
    },
    {
      field: "isBuy",
      sql: "n.is_buy",
      kind: "boolean",
      nullable: true,
      description: "Whether the trade is a buy (TRADE).",
    },
    {
      field: "proposalEvent",
      sql: "n.proposal_event",
      kind: "text",
      nullable: true,
      description: "How the proposal was decided: queued, executed or canceled (PROPOSAL_DECIDED).",
    },
    {
      field: "blockNumber",
      sql: "n.block_number",
      kind: "uint64",
      filter: true,
      description: "Block of the event.",
    },
    {
      field: "logIndex",
      sql: "n.log_index",
      kind: "int",
      description: "Log index of the event within its block.",
    },
    { field: "txHash", sql: "n.tx_hash", kind: "text", description: "Transaction of the event." },
    {
      field: "timestamp",
      sql: "(SELECT nt.timestamp FROM blocks nt WHERE nt.number = n.block_number)",
      kind: "uint64",
      nullable: true,
      description: "Unix time of the event's block, in seconds.",
    },
  ],
  orderings: [
    {
      name: "blockNumber",
      description: "In chain order (one event may notify twice: a reply that also quotes).",
      keys: ["blockNumber", "logIndex", "kind"],
    },
  ],
  defaultOrdering: "blockNumber",
  defaultDirection: "desc",
};

/**
 * Feed of new notifications, of every profile, for `notificationCreated`. A mention is known only
 * once its post's document resolves, after the post's block was delivered: mentions come with
 * the resolutions instead (`fetchResolved`), at most once per resolution of a document (a
 * refreshed document that resolves again notifies its mentions again).
 */
export const NOTIFICATIONS_FEED: LiveFeed = {
  ...eventFeed("notifications", {
    ...NOTIFICATION,
    from: notificationsFrom(
      null,
      BRANCHES.filter((branch) => branch !== MENTION_BRANCH),
    ),
  }),
  async fetchResolved(db, sinceMs, untilMs) {
    const rows = await db.query<Row & { __key: string; __at: string }>(
      `SELECT n.post_id || ':' || n.recipient_id || ':' || n.resolved_ms AS "__key",
         n.resolved_ms AS "__at", ${selectColumns(NOTIFICATION)}
       FROM (${branchSql(
         MENTION_BRANCH,
         null,
         [
           "mcr.resolved_at > to_timestamp($1::float8 / 1000)",
           "mcr.resolved_at <= to_timestamp($2::float8 / 1000)",
         ],
         ["(extract(epoch FROM mcr.resolved_at) * 1000)::float8 AS resolved_ms"],
       )}) n
       ORDER BY n.block_number, n.log_index, n.recipient_id`,
      [sinceMs, untilMs],
    );
    return rows.map(({ __key, __at, ...row }) => ({ key: __key, atMs: Number(__at), row }));
  },
};

function notificationsOf(
  context: ApiContext,
  recipientId: string,
  args: PageArgs,
): ReturnType<typeof fetchPage> {
  return fetchPage(
    context.db,
    { ...NOTIFICATION, from: notificationsFrom(recipientId) },
    args,
    context.limits,
  );
}

export function notificationsModule(limits: PageLimits): ApiModule {
  return {
    typeDefs: /* GraphQL */ `
      ${entityTypeDefs(NOTIFICATION)}

      extend type Notification {
        "Profile that acted, when a profile acted."
        actor: Profile
        "The post of postId."
        post: Post
        "The post of subjectPostId."
        subjectPost: Post
      }

      extend type Profile {
        "What happened to this profile, latest first; where: { kind_in: [...] } picks kinds."
        notifications${connectionArgs(NOTIFICATION, limits)}: NotificationConnection!
      }

      extend type Query {
        """
        Notifications of a profile (give exactly one of id, handle or address), latest first;
        an unknown profile is an error with code PROFILE_NOT_FOUND.
        """
        notifications(
          "Profile id."
          id: BigInt
          "Handle."
          handle: String
          "Owner address."
          address: Address
          "Only notifications matching this filter (kind_in picks kinds)."
          where: NotificationFilter
          "Sort key."
          orderBy: NotificationOrderBy = blockNumber
          "Sort direction."
          orderDirection: OrderDirection = desc
          "Page size: at most ${limits.maxPageSize}."
          first: Int = ${limits.defaultPageSize}
          "Cursor of the last notification already read."
          after: String
        ): NotificationConnection!
      }

      extend type Subscription {
        """
        Each notification of the profile as its event is indexed; an unknown profile is an error
        with code PROFILE_NOT_FOUND.
        """
        notificationCreated(
          "Profile notified."
          profileId: BigInt!
          "Only these kinds (all when absent)."
          kinds: [String!]
        ): Notification!
      }
    `,
    resolvers: {
      Query: {
        async notifications(_: unknown, args: PageArgs & ProfileKey, context: ApiContext) {
          const profile = await findProfile(context, args, "notifications");
          return notificationsOf(context, String(profile.id), args);
        },
      },
      Subscription: {
        notificationCreated: {
          async subscribe(
            _: unknown,
            args: { profileId: string; kinds?: string[] | null },
            context: ApiContext,
          ) {
            const unknown = (args.kinds ?? []).filter(
              (kind) => !(NOTIFICATION_KINDS as readonly string[]).includes(kind),
            );
            if (unknown.length > 0) {
              throw userError(
                ErrorCode.BadUserInput,
                `notificationCreated: unknown kinds ${unknown.join(", ")}; the kinds are ${NOTIFICATION_KINDS.join(", ")}`,
              );
            }
            await findProfile(context, { id: args.profileId }, "notificationCreated");
            const kinds = args.kinds ? new Set(args.kinds) : null;
            return context.live.subscribe(
              "notifications",
              (row) =>
                (row.recipientId === null || String(row.recipientId) === args.profileId) &&
                (kinds === null || kinds.has(String(row.kind))),
            );
          },
          resolve(row: Row, args: { profileId: string }, context: ApiContext) {
            context.resetLoaders();
            return { ...row, recipientId: args.profileId };
          },
        },
      },
      Profile: {
        notifications: (profile: Row, args: PageArgs, context: ApiContext) =>
          notificationsOf(context, String(profile.id), args),
      },
      Notification: {
        actor: (row: Row, _: unknown, context: ApiContext) =>
          row.actorId == null ? null : profileById(context, String(row.actorId)),
        post: (row: Row, _: unknown, context: ApiContext) =>
          row.postId == null ? null : postById(context, String(row.postId)),
        subjectPost: (row: Row, _: unknown, context: ApiContext) =>
          row.subjectPostId == null ? null : postById(context, String(row.subjectPostId)),
      },
    },
    feeds: [NOTIFICATIONS_FEED],
  };
}
