import { useState } from "react";
import { isAddress, type Address } from "viem";
import { decodeMetadata, metadataUri } from "../shared/content";
import { useAgoraRead, useAgoraWrite } from "../shared/contracts";
import { parseAmount } from "../shared/format";
import { useApi } from "../shared/queries";
import { Link } from "../shared/router";
import { useChainNow } from "../shared/time";
import { Card, TxStatus } from "../shared/ui";
import { useViewer } from "../wallet/viewer";
import { ChangeHandle, Earnings, OfferTransfer } from "./OwnerActions";
import { ProfilePage as ProfileQuery } from "./queries";

function EditMetadata({ profileId, uri }: { profileId: string; uri: string }) {
  const current = decodeMetadata(uri);
  const [displayName, setDisplayName] = useState(current.displayName ?? "");
  const [bio, setBio] = useState(current.bio ?? "");
  const write = useAgoraWrite("ProfileRegistry");
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        void write.send({
          functionName: "setMetadataURI",
          args: [
            BigInt(profileId),
            metadataUri({
              ...current,
              displayName: displayName || undefined,
              bio: bio || undefined,
            }),
          ],
        });
      }}
    >
      <label htmlFor="edit-name">Display name</label>
      <input
        id="edit-name"
        value={displayName}
        maxLength={80}
        onChange={(e) => setDisplayName(e.target.value)}
      />
      <label htmlFor="edit-bio">Bio</label>
      <textarea
        id="edit-bio"
        rows={3}
        maxLength={500}
        value={bio}
        onChange={(e) => setBio(e.target.value)}
      />
      <button type="submit" disabled={write.busy}>
        Save profile
      </button>
      <TxStatus state={write.state} />
    </form>
  );
}

function Recovery({ profileId }: { profileId: string }) {
  const recovery = useAgoraRead({
    contract: "ProfileRegistry",
    functionName: "recoveryOf",
    args: [BigInt(profileId)],
  });
  const [current, next, changeAt] = recovery.data ?? [undefined, undefined, 0n];
  const [address, setAddress] = useState("");
  const write = useAgoraWrite("ProfileRegistry");
  const valid = isAddress(address.trim());
  return (
    <form
      onSubmit={async (event) => {
        event.preventDefault();
        if (
          await write.send({
            functionName: "setRecovery",
            args: [BigInt(profileId), address.trim() as Address],
          })
        ) {
          setAddress("");
          await recovery.refetch();
        }
      }}
    >
      <p className="small">
        Recovery address now: <span className="mono">{shownAddress(current)}</span>
        {changeAt > 0n ? (
          <>
            {" "}
            (changes to <span className="mono">{shownAddress(next)}</span> on{" "}
            {new Date(Number(changeAt) * 1000).toLocaleString()}; until then the current address can
            still recover the profile)
          </>
        ) : null}
      </p>
      <label htmlFor="recovery">New recovery address</label>
      <input
        id="recovery"
        placeholder="0x…"
        value={address}
        onChange={(e) => setAddress(e.target.value)}
      />
      <button type="submit" disabled={!valid || write.busy}>
        Set recovery address
      </button>
      <TxStatus state={write.state} />
    </form>
  );
}

function LaunchCoin({ profileId }: { profileId: string }) {
  const now = useChainNow();
  const [feePercent, setFeePercent] = useState("5");
  const [initialBuy, setInitialBuy] = useState("0.01");
  const write = useAgoraWrite("CreatorCoinFactory");
  const fee = Number(feePercent);
  const value = parseAmount(initialBuy || "0");
  const problem =
    !Number.isFinite(fee) || fee < 0 || fee > 10
      ? "The creator fee is 0% to 10%."
      : value === null
        ? "Enter the first buy in ETH (0 for none)."
        : null;
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        void write.send({
          functionName: "launch",
          args: [BigInt(profileId), BigInt(Math.round(fee * 100)), 0n, BigInt(now + 1200)],
          value: value ?? 0n,
        });
      }}
    >
      <label htmlFor="creator-fee">Creator fee on each trade (%)</label>
      <input
        id="creator-fee"
        inputMode="decimal"
        value={feePercent}
        onChange={(e) => setFeePercent(e.target.value)}
      />
      <label htmlFor="initial-buy">Your first buy (ETH), before anyone else can</label>
      <input
        id="initial-buy"
        inputMode="decimal"
        value={initialBuy}
        onChange={(e) => setInitialBuy(e.target.value)}
      />
      {problem && <p className="error small">{problem}</p>}
      <button type="submit" disabled={!!problem || write.busy}>
        Launch my coin
      </button>
      <TxStatus state={write.state} />
    </form>
  );
}

export function SettingsPage() {
  const { profile, address } = useViewer();
  const { data } = useApi(ProfileQuery, { handle: profile?.handle ?? "" }, { enabled: !!profile });
  if (!address) return <p className="muted">Connect a wallet to manage your profile.</p>;
  if (!profile)
    return (
      <p>
        <Link to="/register">Register a handle</Link> first.
      </p>
    );
  return (
    <>
      <h1>Your profile</h1>
      <Card title="Profile">
        <EditMetadata profileId={profile.id} uri={profile.metadataUri} />
      </Card>
      <Card title="Earnings">
        <Earnings
          profileId={profile.id}
          coin={(data?.profile.coin?.address as Address | undefined) ?? null}
        />
      </Card>
      <Card title="Handle">
        <ChangeHandle profileId={profile.id} handle={profile.handle} />
      </Card>
      <Card title="Recovery">
        <Recovery profileId={profile.id} />
      </Card>
      <Card title="Transfer">
        <OfferTransfer profileId={profile.id} handle={profile.handle} />
      </Card>
      <Card title="Creator coin">
        {data?.profile.coin ? (
          <p>
            Your coin:{" "}
            <Link to={`/coin/${data.profile.coin.address}`}>${data.profile.coin.symbol}</Link>
          </p>
        ) : (
          <LaunchCoin profileId={profile.id} />
        )}
      </Card>
    </>
  );
}

/** An address, or "none" for the zero address. */
function shownAddress(address: string | undefined): string {
  return address && !/^0x0{40}$/.test(address) ? address : "none";
}
