import { expect } from "chai";
import hre from "hardhat";
import { loadFixture, setBalance, time } from "@nomicfoundation/hardhat-network-helpers";
import { creatorCoinAt, deployCoins } from "../../../deploy/coins";
import { CreatorCoin__factory, RevenueSplit__factory } from "../../../typechain-types";
import {
  FLOOR_SUPPLY,
  MIN_TRADE,
  SUPPLY_CAP,
  QuoteError,
  mintableForRoundingDown,
  quoteBuyExactIn,
  quoteBuyExactOut,
  quoteSellExactIn,
  reserveRoundingUp,
} from "../../../sdk/curve";
import { CREATOR_BPS, FAR, ONE, coinState, launchedCoin, tradedCoin, tradedEvent } from "./fixture";
import { signPermit as signErc20Permit } from "../../../sdk/permit";

const WEEK = 7n * 24n * 3600n;

describe("CreatorCoin", function () {
  describe("constants and metadata", function () {
    it("publishes its parameters", async function () {
      const { coin, factory } = await loadFixture(launchedCoin);
      expect(await coin.FLOOR_SUPPLY()).to.equal(FLOOR_SUPPLY);
      expect(await coin.MIN_TRADE()).to.equal(MIN_TRADE);
      expect(await coin.SUPPLY_CAP()).to.equal(SUPPLY_CAP);
      expect(await coin.MAX_CREATOR_FEE_BPS()).to.equal(1000n);
      expect(await coin.CREATOR_FEE_DELAY()).to.equal(WEEK);
      expect(await coin.factory()).to.equal(await factory.getAddress());
      expect(await coin.name()).to.equal("Agora alice");
      expect(await coin.symbol()).to.equal("ALICE");
    });
  });

  describe("initialize", function () {
    it("can only be called by the factory", async function () {
      const { coin, alice } = await loadFixture(launchedCoin);
      await expect(coin.connect(alice).initialize(0n, alice.address, 0n, FAR))
        .to.be.revertedWithCustomError(coin, "CreatorCoinUnauthorized")
        .withArgs(alice.address);
    });
  });

  describe("the implementation", function () {
    it("cannot be traded", async function () {
      const { factory, alice } = await loadFixture(launchedCoin);
      const implementation = CreatorCoin__factory.connect(await factory.implementation(), alice);
      await expect(
        implementation.buyExactIn(0n, FAR, alice.address, { value: ONE }),
      ).to.be.revertedWithCustomError(implementation, "CreatorCoinNotLaunched");
      await expect(
        implementation.buyExactOut(ONE, ONE, FAR, alice.address, { value: ONE }),
      ).to.be.revertedWithCustomError(implementation, "CreatorCoinNotLaunched");
      await expect(implementation.quoteBuyExactIn(ONE)).to.be.revertedWithCustomError(
        implementation,
        "CreatorCoinNotLaunched",
      );
    });
  });

  describe("buyExactIn", function () {
    it("mints the floor to the coin on the first buy and the rest to the recipient", async function () {
      const { coin, traders } = await loadFixture(launchedCoin);
      const [payer, receiver] = traders;
      const q = quoteBuyExactIn(await coinState(coin), ONE);
      const coinAddress = await coin.getAddress();
      const tx = coin.connect(payer).buyExactIn(q.coins, FAR, receiver.address, { value: ONE });
      await expect(tx)
        .to.emit(coin, "Transfer")
        .withArgs(hre.ethers.ZeroAddress, coinAddress, FLOOR_SUPPLY)
        .and.to.emit(coin, "Transfer")
        .withArgs(hre.ethers.ZeroAddress, receiver.address, q.coins)
        .and.to.emit(coin, "Traded")
        .withArgs(
          payer.address,
          receiver.address,
          hre.ethers.ZeroAddress,
          true,
          q.coins,
          ONE,
          q.protocolFee,
          q.creatorFee,
          0n,
          q.coins + FLOOR_SUPPLY,
          q.reserveDelta,
        );
      expect(await coin.balanceOf(receiver.address)).to.equal(q.coins);
      expect(await coin.balanceOf(coinAddress)).to.equal(FLOOR_SUPPLY);
      expect(await coin.totalSupply()).to.equal(q.coins + FLOOR_SUPPLY);
      expect(await coin.reserve()).to.equal(q.reserveDelta);
      expect(await coin.protocolFeesOwed()).to.equal(q.protocolFee);
      expect(await coin.creatorFeesOwed()).to.equal(q.creatorFee);
      expect(await hre.ethers.provider.getBalance(coinAddress)).to.equal(ONE);
      expect(q.reserveDelta).to.be.gte(reserveRoundingUp(q.coins + FLOOR_SUPPLY));
    });

    it("returns what quoteBuyExactIn quoted", async function () {
      const { coin, traders } = await loadFixture(tradedCoin);
      const [quoted] = await coin.quoteBuyExactIn(ONE / 3n);
      const q = quoteBuyExactIn(await coinState(coin), ONE / 3n);
      expect(quoted).to.equal(q.coins);
      const returned = await coin
        .connect(traders[2])
        .buyExactIn.staticCall(0n, FAR, traders[2].address, { value: ONE / 3n });
      expect(returned).to.equal(q.coins);
    });

    it("rejects fewer coins than the minimum", async function () {
      const { coin, traders } = await loadFixture(tradedCoin);
      const q = quoteBuyExactIn(await coinState(coin), ONE);
      await expect(
        coin.connect(traders[2]).buyExactIn(q.coins + 1n, FAR, traders[2].address, { value: ONE }),
      )
        .to.be.revertedWithCustomError(coin, "CreatorCoinSlippage")
        .withArgs(q.coins, q.coins + 1n);
    });

    it("rejects zero ETH, a zero recipient and an expired deadline", async function () {
      const { coin, traders } = await loadFixture(tradedCoin);
      const t = traders[2];
      await expect(
        coin.connect(t).buyExactIn(0n, FAR, t.address, { value: 0n }),
      ).to.be.revertedWithCustomError(coin, "CreatorCoinZeroAmount");
      await expect(
        coin.connect(t).buyExactIn(0n, FAR, hre.ethers.ZeroAddress, { value: ONE }),
      ).to.be.revertedWithCustomError(coin, "CreatorCoinZeroRecipient");
      const now = BigInt(await time.latest());
      await time.setNextBlockTimestamp(now + 5n);
      await expect(coin.connect(t).buyExactIn(0n, now + 4n, t.address, { value: ONE }))
        .to.be.revertedWithCustomError(coin, "CreatorCoinDeadlineExpired")
        .withArgs(now + 4n, now + 5n);
    });

    it("refuses the coin itself as recipient, so the supply stays the sum of balances", async function () {
      const { coin, traders } = await loadFixture(launchedCoin);
      const [t0, t1] = traders;
      const self = await coin.getAddress();
      await expect(
        coin.connect(t0).buyExactIn(0n, FAR, self, { value: ONE }),
      ).to.be.revertedWithCustomError(coin, "CreatorCoinSelfRecipient");
      await expect(
        coin.connect(t0).buyExactOut(ONE, 2n * ONE, FAR, self, { value: 2n * ONE }),
      ).to.be.revertedWithCustomError(coin, "CreatorCoinSelfRecipient");
      await (await coin.connect(t0).buyExactIn(0n, FAR, t0.address, { value: ONE })).wait();
      await expect(
        coin.connect(t1).buyExactIn(0n, FAR, self, { value: ONE }),
      ).to.be.revertedWithCustomError(coin, "CreatorCoinSelfRecipient");
      const held = [self, t0.address, t1.address];
      const balances = await Promise.all(held.map((a) => coin.balanceOf(a)));
      expect(balances.reduce((a, b) => a + b, 0n)).to.equal(await coin.totalSupply());
      expect(balances[0]).to.equal(FLOOR_SUPPLY);
    });

    it("rejects a buy below the minimum trade size", async function () {
      const { coin, traders } = await loadFixture(tradedCoin);
      const state = await coinState(coin);
      const coins = mintableForRoundingDown(state.supply, (1000n * 10_000n) / 10_600n);
      expect(coins).to.be.gt(0n).and.lt(MIN_TRADE);
      expect(() => quoteBuyExactIn(state, 1000n)).to.throw(QuoteError);
      await expect(
        coin.connect(traders[2]).buyExactIn(0n, FAR, traders[2].address, { value: 1000n }),
      )
        .to.be.revertedWithCustomError(coin, "CreatorCoinTradeTooSmall")
        .withArgs(coins, MIN_TRADE);
    });

    it("rejects a first buy that does not pay for more than the floor", async function () {
      const { coin, traders } = await loadFixture(launchedCoin);
      await expect(coin.connect(traders[2]).buyExactIn(0n, FAR, traders[2].address, { value: 1n }))
        .to.be.revertedWithCustomError(coin, "CreatorCoinTradeTooSmall")
        .withArgs(0n, MIN_TRADE);
    });

    it("keeps the supply below the cap", async function () {
      const { coin, traders } = await loadFixture(tradedCoin);
      const whale = traders[3];
      const huge = 10n ** 32n;
      await setBalance(whale.address, huge * 2n);
      const supply = await coin.totalSupply();
      await expect(coin.connect(whale).buyExactIn(0n, FAR, whale.address, { value: huge }))
        .to.be.revertedWithCustomError(coin, "CreatorCoinSupplyCapExceeded")
        .withArgs(SUPPLY_CAP, SUPPLY_CAP);
      await expect(coin.quoteBuyExactOut(SUPPLY_CAP - supply))
        .to.be.revertedWithCustomError(coin, "CreatorCoinSupplyCapExceeded")
        .withArgs(SUPPLY_CAP, SUPPLY_CAP);
      // Just below the cap is fine, and selling it back works.
      const below = SUPPLY_CAP - supply - 1n;
      const [cost] = await coin.quoteBuyExactOut(below);
      await (
        await coin.connect(whale).buyExactOut(below, cost, FAR, whale.address, { value: cost })
      ).wait();
      expect(await coin.totalSupply()).to.equal(SUPPLY_CAP - 1n);
      await (await coin.connect(whale).sellExactIn(below, 0n, FAR, whale.address)).wait();
      expect(await coin.reserve()).to.be.gte(reserveRoundingUp(await coin.totalSupply()));
    });
  });

  describe("buyExactOut", function () {
    it("mints exactly the coins asked for and refunds the excess ETH", async function () {
      const { coin, traders } = await loadFixture(tradedCoin);
      const [, , buyer, receiver] = traders;
      const q = quoteBuyExactOut(await coinState(coin), ONE);
      const [quoted, protocolFee, creatorFee] = await coin.quoteBuyExactOut(ONE);
      expect([quoted, protocolFee, creatorFee]).to.deep.equal([q.eth, q.protocolFee, q.creatorFee]);
      const reserveBefore = await coin.reserve();
      const tx = coin
        .connect(buyer)
        .buyExactOut(ONE, q.eth, FAR, receiver.address, { value: q.eth + ONE });
      await expect(tx).to.changeEtherBalances([buyer, coin], [-q.eth, q.eth]);
      await expect(tx)
        .to.emit(coin, "Traded")
        .withArgs(
          buyer.address,
          receiver.address,
          hre.ethers.ZeroAddress,
          true,
          ONE,
          q.eth,
          q.protocolFee,
          q.creatorFee,
          0n,
          await coin.totalSupply(),
          reserveBefore + q.reserveDelta,
        );
      expect(await coin.balanceOf(receiver.address)).to.equal(ONE);
    });

    it("rejects a price above the maximum", async function () {
      const { coin, traders } = await loadFixture(tradedCoin);
      const q = quoteBuyExactOut(await coinState(coin), ONE);
      await expect(
        coin.connect(traders[2]).buyExactOut(ONE, q.eth - 1n, FAR, traders[2].address, {
          value: q.eth,
        }),
      )
        .to.be.revertedWithCustomError(coin, "CreatorCoinExcessiveInput")
        .withArgs(q.eth, q.eth - 1n);
    });

    it("rejects a payment below the price", async function () {
      const { coin, traders } = await loadFixture(tradedCoin);
      const q = quoteBuyExactOut(await coinState(coin), ONE);
      await expect(
        coin.connect(traders[2]).buyExactOut(ONE, q.eth, FAR, traders[2].address, {
          value: q.eth - 1n,
        }),
      )
        .to.be.revertedWithCustomError(coin, "CreatorCoinInsufficientPayment")
        .withArgs(q.eth - 1n, q.eth);
    });

    it("rejects zero coins, too few coins, a zero recipient and an expired deadline", async function () {
      const { coin, traders } = await loadFixture(tradedCoin);
      const t = traders[2];
      await expect(
        coin.connect(t).buyExactOut(0n, ONE, FAR, t.address, { value: ONE }),
      ).to.be.revertedWithCustomError(coin, "CreatorCoinZeroAmount");
      await expect(coin.connect(t).buyExactOut(MIN_TRADE - 1n, ONE, FAR, t.address, { value: ONE }))
        .to.be.revertedWithCustomError(coin, "CreatorCoinTradeTooSmall")
        .withArgs(MIN_TRADE - 1n, MIN_TRADE);
      await expect(
        coin.connect(t).buyExactOut(ONE, ONE, FAR, hre.ethers.ZeroAddress, { value: ONE }),
      ).to.be.revertedWithCustomError(coin, "CreatorCoinZeroRecipient");
      const now = BigInt(await time.latest());
      await time.setNextBlockTimestamp(now + 5n);
      await expect(coin.connect(t).buyExactOut(ONE, ONE, now, t.address, { value: ONE }))
        .to.be.revertedWithCustomError(coin, "CreatorCoinDeadlineExpired")
        .withArgs(now, now + 5n);
    });

    it("charges the floor to the first buyer", async function () {
      const { coin, traders } = await loadFixture(launchedCoin);
      const q = quoteBuyExactOut(await coinState(coin), MIN_TRADE);
      await (
        await coin
          .connect(traders[2])
          .buyExactOut(MIN_TRADE, q.eth, FAR, traders[2].address, { value: q.eth })
      ).wait();
      expect(await coin.totalSupply()).to.equal(MIN_TRADE + FLOOR_SUPPLY);
      expect(await coin.reserve()).to.equal(reserveRoundingUp(MIN_TRADE + FLOOR_SUPPLY));
    });
  });

  describe("sellExactIn", function () {
    it("burns the coins and pays the proceeds less fees to the recipient", async function () {
      const { coin, traders } = await loadFixture(tradedCoin);
      const [seller, , receiver] = traders;
      const amount = (await coin.balanceOf(seller.address)) / 2n;
      const q = quoteSellExactIn(await coinState(coin), amount);
      const [quoted] = await coin.quoteSellExactIn(amount);
      expect(quoted).to.equal(q.eth);
      const reserveBefore = await coin.reserve();
      const supplyBefore = await coin.totalSupply();
      const tx = coin.connect(seller).sellExactIn(amount, q.eth, FAR, receiver.address);
      await expect(tx).to.changeEtherBalances([receiver, coin], [q.eth, -q.eth]);
      await expect(tx)
        .to.emit(coin, "Transfer")
        .withArgs(seller.address, hre.ethers.ZeroAddress, amount)
        .and.to.emit(coin, "Traded")
        .withArgs(
          seller.address,
          receiver.address,
          hre.ethers.ZeroAddress,
          false,
          amount,
          q.eth,
          q.protocolFee,
          q.creatorFee,
          0n,
          supplyBefore - amount,
          reserveBefore - q.reserveDelta,
        );
    });

    it("lets every holder sell everything, down to the floor", async function () {
      const { coin, traders } = await loadFixture(tradedCoin);
      for (const t of traders.slice(0, 2)) {
        const balance = await coin.balanceOf(t.address);
        await (await coin.connect(t).sellExactIn(balance, 0n, FAR, t.address)).wait();
      }
      expect(await coin.totalSupply()).to.equal(FLOOR_SUPPLY);
      expect(await coin.reserve()).to.be.gte(reserveRoundingUp(FLOOR_SUPPLY));
    });

    it("lets a holder sell a whole balance below the minimum trade size", async function () {
      const { coin, traders } = await loadFixture(tradedCoin);
      const [from, dust] = [traders[0], traders[4]];
      await (await coin.connect(from).transfer(dust.address, 5n)).wait();
      await expect(coin.connect(dust).sellExactIn(4n, 0n, FAR, dust.address))
        .to.be.revertedWithCustomError(coin, "CreatorCoinTradeTooSmall")
        .withArgs(4n, MIN_TRADE);
      await (await coin.connect(dust).sellExactIn(5n, 0n, FAR, dust.address)).wait();
      expect(await coin.balanceOf(dust.address)).to.equal(0n);
    });

    it("rejects more coins than the seller holds", async function () {
      const { coin, traders } = await loadFixture(tradedCoin);
      const balance = await coin.balanceOf(traders[0].address);
      await expect(coin.connect(traders[0]).sellExactIn(balance + 1n, 0n, FAR, traders[0].address))
        .to.be.revertedWithCustomError(coin, "ERC20InsufficientBalance")
        .withArgs(traders[0].address, balance, balance + 1n);
    });

    it("rejects less ETH than the minimum", async function () {
      const { coin, traders } = await loadFixture(tradedCoin);
      const q = quoteSellExactIn(await coinState(coin), ONE);
      await expect(coin.connect(traders[0]).sellExactIn(ONE, q.eth + 1n, FAR, traders[0].address))
        .to.be.revertedWithCustomError(coin, "CreatorCoinSlippage")
        .withArgs(q.eth, q.eth + 1n);
    });

    it("rejects zero coins, a zero recipient and an expired deadline", async function () {
      const { coin, traders } = await loadFixture(tradedCoin);
      const t = traders[0];
      await expect(
        coin.connect(t).sellExactIn(0n, 0n, FAR, t.address),
      ).to.be.revertedWithCustomError(coin, "CreatorCoinZeroAmount");
      await expect(
        coin.connect(t).sellExactIn(ONE, 0n, FAR, hre.ethers.ZeroAddress),
      ).to.be.revertedWithCustomError(coin, "CreatorCoinZeroRecipient");
      const now = BigInt(await time.latest());
      await time.setNextBlockTimestamp(now + 5n);
      await expect(coin.connect(t).sellExactIn(ONE, 0n, now + 1n, t.address))
        .to.be.revertedWithCustomError(coin, "CreatorCoinDeadlineExpired")
        .withArgs(now + 1n, now + 5n);
    });

    it("reports a recipient that refuses ETH", async function () {
      const { coin, sink, traders } = await loadFixture(tradedCoin);
      const q = quoteSellExactIn(await coinState(coin), ONE);
      const refuser = await sink.getAddress();
      await expect(coin.connect(traders[0]).sellExactIn(ONE, 0n, FAR, refuser))
        .to.be.revertedWithCustomError(coin, "CreatorCoinTransferFailed")
        .withArgs(refuser, q.eth);
    });
  });

  describe("quoteSellExactIn", function () {
    it("rejects more than the circulating supply", async function () {
      const { coin } = await loadFixture(tradedCoin);
      const circulating = (await coin.totalSupply()) - FLOOR_SUPPLY;
      await expect(coin.quoteSellExactIn(circulating + 1n))
        .to.be.revertedWithCustomError(coin, "CreatorCoinExceedsCirculating")
        .withArgs(circulating + 1n, circulating);
      await expect(coin.quoteSellExactIn(0n)).to.be.revertedWithCustomError(
        coin,
        "CreatorCoinZeroAmount",
      );
    });
  });

  describe("referrers", function () {
    const SHARE = 2_000n;

    it("credit the referrer its share of the protocol fee; the trader pays the plain price", async function () {
      const { coin, traders } = await loadFixture(tradedCoin);
      const [buyer, app] = [traders[2], traders[5]];
      const q = quoteBuyExactIn(await coinState(coin), ONE);
      const referrerFee = (q.protocolFee * SHARE) / 10_000n;
      const owedBefore = await coin.protocolFeesOwed();
      const tx = coin.connect(buyer).buyExactInWithReferrer(0n, FAR, buyer.address, app.address, {
        value: ONE,
      });
      const traded = await tradedEvent(coin, await tx);
      expect(traded.referrer).to.equal(app.address);
      expect(traded.referrerFee).to.equal(referrerFee);
      expect(traded.protocolFee).to.equal(q.protocolFee);
      expect(traded.coinAmount).to.equal(q.coins);
      expect(referrerFee).to.be.gt(0n);
      expect(await coin.referrerFeesOwed(app.address)).to.equal(referrerFee);
      expect(await coin.protocolFeesOwed()).to.equal(owedBefore + q.protocolFee - referrerFee);
    });

    it("work for exact-out buys and sells, and add up across trades", async function () {
      const { coin, traders } = await loadFixture(tradedCoin);
      const [trader, app] = [traders[0], traders[5]];
      const out = quoteBuyExactOut(await coinState(coin), ONE);
      await (
        await coin
          .connect(trader)
          .buyExactOutWithReferrer(ONE, out.eth, FAR, trader.address, app.address, {
            value: out.eth,
          })
      ).wait();
      const sell = quoteSellExactIn(await coinState(coin), ONE);
      const before = await hre.ethers.provider.getBalance(trader.address);
      const tx = await coin
        .connect(trader)
        .sellExactInWithReferrer(ONE, sell.eth, FAR, traders[3].address, app.address);
      const traded = await tradedEvent(coin, tx);
      expect(traded.ethAmount).to.equal(sell.eth);
      expect(traded.referrerFee).to.equal((sell.protocolFee * SHARE) / 10_000n);
      expect(await hre.ethers.provider.getBalance(trader.address)).to.be.lt(before);
      expect(await coin.referrerFeesOwed(app.address)).to.equal(
        (out.protocolFee * SHARE) / 10_000n + (sell.protocolFee * SHARE) / 10_000n,
      );
    });

    it("keep every wei of the coin accounted for", async function () {
      const { coin, traders } = await loadFixture(tradedCoin);
      const [a, b, app1, app2] = [traders[0], traders[1], traders[4], traders[5]];
      await (
        await coin.connect(a).buyExactInWithReferrer(0n, FAR, a.address, app1.address, {
          value: ONE,
        })
      ).wait();
      await (
        await coin.connect(b).sellExactInWithReferrer(ONE / 3n, 0n, FAR, b.address, app2.address)
      ).wait();
      await (
        await coin.connect(a).buyExactInWithReferrer(0n, FAR, a.address, a.address, {
          value: ONE / 1000n,
        })
      ).wait();
      const owed =
        (await coin.reserve()) +
        (await coin.protocolFeesOwed()) +
        (await coin.creatorFeesOwed()) +
        (await coin.referrerFeesOwed(app1.address)) +
        (await coin.referrerFeesOwed(app2.address)) +
        (await coin.referrerFeesOwed(a.address));
      expect(await hre.ethers.provider.getBalance(await coin.getAddress())).to.equal(owed);
    });

    it("treat a zero referrer as a plain trade", async function () {
      const { coin, traders } = await loadFixture(tradedCoin);
      const q = quoteBuyExactIn(await coinState(coin), ONE);
      const owedBefore = await coin.protocolFeesOwed();
      const traded = await tradedEvent(
        coin,
        await coin
          .connect(traders[2])
          .buyExactInWithReferrer(0n, FAR, traders[2].address, hre.ethers.ZeroAddress, {
            value: ONE,
          }),
      );
      expect(traded.referrerFee).to.equal(0n);
      expect(await coin.protocolFeesOwed()).to.equal(owedBefore + q.protocolFee);
    });

    it("follow the share governance sets on the factory", async function () {
      const { coin, factory, governance, traders } = await loadFixture(tradedCoin);
      await (await factory.connect(governance).setReferrerShareBps(5_000n)).wait();
      await time.increase(await factory.FEE_CHANGE_DELAY());
      const q = quoteBuyExactIn(await coinState(coin), ONE);
      const traded = await tradedEvent(
        coin,
        await coin
          .connect(traders[2])
          .buyExactInWithReferrer(0n, FAR, traders[2].address, traders[5].address, {
            value: ONE,
          }),
      );
      expect(traded.referrerFee).to.equal((q.protocolFee * 5_000n) / 10_000n);
    });

    it("match the TypeScript quotes given the coin's referrer share, to the wei", async function () {
      const { coin, traders } = await loadFixture(tradedCoin);
      const [trader, app] = [traders[1], traders[5]];
      const shared = async () => ({
        ...(await coinState(coin)),
        referrerShareBps: await coin.referrerShareBps(),
      });
      const buy = quoteBuyExactIn(await shared(), ONE / 3n);
      const bought = await tradedEvent(
        coin,
        await coin
          .connect(trader)
          .buyExactInWithReferrer(0n, FAR, trader.address, app.address, { value: ONE / 3n }),
      );
      expect([bought.coinAmount, bought.protocolFee, bought.referrerFee]).to.deep.equal([
        buy.coins,
        buy.protocolFee,
        buy.referrerFee,
      ]);
      const out = quoteBuyExactOut(await shared(), ONE);
      const boughtOut = await tradedEvent(
        coin,
        await coin
          .connect(trader)
          .buyExactOutWithReferrer(ONE, out.eth, FAR, trader.address, app.address, {
            value: out.eth,
          }),
      );
      expect([boughtOut.ethAmount, boughtOut.referrerFee]).to.deep.equal([
        out.eth,
        out.referrerFee,
      ]);
      const sell = quoteSellExactIn(await shared(), ONE / 7n);
      const sold = await tradedEvent(
        coin,
        await coin
          .connect(trader)
          .sellExactInWithReferrer(ONE / 7n, 0n, FAR, trader.address, app.address),
      );
      expect([sold.ethAmount, sold.referrerFee]).to.deep.equal([sell.eth, sell.referrerFee]);
      expect(quoteBuyExactIn(await coinState(coin), ONE).referrerFee).to.equal(0n);
    });

    it("are paid by pull, once", async function () {
      const { coin, traders } = await loadFixture(tradedCoin);
      const [buyer, app, wallet] = [traders[2], traders[5], traders[4]];
      await (
        await coin.connect(buyer).buyExactInWithReferrer(0n, FAR, buyer.address, app.address, {
          value: ONE,
        })
      ).wait();
      const owed = await coin.referrerFeesOwed(app.address);
      const tx = coin.connect(app).withdrawReferrerFees(wallet.address);
      await expect(tx)
        .to.emit(coin, "ReferrerFeesWithdrawn")
        .withArgs(app.address, wallet.address, owed);
      await expect(tx).to.changeEtherBalances([coin, wallet], [-owed, owed]);
      expect(await coin.referrerFeesOwed(app.address)).to.equal(0n);
      await expect(
        coin.connect(app).withdrawReferrerFees(wallet.address),
      ).to.be.revertedWithCustomError(coin, "CreatorCoinZeroAmount");
      await expect(
        coin.connect(app).withdrawReferrerFees(hre.ethers.ZeroAddress),
      ).to.be.revertedWithCustomError(coin, "CreatorCoinZeroRecipient");
    });
  });

  describe("withdrawCreatorFees", function () {
    it("sends the accrued creator fees to the profile owner's chosen address", async function () {
      const { coin, alice, traders } = await loadFixture(tradedCoin);
      const owed = await coin.creatorFeesOwed();
      expect(owed).to.be.gt(0n);
      const tx = coin.connect(alice).withdrawCreatorFees(traders[5].address);
      await expect(tx).to.changeEtherBalances([traders[5], coin], [owed, -owed]);
      await expect(tx)
        .to.emit(coin, "CreatorFeesWithdrawn")
        .withArgs(alice.address, traders[5].address, owed);
      expect(await coin.creatorFeesOwed()).to.equal(0n);
    });

    it("follows the profile to its new owner", async function () {
      const { coin, registry, alice, aliceId, traders } = await loadFixture(tradedCoin);
      const heir = traders[5];
      await (
        await registry.connect(alice).offerTransfer(aliceId, heir.address, hre.ethers.MaxUint256)
      ).wait();
      await (await registry.connect(heir).acceptTransfer(aliceId)).wait();
      await expect(coin.connect(alice).withdrawCreatorFees(alice.address))
        .to.be.revertedWithCustomError(coin, "CreatorCoinUnauthorized")
        .withArgs(alice.address);
      await expect(coin.connect(heir).withdrawCreatorFees(heir.address)).to.emit(
        coin,
        "CreatorFeesWithdrawn",
      );
    });

    it("rejects a zero recipient and an empty withdrawal", async function () {
      const { coin, alice } = await loadFixture(tradedCoin);
      await expect(
        coin.connect(alice).withdrawCreatorFees(hre.ethers.ZeroAddress),
      ).to.be.revertedWithCustomError(coin, "CreatorCoinZeroRecipient");
      await (await coin.connect(alice).withdrawCreatorFees(alice.address)).wait();
      await expect(
        coin.connect(alice).withdrawCreatorFees(alice.address),
      ).to.be.revertedWithCustomError(coin, "CreatorCoinZeroAmount");
    });
  });

  describe("sweepProtocolFees", function () {
    it("lets anyone send the protocol fees to the revenue sink, attributed to the profile", async function () {
      const { coin, sink, aliceId, traders } = await loadFixture(tradedCoin);
      const owed = await coin.protocolFeesOwed();
      expect(owed).to.be.gt(0n);
      const tx = coin.connect(traders[4]).sweepProtocolFees();
      await expect(tx).to.changeEtherBalances([sink, coin], [owed, -owed]);
      await expect(tx).to.emit(coin, "ProtocolFeesSwept").withArgs(traders[4].address, owed);
      expect(await sink.depositedETH(aliceId)).to.equal(owed);
      expect(await coin.protocolFeesOwed()).to.equal(0n);
      await expect(coin.sweepProtocolFees()).to.be.revertedWithCustomError(
        coin,
        "CreatorCoinZeroAmount",
      );
    });

    it("feeds the suite's RevenueSplit, which credits the creator's share to the profile", async function () {
      const { registry, alice, aliceId, governance, deployer, traders } =
        await loadFixture(launchedCoin);
      const split = await new RevenueSplit__factory(deployer).deploy(
        await registry.getAddress(),
        governance.address,
        [{ recipient: deployer.address, bps: 8_000 }],
        2_000,
      );
      const { creatorCoinFactory } = await deployCoins(
        deployer,
        await registry.getAddress(),
        await split.getAddress(),
        governance.address,
      );
      const factory = creatorCoinFactory.contract;
      await (
        await factory.connect(alice).launch(aliceId, CREATOR_BPS, 0n, FAR, { value: ONE })
      ).wait();
      const coin = creatorCoinAt(await factory.coinOf(aliceId), alice);
      const owed = await coin.protocolFeesOwed();
      await expect(coin.connect(traders[0]).sweepProtocolFees())
        .to.emit(split, "Deposited")
        .withArgs(
          hre.ethers.ZeroAddress,
          await coin.getAddress(),
          aliceId,
          owed,
          (owed * 2_000n) / 10_000n,
          owed - (owed * 2_000n) / 10_000n,
        );
    });
  });

  describe("scheduleCreatorFee", function () {
    it("applies the new fee only after seven days", async function () {
      const { coin, alice, traders } = await loadFixture(tradedCoin);
      const tx = await coin.connect(alice).scheduleCreatorFee(1000n);
      const at = BigInt((await hre.ethers.provider.getBlock(tx.blockNumber!))!.timestamp) + WEEK;
      await expect(tx).to.emit(coin, "CreatorFeeChangeScheduled").withArgs(CREATOR_BPS, 1000n, at);
      expect(await coin.pendingCreatorFee()).to.deep.equal([1000n, at]);
      await time.setNextBlockTimestamp(at - 1n);
      const before = await tradedEvent(
        coin,
        await coin.connect(traders[0]).sellExactIn(ONE, 0n, FAR, traders[0].address),
      );
      const proceedsBefore = before.ethAmount + before.protocolFee + before.creatorFee;
      expect(before.creatorFee).to.equal((proceedsBefore * CREATOR_BPS) / 10_000n);
      await time.setNextBlockTimestamp(at);
      const after = await tradedEvent(
        coin,
        await coin.connect(traders[0]).sellExactIn(ONE, 0n, FAR, traders[0].address),
      );
      const proceeds = after.ethAmount + after.protocolFee + after.creatorFee;
      expect(after.creatorFee).to.equal((proceeds * 1000n) / 10_000n);
      expect(await coin.creatorFeeBps()).to.equal(1000n);
      expect(await coin.pendingCreatorFee()).to.deep.equal([0n, 0n]);
    });

    it("replaces a pending change and folds in a matured one", async function () {
      const { coin, alice } = await loadFixture(tradedCoin);
      await (await coin.connect(alice).scheduleCreatorFee(0n)).wait();
      await expect(coin.connect(alice).scheduleCreatorFee(200n))
        .to.emit(coin, "CreatorFeeChangeScheduled")
        .withArgs(CREATOR_BPS, 200n, BigInt(await time.latest()) + 1n + WEEK);
      await time.increase(WEEK);
      expect(await coin.creatorFeeBps()).to.equal(200n);
      await expect(coin.connect(alice).scheduleCreatorFee(300n))
        .to.emit(coin, "CreatorFeeChangeScheduled")
        .withArgs(200n, 300n, BigInt(await time.latest()) + 1n + WEEK);
      expect(await coin.creatorFeeBps()).to.equal(200n);
    });

    it("rejects anyone but the profile owner and fees above 10%", async function () {
      const { coin, alice, traders } = await loadFixture(tradedCoin);
      await expect(coin.connect(traders[0]).scheduleCreatorFee(0n))
        .to.be.revertedWithCustomError(coin, "CreatorCoinUnauthorized")
        .withArgs(traders[0].address);
      await expect(coin.connect(alice).scheduleCreatorFee(1001n))
        .to.be.revertedWithCustomError(coin, "CreatorCoinFeeTooHigh")
        .withArgs(1001n, 1000n);
    });
  });

  describe("ERC-20", function () {
    it("transfers freely between holders", async function () {
      const { coin, traders } = await loadFixture(tradedCoin);
      const [a, b] = traders;
      await expect(coin.connect(a).transfer(b.address, 7n)).to.changeTokenBalances(
        coin,
        [a, b],
        [-7n, 7n],
      );
    });

    it("spends allowances, except an unlimited one", async function () {
      const { coin, traders } = await loadFixture(tradedCoin);
      const [owner, spender, to] = traders;
      await expect(coin.connect(owner).approve(spender.address, 10n))
        .to.emit(coin, "Approval")
        .withArgs(owner.address, spender.address, 10n);
      await (await coin.connect(spender).transferFrom(owner.address, to.address, 4n)).wait();
      expect(await coin.allowance(owner.address, spender.address)).to.equal(6n);
      await expect(coin.connect(spender).transferFrom(owner.address, to.address, 7n))
        .to.be.revertedWithCustomError(coin, "ERC20InsufficientAllowance")
        .withArgs(spender.address, 6n, 7n);
      await (await coin.connect(owner).approve(spender.address, hre.ethers.MaxUint256)).wait();
      await (await coin.connect(spender).transferFrom(owner.address, to.address, 7n)).wait();
      expect(await coin.allowance(owner.address, spender.address)).to.equal(hre.ethers.MaxUint256);
    });

    it("rejects transfers to zero or to the coin itself, overdrafts and a zero spender", async function () {
      const { coin, traders } = await loadFixture(tradedCoin);
      const [a] = traders;
      const coinAddress = await coin.getAddress();
      await expect(coin.connect(a).transfer(hre.ethers.ZeroAddress, 1n))
        .to.be.revertedWithCustomError(coin, "ERC20InvalidReceiver")
        .withArgs(hre.ethers.ZeroAddress);
      await expect(coin.connect(a).transfer(coinAddress, 1n))
        .to.be.revertedWithCustomError(coin, "ERC20InvalidReceiver")
        .withArgs(coinAddress);
      const balance = await coin.balanceOf(a.address);
      await expect(coin.connect(a).transfer(traders[1].address, balance + 1n))
        .to.be.revertedWithCustomError(coin, "ERC20InsufficientBalance")
        .withArgs(a.address, balance, balance + 1n);
      await expect(coin.connect(a).approve(hre.ethers.ZeroAddress, 1n))
        .to.be.revertedWithCustomError(coin, "ERC20InvalidSpender")
        .withArgs(hre.ethers.ZeroAddress);
    });
  });

  describe("permit", function () {
    async function signPermit(
      coinAddress: string,
      signer: Awaited<ReturnType<typeof hre.ethers.getSigners>>[number],
      owner: string,
      spender: string,
      value: bigint,
      nonce: bigint,
      deadline: bigint,
    ) {
      const { chainId } = await hre.ethers.provider.getNetwork();
      const coin = creatorCoinAt(coinAddress, signer);
      const signature = await signErc20Permit(
        signer,
        { name: await coin.name(), address: coinAddress },
        chainId,
        { owner, spender, value, nonce, deadline },
      );
      return hre.ethers.Signature.from(signature);
    }

    it("approves by signature over the coin's own EIP-712 domain", async function () {
      const { coin, traders } = await loadFixture(tradedCoin);
      const [owner, spender, relayer] = traders;
      const coinAddress = await coin.getAddress();
      const { chainId } = await hre.ethers.provider.getNetwork();
      expect(await coin.DOMAIN_SEPARATOR()).to.equal(
        hre.ethers.TypedDataEncoder.hashDomain({
          name: "Agora alice",
          version: "1",
          chainId,
          verifyingContract: coinAddress,
        }),
      );
      const domain = await coin.eip712Domain();
      // ERC-5267 output names, so ethers (and wallets) can read the domain by field.
      expect(domain.fields).to.equal("0x0f");
      expect(domain.name).to.equal("Agora alice");
      expect(domain.version).to.equal("1");
      expect(domain.chainId).to.equal(chainId);
      expect(domain.verifyingContract).to.equal(coinAddress);
      expect(domain.salt).to.equal(hre.ethers.ZeroHash);
      expect(domain.extensions).to.deep.equal([]);
      expect(domain[0]).to.equal("0x0f");
      expect(domain[1]).to.equal("Agora alice");
      expect(domain[2]).to.equal("1");
      expect(domain[3]).to.equal(chainId);
      expect(domain[4]).to.equal(coinAddress);
      const sig = await signPermit(
        coinAddress,
        owner,
        owner.address,
        spender.address,
        99n,
        0n,
        FAR,
      );
      await expect(
        coin.connect(relayer).permit(owner.address, spender.address, 99n, FAR, sig.v, sig.r, sig.s),
      )
        .to.emit(coin, "Approval")
        .withArgs(owner.address, spender.address, 99n);
      expect(await coin.nonces(owner.address)).to.equal(1n);
      expect(await coin.allowance(owner.address, spender.address)).to.equal(99n);
      // The nonce moved on, so the same signature recovers to someone else now.
      await expect(
        coin.permit(owner.address, spender.address, 99n, FAR, sig.v, sig.r, sig.s),
      ).to.be.revertedWithCustomError(coin, "CreatorCoinPermitInvalidSigner");
    });

    it("rejects an expired permit and another signer", async function () {
      const { coin, traders } = await loadFixture(tradedCoin);
      const [owner, spender, impostor] = traders;
      const coinAddress = await coin.getAddress();
      const now = BigInt(await time.latest());
      const old = await signPermit(coinAddress, owner, owner.address, spender.address, 1n, 0n, now);
      await expect(coin.permit(owner.address, spender.address, 1n, now, old.v, old.r, old.s))
        .to.be.revertedWithCustomError(coin, "CreatorCoinPermitExpired")
        .withArgs(now);
      const forged = await signPermit(
        coinAddress,
        impostor,
        owner.address,
        spender.address,
        1n,
        0n,
        FAR,
      );
      await expect(
        coin.permit(owner.address, spender.address, 1n, FAR, forged.v, forged.r, forged.s),
      )
        .to.be.revertedWithCustomError(coin, "CreatorCoinPermitInvalidSigner")
        .withArgs(impostor.address, owner.address);
    });
  });
});
