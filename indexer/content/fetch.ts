import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import { BlockList, isIP, type LookupFunction } from "node:net";

/** How a resolution ended; docs/metadata.md lists what each means. */
export type ContentStatus =
  | "pending"
  | "ok"
  | "invalid"
  | "too_large"
  | "timeout"
  | "http_error"
  | "network_error"
  | "blocked"
  | "unsupported";

export interface FetchOptions {
  /** The whole exchange (connection, redirects, headers and body) must end within this. */
  timeoutMs: number;
  /** Bodies (and decoded data: URIs) above this many bytes are refused. */
  maxBytes: number;
  /** Base URLs of IPFS HTTP gateways, tried in order: `<gateway>/ipfs/<cid>/<path>`. */
  ipfsGateways: readonly string[];
  /** Fetch from loopback, private, link-local and other non-public addresses (tests only). */
  allowPrivateAddresses: boolean;
  /** Fetch `http:` URLs (and gateways), not only `https:` (tests only). */
  allowHttp: boolean;
  maxRedirects?: number;
  signal?: AbortSignal;
}

/** The bytes a URI names, or why there are none. */
export type Fetched =
  | { status: "ok"; body: Buffer; contentType: string; source: "data" | "https" | "ipfs" }
  | {
      status: Exclude<ContentStatus, "ok" | "pending" | "invalid">;
      error: string;
      /** Waiting may cure it (timeouts, 5xx, 429, connection failures). */
      retryable: boolean;
      retryAfterMs?: number;
      /** Bytes read before giving up, when the body was too large. */
      size?: number;
    };

/** Addresses no public content lives at: refused unless allowPrivateAddresses. */
const NON_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  NON_PUBLIC.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 127], // unspecified and loopback
  ["64:ff9b::", 96], // NAT64: would reach any IPv4 address, private ones included
  ["100::", 64],
  ["2001:db8::", 32],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  NON_PUBLIC.addSubnet(network, prefix, "ipv6");
}

export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  // IPv4-mapped IPv6 (::ffff:a.b.c.d) would reach any IPv4 address, private ones included. It
  // is refused by name: a BlockList rule for ::ffff:0:0/96 would also match every IPv4 address.
  if (family === 6 && /^(0{0,4}:){0,5}:?ffff:/i.test(address)) return false;
  return !NON_PUBLIC.check(address, family === 4 ? "ipv4" : "ipv6");
}

class BlockedAddressError extends Error {
  constructor(host: string, address: string) {
    super(`${host} resolves to ${address}, a non-public address`);
  }
}

/**
 * dns.lookup that refuses non-public addresses. The check runs where the connection is made,
 * on the addresses it is made to, so a name that resolves differently on a second lookup
 * (DNS rebinding) cannot slip through.
 */
const publicLookup: LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return (callback as (e: Error) => void)(error);
    const list = addresses as dns.LookupAddress[];
    const bad = list.find((entry) => !isPublicAddress(entry.address));
    if (bad || list.length === 0) {
      return (callback as (e: Error) => void)(
        new BlockedAddressError(hostname, bad?.address ?? "nothing"),
      );
    }
    if (options.all) (callback as (e: null, a: dns.LookupAddress[]) => void)(null, list);
    else callback(null, list[0].address, list[0].family);
  });
};

/** The bytes a URI names: data: decoded here, https: fetched, ipfs: through the gateways. */
export async function fetchContent(uri: string, options: FetchOptions): Promise<Fetched> {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(uri)?.[1]?.toLowerCase();
  if (scheme === "data") return decodeDataUri(uri, options.maxBytes);
  if (scheme === "ipfs") {
    const path = ipfsPath(uri);
    if (path === null) {
      return unsupported("an ipfs: URI must read ipfs://<cid>[/path] with a base-32/58 CID");
    }
    if (options.ipfsGateways.length === 0) return unsupported("no IPFS gateway is configured");
    let last: Fetched | undefined;
    for (const gateway of options.ipfsGateways) {
      last = await fetchUrl(`${gateway.replace(/\/+$/, "")}/ipfs/${path}`, options, "ipfs");
      if (last.status === "ok" || !last.retryable) return last;
    }
    return last!;
  }
  if (scheme === "https" || (scheme === "http" && options.allowHttp)) {
    return fetchUrl(uri, options, "https");
  }
  return unsupported(
    scheme === undefined
      ? "not a URI (no scheme)"
      : `the ${scheme}: scheme is not resolved (data:, https: and ipfs: are)`,
  );
}

function unsupported(error: string): Fetched {
  return { status: "unsupported", error, retryable: false };
}

/** `<cid>[/path]` of an ipfs:// URI; null when the CID is not plain base-32/58 characters. */
function ipfsPath(uri: string): string | null {
  const match = /^ipfs:\/\/(?:ipfs\/)?([A-Za-z0-9]{1,128})((?:\/[^/?#]*)*)$/i.exec(uri);
  if (!match) return null;
  const segments = match[2].split("/").slice(1);
  if (segments.some((segment) => segment === "." || segment === "..")) return null;
  return [match[1], ...segments.map((segment) => encodeURIComponent(safeDecode(segment)))].join(
    "/",
  );
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * RFC 2397: `data:[<mediatype>][;base64],<data>`. The data is percent-decoded to bytes (an
 * invalid escape is kept as it is, as browsers do), then base64-decoded when marked so.
 */
export function decodeDataUri(uri: string, maxBytes: number): Fetched {
  const comma = uri.indexOf(",");
  if (comma < 0) return unsupported("a data: URI needs a comma before its data");
  const meta = uri.slice(5, comma).split(";");
  const base64 = meta.length > 1 && meta[meta.length - 1].trim().toLowerCase() === "base64";
  const contentType = (meta[0].trim() || "text/plain").toLowerCase();
  let body = percentDecode(uri.slice(comma + 1));
  if (base64) {
    const text = body.toString("latin1").replace(/[\t\n\f\r ]/g, "");
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.replace(/=+$/, "").length % 4 === 1) {
      return {
        status: "unsupported",
        error: "the data: URI is marked base64 but its data is not base64",
        retryable: false,
      };
    }
    body = Buffer.from(text, "base64");
  }
  if (body.length > maxBytes) {
    return {
      status: "too_large",
      error: `the data: URI holds ${body.length} bytes, more than the ${maxBytes} allowed`,
      retryable: false,
      size: body.length,
    };
  }
  return { status: "ok", body, contentType, source: "data" };
}

function percentDecode(text: string): Buffer {
  const raw = Buffer.from(text, "utf8");
  if (!raw.includes(0x25)) return raw;
  const out = Buffer.alloc(raw.length);
  let n = 0;
  const hex = (byte: number) =>
    byte >= 0x30 && byte <= 0x39
      ? byte - 0x30
      : byte >= 0x41 && byte <= 0x46
        ? byte - 0x37
        : byte >= 0x61 && byte <= 0x66
          ? byte - 0x57
          : -1;
  for (let i = 0; i < raw.length; i++) {
    const high = i + 2 < raw.length ? hex(raw[i + 1]) : -1;
    const low = i + 2 < raw.length ? hex(raw[i + 2]) : -1;
    if (raw[i] === 0x25 && high >= 0 && low >= 0) {
      out[n++] = high * 16 + low;
      i += 2;
    } else {
      out[n++] = raw[i];
    }
  }
  return out.subarray(0, n);
}

/** One GET with its redirects, within one deadline. */
async function fetchUrl(
  start: string,
  options: FetchOptions,
  source: "https" | "ipfs",
): Promise<Fetched> {
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline;
  let url = start;
  for (let redirects = 0; ; redirects++) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return unsupported(`${JSON.stringify(url.slice(0, 200))} is not a valid URL`);
    }
    if (parsed.protocol !== "https:" && !(parsed.protocol === "http:" && options.allowHttp)) {
      return unsupported(`${parsed.protocol} URLs are not fetched (https: only)`);
    }
    if (parsed.username || parsed.password) {
      return unsupported("URLs with credentials are not fetched");
    }
    const host = parsed.hostname.replace(/^\[|\]$/g, "");
    if (isIP(host) !== 0 && !options.allowPrivateAddresses && !isPublicAddress(host)) {
      return {
        status: "blocked",
        error: `${host} is a non-public address`,
        retryable: false,
      };
    }
    const reply = await get(parsed, options, signal);
    if (reply.kind === "failed") return reply.fetched;
    const { status, headers } = reply;
    if (status >= 300 && status < 400 && headers.location) {
      reply.discard();
      if (redirects >= (options.maxRedirects ?? 3)) {
        return {
          status: "http_error",
          error: `more than ${options.maxRedirects ?? 3} redirects`,
          retryable: false,
        };
      }
      url = new URL(headers.location, parsed).toString();
      continue;
    }
    if (status < 200 || status >= 300) {
      reply.discard();
      const retryable = status === 408 || status === 429 || status >= 500;
      return {
        status: "http_error",
        error: `HTTP ${status} from ${parsed.host}`,
        retryable,
        retryAfterMs: retryAfter(headers["retry-after"]),
      };
    }
    const contentType = (String(headers["content-type"] ?? "").split(";")[0] ?? "")
      .trim()
      .toLowerCase();
    const declared = Number(headers["content-length"]);
    if (Number.isFinite(declared) && declared > options.maxBytes) {
      reply.discard();
      return {
        status: "too_large",
        error: `Content-Length ${declared} is more than the ${options.maxBytes} bytes allowed`,
        retryable: false,
      };
    }
    const body = await reply.read(options.maxBytes);
    if (body.kind === "failed") return body.fetched;
    return { status: "ok", body: body.bytes, contentType, source };
  }
}

type Reply =
  | {
      kind: "reply";
      status: number;
      headers: http.IncomingHttpHeaders;
      discard(): void;
      read(
        max: number,
      ): Promise<{ kind: "body"; bytes: Buffer } | { kind: "failed"; fetched: Fetched }>;
    }
  | { kind: "failed"; fetched: Fetched };

function failure(error: unknown, signal: AbortSignal, host: string): Fetched {
  if (error instanceof BlockedAddressError) {
    return { status: "blocked", error: error.message, retryable: false };
  }
  if (signal.aborted) {
    return { status: "timeout", error: `no complete answer from ${host} in time`, retryable: true };
  }
  const code = (error as { code?: string }).code;
  return {
    status: "network_error",
    error: `${host}: ${code ?? (error as Error).message ?? String(error)}`,
    retryable: true,
  };
}

function get(url: URL, options: FetchOptions, signal: AbortSignal): Promise<Reply> {
  return new Promise((resolve) => {
    const module = url.protocol === "https:" ? https : http;
    const request = module.request(url, {
      method: "GET",
      signal,
      agent: false,
      lookup: options.allowPrivateAddresses ? undefined : publicLookup,
      headers: {
        accept: "application/json, text/plain;q=0.9, */*;q=0.1",
        // No compression: a small compressed body could expand past every cap.
        "accept-encoding": "identity",
        "user-agent": "agora-content-resolver",
      },
    });
    request.on("error", (error) =>
      resolve({ kind: "failed", fetched: failure(error, signal, url.host) }),
    );
    request.on("response", (response) => {
      resolve({
        kind: "reply",
        status: response.statusCode ?? 0,
        headers: response.headers,
        discard: () => response.destroy(),
        read: (max) =>
          new Promise((done) => {
            const chunks: Buffer[] = [];
            let size = 0;
            let settled = false;
            const finish = (
              value: Awaited<ReturnType<Extract<Reply, { kind: "reply" }>["read"]>>,
            ) => {
              if (settled) return;
              settled = true;
              done(value);
            };
            response.on("data", (chunk: Buffer) => {
              size += chunk.length;
              if (size > max) {
                response.destroy();
                finish({
                  kind: "failed",
                  fetched: {
                    status: "too_large",
                    error: `the body is more than the ${max} bytes allowed`,
                    retryable: false,
                    size,
                  },
                });
                return;
              }
              chunks.push(chunk);
            });
            response.on("end", () => finish({ kind: "body", bytes: Buffer.concat(chunks) }));
            response.on("error", (error) =>
              finish({ kind: "failed", fetched: failure(error, signal, url.host) }),
            );
            response.on("close", () => {
              if (!response.complete) {
                finish({
                  kind: "failed",
                  fetched: failure(new Error("connection closed mid-body"), signal, url.host),
                });
              }
            });
          }),
      });
    });
    request.end();
  });
}

function retryAfter(header: string | undefined): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
