import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ZeroAddress, parseEther } from "ethers";
import { daoFixture, timelockSigner } from "./fixtures";
import { MaliciousRecipient__factory } from "../../../typechain-types";

const ONE = parseEther("1");
const ETH = ZeroAddress;
const Revert = 1;

async function splitFixture() {
  const f = await daoFixture();
  const governance = await timelockSigner(await f.timelock.getAddress());
  const split = f.revenueSplit;
  await (
    await f.tokenA.connect(f.tipper).approve(await split.getAddress(), ethers.MaxUint256)
  ).wait();
  return { ...f, governance, split, treasury: await f.timelock.getAddress() };
}

describe("RevenueSplit", function () {
  describe("deployment", function () {
    it("starts with the configured allocation", async function () {
      const f = await loadFixture(splitFixture);
      const { split, operations, treasury } = f;
      const buckets = await split.buckets();
      expect(buckets.map((b) => [b.recipient, b.bps])).to.deep.equal([
        [operations.address, 5_000n],
        [treasury, 3_000n],
      ]);
      expect(await split.creatorShareBps()).to.equal(2_000n);
      expect(await split.governance()).to.equal(treasury);
      expect(await split.profiles()).to.equal(await f.registry.getAddress());
    });
  });

  describe("a deposit", function () {
    it("credits the creator share to the creator profile at once", async function () {
      const { split, tipper, creator1Id } = await loadFixture(splitFixture);
      await expect(split.connect(tipper).depositETH(creator1Id, { value: ONE }))
        .to.emit(split, "ProfileCredited")
        .withArgs(ETH, creator1Id, ONE / 5n, ONE / 5n)
        .and.to.emit(split, "Deposited")
        .withArgs(ETH, tipper.address, creator1Id, ONE, ONE / 5n, (ONE * 4n) / 5n);
      expect(await split.profileBalanceOf(ETH, creator1Id)).to.equal(ONE / 5n);
      const acc = await split.accounting(ETH);
      expect([acc.received, acc.credited, acc.undistributed, acc.withdrawn]).to.deep.equal([
        ONE,
        ONE / 5n,
        (ONE * 4n) / 5n,
        0n,
      ]);
    });

    it("leaves everything undistributed without a live creator profile", async function () {
      const { split, tipper } = await loadFixture(splitFixture);
      for (const creatorId of [0n, 999n]) {
        await expect(split.connect(tipper).depositETH(creatorId, { value: ONE }))
          .to.emit(split, "Deposited")
          .withArgs(ETH, tipper.address, creatorId, ONE, 0n, creatorId === 0n ? ONE : 2n * ONE);
      }
      expect(await split.profileBalanceOf(ETH, 999n)).to.equal(0n);
    });

    it("pulls tokens and counts what arrived", async function () {
      const { split, tokenA, tipper, creator2Id } = await loadFixture(splitFixture);
      await expect(
        split.connect(tipper).depositToken(tokenA, ONE, creator2Id),
      ).to.changeTokenBalances(tokenA, [tipper, split], [-ONE, ONE]);
      expect(await split.profileBalanceOf(tokenA, creator2Id)).to.equal(ONE / 5n);
      expect((await split.accounting(tokenA)).received).to.equal(ONE);
    });

    it("reverts for zero", async function () {
      const { split, tokenA, tipper } = await loadFixture(splitFixture);
      await expect(split.connect(tipper).depositETH(1n)).to.be.revertedWithCustomError(
        split,
        "RevenueSplitZeroAmount",
      );
      await expect(
        split.connect(tipper).depositToken(tokenA, 0n, 1n),
      ).to.be.revertedWithCustomError(split, "RevenueSplitZeroAmount");
    });
  });

  describe("distribution", function () {
    it("credits the buckets pro rata, by anyone, leaving rounding dust undistributed", async function () {
      const { split, tipper, stranger, operations, treasury } = await loadFixture(splitFixture);
      await (await split.connect(tipper).depositETH(0n, { value: 1_001n })).wait();
      // 1001 * 5000 / 8000 = 625, 1001 * 3000 / 8000 = 375, dust 1.
      await expect(split.connect(stranger).distribute(ETH))
        .to.emit(split, "Credited")
        .withArgs(ETH, operations.address, 625n, 625n)
        .and.to.emit(split, "Credited")
        .withArgs(ETH, treasury, 375n, 375n)
        .and.to.emit(split, "Distributed")
        .withArgs(ETH, 1_000n, 1n);
      expect(await split.balanceOf(ETH, operations.address)).to.equal(625n);
      const acc = await split.accounting(ETH);
      expect(acc.received).to.equal(acc.credited + acc.undistributed);
    });

    it("reverts when nothing is undistributed", async function () {
      const { split, tokenB } = await loadFixture(splitFixture);
      await expect(split.distribute(tokenB))
        .to.be.revertedWithCustomError(split, "RevenueSplitNothingToDistribute")
        .withArgs(await tokenB.getAddress());
    });
  });

  describe("withdrawal", function () {
    async function distributedFixture() {
      const f = await splitFixture();
      await (await f.split.connect(f.tipper).depositETH(f.creator1Id, { value: ONE })).wait();
      await (await f.split.connect(f.tipper).depositToken(f.tokenA, ONE, 0n)).wait();
      await (await f.split.distribute(ETH)).wait();
      await (await f.split.distribute(f.tokenA)).wait();
      return f;
    }

    it("pays a bucket its ETH and token balance, to any address", async function () {
      const { split, tokenA, operations, stranger } = await loadFixture(distributedFixture);
      const share = (ONE * 4n * 5n) / 5n / 8n;
      const tx = split.connect(operations).withdraw(ETH, stranger.address);
      await expect(tx)
        .to.emit(split, "Withdrawn")
        .withArgs(ETH, operations.address, stranger.address, share);
      await expect(tx).to.changeEtherBalance(stranger, share);
      await expect(
        split.connect(operations).withdraw(tokenA, operations.address),
      ).to.changeTokenBalance(tokenA, operations, (ONE * 5n) / 8n);
      expect((await split.accounting(ETH)).withdrawn).to.equal(share);
    });

    it("reverts when there is nothing to withdraw", async function () {
      const { split, stranger } = await loadFixture(distributedFixture);
      await expect(split.connect(stranger).withdraw(ETH, stranger.address))
        .to.be.revertedWithCustomError(split, "RevenueSplitNothingToWithdraw")
        .withArgs(ETH, stranger.address);
    });

    it("pays a creator profile's credit to its current owner only", async function () {
      const { split, creator1, stranger, creator1Id } = await loadFixture(distributedFixture);
      await expect(split.connect(stranger).withdrawForProfile(ETH, creator1Id, stranger.address))
        .to.be.revertedWithCustomError(split, "RevenueSplitNotProfileOwner")
        .withArgs(creator1Id, stranger.address);
      const tx = split.connect(creator1).withdrawForProfile(ETH, creator1Id, creator1.address);
      await expect(tx)
        .to.emit(split, "ProfileWithdrawn")
        .withArgs(ETH, creator1Id, creator1.address, ONE / 5n);
      await expect(tx).to.changeEtherBalance(creator1, ONE / 5n);
      await expect(split.connect(creator1).withdrawForProfile(ETH, creator1Id, creator1.address))
        .to.be.revertedWithCustomError(split, "RevenueSplitNothingToWithdrawForProfile")
        .withArgs(ETH, creator1Id);
    });

    it("reverts with a named error when the destination rejects ETH", async function () {
      const { split, operations, deployer } = await loadFixture(distributedFixture);
      const sink = await new MaliciousRecipient__factory(deployer).deploy();
      await (await sink.setMode(Revert)).wait();
      const share = (ONE * 4n * 5n) / 5n / 8n;
      await expect(split.connect(operations).withdraw(ETH, sink))
        .to.be.revertedWithCustomError(split, "RevenueSplitETHTransferFailed")
        .withArgs(await sink.getAddress(), share);
    });
  });

  describe("malicious recipients", function () {
    async function hostileFixture() {
      const f = await splitFixture();
      const rejecting = await new MaliciousRecipient__factory(f.deployer).deploy();
      const reentrant = await new MaliciousRecipient__factory(f.deployer).deploy();
      await (await rejecting.setMode(Revert)).wait();
      await (
        await f.split.connect(f.governance).setAllocation(
          [
            { recipient: await rejecting.getAddress(), bps: 3_000 },
            { recipient: await reentrant.getAddress(), bps: 3_000 },
            { recipient: f.operations.address, bps: 4_000 },
          ],
          0,
        )
      ).wait();
      const withdrawAgain = f.split.interface.encodeFunctionData("withdraw", [
        ETH,
        await reentrant.getAddress(),
      ]);
      await (await reentrant.setReentry(await f.split.getAddress(), withdrawAgain)).wait();
      await (await f.split.connect(f.tipper).depositETH(0n, { value: ONE })).wait();
      await (await f.split.distribute(ETH)).wait();
      return { ...f, rejecting, reentrant };
    }

    it("cannot block distribution nor other recipients' withdrawals", async function () {
      const { split, operations, rejecting } = await loadFixture(hostileFixture);
      expect(await split.balanceOf(ETH, rejecting)).to.equal((ONE * 3n) / 10n);
      await expect(
        split.connect(operations).withdraw(ETH, operations.address),
      ).to.changeEtherBalance(operations, (ONE * 4n) / 10n);
    });

    it("cannot withdraw twice by re-entering", async function () {
      const { split, reentrant } = await loadFixture(hostileFixture);
      const withdraw = split.interface.encodeFunctionData("withdraw", [
        ETH,
        await reentrant.getAddress(),
      ]);
      await expect(reentrant.act(await split.getAddress(), withdraw))
        .to.be.revertedWithCustomError(split, "RevenueSplitETHTransferFailed")
        .withArgs(await reentrant.getAddress(), (ONE * 3n) / 10n);
      expect(await split.balanceOf(ETH, reentrant)).to.equal((ONE * 3n) / 10n);
    });

    it("cannot block deposits", async function () {
      const { split, tipper } = await loadFixture(hostileFixture);
      await expect(split.connect(tipper).depositETH(0n, { value: ONE })).to.not.be.reverted;
      await expect(split.distribute(ETH)).to.not.be.reverted;
    });
  });

  describe("the allocation", function () {
    it("is replaced by the timelock", async function () {
      const { split, governance, operations } = await loadFixture(splitFixture);
      const buckets = [{ recipient: operations.address, bps: 9_000 }];
      await expect(split.connect(governance).setAllocation(buckets, 1_000))
        .to.emit(split, "AllocationChanged")
        .withArgs([[operations.address, 9_000n]], 1_000n);
      expect(await split.creatorShareBps()).to.equal(1_000n);
      expect((await split.buckets()).length).to.equal(1);
    });

    describe("does not redirect revenue already earned", function () {
      async function changedAfterDeposits() {
        const f = await splitFixture();
        const { split, governance, tipper, stranger } = f;
        await (await split.connect(tipper).depositETH(0n, { value: 800n })).wait();
        await (await split.connect(tipper).depositToken(f.tokenA, 8_000n, 0n)).wait();
        await (
          await split
            .connect(governance)
            .setAllocation([{ recipient: stranger.address, bps: 8_000 }], 2_000)
        ).wait();
        return f;
      }

      it("whoever distributes first: the old buckets get what arrived before the change", async function () {
        const { split, operations, treasury, stranger, tokenA } =
          await loadFixture(changedAfterDeposits);
        expect(await split.allocationEpoch()).to.equal(1n);
        expect(await split.pendingEpoch(ETH)).to.equal(0n);
        // 800 wei to 5,000 : 3,000 -> 500 and 300; nothing to the new bucket.
        await expect(split.connect(stranger).distribute(ETH))
          .to.emit(split, "Credited")
          .withArgs(ETH, operations.address, 500n, 500n)
          .and.to.emit(split, "Credited")
          .withArgs(ETH, treasury, 300n, 300n);
        expect(await split.balanceOf(ETH, stranger.address)).to.equal(0n);
        expect(await split.pendingEpoch(ETH)).to.equal(1n);
        await (await split.distribute(tokenA)).wait();
        expect(await split.balanceOf(tokenA, operations.address)).to.equal(5_000n);
        expect(await split.balanceOf(tokenA, treasury)).to.equal(3_000n);
        expect(await split.balanceOf(tokenA, stranger.address)).to.equal(0n);
      });

      it("a deposit after the change settles the old pool first, then joins the new one", async function () {
        const { split, tipper, operations, treasury, stranger } =
          await loadFixture(changedAfterDeposits);
        await expect(split.connect(tipper).depositETH(0n, { value: 1_000n }))
          .to.emit(split, "Distributed")
          .withArgs(ETH, 800n, 0n)
          .and.to.emit(split, "Deposited")
          .withArgs(ETH, tipper.address, 0n, 1_000n, 0n, 1_000n);
        expect(await split.balanceOf(ETH, operations.address)).to.equal(500n);
        expect(await split.balanceOf(ETH, treasury)).to.equal(300n);
        await (await split.distribute(ETH)).wait();
        expect(await split.balanceOf(ETH, stranger.address)).to.equal(1_000n);
        expect(await split.balanceOf(ETH, operations.address)).to.equal(500n);
        const acc = await split.accounting(ETH);
        expect([acc.received, acc.credited, acc.undistributed]).to.deep.equal([1_800n, 1_800n, 0n]);
      });

      it("keeps every earlier allocation readable", async function () {
        const { split, operations, treasury, stranger } = await loadFixture(changedAfterDeposits);
        expect((await split.bucketsAt(0n)).map((b) => [b.recipient, b.bps])).to.deep.equal([
          [operations.address, 5_000n],
          [treasury, 3_000n],
        ]);
        expect((await split.bucketsAt(1n)).map((b) => [b.recipient, b.bps])).to.deep.equal([
          [stranger.address, 8_000n],
        ]);
        expect(await split.bucketsAt(2n)).to.deep.equal([]);
      });
    });

    it("rejects anyone else", async function () {
      const { split, alice } = await loadFixture(splitFixture);
      await expect(
        split.connect(alice).setAllocation([{ recipient: alice.address, bps: 10_000 }], 0),
      )
        .to.be.revertedWithCustomError(split, "RevenueSplitUnauthorized")
        .withArgs(alice.address);
    });

    it("must add up to exactly 10,000 basis points", async function () {
      const { split, governance, operations } = await loadFixture(splitFixture);
      for (const [bps, creator] of [
        [9_000, 999],
        [9_000, 1_001],
      ]) {
        await expect(
          split
            .connect(governance)
            .setAllocation([{ recipient: operations.address, bps }], creator),
        )
          .to.be.revertedWithCustomError(split, "RevenueSplitBpsSum")
          .withArgs(bps + creator);
      }
    });

    it("has between 1 and 8 buckets", async function () {
      const { split, governance, operations } = await loadFixture(splitFixture);
      await expect(split.connect(governance).setAllocation([], 10_000))
        .to.be.revertedWithCustomError(split, "RevenueSplitBucketCount")
        .withArgs(0n, 8n);
      const nine = Array.from({ length: 9 }, () => ({ recipient: operations.address, bps: 1_000 }));
      await expect(split.connect(governance).setAllocation(nine, 1_000))
        .to.be.revertedWithCustomError(split, "RevenueSplitBucketCount")
        .withArgs(9n, 8n);
    });

    it("rejects a zero recipient or a zero share", async function () {
      const { split, governance, operations } = await loadFixture(splitFixture);
      await expect(
        split.connect(governance).setAllocation(
          [
            { recipient: operations.address, bps: 5_000 },
            { recipient: ZeroAddress, bps: 5_000 },
          ],
          0,
        ),
      )
        .to.be.revertedWithCustomError(split, "RevenueSplitZeroRecipient")
        .withArgs(1n);
      await expect(
        split.connect(governance).setAllocation(
          [
            { recipient: operations.address, bps: 10_000 },
            { recipient: operations.address, bps: 0 },
          ],
          0,
        ),
      )
        .to.be.revertedWithCustomError(split, "RevenueSplitZeroShare")
        .withArgs(1n);
    });
  });
});
