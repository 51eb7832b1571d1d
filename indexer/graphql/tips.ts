import type { ApiContext, ApiModule } from "./context";
import {
  connectionArgs,
  entityTypeDefs,
  fetchPage,
  type Entity,
  type PageArgs,
  type PageLimits,
  type Row,
} from "./entity";
import { profileById } from "./profiles";
import { eventFeed, nested, required, traceColumns } from "./shared";
import { postById } from "./social";
import { chainStrings, eventRowKey } from "./strings";

/** How `tips.token` names ETH. */
export const ETH = "0x0000000000000000000000000000000000000000";

export const TIP: Entity = {
  name: "Tip",
  description:
    "A tip (one Tipped event): ETH or an ERC-20 sent to a profile, optionally for one of its posts.",
  from: "tips tp",
  alias: "tp",
  columns: [
    ...traceColumns("tp", "tip"),
    {
      field: "timestamp",
      sql: "tp.timestamp",
      kind: "uint64",
      filter: true,
      description: "Unix time of the tip's block, in seconds.",
    },
    {
      field: "profileId",
      sql: "tp.profile_id",
      kind: "uint256",
      filter: true,
      description: "Profile tipped (the recipient).",
    },
    {
      field: "postId",
      sql: "tp.post_id",
      kind: "uint256",
      nullable: true,
      filter: true,
      description: "Post tipped for, null for a tip to the profile itself.",
    },
    {
      field: "tipper",
      sql: "tp.tipper",
      kind: "address",
      filter: true,
      description: "Address that sent the tip.",
    },
    {
      field: "token",
      sql: "tp.token",
      kind: "address",
      filter: true,
      description: `Token tipped: ${ETH} for ETH.`,
    },
    {
      field: "amount",
      sql: "tp.amount",
      kind: "uint256",
      filter: true,
      description: "Amount sent, in the token's smallest unit, fee included.",
    },
    {
      field: "fee",
      sql: "tp.fee",
      kind: "uint256",
      description:
        "Part of the amount kept by the tip jar for the revenue split (amount - fee - referrerFee reached the creator). A token tip's fee is the whole protocol fee less the referrer's part; an ETH tip's is the protocol fee minus its creator share (which the creator received with the tip) and the referrer's part.",
    },
    {
      field: "referrer",
      sql: "tp.referrer",
      kind: "address",
      nullable: true,
      filter: true,
      description: "App that brought the tip and was credited referrerFee; null for none.",
    },
    {
      field: "referrerFee",
      sql: "tp.referrer_fee",
      kind: "uint256",
      description: "What the referrer was credited, in the tip's token (0 without one).",
    },
    { field: "message", sql: "tp.message", kind: "text", description: "Message of the tipper." },
  ],
  orderings: [
    { name: "blockNumber", description: "In chain order.", keys: ["blockNumber", "logIndex"] },
  ],
  defaultOrdering: "blockNumber",
  defaultDirection: "desc",
};

const TIP_STRINGS = chainStrings("Tip", eventRowKey("tips"), [
  { field: "message", column: "message" },
]);

/**
 * Distinct tippers of one leaderboard row, counted per row of the page (after the LIMIT, from
 * the `(profile_id, token, tipper)` or `(post_id, token, tipper)` index of `tips` alone) rather
 * than for every group of the table.
 */
const tippersSql = (alias: string, key: "profile_id" | "post_id", since?: string) =>
  `(SELECT count(DISTINCT x.tipper)::int FROM tips x
    WHERE x.${key} = ${alias}.${key} AND x.token = ${alias}.token${since ? ` AND x.timestamp >= ${since}` : ""})`;

/** Ranking columns shared by both leaderboards. */
const RANK_COLUMNS = (alias: string, key: "profile_id" | "post_id"): Entity["columns"] => [
  {
    field: "token",
    sql: `${alias}.token`,
    kind: "address",
    filter: true,
    description: `Token the totals are in: ${ETH} for ETH.`,
  },
  {
    field: "amount",
    sql: `${alias}.amount`,
    kind: "uint256",
    filter: true,
    description: "Sum of the amounts tipped, fees included.",
  },
  {
    field: "count",
    sql: `${alias}.count`,
    kind: "int",
    filter: true,
    description: "Number of tips.",
  },
  {
    field: "tippers",
    sql: tippersSql(alias, key),
    kind: "int",
    description: "Number of distinct tippers.",
  },
];

export const TIPPED_PROFILE: Entity = {
  name: "TippedProfile",
  description: "A profile's tip totals in one token (tips to its posts included).",
  // Kept by the tip jar's handler, so a page reads its rows through a ranking index.
  from: "profile_tip_totals tpr",
  alias: "tpr",
  columns: [
    {
      field: "profileId",
      sql: "tpr.profile_id",
      kind: "uint256",
      filter: true,
      description: "Profile tipped.",
    },
    ...RANK_COLUMNS("tpr", "profile_id"),
  ],
  orderings: [
    { name: "amount", description: "By amount tipped.", keys: ["amount", "profileId"] },
    { name: "count", description: "By number of tips.", keys: ["count", "profileId"] },
  ],
  defaultOrdering: "amount",
  defaultDirection: "desc",
};

export const TIPPED_POST: Entity = {
  name: "TippedPost",
  description: "A post's tip totals in one token.",
  // Kept by the tip jar's handler, as a profile's are.
  from: "post_tip_totals tpo",
  alias: "tpo",
  columns: [
    {
      field: "postId",
      sql: "tpo.post_id",
      kind: "uint256",
      filter: true,
      description: "Post tipped.",
    },
    ...RANK_COLUMNS("tpo", "post_id"),
  ],
  orderings: [
    { name: "amount", description: "By amount tipped.", keys: ["amount", "postId"] },
    { name: "count", description: "By number of tips.", keys: ["count", "postId"] },
  ],
  defaultOrdering: "amount",
  defaultDirection: "desc",
};

/** Feed of new tips for `tipCreated`. */
export const TIPS_FEED = eventFeed("tips", TIP);

/** Leaderboard arguments: the filter, ordering and page of a connection, plus the token. */
function leaderboardArgs(entity: Entity, limits: PageLimits): string {
  return connectionArgs(entity, limits).replace(
    /^\(/,
    `(
    "Token to rank by: ${ETH} (the default) for ETH."
    token: Address = "${ETH}"
    "Only tips at or after this Unix time, in seconds (the totals then cover that window)."
    since: BigInt`,
  );
}

type LeaderboardArgs = PageArgs & { token: string; since?: string | null };

/**
 * A leaderboard over tips in one token. Without `since` it reads the kept totals of `entity`
 * through their ranking indexes. With it, the tips of the window are grouped per request: they
 * are read through the `(token, timestamp)` index of `tips`, so a request costs what the window
 * holds, not every tip of the token. (Totals per window would need one kept row per recipient,
 * token and any start time; a window is asked for its recent tips, which are few.)
 */
function leaderboard(entity: Entity, key: "profile_id" | "post_id") {
  return (_: unknown, args: LeaderboardArgs, context: ApiContext) => {
    const scope = (add: (value: unknown, cast: string) => string) =>
      `${entity.alias}.token = ${add(args.token, "text")}`;
    if (args.since == null) return fetchPage(context.db, entity, args, context.limits, scope);
    const since = BigInt(args.since).toString();
    const source: Entity = {
      ...entity,
      from: `(SELECT ${key}, token, sum(amount) AS amount, count(*)::int AS count
              FROM tips WHERE ${key} IS NOT NULL AND timestamp >= ${since}
              GROUP BY ${key}, token) ${entity.alias}`,
      columns: entity.columns.map((c) =>
        c.field === "tippers" ? { ...c, sql: tippersSql(entity.alias, key, since) } : c,
      ),
    };
    return fetchPage(context.db, source, args, context.limits, scope);
  };
}

export function tipsModule(limits: PageLimits): ApiModule {
  return {
    typeDefs: /* GraphQL */ `
      ${entityTypeDefs(TIP)}
      ${TIP_STRINGS.typeDefs}
      ${entityTypeDefs(TIPPED_PROFILE)}
      ${entityTypeDefs(TIPPED_POST)}

      extend type Tip {
        "Profile tipped."
        profile: Profile!
        "Post tipped for, null for a tip to the profile itself."
        post: Post
      }

      extend type TippedProfile {
        "The profile."
        profile: Profile!
      }

      extend type TippedPost {
        "The post."
        post: Post!
      }

      extend type Profile {
        "Tips this profile received (to itself or its posts), latest first by default."
        tipsReceived${connectionArgs(TIP, limits)}: TipConnection!
      }

      extend type Post {
        "Tips for this post, latest first by default."
        tips${connectionArgs(TIP, limits)}: TipConnection!
      }

      extend type Query {
        """
        Tips matching a filter: where: { tipper } for a sender's tips, { profileId } for a
        recipient's, { postId } for a post's, { token } for one token's.
        """
        tips${connectionArgs(TIP, limits)}: TipConnection!
        "Most tipped profiles in one token, by amount (or count), with their tip counts."
        topTippedProfiles${leaderboardArgs(TIPPED_PROFILE, limits)}: TippedProfileConnection!
        "Most tipped posts in one token, by amount (or count), with their tip counts."
        topTippedPosts${leaderboardArgs(TIPPED_POST, limits)}: TippedPostConnection!
      }

      extend type Subscription {
        "Each tip as it is indexed, optionally only those to one profile."
        tipCreated("Only tips to this profile." profileId: BigInt): Tip!
      }
    `,
    resolvers: {
      Query: {
        tips: (_: unknown, args: PageArgs, context: ApiContext) =>
          fetchPage(context.db, TIP, args, context.limits),
        topTippedProfiles: leaderboard(TIPPED_PROFILE, "profile_id"),
        topTippedPosts: leaderboard(TIPPED_POST, "post_id"),
      },
      Subscription: {
        tipCreated: {
          subscribe(_: unknown, args: { profileId?: string | null }, context: ApiContext) {
            return context.live.subscribe(
              "tips",
              (row) => args.profileId == null || String(row.profileId) === args.profileId,
            );
          },
          resolve(row: Row, _: unknown, context: ApiContext) {
            context.resetLoaders();
            return row;
          },
        },
      },
      Tip: {
        ...TIP_STRINGS.resolvers,
        profile: (tip: Row, _: unknown, context: ApiContext) =>
          required(profileById(context, String(tip.profileId)), `profile ${tip.profileId}`),
        post: (tip: Row, _: unknown, context: ApiContext) =>
          tip.postId == null ? null : postById(context, String(tip.postId)),
      },
      TippedProfile: {
        profile: (entry: Row, _: unknown, context: ApiContext) =>
          required(profileById(context, String(entry.profileId)), `profile ${entry.profileId}`),
      },
      TippedPost: {
        post: (entry: Row, _: unknown, context: ApiContext) =>
          required(postById(context, String(entry.postId)), `post ${entry.postId}`),
      },
      Profile: {
        tipsReceived: nested("Profile.tipsReceived", TIP, "id", (key) => `tp.profile_id = ${key}`),
      },
      Post: {
        tips: nested("Post.tips", TIP, "id", (key) => `tp.post_id = ${key}`),
      },
    },
    feeds: [TIPS_FEED],
  };
}
