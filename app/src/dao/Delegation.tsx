import { useState } from "react";
import { isAddress, type Address } from "viem";
import { useAgoraRead, useAgoraWrite } from "../shared/contracts";
import { formatAmount } from "../shared/format";
import { ApiError, request } from "../shared/graphql";
import { AddressText, TxStatus } from "../shared/ui";
import { ProfileOfHandle } from "./queries";
import { useViewer } from "../wallet/viewer";

/** Voting power and delegation of the connected wallet (votes count only once delegated). */
export function Delegation() {
  const { address } = useViewer();
  const [target, setTarget] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
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
  if (!address) return <p className="muted">Connect a wallet to see your voting power.</p>;
  const delegateTo = async (to: Address) => {
    const receipt = await write.send({ functionName: "delegate", args: [to] });
    if (receipt) {
      setTarget("");
      await Promise.all([votes.refetch(), delegate.refetch()]);
    }
  };
  const resolve = async (): Promise<Address | null> => {
    const text = target.trim().replace(/^@/, "");
    if (isAddress(text)) return text;
    try {
      return (await request(ProfileOfHandle, { handle: text })).profile.owner as Address;
    } catch (error) {
      setProblem(error instanceof ApiError ? error.message : String(error));
      return null;
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
        <button type="button" disabled={write.busy} onClick={() => void delegateTo(address)}>
          Delegate to myself
        </button>
        <form
          className="row start"
          onSubmit={async (event) => {
            event.preventDefault();
            setProblem(null);
            const to = await resolve();
            if (to) await delegateTo(to);
          }}
        >
          <label htmlFor="delegate-to" className="sr-only">
            Delegate to an address or @handle
          </label>
          <input
            id="delegate-to"
            placeholder="0x… or @handle"
            value={target}
            onChange={(e) => setTarget(e.target.value)}
          />
          <button type="submit" className="secondary" disabled={write.busy || target.trim() === ""}>
            Delegate
          </button>
        </form>
      </div>
      {problem && <p className="error small">{problem}</p>}
      <TxStatus state={write.state} />
    </div>
  );
}
