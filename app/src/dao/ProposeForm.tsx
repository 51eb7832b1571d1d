import { useState } from "react";
import { encodeFunctionData, isAddress, type Address } from "viem";
import { config } from "../config";
import { ABIS } from "../contracts";
import { useAgoraWrite } from "../shared/contracts";
import { navigate } from "../shared/router";
import { Card, ConfirmButton, TxStatus } from "../shared/ui";
import { allocationSummary } from "./decode";

interface BucketInput {
  recipient: string;
  percent: string;
}

const toBps = (text: string) => Math.round(Number(text) * 100);

/** Propose a new revenue allocation: buckets and a creator share that must add up to 100%. */
export function ProposeForm() {
  const [buckets, setBuckets] = useState<BucketInput[]>([
    { recipient: "", percent: "40" },
    { recipient: config.contracts.AgoraTimelock.address, percent: "30" },
  ]);
  const [creators, setCreators] = useState("30");
  const [title, setTitle] = useState("");
  const [details, setDetails] = useState("");
  const write = useAgoraWrite("AgoraGovernor");
  const numbers = [...buckets.map((b) => b.percent), creators];
  const badNumber = numbers.some((text) => !/^\d+(\.\d{1,2})?$/.test(text.trim()));
  const sum = numbers.reduce((total, text) => total + toBps(text), 0);
  const badRecipient = buckets.findIndex((b) => !isAddress(b.recipient.trim()));
  const problem = badNumber
    ? "Shares are percentages with at most two decimals."
    : sum !== 10_000
      ? `The shares add up to ${sum / 100}%; they must add up to exactly 100%.`
      : buckets.some((b) => toBps(b.percent) === 0)
        ? "Every bucket needs a share above zero."
        : badRecipient >= 0
          ? `Bucket ${badRecipient + 1} needs a recipient address (0x…).`
          : title.trim() === ""
            ? "Give the proposal a title."
            : null;
  const parsed = buckets.map((b) => ({
    recipient: b.recipient.trim() as Address,
    bps: toBps(b.percent),
  }));
  const submit = async () => {
    const targets = [config.contracts.RevenueSplit.address, config.contracts.TipJar.address];
    const calldatas = [
      encodeFunctionData({
        abi: ABIS.RevenueSplit,
        functionName: "setAllocation",
        args: [parsed, toBps(creators)],
      }),
      encodeFunctionData({ abi: ABIS.TipJar, functionName: "syncCreatorShare" }),
    ];
    const description = details.trim() ? `${title.trim()}\n\n${details.trim()}` : title.trim();
    const receipt = await write.send({
      functionName: "propose",
      args: [targets, [0n, 0n], calldatas, description],
    });
    if (receipt) navigate("/dao");
  };
  return (
    <Card title="Propose a revenue allocation">
      <form onSubmit={(event) => event.preventDefault()}>
        {buckets.map((bucket, i) => (
          <fieldset key={i} className="bucket">
            <legend>Bucket {i + 1}</legend>
            <label htmlFor={`bucket-${i}-recipient`}>Recipient</label>
            <input
              id={`bucket-${i}-recipient`}
              value={bucket.recipient}
              placeholder="0x…"
              onChange={(e) =>
                setBuckets(
                  buckets.map((b, j) => (j === i ? { ...b, recipient: e.target.value } : b)),
                )
              }
            />
            <label htmlFor={`bucket-${i}-percent`}>Share (%)</label>
            <input
              id={`bucket-${i}-percent`}
              inputMode="decimal"
              value={bucket.percent}
              onChange={(e) =>
                setBuckets(buckets.map((b, j) => (j === i ? { ...b, percent: e.target.value } : b)))
              }
            />
            {buckets.length > 1 && (
              <button
                type="button"
                className="small-button"
                onClick={() => setBuckets(buckets.filter((_, j) => j !== i))}
              >
                Remove bucket {i + 1}
              </button>
            )}
          </fieldset>
        ))}
        {buckets.length < 8 && (
          <button
            type="button"
            className="secondary"
            onClick={() => setBuckets([...buckets, { recipient: "", percent: "0" }])}
          >
            Add a bucket
          </button>
        )}
        <label htmlFor="creator-share">Creator share (%)</label>
        <input
          id="creator-share"
          inputMode="decimal"
          value={creators}
          onChange={(e) => setCreators(e.target.value)}
        />
        <p className={problem ? "error small" : "muted small"} aria-live="polite">
          {problem ?? `Sum 100%: ${allocationSummary(parsed, toBps(creators))}`}
        </p>
        <label htmlFor="proposal-title">Title</label>
        <input id="proposal-title" value={title} onChange={(e) => setTitle(e.target.value)} />
        <label htmlFor="proposal-details">Details</label>
        <textarea
          id="proposal-details"
          rows={4}
          value={details}
          onChange={(e) => setDetails(e.target.value)}
        />
        <ConfirmButton
          label="Submit proposal"
          disabled={!!problem || write.busy}
          summary={
            <>
              <p>
                Proposes “{title.trim()}” to the DAO, with two actions: RevenueSplit.setAllocation (
                {allocationSummary(parsed, toBps(creators))}), then TipJar.syncCreatorShare (the tip
                jar takes up the new creator share).
              </p>
              <p>
                Proposing needs the governor&apos;s proposal threshold of votes delegated to this
                wallet. Voting opens after the voting delay; if it passes, the timelock executes it
                after its delay. Cost: gas only, no fee, no value sent.
              </p>
            </>
          }
          onConfirm={() => void submit()}
        />
        <TxStatus state={write.state} />
      </form>
    </Card>
  );
}
