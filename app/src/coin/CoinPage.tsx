import { lazy, Suspense, useState } from "react";
import type { Address } from "viem";
import { formatAmount, formatEth, timeAgo } from "../shared/format";
import { useApi } from "../shared/queries";
import { Link } from "../shared/router";
import { useChainNow } from "../shared/time";
import { AddressText, Avatar, Card, ErrorNote, Eth, Loading } from "../shared/ui";
import { TradePanel } from "./TradePanel";
import { Candles, CoinPageQuery, type Interval } from "./queries";

const CandleChart = lazy(() => import("./CandleChart"));

const WINDOWS: Record<Interval, { seconds: number; count: number; label: string }> = {
  MINUTE: { seconds: 60, count: 180, label: "Minute" },
  HOUR: { seconds: 3_600, count: 24 * 14, label: "Hour" },
  DAY: { seconds: 86_400, count: 120, label: "Day" },
};

function Chart({ coin, symbol }: { coin: string; symbol: string }) {
  const now = useChainNow();
  const [interval, setInterval] = useState<Interval>("HOUR");
  const window = WINDOWS[interval];
  // Aligned on the interval so the key (and the API's cache) stays put within one interval.
  const to = (Math.floor(now / window.seconds) + 1) * window.seconds;
  const from = to - window.count * window.seconds;
  const { data, error } = useApi(Candles, { coin, interval, from: String(from), to: String(to) });
  return (
    <Card title="Price">
      <div className="tabs" role="tablist" aria-label="Candle interval">
        {(Object.keys(WINDOWS) as Interval[]).map((key) => (
          <button
            key={key}
            role="tab"
            type="button"
            aria-selected={interval === key}
            onClick={() => setInterval(key)}
          >
            {WINDOWS[key].label}
          </button>
        ))}
      </div>
      {error && <ErrorNote error={error} />}
      {/* The chart's space is kept while candles load, so nothing below it moves. */}
      {!data && <div className="chart" aria-hidden="true" />}
      {data && data.candles.length === 0 && (
        <p className="chart empty muted">No trades in this window.</p>
      )}
      <Suspense fallback={<div className="chart" />}>
        {data && data.candles.length > 0 && (
          <CandleChart
            candles={data.candles}
            label={`${symbol} price per ${window.label.toLowerCase()}, ${data.candles.length} candles`}
          />
        )}
      </Suspense>
    </Card>
  );
}

export function CoinPage({ address }: { address: string }) {
  const now = useChainNow();
  const { data, error, isLoading } = useApi(CoinPageQuery, { address: address.toLowerCase() });
  if (error) return <ErrorNote error={error} />;
  if (isLoading || !data) return <Loading what="the coin" />;
  const { coin } = data;
  return (
    <>
      <div className="row start coin-head">
        <Avatar handle={coin.profile.handle} metadataUri={coin.profile.metadataUri} size={56} />
        <div>
          <h1>
            ${coin.symbol} <span className="muted small">{coin.name}</span>
          </h1>
          <p className="muted">
            Creator coin of <Link to={`/u/${coin.profile.handle}`}>@{coin.profile.handle}</Link>
          </p>
        </div>
      </div>
      <dl className="kpis">
        <div>
          <dt>Price</dt>
          <dd data-testid="coin-price">{formatEth(BigInt(coin.price), 6)}</dd>
        </div>
        <div>
          <dt>Market cap</dt>
          <dd>{formatEth(BigInt(coin.marketCap))}</dd>
        </div>
        <div>
          <dt>24h volume</dt>
          <dd>{formatEth(BigInt(coin.volume24h))}</dd>
        </div>
        <div>
          <dt>Holders</dt>
          <dd>{coin.holders}</dd>
        </div>
        <div>
          <dt>Trades</dt>
          <dd>{coin.tradeCount}</dd>
        </div>
        <div>
          <dt>Creator fee</dt>
          <dd>{coin.creatorFeeBps / 100}%</dd>
        </div>
      </dl>
      <div className="coin-grid">
        <Chart coin={coin.address} symbol={coin.symbol} />
        <Card title={`Trade $${coin.symbol}`}>
          <TradePanel coin={coin.address as Address} symbol={coin.symbol} />
        </Card>
      </div>
      <div className="two-col">
        <Card title="Recent trades">
          <table>
            <caption className="sr-only">The latest trades of ${coin.symbol}</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Trader</th>
                <th scope="col">Side</th>
                <th scope="col" className="right">
                  {coin.symbol}
                </th>
                <th scope="col" className="right">
                  ETH
                </th>
              </tr>
            </thead>
            <tbody>
              {coin.trades.nodes.map((t) => (
                <tr key={`${t.txHash}-${t.logIndex}`}>
                  <td>{timeAgo(t.timestamp, now)}</td>
                  <td>
                    <AddressText address={t.trader} />
                  </td>
                  <td className={t.isBuy ? "up" : "down"}>{t.isBuy ? "Buy" : "Sell"}</td>
                  <td className="num right">{formatAmount(BigInt(t.coinAmount))}</td>
                  <td className="num right">{formatAmount(BigInt(t.ethAmount))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
        <Card title="Holders">
          <table>
            <caption className="sr-only">The largest holders of ${coin.symbol}</caption>
            <thead>
              <tr>
                <th scope="col">Holder</th>
                <th scope="col" className="right">
                  Balance
                </th>
                <th scope="col" className="right">
                  Value
                </th>
              </tr>
            </thead>
            <tbody>
              {coin.holdings.nodes.map((h) => (
                <tr key={h.holder}>
                  <td>
                    {h.holder === coin.address ? (
                      <span className="muted">locked floor</span>
                    ) : (
                      <AddressText address={h.holder} />
                    )}
                  </td>
                  <td className="num right">{formatAmount(BigInt(h.balance))}</td>
                  <td className="right">
                    <Eth wei={h.value} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      </div>
    </>
  );
}
