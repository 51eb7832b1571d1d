import { useCallback, useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useAccount, useReadContract, type UseReadContractReturnType } from "wagmi";
import { simulateContract, waitForTransactionReceipt, writeContract } from "wagmi/actions";
import type { Address, ContractFunctionArgs, ContractFunctionName, TransactionReceipt } from "viem";
import { wagmiConfig } from "../chain";
import { config } from "../config";
import { ABIS, ALL_ERRORS, type ContractAbi, type ContractName } from "../contracts";
import { explainError, type PlainError } from "./errors";
import { request } from "./graphql";
import { IndexerStatusQuery } from "./liveQueries";

type ReadName<N extends ContractName> = ContractFunctionName<ContractAbi<N>, "pure" | "view">;
type WriteName<N extends ContractName> = ContractFunctionName<
  ContractAbi<N>,
  "nonpayable" | "payable"
>;

/** The deployed address of a contract, or the `address` given for a per-coin contract. */
export function contractAddress(name: ContractName, address?: Address): Address {
  if (address) return address;
  if (name === "CreatorCoin") throw new Error("a creator coin needs its address");
  return config.contracts[name].address;
}

/**
 * Reads a view of an Agora contract by name, typed by its `as const` ABI, with the address
 * from the deployment file (Scaffold-ETH's useScaffoldReadContract). Cached by TanStack Query.
 */
export function useAgoraRead<N extends ContractName, F extends ReadName<N>>(params: {
  contract: N;
  functionName: F;
  args?: ContractFunctionArgs<ContractAbi<N>, "pure" | "view", F>;
  address?: Address;
  enabled?: boolean;
}): UseReadContractReturnType<ContractAbi<N>, F> {
  const enabled = params.enabled ?? true;
  return useReadContract({
    abi: ABIS[params.contract],
    address: enabled ? contractAddress(params.contract, params.address) : undefined,
    functionName: params.functionName,
    args: params.args,
    chainId: config.chainId,
    query: { enabled },
  } as never) as UseReadContractReturnType<ContractAbi<N>, F>;
}

/** Where a transaction is: the states every transaction button shows. */
export type TxState =
  | { status: "idle" }
  | { status: "checking" }
  | { status: "signing" }
  | { status: "pending"; hash: `0x${string}` }
  | { status: "indexing"; hash: `0x${string}`; receipt: TransactionReceipt }
  | { status: "confirmed"; hash: `0x${string}`; receipt: TransactionReceipt }
  | { status: "failed"; error: PlainError; hash?: `0x${string}` };

/** Resolves once the indexer has the block (so the API shows the transaction), at most 60 s. */
async function indexed(blockNumber: bigint): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const { indexerStatus } = await request(IndexerStatusQuery, {}).catch(() => ({
      indexerStatus: null,
    }));
    if (indexerStatus?.lastIndexedBlock && BigInt(indexerStatus.lastIndexedBlock) >= blockNumber)
      return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export interface WriteCall<N extends ContractName, F extends WriteName<N>> {
  functionName: F;
  args: ContractFunctionArgs<ContractAbi<N>, "nonpayable" | "payable", F>;
  value?: bigint;
  address?: Address;
}

/**
 * Sends a transaction to an Agora contract by name (Scaffold-ETH's useScaffoldWriteContract):
 * simulates it first, so a revert is caught before the wallet asks and decoded into the
 * contract's named error in plain words; then signs, waits for the receipt, waits for the
 * indexer to reach its block and refreshes every query, chain reads included.
 */
export function useAgoraWrite<N extends ContractName>(contract: N) {
  const [state, setState] = useState<TxState>({ status: "idle" });
  const { address: account } = useAccount();
  const queryClient = useQueryClient();
  const send = useCallback(
    async <F extends WriteName<N>>(call: WriteCall<N, F>): Promise<TransactionReceipt | null> => {
      let hash: `0x${string}` | undefined;
      try {
        setState({ status: "checking" });
        const abi = [...ABIS[contract], ...ALL_ERRORS];
        const { request: prepared } = await simulateContract(wagmiConfig, {
          abi,
          address: contractAddress(contract, call.address),
          functionName: call.functionName,
          args: call.args,
          value: call.value,
          account,
          chainId: config.chainId,
        } as never);
        setState({ status: "signing" });
        hash = await writeContract(wagmiConfig, prepared as never);
        setState({ status: "pending", hash });
        const receipt = await waitForTransactionReceipt(wagmiConfig, {
          hash,
          pollingInterval: 250,
        });
        if (receipt.status !== "success") {
          setState({
            status: "failed",
            hash,
            error: { message: "The transaction reverted on chain." },
          });
          return null;
        }
        setState({ status: "indexing", hash, receipt });
        await indexed(receipt.blockNumber);
        await queryClient.invalidateQueries();
        setState({ status: "confirmed", hash, receipt });
        return receipt;
      } catch (error) {
        setState({ status: "failed", hash, error: explainError(error) });
        return null;
      }
    },
    [contract, account, queryClient],
  );
  const reset = useCallback(() => setState({ status: "idle" }), []);
  return {
    state,
    send,
    reset,
    busy: ["checking", "signing", "pending", "indexing"].includes(state.status),
  };
}
