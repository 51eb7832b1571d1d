import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import {
  HANDLE_COOLDOWN_SECONDS,
  HANDLE_MAX_LENGTH,
  HANDLE_MIN_LENGTH,
  isValidHandle,
} from "../../../sdk/handles";
import type { ProfileRegistry } from "../../../typechain-types";
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

/**
 * The contract's answer for raw bytes, which need not be UTF-8: a `string` argument is ABI-encoded
 * exactly like `bytes`, so any caller can send them.
 */
async function isValidHandleBytes(registry: ProfileRegistry, raw: Uint8Array): Promise<boolean> {
  const fragment = registry.interface.getFunction("isValidHandle");
  const data = ethers.concat([
    fragment.selector,
    ethers.AbiCoder.defaultAbiCoder().encode(["bytes"], [raw]),
  ]);
  const result = await ethers.provider.call({ to: await registry.getAddress(), data });
  return registry.interface.decodeFunctionResult("isValidHandle", result)[0] as boolean;
}

/** The sdk's answer for raw bytes: non-ASCII bytes are never part of a valid handle. */
function sdkIsValidHandleBytes(raw: Uint8Array): boolean {
  return raw.every((b) => b < 0x80) && isValidHandle(String.fromCharCode(...raw));
}

/** Byte values at the edges of the allowed ranges, with and without the top bit set. */
const EDGE_BYTES = [0x00, 0x2f, 0x30, 0x39, 0x3a, 0x5e, 0x5f, 0x60, 0x61, 0x7a, 0x7b, 0x7f];
const byteArb = fc.oneof(
  { arbitrary: fc.constantFrom(...[...ALLOWED].map((c) => c.charCodeAt(0))), weight: 40 },
  { arbitrary: fc.constantFrom(...EDGE_BYTES.map((b) => b | 0x80)), weight: 1 },
  { arbitrary: fc.constantFrom(...EDGE_BYTES), weight: 1 },
  { arbitrary: fc.integer({ min: 0, max: 255 }), weight: 1 },
);
const rawHandleArb = fc
  .tuple(
    lengthArb,
    fc.array(byteArb, { minLength: HANDLE_MAX_LENGTH + 5, maxLength: HANDLE_MAX_LENGTH + 5 }),
  )
  .map(([length, bytes]) => Uint8Array.from(bytes.slice(0, length)));

describe("Handle rules: contract against sdk/handles.ts", function () {
  describe("at every character and byte value", function () {
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

    it("agree on each byte value, UTF-8 or not, in first, inner and last position", async function () {
      const { registry } = await loadFixture(registryFixture);
      const x = "x".charCodeAt(0);
      for (let b = 0; b < 256; b++) {
        const longest = new Uint8Array(HANDLE_MAX_LENGTH).fill(x);
        for (const raw of [
          Uint8Array.from([b, x, x]),
          Uint8Array.from([x, x, b]),
          Uint8Array.from(longest.map((v, i) => (i === 13 ? b : v))),
          Uint8Array.from(longest.map((v, i) => (i === HANDLE_MAX_LENGTH - 1 ? b : v))),
        ]) {
          expect(await isValidHandleBytes(registry, raw), ethers.hexlify(raw)).to.equal(
            sdkIsValidHandleBytes(raw),
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

  it(`agree on ${FUZZ_RUNS} random byte strings, including invalid UTF-8`, async function () {
    const { registry } = await loadFixture(registryFixture);
    let valid = 0;
    await fc.assert(
      fc.asyncProperty(rawHandleArb, async (raw) => {
        const expected = sdkIsValidHandleBytes(raw);
        if (expected) valid++;
        expect(await isValidHandleBytes(registry, raw)).to.equal(expected);
      }),
      { numRuns: FUZZ_RUNS, seed: FUZZ_SEED },
    );
    expect(valid / FUZZ_RUNS).to.be.within(0.2, 0.8);
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

  it(`change handles ${ROUND_TRIP_RUNS} times: event bytes, lookups and cooldowns match a model`, async function () {
    const { registry, alice, bob } = await loadFixture(registryFixture);
    await registry.connect(alice).register("first_a", URI);
    await registry.connect(bob).register("first_b", URI);
    const coder = ethers.AbiCoder.defaultAbiCoder();
    const cooldown = BigInt(HANDLE_COOLDOWN_SECONDS);
    const current = new Map<bigint, string>([
      [1n, "first_a"],
      [2n, "first_b"],
    ]);
    /** Per handle: the profile holding it (freeAt 0) or that gave it up until freeAt. */
    const records = new Map<string, { id: bigint; freeAt: bigint }>([
      ["first_a", { id: 1n, freeAt: 0n }],
      ["first_b", { id: 2n, freeAt: 0n }],
    ]);
    let now = BigInt(await time.latest());
    const outcomes = { changed: 0, taken: 0, coolingDown: 0 };
    // Mostly four handles and short waits, so that both profiles keep running into each other's
    // handles while they are held and while they cool down (simulated: no outcome missing in
    // 200,000 runs of 100 steps); now and then any valid handle and a long wait.
    const handleArb = fc.oneof(
      { arbitrary: fc.constantFrom("aaa", "bbb", "a_b", "b_a"), weight: 4 },
      { arbitrary: validHandleArb, weight: 1 },
    );
    const waitArb = fc.oneof(
      { arbitrary: fc.constantFrom(1n, 3_600n), weight: 6 },
      { arbitrary: fc.constantFrom(cooldown / 2n, cooldown), weight: 1 },
    );
    await fc.assert(
      fc.asyncProperty(handleArb, fc.boolean(), waitArb, async (handle, byAlice, wait) => {
        const [signer, id] = byAlice ? [alice, 1n] : [bob, 2n];
        now += wait;
        await time.setNextBlockTimestamp(now);
        const tx = registry.connect(signer).changeHandle(id, handle, { gasLimit: 200_000 });
        const record = records.get(handle);
        if (record !== undefined && record.freeAt === 0n) {
          outcomes.taken++;
          await expect(tx)
            .to.be.revertedWithCustomError(registry, "ProfileHandleTaken")
            .withArgs(handle, record.id);
        } else if (record !== undefined && now < record.freeAt && record.id !== id) {
          outcomes.coolingDown++;
          await expect(tx)
            .to.be.revertedWithCustomError(registry, "ProfileHandleCoolingDown")
            .withArgs(handle, record.id, record.freeAt);
        } else {
          outcomes.changed++;
          const old = current.get(id)!;
          const receipt = await (await tx).wait();
          expect(receipt!.logs[0].data).to.equal(
            coder.encode(["string", "string", "uint256"], [old, handle, now + cooldown]),
          );
          records.set(old, { id, freeAt: now + cooldown });
          records.set(handle, { id, freeAt: 0n });
          current.set(id, handle);
        }
        expect(await registry.handleOf(id)).to.equal(current.get(id));
        for (const [h, r] of records) {
          expect(await registry.profileIdOfHandle(h), h).to.equal(r.freeAt === 0n ? r.id : 0n);
        }
      }),
      { numRuns: ROUND_TRIP_RUNS, seed: FUZZ_SEED },
    );
    // Every outcome must occur, or the model's branches go untested.
    expect(outcomes.changed).to.be.greaterThan(0);
    expect(outcomes.taken).to.be.greaterThan(0);
    expect(outcomes.coolingDown).to.be.greaterThan(0);
  });
});
