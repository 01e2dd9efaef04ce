// Liquidator admin: the constructor's wiring, listing a collateral, the governed setters and their
// bounds, and who may call them.
import { expect } from "chai";
import { ethers } from "hardhat";
import type { Interface } from "ethers";
import { WAD } from "../../keeper/src/math/fixedPoint";
import { Liquidator__factory } from "../../typechain-types";
import { deploySluiceFixture, type SluiceFixture } from "../helpers/fixtures";
import { rangeArgs, rangeError } from "../helpers/errors";
import {
  plain,
  pct,
  MAX_PENALTY,
  MAX_TARGET_HEALTH,
  MAX_COLLATERAL_MARGIN,
  WETH_LIQUIDATION,
  storedRates,
} from "../helpers/liquidator";

describe("Liquidator", function () {
  let f: SluiceFixture;
  let weth: string;

  beforeEach(async function () {
    f = await deploySluiceFixture();
    weth = await f.weth.token.getAddress();
    storedRates.clear();
  });

  describe("admin", function () {
    it("constructor_zeroAddress_reverts", async function () {
      const factory = new Liquidator__factory(f.governor);
      const [authority, engine, risk, auction] = await Promise.all([
        f.accessManager.getAddress(),
        f.vaultEngine.getAddress(),
        f.riskEngine.getAddress(),
        f.dutchAuction.getAddress(),
      ]);
      for (const args of [
        [authority, ethers.ZeroAddress, risk, auction],
        [authority, engine, ethers.ZeroAddress, auction],
        [authority, engine, risk, ethers.ZeroAddress],
      ] as const) {
        await expect(factory.deploy(...args)).to.be.revertedWithCustomError(factory, "ZeroAddress");
      }
    });

    it("constructor_wiring_exposesItsModules", async function () {
      expect(await f.liquidator.vaultEngine()).to.equal(f.vaultEngine.target);
      expect(await f.liquidator.riskEngine()).to.equal(f.riskEngine.target);
      expect(await f.liquidator.auction()).to.equal(f.dutchAuction.target);
    });

    it("addCollateral_newCollateral_storesParamsAndEmits", async function () {
      const token = ethers.Wallet.createRandom().address;
      const params = {
        penalty: pct(13),
        targetHealth: pct(120),
        fullLiquidationHealth: pct(80),
        collateralMargin: pct(200),
      };
      await expect(f.liquidator.addCollateral(token, params))
        .to.emit(f.liquidator, "CollateralAdded")
        .withArgs(token, Object.values(params));
      expect(plain(await f.liquidator.liquidationParams(token))).to.deep.equal(params);
    });

    it("addCollateral_alreadyListedOrZero_reverts", async function () {
      await expect(f.liquidator.addCollateral(weth, WETH_LIQUIDATION))
        .to.be.revertedWithCustomError(f.liquidator, "CollateralAlreadyListed")
        .withArgs(weth);
      await expect(f.liquidator.addCollateral(ethers.ZeroAddress, WETH_LIQUIDATION)).to.be.revertedWithCustomError(
        f.liquidator,
        "ZeroAddress",
      );
    });

    it("addCollateral_parameterOutOfRange_revertsWithTheBounds", async function () {
      const token = ethers.Wallet.createRandom().address;
      const cases = [
        [{ penalty: MAX_PENALTY + 1n }, "penalty", MAX_PENALTY + 1n, 0n, MAX_PENALTY],
        [{ targetHealth: WAD }, "targetHealth", WAD, WAD + 1n, MAX_TARGET_HEALTH],
        [{ targetHealth: MAX_TARGET_HEALTH + 1n }, "targetHealth", MAX_TARGET_HEALTH + 1n, WAD + 1n, MAX_TARGET_HEALTH],
        [{ fullLiquidationHealth: WAD + 1n }, "fullLiquidationHealth", WAD + 1n, 0n, WAD],
        [{ collateralMargin: WAD - 1n }, "collateralMargin", WAD - 1n, WAD, MAX_COLLATERAL_MARGIN],
        [
          { collateralMargin: MAX_COLLATERAL_MARGIN + 1n },
          "collateralMargin",
          MAX_COLLATERAL_MARGIN + 1n,
          WAD,
          MAX_COLLATERAL_MARGIN,
        ],
      ] as const;
      for (const [change, parameter, value, low, high] of cases) {
        await expect(f.liquidator.addCollateral(token, { ...WETH_LIQUIDATION, ...change }))
          .to.be.revertedWithCustomError(f.liquidator, rangeError(parameter))
          .withArgs(...rangeArgs(value, low, high));
      }
    });

    it("setPenalty_withinBounds_setsAndEmits", async function () {
      for (const penalty of [0n, MAX_PENALTY]) {
        await expect(f.liquidator.setPenalty(weth, penalty))
          .to.emit(f.liquidator, "PenaltySet")
          .withArgs(weth, penalty);
        expect((await f.liquidator.liquidationParams(weth)).penalty).to.equal(penalty);
      }
    });

    it("setPenalty_aboveMax_reverts", async function () {
      await expect(f.liquidator.setPenalty(weth, MAX_PENALTY + 1n))
        .to.be.revertedWithCustomError(f.liquidator, "PenaltyOutOfRange")
        .withArgs(MAX_PENALTY + 1n, MAX_PENALTY);
    });

    it("setTargetHealth_withinBounds_setsAndEmits", async function () {
      for (const targetHealth of [WAD + 1n, MAX_TARGET_HEALTH]) {
        await expect(f.liquidator.setTargetHealth(weth, targetHealth))
          .to.emit(f.liquidator, "TargetHealthSet")
          .withArgs(weth, targetHealth);
        expect((await f.liquidator.liquidationParams(weth)).targetHealth).to.equal(targetHealth);
      }
    });

    it("setTargetHealth_outsideBounds_reverts", async function () {
      for (const targetHealth of [0n, WAD, MAX_TARGET_HEALTH + 1n]) {
        await expect(f.liquidator.setTargetHealth(weth, targetHealth))
          .to.be.revertedWithCustomError(f.liquidator, "TargetHealthOutOfRange")
          .withArgs(targetHealth, WAD + 1n, MAX_TARGET_HEALTH);
      }
    });

    it("setFullLiquidationHealth_withinBounds_setsAndEmits", async function () {
      for (const health of [0n, WAD]) {
        await expect(f.liquidator.setFullLiquidationHealth(weth, health))
          .to.emit(f.liquidator, "FullLiquidationHealthSet")
          .withArgs(weth, health);
        expect((await f.liquidator.liquidationParams(weth)).fullLiquidationHealth).to.equal(health);
      }
    });

    it("setFullLiquidationHealth_aboveOne_reverts", async function () {
      await expect(f.liquidator.setFullLiquidationHealth(weth, WAD + 1n))
        .to.be.revertedWithCustomError(f.liquidator, "FullLiquidationHealthOutOfRange")
        .withArgs(WAD + 1n, WAD);
    });

    it("setCollateralMargin_withinBounds_setsAndEmits", async function () {
      for (const margin of [WAD, MAX_COLLATERAL_MARGIN]) {
        await expect(f.liquidator.setCollateralMargin(weth, margin))
          .to.emit(f.liquidator, "CollateralMarginSet")
          .withArgs(weth, margin);
        expect((await f.liquidator.liquidationParams(weth)).collateralMargin).to.equal(margin);
      }
    });

    it("setCollateralMargin_outsideBounds_reverts", async function () {
      for (const margin of [WAD - 1n, MAX_COLLATERAL_MARGIN + 1n]) {
        await expect(f.liquidator.setCollateralMargin(weth, margin))
          .to.be.revertedWithCustomError(f.liquidator, "CollateralMarginOutOfRange")
          .withArgs(margin, WAD, MAX_COLLATERAL_MARGIN);
      }
    });

    it("interface_capsAndIncentiveParams_liveOnTheDutchAuctionOnly", async function () {
      const liquidatorAbi = f.liquidator.interface as unknown as Interface;
      for (const fn of [
        "setMaxDebtInAuction",
        "setMaxTotalDebtInAuction",
        "maxTotalDebtInAuction",
        "setIncentiveParams",
        "incentiveParams",
        "keeperIncentive",
        "auctionCount",
      ]) {
        expect(liquidatorAbi.getFunction(fn), fn).to.equal(null);
      }
      expect(liquidatorAbi.getEvent("Liquidated")).to.equal(null);
      // The governed caps are the DutchAuction's, and the Liquidator reads them through `room`.
      await f.dutchAuction.setMaxDebtInAuction(weth, 1_234n * WAD);
      await f.dutchAuction.setMaxTotalDebtInAuction(5_678n * WAD);
      expect([...(await f.dutchAuction.room(weth))]).to.deep.equal([1_234n * WAD, 5_678n * WAD]);
    });

    it("setters_unlistedCollateral_revert", async function () {
      const token = ethers.Wallet.createRandom().address;
      const calls = [
        () => f.liquidator.setPenalty(token, 0n),
        () => f.liquidator.setTargetHealth(token, pct(110)),
        () => f.liquidator.setFullLiquidationHealth(token, 0n),
        () => f.liquidator.setCollateralMargin(token, WAD),
        () => f.liquidator.liquidationParams(token),
      ];
      for (const call of calls) {
        await expect(call()).to.be.revertedWithCustomError(f.liquidator, "CollateralNotListed").withArgs(token);
      }
    });

    it("setters_withoutGovernorRole_revert", async function () {
      const outsider = f.users[5];
      const liquidator = f.liquidator.connect(outsider);
      const calls = [
        () => liquidator.addCollateral(ethers.Wallet.createRandom().address, WETH_LIQUIDATION),
        () => liquidator.setPenalty(weth, 0n),
        () => liquidator.setTargetHealth(weth, pct(110)),
        () => liquidator.setFullLiquidationHealth(weth, 0n),
        () => liquidator.setCollateralMargin(weth, WAD),
      ];
      for (const call of calls) {
        await expect(call())
          .to.be.revertedWithCustomError(f.liquidator, "AccessManagedUnauthorized")
          .withArgs(outsider.address);
      }
    });
  });
});
