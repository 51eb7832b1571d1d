import type pg from "pg";
import type { DecodedString } from "../sync/decode";

/** The two kinds of document a URI on chain names (docs/metadata.md). */
export type ContentKind = "profile" | "post";

/**
 * Queues the URIs a batch indexed for the content resolver, in the batch's transaction: one
 * statement, and nothing for URIs already known. A URI whose bytes are not its exact UTF-8
 * text (invalid UTF-8, NUL, longer than 64 KiB) is never queued: it names nothing fetchable,
 * and the API reports it as `unsupported` without a row.
 */
export async function queueContent(
  client: pg.PoolClient,
  kind: ContentKind,
  uris: Iterable<DecodedString>,
): Promise<void> {
  const texts = new Set<string>();
  for (const uri of uris) if (uri.bytes === null && uri.text !== "") texts.add(uri.text);
  if (texts.size === 0) return;
  await client.query(
    `INSERT INTO content_resolutions (kind, uri_hash, uri)
     SELECT $1, sha256(convert_to(u, 'UTF8')), u FROM unnest($2::text[]) u
     ON CONFLICT DO NOTHING`,
    [kind, [...texts]],
  );
}

/**
 * Makes the URI due for fetching again (both kinds), unless it was fetched less than
 * `minIntervalMs` ago. Returns the rows made due.
 */
export async function requestContentRefresh(
  pool: pg.Pool,
  uri: string,
  minIntervalMs: number,
): Promise<{ kind: ContentKind; status: string }[]> {
  const { rows } = await pool.query<{ kind: ContentKind; status: string }>(
    `UPDATE content_resolutions SET next_attempt_at = now(), attempts = 0
     WHERE uri_hash = sha256(convert_to($1, 'UTF8')) AND uri = $1
       AND (resolved_at IS NULL OR resolved_at <= now() - $2 * interval '1 millisecond')
     RETURNING kind, status`,
    [uri, minIntervalMs],
  );
  return rows;
}
