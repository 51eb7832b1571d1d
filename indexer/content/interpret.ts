import type { Fetched } from "./fetch";
import type { ContentKind } from "./queue";
import {
  InvalidDocumentError,
  plainTextPost,
  validatePostDocument,
  validateProfileDocument,
  type PostDocument,
  type ProfileDocument,
} from "./schema";

export type Interpreted =
  | { status: "ok"; profile?: ProfileDocument; post?: PostDocument }
  | { status: "invalid" | "unsupported"; error: string };

const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

function isJsonType(type: string): boolean {
  return type === "application/json" || /^application\/[a-z0-9.+-]+\+json$/.test(type);
}

/**
 * What fetched bytes say, for a document of `kind`: JSON (application/json or +json) for both
 * kinds; text/plain is a post's whole text, and for a profile it is read as JSON (servers
 * label .json files so); application/octet-stream (what gateways often answer) is read as JSON.
 * Anything else is unsupported.
 */
export function interpret(
  kind: ContentKind,
  fetched: Extract<Fetched, { status: "ok" }>,
): Interpreted {
  const type = fetched.contentType;
  const asJson =
    isJsonType(type) ||
    (type === "text/plain" && kind === "profile") ||
    type === "application/octet-stream" ||
    (type === "" && fetched.source !== "data");
  if (!asJson && type !== "text/plain") {
    return {
      status: "unsupported",
      error: `content type ${JSON.stringify(type.slice(0, 100))} is not a ${kind} document (application/json${kind === "post" ? " or text/plain" : ""})`,
    };
  }
  let text: string;
  try {
    // The decoder drops a leading byte order mark.
    text = STRICT_UTF8.decode(fetched.body);
  } catch {
    return { status: "invalid", error: "the body is not valid UTF-8" };
  }
  try {
    if (!asJson) return { status: "ok", post: plainTextPost(text) };
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      return {
        status: "invalid",
        error: `not JSON: ${(error as Error).message.slice(0, 200)}`,
      };
    }
    return kind === "profile"
      ? { status: "ok", profile: validateProfileDocument(parsed) }
      : { status: "ok", post: validatePostDocument(parsed) };
  } catch (error) {
    if (error instanceof InvalidDocumentError) return { status: "invalid", error: error.message };
    // A stack overflow on absurdly nested JSON, for one: the document is unusable.
    return { status: "invalid", error: `unreadable document: ${(error as Error).message}` };
  }
}
