// FixedPointMath through MathHarness: equality with the TypeScript mirror (keeper/src/math/fixedPoint.ts)
// on random inputs, and accuracy against independent high-precision arithmetic.
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import {
  RAY,
  SECONDS_PER_YEAR,
  WAD,
  divWadDown,
  divWadUp,
  halfLifeDecayWad,
  mulWadDown,
  mulWadUp,
  perSecondRate,
  rpowDown,
  sqrt,
} from "../../keeper/src/math/fixedPoint";
import { HIGH, powHigh } from "../helpers/reference";

const RUNS = 200;

// ln 2 to 60 decimals, for the independent reference below.
const LN2_HIGH = 693147180559945309417232121458176568075500134360255254120680n;

/** 2^(-elapsed / halfLife) [1e60], truncated: whole halvings exactly, the fraction by e^(-f·ln2). */
function referenceDecay(elapsed: bigint, halfLife: bigint): bigint {
  const y = ((elapsed % halfLife) * LN2_HIGH) / halfLife;
  let sum = HIGH;
  let term = HIGH;
  for (let i = 1n; term !== 0n; i++) {
    term = (term * y) / (HIGH * i);
    sum += i % 2n === 1n ? -term : term;
  }
  return sum >> (elapsed / halfLife);
}

/** Relative distance |a − b| / b of two non-negative integers on the same scale. */
function relativeError(a: bigint, b: bigint): number {
  const difference = a > b ? a - b : b - a;
  return Number((difference * 10n ** 30n) / b) / 1e30;
}

async function harnessFixture() {
  const factory = await ethers.getContractFactory("MathHarness");
  return factory.deploy();
}

describe("FixedPointMath", () => {
  describe("mulDivDown / mulDivUp", () => {
    const MAX = 2n ** 256n - 1n;
    // Factors on both sides of the 2^128 boundary between the one-word path and the 512-bit path.
    const factor = fc.oneof(
      fc.bigInt({ min: 0n, max: 2n ** 128n - 1n }),
      fc.bigInt({ min: 2n ** 128n - 4n, max: 2n ** 128n + 4n }),
      fc.bigInt({ min: 0n, max: MAX }),
    );

    it("mulDiv_onEitherPath_equalsTheExactQuotientRoundedInTheNamedDirection", async () => {
      const harness = await loadFixture(harnessFixture);
      await fc.assert(
        fc.asyncProperty(factor, factor, fc.bigInt({ min: 1n, max: MAX }), async (x, y, d) => {
          const down = (x * y) / d;
          const up = down + ((x * y) % d === 0n ? 0n : 1n);
          if (up > MAX) {
            // The quotient itself does not fit: both revert instead of wrapping.
            await expect(harness.mulDivUp(x, y, d)).to.be.reverted;
            if (down > MAX) await expect(harness.mulDivDown(x, y, d)).to.be.reverted;
            return;
          }
          expect(await harness.mulDivDown(x, y, d)).to.equal(down);
          expect(await harness.mulDivUp(x, y, d)).to.equal(up);
        }),
        { numRuns: RUNS, seed: 20261128 },
      );
    });

    it("mulDiv_atTheLargestOneWordProduct_isExact", async () => {
      const harness = await loadFixture(harnessFixture);
      const top = 2n ** 128n - 1n;
      expect(await harness.mulDivDown(top, top, 1n)).to.equal(top * top);
      // (2^128 − 1)^2 is odd: halving it rounds up by one.
      expect((top * top) % 2n).to.equal(1n);
      expect(await harness.mulDivUp(top, top, 2n)).to.equal((top * top) / 2n + 1n);
      expect(await harness.mulDivDown(top, top, top)).to.equal(top);
    });

    it("mulDiv_byZero_panicsOnBothPaths", async () => {
      const harness = await loadFixture(harnessFixture);
      for (const x of [7n, 2n ** 200n]) {
        await expect(harness.mulDivDown(x, 3n, 0n)).to.be.revertedWithPanic(0x12);
        await expect(harness.mulDivUp(x, 3n, 0n)).to.be.revertedWithPanic(0x12);
      }
    });
  });

  describe("rpowDown", () => {
    it("rpowDown_matchesTheMirrorForBasesAtMostOneAndAnyExponent", async () => {
      const harness = await loadFixture(harnessFixture);
      await fc.assert(
        fc.asyncProperty(fc.bigInt(0n, RAY), fc.bigInt(0n, 2n ** 40n), async (x, n) => {
          expect(await harness.rpowDown(x, n)).to.equal(rpowDown(x, n));
        }),
        { numRuns: RUNS, seed: 1 },
      );
    });

    it("rpowDown_matchesTheMirrorForGrowingBasesBelowOverflow", async () => {
      const harness = await loadFixture(harnessFixture);
      // Every intermediate is at most x^n; n·ln(x) ≤ 40 keeps it below e^40 ≈ 2.4e17 (2.4e53 at the
      // library's 36 decimals), so each product fits once divided, and both the cheap path (factors
      // below 2^128, i.e. powers below ~340) and the mulDiv path run.
      const growing = fc
        .tuple(fc.bigInt(RAY + 1n, 2n * RAY), fc.double({ min: 0, max: 1, noNaN: true }))
        .map(([x, share]) => {
          const logX = Math.log1p(Number(x - RAY) / 1e27);
          const n = BigInt(Math.min(Math.floor((share * 40) / logX), 2 ** 53));
          return [x, n] as const;
        });
      await fc.assert(
        fc.asyncProperty(growing, async ([x, n]) => {
          expect(await harness.rpowDown(x, n)).to.equal(rpowDown(x, n));
        }),
        { numRuns: RUNS, seed: 2 },
      );
    });

    it("rpowDown_matchesTheMirrorForPerSecondRatesOverTenYears", async () => {
      const harness = await loadFixture(harnessFixture);
      await fc.assert(
        fc.asyncProperty(
          fc.bigInt(RAY, RAY + 10n ** 19n), // up to ~37% a year
          fc.bigInt(0n, 10n * SECONDS_PER_YEAR),
          async (x, n) => {
            expect(await harness.rpowDown(x, n)).to.equal(rpowDown(x, n));
          },
        ),
        { numRuns: RUNS, seed: 3 },
      );
    });

    it("rpowDown_onEdgeInputs_returnsTheExactPowers", async () => {
      const harness = await loadFixture(harnessFixture);
      const cases: [bigint, bigint, bigint][] = [
        [0n, 0n, RAY],
        [0n, 1n, 0n],
        [0n, 7n, 0n],
        [RAY, 0n, RAY],
        [RAY, 12_345n, RAY],
        [2n * RAY, 1n, 2n * RAY],
        [2n * RAY, 10n, 1024n * RAY],
        [RAY / 2n, 3n, RAY / 8n],
        [3n * RAY, 5n, 243n * RAY],
      ];
      for (const [x, n, expected] of cases) {
        expect(await harness.rpowDown(x, n), `${x}^${n}`).to.equal(expected);
        expect(rpowDown(x, n), `mirror ${x}^${n}`).to.equal(expected);
      }
    });

    it("rpowDown_staysBelowTheExactPowerWithinASmallRelativeError", async () => {
      // Powers run at 36 decimals: each of the ≤ 2·log2(n) truncations loses < 1e-36, and a loss in
      // x^(2^k) is amplified at most n/2^k times (times the result when it exceeds 1), so the total
      // stays below (2n + 2)·max(1, result)·1e-36, i.e. that over 1e9 in ray wei, before the final
      // floor to a ray loses < 1 wei more. Over these inputs the result is ≥ 0.99^1500 ≈ 2.9e-7, so
      // one wei is a relative error below 1e-20.
      const harness = await loadFixture(harnessFixture);
      await fc.assert(
        fc.asyncProperty(
          fc.bigInt(RAY - RAY / 100n, RAY + RAY / 100n),
          fc.integer({ min: 0, max: 1_500 }),
          async (x, exponent) => {
            const n = BigInt(exponent);
            const exact = n === 0n ? RAY : x ** n / RAY ** (n - 1n);
            const result = await harness.rpowDown(x, n);
            const amplified = (2n * n + 2n) * (1n + exact / RAY);
            expect(result).to.be.at.most(exact);
            expect(exact - result).to.be.at.most(1n + (amplified + 10n ** 9n - 1n) / 10n ** 9n);
            expect(relativeError(result, exact)).to.be.below(1e-20);
          },
        ),
        { numRuns: RUNS, seed: 4 },
      );
    });

    it("rpowDown_overAYearOfSeconds_matchesHighPrecisionCompounding", async () => {
      const harness = await loadFixture(harnessFixture);
      for (const rate of [RAY + 1n, RAY + 627_937_192_491_029_811n, RAY + 10n ** 19n]) {
        const result = await harness.rpowDown(rate, SECONDS_PER_YEAR);
        // The bound above gives (6.3e7 + 2)·max(1, result)/1e9 < 1 wei of amplified loss, so the result
        // is the floor of the exact power or one wei under it.
        const reference = powHigh(rate, SECONDS_PER_YEAR) / 10n ** 33n;
        expect(result).to.be.within(reference - 1n, reference);
      }
    });

    it("rpowDown_whenAnIntermediateOverflows_reverts", async () => {
      const harness = await loadFixture(harnessFixture);
      // 2^256 does not fit in 256 bits: the last squaring, of 2^128 at 36 decimals, overflows in mulDiv.
      await expect(harness.rpowDown(2n * RAY, 256n)).to.be.revertedWithPanic(0x11);
      // The 36-decimal intermediates set the limit near 1.2e41 (2^136): 2^166 ray would fit in a
      // uint256, yet it reverts. Far beyond any fee accumulator.
      await expect(harness.rpowDown(2n * RAY, 166n)).to.be.revertedWithPanic(0x11);
      expect(await harness.rpowDown(2n * RAY, 136n)).to.equal(2n ** 136n * RAY);
      expect(await harness.rpowDown(2n * RAY, 128n)).to.equal(2n ** 128n * RAY);
    });
  });

  describe("halfLifeDecayWad", () => {
    const halfLives = fc.oneof(fc.bigInt(1n, 59n), fc.bigInt(60n, 365n * 86_400n), fc.bigInt(1n, 2n ** 32n));
    const decayInputs = halfLives.chain((halfLife) =>
      fc.tuple(fc.oneof(fc.bigInt(0n, halfLife), fc.bigInt(0n, 70n * halfLife)), fc.constant(halfLife)),
    );

    it("halfLifeDecayWad_matchesTheMirror", async () => {
      const harness = await loadFixture(harnessFixture);
      await fc.assert(
        fc.asyncProperty(decayInputs, async ([elapsed, halfLife]) => {
          expect(await harness.halfLifeDecayWad(elapsed, halfLife)).to.equal(halfLifeDecayWad(elapsed, halfLife));
        }),
        { numRuns: RUNS, seed: 5 },
      );
    });

    it("halfLifeDecayWad_isWithinFiveWeiOfHighPrecisionTwoToTheMinusElapsedOverHalfLife", async () => {
      // The library promises "a few wei". Sources of error: y = f·ln2 truncated (< 1 wei, and ln2 is
      // floored, < 0.5 wei), and each of ~20 Taylor terms truncated (< 1 wei, alternating signs).
      // Sampling 200k inputs found at most 3.9 wei; 5 wei is the tolerance.
      const tolerance = 5n * HIGH;
      const harness = await loadFixture(harnessFixture);
      await fc.assert(
        fc.asyncProperty(decayInputs, async ([elapsed, halfLife]) => {
          const result = await harness.halfLifeDecayWad(elapsed, halfLife);
          const reference = referenceDecay(elapsed, halfLife) * WAD; // [1e78]
          const difference = result * HIGH - reference;
          expect(difference < 0n ? -difference : difference).to.be.at.most(tolerance);
        }),
        { numRuns: RUNS, seed: 6 },
      );
      // The mirror equals the chain (above), so a wider sweep can run off-chain.
      fc.assert(
        fc.property(decayInputs, ([elapsed, halfLife]) => {
          const difference = halfLifeDecayWad(elapsed, halfLife) * HIGH - referenceDecay(elapsed, halfLife) * WAD;
          return (difference < 0n ? -difference : difference) <= tolerance;
        }),
        { numRuns: 20_000, seed: 7 },
      );
    });

    it("halfLifeDecayWad_atWholeHalfLives_isAnExactPowerOfOneHalf", async () => {
      const harness = await loadFixture(harnessFixture);
      const halfLife = 86_400n;
      for (let halvings = 0n; halvings < 60n; halvings += 7n) {
        expect(await harness.halfLifeDecayWad(halvings * halfLife, halfLife)).to.equal(WAD >> halvings);
      }
      expect(await harness.halfLifeDecayWad(59n * halfLife, halfLife)).to.equal(WAD >> 59n);
    });

    it("halfLifeDecayWad_afterSixtyHalfLives_isZero", async () => {
      const harness = await loadFixture(harnessFixture);
      expect(await harness.halfLifeDecayWad(60n * 3_600n, 3_600n)).to.equal(0n);
      expect(await harness.halfLifeDecayWad(2n ** 200n, 3_600n)).to.equal(0n);
      // Already short of 60 half-lives the weight is below one wei: 2^-59.9997 · 1e18 ≈ 0.87.
      expect(await harness.halfLifeDecayWad(60n * 3_600n - 1n, 3_600n)).to.equal(0n);
      expect(await harness.halfLifeDecayWad(59n * 3_600n, 3_600n)).to.equal(1n);
    });

    it("halfLifeDecayWad_atKnownFractions_matchesTheClosedForm", async () => {
      const harness = await loadFixture(harnessFixture);
      // 2^-1/2 = 0.707106781186547524…, 2^-1/4 = 0.840896415253714543…, 2^-3/4 = 0.594603557501360533…
      const cases: [bigint, bigint, bigint][] = [
        [1n, 2n, 707_106_781_186_547_524n],
        [1n, 4n, 840_896_415_253_714_543n],
        [3n, 4n, 594_603_557_501_360_533n],
        [5n, 2n, 707_106_781_186_547_524n / 4n],
      ];
      for (const [elapsed, halfLife, expected] of cases) {
        const result = await harness.halfLifeDecayWad(elapsed, halfLife);
        expect(result, `2^-(${elapsed}/${halfLife})`).to.be.closeTo(expected, 5n);
      }
    });

    it("halfLifeDecayWad_neverIncreasesWithElapsedTime", () => {
      fc.assert(
        fc.property(decayInputs, ([elapsed, halfLife]) => {
          return halfLifeDecayWad(elapsed + 1n, halfLife) <= halfLifeDecayWad(elapsed, halfLife);
        }),
        { numRuns: 2_000, seed: 8 },
      );
    });

    it("halfLifeDecayWad_whenHalfLifeIsZero_reverts", async () => {
      const harness = await loadFixture(harnessFixture);
      await expect(harness.halfLifeDecayWad(1n, 0n)).to.be.revertedWithPanic(0x12);
    });
  });

  describe("perSecondRate (TypeScript)", () => {
    const annualRates = [0n, 1n, WAD / 200n, WAD / 50n, WAD / 10n, WAD / 2n, WAD, 5n * WAD];

    it("perSecondRate_compoundsToOnePlusTheAnnualRateOverAYear", () => {
      // Checked with independent 60-decimal compounding, not with rpowDown.
      for (const annualRate of annualRates) {
        const rate = perSecondRate(annualRate);
        const compounded = powHigh(rate, SECONDS_PER_YEAR);
        const target = (WAD + annualRate) * 10n ** 42n;
        expect(relativeError(compounded, target), `annual ${annualRate}`).to.be.below(1e-18);
      }
      fc.assert(
        fc.property(fc.bigInt(0n, WAD), (annualRate) => {
          const compounded = powHigh(perSecondRate(annualRate), SECONDS_PER_YEAR);
          return relativeError(compounded, (WAD + annualRate) * 10n ** 42n) < 1e-18;
        }),
        { numRuns: 50, seed: 9 },
      );
    });

    it("perSecondRate_isTheLargestRateWhoseOnChainCompoundingStaysAtOrBelowTheTarget", async () => {
      const harness = await loadFixture(harnessFixture);
      for (const annualRate of annualRates) {
        const rate = perSecondRate(annualRate);
        const target = RAY + annualRate * 10n ** 9n;
        expect(await harness.rpowDown(rate, SECONDS_PER_YEAR), `annual ${annualRate}`).to.be.at.most(target);
        expect(await harness.rpowDown(rate + 1n, SECONDS_PER_YEAR), `annual ${annualRate}`).to.be.above(target);
      }
      expect(perSecondRate(0n)).to.equal(RAY);
    });
  });

  describe("WAD helpers (TypeScript)", () => {
    it("mulWadAndDivWad_roundInTheNamedDirection", () => {
      fc.assert(
        fc.property(fc.bigInt(0n, 2n ** 128n), fc.bigInt(1n, 2n ** 128n), (x, y) => {
          const down = mulWadDown(x, y);
          const up = mulWadUp(x, y);
          const product = x * y;
          expect(down * WAD <= product && product < (down + 1n) * WAD).to.equal(true);
          expect(up).to.equal(product % WAD === 0n ? down : down + 1n);
          const quotientDown = divWadDown(x, y);
          const quotientUp = divWadUp(x, y);
          expect(quotientDown * y <= x * WAD && x * WAD < (quotientDown + 1n) * y).to.equal(true);
          expect(quotientUp).to.equal((x * WAD) % y === 0n ? quotientDown : quotientDown + 1n);
        }),
        { numRuns: 500, seed: 10 },
      );
    });

    it("sqrt_returnsTheFloorOfTheSquareRoot", () => {
      fc.assert(
        // Beyond uint256 too: the keeper's liquidation price takes roots of 2^400-sized products.
        fc.property(fc.oneof(fc.bigInt(0n, 2n ** 256n - 1n), fc.bigInt(0n, 2n ** 512n)), (value) => {
          const root = sqrt(value);
          expect(root * root <= value && value < (root + 1n) * (root + 1n)).to.equal(true);
        }),
        { numRuns: 300, seed: 11 },
      );
      expect(() => sqrt(-1n)).to.throw(RangeError);
    });
  });
});
