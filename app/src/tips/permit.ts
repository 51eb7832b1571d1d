import { parseSignature, type Address } from "viem";
import { getBlock, readContract, signTypedData } from "wagmi/actions";
import { wagmiConfig } from "../chain";
import { config } from "../config";
import { ABIS } from "../contracts";
import { PERMIT_TYPES } from "../../../sdk/permit";

/** How long a tip's permit signature stays valid, in seconds of chain time. */
const PERMIT_SECONDS = 3600n;

/**
 * The tip jar's pull of `amount` of a creator coin, signed as an EIP-2612 permit
 * (docs/signing.md): the tip then needs one transaction instead of approve + tip.
 */
export async function signTipPermit(owner: Address, coin: Address, amount: bigint) {
  const [name, nonce, block] = await Promise.all([
    readContract(wagmiConfig, {
      address: coin,
      abi: ABIS.CreatorCoin,
      functionName: "name",
      chainId: config.chainId,
    }),
    readContract(wagmiConfig, {
      address: coin,
      abi: ABIS.CreatorCoin,
      functionName: "nonces",
      args: [owner],
      chainId: config.chainId,
    }),
    getBlock(wagmiConfig, { chainId: config.chainId }),
  ]);
  // Counted from the latest block: a devnet's clock runs ahead of the wallet's.
  const deadline = block.timestamp + PERMIT_SECONDS;
  const signature = await signTypedData(wagmiConfig, {
    account: owner,
    domain: { name, version: "1", chainId: config.chainId, verifyingContract: coin },
    types: PERMIT_TYPES,
    primaryType: "Permit",
    message: {
      owner,
      spender: config.contracts.TipJar.address,
      value: amount,
      nonce,
      deadline,
    },
  });
  const { v, r, s } = parseSignature(signature);
  return { deadline, v: Number(v), r, s };
}
