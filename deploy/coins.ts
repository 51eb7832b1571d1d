import type { Signer } from "ethers";
import {
  CreatorCoin__factory,
  CreatorCoinFactory__factory,
  type CreatorCoin,
  type CreatorCoinFactory,
} from "../typechain-types";
import type { Deployed } from "./suite";

/** The protocol fee a fresh deployment starts with: 1% (governance may move it up to 5%). */
export const DEFAULT_PROTOCOL_FEE_BPS = 100n;
/** A trade referrer's share of the protocol fee at first: 20% of it (governance: up to 50%). */
export const DEFAULT_REFERRER_SHARE_BPS = 2_000n;

export interface CoinsDeployment {
  /** Launches coins and holds the protocol fee rate. */
  creatorCoinFactory: Deployed<CreatorCoinFactory>;
  /** The implementation every coin clones (deployed by the factory); never traded directly. */
  creatorCoinImplementation: Deployed<CreatorCoin>;
}

/**
 * Deploys the creator coin factory, which deploys the coin implementation, against an existing
 * profile registry and revenue sink. `governanceAddress` alone may change the protocol fee and
 * the referrer share.
 */
export async function deployCoins(
  signer: Signer,
  registryAddress: string,
  revenueSinkAddress: string,
  governanceAddress: string,
  protocolFeeBps: bigint = DEFAULT_PROTOCOL_FEE_BPS,
  referrerShareBps: bigint = DEFAULT_REFERRER_SHARE_BPS,
): Promise<CoinsDeployment> {
  const factory = await new CreatorCoinFactory__factory(signer).deploy(
    registryAddress,
    revenueSinkAddress,
    governanceAddress,
    protocolFeeBps,
    referrerShareBps,
  );
  const receipt = await factory.deploymentTransaction()?.wait();
  if (!receipt) throw new Error("creator coin factory deployment was dropped");
  const implementationAddress = await factory.implementation();
  return {
    creatorCoinFactory: {
      contract: factory,
      address: await factory.getAddress(),
      blockNumber: receipt.blockNumber,
    },
    creatorCoinImplementation: {
      contract: CreatorCoin__factory.connect(implementationAddress, signer),
      address: implementationAddress,
      blockNumber: receipt.blockNumber,
    },
  };
}

/** The coin at `address`, connected to `signer`. */
export function creatorCoinAt(address: string, signer: Signer): CreatorCoin {
  return CreatorCoin__factory.connect(address, signer);
}
