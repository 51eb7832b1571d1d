import { getAddress, type Signer } from "ethers";
import {
  AgoraGovernor__factory,
  AgoraTimelock__factory,
  CreatorCoin__factory,
  CreatorCoinFactory__factory,
  GovernanceToken__factory,
  Messaging__factory,
  Moderation__factory,
  ProfileRegistry__factory,
  RevenueSplit__factory,
  TipJar__factory,
  TokenVesting__factory,
  type AgoraGovernor,
  type AgoraTimelock,
  type CreatorCoin,
  type CreatorCoinFactory,
  type GovernanceToken,
  type Messaging,
  type Moderation,
  type ProfileRegistry,
  type RevenueSplit,
  type TipJar,
  type TokenVesting,
} from "../typechain-types";
import { DEFAULT_PROTOCOL_FEE_BPS, DEFAULT_REFERRER_SHARE_BPS } from "./coins";
import { DAO_DEFAULTS, type DaoConfig } from "./dao";
import type { Parameters } from "./parameters";
import { executePlan, type PlannedContract } from "./plan";
import type { StepRunner, StepRunnerOptions } from "./steps";

/** A deployed contract: its typed instance and the block its deployment was mined in. */
export interface Deployed<T> {
  contract: T;
  address: string;
  blockNumber: number;
}

/** Every contract of the suite. Test fixtures, `npm start` and `npm run deploy` build it here. */
export interface Suite {
  profileRegistry: Deployed<ProfileRegistry>;
  governanceToken: Deployed<GovernanceToken>;
  timelock: Deployed<AgoraTimelock>;
  governor: Deployed<AgoraGovernor>;
  revenueSplit: Deployed<RevenueSplit>;
  tipJar: Deployed<TipJar>;
  creatorCoinFactory: Deployed<CreatorCoinFactory>;
  creatorCoinImplementation: Deployed<CreatorCoin>;
  moderation: Deployed<Moderation>;
  messaging: Deployed<Messaging>;
}

/** A deployment from a parameters file: the suite, its vesting wallets, and how each was built. */
export interface Launch {
  suite: Suite;
  /** Vesting wallets by the name of their allocation. */
  vesting: Record<string, Deployed<TokenVesting>>;
  /** Every contract with its constructor arguments, by suite key. */
  contracts: Record<string, PlannedContract>;
  runner: StepRunner;
}

/** What a test fixture may choose; everything else comes from DAO_DEFAULTS (docs/dao.md). */
export interface SuiteOptions {
  /** DAO settings; `distribution` defaults to the whole supply to the deployer, self-delegated. */
  dao?: Partial<Omit<DaoConfig, "profileRegistry">>;
  protocolFeeBps?: bigint;
  /** The coin referrers' share of the protocol fee; DEFAULT_REFERRER_SHARE_BPS by default. */
  coinReferrerShareBps?: bigint;
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

/** The typed factory of each suite contract, by suite key. */
const SUITE_FACTORIES = {
  profileRegistry: ProfileRegistry__factory,
  governanceToken: GovernanceToken__factory,
  timelock: AgoraTimelock__factory,
  governor: AgoraGovernor__factory,
  revenueSplit: RevenueSplit__factory,
  tipJar: TipJar__factory,
  creatorCoinFactory: CreatorCoinFactory__factory,
  creatorCoinImplementation: CreatorCoin__factory,
  moderation: Moderation__factory,
  messaging: Messaging__factory,
} as const;

/**
 * Deploys the suite that `parameters` describe from `deployer` (see plan.ts for the order and the
 * wiring). With `options.journalFile` the deployment is resumable and never sends a step twice.
 */
export async function deployWithParameters(
  deployer: Signer,
  parameters: Parameters,
  options: StepRunnerOptions = {},
): Promise<Launch> {
  const { contracts, runner } = await executePlan(deployer, parameters, options);
  const suite = {} as Record<keyof Suite, Deployed<unknown>>;
  for (const [key, factory] of Object.entries(SUITE_FACTORIES) as [
    keyof Suite,
    { connect(address: string, signer: Signer): unknown },
  ][]) {
    const { address, blockNumber } = contracts[key];
    suite[key] = { contract: factory.connect(address, deployer), address, blockNumber };
  }
  const vesting: Launch["vesting"] = {};
  for (const allocation of parameters.distribution) {
    if (!allocation.vesting) continue;
    const { address, blockNumber } = contracts[`vesting:${allocation.name}`];
    vesting[allocation.name] = {
      contract: TokenVesting__factory.connect(address, deployer),
      address,
      blockNumber,
    };
  }
  return { suite: suite as unknown as Suite, vesting, contracts, runner };
}

/**
 * The parameters of a test fixture: by default the whole supply to the deployer (self-delegated)
 * and the deployer as a 50% revenue bucket, both allowed explicitly. Launch parameter files never
 * get these: they come from deploy/parameters/ and pass `checkConcentration`.
 */
export async function fixtureParameters(
  deployer: Signer,
  options: SuiteOptions = {},
): Promise<Parameters> {
  const deployerAddress = getAddress(await deployer.getAddress());
  const dao = { ...DAO_DEFAULTS, ...options.dao };
  const distribution = options.dao?.distribution ?? [
    { holder: deployerAddress, amount: DEFAULT_TOKEN_SUPPLY, selfDelegate: true },
  ];
  const buckets = options.dao?.buckets ?? [
    { recipient: deployerAddress, bps: 5_000 },
    { recipient: "timelock", bps: 3_000 },
  ];
  return {
    chainId: Number((await deployer.provider!.getNetwork()).chainId),
    token: {
      name: dao.tokenName,
      symbol: dao.tokenSymbol,
      supply: distribution.reduce((sum, allocation) => sum + allocation.amount, 0n),
    },
    distribution: distribution.map((allocation, i) => ({
      name: `holder ${i}`,
      recipient: allocation.holder,
      amount: allocation.amount,
      selfDelegate: allocation.selfDelegate,
    })),
    fees: {
      protocolFeeBps: options.protocolFeeBps ?? DEFAULT_PROTOCOL_FEE_BPS,
      tipFeeBps: dao.tipFeeBps,
      coinReferrerShareBps: options.coinReferrerShareBps ?? DEFAULT_REFERRER_SHARE_BPS,
      tipReferrerShareBps: dao.tipReferrerShareBps,
    },
    governor: {
      votingDelay: dao.votingDelay,
      votingPeriod: dao.votingPeriod,
      proposalThreshold: dao.proposalThreshold,
      quorumPercent: dao.quorumPercent,
      timelockDelay: dao.timelockDelay,
    },
    revenue: {
      buckets: buckets.map((bucket, i) => ({ name: `bucket ${i}`, ...bucket })),
      creatorShareBps: dao.creatorShareBps,
    },
    allowConcentration: ["quorum", "proposalThreshold"],
    allowDeployerBucket: true,
    rehearsalOnly: false,
  };
}

/**
 * Deploys the whole suite from `deployer` with the test fixture's parameters (see
 * `fixtureParameters`): the same plan and wiring as a launch.
 */
export async function deploySuite(deployer: Signer, options: SuiteOptions = {}): Promise<Suite> {
  const launch = await deployWithParameters(deployer, await fixtureParameters(deployer, options));
  return launch.suite;
}
