import { operation } from "../shared/operation";

/** How many of a referrer's latest trades the page reads to find the coins that owe it. */
export const REFERRED_TRADES_READ = 1000;

export interface ReferrerEarning {
  token: string;
  tradeCount: number;
  tradeFees: string;
  tipCount: number;
  tipFees: string;
  withdrawn: string;
}

/**
 * What an address earned as a referrer (`referrerEarnings`, one entry per token), and the coins
 * of the trades it referred: each coin keeps its own referrer balance on chain.
 */
export const ReferrerEarnings = operation<
  {
    referrerEarnings: ReferrerEarning[];
    trades: { nodes: { coin: { address: string; symbol: string; profile: { handle: string } } }[] };
  },
  { referrer: string }
>(`
  query ReferrerEarnings($referrer: Address!) {
    referrerEarnings(referrer: $referrer) { token tradeCount tradeFees tipCount tipFees withdrawn }
    trades(first: ${REFERRED_TRADES_READ}, where: { referrer: $referrer }) {
      nodes { coin { address symbol profile { handle } } }
    }
  }`);
