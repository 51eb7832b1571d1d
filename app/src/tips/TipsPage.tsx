import { cleanText } from "../shared/content";
import { formatEth, timeAgo } from "../shared/format";
import { useApi } from "../shared/queries";
import { Link } from "../shared/router";
import { useChainNow } from "../shared/time";
import { TokenAmount } from "../shared/token";
import { AddressText, Avatar, Card, ErrorNote, Loading } from "../shared/ui";
import { useViewer } from "../wallet/viewer";
import { BatchTip } from "./BatchTip";
import { MyTips, TipLeaderboard, type TipData } from "./queries";

const ZERO = "0x0000000000000000000000000000000000000000";

function TipAmount({ tip }: { tip: TipData }) {
  return tip.token === ZERO ? (
    <span className="num">{formatEth(BigInt(tip.amount))}</span>
  ) : (
    <TokenAmount token={tip.token} amount={tip.amount} />
  );
}

function TipList({ tips, now }: { tips: TipData[]; now: number }) {
  if (tips.length === 0) return <p className="muted">None yet.</p>;
  return (
    <ul className="plain tips">
      {tips.map((tip) => (
        <li key={`${tip.txHash}-${tip.logIndex}`}>
          <AddressText address={tip.tipper} /> →{" "}
          <Link to={`/u/${tip.profile.handle}`}>@{tip.profile.handle}</Link>
          {tip.post && (
            <>
              {" "}
              (<Link to={`/post/${tip.post.id}`}>post</Link>)
            </>
          )}
          : <TipAmount tip={tip} />{" "}
          {tip.message && <span className="muted">“{cleanText(tip.message)}”</span>}{" "}
          <span className="muted small">{timeAgo(tip.timestamp, now)}</span>
        </li>
      ))}
    </ul>
  );
}

export function TipsPage() {
  const now = useChainNow();
  const { address, profile } = useViewer();
  const board = useApi(TipLeaderboard, {});
  const mine = useApi(
    MyTips,
    { address: address?.toLowerCase() ?? "", profileId: profile?.id ?? "0" },
    { enabled: !!address },
  );
  return (
    <>
      <h1>Tips</h1>
      {address && mine.data && (
        <div className="two-col">
          <Card title="Tips you sent">
            <TipList tips={mine.data.sent.nodes} now={now} />
          </Card>
          <Card title="Tips you received">
            {profile ? (
              <TipList tips={mine.data.received.nodes} now={now} />
            ) : (
              <p className="muted">Register a profile to receive tips.</p>
            )}
          </Card>
        </div>
      )}
      <BatchTip />
      {board.error && <ErrorNote error={board.error} />}
      {board.isLoading && <Loading what="tips" />}
      {board.data && (
        <div className="two-col">
          <Card title="Most tipped creators (ETH)">
            <ol className="board">
              {board.data.topTippedProfiles.nodes.map((row) => (
                <li key={row.profile.id} className="row start">
                  <Avatar
                    handle={row.profile.handle}
                    metadataUri={row.profile.metadataUri}
                    size={28}
                  />
                  <Link to={`/u/${row.profile.handle}`}>@{row.profile.handle}</Link>
                  <span className="num">{formatEth(BigInt(row.amount))}</span>
                  <span className="muted small">
                    {row.count} tips from {row.tippers}
                  </span>
                </li>
              ))}
            </ol>
          </Card>
          <Card title="Latest tips">
            <TipList tips={board.data.tips.nodes} now={now} />
          </Card>
        </div>
      )}
    </>
  );
}
