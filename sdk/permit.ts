/**
 * EIP-2612 permits: a holder's signed approval, as Agora's creator coins, its governance token
 * and any OpenZeppelin `ERC20Permit` token take it (domain version "1", the token's name as the
 * domain name). The tip jar pulls a tip with one (`tipTokenWithPermit`); docs/signing.md shows
 * each use.
 */
import type { TypedDataDomain, TypedDataField, TypedDataSigner } from "./handles";

/** The `Permit` struct, field for field as ERC20Permit's typehash. */
export const PERMIT_TYPES = {
  Permit: [
    { name: "owner", type: "address" },
    { name: "spender", type: "address" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
} as const;

export interface PermitMessage {
  owner: string;
  spender: string;
  value: bigint;
  /** The token's `nonces(owner)`. */
  nonce: bigint;
  /** Unix seconds, compared with the block's timestamp: count it from the chain's time. */
  deadline: bigint;
}

/** The three arguments of ethers v6 `signer.signTypedData(domain, types, value)` for a permit. */
export function permitTypedData(
  token: { name: string; address: string },
  chainId: bigint | number,
  message: PermitMessage,
): {
  domain: TypedDataDomain;
  types: Record<string, TypedDataField[]>;
  value: PermitMessage;
} {
  return {
    domain: { name: token.name, version: "1", chainId, verifyingContract: token.address },
    types: { Permit: PERMIT_TYPES.Permit.map((field) => ({ ...field })) },
    value: message,
  };
}

/** Signs a permit of `token` with `signer` (ethers v6); split it into v, r, s for `permit`. */
export function signPermit(
  signer: TypedDataSigner,
  token: { name: string; address: string },
  chainId: bigint | number,
  message: PermitMessage,
): Promise<string> {
  const data = permitTypedData(token, chainId, message);
  return signer.signTypedData(data.domain, data.types, { ...data.value });
}
