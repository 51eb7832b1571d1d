import { AbiCoder, concat, type BaseContract, type Signer, type TransactionReceipt } from "ethers";

/** Bytes from text (as UTF-8) and raw byte lists, in order. */
export const bytesOf = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((part) => Buffer.from(typeof part === "string" ? part : part)));

/**
 * Sends `name(args)` to `contract` with every string argument given as raw bytes, as calldata
 * allows: the ABI encodes `string` and `bytes` alike, so any byte sequence reaches the events.
 */
export async function sendWithRawStrings(
  contract: BaseContract,
  signer: Signer,
  name: string,
  args: unknown[],
  value = 0n,
): Promise<TransactionReceipt> {
  const fragment = contract.interface.getFunction(name)!;
  const types = fragment.inputs.map((input) =>
    input.format("sighash").replace(/\bstring\b/g, "bytes"),
  );
  const data = concat([fragment.selector, AbiCoder.defaultAbiCoder().encode(types, args)]);
  const tx = await signer.sendTransaction({ to: await contract.getAddress(), data, value });
  return (await tx.wait())!;
}
