/**
 * Posts and profiles carry URIs. A `data:` URI is decoded here; anything else (https, ipfs) is
 * shown as a link and never fetched by the app, so that a post cannot make a reader's browser
 * call an address the author chose.
 */
export interface DecodedContent {
  kind: "text" | "json" | "link" | "unreadable";
  text: string;
  json?: Record<string, unknown>;
}

const MAX_DECODED = 100_000;

/**
 * Text as the app shows it: without the control characters that could make it lie about
 * itself (bidirectional overrides that show "evil" as "live", zero-width joiners, C0 controls
 * other than line breaks and tabs).
 */
const CONTROL_CHARACTERS =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

export function cleanText(text: string): string {
  return text.replace(CONTROL_CHARACTERS, "");
}

function decodeData(uri: string): { mime: string; body: string } | null {
  const comma = uri.indexOf(",");
  if (!uri.startsWith("data:") || comma < 0) return null;
  const header = uri.slice(5, comma);
  const raw = uri.slice(comma + 1);
  try {
    const body = header.endsWith(";base64")
      ? new TextDecoder().decode(Uint8Array.from(atob(raw), (c) => c.charCodeAt(0)))
      : decodeURIComponent(raw);
    return { mime: header.split(";")[0] || "text/plain", body: body.slice(0, MAX_DECODED) };
  } catch {
    return null;
  }
}

export function decodeContent(uri: string): DecodedContent {
  if (!uri.startsWith("data:")) return { kind: "link", text: cleanText(uri) };
  const data = decodeData(uri);
  if (!data) return { kind: "unreadable", text: "" };
  if (data.mime === "application/json") {
    try {
      const json = JSON.parse(data.body) as unknown;
      if (json && typeof json === "object" && !Array.isArray(json)) {
        const record = json as Record<string, unknown>;
        const text = typeof record.text === "string" ? cleanText(record.text) : "";
        return { kind: "json", text, json: record };
      }
    } catch {
      return { kind: "unreadable", text: "" };
    }
    return { kind: "unreadable", text: "" };
  }
  if (data.mime.startsWith("text/")) return { kind: "text", text: cleanText(data.body) };
  return { kind: "unreadable", text: "" };
}

/** What a profile's metadata says about it; every field may be missing. */
export interface ProfileMetadata {
  displayName?: string;
  bio?: string;
  /** Only a `data:image/...` URI: the app loads no image from elsewhere. */
  avatar?: string;
}

export function decodeMetadata(uri: string): ProfileMetadata {
  const content = decodeContent(uri);
  if (content.kind !== "json" || !content.json) return {};
  const { displayName, bio, avatar } = content.json;
  return {
    displayName: typeof displayName === "string" ? cleanText(displayName).slice(0, 80) : undefined,
    bio: typeof bio === "string" ? cleanText(bio).slice(0, 500) : undefined,
    avatar:
      typeof avatar === "string" && /^data:image\/(png|jpeg|gif|webp|svg\+xml)[;,]/.test(avatar)
        ? avatar
        : undefined,
  };
}

/** Text as a `data:` URI, the default way the app stores a post. */
export function textUri(text: string): string {
  return `data:text/plain;charset=utf-8,${encodeURIComponent(text)}`;
}

export function metadataUri(metadata: ProfileMetadata): string {
  return `data:application/json,${encodeURIComponent(JSON.stringify(metadata))}`;
}
