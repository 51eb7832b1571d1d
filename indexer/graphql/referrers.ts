import { coinByAddress } from "./coins";
import type { ApiContext, ApiModule } from "./context";
import type { PageLimits } from "./entity";
import { ErrorCode, userError } from "./errors";
import { required } from "./shared";

/** One referrer's earnings in one token, from trades and tips it brought. */
interface EarningRow {
  token: string;
  trades: number;
  tradeFees: string;
  tips: number;
  tipFees: string;
  withdrawn: string;
}

/** What one referrer earned from the trades of one coin. */
interface CoinRow {
  coin: string;
  trades: number;
  fees: string;
  withdrawn: string;
}

/**
 * Referrers: what each app that brings trades and tips earned. A coin trade credits its referrer
 * in ETH (`trades.referrer_fee`); a tip credits it in the tip's token (`tips.referrer_fee`).
 * Withdrawals come from every coin and the tip jar (`referrer_withdrawals`).
 */
export function referrersModule(limits: PageLimits): ApiModule {
  return {
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

    "What one referrer earned from the trades of one coin, which keeps that balance for it."
    type ReferrerCoin {
      "The coin whose trades credited these fees, and which holds what it owes the referrer."
      coin: Coin!
      "Trades of this coin the referrer brought."
      tradeCount: Int!
      "Referrer fees those trades credited, in wei."
      tradeFees: BigInt!
      "What the referrer withdrew from this coin so far, in wei."
      withdrawn: BigInt!
    }

    extend type Query {
      "What this referrer earned, one entry per token (empty for an address that referred nothing)."
      referrerEarnings("The referrer's address." referrer: Address!): [ReferrerEarning!]!
      """
      Every coin whose trades this referrer brought, by coin address, each with what it credited:
      each coin holds its own referrer balance (referrerFeesOwed). Read further pages with after.
      """
      referrerCoins(
        "The referrer's address."
        referrer: Address!
        "Page size: at most ${limits.maxPageSize}."
        first: Int = ${limits.defaultPageSize}
        "Only coins whose address sorts after this one (the last coin of the previous page)."
        after: Address
      ): [ReferrerCoin!]!
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
        referrerCoins: async (
          _: unknown,
          args: { referrer: string; first: number; after?: string | null },
          context: ApiContext,
        ) => {
          if (args.first < 0)
            throw userError(
              ErrorCode.BadUserInput,
              `first is ${args.first}; it cannot be negative`,
            );
          if (args.first > limits.maxPageSize)
            throw userError(
              ErrorCode.TooManyItems,
              `first is ${args.first} but at most ${limits.maxPageSize} coins can be asked for at once; read further pages with after`,
            );
          const rows = await context.db.query<CoinRow>(
            `WITH earned AS (
             SELECT coin, count(*)::int AS trades, sum(referrer_fee) AS fees
             FROM trades WHERE referrer = $1 AND ($2::text IS NULL OR coin > $2)
             GROUP BY coin ORDER BY coin LIMIT $3
           )
           SELECT e.coin, e.trades, e.fees::text AS fees,
             coalesce((SELECT sum(w.amount) FROM referrer_withdrawals w
                       WHERE w.referrer = $1 AND w.source = e.coin), 0)::text AS withdrawn
           FROM earned e ORDER BY e.coin`,
            [args.referrer.toLowerCase(), args.after?.toLowerCase() ?? null, args.first],
          );
          return rows.map((row) => ({
            coinAddress: row.coin,
            tradeCount: row.trades,
            tradeFees: row.fees,
            withdrawn: row.withdrawn,
          }));
        },
      },
      ReferrerCoin: {
        coin: (row: { coinAddress: string }, _: unknown, context: ApiContext) =>
          required(coinByAddress(context, row.coinAddress), `coin ${row.coinAddress}`),
      },
    },
  };
}
