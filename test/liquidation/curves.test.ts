// Price curves (contracts/liquidation/curves/): constructor checks, and properties against a
// TypeScript reference written from each curve's definition (never from the contract's output).
import { expect } from "chai";
import { ethers } from "hardhat";
import fc from "fast-check";
import { WAD } from "../../keeper/src/math/fixedPoint";
import { linearPrice, stairstepPrice } from "../helpers/reference";
import { LinearCurve__factory, StairstepCurve__factory } from "../../typechain-types";
import type { IPriceCurve } from "../../typechain-types";
import { propertyRuns } from "../helpers/runs";

const MAX_UINT96 = 2n ** 96n - 1n;

/** Start prices an auction can hold (uint96), weighted toward realistic and extreme values. */
const startPriceArb = fc.oneof(
  fc.constantFrom(0n, 1n, WAD, 3_300n * WAD, MAX_UINT96),
  fc.bigInt({ min: 0n, max: MAX_UINT96 }),
  fc.bigInt({ min: 1n, max: 10n ** 6n }),
);
const elapsedArb = fc.oneof(fc.bigInt({ min: 0n, max: 4n * 3_600n }), fc.bigInt({ min: 0n, max: 10n ** 9n }));

describe("Price curves", function () {
  describe("LinearCurve", function () {
    it("constructor_zeroDuration_reverts", async function () {
      const factory = new LinearCurve__factory((await ethers.getSigners())[0]);
      await expect(factory.deploy(0)).to.be.revertedWithCustomError(factory, "ZeroDuration");
    });

    it("price_atTheEnds_isStartThenZero", async function () {
      const curve = await new LinearCurve__factory((await ethers.getSigners())[0]).deploy(10_800);
      expect(await curve.duration()).to.equal(10_800n);
      expect(await curve.price(3_000n * WAD, 0)).to.equal(3_000n * WAD);
      expect(await curve.price(3_000n * WAD, 5_400)).to.equal(1_500n * WAD);
      // One second before the end: a third of a wei rounds up, never down to a free lot.
      expect(await curve.price(1n, 10_799)).to.equal(1n);
      expect(await curve.price(3_000n * WAD, 10_800)).to.equal(0n);
      expect(await curve.price(3_000n * WAD, 2n ** 200n)).to.equal(0n);
    });

    it("price_property_matchesReferenceNonIncreasingAndBelowStart", async function () {
      const [deployer] = await ethers.getSigners();
      const curves = new Map<bigint, IPriceCurve>();
      const curveFor = async (duration: bigint): Promise<IPriceCurve> => {
        let curve = curves.get(duration);
        if (!curve) {
          curve = await new LinearCurve__factory(deployer).deploy(duration);
          curves.set(duration, curve);
        }
        return curve;
      };
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(1n, 7n, 60n, 10_800n, 86_400n, 999_983n),
          startPriceArb,
          elapsedArb,
          elapsedArb,
          async (duration, startPrice, a, b) => {
            const curve = await curveFor(duration);
            const [early, late] = a <= b ? [a, b] : [b, a];
            const priceEarly = await curve.price(startPrice, early);
            const priceLate = await curve.price(startPrice, late);
            expect(priceEarly).to.equal(linearPrice(startPrice, early, duration));
            expect(priceLate).to.equal(linearPrice(startPrice, late, duration));
            expect(priceEarly).to.be.lte(startPrice);
            expect(priceLate).to.be.lte(priceEarly);
          },
        ),
        { numRuns: propertyRuns(150) },
      );
    });
  });

  describe("StairstepCurve", function () {
    it("constructor_zeroStep_reverts", async function () {
      const factory = new StairstepCurve__factory((await ethers.getSigners())[0]);
      await expect(factory.deploy(0, (99n * WAD) / 100n)).to.be.revertedWithCustomError(factory, "InvalidStep");
    });

    it("constructor_cutOutsideOpenUnitInterval_reverts", async function () {
      const factory = new StairstepCurve__factory((await ethers.getSigners())[0]);
      for (const cut of [0n, WAD, WAD + 1n, 2n ** 255n]) {
        await expect(factory.deploy(60, cut)).to.be.revertedWithCustomError(factory, "InvalidCut").withArgs(cut);
      }
    });

    it("constructor_cutAtTheOpenBounds_deploys", async function () {
      const factory = new StairstepCurve__factory((await ethers.getSigners())[0]);
      for (const cut of [1n, WAD - 1n]) {
        const curve = await factory.deploy(1, cut);
        expect(await curve.cut()).to.equal(cut);
        expect(await curve.step()).to.equal(1n);
      }
    });

    it("price_stepByStep_multipliesByCutOncePerStep", async function () {
      const curve = await new StairstepCurve__factory((await ethers.getSigners())[0]).deploy(60, (99n * WAD) / 100n);
      const start = 3_300n * WAD;
      expect(await curve.price(start, 0)).to.equal(start);
      expect(await curve.price(start, 59)).to.equal(start);
      expect(await curve.price(start, 60)).to.equal((start * 99n) / 100n);
      expect(await curve.price(start, 119)).to.equal((start * 99n) / 100n);
      expect(await curve.price(start, 120)).to.equal((start * 99n * 99n) / 100n / 100n);
    });

    it("price_property_matchesReferenceNonIncreasingAndBelowStart", async function () {
      const [deployer] = await ethers.getSigners();
      const curves = new Map<string, IPriceCurve>();
      const curveFor = async (step: bigint, cut: bigint): Promise<IPriceCurve> => {
        const key = `${step}/${cut}`;
        let curve = curves.get(key);
        if (!curve) {
          curve = await new StairstepCurve__factory(deployer).deploy(step, cut);
          curves.set(key, curve);
        }
        return curve;
      };
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(1n, 60n, 90n, 3_600n),
          fc.oneof(
            fc.constantFrom(1n, WAD / 2n, (99n * WAD) / 100n, (999n * WAD) / 1_000n, WAD - 1n),
            fc.bigInt({ min: 1n, max: WAD - 1n }),
          ),
          startPriceArb,
          elapsedArb,
          elapsedArb,
          async (step, cut, startPrice, a, b) => {
            const curve = await curveFor(step, cut);
            const [early, late] = a <= b ? [a, b] : [b, a];
            const priceEarly = await curve.price(startPrice, early);
            const priceLate = await curve.price(startPrice, late);
            expect(priceEarly).to.equal(stairstepPrice(startPrice, early, step, cut));
            expect(priceLate).to.equal(stairstepPrice(startPrice, late, step, cut));
            expect(priceEarly).to.be.lte(startPrice);
            expect(priceLate).to.be.lte(priceEarly);
          },
        ),
        { numRuns: propertyRuns(150) },
      );
    });
  });
});
