import { formatAmount, formatEth } from "../shared/format";
import { useApi } from "../shared/queries";
import { Link } from "../shared/router";
import { Card, ErrorNote, Loading } from "../shared/ui";
import { useViewer } from "../wallet/viewer";
import { Portfolio } from "./queries";

/**
 * The connected wallet's coins at spot prices, and profit or loss per coin: the value now plus
 * what sales returned, minus what buys cost (fees included), from the wallet's own trades.
 */
export function PortfolioPage() {
  const { address } = useViewer();
  const { data, error, isLoading } = useApi(
    Portfolio,
    { address: address?.toLowerCase() ?? "" },
    { enabled: !!address },
  );
  if (!address) return <p className="muted">Connect a wallet to see its portfolio.</p>;
  if (error) return <ErrorNote error={error} />;
  if (isLoading || !data) return <Loading what="the portfolio" />;
  const flows = new Map<string, bigint>();
  for (const t of data.trades.nodes) {
    const delta = t.isBuy ? -BigInt(t.ethAmount) : BigInt(t.ethAmount);
    flows.set(t.coinAddress, (flows.get(t.coinAddress) ?? 0n) + delta);
  }
  return (
    <>
      <h1>Portfolio</h1>
      <Card>
        <p className="big num" data-testid="portfolio-value">
          {formatEth(BigInt(data.portfolio.value))}
        </p>
        <p className="muted">{data.portfolio.coinCount} coins at spot prices</p>
      </Card>
      <table>
        <caption className="sr-only">Holdings</caption>
        <thead>
          <tr>
            <th scope="col">Coin</th>
            <th scope="col" className="right">
              Balance
            </th>
            <th scope="col" className="right">
              Value
            </th>
            <th scope="col" className="right">
              Profit / loss
            </th>
          </tr>
        </thead>
        <tbody>
          {data.portfolio.holdings.nodes.map((h) => {
            const pnl = BigInt(h.value) + (flows.get(h.coin.address) ?? 0n);
            return (
              <tr key={h.coin.address}>
                <td>
                  <Link to={`/coin/${h.coin.address}`}>${h.coin.symbol}</Link>
                </td>
                <td className="num right">{formatAmount(BigInt(h.balance))}</td>
                <td className="num right">{formatEth(BigInt(h.value))}</td>
                <td className={`num right ${pnl >= 0n ? "up" : "down"}`}>
                  {pnl >= 0n ? "+" : ""}
                  {formatEth(pnl)}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}
