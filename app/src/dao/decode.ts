import { decodeFunctionData, type Hex } from "viem";
import { config } from "../config";
import { ABIS, type ContractName } from "../contracts";
import { cleanText } from "../shared/content";
import { formatAmount, formatBps, shortAddress } from "../shared/format";

/** A proposal action decoded with Agora's own ABIs; `known: false` flags an unknown target. */
export interface DecodedAction {
  known: boolean;
  contract: string;
  functionName: string;
  summary: string;
}

/** A name for an address a person recognises: the treasury, a contract, or the address. */
export function addressLabel(address: string): string {
  const lower = address.toLowerCase();
  for (const [name, deployed] of Object.entries(config.contracts)) {
    if (deployed.address.toLowerCase() === lower)
      return name === "AgoraTimelock" ? "DAO treasury" : name;
  }
  return shortAddress(address);
}

/** "operations 30%, DAO treasury 20%, creators 50%" */
export function allocationSummary(
  buckets: { recipient: string; bps: number }[],
  creatorShareBps: number,
): string {
  return [
    ...buckets.map((b) => `${addressLabel(b.recipient)} ${formatBps(b.bps)}`),
    `creators ${formatBps(creatorShareBps)}`,
  ].join(", ");
}

const bps = (args: readonly unknown[]) => formatBps(Number(args[0]));
const seconds = (value: unknown) => {
  const total = Number(value);
  if (total % 86_400 === 0) return `${total / 86_400} days`;
  if (total % 3_600 === 0) return `${total / 3_600} hours`;
  return `${total} seconds`;
};

/**
 * Every setter governance can call on an Agora contract, in words. A setter missing here is
 * still shown, with its raw arguments.
 */
const SETTERS: Record<string, (args: readonly unknown[]) => string> = {
  "TipJar.syncCreatorShare": () => "Make ETH tips pay the new creator share",
  "TipJar.setFeeBps": (args) => `Set the tip fee to ${bps(args)}`,
  "TipJar.setReferrerShareBps": (args) =>
    `Give referrers ${bps(args)} of the tip protocol fee (the apps that bring tips)`,
  "CreatorCoinFactory.setProtocolFeeBps": (args) =>
    `Set the coin protocol fee to ${bps(args)} from 7 days after execution`,
  "CreatorCoinFactory.setReferrerShareBps": (args) =>
    `Give referrers ${bps(args)} of every coin's protocol fee (the apps that bring trades) from 7 days after execution`,
  "AgoraGovernor.setVotingDelay": ([delay]) => `Set the voting delay to ${seconds(delay)}`,
  "AgoraGovernor.setVotingPeriod": ([period]) => `Set the voting period to ${seconds(period)}`,
  "AgoraGovernor.setProposalThreshold": ([threshold]) =>
    `Set the votes needed to propose to ${formatAmount(BigInt(threshold as bigint))}`,
  "AgoraGovernor.updateQuorumNumerator": ([numerator]) =>
    `Set the quorum to ${String(numerator)}% of the votes`,
  "AgoraTimelock.updateDelay": ([delay]) => `Set the timelock delay to ${seconds(delay)}`,
};

export function decodeAction(target: string, calldata: string): DecodedAction {
  const entry = (Object.entries(config.contracts) as [ContractName, { address: string }][]).find(
    ([, deployed]) => deployed.address.toLowerCase() === target.toLowerCase(),
  );
  if (!entry)
    return {
      known: false,
      contract: shortAddress(target),
      functionName: "?",
      summary: `Unknown contract ${target}`,
    };
  const [name] = entry;
  try {
    const { functionName, args } = decodeFunctionData({ abi: ABIS[name], data: calldata as Hex });
    if (name === "RevenueSplit" && functionName === "setAllocation") {
      const [buckets, share] = args as unknown as [{ recipient: string; bps: number }[], number];
      return {
        known: true,
        contract: name,
        functionName,
        summary: `Set the revenue allocation to ${allocationSummary(buckets, Number(share))}`,
      };
    }
    const setter = SETTERS[`${name}.${functionName}`];
    if (setter) return { known: true, contract: name, functionName, summary: setter(args ?? []) };
    return {
      known: true,
      contract: name,
      functionName,
      summary: `${name}.${functionName}(${(args ?? []).map((a) => (typeof a === "object" ? JSON.stringify(a, (_, v) => (typeof v === "bigint" ? v.toString() : v)) : String(a))).join(", ")})`,
    };
  } catch {
    return {
      known: false,
      contract: name,
      functionName: "?",
      summary: `Undecodable call to ${name}`,
    };
  }
}

/** The first line of a description is its title. */
export function proposalTitle(description: string): string {
  const firstLine = description.split("\n")[0].replace(/^#+\s*/, "");
  return cleanText(firstLine).slice(0, 140) || "(untitled)";
}

export const GOVERNOR_STATES = [
  "Pending",
  "Active",
  "Canceled",
  "Defeated",
  "Succeeded",
  "Queued",
  "Expired",
  "Executed",
];
