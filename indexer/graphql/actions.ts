import {
  decodeFunctionData,
  toFunctionSignature,
  type Abi,
  type AbiFunction,
  type AbiParameter,
  type Hex,
} from "viem";
import { AgoraGovernorAbi } from "../../abi/AgoraGovernor";
import { AgoraTimelockAbi } from "../../abi/AgoraTimelock";
import { CreatorCoinAbi } from "../../abi/CreatorCoin";
import { CreatorCoinFactoryAbi } from "../../abi/CreatorCoinFactory";
import { GovernanceTokenAbi } from "../../abi/GovernanceToken";
import { ProfileRegistryAbi } from "../../abi/ProfileRegistry";
import { RevenueSplitAbi } from "../../abi/RevenueSplit";
import { TipJarAbi } from "../../abi/TipJar";

/** Agora's contracts by the name the deployment (and the sync checkpoint) gives them. */
export const AGORA_ABIS: Record<string, Abi> = {
  AgoraGovernor: AgoraGovernorAbi,
  AgoraTimelock: AgoraTimelockAbi,
  CreatorCoin: CreatorCoinAbi,
  CreatorCoinFactory: CreatorCoinFactoryAbi,
  GovernanceToken: GovernanceTokenAbi,
  ProfileRegistry: ProfileRegistryAbi,
  RevenueSplit: RevenueSplitAbi,
  TipJar: TipJarAbi,
};

/** Calldata longer than this (hex characters) is not decoded: a proposal's bytes are anyone's. */
export const MAX_DECODED_CALLDATA = 2 * 128 * 1024;

export interface ActionArgument {
  name: string;
  type: string;
  value: string;
}

export interface ProposalAction {
  index: number;
  target: string;
  contract: string | null;
  knownTarget: boolean;
  value: string;
  calldata: string;
  function: string | null;
  signature: string | null;
  args: ActionArgument[];
  call: string;
  decodeError: string | null;
}

/** A decoded argument as a reader writes it: numbers in decimal, lists in brackets. */
function formatValue(value: unknown, parameter: AbiParameter): string {
  if (parameter.type.endsWith("]") && Array.isArray(value)) {
    const inner = { ...parameter, type: parameter.type.replace(/\[[0-9]*\]$/, "") };
    return `[${value.map((item) => formatValue(item, inner)).join(", ")}]`;
  }
  if (parameter.type === "tuple" && "components" in parameter && value !== null) {
    const fields = parameter.components.map((component, i) => {
      const item = Array.isArray(value)
        ? value[i]
        : (value as Record<string, unknown>)[component.name ?? String(i)];
      return `${component.name || i}: ${formatValue(item, component)}`;
    });
    return `{ ${fields.join(", ")} }`;
  }
  if (typeof value === "string") {
    return parameter.type === "string" ? JSON.stringify(value) : value.toLowerCase();
  }
  return String(value);
}

/**
 * Decodes one call of a proposal with the ABI of the Agora contract at its target (`contract`,
 * null when the target is none of them). Never throws: calldata that fits no function of the
 * ABI is reported in `decodeError`.
 */
export function decodeAction(
  index: number,
  target: string,
  contract: string | null,
  value: string,
  calldata: string,
): ProposalAction {
  const base = {
    index,
    target,
    contract,
    knownTarget: contract !== null,
    value,
    calldata,
    function: null,
    signature: null,
    args: [],
  };
  const sent = value === "0" ? "" : ` {value: ${value} wei}`;
  if (calldata === "0x" || calldata === "") {
    return { ...base, call: `transfer${sent} to ${contract ?? target}`, decodeError: null };
  }
  const selector = calldata.slice(0, 10).toLowerCase();
  const unknown = (decodeError: string | null): ProposalAction => ({
    ...base,
    call: `${contract ?? target}.${selector}(…)${sent}`,
    decodeError,
  });
  const abi = contract === null ? undefined : AGORA_ABIS[contract];
  if (!abi) return unknown("the target is not one of Agora's contracts");
  if (calldata.length > MAX_DECODED_CALLDATA) {
    return unknown(`calldata longer than ${MAX_DECODED_CALLDATA / 2} bytes is not decoded`);
  }
  try {
    const decoded = decodeFunctionData({ abi, data: calldata as Hex });
    const fn = abi.find(
      (item): item is AbiFunction =>
        item.type === "function" &&
        item.name === decoded.functionName &&
        item.inputs.length === (decoded.args?.length ?? 0),
    )!;
    const args = fn.inputs.map((input, i) => ({
      name: input.name?.replace(/^_+|_+$/g, "") || `arg${i}`,
      type: input.type,
      value: formatValue(decoded.args?.[i], input),
    }));
    return {
      ...base,
      function: fn.name,
      signature: toFunctionSignature(fn),
      args,
      call: `${contract}.${fn.name}(${args.map((a) => `${a.name}: ${a.value}`).join(", ")})${sent}`,
      decodeError: null,
    };
  } catch (error) {
    return unknown(
      `the calldata fits no function of ${contract}: ${(error as Error).message.split("\n")[0]}`,
    );
  }
}

/** First non-blank line of a description, without a Markdown heading's leading #. */
export function titleOf(description: string): string {
  const line = description.split(/\r?\n/).find((text) => text.trim() !== "") ?? "";
  return line
    .trim()
    .replace(/^#+\s*/, "")
    .trim();
}
