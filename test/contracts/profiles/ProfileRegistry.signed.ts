import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { ContractTransactionResponse } from "ethers";
import {
  AGORA_TYPES,
  agoraDomain,
  agoraTypedData,
  postIdOf,
  signAgora,
  type AgoraMessages,
  type AgoraPrimaryType,
  type TypedDataSigner,
} from "../../../sdk/handles";
import { TestSmartWallet__factory, type ProfileRegistry } from "../../../typechain-types";
import { OTHER_URI, URI, freeAtOf, profilesFixture, signFor } from "./fixture";

/**
 * alice (1) and bob (2) as in `profilesFixture`, plus a smart wallet owned by carol's key that
 * registered profile 3 ("wallet") through a relayer, and a second such wallet without a profile.
 */
async function signedFixture() {
  const base = await profilesFixture();
  const { registry, domain, carol, relayer } = base;
  const factory = new TestSmartWallet__factory(carol);
  const wallet = await factory.deploy(carol.address);
  const freshWallet = await factory.deploy(carol.address);
  const walletAddress = await wallet.getAddress();
  const { signature, deadline } = await signFor(
    registry,
    domain,
    carol,
    walletAddress,
    "Register",
    {
      owner: walletAddress,
      handle: "wallet",
      metadataURI: URI,
    },
  );
  await registry.connect(relayer).registerFor(walletAddress, "wallet", URI, deadline, signature);
  return {
    ...base,
    walletAddress,
    freshWalletAddress: await freshWallet.getAddress(),
    walletId: 3n,
  };
}

type Fixture = Awaited<ReturnType<typeof signedFixture>>;

/** Who signs: an EOA for its own address, or carol's key for a smart wallet. */
interface Actor {
  owner: string;
  signer: TypedDataSigner;
  profileId: bigint;
  handle: string;
}

function eoaActor(f: Fixture, primaryType: AgoraPrimaryType): Actor {
  return primaryType === "Register"
    ? { owner: f.dave.address, signer: f.dave, profileId: 0n, handle: "" }
    : { owner: f.alice.address, signer: f.alice, profileId: f.aliceId, handle: "alice" };
}

function walletActor(f: Fixture, primaryType: AgoraPrimaryType): Actor {
  return primaryType === "Register"
    ? { owner: f.freshWalletAddress, signer: f.carol, profileId: 0n, handle: "" }
    : { owner: f.walletAddress, signer: f.carol, profileId: f.walletId, handle: "wallet" };
}

type Fields<T extends AgoraPrimaryType> = Omit<AgoraMessages[T], "nonce" | "deadline">;

interface Variant<T extends AgoraPrimaryType> {
  fn: string;
  primaryType: T;
  fields(f: Fixture, actor: Actor): Fields<T>;
  send(
    registry: ProfileRegistry,
    fields: Fields<T>,
    deadline: bigint,
    signature: string,
  ): Promise<ContractTransactionResponse>;
  /** Asserts the action's events on `tx`, sent for `actor`. */
  expectDone(
    f: Fixture,
    actor: Actor,
    tx: Promise<ContractTransactionResponse>,
    fields: Fields<T>,
  ): Promise<void>;
}

function variant<T extends AgoraPrimaryType>(v: Variant<T>): Variant<AgoraPrimaryType> {
  return v as unknown as Variant<AgoraPrimaryType>;
}

const VARIANTS = [
  variant({
    fn: "registerFor",
    primaryType: "Register",
    fields: (_f, actor) => ({ owner: actor.owner, handle: "newcomer", metadataURI: URI }),
    send: (r, m, deadline, sig) => r.registerFor(m.owner, m.handle, m.metadataURI, deadline, sig),
    async expectDone(f, actor, tx, m) {
      await expect(tx)
        .to.emit(f.registry, "ProfileRegistered")
        .withArgs(4n, actor.owner, m.handle, m.metadataURI);
      expect(await f.registry.ownerOf(4n)).to.equal(actor.owner);
      expect(await f.registry.profileIdOf(actor.owner)).to.equal(4n);
    },
  }),
  variant({
    fn: "updateFor",
    primaryType: "Update",
    fields: (_f, actor) => ({
      profileId: actor.profileId,
      handle: "renamed",
      metadataURI: OTHER_URI,
    }),
    send: (r, m, deadline, sig) => r.updateFor(m.profileId, m.handle, m.metadataURI, deadline, sig),
    async expectDone(f, actor, tx, m) {
      await expect(tx)
        .to.emit(f.registry, "HandleChanged")
        .withArgs(actor.profileId, actor.handle, m.handle, await freeAtOf(tx))
        .and.to.emit(f.registry, "MetadataURIChanged")
        .withArgs(actor.profileId, m.metadataURI);
      expect(await f.registry.handleOf(actor.profileId)).to.equal(m.handle);
    },
  }),
  variant({
    fn: "postFor",
    primaryType: "Post",
    fields: (f, actor) => ({
      authorId: actor.profileId,
      contentURI: OTHER_URI,
      parentId: f.alicePost,
      quotedId: 0n,
    }),
    send: (r, m, deadline, sig) =>
      r.postFor(m.authorId, m.contentURI, m.parentId, m.quotedId, deadline, sig),
    async expectDone(f, actor, tx, m) {
      const sequence = (await f.registry.postCountOf(actor.profileId)) + 1n;
      await expect(tx)
        .to.emit(f.registry, "PostedWithRefs")
        .withArgs(postIdOf(actor.profileId, sequence), m.parentId, m.quotedId, m.contentURI);
      expect(await f.registry.postCountOf(actor.profileId)).to.equal(sequence);
    },
  }),
  variant({
    fn: "followFor",
    primaryType: "Follow",
    fields: (f, actor) => ({ profileId: actor.profileId, targetId: f.bobId }),
    send: (r, m, deadline, sig) => r.followFor(m.profileId, m.targetId, deadline, sig),
    async expectDone(f, actor, tx, m) {
      await expect(tx).to.emit(f.registry, "Followed").withArgs(actor.profileId, m.targetId);
    },
  }),
  variant({
    fn: "unfollowFor",
    primaryType: "Unfollow",
    fields: (f, actor) => ({ profileId: actor.profileId, targetId: f.bobId }),
    send: (r, m, deadline, sig) => r.unfollowFor(m.profileId, m.targetId, deadline, sig),
    async expectDone(f, actor, tx, m) {
      await expect(tx).to.emit(f.registry, "Unfollowed").withArgs(actor.profileId, m.targetId);
    },
  }),
  variant({
    fn: "reactFor",
    primaryType: "React",
    fields: (f, actor) => ({ profileId: actor.profileId, postId: f.alicePost, kind: 1 }),
    send: (r, m, deadline, sig) => r.reactFor(m.profileId, m.postId, m.kind, deadline, sig),
    async expectDone(f, actor, tx, m) {
      await expect(tx).to.emit(f.registry, "Reacted").withArgs(actor.profileId, m.postId, m.kind);
    },
  }),
];

describe("ProfileRegistry: signed actions", function () {
  for (const v of VARIANTS) {
    describe(v.fn, function () {
      async function signed(
        f: Fixture,
        actor: Actor,
        overrides: { signer?: TypedDataSigner; nonce?: bigint; deadline?: bigint } = {},
      ) {
        const fields = v.fields(f, actor);
        const { signature, deadline } = await signFor(
          f.registry,
          f.domain,
          overrides.signer ?? actor.signer,
          actor.owner,
          v.primaryType,
          { ...fields, nonce: overrides.nonce, deadline: overrides.deadline },
        );
        return { fields, signature, deadline };
      }

      it("is carried out when any relayer submits the owner's signature, using one nonce", async function () {
        const f = await loadFixture(signedFixture);
        const actor = eoaActor(f, v.primaryType);
        const { fields, signature, deadline } = await signed(f, actor);
        const tx = v.send(f.registry.connect(f.relayer), fields, deadline, signature);
        await v.expectDone(f, actor, tx, fields);
        expect(await f.registry.nonces(actor.owner)).to.equal(1n);
        expect(await f.registry.nonces(f.relayer.address)).to.equal(0n);
      });

      it("accepts a smart wallet's ERC-1271 signature", async function () {
        const f = await loadFixture(signedFixture);
        const actor = walletActor(f, v.primaryType);
        const nonceBefore = await f.registry.nonces(actor.owner);
        const { fields, signature, deadline } = await signed(f, actor);
        const tx = v.send(f.registry.connect(f.relayer), fields, deadline, signature);
        await v.expectDone(f, actor, tx, fields);
        expect(await f.registry.nonces(actor.owner)).to.equal(nonceBefore + 1n);
      });

      it("rejects a signature by another key", async function () {
        const f = await loadFixture(signedFixture);
        const actor = eoaActor(f, v.primaryType);
        const { fields, signature, deadline } = await signed(f, actor, { signer: f.bob });
        await expect(v.send(f.registry.connect(f.relayer), fields, deadline, signature))
          .to.be.revertedWithCustomError(f.registry, "ProfileSignatureInvalid")
          .withArgs(actor.owner);
      });

      it("rejects a smart wallet signature made by a key other than its owner's", async function () {
        const f = await loadFixture(signedFixture);
        const actor = walletActor(f, v.primaryType);
        const { fields, signature, deadline } = await signed(f, actor, { signer: f.dave });
        await expect(v.send(f.registry.connect(f.relayer), fields, deadline, signature))
          .to.be.revertedWithCustomError(f.registry, "ProfileSignatureInvalid")
          .withArgs(actor.owner);
      });

      it("rejects a request past its deadline", async function () {
        const f = await loadFixture(signedFixture);
        const actor = eoaActor(f, v.primaryType);
        const past = BigInt(await time.latest());
        const { fields, signature, deadline } = await signed(f, actor, { deadline: past });
        await expect(v.send(f.registry.connect(f.relayer), fields, deadline, signature))
          .to.be.revertedWithCustomError(f.registry, "ProfileSignatureExpired")
          .withArgs(past);
      });

      it("accepts a request in a block stamped exactly at its deadline", async function () {
        const f = await loadFixture(signedFixture);
        const actor = eoaActor(f, v.primaryType);
        const at = BigInt(await time.latest()) + 100n;
        const { fields, signature, deadline } = await signed(f, actor, { deadline: at });
        await time.setNextBlockTimestamp(at);
        const tx = v.send(f.registry.connect(f.relayer), fields, deadline, signature);
        await v.expectDone(f, actor, tx, fields);
      });

      it("rejects a replay: the nonce is consumed", async function () {
        const f = await loadFixture(signedFixture);
        const actor = eoaActor(f, v.primaryType);
        const { fields, signature, deadline } = await signed(f, actor);
        await v.send(f.registry.connect(f.relayer), fields, deadline, signature);
        await expect(v.send(f.registry.connect(f.relayer), fields, deadline, signature))
          .to.be.revertedWithCustomError(f.registry, "ProfileSignatureInvalid")
          .withArgs(actor.owner);
      });

      it("rejects a signature over a nonce other than the current one", async function () {
        const f = await loadFixture(signedFixture);
        const actor = eoaActor(f, v.primaryType);
        const { fields, signature, deadline } = await signed(f, actor, { nonce: 1n });
        await expect(v.send(f.registry.connect(f.relayer), fields, deadline, signature))
          .to.be.revertedWithCustomError(f.registry, "ProfileSignatureInvalid")
          .withArgs(actor.owner);
      });

      it("rejects a request whose deadline differs from the signed one", async function () {
        const f = await loadFixture(signedFixture);
        const actor = eoaActor(f, v.primaryType);
        const { fields, signature, deadline } = await signed(f, actor);
        await expect(v.send(f.registry.connect(f.relayer), fields, deadline + 1n, signature))
          .to.be.revertedWithCustomError(f.registry, "ProfileSignatureInvalid")
          .withArgs(actor.owner);
      });

      it("rejects a signature for another chain's or another contract's domain", async function () {
        const f = await loadFixture(signedFixture);
        const actor = eoaActor(f, v.primaryType);
        const fields = v.fields(f, actor);
        const deadline = BigInt(await time.latest()) + 3600n;
        const value = { ...fields, nonce: 0n, deadline } as AgoraMessages[AgoraPrimaryType];
        const address = await f.registry.getAddress();
        for (const domain of [
          agoraDomain(f.chainId + 1n, address),
          agoraDomain(f.chainId, f.walletAddress),
          { ...agoraDomain(f.chainId, address), version: "2" },
        ]) {
          const signature = await signAgora(
            actor.signer,
            agoraTypedData(domain, v.primaryType, value),
          );
          await expect(v.send(f.registry.connect(f.relayer), fields, deadline, signature))
            .to.be.revertedWithCustomError(f.registry, "ProfileSignatureInvalid")
            .withArgs(actor.owner);
        }
      });
    });
  }

  it("a signature for one action type is refused by every other", async function () {
    const f = await loadFixture(signedFixture);
    const actor = eoaActor(f, "Follow");
    const { signature, deadline } = await signFor(
      f.registry,
      f.domain,
      f.alice,
      f.alice.address,
      "Follow",
      {
        profileId: 1n,
        targetId: 2n,
      },
    );
    await expect(f.registry.connect(f.relayer).unfollowFor(1n, 2n, deadline, signature))
      .to.be.revertedWithCustomError(f.registry, "ProfileSignatureInvalid")
      .withArgs(actor.owner);
    await expect(f.registry.connect(f.relayer).followFor(1n, 2n, deadline, signature))
      .to.emit(f.registry, "Followed")
      .withArgs(1n, 2n);
  });

  it("a malformed signature is refused as invalid", async function () {
    const f = await loadFixture(signedFixture);
    const deadline = BigInt(await time.latest()) + 3600n;
    for (const signature of ["0x", "0x1234", ethers.hexlify(new Uint8Array(65))]) {
      await expect(f.registry.connect(f.relayer).followFor(1n, 2n, deadline, signature))
        .to.be.revertedWithCustomError(f.registry, "ProfileSignatureInvalid")
        .withArgs(f.alice.address);
      await expect(f.registry.connect(f.relayer).followFor(3n, 2n, deadline, signature))
        .to.be.revertedWithCustomError(f.registry, "ProfileSignatureInvalid")
        .withArgs(f.walletAddress);
    }
  });

  describe("registerFor", function () {
    it("rejects the zero address as owner: nobody can sign for it", async function () {
      const f = await loadFixture(signedFixture);
      const { signature, deadline } = await signFor(
        f.registry,
        f.domain,
        f.dave,
        ethers.ZeroAddress,
        "Register",
        {
          owner: ethers.ZeroAddress,
          handle: "nobody",
          metadataURI: URI,
        },
      );
      await expect(
        f.registry
          .connect(f.relayer)
          .registerFor(ethers.ZeroAddress, "nobody", URI, deadline, signature),
      )
        .to.be.revertedWithCustomError(f.registry, "ProfileSignatureInvalid")
        .withArgs(ethers.ZeroAddress);
    });

    it("rejects a handle other than the signed one", async function () {
      const f = await loadFixture(signedFixture);
      const { signature, deadline } = await signFor(
        f.registry,
        f.domain,
        f.dave,
        f.dave.address,
        "Register",
        {
          owner: f.dave.address,
          handle: "dave",
          metadataURI: URI,
        },
      );
      await expect(
        f.registry
          .connect(f.relayer)
          .registerFor(f.dave.address, "mallory", URI, deadline, signature),
      )
        .to.be.revertedWithCustomError(f.registry, "ProfileSignatureInvalid")
        .withArgs(f.dave.address);
    });

    it("applies the handle rules after a valid signature", async function () {
      const f = await loadFixture(signedFixture);
      for (const [handle, error, args] of [
        ["Dave", "ProfileHandleInvalid", ["Dave"]],
        ["bob", "ProfileHandleTaken", ["bob", 2n]],
      ] as const) {
        const { signature, deadline } = await signFor(
          f.registry,
          f.domain,
          f.dave,
          f.dave.address,
          "Register",
          {
            owner: f.dave.address,
            handle,
            metadataURI: URI,
          },
        );
        await expect(
          f.registry
            .connect(f.relayer)
            .registerFor(f.dave.address, handle, URI, deadline, signature),
        )
          .to.be.revertedWithCustomError(f.registry, error)
          .withArgs(...args);
      }
    });

    it("rejects an owner that already has a profile", async function () {
      const f = await loadFixture(signedFixture);
      const { signature, deadline } = await signFor(
        f.registry,
        f.domain,
        f.alice,
        f.alice.address,
        "Register",
        {
          owner: f.alice.address,
          handle: "alice_two",
          metadataURI: URI,
        },
      );
      await expect(
        f.registry
          .connect(f.relayer)
          .registerFor(f.alice.address, "alice_two", URI, deadline, signature),
      )
        .to.be.revertedWithCustomError(f.registry, "ProfileAlreadyOwned")
        .withArgs(f.alice.address, 1n);
    });
  });

  describe("updateFor", function () {
    async function update(f: Fixture, handle: string, metadataURI: string) {
      const { signature, deadline } = await signFor(
        f.registry,
        f.domain,
        f.alice,
        f.alice.address,
        "Update",
        {
          profileId: 1n,
          handle,
          metadataURI,
        },
      );
      return f.registry.connect(f.relayer).updateFor(1n, handle, metadataURI, deadline, signature);
    }

    it("leaves the handle unchanged when it is empty", async function () {
      const f = await loadFixture(signedFixture);
      await expect(update(f, "", OTHER_URI))
        .to.emit(f.registry, "MetadataURIChanged")
        .withArgs(1n, OTHER_URI)
        .and.not.to.emit(f.registry, "HandleChanged");
      expect(await f.registry.handleOf(1n)).to.equal("alice");
    });

    it("leaves the metadata URI unchanged when it is empty", async function () {
      const f = await loadFixture(signedFixture);
      const tx = update(f, "alice_2", "");
      await expect(tx)
        .to.emit(f.registry, "HandleChanged")
        .withArgs(1n, "alice", "alice_2", await freeAtOf(tx))
        .and.not.to.emit(f.registry, "MetadataURIChanged");
    });

    it("changes nothing but the nonce when both are empty", async function () {
      const f = await loadFixture(signedFixture);
      const receipt = await (await update(f, "", "")).wait();
      expect(receipt!.logs).to.have.length(0);
      expect(await f.registry.nonces(f.alice.address)).to.equal(1n);
      expect(await f.registry.handleOf(1n)).to.equal("alice");
    });

    it("applies the handle rules after a valid signature", async function () {
      const f = await loadFixture(signedFixture);
      await expect(update(f, "al", ""))
        .to.be.revertedWithCustomError(f.registry, "ProfileHandleInvalid")
        .withArgs("al");
      await expect(update(f, "bob", ""))
        .to.be.revertedWithCustomError(f.registry, "ProfileHandleTaken")
        .withArgs("bob", 2n);
    });

    it("rejects an unknown profile", async function () {
      const f = await loadFixture(signedFixture);
      const deadline = BigInt(await time.latest()) + 3600n;
      await expect(f.registry.connect(f.relayer).updateFor(9n, "", URI, deadline, "0x"))
        .to.be.revertedWithCustomError(f.registry, "ProfileNotFound")
        .withArgs(9n);
    });

    it("rejects the signature of a previous owner", async function () {
      const f = await loadFixture(signedFixture);
      const { signature, deadline } = await signFor(
        f.registry,
        f.domain,
        f.alice,
        f.alice.address,
        "Update",
        {
          profileId: 1n,
          handle: "stolen",
          metadataURI: "",
        },
      );
      await f.registry.connect(f.alice).offerTransfer(1n, f.dave.address, ethers.MaxUint256);
      await f.registry.connect(f.dave).acceptTransfer(1n);
      await expect(f.registry.connect(f.relayer).updateFor(1n, "stolen", "", deadline, signature))
        .to.be.revertedWithCustomError(f.registry, "ProfileSignatureInvalid")
        .withArgs(f.dave.address);
    });
  });

  describe("postFor", function () {
    it("publishes a plain post with Posted", async function () {
      const f = await loadFixture(signedFixture);
      const { signature, deadline } = await signFor(
        f.registry,
        f.domain,
        f.bob,
        f.bob.address,
        "Post",
        {
          authorId: 2n,
          contentURI: URI,
          parentId: 0n,
          quotedId: 0n,
        },
      );
      await expect(f.registry.connect(f.relayer).postFor(2n, URI, 0n, 0n, deadline, signature))
        .to.emit(f.registry, "Posted")
        .withArgs(postIdOf(2n, 1n), URI);
    });

    it("applies the post rules after a valid signature", async function () {
      const f = await loadFixture(signedFixture);
      const missing = postIdOf(2n, 1n);
      for (const [contentURI, quotedId, error, args] of [
        ["", 0n, "PostContentEmpty", []],
        [URI, missing, "PostNotFound", [missing]],
      ] as const) {
        const { signature, deadline } = await signFor(
          f.registry,
          f.domain,
          f.bob,
          f.bob.address,
          "Post",
          {
            authorId: 2n,
            contentURI,
            parentId: 0n,
            quotedId,
          },
        );
        await expect(
          f.registry.connect(f.relayer).postFor(2n, contentURI, 0n, quotedId, deadline, signature),
        )
          .to.be.revertedWithCustomError(f.registry, error)
          .withArgs(...args);
      }
    });

    it("rejects an unknown author", async function () {
      const f = await loadFixture(signedFixture);
      const deadline = BigInt(await time.latest()) + 3600n;
      await expect(f.registry.connect(f.relayer).postFor(4n, URI, 0n, 0n, deadline, "0x"))
        .to.be.revertedWithCustomError(f.registry, "ProfileNotFound")
        .withArgs(4n);
    });
  });

  for (const [fn, primaryType] of [
    ["followFor", "Follow"],
    ["unfollowFor", "Unfollow"],
  ] as const) {
    describe(fn, function () {
      it("applies the follow rules after a valid signature", async function () {
        const f = await loadFixture(signedFixture);
        for (const [targetId, error, args] of [
          [1n, "SocialSelfFollow", [1n]],
          [8n, "ProfileNotFound", [8n]],
        ] as const) {
          const { signature, deadline } = await signFor(
            f.registry,
            f.domain,
            f.alice,
            f.alice.address,
            primaryType,
            {
              profileId: 1n,
              targetId,
            },
          );
          await expect(f.registry.connect(f.relayer)[fn](1n, targetId, deadline, signature))
            .to.be.revertedWithCustomError(f.registry, error)
            .withArgs(...args);
        }
      });

      it("rejects an unknown acting profile", async function () {
        const f = await loadFixture(signedFixture);
        const deadline = BigInt(await time.latest()) + 3600n;
        await expect(f.registry.connect(f.relayer)[fn](4n, 1n, deadline, "0x"))
          .to.be.revertedWithCustomError(f.registry, "ProfileNotFound")
          .withArgs(4n);
      });
    });
  }

  describe("reactFor", function () {
    it("rejects a post that does not exist after a valid signature", async function () {
      const f = await loadFixture(signedFixture);
      const missing = f.alicePost + 1n;
      const { signature, deadline } = await signFor(
        f.registry,
        f.domain,
        f.bob,
        f.bob.address,
        "React",
        {
          profileId: 2n,
          postId: missing,
          kind: 1,
        },
      );
      await expect(f.registry.connect(f.relayer).reactFor(2n, missing, 1, deadline, signature))
        .to.be.revertedWithCustomError(f.registry, "PostNotFound")
        .withArgs(missing);
    });

    it("rejects an unknown acting profile", async function () {
      const f = await loadFixture(signedFixture);
      const deadline = BigInt(await time.latest()) + 3600n;
      await expect(f.registry.connect(f.relayer).reactFor(4n, f.alicePost, 1, deadline, "0x"))
        .to.be.revertedWithCustomError(f.registry, "ProfileNotFound")
        .withArgs(4n);
    });
  });

  describe("burnNonce", function () {
    it("spends the caller's nonce: a request signed with it can never be carried out", async function () {
      const f = await loadFixture(signedFixture);
      const unused = await signFor(f.registry, f.domain, f.alice, f.alice.address, "Follow", {
        profileId: 1n,
        targetId: 2n,
      });
      expect(await f.registry.connect(f.alice).burnNonce.staticCall()).to.equal(0n);
      await expect(f.registry.connect(f.alice).burnNonce())
        .to.emit(f.registry, "NonceUsed")
        .withArgs(f.alice.address, 0n);
      expect(await f.registry.nonces(f.alice.address)).to.equal(1n);
      await expect(
        f.registry.connect(f.relayer).followFor(1n, 2n, unused.deadline, unused.signature),
      )
        .to.be.revertedWithCustomError(f.registry, "ProfileSignatureInvalid")
        .withArgs(f.alice.address);
      // The next nonce signs as usual.
      const next = await signFor(f.registry, f.domain, f.alice, f.alice.address, "Follow", {
        profileId: 1n,
        targetId: 2n,
      });
      await expect(f.registry.connect(f.relayer).followFor(1n, 2n, next.deadline, next.signature))
        .to.emit(f.registry, "Followed")
        .withArgs(1n, 2n);
    });

    it("gives up one nonce per call, and only the caller's", async function () {
      const f = await loadFixture(signedFixture);
      for (let i = 0n; i < 3n; i++) {
        await expect(f.registry.connect(f.bob).burnNonce())
          .to.emit(f.registry, "NonceUsed")
          .withArgs(f.bob.address, i);
      }
      expect(await f.registry.nonces(f.bob.address)).to.equal(3n);
      expect(await f.registry.nonces(f.alice.address)).to.equal(0n);
    });

    it("also spends the nonce of an address without a profile, cancelling a signed registration", async function () {
      const f = await loadFixture(signedFixture);
      const signed = await signFor(f.registry, f.domain, f.dave, f.dave.address, "Register", {
        owner: f.dave.address,
        handle: "dave",
        metadataURI: URI,
      });
      await f.registry.connect(f.dave).burnNonce();
      await expect(
        f.registry
          .connect(f.relayer)
          .registerFor(f.dave.address, "dave", URI, signed.deadline, signed.signature),
      )
        .to.be.revertedWithCustomError(f.registry, "ProfileSignatureInvalid")
        .withArgs(f.dave.address);
    });
  });

  describe("sdk typed data", function () {
    it("encodes each message type exactly as the contract's typehash", function () {
      const expected: Record<keyof typeof AGORA_TYPES, string> = {
        Register:
          "Register(address owner,string handle,string metadataURI,uint256 nonce,uint256 deadline)",
        Update:
          "Update(uint256 profileId,string handle,string metadataURI,uint256 nonce,uint256 deadline)",
        AcceptProfile: "AcceptProfile(uint256 profileId,address to,uint256 nonce,uint256 deadline)",
        Post: "Post(uint256 authorId,string contentURI,uint256 parentId,uint256 quotedId,uint256 nonce,uint256 deadline)",
        Follow: "Follow(uint256 profileId,uint256 targetId,uint256 nonce,uint256 deadline)",
        Unfollow: "Unfollow(uint256 profileId,uint256 targetId,uint256 nonce,uint256 deadline)",
        React: "React(uint256 profileId,uint256 postId,uint8 kind,uint256 nonce,uint256 deadline)",
      };
      for (const primaryType of Object.keys(expected) as (keyof typeof AGORA_TYPES)[]) {
        const data = agoraTypedData(
          agoraDomain(1n, ethers.ZeroAddress),
          primaryType,
          {} as AgoraMessages[typeof primaryType],
        );
        const encoder = ethers.TypedDataEncoder.from(data.types);
        expect(encoder.primaryType).to.equal(primaryType);
        expect(encoder.encodeType(primaryType)).to.equal(expected[primaryType]);
      }
    });

    it("is what ethers v6 signer.signTypedData takes", async function () {
      const f = await loadFixture(signedFixture);
      const deadline = BigInt(await time.latest()) + 3600n;
      const data = agoraTypedData(f.domain, "Follow", {
        profileId: 2n,
        targetId: 1n,
        nonce: 0n,
        deadline,
      });
      const signature = await f.bob.signTypedData(data.domain, data.types, data.value);
      await expect(f.registry.connect(f.relayer).followFor(2n, 1n, deadline, signature))
        .to.emit(f.registry, "Followed")
        .withArgs(2n, 1n);
    });
  });
});
