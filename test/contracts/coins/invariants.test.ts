import { expect } from "chai";
import hre from "hardhat";
import fc from "fast-check";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { DEFAULT_REFERRER_SHARE_BPS } from "../../../deploy/coins";
import { CoinProbe__factory, type CoinProbe, type CreatorCoin } from "../../../typechain-types";
import {
  BPS,
  FLOOR_SUPPLY,
  costToMintRoundingUp,
  MIN_TRADE,
  QuoteError,
  reserveRoundingUp,
  quoteBuyExactIn,
  quoteBuyExactOut,
  quoteSellExactIn,
  type CoinState,
  type Quote,
} from "../../../sdk/curve";
import { FAR, ONE, launchedCoin, tradedEvent, type CoinsFixture } from "./fixture";

/**
 * Stateful invariant fuzzing: random sequences of buys (both kinds), sells, transfers, round
 * trips, fee withdrawals, sweeps and fee changes by six accounts (the creator among them), with
 * every invariant of docs/creator-coins.md checked after every step.
 *
 * FUZZ_RUNS sequences (default 200) of FUZZ_STEPS actions (default 50).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const STEPS = Number(process.env.FUZZ_STEPS ?? 50);
/** Every this many steps, and at the end of each sequence, every holder really sells out. */
const SELL_OUT_EVERY = 25;
const ACTORS = 6;
/** Sent with every transaction so that ethers does not estimate gas first (twice the work). */
const GAS = 500_000n;

type Action =
  | { kind: "buyIn"; actor: number; recipient: number; referrer: number; eth: bigint }
  | {
      kind: "buyOut";
      actor: number;
      recipient: number;
      referrer: number;
      coins: bigint;
      extra: bigint;
    }
  | { kind: "sell"; actor: number; recipient: number; referrer: number; perMille: bigint }
  | { kind: "roundTrip"; actor: number; eth: bigint }
  | { kind: "transfer"; actor: number; recipient: number; perMille: bigint }
  | { kind: "withdrawCreatorFees" }
  | { kind: "sweepProtocolFees"; actor: number }
  | { kind: "scheduleCreatorFee"; bps: bigint }
  | { kind: "setProtocolFee"; bps: bigint }
  | { kind: "wait"; seconds: number };

const actor = fc.integer({ min: 0, max: ACTORS - 1 });
/** An actor as the trade's referrer, or (ACTORS) none: the plain trade. */
const referrer = fc.integer({ min: 0, max: ACTORS });
const eth = fc.oneof(
  { weight: 1, arbitrary: fc.bigInt({ min: 1n, max: 100_000n }) },
  { weight: 2, arbitrary: fc.bigInt({ min: 10n ** 9n, max: 10n ** 17n }) },
  { weight: 4, arbitrary: fc.bigInt({ min: 10n ** 16n, max: 20n * ONE }) },
);
const coins = fc.oneof(
  fc.bigInt({ min: 0n, max: 2n * MIN_TRADE }),
  fc.bigInt({ min: MIN_TRADE, max: 10n ** 18n }),
  fc.bigInt({ min: 10n ** 17n, max: 60n * ONE }),
);
const perMille = fc.oneof(fc.constant(1000n), fc.bigInt({ min: 0n, max: 1000n }));

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("buyIn" as const),
      actor,
      recipient: actor,
      referrer,
      eth,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("buyOut" as const),
      actor,
      recipient: actor,
      referrer,
      coins,
      extra: fc.oneof(fc.constant(0n), fc.bigInt({ min: 1n, max: ONE })),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("sell" as const),
      actor,
      recipient: actor,
      referrer,
      perMille,
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("roundTrip" as const), actor, eth }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("transfer" as const),
      actor,
      recipient: actor,
      perMille,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("withdrawCreatorFees" as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("sweepProtocolFees" as const), actor }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("scheduleCreatorFee" as const),
      bps: fc.bigInt({ min: 0n, max: 1000n }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("setProtocolFee" as const),
      bps: fc.bigInt({ min: 0n, max: 500n }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("wait" as const),
      seconds: fc.oneof(fc.constant(7 * 24 * 3600), fc.integer({ min: 1, max: 8 * 24 * 3600 })),
    }),
  },
);

async function withProbe() {
  const f = await launchedCoin();
  const probe = await new CoinProbe__factory(f.deployer).deploy();
  return { ...f, probe };
}

class Harness {
  readonly actors: HardhatEthersSigner[];
  readonly holders: string[];
  /** Every custom error a step expected and saw, to show the fuzzing reaches them. */
  readonly seen = new Map<string, number>();
  /** Referrer fees credited so far (nobody withdraws them here). */
  referrerOwed = 0n;

  /** The coin's state after the last step. */
  current!: Awaited<ReturnType<Harness["state"]>>;

  constructor(
    readonly f: CoinsFixture,
    readonly probe: CoinProbe,
    readonly coinAddress: string,
  ) {
    this.actors = [f.alice, ...f.traders.slice(0, ACTORS - 1)];
    this.holders = [...this.actors.map((a) => a.address), coinAddress];
  }

  get coin(): CreatorCoin {
    return this.f.coin;
  }

  async state() {
    const s = await this.probe.inspect(this.coinAddress, this.holders);
    return {
      ethHeld: s.ethHeld,
      supply: s.supply,
      reserve: s.reserve,
      protocolFeesOwed: s.protocolFeesOwed,
      creatorFeesOwed: s.creatorFeesOwed,
      curve: {
        supply: s.supply,
        protocolFeeBps: s.protocolFeeBps,
        creatorFeeBps: s.creatorFeeBps,
      } as CoinState,
      balances: [...s.balances],
    };
  }

  /** Invariants 1, 2 (exact form) and 4, on a fresh read that becomes `current`. */
  async checkInvariants(): Promise<void> {
    const s = await this.state();
    this.current = s;
    // 1. The coin holds the reserve and every fee it owes (exactly: nothing else sends it ETH).
    expect(s.ethHeld).to.equal(
      s.reserve + s.protocolFeesOwed + s.creatorFeesOwed + this.referrerOwed,
    );
    // 2. The reserve covers the curve at the current supply, rounded up. Since every sell pays
    //    at most the exact integral of the price over the coins it burns, this is what lets
    //    every holder sell everything in any order; `sellOut` checks that for real.
    expect(s.reserve >= reserveRoundingUp(s.supply)).to.equal(true);
    // 4. The supply is the sum of the balances; the floor is locked once trading started.
    expect(s.balances.reduce((a, b) => a + b, 0n)).to.equal(s.supply);
    expect(s.balances[s.balances.length - 1]).to.equal(s.supply === 0n ? 0n : FLOOR_SUPPLY);
  }

  /** Invariant 2 for real: every holder sells everything, in the given order, then rewinds. */
  async sellOut(order: number[]): Promise<void> {
    const snapshot = await hre.network.provider.send("evm_snapshot");
    for (const i of order) {
      const who = this.actors[i];
      const balance = await this.coin.balanceOf(who.address);
      if (balance === 0n) continue;
      const [quoted] = await this.coin.quoteSellExactIn(balance);
      const traded = await tradedEvent(
        this.coin,
        await this.coin
          .connect(who)
          .sellExactIn(balance, quoted, FAR, who.address, { gasLimit: GAS }),
      );
      expect(traded.ethAmount).to.equal(quoted);
    }
    const s = await this.state();
    expect(s.supply).to.equal(s.balances[s.balances.length - 1]);
    expect(s.reserve >= reserveRoundingUp(s.supply)).to.equal(true);
    expect(s.ethHeld).to.equal(
      s.reserve + s.protocolFeesOwed + s.creatorFeesOwed + this.referrerOwed,
    );
    await hre.network.provider.send("evm_revert", [snapshot]);
  }

  /** Runs a trade whose reference quote is `expected`; checks quote == execution. */
  private async trade(
    expected: () => Quote,
    quoteView: () => Promise<bigint>,
    send: () => Promise<{ wait(): Promise<{ logs: readonly unknown[] } | null> }>,
    viewAmount: (q: Quote) => bigint,
  ): Promise<Quote | undefined> {
    let q: Quote;
    try {
      q = expected();
    } catch (error) {
      if (!(error instanceof QuoteError)) throw error;
      await expect(send())
        .to.be.revertedWithCustomError(this.coin, error.error)
        .withArgs(...error.args);
      this.seen.set(error.error, (this.seen.get(error.error) ?? 0) + 1);
      return undefined;
    }
    // 5. The view, the TypeScript reference and the execution agree to the wei.
    expect(await quoteView()).to.equal(viewAmount(q));
    const before = this.current;
    const traded = await tradedEvent(this.coin, await send());
    expect(traded.coinAmount).to.equal(q.coins);
    expect(traded.ethAmount).to.equal(q.eth);
    expect(traded.protocolFee).to.equal(q.protocolFee);
    expect(traded.creatorFee).to.equal(q.creatorFee);
    expect(traded.referrerFee).to.equal(q.referrerFee);
    this.referrerOwed += traded.referrerFee;
    expect(traded.newSupply).to.equal(before.supply + q.supplyDelta);
    const after = await this.state();
    expect(traded.newSupply).to.equal(after.supply);
    expect(traded.newReserve).to.equal(after.reserve);
    expect(after.reserve).to.equal(
      traded.isBuy ? before.reserve + q.reserveDelta : before.reserve - q.reserveDelta,
    );
    this.current = after;
    return q;
  }

  /** The reference's state for a trade brought by `referrer` (null: a plain trade). */
  curveFor(referrer: string | null): CoinState {
    const { curve } = this.current;
    return referrer ? { ...curve, referrerShareBps: DEFAULT_REFERRER_SHARE_BPS } : curve;
  }

  async buyIn(
    who: HardhatEthersSigner,
    recipient: string,
    value: bigint,
    referrer: string | null = null,
  ) {
    const curve = this.curveFor(referrer);
    const coin = this.coin.connect(who);
    const q = await this.trade(
      () => quoteBuyExactIn(curve, value),
      async () => (await this.coin.quoteBuyExactIn(value))[0],
      () =>
        referrer
          ? coin.buyExactInWithReferrer(0n, FAR, recipient, referrer, { value, gasLimit: GAS })
          : coin.buyExactIn(0n, FAR, recipient, { value, gasLimit: GAS }),
      (q) => q.coins,
    );
    if (q) {
      // The dust an exact-in buy leaves in the reserve is below the price of one more coin-wei
      // with its fees, plus 2 wei (ICreatorCoin.buyExactIn).
      const after = curve.supply + q.supplyDelta;
      const dust = q.reserveDelta - costToMintRoundingUp(curve.supply, q.supplyDelta);
      const nextWei = costToMintRoundingUp(after, 1n);
      const feeBps = BPS + curve.protocolFeeBps + curve.creatorFeeBps;
      expect(dust * BPS < nextWei * feeBps + 2n * BPS).to.equal(true);
    }
    return q;
  }

  async buyOut(
    who: HardhatEthersSigner,
    recipient: string,
    amount: bigint,
    extra: bigint,
    referrer: string | null = null,
  ) {
    const curve = this.curveFor(referrer);
    const coin = this.coin.connect(who);
    let value = extra;
    try {
      value += quoteBuyExactOut(curve, amount).eth;
    } catch {
      // The reference rejects the amount; the trade below must revert the same way.
    }
    return this.trade(
      () => quoteBuyExactOut(curve, amount),
      async () => (await this.coin.quoteBuyExactOut(amount))[0],
      () =>
        referrer
          ? coin.buyExactOutWithReferrer(amount, value, FAR, recipient, referrer, {
              value,
              gasLimit: GAS,
            })
          : coin.buyExactOut(amount, value, FAR, recipient, { value, gasLimit: GAS }),
      (q) => q.eth,
    );
  }

  async sell(
    who: HardhatEthersSigner,
    recipient: string,
    amount: bigint,
    referrer: string | null = null,
  ) {
    const { balances } = this.current;
    const curve = this.curveFor(referrer);
    const balance = balances[this.actors.indexOf(who)];
    const coin = this.coin.connect(who);
    const send = () =>
      referrer
        ? coin.sellExactInWithReferrer(amount, 0n, FAR, recipient, referrer, { gasLimit: GAS })
        : coin.sellExactIn(amount, 0n, FAR, recipient, { gasLimit: GAS });
    if (amount === 0n) {
      await expect(send()).to.be.revertedWithCustomError(this.coin, "CreatorCoinZeroAmount");
      return undefined;
    }
    if (amount < MIN_TRADE && amount !== balance) {
      await expect(send())
        .to.be.revertedWithCustomError(this.coin, "CreatorCoinTradeTooSmall")
        .withArgs(amount, MIN_TRADE);
      this.seen.set(
        "CreatorCoinTradeTooSmall",
        (this.seen.get("CreatorCoinTradeTooSmall") ?? 0) + 1,
      );
      return undefined;
    }
    return this.trade(
      () => quoteSellExactIn(curve, amount),
      async () => (await this.coin.quoteSellExactIn(amount))[0],
      send,
      (q) => q.eth,
    );
  }

  referrerOf(index: number): string | null {
    return index < ACTORS ? this.actors[index].address : null;
  }

  async step(action: Action): Promise<void> {
    const { coin, alice, governance } = this.f;
    switch (action.kind) {
      case "buyIn":
        await this.buyIn(
          this.actors[action.actor],
          this.actors[action.recipient].address,
          action.eth,
          this.referrerOf(action.referrer),
        );
        break;
      case "buyOut":
        await this.buyOut(
          this.actors[action.actor],
          this.actors[action.recipient].address,
          action.coins,
          action.extra,
          this.referrerOf(action.referrer),
        );
        break;
      case "sell": {
        const who = this.actors[action.actor];
        const balance = this.current.balances[action.actor];
        await this.sell(
          who,
          this.actors[action.recipient].address,
          (balance * action.perMille) / 1000n,
          this.referrerOf(action.referrer),
        );
        break;
      }
      case "roundTrip": {
        // 3. A buy followed by a sell of the same coins never returns more ETH than it cost.
        const who = this.actors[action.actor];
        const bought = await this.buyIn(who, who.address, action.eth);
        if (!bought) break;
        const sold = await this.sell(who, who.address, bought.coins);
        expect(sold).to.not.equal(undefined);
        expect(sold!.eth <= bought.eth).to.equal(true);
        break;
      }
      case "transfer": {
        const who = this.actors[action.actor];
        const amount = (this.current.balances[action.actor] * action.perMille) / 1000n;
        const to = this.actors[action.recipient].address;
        await (await coin.connect(who).transfer(to, amount, { gasLimit: GAS })).wait();
        break;
      }
      case "withdrawCreatorFees": {
        const owed = await coin.creatorFeesOwed();
        if (owed === 0n) {
          await expect(
            coin.connect(alice).withdrawCreatorFees(alice.address),
          ).to.be.revertedWithCustomError(coin, "CreatorCoinZeroAmount");
        } else {
          await expect(
            coin.connect(alice).withdrawCreatorFees(alice.address),
          ).to.changeEtherBalance(alice, owed, { includeFee: false });
        }
        break;
      }
      case "sweepProtocolFees": {
        const owed = await coin.protocolFeesOwed();
        const sweep = coin.connect(this.actors[action.actor]).sweepProtocolFees();
        if (owed === 0n) {
          await expect(sweep).to.be.revertedWithCustomError(coin, "CreatorCoinZeroAmount");
        } else {
          await expect(sweep).to.changeEtherBalance(this.f.sink, owed);
        }
        break;
      }
      case "scheduleCreatorFee":
        await (await coin.connect(alice).scheduleCreatorFee(action.bps)).wait();
        break;
      case "setProtocolFee":
        await (await this.f.factory.connect(governance).setProtocolFeeBps(action.bps)).wait();
        break;
      case "wait":
        await hre.network.provider.send("evm_increaseTime", [action.seconds]);
        await hre.network.provider.send("evm_mine");
        break;
    }
  }
}

describe("CreatorCoin invariants under random trading", function () {
  it(`hold after every step of ${RUNS} sequences of ${STEPS} actions`, async function () {
    const seen = new Map<string, number>();
    let trades = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(actionArb, { minLength: STEPS, maxLength: STEPS }),
        fc.array(fc.nat(), { minLength: ACTORS, maxLength: ACTORS }),
        async (actions, orderKeys) => {
          const { probe, ...f } = await loadFixture(withProbe);
          const harness = new Harness(f, probe, await f.coin.getAddress());
          await harness.checkInvariants();
          const order = [...Array(ACTORS).keys()].sort((a, b) => orderKeys[a] - orderKeys[b]);
          for (const [i, action] of actions.entries()) {
            await harness.step(action);
            await harness.checkInvariants();
            if ((i + 1) % SELL_OUT_EVERY === 0) await harness.sellOut(order);
            if (action.kind !== "transfer" && action.kind !== "wait") trades++;
          }
          if (STEPS % SELL_OUT_EVERY !== 0) await harness.sellOut(order);
          for (const [error, count] of harness.seen)
            seen.set(error, (seen.get(error) ?? 0) + count);
        },
      ),
      { numRuns: RUNS },
    );
    // The sequences reached the interesting paths, not only the happy one.
    expect(trades).to.be.gte((RUNS * STEPS) / 2);
    expect(seen.get("CreatorCoinTradeTooSmall") ?? 0).to.be.gt(0);
  });
});
