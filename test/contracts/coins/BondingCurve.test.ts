import { expect } from "chai";
import hre from "hardhat";
import fc from "fast-check";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { BondingCurveHarness__factory } from "../../../typechain-types";
import {
  DIVISOR,
  SUPPLY_CAP,
  cbrtRoundingDown,
  costToMintRoundingUp,
  mintableForRoundingDown,
  proceedsToBurnRoundingDown,
  reserveRoundingUp,
} from "../../../sdk/curve";

const RUNS = Number(process.env.FUZZ_RUNS ?? 200);

async function harness() {
  const [deployer] = await hre.ethers.getSigners();
  return new BondingCurveHarness__factory(deployer).deploy();
}

/** Supplies worth testing first: the ends of the range and the neighbourhood of round numbers. */
const EDGE_SUPPLIES = [
  0n,
  1n,
  2n,
  10n ** 12n,
  10n ** 15n,
  10n ** 18n - 1n,
  10n ** 18n,
  10n ** 18n + 1n,
  10n ** 21n,
  SUPPLY_CAP / 2n,
  SUPPLY_CAP - 10n ** 18n,
  SUPPLY_CAP - 1n,
  SUPPLY_CAP,
];

/** Supplies across the whole range: small, around one coin, and up to the cap. */
const supplyArb = fc.oneof(
  fc.constantFrom(...EDGE_SUPPLIES),
  fc.bigInt({ min: 0n, max: 10n ** 18n }),
  fc.bigInt({ min: 0n, max: SUPPLY_CAP }),
);

describe("BondingCurve", function () {
  describe("matches the TypeScript reference to the wei", function () {
    it("on the edge cases", async function () {
      const curve = await loadFixture(harness);
      for (const s of EDGE_SUPPLIES) {
        expect(await curve.reserveRoundingUp(s)).to.equal(reserveRoundingUp(s));
        for (const d of EDGE_SUPPLIES) {
          if (s + d <= SUPPLY_CAP) {
            expect(await curve.costToMintRoundingUp(s, d)).to.equal(costToMintRoundingUp(s, d));
          }
          if (d <= s) {
            expect(await curve.proceedsToBurnRoundingDown(s, d)).to.equal(
              proceedsToBurnRoundingDown(s, d),
            );
          }
        }
        for (const eth of [0n, 1n, 2n, 10n ** 18n, reserveRoundingUp(SUPPLY_CAP), 2n ** 200n]) {
          expect(await curve.mintableForRoundingDown(s, eth)).to.equal(
            mintableForRoundingDown(s, eth),
          );
        }
      }
    });

    it("reserveRoundingUp, costToMintRoundingUp and proceedsToBurnRoundingDown", async function () {
      const curve = await loadFixture(harness);
      await fc.assert(
        fc.asyncProperty(supplyArb, supplyArb, async (a, b) => {
          const [s, d] = a + b <= SUPPLY_CAP ? [a, b] : [a, SUPPLY_CAP - a];
          expect(await curve.reserveRoundingUp(s)).to.equal(reserveRoundingUp(s));
          expect(await curve.costToMintRoundingUp(s, d)).to.equal(costToMintRoundingUp(s, d));
          const [hi, lo] = a >= b ? [a, b] : [b, a];
          expect(await curve.proceedsToBurnRoundingDown(hi, lo)).to.equal(
            proceedsToBurnRoundingDown(hi, lo),
          );
        }),
        { numRuns: RUNS },
      );
    });

    it("mintableForRoundingDown", async function () {
      const curve = await loadFixture(harness);
      const ethArb = fc.oneof(
        fc.bigInt({ min: 0n, max: 1000n }),
        fc.bigInt({ min: 0n, max: 10n ** 24n }),
        fc.bigInt({ min: 0n, max: reserveRoundingUp(SUPPLY_CAP) + 1n }),
        fc.bigInt({ min: 0n, max: 2n ** 255n }),
      );
      await fc.assert(
        fc.asyncProperty(supplyArb, ethArb, async (s, eth) => {
          expect(await curve.mintableForRoundingDown(s, eth)).to.equal(
            mintableForRoundingDown(s, eth),
          );
        }),
        { numRuns: RUNS },
      );
    });

    it("cbrtRoundingDown over the whole uint256 range", async function () {
      const curve = await loadFixture(harness);
      const max = 2n ** 256n - 1n;
      for (const x of [0n, 1n, 7n, 8n, 9n, 26n, 27n, 28n, max, max - 1n]) {
        expect(await curve.cbrtRoundingDown(x)).to.equal(cbrtRoundingDown(x));
      }
      const cubeArb = fc.bigInt({ min: 1n, max: 2n ** 85n }).map((r) => r * r * r);
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.bigInt({ min: 0n, max }),
            cubeArb,
            cubeArb.map((c) => c - 1n),
            cubeArb.map((c) => c + 1n),
          ),
          async (x) => {
            expect(await curve.cbrtRoundingDown(x)).to.equal(cbrtRoundingDown(x));
          },
        ),
        { numRuns: RUNS },
      );
    });
  });

  describe("rounds in favour of the reserve", function () {
    it("costs round up and proceeds round down against the exact rational values", function () {
      fc.assert(
        fc.property(supplyArb, supplyArb, (a, b) => {
          const [hi, lo] = a >= b ? [a, b] : [b, a];
          const d = hi - lo;
          const exactTimesDivisor = hi ** 3n - lo ** 3n;
          expect(costToMintRoundingUp(lo, d) * DIVISOR >= exactTimesDivisor).to.equal(true);
          expect(proceedsToBurnRoundingDown(hi, d) * DIVISOR <= exactTimesDivisor).to.equal(true);
          expect(reserveRoundingUp(hi) * DIVISOR >= hi ** 3n).to.equal(true);
        }),
        { numRuns: RUNS * 10 },
      );
    });

    it("mintableForRoundingDown is the largest amount the ETH pays for", function () {
      fc.assert(
        fc.property(supplyArb, fc.bigInt({ min: 0n, max: 10n ** 30n }), (s, eth) => {
          const d = mintableForRoundingDown(s, eth);
          if (s + d < SUPPLY_CAP) {
            expect(costToMintRoundingUp(s, d) <= eth).to.equal(true);
            expect(costToMintRoundingUp(s, d + 1n) > eth).to.equal(true);
          }
        }),
        { numRuns: RUNS * 10 },
      );
    });
  });
});
