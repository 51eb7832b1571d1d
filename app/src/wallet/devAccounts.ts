import { mnemonicToAccount, type HDAccount } from "viem/accounts";

/**
 * The accounts of the local devnet: Hardhat's built-in mnemonic, the one every Hardhat node
 * starts with and the demo seed uses. Public knowledge, worthless anywhere but a local chain.
 * Loaded only on the devnet (this module is its own chunk).
 */
const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";

/** The seed's 24 demo people use accounts 0-23; 24-29 start empty, for a newcomer's first steps. */
export const DEV_ACCOUNT_COUNT = 30;

const cache = new Map<number, HDAccount>();

export function devAccount(index: number): HDAccount {
  let account = cache.get(index);
  if (!account) {
    account = mnemonicToAccount(HARDHAT_MNEMONIC, { addressIndex: index });
    cache.set(index, account);
  }
  return account;
}
