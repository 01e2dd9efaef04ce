// VaultEngine admin: the constructor, listing a collateral, the governed setters and their bounds,
// the risk model and the operators.
import { expect } from "chai";
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { deploySluiceFixture, type SluiceFixture } from "../helpers/fixtures";
import { MockRiskModel__factory, Stablecoin__factory, VaultEngine__factory } from "../../typechain-types";
import { RAY, SECONDS_PER_YEAR, WAD, perSecondRate, rpowDown } from "../../keeper/src/math/fixedPoint";
import {
  MAX_STABILITY_FEE,
  MAX_LTV,
  weth,
  sld,
  expectBooksBalanced,
  openVault,
  pinNextRate,
  normalizedFor,
  debtFor,
  params,
  newToken,
} from "../helpers/vaultEngine";

describe("VaultEngine", function () {
  let f: SluiceFixture;
  let alice: HardhatEthersSigner;
  let bob: HardhatEthersSigner;
  let carol: HardhatEthersSigner;
  let engineAddress: string;
  let wethAddress: string;

  beforeEach(async function () {
    f = await deploySluiceFixture();
    [alice, bob, carol] = f.users;
    engineAddress = await f.vaultEngine.getAddress();
    wethAddress = await f.weth.token.getAddress();
  });

  describe("constructor", function () {
    it("constructor_withZeroOracle_reverts", async function () {
      const factory = new VaultEngine__factory(f.governor);
      await expect(
        factory.deploy(await f.accessManager.getAddress(), ethers.ZeroAddress, "Sluice Dollar", "SLD"),
      ).to.be.revertedWithCustomError(factory, "ZeroAddress");
    });

    it("constructor_createsItsOwnStablecoin", async function () {
      const engine = await new VaultEngine__factory(f.governor).deploy(
        await f.accessManager.getAddress(),
        await f.oracleHub.getAddress(),
        "Other Dollar",
        "ODL",
      );
      const stablecoin = Stablecoin__factory.connect(await engine.stablecoin(), f.governor);
      expect(await stablecoin.engine()).to.equal(await engine.getAddress());
      expect([await stablecoin.name(), await stablecoin.symbol()]).to.deep.equal(["Other Dollar", "ODL"]);
    });
  });

  describe("addCollateral", function () {
    it("addCollateral_whenNew_listsAtRateOneAndEmits", async function () {
      const token = await newToken(f, 6);
      const p = params();
      await expect(f.vaultEngine.addCollateral(token, p))
        .to.emit(f.vaultEngine, "CollateralAdded")
        .withArgs(await token.getAddress(), 6, [p.debtCeiling, p.dust, p.stabilityFee, p.maxLTV]);
      const stored = await f.vaultEngine.collateralParams(token);
      expect([stored.debtCeiling, stored.dust, stored.stabilityFee, stored.maxLTV]).to.deep.equal([
        p.debtCeiling,
        p.dust,
        p.stabilityFee,
        p.maxLTV,
      ]);
      const [rate, totalNormalizedDebt] = await f.vaultEngine.collateralState(token);
      expect(rate).to.equal(RAY);
      expect(totalNormalizedDebt).to.equal(0n);
    });

    it("addCollateral_withoutAnOracleFeed_reverts", async function () {
      const token = await newToken(f, 18, false);
      await expect(f.vaultEngine.addCollateral(token, params()))
        .to.be.revertedWithCustomError(f.oracleHub, "FeedNotConfigured")
        .withArgs(await token.getAddress());
    });

    it("addCollateral_zeroAddress_reverts", async function () {
      await expect(f.vaultEngine.addCollateral(ethers.ZeroAddress, params())).to.be.revertedWithCustomError(
        f.vaultEngine,
        "ZeroAddress",
      );
    });

    it("addCollateral_whenAlreadyListed_reverts", async function () {
      await expect(f.vaultEngine.addCollateral(wethAddress, params()))
        .to.be.revertedWithCustomError(f.vaultEngine, "CollateralAlreadyListed")
        .withArgs(wethAddress);
    });

    it("addCollateral_withMoreThan18Decimals_reverts", async function () {
      const token = await newToken(f, 19);
      await expect(f.vaultEngine.addCollateral(token, params()))
        .to.be.revertedWithCustomError(f.vaultEngine, "UnsupportedDecimals")
        .withArgs(await token.getAddress(), 19);
    });

    it("addCollateral_feeBelowOneRay_reverts", async function () {
      const token = await newToken(f, 18);
      await expect(f.vaultEngine.addCollateral(token, params({ stabilityFee: RAY - 1n })))
        .to.be.revertedWithCustomError(f.vaultEngine, "StabilityFeeOutOfRange")
        .withArgs(RAY - 1n, RAY, MAX_STABILITY_FEE);
    });

    it("addCollateral_feeAboveHundredPercentAYear_reverts", async function () {
      const token = await newToken(f, 18);
      await expect(f.vaultEngine.addCollateral(token, params({ stabilityFee: MAX_STABILITY_FEE + 1n })))
        .to.be.revertedWithCustomError(f.vaultEngine, "StabilityFeeOutOfRange")
        .withArgs(MAX_STABILITY_FEE + 1n, RAY, MAX_STABILITY_FEE);
    });

    it("addCollateral_atTheFeeBounds_succeeds", async function () {
      // The upper bound is the largest fee that compounds to at most 2× over a year.
      expect(rpowDown(MAX_STABILITY_FEE, SECONDS_PER_YEAR)).to.be.lte(2n * RAY);
      expect(rpowDown(MAX_STABILITY_FEE + 1n, SECONDS_PER_YEAR)).to.be.gt(2n * RAY);
      await expect(f.vaultEngine.addCollateral(await newToken(f, 18), params({ stabilityFee: MAX_STABILITY_FEE }))).to
        .not.be.reverted;
      await expect(f.vaultEngine.addCollateral(await newToken(f, 18), params({ stabilityFee: RAY }))).to.not.be
        .reverted;
    });

    it("addCollateral_maxLTVAbove99Percent_reverts", async function () {
      const token = await newToken(f, 18);
      await expect(f.vaultEngine.addCollateral(token, params({ maxLTV: MAX_LTV + 1n })))
        .to.be.revertedWithCustomError(f.vaultEngine, "MaxLTVOutOfRange")
        .withArgs(MAX_LTV + 1n, MAX_LTV);
      await expect(f.vaultEngine.addCollateral(token, params({ maxLTV: MAX_LTV }))).to.not.be.reverted;
    });
  });

  describe("setDebtCeiling", function () {
    it("setDebtCeiling_byGovernor_updatesAndEmits", async function () {
      await expect(f.vaultEngine.setDebtCeiling(wethAddress, sld("1234")))
        .to.emit(f.vaultEngine, "DebtCeilingSet")
        .withArgs(wethAddress, sld("1234"));
      expect((await f.vaultEngine.collateralParams(wethAddress)).debtCeiling).to.equal(sld("1234"));
    });

    it("setDebtCeiling_whenNotListed_reverts", async function () {
      await expect(f.vaultEngine.setDebtCeiling(carol, 1n))
        .to.be.revertedWithCustomError(f.vaultEngine, "CollateralNotListed")
        .withArgs(carol.address);
    });
  });

  describe("setDust", function () {
    it("setDust_byGovernor_updatesAndEmits", async function () {
      await expect(f.vaultEngine.setDust(wethAddress, sld("250")))
        .to.emit(f.vaultEngine, "DustSet")
        .withArgs(wethAddress, sld("250"));
      expect((await f.vaultEngine.collateralParams(wethAddress)).dust).to.equal(sld("250"));
    });

    it("setDust_whenRaised_appliesToTheNextBorrow", async function () {
      const vaultId = await openVault(f, alice, f.weth.token, weth("10"));
      await f.vaultEngine.setDust(wethAddress, sld("500"));
      const { next } = await pinNextRate(f, wethAddress);
      await expect(f.vaultEngine.connect(alice).borrow(vaultId, sld("400"), alice))
        .to.be.revertedWithCustomError(f.vaultEngine, "DebtBelowDust")
        .withArgs(vaultId, debtFor(normalizedFor(sld("400"), next), next), sld("500"));
    });

    it("setDust_whenNotListed_reverts", async function () {
      await expect(f.vaultEngine.setDust(carol, 1n))
        .to.be.revertedWithCustomError(f.vaultEngine, "CollateralNotListed")
        .withArgs(carol.address);
    });
  });

  describe("setStabilityFee", function () {
    it("setStabilityFee_byGovernor_updatesAndEmits", async function () {
      const fee = perSecondRate((10n * WAD) / 100n);
      await expect(f.vaultEngine.setStabilityFee(wethAddress, fee))
        .to.emit(f.vaultEngine, "StabilityFeeSet")
        .withArgs(wethAddress, fee);
      expect((await f.vaultEngine.collateralParams(wethAddress)).stabilityFee).to.equal(fee);
    });

    it("setStabilityFee_accruesAtTheOldFeeFirst", async function () {
      const vaultId = await openVault(f, alice, f.weth.token, weth("10"));
      await f.vaultEngine.connect(alice).borrow(vaultId, sld("5000"), alice);
      const [, totalNormalizedDebt] = await f.vaultEngine.collateralState(wethAddress);
      const newFee = perSecondRate((50n * WAD) / 100n);

      // 100 s at the old 2% fee are settled before the new fee takes over.
      const { stored, next } = await pinNextRate(f, wethAddress, 100n);
      await expect(f.vaultEngine.setStabilityFee(wethAddress, newFee))
        .to.emit(f.vaultEngine, "FeesAccrued")
        .withArgs(wethAddress, next, totalNormalizedDebt * (next - stored))
        .and.to.emit(f.vaultEngine, "StabilityFeeSet")
        .withArgs(wethAddress, newFee);

      // From then on the accumulator follows the new fee only.
      const rateLater = (next * rpowDown(newFee, 1_000n)) / RAY;
      await time.setNextBlockTimestamp(BigInt(await time.latest()) + 1_000n);
      await expect(f.vaultEngine.accrue(wethAddress))
        .to.emit(f.vaultEngine, "FeesAccrued")
        .withArgs(wethAddress, rateLater, totalNormalizedDebt * (rateLater - next));
      await expectBooksBalanced(f);
    });

    it("stabilityFee_acrossItsRange_roundTripsThroughCollateralParams", async function () {
      // Stored as fee − 1 ray: the bounds, their neighbours and a fee in between read back exactly.
      const fees = [RAY, RAY + 1n, perSecondRate((5n * WAD) / 100n), MAX_STABILITY_FEE - 1n, MAX_STABILITY_FEE];
      for (const fee of fees) {
        const token = await newToken(f, 18);
        await f.vaultEngine.addCollateral(token, params({ stabilityFee: fee }));
        expect((await f.vaultEngine.collateralParams(token)).stabilityFee, `listed at ${fee}`).to.equal(fee);
      }
      for (const fee of [...fees].reverse()) {
        await f.vaultEngine.setStabilityFee(wethAddress, fee);
        const stored = await f.vaultEngine.collateralParams(wethAddress);
        expect(stored.stabilityFee, `set to ${fee}`).to.equal(fee);
        // The rest of the type's parameters are untouched.
        expect([stored.debtCeiling, stored.dust, stored.maxLTV]).to.deep.equal([
          f.weth.spec.debtCeiling,
          f.weth.spec.dust,
          f.weth.spec.maxLTV,
        ]);
      }
    });

    it("setStabilityFee_toTheMaximum_compoundsToTwiceTheDebtInAYear", async function () {
      const vaultId = await openVault(f, alice, f.weth.token, weth("10"));
      await f.vaultEngine.connect(alice).borrow(vaultId, sld("1000"), alice);
      await f.vaultEngine.setStabilityFee(wethAddress, MAX_STABILITY_FEE);
      const { stored, next } = await pinNextRate(f, wethAddress, SECONDS_PER_YEAR);
      expect(next).to.equal((stored * rpowDown(MAX_STABILITY_FEE, SECONDS_PER_YEAR)) / RAY);
      await f.vaultEngine.accrue(wethAddress);
      expect((await f.vaultEngine.collateralState(wethAddress))[0]).to.equal(next);
      // 2× to within the accumulator's rounding down.
      expect(next).to.be.lte(2n * stored);
      expect(next).to.be.gt(2n * stored - stored / 10n ** 12n);
      await expectBooksBalanced(f);
    });

    it("setStabilityFee_belowOneRay_reverts", async function () {
      await expect(f.vaultEngine.setStabilityFee(wethAddress, RAY - 1n))
        .to.be.revertedWithCustomError(f.vaultEngine, "StabilityFeeOutOfRange")
        .withArgs(RAY - 1n, RAY, MAX_STABILITY_FEE);
    });

    it("setStabilityFee_aboveMax_reverts", async function () {
      await expect(f.vaultEngine.setStabilityFee(wethAddress, MAX_STABILITY_FEE + 1n))
        .to.be.revertedWithCustomError(f.vaultEngine, "StabilityFeeOutOfRange")
        .withArgs(MAX_STABILITY_FEE + 1n, RAY, MAX_STABILITY_FEE);
    });

    it("setStabilityFee_whenNotListed_reverts", async function () {
      await expect(f.vaultEngine.setStabilityFee(carol, RAY))
        .to.be.revertedWithCustomError(f.vaultEngine, "CollateralNotListed")
        .withArgs(carol.address);
    });
  });

  describe("setMaxLTV", function () {
    it("setMaxLTV_byGovernor_updatesMaxDebtAndEmits", async function () {
      const vaultId = await openVault(f, alice, f.weth.token, weth("10"));
      await expect(f.vaultEngine.setMaxLTV(wethAddress, WAD / 2n))
        .to.emit(f.vaultEngine, "MaxLTVSet")
        .withArgs(wethAddress, WAD / 2n);
      expect((await f.vaultEngine.collateralParams(wethAddress)).maxLTV).to.equal(WAD / 2n);
      expect(await f.vaultEngine.maxDebt(vaultId)).to.equal(sld("15000"));
    });

    it("setMaxLTV_above99Percent_reverts", async function () {
      await expect(f.vaultEngine.setMaxLTV(wethAddress, MAX_LTV + 1n))
        .to.be.revertedWithCustomError(f.vaultEngine, "MaxLTVOutOfRange")
        .withArgs(MAX_LTV + 1n, MAX_LTV);
    });

    it("setMaxLTV_whenNotListed_reverts", async function () {
      await expect(f.vaultEngine.setMaxLTV(carol, WAD / 2n))
        .to.be.revertedWithCustomError(f.vaultEngine, "CollateralNotListed")
        .withArgs(carol.address);
    });
  });

  describe("setGlobalDebtCeiling", function () {
    it("setGlobalDebtCeiling_byGovernor_updatesAndEmits", async function () {
      await expect(f.vaultEngine.setGlobalDebtCeiling(sld("777")))
        .to.emit(f.vaultEngine, "GlobalDebtCeilingSet")
        .withArgs(sld("777"));
      expect(await f.vaultEngine.globalDebtCeiling()).to.equal(sld("777"));
    });
  });

  describe("setRiskModel", function () {
    async function deployModel(ratio: bigint) {
      const model = await new MockRiskModel__factory(f.governor).deploy();
      await model.setRatio(ratio);
      await expect(f.vaultEngine.setRiskModel(model))
        .to.emit(f.vaultEngine, "RiskModelSet")
        .withArgs(await model.getAddress());
      expect(await f.vaultEngine.riskModel()).to.equal(await model.getAddress());
      return model;
    }

    it("setRiskModel_withLowerRatioThanMaxLTV_tightensBorrowing", async function () {
      const vaultId = await openVault(f, alice, f.weth.token, weth("10")); // worth 30,000
      await deployModel(WAD / 2n);
      expect(await f.vaultEngine.maxDebt(vaultId)).to.equal(sld("15000"));
      const { next } = await pinNextRate(f, wethAddress);
      await expect(f.vaultEngine.connect(alice).borrow(vaultId, sld("15001"), alice))
        .to.be.revertedWithCustomError(f.vaultEngine, "VaultUnsafe")
        .withArgs(vaultId, debtFor(normalizedFor(sld("15001"), next), next), sld("15000"));
      await expect(f.vaultEngine.connect(alice).borrow(vaultId, sld("14999"), alice)).to.not.be.reverted;
    });

    it("setRiskModel_withHigherRatioThanMaxLTV_doesNotLoosenBorrowing", async function () {
      const vaultId = await openVault(f, alice, f.weth.token, weth("10"));
      await deployModel((90n * WAD) / 100n);
      expect(await f.vaultEngine.maxDebt(vaultId)).to.equal(sld("22500"));
      const { next } = await pinNextRate(f, wethAddress);
      await expect(f.vaultEngine.connect(alice).borrow(vaultId, sld("22501"), alice))
        .to.be.revertedWithCustomError(f.vaultEngine, "VaultUnsafe")
        .withArgs(vaultId, debtFor(normalizedFor(sld("22501"), next), next), sld("22500"));
    });

    it("setRiskModel_withLowerRatio_alsoLimitsWithdrawals", async function () {
      const vaultId = await openVault(f, alice, f.weth.token, weth("10"));
      await f.vaultEngine.connect(alice).borrow(vaultId, sld("12000"), alice);
      await deployModel(WAD / 2n);
      // 7 WETH left: 15,750 under maxLTV alone, but only 10,500 under the model's 50%.
      const { next } = await pinNextRate(f, wethAddress);
      const { normalizedDebt } = await f.vaultEngine.vaults(vaultId);
      await expect(f.vaultEngine.connect(alice).withdraw(vaultId, weth("3"), alice))
        .to.be.revertedWithCustomError(f.vaultEngine, "VaultUnsafe")
        .withArgs(vaultId, debtFor(normalizedDebt, next), sld("10500"));
    });

    it("setRiskModel_toZeroAddress_restoresMaxLTVOnly", async function () {
      const vaultId = await openVault(f, alice, f.weth.token, weth("10"));
      await deployModel(WAD / 2n);
      await expect(f.vaultEngine.setRiskModel(ethers.ZeroAddress))
        .to.emit(f.vaultEngine, "RiskModelSet")
        .withArgs(ethers.ZeroAddress);
      expect(await f.vaultEngine.riskModel()).to.equal(ethers.ZeroAddress);
      expect(await f.vaultEngine.maxDebt(vaultId)).to.equal(sld("22500"));
      await expect(f.vaultEngine.connect(alice).borrow(vaultId, sld("20000"), alice)).to.not.be.reverted;
    });
  });

  describe("setOperator", function () {
    it("setOperator_zeroAddress_reverts", async function () {
      await expect(f.vaultEngine.connect(alice).setOperator(ethers.ZeroAddress, true)).to.be.revertedWithCustomError(
        f.vaultEngine,
        "ZeroAddress",
      );
    });

    it("setOperator_whenApproved_letsOperatorBorrowAndWithdrawForTheOwner", async function () {
      const vaultId = await openVault(f, alice, f.weth.token, weth("10"));
      expect(await f.vaultEngine.isOperator(alice, bob)).to.equal(false);
      await expect(f.vaultEngine.connect(alice).setOperator(bob, true))
        .to.emit(f.vaultEngine, "OperatorSet")
        .withArgs(alice.address, bob.address, true);
      expect(await f.vaultEngine.isOperator(alice, bob)).to.equal(true);

      await expect(f.vaultEngine.connect(bob).borrow(vaultId, sld("1000"), bob)).to.changeTokenBalance(
        f.stablecoin,
        bob,
        sld("1000"),
      );
      await expect(f.vaultEngine.connect(bob).withdraw(vaultId, weth("1"), bob)).to.changeTokenBalances(
        f.weth.token,
        [engineAddress, bob],
        [-weth("1"), weth("1")],
      );
      const vault = await f.vaultEngine.vaults(vaultId);
      expect(vault.owner).to.equal(alice.address);
      expect(vault.collateralAmount).to.equal(weth("9"));
      await expectBooksBalanced(f);
    });

    it("setOperator_whenRevoked_stopsTheOperator", async function () {
      const vaultId = await openVault(f, alice, f.weth.token, weth("10"));
      await f.vaultEngine.connect(alice).setOperator(bob, true);
      await expect(f.vaultEngine.connect(alice).setOperator(bob, false))
        .to.emit(f.vaultEngine, "OperatorSet")
        .withArgs(alice.address, bob.address, false);
      expect(await f.vaultEngine.isOperator(alice, bob)).to.equal(false);
      await expect(f.vaultEngine.connect(bob).borrow(vaultId, sld("1000"), bob))
        .to.be.revertedWithCustomError(f.vaultEngine, "NotVaultManager")
        .withArgs(vaultId, bob.address);
      await expect(f.vaultEngine.connect(bob).withdraw(vaultId, weth("1"), bob))
        .to.be.revertedWithCustomError(f.vaultEngine, "NotVaultManager")
        .withArgs(vaultId, bob.address);
    });

    it("setOperator_forAnotherOwner_doesNotCoverThisOwnersVaults", async function () {
      const vaultId = await openVault(f, alice, f.weth.token, weth("10"));
      await f.vaultEngine.connect(carol).setOperator(bob, true);
      await expect(f.vaultEngine.connect(bob).borrow(vaultId, sld("1000"), bob))
        .to.be.revertedWithCustomError(f.vaultEngine, "NotVaultManager")
        .withArgs(vaultId, bob.address);
    });
  });
});
