import { operation } from "../shared/operation";

export interface CoinSummary {
  address: string;
  symbol: string;
  name: string;
  price: string;
  marketCap: string;
  volume24h: string;
  holders: number;
  tradeCount: number;
  profile: { id: string; handle: string; metadataUri: string };
}

const COIN_FIELDS = `address symbol name price marketCap volume24h holders tradeCount profile { id handle metadataUri }`;

export type CoinOrder = "marketCap" | "volume24h" | "holders" | "price";

export const CoinList = operation<{ coins: { nodes: CoinSummary[] } }, { orderBy: CoinOrder }>(`
  query CoinList($orderBy: CoinOrderBy!) {
    coins(first: 100, orderBy: $orderBy) { nodes { ${COIN_FIELDS} } }
  }`);

export interface TradeData {
  txHash: string;
  logIndex: number;
  timestamp: string;
  trader: string;
  isBuy: boolean;
  coinAmount: string;
  ethAmount: string;
  priceAfter: string;
}

export const CoinPageQuery = operation<
  {
    coin: CoinSummary & {
      supply: string;
      reserve: string;
      creatorFeeBps: number;
      volume: string;
      trades: { nodes: TradeData[] };
      holdings: { nodes: { holder: string; balance: string; value: string }[] };
    };
  },
  { address: string }
>(`
  query CoinPage($address: Address!) {
    coin(address: $address) {
      ${COIN_FIELDS} supply reserve creatorFeeBps volume
      trades(first: 30) { nodes { txHash logIndex timestamp trader isBuy coinAmount ethAmount priceAfter } }
      holdings(first: 20) { nodes { holder balance value } }
    }
  }`);

export type Interval = "MINUTE" | "HOUR" | "DAY";

export interface CandleData {
  start: string;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
}

export const Candles = operation<
  { candles: CandleData[] },
  { coin: string; interval: Interval; from: string; to: string }
>(`
  query Candles($coin: Address!, $interval: CandleInterval!, $from: BigInt!, $to: BigInt!) {
    candles(coin: $coin, interval: $interval, from: $from, to: $to) { start open high low close volume }
  }`);

export const Portfolio = operation<
  {
    portfolio: {
      value: string;
      coinCount: number;
      holdings: { nodes: { balance: string; value: string; coin: CoinSummary }[] };
    };
    trades: { nodes: (TradeData & { coinAddress: string })[] };
  },
  { address: string }
>(`
  query Portfolio($address: Address!) {
    portfolio(address: $address) {
      value coinCount
      holdings(first: 100) { nodes { balance value coin { ${COIN_FIELDS} } } }
    }
    trades(first: 1000, where: { trader: $address }) {
      nodes { txHash logIndex timestamp trader isBuy coinAmount ethAmount priceAfter coinAddress }
    }
  }`);

export const COIN_OPERATIONS = [CoinList, CoinPageQuery, Candles, Portfolio].map((op) => op.name);
