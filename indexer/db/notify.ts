/** The Postgres channel the sync announces committed changes on. */
export const EVENTS_CHANNEL = "agora_events";

/** What a notification on EVENTS_CHANNEL carries (informational: listeners re-read the checkpoint). */
export type CommittedEvent =
  | { type: "batch"; fromBlock: string; toBlock: string; events: number }
  | { type: "reorg"; commonAncestor: string }
  /** The content resolver stored a post document that mentions profiles. */
  | { type: "content" };

/**
 * Announces a change to listeners (the GraphQL API's live updates). Called with the client of
 * the transaction that writes the change (or after it commits): Postgres delivers the
 * notification when, and only if, that transaction commits, so listeners never see a batch that
 * is not there to read.
 */
export async function notifyCommitted(
  client: { query(sql: string, params: unknown[]): Promise<unknown> },
  payload: CommittedEvent,
): Promise<void> {
  await client.query("SELECT pg_notify($1, $2)", [EVENTS_CHANNEL, JSON.stringify(payload)]);
}
