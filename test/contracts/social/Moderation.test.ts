import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deploySuite } from "../../../deploy/suite";

const URI = "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy5";

/** The suite with alice (1), bob (2) and carol (3) registered. */
async function moderationFixture() {
  const [deployer, alice, bob, carol, outsider] = await ethers.getSigners();
  const suite = await deploySuite(deployer);
  const registry = suite.profileRegistry.contract;
  await registry.connect(alice).register("alice", URI);
  await registry.connect(bob).register("bob", URI);
  await registry.connect(carol).register("carol", URI);
  return { moderation: suite.moderation.contract, registry, alice, bob, carol, outsider };
}

/** The fixture with list 1 curated by alice. */
async function listFixture() {
  const base = await moderationFixture();
  await base.moderation.connect(base.alice).createList(1n, "spam accounts");
  return base;
}

describe("Moderation", function () {
  const pairs = [
    ["blockProfile", "Blocked"],
    ["unblockProfile", "Unblocked"],
    ["muteProfile", "Muted"],
    ["unmuteProfile", "Unmuted"],
  ] as const;

  for (const [fn, event] of pairs) {
    describe(fn, function () {
      it(`emits ${event} for the owner of the acting profile`, async function () {
        const { moderation, alice } = await loadFixture(moderationFixture);
        await expect(moderation.connect(alice)[fn](1n, 2n))
          .to.emit(moderation, event)
          .withArgs(1n, 2n);
      });

      it("is not deduplicated: the same action twice emits twice", async function () {
        const { moderation, alice } = await loadFixture(moderationFixture);
        await moderation.connect(alice)[fn](1n, 2n);
        await expect(moderation.connect(alice)[fn](1n, 2n)).to.emit(moderation, event);
      });

      it("refuses a caller who does not own the acting profile", async function () {
        const { moderation, bob } = await loadFixture(moderationFixture);
        await expect(moderation.connect(bob)[fn](1n, 3n))
          .to.be.revertedWithCustomError(moderation, "ModerationUnauthorized")
          .withArgs(1n, bob.address);
      });

      it("refuses an acting profile that does not exist", async function () {
        const { moderation, outsider } = await loadFixture(moderationFixture);
        await expect(moderation.connect(outsider)[fn](9n, 1n))
          .to.be.revertedWithCustomError(moderation, "ModerationUnauthorized")
          .withArgs(9n, outsider.address);
      });

      it("refuses the profile itself as target", async function () {
        const { moderation, alice } = await loadFixture(moderationFixture);
        await expect(moderation.connect(alice)[fn](1n, 1n))
          .to.be.revertedWithCustomError(moderation, "ModerationSelfTarget")
          .withArgs(1n);
      });

      it("refuses a target that does not exist", async function () {
        const { moderation, alice } = await loadFixture(moderationFixture);
        for (const target of [0n, 4n, ethers.MaxUint256]) {
          await expect(moderation.connect(alice)[fn](1n, target))
            .to.be.revertedWithCustomError(moderation, "ModerationProfileNotFound")
            .withArgs(target);
        }
      });
    });
  }

  it("follows the registry: a profile's new owner moderates for it, the old one no longer", async function () {
    const { moderation, registry, alice, outsider } = await loadFixture(moderationFixture);
    const expiry = BigInt((await ethers.provider.getBlock("latest"))!.timestamp) + 86_400n;
    await registry.connect(alice).offerTransfer(1n, outsider.address, expiry);
    await registry.connect(outsider).acceptTransfer(1n);
    await expect(moderation.connect(alice).blockProfile(1n, 2n)).to.be.revertedWithCustomError(
      moderation,
      "ModerationUnauthorized",
    );
    await expect(moderation.connect(outsider).blockProfile(1n, 2n)).to.emit(moderation, "Blocked");
  });

  describe("lists", function () {
    it("creates lists numbered from 1 for their curator and emits the name", async function () {
      const { moderation, alice, bob } = await loadFixture(moderationFixture);
      expect(await moderation.connect(alice).createList.staticCall(1n, "trolls")).to.equal(1n);
      await expect(moderation.connect(alice).createList(1n, "trolls"))
        .to.emit(moderation, "ModerationListCreated")
        .withArgs(1n, 1n, "trolls");
      await expect(moderation.connect(bob).createList(2n, "bots"))
        .to.emit(moderation, "ModerationListCreated")
        .withArgs(2n, 2n, "bots");
      expect(await moderation.listOwnerOf(1n)).to.equal(1n);
      expect(await moderation.listOwnerOf(2n)).to.equal(2n);
      expect(await moderation.listOwnerOf(3n)).to.equal(0n);
      expect(await moderation.listCount()).to.equal(2n);
    });

    it("keeps a hostile name's bytes as they were sent (64 bytes at most)", async function () {
      const { moderation, alice } = await loadFixture(moderationFixture);
      const hostile = "\u202Eevil\u0000\u200B<script>";
      await expect(moderation.connect(alice).createList(1n, hostile))
        .to.emit(moderation, "ModerationListCreated")
        .withArgs(1n, 1n, hostile);
      const max = "x".repeat(64);
      await expect(moderation.connect(alice).createList(1n, max)).to.emit(
        moderation,
        "ModerationListCreated",
      );
    });

    it("refuses an empty or oversize name", async function () {
      const { moderation, alice } = await loadFixture(moderationFixture);
      await expect(moderation.connect(alice).createList(1n, ""))
        .to.be.revertedWithCustomError(moderation, "ModerationListNameInvalid")
        .withArgs(0n, 64n);
      await expect(moderation.connect(alice).createList(1n, "é".repeat(33)))
        .to.be.revertedWithCustomError(moderation, "ModerationListNameInvalid")
        .withArgs(66n, 64n);
    });

    it("lets only the curator's owner create, rename and edit a list", async function () {
      const { moderation, bob } = await loadFixture(listFixture);
      await expect(moderation.connect(bob).createList(1n, "mine"))
        .to.be.revertedWithCustomError(moderation, "ModerationUnauthorized")
        .withArgs(1n, bob.address);
      await expect(moderation.connect(bob).renameList(1n, "mine"))
        .to.be.revertedWithCustomError(moderation, "ModerationUnauthorized")
        .withArgs(1n, bob.address);
      await expect(moderation.connect(bob).addListMembers(1n, [3n]))
        .to.be.revertedWithCustomError(moderation, "ModerationUnauthorized")
        .withArgs(1n, bob.address);
      await expect(moderation.connect(bob).removeListMembers(1n, [3n]))
        .to.be.revertedWithCustomError(moderation, "ModerationUnauthorized")
        .withArgs(1n, bob.address);
    });

    it("renames a list", async function () {
      const { moderation, alice } = await loadFixture(listFixture);
      await expect(moderation.connect(alice).renameList(1n, "scams"))
        .to.emit(moderation, "ModerationListRenamed")
        .withArgs(1n, "scams");
      await expect(moderation.connect(alice).renameList(1n, ""))
        .to.be.revertedWithCustomError(moderation, "ModerationListNameInvalid")
        .withArgs(0n, 64n);
    });

    it("adds and removes members, one event each", async function () {
      const { moderation, alice } = await loadFixture(listFixture);
      const add = moderation.connect(alice).addListMembers(1n, [2n, 3n]);
      await expect(add).to.emit(moderation, "ModerationListMemberAdded").withArgs(1n, 2n);
      await expect(add).to.emit(moderation, "ModerationListMemberAdded").withArgs(1n, 3n);
      await expect(moderation.connect(alice).removeListMembers(1n, [3n]))
        .to.emit(moderation, "ModerationListMemberRemoved")
        .withArgs(1n, 3n);
    });

    it("refuses members that do not exist and the curator itself, all or nothing", async function () {
      const { moderation, alice } = await loadFixture(listFixture);
      await expect(moderation.connect(alice).addListMembers(1n, [2n, 7n]))
        .to.be.revertedWithCustomError(moderation, "ModerationProfileNotFound")
        .withArgs(7n);
      await expect(moderation.connect(alice).addListMembers(1n, [1n]))
        .to.be.revertedWithCustomError(moderation, "ModerationSelfTarget")
        .withArgs(1n);
    });

    it("refuses lists that do not exist", async function () {
      const { moderation, alice, bob } = await loadFixture(listFixture);
      const calls = [
        () => moderation.connect(alice).renameList(2n, "x"),
        () => moderation.connect(alice).addListMembers(0n, [2n]),
        () => moderation.connect(alice).removeListMembers(5n, [2n]),
        () => moderation.connect(bob).subscribeList(2n, 2n),
        () => moderation.connect(bob).unsubscribeList(2n, 0n),
      ];
      for (const call of calls) {
        await expect(call()).to.be.revertedWithCustomError(moderation, "ModerationListNotFound");
      }
    });

    it("lets any profile subscribe and unsubscribe, its own owner only", async function () {
      const { moderation, alice, bob } = await loadFixture(listFixture);
      await expect(moderation.connect(bob).subscribeList(2n, 1n))
        .to.emit(moderation, "ModerationListSubscribed")
        .withArgs(2n, 1n);
      await expect(moderation.connect(bob).unsubscribeList(2n, 1n))
        .to.emit(moderation, "ModerationListUnsubscribed")
        .withArgs(2n, 1n);
      await expect(moderation.connect(alice).subscribeList(2n, 1n))
        .to.be.revertedWithCustomError(moderation, "ModerationUnauthorized")
        .withArgs(2n, alice.address);
    });
  });
});
