import { config } from "../config";

export { operation, type Operation } from "./operation";
import type { Operation } from "./operation";

/** An error the API answered with; `code` is its `extensions.code` (PROFILE_NOT_FOUND, ...). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

interface GraphQLReply<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

declare global {
  interface Window {
    /** The current page's main query, started by an inline script in index.html. */
    __AGORA_PREFETCH__?: { key: string; reply: Promise<unknown> };
  }
}

/** Takes the reply of the query index.html started, if it is this one (once). */
function takePrefetched(name: string, variables: unknown): Promise<unknown> | undefined {
  const pending = window.__AGORA_PREFETCH__;
  if (!pending || pending.key !== `${name} ${JSON.stringify(variables)}`) return undefined;
  window.__AGORA_PREFETCH__ = undefined;
  return pending.reply;
}

/** Runs a query over HTTP. No cookies travel: the API is public and read-only. */
export async function request<TData, TVariables extends Record<string, unknown>>(
  op: Operation<TData, TVariables>,
  variables: TVariables,
  signal?: AbortSignal,
): Promise<TData> {
  const early = takePrefetched(op.name, variables);
  if (early) {
    const reply = (await early.catch(() => null)) as GraphQLReply<TData> | null;
    if (reply?.data && !reply.errors?.length) return reply.data;
  }
  const response = await fetch(config.apiUrl, {
    method: "POST",
    credentials: "omit",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ query: op.document, variables, operationName: op.name }),
    signal,
  });
  let reply: GraphQLReply<TData>;
  try {
    reply = (await response.json()) as GraphQLReply<TData>;
  } catch {
    throw new ApiError(`the API answered ${response.status} without JSON`, "BAD_RESPONSE");
  }
  if (reply.errors?.length) {
    const [first] = reply.errors;
    throw new ApiError(first.message, first.extensions?.code);
  }
  if (!reply.data) throw new ApiError("the API answered without data", "BAD_RESPONSE");
  return reply.data;
}

/**
 * Opens a subscription over Server-Sent Events and calls `onEvent` with each event's data.
 * Reconnects with a capped backoff when the stream ends or fails. Returns a function that
 * closes it.
 */
export function subscribe<TData>(
  op: Operation<TData, Record<string, unknown>>,
  variables: Record<string, unknown>,
  onEvent: (data: TData) => void,
): () => void {
  let closed = false;
  let abort = new AbortController();
  let delay = 500;
  const run = async () => {
    while (!closed) {
      try {
        const response = await fetch(config.apiUrl, {
          method: "POST",
          credentials: "omit",
          headers: { "content-type": "application/json", accept: "text/event-stream" },
          body: JSON.stringify({ query: op.document, variables, operationName: op.name }),
          signal: abort.signal,
        });
        if (!response.body) throw new Error("no event stream");
        const reader = response.body.getReader();
        const decoder = new TextDecoder();
        let buffer = "";
        delay = 500;
        for (;;) {
          const chunk = await reader.read();
          if (chunk.done) break;
          buffer += decoder.decode(chunk.value, { stream: true });
          let end: number;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const message = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = /^data: (.*)$/m.exec(message)?.[1];
            if (!/^event: next$/m.test(message) || !data) continue;
            const parsed = JSON.parse(data) as GraphQLReply<TData>;
            if (parsed.data) onEvent(parsed.data);
          }
        }
      } catch {
        if (closed) return;
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 15_000);
      abort = new AbortController();
    }
  };
  void run();
  return () => {
    closed = true;
    abort.abort();
  };
}
