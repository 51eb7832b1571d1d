import { useState } from "react";
import { isAddress, type Address } from "viem";
import { RECOVERY_DELAY_SECONDS } from "../../../sdk/handles";
import { decodeMetadata, metadataUri } from "../shared/content";
import { useAgoraRead, useAgoraWrite } from "../shared/contracts";
import { formatBps, formatDate, formatEth, parseAmount } from "../shared/format";
import { useApi } from "../shared/queries";
import { Link } from "../shared/router";
import { useChainNow } from "../shared/time";
import { Card, ConfirmButton, TxStatus } from "../shared/ui";
import { useViewer } from "../wallet/viewer";
import { ChangeHandle, OfferTransfer } from "./OwnerActions";
import { ProfilePage as ProfileQuery } from "./queries";

const GAS_ONLY = "Cost: gas only, no fee, no value sent.";

function EditMetadata({
  profileId,
  handle,
  uri,
}: {
  profileId: string;
  handle: string;
  uri: string;
}) {
  const current = decodeMetadata(uri);
  const [displayName, setDisplayName] = useState(current.displayName ?? "");
  const [bio, setBio] = useState(current.bio ?? "");
  const write = useAgoraWrite("ProfileRegistry");
  return (
    <form onSubmit={(event) => event.preventDefault()}>
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
      <ConfirmButton
        label="Save profile"
        disabled={write.busy}
        summary={
          <p>
            Sets the profile of @{handle}: display name “{displayName || "(none)"}”, bio “
            {bio || "(none)"}”{current.avatar ? ", the avatar unchanged" : ""}. Profile details are
            public on chain, and earlier versions stay in its history. {GAS_ONLY}
          </p>
        }
        onConfirm={() =>
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
          })
        }
      />
      <TxStatus state={write.state} />
    </form>
  );
}

function Recovery({ profileId, handle }: { profileId: string; handle: string }) {
  const recovery = useAgoraRead({
    contract: "ProfileRegistry",
    functionName: "recoveryOf",
    args: [BigInt(profileId)],
  });
  const [current, next, changeAt] = recovery.data ?? [undefined, undefined, 0n];
  const [address, setAddress] = useState("");
  const write = useAgoraWrite("ProfileRegistry");
  const valid = isAddress(address.trim());
  const inForce = !!current && !/^0x0{40}$/.test(current);
  return (
    <form onSubmit={(event) => event.preventDefault()}>
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
      <ConfirmButton
        label="Set recovery address"
        disabled={!valid || write.busy}
        summary={
          <p>
            Names <span className="mono">{address.trim()}</span> as the recovery address of @
            {handle}: it may take the profile over (with its posts, followers and coin) if this
            wallet is lost.{" "}
            {inForce
              ? `The address in force now (${current}) stays in force for ${RECOVERY_DELAY_SECONDS / 86_400} days; the new one applies after that.`
              : "With no recovery address in force, it applies at once."}{" "}
            {GAS_ONLY}
          </p>
        }
        onConfirm={() =>
          void write
            .send({
              functionName: "setRecovery",
              args: [BigInt(profileId), address.trim() as Address],
            })
            .then(async (receipt) => {
              if (receipt) {
                setAddress("");
                await recovery.refetch();
              }
            })
        }
      />
      <TxStatus state={write.state} />
    </form>
  );
}

function LaunchCoin({ profileId, handle }: { profileId: string; handle: string }) {
  const now = useChainNow();
  const protocolFee = useAgoraRead({
    contract: "CreatorCoinFactory",
    functionName: "protocolFeeBps",
  });
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
  const deadline = BigInt(now + 1200);
  return (
    <form onSubmit={(event) => event.preventDefault()}>
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
      <ConfirmButton
        label="Launch my coin"
        disabled={!!problem || write.busy}
        summary={
          <>
            <p>
              Launches the creator coin of @{handle}. Every trade of it pays you a creator fee of{" "}
              {formatBps(Math.round(fee * 100))} of the ETH traded, and the DAO a protocol fee of{" "}
              {protocolFee.data !== undefined ? formatBps(protocolFee.data) : "…"}. The creator fee
              cannot be changed later.
            </p>
            <p>
              {value
                ? `Your first buy: ${formatEth(value, 6)} sent with the launch, fees included, for the coins the curve gives at launch; the coins go to this wallet.`
                : "No first buy: no value is sent."}{" "}
              The launch expires at {formatDate(deadline)} (20 minutes of chain time). Plus gas.
            </p>
          </>
        }
        onConfirm={() =>
          void write.send({
            functionName: "launch",
            args: [BigInt(profileId), BigInt(Math.round(fee * 100)), 0n, deadline],
            value: value ?? 0n,
          })
        }
      />
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
        <EditMetadata profileId={profile.id} handle={profile.handle} uri={profile.metadataUri} />
      </Card>
      <Card title="Earnings">
        <p>
          Creator fees, tip credits and referrer fees: <Link to="/earnings">your earnings</Link>.
        </p>
      </Card>
      <Card title="Handle">
        <ChangeHandle profileId={profile.id} handle={profile.handle} />
      </Card>
      <Card title="Recovery">
        <Recovery profileId={profile.id} handle={profile.handle} />
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
          <LaunchCoin profileId={profile.id} handle={profile.handle} />
        )}
      </Card>
    </>
  );
}

/** An address, or "none" for the zero address. */
function shownAddress(address: string | undefined): string {
  return address && !/^0x0{40}$/.test(address) ? address : "none";
}
