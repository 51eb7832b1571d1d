import { formatUnits, parseUnits } from "viem";

const WEI_DECIMALS = 18;

/**
 * An amount in a token's smallest unit (wei, coin-wei: 18 decimals unless `decimals` says
 * otherwise) as a short decimal: at most `digits` significant decimals.
 */
export function formatAmount(value: bigint, digits = 4, decimals = WEI_DECIMALS): string {
  const negative = value < 0n;
  const text = formatUnits(negative ? -value : value, decimals);
  const [whole, fraction = ""] = text.split(".");
  const wholeGrouped = BigInt(whole).toLocaleString("en-US");
  let shown = "";
  if (fraction) {
    if (whole !== "0")
      shown = fraction.slice(0, Math.max(0, digits - Math.min(whole.length, digits)));
    else {
      const zeros = fraction.length - fraction.replace(/^0+/, "").length;
      shown = fraction.slice(0, zeros + digits);
    }
    shown = shown.replace(/0+$/, "");
  }
  return `${negative ? "-" : ""}${wholeGrouped}${shown ? `.${shown}` : ""}`;
}

export function formatEth(wei: bigint, digits = 4): string {
  return `${formatAmount(wei, digits)} ETH`;
}

/**
 * Parses what a person typed as an amount of a token with `decimals` decimals (18: ETH and
 * creator coins); null when it is not a number or has more decimals than the token.
 */
export function parseAmount(text: string, decimals = WEI_DECIMALS): bigint | null {
  const trimmed = text.trim();
  if (!/^\d*\.?\d*$/.test(trimmed) || trimmed === "" || trimmed === ".") return null;
  const [, fraction = ""] = trimmed.split(".");
  if (fraction.length > decimals) return null;
  return parseUnits(trimmed, decimals);
}

export function shortAddress(address: string): string {
  return `${address.slice(0, 6)}…${address.slice(-4)}`;
}

/** "3 min ago", "2 h ago", "5 d ago"; `now` in Unix seconds. */
export function timeAgo(timestamp: bigint | string | number, now = Date.now() / 1000): string {
  const seconds = Math.max(0, Math.floor(now - Number(timestamp)));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86_400)} d ago`;
}

export function formatDate(timestamp: bigint | string | number): string {
  return new Date(Number(timestamp) * 1000).toISOString().replace("T", " ").slice(0, 16) + " UTC";
}

export function formatBps(bps: number | bigint): string {
  return `${(Number(bps) / 100).toFixed(Number(bps) % 100 === 0 ? 0 : 2)}%`;
}

/** A share of a total as a percentage with one decimal. */
export function percent(part: bigint, whole: bigint): string {
  if (whole === 0n) return "0%";
  return `${(Number((part * 1000n) / whole) / 10).toFixed(1)}%`;
}
