import { useState, type ReactNode } from "react";
import { decodeMetadata } from "./content";
import { formatEth, shortAddress } from "./format";
import { Link } from "./router";
import type { TxState } from "./contracts";
import type { HiddenProfile } from "../feed/queries";

/** A profile's avatar: its metadata image when it is a data: image, else its initials. */
export function Avatar({
  handle,
  metadataUri,
  size = 40,
}: {
  handle: string;
  metadataUri?: string;
  size?: number;
}) {
  const { avatar } = decodeMetadata(metadataUri ?? "");
  if (avatar) return <img className="avatar" src={avatar} alt="" width={size} height={size} />;
  let hue = 0;
  for (const c of handle) hue = (hue * 31 + c.charCodeAt(0)) % 360;
  return (
    <span
      className="avatar"
      aria-hidden="true"
      style={{ width: size, height: size, background: `hsl(${hue} 45% 32%)`, fontSize: size / 2.4 }}
    >
      {handle.slice(0, 1).toUpperCase()}
    </span>
  );
}

export function ProfileLink({ handle }: { handle: string }) {
  return (
    <Link to={`/u/${handle}`} className="handle">
      @{handle}
    </Link>
  );
}

export function DisplayName({ handle, metadataUri }: { handle: string; metadataUri: string }) {
  const { displayName } = decodeMetadata(metadataUri);
  return (
    <span className="who">
      <strong>{displayName ?? handle}</strong> <ProfileLink handle={handle} />
    </span>
  );
}

export function AddressText({ address }: { address: string }) {
  return (
    <span className="mono" title={address}>
      {shortAddress(address)}
    </span>
  );
}

export function Eth({ wei }: { wei: bigint | string }) {
  return <span className="num">{formatEth(BigInt(wei))}</span>;
}

export function Spinner() {
  return <span className="spinner" aria-hidden="true" />;
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status">
      <Spinner /> Loading {what}…
    </p>
  );
}

export function ErrorNote({ error }: { error: unknown }) {
  return (
    <p className="error" role="alert">
      {error instanceof Error ? error.message : String(error)}
    </p>
  );
}

export function Card({
  children,
  title,
  className,
}: {
  children: ReactNode;
  title?: string;
  className?: string;
}) {
  return (
    <section className={`card ${className ?? ""}`} aria-label={title}>
      {title && <h2>{title}</h2>}
      {children}
    </section>
  );
}

const LABELS: Record<TxState["status"], string> = {
  idle: "",
  checking: "Checking…",
  signing: "Waiting for your signature…",
  pending: "Pending: waiting for the block…",
  indexing: "Confirmed on chain; updating…",
  confirmed: "Confirmed",
  failed: "Failed",
};

/** The state of a transaction: signing, pending, confirmed or failed with the reason. */
export function TxStatus({ state }: { state: TxState }) {
  if (state.status === "idle") return null;
  const hash = "hash" in state ? state.hash : undefined;
  return (
    <div
      className={`tx tx-${state.status}`}
      role="status"
      aria-live="polite"
      data-tx-status={state.status}
    >
      <span>
        {["checking", "signing", "pending", "indexing"].includes(state.status) && <Spinner />}{" "}
        {LABELS[state.status]}
        {state.status === "failed" && `: ${state.error.message}`}
      </span>
      {state.status === "failed" && state.error.error && (
        <span className="muted small"> ({state.error.error})</span>
      )}
      {hash && <span className="mono small"> tx {shortAddress(hash)}</span>}
    </div>
  );
}

/**
 * A transaction's button that first says what the transaction does (what, to whom, amount and
 * fee) and asks again; only "Confirm and sign" goes on to the wallet. `children`, when given,
 * is what the button shows instead of its label (a count beside it, say); `pressed` makes it a
 * toggle button (`aria-pressed`).
 */
export function ConfirmButton({
  label,
  summary,
  onConfirm,
  disabled,
  className,
  children,
  pressed,
}: {
  label: string;
  summary: ReactNode;
  onConfirm: () => void;
  disabled?: boolean;
  className?: string;
  children?: ReactNode;
  pressed?: boolean;
}) {
  const [open, setOpen] = useState(false);
  if (!open)
    return (
      <button
        type="button"
        className={className}
        disabled={disabled}
        aria-pressed={pressed}
        onClick={() => setOpen(true)}
      >
        {children ?? label}
      </button>
    );
  return (
    <div className="confirm" role="group" aria-label={`Confirm: ${label}`}>
      <div className="confirm-summary">{summary}</div>
      <div className="row start">
        <button
          type="button"
          className="confirm-sign"
          disabled={disabled}
          onClick={() => {
            setOpen(false);
            onConfirm();
          }}
        >
          Confirm and sign
        </button>
        <button type="button" className="secondary" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </div>
  );
}

/** Why a viewer's moderation hid a profile, in words. */
export function hiddenWhy(hidden: HiddenProfile): string {
  switch (hidden.reason) {
    case "BLOCKED":
      return `you blocked @${hidden.profile.handle}`;
    case "BLOCKED_BY":
      return `@${hidden.profile.handle} blocked you`;
    case "MUTED":
      return `you muted @${hidden.profile.handle}`;
    case "LIST":
      return `@${hidden.profile.handle} is on list #${hidden.listId ?? "?"} you subscribe to`;
  }
}

/** What a page left out for the viewer, and why (the API's `hidden` field). */
export function HiddenNote({ hidden, what }: { hidden: HiddenProfile[]; what: string }) {
  if (hidden.length === 0) return null;
  const count = hidden.reduce((sum, h) => sum + h.count, 0);
  return (
    <p className="muted small hidden-note" data-hidden-count={count}>
      {count} {what} hidden by your moderation: {hidden.map(hiddenWhy).join("; ")}.{" "}
      <Link to="/moderation">Manage</Link>
    </p>
  );
}
