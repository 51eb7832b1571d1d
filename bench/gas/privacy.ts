import hre from "hardhat";
import { deploySuite } from "../../deploy/suite";
import {
  encryptMessage,
  keyPairFromSecret,
  PUBLISH_KEY_TYPES,
  bytesToHex,
  messagingDomain,
} from "../../sdk/messaging";
import { StoredMessages__factory } from "../../typechain-types";

const URI = "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy5";
/** Fixed keys and nonce, so that every run encrypts the same bytes and measures the same gas. */
const ALICE = keyPairFromSecret(new Uint8Array(32).fill(1));
const BOB = keyPairFromSecret(new Uint8Array(32).fill(2));
const NONCE = new Uint8Array(24).fill(3);
const DEADLINE = 4_102_444_800n;

async function gasOf(
  tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>,
): Promise<number> {
  const receipt = await (await tx).wait();
  if (!receipt) throw new Error("transaction dropped");
  return Number(receipt.gasUsed);
}

/**
 * Gas of messaging keys, messages and moderation. A message of 100 characters (a 177-byte
 * envelope) and of 1,000 characters (1,073 bytes) is measured three ways: `Messaging.sendMessage`
 * (an event, with its checks), a bare event without checks, and DeSo's approach of keeping the
 * ciphertext in contract storage (contracts/test/StoredMessages.sol).
 */
export async function measurePrivacy(): Promise<Record<string, number>> {
  const [deployer, alice, bob, relayer] = await hre.ethers.getSigners();
  const suite = await deploySuite(deployer);
  const registry = suite.profileRegistry.contract;
  const messaging = suite.messaging.contract;
  const moderation = suite.moderation.contract;
  const stored = await new StoredMessages__factory(deployer).deploy();
  await (await registry.connect(alice).register("alice", URI)).wait();
  await (await registry.connect(bob).register("bob", URI)).wait();
  const figures: Record<string, number> = {};

  figures["publish messaging key (first)"] = await gasOf(
    messaging.connect(alice).publishKey(1n, ALICE.publicKey),
  );
  figures["rotate messaging key"] = await gasOf(
    messaging.connect(alice).publishKey(1n, BOB.publicKey),
  );
  const { chainId } = await hre.ethers.provider.getNetwork();
  const signature = await bob.signTypedData(
    messagingDomain(chainId, suite.messaging.address),
    PUBLISH_KEY_TYPES,
    { profileId: 2n, publicKey: bytesToHex(BOB.publicKey), nonce: 0n, deadline: DEADLINE },
  );
  figures["publish messaging key with the owner's signature (first)"] = await gasOf(
    messaging.connect(relayer).publishKeyFor(2n, BOB.publicKey, DEADLINE, signature),
  );
  await (await messaging.connect(alice).publishKey(1n, ALICE.publicKey)).wait();

  for (const length of [100, 1000]) {
    const ciphertext = encryptMessage(
      "m".repeat(length),
      ALICE.secretKey,
      {
        fromId: 1n,
        toId: 2n,
        senderPublicKey: ALICE.publicKey,
        senderKeyVersion: 3,
        recipientPublicKey: BOB.publicKey,
        recipientKeyVersion: 1,
      },
      NONCE,
    );
    const label = `${length}-char message (${ciphertext.length}-byte envelope)`;
    figures[`send ${label}`] = await gasOf(
      messaging.connect(alice).sendMessage(1n, 2n, ciphertext),
    );
    figures[`bare event, no checks: ${label}`] = await gasOf(
      stored.connect(alice).emitMessage(1n, 2n, ciphertext),
    );
    figures[`DeSo-style, ciphertext in storage: ${label}`] = await gasOf(
      stored.connect(alice).storeMessage(1n, 2n, ciphertext),
    );
  }

  figures["block"] = await gasOf(moderation.connect(alice).blockProfile(1n, 2n));
  figures["unblock"] = await gasOf(moderation.connect(alice).unblockProfile(1n, 2n));
  figures["mute"] = await gasOf(moderation.connect(alice).muteProfile(1n, 2n));
  figures["create moderation list (first, 16-byte name)"] = await gasOf(
    moderation.connect(alice).createList(1n, "known spam farms"),
  );
  figures["add 1 list member"] = await gasOf(moderation.connect(alice).addListMembers(1n, [2n]));
  figures["subscribe to a list"] = await gasOf(moderation.connect(bob).subscribeList(2n, 1n));
  return figures;
}
