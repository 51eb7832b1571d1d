import { expect } from "chai";
import { ethers } from "hardhat";
import {
  impersonateAccount,
  loadFixture,
  setBalance,
  time,
} from "@nomicfoundation/hardhat-network-helpers";
import type { ContractTransactionResponse } from "ethers";
import {
  OFFER_EXPIRY_NEVER,
  RECOVERY_DELAY_SECONDS,
  RECOVERY_OFFER_PERIOD_SECONDS,
} from "../../../sdk/handles";
import { TestSmartWallet__factory } from "../../../typechain-types";
import { OTHER_URI, URI, inAWeek, profilesFixture, signFor } from "./fixture";

const ZERO = ethers.ZeroAddress;
const DELAY = BigInt(RECOVERY_DELAY_SECONDS);
const OFFER_PERIOD = BigInt(RECOVERY_OFFER_PERIOD_SECONDS);

/** The timestamp of the block that mined `tx`. */
async function minedAt(tx: Promise<ContractTransactionResponse>): Promise<bigint> {
  const receipt = await (await tx).wait();
  return BigInt((await ethers.provider.getBlock(receipt!.blockNumber))!.timestamp);
}

/** alice (1) and bob (2) as in `profilesFixture`, with carol as alice's recovery address. */
async function recoveryFixture() {
  const base = await profilesFixture();
  await base.registry.connect(base.alice).setRecovery(1n, base.carol.address);
  return base;
}

describe("ProfileRegistry: ownership", function () {
  describe("transfer offers", function () {
    describe("offerTransfer", function () {
      it("records the offer with its expiry and emits ProfileTransferOffered", async function () {
        const { registry, alice, carol } = await loadFixture(profilesFixture);
        const expiresAt = await inAWeek();
        const tx = registry.connect(alice).offerTransfer(1n, carol.address, expiresAt);
        await expect(tx)
          .to.emit(registry, "ProfileTransferOffered")
          .withArgs(1n, carol.address, expiresAt);
        const offeredAt = await minedAt(tx);
        expect(await registry.transferOfferOf(1n)).to.deep.equal([
          carol.address,
          offeredAt,
          expiresAt,
          false,
        ]);
        expect(await registry.ownerOf(1n)).to.equal(alice.address);
      });

      it("withdraws the offer when made to the zero address, whatever the expiry", async function () {
        const { registry, alice, carol } = await loadFixture(profilesFixture);
        await registry.connect(alice).offerTransfer(1n, carol.address, await inAWeek());
        await expect(registry.connect(alice).offerTransfer(1n, ZERO, 0n))
          .to.emit(registry, "ProfileTransferOffered")
          .withArgs(1n, ZERO, 0n);
        expect(await registry.transferOfferOf(1n)).to.deep.equal([ZERO, 0n, 0n, false]);
        await expect(registry.connect(carol).acceptTransfer(1n))
          .to.be.revertedWithCustomError(registry, "ProfileNoTransferOffer")
          .withArgs(1n, carol.address);
      });

      it("replaces an earlier offer", async function () {
        const { registry, alice, carol, dave } = await loadFixture(profilesFixture);
        await registry.connect(alice).offerTransfer(1n, carol.address, await inAWeek());
        await registry.connect(alice).offerTransfer(1n, dave.address, await inAWeek());
        await expect(registry.connect(carol).acceptTransfer(1n))
          .to.be.revertedWithCustomError(registry, "ProfileNoTransferOffer")
          .withArgs(1n, carol.address);
        await expect(registry.connect(dave).acceptTransfer(1n))
          .to.emit(registry, "ProfileTransferred")
          .withArgs(1n, alice.address, dave.address);
      });

      it("accepts an expiry equal to the block's time and rejects one before it", async function () {
        const { registry, alice, carol } = await loadFixture(profilesFixture);
        const now = BigInt(await time.latest()) + 10n;
        await time.setNextBlockTimestamp(now);
        await expect(registry.connect(alice).offerTransfer(1n, carol.address, now - 1n))
          .to.be.revertedWithCustomError(registry, "ProfileTransferExpiryInvalid")
          .withArgs(now - 1n);
        await time.setNextBlockTimestamp(now + 1n);
        await expect(registry.connect(alice).offerTransfer(1n, carol.address, now + 1n))
          .to.emit(registry, "ProfileTransferOffered")
          .withArgs(1n, carol.address, now + 1n);
        await expect(registry.connect(alice).offerTransfer(1n, carol.address, 0n))
          .to.be.revertedWithCustomError(registry, "ProfileTransferExpiryInvalid")
          .withArgs(0n);
      });

      it("stores an expiry past 2^40 - 1 as 2^40 - 1, which means never", async function () {
        const { registry, alice, carol } = await loadFixture(profilesFixture);
        for (const asked of [ethers.MaxUint256, OFFER_EXPIRY_NEVER + 1n, OFFER_EXPIRY_NEVER]) {
          await expect(registry.connect(alice).offerTransfer(1n, carol.address, asked))
            .to.emit(registry, "ProfileTransferOffered")
            .withArgs(1n, carol.address, OFFER_EXPIRY_NEVER);
        }
        await time.increase(100n * 365n * 86_400n);
        expect((await registry.transferOfferOf(1n)).expiresAt).to.equal(OFFER_EXPIRY_NEVER);
        await expect(registry.connect(carol).acceptTransfer(1n))
          .to.emit(registry, "ProfileTransferred")
          .withArgs(1n, alice.address, carol.address);
      });

      it("rejects an offer to the owner itself", async function () {
        const { registry, alice } = await loadFixture(profilesFixture);
        await expect(registry.connect(alice).offerTransfer(1n, alice.address, await inAWeek()))
          .to.be.revertedWithCustomError(registry, "ProfileInvalidAddress")
          .withArgs(alice.address);
      });

      it("rejects a caller who does not own the profile, and an unknown profile", async function () {
        const { registry, bob } = await loadFixture(profilesFixture);
        await expect(registry.connect(bob).offerTransfer(1n, bob.address, await inAWeek()))
          .to.be.revertedWithCustomError(registry, "ProfileUnauthorized")
          .withArgs(1n, bob.address);
        await expect(registry.connect(bob).offerTransfer(7n, bob.address, await inAWeek()))
          .to.be.revertedWithCustomError(registry, "ProfileNotFound")
          .withArgs(7n);
      });
    });

    describe("acceptTransfer", function () {
      it("makes the acceptor the owner, with handle, post count and id", async function () {
        const { registry, alice, carol, alicePost } = await loadFixture(profilesFixture);
        await registry.connect(alice).offerTransfer(1n, carol.address, await inAWeek());
        await expect(registry.connect(carol).acceptTransfer(1n))
          .to.emit(registry, "ProfileTransferred")
          .withArgs(1n, alice.address, carol.address);
        expect(await registry.ownerOf(1n)).to.equal(carol.address);
        expect(await registry.profileIdOf(carol.address)).to.equal(1n);
        expect(await registry.profileIdOf(alice.address)).to.equal(0n);
        expect(await registry.handleOf(1n)).to.equal("alice");
        expect(await registry.profileIdOfHandle("alice")).to.equal(1n);
        expect(await registry.postCountOf(1n)).to.equal(1n);
        expect(await registry.postExists(alicePost)).to.equal(true);
        expect(await registry.transferOfferOf(1n)).to.deep.equal([ZERO, 0n, 0n, false]);
      });

      it("hands the owner's powers to the acceptor and frees the sender to register again", async function () {
        const { registry, alice, carol } = await loadFixture(profilesFixture);
        await registry.connect(alice).offerTransfer(1n, carol.address, await inAWeek());
        await registry.connect(carol).acceptTransfer(1n);
        await expect(registry.connect(alice).setMetadataURI(1n, OTHER_URI))
          .to.be.revertedWithCustomError(registry, "ProfileUnauthorized")
          .withArgs(1n, alice.address);
        await expect(registry.connect(carol).setMetadataURI(1n, OTHER_URI))
          .to.emit(registry, "MetadataURIChanged")
          .withArgs(1n, OTHER_URI);
        await expect(registry.connect(alice).register("alice_again", URI))
          .to.emit(registry, "ProfileRegistered")
          .withArgs(3n, alice.address, "alice_again", URI);
      });

      it("cannot be repeated: the offer is spent", async function () {
        const { registry, alice, carol } = await loadFixture(profilesFixture);
        await registry.connect(alice).offerTransfer(1n, carol.address, await inAWeek());
        await registry.connect(carol).acceptTransfer(1n);
        await registry.connect(carol).offerTransfer(1n, alice.address, await inAWeek());
        await registry.connect(alice).acceptTransfer(1n);
        await expect(registry.connect(carol).acceptTransfer(1n))
          .to.be.revertedWithCustomError(registry, "ProfileNoTransferOffer")
          .withArgs(1n, carol.address);
        expect(await registry.ownerOf(1n)).to.equal(alice.address);
      });

      describe("after its expiry", function () {
        it("reverts with ProfileTransferOfferExpired, and accepts in the block stamped exactly at the expiry", async function () {
          const { registry, alice, carol, dave } = await loadFixture(profilesFixture);
          const expiresAt = await inAWeek();
          await registry.connect(alice).offerTransfer(1n, carol.address, expiresAt);
          await time.setNextBlockTimestamp(expiresAt + 1n);
          await expect(registry.connect(carol).acceptTransfer(1n))
            .to.be.revertedWithCustomError(registry, "ProfileTransferOfferExpired")
            .withArgs(1n, expiresAt);
          expect(await registry.ownerOf(1n)).to.equal(alice.address);
          expect(await registry.transferOfferOf(1n)).to.deep.equal([ZERO, 0n, 0n, false]);

          const second = BigInt(await time.latest()) + 100n;
          await registry.connect(alice).offerTransfer(1n, dave.address, second);
          await time.setNextBlockTimestamp(second);
          await expect(registry.connect(dave).acceptTransfer(1n))
            .to.emit(registry, "ProfileTransferred")
            .withArgs(1n, alice.address, dave.address);
        });
      });

      describe("while a recovery address is in force", function () {
        it("waits the recovery delay from the offer, so the recovery address can answer it", async function () {
          const { registry, alice, dave } = await loadFixture(recoveryFixture);
          const tx = registry.connect(alice).offerTransfer(1n, dave.address, await inAWeek());
          const acceptableAt = (await minedAt(tx)) + DELAY;
          expect((await registry.transferOfferOf(1n)).acceptableAt).to.equal(acceptableAt);
          await expect(registry.connect(dave).acceptTransfer(1n))
            .to.be.revertedWithCustomError(registry, "ProfileTransferOfferTooEarly")
            .withArgs(1n, acceptableAt);
          await time.setNextBlockTimestamp(acceptableAt - 1n);
          await expect(registry.connect(dave).acceptTransfer(1n))
            .to.be.revertedWithCustomError(registry, "ProfileTransferOfferTooEarly")
            .withArgs(1n, acceptableAt);
          await time.setNextBlockTimestamp(acceptableAt);
          await expect(registry.connect(dave).acceptTransfer(1n))
            .to.emit(registry, "ProfileTransferred")
            .withArgs(1n, alice.address, dave.address);
        });

        it("counts the wait from the offer, also when the recovery address was named after it", async function () {
          const { registry, alice, carol, dave } = await loadFixture(profilesFixture);
          const tx = registry.connect(alice).offerTransfer(1n, dave.address, await inAWeek());
          const offeredAt = await minedAt(tx);
          expect((await registry.transferOfferOf(1n)).acceptableAt).to.equal(offeredAt);
          await registry.connect(alice).setRecovery(1n, carol.address);
          expect((await registry.transferOfferOf(1n)).acceptableAt).to.equal(offeredAt + DELAY);
          await expect(registry.connect(dave).acceptTransfer(1n))
            .to.be.revertedWithCustomError(registry, "ProfileTransferOfferTooEarly")
            .withArgs(1n, offeredAt + DELAY);
        });

        it("ends the wait when a scheduled clearing of the recovery address applies", async function () {
          const { registry, alice, dave } = await loadFixture(recoveryFixture);
          const changeAt = (await minedAt(registry.connect(alice).setRecovery(1n, ZERO))) + DELAY;
          await time.increase(86_400);
          await registry.connect(alice).offerTransfer(1n, dave.address, await inAWeek());
          expect((await registry.transferOfferOf(1n)).acceptableAt).to.equal(changeAt);
          await time.setNextBlockTimestamp(changeAt - 1n);
          await expect(registry.connect(dave).acceptTransfer(1n))
            .to.be.revertedWithCustomError(registry, "ProfileTransferOfferTooEarly")
            .withArgs(1n, changeAt);
          await time.setNextBlockTimestamp(changeAt);
          await expect(registry.connect(dave).acceptTransfer(1n))
            .to.emit(registry, "ProfileTransferred")
            .withArgs(1n, alice.address, dave.address);
        });

        it("clears the recovery address and a scheduled change of it, announcing RecoverySet(0)", async function () {
          const { registry, alice, carol, dave, relayer } = await loadFixture(recoveryFixture);
          await registry.connect(alice).setRecovery(1n, relayer.address);
          await registry.connect(alice).offerTransfer(1n, dave.address, await inAWeek());
          await time.increase(RECOVERY_DELAY_SECONDS);
          await expect(registry.connect(dave).acceptTransfer(1n))
            .to.emit(registry, "RecoverySet")
            .withArgs(1n, ZERO);
          expect(await registry.recoveryOf(1n)).to.deep.equal([ZERO, ZERO, 0n]);
          for (const former of [carol, relayer]) {
            await expect(registry.connect(former).recover(1n, former.address))
              .to.be.revertedWithCustomError(registry, "ProfileUnauthorized")
              .withArgs(1n, former.address);
          }
          // The new owner names a first recovery address, which applies at once.
          await expect(registry.connect(dave).setRecovery(1n, carol.address))
            .to.emit(registry, "RecoverySet")
            .withArgs(1n, carol.address);
        });
      });

      it("emits no RecoverySet when there was no recovery address", async function () {
        const { registry, alice, carol } = await loadFixture(profilesFixture);
        await registry.connect(alice).offerTransfer(1n, carol.address, await inAWeek());
        await expect(registry.connect(carol).acceptTransfer(1n)).to.not.emit(
          registry,
          "RecoverySet",
        );
      });

      it("rejects a caller who is not the offered address", async function () {
        const { registry, alice, carol, dave } = await loadFixture(profilesFixture);
        await registry.connect(alice).offerTransfer(1n, carol.address, await inAWeek());
        await expect(registry.connect(dave).acceptTransfer(1n))
          .to.be.revertedWithCustomError(registry, "ProfileNoTransferOffer")
          .withArgs(1n, dave.address);
      });

      it("rejects a caller when no offer exists", async function () {
        const { registry, carol } = await loadFixture(profilesFixture);
        await expect(registry.connect(carol).acceptTransfer(1n))
          .to.be.revertedWithCustomError(registry, "ProfileNoTransferOffer")
          .withArgs(1n, carol.address);
        await expect(registry.connect(carol).acceptTransfer(42n))
          .to.be.revertedWithCustomError(registry, "ProfileNoTransferOffer")
          .withArgs(42n, carol.address);
      });

      it("rejects an acceptor that already owns a profile, or registered one after the offer", async function () {
        const { registry, alice, bob, carol } = await loadFixture(profilesFixture);
        await registry.connect(alice).offerTransfer(1n, bob.address, await inAWeek());
        await expect(registry.connect(bob).acceptTransfer(1n))
          .to.be.revertedWithCustomError(registry, "ProfileAlreadyOwned")
          .withArgs(bob.address, 2n);
        await registry.connect(alice).offerTransfer(1n, carol.address, await inAWeek());
        await registry.connect(carol).register("carol", URI);
        await expect(registry.connect(carol).acceptTransfer(1n))
          .to.be.revertedWithCustomError(registry, "ProfileAlreadyOwned")
          .withArgs(carol.address, 3n);
      });
    });
  });

  describe("recovery", function () {
    describe("setRecovery", function () {
      it("applies a first recovery address at once: there is none a thief could escape", async function () {
        const { registry, alice, carol } = await loadFixture(profilesFixture);
        await expect(registry.connect(alice).setRecovery(1n, carol.address))
          .to.emit(registry, "RecoverySet")
          .withArgs(1n, carol.address);
        expect(await registry.recoveryOf(1n)).to.deep.equal([carol.address, ZERO, 0n]);
      });

      it("refuses the owner as its own recovery address", async function () {
        const { registry, alice } = await loadFixture(recoveryFixture);
        await expect(registry.connect(alice).setRecovery(1n, alice.address))
          .to.be.revertedWithCustomError(registry, "ProfileInvalidAddress")
          .withArgs(alice.address);
      });

      describe("with a recovery address in force", function () {
        it("schedules the change for the recovery delay, the address in force keeping its power until then", async function () {
          const { registry, alice, carol, dave } = await loadFixture(recoveryFixture);
          const tx = registry.connect(alice).setRecovery(1n, dave.address);
          const effectiveAt = (await minedAt(tx)) + DELAY;
          await expect(tx)
            .to.emit(registry, "RecoveryChangeScheduled")
            .withArgs(1n, carol.address, dave.address, effectiveAt);
          expect(await registry.recoveryOf(1n)).to.deep.equal([
            carol.address,
            dave.address,
            effectiveAt,
          ]);
          await time.setNextBlockTimestamp(effectiveAt - 1n);
          await expect(registry.connect(dave).recover(1n, dave.address))
            .to.be.revertedWithCustomError(registry, "ProfileUnauthorized")
            .withArgs(1n, dave.address);
          await time.setNextBlockTimestamp(effectiveAt);
          await expect(registry.connect(carol).recover(1n, carol.address))
            .to.be.revertedWithCustomError(registry, "ProfileUnauthorized")
            .withArgs(1n, carol.address);
          expect(await registry.recoveryOf(1n)).to.deep.equal([dave.address, ZERO, 0n]);
          await expect(registry.connect(dave).recover(1n, dave.address))
            .to.emit(registry, "ProfileTransferred")
            .withArgs(1n, alice.address, dave.address);
        });

        it("schedules clearing it the same way", async function () {
          const { registry, alice, carol } = await loadFixture(recoveryFixture);
          const tx = registry.connect(alice).setRecovery(1n, ZERO);
          const effectiveAt = (await minedAt(tx)) + DELAY;
          await expect(tx)
            .to.emit(registry, "RecoveryChangeScheduled")
            .withArgs(1n, carol.address, ZERO, effectiveAt);
          expect(await registry.recoveryOf(1n)).to.deep.equal([carol.address, ZERO, effectiveAt]);
          await time.setNextBlockTimestamp(effectiveAt);
          await expect(registry.connect(carol).recover(1n, carol.address))
            .to.be.revertedWithCustomError(registry, "ProfileUnauthorized")
            .withArgs(1n, carol.address);
          expect(await registry.recoveryOf(1n)).to.deep.equal([ZERO, ZERO, 0n]);
        });

        it("lets a later change replace the scheduled one, restarting the delay", async function () {
          const { registry, alice, carol, dave, relayer } = await loadFixture(recoveryFixture);
          await registry.connect(alice).setRecovery(1n, dave.address);
          await time.increase(86_400);
          const tx = registry.connect(alice).setRecovery(1n, relayer.address);
          const effectiveAt = (await minedAt(tx)) + DELAY;
          await expect(tx)
            .to.emit(registry, "RecoveryChangeScheduled")
            .withArgs(1n, carol.address, relayer.address, effectiveAt);
          await time.setNextBlockTimestamp(effectiveAt);
          await expect(registry.connect(relayer).recover(1n, relayer.address)).to.emit(
            registry,
            "ProfileTransferred",
          );
        });

        it("cancels the scheduled change when the owner names the address in force", async function () {
          const { registry, alice, carol, dave } = await loadFixture(recoveryFixture);
          await registry.connect(alice).setRecovery(1n, dave.address);
          await expect(registry.connect(alice).setRecovery(1n, carol.address))
            .to.emit(registry, "RecoverySet")
            .withArgs(1n, carol.address);
          expect(await registry.recoveryOf(1n)).to.deep.equal([carol.address, ZERO, 0n]);
          await time.increase(RECOVERY_DELAY_SECONDS);
          expect(await registry.recoveryOf(1n)).to.deep.equal([carol.address, ZERO, 0n]);
        });

        it("schedules the next change from the address a change made, once it applies", async function () {
          const { registry, alice, dave, relayer } = await loadFixture(recoveryFixture);
          await registry.connect(alice).setRecovery(1n, dave.address);
          await time.increase(RECOVERY_DELAY_SECONDS);
          const tx = registry.connect(alice).setRecovery(1n, relayer.address);
          await expect(tx)
            .to.emit(registry, "RecoveryChangeScheduled")
            .withArgs(1n, dave.address, relayer.address, (await minedAt(tx)) + DELAY);
        });

        it("applies a new address at once after a scheduled clearing applied", async function () {
          const { registry, alice, dave } = await loadFixture(recoveryFixture);
          await registry.connect(alice).setRecovery(1n, ZERO);
          await time.increase(RECOVERY_DELAY_SECONDS);
          await expect(registry.connect(alice).setRecovery(1n, dave.address))
            .to.emit(registry, "RecoverySet")
            .withArgs(1n, dave.address);
          expect(await registry.recoveryOf(1n)).to.deep.equal([dave.address, ZERO, 0n]);
        });

        it("refuses a change while the recovery address has an open offer, until it expires", async function () {
          const { registry, alice, carol, dave } = await loadFixture(recoveryFixture);
          const tx = registry.connect(carol).recover(1n, dave.address);
          const expiresAt = (await minedAt(tx)) + OFFER_PERIOD;
          await expect(registry.connect(alice).setRecovery(1n, ZERO))
            .to.be.revertedWithCustomError(registry, "ProfileRecoveryInProgress")
            .withArgs(1n, dave.address, expiresAt);
          await time.setNextBlockTimestamp(expiresAt + 1n);
          await expect(registry.connect(alice).setRecovery(1n, ZERO)).to.emit(
            registry,
            "RecoveryChangeScheduled",
          );
        });
      });

      it("rejects a caller who does not own the profile, and an unknown profile", async function () {
        const { registry, alice, bob } = await loadFixture(profilesFixture);
        await expect(registry.connect(bob).setRecovery(1n, bob.address))
          .to.be.revertedWithCustomError(registry, "ProfileUnauthorized")
          .withArgs(1n, bob.address);
        await expect(registry.connect(alice).setRecovery(0n, bob.address))
          .to.be.revertedWithCustomError(registry, "ProfileNotFound")
          .withArgs(0n);
      });
    });

    describe("recover", function () {
      it("moves the profile at once to the recovery address itself, clearing offer and recovery", async function () {
        const { registry, alice, carol, dave } = await loadFixture(recoveryFixture);
        await registry.connect(alice).offerTransfer(1n, dave.address, await inAWeek());
        const tx = registry.connect(carol).recover(1n, carol.address);
        await expect(tx)
          .to.emit(registry, "ProfileTransferred")
          .withArgs(1n, alice.address, carol.address)
          .and.to.emit(registry, "RecoverySet")
          .withArgs(1n, ZERO);
        expect(await registry.ownerOf(1n)).to.equal(carol.address);
        expect(await registry.profileIdOf(carol.address)).to.equal(1n);
        expect(await registry.profileIdOf(alice.address)).to.equal(0n);
        expect(await registry.handleOf(1n)).to.equal("alice");
        expect(await registry.recoveryOf(1n)).to.deep.equal([ZERO, ZERO, 0n]);
        expect(await registry.transferOfferOf(1n)).to.deep.equal([ZERO, 0n, 0n, false]);
        await expect(registry.connect(dave).acceptTransfer(1n))
          .to.be.revertedWithCustomError(registry, "ProfileNoTransferOffer")
          .withArgs(1n, dave.address);
      });

      describe("to another address", function () {
        it("only offers the profile, for the recovery offer period; the address accepts at once", async function () {
          const { registry, alice, carol, dave } = await loadFixture(recoveryFixture);
          const tx = registry.connect(carol).recover(1n, dave.address);
          const at = await minedAt(tx);
          await expect(tx)
            .to.emit(registry, "ProfileRecoveryOffered")
            .withArgs(1n, carol.address, dave.address, at + OFFER_PERIOD)
            .and.not.to.emit(registry, "ProfileTransferred");
          expect(await registry.ownerOf(1n)).to.equal(alice.address);
          expect(await registry.profileIdOf(dave.address)).to.equal(0n);
          expect(await registry.transferOfferOf(1n)).to.deep.equal([
            dave.address,
            at,
            at + OFFER_PERIOD,
            true,
          ]);
          await expect(registry.connect(dave).acceptTransfer(1n))
            .to.emit(registry, "ProfileTransferred")
            .withArgs(1n, alice.address, dave.address)
            .and.to.emit(registry, "RecoverySet")
            .withArgs(1n, ZERO);
          expect(await registry.ownerOf(1n)).to.equal(dave.address);
        });

        it("replaces an owner's offer, which the owner can neither renew nor withdraw while it is open", async function () {
          const { registry, alice, carol, dave, relayer } = await loadFixture(recoveryFixture);
          await registry.connect(alice).offerTransfer(1n, relayer.address, await inAWeek());
          const expiresAt =
            (await minedAt(registry.connect(carol).recover(1n, dave.address))) + OFFER_PERIOD;
          for (const to of [relayer.address, ZERO]) {
            await expect(registry.connect(alice).offerTransfer(1n, to, await inAWeek()))
              .to.be.revertedWithCustomError(registry, "ProfileRecoveryInProgress")
              .withArgs(1n, dave.address, expiresAt);
          }
          await time.increase(RECOVERY_DELAY_SECONDS);
          await expect(registry.connect(relayer).acceptTransfer(1n))
            .to.be.revertedWithCustomError(registry, "ProfileNoTransferOffer")
            .withArgs(1n, relayer.address);
        });

        it("expires after the recovery offer period, and the owner may offer again", async function () {
          const { registry, alice, carol, dave, relayer } = await loadFixture(recoveryFixture);
          const expiresAt =
            (await minedAt(registry.connect(carol).recover(1n, dave.address))) + OFFER_PERIOD;
          await time.setNextBlockTimestamp(expiresAt + 1n);
          await expect(registry.connect(dave).acceptTransfer(1n))
            .to.be.revertedWithCustomError(registry, "ProfileTransferOfferExpired")
            .withArgs(1n, expiresAt);
          const renewed = await inAWeek();
          await expect(registry.connect(alice).offerTransfer(1n, relayer.address, renewed))
            .to.emit(registry, "ProfileTransferOffered")
            .withArgs(1n, relayer.address, renewed);
        });

        it("can be redirected by the recovery address", async function () {
          const { registry, alice, carol, dave, relayer } = await loadFixture(recoveryFixture);
          await registry.connect(carol).recover(1n, dave.address);
          await registry.connect(carol).recover(1n, relayer.address);
          await expect(registry.connect(dave).acceptTransfer(1n))
            .to.be.revertedWithCustomError(registry, "ProfileNoTransferOffer")
            .withArgs(1n, dave.address);
          await expect(registry.connect(relayer).acceptTransfer(1n))
            .to.emit(registry, "ProfileTransferred")
            .withArgs(1n, alice.address, relayer.address);
        });

        it("cannot be accepted by an address that owns a profile", async function () {
          const { registry, bob, carol } = await loadFixture(recoveryFixture);
          await registry.connect(carol).recover(1n, bob.address);
          await expect(registry.connect(bob).acceptTransfer(1n))
            .to.be.revertedWithCustomError(registry, "ProfileAlreadyOwned")
            .withArgs(bob.address, 2n);
        });

        it("rejects the zero address and the owner as destination", async function () {
          const { registry, alice, carol } = await loadFixture(recoveryFixture);
          for (const to of [ZERO, alice.address]) {
            await expect(registry.connect(carol).recover(1n, to))
              .to.be.revertedWithCustomError(registry, "ProfileInvalidAddress")
              .withArgs(to);
          }
        });
      });

      it("cancels a scheduled recovery change, announcing the address in force", async function () {
        const { registry, alice, carol, dave, relayer } = await loadFixture(recoveryFixture);
        await registry.connect(alice).setRecovery(1n, relayer.address);
        await expect(registry.connect(carol).recover(1n, dave.address))
          .to.emit(registry, "RecoverySet")
          .withArgs(1n, carol.address);
        expect(await registry.recoveryOf(1n)).to.deep.equal([carol.address, ZERO, 0n]);
        await time.increase(RECOVERY_DELAY_SECONDS);
        await expect(registry.connect(relayer).recover(1n, relayer.address))
          .to.be.revertedWithCustomError(registry, "ProfileUnauthorized")
          .withArgs(1n, relayer.address);
      });

      it("rejects a caller who is not the recovery address in force, the owner included", async function () {
        const { registry, alice, bob } = await loadFixture(recoveryFixture);
        for (const caller of [bob, alice]) {
          await expect(registry.connect(caller).recover(1n, bob.address))
            .to.be.revertedWithCustomError(registry, "ProfileUnauthorized")
            .withArgs(1n, caller.address);
        }
      });

      it("rejects any caller when no recovery address is set, the zero address included", async function () {
        const { registry, alice, carol } = await loadFixture(profilesFixture);
        await expect(registry.connect(carol).recover(1n, carol.address))
          .to.be.revertedWithCustomError(registry, "ProfileUnauthorized")
          .withArgs(1n, carol.address);
        await impersonateAccount(ZERO);
        await setBalance(ZERO, ethers.parseEther("1"));
        const zero = await ethers.getSigner(ZERO);
        await expect(registry.connect(zero).recover(1n, carol.address))
          .to.be.revertedWithCustomError(registry, "ProfileUnauthorized")
          .withArgs(1n, ZERO);
        expect(await registry.ownerOf(1n)).to.equal(alice.address);
      });

      it("rejects an unknown profile", async function () {
        const { registry, carol } = await loadFixture(profilesFixture);
        await expect(registry.connect(carol).recover(99n, carol.address))
          .to.be.revertedWithCustomError(registry, "ProfileNotFound")
          .withArgs(99n);
      });
    });

    describe("recoverWithSignature", function () {
      /** dave's consent to receive profile 1, signed by `signer` (dave by default). */
      async function consent(
        f: Awaited<ReturnType<typeof recoveryFixture>>,
        overrides: {
          signer?: typeof f.dave;
          to?: string;
          profileId?: bigint;
          deadline?: bigint;
        } = {},
      ) {
        const to = overrides.to ?? f.dave.address;
        return signFor(f.registry, f.domain, overrides.signer ?? f.dave, to, "AcceptProfile", {
          profileId: overrides.profileId ?? 1n,
          to,
          deadline: overrides.deadline,
        });
      }

      it("moves the profile at once with the new owner's signed consent, spending its nonce", async function () {
        const f = await loadFixture(recoveryFixture);
        const { signature, deadline } = await consent(f);
        await expect(
          f.registry.connect(f.carol).recoverWithSignature(1n, f.dave.address, deadline, signature),
        )
          .to.emit(f.registry, "ProfileTransferred")
          .withArgs(1n, f.alice.address, f.dave.address)
          .and.to.emit(f.registry, "RecoverySet")
          .withArgs(1n, ZERO);
        expect(await f.registry.ownerOf(1n)).to.equal(f.dave.address);
        expect(await f.registry.nonces(f.dave.address)).to.equal(1n);
        expect(await f.registry.nonces(f.carol.address)).to.equal(0n);
      });

      it("accepts a smart wallet's ERC-1271 consent", async function () {
        const f = await loadFixture(recoveryFixture);
        const wallet = await new TestSmartWallet__factory(f.dave).deploy(f.dave.address);
        const walletAddress = await wallet.getAddress();
        const { signature, deadline } = await consent(f, { to: walletAddress });
        await expect(
          f.registry.connect(f.carol).recoverWithSignature(1n, walletAddress, deadline, signature),
        )
          .to.emit(f.registry, "ProfileTransferred")
          .withArgs(1n, f.alice.address, walletAddress);
      });

      it("rejects a consent signed by another key, for another profile, or replayed", async function () {
        const f = await loadFixture(recoveryFixture);
        const cases = [
          await consent(f, { signer: f.relayer }),
          await consent(f, { profileId: 2n }),
        ];
        for (const { signature, deadline } of cases) {
          await expect(
            f.registry
              .connect(f.carol)
              .recoverWithSignature(1n, f.dave.address, deadline, signature),
          )
            .to.be.revertedWithCustomError(f.registry, "ProfileSignatureInvalid")
            .withArgs(f.dave.address);
        }
        // Consent that outlives the round trip below: only its spent nonce refuses the replay.
        const { signature, deadline } = await consent(f, {
          deadline: BigInt(await time.latest()) + 30n * 86_400n,
        });
        await f.registry
          .connect(f.carol)
          .recoverWithSignature(1n, f.dave.address, deadline, signature);
        await f.registry.connect(f.dave).setRecovery(1n, f.carol.address);
        await f.registry.connect(f.dave).offerTransfer(1n, f.relayer.address, await inAWeek());
        await time.increase(RECOVERY_DELAY_SECONDS);
        await f.registry.connect(f.relayer).acceptTransfer(1n);
        await f.registry.connect(f.relayer).setRecovery(1n, f.carol.address);
        await expect(
          f.registry.connect(f.carol).recoverWithSignature(1n, f.dave.address, deadline, signature),
        )
          .to.be.revertedWithCustomError(f.registry, "ProfileSignatureInvalid")
          .withArgs(f.dave.address);
      });

      it("rejects a consent past its deadline", async function () {
        const f = await loadFixture(recoveryFixture);
        const past = BigInt(await time.latest());
        const { signature } = await consent(f, { deadline: past });
        await expect(
          f.registry.connect(f.carol).recoverWithSignature(1n, f.dave.address, past, signature),
        )
          .to.be.revertedWithCustomError(f.registry, "ProfileSignatureExpired")
          .withArgs(past);
      });

      it("rejects a caller who is not the recovery address, and the zero address as destination", async function () {
        const f = await loadFixture(recoveryFixture);
        const { signature, deadline } = await consent(f);
        await expect(
          f.registry.connect(f.dave).recoverWithSignature(1n, f.dave.address, deadline, signature),
        )
          .to.be.revertedWithCustomError(f.registry, "ProfileUnauthorized")
          .withArgs(1n, f.dave.address);
        await expect(f.registry.connect(f.carol).recoverWithSignature(1n, ZERO, deadline, "0x"))
          .to.be.revertedWithCustomError(f.registry, "ProfileInvalidAddress")
          .withArgs(ZERO);
        await expect(
          f.registry.connect(f.carol).recoverWithSignature(7n, f.dave.address, deadline, signature),
        )
          .to.be.revertedWithCustomError(f.registry, "ProfileNotFound")
          .withArgs(7n);
      });

      it("rejects a destination that owns a profile, consent or not", async function () {
        const f = await loadFixture(recoveryFixture);
        const { signature, deadline } = await consent(f, { signer: f.bob, to: f.bob.address });
        await expect(
          f.registry.connect(f.carol).recoverWithSignature(1n, f.bob.address, deadline, signature),
        )
          .to.be.revertedWithCustomError(f.registry, "ProfileAlreadyOwned")
          .withArgs(f.bob.address, 2n);
      });
    });
  });

  describe("attacks", function () {
    describe("a thief holding the owner key", function () {
      it("cannot replace or clear the recovery address before the recovery address takes the profile back", async function () {
        const {
          registry,
          alice: thief,
          carol: rescuer,
          dave: rescued,
          relayer: accomplice,
        } = await loadFixture(recoveryFixture);
        // The thief tries to shut the recovery address out, in one block, before it reacts.
        await registry.connect(thief).setRecovery(1n, accomplice.address);
        expect((await registry.recoveryOf(1n)).recovery).to.equal(rescuer.address);
        await expect(registry.connect(accomplice).recover(1n, accomplice.address))
          .to.be.revertedWithCustomError(registry, "ProfileUnauthorized")
          .withArgs(1n, accomplice.address);
        // Within the delay, the recovery address offers the profile to the owner's new key.
        await time.increase(RECOVERY_DELAY_SECONDS - 60);
        await registry.connect(rescuer).recover(1n, rescued.address);
        expect(await registry.recoveryOf(1n)).to.deep.equal([rescuer.address, ZERO, 0n]);
        // The scheduled change was cancelled: waiting it out gives the thief nothing.
        await time.increase(RECOVERY_DELAY_SECONDS);
        await expect(registry.connect(accomplice).recover(1n, accomplice.address))
          .to.be.revertedWithCustomError(registry, "ProfileUnauthorized")
          .withArgs(1n, accomplice.address);
        await expect(
          registry.connect(thief).setRecovery(1n, accomplice.address),
        ).to.be.revertedWithCustomError(registry, "ProfileRecoveryInProgress");
        await registry.connect(rescued).acceptTransfer(1n);
        expect(await registry.ownerOf(1n)).to.equal(rescued.address);
        await expect(registry.connect(thief).setMetadataURI(1n, OTHER_URI))
          .to.be.revertedWithCustomError(registry, "ProfileUnauthorized")
          .withArgs(1n, thief.address);
      });

      it("cannot shed the recovery address by moving the profile to another of its addresses", async function () {
        const {
          registry,
          alice: thief,
          carol: rescuer,
          relayer: accomplice,
        } = await loadFixture(recoveryFixture);
        await registry.connect(thief).offerTransfer(1n, accomplice.address, ethers.MaxUint256);
        await expect(registry.connect(accomplice).acceptTransfer(1n)).to.be.revertedWithCustomError(
          registry,
          "ProfileTransferOfferTooEarly",
        );
        await registry.connect(rescuer).recover(1n, rescuer.address);
        expect(await registry.ownerOf(1n)).to.equal(rescuer.address);
        await time.increase(RECOVERY_DELAY_SECONDS);
        await expect(registry.connect(accomplice).acceptTransfer(1n))
          .to.be.revertedWithCustomError(registry, "ProfileNoTransferOffer")
          .withArgs(1n, accomplice.address);
      });

      it("finds the handle it gave up reserved for the profile, which takes it back once recovered", async function () {
        const {
          registry,
          alice: thief,
          carol: rescuer,
          bob: squatter,
        } = await loadFixture(recoveryFixture);
        await registry.connect(thief).changeHandle(1n, "stolen_now");
        await expect(
          registry.connect(squatter).changeHandle(2n, "alice"),
        ).to.be.revertedWithCustomError(registry, "ProfileHandleCoolingDown");
        await registry.connect(rescuer).recover(1n, rescuer.address);
        await expect(registry.connect(rescuer).changeHandle(1n, "alice")).to.emit(
          registry,
          "HandleChanged",
        );
        expect(await registry.handleOf(1n)).to.equal("alice");
      });
    });

    describe("an owner who names another of its addresses as recovery", function () {
      it("cannot push a profile with an offensive handle onto a victim's address", async function () {
        const {
          registry,
          bob: victim,
          dave: mallory,
          relayer: malloryToo,
        } = await loadFixture(profilesFixture);
        await registry.connect(mallory).register("offensive_handle", URI);
        await expect(registry.connect(mallory).setRecovery(3n, mallory.address))
          .to.be.revertedWithCustomError(registry, "ProfileInvalidAddress")
          .withArgs(mallory.address);
        await registry.connect(mallory).setRecovery(3n, malloryToo.address);
        const [, , , fresh] = await ethers.getSigners().then((s) => s.slice(10));
        for (const target of [victim.address, fresh.address]) {
          await expect(registry.connect(malloryToo).recover(3n, target))
            .to.emit(registry, "ProfileRecoveryOffered")
            .and.not.to.emit(registry, "ProfileTransferred");
          expect(await registry.profileIdOf(target)).to.not.equal(3n);
        }
        expect(await registry.ownerOf(3n)).to.equal(mallory.address);
        // The target's own registration, offers and recoveries stay open to it.
        await expect(registry.connect(fresh).register("fresh", URI))
          .to.emit(registry, "ProfileRegistered")
          .withArgs(4n, fresh.address, "fresh", URI);
        expect(await registry.profileIdOf(victim.address)).to.equal(2n);
      });
    });

    describe("a squatter", function () {
      it("cannot take a handle the moment its profile changes it", async function () {
        const { registry, alice, dave: squatter } = await loadFixture(profilesFixture);
        const tx = registry.connect(alice).changeHandle(1n, "alice_renamed");
        const freeAt = (await minedAt(tx)) + 30n * 86_400n;
        await expect(registry.connect(squatter).register("alice", URI))
          .to.be.revertedWithCustomError(registry, "ProfileHandleCoolingDown")
          .withArgs("alice", 1n, freeAt);
        expect(await registry.profileIdOfHandle("alice")).to.equal(0n);
      });
    });
  });
});
