import type { Signer } from "ethers";
import {
  CreatorCoin__factory,
  CreatorCoinFactory__factory,
  type CreatorCoin,
  type CreatorCoinFactory,
} from "../typechain-types";

/** The protocol fee a fresh deployment starts with: 1% (governance may move it up to 5%). */
export const DEFAULT_PROTOCOL_FEE_BPS = 100n;

export interface CoinsDeployment {
  /** Launches coins and holds the protocol fee rate. */
  factory: CreatorCoinFactory;
  /** The implementation every coin clones; never used directly. */
  implementation: CreatorCoin;
  /** The block the factory was deployed in (where an indexer starts). */
  startBlock: number;
}

/**
 * Deploys the creator coin factory (which deploys the coin implementation) against an existing
 * profile registry and revenue sink. `governanceAddress` alone may change the protocol fee.
 */
export async function deployCoins(
  signer: Signer,
  registryAddress: string,
  revenueSinkAddress: string,
  governanceAddress: string,
  protocolFeeBps: bigint = DEFAULT_PROTOCOL_FEE_BPS,
): Promise<CoinsDeployment> {
  const factory = await new CreatorCoinFactory__factory(signer).deploy(
    registryAddress,
    revenueSinkAddress,
    governanceAddress,
    protocolFeeBps,
  );
  await factory.waitForDeployment();
  const receipt = await factory.deploymentTransaction()?.wait();
  if (!receipt) throw new Error("creator coin factory deployment has no receipt");
  const implementation = CreatorCoin__factory.connect(await factory.implementation(), signer);
  return { factory, implementation, startBlock: receipt.blockNumber };
}

/** The coin contract at `address`, connected to `signer`. */
export function creatorCoinAt(address: string, signer: Signer): CreatorCoin {
  return CreatorCoin__factory.connect(address, signer);
}
