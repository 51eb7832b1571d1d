import type { ApiContext, ApiModule } from "./context";

/** One referrer's earnings in one token, from trades and tips it brought. */
interface EarningRow {
  token: string;
  trades: number;
  tradeFees: string;
  tips: number;
  tipFees: string;
  withdrawn: string;
}

/**
 * Referrers: what each app that brings trades and tips earned. A coin trade credits its referrer
 * in ETH (`trades.referrer_fee`); a tip credits it in the tip's token (`tips.referrer_fee`).
 * Withdrawals come from every coin and the tip jar (`referrer_withdrawals`).
 */
export const referrersModule: ApiModule = {
  typeDefs: /* GraphQL */ `
    "What one referrer (an app) earned in one token, over every coin and the tip jar."
    type ReferrerEarning {
      "Token earned: ${"0x" + "0".repeat(40)} for ETH (every coin trade pays in ETH)."
      token: Address!
      "Trades the referrer brought."
      tradeCount: Int!
      "Referrer fees credited by those trades, in wei."
      tradeFees: BigInt!
      "Tips in this token the referrer brought."
      tipCount: Int!
      "Referrer fees credited by those tips, in the token's smallest unit."
      tipFees: BigInt!
      "What the referrer withdrew of this token so far."
      withdrawn: BigInt!
    }

    extend type Query {
      "What this referrer earned, one entry per token (empty for an address that referred nothing)."
      referrerEarnings("The referrer's address." referrer: Address!): [ReferrerEarning!]!
    }
  `,
  resolvers: {
    Query: {
      referrerEarnings: async (_: unknown, args: { referrer: string }, context: ApiContext) => {
        const rows = await context.db.query<EarningRow>(
          `WITH earned AS (
             SELECT '${"0x" + "0".repeat(40)}' AS token, count(*)::int AS trades,
               sum(referrer_fee) AS trade_fees, 0 AS tips, 0 AS tip_fees, 0 AS withdrawn
             FROM trades WHERE referrer = $1
             UNION ALL
             SELECT token, 0, 0, count(*)::int, sum(referrer_fee), 0
             FROM tips WHERE referrer = $1 GROUP BY token
             UNION ALL
             SELECT token, 0, 0, 0, 0, sum(amount)
             FROM referrer_withdrawals WHERE referrer = $1 GROUP BY token
           )
           SELECT token, sum(trades)::int AS "trades", coalesce(sum(trade_fees), 0)::text AS "tradeFees",
             sum(tips)::int AS "tips", coalesce(sum(tip_fees), 0)::text AS "tipFees",
             coalesce(sum(withdrawn), 0)::text AS "withdrawn"
           FROM earned GROUP BY token
           HAVING sum(trades) + sum(tips) + sum(withdrawn) > 0
           ORDER BY token`,
          [args.referrer.toLowerCase()],
        );
        return rows.map((row) => ({
          token: row.token,
          tradeCount: row.trades,
          tradeFees: row.tradeFees,
          tipCount: row.tips,
          tipFees: row.tipFees,
          withdrawn: row.withdrawn,
        }));
      },
    },
  },
};
