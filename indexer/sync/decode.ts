import { decodeEventLog, toEventSelector, type AbiEvent, type AbiParameter, type Hex } from "viem";
import type { RpcLog } from "./rpc";

/**
 * Longest display text kept for a string argument, in UTF-8 bytes. Longer strings keep every
 * byte in `DecodedString.bytes`; their text is cut at the last whole character within this.
 */
export const DISPLAY_TEXT_MAX_BYTES = 65_536;

/**
 * A `string` argument of an event. Solidity never checks that a string is UTF-8: its bytes are
 * whatever the sender put in calldata (NUL, invalid or overlong sequences, encoded surrogates,
 * megabytes), and Postgres' `text` refuses NUL and invalid UTF-8. So a string is kept as a
 * display text, plus its exact bytes only when the text is not them:
 *
 * - `text`, the display text: the bytes decoded as UTF-8 with each invalid sequence (each
 *   maximal ill-formed subpart, as the WHATWG decoder does) and each NUL replaced by U+FFFD,
 *   then cut to at most DISPLAY_TEXT_MAX_BYTES bytes at a character boundary. Always valid
 *   UTF-8 without NUL.
 * - `bytes`, the exact bytes, only when `text` is not their exact rendering; null otherwise.
 *
 * So the bytes on chain are always `bytes ?? utf8(text)` (`raw()`).
 */
export class DecodedString {
  constructor(
    readonly text: string,
    readonly bytes: Buffer | null,
  ) {}

  /** The exact bytes the event carried. */
  raw(): Buffer {
    return this.bytes ?? Buffer.from(this.text, "utf8");
  }
}

/**
 * A decoded argument: uint/int as bigint, address and bytes as lowercase hex, bool, a string as
 * a DecodedString; an array as an array of its elements, a tuple (struct) as an object keyed by
 * component name.
 */
export type DecodedValue =
  | bigint
  | string
  | boolean
  | DecodedString
  | readonly DecodedValue[]
  | { readonly [component: string]: DecodedValue };

export interface DecodedLog {
  contract: string;
  /** The emitting contract's address, lowercase (tells apart the children of one factory). */
  address: string;
  event: string;
  args: Record<string, DecodedValue>;
  blockNumber: bigint;
  blockHash: string;
  /** Block timestamp, in seconds. */
  timestamp: bigint;
  txHash: string;
  logIndex: number;
}

type WordDecoder = (word: string) => DecodedValue;

/** Decodes a log of one known event; throws DecodeError when the log does not fit its layout. */
export type EventDecoder = (log: RpcLog) => Record<string, DecodedValue>;

export class DecodeError extends Error {}

const replacingDecoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

/** The display text of `bytes` (see DecodedString): U+FFFD for what is not text, then the cap. */
export function displayText(bytes: Uint8Array): string {
  let text = replacingDecoder.decode(bytes);
  if (text.includes("\0")) text = text.replaceAll("\0", "\uFFFD");
  if (Buffer.byteLength(text, "utf8") <= DISPLAY_TEXT_MAX_BYTES) return text;
  const encoded = Buffer.from(text, "utf8");
  let end = DISPLAY_TEXT_MAX_BYTES;
  // Back up over continuation bytes (10xxxxxx) to the first byte of the character cut through.
  while ((encoded[end] & 0xc0) === 0x80) end--;
  return encoded.toString("utf8", 0, end);
}

const strictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The text of `bytes` if it is their exact rendering (well-formed, no NUL, within the cap). */
function exactText(bytes: Buffer): string | null {
  if (bytes.length > DISPLAY_TEXT_MAX_BYTES) return null;
  let text: string;
  try {
    text = strictDecoder.decode(bytes);
  } catch {
    return null;
  }
  return text.includes("\0") ? null : text;
}

/**
 * The bytes of a string argument as a DecodedString. The common case (well-formed UTF-8, no
 * NUL, within the cap) is one strict decoding that validates as it goes, and keeps no copy.
 */
export function decodeString(bytes: Buffer): DecodedString {
  const text = exactText(bytes);
  return text === null
    ? new DecodedString(displayText(bytes), bytes)
    : new DecodedString(text, null);
}

function staticWordDecoder(param: AbiParameter, eventName: string): WordDecoder {
  const type = param.type;
  if (type === "address") return (word) => "0x" + word.slice(24);
  if (type === "bool") return (word) => word.charCodeAt(63) === 49; // "1"
  if (/^uint\d*$/.test(type)) return (word) => BigInt("0x" + word);
  if (/^int\d*$/.test(type)) {
    return (word) => BigInt.asIntN(256, BigInt("0x" + word));
  }
  const bytesN = /^bytes(\d+)$/.exec(type);
  if (bytesN) {
    const size = Number(bytesN[1]);
    return (word) => "0x" + word.slice(0, size * 2);
  }
  throw new DecodeError(
    `event ${eventName}: parameter type ${type} is not supported by the decoder`,
  );
}

function isDynamic(type: string): boolean {
  return type === "string" || type === "bytes";
}

/** Whether the fast decoder handles the type: one 32-byte word, or a string or bytes. */
function isFastType(type: string): boolean {
  return (
    isDynamic(type) ||
    type === "address" ||
    type === "bool" ||
    /^u?int\d*$/.test(type) ||
    /^bytes\d+$/.test(type)
  );
}

/**
 * Brings a value decoded by viem to the DecodedValue conventions: integers as bigint (viem gives
 * `number` up to 48 bits), addresses and bytes as lowercase hex, tuples as objects.
 */
function normalize(param: AbiParameter, value: unknown, eventName: string): DecodedValue {
  const type = param.type;
  const array = /^(.*)\[\d*\]$/.exec(type);
  if (array) {
    const element = { ...param, type: array[1] } as AbiParameter;
    return (value as readonly unknown[]).map((item) => normalize(element, item, eventName));
  }
  if (type === "tuple") {
    const components = (param as { components: readonly AbiParameter[] }).components;
    const out: Record<string, DecodedValue> = {};
    components.forEach((component, i) => {
      const name = component.name;
      if (!name) throw new DecodeError(`event ${eventName}: every tuple component needs a name`);
      // viem gives named tuples as objects; index as a fallback keeps the order authoritative.
      const raw = Array.isArray(value) ? value[i] : (value as Record<string, unknown>)[name];
      out[name] = normalize(component, raw, eventName);
    });
    return out;
  }
  // Strings were decoded as bytes (see withStringsAsBytes): hex, never a lossy JS string.
  if (type === "string") return decodeString(hexBytes((value as string).slice(2), eventName));
  if (type === "bool") return value as boolean;
  if (/^u?int\d*$/.test(type)) return BigInt(value as number | bigint);
  if (type === "address" || /^bytes\d*$/.test(type)) return (value as string).toLowerCase();
  throw new DecodeError(
    `event ${eventName}: parameter type ${type} is not supported by the decoder`,
  );
}

/** The bytes of hex digits (no 0x); malformed digits are a DecodeError, never a short read. */
function hexBytes(digits: string, where: string): Buffer {
  const bytes = Buffer.from(digits, "hex");
  if (bytes.length * 2 !== digits.length) throw new DecodeError(`${where}: malformed hex`);
  return bytes;
}

/** The same parameter with every `string` in it (in arrays and tuples too) read as `bytes`. */
function withStringsAsBytes(param: AbiParameter): AbiParameter {
  const type = param.type.replace(/^string(?=$|\[)/, "bytes");
  const components = (param as { components?: readonly AbiParameter[] }).components;
  return components
    ? ({ ...param, type, components: components.map(withStringsAsBytes) } as AbiParameter)
    : ({ ...param, type } as AbiParameter);
}

/**
 * The decoder for events with arrays or tuples among their parameters: viem's general decoder,
 * normalized to the fast decoder's conventions. Such events (governance proposals, allocation
 * changes) are rare, so the general decoder's cost does not matter.
 *
 * viem would decode a string into a JS string, losing what is not UTF-8; so the event is decoded
 * as its twin with every string read as bytes (the ABI encoding of the two is the same), under
 * the twin's selector.
 */
function compileGeneralDecoder(event: AbiEvent): EventDecoder {
  const twin = { ...event, inputs: event.inputs.map(withStringsAsBytes) } as AbiEvent;
  const abi = [twin] as const;
  const twinSelector = toEventSelector(twin) as Hex;
  const expectedTopics = 1 + event.inputs.filter((input) => input.indexed).length;
  return (log) => {
    if (log.topics.length !== expectedTopics) {
      throw new DecodeError(
        `${event.name}: expected ${expectedTopics} topics, got ${log.topics.length}`,
      );
    }
    let decoded: { args?: unknown };
    try {
      decoded = decodeEventLog({
        abi,
        data: log.data as Hex,
        topics: [twinSelector, ...(log.topics.slice(1) as Hex[])],
        strict: true,
      });
    } catch (error) {
      throw new DecodeError(`${event.name}: ${(error as Error).message.split("\n")[0]}`);
    }
    const raw = decoded.args as Record<string, unknown>;
    const args: Record<string, DecodedValue> = {};
    for (const input of event.inputs) {
      const name = input.name!;
      // An indexed dynamic value (string, bytes, array, tuple) is only its hash in the topic:
      // viem gives the 32-byte topic, as the fast path does.
      args[name] =
        input.indexed && (isDynamic(input.type) || !isFastType(input.type))
          ? (raw[name] as string).toLowerCase()
          : normalize(input, raw[name], event.name);
    }
    return args;
  };
}

/**
 * Compiles a decoder for one event. Addresses come out lowercase and are never checksummed:
 * checksumming (keccak per address) is what makes general-purpose decoders slow. Events whose
 * parameters are all single words, strings or bytes take the fast path; events with arrays or
 * tuples fall back to viem's decoder, for that event only.
 */
export function compileEventDecoder(event: AbiEvent): EventDecoder {
  for (const input of event.inputs) {
    if (!input.name) throw new DecodeError(`event ${event.name}: every parameter needs a name`);
  }
  if (!event.inputs.every((input) => isFastType(input.type))) {
    return compileGeneralDecoder(event);
  }
  const indexed: { name: string; decode: WordDecoder | null; topic: number }[] = [];
  const data: { name: string; type: string; decode: WordDecoder | null; slot: number }[] = [];
  let topic = 1;
  let slot = 0;
  for (const input of event.inputs) {
    const name = input.name ?? "";
    if (!name) throw new DecodeError(`event ${event.name}: every parameter needs a name`);
    if (input.indexed) {
      // Indexed dynamic values are stored as their hash: keep the 32-byte topic.
      indexed.push({
        name,
        decode: isDynamic(input.type) ? null : staticWordDecoder(input, event.name),
        topic: topic++,
      });
    } else {
      data.push({
        name,
        type: input.type,
        decode: isDynamic(input.type) ? null : staticWordDecoder(input, event.name),
        slot: slot++,
      });
    }
  }
  const expectedTopics = topic;

  return (log) => {
    if (log.topics.length !== expectedTopics) {
      throw new DecodeError(
        `${event.name}: expected ${expectedTopics} topics, got ${log.topics.length}`,
      );
    }
    const hex = log.data.startsWith("0x") ? log.data.slice(2) : log.data;
    if (hex.length < data.length * 64) throw new DecodeError(`${event.name}: data too short`);
    const args: Record<string, DecodedValue> = {};
    for (const p of indexed) {
      const word = log.topics[p.topic].slice(2).toLowerCase();
      args[p.name] = p.decode ? p.decode(word) : "0x" + word;
    }
    for (const p of data) {
      const word = hex.slice(p.slot * 64, p.slot * 64 + 64);
      if (p.decode) {
        args[p.name] = p.decode(word.toLowerCase());
        continue;
      }
      const offset = Number.parseInt(word, 16) * 2;
      const length = Number.parseInt(hex.slice(offset, offset + 64), 16) * 2;
      if (!Number.isFinite(offset) || offset + 64 + length > hex.length) {
        throw new DecodeError(`${event.name}.${p.name}: dynamic value out of bounds`);
      }
      const body = hex.slice(offset + 64, offset + 64 + length);
      args[p.name] =
        p.type === "string"
          ? decodeString(hexBytes(body, `${event.name}.${p.name}`))
          : "0x" + body.toLowerCase();
    }
    return args;
  };
}

export interface ContractEvents {
  contract: string;
  address: string;
  events: readonly AbiEvent[];
}

/** Decodes raw logs; `timestampOf` gives the timestamp of a log's block. */
export interface LogDecoder {
  (logs: RpcLog[], timestampOf: (blockNumber: bigint) => bigint): DecodedLog[];
  /**
   * Routes the logs of one more address from now on (a factory's child). Idempotent; the
   * events' decoders are compiled once and shared by every address that uses them.
   */
  addContract(contract: ContractEvents): void;
  /** Stops routing the logs of `address`. */
  removeAddress(address: string): void;
}

/**
 * Routes each raw log by (address, topic0) to its precompiled decoder. Logs of events the
 * handlers do not know are skipped. Addresses can be added and removed at runtime.
 */
export function createLogDecoder(contracts: readonly ContractEvents[]): LogDecoder {
  type Route = { contract: string; event: string; decode: EventDecoder };
  /** address -> topic0 -> route */
  const routes = new Map<string, Map<string, Route>>();
  const compiled = new Map<AbiEvent, { selector: string; decode: EventDecoder }>();
  const addContract = ({ contract, address, events }: ContractEvents) => {
    const own = new Map<string, Route>();
    for (const event of events) {
      let entry = compiled.get(event);
      if (!entry) {
        entry = { selector: toEventSelector(event), decode: compileEventDecoder(event) };
        compiled.set(event, entry);
      }
      own.set(entry.selector, { contract, event: event.name, decode: entry.decode });
    }
    routes.set(address.toLowerCase(), own);
  };
  for (const contract of contracts) addContract(contract);
  const decode = (logs: RpcLog[], timestampOf: (blockNumber: bigint) => bigint) => {
    const out: DecodedLog[] = [];
    for (const log of logs) {
      if (log.removed || log.topics.length === 0) continue;
      const address = log.address.toLowerCase();
      const route = routes.get(address)?.get(log.topics[0].toLowerCase());
      if (!route) continue;
      const blockNumber = BigInt(log.blockNumber);
      out.push({
        contract: route.contract,
        address,
        event: route.event,
        args: route.decode(log),
        blockNumber,
        blockHash: log.blockHash.toLowerCase(),
        timestamp: timestampOf(blockNumber),
        txHash: log.transactionHash.toLowerCase(),
        logIndex: Number.parseInt(log.logIndex, 16),
      });
    }
    return out;
  };
  return Object.assign(decode, {
    addContract,
    removeAddress: (address: string) => void routes.delete(address.toLowerCase()),
  });
}
