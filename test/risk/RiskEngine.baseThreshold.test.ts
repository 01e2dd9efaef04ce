// RiskEngine.setBaseThreshold: the base-threshold ramps, their bounds and the thresholds on the way,
// against the TypeScript mirror (keeper/src/risk/thresholds.ts) applied to the stored parameters.
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { expect } from "chai";
import { WAD, mulDivUp, mulWadDown } from "../../keeper/src/math/fixedPoint";
import * as model from "../../keeper/src/risk/thresholds";
import {
  DAY,
  MAX_HEARTBEAT,
  pct,
  units,
  min,
  MAX_BASE_THRESHOLD,
  MIN_MIN_THRESHOLD,
  MAX_RAMP_DURATION,
  THIN,
  WETH_SPEC,
  riskFixture,
  now,
  openVault,
  publish,
  expectVaultViewsMatchMirror,
  expectedMaxDebt,
} from "../helpers/risk";

describe("RiskEngine", function () {
  let f: Awaited<ReturnType<typeof riskFixture>>;
  let alice: HardhatEthersSigner;
  let stranger: HardhatEthersSigner;
  let weth: string;
  let thin: string;

  beforeEach(async function () {
    f = await loadFixture(riskFixture);
    [alice] = f.users;
    stranger = f.users[5];
    weth = await f.weth.token.getAddress();
    thin = await f.thin.token.getAddress();
  });

  describe("setBaseThreshold", function () {
    const from = WETH_SPEC.risk.baseThreshold; // 86%
    const duration = DAY;

    it("setBaseThreshold_lowering_dropsTheBorrowBaseAtOnceAndRampsTheLiquidationBaseLinearly", async function () {
      const to = pct(80);
      const start = (await now()) + 10n;
      await time.setNextBlockTimestamp(start);
      await expect(f.riskEngine.setBaseThreshold(weth, to, duration))
        .to.emit(f.riskEngine, "BaseThresholdRamp")
        .withArgs(weth, from, to, start, start + duration);
      const ramp = await f.riskEngine.baseRamp(weth);
      expect([ramp.from, ramp.to, ramp.start, ramp.end]).to.deep.equal([from, to, start, start + duration]);

      // Quarters of the ramp, then past its end: from − (from − to) · progress, exact for whole quarters.
      for (const quarters of [0n, 1n, 2n, 3n, 4n, 8n]) {
        const at = start + (duration * quarters) / 4n;
        if (at > (await now())) await time.increaseTo(at);
        const expected = quarters >= 4n ? to : from - ((from - to) * quarters) / 4n;
        const where = `after ${quarters} quarters of the ramp`;
        expect(model.rampedBase(from, to, start, start + duration, at), where).to.equal(expected);
        expect(await f.riskEngine.liquidationBase(weth), where).to.equal(expected);
        expect(await f.riskEngine.borrowBase(weth), where).to.equal(to);
      }
    });

    it("setBaseThreshold_duringARamp_makesTheVaultThresholdFollowTheLiquidationBase", async function () {
      const vaultId = await openVault(f, alice, f.weth, units("10"));
      await f.riskEngine.setBaseThreshold(weth, pct(70), duration);
      await time.increase(duration / 2n);
      await publish(f, f.weth, WETH_SPEC.price);
      const views = await expectVaultViewsMatchMirror(f, vaultId);
      const base = await f.riskEngine.liquidationBase(weth);
      expect(base).to.be.lt(from).and.gt(pct(70));
      expect(views.base).to.equal(base);
      expect(views.effective).to.equal(base - views.volPenalty - views.sizePenalty);
    });

    it("setBaseThreshold_midRamp_startsTheNewRampFromTheInterpolatedBase", async function () {
      const start = (await now()) + 10n;
      await time.setNextBlockTimestamp(start);
      await f.riskEngine.setBaseThreshold(weth, pct(70), duration);
      // A third of the way: (86% − 70%) / 3 is not a whole number of wei, so the rounding shows.
      const restart = start + duration / 3n;
      const interpolated = from - mulDivUp(from - pct(70), duration / 3n, duration);
      expect(model.rampedBase(from, pct(70), start, start + duration, restart)).to.equal(interpolated);
      await time.setNextBlockTimestamp(restart);
      await expect(f.riskEngine.setBaseThreshold(weth, pct(84), duration))
        .to.emit(f.riskEngine, "BaseThresholdRamp")
        .withArgs(weth, interpolated, pct(84), restart, restart + duration);
      // Continuous: the liquidation base did not move when the ramp was replaced.
      expect(await f.riskEngine.liquidationBase(weth)).to.equal(interpolated);
      // Raising now: borrowing keeps the lower end of the new ramp, which is where the old one had got to.
      expect(await f.riskEngine.borrowBase(weth)).to.equal(interpolated);
      await time.increaseTo(restart + duration / 2n);
      expect(await f.riskEngine.liquidationBase(weth)).to.equal(
        model.rampedBase(interpolated, pct(84), restart, restart + duration, restart + duration / 2n),
      );
      expect(await f.riskEngine.liquidationBase(weth)).to.equal(interpolated + (pct(84) - interpolated) / 2n);
    });

    it("setBaseThreshold_raising_keepsTheOldBaseForBorrowingUntilTheRampEnds", async function () {
      await f.oracleHub.setHeartbeat(thin, MAX_HEARTBEAT);
      const vaultId = await openVault(f, alice, f.thin, units("100")); // worth 10,000
      const [, value] = await f.vaultEngine.position(vaultId);
      const oldBase = THIN.risk.baseThreshold;
      const newBase = pct(95);
      const { borrowBuffer, depth, maxSizePenalty } = THIN.risk.params;
      const size = min(maxSizePenalty, mulDivUp(value, WAD, value + depth));
      const start = (await now()) + 10n;
      await time.setNextBlockTimestamp(start);
      await expect(f.riskEngine.setBaseThreshold(thin, newBase, duration))
        .to.emit(f.riskEngine, "BaseThresholdRamp")
        .withArgs(thin, oldBase, newBase, start, start + duration);

      const oldLimit = mulWadDown(value, oldBase - size - borrowBuffer);
      const expectOldBaseForBorrowing = async (at: bigint) => {
        expect(await f.riskEngine.borrowBase(thin)).to.equal(oldBase);
        expect(await f.riskEngine.liquidationBase(thin)).to.equal(
          model.rampedBase(oldBase, newBase, start, start + duration, at),
        );
        expect(await f.vaultEngine.maxDebt(vaultId)).to.equal(oldLimit);
        expect(await expectedMaxDebt(f, f.thin, value)).to.equal(oldLimit);
      };
      await expectOldBaseForBorrowing(start);
      await time.increaseTo(start + duration / 2n);
      await expectOldBaseForBorrowing(start + duration / 2n);
      await expect(f.vaultEngine.connect(alice).borrow(vaultId, oldLimit + 1n, alice))
        .to.be.revertedWithCustomError(f.vaultEngine, "VaultUnsafe")
        .withArgs(vaultId, oldLimit + 1n, oldLimit);
      await time.increaseTo(start + duration - 1n);
      await expectOldBaseForBorrowing(start + duration - 1n);

      await time.increaseTo(start + duration);
      expect(await f.riskEngine.borrowBase(thin)).to.equal(newBase);
      const newLimit = mulWadDown(value, newBase - size - borrowBuffer);
      expect(await f.vaultEngine.maxDebt(vaultId)).to.equal(newLimit);
      await expect(f.vaultEngine.connect(alice).borrow(vaultId, oldLimit + 1n, alice)).to.not.be.reverted;
    });

    it("setBaseThreshold_rampShorterThanMinRampDuration_reverts", async function () {
      await expect(f.riskEngine.setBaseThreshold(weth, pct(80), duration - 1n))
        .to.be.revertedWithCustomError(f.riskEngine, "RampDurationOutOfRange")
        .withArgs(duration - 1n, WETH_SPEC.risk.params.minRampDuration, MAX_RAMP_DURATION);
    });

    it("setBaseThreshold_rampLongerThanMax_reverts", async function () {
      await expect(f.riskEngine.setBaseThreshold(weth, pct(80), MAX_RAMP_DURATION + 1n))
        .to.be.revertedWithCustomError(f.riskEngine, "RampDurationOutOfRange")
        .withArgs(MAX_RAMP_DURATION + 1n, WETH_SPEC.risk.params.minRampDuration, MAX_RAMP_DURATION);
    });

    it("setBaseThreshold_belowMinThreshold_reverts", async function () {
      const floor = WETH_SPEC.risk.params.minThreshold;
      await expect(f.riskEngine.setBaseThreshold(weth, floor - 1n, duration))
        .to.be.revertedWithCustomError(f.riskEngine, "BaseThresholdOutOfRange")
        .withArgs(floor - 1n, floor, MAX_BASE_THRESHOLD);
      await expect(f.riskEngine.setBaseThreshold(weth, floor, duration)).to.emit(f.riskEngine, "BaseThresholdRamp");
    });

    it("setBaseThreshold_aboveMax_reverts", async function () {
      const floor = WETH_SPEC.risk.params.minThreshold;
      await expect(f.riskEngine.setBaseThreshold(weth, MAX_BASE_THRESHOLD + 1n, duration))
        .to.be.revertedWithCustomError(f.riskEngine, "BaseThresholdOutOfRange")
        .withArgs(MAX_BASE_THRESHOLD + 1n, floor, MAX_BASE_THRESHOLD);
      await expect(f.riskEngine.setBaseThreshold(weth, MAX_BASE_THRESHOLD, MAX_RAMP_DURATION)).to.emit(
        f.riskEngine,
        "BaseThresholdRamp",
      );
    });

    it("setBaseThreshold_forUnlistedCollateral_reverts", async function () {
      await expect(f.riskEngine.setBaseThreshold(f.unlisted, pct(80), duration))
        .to.be.revertedWithCustomError(f.riskEngine, "CollateralNotListed")
        .withArgs(f.unlisted);
    });

    it("setBaseThreshold_fromStranger_revertsUnauthorized", async function () {
      await expect(f.riskEngine.connect(stranger).setBaseThreshold(weth, pct(80), duration))
        .to.be.revertedWithCustomError(f.riskEngine, "AccessManagedUnauthorized")
        .withArgs(stranger.address);
    });

    it("setMinThreshold_aboveTheLowerEndOfALoweringRamp_reverts", async function () {
      await f.riskEngine.setBaseThreshold(weth, pct(70), duration);
      await expect(f.riskEngine.setMinThreshold(weth, pct(70) + 1n))
        .to.be.revertedWithCustomError(f.riskEngine, "MinThresholdOutOfRange")
        .withArgs(pct(70) + 1n, MIN_MIN_THRESHOLD, pct(70));
      await expect(f.riskEngine.setMinThreshold(weth, pct(70)))
        .to.emit(f.riskEngine, "MinThresholdSet")
        .withArgs(weth, pct(70));
    });

    it("setMinThreshold_aboveTheLowerEndOfARaisingRamp_reverts", async function () {
      await f.riskEngine.setBaseThreshold(weth, pct(90), duration);
      await expect(f.riskEngine.setMinThreshold(weth, from + 1n))
        .to.be.revertedWithCustomError(f.riskEngine, "MinThresholdOutOfRange")
        .withArgs(from + 1n, MIN_MIN_THRESHOLD, from);
    });

    it("setMinThreshold_afterARaisingRampEnds_mayRiseToTheNewBase", async function () {
      await f.riskEngine.setBaseThreshold(weth, pct(90), duration);
      await time.increase(duration);
      await expect(f.riskEngine.setMinThreshold(weth, pct(90) + 1n))
        .to.be.revertedWithCustomError(f.riskEngine, "MinThresholdOutOfRange")
        .withArgs(pct(90) + 1n, MIN_MIN_THRESHOLD, pct(90));
      await expect(f.riskEngine.setMinThreshold(weth, pct(88)))
        .to.emit(f.riskEngine, "MinThresholdSet")
        .withArgs(weth, pct(88));
    });
  });
});
