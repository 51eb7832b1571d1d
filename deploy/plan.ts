import {
  ContractFactory,
  id,
  Interface,
  ZeroAddress,
  type InterfaceAbi,
  type Signer,
} from "ethers";
import {
  AgoraGovernor__factory,
  AgoraTimelock__factory,
  CreatorCoinFactory__factory,
  GovernanceToken__factory,
  Messaging__factory,
  Moderation__factory,
  ProfileRegistry__factory,
  RevenueSplit__factory,
  TipJar__factory,
  TokenVesting__factory,
} from "../typechain-types";
import type { Parameters, Recipient } from "./parameters";
import { createStepRunner, type StepRunner, type StepRunnerOptions } from "./steps";

/**
 * The suite as data: each contract with its constructor arguments, in deployment order, then the
 * calls that hand the timelock to the DAO. Adding a contract is one entry in `contractsOf`; adding
 * a constructor argument is one element of its `args`.
 */

/** What a step's arguments may read: the parameters, the deployer, and earlier contracts. */
export interface PlanContext {
  parameters: Parameters;
  deployer: string;
  /** The address of a contract deployed by an earlier step. */
  address(key: string): string;
  /** A recipient of the parameters file, with "timelock" resolved. */
  recipient(recipient: Recipient): string;
}

/** A contract of the suite. */
export interface ContractStep {
  /** Its key in the deployment result (and in `Suite`). */
  key: string;
  /** Its contract name: the artifact, `abi/` and the deployment file use it. */
  name: string;
  factory: { abi: InterfaceAbi; bytecode: string };
  args(context: PlanContext): unknown[];
}

/** A call made by the deployer after the contracts exist. */
export interface CallStep {
  key: string;
  target: string;
  abi: InterfaceAbi;
  method: string;
  args(context: PlanContext): unknown[];
}

const ADMIN_ROLE = "0x" + "00".repeat(32);
export const ROLES = {
  DEFAULT_ADMIN_ROLE: ADMIN_ROLE,
  PROPOSER_ROLE: id("PROPOSER_ROLE"),
  EXECUTOR_ROLE: id("EXECUTOR_ROLE"),
  CANCELLER_ROLE: id("CANCELLER_ROLE"),
} as const;

/** The vesting wallet's key for a vesting allocation. */
export const vestingKey = (name: string) => `vesting:${name}`;

export function contractsOf(parameters: Parameters): ContractStep[] {
  const { token, governor, fees, revenue } = parameters;
  const vesting = parameters.distribution.filter((allocation) => allocation.vesting);
  return [
    {
      key: "profileRegistry",
      name: "ProfileRegistry",
      factory: ProfileRegistry__factory,
      args: () => [],
    },
    {
      key: "timelock",
      name: "AgoraTimelock",
      factory: AgoraTimelock__factory,
      // The deployer is admin only until the wiring calls below hand the timelock to itself.
      args: (c) => [governor.timelockDelay, [], [ZeroAddress], c.deployer],
    },
    ...vesting.map((allocation): ContractStep => ({
      key: vestingKey(allocation.name),
      name: "TokenVesting",
      factory: TokenVesting__factory,
      args: (c) => [
        c.recipient(allocation.recipient),
        allocation.vesting!.start,
        allocation.vesting!.duration,
      ],
    })),
    {
      key: "governanceToken",
      name: "GovernanceToken",
      factory: GovernanceToken__factory,
      args: (c) => [
        token.name,
        token.symbol,
        parameters.distribution.map((allocation) => ({
          holder: allocation.vesting
            ? c.address(vestingKey(allocation.name))
            : c.recipient(allocation.recipient),
          amount: allocation.amount,
          selfDelegate: allocation.selfDelegate,
        })),
      ],
    },
    {
      key: "governor",
      name: "AgoraGovernor",
      factory: AgoraGovernor__factory,
      args: (c) => [
        c.address("governanceToken"),
        c.address("timelock"),
        governor.votingDelay,
        governor.votingPeriod,
        governor.proposalThreshold,
        governor.quorumPercent,
      ],
    },
    {
      key: "revenueSplit",
      name: "RevenueSplit",
      factory: RevenueSplit__factory,
      args: (c) => [
        c.address("profileRegistry"),
        c.address("timelock"),
        revenue.buckets.map((bucket) => ({
          recipient: c.recipient(bucket.recipient),
          bps: bucket.bps,
        })),
        revenue.creatorShareBps,
      ],
    },
    {
      key: "tipJar",
      name: "TipJar",
      factory: TipJar__factory,
      args: (c) => [
        c.address("profileRegistry"),
        c.address("profileRegistry"),
        c.address("revenueSplit"),
        c.address("timelock"),
        fees.tipFeeBps,
        fees.tipReferrerShareBps,
      ],
    },
    {
      key: "creatorCoinFactory",
      name: "CreatorCoinFactory",
      factory: CreatorCoinFactory__factory,
      args: (c) => [
        c.address("profileRegistry"),
        c.address("revenueSplit"),
        c.address("timelock"),
        fees.protocolFeeBps,
        fees.coinReferrerShareBps,
      ],
    },
    // Moderation and messaging only read the registry: no owner, no role, nothing to hand over.
    {
      key: "moderation",
      name: "Moderation",
      factory: Moderation__factory,
      args: (c) => [c.address("profileRegistry")],
    },
    {
      key: "messaging",
      name: "Messaging",
      factory: Messaging__factory,
      args: (c) => [c.address("profileRegistry")],
    },
  ];
}

/** The governor alone proposes and cancels; then the deployer gives up the timelock's admin role. */
export function callsOf(): CallStep[] {
  const timelock = AgoraTimelock__factory.abi;
  return [
    {
      key: "timelock.grantProposer",
      target: "timelock",
      abi: timelock,
      method: "grantRole",
      args: (c) => [ROLES.PROPOSER_ROLE, c.address("governor")],
    },
    {
      key: "timelock.grantCanceller",
      target: "timelock",
      abi: timelock,
      method: "grantRole",
      args: (c) => [ROLES.CANCELLER_ROLE, c.address("governor")],
    },
    {
      key: "timelock.renounceAdmin",
      target: "timelock",
      abi: timelock,
      method: "renounceRole",
      args: (c) => [ROLES.DEFAULT_ADMIN_ROLE, c.deployer],
    },
  ];
}

/** One deployed contract of a plan. */
export interface PlannedContract {
  name: string;
  address: string;
  blockNumber: number;
  args: unknown[];
}

export interface PlanResult {
  contracts: Record<string, PlannedContract>;
  runner: StepRunner;
}

/** Runs the plan of `parameters` from `signer`; with a journal file, resumably (see steps.ts). */
export async function executePlan(
  signer: Signer,
  parameters: Parameters,
  options: StepRunnerOptions = {},
): Promise<PlanResult> {
  const runner = await createStepRunner(signer, options);
  const deployer = await signer.getAddress();
  const contracts: Record<string, PlannedContract> = {};
  const context: PlanContext = {
    parameters,
    deployer,
    address(key) {
      const found = contracts[key];
      if (!found) throw new Error(`the plan reads ${key} before deploying it`);
      return found.address;
    },
    recipient(recipient) {
      return recipient === "timelock" ? context.address("timelock") : recipient;
    },
  };
  for (const step of contractsOf(parameters)) {
    const args = step.args(context);
    const { data } = await new ContractFactory(
      step.factory.abi,
      step.factory.bytecode,
    ).getDeployTransaction(...args);
    const result = await runner.run(`deploy:${step.key}`, { data });
    if (!result.address) throw new Error(`deploy:${step.key} created no contract`);
    contracts[step.key] = {
      name: step.name,
      address: result.address,
      blockNumber: result.blockNumber,
      args,
    };
  }
  for (const call of callsOf()) {
    const data = new Interface(call.abi).encodeFunctionData(call.method, call.args(context));
    await runner.run(`call:${call.key}`, { to: context.address(call.target), data });
  }
  // The factory deploys the coin implementation in its constructor.
  const factory = contracts.creatorCoinFactory;
  const implementation = await CreatorCoinFactory__factory.connect(
    factory.address,
    signer,
  ).implementation();
  contracts.creatorCoinImplementation = {
    name: "CreatorCoin",
    address: implementation,
    blockNumber: factory.blockNumber,
    args: [contracts.profileRegistry.address, contracts.revenueSplit.address],
  };
  return { contracts, runner };
}
