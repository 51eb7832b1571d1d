import { expect } from "chai";
import { ethers } from "hardhat";
import {
  impersonateAccount,
  loadFixture,
  setBalance,
  time,
} from "@nomicfoundation/hardhat-network-helpers";
import { HANDLE_COOLDOWN_SECONDS, agoraDomain } from "../../../sdk/handles";
import { OTHER_URI, URI, freeAtOf, inAWeek, profilesFixture, registryFixture } from "./fixture";

const COOLDOWN = BigInt(HANDLE_COOLDOWN_SECONDS);

const INVALID_HANDLES: [string, string][] = [
  ["uppercase", "Alice"],
  ["all uppercase", "ALICE"],
  ["too short", "ab"],
  ["too long (26)", "a".repeat(26)],
  ["empty", ""],
  ["leading underscore", "_alice"],
  ["a hyphen", "al-ice"],
  ["a dot", "al.ice"],
  ["a space", "al ice"],
  ["an at sign", "@alice"],
  ["a colon", "ali:ce"],
  ["a slash", "ali/ce"],
  ["a backtick", "ali`ce"],
  ["a brace", "ali{ce"],
  ["a bracket", "ali[ce"],
  ["a NUL byte", "ali\u0000ce"],
  ["unicode letters", "alicé"],
  ["a unicode lookalike", "аlice"],
  ["an emoji", "ali😀"],
  ["three bytes of one unicode character", "中"],
];

describe("ProfileRegistry: profiles", function () {
  describe("register", function () {
    it("gives the caller profile 1, then 2, and emits ProfileRegistered with handle and URI", async function () {
      const { registry, alice, bob } = await loadFixture(registryFixture);
      await expect(registry.connect(alice).register("alice", URI))
        .to.emit(registry, "ProfileRegistered")
        .withArgs(1n, alice.address, "alice", URI);
      await expect(registry.connect(bob).register("bob_2", ""))
        .to.emit(registry, "ProfileRegistered")
        .withArgs(2n, bob.address, "bob_2", "");
      expect(await registry.profileCount()).to.equal(2n);
    });

    it("returns the new profile id", async function () {
      const { registry, alice } = await loadFixture(registryFixture);
      expect(await registry.connect(alice).register.staticCall("alice", URI)).to.equal(1n);
    });

    it("records owner, handle and both lookups", async function () {
      const { registry, alice } = await loadFixture(registryFixture);
      await registry.connect(alice).register("alice", URI);
      expect(await registry.ownerOf(1n)).to.equal(alice.address);
      expect(await registry.profileIdOf(alice.address)).to.equal(1n);
      expect(await registry.profileIdOfHandle("alice")).to.equal(1n);
      expect(await registry.handleOf(1n)).to.equal("alice");
      expect(await registry.postCountOf(1n)).to.equal(0n);
      expect(await registry.recoveryOf(1n)).to.deep.equal([
        ethers.ZeroAddress,
        ethers.ZeroAddress,
        0n,
      ]);
      expect(await registry.transferOfferOf(1n)).to.deep.equal([ethers.ZeroAddress, 0n, 0n, false]);
    });

    it("encodes the event data exactly as the ABI does, for URIs of every padding length", async function () {
      const { registry } = await loadFixture(registryFixture);
      const coder = ethers.AbiCoder.defaultAbiCoder();
      const signers = await ethers.getSigners();
      const uris = ["", "x", "u".repeat(31), "u".repeat(32), "u".repeat(33), "v".repeat(64)];
      uris.push(`${URI}?name=${encodeURIComponent("Zoë ✓")}`, "é".repeat(40));
      const handles = [
        "abc",
        "a".repeat(25),
        "h_31",
        "handle_32",
        "z9_",
        "x".repeat(24),
        "mid",
        "e",
      ];
      for (const [i, uri] of uris.entries()) {
        const owner = signers[10 + i];
        const handle = handles[i].padEnd(3, "3");
        const receipt = await (await registry.connect(owner).register(handle, uri)).wait();
        const log = receipt!.logs[0];
        expect(log.topics).to.deep.equal([
          registry.interface.getEvent("ProfileRegistered").topicHash,
          ethers.toBeHex(BigInt(i + 1), 32),
          ethers.zeroPadValue(owner.address.toLowerCase(), 32),
        ]);
        expect(log.data).to.equal(coder.encode(["string", "string"], [handle, uri]));
      }
    });

    it("accepts handles of 3 and 25 characters, digits, and inner or trailing underscores", async function () {
      const { registry, alice, bob, carol, dave } = await loadFixture(registryFixture);
      const handles = ["abc", "a".repeat(25), "0x_1", "42__"];
      for (const [i, signer] of [alice, bob, carol, dave].entries()) {
        await expect(registry.connect(signer).register(handles[i], URI))
          .to.emit(registry, "ProfileRegistered")
          .withArgs(BigInt(i + 1), signer.address, handles[i], URI);
        expect(await registry.handleOf(BigInt(i + 1))).to.equal(handles[i]);
      }
    });

    describe("rejects a handle with", function () {
      for (const [what, handle] of INVALID_HANDLES) {
        it(what, async function () {
          const { registry, alice } = await loadFixture(registryFixture);
          await expect(registry.connect(alice).register(handle, URI))
            .to.be.revertedWithCustomError(registry, "ProfileHandleInvalid")
            .withArgs(handle);
        });
      }
    });

    it("rejects a handle another profile holds", async function () {
      const { registry, carol } = await loadFixture(profilesFixture);
      await expect(registry.connect(carol).register("bob", URI))
        .to.be.revertedWithCustomError(registry, "ProfileHandleTaken")
        .withArgs("bob", 2n);
    });

    it("rejects a second profile for an address that owns one", async function () {
      const { registry, alice } = await loadFixture(profilesFixture);
      await expect(registry.connect(alice).register("alice_two", URI))
        .to.be.revertedWithCustomError(registry, "ProfileAlreadyOwned")
        .withArgs(alice.address, 1n);
    });

    it("does not use up an id when it reverts", async function () {
      const { registry, alice, carol } = await loadFixture(profilesFixture);
      await expect(registry.connect(alice).register("alice_two", URI)).to.be.reverted;
      await expect(registry.connect(carol).register("carol", URI))
        .to.emit(registry, "ProfileRegistered")
        .withArgs(3n, carol.address, "carol", URI);
    });
  });

  describe("changeHandle", function () {
    it("moves the profile to the new handle and emits HandleChanged with the old handle's cooldown", async function () {
      const { registry, alice } = await loadFixture(profilesFixture);
      const tx = registry.connect(alice).changeHandle(1n, "alice_2");
      const freeAt = await freeAtOf(tx);
      await expect(tx).to.emit(registry, "HandleChanged").withArgs(1n, "alice", "alice_2", freeAt);
      expect(await registry.handleOf(1n)).to.equal("alice_2");
      expect(await registry.profileIdOfHandle("alice_2")).to.equal(1n);
      expect(await registry.profileIdOfHandle("alice")).to.equal(0n);
      expect(await registry.profileIdOf(alice.address)).to.equal(1n);
    });

    describe("holds the old handle for the profile that gave it up", function () {
      it("refusing it to a new profile until its cooldown ends, then letting anyone take it", async function () {
        const { registry, alice, carol } = await loadFixture(profilesFixture);
        const freeAt = await freeAtOf(registry.connect(alice).changeHandle(1n, "alice_2"));
        await expect(registry.connect(carol).register("alice", URI))
          .to.be.revertedWithCustomError(registry, "ProfileHandleCoolingDown")
          .withArgs("alice", 1n, freeAt);
        await time.setNextBlockTimestamp(freeAt - 1n);
        await expect(registry.connect(carol).register("alice", URI))
          .to.be.revertedWithCustomError(registry, "ProfileHandleCoolingDown")
          .withArgs("alice", 1n, freeAt);
        await time.setNextBlockTimestamp(freeAt);
        await expect(registry.connect(carol).register("alice", URI))
          .to.emit(registry, "ProfileRegistered")
          .withArgs(3n, carol.address, "alice", URI);
        expect(await registry.profileIdOfHandle("alice")).to.equal(3n);
      });

      it("refusing it to another profile's handle change", async function () {
        const { registry, alice, bob } = await loadFixture(profilesFixture);
        const freeAt = await freeAtOf(registry.connect(alice).changeHandle(1n, "alice_2"));
        await expect(registry.connect(bob).changeHandle(2n, "alice"))
          .to.be.revertedWithCustomError(registry, "ProfileHandleCoolingDown")
          .withArgs("alice", 1n, freeAt);
      });

      it("letting that profile take it back, also after a transfer to a new owner", async function () {
        const { registry, alice, carol } = await loadFixture(profilesFixture);
        await registry.connect(alice).changeHandle(1n, "a".repeat(25));
        await registry.connect(alice).offerTransfer(1n, carol.address, await inAWeek());
        await registry.connect(carol).acceptTransfer(1n);
        const tx = registry.connect(carol).changeHandle(1n, "alice");
        const freeAt = await freeAtOf(tx);
        await expect(tx)
          .to.emit(registry, "HandleChanged")
          .withArgs(1n, "a".repeat(25), "alice", freeAt);
        expect(await registry.profileIdOfHandle("alice")).to.equal(1n);
        expect(await registry.profileIdOfHandle("a".repeat(25))).to.equal(0n);
      });

      it("and every handle it gives up in turn, each from its own change", async function () {
        const { registry, alice, carol } = await loadFixture(profilesFixture);
        const firstFreeAt = await freeAtOf(registry.connect(alice).changeHandle(1n, "alice_2"));
        await time.increase(HANDLE_COOLDOWN_SECONDS / 2);
        const secondFreeAt = await freeAtOf(registry.connect(alice).changeHandle(1n, "alice_3"));
        // A later change does not extend the cooldown of a handle given up before.
        await time.setNextBlockTimestamp(firstFreeAt);
        await expect(registry.connect(carol).register("alice", URI)).to.emit(
          registry,
          "ProfileRegistered",
        );
        await expect(registry.connect(alice).changeHandle(1n, "alice_2")).to.emit(
          registry,
          "HandleChanged",
        );
        expect(secondFreeAt).to.be.greaterThan(firstFreeAt);
      });
    });

    it("encodes HandleChanged exactly as the ABI does, for handles of every length", async function () {
      const { registry, alice } = await loadFixture(profilesFixture);
      const coder = ethers.AbiCoder.defaultAbiCoder();
      let previous = "alice";
      for (let length = 3; length <= 25; length++) {
        const handle = `${"h".repeat(length - 2)}${length.toString().padStart(2, "0")}`;
        const receipt = await (await registry.connect(alice).changeHandle(1n, handle)).wait();
        const block = await ethers.provider.getBlock(receipt!.blockNumber);
        const log = receipt!.logs[0];
        expect(log.topics).to.deep.equal([
          registry.interface.getEvent("HandleChanged").topicHash,
          ethers.toBeHex(1n, 32),
        ]);
        expect(log.data).to.equal(
          coder.encode(
            ["string", "string", "uint256"],
            [previous, handle, BigInt(block!.timestamp) + COOLDOWN],
          ),
        );
        expect(await registry.handleOf(1n)).to.equal(handle);
        previous = handle;
      }
    });

    it("rejects an invalid handle", async function () {
      const { registry, alice } = await loadFixture(profilesFixture);
      await expect(registry.connect(alice).changeHandle(1n, "Alice"))
        .to.be.revertedWithCustomError(registry, "ProfileHandleInvalid")
        .withArgs("Alice");
    });

    it("rejects a handle another profile holds", async function () {
      const { registry, alice } = await loadFixture(profilesFixture);
      await expect(registry.connect(alice).changeHandle(1n, "bob"))
        .to.be.revertedWithCustomError(registry, "ProfileHandleTaken")
        .withArgs("bob", 2n);
    });

    it("rejects the profile's own current handle as taken", async function () {
      const { registry, alice } = await loadFixture(profilesFixture);
      await expect(registry.connect(alice).changeHandle(1n, "alice"))
        .to.be.revertedWithCustomError(registry, "ProfileHandleTaken")
        .withArgs("alice", 1n);
    });

    it("rejects a caller who does not own the profile", async function () {
      const { registry, bob } = await loadFixture(profilesFixture);
      await expect(registry.connect(bob).changeHandle(1n, "mallory"))
        .to.be.revertedWithCustomError(registry, "ProfileUnauthorized")
        .withArgs(1n, bob.address);
    });

    it("rejects an unknown profile", async function () {
      const { registry, alice } = await loadFixture(profilesFixture);
      await expect(registry.connect(alice).changeHandle(99n, "nobody"))
        .to.be.revertedWithCustomError(registry, "ProfileNotFound")
        .withArgs(99n);
    });
  });

  describe("setMetadataURI", function () {
    it("emits MetadataURIChanged with the new URI", async function () {
      const { registry, alice } = await loadFixture(profilesFixture);
      await expect(registry.connect(alice).setMetadataURI(1n, OTHER_URI))
        .to.emit(registry, "MetadataURIChanged")
        .withArgs(1n, OTHER_URI);
    });

    it("accepts an empty URI, meaning no metadata", async function () {
      const { registry, alice } = await loadFixture(profilesFixture);
      await expect(registry.connect(alice).setMetadataURI(1n, ""))
        .to.emit(registry, "MetadataURIChanged")
        .withArgs(1n, "");
    });

    it("rejects a caller who does not own the profile", async function () {
      const { registry, bob } = await loadFixture(profilesFixture);
      await expect(registry.connect(bob).setMetadataURI(1n, OTHER_URI))
        .to.be.revertedWithCustomError(registry, "ProfileUnauthorized")
        .withArgs(1n, bob.address);
    });

    it("rejects an unknown profile", async function () {
      const { registry, alice } = await loadFixture(profilesFixture);
      await expect(registry.connect(alice).setMetadataURI(3n, OTHER_URI))
        .to.be.revertedWithCustomError(registry, "ProfileNotFound")
        .withArgs(3n);
    });
  });

  // No key controls the zero address, but some chains and test nodes let it send. Every profile
  // without an offer has the zero address as its pending owner, so it must be refused explicitly.
  describe("a transaction sent from the zero address", function () {
    async function zeroSender() {
      await impersonateAccount(ethers.ZeroAddress);
      await setBalance(ethers.ZeroAddress, ethers.parseEther("1"));
      return ethers.getSigner(ethers.ZeroAddress);
    }

    it("cannot register a profile", async function () {
      const { registry } = await loadFixture(profilesFixture);
      const zero = await zeroSender();
      await expect(registry.connect(zero).register("nobody", URI))
        .to.be.revertedWithCustomError(registry, "ProfileInvalidAddress")
        .withArgs(ethers.ZeroAddress);
    });

    it("cannot accept a profile that has no offer", async function () {
      const { registry, alice } = await loadFixture(profilesFixture);
      const zero = await zeroSender();
      expect((await registry.transferOfferOf(1n)).to).to.equal(ethers.ZeroAddress);
      await expect(registry.connect(zero).acceptTransfer(1n))
        .to.be.revertedWithCustomError(registry, "ProfileNoTransferOffer")
        .withArgs(1n, ethers.ZeroAddress);
      expect(await registry.ownerOf(1n)).to.equal(alice.address);
    });
  });

  describe("views", function () {
    it("ownerOf is zero for an unknown profile", async function () {
      const { registry } = await loadFixture(profilesFixture);
      expect(await registry.ownerOf(0n)).to.equal(ethers.ZeroAddress);
      expect(await registry.ownerOf(3n)).to.equal(ethers.ZeroAddress);
    });

    it("profileIdOf is zero for an address without a profile", async function () {
      const { registry, carol } = await loadFixture(profilesFixture);
      expect(await registry.profileIdOf(carol.address)).to.equal(0n);
      expect(await registry.profileIdOf(ethers.ZeroAddress)).to.equal(0n);
    });

    it("profileIdOfHandle is zero for a free handle and for invalid input", async function () {
      const { registry } = await loadFixture(profilesFixture);
      expect(await registry.profileIdOfHandle("bob")).to.equal(2n);
      expect(await registry.profileIdOfHandle("carol")).to.equal(0n);
      for (const [, handle] of INVALID_HANDLES) {
        expect(await registry.profileIdOfHandle(handle)).to.equal(0n);
      }
      for (const lookalike of ["Alice", "ALICE", " alice", "alice ", "alice\u0000", "_alice"]) {
        expect(await registry.profileIdOfHandle(lookalike)).to.equal(0n);
      }
      expect(await registry.profileIdOfHandle("alice".repeat(7))).to.equal(0n);
    });

    it("handleOf round-trips the longest handle", async function () {
      const { registry, carol } = await loadFixture(profilesFixture);
      const longest = "z0_".repeat(8) + "9";
      await registry.connect(carol).register(longest, URI);
      expect(await registry.handleOf(3n)).to.equal(longest);
      expect(await registry.profileIdOfHandle(longest)).to.equal(3n);
    });

    it("handleOf rejects an unknown profile", async function () {
      const { registry } = await loadFixture(profilesFixture);
      await expect(registry.handleOf(0n))
        .to.be.revertedWithCustomError(registry, "ProfileNotFound")
        .withArgs(0n);
      await expect(registry.handleOf(3n))
        .to.be.revertedWithCustomError(registry, "ProfileNotFound")
        .withArgs(3n);
    });

    it("recoveryOf and transferOfferOf are zeros for an unknown profile", async function () {
      const { registry } = await loadFixture(profilesFixture);
      expect(await registry.recoveryOf(99n)).to.deep.equal([
        ethers.ZeroAddress,
        ethers.ZeroAddress,
        0n,
      ]);
      expect(await registry.transferOfferOf(99n)).to.deep.equal([
        ethers.ZeroAddress,
        0n,
        0n,
        false,
      ]);
    });

    it("profileCount starts at zero and counts every registration, never reusing ids", async function () {
      const { registry, alice, carol } = await loadFixture(registryFixture);
      expect(await registry.profileCount()).to.equal(0n);
      await registry.connect(alice).register("alice", URI);
      await registry.connect(alice).offerTransfer(1n, carol.address, await inAWeek());
      await registry.connect(carol).acceptTransfer(1n);
      await registry.connect(alice).register("alice_again", URI);
      expect(await registry.profileCount()).to.equal(2n);
      expect(await registry.profileIdOf(alice.address)).to.equal(2n);
    });

    it("isValidHandle answers for the handle rules alone, not availability", async function () {
      const { registry } = await loadFixture(profilesFixture);
      for (const valid of ["alice", "bob", "abc", "a".repeat(25), "0_0", "9__"]) {
        expect(await registry.isValidHandle(valid), valid).to.equal(true);
      }
      for (const [, invalid] of INVALID_HANDLES) {
        expect(await registry.isValidHandle(invalid), invalid).to.equal(false);
      }
    });

    it("nonces start at zero", async function () {
      const { registry, alice, carol } = await loadFixture(profilesFixture);
      expect(await registry.nonces(alice.address)).to.equal(0n);
      expect(await registry.nonces(carol.address)).to.equal(0n);
    });

    it("eip712Domain describes the domain Agora, version 1, this chain and contract, as the sdk does", async function () {
      const { registry, chainId } = await loadFixture(registryFixture);
      const reported = await registry.eip712Domain();
      expect(reported.fields).to.equal("0x0f");
      expect(reported.name).to.equal("Agora");
      expect(reported.version).to.equal("1");
      expect(reported.chainId).to.equal(chainId);
      expect(reported.verifyingContract).to.equal(await registry.getAddress());
      expect(reported.salt).to.equal(ethers.ZeroHash);
      expect(reported.extensions).to.deep.equal([]);
      const reportedDomain = {
        name: reported.name,
        version: reported.version,
        chainId: reported.chainId,
        verifyingContract: reported.verifyingContract,
      };
      expect(ethers.TypedDataEncoder.hashDomain(reportedDomain)).to.equal(
        ethers.TypedDataEncoder.hashDomain(agoraDomain(chainId, await registry.getAddress())),
      );
    });
  });
});
