import type { Signer } from "ethers";
import { ProfileRegistry__factory, type ProfileRegistry } from "../typechain-types";

/** A deployed contract: its typed instance and the block its deployment was mined in. */
export interface Deployed<T> {
  contract: T;
  address: string;
  blockNumber: number;
}

/** Every contract of the suite. Test fixtures and `npm run deploy` both build it here. */
export interface Suite {
  profileRegistry: Deployed<ProfileRegistry>;
}

async function mined<T extends { getAddress(): Promise<string>; deploymentTransaction(): unknown }>(
  contract: T,
): Promise<Deployed<T>> {
  const tx = contract.deploymentTransaction() as {
    wait(): Promise<{ blockNumber: number } | null>;
  };
  const receipt = await tx.wait();
  if (!receipt) throw new Error("deployment transaction was dropped");
  return { contract, address: await contract.getAddress(), blockNumber: receipt.blockNumber };
}

/** Deploys the whole suite from `deployer`, in dependency order. */
export async function deploySuite(deployer: Signer): Promise<Suite> {
  const profileRegistry = await mined(await new ProfileRegistry__factory(deployer).deploy());
  return { profileRegistry };
}
