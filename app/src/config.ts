import type { Address } from "viem";
import type { ContractName } from "./contracts";

/** One deployed contract, as the deployment file records it. */
export interface DeployedContract {
  address: Address;
  blockNumber: number;
}

/**
 * What the page is configured with: the deployment file (chain id, addresses) and where the
 * API and a JSON-RPC endpoint are. `npm run build:app` writes it into index.html; `npm start`
 * writes it as it serves the page.
 */
export interface AppConfig {
  network: string;
  chainId: number;
  rpcUrl: string;
  apiUrl: string;
  contracts: Record<ContractName, DeployedContract>;
  /** This app's referrer address: trades and tips it sends name it (a share of the protocol fee). */
  referrer?: Address;
}

declare global {
  interface Window {
    __AGORA_CONFIG__?: AppConfig | null;
  }
}

/** The local devnet of `npm start`: the only chain with the development wallet. */
export const DEVNET_CHAIN_ID = 31337;

function readConfig(): AppConfig {
  const config = window.__AGORA_CONFIG__;
  if (!config) {
    throw new Error(
      "this page has no Agora configuration: build it with `npm run build:app` or serve it with `npm start`",
    );
  }
  return config;
}

export const config: AppConfig = readConfig();

export const isDevnet = config.chainId === DEVNET_CHAIN_ID;
