import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import { HANDLE_MAX_LENGTH, HANDLE_MIN_LENGTH, isValidHandle } from "../../../sdk/handles";
import { URI, registryFixture, signFor } from "./fixture";

const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 500);
const ROUND_TRIP_RUNS = Math.max(100, Math.floor(FUZZ_RUNS / 5));
const FUZZ_SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

const ALLOWED = "abcdefghijklmnopqrstuvwxyz0123456789_";
/** Characters next to the allowed ranges, case and Unicode traps, and bytes a parser may trip on. */
const EDGE = [
  "/", // "0" - 1
  ":", // "9" + 1
  "@", // "A" - 1
  "[", // "Z" + 1
  "`", // "a" - 1
  "{", // "z" + 1
  "^", // "_" - 1
  "A",
  "M",
  "Z",
  "-",
  ".",
  " ",
  "\u0000",
  "\u007f",
  "\u0080",
  "\u00e9", // é
  "\u00df", // ß
  "\u0130", // İ, lowercases to two characters
  "\u212a", // Kelvin sign, lowercases to "k"
  "\uff41", // fullwidth "a"
  "\u0430", // Cyrillic "а"
  "\u4e2d",
  "\u{1f600}",
];

const lengthArb = fc.oneof(
  fc.constantFrom(
    HANDLE_MIN_LENGTH - 1,
    HANDLE_MIN_LENGTH,
    HANDLE_MAX_LENGTH,
    HANDLE_MAX_LENGTH + 1,
  ),
  fc.integer({ min: 0, max: HANDLE_MAX_LENGTH + 5 }),
);
const charArb = fc.oneof(
  { arbitrary: fc.constantFrom(...ALLOWED), weight: 40 },
  { arbitrary: fc.constantFrom(...EDGE), weight: 1 },
);
/** Mostly-valid strings at the length bounds with one character occasionally out of range. */
const edgeHandleArb = fc
  .tuple(
    lengthArb,
    fc.array(charArb, { minLength: HANDLE_MAX_LENGTH + 5, maxLength: HANDLE_MAX_LENGTH + 5 }),
    fc.oneof(
      { arbitrary: fc.constant(true), weight: 1 },
      { arbitrary: fc.constant(false), weight: 5 },
    ),
  )
  .map(([length, chars, underscoreFirst]) => {
    const picked = chars.slice(0, length);
    if (underscoreFirst && picked.length > 0) picked[0] = "_";
    return picked.join("");
  });
const handleArb = fc.oneof(
  { arbitrary: edgeHandleArb, weight: 6 },
  { arbitrary: fc.string({ unit: "grapheme", maxLength: HANDLE_MAX_LENGTH + 5 }), weight: 1 },
  { arbitrary: fc.stringMatching(/^[a-z0-9][a-z0-9_]{2,24}$/), weight: 1 },
);

/** Valid handles, drawn from a small alphabet often enough that some runs collide. */
const validHandleArb = fc.oneof(
  fc.stringMatching(/^[a-z0-9][a-z0-9_]{2,24}$/),
  fc.stringMatching(/^[ab][ab_]{2,3}$/),
);

describe("Handle rules: contract against sdk/handles.ts", function () {
  describe("at every ASCII character", function () {
    it("agree on each character in first, middle and last position", async function () {
      const { registry } = await loadFixture(registryFixture);
      for (let code = 0; code < 128; code++) {
        const c = String.fromCharCode(code);
        for (const handle of [`${c}bc`, `a${c}c`, `ab${c}`, `${c}${"x".repeat(24)}`]) {
          expect(await registry.isValidHandle(handle), JSON.stringify(handle)).to.equal(
            isValidHandle(handle),
          );
        }
      }
    });

    it("accept exactly [a-z0-9_] inside a handle and [a-z0-9] first", function () {
      const inside: string[] = [];
      const first: string[] = [];
      for (let code = 0; code < 128; code++) {
        const c = String.fromCharCode(code);
        if (isValidHandle(`a${c}c`)) inside.push(c);
        if (isValidHandle(`${c}bc`)) first.push(c);
      }
      expect(inside.join("")).to.equal("0123456789_abcdefghijklmnopqrstuvwxyz");
      expect(first.join("")).to.equal("0123456789abcdefghijklmnopqrstuvwxyz");
    });
  });

  it(`agree on ${FUZZ_RUNS} random strings biased toward the edges`, async function () {
    const { registry } = await loadFixture(registryFixture);
    let valid = 0;
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(handleArb, async (handle) => {
        const expected = isValidHandle(handle);
        runs++;
        if (expected) valid++;
        expect(await registry.isValidHandle(handle)).to.equal(expected);
        if (!expected) expect(await registry.profileIdOfHandle(handle)).to.equal(0n);
      }),
      { numRuns: FUZZ_RUNS, seed: FUZZ_SEED },
    );
    // Both outcomes must be well represented, or the comparison proves little.
    expect(valid / runs).to.be.within(0.2, 0.8);
  });

  it(`round-trip ${ROUND_TRIP_RUNS} registrations of valid handles through every lookup`, async function () {
    const { registry, domain, relayer } = await loadFixture(registryFixture);
    const holders = new Map<string, bigint>();
    let keys = 0;
    let collisions = 0;
    await fc.assert(
      fc.asyncProperty(validHandleArb, async (handle) => {
        const owner = new ethers.Wallet(ethers.keccak256(ethers.toBeHex(++keys, 32)));
        const { signature, deadline } = await signFor(
          registry,
          domain,
          owner,
          owner.address,
          "Register",
          {
            owner: owner.address,
            handle,
            metadataURI: URI,
          },
        );
        const tx = registry
          .connect(relayer)
          .registerFor(owner.address, handle, URI, deadline, signature);
        const holder = holders.get(handle);
        if (holder !== undefined) {
          collisions++;
          await expect(tx)
            .to.be.revertedWithCustomError(registry, "ProfileHandleTaken")
            .withArgs(handle, holder);
          return;
        }
        const id = BigInt(holders.size + 1);
        await expect(tx)
          .to.emit(registry, "ProfileRegistered")
          .withArgs(id, owner.address, handle, URI);
        holders.set(handle, id);
        expect(await registry.profileIdOfHandle(handle)).to.equal(id);
        expect(await registry.handleOf(id)).to.equal(handle);
        expect(await registry.ownerOf(id)).to.equal(owner.address);
        expect(await registry.profileIdOf(owner.address)).to.equal(id);
      }),
      { numRuns: ROUND_TRIP_RUNS, seed: FUZZ_SEED },
    );
    expect(await registry.profileCount()).to.equal(BigInt(holders.size));
    expect(collisions).to.be.greaterThan(0);
  });
});
