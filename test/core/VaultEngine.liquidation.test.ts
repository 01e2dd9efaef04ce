// VaultEngine's liquidation modules: who may call them, seizing a vault, selling and collecting
// auction collateral, paying keepers and healing the deficit.
import { expect } from "chai";
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { deploySluiceFixture, type SluiceFixture } from "../helpers/fixtures";
import { RAY, mulDivUp, rpowDown } from "../../keeper/src/math/fixedPoint";
import {
  HOUR,
  weth,
  sld,
  expectBooksBalanced,
  openVault,
  pinNextRate,
  debtFor,
  modulesAtSigners,
  books,
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

  describe("liquidation modules", function () {
    let liquidator: HardhatEthersSigner;
    let auction: HardhatEthersSigner;

    beforeEach(async function () {
      ({ liquidator, auction } = await modulesAtSigners(f));
    });

    /**
     * A WETH vault of alice's holding 10 WETH and owing 10,000, then `idle` seconds with no accrual.
     * Returns the accumulator the borrow stored and the time it stored it at.
     */
    async function borrowedVault(idle = 0) {
      const vaultId = await openVault(f, alice, f.weth.token, weth("10"));
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
        const before = await books(f);
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
        expect(await books(f)).to.deep.equal({
          totalDebt: before.totalDebt - booked,
          surplus: before.surplus,
          deficit: before.deficit + booked,
        });
        expect((await f.vaultEngine.collateralState(wethAddress))[1]).to.equal(typeNormalized - seizedDebt);
        await expectBooksBalanced(f);

        // The stored accumulator did not move: the next accrual books, from the borrow on, the fees of
        // the debt left in the vaults only.
        const { stabilityFee } = await f.vaultEngine.collateralParams(wethAddress);
        const accrualAt = BigInt(await time.latest()) + 1n;
        await time.setNextBlockTimestamp(accrualAt);
        const rate = (storedRate * rpowDown(stabilityFee, accrualAt - borrowedAt)) / RAY;
        await expect(f.vaultEngine.accrue(wethAddress))
          .to.emit(f.vaultEngine, "FeesAccrued")
          .withArgs(wethAddress, rate, (typeNormalized - seizedDebt) * (rate - storedRate));
        await expectBooksBalanced(f);
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
        await expectBooksBalanced(f);
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
        await expectBooksBalanced(f);
      });
    });

    describe("sellAuctionCollateral", function () {
      it("sellAuctionCollateral_partOfTheLot_sendsItAndKeepsTheRestUnderAuction", async function () {
        const { vaultId, normalizedDebt, seizedDebt } = await vaultInAuction();
        const before = await books(f);
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
        expect(await books(f)).to.deep.equal(before);
        await expectBooksBalanced(f);
      });

      it("sellAuctionCollateral_endingTheAuction_returnsTheUnsoldRestToTheVault", async function () {
        const { vaultId, normalizedDebt, seizedDebt } = await vaultInAuction();
        const before = await books(f);
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
        expect(await books(f)).to.deep.equal(before);
        await expectBooksBalanced(f);
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
        const { stored, next } = await pinNextRate(f, wethAddress, 60n);
        const before = await books(f);
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
        expect(await books(f)).to.deep.equal({
          totalDebt: before.totalDebt + fees + addedDebt,
          surplus: before.surplus + fees,
          deficit: before.deficit - addedDebt,
        });
        expect(await f.vaultEngine.debtOf(vaultId)).to.be.gte(debtFor(normalizedDebt - seizedDebt, next) + returned);
        await expectBooksBalanced(f);
      });

      it("sellAuctionCollateral_returningMoreDebtThanTheDeficit_sendsTheExcessToTheSurplus", async function () {
        const { vaultId, seizedDebt, storedRate } = await vaultInAuction(5n);
        const { stored, next } = await pinNextRate(f, wethAddress, 60n);
        const before = await books(f);
        expect(before.deficit).to.equal(seizedDebt * storedRate);
        const returned = sld("3000");
        const addedDebt = mulDivUp(returned, RAY, next) * next;
        expect(addedDebt).to.be.gt(before.deficit);
        const [, typeNormalized] = await f.vaultEngine.collateralState(wethAddress);
        const fees = typeNormalized * (next - stored);

        await f.vaultEngine.connect(auction).sellAuctionCollateral(vaultId, bob, weth("4"), true, returned);
        expect(await books(f)).to.deep.equal({
          totalDebt: before.totalDebt + fees + addedDebt,
          surplus: before.surplus + fees + (addedDebt - before.deficit),
          deficit: 0n,
        });
        await expectBooksBalanced(f);
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
        const before = await books(f);
        const collect = f.vaultEngine.connect(auction).collectAuctionProceeds(alice, sld("2000"));
        await expect(collect).to.changeTokenBalance(f.stablecoin, alice, -sld("2000"));
        // The DutchAuction's Take event tells who paid what.
        const receipt = await (await collect).wait();
        expect(receipt!.logs.filter((log) => log.address === engineAddress)).to.deep.equal([]);
        expect(await books(f)).to.deep.equal({ ...before, surplus: before.surplus + sld("2000") * RAY });
        await expectBooksBalanced(f);
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
        const before = await books(f);
        expect(before.surplus).to.be.gt(sld("50") * RAY);
        const pay = f.vaultEngine.connect(auction).payKeeper(carol, sld("50"));
        await expect(pay).to.emit(f.vaultEngine, "KeeperPaid").withArgs(carol.address, sld("50"));
        await expect(pay).to.changeTokenBalance(f.stablecoin, carol, sld("50"));
        expect(await books(f)).to.deep.equal({ ...before, surplus: before.surplus - sld("50") * RAY });
        await expectBooksBalanced(f);
      });

      it("payKeeper_beyondTheSurplus_booksTheShortfallAsDeficit", async function () {
        await borrowedVault();
        const before = await books(f);
        expect(before.surplus).to.be.lt(sld("50") * RAY);
        await expect(f.vaultEngine.connect(auction).payKeeper(carol, sld("50")))
          .to.emit(f.vaultEngine, "KeeperPaid")
          .withArgs(carol.address, sld("50"));
        expect(await books(f)).to.deep.equal({
          totalDebt: before.totalDebt,
          surplus: 0n,
          deficit: before.deficit + sld("50") * RAY - before.surplus,
        });
        await expectBooksBalanced(f);
      });
    });

    describe("heal", function () {
      it("heal_byAnyone_cancelsAsMuchSurplusAndDeficitAsBothAllow", async function () {
        await vaultInAuction();
        await f.vaultEngine.connect(auction).collectAuctionProceeds(alice, sld("2000"));
        const before = await books(f);
        const healed = before.surplus < before.deficit ? before.surplus : before.deficit;
        expect(healed).to.be.gt(0n);
        expect(await f.vaultEngine.connect(carol).heal.staticCall()).to.equal(healed);
        await expect(f.vaultEngine.connect(carol).heal()).to.emit(f.vaultEngine, "Healed").withArgs(healed);
        expect(await books(f)).to.deep.equal({
          totalDebt: before.totalDebt,
          surplus: before.surplus - healed,
          deficit: before.deficit - healed,
        });
        await expectBooksBalanced(f);
        await expect(f.vaultEngine.heal()).to.emit(f.vaultEngine, "Healed").withArgs(0n);
      });
    });
  });
});
