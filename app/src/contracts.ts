import { AgoraGovernorAbi } from "../../abi/AgoraGovernor";
import { AgoraTimelockAbi } from "../../abi/AgoraTimelock";
import { CreatorCoinAbi } from "../../abi/CreatorCoin";
import { CreatorCoinFactoryAbi } from "../../abi/CreatorCoinFactory";
import { GovernanceTokenAbi } from "../../abi/GovernanceToken";
import { MessagingAbi } from "../../abi/Messaging";
import { ModerationAbi } from "../../abi/Moderation";
import { ProfileRegistryAbi } from "../../abi/ProfileRegistry";
import { RevenueSplitAbi } from "../../abi/RevenueSplit";
import { TipJarAbi } from "../../abi/TipJar";

/**
 * Every contract the app talks to, by the name the deployment file and abi/ give it. The hooks
 * in shared/contracts.ts take one of these names and read the address from the deployment, so
 * the app follows a redeploy without edits. `CreatorCoin` is the implementation: each coin is a
 * clone at its own address, which the hooks take as an argument.
 */
export const ABIS = {
  ProfileRegistry: ProfileRegistryAbi,
  GovernanceToken: GovernanceTokenAbi,
  AgoraTimelock: AgoraTimelockAbi,
  AgoraGovernor: AgoraGovernorAbi,
  RevenueSplit: RevenueSplitAbi,
  TipJar: TipJarAbi,
  CreatorCoinFactory: CreatorCoinFactoryAbi,
  CreatorCoin: CreatorCoinAbi,
  Moderation: ModerationAbi,
  Messaging: MessagingAbi,
} as const;

export type ContractName = keyof typeof ABIS;
export type ContractAbi<N extends ContractName> = (typeof ABIS)[N];

/** Every error any Agora contract can revert with, to decode a revert whatever contract raised it. */
export const ALL_ERRORS = Object.values(ABIS).flatMap((abi) =>
  abi.filter((item) => item.type === "error"),
);
