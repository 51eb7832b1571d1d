/**
 * Agora handle rules, post ids and the EIP-712 messages of the ProfileRegistry's signed actions.
 * This module mirrors the contract exactly: apps validate, compute ids and sign with it, and the
 * test suite checks it against the deployed contract.
 */

/**
 * An EIP-712 domain, as ethers v6 and viem take it. Declared here rather than imported from
 * ethers so that the indexer and the API, which import this module, run without ethers.
 */
export interface TypedDataDomain {
  name?: string | null;
  version?: string | null;
  chainId?: bigint | number | string | null;
  verifyingContract?: string | null;
  salt?: string | Uint8Array | null;
}

/** One field of an EIP-712 struct type. */
export interface TypedDataField {
  name: string;
  type: string;
}

export const HANDLE_MIN_LENGTH = 3;
export const HANDLE_MAX_LENGTH = 25;

const HANDLE_PATTERN = /^[a-z0-9][a-z0-9_]{2,24}$/;

/**
 * Whether `handle` is well formed: 3-25 characters of [a-z0-9_], not starting with `_`.
 * Nothing is rewritten: `Alice` is invalid, not `alice`. Availability is not checked.
 */
export function isValidHandle(handle: string): boolean {
  return HANDLE_PATTERN.test(handle);
}

// The ProfileRegistry's fixed periods, in seconds. The times they produce travel in its events,
// views and errors; apps use these to say beforehand how long something will take.

/** A change of the recovery address in force waits this long; so does accepting an owner's
 * transfer offer while a recovery address is in force. */
export const RECOVERY_DELAY_SECONDS = 3 * 24 * 60 * 60;
/** A recovery offer stays open this long. */
export const RECOVERY_OFFER_PERIOD_SECONDS = 7 * 24 * 60 * 60;
/** A handle a profile gives up stays reserved for that profile this long. */
export const HANDLE_COOLDOWN_SECONDS = 30 * 24 * 60 * 60;
/** The largest offer expiry the registry stores (2^40 - 1): anything later means never. */
export const OFFER_EXPIRY_NEVER = (1n << 40n) - 1n;

const SEQUENCE_BITS = 64n;
const SEQUENCE_MASK = (1n << SEQUENCE_BITS) - 1n;
const MAX_AUTHOR_ID = (1n << (256n - SEQUENCE_BITS)) - 1n;

/** The id of the author's `sequence`-th post (counted from 1): `authorId << 64 | sequence`. */
export function postIdOf(authorId: bigint, sequence: bigint): bigint {
  if (authorId < 1n || authorId > MAX_AUTHOR_ID) {
    throw new RangeError(`author id ${authorId} is outside 1..2^192-1`);
  }
  if (sequence < 1n || sequence > SEQUENCE_MASK) {
    throw new RangeError(`post sequence ${sequence} is outside 1..2^64-1`);
  }
  return (authorId << SEQUENCE_BITS) | sequence;
}

/** The profile id of the post's author (the high 192 bits of the id). */
export function authorOfPost(postId: bigint): bigint {
  return postId >> SEQUENCE_BITS;
}

/** The post's position among its author's posts, from 1 (the low 64 bits of the id). */
export function sequenceOfPost(postId: bigint): bigint {
  return postId & SEQUENCE_MASK;
}

export const AGORA_DOMAIN_NAME = "Agora";
export const AGORA_DOMAIN_VERSION = "1";

/** The EIP-712 domain of the ProfileRegistry at `verifyingContract` on `chainId`. */
export function agoraDomain(chainId: bigint | number, verifyingContract: string): TypedDataDomain {
  return {
    name: AGORA_DOMAIN_NAME,
    version: AGORA_DOMAIN_VERSION,
    chainId,
    verifyingContract,
  };
}

/** The signed message types, field for field as the contract's typehashes. */
export const AGORA_TYPES = {
  Register: [
    { name: "owner", type: "address" },
    { name: "handle", type: "string" },
    { name: "metadataURI", type: "string" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
  Update: [
    { name: "profileId", type: "uint256" },
    { name: "handle", type: "string" },
    { name: "metadataURI", type: "string" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
  AcceptProfile: [
    { name: "profileId", type: "uint256" },
    { name: "to", type: "address" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
  Post: [
    { name: "authorId", type: "uint256" },
    { name: "contentURI", type: "string" },
    { name: "parentId", type: "uint256" },
    { name: "quotedId", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
  Follow: [
    { name: "profileId", type: "uint256" },
    { name: "targetId", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
  Unfollow: [
    { name: "profileId", type: "uint256" },
    { name: "targetId", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
  React: [
    { name: "profileId", type: "uint256" },
    { name: "postId", type: "uint256" },
    { name: "kind", type: "uint8" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
} as const satisfies Record<string, readonly TypedDataField[]>;

export type AgoraPrimaryType = keyof typeof AGORA_TYPES;

/** `nonce` is the signer's `nonces(owner)`; `deadline` is a unix time in seconds, inclusive. */
interface Signed {
  nonce: bigint;
  deadline: bigint;
}

export interface RegisterMessage extends Signed {
  owner: string;
  handle: string;
  metadataURI: string;
}

/** An empty `handle` or `metadataURI` leaves that field unchanged. */
export interface UpdateMessage extends Signed {
  profileId: bigint;
  handle: string;
  metadataURI: string;
}

/**
 * Signed by `to`, the address a recovery moves the profile to: its consent, which the recovery
 * address submits with `recoverWithSignature`. `nonce` is `nonces(to)`.
 */
export interface AcceptProfileMessage extends Signed {
  profileId: bigint;
  to: string;
}

/** `parentId` and `quotedId` are 0 when the post is not a reply or not a quote. */
export interface PostMessage extends Signed {
  authorId: bigint;
  contentURI: string;
  parentId: bigint;
  quotedId: bigint;
}

export interface FollowMessage extends Signed {
  profileId: bigint;
  targetId: bigint;
}

export type UnfollowMessage = FollowMessage;

/** `kind` 1 is a like, 0 removes the reaction. */
export interface ReactMessage extends Signed {
  profileId: bigint;
  postId: bigint;
  kind: number;
}

export interface AgoraMessages {
  Register: RegisterMessage;
  Update: UpdateMessage;
  AcceptProfile: AcceptProfileMessage;
  Post: PostMessage;
  Follow: FollowMessage;
  Unfollow: UnfollowMessage;
  React: ReactMessage;
}

/** The three arguments of ethers v6 `signer.signTypedData(domain, types, value)`. */
export interface AgoraTypedData<T extends AgoraPrimaryType> {
  domain: TypedDataDomain;
  types: Record<string, TypedDataField[]>;
  primaryType: T;
  value: AgoraMessages[T];
}

/** The typed data of one signed action, with only its own type so ethers finds the primary type. */
export function agoraTypedData<T extends AgoraPrimaryType>(
  domain: TypedDataDomain,
  primaryType: T,
  value: AgoraMessages[T],
): AgoraTypedData<T> {
  const fields = AGORA_TYPES[primaryType].map((field) => ({ ...field }));
  return { domain, types: { [primaryType]: fields }, primaryType, value };
}

/** Anything that signs EIP-712 data the ethers v6 way (a `Signer`, a `Wallet`). */
export interface TypedDataSigner {
  signTypedData(
    domain: TypedDataDomain,
    types: Record<string, TypedDataField[]>,
    value: Record<string, unknown>,
  ): Promise<string>;
}

/** Signs `data` with `signer`; the result is the `signature` argument of the `...For` call. */
export function signAgora<T extends AgoraPrimaryType>(
  signer: TypedDataSigner,
  data: AgoraTypedData<T>,
): Promise<string> {
  return signer.signTypedData(data.domain, data.types, { ...data.value });
}
