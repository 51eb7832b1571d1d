import hre from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { deploySuite } from "../../deploy/suite";
import { agoraDomain, agoraTypedData, signAgora } from "../../sdk/handles";

/** A typical content URI: an IPFS CIDv1 (base32) behind `ipfs://`. */
const URI = "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy5";
const HANDLE = "alice_0001";
/** The labels count the characters, so that they cannot disagree with what was measured. */
const URI_LABEL = `${URI.length}-char URI`;
const DAY = 86_400;

async function gasOf(
  tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>,
): Promise<number> {
  const receipt = await (await tx).wait();
  if (!receipt) throw new Error("transaction dropped");
  return Number(receipt.gasUsed);
}

/** Gas of every user-facing profile and social-graph operation, in steady state. */
export async function measureProfiles(): Promise<Record<string, number>> {
  const [deployer, alice, bob, carol, dave, erin, frank] = await hre.ethers.getSigners();
  const { profileRegistry } = await deploySuite(deployer);
  const registry = profileRegistry.contract;
  const inAWeek = async () => BigInt(await time.latest()) + BigInt(7 * DAY);
  // The first registration also initialises the id counter; measure a typical later one.
  await (await registry.connect(deployer).register("genesis", URI)).wait();
  const figures: Record<string, number> = {};
  figures[`register (${HANDLE.length}-char handle, ${URI_LABEL})`] = await gasOf(
    registry.connect(alice).register(HANDLE, URI),
  );
  await (await registry.connect(bob).register("bob", URI)).wait();
  const aliceId = await registry.profileIdOf(alice.address);
  const bobId = await registry.profileIdOf(bob.address);
  await (await registry.connect(alice).post(aliceId, URI)).wait();
  figures[`post (${URI_LABEL})`] = await gasOf(registry.connect(alice).post(aliceId, URI));
  const postId = (aliceId << 64n) | 1n;
  figures[`reply (${URI_LABEL})`] = await gasOf(
    registry.connect(bob).postWithRefs(bobId, URI, postId, 0n),
  );
  figures["follow"] = await gasOf(registry.connect(bob).follow(bobId, aliceId));
  figures["unfollow"] = await gasOf(registry.connect(bob).unfollow(bobId, aliceId));
  figures["react (like)"] = await gasOf(registry.connect(bob).react(bobId, postId, 1));
  figures["retract"] = await gasOf(registry.connect(alice).retract(postId));
  figures["change handle"] = await gasOf(
    registry.connect(alice).changeHandle(aliceId, "alice_0002"),
  );
  figures["change handle back during its cooldown"] = await gasOf(
    registry.connect(alice).changeHandle(aliceId, "alice_0001"),
  );
  await time.increase(31 * DAY);
  figures["register a handle freed after its cooldown"] = await gasOf(
    registry.connect(frank).register("alice_0002", URI),
  );
  figures["set metadata URI"] = await gasOf(registry.connect(alice).setMetadataURI(aliceId, URI));
  figures["set recovery"] = await gasOf(
    registry.connect(alice).setRecovery(aliceId, carol.address),
  );
  figures["schedule recovery change"] = await gasOf(
    registry.connect(alice).setRecovery(aliceId, erin.address),
  );
  figures["cancel recovery change"] = await gasOf(
    registry.connect(alice).setRecovery(aliceId, carol.address),
  );
  figures["offer transfer"] = await gasOf(
    registry.connect(alice).offerTransfer(aliceId, dave.address, await inAWeek()),
  );
  // With a recovery address in force, an owner's offer waits for the recovery delay.
  await time.increase(3 * DAY);
  figures["accept transfer"] = await gasOf(registry.connect(dave).acceptTransfer(aliceId));
  await (await registry.connect(dave).setRecovery(aliceId, carol.address)).wait();
  figures["recover"] = await gasOf(registry.connect(carol).recover(aliceId, alice.address));
  figures["accept recovery offer"] = await gasOf(registry.connect(alice).acceptTransfer(aliceId));
  await (await registry.connect(alice).setRecovery(aliceId, carol.address)).wait();
  figures["recover to the recovery address itself"] = await gasOf(
    registry.connect(carol).recover(aliceId, carol.address),
  );
  await (await registry.connect(carol).setRecovery(aliceId, erin.address)).wait();
  const { chainId } = await hre.ethers.provider.getNetwork();
  // A fixed deadline keeps the signature, and so the calldata's cost, the same on every run.
  const deadline = 2n ** 40n;
  const consent = await signAgora(
    dave,
    agoraTypedData(agoraDomain(chainId, profileRegistry.address), "AcceptProfile", {
      profileId: aliceId,
      to: dave.address,
      nonce: await registry.nonces(dave.address),
      deadline,
    }),
  );
  figures["recover with the new owner's signature"] = await gasOf(
    registry.connect(erin).recoverWithSignature(aliceId, dave.address, deadline, consent),
  );
  figures["burn nonce"] = await gasOf(registry.connect(dave).burnNonce());
  return figures;
}
