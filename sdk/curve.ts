/**
 * The creator coin bonding curve in BigInt, wei for wei the same as
 * contracts/libraries/BondingCurve.sol and the quotes of contracts/coins/CreatorCoin.sol.
 * Frontends quote with it and the indexer checks events against it.
 *
 * price(S) = S^2 / 16000 ETH per coin at a supply of S coins; in wei and coin-wei
 * (s = S * 1e18) the reserve is R(s) = s^3 / DIVISOR. Every function rounds in favour of the
 * reserve, as its name says.
 */

/** s^3 / DIVISOR is the reserve in wei for a supply of s coin-wei (3 * 16000 * 1e36). */
export const DIVISOR = 48n * 10n ** 39n;
/** The supply stays below one million coins. */
export const SUPPLY_CAP = 10n ** 24n;
/** Coins the first buy also mints to the coin itself, locked for good. */
export const FLOOR_SUPPLY = 10n ** 15n;
/** The smallest buy, and the smallest sell except a seller's whole balance. */
export const MIN_TRADE = 10n ** 12n;
/** Fee rates are in basis points. */
export const BPS = 10_000n;

function ceilDiv(a: bigint, b: bigint): bigint {
  return a === 0n ? 0n : (a - 1n) / b + 1n;
}

/** ceil(s^3 / DIVISOR): the reserve a supply of `s` needs, rounded up. */
export function reserveRoundingUp(s: bigint): bigint {
  return ceilDiv(s * s * s, DIVISOR);
}

/** ceil(((s + d)^3 - s^3) / DIVISOR): the cost of minting `d` at supply `s`, rounded up. */
export function costToMintRoundingUp(s: bigint, d: bigint): bigint {
  return ceilDiv((s + d) ** 3n - s ** 3n, DIVISOR);
}

/** floor((s^3 - (s - d)^3) / DIVISOR): what burning `d` at supply `s` releases, rounded down. */
export function proceedsToBurnRoundingDown(s: bigint, d: bigint): bigint {
  if (d > s) throw new RangeError(`cannot burn ${d} of a supply of ${s}`);
  return (s ** 3n - (s - d) ** 3n) / DIVISOR;
}

/** floor(cbrt(x)), by bisection on the bit length and a final exact check. */
export function cbrtRoundingDown(x: bigint): bigint {
  if (x < 0n) throw new RangeError("cube root of a negative number");
  if (x === 0n) return 0n;
  let lo = 0n;
  let hi = 1n << BigInt(Math.ceil(x.toString(2).length / 3) + 1);
  while (hi - lo > 1n) {
    const mid = (lo + hi) / 2n;
    if (mid * mid * mid <= x) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** The largest d with costToMintRoundingUp(s, d) <= eth, capped at SUPPLY_CAP - s. */
export function mintableForRoundingDown(s: bigint, eth: bigint): bigint {
  const d = cbrtRoundingDown(s ** 3n + eth * DIVISOR) - s;
  return d > SUPPLY_CAP - s ? SUPPLY_CAP - s : d;
}

/** A coin's state as far as quotes need it. */
export interface CoinState {
  supply: bigint;
  protocolFeeBps: bigint;
  creatorFeeBps: bigint;
  /**
   * The referrer's share of the protocol fee (the coin's `referrerShareBps()`), for a trade with a
   * referrer (`...WithReferrer`); leave it out, or 0, for a plain trade. It never changes what the
   * trader pays or receives, only how the protocol fee is split.
   */
  referrerShareBps?: bigint;
}

/** The amounts of one trade. `reserveDelta` is what the reserve gains (buy) or loses (sell). */
export interface Quote {
  coins: bigint;
  eth: bigint;
  /** The whole protocol fee, `referrerFee` included. */
  protocolFee: bigint;
  creatorFee: bigint;
  /** The part of `protocolFee` credited to the referrer, rounded down (0 without one). */
  referrerFee: bigint;
  reserveDelta: bigint;
  /** Coins added to the supply: `coins`, plus FLOOR_SUPPLY on the first buy. */
  supplyDelta: bigint;
}

/** Why a quote has no answer; `error` is the coin's custom error name. */
export class QuoteError extends Error {
  constructor(
    readonly error:
      | "CreatorCoinZeroAmount"
      | "CreatorCoinTradeTooSmall"
      | "CreatorCoinSupplyCapExceeded"
      | "CreatorCoinExceedsCirculating",
    readonly args: bigint[],
  ) {
    super(`${error}(${args.join(", ")})`);
  }
}

function fees(amount: bigint, state: CoinState): [bigint, bigint, bigint] {
  const protocolFee = (amount * state.protocolFeeBps) / BPS;
  return [
    protocolFee,
    (amount * state.creatorFeeBps) / BPS,
    (protocolFee * (state.referrerShareBps ?? 0n)) / BPS,
  ];
}

/** What `buyExactIn` with `ethIn` wei gives: fees on top of the curve cost, dust to the reserve. */
export function quoteBuyExactIn(state: CoinState, ethIn: bigint): Quote {
  if (ethIn === 0n) throw new QuoteError("CreatorCoinZeroAmount", []);
  const floor = state.supply === 0n ? FLOOR_SUPPLY : 0n;
  const budget = (ethIn * BPS) / (BPS + state.protocolFeeBps + state.creatorFeeBps);
  const minted = mintableForRoundingDown(state.supply, budget);
  if (state.supply + minted >= SUPPLY_CAP) {
    throw new QuoteError("CreatorCoinSupplyCapExceeded", [state.supply + minted, SUPPLY_CAP]);
  }
  const coins = minted > floor ? minted - floor : 0n;
  if (coins < MIN_TRADE) throw new QuoteError("CreatorCoinTradeTooSmall", [coins, MIN_TRADE]);
  const [protocolFee, creatorFee, referrerFee] = fees(
    costToMintRoundingUp(state.supply, minted),
    state,
  );
  return {
    coins,
    eth: ethIn,
    protocolFee,
    creatorFee,
    referrerFee,
    reserveDelta: ethIn - protocolFee - creatorFee,
    supplyDelta: minted,
  };
}

/** What `buyExactOut` of `coinsOut` costs, fees included. */
export function quoteBuyExactOut(state: CoinState, coinsOut: bigint): Quote {
  if (coinsOut === 0n) throw new QuoteError("CreatorCoinZeroAmount", []);
  if (coinsOut < MIN_TRADE) throw new QuoteError("CreatorCoinTradeTooSmall", [coinsOut, MIN_TRADE]);
  const minted = state.supply === 0n ? coinsOut + FLOOR_SUPPLY : coinsOut;
  if (state.supply + minted >= SUPPLY_CAP) {
    throw new QuoteError("CreatorCoinSupplyCapExceeded", [state.supply + minted, SUPPLY_CAP]);
  }
  const cost = costToMintRoundingUp(state.supply, minted);
  const [protocolFee, creatorFee, referrerFee] = fees(cost, state);
  return {
    coins: coinsOut,
    eth: cost + protocolFee + creatorFee,
    protocolFee,
    creatorFee,
    referrerFee,
    reserveDelta: cost,
    supplyDelta: minted,
  };
}

/** What `sellExactIn` of `coinsIn` pays, fees deducted. */
export function quoteSellExactIn(state: CoinState, coinsIn: bigint): Quote {
  const circulating = state.supply === 0n ? 0n : state.supply - FLOOR_SUPPLY;
  if (coinsIn > circulating) {
    throw new QuoteError("CreatorCoinExceedsCirculating", [coinsIn, circulating]);
  }
  if (coinsIn === 0n) throw new QuoteError("CreatorCoinZeroAmount", []);
  const proceeds = proceedsToBurnRoundingDown(state.supply, coinsIn);
  const [protocolFee, creatorFee, referrerFee] = fees(proceeds, state);
  return {
    coins: coinsIn,
    eth: proceeds - protocolFee - creatorFee,
    protocolFee,
    creatorFee,
    referrerFee,
    reserveDelta: proceeds,
    supplyDelta: -coinsIn,
  };
}
