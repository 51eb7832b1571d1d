import { HDNodeWallet, Wallet, isHexString, type Provider } from "ethers";

/**
 * The chains `npm run deploy -- --network <name>` knows, with a public RPC endpoint each. Set
 * `<NAME>_RPC_URL` (BASE_RPC_URL, BASE_SEPOLIA_RPC_URL, ...) to use another endpoint, or RPC_URL
 * and CHAIN_ID for any other EVM chain (the network "custom").
 */
export const KNOWN_NETWORKS = {
  base: {
    chainId: 8453,
    url: "https://mainnet.base.org",
    env: "BASE_RPC_URL",
    blockscout: "https://base.blockscout.com",
  },
  baseSepolia: {
    chainId: 84532,
    url: "https://sepolia.base.org",
    env: "BASE_SEPOLIA_RPC_URL",
    blockscout: "https://base-sepolia.blockscout.com",
  },
  optimism: {
    chainId: 10,
    url: "https://mainnet.optimism.io",
    env: "OPTIMISM_RPC_URL",
    blockscout: "https://optimism.blockscout.com",
  },
  opSepolia: {
    chainId: 11155420,
    url: "https://sepolia.optimism.io",
    env: "OP_SEPOLIA_RPC_URL",
    blockscout: "https://optimism-sepolia.blockscout.com",
  },
  sepolia: {
    chainId: 11155111,
    url: "https://ethereum-sepolia-rpc.publicnode.com",
    env: "SEPOLIA_RPC_URL",
    blockscout: "https://eth-sepolia.blockscout.com",
  },
} as const;

/** A Blockscout explorer as hardhat-verify's `blockscout.customChains` lists it. */
export interface BlockscoutChain {
  network: string;
  chainId: number;
  urls: { apiURL: string; browserURL: string };
}

/**
 * The Blockscout explorer of each remote network (`blockscout` in KNOWN_NETWORKS). BLOCKSCOUT_URL
 * (an explorer's address, such as https://base.blockscout.com) replaces them all, and gives the
 * network "custom" one: a self-hosted explorer or another chain's.
 */
export function blockscoutChains(env: NodeJS.ProcessEnv = process.env): BlockscoutChain[] {
  const override = env.BLOCKSCOUT_URL?.replace(/\/+$/, "");
  return Object.entries(remoteNetworks(env)).flatMap(([network, { chainId }]) => {
    const known = KNOWN_NETWORKS[network as keyof typeof KNOWN_NETWORKS]?.blockscout;
    const browserURL = override || known;
    return browserURL
      ? [{ network, chainId, urls: { apiURL: `${browserURL}/api`, browserURL } }]
      : [];
  });
}

/** Chains whose accounts and keys are public: the dev key may deploy there and nowhere else. */
export const DEV_CHAIN_IDS = [31337];

/** Hardhat's account 0, whose key everyone knows: the deployer of the local demo. */
export const HARDHAT_ACCOUNT_0_KEY =
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

export interface RemoteNetwork {
  url: string;
  chainId: number;
}

/** The remote networks of the Hardhat config, read from `env`. */
export function remoteNetworks(
  env: NodeJS.ProcessEnv = process.env,
): Record<string, RemoteNetwork> {
  const networks: Record<string, RemoteNetwork> = {};
  for (const [name, known] of Object.entries(KNOWN_NETWORKS)) {
    networks[name] = { url: env[known.env] || known.url, chainId: known.chainId };
  }
  if (env.RPC_URL && env.CHAIN_ID && /^\d+$/.test(env.CHAIN_ID)) {
    networks.custom = { url: env.RPC_URL, chainId: Number(env.CHAIN_ID) };
  }
  return networks;
}

export class DeployerKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DeployerKeyError";
  }
}

/**
 * The deployer's wallet, from DEPLOYER_PRIVATE_KEY or DEPLOYER_MNEMONIC (with
 * DEPLOYER_ACCOUNT_INDEX, default 0) in the environment; never from a file. On a dev chain
 * without either, Hardhat's account 0. Anywhere else without either: refused.
 */
export function deployerWallet(
  provider: Provider,
  chainId: number,
  network: string,
  env: NodeJS.ProcessEnv = process.env,
): Wallet | HDNodeWallet {
  const key = env.DEPLOYER_PRIVATE_KEY?.trim();
  const mnemonic = env.DEPLOYER_MNEMONIC?.trim();
  if (key && mnemonic) {
    throw new DeployerKeyError("set DEPLOYER_PRIVATE_KEY or DEPLOYER_MNEMONIC, not both");
  }
  if (key) {
    const hex = key.startsWith("0x") ? key : `0x${key}`;
    if (!isHexString(hex, 32)) {
      throw new DeployerKeyError(
        "DEPLOYER_PRIVATE_KEY must be 32 bytes of hex (64 hex digits, with or without 0x)",
      );
    }
    return new Wallet(hex, provider);
  }
  if (mnemonic) {
    const index = env.DEPLOYER_ACCOUNT_INDEX ?? "0";
    if (!/^\d{1,9}$/.test(index)) {
      throw new DeployerKeyError(`DEPLOYER_ACCOUNT_INDEX must be a small integer, got "${index}"`);
    }
    try {
      return HDNodeWallet.fromPhrase(mnemonic, undefined, `m/44'/60'/0'/0/${index}`).connect(
        provider,
      );
    } catch (error) {
      throw new DeployerKeyError(
        `DEPLOYER_MNEMONIC is not a valid BIP-39 phrase: ${(error as Error).message}`,
      );
    }
  }
  if (DEV_CHAIN_IDS.includes(chainId)) return new Wallet(HARDHAT_ACCOUNT_0_KEY, provider);
  throw new DeployerKeyError(
    `network ${network} is chain ${chainId}, a real network: set DEPLOYER_PRIVATE_KEY or DEPLOYER_MNEMONIC in the environment (never in a file of the repository) to deploy there`,
  );
}
