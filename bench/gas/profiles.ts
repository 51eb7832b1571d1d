import hre from "hardhat";
import { deploySuite } from "../../deploy/suite";

const URI_59 = "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy5"; // 59 characters

async function gasOf(
  tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>,
): Promise<number> {
  const receipt = await (await tx).wait();
  if (!receipt) throw new Error("transaction dropped");
  return Number(receipt.gasUsed);
}

/** Gas of every user-facing profile and social-graph operation, in steady state. */
export async function measureProfiles(): Promise<Record<string, number>> {
  const [deployer, alice, bob, carol, dave] = await hre.ethers.getSigners();
  const { profileRegistry } = await deploySuite(deployer);
  const registry = profileRegistry.contract;
  // The first registration also initialises the id counter; measure a typical later one.
  await (await registry.connect(deployer).register("genesis", URI_59)).wait();
  const figures: Record<string, number> = {};
  figures["register (10-char handle, 59-char URI)"] = await gasOf(
    registry.connect(alice).register("alice_0001", URI_59),
  );
  await (await registry.connect(bob).register("bob", URI_59)).wait();
  const aliceId = await registry.profileIdOf(alice.address);
  const bobId = await registry.profileIdOf(bob.address);
  await (await registry.connect(alice).post(aliceId, URI_59)).wait();
  figures["post (59-char URI)"] = await gasOf(registry.connect(alice).post(aliceId, URI_59));
  const postId = (aliceId << 64n) | 1n;
  figures["reply (59-char URI)"] = await gasOf(
    registry.connect(bob).postWithRefs(bobId, URI_59, postId, 0n),
  );
  figures["follow"] = await gasOf(registry.connect(bob).follow(bobId, aliceId));
  figures["unfollow"] = await gasOf(registry.connect(bob).unfollow(bobId, aliceId));
  figures["react (like)"] = await gasOf(registry.connect(bob).react(bobId, postId, 1));
  figures["retract"] = await gasOf(registry.connect(alice).retract(postId));
  figures["change handle"] = await gasOf(
    registry.connect(alice).changeHandle(aliceId, "alice_0002"),
  );
  figures["set metadata URI"] = await gasOf(
    registry.connect(alice).setMetadataURI(aliceId, URI_59),
  );
  figures["set recovery"] = await gasOf(
    registry.connect(alice).setRecovery(aliceId, carol.address),
  );
  figures["offer transfer"] = await gasOf(
    registry.connect(alice).offerTransfer(aliceId, dave.address),
  );
  figures["accept transfer"] = await gasOf(registry.connect(dave).acceptTransfer(aliceId));
  await (await registry.connect(dave).setRecovery(aliceId, carol.address)).wait();
  figures["recover"] = await gasOf(registry.connect(carol).recover(aliceId, alice.address));
  return figures;
}
