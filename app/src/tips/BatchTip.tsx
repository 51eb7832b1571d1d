import { useState } from "react";
import { isAddress, zeroAddress, type Address } from "viem";
import { config } from "../config";
import { useAgoraRead, useAgoraWrite } from "../shared/contracts";
import { formatAmount, parseAmount } from "../shared/format";
import { useApi } from "../shared/queries";
import { useToken } from "../shared/token";
import { Card, ConfirmButton, TxStatus } from "../shared/ui";
import { Portfolio } from "../coin/queries";
import { useViewer } from "../wallet/viewer";
import { TipSummary } from "./TipForm";
import { ProfilesByHandle } from "./queries";

interface Row {
  handle: string;
  amount: string;
}

const ETH = "eth";
const clean = (handle: string) => handle.trim().replace(/^@/, "").toLowerCase();

/**
 * Several tips, to several creators, in one transaction: in ETH (`tipETHBatch`) or in one token
 * (`tipTokenBatch`: a creator coin the wallet holds, or any ERC-20, in the token's own
 * decimals). The tip jar has no batch
 * with a permit, so a token batch first approves the tip jar for exactly its total.
 */
export function BatchTip() {
  const { address } = useViewer();
  const [rows, setRows] = useState<Row[]>([
    { handle: "", amount: "0.01" },
    { handle: "", amount: "0.01" },
  ]);
  const [message, setMessage] = useState("");
  const [token, setToken] = useState<string>(ETH);
  const [customToken, setCustomToken] = useState("");
  const write = useAgoraWrite("TipJar");
  const approve = useAgoraWrite("CreatorCoin");
  const feeBps = useAgoraRead({ contract: "TipJar", functionName: "feeBps" });
  const handles = rows.map((r) => clean(r.handle)).filter((h) => h.length >= 3);
  const found = useApi(ProfilesByHandle, { handles }, { enabled: handles.length > 0 });
  const holdings = useApi(
    Portfolio,
    { address: address?.toLowerCase() ?? "" },
    { enabled: !!address },
  );
  const isToken = token !== ETH;
  const tokenAddress = (token === "custom" ? customToken : token) as Address;
  const validToken = !isToken || isAddress(tokenAddress);
  const tokenInfo = useToken(isToken ? tokenAddress : zeroAddress);
  const allowance = useAgoraRead({
    contract: "CreatorCoin",
    address: isToken && validToken ? tokenAddress : undefined,
    functionName: "allowance",
    args: [
      address ?? "0x0000000000000000000000000000000000000000",
      config.contracts.TipJar.address,
    ],
    enabled: !!address && isToken && validToken,
  });
  const tokenBalance = useAgoraRead({
    contract: "CreatorCoin",
    address: isToken && validToken ? tokenAddress : undefined,
    functionName: "balanceOf",
    args: [address ?? "0x0000000000000000000000000000000000000000"],
    enabled: !!address && isToken && validToken,
  });
  if (!address) return null;
  const unit = tokenInfo.info?.symbol ?? "tokens";
  const decimals = tokenInfo.info?.decimals;
  const format = (value: bigint) => formatAmount(value, 4, decimals);
  const idOf = new Map(found.data?.profiles.nodes.map((p) => [p.handle, p.id]));
  const tips = rows.map((row) => ({
    handle: clean(row.handle),
    id: idOf.get(clean(row.handle)),
    amount: decimals === undefined ? null : parseAmount(row.amount, decimals),
  }));
  const total = tips.reduce((sum, t) => sum + (t.amount ?? 0n), 0n);
  const problem = tips.some((t) => !t.handle)
    ? "Give every row a handle."
    : tips.some((t) => !t.id)
      ? `No profile has the handle @${tips.find((t) => !t.id)!.handle}.`
      : !validToken
        ? "Enter the token's address (0x…)."
        : tokenInfo.failed
          ? "No ERC-20 answers at this address: it has no decimals()."
          : decimals === undefined
            ? "Reading the token's decimals…"
            : tips.some((t) => !t.amount)
              ? `Give every row an amount above zero, with at most ${decimals} decimals.`
              : isToken && tokenBalance.data !== undefined && tokenBalance.data < total
                ? `You hold ${format(tokenBalance.data)} ${unit}; the tips add up to ${format(total)}.`
                : null;
  const update = (index: number, change: Partial<Row>) =>
    setRows(rows.map((row, i) => (i === index ? { ...row, ...change } : row)));
  const list = tips.map((t) => ({
    profileId: BigInt(t.id ?? 0),
    postId: 0n,
    amount: t.amount ?? 0n,
  }));
  const approved = (allowance.data ?? 0n) >= total;
  const how = !isToken
    ? `One transaction sends ${format(total)} ETH in all`
    : approved
      ? `One transaction sends ${format(total)} ${unit} in all: the tip jar already has your approval for that much`
      : `Two transactions: approve the tip jar for exactly ${format(total)} ${unit} (the total; the tip jar has no batch with a permit), then one transaction sends ${format(total)} ${unit} in all`;
  const referrer = config.referrer;
  const submit = async () => {
    let receipt;
    if (!isToken) {
      receipt = referrer
        ? await write.send({
            functionName: "tipETHBatchWithReferrer",
            args: [list, message, referrer],
            value: total,
          })
        : await write.send({ functionName: "tipETHBatch", args: [list, message], value: total });
    } else {
      if (!approved) {
        const done = await approve.send({
          functionName: "approve",
          address: tokenAddress,
          args: [config.contracts.TipJar.address, total],
        });
        if (!done) return;
      }
      receipt = referrer
        ? await write.send({
            functionName: "tipTokenBatchWithReferrer",
            args: [tokenAddress, list, message, referrer],
          })
        : await write.send({
            functionName: "tipTokenBatch",
            args: [tokenAddress, list, message],
          });
    }
    if (receipt) {
      setMessage("");
      await Promise.all([allowance.refetch(), tokenBalance.refetch()]);
    }
  };
  return (
    <Card title="Tip several creators at once">
      <form className="batch-tip" onSubmit={(event) => event.preventDefault()}>
        <div className="fields">
          <label htmlFor="batch-token">
            Currency
            <select id="batch-token" value={token} onChange={(e) => setToken(e.target.value)}>
              <option value={ETH}>ETH</option>
              {holdings.data?.portfolio.holdings.nodes.map((h) => (
                <option key={h.coin.address} value={h.coin.address}>
                  {h.coin.symbol} (you hold {formatAmount(BigInt(h.balance))})
                </option>
              ))}
              <option value="custom">Another token…</option>
            </select>
          </label>
          {token === "custom" && (
            <label htmlFor="batch-token-address">
              Token address
              <input
                id="batch-token-address"
                value={customToken}
                placeholder="0x…"
                onChange={(e) => setCustomToken(e.target.value.trim())}
              />
            </label>
          )}
        </div>
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
              {unit}
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
          disabled={!!problem || write.busy || approve.busy}
          summary={
            <>
              {tips.map((t, index) => (
                <TipSummary
                  key={index}
                  amount={t.amount ?? 0n}
                  unit={unit}
                  decimals={decimals}
                  feeBps={feeBps.data}
                  handle={t.handle}
                  post={false}
                  how=""
                  showReferrer={false}
                />
              ))}
              {isToken && (
                <p className="small">
                  Token: <span className="mono">{tokenAddress}</span>
                </p>
              )}
              <p>
                {how}
                {referrer
                  ? `, naming this app (${referrer}) as referrer: it earns a share of the protocol fee, not of your tips`
                  : ""}
                . Plus gas.
              </p>
            </>
          }
          onConfirm={() => void submit()}
        />
        <TxStatus state={approve.state} />
        <TxStatus state={write.state} />
      </form>
    </Card>
  );
}
