import type pg from "pg";
import type { Logger } from "pino";
import { notifyCommitted } from "../db/notify";
import { backoffDelay, type BackoffPolicy } from "../sync/backoff";
import { sleep } from "../sync/rpc";
import { fetchContent, type ContentStatus, type FetchOptions } from "./fetch";
import { interpret } from "./interpret";
import type { ContentKind } from "./queue";
import type { PostDocument, ProfileDocument } from "./schema";

export interface ContentResolverOptions {
  fetch: Omit<FetchOptions, "signal">;
  /** URIs fetched at the same time. */
  concurrency: number;
  /** Wait between looks for due rows when none was due. */
  pollIntervalMs: number;
  /** Attempts of a retryable failure (timeout, 5xx, 429, connection) before giving up. */
  maxAttempts: number;
  /** Waits between attempts: capped exponential backoff with full jitter. */
  backoff: BackoffPolicy;
}

export interface ContentResolver {
  /** Claims the rows that are due (at most `concurrency`), resolves and stores them. */
  step(signal?: AbortSignal): Promise<number>;
  /** Steps until `signal` aborts; database faults are logged and waited out. */
  run(signal: AbortSignal): Promise<void>;
}

interface Claimed {
  kind: ContentKind;
  uri_hash: Buffer;
  uri: string;
  attempts: number;
  lease: string;
}

/** Outcome of one resolution, as stored. */
interface Resolution {
  status: Exclude<ContentStatus, "pending">;
  error: string | null;
  contentType: string | null;
  size: number | null;
  profile?: ProfileDocument;
  post?: PostDocument;
  /** Null: done. Otherwise the next attempt, in ms from now. */
  retryInMs: number | null;
}

/**
 * The content resolver: beside the sync, on its own connections and never inside the sync's
 * transactions. It claims due rows of `content_resolutions` with a lease (so a crashed worker's
 * claims come due again, and several resolvers share the work through SKIP LOCKED), fetches
 * them outside any transaction, and stores the outcome only if the lease is still its own (a
 * refresh requested meanwhile wins).
 */
export function createContentResolver(params: {
  pool: pg.Pool;
  options: ContentResolverOptions;
  logger: Logger;
}): ContentResolver {
  const { pool, options, logger } = params;
  // A claim outlives the slowest fetch (redirects and gateways included) with room to spare.
  const leaseMs = options.fetch.timeoutMs * (options.fetch.ipfsGateways.length + 1) * 2 + 60_000;

  async function resolve(row: Claimed, signal?: AbortSignal): Promise<Resolution> {
    const fetched = await fetchContent(row.uri, { ...options.fetch, signal });
    if (fetched.status !== "ok") {
      const retry = fetched.retryable && row.attempts < options.maxAttempts;
      return {
        status: fetched.status,
        error: fetched.error,
        contentType: null,
        size: fetched.size ?? null,
        retryInMs: retry
          ? backoffDelay(options.backoff, row.attempts - 1, fetched.retryAfterMs)
          : null,
      };
    }
    const read = interpret(row.kind, fetched);
    return {
      status: read.status,
      error: read.status === "ok" ? null : read.error,
      contentType: fetched.contentType || null,
      size: fetched.body.length,
      profile: read.status === "ok" ? read.profile : undefined,
      post: read.status === "ok" ? read.post : undefined,
      retryInMs: null,
    };
  }

  async function store(row: Claimed, result: Resolution): Promise<void> {
    const doc = { ...result.profile, ...result.post };
    // A failure that will be retried keeps the last good document; any other outcome replaces it.
    const keep = result.retryInMs !== null;
    await pool.query(
      `UPDATE content_resolutions SET status = $3, error = $4, content_type = $5, size = $6,
         resolved_at = now(),
         next_attempt_at = CASE WHEN $7::float8 IS NULL THEN NULL
           ELSE now() + $7::float8 * interval '1 millisecond' END,
         display_name = CASE WHEN $8 THEN display_name ELSE $9 END,
         bio = CASE WHEN $8 THEN bio ELSE $10 END,
         avatar = CASE WHEN $8 THEN avatar ELSE $11 END,
         text = CASE WHEN $8 THEN text ELSE $12 END,
         media = CASE WHEN $8 THEN media ELSE $13::jsonb END,
         mentions = CASE WHEN $8 THEN mentions ELSE $14::text[] END,
         tags = CASE WHEN $8 THEN tags ELSE $15::text[] END,
         search = CASE WHEN $8 THEN search
           WHEN $3 = 'ok' THEN to_tsvector('english', concat_ws(' ', $9, $12)) END
       WHERE kind = $1 AND uri_hash = $2 AND next_attempt_at = $16::timestamptz`,
      [
        row.kind,
        row.uri_hash,
        result.status,
        result.error,
        result.contentType,
        result.size,
        result.retryInMs,
        keep,
        doc.displayName ?? null,
        doc.bio ?? null,
        doc.avatar ?? null,
        doc.text ?? null,
        result.post ? JSON.stringify(result.post.media) : null,
        result.post?.mentions ?? null,
        result.post?.tags ?? null,
        row.lease,
      ],
    );
    // Mentions notify their profiles (the API's notificationCreated): wake its live updates.
    if (!keep && (result.post?.mentions.length ?? 0) > 0) {
      await notifyCommitted(pool, { type: "content" });
    }
  }

  async function step(signal?: AbortSignal): Promise<number> {
    const { rows } = await pool.query<Claimed>(
      `UPDATE content_resolutions c
       SET next_attempt_at = now() + $2 * interval '1 millisecond', attempts = c.attempts + 1
       FROM (SELECT kind, uri_hash FROM content_resolutions
             WHERE next_attempt_at <= now() ORDER BY next_attempt_at LIMIT $1
             FOR UPDATE SKIP LOCKED) due
       WHERE c.kind = due.kind AND c.uri_hash = due.uri_hash
       RETURNING c.kind, c.uri_hash, c.uri, c.attempts, c.next_attempt_at::text AS lease`,
      [options.concurrency, leaseMs],
    );
    await Promise.all(
      rows.map(async (row) => {
        const result = await resolve(row, signal);
        if (signal?.aborted) return;
        await store(row, result);
        logger.debug(
          {
            kind: row.kind,
            uri: row.uri.slice(0, 200),
            status: result.status,
            error: result.error,
          },
          "content resolved",
        );
      }),
    );
    return rows.length;
  }

  return {
    step,
    async run(signal) {
      for (let failures = 0; !signal.aborted;) {
        try {
          const resolved = await step(signal);
          failures = 0;
          if (resolved === 0) await sleep(options.pollIntervalMs, signal);
        } catch (error) {
          if (signal.aborted) return;
          const delayMs = backoffDelay(options.backoff, failures++);
          logger.warn(
            { err: error, component: "content", failures, retry_in_ms: delayMs },
            "content resolver step failed, retrying",
          );
          await sleep(delayMs, signal).catch(() => undefined);
        }
      }
    },
  };
}
