import { expect } from "chai";
import type { Api } from "../../indexer/graphql/api";

/** A GraphQL reply, as JSON: tests read into it freely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Reply = any;

export interface SseSubscription {
  /** The first event, requested as soon as the stream opened. */
  first: Promise<Reply>;
  /** The event after the ones already read. */
  next(): Promise<Reply>;
  close(): Promise<void>;
}

/**
 * Opens a GraphQL subscription over SSE on `api` and resolves once the live hub counts it among
 * the subscribers of `feed`, so that nothing indexed afterwards can be missed.
 */
export async function subscribeSse(
  api: Api,
  query: string,
  feed: string,
): Promise<SseSubscription> {
  const before = api.live.subscribers(feed);
  const response = await api.yoga.fetch("http://api/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream" },
    body: JSON.stringify({ query }),
  });
  expect(response.headers.get("content-type")).to.match(/^text\/event-stream/);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const next = async (): Promise<Reply> => {
    for (;;) {
      const match = /(?:^|\n)event: next\ndata: (.*)\n\n/.exec(buffer);
      if (match) {
        buffer = buffer.slice(match.index + match[0].length);
        return JSON.parse(match[1]);
      }
      const chunk = await reader.read();
      if (chunk.done) throw new Error("stream ended");
      buffer += decoder.decode(chunk.value, { stream: true });
    }
  };
  const first = next();
  for (let i = 0; i < 500 && api.live.subscribers(feed) === before; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  expect(api.live.subscribers(feed), `subscribers of ${feed}`).to.equal(before + 1);
  return { first, next, close: () => reader.cancel() };
}
