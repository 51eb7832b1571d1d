import type pg from "pg";
import { parseAbi } from "viem";
import { insertRows, type BulkColumn } from "../db/bulk";
import type { DecodedLog } from "../sync/decode";
import { pairArrays } from "./latest";
import {
  deleteEventsAbove,
  textArg,
  TRACE_COLUMNS,
  uintArg,
  uintColumn,
  type Handler,
} from "./types";

/** Must match contracts/interfaces/IMessaging.sol (a test compares them). */
export const MESSAGING_EVENTS = parseAbi([
  "event MessagingKeyPublished(uint256 indexed profileId, uint256 keyVersion, bytes32 publicKey)",
  "event MessagingKeyRevoked(uint256 indexed profileId, uint256 keyVersion)",
  "event MessageSent(uint256 indexed fromId, uint256 indexed toId, bytes ciphertext)",
  "event MessagingNonceUsed(address indexed account, uint256 nonce)",
]);

const KEY_COLUMNS: readonly BulkColumn<DecodedLog>[] = [
  ...TRACE_COLUMNS,
  { name: "timestamp", type: "bigint", value: (log) => log.timestamp },
  uintColumn("profile_id", "profileId"),
  uintColumn("key_version", "keyVersion"),
  {
    name: "public_key",
    type: "text",
    value: (log) => (log.event === "MessagingKeyPublished" ? textArg(log, "publicKey") : null),
  },
];

const MESSAGE_COLUMNS: readonly BulkColumn<DecodedLog>[] = [
  ...TRACE_COLUMNS,
  { name: "timestamp", type: "bigint", value: (log) => log.timestamp },
  uintColumn("from_id", "fromId"),
  uintColumn("to_id", "toId"),
  {
    name: "ciphertext",
    type: "bytea",
    value: (log) => Buffer.from(textArg(log, "ciphertext").slice(2), "hex"),
  },
];

/** Recomputes both sides of the conversations between the given pairs of profiles. */
async function recomputeConversations(
  client: pg.PoolClient,
  as: readonly string[],
  bs: readonly string[],
): Promise<void> {
  if (as.length === 0) return;
  const pairs = `SELECT DISTINCT * FROM (
      SELECT * FROM unnest($1::numeric[], $2::numeric[]) AS k(a, b)
      UNION ALL SELECT * FROM unnest($2::numeric[], $1::numeric[]) AS k(a, b)) k`;
  await client.query(
    `DELETE FROM conversations c USING (${pairs}) k
     WHERE c.profile_id = k.a AND c.counterpart_id = k.b`,
    [as, bs],
  );
  await client.query(
    `INSERT INTO conversations
       (profile_id, counterpart_id, message_count, last_block_number, last_log_index)
     SELECT k.a, k.b, m.n, m.block_number, m.log_index FROM (${pairs}) k
     CROSS JOIN LATERAL (
       SELECT count(*) OVER () AS n, block_number, log_index FROM messages
       WHERE (from_id = k.a AND to_id = k.b) OR (from_id = k.b AND to_id = k.a)
       ORDER BY block_number DESC, log_index DESC LIMIT 1
     ) m`,
    [as, bs],
  );
}

/**
 * Messaging: every key publication and revocation (`messaging_key_events`, public key null
 * for a revocation), and every message as its ciphertext (`messages`, bytea). The indexer
 * stores what the events carry and nothing else: it never holds a secret key or a plaintext.
 * `conversations` holds, for each profile, the profiles it exchanged messages with.
 * `MessagingNonceUsed` names an account, not a profile, and changes no table.
 */
export const messagingHandler: Handler = {
  contract: "Messaging",
  events: MESSAGING_EVENTS,

  async apply(client, logs) {
    await insertRows(
      client,
      "messaging_key_events",
      KEY_COLUMNS,
      logs.filter(
        (log) => log.event === "MessagingKeyPublished" || log.event === "MessagingKeyRevoked",
      ),
    );
    const sent = logs.filter((log) => log.event === "MessageSent");
    await insertRows(client, "messages", MESSAGE_COLUMNS, sent);
    await recomputeConversations(
      client,
      ...pairArrays(
        sent.map((log) => [String(uintArg(log, "fromId")), String(uintArg(log, "toId"))]),
      ),
    );
  },

  async rollback(client, ancestor) {
    await deleteEventsAbove(client, "messaging_key_events", ancestor, ["profile_id"]);
    const removed = await deleteEventsAbove<{ from_id: string; to_id: string }>(
      client,
      "messages",
      ancestor,
      ["from_id", "to_id"],
    );
    await recomputeConversations(
      client,
      ...pairArrays(removed.map((row) => [row.from_id, row.to_id] as const)),
    );
  },
};
