// OracleHub volatility estimator, checked step by step against the TypeScript reference on
// synthetic paths.
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import fc from "fast-check";
import { volatility } from "../../keeper/src/math/volatility";
import {
  START_PRICE,
  HALF_LIFE,
  oracleFixture,
  publishAndPoke,
  type PathStep,
  runPath,
  feedAnswer,
} from "../helpers/oracle";

describe("OracleHub", () => {
  describe("volatility estimator", () => {
    it("volatility_onASteadyDrift_tracksTheReferenceAndConvergesToTheDriftRate", async () => {
      const fixture = await loadFixture(oracleFixture);
      const halfLife = 3_600n;
      await fixture.oracleHub.setHalfLife(fixture.collateral, halfLife);
      const elapsed = 600;
      const steps: PathStep[] = [{ answer: feedAnswer(START_PRICE), elapsed: 0 }];
      for (let i = 0; i < 40; i++) {
        const previous = steps[steps.length - 1].answer;
        steps.push({ answer: previous + previous / 100n, elapsed }); // +1% every 10 minutes
      }
      const variance = await runPath(fixture, steps, halfLife);
      // 40 steps span 6.7 half-lives: the estimate holds (1 - 2^-6.7) ≈ 99% of r²/Δt.
      const sigma = Number(volatility(variance)) / 1e18;
      const expected = 0.01 / Math.sqrt(elapsed);
      expect(sigma / expected).to.be.within(0.99, 1.0);
    });

    it("volatility_onAZigZag_tracksTheReference", async () => {
      const fixture = await loadFixture(oracleFixture);
      const steps: PathStep[] = [];
      for (let i = 0; i < 30; i++) {
        steps.push({ answer: feedAnswer(i % 2 === 0 ? START_PRICE : (START_PRICE * 103n) / 100n), elapsed: 300 });
      }
      await runPath(fixture, steps);
    });

    it("volatility_onGeometricRandomWalksWithIrregularSteps_tracksTheReference", async () => {
      const step = fc.record({
        elapsed: fc.oneof(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 61, max: 4 * 86_400 })),
        logReturn: fc.double({ min: -0.2, max: 0.2, noNaN: true }), // e^±0.2 stays inside the 30% maxJump
      });
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 10, maxLength: 25 }), async (moves) => {
          const fixture = await loadFixture(oracleFixture);
          const steps: PathStep[] = [{ answer: feedAnswer(START_PRICE), elapsed: 0 }];
          for (const { elapsed, logReturn } of moves) {
            const previous = steps[steps.length - 1].answer;
            steps.push({ answer: BigInt(Math.round(Number(previous) * Math.exp(logReturn))), elapsed });
          }
          await runPath(fixture, steps);
        }),
        { numRuns: 6, seed: 0x51ce },
      );
    });

    it("volatility_withConstantPriceForOneHalfLife_halvesTheVariance", async () => {
      const fixture = await loadFixture(oracleFixture);
      const moved = feedAnswer(START_PRICE + START_PRICE / 10n);
      const variance = await runPath(fixture, [
        { answer: feedAnswer(START_PRICE), elapsed: 0 },
        { answer: moved, elapsed: 600 },
      ]);
      expect(variance).to.be.greaterThan(0n);
      let at = Number((await fixture.oracleHub.priceState(fixture.collateral))[1]);

      // One update a whole half-life later: exactly half (2^-1 is exact in the library).
      at += Number(HALF_LIFE);
      await publishAndPoke(fixture.oracleHub, fixture.feed, fixture.collateral, moved, at);
      expect((await fixture.oracleHub.priceState(fixture.collateral))[2]).to.equal(variance / 2n);

      // Four updates a quarter half-life apart: half again, up to rounding. Each update floors the
      // variance (< 1 wei each) and 2^-1/4 is off by a few wei in 1e18, far below a wei here.
      for (let i = 0; i < 4; i++) {
        at += Number(HALF_LIFE / 4n);
        await publishAndPoke(fixture.oracleHub, fixture.feed, fixture.collateral, moved, at);
      }
      const quartered = (await fixture.oracleHub.priceState(fixture.collateral))[2];
      expect(quartered).to.be.closeTo(variance / 4n, 5n);
    });

    it("volatility_onAHigherAmplitudePath_isHigher", async () => {
      async function zigZagVolatility(percent: bigint): Promise<bigint> {
        const fixture = await loadFixture(oracleFixture);
        const steps: PathStep[] = [];
        for (let i = 0; i < 12; i++) {
          const price = i % 2 === 0 ? START_PRICE : (START_PRICE * (100n + percent)) / 100n;
          steps.push({ answer: feedAnswer(price), elapsed: 1_800 });
        }
        await runPath(fixture, steps);
        return fixture.oracleHub.volatility(fixture.collateral);
      }
      const calm = await zigZagVolatility(1n);
      const wild = await zigZagVolatility(5n);
      expect(calm).to.be.greaterThan(0n);
      // σ scales with the return size: about 5x (a little less, since down-moves start from a higher price).
      expect(Number(wild) / Number(calm)).to.be.within(4.5, 5.5);
    });
  });
});
