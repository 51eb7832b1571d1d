import { xchacha20poly1305 } from "@noble/ciphers/chacha";
import { x25519 } from "@noble/curves/ed25519";
import { hkdf } from "@noble/hashes/hkdf";
import { sha256 } from "@noble/hashes/sha2";
import { randomBytes } from "@noble/hashes/utils";
import type { TypedDataDomain } from "ethers";

/**
 * End-to-end encrypted direct messages (docs/privacy.md). The primitives are the audited
 * `@noble` ones: X25519 key agreement, HKDF-SHA256, XChaCha20-Poly1305. Nothing here is
 * home-made cryptography; this module only fixes how they are put together.
 *
 * Envelope, version 1 (every integer big-endian):
 *
 * | bytes | field                                                    |
 * | ----- | -------------------------------------------------------- |
 * | 1     | envelope version, `0x01`                                 |
 * | 4     | the sender's key version                                 |
 * | 4     | the recipient's key version                              |
 * | 24    | XChaCha20 nonce, random                                  |
 * | n+16  | XChaCha20-Poly1305 of the padded plaintext, with its tag |
 *
 * The padded plaintext is a 2-byte length, the UTF-8 text, and zeros up to a multiple of
 * `PADDING_BLOCK` bytes, so that a ciphertext's size tells only roughly how long a message is.
 *
 * Key: `HKDF-SHA256(ikm = X25519(own secret, other public), salt = "agora-dm-v1",
 * info = fromId (32 bytes) || toId (32 bytes) || sender public key || recipient public key)`.
 * Both parties compute the same key, so the sender can read its own sent messages again.
 * The additional data is the envelope's first 9 bytes followed by fromId and toId (32 bytes
 * each): a ciphertext moved to another pair of profiles, or relabelled with other key
 * versions, fails to open.
 */

export const ENVELOPE_VERSION = 1;
/** Bytes before the sealed plaintext: version, two key versions, nonce. */
export const ENVELOPE_HEADER_LENGTH = 1 + 4 + 4 + 24;
/** The Poly1305 tag. */
export const TAG_LENGTH = 16;
/** Padded plaintexts are a multiple of this many bytes. */
export const PADDING_BLOCK = 64;
/** The contract's limit on a ciphertext (`Messaging.MAX_CIPHERTEXT_LENGTH`). */
export const MAX_CIPHERTEXT_LENGTH = 4096;
/** The longest text, in UTF-8 bytes, that fits one message. */
export const MAX_PLAINTEXT_BYTES =
  Math.floor((MAX_CIPHERTEXT_LENGTH - ENVELOPE_HEADER_LENGTH - TAG_LENGTH) / PADDING_BLOCK) *
    PADDING_BLOCK -
  2;

const KEY_SALT = utf8("agora-dm-v1");
const SIGNATURE_KEY_SALT = utf8("agora-messaging-key-v1");

/** An X25519 key pair. The secret never leaves the user's device; only `publicKey` goes on chain. */
export interface MessagingKeyPair {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
}

/** Why a message could not be opened. */
export class MessagingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MessagingError";
  }
}

/** A fresh random key pair: the user must store the secret key themselves (e.g. a backup file). */
export function randomMessagingKeyPair(): MessagingKeyPair {
  return keyPairFromSecret(x25519.utils.randomPrivateKey());
}

/** The key pair of an X25519 secret key (32 bytes). */
export function keyPairFromSecret(secretKey: Uint8Array): MessagingKeyPair {
  if (secretKey.length !== 32) throw new MessagingError("a messaging secret key is 32 bytes");
  return { secretKey, publicKey: x25519.getPublicKey(secretKey) };
}

/** What the wallet signs to derive a profile's messaging key number `keyVersion`. */
export function keyDerivationMessage(params: {
  profileId: bigint;
  keyVersion: bigint;
  chainId: bigint | number;
  messaging: string;
}): string {
  return [
    "Agora messaging key",
    "",
    "Sign this only in an app you trust with your direct messages: the signature is the",
    "secret key that reads them.",
    "",
    `Profile: ${params.profileId}`,
    `Key version: ${params.keyVersion}`,
    `Chain: ${params.chainId}`,
    `Contract: ${params.messaging.toLowerCase()}`,
  ].join("\n");
}

/**
 * The key pair derived from the wallet's signature (EIP-191 `personal_sign`) of
 * `keyDerivationMessage`: `secret = HKDF-SHA256(signature bytes, "agora-messaging-key-v1",
 * "x25519")`. Deterministic for wallets that sign deterministically (RFC 6979 ECDSA: every
 * externally owned account in common wallets), so the same wallet finds the same key on any
 * device. A smart wallet whose signatures vary must use a random key pair instead.
 */
export function keyPairFromSignature(signature: string | Uint8Array): MessagingKeyPair {
  const bytes = typeof signature === "string" ? hexToBytes(signature) : signature;
  if (bytes.length < 64) throw new MessagingError("a wallet signature is at least 64 bytes");
  return keyPairFromSecret(hkdf(sha256, bytes, SIGNATURE_KEY_SALT, utf8("x25519"), 32));
}

/** Who writes to whom with which keys: what both sides must agree on to share a message key. */
export interface MessageParties {
  fromId: bigint;
  toId: bigint;
  senderPublicKey: Uint8Array;
  senderKeyVersion: number;
  recipientPublicKey: Uint8Array;
  recipientKeyVersion: number;
}

/** Encrypts `text` from `parties.fromId` (whose secret key is `senderSecretKey`). */
export function encryptMessage(
  text: string,
  senderSecretKey: Uint8Array,
  parties: MessageParties,
  nonce: Uint8Array = randomBytes(24),
): Uint8Array {
  const body = utf8(text);
  if (body.length > MAX_PLAINTEXT_BYTES)
    throw new MessagingError(`a message is at most ${MAX_PLAINTEXT_BYTES} bytes of UTF-8`);
  if (nonce.length !== 24) throw new MessagingError("the nonce is 24 bytes");
  const padded = new Uint8Array(Math.ceil((body.length + 2) / PADDING_BLOCK) * PADDING_BLOCK);
  padded[0] = body.length >> 8;
  padded[1] = body.length & 0xff;
  padded.set(body, 2);
  const header = new Uint8Array(ENVELOPE_HEADER_LENGTH);
  header[0] = ENVELOPE_VERSION;
  writeUint32(header, 1, parties.senderKeyVersion);
  writeUint32(header, 5, parties.recipientKeyVersion);
  header.set(nonce, 9);
  const key = messageKey(senderSecretKey, parties.recipientPublicKey, parties);
  const sealed = xchacha20poly1305(key, nonce, additionalData(header, parties)).encrypt(padded);
  return concat(header, sealed);
}

/** The envelope's clear header: which keys a reader needs. */
export interface EnvelopeHeader {
  version: number;
  senderKeyVersion: number;
  recipientKeyVersion: number;
}

/** Reads the clear header of a ciphertext; throws on anything that is not a version 1 envelope. */
export function readEnvelopeHeader(ciphertext: Uint8Array): EnvelopeHeader {
  if (ciphertext.length < ENVELOPE_HEADER_LENGTH + TAG_LENGTH + PADDING_BLOCK)
    throw new MessagingError("the ciphertext is too short to be an envelope");
  if (ciphertext[0] !== ENVELOPE_VERSION)
    throw new MessagingError(`unknown envelope version ${ciphertext[0]}`);
  return {
    version: ciphertext[0],
    senderKeyVersion: readUint32(ciphertext, 1),
    recipientKeyVersion: readUint32(ciphertext, 5),
  };
}

/**
 * Opens `ciphertext` with `ownSecretKey`, the secret key of either party (the one whose public
 * key is in `parties` at its side). Throws a `MessagingError` when the ciphertext was altered,
 * belongs to other parties or keys, or the secret key is not one of theirs.
 */
export function decryptMessage(
  ciphertext: Uint8Array,
  ownSecretKey: Uint8Array,
  parties: MessageParties,
): string {
  const header = readEnvelopeHeader(ciphertext);
  if (
    header.senderKeyVersion !== parties.senderKeyVersion ||
    header.recipientKeyVersion !== parties.recipientKeyVersion
  )
    throw new MessagingError("the envelope names other key versions than the parties given");
  const ownPublic = x25519.getPublicKey(ownSecretKey);
  let otherPublic: Uint8Array;
  if (equal(ownPublic, parties.senderPublicKey)) otherPublic = parties.recipientPublicKey;
  else if (equal(ownPublic, parties.recipientPublicKey)) otherPublic = parties.senderPublicKey;
  else throw new MessagingError("the secret key belongs to neither party of this message");
  const headerBytes = ciphertext.subarray(0, ENVELOPE_HEADER_LENGTH);
  const nonce = ciphertext.subarray(9, ENVELOPE_HEADER_LENGTH);
  const key = messageKey(ownSecretKey, otherPublic, parties);
  let padded: Uint8Array;
  try {
    padded = xchacha20poly1305(key, nonce, additionalData(headerBytes, parties)).decrypt(
      ciphertext.subarray(ENVELOPE_HEADER_LENGTH),
    );
  } catch {
    throw new MessagingError(
      "the ciphertext does not authenticate: altered, or not for these keys",
    );
  }
  const length = (padded[0] << 8) | padded[1];
  if (length + 2 > padded.length) throw new MessagingError("the padded length is out of range");
  return new TextDecoder("utf-8", { fatal: true }).decode(padded.subarray(2, 2 + length));
}

function messageKey(
  ownSecretKey: Uint8Array,
  otherPublicKey: Uint8Array,
  parties: MessageParties,
): Uint8Array {
  let shared: Uint8Array;
  try {
    shared = x25519.getSharedSecret(ownSecretKey, otherPublicKey);
  } catch {
    throw new MessagingError("the public key is not a usable X25519 key");
  }
  if (shared.every((byte) => byte === 0))
    throw new MessagingError("the public key is not a usable X25519 key");
  const info = concat(
    uint256(parties.fromId),
    uint256(parties.toId),
    parties.senderPublicKey,
    parties.recipientPublicKey,
  );
  return hkdf(sha256, shared, KEY_SALT, info, 32);
}

function additionalData(header: Uint8Array, parties: MessageParties): Uint8Array {
  return concat(header.subarray(0, 9), uint256(parties.fromId), uint256(parties.toId));
}

// ------------------------------------------------------------------------ key publication

export const MESSAGING_DOMAIN_NAME = "Agora Messaging";
export const MESSAGING_DOMAIN_VERSION = "1";

/** The EIP-712 domain of the Messaging contract at `verifyingContract`. */
export function messagingDomain(
  chainId: bigint | number,
  verifyingContract: string,
): TypedDataDomain {
  return {
    name: MESSAGING_DOMAIN_NAME,
    version: MESSAGING_DOMAIN_VERSION,
    chainId,
    verifyingContract,
  };
}

/** The signed key publication, field for field as the contract's typehash. */
export const PUBLISH_KEY_TYPES = {
  PublishKey: [
    { name: "profileId", type: "uint256" },
    { name: "publicKey", type: "bytes" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

export interface PublishKeyMessage {
  profileId: bigint;
  publicKey: string;
  nonce: bigint;
  deadline: bigint;
}

// ------------------------------------------------------------------------ bytes

/** `0x`-prefixed lowercase hex of `bytes`. */
export function bytesToHex(bytes: Uint8Array): string {
  return "0x" + Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** The bytes of a `0x`-prefixed (or bare) even-length hex string. */
export function hexToBytes(hex: string): Uint8Array {
  const digits = hex.startsWith("0x") ? hex.slice(2) : hex;
  if (digits.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(digits))
    throw new MessagingError("not a hex string of whole bytes");
  const bytes = new Uint8Array(digits.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function uint256(value: bigint): Uint8Array {
  if (value < 0n || value >= 1n << 256n) throw new MessagingError("a profile id is a uint256");
  return hexToBytes(value.toString(16).padStart(64, "0"));
}

function writeUint32(target: Uint8Array, offset: number, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff)
    throw new MessagingError("a key version is a 32-bit unsigned integer");
  new DataView(target.buffer, target.byteOffset).setUint32(offset, value);
}

function readUint32(source: Uint8Array, offset: number): number {
  return new DataView(source.buffer, source.byteOffset).getUint32(offset);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
