/**
 * Database failures worth waiting out: the server is unreachable, restarting, shutting down,
 * out of a resource, or dropped the connection. The batch in flight was rolled back (or its
 * commit is in doubt and is read back), so retrying it on a new connection loses and doubles
 * nothing.
 */

// SQLSTATE classes and codes (PostgreSQL, Appendix A).
const UNAVAILABLE_STATES = [
  /^08/, // connection exception
  /^57P0[123]$/, // admin shutdown, crash shutdown, cannot connect now (starting up, recovering)
  /^53/, // insufficient resources: disk full, out of memory, too many connections
  /^58030$/, // I/O error
  /^57014$/, // query canceled (statement timeout, pg_cancel_backend)
  /^40001$/, // serialization failure
  /^40P01$/, // deadlock detected
  /^25P03$/, // idle-in-transaction session timeout
];

const NETWORK_CODES =
  /^(ECONNREFUSED|ECONNRESET|ECONNABORTED|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EHOSTDOWN|ENETDOWN|EAI_AGAIN|ENOTFOUND)$/;

// node-postgres reports a connection lost between or during queries without a SQLSTATE.
const DRIVER_MESSAGES = [
  /^Connection terminated/,
  /connection error and is not queryable/,
  /^Client was closed and is not queryable/,
  /^timeout exceeded when trying to connect/,
  /^Query read timeout/,
];

export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, message, errors } = error as {
    code?: unknown;
    message?: unknown;
    errors?: unknown;
  };
  if (typeof code === "string") {
    if (/^[0-9A-Z]{5}$/.test(code) && UNAVAILABLE_STATES.some((state) => state.test(code))) {
      return true;
    }
    if (NETWORK_CODES.test(code)) return true;
  }
  // Node's connection attempts to several addresses (localhost: ::1 and 127.0.0.1).
  if (Array.isArray(errors) && errors.length > 0 && errors.every(isDatabaseUnavailable))
    return true;
  return typeof message === "string" && DRIVER_MESSAGES.some((pattern) => pattern.test(message));
}

/**
 * The fix for a database error that waiting cannot cure (wrong password, no such database or
 * role), or undefined.
 */
export function databaseConfigFix(error: unknown): string | undefined {
  const code = (error as { code?: unknown })?.code;
  if (typeof code !== "string") return undefined;
  if (code.startsWith("28")) return "check the user and password in DATABASE_URL";
  if (code === "3D000") return "create the database, or name an existing one in DATABASE_URL";
  return undefined;
}
