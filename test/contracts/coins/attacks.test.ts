import { expect } from "chai";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ReentrantTrader__factory, type CreatorCoin } from "../../../typechain-types";
import { FAR, ONE, tradedCoin } from "./fixture";

/** Everything an attack could move: the coin's ETH, supply, reserve and fees. */
async function snapshotOf(coin: CreatorCoin) {
  return {
    eth: await hre.ethers.provider.getBalance(await coin.getAddress()),
    supply: await coin.totalSupply(),
    reserve: await coin.reserve(),
    protocolFees: await coin.protocolFeesOwed(),
    creatorFees: await coin.creatorFeesOwed(),
  };
}

/** `tradedCoin` plus a reentrant trader contract holding coins. */
async function withAttacker() {
  const f = await tradedCoin();
  const attacker = await new ReentrantTrader__factory(f.deployer).deploy(await f.coin.getAddress());
  const attackerAddress = await attacker.getAddress();
  const buy = f.coin.interface.encodeFunctionData("buyExactIn", [0n, FAR, attackerAddress]);
  await (await attacker.execute(buy, { value: ONE })).wait();
  return { ...f, attacker, attackerAddress };
}

describe("CreatorCoin under attack", function () {
  describe("reentrancy", function () {
    it("a seller's receive cannot re-enter sellExactIn", async function () {
      const { coin, attacker, attackerAddress } = await loadFixture(withAttacker);
      const before = await snapshotOf(coin);
      const held = await coin.balanceOf(attackerAddress);
      await (
        await attacker.arm(
          coin.interface.encodeFunctionData("sellExactIn", [ONE / 10n, 0n, FAR, attackerAddress]),
        )
      ).wait();
      const sell = coin.interface.encodeFunctionData("sellExactIn", [
        ONE / 10n,
        0n,
        FAR,
        attackerAddress,
      ]);
      await expect(attacker.execute(sell)).to.be.revertedWithCustomError(
        coin,
        "CreatorCoinReentrantCall",
      );
      expect(await snapshotOf(coin)).to.deep.equal(before);
      expect(await coin.balanceOf(attackerAddress)).to.equal(held);
    });

    it("a buyer's refund cannot re-enter a buy", async function () {
      const { coin, attacker, attackerAddress } = await loadFixture(withAttacker);
      const before = await snapshotOf(coin);
      await (
        await attacker.arm(
          coin.interface.encodeFunctionData("buyExactIn", [0n, FAR, attackerAddress]),
        )
      ).wait();
      const [price] = await coin.quoteBuyExactOut(ONE);
      const buy = coin.interface.encodeFunctionData("buyExactOut", [
        ONE,
        price,
        FAR,
        attackerAddress,
      ]);
      await expect(attacker.execute(buy, { value: price + 1n })).to.be.revertedWithCustomError(
        coin,
        "CreatorCoinReentrantCall",
      );
      expect(await snapshotOf(coin)).to.deep.equal(before);
    });

    it("a buy never calls the recipient, so a reentrant recipient gets its coins", async function () {
      const { coin, attacker, attackerAddress, traders } = await loadFixture(withAttacker);
      await (
        await attacker.arm(
          coin.interface.encodeFunctionData("sellExactIn", [ONE, 0n, FAR, attackerAddress]),
        )
      ).wait();
      const held = await coin.balanceOf(attackerAddress);
      const [coins] = await coin.quoteBuyExactIn(ONE);
      await (
        await coin.connect(traders[3]).buyExactIn(coins, FAR, attackerAddress, { value: ONE })
      ).wait();
      expect(await coin.balanceOf(attackerAddress)).to.equal(held + coins);
    });

    it("a creator fee recipient cannot re-enter withdrawCreatorFees or trade", async function () {
      const { coin, alice, attacker, attackerAddress } = await loadFixture(withAttacker);
      const before = await snapshotOf(coin);
      for (const reentry of [
        coin.interface.encodeFunctionData("withdrawCreatorFees", [attackerAddress]),
        coin.interface.encodeFunctionData("sellExactIn", [ONE / 10n, 0n, FAR, attackerAddress]),
        coin.interface.encodeFunctionData("sweepProtocolFees"),
      ]) {
        await (await attacker.arm(reentry)).wait();
        await expect(
          coin.connect(alice).withdrawCreatorFees(attackerAddress),
        ).to.be.revertedWithCustomError(coin, "CreatorCoinReentrantCall");
      }
      expect(await snapshotOf(coin)).to.deep.equal(before);
    });
  });

  describe("malformed requests are answered by named errors and move nothing", function () {
    it("zero amounts, expired deadlines, slippage, zero recipients, coins sent to the coin", async function () {
      const { coin, traders } = await loadFixture(tradedCoin);
      const t = coin.connect(traders[0]);
      const coinAddress = await coin.getAddress();
      const zero = hre.ethers.ZeroAddress;
      const [ethOut] = await coin.quoteSellExactIn(ONE);
      const [coinsOut] = await coin.quoteBuyExactIn(ONE);
      const before = await snapshotOf(coin);
      const cases: [() => Promise<unknown>, string][] = [
        [() => t.buyExactIn(0n, FAR, traders[0].address), "CreatorCoinZeroAmount"],
        [
          () => t.buyExactOut(0n, ONE, FAR, traders[0].address, { value: ONE }),
          "CreatorCoinZeroAmount",
        ],
        [() => t.sellExactIn(0n, 0n, FAR, traders[0].address), "CreatorCoinZeroAmount"],
        [
          () => t.buyExactIn(0n, 1n, traders[0].address, { value: ONE }),
          "CreatorCoinDeadlineExpired",
        ],
        [() => t.sellExactIn(ONE, 0n, 1n, traders[0].address), "CreatorCoinDeadlineExpired"],
        [
          () => t.buyExactIn(coinsOut + 1n, FAR, traders[0].address, { value: ONE }),
          "CreatorCoinSlippage",
        ],
        [() => t.sellExactIn(ONE, ethOut + 1n, FAR, traders[0].address), "CreatorCoinSlippage"],
        [() => t.buyExactIn(0n, FAR, zero, { value: ONE }), "CreatorCoinZeroRecipient"],
        [() => t.sellExactIn(ONE, 0n, FAR, zero), "CreatorCoinZeroRecipient"],
        [() => t.transfer(coinAddress, ONE), "ERC20InvalidReceiver"],
      ];
      for (const [attempt, error] of cases) {
        await expect(attempt()).to.be.revertedWithCustomError(coin, error);
      }
      expect(await snapshotOf(coin)).to.deep.equal(before);
    });

    it("ETH sent to the coin without a trade is refused", async function () {
      const { coin, traders } = await loadFixture(tradedCoin);
      await expect(traders[0].sendTransaction({ to: await coin.getAddress(), value: ONE })).to.be
        .reverted;
    });

    it("the floor held by the coin can never be moved", async function () {
      const { coin } = await loadFixture(tradedCoin);
      const coinAddress = await coin.getAddress();
      const floor = await coin.balanceOf(coinAddress);
      const impersonated = await hre.ethers.getImpersonatedSigner(coinAddress);
      await hre.network.provider.send("hardhat_setBalance", [coinAddress, "0xffffffffffffffff"]);
      await expect(
        coin.connect(impersonated).transfer(impersonated.address, floor),
      ).to.be.revertedWithCustomError(coin, "ERC20InvalidReceiver");
      expect(await coin.balanceOf(coinAddress)).to.equal(floor);
    });
  });
});
