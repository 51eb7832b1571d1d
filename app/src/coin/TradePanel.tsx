import { useState } from "react";
import type { Address } from "viem";
import {
  QuoteError,
  quoteBuyExactIn,
  quoteSellExactIn,
  type CoinState,
  type Quote,
} from "../../../sdk/curve";
import { config } from "../config";
import { useAgoraRead, useAgoraWrite } from "../shared/contracts";
import { formatAmount, formatBps, formatDate, formatEth, parseAmount } from "../shared/format";
import { useChainNow } from "../shared/time";
import { AddressText, ConfirmButton, TxStatus } from "../shared/ui";
import { useViewer } from "../wallet/viewer";

const BPS = 10_000n;

/** Spot price in wei per whole coin at supply `s` (price(S) = S^2 / 16000 ETH). */
function spotPrice(s: bigint): bigint {
  return (s * s) / (16_000n * 10n ** 18n);
}

/**
 * Buy or sell a creator coin. The quote is computed with sdk/curve.ts from the coin's supply
 * and fee rates read from the chain: the same code the tests hold to the contract's wei.
 * Slippage tolerance and deadline set the minimum out and the trade's expiry.
 */
export function TradePanel({ coin, symbol }: { coin: Address; symbol: string }) {
  const { address } = useViewer();
  const now = useChainNow();
  const [side, setSide] = useState<"buy" | "sell">("buy");
  const [amountText, setAmountText] = useState("0.01");
  const [slippageText, setSlippageText] = useState("1");
  const [deadlineMinutes, setDeadlineMinutes] = useState("20");
  const supply = useAgoraRead({
    contract: "CreatorCoin",
    address: coin,
    functionName: "totalSupply",
  });
  const protocolFee = useAgoraRead({
    contract: "CreatorCoin",
    address: coin,
    functionName: "protocolFeeBps",
  });
  const creatorFee = useAgoraRead({
    contract: "CreatorCoin",
    address: coin,
    functionName: "creatorFeeBps",
  });
  const referrerShare = useAgoraRead({
    contract: "CreatorCoin",
    address: coin,
    functionName: "referrerShareBps",
    enabled: !!config.referrer,
  });
  const balance = useAgoraRead({
    contract: "CreatorCoin",
    address: coin,
    functionName: "balanceOf",
    args: [address ?? "0x0000000000000000000000000000000000000000"],
    enabled: !!address,
  });
  const write = useAgoraWrite("CreatorCoin");
  const amount = parseAmount(amountText);
  const slippage = Number(slippageText);
  const slippageBps =
    Number.isFinite(slippage) && slippage >= 0 && slippage <= 50
      ? BigInt(Math.round(slippage * 100))
      : null;
  const minutes = Number(deadlineMinutes);
  const state: CoinState | null =
    supply.data !== undefined && protocolFee.data !== undefined && creatorFee.data !== undefined
      ? {
          supply: supply.data,
          protocolFeeBps: protocolFee.data,
          creatorFeeBps: creatorFee.data,
          referrerShareBps: config.referrer ? referrerShare.data : undefined,
        }
      : null;
  let quote: Quote | null = null;
  let problem: string | null = null;
  if (amount === null) problem = "Enter an amount.";
  else if (slippageBps === null) problem = "Slippage tolerance is between 0 and 50%.";
  else if (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440)
    problem = "Deadline is 1 to 1440 minutes.";
  else if (side === "sell" && balance.data !== undefined && amount > balance.data)
    problem = `You hold ${formatAmount(balance.data)} ${symbol}.`;
  else if (state) {
    try {
      quote = side === "buy" ? quoteBuyExactIn(state, amount) : quoteSellExactIn(state, amount);
    } catch (error) {
      problem = error instanceof QuoteError ? explainQuote(error) : String(error);
    }
  }
  const minOut =
    quote && slippageBps !== null
      ? ((side === "buy" ? quote.coins : quote.eth) * (BPS - slippageBps)) / BPS
      : 0n;
  const priceAfter = quote && state ? spotPrice(state.supply + quote.supplyDelta) : null;
  const deadline = BigInt(now + (Number.isInteger(minutes) ? minutes : 0) * 60);
  const referrer = config.referrer;
  const submit = async () => {
    if (!quote || !address || amount === null) return;
    const receipt =
      side === "buy"
        ? referrer
          ? await write.send({
              functionName: "buyExactInWithReferrer",
              address: coin,
              args: [minOut, deadline, address, referrer],
              value: amount,
            })
          : await write.send({
              functionName: "buyExactIn",
              address: coin,
              args: [minOut, deadline, address],
              value: amount,
            })
        : referrer
          ? await write.send({
              functionName: "sellExactInWithReferrer",
              address: coin,
              args: [amount, minOut, deadline, address, referrer],
            })
          : await write.send({
              functionName: "sellExactIn",
              address: coin,
              args: [amount, minOut, deadline, address],
            });
    if (receipt) await balance.refetch();
  };
  return (
    <form
      className="trade"
      aria-label={`Trade ${symbol}`}
      onSubmit={(event) => event.preventDefault()}
    >
      <div className="tabs" role="tablist" aria-label="Side">
        <button
          role="tab"
          type="button"
          aria-selected={side === "buy"}
          onClick={() => setSide("buy")}
        >
          Buy
        </button>
        <button
          role="tab"
          type="button"
          aria-selected={side === "sell"}
          onClick={() => setSide("sell")}
        >
          Sell
        </button>
      </div>
      <label htmlFor="trade-amount">
        {side === "buy" ? "You pay (ETH)" : `You sell (${symbol})`}
      </label>
      <div className="row">
        <input
          id="trade-amount"
          inputMode="decimal"
          value={amountText}
          onChange={(e) => setAmountText(e.target.value)}
        />
        {side === "sell" && balance.data !== undefined && (
          <button
            type="button"
            className="small-button"
            onClick={() => setAmountText(formatAmountExact(balance.data!))}
          >
            Max
          </button>
        )}
      </div>
      {address && balance.data !== undefined && (
        <p className="muted small">
          You hold {formatAmount(balance.data)} {symbol}
        </p>
      )}
      <div className="fields">
        <label htmlFor="trade-slippage">
          Slippage tolerance (%)
          <input
            id="trade-slippage"
            inputMode="decimal"
            value={slippageText}
            onChange={(e) => setSlippageText(e.target.value)}
          />
        </label>
        <label htmlFor="trade-deadline">
          Deadline (minutes)
          <input
            id="trade-deadline"
            inputMode="numeric"
            value={deadlineMinutes}
            onChange={(e) => setDeadlineMinutes(e.target.value)}
          />
        </label>
      </div>
      {quote && (
        <dl className="quote-table" data-testid="quote">
          <dt>You receive</dt>
          <dd
            className="num"
            data-quote-out={side === "buy" ? quote.coins.toString() : quote.eth.toString()}
          >
            {side === "buy" ? `${formatAmount(quote.coins)} ${symbol}` : formatEth(quote.eth, 6)}
          </dd>
          <dt>Minimum received</dt>
          <dd className="num">
            {side === "buy" ? `${formatAmount(minOut)} ${symbol}` : formatEth(minOut, 6)}
          </dd>
          <dt>Protocol fee</dt>
          <dd className="num">{formatEth(quote.protocolFee, 6)}</dd>
          <dt>Creator fee</dt>
          <dd className="num">{formatEth(quote.creatorFee, 6)}</dd>
          {priceAfter !== null && (
            <>
              <dt>Price after</dt>
              <dd className="num">{formatEth(priceAfter, 6)}</dd>
            </>
          )}
        </dl>
      )}
      {problem && amountText !== "" && <p className="error small">{problem}</p>}
      {!address ? (
        <button type="button" disabled>
          Connect a wallet to trade
        </button>
      ) : (
        <ConfirmButton
          label={side === "buy" ? `Buy ${symbol}` : `Sell ${symbol}`}
          disabled={!quote || write.busy}
          summary={
            quote &&
            amount !== null &&
            slippageBps !== null && (
              <TradeSummary
                side={side}
                symbol={symbol}
                amount={amount}
                quote={quote}
                minOut={minOut}
                slippageBps={slippageBps}
                deadline={deadline}
                minutes={minutes}
                recipient={address}
                referrer={referrer}
                feeRates={state}
              />
            )
          }
          onConfirm={() => void submit()}
        />
      )}
      <TxStatus state={write.state} />
    </form>
  );
}

/**
 * What a trade does before it is signed: what goes in, the quote and the exact minimum out
 * (below it the trade reverts), each fee and who receives it, the slippage tolerance, the
 * deadline, the recipient and the referrer.
 */
function TradeSummary({
  side,
  symbol,
  amount,
  quote,
  minOut,
  slippageBps,
  deadline,
  minutes,
  recipient,
  referrer,
  feeRates,
}: {
  side: "buy" | "sell";
  symbol: string;
  amount: bigint;
  quote: Quote;
  minOut: bigint;
  slippageBps: bigint;
  deadline: bigint;
  minutes: number;
  recipient: Address;
  referrer: Address | undefined;
  feeRates: CoinState | null;
}) {
  const buy = side === "buy";
  const out = buy
    ? `${formatAmountExact(quote.coins)} ${symbol}`
    : `${formatAmountExact(quote.eth)} ETH`;
  const min = buy ? `${formatAmountExact(minOut)} ${symbol}` : `${formatAmountExact(minOut)} ETH`;
  return (
    <div data-trade-summary={side}>
      <p>
        {buy
          ? `Pays ${formatAmountExact(amount)} ETH for ${out} at the current supply.`
          : `Sells ${formatAmountExact(amount)} ${symbol} for ${out} at the current supply.`}{" "}
        If others trade first, you receive at least {min} (slippage tolerance{" "}
        {formatBps(slippageBps)}), or the trade reverts and only the gas is spent.
      </p>
      <p>
        Fees, {buy ? "included in what you pay" : "taken from what the sale returns"}: protocol fee{" "}
        {formatAmountExact(quote.protocolFee)} ETH
        {feeRates ? ` (${formatBps(feeRates.protocolFeeBps)})` : ""}, to the DAO&apos;s revenue
        split
        {referrer
          ? `, of which ${formatAmountExact(quote.referrerFee)} ETH goes to this app as referrer`
          : ""}
        ; creator fee {formatAmountExact(quote.creatorFee)} ETH
        {feeRates ? ` (${formatBps(feeRates.creatorFeeBps)})` : ""}, to the coin&apos;s creator.
      </p>
      <p>
        {buy ? "The coins go" : "The ETH goes"} to <AddressText address={recipient} />. The trade
        expires at {formatDate(deadline)} (in {minutes} minutes of chain time). Plus gas.
      </p>
      {referrer && (
        <p className="small">
          Referrer: <span className="mono">{referrer}</span>.
        </p>
      )}
    </div>
  );
}

function formatAmountExact(value: bigint): string {
  const whole = value / 10n ** 18n;
  const fraction = (value % 10n ** 18n).toString().padStart(18, "0").replace(/0+$/, "");
  return fraction ? `${whole}.${fraction}` : whole.toString();
}

function explainQuote(error: QuoteError): string {
  return quoteWords[error.error](error.args);
}

const quoteWords: Record<QuoteError["error"], (args: bigint[]) => string> = {
  CreatorCoinZeroAmount: () => "Enter an amount above zero.",
  CreatorCoinTradeTooSmall: ([amount, minimum]) =>
    `That buys ${formatAmount(amount)} coins; the smallest trade is ${formatAmount(minimum)}.`,
  CreatorCoinSupplyCapExceeded: () => "That would pass the supply cap of one million coins.",
  CreatorCoinExceedsCirculating: ([amount, circulating]) =>
    `Only ${formatAmount(circulating)} coins circulate; you asked for ${formatAmount(amount)}.`,
};
