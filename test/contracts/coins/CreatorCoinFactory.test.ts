import { expect } from "chai";
import hre from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { creatorCoinAt } from "../../../deploy/coins";
import { CreatorCoinFactory__factory } from "../../../typechain-types";
import { quoteBuyExactIn } from "../../../sdk/curve";
import {
  CREATOR_BPS,
  FAR,
  ONE,
  PROTOCOL_BPS,
  URI,
  coinState,
  launchedCoin,
  tradedCoin,
  tradedEvent,
} from "./fixture";

describe("CreatorCoinFactory", function () {
  describe("deployment", function () {
    it("records registry, revenue sink, governance, fee and a coin implementation", async function () {
      const { factory, registry, sink, governance } = await loadFixture(launchedCoin);
      expect(await factory.registry()).to.equal(await registry.getAddress());
      expect(await factory.revenueSink()).to.equal(await sink.getAddress());
      expect(await factory.governance()).to.equal(governance.address);
      expect(await factory.protocolFeeBps()).to.equal(PROTOCOL_BPS);
      expect(await factory.MAX_PROTOCOL_FEE_BPS()).to.equal(500n);
      const implementation = creatorCoinAt(await factory.implementation(), governance);
      expect(await implementation.factory()).to.equal(await factory.getAddress());
    });

    it("rejects a zero registry, revenue sink or governance", async function () {
      const { factory, registry, sink, governance, deployer } = await loadFixture(launchedCoin);
      const deploy = new CreatorCoinFactory__factory(deployer);
      const [r, s, g] = [await registry.getAddress(), await sink.getAddress(), governance.address];
      const zero = hre.ethers.ZeroAddress;
      for (const args of [
        [zero, s, g],
        [r, zero, g],
        [r, s, zero],
      ] as const) {
        await expect(
          deploy.deploy(args[0], args[1], args[2], 0n, 0n),
        ).to.be.revertedWithCustomError(factory, "CreatorCoinFactoryZeroAddress");
      }
    });

    it("rejects a protocol fee above 5%", async function () {
      const { factory, registry, sink, governance, deployer } = await loadFixture(launchedCoin);
      await expect(
        new CreatorCoinFactory__factory(deployer).deploy(
          await registry.getAddress(),
          await sink.getAddress(),
          governance.address,
          501n,
          0n,
        ),
      )
        .to.be.revertedWithCustomError(factory, "CreatorCoinFactoryFeeTooHigh")
        .withArgs(501n, 500n);
    });

    it("rejects a referrer share above half of the protocol fee", async function () {
      const { factory, registry, sink, governance, deployer } = await loadFixture(launchedCoin);
      await expect(
        new CreatorCoinFactory__factory(deployer).deploy(
          await registry.getAddress(),
          await sink.getAddress(),
          governance.address,
          100n,
          5_001n,
        ),
      )
        .to.be.revertedWithCustomError(factory, "CreatorCoinFactoryReferrerShareTooHigh")
        .withArgs(5_001n, 5_000n);
    });
  });

  describe("launch", function () {
    it("clones a coin named after the profile handle and records it", async function () {
      const { factory, registry, bob, bobId } = await loadFixture(launchedCoin);
      const coinAddress = await factory.connect(bob).launch.staticCall(bobId, 250n, 0n, FAR);
      await expect(factory.connect(bob).launch(bobId, 250n, 0n, FAR))
        .to.emit(factory, "CoinLaunched")
        .withArgs(bobId, coinAddress, bob.address, "bob_2", 250n);
      expect(await factory.coinOf(bobId)).to.equal(coinAddress);
      const coin = creatorCoinAt(coinAddress, bob);
      expect(await coin.name()).to.equal("Agora bob_2");
      expect(await coin.symbol()).to.equal("BOB_2");
      expect(await coin.decimals()).to.equal(18n);
      expect(await coin.handle()).to.equal("bob_2");
      expect(await coin.profileId()).to.equal(bobId);
      expect(await coin.creatorFeeBps()).to.equal(250n);
      expect(await coin.totalSupply()).to.equal(0n);
      expect(await hre.ethers.provider.getCode(coinAddress)).to.have.length.below(2 + 2 * 200);
      // The name is fixed at launch: a later handle change does not rename the coin.
      await (await registry.connect(bob).changeHandle(bobId, "robert")).wait();
      expect(await coin.name()).to.equal("Agora bob_2");
      expect(await registry.handleOf(bobId)).to.equal("robert");
    });

    it("buys for the launcher in the same transaction when ETH comes along", async function () {
      const { factory, bob, bobId } = await loadFixture(launchedCoin);
      const expected = quoteBuyExactIn(
        { supply: 0n, protocolFeeBps: PROTOCOL_BPS, creatorFeeBps: CREATOR_BPS },
        ONE,
      );
      const tx = await factory.connect(bob).launch(bobId, CREATOR_BPS, 1n, FAR, { value: ONE });
      const coin = creatorCoinAt(await factory.coinOf(bobId), bob);
      const traded = await tradedEvent(coin, tx);
      expect(traded.trader).to.equal(bob.address);
      expect(traded.recipient).to.equal(bob.address);
      expect(traded.coinAmount).to.equal(expected.coins);
      expect(await coin.balanceOf(bob.address)).to.equal(expected.coins);
      expect(await hre.ethers.provider.getBalance(await coin.getAddress())).to.equal(ONE);
    });

    it("rejects an initial buy below the launcher's minimum", async function () {
      const { factory, coin, bob, bobId } = await loadFixture(launchedCoin);
      const expected = quoteBuyExactIn(
        { supply: 0n, protocolFeeBps: PROTOCOL_BPS, creatorFeeBps: CREATOR_BPS },
        ONE,
      );
      await expect(
        factory.connect(bob).launch(bobId, CREATOR_BPS, expected.coins + 1n, FAR, { value: ONE }),
      )
        .to.be.revertedWithCustomError(coin, "CreatorCoinSlippage")
        .withArgs(expected.coins, expected.coins + 1n);
    });

    it("rejects an expired launch", async function () {
      const { factory, coin, bob, bobId } = await loadFixture(launchedCoin);
      const now = BigInt(await time.latest());
      await time.setNextBlockTimestamp(now + 10n);
      await expect(factory.connect(bob).launch(bobId, CREATOR_BPS, 0n, now + 9n))
        .to.be.revertedWithCustomError(coin, "CreatorCoinDeadlineExpired")
        .withArgs(now + 9n, now + 10n);
    });

    it("rejects a caller that does not own the profile", async function () {
      const { factory, alice, bobId } = await loadFixture(launchedCoin);
      await expect(factory.connect(alice).launch(bobId, CREATOR_BPS, 0n, FAR))
        .to.be.revertedWithCustomError(factory, "CreatorCoinFactoryUnauthorized")
        .withArgs(alice.address);
      await expect(factory.connect(alice).launch(99n, CREATOR_BPS, 0n, FAR))
        .to.be.revertedWithCustomError(factory, "CreatorCoinFactoryUnauthorized")
        .withArgs(alice.address);
    });

    it("launches one coin per profile", async function () {
      const { factory, coin, alice, aliceId } = await loadFixture(launchedCoin);
      await expect(factory.connect(alice).launch(aliceId, CREATOR_BPS, 0n, FAR))
        .to.be.revertedWithCustomError(factory, "CreatorCoinFactoryAlreadyLaunched")
        .withArgs(aliceId, await coin.getAddress());
    });

    it("rejects a creator fee above 10%", async function () {
      const { factory, coin, bob, bobId } = await loadFixture(launchedCoin);
      await expect(factory.connect(bob).launch(bobId, 1001n, 0n, FAR))
        .to.be.revertedWithCustomError(coin, "CreatorCoinFeeTooHigh")
        .withArgs(1001n, 1000n);
    });

    it("lets a profile registered later launch too", async function () {
      const { factory, registry, traders } = await loadFixture(launchedCoin);
      await (await registry.connect(traders[0]).register("carol", URI)).wait();
      const carolId = await registry.profileIdOf(traders[0].address);
      await (await factory.connect(traders[0]).launch(carolId, 0n, 0n, FAR)).wait();
      const coin = creatorCoinAt(await factory.coinOf(carolId), traders[0]);
      expect(await coin.symbol()).to.equal("CAROL");
      expect(await coin.creatorFeeBps()).to.equal(0n);
    });

    it("keeps a handle of the longest length apart from the profile id in its clone arguments", async function () {
      const { factory, registry, traders } = await loadFixture(launchedCoin);
      const longest = "z".repeat(24) + "9";
      await (await registry.connect(traders[0]).register(longest, URI)).wait();
      const id = await registry.profileIdOf(traders[0].address);
      await (await factory.connect(traders[0]).launch(id, 0n, 0n, FAR)).wait();
      const coin = creatorCoinAt(await factory.coinOf(id), traders[0]);
      expect(await coin.handle()).to.equal(longest);
      expect(await coin.profileId()).to.equal(id);
      expect(await coin.name()).to.equal(`Agora ${longest}`);
    });
  });

  describe("setProtocolFeeBps", function () {
    it("changes the fee of every coin FEE_CHANGE_DELAY later, a coin that traded just before included", async function () {
      const { factory, coin, governance, traders } = await loadFixture(tradedCoin);
      const delay = await factory.FEE_CHANGE_DELAY();
      expect(delay).to.equal(7n * 24n * 3600n);
      const tx = await factory.connect(governance).setProtocolFeeBps(500n);
      await expect(tx).to.emit(factory, "ProtocolFeeChanged").withArgs(PROTOCOL_BPS, 500n);
      const at = BigInt(await time.latest()) + delay;
      expect(await factory.pendingProtocolFee()).to.deep.equal([500n, at]);
      expect(await factory.feeRates()).to.deep.equal([PROTOCOL_BPS, 2_000n, at]);
      expect(await factory.protocolFeeBps()).to.equal(PROTOCOL_BPS);
      expect(await coin.protocolFeeBps()).to.equal(PROTOCOL_BPS);

      // The coin last read the rates before the change was made; until `at` it charges the old
      // fee, from `at` on the new one, without anyone touching it in between.
      const buyAt = async (timestamp: bigint) => {
        await time.setNextBlockTimestamp(timestamp);
        const state = await coinState(coin);
        const traded = await tradedEvent(
          coin,
          await coin.connect(traders[2]).buyExactIn(0n, FAR, traders[2].address, { value: ONE }),
        );
        return { traded, state };
      };
      const before = await buyAt(at - 1n);
      expect(before.traded.protocolFee).to.equal(
        quoteBuyExactIn({ ...before.state, protocolFeeBps: PROTOCOL_BPS }, ONE).protocolFee,
      );
      const after = await buyAt(at);
      expect(after.traded.protocolFee).to.equal(
        quoteBuyExactIn({ ...after.state, protocolFeeBps: 500n }, ONE).protocolFee,
      );
      expect(await coin.protocolFeeBps()).to.equal(500n);
      expect(await factory.protocolFeeBps()).to.equal(500n);
      expect(await factory.pendingProtocolFee()).to.deep.equal([0n, 0n]);
    });

    it("replaces a pending change, which then never takes effect", async function () {
      const { factory, coin, governance } = await loadFixture(launchedCoin);
      const delay = await factory.FEE_CHANGE_DELAY();
      await (await factory.connect(governance).setProtocolFeeBps(500n)).wait();
      const first = BigInt(await time.latest()) + delay;
      await time.increase(24 * 3600);
      await expect(factory.connect(governance).setProtocolFeeBps(300n))
        .to.emit(factory, "ProtocolFeeChanged")
        .withArgs(500n, 300n);
      const second = BigInt(await time.latest()) + delay;
      await time.increaseTo(first);
      expect(await coin.protocolFeeBps()).to.equal(PROTOCOL_BPS);
      expect(await factory.feeRates()).to.deep.equal([PROTOCOL_BPS, 2_000n, second]);
      await time.increaseTo(second);
      expect(await coin.protocolFeeBps()).to.equal(300n);
    });

    it("rejects anyone but governance", async function () {
      const { factory, alice } = await loadFixture(launchedCoin);
      await expect(factory.connect(alice).setProtocolFeeBps(0n))
        .to.be.revertedWithCustomError(factory, "CreatorCoinFactoryUnauthorized")
        .withArgs(alice.address);
    });

    it("rejects a fee above 5%", async function () {
      const { factory, governance } = await loadFixture(launchedCoin);
      await expect(factory.connect(governance).setProtocolFeeBps(501n))
        .to.be.revertedWithCustomError(factory, "CreatorCoinFactoryFeeTooHigh")
        .withArgs(501n, 500n);
    });
  });

  describe("setReferrerShareBps", function () {
    it("changes every coin's referrer share FEE_CHANGE_DELAY later, up to half of the protocol fee", async function () {
      const { factory, coin, governance } = await loadFixture(tradedCoin);
      expect(await factory.referrerShareBps()).to.equal(2_000n);
      await expect(factory.connect(governance).setReferrerShareBps(5_000n))
        .to.emit(factory, "ReferrerShareChanged")
        .withArgs(2_000n, 5_000n);
      const at = BigInt(await time.latest()) + (await factory.FEE_CHANGE_DELAY());
      expect(await factory.pendingReferrerShare()).to.deep.equal([5_000n, at]);
      expect(await coin.referrerShareBps()).to.equal(2_000n);
      await time.increaseTo(at);
      expect(await coin.referrerShareBps()).to.equal(5_000n);
      const later = BigInt(await time.latest()) + (await factory.FEE_CHANGE_DELAY());
      expect(await factory.feeRates()).to.deep.equal([PROTOCOL_BPS, 5_000n, later]);
      await expect(factory.connect(governance).setReferrerShareBps(5_001n))
        .to.be.revertedWithCustomError(factory, "CreatorCoinFactoryReferrerShareTooHigh")
        .withArgs(5_001n, 5_000n);
    });

    it("rejects anyone but governance", async function () {
      const { factory, alice } = await loadFixture(launchedCoin);
      await expect(factory.connect(alice).setReferrerShareBps(0n))
        .to.be.revertedWithCustomError(factory, "CreatorCoinFactoryUnauthorized")
        .withArgs(alice.address);
    });
  });
});
