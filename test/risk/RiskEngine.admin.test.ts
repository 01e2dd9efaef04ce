// RiskEngine admin: the constructor, listing a collateral, and every governed setter with its bounds,
// its effects and the checkpoint it takes. Expected values come from first principles or from the
// TypeScript mirror (keeper/src/risk/thresholds.ts) applied to the stored parameters.
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { toFeedAnswer } from "../../scripts/lib/deploy";
import { WAD, mulDivDown, mulDivUp } from "../../keeper/src/math/fixedPoint";
import * as model from "../../keeper/src/risk/thresholds";
import type { RiskParams } from "../../keeper/src/risk/thresholds";
import { RiskEngine__factory } from "../../typechain-types";
import { rangeArgs, rangeError } from "../helpers/errors";
import {
  HOUR,
  DAY,
  pct,
  units,
  MAX_BASE_THRESHOLD,
  MIN_MIN_THRESHOLD,
  MAX_BORROW_BUFFER,
  MAX_CONFIDENCE,
  MIN_HORIZON,
  MAX_HORIZON,
  MIN_RAMP_DURATION,
  MAX_RAMP_DURATION,
  MIN_DEPTH,
  MAX_DEPTH,
  MAX_SIZE_PENALTY,
  MIN_STEP_PER_HOUR,
  MAX_STEP_PER_HOUR,
  THIN,
  WETH_SPEC,
  riskFixture,
  paramsTuple,
  cappedTarget,
  now,
  readRisk,
  currentTarget,
  openVault,
  zigZag,
  expectVaultViewsMatchMirror,
  expectedMaxDebt,
  newPricedToken,
  freshParams,
} from "../helpers/risk";

describe("RiskEngine", function () {
  let f: Awaited<ReturnType<typeof riskFixture>>;
  let alice: HardhatEthersSigner;
  let bob: HardhatEthersSigner;
  let stranger: HardhatEthersSigner;
  let weth: string;
  let thin: string;

  beforeEach(async function () {
    f = await loadFixture(riskFixture);
    [alice, bob] = f.users;
    stranger = f.users[5];
    weth = await f.weth.token.getAddress();
    thin = await f.thin.token.getAddress();
  });

  describe("constructor", function () {
    it("constructor_withZeroVaultEngine_reverts", async function () {
      const factory = new RiskEngine__factory(f.governor);
      await expect(factory.deploy(f.accessManager, ethers.ZeroAddress, f.oracleHub)).to.be.revertedWithCustomError(
        factory,
        "ZeroAddress",
      );
    });

    it("constructor_withZeroOracle_reverts", async function () {
      const factory = new RiskEngine__factory(f.governor);
      await expect(factory.deploy(f.accessManager, f.vaultEngine, ethers.ZeroAddress)).to.be.revertedWithCustomError(
        factory,
        "ZeroAddress",
      );
    });

    it("constructor_storesTheVaultEngineAndOracle", async function () {
      expect(await f.riskEngine.vaultEngine()).to.equal(await f.vaultEngine.getAddress());
      expect(await f.riskEngine.oracle()).to.equal(await f.oracleHub.getAddress());
      expect(await f.vaultEngine.riskModel()).to.equal(await f.riskEngine.getAddress());
    });
  });

  describe("addCollateral", function () {
    it("addCollateral_whenNew_storesEverythingAndStartsThePenaltyAtItsTarget", async function () {
      const { token, feed } = await newPricedToken(f);
      // A move before listing gives the oracle a σ, so the starting penalty is not trivially zero.
      await feed.setAnswer(toFeedAnswer(110n * WAD, 8));
      await f.oracleHub.poke(token);
      const params = freshParams();
      const base = pct(80);
      const target = cappedTarget(params.confidence, await f.oracleHub.volatility(token), params.horizon);
      expect(target).to.be.gt(0n).and.lt(WAD);

      const at = (await now()) + 5n;
      await time.setNextBlockTimestamp(at);
      const tx = f.riskEngine.addCollateral(token, base, params);
      await expect(tx).to.emit(f.riskEngine, "CollateralAdded").withArgs(token, base, paramsTuple(params));
      await expect(tx).to.emit(f.riskEngine, "VolatilityPenaltySynced").withArgs(token, target, target);

      expect(paramsTuple(await readRisk(f.riskEngine, token).then((risk) => risk.params))).to.deep.equal(
        paramsTuple(params),
      );
      const ramp = await f.riskEngine.baseRamp(token);
      expect([ramp.from, ramp.to, ramp.start, ramp.end]).to.deep.equal([base, base, at, at]);
      const state = await f.riskEngine.volatilityState(token);
      expect([state.penalty, state.target, state.checkpoint]).to.deep.equal([target, target, at]);
      expect(await f.riskEngine.volatilityPenalty(token)).to.equal(target);
      expect(await f.riskEngine.liquidationBase(token)).to.equal(base);
      expect(await f.riskEngine.borrowBase(token)).to.equal(base);
    });

    it("addCollateral_withEveryParameterAtItsBounds_succeeds", async function () {
      const lowest = freshParams({
        minThreshold: MIN_MIN_THRESHOLD,
        borrowBuffer: 0n,
        confidence: 0n,
        horizon: MIN_HORIZON,
        minRampDuration: MIN_RAMP_DURATION,
        depth: MIN_DEPTH,
        maxSizePenalty: 0n,
        maxStepPerHour: MIN_STEP_PER_HOUR,
      });
      const highest = freshParams({
        minThreshold: MAX_BASE_THRESHOLD,
        borrowBuffer: MAX_BORROW_BUFFER,
        confidence: MAX_CONFIDENCE,
        horizon: MAX_HORIZON,
        minRampDuration: MAX_RAMP_DURATION,
        depth: MAX_DEPTH,
        maxSizePenalty: MAX_SIZE_PENALTY,
        maxStepPerHour: MAX_STEP_PER_HOUR,
      });
      for (const [base, params] of [
        [MIN_MIN_THRESHOLD, lowest],
        [MAX_BASE_THRESHOLD, highest],
      ] as const) {
        const { token } = await newPricedToken(f);
        await expect(f.riskEngine.addCollateral(token, base, params))
          .to.emit(f.riskEngine, "CollateralAdded")
          .withArgs(token, base, paramsTuple(params));
        expect(paramsTuple((await readRisk(f.riskEngine, token)).params)).to.deep.equal(paramsTuple(params));
        expect(await f.riskEngine.liquidationBase(token)).to.equal(base);
      }
    });

    it("addCollateral_zeroAddress_reverts", async function () {
      await expect(
        f.riskEngine.addCollateral(ethers.ZeroAddress, THIN.risk.baseThreshold, freshParams()),
      ).to.be.revertedWithCustomError(f.riskEngine, "ZeroAddress");
    });

    it("addCollateral_whenAlreadyListed_reverts", async function () {
      await expect(f.riskEngine.addCollateral(weth, THIN.risk.baseThreshold, freshParams()))
        .to.be.revertedWithCustomError(f.riskEngine, "CollateralAlreadyListed")
        .withArgs(weth);
    });

    it("addCollateral_withoutAnOracleFeed_revertsWithTheOraclesFeedNotConfigured", async function () {
      await expect(f.riskEngine.addCollateral(f.unlisted, THIN.risk.baseThreshold, freshParams()))
        .to.be.revertedWithCustomError(f.oracleHub, "FeedNotConfigured")
        .withArgs(f.unlisted);
    });

    it("addCollateral_fromStranger_revertsUnauthorized", async function () {
      const { token } = await newPricedToken(f);
      await expect(f.riskEngine.connect(stranger).addCollateral(token, THIN.risk.baseThreshold, freshParams()))
        .to.be.revertedWithCustomError(f.riskEngine, "AccessManagedUnauthorized")
        .withArgs(stranger.address);
    });

    // [parameter, value, min, max]: the listing sets `parameter` to `value` and keeps the rest valid.
    const floor = THIN.risk.params.minThreshold;
    const listingCases: [keyof RiskParams | "baseThreshold", bigint, bigint, bigint][] = [
      ["minThreshold", MIN_MIN_THRESHOLD - 1n, MIN_MIN_THRESHOLD, MAX_BASE_THRESHOLD],
      ["minThreshold", MAX_BASE_THRESHOLD + 1n, MIN_MIN_THRESHOLD, MAX_BASE_THRESHOLD],
      ["baseThreshold", floor - 1n, floor, MAX_BASE_THRESHOLD],
      ["baseThreshold", MAX_BASE_THRESHOLD + 1n, floor, MAX_BASE_THRESHOLD],
      ["borrowBuffer", MAX_BORROW_BUFFER + 1n, 0n, MAX_BORROW_BUFFER],
      ["confidence", MAX_CONFIDENCE + 1n, 0n, MAX_CONFIDENCE],
      ["horizon", MIN_HORIZON - 1n, MIN_HORIZON, MAX_HORIZON],
      ["horizon", MAX_HORIZON + 1n, MIN_HORIZON, MAX_HORIZON],
      ["minRampDuration", MIN_RAMP_DURATION - 1n, MIN_RAMP_DURATION, MAX_RAMP_DURATION],
      ["minRampDuration", MAX_RAMP_DURATION + 1n, MIN_RAMP_DURATION, MAX_RAMP_DURATION],
      ["depth", MIN_DEPTH - 1n, MIN_DEPTH, MAX_DEPTH],
      ["depth", MAX_DEPTH + 1n, MIN_DEPTH, MAX_DEPTH],
      ["maxSizePenalty", MAX_SIZE_PENALTY + 1n, 0n, MAX_SIZE_PENALTY],
      ["maxStepPerHour", MIN_STEP_PER_HOUR - 1n, MIN_STEP_PER_HOUR, MAX_STEP_PER_HOUR],
      ["maxStepPerHour", MAX_STEP_PER_HOUR + 1n, MIN_STEP_PER_HOUR, MAX_STEP_PER_HOUR],
    ];
    for (const [parameter, value, lowest, highest] of listingCases) {
      it(`addCollateral_${parameter}${value < lowest ? "BelowMin" : "AboveMax"}_reverts${rangeError(parameter)}`, async function () {
        const { token } = await newPricedToken(f);
        const listing =
          parameter === "baseThreshold"
            ? f.riskEngine.addCollateral(token, value, freshParams())
            : f.riskEngine.addCollateral(token, THIN.risk.baseThreshold, freshParams({ [parameter]: value }));
        await expect(listing)
          .to.be.revertedWithCustomError(f.riskEngine, rangeError(parameter))
          .withArgs(...rangeArgs(value, lowest, highest));
      });
    }
  });

  describe("setters", function () {
    // [parameter, a valid new value for WETH, min, max as the engine reports them for WETH]. Each
    // parameter has its typed setter `set<Parameter>` and event `<Parameter>Set`.
    const setterCases: [keyof RiskParams, bigint, bigint, bigint][] = [
      // A floor above the base would let the clamp lift thresholds over it: capped at the base.
      ["minThreshold", pct(65), MIN_MIN_THRESHOLD, WETH_SPEC.risk.baseThreshold],
      ["borrowBuffer", pct(10), 0n, MAX_BORROW_BUFFER],
      ["confidence", 3n * WAD, 0n, MAX_CONFIDENCE],
      ["horizon", 8n * HOUR, MIN_HORIZON, MAX_HORIZON],
      ["minRampDuration", 2n * DAY, MIN_RAMP_DURATION, MAX_RAMP_DURATION],
      ["depth", 50_000_000n * WAD, MIN_DEPTH, MAX_DEPTH],
      ["maxSizePenalty", pct(10), 0n, MAX_SIZE_PENALTY],
      ["maxStepPerHour", pct(2), MIN_STEP_PER_HOUR, MAX_STEP_PER_HOUR],
    ];
    const wethParams = WETH_SPEC.risk.params;

    const call = (caller: HardhatEthersSigner, fn: string, collateral: string, value: bigint) =>
      f.riskEngine.connect(caller).getFunction(fn)(collateral, value);

    for (const [parameter, value, lowest, highest] of setterCases) {
      const capitalized = parameter[0].toUpperCase() + parameter.slice(1);
      const c = { fn: `set${capitalized}`, event: `${capitalized}Set`, parameter, value, min: lowest, max: highest };
      describe(c.fn, function () {
        it(`${c.fn}_withinRange_storesAndEmits`, async function () {
          expect(c.value).to.not.equal(wethParams[c.parameter]);
          await expect(call(f.governor, c.fn, weth, c.value))
            .to.emit(f.riskEngine, c.event)
            .withArgs(weth, c.value);
          const stored = (await readRisk(f.riskEngine, weth)).params;
          expect(stored).to.deep.equal({ ...wethParams, [c.parameter]: c.value });
        });

        it(`${c.fn}_atItsBounds_succeeds`, async function () {
          for (const value of [c.min, c.max]) {
            await expect(call(f.governor, c.fn, weth, value))
              .to.emit(f.riskEngine, c.event)
              .withArgs(weth, value);
            expect((await readRisk(f.riskEngine, weth)).params[c.parameter]).to.equal(value);
          }
        });

        if (c.min > 0n) {
          it(`${c.fn}_belowMin_reverts`, async function () {
            await expect(call(f.governor, c.fn, weth, c.min - 1n))
              .to.be.revertedWithCustomError(f.riskEngine, rangeError(c.parameter))
              .withArgs(...rangeArgs(c.min - 1n, c.min, c.max));
          });
        }

        it(`${c.fn}_aboveMax_reverts`, async function () {
          await expect(call(f.governor, c.fn, weth, c.max + 1n))
            .to.be.revertedWithCustomError(f.riskEngine, rangeError(c.parameter))
            .withArgs(...rangeArgs(c.max + 1n, c.min, c.max));
        });

        it(`${c.fn}_forUnlistedCollateral_reverts`, async function () {
          await expect(call(f.governor, c.fn, f.unlisted, c.value))
            .to.be.revertedWithCustomError(f.riskEngine, "CollateralNotListed")
            .withArgs(f.unlisted);
        });

        it(`${c.fn}_fromStranger_revertsUnauthorized`, async function () {
          await expect(call(stranger, c.fn, weth, c.value))
            .to.be.revertedWithCustomError(f.riskEngine, "AccessManagedUnauthorized")
            .withArgs(stranger.address);
          expect((await readRisk(f.riskEngine, weth)).params[c.parameter]).to.equal(wethParams[c.parameter]);
        });
      });
    }

    describe("effects", function () {
      it("setBorrowBuffer_lowersTheBorrowRatioByTheChangeButNotTheLiquidationThreshold", async function () {
        const vaultId = await openVault(f, alice, f.thin, units("100"));
        const [, value] = await f.vaultEngine.position(vaultId);
        const ratioBefore = await f.riskEngine.borrowRatio(thin, value);
        const thresholdBefore = await f.riskEngine.liquidationThreshold(vaultId);
        await f.riskEngine.setBorrowBuffer(thin, pct(20));
        expect(await f.riskEngine.borrowRatio(thin, value)).to.equal(
          ratioBefore - (pct(20) - THIN.risk.params.borrowBuffer),
        );
        expect(await f.riskEngine.liquidationThreshold(vaultId)).to.equal(thresholdBefore);
        expect(await f.vaultEngine.maxDebt(vaultId)).to.equal(await expectedMaxDebt(f, f.thin, value));
      });

      it("setDepth_changesTheSizePenaltyToValueOverValuePlusDepth", async function () {
        const vaultId = await openVault(f, alice, f.thin, units("100")); // worth 10,000
        const [, value] = await f.vaultEngine.position(vaultId);
        const depth = 100_000n * WAD;
        const before = await expectVaultViewsMatchMirror(f, vaultId);
        await f.riskEngine.setDepth(thin, depth);
        const after = await expectVaultViewsMatchMirror(f, vaultId);
        expect(after.sizePenalty).to.equal(mulDivUp(value, WAD, value + depth));
        expect(after.sizePenalty).to.be.gt(before.sizePenalty);
        expect(after.effective).to.equal(before.effective - (after.sizePenalty - before.sizePenalty));
      });

      it("setMaxSizePenalty_capsTheSizePenaltyOfABigVault", async function () {
        const vaultId = await openVault(f, bob, f.thin, units("5000")); // worth 500,000: V/(V+D) = 1/3
        expect((await expectVaultViewsMatchMirror(f, vaultId)).sizePenalty).to.equal(THIN.risk.params.maxSizePenalty);
        await f.riskEngine.setMaxSizePenalty(thin, pct(10));
        expect((await expectVaultViewsMatchMirror(f, vaultId)).sizePenalty).to.equal(pct(10));
        await f.riskEngine.setMaxSizePenalty(thin, 0n);
        const uncapped = await expectVaultViewsMatchMirror(f, vaultId);
        expect(uncapped.sizePenalty).to.equal(0n);
        expect(uncapped.effective).to.equal(THIN.risk.baseThreshold);
      });

      it("setMinRampDuration_changesTheShortestRampAllowed", async function () {
        await f.riskEngine.setMinRampDuration(weth, 2n * DAY);
        await expect(f.riskEngine.setBaseThreshold(weth, pct(80), DAY))
          .to.be.revertedWithCustomError(f.riskEngine, "RampDurationOutOfRange")
          .withArgs(DAY, 2n * DAY, MAX_RAMP_DURATION);
        await expect(f.riskEngine.setBaseThreshold(weth, pct(80), 2n * DAY)).to.emit(f.riskEngine, "BaseThresholdRamp");
      });
    });

    describe("checkpoints", function () {
      /**
       * Gives THIN a σ and leaves the applied penalty well behind its target, then returns the state
       * and a time `gap` later at which the next transaction is pinned.
       */
      async function laggingPenalty(gap: bigint) {
        await zigZag(f, f.thin, 4, pct(20), 600n);
        const before = await readRisk(f.riskEngine, thin);
        expect(before.volatility.penalty).to.be.lt(before.volatility.target);
        const at = before.volatility.checkpoint + gap;
        await time.setNextBlockTimestamp(at);
        return { before, at, sigma: await f.oracleHub.volatility(thin) };
      }

      it("setConfidence_checkpointsThePenaltyAtTheOldTargetThenAimsAtTheNewOne", async function () {
        const { before, at, sigma } = await laggingPenalty(2n * HOUR);
        const penalty = model.appliedPenalty(before, at);
        const confidence = WAD / 10n;
        const target = cappedTarget(confidence, sigma, THIN.risk.params.horizon);
        // The new target is below the checkpointed penalty: from now on the penalty must fall.
        expect(target).to.be.lt(penalty);
        const tx = f.riskEngine.setConfidence(thin, confidence);
        await expect(tx).to.emit(f.riskEngine, "VolatilityPenaltySynced").withArgs(thin, penalty, target);
        await expect(tx).to.emit(f.riskEngine, "ConfidenceSet").withArgs(thin, confidence);
        const state = await f.riskEngine.volatilityState(thin);
        expect([state.penalty, state.target, state.checkpoint]).to.deep.equal([penalty, target, at]);

        await time.increaseTo(at + HOUR / 2n);
        const later = model.slew(penalty, target, THIN.risk.params.maxStepPerHour, HOUR / 2n);
        expect(later).to.be.lt(penalty);
        expect(await f.riskEngine.volatilityPenalty(thin)).to.equal(later);
      });

      it("setHorizon_checkpointsThePenaltyAtTheOldTargetThenAimsAtTheNewOne", async function () {
        const { before, at, sigma } = await laggingPenalty(2n * HOUR);
        const penalty = model.appliedPenalty(before, at);
        const horizon = MIN_HORIZON;
        const target = cappedTarget(THIN.risk.params.confidence, sigma, horizon);
        expect(target).to.be.lt(penalty);
        const tx = f.riskEngine.setHorizon(thin, horizon);
        await expect(tx).to.emit(f.riskEngine, "VolatilityPenaltySynced").withArgs(thin, penalty, target);
        await expect(tx).to.emit(f.riskEngine, "HorizonSet").withArgs(thin, horizon);
        const state = await f.riskEngine.volatilityState(thin);
        expect([state.penalty, state.target, state.checkpoint]).to.deep.equal([penalty, target, at]);

        await time.increaseTo(at + HOUR / 2n);
        const later = model.slew(penalty, target, THIN.risk.params.maxStepPerHour, HOUR / 2n);
        expect(later).to.be.lt(penalty);
        expect(await f.riskEngine.volatilityPenalty(thin)).to.equal(later);
      });

      it("setMaxStepPerHour_checkpointsAtTheOldSpeedThenSlewsAtTheNewOne", async function () {
        const { before, at } = await laggingPenalty(2n * HOUR);
        const oldStep = THIN.risk.params.maxStepPerHour;
        const newStep = pct(20);
        const penalty = model.slew(
          before.volatility.penalty,
          before.volatility.target,
          oldStep,
          at - before.volatility.checkpoint,
        );
        // At the new speed the same two hours would have gone further: the checkpoint tells them apart.
        const atNewSpeed = model.slew(
          before.volatility.penalty,
          before.volatility.target,
          newStep,
          at - before.volatility.checkpoint,
        );
        expect(atNewSpeed).to.not.equal(penalty);
        const target = await currentTarget(f, thin);
        expect(target).to.equal(before.volatility.target);
        const tx = f.riskEngine.setMaxStepPerHour(thin, newStep);
        await expect(tx).to.emit(f.riskEngine, "VolatilityPenaltySynced").withArgs(thin, penalty, target);
        await expect(tx).to.emit(f.riskEngine, "MaxStepPerHourSet").withArgs(thin, newStep);
        const state = await f.riskEngine.volatilityState(thin);
        expect([state.penalty, state.target, state.checkpoint]).to.deep.equal([penalty, target, at]);

        await time.increaseTo(at + 600n);
        const later = model.slew(penalty, target, newStep, 600n);
        expect(later - penalty).to.equal(mulDivDown(newStep, 600n, HOUR));
        expect(await f.riskEngine.volatilityPenalty(thin)).to.equal(later);
      });

      it("setMaxStepPerHour_lowered_checkpointsAtTheOldSpeedAndSyncsKeepTheNewOne", async function () {
        // The speed shares its slot with the penalty state: neither write may clobber the other.
        await f.riskEngine.setMaxStepPerHour(thin, pct(5));
        const { before, at } = await laggingPenalty(HOUR / 2n);
        expect(before.params.maxStepPerHour).to.equal(pct(5));
        const newStep = MIN_STEP_PER_HOUR;
        const penalty = model.slew(
          before.volatility.penalty,
          before.volatility.target,
          pct(5),
          at - before.volatility.checkpoint,
        );
        expect(penalty).to.be.gt(before.volatility.penalty);
        await expect(f.riskEngine.setMaxStepPerHour(thin, newStep))
          .to.emit(f.riskEngine, "VolatilityPenaltySynced")
          .withArgs(thin, penalty, before.volatility.target);
        expect((await f.riskEngine.riskParams(thin)).maxStepPerHour).to.equal(newStep);

        // A later sync checkpoints at the new speed and leaves it stored.
        const syncAt = at + 2n * HOUR;
        await time.setNextBlockTimestamp(syncAt);
        const synced = model.slew(penalty, before.volatility.target, newStep, 2n * HOUR);
        expect(synced - penalty).to.equal(mulDivDown(newStep, 2n * HOUR, HOUR));
        await expect(f.riskEngine.sync(thin))
          .to.emit(f.riskEngine, "VolatilityPenaltySynced")
          .withArgs(thin, synced, await currentTarget(f, thin));
        const after = await readRisk(f.riskEngine, thin);
        expect(after.params).to.deep.equal({ ...before.params, maxStepPerHour: newStep });
        expect(after.volatility).to.deep.equal({
          penalty: synced,
          target: await currentTarget(f, thin),
          checkpoint: syncAt,
        });
        await time.increaseTo(syncAt + HOUR);
        expect(await f.riskEngine.volatilityPenalty(thin)).to.equal(synced + newStep);
      });
    });

    it("riskParams_afterListingAndEachSetterInTurn_roundTripsEveryFieldAndLeavesTheRestAlone", async function () {
      // Values that fill their fields (bounds, odd low bits), so a packing slip would show.
      const { token, feed } = await newPricedToken(f);
      // A move before listing gives the oracle a σ, so the checkpoints have a penalty to move.
      await feed.setAnswer(toFeedAnswer(110n * WAD, 8));
      await f.oracleHub.poke(token);
      const base = MAX_BASE_THRESHOLD - 1n;
      let expected: RiskParams = {
        minThreshold: MIN_MIN_THRESHOLD + 1n,
        borrowBuffer: MAX_BORROW_BUFFER - 3n,
        confidence: MAX_CONFIDENCE - 5n,
        horizon: MAX_HORIZON - 7n,
        minRampDuration: MAX_RAMP_DURATION - 11n,
        depth: MAX_DEPTH - 13n,
        maxSizePenalty: MAX_SIZE_PENALTY - 17n,
        maxStepPerHour: MAX_STEP_PER_HOUR - 19n,
      };
      await f.riskEngine.addCollateral(token, base, expected);
      expect(paramsTuple((await readRisk(f.riskEngine, token)).params)).to.deep.equal(paramsTuple(expected));
      const ramp = await f.riskEngine.baseRamp(token);

      const updates: [keyof RiskParams, bigint, boolean][] = [
        // [parameter, new value, whether its setter checkpoints the volatility penalty]
        ["minThreshold", base - 23n, false],
        ["borrowBuffer", 29n, false],
        ["confidence", 3n * WAD + 37n, true],
        ["horizon", MIN_HORIZON + 41n, true],
        ["minRampDuration", MIN_RAMP_DURATION + 43n, false],
        ["depth", MIN_DEPTH + 47n, false],
        ["maxSizePenalty", 53n, false],
        ["maxStepPerHour", MIN_STEP_PER_HOUR + 59n, true],
      ];
      for (const [parameter, value, checkpoints] of updates) {
        const before = await readRisk(f.riskEngine, token);
        const setter = `set${parameter[0].toUpperCase()}${parameter.slice(1)}`;
        await f.riskEngine.getFunction(setter)(token, value);
        expected = { ...expected, [parameter]: value };
        const after = await readRisk(f.riskEngine, token);
        expect(after.params, setter).to.deep.equal(expected);
        expect(after.ramp, setter).to.deep.equal(before.ramp);
        const at = await now();
        expect(after.volatility, setter).to.deep.equal(
          checkpoints
            ? {
                penalty: model.appliedPenalty(before, at),
                target: cappedTarget(expected.confidence, await f.oracleHub.volatility(token), expected.horizon),
                checkpoint: at,
              }
            : before.volatility,
        );
      }
      const finalRamp = await f.riskEngine.baseRamp(token);
      expect([finalRamp.from, finalRamp.to, finalRamp.start, finalRamp.end]).to.deep.equal([
        ramp.from,
        ramp.to,
        ramp.start,
        ramp.end,
      ]);
    });
  });
});
