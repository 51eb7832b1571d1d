import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { Signature, ZeroAddress, parseEther } from "ethers";
import { daoFixture, timelockSigner } from "../dao/fixtures";
import { FalseReturnToken__factory, MaliciousRecipient__factory } from "../../../typechain-types";

const FEE_BPS = 250n;
const feeOf = (amount: bigint) => (amount * FEE_BPS) / 10_000n;
const ONE = parseEther("1");
const enum Mode {
  Accept,
  Revert,
  BurnGas,
  Reenter,
}

async function tipFixture() {
  const f = await daoFixture();
  const jar = await f.tipJar.getAddress();
  await (await f.tokenA.connect(f.tipper).approve(jar, ethers.MaxUint256)).wait();
  // A contract that owns a profile and can be told to reject, burn gas or re-enter on payment.
  const wallet = await new MaliciousRecipient__factory(f.deployer).deploy();
  const registerCall = f.registry.interface.encodeFunctionData("register", ["wallet_owner", ""]);
  await (await wallet.act(await f.registry.getAddress(), registerCall)).wait();
  const walletProfileId = await f.registry.profileIdOf(await wallet.getAddress());
  return { ...f, wallet, walletProfileId };
}

describe("TipJar", function () {
  describe("deployment", function () {
    it("is wired to the registry, the revenue split and the timelock", async function () {
      const { tipJar, registry, revenueSplit, timelock } = await loadFixture(tipFixture);
      expect(await tipJar.profiles()).to.equal(await registry.getAddress());
      expect(await tipJar.graph()).to.equal(await registry.getAddress());
      expect(await tipJar.revenueSink()).to.equal(await revenueSplit.getAddress());
      expect(await tipJar.governance()).to.equal(await timelock.getAddress());
      expect(await tipJar.feeBps()).to.equal(FEE_BPS);
    });
  });

  describe("an ETH tip to a profile", function () {
    it("pays the profile owner all but the fee, which stays pooled", async function () {
      const { tipJar, tipper, creator1, creator1Id } = await loadFixture(tipFixture);
      const tx = tipJar.connect(tipper).tipETH(creator1Id, "gm", { value: ONE });
      await expect(tx)
        .to.emit(tipJar, "Tipped")
        .withArgs(creator1Id, 0n, tipper.address, ZeroAddress, ONE, feeOf(ONE), "gm");
      await expect(tx).to.changeEtherBalances([tipper, creator1], [-ONE, ONE - feeOf(ONE)]);
      expect(await tipJar.pendingETHFees()).to.equal(feeOf(ONE));
    });

    it("reverts for a profile that does not exist", async function () {
      const { tipJar, tipper } = await loadFixture(tipFixture);
      await expect(tipJar.connect(tipper).tipETH(99n, "", { value: ONE }))
        .to.be.revertedWithCustomError(tipJar, "TipJarProfileNotFound")
        .withArgs(99n);
    });

    it("reverts for a zero amount", async function () {
      const { tipJar, tipper, creator1Id } = await loadFixture(tipFixture);
      await expect(tipJar.connect(tipper).tipETH(creator1Id, "")).to.be.revertedWithCustomError(
        tipJar,
        "TipJarZeroAmount",
      );
    });

    it("reverts for a message longer than 280 bytes", async function () {
      const { tipJar, tipper, creator1Id } = await loadFixture(tipFixture);
      await expect(tipJar.connect(tipper).tipETH(creator1Id, "x".repeat(281), { value: ONE }))
        .to.be.revertedWithCustomError(tipJar, "TipJarMessageTooLong")
        .withArgs(281n, 280n);
      await expect(tipJar.connect(tipper).tipETH(creator1Id, "x".repeat(280), { value: ONE })).to
        .not.be.reverted;
    });

    describe("when the owner cannot take ETH", function () {
      for (const [name, mode] of [
        ["rejects it", Mode.Revert],
        ["burns all gas", Mode.BurnGas],
      ] as const) {
        it(`credits the profile when the owner ${name}`, async function () {
          const { tipJar, tipper, wallet, walletProfileId } = await loadFixture(tipFixture);
          await (await wallet.setMode(mode)).wait();
          const net = ONE - feeOf(ONE);
          await expect(tipJar.connect(tipper).tipETH(walletProfileId, "", { value: ONE }))
            .to.emit(tipJar, "TipCredited")
            .withArgs(walletProfileId, net, net);
          expect(await tipJar.claimable(walletProfileId)).to.equal(net);
          expect(await tipJar.pendingETHFees()).to.equal(feeOf(ONE));
        });
      }

      it("credits the profile when the owner re-enters to sweep the pool", async function () {
        const { tipJar, tipper, wallet, walletProfileId } = await loadFixture(tipFixture);
        await (
          await wallet.setReentry(
            await tipJar.getAddress(),
            tipJar.interface.encodeFunctionData("sweepETH"),
          )
        ).wait();
        await expect(tipJar.connect(tipper).tipETH(walletProfileId, "", { value: ONE })).to.emit(
          tipJar,
          "TipCredited",
        );
        expect(await wallet.reentrySucceeded()).to.equal(false);
        expect(await tipJar.pendingETHFees()).to.equal(feeOf(ONE));
      });

      it("lets the owner claim the credit later, to any address", async function () {
        const { tipJar, tipper, wallet, walletProfileId, stranger } = await loadFixture(tipFixture);
        await (await wallet.setMode(Mode.Revert)).wait();
        await (await tipJar.connect(tipper).tipETH(walletProfileId, "", { value: ONE })).wait();
        const net = ONE - feeOf(ONE);
        const claim = tipJar.interface.encodeFunctionData("claim", [
          walletProfileId,
          stranger.address,
        ]);
        const tx = wallet.act(await tipJar.getAddress(), claim);
        await expect(tx)
          .to.emit(tipJar, "TipClaimed")
          .withArgs(walletProfileId, stranger.address, net);
        await expect(tx).to.changeEtherBalance(stranger, net);
        expect(await tipJar.claimable(walletProfileId)).to.equal(0n);
        expect(await tipJar.pendingETHFees()).to.equal(feeOf(ONE));
      });
    });
  });

  describe("an ETH tip to a post", function () {
    it("pays the post's author", async function () {
      const { tipJar, tipper, creator1, creator1Id, post1Id } = await loadFixture(tipFixture);
      const tx = tipJar.connect(tipper).tipPostETH(post1Id, "nice", { value: ONE });
      await expect(tx)
        .to.emit(tipJar, "Tipped")
        .withArgs(creator1Id, post1Id, tipper.address, ZeroAddress, ONE, feeOf(ONE), "nice");
      await expect(tx).to.changeEtherBalance(creator1, ONE - feeOf(ONE));
    });

    it("reverts for a post that does not exist", async function () {
      const { tipJar, tipper, post1Id } = await loadFixture(tipFixture);
      await expect(tipJar.connect(tipper).tipPostETH(post1Id + 1n, "", { value: ONE }))
        .to.be.revertedWithCustomError(tipJar, "TipJarPostNotFound")
        .withArgs(post1Id + 1n);
    });
  });

  describe("a token tip", function () {
    it("transfers the net to the owner and the fee to the jar, booked for the creator", async function () {
      const { tipJar, tokenA, tipper, creator1, creator1Id } = await loadFixture(tipFixture);
      const tx = tipJar.connect(tipper).tipToken(creator1Id, tokenA, ONE, "hi");
      await expect(tx)
        .to.emit(tipJar, "Tipped")
        .withArgs(creator1Id, 0n, tipper.address, await tokenA.getAddress(), ONE, feeOf(ONE), "hi");
      await expect(tx).to.changeTokenBalances(
        tokenA,
        [tipper, creator1, tipJar],
        [-ONE, ONE - feeOf(ONE), feeOf(ONE)],
      );
      expect(await tipJar.pendingTokenFees(tokenA, creator1Id)).to.equal(feeOf(ONE));
    });

    it("tips a post's author", async function () {
      const { tipJar, tokenA, tipper, creator1, post1Id } = await loadFixture(tipFixture);
      await expect(
        tipJar.connect(tipper).tipPostToken(post1Id, tokenA, ONE, ""),
      ).to.changeTokenBalance(tokenA, creator1, ONE - feeOf(ONE));
      await expect(tipJar.connect(tipper).tipPostToken(7n, tokenA, ONE, ""))
        .to.be.revertedWithCustomError(tipJar, "TipJarPostNotFound")
        .withArgs(7n);
    });

    it("reverts with a named error when the token returns false", async function () {
      const { tipJar, tipper, deployer, creator1, creator1Id } = await loadFixture(tipFixture);
      const bad = await new FalseReturnToken__factory(deployer).deploy();
      await expect(tipJar.connect(tipper).tipToken(creator1Id, bad, ONE, ""))
        .to.be.revertedWithCustomError(tipJar, "TipJarTokenTransferFailed")
        .withArgs(await bad.getAddress(), tipper.address, creator1.address, ONE - feeOf(ONE));
    });

    it("reverts with a named error when the allowance is missing", async function () {
      const { tipJar, tokenB, tipper, creator1, creator1Id } = await loadFixture(tipFixture);
      await expect(tipJar.connect(tipper).tipToken(creator1Id, tokenB, ONE, ""))
        .to.be.revertedWithCustomError(tipJar, "TipJarTokenTransferFailed")
        .withArgs(await tokenB.getAddress(), tipper.address, creator1.address, ONE - feeOf(ONE));
    });

    describe("with an EIP-2612 permit", function () {
      async function permitFor(f: Awaited<ReturnType<typeof tipFixture>>, amount: bigint) {
        const { tokenB, tipper, tipJar } = f;
        const deadline = BigInt(2 ** 40);
        const { chainId } = await ethers.provider.getNetwork();
        const signature = await tipper.signTypedData(
          { name: "TokenB", version: "1", chainId, verifyingContract: await tokenB.getAddress() },
          {
            Permit: [
              { name: "owner", type: "address" },
              { name: "spender", type: "address" },
              { name: "value", type: "uint256" },
              { name: "nonce", type: "uint256" },
              { name: "deadline", type: "uint256" },
            ],
          },
          {
            owner: tipper.address,
            spender: await tipJar.getAddress(),
            value: amount,
            nonce: await tokenB.nonces(tipper.address),
            deadline,
          },
        );
        const { v, r, s } = Signature.from(signature);
        return { deadline, v, r, s };
      }

      it("tips in one transaction without a prior approval", async function () {
        const f = await loadFixture(tipFixture);
        const { tipJar, tokenB, tipper, creator1, creator1Id } = f;
        const { deadline, v, r, s } = await permitFor(f, ONE);
        await expect(
          tipJar
            .connect(tipper)
            .tipTokenWithPermit(creator1Id, 0n, tokenB, ONE, "", deadline, v, r, s),
        ).to.changeTokenBalance(tokenB, creator1, ONE - feeOf(ONE));
      });

      it("still tips when the permit was front-run", async function () {
        const f = await loadFixture(tipFixture);
        const { tipJar, tokenB, tipper, stranger, creator1, post1Id } = f;
        const { deadline, v, r, s } = await permitFor(f, ONE);
        await (
          await tokenB
            .connect(stranger)
            .permit(tipper.address, await tipJar.getAddress(), ONE, deadline, v, r, s)
        ).wait();
        await expect(
          tipJar
            .connect(tipper)
            .tipTokenWithPermit(0n, post1Id, tokenB, ONE, "", deadline, v, r, s),
        ).to.changeTokenBalance(tokenB, creator1, ONE - feeOf(ONE));
      });

      it("reverts when the named profile is not the post's author", async function () {
        const f = await loadFixture(tipFixture);
        const { tipJar, tokenB, tipper, creator1Id, creator2Id, post1Id } = f;
        const { deadline, v, r, s } = await permitFor(f, ONE);
        await expect(
          tipJar
            .connect(tipper)
            .tipTokenWithPermit(creator2Id, post1Id, tokenB, ONE, "", deadline, v, r, s),
        )
          .to.be.revertedWithCustomError(tipJar, "TipJarPostAuthorMismatch")
          .withArgs(post1Id, creator2Id, creator1Id);
      });
    });
  });

  describe("a batch tip", function () {
    it("pays several profiles and posts in ETH", async function () {
      const { tipJar, tipper, creator1, creator2, creator1Id, creator2Id, post1Id } =
        await loadFixture(tipFixture);
      const tips = [
        { profileId: creator1Id, postId: 0n, amount: ONE },
        { profileId: creator2Id, postId: 0n, amount: 2n * ONE },
        { profileId: creator1Id, postId: post1Id, amount: ONE },
      ];
      await expect(
        tipJar.connect(tipper).tipETHBatch(tips, "thanks", { value: 4n * ONE }),
      ).to.changeEtherBalances(
        [creator1, creator2],
        [2n * (ONE - feeOf(ONE)), 2n * ONE - feeOf(2n * ONE)],
      );
      expect(await tipJar.pendingETHFees()).to.equal(2n * feeOf(ONE) + feeOf(2n * ONE));
    });

    it("pays several profiles in a token, pulling the fees once", async function () {
      const { tipJar, tokenA, tipper, creator1, creator2, creator1Id, creator2Id } =
        await loadFixture(tipFixture);
      const tips = [
        { profileId: creator1Id, postId: 0n, amount: ONE },
        { profileId: creator2Id, postId: 0n, amount: 3n * ONE },
      ];
      await expect(tipJar.connect(tipper).tipTokenBatch(tokenA, tips, "")).to.changeTokenBalances(
        tokenA,
        [creator1, creator2, tipJar],
        [ONE - feeOf(ONE), 3n * ONE - feeOf(3n * ONE), feeOf(ONE) + feeOf(3n * ONE)],
      );
      expect(await tipJar.pendingTokenFees(tokenA, creator2Id)).to.equal(feeOf(3n * ONE));
    });

    it("reverts when msg.value differs from the sum", async function () {
      const { tipJar, tipper, creator1Id } = await loadFixture(tipFixture);
      const tips = [{ profileId: creator1Id, postId: 0n, amount: ONE }];
      await expect(tipJar.connect(tipper).tipETHBatch(tips, "", { value: ONE + 1n }))
        .to.be.revertedWithCustomError(tipJar, "TipJarValueMismatch")
        .withArgs(ONE + 1n, ONE);
    });

    it("reverts when empty", async function () {
      const { tipJar, tokenA, tipper } = await loadFixture(tipFixture);
      await expect(tipJar.connect(tipper).tipETHBatch([], "")).to.be.revertedWithCustomError(
        tipJar,
        "TipJarEmptyBatch",
      );
      await expect(
        tipJar.connect(tipper).tipTokenBatch(tokenA, [], ""),
      ).to.be.revertedWithCustomError(tipJar, "TipJarEmptyBatch");
    });

    it("reverts when an entry's post is not by the named profile", async function () {
      const { tipJar, tipper, creator1Id, creator2Id, post1Id } = await loadFixture(tipFixture);
      const tips = [{ profileId: creator2Id, postId: post1Id, amount: ONE }];
      await expect(tipJar.connect(tipper).tipETHBatch(tips, "", { value: ONE }))
        .to.be.revertedWithCustomError(tipJar, "TipJarPostAuthorMismatch")
        .withArgs(post1Id, creator2Id, creator1Id);
    });

    it("reverts on a zero entry", async function () {
      const { tipJar, tokenA, tipper, creator1Id } = await loadFixture(tipFixture);
      const tips = [{ profileId: creator1Id, postId: 0n, amount: 0n }];
      await expect(
        tipJar.connect(tipper).tipTokenBatch(tokenA, tips, ""),
      ).to.be.revertedWithCustomError(tipJar, "TipJarZeroAmount");
    });
  });

  describe("claiming", function () {
    it("is only for the profile's current owner", async function () {
      const { tipJar, stranger, creator1Id } = await loadFixture(tipFixture);
      await expect(tipJar.connect(stranger).claim(creator1Id, stranger.address))
        .to.be.revertedWithCustomError(tipJar, "TipJarNotProfileOwner")
        .withArgs(creator1Id, stranger.address);
    });

    it("reverts when there is nothing to claim", async function () {
      const { tipJar, creator1, creator1Id } = await loadFixture(tipFixture);
      await expect(tipJar.connect(creator1).claim(creator1Id, creator1.address))
        .to.be.revertedWithCustomError(tipJar, "TipJarNothingToClaim")
        .withArgs(creator1Id);
    });

    it("reverts with a named error when the destination rejects ETH", async function () {
      const { tipJar, tipper, wallet, walletProfileId } = await loadFixture(tipFixture);
      await (await wallet.setMode(Mode.Revert)).wait();
      await (await tipJar.connect(tipper).tipETH(walletProfileId, "", { value: ONE })).wait();
      const walletAddress = await wallet.getAddress();
      const claim = tipJar.interface.encodeFunctionData("claim", [walletProfileId, walletAddress]);
      await expect(wallet.act(await tipJar.getAddress(), claim))
        .to.be.revertedWithCustomError(tipJar, "TipJarETHTransferFailed")
        .withArgs(walletAddress, ONE - feeOf(ONE));
    });

    it("follows the profile to its new owner", async function () {
      const { tipJar, registry, tipper, wallet, walletProfileId, stranger } =
        await loadFixture(tipFixture);
      await (await wallet.setMode(Mode.Revert)).wait();
      await (await tipJar.connect(tipper).tipETH(walletProfileId, "", { value: ONE })).wait();
      const offer = registry.interface.encodeFunctionData("offerTransfer", [
        walletProfileId,
        stranger.address,
      ]);
      await (await wallet.act(await registry.getAddress(), offer)).wait();
      await (await registry.connect(stranger).acceptTransfer(walletProfileId)).wait();
      await expect(
        tipJar.connect(stranger).claim(walletProfileId, stranger.address),
      ).to.changeEtherBalance(stranger, ONE - feeOf(ONE));
    });
  });

  describe("sweeping", function () {
    it("sends the pooled ETH fees to the revenue split, by anyone, keeping claimable ETH", async function () {
      const { tipJar, revenueSplit, tipper, stranger, creator1Id, wallet, walletProfileId } =
        await loadFixture(tipFixture);
      await (await wallet.setMode(Mode.Revert)).wait();
      await (await tipJar.connect(tipper).tipETH(creator1Id, "", { value: ONE })).wait();
      await (await tipJar.connect(tipper).tipETH(walletProfileId, "", { value: ONE })).wait();
      const fees = 2n * feeOf(ONE);
      const tx = tipJar.connect(stranger).sweepETH();
      await expect(tx).to.emit(tipJar, "FeesSwept").withArgs(0n, ZeroAddress, fees);
      await expect(tx).to.changeEtherBalances([tipJar, revenueSplit], [-fees, fees]);
      expect(await tipJar.pendingETHFees()).to.equal(0n);
      expect(await ethers.provider.getBalance(tipJar)).to.equal(ONE - feeOf(ONE));
      await expect(tipJar.sweepETH()).to.not.emit(tipJar, "FeesSwept");
    });

    it("sends token fees with the creator's profile id, which earns the creator share", async function () {
      const { tipJar, revenueSplit, tokenA, tipper, creator1Id, creator2Id } =
        await loadFixture(tipFixture);
      await (await tipJar.connect(tipper).tipToken(creator1Id, tokenA, ONE, "")).wait();
      await expect(tipJar.sweepToken(tokenA, [creator1Id, creator2Id]))
        .to.emit(tipJar, "FeesSwept")
        .withArgs(creator1Id, await tokenA.getAddress(), feeOf(ONE))
        .and.to.emit(revenueSplit, "ProfileCredited")
        .withArgs(
          await tokenA.getAddress(),
          creator1Id,
          (feeOf(ONE) * 2_000n) / 10_000n,
          (feeOf(ONE) * 2_000n) / 10_000n,
        );
      expect(await tipJar.pendingTokenFees(tokenA, creator1Id)).to.equal(0n);
      expect(await tokenA.balanceOf(tipJar)).to.equal(0n);
    });
  });

  describe("the fee", function () {
    it("is set by the timelock, up to 10%", async function () {
      const { tipJar, timelock } = await loadFixture(tipFixture);
      const governance = await timelockSigner(await timelock.getAddress());
      await expect(tipJar.connect(governance).setFeeBps(1_000))
        .to.emit(tipJar, "FeeChanged")
        .withArgs(250, 1_000);
      expect(await tipJar.feeBps()).to.equal(1_000n);
      await expect(tipJar.connect(governance).setFeeBps(1_001))
        .to.be.revertedWithCustomError(tipJar, "TipJarFeeTooHigh")
        .withArgs(1_001n, 1_000n);
    });

    it("rejects anyone else", async function () {
      const { tipJar, deployer } = await loadFixture(tipFixture);
      await expect(tipJar.connect(deployer).setFeeBps(0))
        .to.be.revertedWithCustomError(tipJar, "TipJarUnauthorized")
        .withArgs(deployer.address);
    });

    it("cannot be deployed above the cap", async function () {
      const { tipJar, registry, revenueSplit, deployer } = await loadFixture(tipFixture);
      const factory = await ethers.getContractFactory("TipJar", deployer);
      await expect(factory.deploy(registry, registry, revenueSplit, deployer.address, 1_001))
        .to.be.revertedWithCustomError(tipJar, "TipJarFeeTooHigh")
        .withArgs(1_001n, 1_000n);
    });

    it("rounds down, in the creator's favour", async function () {
      const { tipJar, tipper, creator1, creator1Id } = await loadFixture(tipFixture);
      await expect(
        tipJar.connect(tipper).tipETH(creator1Id, "", { value: 39n }),
      ).to.changeEtherBalance(creator1, 39n);
    });
  });
});
