/**
 * How long to wait before retrying a failed request: capped exponential backoff with full
 * jitter (a uniformly random wait between zero and the exponential ceiling), so that many
 * clients failing together do not come back together.
 */
export interface BackoffPolicy {
  /** Ceiling of the first retry's wait; it doubles with every further attempt. */
  baseMs: number;
  /** No wait is longer than this, whatever the attempt or the server's Retry-After. */
  maxMs: number;
}

/**
 * The wait before retry number `attempt` (0 for the first): a random time in
 * [0, min(maxMs, baseMs * 2^attempt)], but at least `retryAfterMs` when the server asked for
 * it, and never more than maxMs.
 */
export function backoffDelay(
  policy: BackoffPolicy,
  attempt: number,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  // 2^30 times any base is far above every sensible cap; the exponent stops there so that the
  // product stays a finite number however long an outage lasts.
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  const jittered = random() * ceiling;
  return Math.round(Math.min(policy.maxMs, Math.max(jittered, retryAfterMs ?? 0)));
}

/**
 * The wait an HTTP `Retry-After` header asks for, in milliseconds: delay-seconds or an
 * HTTP-date. Undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
