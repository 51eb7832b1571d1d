import { useState } from "react";
import { formatEth } from "../shared/format";
import { useApi } from "../shared/queries";
import { Link } from "../shared/router";
import { Avatar, ErrorNote, Loading } from "../shared/ui";
import { CoinList, type CoinOrder } from "./queries";

const ORDERS: { key: CoinOrder; label: string }[] = [
  { key: "marketCap", label: "Market cap" },
  { key: "volume24h", label: "24h volume" },
  { key: "holders", label: "Holders" },
];

/** The creators' leaderboard: their coins by market cap, 24-hour volume or holders. */
export function CoinsPage() {
  const [orderBy, setOrderBy] = useState<CoinOrder>("marketCap");
  const { data, error, isLoading } = useApi(CoinList, { orderBy });
  return (
    <>
      <h1>Creators</h1>
      <div className="tabs" role="tablist" aria-label="Order by">
        {ORDERS.map((o) => (
          <button
            key={o.key}
            role="tab"
            type="button"
            aria-selected={orderBy === o.key}
            onClick={() => setOrderBy(o.key)}
          >
            {o.label}
          </button>
        ))}
      </div>
      {error && <ErrorNote error={error} />}
      {isLoading && <Loading what="coins" />}
      {data && (
        <table className="leaderboard">
          <caption className="sr-only">Creator coins</caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Creator</th>
              <th scope="col" className="right">
                Price
              </th>
              <th scope="col" className="right">
                Market cap
              </th>
              <th scope="col" className="right hide-narrow">
                24h volume
              </th>
              <th scope="col" className="right hide-narrow">
                Holders
              </th>
            </tr>
          </thead>
          <tbody>
            {data.coins.nodes.map((coin, i) => (
              <tr key={coin.address}>
                <td>{i + 1}</td>
                <td>
                  <Link to={`/coin/${coin.address}`} className="row start">
                    <Avatar
                      handle={coin.profile.handle}
                      metadataUri={coin.profile.metadataUri}
                      size={28}
                    />
                    <span>
                      <strong>${coin.symbol}</strong>{" "}
                      <span className="muted">@{coin.profile.handle}</span>
                    </span>
                  </Link>
                </td>
                <td className="num right">{formatEth(BigInt(coin.price), 5)}</td>
                <td className="num right">{formatEth(BigInt(coin.marketCap), 3)}</td>
                <td className="num right hide-narrow">{formatEth(BigInt(coin.volume24h), 3)}</td>
                <td className="num right hide-narrow">{coin.holders}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
