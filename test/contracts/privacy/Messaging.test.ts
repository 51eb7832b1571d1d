import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { deploySuite } from "../../../deploy/suite";
import {
  PUBLISH_KEY_TYPES,
  bytesToHex,
  messagingDomain,
  randomMessagingKeyPair,
} from "../../../sdk/messaging";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { Messaging } from "../../../typechain-types";

const URI = "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy5";

async function messagingFixture() {
  const [deployer, alice, bob, mallory, relayer] = await ethers.getSigners();
  const suite = await deploySuite(deployer);
  const registry = suite.profileRegistry.contract;
  await registry.connect(alice).register("alice", URI);
  await registry.connect(bob).register("bob", URI);
  await registry.connect(mallory).register("mallory", URI);
  const { chainId } = await ethers.provider.getNetwork();
  const domain = messagingDomain(chainId, suite.messaging.address);
  return { messaging: suite.messaging.contract, registry, domain, alice, bob, mallory, relayer };
}

/** Alice (1) and bob (2) with published keys. */
async function keyedFixture() {
  const base = await messagingFixture();
  const aliceKey = bytesToHex(randomMessagingKeyPair().publicKey);
  const bobKey = bytesToHex(randomMessagingKeyPair().publicKey);
  await base.messaging.connect(base.alice).publishKey(1n, aliceKey);
  await base.messaging.connect(base.bob).publishKey(2n, bobKey);
  return { ...base, aliceKey, bobKey };
}

async function signPublish(
  messaging: Messaging,
  domain: ReturnType<typeof messagingDomain>,
  signer: HardhatEthersSigner,
  nonceOf: string,
  profileId: bigint,
  publicKey: string,
  deadline?: bigint,
) {
  const value = {
    profileId,
    publicKey,
    nonce: await messaging.nonces(nonceOf),
    deadline: deadline ?? BigInt(await time.latest()) + 3600n,
  };
  return {
    signature: await signer.signTypedData(domain, PUBLISH_KEY_TYPES, value),
    deadline: value.deadline,
  };
}

describe("Messaging", function () {
  describe("publishKey", function () {
    it("publishes a 32-byte key as version 1, then rotates to version 2", async function () {
      const { messaging, alice } = await loadFixture(messagingFixture);
      const first = bytesToHex(randomMessagingKeyPair().publicKey);
      const second = bytesToHex(randomMessagingKeyPair().publicKey);
      await expect(messaging.connect(alice).publishKey(1n, first))
        .to.emit(messaging, "MessagingKeyPublished")
        .withArgs(1n, 1n, first);
      expect(await messaging.keyOf(1n)).to.deep.equal([first, 1n]);
      await expect(messaging.connect(alice).publishKey(1n, second))
        .to.emit(messaging, "MessagingKeyPublished")
        .withArgs(1n, 2n, second);
      expect(await messaging.keyOf(1n)).to.deep.equal([second, 2n]);
    });

    it("refuses anyone but the profile's owner: no one can substitute their key", async function () {
      const { messaging, mallory } = await loadFixture(messagingFixture);
      const key = bytesToHex(randomMessagingKeyPair().publicKey);
      await expect(messaging.connect(mallory).publishKey(1n, key))
        .to.be.revertedWithCustomError(messaging, "MessagingUnauthorized")
        .withArgs(1n, mallory.address);
      await expect(messaging.connect(mallory).publishKey(99n, key))
        .to.be.revertedWithCustomError(messaging, "MessagingUnauthorized")
        .withArgs(99n, mallory.address);
    });

    it("refuses keys of the wrong length and the zero key", async function () {
      const { messaging, alice } = await loadFixture(messagingFixture);
      for (const length of [0, 1, 31, 33, 64]) {
        await expect(messaging.connect(alice).publishKey(1n, "0x" + "ab".repeat(length)))
          .to.be.revertedWithCustomError(messaging, "MessagingKeyInvalid")
          .withArgs(BigInt(length));
      }
      await expect(messaging.connect(alice).publishKey(1n, ethers.ZeroHash))
        .to.be.revertedWithCustomError(messaging, "MessagingKeyInvalid")
        .withArgs(32n);
    });
  });

  describe("publishKeyFor", function () {
    it("publishes a key with the owner's signature, relayed by anyone", async function () {
      const { messaging, domain, alice, relayer } = await loadFixture(messagingFixture);
      const key = bytesToHex(randomMessagingKeyPair().publicKey);
      const { signature, deadline } = await signPublish(
        messaging,
        domain,
        alice,
        alice.address,
        1n,
        key,
      );
      await expect(messaging.connect(relayer).publishKeyFor(1n, key, deadline, signature))
        .to.emit(messaging, "MessagingKeyPublished")
        .withArgs(1n, 1n, key);
      expect(await messaging.nonces(alice.address)).to.equal(1n);
    });

    it("refuses a forged publication: another signer, another key, another profile, a replay", async function () {
      const { messaging, domain, alice, mallory, relayer } = await loadFixture(messagingFixture);
      const key = bytesToHex(randomMessagingKeyPair().publicKey);
      const evil = bytesToHex(randomMessagingKeyPair().publicKey);
      const forged = await signPublish(messaging, domain, mallory, alice.address, 1n, evil);
      await expect(
        messaging.connect(relayer).publishKeyFor(1n, evil, forged.deadline, forged.signature),
      )
        .to.be.revertedWithCustomError(messaging, "MessagingSignatureInvalid")
        .withArgs(alice.address);
      const real = await signPublish(messaging, domain, alice, alice.address, 1n, key);
      await expect(
        messaging.connect(relayer).publishKeyFor(1n, evil, real.deadline, real.signature),
      ).to.be.revertedWithCustomError(messaging, "MessagingSignatureInvalid");
      await expect(
        messaging.connect(relayer).publishKeyFor(2n, key, real.deadline, real.signature),
      ).to.be.revertedWithCustomError(messaging, "MessagingSignatureInvalid");
      await messaging.connect(relayer).publishKeyFor(1n, key, real.deadline, real.signature);
      await expect(
        messaging.connect(relayer).publishKeyFor(1n, key, real.deadline, real.signature),
      ).to.be.revertedWithCustomError(messaging, "MessagingSignatureInvalid");
    });

    it("refuses an expired signature, a burnt nonce and a missing profile", async function () {
      const { messaging, domain, alice, relayer } = await loadFixture(messagingFixture);
      const key = bytesToHex(randomMessagingKeyPair().publicKey);
      const past = BigInt(await time.latest()) - 1n;
      const expired = await signPublish(messaging, domain, alice, alice.address, 1n, key, past);
      await expect(messaging.connect(relayer).publishKeyFor(1n, key, past, expired.signature))
        .to.be.revertedWithCustomError(messaging, "MessagingSignatureExpired")
        .withArgs(past);
      const signed = await signPublish(messaging, domain, alice, alice.address, 1n, key);
      await expect(messaging.connect(alice).burnNonce())
        .to.emit(messaging, "MessagingNonceUsed")
        .withArgs(alice.address, 0n);
      await expect(
        messaging.connect(relayer).publishKeyFor(1n, key, signed.deadline, signed.signature),
      ).to.be.revertedWithCustomError(messaging, "MessagingSignatureInvalid");
      await expect(
        messaging.connect(relayer).publishKeyFor(42n, key, signed.deadline, signed.signature),
      )
        .to.be.revertedWithCustomError(messaging, "MessagingProfileNotFound")
        .withArgs(42n);
    });

    it("checks the key's length after the signature", async function () {
      const { messaging, domain, alice, relayer } = await loadFixture(messagingFixture);
      const short = "0x1234";
      const signed = await signPublish(messaging, domain, alice, alice.address, 1n, short);
      await expect(
        messaging.connect(relayer).publishKeyFor(1n, short, signed.deadline, signed.signature),
      )
        .to.be.revertedWithCustomError(messaging, "MessagingKeyInvalid")
        .withArgs(2n);
    });
  });

  describe("revokeKey", function () {
    it("withdraws the key, keeps the version count, and stops messages to the profile", async function () {
      const { messaging, alice, bob } = await loadFixture(keyedFixture);
      await expect(messaging.connect(bob).revokeKey(2n))
        .to.emit(messaging, "MessagingKeyRevoked")
        .withArgs(2n, 1n);
      expect(await messaging.keyOf(2n)).to.deep.equal([ethers.ZeroHash, 1n]);
      await expect(messaging.connect(alice).sendMessage(1n, 2n, "0x01"))
        .to.be.revertedWithCustomError(messaging, "MessagingKeyMissing")
        .withArgs(2n);
      await expect(messaging.connect(bob).revokeKey(2n))
        .to.be.revertedWithCustomError(messaging, "MessagingKeyMissing")
        .withArgs(2n);
      const next = bytesToHex(randomMessagingKeyPair().publicKey);
      await expect(messaging.connect(bob).publishKey(2n, next))
        .to.emit(messaging, "MessagingKeyPublished")
        .withArgs(2n, 2n, next);
    });

    it("is the owner's alone", async function () {
      const { messaging, mallory } = await loadFixture(keyedFixture);
      await expect(messaging.connect(mallory).revokeKey(2n))
        .to.be.revertedWithCustomError(messaging, "MessagingUnauthorized")
        .withArgs(2n, mallory.address);
    });
  });

  describe("sendMessage", function () {
    it("emits the ciphertext between the two profiles", async function () {
      const { messaging, alice } = await loadFixture(keyedFixture);
      const ciphertext = ethers.hexlify(ethers.randomBytes(113));
      await expect(messaging.connect(alice).sendMessage(1n, 2n, ciphertext))
        .to.emit(messaging, "MessageSent")
        .withArgs(1n, 2n, ciphertext);
    });

    it("accepts 4096 bytes and refuses empty and longer ciphertexts", async function () {
      const { messaging, alice } = await loadFixture(keyedFixture);
      await expect(messaging.connect(alice).sendMessage(1n, 2n, ethers.randomBytes(4096))).to.emit(
        messaging,
        "MessageSent",
      );
      await expect(
        messaging.connect(alice).sendMessage(1n, 2n, "0x"),
      ).to.be.revertedWithCustomError(messaging, "MessagingCiphertextEmpty");
      await expect(messaging.connect(alice).sendMessage(1n, 2n, ethers.randomBytes(4097)))
        .to.be.revertedWithCustomError(messaging, "MessagingCiphertextTooLong")
        .withArgs(4097n, 4096n);
    });

    it("refuses a sender who does not own the profile it writes as", async function () {
      const { messaging, mallory } = await loadFixture(keyedFixture);
      await expect(messaging.connect(mallory).sendMessage(1n, 2n, "0x01"))
        .to.be.revertedWithCustomError(messaging, "MessagingUnauthorized")
        .withArgs(1n, mallory.address);
    });

    it("needs a key on both sides, and two different profiles", async function () {
      const { messaging, alice, mallory } = await loadFixture(keyedFixture);
      await expect(messaging.connect(mallory).sendMessage(3n, 1n, "0x01"))
        .to.be.revertedWithCustomError(messaging, "MessagingKeyMissing")
        .withArgs(3n);
      await expect(messaging.connect(alice).sendMessage(1n, 3n, "0x01"))
        .to.be.revertedWithCustomError(messaging, "MessagingKeyMissing")
        .withArgs(3n);
      await expect(messaging.connect(alice).sendMessage(1n, 77n, "0x01"))
        .to.be.revertedWithCustomError(messaging, "MessagingKeyMissing")
        .withArgs(77n);
      await expect(messaging.connect(alice).sendMessage(1n, 1n, "0x01"))
        .to.be.revertedWithCustomError(messaging, "MessagingSelfMessage")
        .withArgs(1n);
    });
  });
});
