import { formatAmount, formatBps, formatDate, formatEth } from "../shared/format";
import { useApi } from "../shared/queries";
import { Link } from "../shared/router";
import { AddressText, Card, ErrorNote, Loading } from "../shared/ui";
import { addressLabel, allocationSummary, proposalTitle } from "./decode";
import { Delegation } from "./Delegation";
import { DaoOverview, type AllocationData } from "./queries";

const COLORS = [
  "#818cf8",
  "#34d399",
  "#fbbf24",
  "#f472b6",
  "#60a5fa",
  "#a78bfa",
  "#fb923c",
  "#2dd4bf",
];

/** The allocation as one stacked bar, creators last. */
function AllocationBar({ allocation }: { allocation: AllocationData }) {
  const parts = [
    ...allocation.recipients.map((r, i) => ({ label: addressLabel(r), bps: allocation.bps[i] })),
    { label: "creators", bps: allocation.creatorShareBps },
  ];
  return (
    <div>
      <div
        className="stack"
        role="img"
        aria-label={`Revenue allocation: ${allocationSummary(
          allocation.recipients.map((r, i) => ({ recipient: r, bps: allocation.bps[i] })),
          allocation.creatorShareBps,
        )}`}
      >
        {parts.map((p, i) => (
          <span
            key={i}
            style={{ width: `${p.bps / 100}%`, background: COLORS[i % COLORS.length] }}
          />
        ))}
      </div>
      <ul className="legend">
        {parts.map((p, i) => (
          <li key={i}>
            <span className="swatch" style={{ background: COLORS[i % COLORS.length] }} /> {p.label}{" "}
            {formatBps(p.bps)}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function DaoPage() {
  const { data, error, isLoading } = useApi(DaoOverview, {});
  return (
    <>
      <h1>DAO</h1>
      <Card title="Your voting power">
        <Delegation />
      </Card>
      {error && <ErrorNote error={error} />}
      {isLoading && <Loading what="governance" />}
      {data && (
        <>
          <Card title="Proposals">
            <p>
              <Link to="/dao/propose">Propose a new revenue allocation</Link>
            </p>
            <ul className="plain proposals">
              {data.proposals.nodes.map((p) => (
                <li key={p.id}>
                  <Link to={`/dao/proposal/${p.id}`}>{proposalTitle(p.description)}</Link>{" "}
                  <span className={`badge state-${p.state.toLowerCase()}`}>{p.state}</span>
                  <span className="muted small">
                    {" "}
                    · {p.voteCount} votes · for {formatAmount(BigInt(p.forVotes), 2)} · against{" "}
                    {formatAmount(BigInt(p.againstVotes), 2)}
                  </span>
                </li>
              ))}
            </ul>
          </Card>
          <div className="two-col">
            <Card title="Revenue allocation">
              {data.allocation ? (
                <AllocationBar allocation={data.allocation} />
              ) : (
                <p className="muted">Not indexed yet.</p>
              )}
              <h3>History</h3>
              <ul className="plain small">
                {data.allocationHistory.nodes.map((a) => (
                  <li key={a.txHash}>
                    {formatDate(a.timestamp)}:{" "}
                    {allocationSummary(
                      a.recipients.map((r, i) => ({ recipient: r, bps: a.bps[i] })),
                      a.creatorShareBps,
                    )}
                  </li>
                ))}
              </ul>
            </Card>
            <Card title="Revenue per bucket (ETH)">
              <table>
                <caption className="sr-only">Revenue credited per bucket</caption>
                <thead>
                  <tr>
                    <th scope="col">Bucket</th>
                    <th scope="col" className="right">
                      Credited
                    </th>
                    <th scope="col" className="right">
                      Withdrawn
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.revenueByBucket.nodes
                    .filter((b) => /^0x0{40}$/.test(b.token))
                    .map((b) => (
                      <tr key={b.account}>
                        <td>{addressLabel(b.account)}</td>
                        <td className="num right">{formatEth(BigInt(b.credited))}</td>
                        <td className="num right">{formatEth(BigInt(b.withdrawn))}</td>
                      </tr>
                    ))}
                  {data.revenueByToken.nodes
                    .filter((t) => /^0x0{40}$/.test(t.token))
                    .map((t) => (
                      <tr key="creators">
                        <td>creators</td>
                        <td className="num right">{formatEth(BigInt(t.creatorCredited))}</td>
                        <td />
                      </tr>
                    ))}
                </tbody>
              </table>
            </Card>
          </div>
          <Card title="Top delegates">
            <ol>
              {data.delegates.nodes.map((d) => (
                <li key={d.address}>
                  <AddressText address={d.address} /> ·{" "}
                  <span className="num">{formatAmount(BigInt(d.votes), 2)}</span> votes ·{" "}
                  {d.delegators} delegators
                </li>
              ))}
            </ol>
          </Card>
        </>
      )}
    </>
  );
}
