import { useState } from "react";
import { isAddress, zeroAddress, type Address } from "viem";
import { config } from "../config";
import { useAgoraRead, useAgoraWrite } from "../shared/contracts";
import { explainError } from "../shared/errors";
import { formatAmount, formatBps, parseAmount } from "../shared/format";
import { useApi } from "../shared/queries";
import { useToken } from "../shared/token";
import { ConfirmButton, TxStatus } from "../shared/ui";
import { Portfolio } from "../coin/queries";
import { useViewer } from "../wallet/viewer";

const ETH = "eth";
const MAX_MESSAGE_BYTES = 280;

/**
 * Tips a profile (or one of its posts) in ETH or in a token: the creator coins the wallet
 * holds, or any ERC-20 by address, in the token's own decimals (read from it). A token tip first
 * approves the tip jar for the amount. What was typed stays until the tip is confirmed.
 */
export function TipForm({
  profileId,
  postId,
  handle,
}: {
  profileId: string;
  postId?: string;
  handle: string;
}) {
  const { address } = useViewer();
  const [token, setToken] = useState<string>(ETH);
  const [customToken, setCustomToken] = useState("");
  const [amountText, setAmountText] = useState("0.01");
  const [message, setMessage] = useState("");
  const approve = useAgoraWrite("CreatorCoin");
  const tip = useAgoraWrite("TipJar");
  const [signError, setSignError] = useState<string | null>(null);
  const feeBps = useAgoraRead({ contract: "TipJar", functionName: "feeBps" });
  const holdings = useApi(
    Portfolio,
    { address: address?.toLowerCase() ?? "" },
    { enabled: !!address },
  );
  const tokenAddress = (token === "custom" ? customToken : token) as Address;
  const isToken = token !== ETH;
  const validToken = !isToken || isAddress(tokenAddress);
  const tokenInfo = useToken(isToken ? tokenAddress : zeroAddress);
  const allowance = useAgoraRead({
    contract: "CreatorCoin",
    address: validToken && isToken ? tokenAddress : undefined,
    functionName: "allowance",
    args: [
      address ?? "0x0000000000000000000000000000000000000000",
      config.contracts.TipJar.address,
    ],
    enabled: !!address && isToken && validToken,
  });
  if (!address) return <p className="muted">Connect a wallet to tip.</p>;
  const held = holdings.data?.portfolio.holdings.nodes.find(
    (h) => h.coin.address.toLowerCase() === tokenAddress.toLowerCase(),
  );
  /** Creator coins are EIP-2612 tokens: tip them with a permit in one transaction. */
  const withPermit = isToken && !!held;
  const decimals = tokenInfo.info?.decimals;
  const amount = decimals === undefined ? null : parseAmount(amountText, decimals);
  const messageBytes = new TextEncoder().encode(message).length;
  const invalid = !validToken
    ? "Enter the token's address (0x…)."
    : tokenInfo.failed
      ? "No ERC-20 answers at this address: it has no decimals()."
      : decimals === undefined
        ? "Reading the token's decimals…"
        : amount === null || amount === 0n
          ? `Enter an amount above zero, with at most ${decimals} decimals.`
          : messageBytes > MAX_MESSAGE_BYTES
            ? `The message is ${messageBytes} bytes; keep it under ${MAX_MESSAGE_BYTES}.`
            : null;
  const id = `tip-${postId ?? profileId}`;
  const submit = async () => {
    if (amount === null) return;
    let receipt;
    const referrer = config.referrer;
    if (!isToken && referrer) {
      receipt = postId
        ? await tip.send({
            functionName: "tipPostETHWithReferrer",
            args: [BigInt(postId), message, referrer],
            value: amount,
          })
        : await tip.send({
            functionName: "tipETHWithReferrer",
            args: [BigInt(profileId), message, referrer],
            value: amount,
          });
    } else if (!isToken) {
      receipt = postId
        ? await tip.send({
            functionName: "tipPostETH",
            args: [BigInt(postId), message],
            value: amount,
          })
        : await tip.send({
            functionName: "tipETH",
            args: [BigInt(profileId), message],
            value: amount,
          });
    } else if (withPermit && (allowance.data ?? 0n) < amount) {
      setSignError(null);
      let permit;
      try {
        // Loaded when needed: signature parsing brings secp256k1, kept out of the first load.
        const { signTipPermit } = await import("./permit");
        permit = await signTipPermit(address, tokenAddress, amount);
      } catch (error) {
        setSignError(explainError(error).message);
        return;
      }
      receipt = await tip.send({
        functionName: "tipTokenWithPermit",
        args: [
          BigInt(profileId),
          BigInt(postId ?? 0),
          tokenAddress,
          amount,
          message,
          referrer ?? zeroAddress,
          permit.deadline,
          permit.v,
          permit.r,
          permit.s,
        ],
      });
    } else {
      if ((allowance.data ?? 0n) < amount) {
        const approved = await approve.send({
          functionName: "approve",
          address: tokenAddress,
          args: [config.contracts.TipJar.address, amount],
        });
        if (!approved) return;
      }
      if (referrer) {
        receipt = postId
          ? await tip.send({
              functionName: "tipPostTokenWithReferrer",
              args: [BigInt(postId), tokenAddress, amount, message, referrer],
            })
          : await tip.send({
              functionName: "tipTokenWithReferrer",
              args: [BigInt(profileId), tokenAddress, amount, message, referrer],
            });
      } else {
        receipt = postId
          ? await tip.send({
              functionName: "tipPostToken",
              args: [BigInt(postId), tokenAddress, amount, message],
            })
          : await tip.send({
              functionName: "tipToken",
              args: [BigInt(profileId), tokenAddress, amount, message],
            });
      }
    }
    if (receipt) setMessage("");
  };
  return (
    <form
      className="tip-form"
      aria-label={`Tip @${handle}`}
      onSubmit={(event) => event.preventDefault()}
    >
      <div className="fields">
        <label htmlFor={`${id}-token`}>
          Currency
          <select
            id={`${id}-token`}
            value={token}
            onChange={(event) => setToken(event.target.value)}
          >
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
          <label htmlFor={`${id}-address`}>
            Token address
            <input
              id={`${id}-address`}
              value={customToken}
              onChange={(e) => setCustomToken(e.target.value.trim())}
              placeholder="0x…"
            />
          </label>
        )}
        <label htmlFor={`${id}-amount`}>
          Amount
          <input
            id={`${id}-amount`}
            inputMode="decimal"
            value={amountText}
            onChange={(e) => setAmountText(e.target.value)}
          />
        </label>
        <label htmlFor={`${id}-message`} className="grow">
          Message
          <input
            id={`${id}-message`}
            value={message}
            onChange={(e) => setMessage(e.target.value)}
            placeholder="Thanks!"
          />
        </label>
      </div>
      {invalid && amountText !== "" && <p className="error small">{invalid}</p>}
      <ConfirmButton
        label={`Tip @${handle}`}
        disabled={!!invalid || tip.busy || approve.busy}
        summary={
          amount !== null && (
            <TipSummary
              amount={amount}
              unit={tokenInfo.info?.symbol ?? "tokens"}
              decimals={decimals}
              feeBps={feeBps.data}
              handle={handle}
              post={!!postId}
              how={
                !isToken
                  ? "One transaction sends the ETH."
                  : (allowance.data ?? 0n) >= amount
                    ? "One transaction: the tip jar already has your approval for this amount."
                    : withPermit
                      ? "Your wallet signs a permit for exactly this amount (free), then one transaction sends the tip."
                      : "Two transactions: approve the tip jar for this amount, then the tip."
              }
            />
          )
        }
        onConfirm={() => void submit()}
      />
      {signError && (
        <p className="error" role="alert">
          {signError}
        </p>
      )}
      <TxStatus state={approve.state} />
      <TxStatus state={tip.state} />
    </form>
  );
}

/** What a tip sends, to whom, and the fee taken from it. */
export function TipSummary({
  amount,
  unit,
  feeBps,
  handle,
  post,
  how,
  showReferrer = true,
  decimals = 18,
}: {
  amount: bigint;
  unit: string;
  /** The token's decimals (18: ETH and creator coins). */
  decimals?: number;
  feeBps: number | undefined;
  handle: string;
  post: boolean;
  how: string;
  /** Whether to name this app's referrer (a batch names it once for all its tips). */
  showReferrer?: boolean;
}) {
  const fee = feeBps === undefined ? undefined : (amount * BigInt(feeBps)) / 10_000n;
  return (
    <>
      <p>
        Tips {formatAmount(amount, 4, decimals)} {unit} to @{handle}
        {post ? " for this post" : ""}.{" "}
        {fee === undefined
          ? "Reading the fee…"
          : `The protocol fee is ${formatBps(feeBps!)} (${formatAmount(fee, 4, decimals)} ${unit}), which goes to the DAO's revenue split (creators get their share of it back); @${handle} receives the rest.`}
      </p>
      {how && <p>{how} Plus gas.</p>}
      {showReferrer && config.referrer && (
        <p className="small">
          This app is named as the referrer ({config.referrer}): it earns a share of the protocol
          fee, not of your tip.
        </p>
      )}
    </>
  );
}
