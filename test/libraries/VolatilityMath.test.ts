// VolatilityMath through MathHarness: equality with the TypeScript mirror (keeper/src/math/volatility.ts)
// on random inputs, and the estimator's defining properties checked from first principles.
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { WAD } from "../../keeper/src/math/fixedPoint";
import { updateVariance, volatility } from "../../keeper/src/math/volatility";

const RUNS = 200;
const YEAR = 365n * 86_400n; // [seconds]

async function harnessFixture() {
  const factory = await ethers.getContractFactory("MathHarness");
  return factory.deploy();
}

/** r²/Δt [wad per second] for a move of `move` from `previousPrice`, computed with one floor. */
function exactSampleFloor(previousPrice: bigint, move: bigint, elapsed: bigint): bigint {
  const simpleReturn = (move * WAD) / previousPrice;
  return (simpleReturn * simpleReturn) / (WAD * elapsed);
}

// Inputs in the ranges the OracleHub can produce: a move of at most 100% (MAX_JUMP), a positive
// elapsed time, a half-life between one minute and a year.
const updateInputs = fc
  .record({
    variance: fc.oneof(fc.bigInt(0n, 10n ** 12n), fc.bigInt(0n, WAD)),
    previousPrice: fc.oneof(fc.bigInt(1n, 10n ** 6n), fc.bigInt(10n ** 6n, 10n ** 30n)),
    moveParts: fc.integer({ min: 0, max: 1_000_000 }), // [millionths of the previous price]
    up: fc.boolean(),
    elapsed: fc.oneof(fc.bigInt(1n, 3_600n), fc.bigInt(1n, 10n * YEAR)),
    halfLife: fc.bigInt(60n, YEAR),
  })
  .map(({ variance, previousPrice, moveParts, up, elapsed, halfLife }) => {
    const move = (previousPrice * BigInt(moveParts)) / 1_000_000n;
    const price = up ? previousPrice + move : previousPrice - move;
    return { variance, previousPrice, price, elapsed, halfLife };
  })
  .filter(({ price }) => price > 0n);

describe("VolatilityMath", () => {
  describe("updateVariance", () => {
    it("updateVariance_matchesTheMirror", async () => {
      const harness = await loadFixture(harnessFixture);
      await fc.assert(
        fc.asyncProperty(updateInputs, async ({ variance, previousPrice, price, elapsed, halfLife }) => {
          expect(await harness.updateVariance(variance, previousPrice, price, elapsed, halfLife)).to.equal(
            updateVariance(variance, previousPrice, price, elapsed, halfLife),
          );
        }),
        { numRuns: RUNS, seed: 21 },
      );
    });

    it("updateVariance_liesBetweenTheOldVarianceAndTheNewSample", async () => {
      const harness = await loadFixture(harnessFixture);
      await fc.assert(
        fc.asyncProperty(updateInputs, async ({ variance, previousPrice, price, elapsed, halfLife }) => {
          const move = price > previousPrice ? price - previousPrice : previousPrice - price;
          const sample = exactSampleFloor(previousPrice, move, elapsed);
          const low = variance < sample ? variance : sample;
          const high = variance < sample ? sample : variance;
          const result = await harness.updateVariance(variance, previousPrice, price, elapsed, halfLife);
          // A weighted mean with weights summing to one, floored once: never outside [low, high].
          expect(result).to.be.within(low, high);
        }),
        { numRuns: RUNS, seed: 22 },
      );
    });

    it("updateVariance_withoutAMoveAfterOneHalfLife_halvesTheVariance", async () => {
      const harness = await loadFixture(harnessFixture);
      for (const variance of [0n, 1n, 7n, 123_456_789n, WAD]) {
        expect(await harness.updateVariance(variance, WAD, WAD, 3_600n, 3_600n)).to.equal(variance / 2n);
      }
    });

    it("updateVariance_afterSixtyHalfLives_isTheNewSampleAlone", async () => {
      const harness = await loadFixture(harnessFixture);
      // A 10% move over an hour with a one-minute half-life: the old variance has no weight left.
      const sample = 10n ** 16n / 3_600n; // (0.1)² / 3600 s [wad per second]
      expect(await harness.updateVariance(WAD, 2_000n * WAD, 2_200n * WAD, 3_600n, 60n)).to.equal(sample);
      expect(await harness.updateVariance(0n, 2_000n * WAD, 1_800n * WAD, 3_600n, 60n)).to.equal(sample);
    });

    it("updateVariance_afterOneHalfLife_averagesTheOldVarianceAndTheSampleEqually", async () => {
      const harness = await loadFixture(harnessFixture);
      const sample = 10n ** 16n / 100n; // a 10% move in 100 s
      const variance = 3n * 10n ** 13n;
      expect(await harness.updateVariance(variance, WAD, (WAD * 11n) / 10n, 100n, 100n)).to.equal(
        (variance + sample) / 2n,
      );
    });

    it("updateVariance_weighsAMoveUpAndTheSameMoveDownAlike", async () => {
      const harness = await loadFixture(harnessFixture);
      const previousPrice = 3_000n * WAD;
      const move = 45n * WAD;
      const up = await harness.updateVariance(10n ** 10n, previousPrice, previousPrice + move, 600n, 86_400n);
      const down = await harness.updateVariance(10n ** 10n, previousPrice, previousPrice - move, 600n, 86_400n);
      expect(up).to.equal(down);
      expect(up).to.be.above(10n ** 10n);
    });

    it("updateVariance_withTheSameReturnOverAShorterTime_givesAHigherVariance", async () => {
      const harness = await loadFixture(harnessFixture);
      // The sample is r²/Δt: the same return in a tenth of the time implies ten times the variance per
      // second, which outweighs its smaller weight 1 − 2^(−Δt/halfLife).
      const fast = await harness.updateVariance(0n, WAD, (WAD * 101n) / 100n, 60n, 60n * 60n);
      const slow = await harness.updateVariance(0n, WAD, (WAD * 101n) / 100n, 600n, 60n * 60n);
      expect(fast).to.be.above(slow);
    });

    it("updateVariance_whenElapsedIsZero_reverts", async () => {
      // The OracleHub never calls it with Δt = 0 (an answer no newer than the stored one is skipped);
      // both implementations refuse rather than divide by zero.
      const harness = await loadFixture(harnessFixture);
      await expect(harness.updateVariance(0n, WAD, 2n * WAD, 0n, 3_600n)).to.be.revertedWithPanic(0x12);
      expect(() => updateVariance(0n, WAD, 2n * WAD, 0n, 3_600n)).to.throw(RangeError);
    });
  });

  describe("volatility", () => {
    const variances = fc.oneof(fc.bigInt(0n, 10n ** 20n), fc.bigInt(0n, 2n ** 128n));

    it("volatility_matchesTheMirror", async () => {
      const harness = await loadFixture(harnessFixture);
      await fc.assert(
        fc.asyncProperty(variances, async (variance) => {
          expect(await harness.volatility(variance)).to.equal(volatility(variance));
        }),
        { numRuns: RUNS, seed: 23 },
      );
    });

    it("volatility_isTheFloorSquareRootOfTheVarianceInWad", async () => {
      const harness = await loadFixture(harnessFixture);
      await fc.assert(
        fc.asyncProperty(variances, async (variance) => {
          const sigma = await harness.volatility(variance);
          expect(sigma * sigma).to.be.at.most(variance * WAD);
          expect((sigma + 1n) * (sigma + 1n)).to.be.above(variance * WAD);
        }),
        { numRuns: RUNS, seed: 24 },
      );
    });

    it("volatility_ofKnownVariances_isExact", async () => {
      const harness = await loadFixture(harnessFixture);
      const cases: [bigint, bigint][] = [
        [0n, 0n],
        [1n, 10n ** 9n],
        [WAD, WAD], // σ² = 1 per second
        [4n * 10n ** 10n, 2n * 10n ** 14n], // σ² = 4e-8 per second
        [WAD / 4n, WAD / 2n],
      ];
      for (const [variance, sigma] of cases) {
        expect(await harness.volatility(variance), `variance ${variance}`).to.equal(sigma);
      }
    });
  });
});
