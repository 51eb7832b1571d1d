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

/** Replies kept per refusal, one per Accept header: a few clients' ways of asking. */
const MAX_REPLIES = 4;

interface Entry {
  errors: GraphQLError[];
  bytes: number;
  replies: Map<string, RefusalReply>;
}

/**
 * A remembered refusal as it was sent: status, headers (without Content-Length) and body, and
 * the error codes it carries (for the metrics).
 */
export interface RefusalReply {
  status: number;
  headers: Record<string, string>;
  body: string;
  codes: string[];
}

export interface RefusalCache {
  /**
   * The refusal remembered for what the request sent (`kind`: its media type, or GET; `text`:
   * its body, or its URL), as an error to throw; else undefined, and the request's refusal, if
   * it gets one of its shape, is remembered.
   */
  lookup(request: Request, kind: string, text: string): Error | undefined;
  /**
   * The reply sent for the same body (of media type `kind`) refused before, to a request that
   * had the same Accept header and no Origin, to send again as it is; else undefined. Counts
   * as a hit.
   */
  replay(kind: string, accept: string, body: Buffer): RefusalReply | undefined;
  /** Whether `request` was refused from memory (lookup found it). */
  refusedFromMemory(request: Request): boolean;
  /** Remembers the refusals of the shape of requests looked up (see lookup). */
  plugin: Plugin;
  /** Hits (lookup and replay), of which replays; entries and bytes held. */
  stats(): { hits: number; replays: number; entries: number; bytes: number };
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
 *
 * The reply itself is kept too, once sent to a request without an Origin header (no browser's:
 * its CORS headers do not matter), per Accept header (at most MAX_REPLIES): the same body sent
 * again with the same Accept is answered with those bytes by the server before yoga sees it
 * (replay), which costs a hash and a write instead of yoga's whole request pipeline.
 */
export function createRefusalCache(maxBytes: number): RefusalCache {
  const entries = new ByteBoundedCache<Entry>(maxBytes, (key, entry) => key.length + entry.bytes);
  /** What each request looked up sent: its key, or while nothing is remembered, what to hash. */
  const sent = new WeakMap<Request, string | { kind: string; text: string }>();
  /** Requests whose reply is to be kept, by their entry's key and their Accept header. */
  const toKeep = new WeakMap<Request, { key: string; accept: string }>();
  const fromMemory = new WeakSet<Request>();
  let hits = 0;
  let replays = 0;
  const hash = (kind: string, text: string | Buffer) =>
    createHash("sha256").update(kind).update("\u0000").update(text).digest("base64");
  const keepReply = (request: Request, key: string, entry: Entry) => {
    if (request.headers.has("origin")) return;
    const accept = request.headers.get("accept") ?? "";
    if (entry.replies.has(accept) || entry.replies.size >= MAX_REPLIES) return;
    toKeep.set(request, { key, accept });
  };
  return {
    lookup(request, kind, text) {
      if (maxBytes <= 0) return undefined;
      // Nothing to find: the hash waits until the request is refused, if it is.
      if (entries.size === 0) {
        sent.set(request, { kind, text });
        return undefined;
      }
      const key = hash(kind, text);
      const entry = entries.get(key);
      if (!entry) {
        sent.set(request, key);
        return undefined;
      }
      hits++;
      fromMemory.add(request);
      keepReply(request, key, entry);
      return entry.errors.length === 1
        ? entry.errors[0]
        : new AggregateError(entry.errors, "the request was refused");
    },
    replay(kind, accept, body) {
      if (maxBytes <= 0 || entries.size === 0) return undefined;
      const reply = entries.get(hash(kind, body))?.replies.get(accept);
      if (reply) {
        hits++;
        replays++;
      }
      return reply;
    },
    refusedFromMemory: (request) => fromMemory.has(request),
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
        const key = typeof lookedUp === "string" ? lookedUp : hash(lookedUp.kind, lookedUp.text);
        const entry = { errors: copies, bytes, replies: new Map() };
        entries.set(key, entry);
        keepReply(request, key, entry);
      },
      onResponse({ request, response }) {
        const keep = toKeep.get(request);
        if (!keep) return;
        toKeep.delete(request);
        const headers: Record<string, string> = {};
        response.headers.forEach((value, name) => {
          if (name !== "content-length") headers[name] = value;
        });
        const { status } = response;
        void response
          .clone()
          .text()
          .then((body) => {
            const entry = entries.get(keep.key);
            if (!entry || entry.replies.size >= MAX_REPLIES) return;
            const codes = entry.errors.map((error) => String(error.extensions.code));
            entry.replies.set(keep.accept, { status, headers, body, codes });
            // Counted again with the reply's bytes.
            entries.set(keep.key, {
              ...entry,
              bytes: entry.bytes + keep.accept.length + body.length,
            });
          })
          .catch(() => undefined);
      },
    },
    stats: () => ({ hits, replays, entries: entries.size, bytes: entries.bytes }),
  };
}
