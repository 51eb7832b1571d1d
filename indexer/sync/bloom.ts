import { keccak256, type Hex } from "viem";

/**
 * The three bits an item (an address or a topic) sets in a 2048-bit `logsBloom` (Yellow Paper,
 * 4.4.1), as (byte index, mask) pairs into the 256-byte bloom: for each of the first three
 * 16-bit words of keccak256(item), its low 11 bits number a bit counted from the last byte.
 */
export type BloomBits = readonly [number, number, number, number, number, number];

export function bloomBits(item: string): BloomBits {
  const hash = keccak256(item.toLowerCase() as Hex);
  const bits: number[] = [];
  for (let i = 0; i < 3; i++) {
    const word = Number.parseInt(hash.slice(2 + i * 4, 6 + i * 4), 16);
    const bit = word & 2047;
    bits.push(255 - (bit >> 3), 1 << (bit & 7));
  }
  return bits as unknown as BloomBits;
}

/** A block header's `logsBloom` (0x + 512 hex digits) as 256 bytes. */
export function parseBloom(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex.slice(2), "hex"));
}

/** Whether every bit of `bits` is set: the item may have been logged (or it is a false positive). */
export function bloomHas(bloom: Uint8Array, bits: BloomBits): boolean {
  return (
    (bloom[bits[0]] & bits[1]) !== 0 &&
    (bloom[bits[2]] & bits[3]) !== 0 &&
    (bloom[bits[4]] & bits[5]) !== 0
  );
}
