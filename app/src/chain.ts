import { createConfig, http, injected } from "wagmi";
import { defineChain, type Chain } from "viem";
import { base, baseSepolia, mainnet, optimism, optimismSepolia, sepolia } from "viem/chains";
import { config, isDevnet } from "./config";
import { devWallet } from "./wallet/devWallet";

const KNOWN: Chain[] = [base, baseSepolia, optimism, optimismSepolia, sepolia, mainnet];

/** The deployment's chain, with the configured RPC endpoint for reads. */
export const chain: Chain = (() => {
  const known = KNOWN.find((candidate) => candidate.id === config.chainId);
  const rpcUrls = { default: { http: [config.rpcUrl] } };
  if (known) return { ...known, rpcUrls };
  return defineChain({
    id: config.chainId,
    name: isDevnet ? "Agora devnet" : config.network,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls,
  });
})();

/**
 * Injected EIP-1193 wallets everywhere (MetaMask, Rabby, Coinbase Wallet); on the local devnet
 * also the development wallet, which exists on no other chain.
 */
export const wagmiConfig = createConfig({
  chains: [chain],
  connectors: isDevnet ? [devWallet(), injected()] : [injected()],
  transports: { [chain.id]: http(config.rpcUrl) },
  pollingInterval: isDevnet ? 250 : 4_000,
});

declare module "wagmi" {
  interface Register {
    config: typeof wagmiConfig;
  }
}
