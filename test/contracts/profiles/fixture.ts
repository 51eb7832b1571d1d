import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { deploySuite } from "../../../deploy/suite";
import {
  agoraDomain,
  agoraTypedData,
  signAgora,
  type AgoraMessages,
  type AgoraPrimaryType,
  type TypedDataSigner,
} from "../../../sdk/handles";
import type { ProfileRegistry } from "../../../typechain-types";
import { HANDLE_COOLDOWN_SECONDS } from "../../../sdk/handles";

export const URI = "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy5";
export const OTHER_URI = "ar://8oOBl2sKQ3wZy6mN9QfwA5vTn2hXo7B0X1uKc4uWw3s";

/** A fresh registry, with signers for the roles the tests play. Profiles are registered per test. */
export async function registryFixture() {
  const [deployer, alice, bob, carol, dave, relayer] = await ethers.getSigners();
  const suite = await deploySuite(deployer);
  const registry = suite.profileRegistry.contract;
  const { chainId } = await ethers.provider.getNetwork();
  const domain = agoraDomain(chainId, suite.profileRegistry.address);
  return { registry, domain, chainId, deployer, alice, bob, carol, dave, relayer };
}

/** The registry with alice (id 1) and bob (id 2) registered, and one post by alice. */
export async function profilesFixture() {
  const base = await registryFixture();
  const { registry, alice, bob } = base;
  await registry.connect(alice).register("alice", URI);
  await registry.connect(bob).register("bob", URI);
  await registry.connect(alice).post(1n, URI);
  return { ...base, aliceId: 1n, bobId: 2n, alicePost: (1n << 64n) | 1n };
}

/** Signs a `primaryType` message for the registry's domain; `nonce` defaults to the current one. */
export async function signFor<T extends AgoraPrimaryType>(
  registry: ProfileRegistry,
  domain: Awaited<ReturnType<typeof registryFixture>>["domain"],
  signer: TypedDataSigner,
  nonceOf: string,
  primaryType: T,
  message: Omit<AgoraMessages[T], "nonce" | "deadline"> & { nonce?: bigint; deadline?: bigint },
): Promise<{ signature: string; deadline: bigint }> {
  const nonce = message.nonce ?? (await registry.nonces(nonceOf));
  const deadline = message.deadline ?? BigInt(await time.latest()) + 3600n;
  const value = { ...message, nonce, deadline } as AgoraMessages[T];
  const signature = await signAgora(signer, agoraTypedData(domain, primaryType, value));
  return { signature, deadline };
}

/** When a handle given up in the block of `tx` becomes free for anyone. */
export async function freeAtOf(
  tx: Promise<{ wait(): Promise<{ blockNumber: number } | null> }>,
): Promise<bigint> {
  const receipt = await (await tx).wait();
  const block = await ethers.provider.getBlock(receipt!.blockNumber);
  return BigInt(block!.timestamp) + BigInt(HANDLE_COOLDOWN_SECONDS);
}

/** An offer expiry a week from the latest block. */
export async function inAWeek(): Promise<bigint> {
  return BigInt(await time.latest()) + 7n * 86_400n;
}

export type Signer = HardhatEthersSigner;
