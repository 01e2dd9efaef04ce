// Differential test: contracts/libraries/ThresholdMath.sol against keeper/src/risk/thresholds.ts
// for thousands of random parameter sets and vault states. They must agree to the wei.
import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { WAD } from "../../keeper/src/math/fixedPoint";
import {
  health,
  rampedBase,
  sizePenalty,
  slew,
  threshold,
  volatilityPenaltyTarget,
} from "../../keeper/src/risk/thresholds";
import type { ThresholdMathHarness } from "../../typechain-types";

const wad = (min: number, max: number) =>
  fc.bigInt({ min: BigInt(Math.round(min * 1e6)), max: BigInt(Math.round(max * 1e6)) }).map((x) => x * 10n ** 12n);

const caseArb = fc
  .record({
    confidence: wad(0, 10),
    sigma: fc.bigInt({ min: 0n, max: 10n ** 16n }), // up to 1% per √second: far beyond any market
    horizon: fc.bigInt({ min: 60n, max: 7n * 86_400n }),
    from: wad(0, 1),
    maxStepPerHour: wad(0.0001, 0.5),
    elapsed: fc.bigInt({ min: 0n, max: 30n * 86_400n }),
    value: fc.oneof(fc.constant(0n), fc.bigInt({ min: 1n, max: 10n ** 30n })),
    depth: fc.bigInt({ min: WAD, max: 10n ** 36n }),
    maxSizePenalty: wad(0, 0.5),
    base: wad(0.1, 0.98),
    minThreshold: wad(0.1, 0.98),
    debt: fc.oneof(fc.constant(0n), fc.bigInt({ min: 1n, max: 10n ** 30n })),
  })
  .map((c) => ({ ...c, minThreshold: c.minThreshold > c.base ? c.base : c.minThreshold }));

describe("ThresholdMath (differential against the TypeScript mirror)", function () {
  let harness: ThresholdMathHarness;

  before(async function () {
    harness = await (await ethers.getContractFactory("ThresholdMathHarness")).deploy();
  });

  it("evaluate_onRandomParametersAndVaults_matchesTypeScriptExactly", async function () {
    const cases = fc.sample(caseArb, { numRuns: 4_000, seed: 20261128 });
    for (let offset = 0; offset < cases.length; offset += 500) {
      const batch = cases.slice(offset, offset + 500);
      const results = await harness.evaluate(batch);
      batch.forEach((c, i) => {
        const target = volatilityPenaltyTarget(c.confidence, c.sigma, c.horizon);
        const volPenalty = slew(c.from, target, c.maxStepPerHour, c.elapsed);
        const size = sizePenalty(c.value, c.depth, c.maxSizePenalty);
        const lt = threshold(c.base, c.minThreshold, volPenalty, size);
        const expected = [target, volPenalty, size, lt, health(c.value, lt, c.debt)];
        const r = results[i];
        const actual = [r.target, r.volPenalty, r.sizePenalty, r.threshold, r.health];
        if (actual.some((x, k) => x !== expected[k])) {
          const input = JSON.stringify(c, (_, v) => (typeof v === "bigint" ? v.toString() : v));
          expect(actual, input).to.deep.equal(expected);
        }
        // Model bounds, independent of the mirror.
        expect(lt).to.be.gte(c.minThreshold).and.lte(c.base);
        expect(size).to.be.lte(c.maxSizePenalty);
      });
    }
  });

  it("rampedBase_onRandomRamps_matchesTypeScriptAndStaysBetweenTheEnds", async function () {
    await fc.assert(
      fc.asyncProperty(
        wad(0.1, 0.98),
        wad(0.1, 0.98),
        fc.bigInt({ min: 1n, max: 90n * 86_400n }),
        fc.bigInt({ min: 0n, max: 100n * 86_400n }),
        async (from, to, duration, at) => {
          const start = 1_000n;
          const onChain = await harness.rampedBase(from, to, start, start + duration, start + at);
          expect(onChain).to.equal(rampedBase(from, to, start, start + duration, start + at));
          const [low, high] = from < to ? [from, to] : [to, from];
          expect(onChain).to.be.gte(low).and.lte(high);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("slew_neverMovesMoreThanTheStepPerElapsedHour", function () {
    fc.assert(
      fc.property(
        wad(0, 1),
        wad(0, 1),
        wad(0.0001, 0.5),
        fc.bigInt({ min: 0n, max: 30n * 86_400n }),
        (from, target, maxStep, elapsed) => {
          const moved = slew(from, target, maxStep, elapsed);
          const distance = moved > from ? moved - from : from - moved;
          expect(distance * 3_600n).to.be.lte(maxStep * elapsed);
          // It never overshoots the target.
          const [low, high] = from < target ? [from, target] : [target, from];
          expect(moved).to.be.gte(low).and.lte(high);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it("threshold_isStrictlyLowerForLargerPositionsUntilTheCap", function () {
    fc.assert(
      fc.property(
        fc.bigInt({ min: WAD, max: 10n ** 26n }),
        fc.bigInt({ min: 10n ** 21n, max: 10n ** 27n }),
        (value, depth) => {
          const small = sizePenalty(value, depth, WAD / 2n);
          const large = sizePenalty(value * 10n, depth, WAD / 2n);
          if (small < WAD / 2n) expect(large).to.be.gt(small);
          else expect(large).to.equal(small);
        },
      ),
      { numRuns: 1_000 },
    );
  });
});
