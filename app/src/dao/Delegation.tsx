import { useState } from "react";
import { getAddress, isAddress, type Address } from "viem";
import { useAgoraRead, useAgoraWrite } from "../shared/contracts";
import { formatAmount } from "../shared/format";
import { ApiError } from "../shared/graphql";
import { useApi } from "../shared/queries";
import { AddressText, ConfirmButton, TxStatus } from "../shared/ui";
import { ProfileOfHandle } from "./queries";
import { useViewer } from "../wallet/viewer";

/** Voting power and delegation of the connected wallet (votes count only once delegated). */
export function Delegation() {
  const { address } = useViewer();
  const [target, setTarget] = useState("");
  const write = useAgoraWrite("GovernanceToken");
  const zero = "0x0000000000000000000000000000000000000000" as Address;
  const balance = useAgoraRead({
    contract: "GovernanceToken",
    functionName: "balanceOf",
    args: [address ?? zero],
    enabled: !!address,
  });
  const votes = useAgoraRead({
    contract: "GovernanceToken",
    functionName: "getVotes",
    args: [address ?? zero],
    enabled: !!address,
  });
  const delegate = useAgoraRead({
    contract: "GovernanceToken",
    functionName: "delegates",
    args: [address ?? zero],
    enabled: !!address,
  });
  const typed = target.trim().replace(/^@/, "");
  const byHandle = typed !== "" && !isAddress(typed);
  const found = useApi(
    ProfileOfHandle,
    { handle: typed },
    { enabled: byHandle && typed.length >= 3 },
  );
  if (!address) return <p className="muted">Connect a wallet to see your voting power.</p>;
  // The owner of the handle typed now, not of one typed before (the lookup keeps the last answer).
  const resolved: Address | null = !byHandle
    ? typed === ""
      ? null
      : (typed as Address)
    : found.data && !found.isPlaceholderData
      ? getAddress(found.data.profile.owner)
      : null;
  const problem =
    byHandle && found.error && !found.isFetching
      ? found.error instanceof ApiError
        ? found.error.message
        : String(found.error)
      : null;
  const power = balance.data !== undefined ? `${formatAmount(balance.data)} AGORA` : "your AGORA";
  const summary = (to: Address, who: string) => (
    <p>
      Delegates the voting power of {power} to {who} (<span className="mono">{to}</span>), in place
      of {delegate.data && delegate.data !== zero ? "your current delegate" : "nobody"}. The tokens
      stay in your wallet; you can delegate elsewhere at any time. Votes already cast on open
      proposals keep their snapshot weight. Cost: gas only, no fee, no value sent.
    </p>
  );
  const delegateTo = async (to: Address) => {
    const receipt = await write.send({ functionName: "delegate", args: [to] });
    if (receipt) {
      setTarget("");
      await Promise.all([votes.refetch(), delegate.refetch()]);
    }
  };
  return (
    <div className="delegation">
      <dl className="kpis">
        <div>
          <dt>Your AGORA</dt>
          <dd className="num">{balance.data !== undefined ? formatAmount(balance.data) : "…"}</dd>
        </div>
        <div>
          <dt>Your voting power</dt>
          <dd className="num" data-testid="voting-power">
            {votes.data !== undefined ? formatAmount(votes.data) : "…"}
          </dd>
        </div>
        <div>
          <dt>Delegated to</dt>
          <dd data-testid="delegate">
            {delegate.data === undefined ? (
              "…"
            ) : delegate.data === zero ? (
              "nobody: your tokens do not vote"
            ) : delegate.data.toLowerCase() === address.toLowerCase() ? (
              "yourself"
            ) : (
              <AddressText address={delegate.data} />
            )}
          </dd>
        </div>
      </dl>
      <div className="row start wrap">
        <ConfirmButton
          label="Delegate to myself"
          disabled={write.busy}
          summary={summary(address, "yourself")}
          onConfirm={() => void delegateTo(address)}
        />
        <form className="row start" onSubmit={(event) => event.preventDefault()}>
          <label htmlFor="delegate-to" className="sr-only">
            Delegate to an address or @handle
          </label>
          <input
            id="delegate-to"
            placeholder="0x… or @handle"
            value={target}
            onChange={(e) => setTarget(e.target.value)}
          />
          <ConfirmButton
            label="Delegate"
            className="secondary"
            disabled={write.busy || !resolved}
            summary={resolved && summary(resolved, byHandle ? `@${typed}` : "this address")}
            onConfirm={() => resolved && void delegateTo(resolved)}
          />
        </form>
      </div>
      {problem && <p className="error small">{problem}</p>}
      <TxStatus state={write.state} />
    </div>
  );
}
