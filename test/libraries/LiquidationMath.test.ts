// Differential test: contracts/libraries/LiquidationMath.sol against keeper/src/math/liquidation.ts
// on random vaults (6, 8 and 18 decimals, dust to whale sizes, every rate and price range the protocol
// allows) and random rooms under the caps. They must agree to the wei, refusals included.
import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import type { Result } from "ethers";
import { RAY, mulDivDown, valueDown } from "../../keeper/src/math/fixedPoint";
import {
  TakeRefused,
  cutNormalizedDebtDown,
  debtUp,
  fill,
  incentiveDown,
  maxIncentiveDown,
  size,
  type LiquidationParams,
  type LiquidationVault,
} from "../../keeper/src/math/liquidation";
import { DutchAuction__factory, type DutchAuction, type LiquidationMathHarness } from "../../typechain-types";

const wad = (min: number, max: number) =>
  fc.bigInt({ min: BigInt(Math.round(min * 1e6)), max: BigInt(Math.round(max * 1e6)) }).map((x) => x * 10n ** 12n);
/** Spread over orders of magnitude: 10^lo … 10^hi, with the mantissa random. */
const magnitude = (lo: number, hi: number) =>
  fc
    .tuple(fc.integer({ min: lo, max: hi }), fc.bigInt({ min: 1n, max: 10n ** 6n }))
    .map(([exponent, mantissa]) => (10n ** BigInt(exponent) * mantissa) / 10n ** 6n + 1n);

const vaultArb: fc.Arbitrary<LiquidationVault> = fc
  .record({
    decimals: fc.constantFrom(6, 8, 18),
    units: magnitude(0, 9), // whole collateral units
    dust: fc.oneof(fc.constant(0n), magnitude(18, 24)),
    rate: fc.bigInt({ min: RAY, max: 5n * RAY }),
    price: magnitude(12, 24), // [wad]: 1e-6 … 1e6 stablecoin a unit
    leverage: fc.bigInt({ min: 1n, max: 3_000n }), // debt ≈ value · leverage / 1,000
  })
  .map(({ decimals, units, dust, rate, price, leverage }) => {
    const collateralAmount = units * 10n ** BigInt(decimals) + (units % 7n);
    const value = valueDown(collateralAmount, decimals, price);
    const normalizedDebt = mulDivDown((value * leverage) / 1_000n + 1n, RAY, rate) + 1n;
    return {
      collateralAmount,
      normalizedDebt,
      rate,
      price,
      value,
      debt: debtUp(normalizedDebt, rate),
      dust,
      decimals,
    };
  });

const paramsArb: fc.Arbitrary<LiquidationParams> = fc.record({
  penalty: wad(0, 0.5),
  targetHealth: wad(1.000001, 2),
  fullLiquidationHealth: wad(0, 1),
  collateralMargin: wad(1, 3),
});

const caseArb = fc
  .record({
    vault: vaultArb,
    params: paramsArb,
    threshold: wad(0.1, 0.98),
    // Rooms from none to far above any lot, with exact edges around the uncut debt to raise.
    roomPermille: fc.oneof(fc.integer({ min: 0, max: 2_000 }), fc.constant(1_000)),
    roomOffset: fc.bigInt({ min: -3n, max: 3n }),
  })
  .map((c) => {
    const health = c.vault.debt === 0n ? 2n ** 256n - 1n : mulDivDown(c.vault.value, c.threshold, c.vault.debt);
    const uncut = size(c.vault, c.params, c.threshold, health, 2n ** 96n).debtToRaise;
    const room = (uncut * BigInt(c.roomPermille)) / 1_000n + c.roomOffset;
    return { ...c, health, room: room < 0n ? 0n : room };
  });

/** IVaultEngine.LiquidationData as the harness takes it: the fields sizing does not read set to zero. */
const onChain = (vault: LiquidationVault) => ({
  ...vault,
  owner: ethers.ZeroAddress,
  collateral: ethers.ZeroAddress,
  lastBorrowBlock: 0n,
  inAuction: false,
});

const plain = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value, (_, v) => (typeof v === "bigint" ? v.toString() : v)));

describe("LiquidationMath (differential against the TypeScript mirror)", function () {
  let harness: LiquidationMathHarness;
  /** The DutchAuction's errors, which LiquidationMath.fill reverts with. */
  let auctionErrors: DutchAuction;

  before(async function () {
    harness = await (await ethers.getContractFactory("LiquidationMathHarness")).deploy();
    auctionErrors = DutchAuction__factory.connect(await harness.getAddress(), ethers.provider);
  });

  it("size_onRandomVaultsParamsAndRooms_matchesTypeScriptExactly", async function () {
    const cases = fc.sample(caseArb, { numRuns: 3_000, seed: 20261201 });
    let cut = 0;
    let noRoom = 0;
    let full = 0;
    for (let offset = 0; offset < cases.length; offset += 250) {
      const batch = cases.slice(offset, offset + 250);
      const results = await harness.sizeMany(batch.map((c) => ({ ...c, vault: onChain(c.vault) })));
      batch.forEach((c, i) => {
        const expected = size(c.vault, c.params, c.threshold, c.health, c.room);
        // `slice` would read Array.prototype.slice on the Result: go through a plain object.
        const actual = (results[i] as unknown as Result).toObject();
        expect(actual, JSON.stringify(plain(c))).to.deep.equal(expected);
        if (expected.cut) cut++;
        if (expected.noRoom) noRoom++;
        if (expected.full) full++;
      });
    }
    // The inputs reach every branch often enough to mean something.
    expect(cut).to.be.gt(500);
    expect(noRoom).to.be.gt(20);
    expect(full).to.be.gt(300);
  });

  it("size_whateverTheRoom_neverRaisesMoreThanItAndKeepsCollateralBehindDebt", function () {
    fc.assert(
      fc.property(caseArb, (c) => {
        const sizing = size(c.vault, c.params, c.threshold, c.health, c.room);
        if (sizing.noRoom) return;
        expect(sizing.debtToRaise).to.be.lte(c.room);
        expect(sizing.collateralAmount).to.be.lte(c.vault.collateralAmount);
        expect(sizing.normalizedDebt).to.be.lte(c.vault.normalizedDebt);
        // Collateral leaves only with debt; a vault emptied of collateral is emptied of debt.
        if (sizing.collateralAmount === c.vault.collateralAmount) {
          expect(sizing.normalizedDebt).to.equal(c.vault.normalizedDebt);
        }
        if (sizing.cut) {
          // In proportion, rounded down: the vault keeps at least its collateral-to-debt ratio.
          const keptCollateral = c.vault.collateralAmount - sizing.collateralAmount;
          const keptDebt = c.vault.normalizedDebt - sizing.normalizedDebt;
          expect(keptCollateral * c.vault.normalizedDebt).to.be.gte(c.vault.collateralAmount * keptDebt);
          expect(keptCollateral).to.be.gt(0n);
        }
      }),
      { numRuns: 2_000, seed: 20261201 },
    );
  });

  it("cutNormalizedDebtDownAndMaxIncentiveDown_onRandomInputs_matchTypeScriptExactly", async function () {
    const cases = fc.sample(fc.record({ c: caseArb, seizedValue: magnitude(0, 30), penalty: wad(0, 0.5) }), {
      numRuns: 200,
      seed: 20261202,
    });
    for (const { c, seizedValue, penalty } of cases) {
      expect(await harness.cutNormalizedDebtDown(onChain(c.vault), penalty, c.room)).to.equal(
        cutNormalizedDebtDown(c.vault, penalty, c.room),
      );
      expect(await harness.maxIncentiveDown(c.vault.debt, seizedValue, penalty)).to.equal(
        maxIncentiveDown(c.vault.debt, seizedValue, penalty),
      );
    }
  });

  it("fill_onRandomLotsPricesAndTakes_matchesTypeScriptExactlyRefusalsIncluded", async function () {
    const takeArb = fc
      .record({
        decimals: fc.constantFrom(6, 8, 18),
        collateralLeft: fc.oneof(fc.bigInt({ min: 1n, max: 1_000n }), magnitude(6, 26)),
        debtLeft: fc.oneof(magnitude(0, 20), magnitude(18, 28)),
        price: magnitude(12, 24),
        dust: fc.oneof(fc.constant(0n), magnitude(18, 23)),
        takePermille: fc.oneof(fc.integer({ min: 0, max: 1_000 }), fc.constantFrom(999, 1_000, 1_001)),
        takeOffset: fc.bigInt({ min: -2n, max: 2n }),
      })
      .map((c) => {
        const wanted = (c.collateralLeft * BigInt(c.takePermille)) / 1_000n + c.takeOffset;
        return { ...c, maxCollateral: wanted < 0n ? 0n : wanted };
      });
    const refusals = new Map<string, number>();
    for (const c of fc.sample(takeArb, { numRuns: 400, seed: 20261203 })) {
      let expected: { collateralBought: bigint; debtPaid: bigint } | TakeRefused;
      try {
        expected = fill(c.collateralLeft, c.debtLeft, c.maxCollateral, c.price, c.decimals, c.dust);
      } catch (error) {
        if (!(error instanceof TakeRefused)) throw error;
        expected = error;
      }
      const call = harness.fill(c.collateralLeft, c.debtLeft, c.maxCollateral, c.price, c.decimals, c.dust);
      if (expected instanceof TakeRefused) {
        refusals.set(expected.reason, (refusals.get(expected.reason) ?? 0) + 1);
        await expect(call, JSON.stringify(plain(c)))
          .to.be.revertedWithCustomError(auctionErrors, expected.reason)
          .withArgs(...expected.args);
      } else {
        const [collateralBought, debtPaid] = await call;
        expect({ collateralBought, debtPaid }, JSON.stringify(plain(c))).to.deep.equal(expected);
        // Never more than asked or left, never less paid than the value at the price rounded up.
        expect(collateralBought).to.be.lte(c.maxCollateral).and.lte(c.collateralLeft);
        expect(debtPaid).to.be.lte(c.debtLeft);
      }
    }
    expect([...refusals.keys()].sort()).to.deep.equal(["TakeLeavesDust", "TakeLeavesDustCollateral", "ZeroTake"]);
  });

  it("incentiveDown_onRandomParamsAndBases_matchesTypeScriptAndNeverExceedsTheBase", async function () {
    const cases = fc.sample(
      fc.record({
        params: fc.record({
          flatIncentive: magnitude(0, 22),
          incentiveRate: wad(0, 0.1),
          maxIncentive: magnitude(18, 24),
        }),
        base: fc.oneof(fc.constant(0n), magnitude(0, 28)),
        dust: fc.oneof(fc.constant(0n), magnitude(18, 23)),
      }),
      { numRuns: 200, seed: 20261204 },
    );
    for (const { params, base, dust } of cases) {
      const expected = incentiveDown(params, base, dust);
      expect(await harness.incentiveDown(params, base, dust)).to.equal(expected);
      expect(expected).to.be.lte(base);
      if (base < dust) expect(expected).to.equal(0n);
    }
  });
});
