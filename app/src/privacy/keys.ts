import { useSyncExternalStore } from "react";
import type { Address } from "viem";
import { signMessage } from "wagmi/actions";
import {
  keyDerivationMessage,
  keyPairFromSignature,
  type MessagingKeyPair,
} from "../../../sdk/messaging";
import { wagmiConfig } from "../chain";
import { config } from "../config";

/**
 * Messaging secret keys live only in this tab's memory. Each is derived from the wallet's
 * signature of `keyDerivationMessage` (sdk/messaging.ts), so nothing is ever stored or sent:
 * the same wallet derives the same key again on any device, and a reload forgets it.
 */
const unlocked = new Map<string, MessagingKeyPair>();
const listeners = new Set<() => void>();
let generation = 0;

const slot = (profileId: string, keyVersion: bigint | number | string) =>
  `${profileId}:${String(keyVersion)}`;

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Re-renders when a key is unlocked; returns a reader of the unlocked keys. */
export function useUnlockedKeys(): (
  profileId: string,
  keyVersion: bigint | number | string,
) => MessagingKeyPair | undefined {
  useSyncExternalStore(subscribe, () => generation);
  return (profileId, keyVersion) => unlocked.get(slot(profileId, keyVersion));
}

/** Asks the wallet to sign the derivation message of key `keyVersion` and keeps the key pair. */
export async function unlockKey(
  account: Address,
  profileId: string,
  keyVersion: bigint,
): Promise<MessagingKeyPair> {
  const signature = await signMessage(wagmiConfig, {
    account,
    message: keyDerivationMessage({
      profileId: BigInt(profileId),
      keyVersion,
      chainId: config.chainId,
      messaging: config.contracts.Messaging.address,
    }),
  });
  const pair = keyPairFromSignature(signature);
  unlocked.set(slot(profileId, keyVersion), pair);
  generation += 1;
  for (const listener of listeners) listener();
  return pair;
}
