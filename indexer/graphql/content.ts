import DataLoader from "dataloader";
import type { ApiContext, ApiModule } from "./context";
import type { PageLimits, Row } from "./entity";
import { ErrorCode, userError } from "./errors";
import { postById } from "./social";
import { profileById } from "./profiles";

/** Longest search query, in characters: longer ones are not what people type. */
export const MAX_SEARCH_LENGTH = 100;

const RESOLUTION_COLUMNS = `cr.status, cr.error, cr.content_type AS "contentType", cr.size,
  cr.attempts, to_char(cr.resolved_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "resolvedAt",
  to_char(cr.next_attempt_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "nextAttemptAt"`;

const PROFILE_METADATA_SQL = `
  SELECT k.id::text AS id, pr.metadata_uri AS uri, pr.metadata_uri_bytes IS NOT NULL AS inexact,
    cr.display_name AS "displayName", cr.bio, cr.avatar, ${RESOLUTION_COLUMNS}
  FROM unnest($1::numeric[]) AS k(id)
  JOIN profiles pr ON pr.id = k.id
  LEFT JOIN content_resolutions cr
    ON cr.kind = 'profile' AND cr.uri_hash = sha256(convert_to(pr.metadata_uri, 'UTF8'))`;

const POST_CONTENT_SQL = `
  SELECT k.id::text AS id, p.content_uri AS uri, p.content_uri_bytes IS NOT NULL AS inexact,
    cr.text, cr.media, cr.mentions, cr.tags, ${RESOLUTION_COLUMNS}
  FROM unnest($1::numeric[]) AS k(id)
  JOIN posts p ON p.id = k.id
  LEFT JOIN content_resolutions cr
    ON cr.kind = 'post' AND cr.uri_hash = sha256(convert_to(p.content_uri, 'UTF8'))`;

/** The stored resolution of a URI, or what stands in for a row the resolver never gets. */
function withStatus(row: Row): Row {
  if (row.status != null) return row;
  if (row.inexact) {
    return {
      ...row,
      attempts: 0,
      status: "unsupported",
      error: "the URI is not valid UTF-8 text or is longer than 64 KiB",
    };
  }
  if (row.uri === "") {
    return { ...row, attempts: 0, status: "unsupported", error: "the URI is empty" };
  }
  return { ...row, status: "pending", attempts: 0 };
}

function resolutionLoader(context: ApiContext, name: string, sql: string) {
  return context.loader(
    name,
    () =>
      new DataLoader<string, Row>(async (ids) => {
        const rows = await context.db.query<Row>(sql, [ids]);
        const byId = new Map(rows.map((row) => [String(row.id), withStatus(row)]));
        return ids.map((id) => byId.get(id)!);
      }),
  );
}

function searchQuery(value: string): string {
  const query = value.trim();
  if (query === "" || [...query].length > MAX_SEARCH_LENGTH) {
    throw userError(
      ErrorCode.BadUserInput,
      `query must hold 1 to ${MAX_SEARCH_LENGTH} characters besides spaces`,
    );
  }
  if (query.includes("\0")) throw userError(ErrorCode.BadUserInput, "query holds a NUL character");
  return query;
}

function searchLimit(first: number, limits: PageLimits): number {
  if (!Number.isInteger(first) || first < 1 || first > limits.maxPageSize) {
    throw userError(
      ErrorCode.TooManyItems,
      `first must be between 1 and ${limits.maxPageSize}, got ${first}`,
    );
  }
  return first;
}

/** `LIKE` pattern matching strings that start with `text`. */
function prefixPattern(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`) + "%";
}

/**
 * Profiles whose handle or display name starts with the query (ranked first, an exact match
 * above all) or resembles it (pg_trgm: similarity `%` and word similarity `<%`), ranked by
 * trigram similarity; ties by profile id.
 */
const SEARCH_PROFILES_SQL = `
  WITH candidates AS (
    SELECT pr.id, pr.handle AS name, 'handle' AS field FROM profiles pr
    WHERE pr.handle LIKE $2 OR pr.handle % $1 OR $1 <% pr.handle
    UNION ALL
    SELECT pr.id, cr.display_name, 'displayName' FROM content_resolutions cr
    JOIN profiles pr ON pr.metadata_uri = cr.uri AND pr.metadata_uri_bytes IS NULL
    WHERE cr.kind = 'profile' AND cr.status = 'ok'
      AND (cr.display_name ILIKE $2 OR cr.display_name % $1 OR $1 <% cr.display_name)
  ), scored AS (
    SELECT id, field,
      CASE WHEN lower(name) = $1 THEN 2 WHEN lower(name) LIKE $2 THEN 1 ELSE 0 END
        + greatest(similarity(name, $1), word_similarity($1, name)) AS score
    FROM candidates
  )
  SELECT DISTINCT ON (id) id::text AS id, field, score::float8 AS score
  FROM scored ORDER BY id, score DESC`;

const SEARCH_POSTS_SQL = `
  SELECT p.id::text AS id, ts_rank_cd(cr.search, q)::float8 AS score
  FROM websearch_to_tsquery('english', $1) q, content_resolutions cr
  JOIN posts p ON p.content_uri = cr.uri AND p.content_uri_bytes IS NULL
  WHERE cr.kind = 'post' AND cr.status = 'ok' AND cr.search @@ q
    AND p.retracted_block_number IS NULL
  ORDER BY score DESC, p.block_number DESC, p.log_index DESC
  LIMIT $2`;

const STATUS_DOC = `
  "Not fetched yet, or being fetched."
  pending
  "Fetched and valid: the document's fields are set."
  ok
  "Fetched, but not valid UTF-8, not JSON, or not the documented schema (error names the field)."
  invalid
  "Larger than the resolver's size cap (CONTENT_MAX_BYTES)."
  too_large
  "No complete answer within CONTENT_TIMEOUT_MS (retried with backoff while nextAttemptAt is set)."
  timeout
  "The server answered with an HTTP error (5xx, 429 and 408 are retried; other codes are final)."
  http_error
  "The connection failed: DNS, refused, reset (retried while nextAttemptAt is set)."
  network_error
  "The host resolves to a loopback, private or other non-public address (SSRF protection)."
  blocked
  "A scheme, content type or URI the resolver does not read (data:, https: and ipfs: are read)."
  unsupported`;

const RESOLUTION_FIELDS = `
  "How the resolution went."
  status: ContentStatus!
  "What went wrong; null while pending and when ok."
  error: String
  "Content type of the document (without parameters), when it was read."
  contentType: String
  "Size of the document in bytes, when it was read (or as far as it was read, when too large)."
  size: Int
  "Fetches since the URI was queued or last refreshed."
  attempts: Int!
  "When the latest fetch ended (ISO 8601, UTC); null before the first."
  resolvedAt: String
  "When the resolver fetches the URI next (ISO 8601, UTC); null when it is done."
  nextAttemptAt: String`;

export function contentModule(limits: PageLimits): ApiModule {
  return {
    typeDefs: /* GraphQL */ `
      "Where the resolution of a metadata or content URI stands (docs/metadata.md)."
      enum ContentStatus {
        ${STATUS_DOC}
      }

      "A profile's metadata document, as the resolver read it from metadataUri."
      type ProfileMetadata {
        ${RESOLUTION_FIELDS}
        "Name to show, at most 64 characters."
        displayName: String
        "Short description, at most 1,000 characters."
        bio: String
        "https:, ipfs: or data: URI of the profile picture."
        avatar: String
      }

      "An image, video or other file a post carries."
      type PostMedia {
        "https:, ipfs: or data: URI of the file."
        uri: String!
        "Its media type, as the document states it."
        mimeType: String
        "Text describing it, for people who cannot see it."
        alt: String
      }

      "A post's content document, as the resolver read it from contentUri."
      type PostContent {
        ${RESOLUTION_FIELDS}
        "The post's text, at most 20,000 characters."
        text: String
        "Files the post carries, at most 16."
        media: [PostMedia!]!
        "Profile ids the post mentions."
        mentions: [BigInt!]!
        "Tags, without #."
        tags: [String!]!
      }

      "A profile found by findProfiles."
      type ProfileSearchHit {
        "The profile found."
        profile: Profile!
        "Which field matched best: handle or displayName."
        matchedField: String!
        "Rank: 2 for an exact match, 1 for a prefix, plus the trigram similarity (0 to 1)."
        score: Float!
      }

      "A post found by searchPosts."
      type PostSearchHit {
        "The post found."
        post: Post!
        "Full-text rank (ts_rank_cd): higher is better."
        score: Float!
      }

      extend type Profile {
        "The metadata document metadataUri names, with the status of its resolution."
        metadata: ProfileMetadata!
      }

      extend type Post {
        "The content document contentUri names, with the status of its resolution."
        content: PostContent!
      }

      extend type Query {
        """
        Profiles by handle or display name, ranked: those starting with the query first (an
        exact match on top), then similar ones (trigram similarity, so typos are forgiven).
        searchProfiles(prefix) lists handles by prefix alone, in handle order.
        """
        findProfiles(
          "What to look for, 1 to ${MAX_SEARCH_LENGTH} characters."
          query: String!
          "How many hits, at most ${limits.maxPageSize}."
          first: Int = 20
        ): [ProfileSearchHit!]!
        """
        Posts whose resolved text matches the query (full-text search with English stemming;
        "quoted phrases", or, -excluded words), best ranked first; retracted posts are left out.
        """
        searchPosts(
          "What to look for, 1 to ${MAX_SEARCH_LENGTH} characters."
          query: String!
          "How many hits, at most ${limits.maxPageSize}."
          first: Int = 20
        ): [PostSearchHit!]!
      }
    `,
    resolvers: {
      Profile: {
        metadata: (profile: Row, _: unknown, context: ApiContext) =>
          resolutionLoader(context, "Profile.metadata", PROFILE_METADATA_SQL).load(
            String(profile.id),
          ),
      },
      Post: {
        content: (post: Row, _: unknown, context: ApiContext) =>
          resolutionLoader(context, "Post.content", POST_CONTENT_SQL).load(String(post.id)),
      },
      PostContent: {
        media: (row: Row) => (row.status === "ok" ? (row.media ?? []) : []),
        mentions: (row: Row) => (row.status === "ok" ? (row.mentions ?? []) : []),
        tags: (row: Row) => (row.status === "ok" ? (row.tags ?? []) : []),
      },
      ProfileSearchHit: {
        profile: (hit: Row, _: unknown, context: ApiContext) =>
          profileById(context, String(hit.id)),
      },
      PostSearchHit: {
        post: (hit: Row, _: unknown, context: ApiContext) => postById(context, String(hit.id)),
      },
      Query: {
        async findProfiles(
          _: unknown,
          args: { query: string; first: number },
          context: ApiContext,
        ) {
          const query = searchQuery(args.query).toLowerCase();
          const first = searchLimit(args.first, context.limits);
          const rows = await context.db.query<Row>(
            `SELECT id, field AS "matchedField", score FROM (${SEARCH_PROFILES_SQL}) hits
             ORDER BY score DESC, id::numeric LIMIT $3`,
            [query, prefixPattern(query), first],
          );
          return rows;
        },
        async searchPosts(_: unknown, args: { query: string; first: number }, context: ApiContext) {
          const query = searchQuery(args.query);
          const first = searchLimit(args.first, context.limits);
          return context.db.query<Row>(SEARCH_POSTS_SQL, [query, first]);
        },
      },
    },
  };
}
