import type { Signer } from "ethers";
import {
  ProfileRegistry__factory,
  type AgoraGovernor,
  type AgoraTimelock,
  type CreatorCoin,
  type CreatorCoinFactory,
  type GovernanceToken,
  type ProfileRegistry,
  type RevenueSplit,
  type TipJar,
} from "../typechain-types";
import { deployCoins, DEFAULT_PROTOCOL_FEE_BPS } from "./coins";
import { DAO_DEFAULTS, deployDao, type DaoConfig } from "./dao";

/** A deployed contract: its typed instance and the block its deployment was mined in. */
export interface Deployed<T> {
  contract: T;
  address: string;
  blockNumber: number;
}

/** Every contract of the suite. Test fixtures and `npm run deploy` both build it here. */
export interface Suite {
  profileRegistry: Deployed<ProfileRegistry>;
  governanceToken: Deployed<GovernanceToken>;
  timelock: Deployed<AgoraTimelock>;
  governor: Deployed<AgoraGovernor>;
  revenueSplit: Deployed<RevenueSplit>;
  tipJar: Deployed<TipJar>;
  creatorCoinFactory: Deployed<CreatorCoinFactory>;
  creatorCoinImplementation: Deployed<CreatorCoin>;
}

/** What a deployment may choose; everything else comes from DAO_DEFAULTS (docs/dao.md). */
export interface SuiteOptions {
  /** DAO settings; `distribution` defaults to the whole supply to the deployer, self-delegated. */
  dao?: Partial<Omit<DaoConfig, "profileRegistry">>;
  protocolFeeBps?: bigint;
}

/** The governance token supply of a default deployment: 100 million tokens. */
export const DEFAULT_TOKEN_SUPPLY = 100_000_000n * 10n ** 18n;

export async function mined<
  T extends { getAddress(): Promise<string>; deploymentTransaction(): unknown },
>(contract: T): Promise<Deployed<T>> {
  const tx = contract.deploymentTransaction() as {
    wait(): Promise<{ blockNumber: number } | null>;
  } | null;
  const receipt = await tx?.wait();
  if (!receipt) throw new Error("deployment transaction was dropped");
  return { contract, address: await contract.getAddress(), blockNumber: receipt.blockNumber };
}

/**
 * Deploys the whole suite from `deployer`, in dependency order: the registry, the DAO (token,
 * timelock, governor, revenue split, tip jar), then the creator coin factory governed by the
 * timelock and paying its protocol fees into the revenue split.
 */
export async function deploySuite(deployer: Signer, options: SuiteOptions = {}): Promise<Suite> {
  const deployerAddress = await deployer.getAddress();
  const profileRegistry = await mined(await new ProfileRegistry__factory(deployer).deploy());
  const dao = await deployDao(deployer, {
    ...DAO_DEFAULTS,
    distribution: [{ holder: deployerAddress, amount: DEFAULT_TOKEN_SUPPLY, selfDelegate: true }],
    buckets: [
      { recipient: deployerAddress, bps: 5_000 },
      { recipient: "timelock", bps: 3_000 },
    ],
    ...options.dao,
    profileRegistry: profileRegistry.address,
  });
  const revenueSplit = await mined(dao.revenueSplit);
  const timelock = await mined(dao.timelock);
  const coins = await deployCoins(
    deployer,
    profileRegistry.address,
    revenueSplit.address,
    timelock.address,
    options.protocolFeeBps ?? DEFAULT_PROTOCOL_FEE_BPS,
  );
  return {
    profileRegistry,
    governanceToken: await mined(dao.token),
    timelock,
    governor: await mined(dao.governor),
    revenueSplit,
    tipJar: await mined(dao.tipJar),
    ...coins,
  };
}
