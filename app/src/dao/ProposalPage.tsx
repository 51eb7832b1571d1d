import { cleanText } from "../shared/content";
import { useState } from "react";
import { keccak256, toBytes, type Address, type Hex } from "viem";
import { useAgoraRead, useAgoraWrite } from "../shared/contracts";
import { formatAmount, formatDate, percent } from "../shared/format";
import { useApi } from "../shared/queries";
import { useChainNow } from "../shared/time";
import { AddressText, Card, ConfirmButton, ErrorNote, Loading, TxStatus } from "../shared/ui";
import { useViewer } from "../wallet/viewer";
import { decodeAction, GOVERNOR_STATES, proposalTitle } from "./decode";
import { ProposalQuery } from "./queries";

const SUPPORT = ["Against", "For", "Abstain"];

function Tally({ label, votes, total }: { label: string; votes: bigint; total: bigint }) {
  return (
    <div className="tally">
      <div className="row">
        <span>{label}</span>
        <span className="num">
          {formatAmount(votes, 2)} ({percent(votes, total)})
        </span>
      </div>
      <div className="bar" role="presentation">
        <span className={`fill ${label.toLowerCase()}`} style={{ width: percent(votes, total) }} />
      </div>
    </div>
  );
}

/**
 * One proposal: its decoded actions, tallies against the quorum, the vote form (with a reason),
 * and queue and execute once due. The state is read from the governor itself, so it moves with
 * the chain's clock even while no event is indexed.
 */
export function ProposalPage({ id }: { id: string }) {
  const { address } = useViewer();
  const now = useChainNow();
  const [support, setSupport] = useState(1);
  const [reason, setReason] = useState("");
  const { data, error, isLoading } = useApi(ProposalQuery, { id });
  const state = useAgoraRead({
    contract: "AgoraGovernor",
    functionName: "state",
    args: [BigInt(id)],
  });
  const zero = "0x0000000000000000000000000000000000000000" as Address;
  const hasVoted = useAgoraRead({
    contract: "AgoraGovernor",
    functionName: "hasVoted",
    args: [BigInt(id), address ?? zero],
    enabled: !!address,
  });
  const snapshotVotes = useAgoraRead({
    contract: "AgoraGovernor",
    functionName: "getVotes",
    args: [address ?? zero, BigInt(data?.proposal.voteStart ?? 0)],
    enabled: !!address && !!data && BigInt(data.proposal.voteStart) < BigInt(now),
  });
  const vote = useAgoraWrite("AgoraGovernor");
  const lifecycle = useAgoraWrite("AgoraGovernor");
  if (error) return <ErrorNote error={error} />;
  if (isLoading || !data) return <Loading what="the proposal" />;
  const p = data.proposal;
  const stateName = state.data !== undefined ? GOVERNOR_STATES[state.data] : p.state;
  const forVotes = BigInt(p.forVotes);
  const against = BigInt(p.againstVotes);
  const abstain = BigInt(p.abstainVotes);
  const total = forVotes + against + abstain;
  const quorum = BigInt(p.quorum);
  const args = [
    p.targets as Address[],
    p.values.map(BigInt),
    p.calldatas as Hex[],
    keccak256(toBytes(p.description)),
  ] as const;
  const refresh = () => Promise.all([state.refetch(), hasVoted.refetch()]);
  const title = proposalTitle(p.description);
  const actions = p.targets.map((target, i) => {
    const action = decodeAction(target, p.calldatas[i]);
    return `${action.summary}${action.known ? "" : " (unknown target)"}${
      p.values[i] !== "0" ? ` with ${formatAmount(BigInt(p.values[i]))} ETH` : ""
    }`;
  });
  const actionList = (
    <ol className="small">
      {actions.map((action, i) => (
        <li key={i}>{action}</li>
      ))}
    </ol>
  );
  const voteReason = cleanText(reason.trim());
  return (
    <>
      <p className="muted small">Proposal {p.id.slice(0, 10)}…</p>
      <h1>{proposalTitle(p.description)}</h1>
      <p>
        <span className={`badge state-${stateName.toLowerCase()}`} data-testid="proposal-state">
          {stateName}
        </span>{" "}
        <span className="muted small">
          by <AddressText address={p.proposer} /> · voting {formatDate(p.voteStart)} →{" "}
          {formatDate(p.voteEnd)}
          {p.eta && ` · executable after ${formatDate(p.eta)}`}
        </span>
      </p>
      <Card title="Actions">
        <ol>
          {p.targets.map((target, i) => {
            const action = decodeAction(target, p.calldatas[i]);
            return (
              <li key={i} className={action.known ? "" : "error"}>
                {action.summary}
                {!action.known && " (unknown target: check before voting)"}
                {p.values[i] !== "0" && ` with ${formatAmount(BigInt(p.values[i]))} ETH`}
              </li>
            );
          })}
        </ol>
        {p.description.includes("\n") && (
          <p className="pre">{p.description.split("\n").slice(1).join("\n").trim()}</p>
        )}
      </Card>
      <Card title="Votes">
        <Tally label="For" votes={forVotes} total={total} />
        <Tally label="Against" votes={against} total={total} />
        <Tally label="Abstain" votes={abstain} total={total} />
        <p className="small">
          Quorum: {formatAmount(forVotes + abstain, 2)} of {formatAmount(quorum, 2)} needed (for +
          abstain) {forVotes + abstain >= quorum ? "· reached" : "· not reached yet"}
        </p>
        {stateName === "Active" && address && (
          <form className="vote-form" onSubmit={(event) => event.preventDefault()}>
            <fieldset>
              <legend>
                Your vote{" "}
                {snapshotVotes.data !== undefined &&
                  `(${formatAmount(snapshotVotes.data, 2)} votes at the snapshot)`}
              </legend>
              {[1, 0, 2].map((s) => (
                <label key={s} className="radio">
                  <input
                    type="radio"
                    name="support"
                    value={s}
                    checked={support === s}
                    onChange={() => setSupport(s)}
                  />
                  {SUPPORT[s]}
                </label>
              ))}
            </fieldset>
            <label htmlFor="vote-reason">Reason (optional)</label>
            <textarea
              id="vote-reason"
              rows={2}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
            />
            {hasVoted.data ? (
              <button type="button" disabled>
                You have voted
              </button>
            ) : (
              <ConfirmButton
                label="Cast vote"
                disabled={vote.busy || hasVoted.data === undefined}
                summary={
                  <>
                    <p>
                      Votes <strong>{SUPPORT[support]}</strong> on “{title}” with{" "}
                      {snapshotVotes.data !== undefined
                        ? `${formatAmount(snapshotVotes.data, 2)} votes (your voting power at the snapshot)`
                        : "your voting power at the snapshot"}
                      {voteReason ? `, giving the reason “${voteReason}”` : ", without a reason"}.
                      The vote and the reason are public and final: a vote cannot be changed. Cost:
                      gas only, no fee, no value sent.
                    </p>
                    <p>If it passes, the proposal will:</p>
                    {actionList}
                  </>
                }
                onConfirm={() =>
                  void vote
                    .send({
                      functionName: "castVoteWithReason",
                      args: [BigInt(id), support, reason],
                    })
                    .then(async (receipt) => {
                      if (receipt) {
                        setReason("");
                        await refresh();
                      }
                    })
                }
              />
            )}
            <TxStatus state={vote.state} />
          </form>
        )}
        {stateName === "Succeeded" && (
          <ConfirmButton
            label="Queue for execution"
            disabled={lifecycle.busy}
            summary={
              <>
                <p>
                  Queues “{title}” in the timelock; once its delay has passed, anyone may execute
                  these actions:
                </p>
                {actionList}
                <p>Cost: gas only, no fee, no value sent.</p>
              </>
            }
            onConfirm={() =>
              void lifecycle.send({ functionName: "queue", args }).then(async (receipt) => {
                if (receipt) await refresh();
              })
            }
          />
        )}
        {stateName === "Queued" && (
          <ConfirmButton
            label="Execute"
            disabled={lifecycle.busy}
            summary={
              <>
                <p>Executes “{title}”: the timelock carries out, in order:</p>
                {actionList}
                <p>
                  The value of the actions comes from the timelock, not from you. Cost: gas only.
                </p>
              </>
            }
            onConfirm={() =>
              void lifecycle.send({ functionName: "execute", args }).then(async (receipt) => {
                if (receipt) await refresh();
              })
            }
          />
        )}
        <TxStatus state={lifecycle.state} />
        <table>
          <caption className="sr-only">Votes cast</caption>
          <thead>
            <tr>
              <th scope="col">Voter</th>
              <th scope="col">Vote</th>
              <th scope="col" className="right">
                Weight
              </th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {p.votes.nodes.map((v) => (
              <tr key={v.voter}>
                <td>
                  <AddressText address={v.voter} />
                </td>
                <td>{SUPPORT[v.support]}</td>
                <td className="num right">{formatAmount(BigInt(v.weight), 2)}</td>
                <td>{cleanText(v.reason)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
    </>
  );
}
