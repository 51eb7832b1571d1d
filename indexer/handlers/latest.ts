import type pg from "pg";
import { unique } from "./types";

/**
 * A current-state table of pairs that follows an event table of on/off events, the latest
 * event of a pair winning (follows, blocks, mutes, list members, list subscriptions).
 */
export interface PairState {
  /** The event table: trace columns, the two key columns and `flag`. */
  events: string;
  /** The current table: the two key columns and the trace of the event that set them. */
  current: string;
  keys: readonly [string, string];
  /** The boolean column of `events` that is true when the event turns the pair on. */
  flag: string;
}

/** Recomputes `state.current` for the given pairs (`as[i]`, `bs[i]`) from its event table. */
export async function recomputePairs(
  client: pg.PoolClient,
  state: PairState,
  as: readonly string[],
  bs: readonly string[],
): Promise<void> {
  if (as.length === 0) return;
  const [a, b] = state.keys;
  await client.query(
    `DELETE FROM "${state.current}" c USING unnest($1::numeric[], $2::numeric[]) k(a, b)
     WHERE c."${a}" = k.a AND c."${b}" = k.b`,
    [as, bs],
  );
  await client.query(
    `INSERT INTO "${state.current}" ("${a}", "${b}", block_number, tx_hash, log_index)
     SELECT "${a}", "${b}", block_number, tx_hash, log_index FROM (
       SELECT DISTINCT ON (e."${a}", e."${b}") e.*
       FROM "${state.events}" e
       JOIN (SELECT DISTINCT * FROM unnest($1::numeric[], $2::numeric[]) AS k(a, b)) k
         ON e."${a}" = k.a AND e."${b}" = k.b
       ORDER BY e."${a}", e."${b}", e.block_number DESC, e.log_index DESC
     ) latest WHERE "${state.flag}"`,
    [as, bs],
  );
}

/** Unique pairs as two parallel arrays, for recomputePairs. */
export function pairArrays(rows: readonly (readonly [string, string])[]): [string[], string[]] {
  const seen = unique(rows.map(([a, b]) => `${a}:${b}`)).map((key) => key.split(":"));
  return [seen.map((pair) => pair[0]), seen.map((pair) => pair[1])];
}
