import DataLoader from "dataloader";
import type { ApiContext, ApiModule } from "./context";
import type { PageLimits, Row } from "./entity";
import { ErrorCode, userError } from "./errors";
import { profileById } from "./profiles";
import { required } from "./shared";

/**
 * The profiles a viewer acts as: those its address owns now. `$1` is the viewer's address; an
 * address without a profile follows and reacts to nothing.
 */
const VIEWER_PROFILES = "(SELECT vp.id FROM profiles vp WHERE vp.owner = $1::text)";

/**
 * Which of the ids asked for (`$2`) a query over the viewer (`$1`) returns: one query per viewer
 * and tick for every row of a page, never one per row.
 */
function membershipLoader(
  context: ApiContext,
  name: string,
  viewer: string,
  sql: string,
): DataLoader<string, boolean> {
  return context.loader(
    `viewer:${name}:${viewer}`,
    () =>
      new DataLoader<string, boolean>(async (ids) => {
        const rows = await context.db.query<{ id: string }>(sql, [viewer, ids]);
        const found = new Set(rows.map((row) => row.id));
        return ids.map((id) => found.has(id));
      }),
  );
}

/** Profiles of `$2` that a profile of the viewer follows. */
const FOLLOWED_BY_VIEWER_SQL = `
  SELECT DISTINCT f.followed_id::text AS id FROM follows f
  WHERE f.followed_id = ANY($2::numeric[]) AND f.follower_id IN ${VIEWER_PROFILES}`;

/** Profiles of `$2` that follow a profile of the viewer. */
const FOLLOWING_VIEWER_SQL = `
  SELECT DISTINCT f.follower_id::text AS id FROM follows f
  WHERE f.follower_id = ANY($2::numeric[]) AND f.followed_id IN ${VIEWER_PROFILES}`;

/** Posts of `$2` a profile of the viewer has a current reaction to. */
const REACTED_BY_VIEWER_SQL = `
  SELECT DISTINCT r.post_id::text AS id FROM reactions r
  WHERE r.post_id = ANY($2::numeric[]) AND r.profile_id IN ${VIEWER_PROFILES}`;

/**
 * For each profile of `$2`: its followers that a profile of the viewer follows, latest follow
 * first, at most `$3`, with how many there are in all.
 */
const MUTUAL_FOLLOWS_SQL = `
  SELECT k.id::text AS key, m.follower_id::text AS id, m.total::int AS total
  FROM unnest($2::numeric[]) AS k(id)
  CROSS JOIN LATERAL (
    SELECT f.follower_id, count(*) OVER () AS total FROM follows f
    WHERE f.followed_id = k.id
      AND f.follower_id IN (
        SELECT g.followed_id FROM follows g WHERE g.follower_id IN ${VIEWER_PROFILES}
      )
    ORDER BY f.block_number DESC, f.log_index DESC
    LIMIT $3::int
  ) m`;

interface MutualFollows {
  count: number;
  profileIds: string[];
}

function mutualFollowsLoader(
  context: ApiContext,
  viewer: string,
  first: number,
): DataLoader<string, MutualFollows> {
  return context.loader(
    `viewer:mutualFollows:${viewer}:${first}`,
    () =>
      new DataLoader<string, MutualFollows>(async (ids) => {
        const byKey = new Map<string, MutualFollows>(
          ids.map((id) => [id, { count: 0, profileIds: [] }]),
        );
        if (first > 0) {
          const rows = await context.db.query<{ key: string; id: string; total: number }>(
            MUTUAL_FOLLOWS_SQL,
            [viewer, ids, first],
          );
          for (const row of rows) {
            const entry = byKey.get(row.key)!;
            entry.count = row.total;
            entry.profileIds.push(row.id);
          }
        } else {
          const rows = await context.db.query<{ key: string; total: number }>(
            `SELECT k.id::text AS key,
               (SELECT count(*) FROM follows f
                WHERE f.followed_id = k.id AND f.follower_id IN (
                  SELECT g.followed_id FROM follows g WHERE g.follower_id IN ${VIEWER_PROFILES}
                ))::int AS total
             FROM unnest($2::numeric[]) AS k(id)`,
            [viewer, ids],
          );
          for (const row of rows) byKey.get(row.key)!.count = row.total;
        }
        return ids.map((id) => byKey.get(id)!);
      }),
  );
}

/**
 * Fields that depend on who is looking: each takes the viewer's address and answers for the
 * profiles that address owns. Every field of a page is read for the whole page at once.
 */
export function viewerModule(limits: PageLimits): ApiModule {
  return {
    typeDefs: /* GraphQL */ `
      "Followers of a profile whom the viewer follows too."
      type MutualFollows {
        "How many of this profile's followers the viewer follows."
        count: Int!
        "The first of them, latest follow first."
        profiles: [Profile!]!
      }

      extend type Profile {
        "Whether a profile owned by the viewer follows this profile now."
        isFollowing("The viewer's address." viewer: Address!): Boolean!
        "Whether this profile follows a profile owned by the viewer now."
        followsViewer("The viewer's address." viewer: Address!): Boolean!
        "Whether the viewer and this profile follow each other (isFollowing and followsViewer)."
        isMutual("The viewer's address." viewer: Address!): Boolean!
        "This profile's followers whom the viewer follows too."
        mutualFollows(
          "The viewer's address."
          viewer: Address!
          "How many of them to list: at most ${limits.maxPageSize}."
          first: Int = 3
        ): MutualFollows!
      }

      extend type Post {
        "Whether a profile owned by the viewer has a current reaction to this post."
        hasReacted("The viewer's address." viewer: Address!): Boolean!
      }
    `,
    resolvers: {
      Profile: {
        isFollowing: (profile: Row, args: { viewer: string }, context: ApiContext) =>
          membershipLoader(context, "isFollowing", args.viewer, FOLLOWED_BY_VIEWER_SQL).load(
            String(profile.id),
          ),
        followsViewer: (profile: Row, args: { viewer: string }, context: ApiContext) =>
          membershipLoader(context, "followsViewer", args.viewer, FOLLOWING_VIEWER_SQL).load(
            String(profile.id),
          ),
        async isMutual(profile: Row, args: { viewer: string }, context: ApiContext) {
          const id = String(profile.id);
          const [following, followed] = await Promise.all([
            membershipLoader(context, "isFollowing", args.viewer, FOLLOWED_BY_VIEWER_SQL).load(id),
            membershipLoader(context, "followsViewer", args.viewer, FOLLOWING_VIEWER_SQL).load(id),
          ]);
          return following && followed;
        },
        async mutualFollows(
          profile: Row,
          args: { viewer: string; first: number },
          context: ApiContext,
        ) {
          if (!Number.isInteger(args.first) || args.first < 0) {
            throw userError(
              ErrorCode.BadUserInput,
              `mutualFollows: first must be a non-negative integer, got ${args.first}`,
            );
          }
          if (args.first > limits.maxPageSize) {
            throw userError(
              ErrorCode.TooManyItems,
              `mutualFollows: first is ${args.first} but at most ${limits.maxPageSize} profiles can be listed`,
            );
          }
          const mutual = await mutualFollowsLoader(context, args.viewer, args.first).load(
            String(profile.id),
          );
          return {
            count: mutual.count,
            profiles: mutual.profileIds.map((id) =>
              required(profileById(context, id), `profile ${id}`),
            ),
          };
        },
      },
      Post: {
        hasReacted: (post: Row, args: { viewer: string }, context: ApiContext) =>
          membershipLoader(context, "hasReacted", args.viewer, REACTED_BY_VIEWER_SQL).load(
            String(post.id),
          ),
      },
    },
  };
}
