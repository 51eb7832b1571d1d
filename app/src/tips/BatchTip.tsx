import { useState } from "react";
import { config } from "../config";
import { useAgoraRead, useAgoraWrite } from "../shared/contracts";
import { formatEth, parseAmount } from "../shared/format";
import { useApi } from "../shared/queries";
import { Card, ConfirmButton, TxStatus } from "../shared/ui";
import { useViewer } from "../wallet/viewer";
import { TipSummary } from "./TipForm";
import { ProfilesByHandle } from "./queries";

interface Row {
  handle: string;
  amount: string;
}

const clean = (handle: string) => handle.trim().replace(/^@/, "").toLowerCase();

/** Several ETH tips, to several creators, in one transaction (`tipETHBatch`). */
export function BatchTip() {
  const { address } = useViewer();
  const [rows, setRows] = useState<Row[]>([
    { handle: "", amount: "0.01" },
    { handle: "", amount: "0.01" },
  ]);
  const [message, setMessage] = useState("");
  const write = useAgoraWrite("TipJar");
  const feeBps = useAgoraRead({ contract: "TipJar", functionName: "feeBps" });
  const handles = rows.map((r) => clean(r.handle)).filter((h) => h.length >= 3);
  const found = useApi(ProfilesByHandle, { handles }, { enabled: handles.length > 0 });
  if (!address) return null;
  const idOf = new Map(found.data?.profiles.nodes.map((p) => [p.handle, p.id]));
  const tips = rows.map((row) => ({
    handle: clean(row.handle),
    id: idOf.get(clean(row.handle)),
    amount: parseAmount(row.amount),
  }));
  const problem = tips.some((t) => !t.handle)
    ? "Give every row a handle."
    : tips.some((t) => !t.id)
      ? `No profile has the handle @${tips.find((t) => !t.id)!.handle}.`
      : tips.some((t) => !t.amount)
        ? "Give every row an amount above zero."
        : null;
  const total = tips.reduce((sum, t) => sum + (t.amount ?? 0n), 0n);
  const update = (index: number, change: Partial<Row>) =>
    setRows(rows.map((row, i) => (i === index ? { ...row, ...change } : row)));
  const args = [
    tips.map((t) => ({ profileId: BigInt(t.id ?? 0), postId: 0n, amount: t.amount ?? 0n })),
    message,
  ] as const;
  return (
    <Card title="Tip several creators at once">
      <form className="batch-tip" onSubmit={(event) => event.preventDefault()}>
        {rows.map((row, index) => (
          <div className="fields" key={index}>
            <label htmlFor={`batch-${index}-handle`}>
              Creator {index + 1}
              <input
                id={`batch-${index}-handle`}
                placeholder="@handle"
                value={row.handle}
                onChange={(e) => update(index, { handle: e.target.value })}
              />
            </label>
            <label htmlFor={`batch-${index}-amount`}>
              ETH
              <input
                id={`batch-${index}-amount`}
                inputMode="decimal"
                value={row.amount}
                onChange={(e) => update(index, { amount: e.target.value })}
              />
            </label>
          </div>
        ))}
        <div className="row start">
          <button
            type="button"
            className="secondary"
            onClick={() => setRows([...rows, { handle: "", amount: "0.01" }])}
          >
            Add a creator
          </button>
          {rows.length > 1 && (
            <button type="button" className="secondary" onClick={() => setRows(rows.slice(0, -1))}>
              Remove the last
            </button>
          )}
        </div>
        <label htmlFor="batch-message">Message (to all)</label>
        <input id="batch-message" value={message} onChange={(e) => setMessage(e.target.value)} />
        {problem && rows.some((r) => r.handle) && <p className="error small">{problem}</p>}
        <ConfirmButton
          label={`Tip ${rows.length} creators`}
          disabled={!!problem || write.busy}
          summary={
            <>
              {tips.map((t, index) => (
                <TipSummary
                  key={index}
                  amount={t.amount ?? 0n}
                  unit="ETH"
                  feeBps={feeBps.data}
                  handle={t.handle}
                  post={false}
                  how=""
                />
              ))}
              <p>
                One transaction sends {formatEth(total)} in all
                {config.referrer ? ", naming this app as referrer" : ""}. Plus gas.
              </p>
            </>
          }
          onConfirm={() =>
            void (
              config.referrer
                ? write.send({
                    functionName: "tipETHBatchWithReferrer",
                    args: [...args, config.referrer],
                    value: total,
                  })
                : write.send({ functionName: "tipETHBatch", args: [...args], value: total })
            ).then((receipt) => receipt && setMessage(""))
          }
        />
        <TxStatus state={write.state} />
      </form>
    </Card>
  );
}
