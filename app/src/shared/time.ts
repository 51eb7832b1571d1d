import { useBlock } from "wagmi";
import { config } from "../config";

/**
 * "Now" on the chain, in Unix seconds: the latest block's timestamp. A local devnet's clock
 * runs ahead of the wall clock (its genesis is pinned and the seed moves it forward), so ages
 * and chart windows are measured against the chain, not the computer.
 */
export function useChainNow(): number {
  const { data } = useBlock({ chainId: config.chainId, query: { refetchInterval: 15_000 } });
  return data ? Number(data.timestamp) : Math.floor(Date.now() / 1000);
}
