import { useEffect } from "react";
import { zeroAddress, type Address } from "viem";
import { config } from "../config";
import { useAgoraRead, useAgoraWrite } from "../shared/contracts";
import { formatAmount, formatEth } from "../shared/format";
import { useApi, useApiPages } from "../shared/queries";
import { Link } from "../shared/router";
import { useToken } from "../shared/token";
import { AddressText, Card, ConfirmButton, ErrorNote, Loading, TxStatus } from "../shared/ui";
import { ProfilePage as ProfileQuery } from "../profile/queries";
import { useViewer } from "../wallet/viewer";
import { REFERRER_COINS_PAGE, ReferrerCoins, ReferrerEarnings } from "./queries";

const count = (n: number, what: string) =>
  `${n.toLocaleString("en-US")} ${what}${n === 1 ? "" : "s"}`;

/** One balance the connected wallet may withdraw, and its confirmation. */
export function Withdraw({
  what,
  amount,
  unit = "ETH",
  decimals = 18,
  from,
  recipient,
  busy,
  onConfirm,
}: {
  what: string;
  amount: bigint | undefined;
  unit?: string;
  /** The token's decimals (18 for ETH). */
  decimals?: number;
  /** Who pays it out, in words ("the $ALICE coin", "the tip jar"). */
  from?: string;
  recipient: Address;
  busy: boolean;
  onConfirm: () => void;
}) {
  const shown = (value: bigint) => `${formatAmount(value, 6, decimals)} ${unit}`;
  // "Creator fees" → "creator fees"; a coin's symbol keeps its case.
  const lower = what.charAt(0).toLowerCase() + what.slice(1);
  return (
    <div className="row start withdraw" data-withdraw={what}>
      <span>
        {what}: <strong className="num">{amount === undefined ? "…" : shown(amount)}</strong>
      </span>
      <ConfirmButton
        label={`Withdraw ${lower}`}
        className="secondary"
        disabled={!amount || busy}
        summary={
          <p>
            Sends {shown(amount ?? 0n)} of {lower}
            {from ? `, which ${from} holds for you,` : ""} to your wallet{" "}
            <span className="mono">{recipient}</span>. No fee is taken; you pay the gas.
          </p>
        }
        onConfirm={onConfirm}
      />
    </div>
  );
}

/** What the connected profile earned and not yet took: its coin's creator fees, tip credits. */
function ProfileEarnings({ profileId, coin }: { profileId: string; coin: Address | null }) {
  const { address } = useViewer();
  const coinWrite = useAgoraWrite("CreatorCoin");
  const tipWrite = useAgoraWrite("TipJar");
  const creatorFees = useAgoraRead({
    contract: "CreatorCoin",
    address: coin ?? undefined,
    functionName: "creatorFeesOwed",
    enabled: !!coin,
  });
  const tipCredits = useAgoraRead({
    contract: "TipJar",
    functionName: "claimable",
    args: [BigInt(profileId)],
  });
  if (!address) return null;
  return (
    <>
      {coin && (
        <Withdraw
          what="Creator fees"
          amount={creatorFees.data}
          from="your coin"
          recipient={address}
          busy={coinWrite.busy}
          onConfirm={() =>
            void coinWrite
              .send({ functionName: "withdrawCreatorFees", args: [address], address: coin })
              .then(() => creatorFees.refetch())
          }
        />
      )}
      <TxStatus state={coinWrite.state} />
      <Withdraw
        what="Tip credits"
        amount={tipCredits.data}
        from="the tip jar"
        recipient={address}
        busy={tipWrite.busy}
        onConfirm={() =>
          void tipWrite
            .send({ functionName: "claim", args: [BigInt(profileId), address] })
            .then(() => tipCredits.refetch())
        }
      />
      <TxStatus state={tipWrite.state} />
      <p className="muted small">
        Creator fees are your share of every trade of your coin; tip credits are ETH tips your
        wallet could not receive when they were sent.
      </p>
    </>
  );
}

/** What one coin owes the referrer (`referrerFeesOwed`), withdrawn with `withdrawReferrerFees`. */
function CoinReferrerFees({
  coin,
  symbol,
  referrer,
}: {
  coin: Address;
  symbol: string;
  referrer: Address;
}) {
  const write = useAgoraWrite("CreatorCoin");
  const owed = useAgoraRead({
    contract: "CreatorCoin",
    address: coin,
    functionName: "referrerFeesOwed",
    args: [referrer],
  });
  return (
    <li data-referrer-coin={coin.toLowerCase()}>
      <Withdraw
        what={`Referrer fees from $${symbol}`}
        amount={owed.data}
        from={`the $${symbol} coin (${coin})`}
        recipient={referrer}
        busy={write.busy}
        onConfirm={() =>
          void write
            .send({ functionName: "withdrawReferrerFees", args: [referrer], address: coin })
            .then(() => owed.refetch())
        }
      />
      <TxStatus state={write.state} />
    </li>
  );
}

/** What the tip jar holds for the referrer in one token (`referrerBalanceOf`). */
function TipJarReferrerFees({ token, referrer }: { token: Address; referrer: Address }) {
  const write = useAgoraWrite("TipJar");
  const eth = token === zeroAddress;
  const { info } = useToken(token);
  const balance = useAgoraRead({
    contract: "TipJar",
    functionName: "referrerBalanceOf",
    args: [token, referrer],
  });
  return (
    <li data-referrer-token={token.toLowerCase()}>
      <Withdraw
        what={`Referrer fees from ${eth ? "ETH" : (info?.symbol ?? "token")} tips`}
        amount={info ? balance.data : undefined}
        unit={info?.symbol ?? "tokens"}
        decimals={info?.decimals}
        from={eth ? "the tip jar" : `the tip jar (token ${token})`}
        recipient={referrer}
        busy={write.busy}
        onConfirm={() =>
          void write
            .send({ functionName: "withdrawReferrerFees", args: [token, referrer] })
            .then(() => balance.refetch())
        }
      />
      <TxStatus state={write.state} />
    </li>
  );
}

/**
 * What the connected address earned as a referrer (an app that names itself in the trades and
 * tips it sends): per coin, what that coin owes it; per token, what the tip jar holds for it.
 */
function ReferrerEarningsCard({ referrer }: { referrer: Address }) {
  const { data, error } = useApi(ReferrerEarnings, { referrer: referrer.toLowerCase() });
  const pages = useApiPages(ReferrerCoins, { referrer: referrer.toLowerCase() }, (page) => ({
    hasNextPage: page.referrerCoins.length === REFERRER_COINS_PAGE,
    endCursor: page.referrerCoins.at(-1)?.coin.address ?? null,
  }));
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = pages;
  // Every page, one after the other: the list is every coin that owes this referrer.
  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);
  if (error || pages.error) return <ErrorNote error={(error ?? pages.error)!} />;
  if (!data || !pages.data) return <Loading what="referrer earnings" />;
  const coins = new Map<string, string>();
  for (const page of pages.data.pages)
    for (const { coin } of page.referrerCoins) coins.set(coin.address.toLowerCase(), coin.symbol);
  const tipTokens = data.referrerEarnings.filter((e) => e.tipCount > 0).map((e) => e.token);
  if (config.referrer?.toLowerCase() === referrer.toLowerCase() && !tipTokens.includes(zeroAddress))
    tipTokens.unshift(zeroAddress);
  const eth = data.referrerEarnings.find((e) => e.token === zeroAddress);
  if (coins.size === 0 && tipTokens.length === 0)
    return (
      <p className="muted">
        This address has referred no trades or tips. An app that names it as referrer (
        <code>AGORA_APP_REFERRER</code>) earns a governed share of the protocol fee on them.
      </p>
    );
  return (
    <>
      {eth && (
        <p className="small" data-testid="referrer-totals">
          Earned in ETH: {formatEth(BigInt(eth.tradeFees), 6)} from {count(eth.tradeCount, "trade")}{" "}
          and {formatEth(BigInt(eth.tipFees), 6)} from {count(eth.tipCount, "tip")}; withdrawn so
          far {formatEth(BigInt(eth.withdrawn), 6)}.
        </p>
      )}
      {coins.size > 0 && (
        <>
          <h3>Coins</h3>
          <ul className="plain">
            {[...coins].map(([coin, symbol]) => (
              <CoinReferrerFees
                key={coin}
                coin={coin as Address}
                symbol={symbol}
                referrer={referrer}
              />
            ))}
          </ul>
          {hasNextPage && <Loading what="more coins" />}
        </>
      )}
      {tipTokens.length > 0 && (
        <>
          <h3>Tip jar</h3>
          <ul className="plain">
            {tipTokens.map((token) => (
              <TipJarReferrerFees key={token} token={token as Address} referrer={referrer} />
            ))}
          </ul>
        </>
      )}
      <p className="muted small">
        A referrer&apos;s share is taken from the protocol fee, never from what traders and tippers
        pay or creators receive. Each coin keeps what it owes you; withdraw from each.
      </p>
    </>
  );
}

/** The connected wallet's earnings: as a creator (its profile) and as a referrer. */
export function EarningsPage() {
  const { profile, address } = useViewer();
  const { data } = useApi(ProfileQuery, { handle: profile?.handle ?? "" }, { enabled: !!profile });
  if (!address) return <p className="muted">Connect a wallet to see your earnings.</p>;
  return (
    <>
      <h1>Earnings</h1>
      {profile ? (
        <Card title="As a creator">
          <ProfileEarnings
            profileId={profile.id}
            coin={(data?.profile.coin?.address as Address | undefined) ?? null}
          />
        </Card>
      ) : (
        <p className="muted">
          <Link to="/register">Register a handle</Link> to earn creator fees and tips.
        </p>
      )}
      <Card title="As a referrer">
        <p className="small">
          Referrer earnings of <AddressText address={address} />
        </p>
        <ReferrerEarningsCard referrer={address} />
      </Card>
    </>
  );
}
