/**
 * The JSON documents that profile metadata URIs and post content URIs name (docs/metadata.md),
 * and their validation. A document is valid when it is a JSON object whose known fields have
 * the documented types and bounds; unknown fields are ignored, so the format can grow.
 */

export const LIMITS = {
  displayName: 64,
  bio: 1_000,
  uri: 2_048,
  text: 20_000,
  media: 16,
  mimeType: 255,
  alt: 1_000,
  mentions: 64,
  tags: 32,
  tag: 64,
} as const;

export interface ProfileDocument {
  displayName: string | null;
  bio: string | null;
  avatar: string | null;
}

export interface MediaItem {
  uri: string;
  mimeType: string | null;
  alt: string | null;
}

export interface PostDocument {
  text: string | null;
  media: MediaItem[];
  /** Profile ids, decimal. */
  mentions: string[];
  tags: string[];
}

/** The document is not what the schema asks for; the message names the field. */
export class InvalidDocumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidDocumentError";
  }
}

type Json = Record<string, unknown>;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function object(value: unknown, where: string): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidDocumentError(`${where} must be a JSON object`);
  }
  return value as Json;
}

/**
 * A string the database and every app can hold: well-formed (no lone surrogate, which JSON's
 * \ud800 escapes can produce) and without NUL, which Postgres' text refuses.
 */
function checkedString(value: unknown, field: string, max: number): string {
  if (typeof value !== "string") throw new InvalidDocumentError(`${field} must be a string`);
  if (LONE_SURROGATE.test(value)) {
    throw new InvalidDocumentError(`${field} holds a lone surrogate (not Unicode text)`);
  }
  if (value.includes("\0")) throw new InvalidDocumentError(`${field} holds a NUL character`);
  // Counted in code points, as people count characters.
  let length = 0;
  for (const _ of value) {
    if (++length > max) {
      throw new InvalidDocumentError(`${field} is longer than ${max} characters`);
    }
  }
  return value;
}

function optionalString(doc: Json, field: string, max: number, where = field): string | null {
  const value = doc[field];
  if (value === undefined || value === null) return null;
  return checkedString(value, where, max);
}

function list(doc: Json, field: string, max: number): unknown[] {
  const value = doc[field];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new InvalidDocumentError(`${field} must be an array`);
  if (value.length > max) {
    throw new InvalidDocumentError(`${field} has more than ${max} items`);
  }
  return value;
}

/** A link a document carries: https:, ipfs: or data: (anything else would be clicked blind). */
function checkedUri(value: unknown, field: string): string {
  const uri = checkedString(value, field, LIMITS.uri);
  if (!/^(https:\/\/|ipfs:\/\/|data:)/i.test(uri)) {
    throw new InvalidDocumentError(`${field} must be an https:, ipfs: or data: URI`);
  }
  return uri;
}

export function validateProfileDocument(value: unknown): ProfileDocument {
  const doc = object(value, "the profile document");
  const avatar = doc.avatar === undefined || doc.avatar === null ? null : doc.avatar;
  return {
    displayName: optionalString(doc, "displayName", LIMITS.displayName),
    bio: optionalString(doc, "bio", LIMITS.bio),
    avatar: avatar === null ? null : checkedUri(avatar, "avatar"),
  };
}

export function validatePostDocument(value: unknown): PostDocument {
  const doc = object(value, "the post document");
  const media = list(doc, "media", LIMITS.media).map((item, i) => {
    const entry = object(item, `media[${i}]`);
    return {
      uri: checkedUri(entry.uri, `media[${i}].uri`),
      mimeType: optionalString(entry, "mimeType", LIMITS.mimeType, `media[${i}].mimeType`),
      alt: optionalString(entry, "alt", LIMITS.alt, `media[${i}].alt`),
    };
  });
  const mentions = list(doc, "mentions", LIMITS.mentions).map((item, i) => {
    const id = typeof item === "number" && Number.isSafeInteger(item) ? String(item) : item;
    if (typeof id !== "string" || !/^[1-9][0-9]{0,77}$/.test(id)) {
      throw new InvalidDocumentError(`mentions[${i}] must be a profile id (a positive integer)`);
    }
    return id;
  });
  const tags = list(doc, "tags", LIMITS.tags).map((item, i) => {
    const tag = checkedString(item, `tags[${i}]`, LIMITS.tag);
    if (tag === "" || /\s/u.test(tag)) {
      throw new InvalidDocumentError(`tags[${i}] must be a non-empty word without spaces`);
    }
    return tag;
  });
  return { text: optionalString(doc, "text", LIMITS.text), media, mentions, tags };
}

/** A post whose URI names plain text: the text is the whole document. */
export function plainTextPost(text: string): PostDocument {
  return { text: checkedString(text, "the text", LIMITS.text), media: [], mentions: [], tags: [] };
}
