// VaultEngine views, and the accounting identities of docs/ACCOUNTING.md across the actions.
import { expect } from "chai";
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { deploySluiceFixture, type SluiceFixture } from "../helpers/fixtures";
import {
  LOCAL_COLLATERALS,
  ORACLE_DEFAULTS,
  listMockCollateral,
  type LocalCollateralSpec,
} from "../../scripts/lib/deploy";
import { RAY, mulWadDown, perSecondRate, rpowDown } from "../../keeper/src/math/fixedPoint";
import {
  HOUR,
  weth,
  wbtc,
  sld,
  expectBooksBalanced,
  openVault,
  refreshPrice,
  debtFor,
  newToken,
} from "../helpers/vaultEngine";

describe("VaultEngine", function () {
  let f: SluiceFixture;
  let alice: HardhatEthersSigner;
  let bob: HardhatEthersSigner;
  let carol: HardhatEthersSigner;
  let wethAddress: string;
  let wbtcAddress: string;

  beforeEach(async function () {
    f = await deploySluiceFixture();
    [alice, bob, carol] = f.users;
    wethAddress = await f.weth.token.getAddress();
    wbtcAddress = await f.wbtc.token.getAddress();
  });

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
      const vaultId = await openVault(f, alice, f.wbtc.token, wbtc("2"));
      const vault = await f.vaultEngine.vaults(vaultId);
      expect([vault.inAuction, vault.auctionCollateral, vault.collateralAmount]).to.deep.equal([false, 0n, wbtc("2")]);
      expect(await f.vaultEngine.auctionCollateralOf(vaultId)).to.deep.equal([wbtcAddress, 0n]);
    });

    it("auctionCollateralOf_ofAnIdNeverOpened_isEmpty", async function () {
      expect(await f.vaultEngine.auctionCollateralOf(7n)).to.deep.equal([ethers.ZeroAddress, 0n]);
    });

    it("liquidationInputs_matchTheSingleViews", async function () {
      const vaultId = await openVault(f, alice, f.wbtc.token, wbtc("1"));
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
      const token = await newToken(f, 18);
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
      await refreshPrice(f, f.weth);
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
      const vaultId = await openVault(f, alice, f.wbtc.token, wbtc("0.5"));
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
      const emptyVault = await openVault(f, alice, f.weth.token, 0n);
      const fullVault = await openVault(f, alice, f.weth.token, weth("1"));
      await time.increase(2 * HOUR);
      const [collateral, value, debt] = await f.vaultEngine.position(emptyVault);
      expect([collateral, value, debt]).to.deep.equal([wethAddress, 0n, 0n]);
      await expect(f.vaultEngine.position(fullVault)).to.be.revertedWithCustomError(f.oracleHub, "StalePrice");
    });

    it("collateralValue_ofEmptyVault_isZeroWithoutAPrice", async function () {
      const vaultId = await openVault(f, alice, f.weth.token, 0n);
      await time.increase(2 * HOUR);
      expect(await f.vaultEngine.collateralValue(vaultId)).to.equal(0n);
    });

    it("debtOf_betweenAccruals_includesFeesToNow", async function () {
      const vaultId = await openVault(f, alice, f.weth.token, weth("10"));
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
        await openVault(f, alice, six.token, ethers.parseUnits("2.5", 6)),
        await openVault(f, alice, eight.token, ethers.parseUnits("2.5", 8)),
        await openVault(f, alice, f.weth.token, ethers.parseUnits("2.5", 18)),
      ];
      const expectedValue = mulWadDown(ethers.parseUnits("2.5", 18), f.weth.spec.price); // 7,500
      const expectedMaxDebt = mulWadDown(expectedValue, f.weth.spec.maxLTV); // 5,625
      for (const vaultId of vaults) {
        expect(await f.vaultEngine.collateralValue(vaultId)).to.equal(expectedValue);
        expect(await f.vaultEngine.maxDebt(vaultId)).to.equal(expectedMaxDebt);
        await expect(f.vaultEngine.connect(alice).borrow(vaultId, sld("5000"), alice)).to.not.be.reverted;
      }
      expect(expectedValue).to.equal(sld("7500"));
      await expectBooksBalanced(f);
    });
  });

  describe("accounting", function () {
    it("books_stayBalancedAfterEveryAction", async function () {
      const wethVault = await openVault(f, alice, f.weth.token, weth("10"));
      await expectBooksBalanced(f);
      await f.vaultEngine.connect(alice).borrow(wethVault, sld("10000"), alice);
      await expectBooksBalanced(f);
      const wbtcVault = await openVault(f, bob, f.wbtc.token, wbtc("1"));
      await f.vaultEngine.connect(bob).borrow(wbtcVault, sld("20000"), bob);
      await expectBooksBalanced(f);

      await time.increase(30 * 24 * HOUR);
      await refreshPrice(f, f.weth);
      await refreshPrice(f, f.wbtc);
      await f.vaultEngine.connect(carol).accrue(wethAddress);
      await expectBooksBalanced(f);
      await f.vaultEngine.connect(alice).repay(wethVault, sld("3000.123456789"));
      await expectBooksBalanced(f);
      await f.vaultEngine.connect(alice).borrow(wethVault, sld("777.000000000000000001"), alice);
      await expectBooksBalanced(f);
      await f.stablecoin.connect(alice).transfer(bob, sld("1000"));
      await f.vaultEngine.connect(bob).repay(wbtcVault, sld("1000000"));
      await expectBooksBalanced(f);
      await f.vaultEngine.connect(alice).withdraw(wethVault, weth("1"), alice);
      await expectBooksBalanced(f);
      await f.vaultEngine.connect(bob).withdraw(wbtcVault, wbtc("1"), bob);
      await expectBooksBalanced(f);

      expect(await f.vaultEngine.debtOf(wbtcVault)).to.equal(0n);
      expect(await f.vaultEngine.surplus()).to.be.gt(0n);
    });
  });
});
