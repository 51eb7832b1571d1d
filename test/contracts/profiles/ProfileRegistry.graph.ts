import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { authorOfPost, postIdOf, sequenceOfPost } from "../../../sdk/handles";
import { OTHER_URI, URI, profilesFixture } from "./fixture";

/** Post ids that name no post once alice (1) has one post and bob (2) none. */
function missingPostIds(alicePost: bigint): [string, bigint][] {
  return [
    ["a sequence past the author's count", postIdOf(1n, 2n)],
    ["sequence 0", 1n << 64n],
    ["an author without posts", postIdOf(2n, 1n)],
    ["an author that does not exist", postIdOf(99n, 1n)],
    ["author id 0", 1n],
    ["garbage in the high bits", alicePost | (1n << 200n)],
    ["every bit set", ethers.MaxUint256],
  ];
}

describe("ProfileRegistry: social graph", function () {
  describe("post", function () {
    it("publishes the author's next post id and emits Posted", async function () {
      const { registry, alice } = await loadFixture(profilesFixture);
      const expected = postIdOf(1n, 2n);
      expect(await registry.connect(alice).post.staticCall(1n, OTHER_URI)).to.equal(expected);
      await expect(registry.connect(alice).post(1n, OTHER_URI))
        .to.emit(registry, "Posted")
        .withArgs(expected, OTHER_URI);
      expect(await registry.postCountOf(1n)).to.equal(2n);
      expect(await registry.postExists(expected)).to.equal(true);
    });

    it("numbers each author's posts contiguously from 1, the author in the id", async function () {
      const { registry, alice, bob } = await loadFixture(profilesFixture);
      const ids: bigint[] = [];
      for (const [signer, id] of [
        [bob, 2n],
        [alice, 1n],
        [bob, 2n],
        [bob, 2n],
      ] as const) {
        const receipt = await (await registry.connect(signer).post(id, URI)).wait();
        ids.push(BigInt(receipt!.logs[0].topics[1]));
      }
      expect(ids).to.deep.equal([
        postIdOf(2n, 1n),
        postIdOf(1n, 2n),
        postIdOf(2n, 2n),
        postIdOf(2n, 3n),
      ]);
      expect(ids.map(authorOfPost)).to.deep.equal([2n, 1n, 2n, 2n]);
      expect(ids.map(sequenceOfPost)).to.deep.equal([1n, 2n, 2n, 3n]);
    });

    it("rejects empty content", async function () {
      const { registry, alice } = await loadFixture(profilesFixture);
      await expect(registry.connect(alice).post(1n, ""))
        .to.be.revertedWithCustomError(registry, "PostContentEmpty")
        .withArgs();
    });

    it("rejects an author the caller does not own", async function () {
      const { registry, bob } = await loadFixture(profilesFixture);
      await expect(registry.connect(bob).post(1n, URI))
        .to.be.revertedWithCustomError(registry, "ProfileUnauthorized")
        .withArgs(1n, bob.address);
    });

    it("rejects an unknown author", async function () {
      const { registry, carol } = await loadFixture(profilesFixture);
      await expect(registry.connect(carol).post(0n, URI))
        .to.be.revertedWithCustomError(registry, "ProfileNotFound")
        .withArgs(0n);
    });
  });

  describe("postWithRefs", function () {
    it("publishes a reply with PostedWithRefs(parent, no quote)", async function () {
      const { registry, bob, alicePost } = await loadFixture(profilesFixture);
      const reply = postIdOf(2n, 1n);
      expect(await registry.connect(bob).postWithRefs.staticCall(2n, URI, alicePost, 0n)).to.equal(
        reply,
      );
      await expect(registry.connect(bob).postWithRefs(2n, URI, alicePost, 0n))
        .to.emit(registry, "PostedWithRefs")
        .withArgs(reply, alicePost, 0n, URI)
        .and.not.to.emit(registry, "Posted");
      expect(await registry.postExists(reply)).to.equal(true);
    });

    it("publishes a quote with PostedWithRefs(no parent, quoted)", async function () {
      const { registry, bob, alicePost } = await loadFixture(profilesFixture);
      await expect(registry.connect(bob).postWithRefs(2n, OTHER_URI, 0n, alicePost))
        .to.emit(registry, "PostedWithRefs")
        .withArgs(postIdOf(2n, 1n), 0n, alicePost, OTHER_URI);
    });

    it("publishes a reply that also quotes", async function () {
      const { registry, alice, bob, alicePost } = await loadFixture(profilesFixture);
      await registry.connect(bob).post(2n, URI);
      await expect(registry.connect(alice).postWithRefs(1n, URI, postIdOf(2n, 1n), alicePost))
        .to.emit(registry, "PostedWithRefs")
        .withArgs(postIdOf(1n, 2n), postIdOf(2n, 1n), alicePost, URI);
    });

    it("publishes a plain post with Posted when both references are 0", async function () {
      const { registry, alice } = await loadFixture(profilesFixture);
      await expect(registry.connect(alice).postWithRefs(1n, URI, 0n, 0n))
        .to.emit(registry, "Posted")
        .withArgs(postIdOf(1n, 2n), URI)
        .and.not.to.emit(registry, "PostedWithRefs");
    });

    it("shares the author's sequence with plain posts", async function () {
      const { registry, alice, alicePost } = await loadFixture(profilesFixture);
      await registry.connect(alice).postWithRefs(1n, URI, alicePost, 0n);
      await expect(registry.connect(alice).post(1n, URI))
        .to.emit(registry, "Posted")
        .withArgs(postIdOf(1n, 3n), URI);
    });

    it("may reply to a retracted post, which still exists", async function () {
      const { registry, alice, bob, alicePost } = await loadFixture(profilesFixture);
      await registry.connect(alice).retract(alicePost);
      await expect(registry.connect(bob).postWithRefs(2n, URI, alicePost, 0n))
        .to.emit(registry, "PostedWithRefs")
        .withArgs(postIdOf(2n, 1n), alicePost, 0n, URI);
    });

    describe("rejects a parent with", function () {
      for (const [what, id] of missingPostIds((1n << 64n) | 1n)) {
        it(what, async function () {
          const { registry, bob } = await loadFixture(profilesFixture);
          await expect(registry.connect(bob).postWithRefs(2n, URI, id, 0n))
            .to.be.revertedWithCustomError(registry, "PostNotFound")
            .withArgs(id);
        });
      }
    });

    describe("rejects a quote with", function () {
      for (const [what, id] of missingPostIds((1n << 64n) | 1n)) {
        it(what, async function () {
          const { registry, bob, alicePost } = await loadFixture(profilesFixture);
          await expect(registry.connect(bob).postWithRefs(2n, URI, alicePost, id))
            .to.be.revertedWithCustomError(registry, "PostNotFound")
            .withArgs(id);
        });
      }
    });

    it("rejects a reference to the post it would itself become", async function () {
      const { registry, bob } = await loadFixture(profilesFixture);
      await expect(registry.connect(bob).postWithRefs(2n, URI, postIdOf(2n, 1n), 0n))
        .to.be.revertedWithCustomError(registry, "PostNotFound")
        .withArgs(postIdOf(2n, 1n));
    });

    it("rejects empty content", async function () {
      const { registry, bob, alicePost } = await loadFixture(profilesFixture);
      await expect(registry.connect(bob).postWithRefs(2n, "", alicePost, 0n))
        .to.be.revertedWithCustomError(registry, "PostContentEmpty")
        .withArgs();
    });

    it("rejects an author the caller does not own", async function () {
      const { registry, alice, alicePost } = await loadFixture(profilesFixture);
      await expect(registry.connect(alice).postWithRefs(2n, URI, alicePost, 0n))
        .to.be.revertedWithCustomError(registry, "ProfileUnauthorized")
        .withArgs(2n, alice.address);
    });

    it("rejects an unknown author", async function () {
      const { registry, alice, alicePost } = await loadFixture(profilesFixture);
      await expect(registry.connect(alice).postWithRefs(5n, URI, alicePost, 0n))
        .to.be.revertedWithCustomError(registry, "ProfileNotFound")
        .withArgs(5n);
    });
  });

  describe("retract", function () {
    it("emits PostRetracted for the author's own post, which keeps existing", async function () {
      const { registry, alice, alicePost } = await loadFixture(profilesFixture);
      await expect(registry.connect(alice).retract(alicePost))
        .to.emit(registry, "PostRetracted")
        .withArgs(1n, alicePost);
      expect(await registry.postExists(alicePost)).to.equal(true);
      expect(await registry.postCountOf(1n)).to.equal(1n);
    });

    it("rejects a post of another author", async function () {
      const { registry, bob, alicePost } = await loadFixture(profilesFixture);
      await expect(registry.connect(bob).retract(alicePost))
        .to.be.revertedWithCustomError(registry, "ProfileUnauthorized")
        .withArgs(1n, bob.address);
    });

    it("passes to the profile's new owner with the profile", async function () {
      const { registry, alice, carol, alicePost } = await loadFixture(profilesFixture);
      await registry.connect(alice).offerTransfer(1n, carol.address, ethers.MaxUint256);
      await registry.connect(carol).acceptTransfer(1n);
      await expect(registry.connect(alice).retract(alicePost))
        .to.be.revertedWithCustomError(registry, "ProfileUnauthorized")
        .withArgs(1n, alice.address);
      await expect(registry.connect(carol).retract(alicePost))
        .to.emit(registry, "PostRetracted")
        .withArgs(1n, alicePost);
    });

    describe("rejects a post id with", function () {
      for (const [what, id] of missingPostIds((1n << 64n) | 1n)) {
        it(what, async function () {
          const { registry, alice } = await loadFixture(profilesFixture);
          await expect(registry.connect(alice).retract(id))
            .to.be.revertedWithCustomError(registry, "PostNotFound")
            .withArgs(id);
        });
      }
    });
  });

  for (const action of ["follow", "unfollow"] as const) {
    const event = action === "follow" ? "Followed" : "Unfollowed";
    describe(action, function () {
      it(`emits ${event}(follower, followed)`, async function () {
        const { registry, bob } = await loadFixture(profilesFixture);
        await expect(registry.connect(bob)[action](2n, 1n))
          .to.emit(registry, event)
          .withArgs(2n, 1n);
      });

      it(`emits ${event} again when repeated: the graph is not deduplicated on chain`, async function () {
        const { registry, bob } = await loadFixture(profilesFixture);
        await registry.connect(bob)[action](2n, 1n);
        await expect(registry.connect(bob)[action](2n, 1n))
          .to.emit(registry, event)
          .withArgs(2n, 1n);
      });

      it("rejects a profile acting on itself", async function () {
        const { registry, alice } = await loadFixture(profilesFixture);
        await expect(registry.connect(alice)[action](1n, 1n))
          .to.be.revertedWithCustomError(registry, "SocialSelfFollow")
          .withArgs(1n);
      });

      it("rejects an unknown target", async function () {
        const { registry, alice } = await loadFixture(profilesFixture);
        await expect(registry.connect(alice)[action](1n, 3n))
          .to.be.revertedWithCustomError(registry, "ProfileNotFound")
          .withArgs(3n);
        await expect(registry.connect(alice)[action](1n, 0n))
          .to.be.revertedWithCustomError(registry, "ProfileNotFound")
          .withArgs(0n);
      });

      it("rejects acting for a profile the caller does not own", async function () {
        const { registry, alice } = await loadFixture(profilesFixture);
        await expect(registry.connect(alice)[action](2n, 1n))
          .to.be.revertedWithCustomError(registry, "ProfileUnauthorized")
          .withArgs(2n, alice.address);
      });

      it("rejects acting for an unknown profile", async function () {
        const { registry, carol } = await loadFixture(profilesFixture);
        await expect(registry.connect(carol)[action](3n, 1n))
          .to.be.revertedWithCustomError(registry, "ProfileNotFound")
          .withArgs(3n);
      });
    });
  }

  describe("unfollow", function () {
    it("is accepted without a prior follow", async function () {
      const { registry, alice } = await loadFixture(profilesFixture);
      await expect(registry.connect(alice).unfollow(1n, 2n))
        .to.emit(registry, "Unfollowed")
        .withArgs(1n, 2n);
    });
  });

  describe("react", function () {
    it("emits Reacted with the kind, 1 for a like and 0 to remove it", async function () {
      const { registry, bob, alicePost } = await loadFixture(profilesFixture);
      await expect(registry.connect(bob).react(2n, alicePost, 1))
        .to.emit(registry, "Reacted")
        .withArgs(2n, alicePost, 1);
      await expect(registry.connect(bob).react(2n, alicePost, 0))
        .to.emit(registry, "Reacted")
        .withArgs(2n, alicePost, 0);
    });

    it("passes any other kind through for apps to interpret", async function () {
      const { registry, alice, alicePost } = await loadFixture(profilesFixture);
      await expect(registry.connect(alice).react(1n, alicePost, 255))
        .to.emit(registry, "Reacted")
        .withArgs(1n, alicePost, 255);
    });

    it("may react to a retracted post", async function () {
      const { registry, alice, bob, alicePost } = await loadFixture(profilesFixture);
      await registry.connect(alice).retract(alicePost);
      await expect(registry.connect(bob).react(2n, alicePost, 1))
        .to.emit(registry, "Reacted")
        .withArgs(2n, alicePost, 1);
    });

    describe("rejects a post id with", function () {
      for (const [what, id] of missingPostIds((1n << 64n) | 1n)) {
        it(what, async function () {
          const { registry, bob } = await loadFixture(profilesFixture);
          await expect(registry.connect(bob).react(2n, id, 1))
            .to.be.revertedWithCustomError(registry, "PostNotFound")
            .withArgs(id);
        });
      }
    });

    it("rejects acting for a profile the caller does not own", async function () {
      const { registry, alice, alicePost } = await loadFixture(profilesFixture);
      await expect(registry.connect(alice).react(2n, alicePost, 1))
        .to.be.revertedWithCustomError(registry, "ProfileUnauthorized")
        .withArgs(2n, alice.address);
    });

    it("rejects acting for an unknown profile", async function () {
      const { registry, carol, alicePost } = await loadFixture(profilesFixture);
      await expect(registry.connect(carol).react(3n, alicePost, 1))
        .to.be.revertedWithCustomError(registry, "ProfileNotFound")
        .withArgs(3n);
    });
  });

  describe("postExists and postCountOf", function () {
    it("postExists holds exactly for sequences 1 to the author's count", async function () {
      const { registry, alice } = await loadFixture(profilesFixture);
      await registry.connect(alice).post(1n, URI);
      expect(await registry.postExists(postIdOf(1n, 1n))).to.equal(true);
      expect(await registry.postExists(postIdOf(1n, 2n))).to.equal(true);
      expect(await registry.postExists(postIdOf(1n, 3n))).to.equal(false);
      expect(await registry.postExists(0n)).to.equal(false);
      for (const [what, id] of missingPostIds((1n << 64n) | 1n)) {
        if (id === postIdOf(1n, 2n)) continue;
        expect(await registry.postExists(id), what).to.equal(false);
      }
    });

    it("postCountOf is zero for a profile without posts or an unknown one", async function () {
      const { registry } = await loadFixture(profilesFixture);
      expect(await registry.postCountOf(1n)).to.equal(1n);
      expect(await registry.postCountOf(2n)).to.equal(0n);
      expect(await registry.postCountOf(99n)).to.equal(0n);
    });

    it("postCountOf follows the profile through a transfer", async function () {
      const { registry, alice, carol } = await loadFixture(profilesFixture);
      await registry.connect(alice).offerTransfer(1n, carol.address, ethers.MaxUint256);
      await registry.connect(carol).acceptTransfer(1n);
      await expect(registry.connect(carol).post(1n, URI))
        .to.emit(registry, "Posted")
        .withArgs(postIdOf(1n, 2n), URI);
      expect(await registry.postCountOf(1n)).to.equal(2n);
    });
  });
});

describe("sdk post ids", function () {
  it("pack the author in the high 192 bits and the sequence in the low 64", function () {
    expect(postIdOf(1n, 1n)).to.equal((1n << 64n) | 1n);
    const maxSequence = (1n << 64n) - 1n;
    const maxAuthor = (1n << 192n) - 1n;
    expect(postIdOf(maxAuthor, maxSequence)).to.equal(ethers.MaxUint256);
    expect(authorOfPost(ethers.MaxUint256)).to.equal(maxAuthor);
    expect(sequenceOfPost(ethers.MaxUint256)).to.equal(maxSequence);
    expect(authorOfPost(postIdOf(12345n, 678n))).to.equal(12345n);
    expect(sequenceOfPost(postIdOf(12345n, 678n))).to.equal(678n);
  });

  it("refuse ids no post can have", function () {
    expect(() => postIdOf(0n, 1n)).to.throw(RangeError);
    expect(() => postIdOf(1n << 192n, 1n)).to.throw(RangeError);
    expect(() => postIdOf(1n, 0n)).to.throw(RangeError);
    expect(() => postIdOf(1n, 1n << 64n)).to.throw(RangeError);
  });
});
