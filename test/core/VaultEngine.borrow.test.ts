// VaultEngine debt: borrowing, repaying and the accrual of the stability fee, with the rounding of
// normalised debt against the TypeScript mirror.
import { expect } from "chai";
import { ethers, network } from "hardhat";
import { mine, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionReceipt } from "ethers";
import { deploySluiceFixture, type SluiceFixture } from "../helpers/fixtures";
import { ORACLE_DEFAULTS } from "../../scripts/lib/deploy";
import { RAY, SECONDS_PER_YEAR, mulDivUp } from "../../keeper/src/math/fixedPoint";
import {
  HOUR,
  weth,
  wbtc,
  sld,
  expectBooksBalanced,
  openVault,
  refreshPrice,
  pinNextRate,
  normalizedFor,
  debtFor,
  feesAccruedIn,
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

  describe("borrow", function () {
    it("borrow_zeroAmount_reverts", async function () {
      const vaultId = await openVault(f, alice, f.weth.token, weth("1"));
      await expect(f.vaultEngine.connect(alice).borrow(vaultId, 0n, alice)).to.be.revertedWithCustomError(
        f.vaultEngine,
        "ZeroAmount",
      );
    });

    it("borrow_toZeroAddress_reverts", async function () {
      const vaultId = await openVault(f, alice, f.weth.token, weth("1"));
      await expect(
        f.vaultEngine.connect(alice).borrow(vaultId, sld("100"), ethers.ZeroAddress),
      ).to.be.revertedWithCustomError(f.vaultEngine, "ZeroAddress");
    });

    it("borrow_byStranger_reverts", async function () {
      const vaultId = await openVault(f, alice, f.weth.token, weth("1"));
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
      const vaultId = await openVault(f, alice, f.weth.token, weth("10"));
      const { next } = await pinNextRate(f, wethAddress, 10n);
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
      await expectBooksBalanced(f);
    });

    it("borrow_aboveTheCollateralDebtCeiling_reverts", async function () {
      const vaultId = await openVault(f, alice, f.weth.token, weth("10"));
      await f.vaultEngine.setDebtCeiling(wethAddress, sld("1000"));
      await f.vaultEngine.connect(alice).borrow(vaultId, sld("600"), alice);
      const [, totalNormalizedDebt] = await f.vaultEngine.collateralState(wethAddress);
      const { next } = await pinNextRate(f, wethAddress);
      await expect(f.vaultEngine.connect(alice).borrow(vaultId, sld("600"), alice))
        .to.be.revertedWithCustomError(f.vaultEngine, "DebtCeilingExceeded")
        .withArgs(wethAddress, debtFor(totalNormalizedDebt + normalizedFor(sld("600"), next), next), sld("1000"));
    });

    it("borrow_aboveTheGlobalDebtCeiling_reverts", async function () {
      const wethVault = await openVault(f, alice, f.weth.token, weth("10"));
      const wbtcVault = await openVault(f, bob, f.wbtc.token, wbtc("1"));
      await f.vaultEngine.setGlobalDebtCeiling(sld("1000"));
      await f.vaultEngine.connect(alice).borrow(wethVault, sld("600"), alice);
      const totalDebt = await f.vaultEngine.totalDebt();
      const { next } = await pinNextRate(f, wbtcAddress);
      const newTotalDebt = totalDebt + normalizedFor(sld("600"), next) * next;
      await expect(f.vaultEngine.connect(bob).borrow(wbtcVault, sld("600"), bob))
        .to.be.revertedWithCustomError(f.vaultEngine, "GlobalDebtCeilingExceeded")
        .withArgs(mulDivUp(newTotalDebt, 1n, RAY), sld("1000"));
    });

    it("borrow_belowDust_reverts", async function () {
      const vaultId = await openVault(f, alice, f.weth.token, weth("10"));
      const { next } = await pinNextRate(f, wethAddress);
      await expect(f.vaultEngine.connect(alice).borrow(vaultId, sld("99"), alice))
        .to.be.revertedWithCustomError(f.vaultEngine, "DebtBelowDust")
        .withArgs(vaultId, debtFor(normalizedFor(sld("99"), next), next), f.weth.spec.dust);
    });

    it("borrow_aboveMaxDebt_revertsWithDebtAndLimit", async function () {
      const vaultId = await openVault(f, alice, f.weth.token, weth("1")); // worth 3,000, allows 2,250
      const { next } = await pinNextRate(f, wethAddress);
      await expect(f.vaultEngine.connect(alice).borrow(vaultId, sld("2251"), alice))
        .to.be.revertedWithCustomError(f.vaultEngine, "VaultUnsafe")
        .withArgs(vaultId, debtFor(normalizedFor(sld("2251"), next), next), sld("2250"));
    });

    it("borrow_upToMaxDebt_succeeds", async function () {
      const vaultId = await openVault(f, alice, f.weth.token, weth("1"));
      const limit = await f.vaultEngine.maxDebt(vaultId);
      // Rounding may add up to two units of debt on top of the amount minted.
      await expect(f.vaultEngine.connect(alice).borrow(vaultId, limit - 2n, alice)).to.not.be.reverted;
      expect(await f.vaultEngine.debtOf(vaultId)).to.be.lte(limit);
      await expectBooksBalanced(f);
    });

    it("borrow_whenTheOracleIsStale_reverts", async function () {
      const vaultId = await openVault(f, alice, f.weth.token, weth("10"));
      await time.increase(2 * HOUR);
      const [, updatedAt] = await f.oracleHub.priceState(wethAddress);
      await expect(f.vaultEngine.connect(alice).borrow(vaultId, sld("1000"), alice))
        .to.be.revertedWithCustomError(f.oracleHub, "StalePrice")
        .withArgs(wethAddress, updatedAt, ORACLE_DEFAULTS.heartbeat);
      await refreshPrice(f, f.weth);
      await expect(f.vaultEngine.connect(alice).borrow(vaultId, sld("1000"), alice)).to.not.be.reverted;
    });
  });

  describe("repay", function () {
    it("repay_zeroAmount_reverts", async function () {
      const vaultId = await openVault(f, alice, f.weth.token, weth("10"));
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
      const vaultId = await openVault(f, alice, f.weth.token, weth("10"));
      await expect(f.vaultEngine.connect(alice).repay(vaultId, sld("1")))
        .to.be.revertedWithCustomError(f.vaultEngine, "NoDebt")
        .withArgs(vaultId);
    });

    it("repay_byAnyone_burnsTheirCoinsAgainstTheVault", async function () {
      const vaultId = await openVault(f, alice, f.weth.token, weth("10"));
      await f.vaultEngine.connect(alice).borrow(vaultId, sld("1000"), carol);
      const { normalizedDebt } = await f.vaultEngine.vaults(vaultId);
      const { next } = await pinNextRate(f, wethAddress);
      const left = normalizedDebt - (sld("400") * RAY) / next;
      const repay = f.vaultEngine.connect(carol).repay(vaultId, sld("400"));
      await expect(repay).to.emit(f.vaultEngine, "Repaid").withArgs(vaultId, carol.address, sld("400"), left);
      await expect(repay).to.changeTokenBalances(f.stablecoin, [carol, alice], [-sld("400"), 0n]);
      expect((await f.vaultEngine.vaults(vaultId)).normalizedDebt).to.equal(left);
      expect(await f.vaultEngine.debtOf(vaultId)).to.equal(debtFor(left, next));
      await expectBooksBalanced(f);
    });

    it("repay_moreThanTheDebt_burnsExactlyTheDebt", async function () {
      const vaultId = await openVault(f, alice, f.weth.token, weth("10"));
      const spareVault = await openVault(f, alice, f.weth.token, weth("10"));
      await f.vaultEngine.connect(alice).borrow(vaultId, sld("1000"), alice);
      await f.vaultEngine.connect(alice).borrow(spareVault, sld("500"), alice);
      const { normalizedDebt } = await f.vaultEngine.vaults(vaultId);
      const [, typeNormalizedBefore] = await f.vaultEngine.collateralState(wethAddress);
      const { next } = await pinNextRate(f, wethAddress, 30n * 24n * 3_600n);
      const debt = debtFor(normalizedDebt, next);
      expect(debt).to.be.gt(sld("1000"));

      const repay = f.vaultEngine.connect(alice).repay(vaultId, sld("1500"));
      await expect(repay).to.emit(f.vaultEngine, "Repaid").withArgs(vaultId, alice.address, debt, 0n);
      await expect(repay).to.changeTokenBalance(f.stablecoin, alice, -debt);
      expect(await f.vaultEngine.debtOf(vaultId)).to.equal(0n);
      expect((await f.vaultEngine.collateralState(wethAddress))[1]).to.equal(typeNormalizedBefore - normalizedDebt);
      await expectBooksBalanced(f);
    });

    it("repay_exactlyTheDebt_clearsTheVault", async function () {
      const vaultId = await openVault(f, alice, f.weth.token, weth("10"));
      const spareVault = await openVault(f, alice, f.weth.token, weth("10"));
      await f.vaultEngine.connect(alice).borrow(vaultId, sld("1000"), alice);
      await f.vaultEngine.connect(alice).borrow(spareVault, sld("500"), alice);
      const { normalizedDebt } = await f.vaultEngine.vaults(vaultId);
      const { next } = await pinNextRate(f, wethAddress, 600n);
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
      await expectBooksBalanced(f);
    });

    it("repay_partialLeavingLessThanDust_reverts", async function () {
      const vaultId = await openVault(f, alice, f.weth.token, weth("10"));
      await f.vaultEngine.connect(alice).borrow(vaultId, sld("150"), alice);
      const { normalizedDebt } = await f.vaultEngine.vaults(vaultId);
      const { next } = await pinNextRate(f, wethAddress);
      const debtLeft = debtFor(normalizedDebt - (sld("100") * RAY) / next, next);
      await expect(f.vaultEngine.connect(alice).repay(vaultId, sld("100")))
        .to.be.revertedWithCustomError(f.vaultEngine, "DebtBelowDust")
        .withArgs(vaultId, debtLeft, f.weth.spec.dust);
    });

    it("repay_withoutEnoughCoins_reverts", async function () {
      const vaultId = await openVault(f, alice, f.weth.token, weth("10"));
      await f.vaultEngine.connect(alice).borrow(vaultId, sld("1000"), bob);
      await expect(f.vaultEngine.connect(alice).repay(vaultId, sld("500")))
        .to.be.revertedWithCustomError(f.stablecoin, "ERC20InsufficientBalance")
        .withArgs(alice.address, 0n, sld("500"));
    });
  });

  describe("accrue", function () {
    it("accrue_byAnyone_movesTheRateAndBooksTheFeesAsSurplus", async function () {
      const vaultId = await openVault(f, alice, f.weth.token, weth("10"));
      await f.vaultEngine.connect(alice).borrow(vaultId, sld("10000"), alice);
      const [, totalNormalizedDebt] = await f.vaultEngine.collateralState(wethAddress);
      const { stored, next } = await pinNextRate(f, wethAddress, 3_000n);
      const [surplusBefore, totalDebtBefore] = [await f.vaultEngine.surplus(), await f.vaultEngine.totalDebt()];
      const feesAdded = totalNormalizedDebt * (next - stored);
      expect(feesAdded).to.be.gt(0n);
      await expect(f.vaultEngine.connect(carol).accrue(wethAddress))
        .to.emit(f.vaultEngine, "FeesAccrued")
        .withArgs(wethAddress, next, feesAdded);
      expect(await f.vaultEngine.surplus()).to.equal(surplusBefore + feesAdded);
      expect(await f.vaultEngine.totalDebt()).to.equal(totalDebtBefore + feesAdded);
      expect((await f.vaultEngine.collateralState(wethAddress))[0]).to.equal(next);
      await expectBooksBalanced(f);
    });

    it("accrue_whenNotListed_reverts", async function () {
      await expect(f.vaultEngine.connect(carol).accrue(carol))
        .to.be.revertedWithCustomError(f.vaultEngine, "CollateralNotListed")
        .withArgs(carol.address);
    });

    it("accrue_twiceInOneBlock_accruesOnce", async function () {
      const vaultId = await openVault(f, alice, f.weth.token, weth("10"));
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
      expect(feesAccruedIn(f, receipts[0])).to.have.length(1);
      expect(feesAccruedIn(f, receipts[1])).to.have.length(0);
      await expectBooksBalanced(f);
    });

    it("accrue_withZeroFee_leavesTheRateAndEmitsNothing", async function () {
      const vaultId = await openVault(f, alice, f.weth.token, weth("10"));
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
      const vaultId = await openVault(f, alice, f.weth.token, weth("10"));
      const borrowed = sld("10000");
      await f.vaultEngine.connect(alice).borrow(vaultId, borrowed, alice);
      const borrowedAt = BigInt(await time.latest());
      await time.setNextBlockTimestamp(borrowedAt + SECONDS_PER_YEAR);
      await f.vaultEngine.accrue(wethAddress);
      const debt = await f.vaultEngine.debtOf(vaultId);
      const expected = (borrowed * 102n) / 100n;
      const error = debt > expected ? debt - expected : expected - debt;
      expect(error * 10n ** 12n).to.be.lte(expected); // relative error ≤ 1e-12
      await expectBooksBalanced(f);
    });
  });
});
