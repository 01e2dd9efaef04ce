// RiskEngine views, each against first principles or the TypeScript mirror
// (keeper/src/risk/thresholds.ts) applied to the stored parameters, never against another view.
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { expect } from "chai";
import { ORACLE_DEFAULTS, toFeedAnswer } from "../../scripts/lib/deploy";
import { RAY, WAD, mulDivUp, mulWadDown } from "../../keeper/src/math/fixedPoint";
import * as model from "../../keeper/src/risk/thresholds";
import {
  HOUR,
  DAY,
  MAX_UINT256,
  MAX_HEARTBEAT,
  pct,
  units,
  min,
  MIN_MIN_THRESHOLD,
  MAX_BORROW_BUFFER,
  MIN_DEPTH,
  MAX_SIZE_PENALTY,
  THIN,
  riskFixture,
  now,
  readRisk,
  openVault,
  publish,
  publishAnswer,
  zigZag,
  expectVaultViewsMatchMirror,
  newPricedToken,
  freshParams,
} from "../helpers/risk";

describe("RiskEngine", function () {
  let f: Awaited<ReturnType<typeof riskFixture>>;
  let alice: HardhatEthersSigner;
  let thin: string;

  beforeEach(async function () {
    f = await loadFixture(riskFixture);
    [alice] = f.users;
    thin = await f.thin.token.getAddress();
  });

  describe("views", function () {
    it("thresholdBreakdown_partsAddUpToTheEffectiveThreshold", async function () {
      await f.oracleHub.setHeartbeat(thin, MAX_HEARTBEAT);
      const vaultId = await openVault(f, alice, f.thin, units("100"));
      await zigZag(f, f.thin, 4, pct(10), HOUR);
      const [collateral, value] = await f.vaultEngine.position(vaultId);
      expect(collateral).to.equal(thin);
      const [base, volPenalty, sizePenalty, effective] = await f.riskEngine.thresholdBreakdown(vaultId);
      expect(base).to.equal(THIN.risk.baseThreshold);
      expect(volPenalty).to.equal(await f.riskEngine.volatilityPenalty(thin));
      expect(volPenalty).to.be.gt(0n);
      const { depth, maxSizePenalty, minThreshold } = THIN.risk.params;
      expect(sizePenalty).to.equal(min(maxSizePenalty, mulDivUp(value, WAD, value + depth)));
      expect(sizePenalty).to.be.gt(0n);
      expect(effective).to.equal(base - volPenalty - sizePenalty);
      expect(effective).to.be.gt(minThreshold);
      expect(await f.riskEngine.liquidationThreshold(vaultId)).to.equal(effective);
    });

    it("thresholdFor_anyValue_isTheThresholdAVaultWorthThatMuchHas", async function () {
      await f.oracleHub.setHeartbeat(thin, MAX_HEARTBEAT);
      const vaultId = await openVault(f, alice, f.thin, units("1000"));
      await zigZag(f, f.thin, 4, pct(10), HOUR);
      // Mid-ramp the liquidation base and the borrow base differ: the threshold follows the former.
      await f.riskEngine.setBaseThreshold(thin, pct(75), DAY);
      await time.increase(DAY / 2n);
      const [, value] = await f.vaultEngine.position(vaultId);
      const risk = await readRisk(f.riskEngine, thin);
      const expected = model.thresholdBreakdown(risk, value, await now());
      expect(expected.volPenalty).to.be.gt(0n);
      expect(expected.sizePenalty).to.be.gt(0n);
      expect(expected.base).to.be.gt(model.borrowBase(risk.ramp, await now()));
      expect(await f.riskEngine.thresholdFor(thin, value)).to.equal(expected.effective);
      expect(await f.riskEngine.liquidationThreshold(vaultId)).to.equal(expected.effective);
      // Worth nothing, no size penalty: the base less the volatility penalty.
      expect(await f.riskEngine.thresholdFor(thin, 0n)).to.equal(expected.base - expected.volPenalty);
    });

    it("thresholdInputs_combinedWithThresholdMath_giveThresholdForAnyValue", async function () {
      await f.oracleHub.setHeartbeat(thin, MAX_HEARTBEAT);
      await zigZag(f, f.thin, 4, pct(20), 600n);
      // Mid-ramp and between checkpoints: both the base and the penalty are computed, not stored.
      await f.riskEngine.setBaseThreshold(thin, pct(75), DAY);
      await time.increase(DAY / 3n);
      const valuesFor = (depth: bigint) => [0n, 1n, WAD, units("10000"), depth / 3n, depth, 10n * depth, 10n ** 40n];

      for (const maxSizePenaltySetting of [THIN.risk.params.maxSizePenalty, MAX_SIZE_PENALTY]) {
        await f.riskEngine.setMaxSizePenalty(thin, maxSizePenaltySetting);
        await time.increase(HOUR / 4n);
        const [base, minThreshold, volPenalty, depth, maxSizePenalty] = await f.riskEngine.thresholdInputs(thin);
        const risk = await readRisk(f.riskEngine, thin);
        const at = await now();
        expect(base).to.equal(model.liquidationBase(risk.ramp, at));
        expect(base).to.not.equal(risk.ramp.from).and.not.equal(risk.ramp.to);
        expect(volPenalty).to.equal(model.appliedPenalty(risk, at));
        expect(volPenalty).to.not.equal(risk.volatility.penalty);
        expect([minThreshold, depth, maxSizePenalty]).to.deep.equal([
          risk.params.minThreshold,
          risk.params.depth,
          maxSizePenaltySetting,
        ]);
        const thresholds: bigint[] = [];
        for (const value of valuesFor(depth)) {
          const expected = model.threshold(
            base,
            minThreshold,
            volPenalty,
            model.sizePenalty(value, depth, maxSizePenalty),
          );
          expect(await f.riskEngine.thresholdFor(thin, value), `value ${value}`).to.equal(expected);
          thresholds.push(expected);
        }
        // The values span the model: from the base less the volatility penalty down to the clamp.
        expect(thresholds[0]).to.equal(base - volPenalty);
        if (maxSizePenaltySetting === MAX_SIZE_PENALTY) expect(thresholds.at(-1)).to.equal(minThreshold);
      }
    });

    it("healthFactor_withoutDebt_isTheLargestUint", async function () {
      const vaultId = await openVault(f, alice, f.thin, units("100"));
      expect(await f.riskEngine.healthFactor(vaultId)).to.equal(MAX_UINT256);
      expect(await f.riskEngine.isLiquidatable(vaultId)).to.equal(false);
    });

    it("healthFactor_withDebt_isValueTimesThresholdOverDebt", async function () {
      const vaultId = await openVault(f, alice, f.thin, units("100"));
      await f.vaultEngine.connect(alice).borrow(vaultId, units("6000"), alice);
      const [, value, debt] = await f.vaultEngine.position(vaultId);
      const threshold = await f.riskEngine.liquidationThreshold(vaultId);
      expect(await f.riskEngine.healthFactor(vaultId)).to.equal((value * threshold) / debt);
      await expectVaultViewsMatchMirror(f, vaultId);
    });

    it("isLiquidatable_asThePriceFalls_flipsExactlyWhenHealthDropsBelowOne", async function () {
      // No volatility penalty, so the threshold depends on the price alone (through the size penalty).
      await f.riskEngine.setConfidence(thin, 0n);
      const amount = units("100");
      const debt = units("7000");
      const vaultId = await openVault(f, alice, f.thin, amount);
      await f.vaultEngine.connect(alice).borrow(vaultId, debt, alice);

      let answer = toFeedAnswer(THIN.price, THIN.feedDecimals);
      let lastHealthy = answer;
      let views = await expectVaultViewsMatchMirror(f, vaultId);
      expect(views.health).to.be.gte(WAD);
      for (let step = 0; step < 20 && views.health >= WAD; step++) {
        lastHealthy = answer;
        answer = (answer * 98n) / 100n;
        await publishAnswer(f, f.thin, answer);
        views = await expectVaultViewsMatchMirror(f, vaultId);
      }
      expect(views.health).to.be.lt(WAD);

      // The last answer still healthy and the first one not, to one unit of the feed.
      const risk = await readRisk(f.riskEngine, thin);
      const scale = 10n ** BigInt(18 - THIN.feedDecimals);
      const healthAt = async (a: bigint) => model.healthFactor(risk, mulWadDown(amount, a * scale), debt, await now());
      let [unhealthy, healthy] = [answer, lastHealthy];
      while (healthy - unhealthy > 1n) {
        const mid = (healthy + unhealthy) / 2n;
        if ((await healthAt(mid)) >= WAD) healthy = mid;
        else unhealthy = mid;
      }
      await publishAnswer(f, f.thin, healthy);
      const above = await expectVaultViewsMatchMirror(f, vaultId);
      expect(above.health).to.be.gte(WAD);
      expect(await f.riskEngine.isLiquidatable(vaultId)).to.equal(false);
      await publishAnswer(f, f.thin, unhealthy);
      const below = await expectVaultViewsMatchMirror(f, vaultId);
      expect(below.health).to.be.lt(WAD);
      expect(await f.riskEngine.isLiquidatable(vaultId)).to.equal(true);

      // The keeper indexes the vault by the highest liquidatable price to the wei, which lies between
      // the two feed answers; the feed's 8 decimals round it to the last of them that liquidates.
      const at = await now();
      const keeperPrice = model.liquidationPrice(risk, { collateralAmount: amount, decimals: 18, debt }, at);
      expect(keeperPrice).to.be.gte(unhealthy * scale);
      expect(keeperPrice).to.be.lt(healthy * scale);
      expect(model.healthFactor(risk, mulWadDown(amount, keeperPrice), debt, at)).to.be.lt(WAD);
      expect(model.healthFactor(risk, mulWadDown(amount, keeperPrice + 1n), debt, at)).to.be.gte(WAD);
      await publishAnswer(f, f.thin, keeperPrice / scale);
      expect(await f.riskEngine.isLiquidatable(vaultId)).to.equal(true);
      await publishAnswer(f, f.thin, keeperPrice / scale + 1n);
      expect(await f.riskEngine.isLiquidatable(vaultId)).to.equal(false);
    });

    it("liquidationPrice_withoutDebt_isZero_andWithoutCollateral_isTheLargestUint", async function () {
      const risk = await readRisk(f.riskEngine, thin);
      const at = await now();
      // No oracle price is 0, so 0 says that no price liquidates the vault; every price liquidates debt alone.
      expect(model.liquidationPrice(risk, { collateralAmount: units("100"), decimals: 18, debt: 0n }, at)).to.equal(0n);
      expect(model.liquidationPrice(risk, { collateralAmount: 0n, decimals: 18, debt: 1n }, at)).to.equal(MAX_UINT256);
      expect(model.liquidationPrice(risk, { collateralAmount: 0n, decimals: 6, debt: 0n }, at)).to.equal(0n);
    });

    it("isLiquidatable_atHealthExactlyOne_isFalse", async function () {
      // Without a buffer the borrowing limit is V · LT: borrowing all of it lands on health 1 exactly
      // when V · LT is a whole number of wad (10,000 · LT is).
      await f.riskEngine.setBorrowBuffer(thin, 0n);
      const vaultId = await openVault(f, alice, f.thin, units("100"));
      const limit = await f.vaultEngine.maxDebt(vaultId);
      const [, value] = await f.vaultEngine.position(vaultId);
      const threshold = await f.riskEngine.liquidationThreshold(vaultId);
      expect(limit).to.equal(mulWadDown(value, threshold));
      expect((value * threshold) % WAD).to.equal(0n);
      await f.vaultEngine.connect(alice).borrow(vaultId, limit, alice);
      expect(await f.riskEngine.healthFactor(vaultId)).to.equal(WAD);
      expect(await f.riskEngine.isLiquidatable(vaultId)).to.equal(false);
      // One feed unit of price lower tips it below one.
      await publishAnswer(f, f.thin, toFeedAnswer(THIN.price, THIN.feedDecimals) - 1n);
      const views = await expectVaultViewsMatchMirror(f, vaultId);
      expect(views.health).to.be.lt(WAD);
      expect(await f.riskEngine.isLiquidatable(vaultId)).to.equal(true);
    });

    it("vaultViews_whenTheOracleIsStale_revertWithStalePrice", async function () {
      const vaultId = await openVault(f, alice, f.thin, units("100"));
      await time.increase(2n * HOUR);
      const [, updatedAt] = await f.oracleHub.priceState(thin);
      await expect(f.riskEngine.healthFactor(vaultId))
        .to.be.revertedWithCustomError(f.oracleHub, "StalePrice")
        .withArgs(thin, updatedAt, ORACLE_DEFAULTS.heartbeat);
      await publish(f, f.thin, THIN.price);
      await expectVaultViewsMatchMirror(f, vaultId);
    });

    it("borrowRatio_whenTheBufferReachesTheThreshold_isZero", async function () {
      const { token } = await newPricedToken(f);
      const threshold = pct(30);
      await f.riskEngine.addCollateral(
        token,
        threshold,
        freshParams({ minThreshold: MIN_MIN_THRESHOLD, borrowBuffer: MAX_BORROW_BUFFER, depth: MIN_DEPTH }),
      );
      // No value, no penalty: LT is the base, equal to the buffer.
      expect(await f.riskEngine.borrowRatio(token, 0n)).to.equal(0n);
      // Any value adds a size penalty: LT below the buffer.
      expect(await f.riskEngine.borrowRatio(token, WAD)).to.equal(0n);
      await f.riskEngine.setBorrowBuffer(token, threshold - 1n);
      expect(await f.riskEngine.borrowRatio(token, 0n)).to.equal(1n);
    });

    it("liquidationBaseAndBorrowBase_withoutARamp_areTheListedBase", async function () {
      for (const c of [f.weth, f.wbtc, f.thin]) {
        const token = await c.token.getAddress();
        expect(await f.riskEngine.liquidationBase(token)).to.equal(c.spec.risk.baseThreshold);
        expect(await f.riskEngine.borrowBase(token)).to.equal(c.spec.risk.baseThreshold);
      }
    });

    it("collateralViews_forUnlistedCollateral_revert", async function () {
      const views: [string, () => Promise<unknown>][] = [
        ["borrowRatio", () => f.riskEngine.borrowRatio(f.unlisted, WAD)],
        ["thresholdFor", () => f.riskEngine.thresholdFor(f.unlisted, WAD)],
        ["thresholdInputs", () => f.riskEngine.thresholdInputs(f.unlisted)],
        ["volatilityPenalty", () => f.riskEngine.volatilityPenalty(f.unlisted)],
        ["liquidationBase", () => f.riskEngine.liquidationBase(f.unlisted)],
        ["borrowBase", () => f.riskEngine.borrowBase(f.unlisted)],
        ["riskParams", () => f.riskEngine.riskParams(f.unlisted)],
        ["baseRamp", () => f.riskEngine.baseRamp(f.unlisted)],
        ["volatilityState", () => f.riskEngine.volatilityState(f.unlisted)],
      ];
      for (const [view, read] of views) {
        await expect(read(), view)
          .to.be.revertedWithCustomError(f.riskEngine, "CollateralNotListed")
          .withArgs(f.unlisted);
      }
    });

    it("vaultViews_forUnknownVault_revertWithVaultNotFound", async function () {
      const unknown = (await f.vaultEngine.vaultCount()) + 1n;
      const views: [string, () => Promise<unknown>][] = [
        ["liquidationThreshold", () => f.riskEngine.liquidationThreshold(unknown)],
        ["thresholdBreakdown", () => f.riskEngine.thresholdBreakdown(unknown)],
        ["healthFactor", () => f.riskEngine.healthFactor(unknown)],
        ["isLiquidatable", () => f.riskEngine.isLiquidatable(unknown)],
      ];
      for (const [view, read] of views) {
        await expect(read(), view).to.be.revertedWithCustomError(f.vaultEngine, "VaultNotFound").withArgs(unknown);
      }
    });

    it("vaultViews_forACollateralTheRiskEngineDoesNotList_revert", async function () {
      const { token } = await newPricedToken(f);
      await f.vaultEngine.addCollateral(token, {
        debtCeiling: THIN.debtCeiling,
        dust: THIN.dust,
        stabilityFee: RAY,
        maxLTV: THIN.maxLTV,
      });
      const vaultId = (await f.vaultEngine.vaultCount()) + 1n;
      await f.vaultEngine.connect(alice).openVault(token);
      await expect(f.riskEngine.liquidationThreshold(vaultId))
        .to.be.revertedWithCustomError(f.riskEngine, "CollateralNotListed")
        .withArgs(token);
      await expect(f.riskEngine.healthFactor(vaultId))
        .to.be.revertedWithCustomError(f.riskEngine, "CollateralNotListed")
        .withArgs(token);
    });
  });
});
