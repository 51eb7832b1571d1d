import { operation } from "../shared/operation";

/** Coins read per request; the page reads every page, so a referrer sees all its coins. */
export const REFERRER_COINS_PAGE = 500;

export interface ReferrerEarning {
  token: string;
  tradeCount: number;
  tradeFees: string;
  tipCount: number;
  tipFees: string;
  withdrawn: string;
}

/** What an address earned as a referrer (`referrerEarnings`, one entry per token). */
export const ReferrerEarnings = operation<
  { referrerEarnings: ReferrerEarning[] },
  { referrer: string }
>(`
  query ReferrerEarnings($referrer: Address!) {
    referrerEarnings(referrer: $referrer) { token tradeCount tradeFees tipCount tipFees withdrawn }
  }`);

export interface ReferrerCoin {
  coin: { address: string; symbol: string };
  tradeCount: number;
}

/**
 * The coins whose trades an address referred, one page ordered by address (`after`: the last
 * address of the previous page): each coin keeps its own referrer balance on chain.
 */
export const ReferrerCoins = operation<
  { referrerCoins: ReferrerCoin[] },
  { referrer: string; after?: string | null }
>(`
  query ReferrerCoins($referrer: Address!, $after: Address) {
    referrerCoins(referrer: $referrer, first: ${REFERRER_COINS_PAGE}, after: $after) {
      coin { address symbol } tradeCount
    }
  }`);
