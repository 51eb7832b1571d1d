import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { Signature, ZeroAddress, parseEther } from "ethers";
import type { ContractTransactionReceipt } from "ethers";
import { DAO_DEFAULTS } from "../../../deploy/dao";
import { daoFixture, timelockSigner } from "../dao/fixtures";
import {
  FalseReturnToken__factory,
  MaliciousRecipient__factory,
  RevenueSinkRecorder__factory,
  TipJar__factory,
} from "../../../typechain-types";
import type { TipJar } from "../../../typechain-types";
import { signPermit } from "../../../sdk/permit";

const BPS = 10_000n;
const FEE_BPS = 250n;
/** The revenue split's creator share at deployment (DAO_DEFAULTS), which the jar copies. */
const SHARE_BPS = BigInt(DAO_DEFAULTS.creatorShareBps);
/** The whole protocol fee of a tip: what a token tip books, rounded down. */
const feeOf = (amount: bigint, feeBps = FEE_BPS) => (amount * feeBps) / BPS;
/**
 * An ETH tip of `amount`: the fee, the creator share of it paid with the tip, what accrues for
 * the revenue split (`Tipped.fee`) and what the creator receives, each step rounded down.
 */
function ethTip(amount: bigint, shareBps = SHARE_BPS, feeBps = FEE_BPS) {
  const fee = feeOf(amount, feeBps);
  const creatorPart = (fee * shareBps) / BPS;
  const accrued = fee - creatorPart;
  return { fee, creatorPart, accrued, net: amount - accrued };
}
/** What an ETH tip of `amount` leaves in the jar for the revenue split, at the default rates. */
const accruedOf = (amount: bigint) => ethTip(amount).accrued;
/** What the creator of an ETH tip of `amount` receives, at the default rates. */
const netOf = (amount: bigint) => ethTip(amount).net;
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

type TipFixture = Awaited<ReturnType<typeof tipFixture>>;

/** Buckets that, with `creatorShareBps`, add up to 10,000: operations 50%, the treasury the rest. */
async function allocation(f: TipFixture, creatorShareBps: bigint) {
  return [
    { recipient: f.operations.address, bps: 5_000n },
    { recipient: await f.timelock.getAddress(), bps: 5_000n - creatorShareBps },
  ];
}

/** Carries a proposal from proposal to execution (alice and bob hold the votes) and executes it. */
async function passProposal(f: TipFixture, targets: string[], calldatas: string[]) {
  const description = `proposal ${calldatas.join("")}`;
  const values = targets.map(() => 0n);
  const descriptionHash = ethers.id(description);
  const governor = f.governor.connect(f.alice);
  await (await governor.propose(targets, values, calldatas, description)).wait();
  const proposalId = await governor.hashProposal(targets, values, calldatas, descriptionHash);
  await time.increase(DAO_DEFAULTS.votingDelay + 1);
  await (await governor.castVote(proposalId, 1)).wait();
  await (await f.governor.connect(f.bob).castVote(proposalId, 1)).wait();
  await time.increase(DAO_DEFAULTS.votingPeriod);
  await (await governor.queue(targets, values, calldatas, descriptionHash)).wait();
  await time.increase(DAO_DEFAULTS.timelockDelay);
  return f.governor.connect(f.stranger).execute(targets, values, calldatas, descriptionHash);
}

const sumOf = (tips: { amount: bigint }[]) => tips.reduce((sum, tip) => sum + tip.amount, 0n);

/** The `fee` of every `Tipped` in `receipt` whose token is ETH. */
function ethTippedFees(jar: TipJar, receipt: ContractTransactionReceipt | null): bigint[] {
  const fees: bigint[] = [];
  for (const log of receipt?.logs ?? []) {
    const parsed = jar.interface.parseLog(log);
    if (parsed?.name === "Tipped" && parsed.args.token === ZeroAddress) fees.push(parsed.args.fee);
  }
  return fees;
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
      expect(await tipJar.creatorShareBps()).to.equal(SHARE_BPS);
    });

    it("copies the revenue split's creator share, announcing it", async function () {
      const { registry, revenueSplit, timelock, deployer } = await loadFixture(tipFixture);
      const jar = await new TipJar__factory(deployer).deploy(
        registry,
        registry,
        revenueSplit,
        timelock,
        FEE_BPS,
        0,
      );
      await expect(jar.deploymentTransaction())
        .to.emit(jar, "CreatorShareSynced")
        .withArgs(0n, SHARE_BPS);
      expect(await jar.creatorShareBps()).to.equal(await revenueSplit.creatorShareBps());
    });

    it("cannot be deployed against a revenue sink without a creator share", async function () {
      const { registry, timelock, deployer } = await loadFixture(tipFixture);
      const sink = await new RevenueSinkRecorder__factory(deployer).deploy();
      await expect(
        new TipJar__factory(deployer).deploy(registry, registry, sink, timelock, FEE_BPS, 0),
      ).to.be.reverted;
    });
  });

  describe("an ETH tip to a profile", function () {
    it("pays the profile owner all but the fee, plus the creator share of the fee; the rest stays pooled", async function () {
      const { tipJar, tipper, creator1, creator1Id } = await loadFixture(tipFixture);
      // 2.5% of 1 ETH is 0.025 ETH; a fifth of it (0.005 ETH) goes back to the creator at once.
      const accrued = parseEther("0.02");
      expect(accruedOf(ONE)).to.equal(accrued);
      const tx = tipJar.connect(tipper).tipETH(creator1Id, "gm", { value: ONE });
      await expect(tx)
        .to.emit(tipJar, "Tipped")
        .withArgs(creator1Id, 0n, tipper.address, ZeroAddress, ONE, accrued, "gm");
      await expect(tx).to.changeEtherBalances(
        [tipper, creator1, tipJar],
        [-ONE, parseEther("0.98"), accrued],
      );
      expect(await tipJar.pendingETHFees()).to.equal(accrued);
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
          // The credit includes the creator share of the fee, as a push would have.
          const net = netOf(ONE);
          await expect(tipJar.connect(tipper).tipETH(walletProfileId, "", { value: ONE }))
            .to.emit(tipJar, "TipCredited")
            .withArgs(walletProfileId, net, net);
          expect(await tipJar.claimable(walletProfileId)).to.equal(net);
          expect(await tipJar.pendingETHFees()).to.equal(accruedOf(ONE));
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
        expect(await tipJar.pendingETHFees()).to.equal(accruedOf(ONE));
      });

      it("lets the owner claim the credit later, to any address", async function () {
        const { tipJar, tipper, wallet, walletProfileId, stranger } = await loadFixture(tipFixture);
        await (await wallet.setMode(Mode.Revert)).wait();
        await (await tipJar.connect(tipper).tipETH(walletProfileId, "", { value: ONE })).wait();
        const net = netOf(ONE);
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
        expect(await tipJar.pendingETHFees()).to.equal(accruedOf(ONE));
      });
    });
  });

  describe("an ETH tip to a post", function () {
    it("pays the post's author", async function () {
      const { tipJar, tipper, creator1, creator1Id, post1Id } = await loadFixture(tipFixture);
      const tx = tipJar.connect(tipper).tipPostETH(post1Id, "nice", { value: ONE });
      await expect(tx)
        .to.emit(tipJar, "Tipped")
        .withArgs(creator1Id, post1Id, tipper.address, ZeroAddress, ONE, accruedOf(ONE), "nice");
      await expect(tx).to.changeEtherBalance(creator1, netOf(ONE));
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

    it("computes the fee of any amount, one whose product with the rate exceeds 256 bits included", async function () {
      const { tipJar, tokenA, tipper, creator1Id } = await loadFixture(tipFixture);
      // Above 2^256 / MAX_FEE_BPS the fee takes the 512-bit path; at MaxUint256 / 200 the plain
      // product with 250 bps would wrap. Every amount agrees with the reference.
      const largestDirect = ethers.MaxUint256 / 1_000n;
      const amounts = [largestDirect, largestDirect + 1n, ethers.MaxUint256 / 200n];
      await (await tokenA.mint(tipper.address, amounts[0] + amounts[1] + amounts[2])).wait();
      for (const amount of amounts) {
        const before = await tipJar.pendingTokenFees(tokenA, creator1Id);
        await expect(tipJar.connect(tipper).tipToken(creator1Id, tokenA, amount, ""))
          .to.emit(tipJar, "Tipped")
          .withArgs(
            creator1Id,
            0n,
            tipper.address,
            await tokenA.getAddress(),
            amount,
            feeOf(amount),
            "",
          );
        expect(await tipJar.pendingTokenFees(tokenA, creator1Id)).to.equal(before + feeOf(amount));
      }
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
        const signature = await signPermit(
          tipper,
          { name: "TokenB", address: await tokenB.getAddress() },
          chainId,
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
            .tipTokenWithPermit(creator1Id, 0n, tokenB, ONE, "", ZeroAddress, deadline, v, r, s),
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
            .tipTokenWithPermit(0n, post1Id, tokenB, ONE, "", ZeroAddress, deadline, v, r, s),
        ).to.changeTokenBalance(tokenB, creator1, ONE - feeOf(ONE));
      });

      it("reverts when the named profile is not the post's author", async function () {
        const f = await loadFixture(tipFixture);
        const { tipJar, tokenB, tipper, creator1Id, creator2Id, post1Id } = f;
        const { deadline, v, r, s } = await permitFor(f, ONE);
        await expect(
          tipJar
            .connect(tipper)
            .tipTokenWithPermit(
              creator2Id,
              post1Id,
              tokenB,
              ONE,
              "",
              ZeroAddress,
              deadline,
              v,
              r,
              s,
            ),
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
      ).to.changeEtherBalances([creator1, creator2], [2n * netOf(ONE), netOf(2n * ONE)]);
      expect(await tipJar.pendingETHFees()).to.equal(2n * accruedOf(ONE) + accruedOf(2n * ONE));
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

  describe("a tip with a referrer", function () {
    const REF_BPS = BigInt(DAO_DEFAULTS.tipReferrerShareBps);
    /** The referrer's part of an ETH tip: its share of what the jar would keep. */
    const ethReferral = (amount: bigint) => {
      const tip = ethTip(amount);
      const referrerFee = (tip.accrued * REF_BPS) / BPS;
      return { ...tip, referrerFee, kept: tip.accrued - referrerFee };
    };

    it("credits the referrer its share of an ETH tip's fee; tipper and creator see no difference", async function () {
      const { tipJar, tipper, creator1, creator1Id, stranger: app } = await loadFixture(tipFixture);
      const r = ethReferral(ONE);
      expect(r.referrerFee).to.be.gt(0n);
      const tx = tipJar
        .connect(tipper)
        .tipETHWithReferrer(creator1Id, "gm", app.address, { value: ONE });
      await expect(tx)
        .to.emit(tipJar, "ReferrerCredited")
        .withArgs(app.address, ZeroAddress, r.referrerFee, r.referrerFee)
        .and.to.emit(tipJar, "Tipped")
        .withArgs(creator1Id, 0n, tipper.address, ZeroAddress, ONE, r.kept, "gm");
      await expect(tx).to.changeEtherBalances([tipper, creator1], [-ONE, r.net]);
      expect(await tipJar.referrerBalanceOf(ZeroAddress, app.address)).to.equal(r.referrerFee);
      expect(await tipJar.pendingETHFees()).to.equal(r.kept);
      // The referrer's ETH is not a fee: a sweep leaves it.
      await (await tipJar.sweepETH()).wait();
      expect(await ethers.provider.getBalance(tipJar)).to.equal(r.referrerFee);
    });

    it("announces the credit right before the tip it belongs to", async function () {
      const { tipJar, tipper, creator1Id, post1Id, stranger: app } = await loadFixture(tipFixture);
      const receipt = await (
        await tipJar
          .connect(tipper)
          .tipPostETHWithReferrer(post1Id, "", app.address, { value: ONE })
      ).wait();
      const names = receipt!.logs.map((log) => tipJar.interface.parseLog(log)?.name);
      expect(names).to.deep.equal(["ReferrerCredited", "Tipped"]);
      expect(creator1Id).to.equal(post1Id >> 64n);
    });

    it("credits the referrer its share of a token tip's fee", async function () {
      const {
        tipJar,
        tokenA,
        tipper,
        creator1,
        creator1Id,
        stranger: app,
      } = await loadFixture(tipFixture);
      const fee = feeOf(ONE);
      const referrerFee = (fee * REF_BPS) / BPS;
      const tx = tipJar.connect(tipper).tipTokenWithReferrer(creator1Id, tokenA, ONE, "", app);
      await expect(tx)
        .to.emit(tipJar, "ReferrerCredited")
        .withArgs(app.address, await tokenA.getAddress(), referrerFee, referrerFee)
        .and.to.emit(tipJar, "Tipped")
        .withArgs(
          creator1Id,
          0n,
          tipper.address,
          await tokenA.getAddress(),
          ONE,
          fee - referrerFee,
          "",
        );
      await expect(tx).to.changeTokenBalances(
        tokenA,
        [tipper, creator1, tipJar],
        [-ONE, ONE - fee, fee],
      );
      expect(await tipJar.pendingTokenFees(tokenA, creator1Id)).to.equal(fee - referrerFee);
      expect(await tipJar.referrerBalanceOf(tokenA, app.address)).to.equal(referrerFee);
      await expect(tipJar.connect(app).withdrawReferrerFees(tokenA, app.address))
        .to.emit(tipJar, "ReferrerFeesWithdrawn")
        .withArgs(app.address, await tokenA.getAddress(), app.address, referrerFee);
      await expect(
        tipJar.connect(app).withdrawReferrerFees(tokenA, app.address),
      ).to.be.revertedWithCustomError(tipJar, "TipJarNothingToWithdraw");
    });

    it("credits batches once per referrer, with a running balance per tip", async function () {
      const f = await loadFixture(tipFixture);
      const { tipJar, tokenA, tipper, creator1Id, creator2Id, post1Id, stranger: app } = f;
      const tips = [
        { profileId: creator1Id, postId: 0n, amount: ONE },
        { profileId: creator2Id, postId: 0n, amount: 2n * ONE },
        { profileId: creator1Id, postId: post1Id, amount: ONE },
      ];
      const ethFees = tips.map((t) => ethReferral(t.amount).referrerFee);
      const receipt = await (
        await tipJar
          .connect(tipper)
          .tipETHBatchWithReferrer(tips, "", app.address, { value: 4n * ONE })
      ).wait();
      const balances = receipt!.logs
        .map((log) => tipJar.interface.parseLog(log))
        .filter((e) => e?.name === "ReferrerCredited")
        .map((e) => e!.args.balance as bigint);
      expect(balances).to.deep.equal([
        ethFees[0],
        ethFees[0] + ethFees[1],
        ethFees[0] + ethFees[1] + ethFees[2],
      ]);
      const ethTotal = ethFees.reduce((a, b) => a + b, 0n);
      expect(await tipJar.referrerBalanceOf(ZeroAddress, app.address)).to.equal(ethTotal);
      await (await tipJar.connect(tipper).tipTokenBatchWithReferrer(tokenA, tips, "", app)).wait();
      const tokenTotal = tips.reduce((sum, t) => sum + (feeOf(t.amount) * REF_BPS) / BPS, 0n);
      expect(await tipJar.referrerBalanceOf(tokenA, app.address)).to.equal(tokenTotal);
      const tx = tipJar.connect(app).withdrawReferrerFees(ZeroAddress, app.address);
      await expect(tx).to.changeEtherBalances([tipJar, app], [-ethTotal, ethTotal]);
    });

    it("treats a zero referrer as a plain tip", async function () {
      const { tipJar, tipper, creator1Id } = await loadFixture(tipFixture);
      await expect(
        tipJar.connect(tipper).tipETHWithReferrer(creator1Id, "", ZeroAddress, { value: ONE }),
      )
        .to.emit(tipJar, "Tipped")
        .withArgs(creator1Id, 0n, tipper.address, ZeroAddress, ONE, accruedOf(ONE), "")
        .and.not.to.emit(tipJar, "ReferrerCredited");
      expect(await tipJar.pendingETHFees()).to.equal(accruedOf(ONE));
    });

    it("pays the share governance sets, up to half of the fee", async function () {
      const f = await loadFixture(tipFixture);
      const governance = await timelockSigner(await f.timelock.getAddress());
      await expect(f.tipJar.connect(governance).setReferrerShareBps(5_000))
        .to.emit(f.tipJar, "ReferrerShareChanged")
        .withArgs(REF_BPS, 5_000n);
      expect(await f.tipJar.referrerShareBps()).to.equal(5_000n);
      await expect(f.tipJar.connect(governance).setReferrerShareBps(5_001))
        .to.be.revertedWithCustomError(f.tipJar, "TipJarReferrerShareTooHigh")
        .withArgs(5_001n, 5_000n);
      await expect(f.tipJar.connect(f.stranger).setReferrerShareBps(0))
        .to.be.revertedWithCustomError(f.tipJar, "TipJarUnauthorized")
        .withArgs(f.stranger.address);
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
        .withArgs(walletAddress, netOf(ONE));
    });

    it("follows the profile to its new owner", async function () {
      const { tipJar, registry, tipper, wallet, walletProfileId, stranger } =
        await loadFixture(tipFixture);
      await (await wallet.setMode(Mode.Revert)).wait();
      await (await tipJar.connect(tipper).tipETH(walletProfileId, "", { value: ONE })).wait();
      const offer = registry.interface.encodeFunctionData("offerTransfer", [
        walletProfileId,
        stranger.address,
        ethers.MaxUint256,
      ]);
      await (await wallet.act(await registry.getAddress(), offer)).wait();
      await (await registry.connect(stranger).acceptTransfer(walletProfileId)).wait();
      await expect(
        tipJar.connect(stranger).claim(walletProfileId, stranger.address),
      ).to.changeEtherBalance(stranger, netOf(ONE));
    });
  });

  describe("sweeping", function () {
    it("sends the pooled ETH fees to the revenue split, by anyone, keeping claimable ETH", async function () {
      const { tipJar, revenueSplit, tipper, stranger, creator1Id, wallet, walletProfileId } =
        await loadFixture(tipFixture);
      await (await wallet.setMode(Mode.Revert)).wait();
      await (await tipJar.connect(tipper).tipETH(creator1Id, "", { value: ONE })).wait();
      await (await tipJar.connect(tipper).tipETH(walletProfileId, "", { value: ONE })).wait();
      const fees = 2n * accruedOf(ONE);
      const tx = tipJar.connect(stranger).sweepETH();
      await expect(tx).to.emit(tipJar, "FeesSwept").withArgs(0n, ZeroAddress, fees);
      // Attribution 0: the creators already had their share, so the split credits no profile.
      await expect(tx)
        .to.emit(revenueSplit, "Deposited")
        .withArgs(ZeroAddress, await tipJar.getAddress(), 0n, fees, 0n, fees);
      await expect(tx).to.changeEtherBalances([tipJar, revenueSplit], [-fees, fees]);
      expect(await tipJar.pendingETHFees()).to.equal(0n);
      expect(await ethers.provider.getBalance(tipJar)).to.equal(netOf(ONE));
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

  describe("the creator share of an ETH tip", function () {
    it("is paid with the tip, to the wei, rounding each step down", async function () {
      const { tipJar, tipper, creator1, creator1Id } = await loadFixture(tipFixture);
      // 10,399 wei: fee 259 (259.975 rounded down), creator share 51 (51.8 rounded down),
      // so 208 accrue and the creator receives 10,399 - 259 + 51 = 10,191.
      expect(ethTip(10_399n)).to.deep.equal({
        fee: 259n,
        creatorPart: 51n,
        accrued: 208n,
        net: 10_191n,
      });
      const tx = tipJar.connect(tipper).tipETH(creator1Id, "", { value: 10_399n });
      await expect(tx)
        .to.emit(tipJar, "Tipped")
        .withArgs(creator1Id, 0n, tipper.address, ZeroAddress, 10_399n, 208n, "");
      await expect(tx).to.changeEtherBalances([creator1, tipJar], [10_191n, 208n]);
      expect(await tipJar.pendingETHFees()).to.equal(208n);
    });

    it("is nothing when the split's creator share is 0: the whole fee accrues", async function () {
      const f = await loadFixture(tipFixture);
      const { tipJar, revenueSplit, tipper, stranger, creator1, creator1Id } = f;
      const governance = await timelockSigner(await f.timelock.getAddress());
      await (
        await revenueSplit.connect(governance).setAllocation(await allocation(f, 0n), 0)
      ).wait();
      await expect(tipJar.connect(stranger).syncCreatorShare())
        .to.emit(tipJar, "CreatorShareSynced")
        .withArgs(SHARE_BPS, 0n);
      expect(await tipJar.creatorShareBps()).to.equal(0n);
      for (const [amount, fee] of [
        [10_399n, 259n],
        [ONE + 7n, parseEther("0.025")],
      ] as const) {
        const tx = tipJar.connect(tipper).tipETH(creator1Id, "", { value: amount });
        await expect(tx)
          .to.emit(tipJar, "Tipped")
          .withArgs(creator1Id, 0n, tipper.address, ZeroAddress, amount, fee, "");
        await expect(tx).to.changeEtherBalances([creator1, tipJar], [amount - fee, fee]);
      }
      expect(await tipJar.pendingETHFees()).to.equal(259n + parseEther("0.025"));
    });

    it("follows a governance change of the allocation once the proposal syncs it", async function () {
      const f = await loadFixture(tipFixture);
      const { tipJar, revenueSplit, tipper, creator1, creator1Id } = f;
      const newShare = 3_500n;
      const targets = [await revenueSplit.getAddress(), await tipJar.getAddress()];
      const calldatas = [
        revenueSplit.interface.encodeFunctionData("setAllocation", [
          await allocation(f, newShare),
          newShare,
        ]),
        tipJar.interface.encodeFunctionData("syncCreatorShare"),
      ];
      const execution = await passProposal(f, targets, calldatas);
      await expect(execution)
        .to.emit(revenueSplit, "AllocationChanged")
        .and.to.emit(tipJar, "CreatorShareSynced")
        .withArgs(SHARE_BPS, newShare);
      expect(await tipJar.creatorShareBps()).to.equal(newShare);

      // 1 ETH: fee 0.025 ETH, 35% of it (0.00875 ETH) to the creator, 0.01625 ETH accrues.
      const accrued = parseEther("0.01625");
      expect(ethTip(ONE, newShare).accrued).to.equal(accrued);
      const tx = tipJar.connect(tipper).tipETH(creator1Id, "", { value: ONE });
      await expect(tx)
        .to.emit(tipJar, "Tipped")
        .withArgs(creator1Id, 0n, tipper.address, ZeroAddress, ONE, accrued, "");
      await expect(tx).to.changeEtherBalance(creator1, ONE - accrued);
    });

    it("keeps the previous share until anyone syncs it", async function () {
      const f = await loadFixture(tipFixture);
      const { tipJar, revenueSplit, tipper, stranger, creator1, creator1Id } = f;
      const governance = await timelockSigner(await f.timelock.getAddress());
      await (
        await revenueSplit.connect(governance).setAllocation(await allocation(f, 4_000n), 4_000)
      ).wait();
      expect(await tipJar.creatorShareBps()).to.equal(SHARE_BPS);
      await expect(
        tipJar.connect(tipper).tipETH(creator1Id, "", { value: ONE }),
      ).to.changeEtherBalance(creator1, ethTip(ONE, SHARE_BPS).net);

      await expect(tipJar.connect(stranger).syncCreatorShare())
        .to.emit(tipJar, "CreatorShareSynced")
        .withArgs(SHARE_BPS, 4_000n);
      await expect(
        tipJar.connect(tipper).tipETH(creator1Id, "", { value: ONE }),
      ).to.changeEtherBalance(creator1, ethTip(ONE, 4_000n).net);
      // A sync without a change is harmless and still announced.
      await expect(tipJar.connect(stranger).syncCreatorShare())
        .to.emit(tipJar, "CreatorShareSynced")
        .withArgs(4_000n, 4_000n);
      expect(await tipJar.creatorShareBps()).to.equal(4_000n);
    });

    it("is part of the credit when the owner rejects the push, and of the claim", async function () {
      const { tipJar, tipper, wallet, walletProfileId, stranger } = await loadFixture(tipFixture);
      await (await wallet.setMode(Mode.Revert)).wait();
      const { net, accrued } = ethTip(10_399n);
      const tx = tipJar.connect(tipper).tipETH(walletProfileId, "", { value: 10_399n });
      await expect(tx)
        .to.emit(tipJar, "Tipped")
        .withArgs(walletProfileId, 0n, tipper.address, ZeroAddress, 10_399n, accrued, "")
        .and.to.emit(tipJar, "TipCredited")
        .withArgs(walletProfileId, 10_191n, 10_191n);
      await expect(tx).to.changeEtherBalance(tipJar, 10_399n);
      expect(net).to.equal(10_191n);
      expect(await tipJar.claimable(walletProfileId)).to.equal(10_191n);
      expect(await tipJar.pendingETHFees()).to.equal(208n);
      const claim = tipJar.interface.encodeFunctionData("claim", [
        walletProfileId,
        stranger.address,
      ]);
      await expect(wallet.act(tipJar, claim)).to.changeEtherBalance(stranger, 10_191n);
      expect(await ethers.provider.getBalance(tipJar)).to.equal(208n);
    });

    it("keeps the jar's ETH equal to claimable credits plus pending fees, and the Tipped fees equal to the sweep", async function () {
      const f = await loadFixture(tipFixture);
      const { tipJar, revenueSplit, tipper, wallet, walletProfileId, creator1Id, creator2Id } = f;
      const jarAddress = await tipJar.getAddress();
      const tipped: bigint[] = [];
      const tip = async (profileId: bigint, amount: bigint) => {
        const receipt = await (
          await tipJar.connect(tipper).tipETH(profileId, "", { value: amount })
        ).wait();
        tipped.push(...ethTippedFees(tipJar, receipt));
      };
      const identityHolds = async () => {
        expect(await ethers.provider.getBalance(tipJar)).to.equal(
          (await tipJar.claimable(walletProfileId)) + (await tipJar.pendingETHFees()),
        );
      };

      await tip(creator1Id, 10_399n);
      await (await wallet.setMode(Mode.Revert)).wait();
      await tip(walletProfileId, ONE + 3n);
      await identityHolds();
      const batch = [
        { profileId: creator2Id, postId: 0n, amount: 777_777n },
        { profileId: walletProfileId, postId: 0n, amount: 2n * ONE + 1n },
        { profileId: creator1Id, postId: f.post1Id, amount: 39n },
      ];
      const receipt = await (
        await tipJar.connect(tipper).tipETHBatch(batch, "", { value: sumOf(batch) })
      ).wait();
      tipped.push(...ethTippedFees(tipJar, receipt));
      await tip(creator2Id, 12_345_678_901n);
      await identityHolds();

      expect(tipped).to.have.length(6);
      const expected = [10_399n, ONE + 3n, 777_777n, 2n * ONE + 1n, 39n, 12_345_678_901n].map(
        accruedOf,
      );
      expect(tipped).to.deep.equal(expected);
      const total = tipped.reduce((a, b) => a + b, 0n);
      expect(await tipJar.pendingETHFees()).to.equal(total);
      expect(await tipJar.claimable(walletProfileId)).to.equal(
        netOf(ONE + 3n) + netOf(2n * ONE + 1n),
      );
      await expect(tipJar.sweepETH())
        .to.emit(tipJar, "FeesSwept")
        .withArgs(0n, ZeroAddress, total)
        .and.to.emit(revenueSplit, "Deposited")
        .withArgs(ZeroAddress, jarAddress, 0n, total, 0n, total);
      expect((await revenueSplit.accounting(ZeroAddress)).received).to.equal(total);
      await identityHolds();
      expect(await tipJar.pendingETHFees()).to.equal(0n);
    });

    it("leaves an ETH tip to a profile within 45,000 gas", async function () {
      const { tipJar, tipper, creator1Id } = await loadFixture(tipFixture);
      expect(await tipJar.creatorShareBps()).to.not.equal(0n);
      const receipt = await (
        await tipJar.connect(tipper).tipETH(creator1Id, "", { value: parseEther("0.01") })
      ).wait();
      expect(receipt?.gasUsed).to.be.lessThanOrEqual(45_000n);
    });

    it("cannot be synced into the middle of a tip", async function () {
      const { tipJar, tipper, wallet, walletProfileId } = await loadFixture(tipFixture);
      await (
        await wallet.setReentry(
          await tipJar.getAddress(),
          tipJar.interface.encodeFunctionData("syncCreatorShare"),
        )
      ).wait();
      await expect(tipJar.connect(tipper).tipETH(walletProfileId, "", { value: ONE })).to.emit(
        tipJar,
        "TipCredited",
      );
      expect(await wallet.reentrySucceeded()).to.equal(false);
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
      await expect(factory.deploy(registry, registry, revenueSplit, deployer.address, 1_001, 0))
        .to.be.revertedWithCustomError(tipJar, "TipJarFeeTooHigh")
        .withArgs(1_001n, 1_000n);
      await expect(factory.deploy(registry, registry, revenueSplit, deployer.address, 250, 5_001))
        .to.be.revertedWithCustomError(tipJar, "TipJarReferrerShareTooHigh")
        .withArgs(5_001n, 5_000n);
    });

    it("rounds down, in the creator's favour", async function () {
      const { tipJar, tipper, creator1, creator1Id } = await loadFixture(tipFixture);
      await expect(
        tipJar.connect(tipper).tipETH(creator1Id, "", { value: 39n }),
      ).to.changeEtherBalance(creator1, 39n);
      expect(await tipJar.pendingETHFees()).to.equal(0n);
    });
  });
});
