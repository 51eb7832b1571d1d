import DataLoader from "dataloader";
import type { ApiContext, ApiModule } from "./context";
import {
  column,
  connectionArgs,
  createRowLoader,
  entityTypeDefs,
  fetchPage,
  type Entity,
  type Connection,
  type PageArgs,
  type PageLimits,
  type Row,
} from "./entity";
import { ErrorCode, userError } from "./errors";
import { findProfile, profileById, type ProfileKey } from "./profiles";
import { moderatedNested, moderatedPage, withViewerArg } from "./moderation";
import { eventFeed, nested, required, traceColumns } from "./shared";
import { chainStrings } from "./strings";

const TRACE = traceColumns;

export const POST: Entity = {
  name: "Post",
  description:
    "A post: plain, a reply (parentId) and/or a quote (quotedId). Retracted posts stay in the record, flagged by retracted.",
  from: "posts p",
  alias: "p",
  columns: [
    {
      field: "id",
      sql: "p.id",
      kind: "uint256",
      filter: true,
      description: "Post id: the author's profile id << 64 | the author's post sequence number.",
    },
    {
      field: "authorId",
      sql: "p.author_id",
      kind: "uint256",
      filter: true,
      description: "Profile id of the author.",
    },
    {
      field: "parentId",
      sql: "p.parent_id",
      kind: "uint256",
      nullable: true,
      filter: true,
      description: "Post this one replies to, null when none.",
    },
    {
      field: "quotedId",
      sql: "p.quoted_id",
      kind: "uint256",
      nullable: true,
      filter: true,
      description: "Post this one quotes, null when none.",
    },
    { field: "contentUri", sql: "p.content_uri", kind: "text", description: "URI of the content." },
    ...TRACE("p", "post"),
    {
      field: "timestamp",
      sql: "(SELECT b.timestamp FROM blocks b WHERE b.number = p.block_number)",
      kind: "uint64",
      nullable: true,
      description: "Unix time of the post's block, in seconds.",
    },
    {
      field: "retracted",
      sql: "(p.retracted_block_number IS NOT NULL)",
      kind: "boolean",
      filter: true,
      description: "Whether the author retracted the post. Apps hide it; the record keeps it.",
    },
    {
      field: "retractedBlockNumber",
      sql: "p.retracted_block_number",
      kind: "uint64",
      nullable: true,
      description: "Block of the first retraction, null while the post stands.",
    },
    {
      field: "retractedTxHash",
      sql: "p.retracted_tx_hash",
      kind: "text",
      nullable: true,
      description: "Transaction of the first retraction, null while the post stands.",
    },
  ],
  orderings: [
    { name: "blockNumber", description: "In chain order.", keys: ["blockNumber", "logIndex"] },
    {
      name: "id",
      description: "By post id (groups each author's posts in sequence).",
      keys: ["id"],
    },
  ],
  defaultOrdering: "blockNumber",
  defaultDirection: "desc",
};

const POST_STRINGS = chainStrings(
  "Post",
  { table: "posts", columns: [{ field: "id", column: "id", cast: "numeric" }] },
  [{ field: "contentUri", column: "content_uri" }],
);

export const FOLLOW: Entity = {
  name: "Follow",
  description: "A current follow: the latest follow event between the two profiles was Followed.",
  from: "follows f",
  alias: "f",
  columns: [
    {
      field: "followerId",
      sql: "f.follower_id",
      kind: "uint256",
      filter: true,
      description: "Profile that follows.",
    },
    {
      field: "followedId",
      sql: "f.followed_id",
      kind: "uint256",
      filter: true,
      description: "Profile that is followed.",
    },
    ...TRACE("f", "Followed event the follow dates from"),
  ],
  orderings: [
    {
      name: "blockNumber",
      description: "By when the follow started.",
      keys: ["blockNumber", "logIndex"],
    },
  ],
  defaultOrdering: "blockNumber",
  defaultDirection: "desc",
};

export const REACTION: Entity = {
  name: "Reaction",
  description: "A current reaction of a profile to a post (reactions set to kind 0 are removed).",
  from: "reactions r",
  alias: "r",
  columns: [
    {
      field: "profileId",
      sql: "r.profile_id",
      kind: "uint256",
      filter: true,
      description: "Profile that reacted.",
    },
    {
      field: "postId",
      sql: "r.post_id",
      kind: "uint256",
      filter: true,
      description: "Post reacted to.",
    },
    {
      field: "kind",
      sql: "r.kind",
      kind: "int",
      filter: true,
      description: "Kind of reaction (1: like; other values are up to apps).",
    },
    ...TRACE("r", "latest Reacted event"),
  ],
  orderings: [
    {
      name: "blockNumber",
      description: "By when the reaction was set.",
      keys: ["blockNumber", "logIndex"],
    },
  ],
  defaultOrdering: "blockNumber",
  defaultDirection: "desc",
};

/** Feed of new posts for `postCreated`. */
export const POSTS_FEED = eventFeed("posts", POST);

export function postById(context: ApiContext, id: string): Promise<Row | null> {
  return context
    .loader("post:id", () => createRowLoader(context.db, POST, column(POST, "id")))
    .load(id);
}

/** Counts keyed by id: one query per tick for all ids asked for. */
function countLoader(context: ApiContext, name: string, sql: string): DataLoader<string, Row> {
  return context.loader(
    name,
    () =>
      new DataLoader<string, Row>(async (ids) => {
        const rows = await context.db.query<Row>(sql, [ids]);
        const byId = new Map(rows.map((row) => [String(row.id), row]));
        return ids.map((id) => byId.get(id)!);
      }),
  );
}

// Kept by the handlers in profile_counts (a row only while a count is not zero) and coins.
const PROFILE_STATS_SQL = `
  SELECT k.id::text AS id,
    COALESCE(c.posts, 0) AS "postCount",
    COALESCE(c.retracted_posts, 0) AS "retractedPostCount",
    COALESCE(c.followers, 0) AS "followerCount",
    COALESCE(c.following, 0) AS "followingCount",
    (SELECT COALESCE(sum(holder_count), 0) FROM coins WHERE profile_id = k.id)::int AS "holderCount"
  FROM unnest($1::numeric[]) AS k(id)
  LEFT JOIN profile_counts c ON c.profile_id = k.id`;

const POST_STATS_SQL = `
  SELECT k.id::text AS id,
    (SELECT count(*) FROM posts WHERE parent_id = k.id)::int AS "replyCount",
    (SELECT count(*) FROM posts WHERE quoted_id = k.id)::int AS "quoteCount",
    (SELECT count(*) FROM reactions WHERE post_id = k.id)::int AS "reactionCount"
  FROM unnest($1::numeric[]) AS k(id)`;

/**
 * A profile's connection with its totalCount read from the kept counts: only without a filter
 * (a filtered count would be a scan), null otherwise.
 */
function counted(
  page: (parent: Row, args: PageArgs, context: ApiContext) => Promise<Connection>,
  count: "postCount" | "followerCount" | "followingCount",
) {
  return async (profile: Row, args: PageArgs, context: ApiContext): Promise<Connection> => {
    const [connection, stats] = await Promise.all([
      page(profile, args, context),
      args.where && Object.keys(args.where).length > 0
        ? null
        : countLoader(context, "Profile.stats", PROFILE_STATS_SQL).load(String(profile.id)),
    ]);
    // Assigned, not spread: a spread would compute every edge's cursor (see toConnection).
    return Object.assign(connection, { totalCount: stats ? (stats[count] as number) : null });
  };
}

export function socialModule(limits: PageLimits): ApiModule {
  return {
    typeDefs: /* GraphQL */ `
      ${entityTypeDefs(POST)}
      ${POST_STRINGS.typeDefs}
      ${entityTypeDefs(FOLLOW)}
      ${entityTypeDefs(REACTION)}

      "Counts over a profile's posts, follows and coin holders, kept up to date as events are indexed."
      type ProfileStats {
        "Posts published, retracted ones included."
        postCount: Int!
        "Posts the author retracted."
        retractedPostCount: Int!
        "Profiles that follow this one now."
        followerCount: Int!
        "Profiles this one follows now."
        followingCount: Int!
        "Addresses holding the profile's creator coin (0 without a coin)."
        holderCount: Int!
      }

      "Counts over a post's replies, quotes and reactions."
      type PostStats {
        "Posts replying to this one."
        replyCount: Int!
        "Posts quoting this one."
        quoteCount: Int!
        "Current reactions to this one."
        reactionCount: Int!
      }

      extend type Profile {
        "Counts of posts, followers, follows and coin holders."
        stats: ProfileStats!
        "Posts by this profile (its author feed)."
        posts${connectionArgs(POST, limits)}: PostConnection!
        "Current follows of this profile: node.follower is the follower."
        followers${connectionArgs(FOLLOW, limits)}: FollowConnection!
        "Current follows by this profile: node.followed is the profile followed."
        following${connectionArgs(FOLLOW, limits)}: FollowConnection!
        "Current reactions set by this profile."
        reactions${connectionArgs(REACTION, limits)}: ReactionConnection!
      }

      extend type Post {
        "Author of the post."
        author: Profile!
        "Post this one replies to, null when none."
        parent: Post
        "Post this one quotes, null when none."
        quoted: Post
        "Replies to this post."
        replies${withViewerArg(connectionArgs(POST, limits))}: PostConnection!
        "Posts quoting this post."
        quotes${withViewerArg(connectionArgs(POST, limits))}: PostConnection!
        "Current reactions to this post."
        reactions${connectionArgs(REACTION, limits)}: ReactionConnection!
        "Counts of replies, quotes and reactions."
        stats: PostStats!
      }

      extend type Follow {
        "Profile that follows."
        follower: Profile!
        "Profile that is followed."
        followed: Profile!
      }

      extend type Reaction {
        "Profile that reacted."
        profile: Profile!
        "Post reacted to."
        post: Post!
      }

      extend type Query {
        "The post with this id; an unknown id is an error with code POST_NOT_FOUND."
        post("Post id." id: BigInt!): Post
        "Posts matching a filter; where: { authorId: ... } is an author feed, where: { parentId: ... } a post's replies."
        posts${withViewerArg(connectionArgs(POST, limits))}: PostConnection!
        """
        Home feed: posts by the profiles that the given profile follows now (give exactly one of
        id, handle or address).
        """
        homeFeed(
          "Profile id of the reader."
          id: BigInt
          "Handle of the reader."
          handle: String
          "Owner address of the reader."
          address: Address
          "Only posts matching this filter."
          where: PostFilter
          "Sort key."
          orderBy: PostOrderBy = blockNumber
          "Sort direction."
          orderDirection: OrderDirection = desc
          "Page size: at most ${limits.maxPageSize}."
          first: Int = ${limits.defaultPageSize}
          "Cursor of the last post already read."
          after: String
          "Leave out what this profile's blocks, mutes and subscribed lists hide, and profiles that blocked it; the connection's hidden field says what and why."
          viewer: BigInt
        ): PostConnection!
        "Current follows matching a filter."
        follows${connectionArgs(FOLLOW, limits)}: FollowConnection!
        "Current reactions matching a filter."
        reactions${connectionArgs(REACTION, limits)}: ReactionConnection!
      }

      extend type Subscription {
        """
        Each post as it is indexed (about a block after it is mined), optionally only by some
        authors or only replies to one post.
        """
        postCreated("Only posts by these profiles." authorIds: [BigInt!], "Only replies to this post." parentId: BigInt): Post!
      }
    `,
    resolvers: {
      Query: {
        async post(_: unknown, args: { id: string }, context: ApiContext) {
          const row = await postById(context, args.id);
          if (!row) throw userError(ErrorCode.PostNotFound, `no post has the id ${args.id}`);
          return row;
        },
        posts: (_: unknown, args: PageArgs & { viewer?: string | null }, context: ApiContext) =>
          moderatedPage(context, POST, args, "p.author_id"),
        async homeFeed(
          _: unknown,
          args: PageArgs & ProfileKey & { viewer?: string | null },
          context: ApiContext,
        ) {
          const reader = await findProfile(context, args, "homeFeed");
          return moderatedPage(
            context,
            POST,
            args,
            "p.author_id",
            (add) =>
              `p.author_id IN (SELECT followed_id FROM follows WHERE follower_id = ${add(reader.id, "numeric")})`,
          );
        },
        follows: (_: unknown, args: PageArgs, context: ApiContext) =>
          fetchPage(context.db, FOLLOW, args, context.limits),
        reactions: (_: unknown, args: PageArgs, context: ApiContext) =>
          fetchPage(context.db, REACTION, args, context.limits),
      },
      Subscription: {
        postCreated: {
          subscribe(
            _: unknown,
            args: { authorIds?: string[] | null; parentId?: string | null },
            context: ApiContext,
          ) {
            const authors = args.authorIds ? new Set(args.authorIds) : null;
            return context.live.subscribe(
              "posts",
              (row) =>
                (authors === null || authors.has(String(row.authorId))) &&
                (args.parentId == null || String(row.parentId) === args.parentId),
            );
          },
          resolve(row: Row, _: unknown, context: ApiContext) {
            // Counts and relations change between events: resolve each one afresh.
            context.resetLoaders();
            return row;
          },
        },
      },
      Profile: {
        stats: (profile: Row, _: unknown, context: ApiContext) =>
          countLoader(context, "Profile.stats", PROFILE_STATS_SQL).load(String(profile.id)),
        posts: counted(
          nested("Profile.posts", POST, "id", (key) => `p.author_id = ${key}`),
          "postCount",
        ),
        followers: counted(
          nested("Profile.followers", FOLLOW, "id", (key) => `f.followed_id = ${key}`),
          "followerCount",
        ),
        following: counted(
          nested("Profile.following", FOLLOW, "id", (key) => `f.follower_id = ${key}`),
          "followingCount",
        ),
        reactions: nested("Profile.reactions", REACTION, "id", (key) => `r.profile_id = ${key}`),
      },
      Post: {
        ...POST_STRINGS.resolvers,
        author: (post: Row, _: unknown, context: ApiContext) =>
          required(profileById(context, String(post.authorId)), `profile ${post.authorId}`),
        parent: (post: Row, _: unknown, context: ApiContext) =>
          post.parentId == null ? null : postById(context, String(post.parentId)),
        quoted: (post: Row, _: unknown, context: ApiContext) =>
          post.quotedId == null ? null : postById(context, String(post.quotedId)),
        replies: moderatedNested(
          "Post.replies",
          POST,
          "id",
          (key) => `p.parent_id = ${key}`,
          "p.author_id",
        ),
        quotes: moderatedNested(
          "Post.quotes",
          POST,
          "id",
          (key) => `p.quoted_id = ${key}`,
          "p.author_id",
        ),
        reactions: nested("Post.reactions", REACTION, "id", (key) => `r.post_id = ${key}`),
        stats: (post: Row, _: unknown, context: ApiContext) =>
          countLoader(context, "Post.stats", POST_STATS_SQL).load(String(post.id)),
      },
      Follow: {
        follower: (follow: Row, _: unknown, context: ApiContext) =>
          required(profileById(context, String(follow.followerId)), `profile ${follow.followerId}`),
        followed: (follow: Row, _: unknown, context: ApiContext) =>
          required(profileById(context, String(follow.followedId)), `profile ${follow.followedId}`),
      },
      Reaction: {
        profile: (reaction: Row, _: unknown, context: ApiContext) =>
          required(
            profileById(context, String(reaction.profileId)),
            `profile ${reaction.profileId}`,
          ),
        post: (reaction: Row, _: unknown, context: ApiContext) =>
          required(postById(context, String(reaction.postId)), `post ${reaction.postId}`),
      },
    },
    feeds: [POSTS_FEED],
  };
}
