import { erc20Abi, isAddress, zeroAddress, type Address } from "viem";
import { useReadContracts } from "wagmi";
import { config } from "../config";
import { formatAmount } from "./format";
import { AddressText } from "./ui";

/** What it takes to show and parse amounts of a token: its `decimals()` and `symbol()`. */
export interface TokenInfo {
  decimals: number;
  symbol: string;
}

export const ETH_INFO: TokenInfo = { decimals: 18, symbol: "ETH" };

/**
 * The ERC-20's decimals and symbol, read from the token (cached by TanStack Query, so a list
 * of tips in one token reads it once). ETH (the zero address) needs no read. `info` is
 * undefined while reading and when the address is no ERC-20 with `decimals()` (then `failed`).
 */
export function useToken(token: string | undefined): {
  info: TokenInfo | undefined;
  failed: boolean;
} {
  const eth = token?.toLowerCase() === zeroAddress;
  const enabled = !!token && !eth && isAddress(token);
  const address = token as Address;
  const { data, isError } = useReadContracts({
    contracts: [
      { address, abi: erc20Abi, functionName: "decimals", chainId: config.chainId },
      { address, abi: erc20Abi, functionName: "symbol", chainId: config.chainId },
    ],
    query: { enabled, staleTime: Infinity },
  });
  if (eth) return { info: ETH_INFO, failed: false };
  if (!enabled) return { info: undefined, failed: false };
  const [decimals, symbol] = data ?? [];
  if (decimals?.status === "success")
    return {
      info: {
        decimals: decimals.result,
        // A token without `symbol()` (it is optional in ERC-20) is named by its address.
        symbol: symbol?.status === "success" && symbol.result ? symbol.result : "tokens",
      },
      failed: false,
    };
  return { info: undefined, failed: isError || decimals?.status === "failure" };
}

/** An amount of any token (ETH for the zero address) in its own decimals, with its symbol. */
export function TokenAmount({ token, amount }: { token: string; amount: bigint | string }) {
  const { info, failed } = useToken(token);
  if (!info && !failed) return <span className="num">…</span>;
  if (!info)
    return (
      <span className="num">
        {String(amount)} base units of <AddressText address={token} />
      </span>
    );
  return (
    <span className="num" title={token === zeroAddress ? undefined : token}>
      {formatAmount(BigInt(amount), 4, info.decimals)} {info.symbol}
    </span>
  );
}
