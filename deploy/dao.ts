import { ZeroAddress, parseEther } from "ethers";
import type { Signer } from "ethers";
import {
  AgoraGovernor__factory,
  AgoraTimelock__factory,
  GovernanceToken__factory,
  RevenueSplit__factory,
  TipJar__factory,
} from "../typechain-types";
import type {
  AgoraGovernor,
  AgoraTimelock,
  GovernanceToken,
  RevenueSplit,
  TipJar,
} from "../typechain-types";

/** One holder of the initial token distribution. */
export interface TokenAllocation {
  holder: string;
  amount: bigint;
  /** Activate the holder's votes at deployment (otherwise they read zero until it delegates). */
  selfDelegate: boolean;
}

/** A revenue bucket; `"timelock"` stands for the DAO treasury, whose address is known only here. */
export interface RevenueBucket {
  recipient: string | "timelock";
  bps: number;
}

export interface DaoConfig {
  /** The profile registry (it also serves the social graph). */
  profileRegistry: string;
  tokenName: string;
  tokenSymbol: string;
  distribution: TokenAllocation[];
  /** Seconds between a proposal and the start of its vote. */
  votingDelay: number;
  /** Seconds a vote lasts. */
  votingPeriod: number;
  /** Votes (token units) needed to make a proposal. */
  proposalThreshold: bigint;
  /** Share of the total supply, in percent, that must vote For or Abstain. */
  quorumPercent: number;
  /** Seconds a passed proposal waits in the timelock before it can run. */
  timelockDelay: number;
  buckets: RevenueBucket[];
  creatorShareBps: number;
  tipFeeBps: number;
  /** A tip referrer's share of the tip jar's protocol fee, in basis points of it (default 2,000). */
  tipReferrerShareBps?: number;
}

export interface Dao {
  token: GovernanceToken;
  timelock: AgoraTimelock;
  governor: AgoraGovernor;
  revenueSplit: RevenueSplit;
  tipJar: TipJar;
}

const DAY = 24 * 60 * 60;

/** Defaults; docs/dao.md explains each. Holders, registry and buckets are per deployment. */
export const DAO_DEFAULTS = {
  tokenName: "Agora",
  tokenSymbol: "AGORA",
  votingDelay: 1 * DAY,
  votingPeriod: 5 * DAY,
  proposalThreshold: parseEther("10000"),
  quorumPercent: 4,
  timelockDelay: 2 * DAY,
  creatorShareBps: 2_000,
  tipFeeBps: 250,
  tipReferrerShareBps: 2_000,
} as const;

/**
 * Deploys the DAO: token, timelock, governor, revenue split and tip jar. The timelock ends up with
 * no admin: only the governor proposes and cancels, anyone executes, and the timelock alone governs
 * the revenue allocation and the tip fee.
 */
export async function deployDao(signer: Signer, config: DaoConfig): Promise<Dao> {
  const deployer = await signer.getAddress();

  const token = await new GovernanceToken__factory(signer).deploy(
    config.tokenName,
    config.tokenSymbol,
    config.distribution,
  );
  await token.waitForDeployment();

  const timelock = await new AgoraTimelock__factory(signer).deploy(
    config.timelockDelay,
    [],
    [ZeroAddress],
    deployer,
  );
  await timelock.waitForDeployment();

  const governor = await new AgoraGovernor__factory(signer).deploy(
    await token.getAddress(),
    await timelock.getAddress(),
    config.votingDelay,
    config.votingPeriod,
    config.proposalThreshold,
    config.quorumPercent,
  );
  await governor.waitForDeployment();
  const governorAddress = await governor.getAddress();
  const timelockAddress = await timelock.getAddress();

  await (await timelock.grantRole(await timelock.PROPOSER_ROLE(), governorAddress)).wait();
  await (await timelock.grantRole(await timelock.CANCELLER_ROLE(), governorAddress)).wait();
  await (await timelock.renounceRole(await timelock.DEFAULT_ADMIN_ROLE(), deployer)).wait();

  const revenueSplit = await new RevenueSplit__factory(signer).deploy(
    config.profileRegistry,
    timelockAddress,
    config.buckets.map((bucket) => ({
      recipient: bucket.recipient === "timelock" ? timelockAddress : bucket.recipient,
      bps: bucket.bps,
    })),
    config.creatorShareBps,
  );
  await revenueSplit.waitForDeployment();

  const tipJar = await new TipJar__factory(signer).deploy(
    config.profileRegistry,
    config.profileRegistry,
    await revenueSplit.getAddress(),
    timelockAddress,
    config.tipFeeBps,
    config.tipReferrerShareBps ?? DAO_DEFAULTS.tipReferrerShareBps,
  );
  await tipJar.waitForDeployment();

  return { token, timelock, governor, revenueSplit, tipJar };
}
