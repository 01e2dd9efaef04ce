// RiskEngine model: the slew-limited volatility penalty, the size penalty and the borrowing limits
// they give the VaultEngine, and what `sync` and `poke` checkpoint. Expected values come from the
// TypeScript mirror (keeper/src/risk/thresholds.ts), never from the views under test.
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { expect } from "chai";
import { toFeedAnswer } from "../../scripts/lib/deploy";
import { WAD, mulDivDown, mulWadDown } from "../../keeper/src/math/fixedPoint";
import * as model from "../../keeper/src/risk/thresholds";
import {
  HOUR,
  MAX_UINT256,
  MAX_HEARTBEAT,
  pct,
  units,
  MAX_CONFIDENCE,
  MAX_HORIZON,
  MAX_SIZE_PENALTY,
  MAX_STEP_PER_HOUR,
  THIN,
  WETH_SPEC,
  riskFixture,
  now,
  readRisk,
  currentTarget,
  openVault,
  publish,
  zigZag,
  expectVaultViewsMatchMirror,
  expectedMaxDebt,
  pinNextRate,
  firstBorrowDebt,
  newPricedToken,
} from "../helpers/risk";

describe("RiskEngine", function () {
  let f: Awaited<ReturnType<typeof riskFixture>>;
  let alice: HardhatEthersSigner;
  let bob: HardhatEthersSigner;
  let weth: string;
  let thin: string;

  beforeEach(async function () {
    f = await loadFixture(riskFixture);
    [alice, bob] = f.users;
    weth = await f.weth.token.getAddress();
    thin = await f.thin.token.getAddress();
  });

  describe("model", function () {
    it("liquidationThreshold_atEqualLeverage_isStrictlyLowerForTheLargerVault", async function () {
      const small = await openVault(f, alice, f.thin, units("100")); // worth 10,000
      const large = await openVault(f, bob, f.thin, units("5000")); // worth 500,000
      await f.vaultEngine.connect(alice).borrow(small, units("5000"), alice);
      await f.vaultEngine.connect(bob).borrow(large, units("250000"), bob);
      const smallViews = await expectVaultViewsMatchMirror(f, small);
      const largeViews = await expectVaultViewsMatchMirror(f, large);
      // Same debt / value.
      expect(smallViews.debt * largeViews.value).to.equal(largeViews.debt * smallViews.value);
      expect(largeViews.sizePenalty).to.be.gt(smallViews.sizePenalty);
      expect(largeViews.effective).to.be.lt(smallViews.effective);
      expect(largeViews.health).to.be.lt(smallViews.health);
    });

    it("liquidationThreshold_afterAVolatilePriceZigZag_isLower", async function () {
      await f.oracleHub.setHeartbeat(thin, MAX_HEARTBEAT);
      const vaultId = await openVault(f, alice, f.thin, units("100"));
      await f.vaultEngine.connect(alice).borrow(vaultId, units("5000"), alice);
      const calm = await expectVaultViewsMatchMirror(f, vaultId);
      expect(calm.volPenalty).to.equal(0n);
      const calmRatio = await f.riskEngine.borrowRatio(thin, calm.value);

      await zigZag(f, f.thin, 6, pct(10), HOUR); // ends at the listing price: same value, same size penalty
      const volatile = await expectVaultViewsMatchMirror(f, vaultId);
      expect(volatile.value).to.equal(calm.value);
      expect(volatile.sizePenalty).to.equal(calm.sizePenalty);
      expect(volatile.volPenalty).to.be.gt(0n);
      expect(volatile.effective).to.equal(calm.effective - volatile.volPenalty);
      expect(volatile.health).to.be.lt(calm.health);
      // Borrowing already uses the target the applied penalty is still slewing toward.
      const borrowPenalty = await f.riskEngine.borrowVolatilityPenalty(thin);
      expect(borrowPenalty).to.equal((await readRisk(f.riskEngine, thin)).volatility.target);
      expect(borrowPenalty).to.be.gt(volatile.volPenalty);
      expect(await f.riskEngine.borrowRatio(thin, volatile.value)).to.equal(calmRatio - borrowPenalty);
    });

    /** A zig-zag of the thin market's price through the OracleHub alone: σ rises, nobody syncs. */
    async function unsyncedZigZag(steps: number, move: bigint, interval: number): Promise<void> {
      const { price, feedDecimals } = THIN;
      for (let step = 0; step < steps; step++) {
        await time.increase(interval);
        const next = step % 2 === 0 ? price + mulWadDown(price, move) : price;
        await f.thin.feed.setAnswer(toFeedAnswer(next, feedDecimals));
        await f.oracleHub.poke(thin);
      }
    }

    it("borrowRatio_rightAfterVolatilityJumpedBeforeAnySync_usesTheLiveTargetSoBorrowersGetTheStricterLimit", async function () {
      await f.oracleHub.setHeartbeat(thin, MAX_HEARTBEAT);
      const vaultId = await openVault(f, alice, f.thin, units("100"));
      const value = await f.vaultEngine.collateralValue(vaultId);
      const calmRatio = await f.riskEngine.borrowRatio(thin, value);
      const calmLimit = await f.vaultEngine.maxDebt(vaultId);
      const stateBefore = await f.riskEngine.volatilityState(thin);

      await unsyncedZigZag(4, pct(20), 600); // ends at the listing price: same value
      expect(await f.vaultEngine.collateralValue(vaultId)).to.equal(value);
      const liveTarget = await currentTarget(f, thin);
      expect(liveTarget).to.be.gt(THIN.risk.params.borrowBuffer);
      // The engine has not synced: its applied penalty and stored target have not moved.
      expect(await f.riskEngine.volatilityState(thin)).to.deep.equal(stateBefore);
      expect(await f.riskEngine.borrowRatio(thin, value)).to.equal(calmRatio - liveTarget);
      const limit = await f.vaultEngine.maxDebt(vaultId);
      expect(limit).to.equal(mulWadDown(value, calmRatio - liveTarget));
      await expect(f.vaultEngine.connect(alice).borrow(vaultId, calmLimit, alice))
        .to.be.revertedWithCustomError(f.vaultEngine, "VaultUnsafe")
        .withArgs(vaultId, calmLimit, limit);
      expect(await f.riskEngine.borrowVolatilityPenalty(thin)).to.equal(liveTarget);
      // Liquidation still uses the applied penalty: nobody's threshold jumped.
      expect(await f.riskEngine.volatilityPenalty(thin)).to.equal(stateBefore.penalty);
    });

    it("borrowToTheLimit_thenTheAppliedPenaltyCatchesUpWithNoPriceMove_leavesTheVaultHealthy", async function () {
      await f.oracleHub.setHeartbeat(thin, MAX_HEARTBEAT);
      const vaultId = await openVault(f, alice, f.thin, units("100"));
      await zigZag(f, f.thin, 4, pct(20), 600n); // synced: the applied penalty is far below its target
      const { penalty, target } = await f.riskEngine.volatilityState(thin);
      expect(target - penalty).to.be.gt(THIN.risk.params.borrowBuffer);
      // 99.9% of the limit: under a limit from the applied penalty, the next block's limit is lower.
      await f.vaultEngine
        .connect(alice)
        .borrow(vaultId, ((await f.vaultEngine.maxDebt(vaultId)) * 999n) / 1000n, alice);

      await time.increase(((target - penalty) * HOUR) / THIN.risk.params.maxStepPerHour + HOUR);
      expect(await f.riskEngine.volatilityPenalty(thin)).to.equal(target);
      const [, value] = await f.vaultEngine.position(vaultId);
      expect(value).to.equal(mulWadDown(units("100"), THIN.price)); // no price move
      expect(await f.riskEngine.isLiquidatable(vaultId)).to.equal(false);
      expect(await f.riskEngine.healthFactor(vaultId)).to.be.gt(WAD);
    });

    it("borrowVolatilityPenalty_whenVolatilityFellButNobodySynced_keepsTheStoredTargetTheAppliedPenaltyStillSlewsToward", async function () {
      await f.oracleHub.setHeartbeat(thin, MAX_HEARTBEAT);
      await f.oracleHub.setHalfLife(thin, 600);
      await zigZag(f, f.thin, 4, pct(20), 600n);
      const stored = (await f.riskEngine.volatilityState(thin)).target;
      // An hour later a calm round, poked at the oracle only: σ has decayed, the stored target has not.
      await time.increase(HOUR);
      await f.thin.feed.setAnswer(toFeedAnswer(THIN.price, THIN.feedDecimals));
      await f.oracleHub.poke(thin);
      const liveTarget = await currentTarget(f, thin);
      const applied = await f.riskEngine.volatilityPenalty(thin);
      expect(liveTarget).to.be.lt(stored);
      expect(applied).to.be.lt(stored);
      expect(await f.riskEngine.borrowVolatilityPenalty(thin)).to.equal(stored);
      // Once synced, the applied penalty heads for the lower target and borrowing follows.
      await f.riskEngine.sync(thin);
      const afterSync = await f.riskEngine.volatilityPenalty(thin);
      expect(await f.riskEngine.borrowVolatilityPenalty(thin)).to.equal(
        afterSync > liveTarget ? afterSync : liveTarget,
      );
    });

    it("volatilityPenalty_betweenCheckpoints_slewsTowardTheTargetAtMaxStepPerHour", async function () {
      await zigZag(f, f.thin, 4, pct(20), 600n);
      const risk = await readRisk(f.riskEngine, thin);
      const { penalty, target, checkpoint } = risk.volatility;
      expect(target - penalty).to.be.gt(mulDivDown(risk.params.maxStepPerHour, 3n * HOUR, HOUR));
      let previous = penalty;
      for (const elapsed of [1n, HOUR / 2n, HOUR, 3n * HOUR]) {
        await time.increaseTo(checkpoint + elapsed);
        const applied = await f.riskEngine.volatilityPenalty(thin);
        expect(applied).to.equal(penalty + mulDivDown(risk.params.maxStepPerHour, elapsed, HOUR));
        expect(applied).to.be.gte(previous).and.lte(target);
        previous = applied;
      }
      // Far enough out it sits on the target and stays there.
      const reach = checkpoint + ((target - penalty) * HOUR) / risk.params.maxStepPerHour + HOUR;
      await time.increaseTo(reach);
      expect(await f.riskEngine.volatilityPenalty(thin)).to.equal(target);
    });

    it("liquidationThreshold_acrossVaultSizes_staysBetweenTheFloorAndTheBase", async function () {
      await f.oracleHub.setHeartbeat(thin, MAX_HEARTBEAT);
      await f.riskEngine.setMaxSizePenalty(thin, MAX_SIZE_PENALTY);
      const vaults: bigint[] = [];
      for (const amount of ["0", "0.000001", "100", "10000", "1000000"]) {
        vaults.push(await openVault(f, alice, f.thin, units(amount)));
      }
      const { baseThreshold } = THIN.risk;
      const { minThreshold } = THIN.risk.params;
      const check = async (when: string) => {
        let previous = MAX_UINT256;
        const thresholds: bigint[] = [];
        for (const vaultId of vaults) {
          const views = await expectVaultViewsMatchMirror(f, vaultId);
          expect(views.effective, `${when}, vault ${vaultId}`).to.be.gte(minThreshold).and.lte(baseThreshold);
          expect(views.effective, `${when}: larger vaults never get a higher threshold`).to.be.lte(previous);
          previous = views.effective;
          thresholds.push(views.effective);
        }
        return thresholds;
      };
      const calm = await check("calm");
      expect(calm[0]).to.equal(baseThreshold); // empty vault, no penalty: exactly the base
      expect(calm[calm.length - 1]).to.equal(minThreshold); // half the value lost to size: at the floor
      await zigZag(f, f.thin, 4, pct(20), HOUR);
      const volatile = await check("volatile");
      expect(volatile[0]).to.be.lt(baseThreshold);
    });

    it("liquidationThreshold_underASaturatedVolatilityPenalty_sitsOnTheFloor", async function () {
      await f.oracleHub.setHeartbeat(thin, MAX_HEARTBEAT);
      await f.riskEngine.setConfidence(thin, MAX_CONFIDENCE);
      await f.riskEngine.setHorizon(thin, MAX_HORIZON);
      await f.riskEngine.setMaxStepPerHour(thin, MAX_STEP_PER_HOUR);
      const vaultId = await openVault(f, alice, f.thin, units("100"));
      await f.vaultEngine.connect(alice).borrow(vaultId, units("5000"), alice);

      await publish(f, f.thin, (THIN.price * 125n) / 100n);
      const sigma = await f.oracleHub.volatility(thin);
      expect(model.volatilityPenaltyTarget(MAX_CONFIDENCE, sigma, MAX_HORIZON)).to.be.gt(WAD);
      expect((await f.riskEngine.volatilityState(thin)).target).to.equal(WAD); // capped at 100%

      await time.increase(2n * HOUR);
      expect(await f.riskEngine.volatilityPenalty(thin)).to.equal(WAD);
      const saturated = await expectVaultViewsMatchMirror(f, vaultId);
      expect(saturated.base).to.equal(THIN.risk.baseThreshold);
      expect(saturated.volPenalty).to.equal(WAD);
      expect(saturated.effective).to.equal(THIN.risk.params.minThreshold);
      expect(saturated.health).to.equal(mulDivDown(saturated.value, THIN.risk.params.minThreshold, saturated.debt));
      expect(await f.riskEngine.borrowRatio(thin, saturated.value)).to.equal(
        THIN.risk.params.minThreshold - THIN.risk.params.borrowBuffer,
      );

      // Raising the floor lifts the threshold with it.
      await expect(f.riskEngine.setMinThreshold(thin, pct(60)))
        .to.emit(f.riskEngine, "MinThresholdSet")
        .withArgs(thin, pct(60));
      const lifted = await expectVaultViewsMatchMirror(f, vaultId);
      expect(lifted.effective).to.equal(pct(60));
    });

    it("borrow_pastTheRiskLimitOfABigVault_revertsVaultUnsafeWithThatLimit", async function () {
      const vaultId = await openVault(f, bob, f.thin, units("5000")); // worth 500,000: size penalty capped
      const [, value] = await f.vaultEngine.position(vaultId);
      const { borrowBuffer, maxSizePenalty } = THIN.risk.params;
      const ratio = THIN.risk.baseThreshold - maxSizePenalty - borrowBuffer;
      expect(ratio).to.be.lt(THIN.maxLTV);
      const limit = mulWadDown(value, ratio);
      expect(await expectedMaxDebt(f, f.thin, value)).to.equal(limit);
      expect(await f.vaultEngine.maxDebt(vaultId)).to.equal(limit);
      await expect(f.vaultEngine.connect(bob).borrow(vaultId, limit + 1n, bob))
        .to.be.revertedWithCustomError(f.vaultEngine, "VaultUnsafe")
        .withArgs(vaultId, limit + 1n, limit);
      await f.vaultEngine.connect(bob).borrow(vaultId, limit, bob);
      expect(await f.vaultEngine.debtOf(vaultId)).to.equal(limit);
    });

    it("borrow_pastTheLimitARaisedBorrowBufferSets_revertsVaultUnsafeWithTheRiskLimit", async function () {
      const vaultId = await openVault(f, alice, f.weth, units("10")); // worth 30,000
      const [, value] = await f.vaultEngine.position(vaultId);
      const ltvLimit = mulWadDown(value, WETH_SPEC.maxLTV);
      expect(await f.vaultEngine.maxDebt(vaultId)).to.equal(ltvLimit); // maxLTV binds at first
      await f.riskEngine.setBorrowBuffer(weth, pct(20));
      const limit = await expectedMaxDebt(f, f.weth, value);
      expect(limit).to.be.lt(ltvLimit);
      expect(await f.vaultEngine.maxDebt(vaultId)).to.equal(limit);

      const amount = limit + units("1");
      const rate = await pinNextRate(f, weth);
      await expect(f.vaultEngine.connect(alice).borrow(vaultId, amount, alice))
        .to.be.revertedWithCustomError(f.vaultEngine, "VaultUnsafe")
        .withArgs(vaultId, firstBorrowDebt(amount, rate), limit);
    });

    it("withdraw_pastTheRiskLimit_revertsVaultUnsafeWithTheLimitOfWhatIsLeft", async function () {
      const vaultId = await openVault(f, alice, f.thin, units("1000")); // worth 100,000
      const debt = units("50000");
      await f.vaultEngine.connect(alice).borrow(vaultId, debt, alice);
      // 600 THIN left are worth 60,000: maxLTV alone would allow 54,000, the size and buffer less.
      const valueLeft = mulWadDown(units("600"), THIN.price);
      expect(mulWadDown(valueLeft, THIN.maxLTV)).to.be.gte(debt);
      const limit = await expectedMaxDebt(f, f.thin, valueLeft);
      expect(limit).to.be.lt(debt);
      await expect(f.vaultEngine.connect(alice).withdraw(vaultId, units("400"), alice))
        .to.be.revertedWithCustomError(f.vaultEngine, "VaultUnsafe")
        .withArgs(vaultId, debt, limit);
      // 800 left stay within the limit.
      expect(await expectedMaxDebt(f, f.thin, mulWadDown(units("800"), THIN.price))).to.be.gte(debt);
      await expect(f.vaultEngine.connect(alice).withdraw(vaultId, units("200"), alice)).to.changeTokenBalance(
        f.thin.token,
        alice,
        units("200"),
      );
    });
  });

  describe("sync and poke", function () {
    it("sync_afterTheOracleMoved_checkpointsThePenaltyAndAimsAtTheNewTarget", async function () {
      await zigZag(f, f.thin, 2, pct(20), 600n);
      // The oracle alone moves: the engine keeps aiming at the old target until someone syncs.
      await f.thin.feed.setAnswer(toFeedAnswer((THIN.price * 120n) / 100n, THIN.feedDecimals));
      await f.oracleHub.poke(thin);
      const before = await readRisk(f.riskEngine, thin);
      const target = await currentTarget(f, thin);
      expect(target).to.not.equal(before.volatility.target);

      const [returnedPenalty, returnedTarget] = await f.riskEngine.sync.staticCall(thin);
      expect([returnedPenalty, returnedTarget]).to.deep.equal([model.appliedPenalty(before, await now()), target]);

      const at = (await now()) + 1_000n;
      await time.setNextBlockTimestamp(at);
      const penalty = model.appliedPenalty(before, at);
      await expect(f.riskEngine.sync(thin))
        .to.emit(f.riskEngine, "VolatilityPenaltySynced")
        .withArgs(thin, penalty, target);
      const state = await f.riskEngine.volatilityState(thin);
      expect([state.penalty, state.target, state.checkpoint]).to.deep.equal([penalty, target, at]);
    });

    it("poke_publishesTheOraclePriceAndSyncsThePenalty", async function () {
      const price = (THIN.price * 110n) / 100n;
      await f.thin.feed.setAnswer(toFeedAnswer(price, THIN.feedDecimals));
      expect(await f.riskEngine.poke.staticCall(thin)).to.equal(price);
      const before = await readRisk(f.riskEngine, thin);
      const tx = f.riskEngine.poke(thin);
      await expect(tx).to.emit(f.oracleHub, "PriceUpdated");
      await expect(tx).to.emit(f.riskEngine, "VolatilityPenaltySynced");
      const [storedPrice] = await f.oracleHub.priceState(thin);
      expect(storedPrice).to.equal(price);
      const state = await f.riskEngine.volatilityState(thin);
      const at = await now();
      expect([state.penalty, state.target, state.checkpoint]).to.deep.equal([
        model.appliedPenalty(before, at),
        await currentTarget(f, thin),
        at,
      ]);
      expect(state.target).to.be.gt(0n);
    });

    it("syncAndPoke_forUnlistedCollateral_revert", async function () {
      await expect(f.riskEngine.sync(f.unlisted))
        .to.be.revertedWithCustomError(f.riskEngine, "CollateralNotListed")
        .withArgs(f.unlisted);
      // A token the oracle prices fine: the engine itself refuses it.
      const { token } = await newPricedToken(f);
      await expect(f.riskEngine.poke(token))
        .to.be.revertedWithCustomError(f.riskEngine, "CollateralNotListed")
        .withArgs(token);
    });
  });
});
