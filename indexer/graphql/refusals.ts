import { createHash } from "node:crypto";
import { GraphQLError, type ExecutionResult } from "graphql";
import type { Plugin } from "graphql-yoga";
import { ByteBoundedCache } from "./cache";
import { ErrorCode } from "./errors";

/**
 * Refusals decided by the request's text alone (its document, variables and operation name),
 * before anything is executed: the same text is refused the same way every time.
 */
const SHAPE_REFUSALS = new Set<string>([
  ErrorCode.QueryTooCostly,
  ErrorCode.QueryTooDeep,
  ErrorCode.TooManyAliases,
  ErrorCode.TooManyFragments,
  ErrorCode.QueryTooLarge,
  ErrorCode.ParseFailed,
  ErrorCode.ValidationFailed,
]);

export interface RefusalCache {
  /**
   * The refusal remembered for what the request sent (`kind`: its media type, or GET; `text`:
   * its body, or its URL), as an error to throw; else undefined, and the request's refusal, if
   * it gets one of its shape, is remembered.
   */
  lookup(request: Request, kind: string, text: string): Error | undefined;
  /** Remembers the refusals of the shape of requests looked up (see lookup). */
  plugin: Plugin;
  stats(): { hits: number; entries: number; bytes: number };
}

/**
 * Remembers the requests refused for their shape (too costly, too deep, too many aliases,
 * fragments or tokens, not GraphQL, invalid against the schema), keyed by a SHA-256 of what the
 * request sent, its variables included: the same bomb sent again costs a hash, not a parse and a
 * validation, and is refused with the same errors (and HTTP status). Requests whose answer
 * depends on anything else (executed ones, timeouts, other errors) are not kept. Bounded by
 * `maxBytes` (keys, the errors' JSON and the document's text, which their locations are read
 * from), least recently used first out; 0 turns it off. The errors kept are copies without the
 * syntax tree, which would take many times the text.
 */
export function createRefusalCache(maxBytes: number): RefusalCache {
  const entries = new ByteBoundedCache<{ errors: GraphQLError[]; bytes: number }>(
    maxBytes,
    (key, entry) => key.length + entry.bytes,
  );
  const keyOf = (kind: string, text: string) =>
    createHash("sha256").update(kind).update("\u0000").update(text).digest("base64");
  /** What each request looked up sent: its key, or while nothing is remembered, what to hash. */
  const sent = new WeakMap<Request, string | { kind: string; text: string }>();
  let hits = 0;
  return {
    lookup(request, kind, text) {
      if (maxBytes <= 0) return undefined;
      // Nothing to find: the hash waits until the request is refused, if it is.
      if (entries.size === 0) {
        sent.set(request, { kind, text });
        return undefined;
      }
      const key = keyOf(kind, text);
      const entry = entries.get(key);
      if (!entry) {
        sent.set(request, key);
        return undefined;
      }
      hits++;
      return entry.errors.length === 1
        ? entry.errors[0]
        : new AggregateError(entry.errors, "the request was refused");
    },
    plugin: {
      onResultProcess({ request, result }) {
        const lookedUp = sent.get(request);
        if (lookedUp === undefined) return;
        sent.delete(request);
        if (Array.isArray(result) || typeof result !== "object" || result === null) return;
        if (Symbol.asyncIterator in result) return;
        const { data, errors } = result as ExecutionResult;
        if ("data" in result || data !== undefined || !errors?.length) return;
        const refusedForShape = errors.every((error) => {
          const code = error.extensions?.code;
          return typeof code === "string" && SHAPE_REFUSALS.has(code);
        });
        if (!refusedForShape) return;
        // Yoga serializes an error's locations from its source and positions.
        const copies = errors.map(
          (error) =>
            new GraphQLError(error.message, {
              source: error.source,
              positions: error.positions,
              extensions: error.extensions,
            }),
        );
        const sources = new Set(copies.map((copy) => copy.source?.body ?? ""));
        const bytes =
          JSON.stringify(copies).length + [...sources].reduce((sum, body) => sum + body.length, 0);
        const key = typeof lookedUp === "string" ? lookedUp : keyOf(lookedUp.kind, lookedUp.text);
        entries.set(key, { errors: copies, bytes });
      },
    },
    stats: () => ({ hits, entries: entries.size, bytes: entries.bytes }),
  };
}
