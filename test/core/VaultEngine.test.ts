import { expect } from "chai";
import { ethers, network } from "hardhat";
import { mine, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionReceipt } from "ethers";
import { deploySluiceFixture, type SluiceFixture } from "../helpers/fixtures";
import {
  LOCAL_COLLATERALS,
  ORACLE_DEFAULTS,
  listMockCollateral,
  toFeedAnswer,
  type LocalCollateral,
  type LocalCollateralSpec,
} from "../../scripts/lib/deploy";
import {
  FeeOnTransferToken__factory,
  MockAggregator__factory,
  MockERC20__factory,
  MockRiskModel__factory,
  Stablecoin__factory,
  VaultEngine__factory,
} from "../../typechain-types";
import type { IVaultEngine, MockERC20 } from "../../typechain-types";
import {
  RAY,
  SECONDS_PER_YEAR,
  WAD,
  mulDivUp,
  mulWadDown,
  perSecondRate,
  rpowDown,
} from "../../keeper/src/math/fixedPoint";

/** VaultEngine.MAX_STABILITY_FEE [ray]: 100% a year compounding per second, as the TypeScript mirror computes it. */
const MAX_STABILITY_FEE = perSecondRate(WAD);
/** VaultEngine.MAX_LTV [wad]. */
const MAX_LTV = (99n * WAD) / 100n;
const HOUR = 3_600;
/** The most token units one vault may hold (the auction record is a uint96). */
const MAX_UINT96 = 2n ** 96n - 1n;

describe("VaultEngine", function () {
  let f: SluiceFixture;
  let alice: HardhatEthersSigner;
  let bob: HardhatEthersSigner;
  let carol: HardhatEthersSigner;
  let engineAddress: string;
  let wethAddress: string;
  let wbtcAddress: string;

  beforeEach(async function () {
    f = await deploySluiceFixture();
    [alice, bob, carol] = f.users;
    engineAddress = await f.vaultEngine.getAddress();
    wethAddress = await f.weth.token.getAddress();
    wbtcAddress = await f.wbtc.token.getAddress();
  });

  // ------------------------------------------------------------ helpers

  const weth = (amount: string) => ethers.parseUnits(amount, 18);
  const wbtc = (amount: string) => ethers.parseUnits(amount, 8);
  const sld = (amount: string) => ethers.parseUnits(amount, 18);

  /**
   * docs/ACCOUNTING.md, exactly. C3: totalDebt + deficit [rad] = stablecoin supply [wad] · RAY + surplus
   * [rad]. C1: the engine holds, of each listed token, what its vaults hold plus what they have under
   * auction (read from the vaults themselves, so it holds however the auction was started).
   */
  async function expectBooksBalanced(): Promise<void> {
    const [totalDebt, deficit, supply, surplus] = await Promise.all([
      f.vaultEngine.totalDebt(),
      f.vaultEngine.deficit(),
      f.stablecoin.totalSupply(),
      f.vaultEngine.surplus(),
    ]);
    expect(totalDebt + deficit).to.equal(supply * RAY + surplus);
    const held = new Map<string, bigint>();
    for (let id = 1n; id <= (await f.vaultEngine.vaultCount()); id++) {
      const vault = await f.vaultEngine.vaults(id);
      held.set(vault.collateral, (held.get(vault.collateral) ?? 0n) + vault.collateralAmount + vault.auctionCollateral);
    }
    for (const token of [f.weth.token, f.wbtc.token]) {
      expect(await token.balanceOf(engineAddress)).to.equal(held.get(await token.getAddress()) ?? 0n);
    }
  }

  /** Opens a vault of `token` for `owner` and deposits `amount` (minted on the spot). */
  async function openVault(owner: HardhatEthersSigner, token: MockERC20, amount: bigint): Promise<bigint> {
    const vaultId = (await f.vaultEngine.vaultCount()) + 1n;
    await f.vaultEngine.connect(owner).openVault(token);
    if (amount > 0n) {
      await token.mint(owner, amount);
      await token.connect(owner).approve(engineAddress, amount);
      await f.vaultEngine.connect(owner).deposit(vaultId, amount);
    }
    return vaultId;
  }

  /** Publishes the collateral's listing price again and stores it, so it is fresh after a time jump. */
  async function refreshPrice(collateral: LocalCollateral): Promise<void> {
    await collateral.feed.setAnswer(toFeedAnswer(collateral.spec.price, collateral.spec.feedDecimals));
    await f.oracleHub.poke(collateral.token);
  }

  /**
   * Accrues `collateral` now, then pins the next block `elapsed` seconds later. Returns the stored
   * accumulator and the one the next transaction will use, computed with the TypeScript mirror.
   */
  async function pinNextRate(collateral: string, elapsed = 1n): Promise<{ stored: bigint; next: bigint }> {
    await f.vaultEngine.accrue(collateral);
    const [stored] = await f.vaultEngine.collateralState(collateral);
    const { stabilityFee } = await f.vaultEngine.collateralParams(collateral);
    await time.setNextBlockTimestamp(BigInt(await time.latest()) + elapsed);
    return { stored, next: (stored * rpowDown(stabilityFee, elapsed)) / RAY };
  }

  /** Normalised debt a borrow of `amount` adds at `rate` (rounded up, as the engine does). */
  const normalizedFor = (amount: bigint, rate: bigint) => mulDivUp(amount, RAY, rate);
  const debtFor = (normalizedDebt: bigint, rate: bigint) => mulDivUp(normalizedDebt, rate, RAY);

  function params(overrides: Partial<IVaultEngine.CollateralParamsStruct> = {}) {
    return {
      debtCeiling: 1_000_000n * WAD,
      dust: 10n * WAD,
      stabilityFee: perSecondRate((5n * WAD) / 100n),
      maxLTV: (80n * WAD) / 100n,
      ...overrides,
    };
  }

  /** A fresh token with an OracleHub feed (listing requires one), not yet listed in the engine. */
  async function newToken(decimals: number, withFeed = true): Promise<MockERC20> {
    const token = await new MockERC20__factory(f.governor).deploy(`T${decimals}`, `T${decimals}`, decimals);
    await token.waitForDeployment();
    if (withFeed) {
      const feed = await new MockAggregator__factory(f.governor).deploy(8, "T / USD", 100n * 10n ** 8n);
      await f.oracleHub.addFeed(await token.getAddress(), {
        source: await feed.getAddress(),
        heartbeat: ORACLE_DEFAULTS.heartbeat,
        minPrice: WAD,
        maxPrice: 10_000n * WAD,
        maxJump: ORACLE_DEFAULTS.maxJump,
        halfLife: ORACLE_DEFAULTS.halfLife,
      });
    }
    return token;
  }

  function feesAccruedIn(receipt: ContractTransactionReceipt | null) {
    return receipt!.logs
      .map((log) => f.vaultEngine.interface.parseLog(log))
      .filter((event) => event?.name === "FeesAccrued");
  }

  /** Points the engine's liquidation modules at two plain accounts, so tests call them directly. */
  async function modulesAtSigners(): Promise<{ liquidator: HardhatEthersSigner; auction: HardhatEthersSigner }> {
    const [liquidator, auction] = [f.users[6], f.users[7]];
    await f.vaultEngine.connect(f.governor).setLiquidationModules(liquidator, auction);
    return { liquidator, auction };
  }

  /** The engine's totals [rad]. */
  async function books(): Promise<{ totalDebt: bigint; surplus: bigint; deficit: bigint }> {
    const [totalDebt, surplus, deficit] = await Promise.all([
      f.vaultEngine.totalDebt(),
      f.vaultEngine.surplus(),
      f.vaultEngine.deficit(),
    ]);
    return { totalDebt, surplus, deficit };
  }

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

  // ------------------------------------------------------------ admin

  describe("addCollateral", function () {
    it("addCollateral_whenNew_listsAtRateOneAndEmits", async function () {
      const token = await newToken(6);
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
      const token = await newToken(18, false);
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
      const token = await newToken(19);
      await expect(f.vaultEngine.addCollateral(token, params()))
        .to.be.revertedWithCustomError(f.vaultEngine, "UnsupportedDecimals")
        .withArgs(await token.getAddress(), 19);
    });

    it("addCollateral_feeBelowOneRay_reverts", async function () {
      const token = await newToken(18);
      await expect(f.vaultEngine.addCollateral(token, params({ stabilityFee: RAY - 1n })))
        .to.be.revertedWithCustomError(f.vaultEngine, "StabilityFeeOutOfRange")
        .withArgs(RAY - 1n, RAY, MAX_STABILITY_FEE);
    });

    it("addCollateral_feeAboveHundredPercentAYear_reverts", async function () {
      const token = await newToken(18);
      await expect(f.vaultEngine.addCollateral(token, params({ stabilityFee: MAX_STABILITY_FEE + 1n })))
        .to.be.revertedWithCustomError(f.vaultEngine, "StabilityFeeOutOfRange")
        .withArgs(MAX_STABILITY_FEE + 1n, RAY, MAX_STABILITY_FEE);
    });

    it("addCollateral_atTheFeeBounds_succeeds", async function () {
      // The upper bound is the largest fee that compounds to at most 2× over a year.
      expect(rpowDown(MAX_STABILITY_FEE, SECONDS_PER_YEAR)).to.be.lte(2n * RAY);
      expect(rpowDown(MAX_STABILITY_FEE + 1n, SECONDS_PER_YEAR)).to.be.gt(2n * RAY);
      await expect(f.vaultEngine.addCollateral(await newToken(18), params({ stabilityFee: MAX_STABILITY_FEE }))).to.not
        .be.reverted;
      await expect(f.vaultEngine.addCollateral(await newToken(18), params({ stabilityFee: RAY }))).to.not.be.reverted;
    });

    it("addCollateral_maxLTVAbove99Percent_reverts", async function () {
      const token = await newToken(18);
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
      const vaultId = await openVault(alice, f.weth.token, weth("10"));
      await f.vaultEngine.setDust(wethAddress, sld("500"));
      const { next } = await pinNextRate(wethAddress);
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
      const vaultId = await openVault(alice, f.weth.token, weth("10"));
      await f.vaultEngine.connect(alice).borrow(vaultId, sld("5000"), alice);
      const [, totalNormalizedDebt] = await f.vaultEngine.collateralState(wethAddress);
      const newFee = perSecondRate((50n * WAD) / 100n);

      // 100 s at the old 2% fee are settled before the new fee takes over.
      const { stored, next } = await pinNextRate(wethAddress, 100n);
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
      await expectBooksBalanced();
    });

    it("stabilityFee_acrossItsRange_roundTripsThroughCollateralParams", async function () {
      // Stored as fee − 1 ray: the bounds, their neighbours and a fee in between read back exactly.
      const fees = [RAY, RAY + 1n, perSecondRate((5n * WAD) / 100n), MAX_STABILITY_FEE - 1n, MAX_STABILITY_FEE];
      for (const fee of fees) {
        const token = await newToken(18);
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
      const vaultId = await openVault(alice, f.weth.token, weth("10"));
      await f.vaultEngine.connect(alice).borrow(vaultId, sld("1000"), alice);
      await f.vaultEngine.setStabilityFee(wethAddress, MAX_STABILITY_FEE);
      const { stored, next } = await pinNextRate(wethAddress, SECONDS_PER_YEAR);
      expect(next).to.equal((stored * rpowDown(MAX_STABILITY_FEE, SECONDS_PER_YEAR)) / RAY);
      await f.vaultEngine.accrue(wethAddress);
      expect((await f.vaultEngine.collateralState(wethAddress))[0]).to.equal(next);
      // 2× to within the accumulator's rounding down.
      expect(next).to.be.lte(2n * stored);
      expect(next).to.be.gt(2n * stored - stored / 10n ** 12n);
      await expectBooksBalanced();
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
      const vaultId = await openVault(alice, f.weth.token, weth("10"));
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
      const vaultId = await openVault(alice, f.weth.token, weth("10")); // worth 30,000
      await deployModel(WAD / 2n);
      expect(await f.vaultEngine.maxDebt(vaultId)).to.equal(sld("15000"));
      const { next } = await pinNextRate(wethAddress);
      await expect(f.vaultEngine.connect(alice).borrow(vaultId, sld("15001"), alice))
        .to.be.revertedWithCustomError(f.vaultEngine, "VaultUnsafe")
        .withArgs(vaultId, debtFor(normalizedFor(sld("15001"), next), next), sld("15000"));
      await expect(f.vaultEngine.connect(alice).borrow(vaultId, sld("14999"), alice)).to.not.be.reverted;
    });

    it("setRiskModel_withHigherRatioThanMaxLTV_doesNotLoosenBorrowing", async function () {
      const vaultId = await openVault(alice, f.weth.token, weth("10"));
      await deployModel((90n * WAD) / 100n);
      expect(await f.vaultEngine.maxDebt(vaultId)).to.equal(sld("22500"));
      const { next } = await pinNextRate(wethAddress);
      await expect(f.vaultEngine.connect(alice).borrow(vaultId, sld("22501"), alice))
        .to.be.revertedWithCustomError(f.vaultEngine, "VaultUnsafe")
        .withArgs(vaultId, debtFor(normalizedFor(sld("22501"), next), next), sld("22500"));
    });

    it("setRiskModel_withLowerRatio_alsoLimitsWithdrawals", async function () {
      const vaultId = await openVault(alice, f.weth.token, weth("10"));
      await f.vaultEngine.connect(alice).borrow(vaultId, sld("12000"), alice);
      await deployModel(WAD / 2n);
      // 7 WETH left: 15,750 under maxLTV alone, but only 10,500 under the model's 50%.
      const { next } = await pinNextRate(wethAddress);
      const { normalizedDebt } = await f.vaultEngine.vaults(vaultId);
      await expect(f.vaultEngine.connect(alice).withdraw(vaultId, weth("3"), alice))
        .to.be.revertedWithCustomError(f.vaultEngine, "VaultUnsafe")
        .withArgs(vaultId, debtFor(normalizedDebt, next), sld("10500"));
    });

    it("setRiskModel_toZeroAddress_restoresMaxLTVOnly", async function () {
      const vaultId = await openVault(alice, f.weth.token, weth("10"));
      await deployModel(WAD / 2n);
      await expect(f.vaultEngine.setRiskModel(ethers.ZeroAddress))
        .to.emit(f.vaultEngine, "RiskModelSet")
        .withArgs(ethers.ZeroAddress);
      expect(await f.vaultEngine.riskModel()).to.equal(ethers.ZeroAddress);
      expect(await f.vaultEngine.maxDebt(vaultId)).to.equal(sld("22500"));
      await expect(f.vaultEngine.connect(alice).borrow(vaultId, sld("20000"), alice)).to.not.be.reverted;
    });
  });

  // ------------------------------------------------------------ users

  describe("setOperator", function () {
    it("setOperator_zeroAddress_reverts", async function () {
      await expect(f.vaultEngine.connect(alice).setOperator(ethers.ZeroAddress, true)).to.be.revertedWithCustomError(
        f.vaultEngine,
        "ZeroAddress",
      );
    });

    it("setOperator_whenApproved_letsOperatorBorrowAndWithdrawForTheOwner", async function () {
      const vaultId = await openVault(alice, f.weth.token, weth("10"));
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
      await expectBooksBalanced();
    });

    it("setOperator_whenRevoked_stopsTheOperator", async function () {
      const vaultId = await openVault(alice, f.weth.token, weth("10"));
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
      const vaultId = await openVault(alice, f.weth.token, weth("10"));
      await f.vaultEngine.connect(carol).setOperator(bob, true);
      await expect(f.vaultEngine.connect(bob).borrow(vaultId, sld("1000"), bob))
        .to.be.revertedWithCustomError(f.vaultEngine, "NotVaultManager")
        .withArgs(vaultId, bob.address);
    });
  });

  describe("openVault", function () {
    it("openVault_whenNotListed_reverts", async function () {
      const token = await newToken(18);
      await expect(f.vaultEngine.connect(alice).openVault(token))
        .to.be.revertedWithCustomError(f.vaultEngine, "CollateralNotListed")
        .withArgs(await token.getAddress());
    });

    it("openVault_twice_incrementsIdsAndEmits", async function () {
      expect(await f.vaultEngine.vaultCount()).to.equal(0n);
      await expect(f.vaultEngine.connect(alice).openVault(wethAddress))
        .to.emit(f.vaultEngine, "VaultOpened")
        .withArgs(1n, alice.address, wethAddress);
      await expect(f.vaultEngine.connect(bob).openVault(wbtcAddress))
        .to.emit(f.vaultEngine, "VaultOpened")
        .withArgs(2n, bob.address, wbtcAddress);
      expect(await f.vaultEngine.vaultCount()).to.equal(2n);
      const vault = await f.vaultEngine.vaults(2n);
      expect([vault.owner, vault.collateral, vault.collateralAmount, vault.normalizedDebt]).to.deep.equal([
        bob.address,
        wbtcAddress,
        0n,
        0n,
      ]);
    });
  });

  describe("deposit", function () {
    it("deposit_zeroAmount_reverts", async function () {
      const vaultId = await openVault(alice, f.weth.token, 0n);
      await expect(f.vaultEngine.connect(alice).deposit(vaultId, 0n)).to.be.revertedWithCustomError(
        f.vaultEngine,
        "ZeroAmount",
      );
    });

    it("deposit_intoUnknownVault_reverts", async function () {
      await expect(f.vaultEngine.connect(alice).deposit(42n, weth("1")))
        .to.be.revertedWithCustomError(f.vaultEngine, "VaultNotFound")
        .withArgs(42n);
    });

    it("deposit_byAnyone_creditsTheVault", async function () {
      const vaultId = await openVault(alice, f.weth.token, weth("1"));
      await f.weth.token.mint(carol, weth("2"));
      await f.weth.token.connect(carol).approve(engineAddress, weth("2"));
      const deposit = f.vaultEngine.connect(carol).deposit(vaultId, weth("2"));
      await expect(deposit).to.emit(f.vaultEngine, "Deposited").withArgs(vaultId, carol.address, weth("2"));
      await expect(deposit).to.changeTokenBalances(f.weth.token, [carol, engineAddress], [-weth("2"), weth("2")]);
      const vault = await f.vaultEngine.vaults(vaultId);
      expect(vault.collateralAmount).to.equal(weth("3"));
      expect(vault.owner).to.equal(alice.address);
    });

    it("deposit_ofFeeOnTransferToken_reverts", async function () {
      const token = await new FeeOnTransferToken__factory(f.governor).deploy(100n); // 1% burnt per transfer
      const price = 1_000n * WAD;
      const feed = await new MockAggregator__factory(f.governor).deploy(8, "FEE / USD", toFeedAnswer(price, 8));
      await f.oracleHub.addFeed(token, {
        source: await feed.getAddress(),
        heartbeat: ORACLE_DEFAULTS.heartbeat,
        minPrice: price / 1_000n,
        maxPrice: price * 1_000n,
        maxJump: ORACLE_DEFAULTS.maxJump,
        halfLife: ORACLE_DEFAULTS.halfLife,
      });
      await f.oracleHub.poke(token);
      await f.vaultEngine.addCollateral(token, params());
      const vaultId = await openVault(alice, token, 0n);
      await token.mint(alice, weth("10"));
      await token.connect(alice).approve(engineAddress, weth("10"));
      await expect(f.vaultEngine.connect(alice).deposit(vaultId, weth("10")))
        .to.be.revertedWithCustomError(f.vaultEngine, "TransferAmountMismatch")
        .withArgs(await token.getAddress(), weth("10"), weth("9.9"));
    });

    it("deposit_upToTheUint96Cap_succeedsAndOneUnitMoreReverts", async function () {
      const vaultId = await openVault(alice, f.weth.token, MAX_UINT96 - 1n);
      await f.weth.token.mint(alice, 2n);
      await f.weth.token.connect(alice).approve(engineAddress, 2n);
      await expect(f.vaultEngine.connect(alice).deposit(vaultId, 2n))
        .to.be.revertedWithCustomError(f.vaultEngine, "SafeCastOverflowedUintDowncast")
        .withArgs(96, MAX_UINT96 + 1n);
      await expect(f.vaultEngine.connect(alice).deposit(vaultId, 1n)).to.emit(f.vaultEngine, "Deposited");
      expect((await f.vaultEngine.vaults(vaultId)).collateralAmount).to.equal(MAX_UINT96);
      await expect(f.vaultEngine.connect(alice).deposit(vaultId, 1n))
        .to.be.revertedWithCustomError(f.vaultEngine, "SafeCastOverflowedUintDowncast")
        .withArgs(96, MAX_UINT96 + 1n);
    });

    it("deposit_aboveUint128_revertsAtTheUint96Cap", async function () {
      const vaultId = await openVault(alice, f.weth.token, 0n);
      const tooMuch = 2n ** 128n;
      await f.weth.token.mint(alice, tooMuch);
      await f.weth.token.connect(alice).approve(engineAddress, tooMuch);
      await expect(f.vaultEngine.connect(alice).deposit(vaultId, tooMuch))
        .to.be.revertedWithCustomError(f.vaultEngine, "SafeCastOverflowedUintDowncast")
        .withArgs(96, tooMuch);
    });

    it("deposit_whileInAuction_countsTheCollateralUnderAuctionTowardTheCap", async function () {
      // The cap exists so that any part of a vault's collateral fits the auction record: collateral
      // under auction is still the vault's and comes back to it when the auction ends.
      const { liquidator, auction } = await modulesAtSigners();
      const vaultId = await openVault(alice, f.weth.token, MAX_UINT96);
      await f.vaultEngine.connect(liquidator).seize(vaultId, MAX_UINT96, 0n);
      await f.weth.token.mint(carol, 1n);
      await f.weth.token.connect(carol).approve(engineAddress, 1n);
      await expect(f.vaultEngine.connect(carol).deposit(vaultId, 1n)).to.be.revertedWithCustomError(
        f.vaultEngine,
        "SafeCastOverflowedUintDowncast",
      );
      // Were it let in, the unsold lot would come back on top of it, and no liquidation could then
      // seize the whole vault.
      await f.vaultEngine.connect(auction).sellAuctionCollateral(vaultId, bob, 0n, true, 0n);
      const vault = await f.vaultEngine.vaults(vaultId);
      expect(vault.collateralAmount + vault.auctionCollateral).to.be.lte(MAX_UINT96);
    });
  });

  describe("withdraw", function () {
    it("withdraw_zeroAmount_reverts", async function () {
      const vaultId = await openVault(alice, f.weth.token, weth("1"));
      await expect(f.vaultEngine.connect(alice).withdraw(vaultId, 0n, alice)).to.be.revertedWithCustomError(
        f.vaultEngine,
        "ZeroAmount",
      );
    });

    it("withdraw_toZeroAddress_reverts", async function () {
      const vaultId = await openVault(alice, f.weth.token, weth("1"));
      await expect(
        f.vaultEngine.connect(alice).withdraw(vaultId, weth("1"), ethers.ZeroAddress),
      ).to.be.revertedWithCustomError(f.vaultEngine, "ZeroAddress");
    });

    it("withdraw_byStranger_reverts", async function () {
      const vaultId = await openVault(alice, f.weth.token, weth("1"));
      await expect(f.vaultEngine.connect(carol).withdraw(vaultId, weth("1"), carol))
        .to.be.revertedWithCustomError(f.vaultEngine, "NotVaultManager")
        .withArgs(vaultId, carol.address);
    });

    it("withdraw_fromUnknownVault_reverts", async function () {
      await expect(f.vaultEngine.connect(alice).withdraw(42n, weth("1"), alice))
        .to.be.revertedWithCustomError(f.vaultEngine, "VaultNotFound")
        .withArgs(42n);
    });

    it("withdraw_moreThanDeposited_reverts", async function () {
      const vaultId = await openVault(alice, f.weth.token, weth("1"));
      await expect(f.vaultEngine.connect(alice).withdraw(vaultId, weth("1") + 1n, alice))
        .to.be.revertedWithCustomError(f.vaultEngine, "InsufficientCollateral")
        .withArgs(vaultId, weth("1") + 1n, weth("1"));
    });

    it("withdraw_withNoDebt_succeedsEvenWhenTheOracleIsStale", async function () {
      const vaultId = await openVault(alice, f.weth.token, weth("10"));
      await time.increase(2 * HOUR);
      await expect(f.oracleHub.price(wethAddress)).to.be.revertedWithCustomError(f.oracleHub, "StalePrice");
      // A partial withdrawal leaves collateral that would need a price if the engine asked for one.
      const withdrawal = f.vaultEngine.connect(alice).withdraw(vaultId, weth("4"), bob);
      await expect(withdrawal).to.emit(f.vaultEngine, "Withdrawn").withArgs(vaultId, bob.address, weth("4"));
      await expect(withdrawal).to.changeTokenBalances(f.weth.token, [engineAddress, bob], [-weth("4"), weth("4")]);
      await f.vaultEngine.connect(alice).withdraw(vaultId, weth("6"), alice);
      expect((await f.vaultEngine.vaults(vaultId)).collateralAmount).to.equal(0n);
      expect(await f.weth.token.balanceOf(alice)).to.equal(weth("6"));
    });

    it("withdraw_withDebtWhenTheOracleIsStale_reverts", async function () {
      const vaultId = await openVault(alice, f.weth.token, weth("10"));
      await f.vaultEngine.connect(alice).borrow(vaultId, sld("1000"), alice);
      await time.increase(2 * HOUR);
      const [, updatedAt] = await f.oracleHub.priceState(wethAddress);
      await expect(f.vaultEngine.connect(alice).withdraw(vaultId, weth("1"), alice))
        .to.be.revertedWithCustomError(f.oracleHub, "StalePrice")
        .withArgs(wethAddress, updatedAt, ORACLE_DEFAULTS.heartbeat);
    });

    it("withdraw_withDebtThatStaysSafe_succeeds", async function () {
      const vaultId = await openVault(alice, f.weth.token, weth("10"));
      await f.vaultEngine.connect(alice).borrow(vaultId, sld("15000"), alice);
      // 8 WETH left are worth 24,000 and allow 18,000.
      await expect(f.vaultEngine.connect(alice).withdraw(vaultId, weth("2"), alice)).to.changeTokenBalance(
        f.weth.token,
        alice,
        weth("2"),
      );
      expect(await f.vaultEngine.maxDebt(vaultId)).to.equal(sld("18000"));
      await expectBooksBalanced();
    });

    it("withdraw_leavingTheVaultUnsafe_reverts", async function () {
      const vaultId = await openVault(alice, f.weth.token, weth("10"));
      await f.vaultEngine.connect(alice).borrow(vaultId, sld("15000"), alice);
      const { normalizedDebt } = await f.vaultEngine.vaults(vaultId);
      const { next } = await pinNextRate(wethAddress);
      // 6 WETH left are worth 18,000 and allow 13,500.
      await expect(f.vaultEngine.connect(alice).withdraw(vaultId, weth("4"), alice))
        .to.be.revertedWithCustomError(f.vaultEngine, "VaultUnsafe")
        .withArgs(vaultId, debtFor(normalizedDebt, next), sld("13500"));
    });

    it("withdraw_allCollateralWithDebt_reverts", async function () {
      const vaultId = await openVault(alice, f.weth.token, weth("10"));
      await f.vaultEngine.connect(alice).borrow(vaultId, sld("100"), alice);
      const { normalizedDebt } = await f.vaultEngine.vaults(vaultId);
      const { next } = await pinNextRate(wethAddress);
      await expect(f.vaultEngine.connect(alice).withdraw(vaultId, weth("10"), alice))
        .to.be.revertedWithCustomError(f.vaultEngine, "VaultUnsafe")
        .withArgs(vaultId, debtFor(normalizedDebt, next), 0n);
    });
  });

  describe("borrow", function () {
    it("borrow_zeroAmount_reverts", async function () {
      const vaultId = await openVault(alice, f.weth.token, weth("1"));
      await expect(f.vaultEngine.connect(alice).borrow(vaultId, 0n, alice)).to.be.revertedWithCustomError(
        f.vaultEngine,
        "ZeroAmount",
      );
    });

    it("borrow_toZeroAddress_reverts", async function () {
      const vaultId = await openVault(alice, f.weth.token, weth("1"));
      await expect(
        f.vaultEngine.connect(alice).borrow(vaultId, sld("100"), ethers.ZeroAddress),
      ).to.be.revertedWithCustomError(f.vaultEngine, "ZeroAddress");
    });

    it("borrow_byStranger_reverts", async function () {
      const vaultId = await openVault(alice, f.weth.token, weth("1"));
      await expect(f.vaultEngine.connect(carol).borrow(vaultId, sld("100"), carol))
        .to.be.revertedWithCustomError(f.vaultEngine, "NotVaultManager")
        .withArgs(vaultId, carol.address);
    });

    it("borrow_fromUnknownVault_reverts", async function () {
      await expect(f.vaultEngine.connect(alice).borrow(42n, sld("100"), alice))
        .to.be.revertedWithCustomError(f.vaultEngine, "VaultNotFound")
        .withArgs(42n);
    });

    it("borrow_withinLimits_mintsToRecipientAndRecordsRoundedUpDebt", async function () {
      const vaultId = await openVault(alice, f.weth.token, weth("10"));
      const { next } = await pinNextRate(wethAddress, 10n);
      const normalized = normalizedFor(sld("1000"), next);
      const borrow = f.vaultEngine.connect(alice).borrow(vaultId, sld("1000"), bob);
      await expect(borrow).to.emit(f.vaultEngine, "Borrowed").withArgs(vaultId, bob.address, sld("1000"), normalized);
      await expect(borrow).to.changeTokenBalances(f.stablecoin, [alice, bob], [0n, sld("1000")]);
      expect((await f.vaultEngine.vaults(vaultId)).normalizedDebt).to.equal(normalized);
      const debt = await f.vaultEngine.debtOf(vaultId);
      expect(debt).to.equal(debtFor(normalized, next));
      expect(debt).to.be.gte(sld("1000"));
      expect((await f.vaultEngine.collateralState(wethAddress))[1]).to.equal(normalized);
      expect(await f.vaultEngine.surplus()).to.equal(normalized * next - sld("1000") * RAY);
      await expectBooksBalanced();
    });

    it("borrow_aboveTheCollateralDebtCeiling_reverts", async function () {
      const vaultId = await openVault(alice, f.weth.token, weth("10"));
      await f.vaultEngine.setDebtCeiling(wethAddress, sld("1000"));
      await f.vaultEngine.connect(alice).borrow(vaultId, sld("600"), alice);
      const [, totalNormalizedDebt] = await f.vaultEngine.collateralState(wethAddress);
      const { next } = await pinNextRate(wethAddress);
      await expect(f.vaultEngine.connect(alice).borrow(vaultId, sld("600"), alice))
        .to.be.revertedWithCustomError(f.vaultEngine, "DebtCeilingExceeded")
        .withArgs(wethAddress, debtFor(totalNormalizedDebt + normalizedFor(sld("600"), next), next), sld("1000"));
    });

    it("borrow_aboveTheGlobalDebtCeiling_reverts", async function () {
      const wethVault = await openVault(alice, f.weth.token, weth("10"));
      const wbtcVault = await openVault(bob, f.wbtc.token, wbtc("1"));
      await f.vaultEngine.setGlobalDebtCeiling(sld("1000"));
      await f.vaultEngine.connect(alice).borrow(wethVault, sld("600"), alice);
      const totalDebt = await f.vaultEngine.totalDebt();
      const { next } = await pinNextRate(wbtcAddress);
      const newTotalDebt = totalDebt + normalizedFor(sld("600"), next) * next;
      await expect(f.vaultEngine.connect(bob).borrow(wbtcVault, sld("600"), bob))
        .to.be.revertedWithCustomError(f.vaultEngine, "GlobalDebtCeilingExceeded")
        .withArgs(mulDivUp(newTotalDebt, 1n, RAY), sld("1000"));
    });

    it("borrow_belowDust_reverts", async function () {
      const vaultId = await openVault(alice, f.weth.token, weth("10"));
      const { next } = await pinNextRate(wethAddress);
      await expect(f.vaultEngine.connect(alice).borrow(vaultId, sld("99"), alice))
        .to.be.revertedWithCustomError(f.vaultEngine, "DebtBelowDust")
        .withArgs(vaultId, debtFor(normalizedFor(sld("99"), next), next), f.weth.spec.dust);
    });

    it("borrow_aboveMaxDebt_revertsWithDebtAndLimit", async function () {
      const vaultId = await openVault(alice, f.weth.token, weth("1")); // worth 3,000, allows 2,250
      const { next } = await pinNextRate(wethAddress);
      await expect(f.vaultEngine.connect(alice).borrow(vaultId, sld("2251"), alice))
        .to.be.revertedWithCustomError(f.vaultEngine, "VaultUnsafe")
        .withArgs(vaultId, debtFor(normalizedFor(sld("2251"), next), next), sld("2250"));
    });

    it("borrow_upToMaxDebt_succeeds", async function () {
      const vaultId = await openVault(alice, f.weth.token, weth("1"));
      const limit = await f.vaultEngine.maxDebt(vaultId);
      // Rounding may add up to two units of debt on top of the amount minted.
      await expect(f.vaultEngine.connect(alice).borrow(vaultId, limit - 2n, alice)).to.not.be.reverted;
      expect(await f.vaultEngine.debtOf(vaultId)).to.be.lte(limit);
      await expectBooksBalanced();
    });

    it("borrow_whenTheOracleIsStale_reverts", async function () {
      const vaultId = await openVault(alice, f.weth.token, weth("10"));
      await time.increase(2 * HOUR);
      const [, updatedAt] = await f.oracleHub.priceState(wethAddress);
      await expect(f.vaultEngine.connect(alice).borrow(vaultId, sld("1000"), alice))
        .to.be.revertedWithCustomError(f.oracleHub, "StalePrice")
        .withArgs(wethAddress, updatedAt, ORACLE_DEFAULTS.heartbeat);
      await refreshPrice(f.weth);
      await expect(f.vaultEngine.connect(alice).borrow(vaultId, sld("1000"), alice)).to.not.be.reverted;
    });
  });

  describe("repay", function () {
    it("repay_zeroAmount_reverts", async function () {
      const vaultId = await openVault(alice, f.weth.token, weth("10"));
      await f.vaultEngine.connect(alice).borrow(vaultId, sld("1000"), alice);
      await expect(f.vaultEngine.connect(alice).repay(vaultId, 0n)).to.be.revertedWithCustomError(
        f.vaultEngine,
        "ZeroAmount",
      );
    });

    it("repay_unknownVault_reverts", async function () {
      await expect(f.vaultEngine.connect(alice).repay(42n, sld("1")))
        .to.be.revertedWithCustomError(f.vaultEngine, "VaultNotFound")
        .withArgs(42n);
    });

    it("repay_vaultWithoutDebt_reverts", async function () {
      const vaultId = await openVault(alice, f.weth.token, weth("10"));
      await expect(f.vaultEngine.connect(alice).repay(vaultId, sld("1")))
        .to.be.revertedWithCustomError(f.vaultEngine, "NoDebt")
        .withArgs(vaultId);
    });

    it("repay_byAnyone_burnsTheirCoinsAgainstTheVault", async function () {
      const vaultId = await openVault(alice, f.weth.token, weth("10"));
      await f.vaultEngine.connect(alice).borrow(vaultId, sld("1000"), carol);
      const { normalizedDebt } = await f.vaultEngine.vaults(vaultId);
      const { next } = await pinNextRate(wethAddress);
      const left = normalizedDebt - (sld("400") * RAY) / next;
      const repay = f.vaultEngine.connect(carol).repay(vaultId, sld("400"));
      await expect(repay).to.emit(f.vaultEngine, "Repaid").withArgs(vaultId, carol.address, sld("400"), left);
      await expect(repay).to.changeTokenBalances(f.stablecoin, [carol, alice], [-sld("400"), 0n]);
      expect((await f.vaultEngine.vaults(vaultId)).normalizedDebt).to.equal(left);
      expect(await f.vaultEngine.debtOf(vaultId)).to.equal(debtFor(left, next));
      await expectBooksBalanced();
    });

    it("repay_moreThanTheDebt_burnsExactlyTheDebt", async function () {
      const vaultId = await openVault(alice, f.weth.token, weth("10"));
      const spareVault = await openVault(alice, f.weth.token, weth("10"));
      await f.vaultEngine.connect(alice).borrow(vaultId, sld("1000"), alice);
      await f.vaultEngine.connect(alice).borrow(spareVault, sld("500"), alice);
      const { normalizedDebt } = await f.vaultEngine.vaults(vaultId);
      const [, typeNormalizedBefore] = await f.vaultEngine.collateralState(wethAddress);
      const { next } = await pinNextRate(wethAddress, 30n * 24n * 3_600n);
      const debt = debtFor(normalizedDebt, next);
      expect(debt).to.be.gt(sld("1000"));

      const repay = f.vaultEngine.connect(alice).repay(vaultId, sld("1500"));
      await expect(repay).to.emit(f.vaultEngine, "Repaid").withArgs(vaultId, alice.address, debt, 0n);
      await expect(repay).to.changeTokenBalance(f.stablecoin, alice, -debt);
      expect(await f.vaultEngine.debtOf(vaultId)).to.equal(0n);
      expect((await f.vaultEngine.collateralState(wethAddress))[1]).to.equal(typeNormalizedBefore - normalizedDebt);
      await expectBooksBalanced();
    });

    it("repay_exactlyTheDebt_clearsTheVault", async function () {
      const vaultId = await openVault(alice, f.weth.token, weth("10"));
      const spareVault = await openVault(alice, f.weth.token, weth("10"));
      await f.vaultEngine.connect(alice).borrow(vaultId, sld("1000"), alice);
      await f.vaultEngine.connect(alice).borrow(spareVault, sld("500"), alice);
      const { normalizedDebt } = await f.vaultEngine.vaults(vaultId);
      const { next } = await pinNextRate(wethAddress, 600n);
      const debt = debtFor(normalizedDebt, next);
      await expect(f.vaultEngine.connect(alice).repay(vaultId, debt))
        .to.emit(f.vaultEngine, "Repaid")
        .withArgs(vaultId, alice.address, debt, 0n);
      expect((await f.vaultEngine.vaults(vaultId)).normalizedDebt).to.equal(0n);
      expect(await f.vaultEngine.debtOf(vaultId)).to.equal(0n);
      await expect(f.vaultEngine.connect(alice).repay(vaultId, 1n))
        .to.be.revertedWithCustomError(f.vaultEngine, "NoDebt")
        .withArgs(vaultId);
      // Without debt the collateral comes out with no price at all.
      await time.increase(2 * HOUR);
      await expect(f.vaultEngine.connect(alice).withdraw(vaultId, weth("10"), alice)).to.changeTokenBalance(
        f.weth.token,
        alice,
        weth("10"),
      );
      await expectBooksBalanced();
    });

    it("repay_partialLeavingLessThanDust_reverts", async function () {
      const vaultId = await openVault(alice, f.weth.token, weth("10"));
      await f.vaultEngine.connect(alice).borrow(vaultId, sld("150"), alice);
      const { normalizedDebt } = await f.vaultEngine.vaults(vaultId);
      const { next } = await pinNextRate(wethAddress);
      const debtLeft = debtFor(normalizedDebt - (sld("100") * RAY) / next, next);
      await expect(f.vaultEngine.connect(alice).repay(vaultId, sld("100")))
        .to.be.revertedWithCustomError(f.vaultEngine, "DebtBelowDust")
        .withArgs(vaultId, debtLeft, f.weth.spec.dust);
    });

    it("repay_withoutEnoughCoins_reverts", async function () {
      const vaultId = await openVault(alice, f.weth.token, weth("10"));
      await f.vaultEngine.connect(alice).borrow(vaultId, sld("1000"), bob);
      await expect(f.vaultEngine.connect(alice).repay(vaultId, sld("500")))
        .to.be.revertedWithCustomError(f.stablecoin, "ERC20InsufficientBalance")
        .withArgs(alice.address, 0n, sld("500"));
    });
  });

  describe("accrue", function () {
    it("accrue_byAnyone_movesTheRateAndBooksTheFeesAsSurplus", async function () {
      const vaultId = await openVault(alice, f.weth.token, weth("10"));
      await f.vaultEngine.connect(alice).borrow(vaultId, sld("10000"), alice);
      const [, totalNormalizedDebt] = await f.vaultEngine.collateralState(wethAddress);
      const { stored, next } = await pinNextRate(wethAddress, 3_000n);
      const [surplusBefore, totalDebtBefore] = [await f.vaultEngine.surplus(), await f.vaultEngine.totalDebt()];
      const feesAdded = totalNormalizedDebt * (next - stored);
      expect(feesAdded).to.be.gt(0n);
      await expect(f.vaultEngine.connect(carol).accrue(wethAddress))
        .to.emit(f.vaultEngine, "FeesAccrued")
        .withArgs(wethAddress, next, feesAdded);
      expect(await f.vaultEngine.surplus()).to.equal(surplusBefore + feesAdded);
      expect(await f.vaultEngine.totalDebt()).to.equal(totalDebtBefore + feesAdded);
      expect((await f.vaultEngine.collateralState(wethAddress))[0]).to.equal(next);
      await expectBooksBalanced();
    });

    it("accrue_whenNotListed_reverts", async function () {
      await expect(f.vaultEngine.connect(carol).accrue(carol))
        .to.be.revertedWithCustomError(f.vaultEngine, "CollateralNotListed")
        .withArgs(carol.address);
    });

    it("accrue_twiceInOneBlock_accruesOnce", async function () {
      const vaultId = await openVault(alice, f.weth.token, weth("10"));
      await f.vaultEngine.connect(alice).borrow(vaultId, sld("1000"), alice);
      await time.increase(100);
      await network.provider.send("evm_setAutomine", [false]);
      let receipts: (ContractTransactionReceipt | null)[];
      try {
        const first = await f.vaultEngine.connect(carol).accrue(wethAddress);
        const second = await f.vaultEngine.connect(bob).accrue(wethAddress);
        await mine();
        receipts = await Promise.all([first.wait(), second.wait()]);
      } finally {
        await network.provider.send("evm_setAutomine", [true]);
      }
      expect(receipts[0]!.blockNumber).to.equal(receipts[1]!.blockNumber);
      expect(feesAccruedIn(receipts[0])).to.have.length(1);
      expect(feesAccruedIn(receipts[1])).to.have.length(0);
      await expectBooksBalanced();
    });

    it("accrue_withZeroFee_leavesTheRateAndEmitsNothing", async function () {
      const vaultId = await openVault(alice, f.weth.token, weth("10"));
      await f.vaultEngine.connect(alice).borrow(vaultId, sld("1000"), alice);
      await f.vaultEngine.setStabilityFee(wethAddress, RAY);
      const [rate] = await f.vaultEngine.collateralState(wethAddress);
      const surplus = await f.vaultEngine.surplus();
      await time.increase(30 * 24 * HOUR);
      await expect(f.vaultEngine.accrue(wethAddress)).to.not.emit(f.vaultEngine, "FeesAccrued");
      expect((await f.vaultEngine.collateralState(wethAddress))[0]).to.equal(rate);
      expect(await f.vaultEngine.surplus()).to.equal(surplus);
    });

    it("accrue_overOneYearAtTwoPercent_growsTheDebtByTwoPercent", async function () {
      const vaultId = await openVault(alice, f.weth.token, weth("10"));
      const borrowed = sld("10000");
      await f.vaultEngine.connect(alice).borrow(vaultId, borrowed, alice);
      const borrowedAt = BigInt(await time.latest());
      await time.setNextBlockTimestamp(borrowedAt + SECONDS_PER_YEAR);
      await f.vaultEngine.accrue(wethAddress);
      const debt = await f.vaultEngine.debtOf(vaultId);
      const expected = (borrowed * 102n) / 100n;
      const error = debt > expected ? debt - expected : expected - debt;
      expect(error * 10n ** 12n).to.be.lte(expected); // relative error ≤ 1e-12
      await expectBooksBalanced();
    });
  });

  // ------------------------------------------------------------ liquidation modules

  describe("liquidation modules", function () {
    let liquidator: HardhatEthersSigner;
    let auction: HardhatEthersSigner;

    beforeEach(async function () {
      ({ liquidator, auction } = await modulesAtSigners());
    });

    /**
     * A WETH vault of alice's holding 10 WETH and owing 10,000, then `idle` seconds with no accrual.
     * Returns the accumulator the borrow stored and the time it stored it at.
     */
    async function borrowedVault(idle = 0) {
      const vaultId = await openVault(alice, f.weth.token, weth("10"));
      const receipt = await (await f.vaultEngine.connect(alice).borrow(vaultId, sld("10000"), alice)).wait();
      const borrowedAt = BigInt((await receipt!.getBlock()).timestamp);
      // The borrow accrued: in its block the accumulator as of now is the stored one.
      const [storedRate] = await f.vaultEngine.collateralState(wethAddress);
      if (idle > 0) await time.increase(idle);
      const { normalizedDebt } = await f.vaultEngine.vaults(vaultId);
      return { vaultId, normalizedDebt, storedRate, borrowedAt, borrowBlock: BigInt(receipt!.blockNumber) };
    }

    /** A vault with 4 of its 10 WETH and `share`% of its normalised debt under auction. */
    async function vaultInAuction(share = 50n) {
      const vault = await borrowedVault();
      const seizedDebt = (vault.normalizedDebt * share) / 100n;
      await f.vaultEngine.connect(liquidator).seize(vault.vaultId, weth("4"), seizedDebt);
      return { ...vault, seizedDebt };
    }

    /** The vault's fields that liquidation moves. */
    async function vaultState(vaultId: bigint) {
      const vault = await f.vaultEngine.vaults(vaultId);
      return {
        inAuction: vault.inAuction,
        collateralAmount: vault.collateralAmount,
        auctionCollateral: vault.auctionCollateral,
        normalizedDebt: vault.normalizedDebt,
      };
    }

    describe("setLiquidationModules", function () {
      it("setLiquidationModules_byGovernor_storesBothAndEmits", async function () {
        await expect(f.vaultEngine.setLiquidationModules(bob, carol))
          .to.emit(f.vaultEngine, "LiquidationModulesSet")
          .withArgs(bob.address, carol.address);
        expect([await f.vaultEngine.liquidator(), await f.vaultEngine.auction()]).to.deep.equal([
          bob.address,
          carol.address,
        ]);
      });

      it("setLiquidationModules_withAZeroAddress_reverts", async function () {
        for (const [newLiquidator, newAuction] of [
          [ethers.ZeroAddress, carol.address],
          [bob.address, ethers.ZeroAddress],
        ]) {
          await expect(f.vaultEngine.setLiquidationModules(newLiquidator, newAuction)).to.be.revertedWithCustomError(
            f.vaultEngine,
            "ZeroAddress",
          );
        }
      });
    });

    describe("seize", function () {
      it("seize_movesCollateralUnderAuctionAndBooksTheDebtAtTheLastAccruedRate", async function () {
        const { vaultId, normalizedDebt, storedRate, borrowedAt, borrowBlock } = await borrowedVault(30 * 24 * HOUR);
        const [rateNow, typeNormalized] = await f.vaultEngine.collateralState(wethAddress);
        expect(rateNow).to.be.gt(storedRate);
        const before = await books();
        const seizedDebt = normalizedDebt / 2n;
        const booked = seizedDebt * storedRate; // [rad]: the fees since the borrow are not booked

        const seize = f.vaultEngine.connect(liquidator).seize(vaultId, weth("4"), seizedDebt);
        await expect(seize).to.emit(f.vaultEngine, "Seized").withArgs(vaultId, weth("4"), seizedDebt, booked);
        await expect(seize).to.not.emit(f.vaultEngine, "FeesAccrued");
        // The collateral stays in the engine, as the vault's collateral under auction.
        await expect(seize).to.changeTokenBalance(f.weth.token, engineAddress, 0n);

        const vault = await f.vaultEngine.vaults(vaultId);
        expect([vault.owner, vault.collateral, vault.lastBorrowBlock]).to.deep.equal([
          alice.address,
          wethAddress,
          borrowBlock,
        ]);
        expect(await vaultState(vaultId)).to.deep.equal({
          inAuction: true,
          collateralAmount: weth("6"),
          auctionCollateral: weth("4"),
          normalizedDebt: normalizedDebt - seizedDebt,
        });
        expect(await f.vaultEngine.auctionCollateralOf(vaultId)).to.deep.equal([wethAddress, weth("4")]);
        expect(await books()).to.deep.equal({
          totalDebt: before.totalDebt - booked,
          surplus: before.surplus,
          deficit: before.deficit + booked,
        });
        expect((await f.vaultEngine.collateralState(wethAddress))[1]).to.equal(typeNormalized - seizedDebt);
        await expectBooksBalanced();

        // The stored accumulator did not move: the next accrual books, from the borrow on, the fees of
        // the debt left in the vaults only.
        const { stabilityFee } = await f.vaultEngine.collateralParams(wethAddress);
        const accrualAt = BigInt(await time.latest()) + 1n;
        await time.setNextBlockTimestamp(accrualAt);
        const rate = (storedRate * rpowDown(stabilityFee, accrualAt - borrowedAt)) / RAY;
        await expect(f.vaultEngine.accrue(wethAddress))
          .to.emit(f.vaultEngine, "FeesAccrued")
          .withArgs(wethAddress, rate, (typeNormalized - seizedDebt) * (rate - storedRate));
        await expectBooksBalanced();
      });

      it("seize_allOfAVault_leavesItEmptyAndInAuction", async function () {
        const { vaultId, normalizedDebt, storedRate } = await borrowedVault(HOUR);
        await expect(f.vaultEngine.connect(liquidator).seize(vaultId, weth("10"), normalizedDebt))
          .to.emit(f.vaultEngine, "Seized")
          .withArgs(vaultId, weth("10"), normalizedDebt, normalizedDebt * storedRate);
        expect(await vaultState(vaultId)).to.deep.equal({
          inAuction: true,
          collateralAmount: 0n,
          auctionCollateral: weth("10"),
          normalizedDebt: 0n,
        });
        expect(await f.vaultEngine.debtOf(vaultId)).to.equal(0n);
        await expectBooksBalanced();
      });

      it("seize_whenTheVaultIsInAuction_revertsVaultInAuction", async function () {
        const { vaultId } = await vaultInAuction();
        await expect(f.vaultEngine.connect(liquidator).seize(vaultId, weth("1"), 1n))
          .to.be.revertedWithCustomError(f.vaultEngine, "VaultInAuction")
          .withArgs(vaultId);
      });

      it("seize_ofUnknownVault_revertsVaultNotFound", async function () {
        await expect(f.vaultEngine.connect(liquidator).seize(42n, 1n, 0n))
          .to.be.revertedWithCustomError(f.vaultEngine, "VaultNotFound")
          .withArgs(42n);
      });

      it("seize_moreThanTheVaultHolds_reverts", async function () {
        const { vaultId, normalizedDebt } = await borrowedVault();
        await expect(f.vaultEngine.connect(liquidator).seize(vaultId, weth("10") + 1n, 0n)).to.be.revertedWithPanic(
          0x11,
        );
        await expect(
          f.vaultEngine.connect(liquidator).seize(vaultId, weth("1"), normalizedDebt + 1n),
        ).to.be.revertedWithPanic(0x11);
      });

      it("vaultInAuction_mayNotBorrowOrWithdrawButMayBeToppedUpAndRepaid", async function () {
        const { vaultId } = await vaultInAuction();
        await expect(f.vaultEngine.connect(alice).borrow(vaultId, sld("100"), alice))
          .to.be.revertedWithCustomError(f.vaultEngine, "VaultInAuction")
          .withArgs(vaultId);
        await expect(f.vaultEngine.connect(alice).withdraw(vaultId, weth("1"), alice))
          .to.be.revertedWithCustomError(f.vaultEngine, "VaultInAuction")
          .withArgs(vaultId);
        // A stranger is told first that the vault is not theirs.
        await expect(f.vaultEngine.connect(carol).withdraw(vaultId, weth("1"), carol))
          .to.be.revertedWithCustomError(f.vaultEngine, "NotVaultManager")
          .withArgs(vaultId, carol.address);
        await f.weth.token.mint(alice, weth("1"));
        await f.weth.token.connect(alice).approve(engineAddress, weth("1"));
        await f.vaultEngine.connect(alice).deposit(vaultId, weth("1"));
        await f.vaultEngine.connect(alice).repay(vaultId, sld("1000"));
        const vault = await f.vaultEngine.vaults(vaultId);
        expect([vault.collateralAmount, vault.auctionCollateral]).to.deep.equal([weth("7"), weth("4")]);
        await expectBooksBalanced();
      });
    });

    describe("sellAuctionCollateral", function () {
      it("sellAuctionCollateral_partOfTheLot_sendsItAndKeepsTheRestUnderAuction", async function () {
        const { vaultId, normalizedDebt, seizedDebt } = await vaultInAuction();
        const before = await books();
        const sell = f.vaultEngine.connect(auction).sellAuctionCollateral;
        expect(await sell.staticCall(vaultId, bob, weth("1"), false, 0n)).to.equal(0n);
        const sale = sell(vaultId, bob, weth("1"), false, 0n);
        await expect(sale).to.changeTokenBalances(f.weth.token, [engineAddress, bob], [-weth("1"), weth("1")]);
        await expect(sale).to.not.emit(f.vaultEngine, "AuctionReturned");
        expect(await vaultState(vaultId)).to.deep.equal({
          inAuction: true,
          collateralAmount: weth("6"),
          auctionCollateral: weth("3"),
          normalizedDebt: normalizedDebt - seizedDebt,
        });
        expect(await f.vaultEngine.auctionCollateralOf(vaultId)).to.deep.equal([wethAddress, weth("3")]);
        expect(await books()).to.deep.equal(before);
        await expectBooksBalanced();
      });

      it("sellAuctionCollateral_endingTheAuction_returnsTheUnsoldRestToTheVault", async function () {
        const { vaultId, normalizedDebt, seizedDebt } = await vaultInAuction();
        const before = await books();
        const sell = f.vaultEngine.connect(auction).sellAuctionCollateral;
        expect(await sell.staticCall(vaultId, bob, weth("1"), true, 0n)).to.equal(weth("3"));
        const sale = sell(vaultId, bob, weth("1"), true, 0n);
        await expect(sale).to.emit(f.vaultEngine, "AuctionReturned").withArgs(vaultId, weth("3"), 0n);
        await expect(sale).to.not.emit(f.vaultEngine, "FeesAccrued");
        await expect(sale).to.changeTokenBalances(f.weth.token, [engineAddress, bob], [-weth("1"), weth("1")]);
        expect(await vaultState(vaultId)).to.deep.equal({
          inAuction: false,
          collateralAmount: weth("9"),
          auctionCollateral: 0n,
          normalizedDebt: normalizedDebt - seizedDebt,
        });
        expect(await f.vaultEngine.auctionCollateralOf(vaultId)).to.deep.equal([wethAddress, 0n]);
        expect(await books()).to.deep.equal(before);
        await expectBooksBalanced();
        // Out of auction, the vault is its owner's again.
        await expect(f.vaultEngine.connect(alice).withdraw(vaultId, weth("1"), alice)).to.emit(
          f.vaultEngine,
          "Withdrawn",
        );
        await expect(f.vaultEngine.connect(alice).borrow(vaultId, sld("100"), alice)).to.emit(
          f.vaultEngine,
          "Borrowed",
        );
      });

      it("sellAuctionCollateral_endingShortOfTheDebt_putsItBackOnTheVaultOutOfTheDeficit", async function () {
        const { vaultId, normalizedDebt, seizedDebt } = await vaultInAuction();
        const [, typeNormalized] = await f.vaultEngine.collateralState(wethAddress);
        await time.increase(10 * 24 * HOUR);
        const { stored, next } = await pinNextRate(wethAddress, 60n);
        const before = await books();
        const returned = sld("1000");
        const addedNormalized = mulDivUp(returned, RAY, next);
        const addedDebt = addedNormalized * next; // [rad]
        const fees = typeNormalized * (next - stored);
        expect(before.deficit).to.be.gt(addedDebt);

        const sale = f.vaultEngine.connect(auction).sellAuctionCollateral(vaultId, bob, weth("4"), true, returned);
        await expect(sale).to.emit(f.vaultEngine, "AuctionReturned").withArgs(vaultId, 0n, returned);
        // The debt comes back at the rate of now, so the type is accrued first.
        await expect(sale).to.emit(f.vaultEngine, "FeesAccrued").withArgs(wethAddress, next, fees);
        expect(await vaultState(vaultId)).to.deep.equal({
          inAuction: false,
          collateralAmount: weth("6"),
          auctionCollateral: 0n,
          normalizedDebt: normalizedDebt - seizedDebt + addedNormalized,
        });
        expect((await f.vaultEngine.collateralState(wethAddress))[1]).to.equal(typeNormalized + addedNormalized);
        expect(await books()).to.deep.equal({
          totalDebt: before.totalDebt + fees + addedDebt,
          surplus: before.surplus + fees,
          deficit: before.deficit - addedDebt,
        });
        expect(await f.vaultEngine.debtOf(vaultId)).to.be.gte(debtFor(normalizedDebt - seizedDebt, next) + returned);
        await expectBooksBalanced();
      });

      it("sellAuctionCollateral_returningMoreDebtThanTheDeficit_sendsTheExcessToTheSurplus", async function () {
        const { vaultId, seizedDebt, storedRate } = await vaultInAuction(5n);
        const { stored, next } = await pinNextRate(wethAddress, 60n);
        const before = await books();
        expect(before.deficit).to.equal(seizedDebt * storedRate);
        const returned = sld("3000");
        const addedDebt = mulDivUp(returned, RAY, next) * next;
        expect(addedDebt).to.be.gt(before.deficit);
        const [, typeNormalized] = await f.vaultEngine.collateralState(wethAddress);
        const fees = typeNormalized * (next - stored);

        await f.vaultEngine.connect(auction).sellAuctionCollateral(vaultId, bob, weth("4"), true, returned);
        expect(await books()).to.deep.equal({
          totalDebt: before.totalDebt + fees + addedDebt,
          surplus: before.surplus + fees + (addedDebt - before.deficit),
          deficit: 0n,
        });
        await expectBooksBalanced();
      });

      it("sellAuctionCollateral_moreThanIsUnderAuction_reverts", async function () {
        const { vaultId } = await vaultInAuction();
        const sell = f.vaultEngine.connect(auction).sellAuctionCollateral;
        for (const ended of [false, true]) {
          await expect(sell(vaultId, bob, weth("4") + 1n, ended, 0n)).to.be.revertedWithPanic(0x11);
        }
      });
    });

    describe("collectAuctionProceeds", function () {
      it("collectAuctionProceeds_burnsThePaymentIntoTheSurplusWithoutAnEngineEvent", async function () {
        await vaultInAuction();
        const before = await books();
        const collect = f.vaultEngine.connect(auction).collectAuctionProceeds(alice, sld("2000"));
        await expect(collect).to.changeTokenBalance(f.stablecoin, alice, -sld("2000"));
        // The DutchAuction's Take event tells who paid what.
        const receipt = await (await collect).wait();
        expect(receipt!.logs.filter((log) => log.address === engineAddress)).to.deep.equal([]);
        expect(await books()).to.deep.equal({ ...before, surplus: before.surplus + sld("2000") * RAY });
        await expectBooksBalanced();
      });

      it("collectAuctionProceeds_fromAPayerWithoutEnoughCoins_reverts", async function () {
        await expect(f.vaultEngine.connect(auction).collectAuctionProceeds(carol, 1n))
          .to.be.revertedWithCustomError(f.stablecoin, "ERC20InsufficientBalance")
          .withArgs(carol.address, 0n, 1n);
      });
    });

    describe("payKeeper", function () {
      it("payKeeper_withinTheSurplus_mintsOutOfIt", async function () {
        await borrowedVault(365 * 24 * HOUR);
        await f.vaultEngine.accrue(wethAddress);
        const before = await books();
        expect(before.surplus).to.be.gt(sld("50") * RAY);
        const pay = f.vaultEngine.connect(auction).payKeeper(carol, sld("50"));
        await expect(pay).to.emit(f.vaultEngine, "KeeperPaid").withArgs(carol.address, sld("50"));
        await expect(pay).to.changeTokenBalance(f.stablecoin, carol, sld("50"));
        expect(await books()).to.deep.equal({ ...before, surplus: before.surplus - sld("50") * RAY });
        await expectBooksBalanced();
      });

      it("payKeeper_beyondTheSurplus_booksTheShortfallAsDeficit", async function () {
        await borrowedVault();
        const before = await books();
        expect(before.surplus).to.be.lt(sld("50") * RAY);
        await expect(f.vaultEngine.connect(auction).payKeeper(carol, sld("50")))
          .to.emit(f.vaultEngine, "KeeperPaid")
          .withArgs(carol.address, sld("50"));
        expect(await books()).to.deep.equal({
          totalDebt: before.totalDebt,
          surplus: 0n,
          deficit: before.deficit + sld("50") * RAY - before.surplus,
        });
        await expectBooksBalanced();
      });
    });

    describe("heal", function () {
      it("heal_byAnyone_cancelsAsMuchSurplusAndDeficitAsBothAllow", async function () {
        await vaultInAuction();
        await f.vaultEngine.connect(auction).collectAuctionProceeds(alice, sld("2000"));
        const before = await books();
        const healed = before.surplus < before.deficit ? before.surplus : before.deficit;
        expect(healed).to.be.gt(0n);
        expect(await f.vaultEngine.connect(carol).heal.staticCall()).to.equal(healed);
        await expect(f.vaultEngine.connect(carol).heal()).to.emit(f.vaultEngine, "Healed").withArgs(healed);
        expect(await books()).to.deep.equal({
          totalDebt: before.totalDebt,
          surplus: before.surplus - healed,
          deficit: before.deficit - healed,
        });
        await expectBooksBalanced();
        await expect(f.vaultEngine.heal()).to.emit(f.vaultEngine, "Healed").withArgs(0n);
      });
    });
  });

  // ------------------------------------------------------------ views

  describe("views", function () {
    it("vaultViews_ofUnknownVault_revert", async function () {
      for (const view of [
        f.vaultEngine.debtOf,
        f.vaultEngine.collateralValue,
        f.vaultEngine.maxDebt,
        f.vaultEngine.position,
      ]) {
        await expect(view(7n)).to.be.revertedWithCustomError(f.vaultEngine, "VaultNotFound").withArgs(7n);
      }
    });

    it("vaults_ofUnknownVault_reverts", async function () {
      await expect(f.vaultEngine.vaults(7n)).to.be.revertedWithCustomError(f.vaultEngine, "VaultNotFound").withArgs(7n);
    });

    it("vaults_ofAVaultOutOfAuction_showNothingUnderAuction", async function () {
      const vaultId = await openVault(alice, f.wbtc.token, wbtc("2"));
      const vault = await f.vaultEngine.vaults(vaultId);
      expect([vault.inAuction, vault.auctionCollateral, vault.collateralAmount]).to.deep.equal([false, 0n, wbtc("2")]);
      expect(await f.vaultEngine.auctionCollateralOf(vaultId)).to.deep.equal([wbtcAddress, 0n]);
    });

    it("auctionCollateralOf_ofAnIdNeverOpened_isEmpty", async function () {
      expect(await f.vaultEngine.auctionCollateralOf(7n)).to.deep.equal([ethers.ZeroAddress, 0n]);
    });

    it("liquidationInputs_matchTheSingleViews", async function () {
      const vaultId = await openVault(alice, f.wbtc.token, wbtc("1"));
      await f.vaultEngine.connect(alice).borrow(vaultId, sld("10000"), alice);
      await time.increase(HOUR / 2);
      for (const c of [f.weth, f.wbtc]) {
        const token = await c.token.getAddress();
        const [rate, price, decimals, dust] = await f.vaultEngine.liquidationInputs(token);
        const [rateNow] = await f.vaultEngine.collateralState(token);
        expect(rate).to.equal(rateNow);
        expect(price).to.equal(await f.oracleHub.price(token));
        expect([price, decimals, dust]).to.deep.equal([c.spec.price, BigInt(c.spec.decimals), c.spec.dust]);
      }
      // Between accruals the accumulator is the one of now, as the debt views use it.
      const [wbtcRate] = await f.vaultEngine.liquidationInputs(wbtcAddress);
      const { normalizedDebt } = await f.vaultEngine.vaults(vaultId);
      expect(wbtcRate).to.be.gt(RAY);
      expect(await f.vaultEngine.debtOf(vaultId)).to.equal(debtFor(normalizedDebt, wbtcRate));
    });

    it("liquidationInputs_ofUnlistedToken_revertsCollateralNotListed", async function () {
      // Even one the oracle prices.
      const token = await newToken(18);
      for (const collateral of [carol.address, await token.getAddress()]) {
        await expect(f.vaultEngine.liquidationInputs(collateral))
          .to.be.revertedWithCustomError(f.vaultEngine, "CollateralNotListed")
          .withArgs(collateral);
      }
    });

    it("liquidationInputs_whenTheOracleIsStale_revertsStalePrice", async function () {
      await time.increase(HOUR + 1);
      const [, updatedAt] = await f.oracleHub.priceState(wethAddress);
      await expect(f.vaultEngine.liquidationInputs(wethAddress))
        .to.be.revertedWithCustomError(f.oracleHub, "StalePrice")
        .withArgs(wethAddress, updatedAt, ORACLE_DEFAULTS.heartbeat);
      await refreshPrice(f.weth);
      expect((await f.vaultEngine.liquidationInputs(wethAddress))[1]).to.equal(f.weth.spec.price);
    });

    it("collateralViews_ofUnlistedToken_revert", async function () {
      for (const view of [f.vaultEngine.collateralParams, f.vaultEngine.collateralState]) {
        await expect(view(carol))
          .to.be.revertedWithCustomError(f.vaultEngine, "CollateralNotListed")
          .withArgs(carol.address);
      }
    });

    it("wiring_pointsAtTheStablecoinOracleAndRiskEngine", async function () {
      expect(await f.vaultEngine.stablecoin()).to.equal(await f.stablecoin.getAddress());
      expect(await f.vaultEngine.oracle()).to.equal(await f.oracleHub.getAddress());
      expect(await f.vaultEngine.riskModel()).to.equal(await f.riskEngine.getAddress());
      expect(await f.vaultEngine.isOperator(alice, bob)).to.equal(false);
    });

    it("listedParams_matchTheDeploymentSpecs", async function () {
      for (const spec of LOCAL_COLLATERALS) {
        const token = f.collaterals[spec.symbol].token;
        const p = await f.vaultEngine.collateralParams(token);
        expect([p.debtCeiling, p.dust, p.stabilityFee, p.maxLTV]).to.deep.equal([
          spec.debtCeiling,
          spec.dust,
          perSecondRate(spec.annualFee),
          spec.maxLTV,
        ]);
      }
    });

    it("position_matchesTheSingleViews", async function () {
      const vaultId = await openVault(alice, f.wbtc.token, wbtc("0.5"));
      await f.vaultEngine.connect(alice).borrow(vaultId, sld("12345.6789"), alice);
      await time.increase(1_000);
      const [collateral, value, debt] = await f.vaultEngine.position(vaultId);
      expect(collateral).to.equal(wbtcAddress);
      expect(value).to.equal(mulWadDown(wbtc("0.5") * 10n ** 10n, f.wbtc.spec.price));
      expect(value).to.equal(await f.vaultEngine.collateralValue(vaultId));
      expect(debt).to.equal(await f.vaultEngine.debtOf(vaultId));
      expect(debt).to.be.gt(sld("12345.6789"));
    });

    it("position_whenTheOracleIsStale_revertsUnlessTheVaultIsEmpty", async function () {
      const emptyVault = await openVault(alice, f.weth.token, 0n);
      const fullVault = await openVault(alice, f.weth.token, weth("1"));
      await time.increase(2 * HOUR);
      const [collateral, value, debt] = await f.vaultEngine.position(emptyVault);
      expect([collateral, value, debt]).to.deep.equal([wethAddress, 0n, 0n]);
      await expect(f.vaultEngine.position(fullVault)).to.be.revertedWithCustomError(f.oracleHub, "StalePrice");
    });

    it("collateralValue_ofEmptyVault_isZeroWithoutAPrice", async function () {
      const vaultId = await openVault(alice, f.weth.token, 0n);
      await time.increase(2 * HOUR);
      expect(await f.vaultEngine.collateralValue(vaultId)).to.equal(0n);
    });

    it("debtOf_betweenAccruals_includesFeesToNow", async function () {
      const vaultId = await openVault(alice, f.weth.token, weth("10"));
      await f.vaultEngine.connect(alice).borrow(vaultId, sld("1000"), alice);
      const [stored] = await f.vaultEngine.collateralState(wethAddress);
      const { normalizedDebt } = await f.vaultEngine.vaults(vaultId);
      const { stabilityFee } = await f.vaultEngine.collateralParams(wethAddress);
      const totalDebt = await f.vaultEngine.totalDebt();
      await time.increase(10_000);
      const rateNow = (stored * rpowDown(stabilityFee, 10_000n)) / RAY;
      expect((await f.vaultEngine.collateralState(wethAddress))[0]).to.equal(rateNow);
      expect(await f.vaultEngine.debtOf(vaultId)).to.equal(debtFor(normalizedDebt, rateNow));
      // Views do not write: totalDebt moves only on accrual.
      expect(await f.vaultEngine.totalDebt()).to.equal(totalDebt);
    });

    it("collateralValue_for6And8And18Decimals_isTheSameForTheSameWholeUnits", async function () {
      const like = (symbol: string, decimals: number): LocalCollateralSpec => ({ ...f.weth.spec, symbol, decimals });
      const six = await listMockCollateral(f.governor, f, like("SIX", 6));
      const eight = await listMockCollateral(f.governor, f, like("EIGHT", 8));
      const vaults = [
        await openVault(alice, six.token, ethers.parseUnits("2.5", 6)),
        await openVault(alice, eight.token, ethers.parseUnits("2.5", 8)),
        await openVault(alice, f.weth.token, ethers.parseUnits("2.5", 18)),
      ];
      const expectedValue = mulWadDown(ethers.parseUnits("2.5", 18), f.weth.spec.price); // 7,500
      const expectedMaxDebt = mulWadDown(expectedValue, f.weth.spec.maxLTV); // 5,625
      for (const vaultId of vaults) {
        expect(await f.vaultEngine.collateralValue(vaultId)).to.equal(expectedValue);
        expect(await f.vaultEngine.maxDebt(vaultId)).to.equal(expectedMaxDebt);
        await expect(f.vaultEngine.connect(alice).borrow(vaultId, sld("5000"), alice)).to.not.be.reverted;
      }
      expect(expectedValue).to.equal(sld("7500"));
      await expectBooksBalanced();
    });
  });

  // ------------------------------------------------------------ accounting

  describe("accounting", function () {
    it("books_stayBalancedAfterEveryAction", async function () {
      const wethVault = await openVault(alice, f.weth.token, weth("10"));
      await expectBooksBalanced();
      await f.vaultEngine.connect(alice).borrow(wethVault, sld("10000"), alice);
      await expectBooksBalanced();
      const wbtcVault = await openVault(bob, f.wbtc.token, wbtc("1"));
      await f.vaultEngine.connect(bob).borrow(wbtcVault, sld("20000"), bob);
      await expectBooksBalanced();

      await time.increase(30 * 24 * HOUR);
      await refreshPrice(f.weth);
      await refreshPrice(f.wbtc);
      await f.vaultEngine.connect(carol).accrue(wethAddress);
      await expectBooksBalanced();
      await f.vaultEngine.connect(alice).repay(wethVault, sld("3000.123456789"));
      await expectBooksBalanced();
      await f.vaultEngine.connect(alice).borrow(wethVault, sld("777.000000000000000001"), alice);
      await expectBooksBalanced();
      await f.stablecoin.connect(alice).transfer(bob, sld("1000"));
      await f.vaultEngine.connect(bob).repay(wbtcVault, sld("1000000"));
      await expectBooksBalanced();
      await f.vaultEngine.connect(alice).withdraw(wethVault, weth("1"), alice);
      await expectBooksBalanced();
      await f.vaultEngine.connect(bob).withdraw(wbtcVault, wbtc("1"), bob);
      await expectBooksBalanced();

      expect(await f.vaultEngine.debtOf(wbtcVault)).to.equal(0n);
      expect(await f.vaultEngine.surplus()).to.be.gt(0n);
    });
  });
});
