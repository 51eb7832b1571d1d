import { useState } from "react";
import { isAddress, zeroAddress, type Address } from "viem";
import { HANDLE_COOLDOWN_SECONDS, OFFER_EXPIRY_NEVER } from "../../../sdk/handles";
import { useAgoraRead, useAgoraWrite } from "../shared/contracts";
import { formatDate } from "../shared/format";
import { useApi } from "../shared/queries";
import { navigate } from "../shared/router";
import { useChainNow } from "../shared/time";
import { AddressText, ConfirmButton, TxStatus } from "../shared/ui";
import { useViewer } from "../wallet/viewer";
import { HandleHistory, HandleTaken } from "./queries";
import { HandleField, useHandleCheck } from "./HandleField";

const COOLDOWN_DAYS = HANDLE_COOLDOWN_SECONDS / 86_400;
const GAS_ONLY = "Cost: gas only, no fee, no value sent.";

/** A new handle, its rules checked as it is typed; the old one stays reserved for a while. */
export function ChangeHandle({ profileId, handle }: { profileId: string; handle: string }) {
  const [next, setNext] = useState("");
  const write = useAgoraWrite("ProfileRegistry");
  const now = useChainNow();
  const check = useHandleCheck(
    next,
    { id: profileId, handle },
    `3-25 characters of a-z, 0-9 and _. @${handle} stays reserved for you for ${COOLDOWN_DAYS} days after a change; then anyone may take it.`,
  );
  const history = useApi(HandleHistory, { id: profileId });
  // Handles this profile gave up that no one else may claim yet (a later change away from the
  // same handle decides: the newest first).
  const seen = new Set<string>([handle]);
  const reserved = (history.data?.profile.handleHistory.nodes ?? []).filter((change) => {
    if (seen.has(change.oldHandle)) return false;
    seen.add(change.oldHandle);
    return BigInt(change.oldHandleFreeAt) > BigInt(now);
  });
  return (
    <form onSubmit={(event) => event.preventDefault()}>
      <p className="small">
        The registry lets a profile change its handle at any time. A handle given up stays reserved
        for its profile for {COOLDOWN_DAYS} days: only it may take it back until then.
      </p>
      {reserved.length > 0 && (
        <ul className="small" data-testid="reserved-handles">
          {reserved.map((change) => (
            <li key={change.oldHandle}>
              @{change.oldHandle} stays yours until {formatDate(change.oldHandleFreeAt)}
            </li>
          ))}
        </ul>
      )}
      <HandleField
        id="new-handle"
        label="New handle"
        value={next}
        onChange={setNext}
        check={check}
      />
      <ConfirmButton
        label={`Change to @${next || "…"}`}
        disabled={!check.ok || write.busy}
        summary={
          <p>
            Renames @{handle} to @{next}. Links to @{handle} stop working; @{handle} stays reserved
            for your profile for {COOLDOWN_DAYS} days, then anyone may register it. {GAS_ONLY}
          </p>
        }
        onConfirm={() =>
          void write
            .send({ functionName: "changeHandle", args: [BigInt(profileId), next] })
            .then((receipt) => receipt && navigate(`/u/${next}`))
        }
      />
      <TxStatus state={write.state} />
    </form>
  );
}

/** Offers the profile to another address, which accepts it; or withdraws the offer. */
export function OfferTransfer({ profileId, handle }: { profileId: string; handle: string }) {
  const now = useChainNow();
  const offer = useAgoraRead({
    contract: "ProfileRegistry",
    functionName: "transferOfferOf",
    args: [BigInt(profileId)],
  });
  const [to, setTo] = useState("");
  const [days, setDays] = useState("7");
  const write = useAgoraWrite("ProfileRegistry");
  const [offeredTo, acceptableAt, expiresAt] = offer.data ?? [zeroAddress, 0n, 0n];
  const valid = isAddress(to.trim());
  const dayCount = Number(days);
  const validDays = Number.isInteger(dayCount) && dayCount >= 0;
  const expiry = dayCount === 0 ? OFFER_EXPIRY_NEVER : BigInt(now + dayCount * 86_400);
  return (
    <form onSubmit={(event) => event.preventDefault()}>
      {offeredTo !== zeroAddress ? (
        <div className="small" data-offer={offeredTo.toLowerCase()}>
          Offered to <AddressText address={offeredTo} />
          {expiresAt === OFFER_EXPIRY_NEVER ? " without expiry" : ` until ${formatDate(expiresAt)}`}
          {acceptableAt > BigInt(now) && `, acceptable from ${formatDate(acceptableAt)}`}.{" "}
          <ConfirmButton
            label="Withdraw the offer"
            className="secondary"
            disabled={write.busy}
            summary={
              <p>
                Withdraws the offer of @{handle}. {GAS_ONLY}
              </p>
            }
            onConfirm={() =>
              void write.send({
                functionName: "offerTransfer",
                args: [BigInt(profileId), zeroAddress, 0n],
              })
            }
          />
        </div>
      ) : (
        <p className="muted small">No transfer offered.</p>
      )}
      <label htmlFor="transfer-to">Offer @{handle} to (address)</label>
      <input
        id="transfer-to"
        placeholder="0x…"
        value={to}
        onChange={(e) => setTo(e.target.value)}
      />
      <label htmlFor="transfer-days">Days to accept (0: no expiry)</label>
      <input
        id="transfer-days"
        inputMode="numeric"
        value={days}
        onChange={(e) => setDays(e.target.value)}
      />
      <ConfirmButton
        label="Offer the profile"
        disabled={!valid || !validDays || write.busy}
        summary={
          <p>
            Offers @{handle} (profile #{profileId}) with its posts, followers and coin to{" "}
            <span className="mono">{to.trim()}</span>
            {dayCount === 0 ? ", without expiry" : `, until ${formatDate(expiry)}`}. Once it
            accepts, that address owns the profile and this wallet no longer does. {GAS_ONLY}
          </p>
        }
        onConfirm={() =>
          void write
            .send({
              functionName: "offerTransfer",
              args: [BigInt(profileId), to.trim() as Address, expiry],
            })
            .then(async (receipt) => {
              if (receipt) {
                setTo("");
                await offer.refetch();
              }
            })
        }
      />
      <TxStatus state={write.state} />
    </form>
  );
}

/** Accepts a profile someone offered to the connected address. */
export function AcceptTransfer() {
  const { address } = useViewer();
  const now = useChainNow();
  const [handle, setHandle] = useState("");
  const clean = handle.trim().replace(/^@/, "");
  const found = useApi(HandleTaken, { handle: clean }, { enabled: clean.length >= 3 });
  const id = clean.length >= 3 ? found.data?.profiles.nodes[0]?.id : undefined;
  const offer = useAgoraRead({
    contract: "ProfileRegistry",
    functionName: "transferOfferOf",
    args: [BigInt(id ?? 0)],
    enabled: !!id,
  });
  const write = useAgoraWrite("ProfileRegistry");
  const [to, acceptableAt, expiresAt] = offer.data ?? [zeroAddress, 0n, 0n];
  const forMe = !!address && to.toLowerCase() === address.toLowerCase();
  const early = acceptableAt > BigInt(now);
  return (
    <form onSubmit={(event) => event.preventDefault()}>
      <label htmlFor="accept-handle">Handle offered to you</label>
      <input
        id="accept-handle"
        placeholder="@handle"
        value={handle}
        onChange={(e) => setHandle(e.target.value)}
      />
      {id && offer.data && (
        <p className={forMe ? "small" : "muted small"}>
          {forMe
            ? `@${clean} is offered to you${expiresAt === OFFER_EXPIRY_NEVER ? "" : ` until ${formatDate(expiresAt)}`}${early ? `; you can accept from ${formatDate(acceptableAt)}` : ""}.`
            : `@${clean} is not offered to this wallet.`}
        </p>
      )}
      <ConfirmButton
        label={`Accept @${clean || "…"}`}
        disabled={!forMe || early || write.busy}
        summary={
          <p>
            Makes this wallet the owner of @{clean} (profile #{id}), with its posts, followers and
            coin. A wallet owns one profile. {GAS_ONLY}
          </p>
        }
        onConfirm={() =>
          void write
            .send({ functionName: "acceptTransfer", args: [BigInt(id!)] })
            .then((receipt) => receipt && navigate(`/u/${clean}`))
        }
      />
      <TxStatus state={write.state} />
    </form>
  );
}
