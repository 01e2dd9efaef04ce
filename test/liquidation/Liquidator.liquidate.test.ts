// Liquidator.liquidate: every way it refuses, the auction id it returns, the size of the slice
// (checked against the closed form documented in Liquidator._slice, recomputed from the engine's
// views at the very block of the liquidation) and the debt booked at seize.
import { expect } from "chai";
import { ethers, network } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { RAY, WAD, mulDivDown, mulDivUp, mulWadDown, mulWadUp } from "../../keeper/src/math/fixedPoint";
import { toFeedAnswer } from "../../scripts/lib/deploy";
import { deploySluiceFixture, type SluiceFixture } from "../helpers/fixtures";
import * as market from "../helpers/market";
import {
  plain,
  PENDING,
  MAX_UINT256,
  REFUSAL,
  pct,
  WETH_LIQUIDATION,
  referenceSlice,
  viewVault,
  expectNoAuctionRoom,
  planNextBlock,
  engineEvents,
  liquidationIn,
  liquidate,
  expectedLiquidation,
  storedRate,
  storedRates,
  recordStoredRates,
  inOneBlock,
  openVaultOfEngineOnlyCollateral,
} from "../helpers/liquidator";

describe("Liquidator", function () {
  let f: SluiceFixture;
  let weth: string;

  beforeEach(async function () {
    f = await deploySluiceFixture();
    weth = await f.weth.token.getAddress();
    storedRates.clear();
  });

  describe("liquidate refusals", function () {
    it("liquidate_zeroKeeper_reverts", async function () {
      const vaultId = await market.openVault(f, f.users[0], f.weth, 10n * WAD);
      await expect(f.liquidator.liquidate(vaultId, ethers.ZeroAddress)).to.be.revertedWithCustomError(
        f.liquidator,
        "ZeroAddress",
      );
    });

    it("liquidate_unknownVault_revertsVaultNotFound", async function () {
      await expect(f.liquidator.liquidate(42n, f.users[1].address))
        .to.be.revertedWithCustomError(f.vaultEngine, "VaultNotFound")
        .withArgs(42n);
    });

    it("liquidate_whenHealthy_revertsWithTheHealthAtThatBlock", async function () {
      const [alice, keeper] = f.users;
      const vaultId = await market.openVault(f, alice, f.weth, 10n * WAD);
      // 5% down: still healthy (the vault opened at ≈ 0.86/0.75 ≈ 1.147).
      await market.movePrice(f, f.weth, 2_850n * WAD);
      await time.increase(600);
      await time.setNextBlockTimestamp((await time.latest()) + 1);
      const health = await f.riskEngine.healthFactor(vaultId, PENDING);
      expect(health).to.be.gt(WAD).and.lt(pct(110));
      await expect(f.liquidator.connect(keeper).liquidate(vaultId, keeper.address))
        .to.be.revertedWithCustomError(f.liquidator, "VaultHealthy")
        .withArgs(vaultId, health);
    });

    it("liquidate_vaultWithoutDebt_revertsWithInfiniteHealth", async function () {
      const vaultId = await market.openVault(f, f.users[0], f.weth, WAD, 0n);
      await expect(f.liquidator.liquidate(vaultId, f.users[1].address))
        .to.be.revertedWithCustomError(f.liquidator, "VaultHealthy")
        .withArgs(vaultId, MAX_UINT256);
    });

    it("liquidate_vaultInAuction_reverts", async function () {
      const [alice, keeper] = f.users;
      const vaultId = await market.openVault(f, alice, f.weth, 10n * WAD);
      await market.movePrice(f, f.weth, 2_580n * WAD);
      await liquidate(f, vaultId, keeper);
      await expect(f.liquidator.connect(keeper).liquidate(vaultId, keeper.address))
        .to.be.revertedWithCustomError(f.liquidator, "VaultInAuction")
        .withArgs(vaultId);
    });

    it("liquidate_staleOracle_revertsStalePrice", async function () {
      const [alice, keeper] = f.users;
      const vaultId = await market.openVault(f, alice, f.weth, 10n * WAD);
      await market.movePrice(f, f.weth, 2_580n * WAD);
      await time.increase(3_601);
      // The OracleHub's error bubbles up and decodes against the Liquidator's ABI (ISluiceErrors).
      await expect(f.liquidator.liquidate(vaultId, keeper.address)).to.be.revertedWithCustomError(
        f.liquidator,
        "StalePrice",
      );
    });

    it("liquidate_missingVault_revertsTheVaultEnginesVaultNotFoundDecodedByTheLiquidatorsAbi", async function () {
      const missing = (await f.vaultEngine.vaultCount()) + 1n;
      await expect(f.liquidator.liquidate(missing, f.users[1].address))
        .to.be.revertedWithCustomError(f.liquidator, "VaultNotFound")
        .withArgs(missing);
    });

    it("liquidate_borrowAndLiquidateInOneBlock_revertsBorrowedThisBlock", async function () {
      const [alice, keeper] = f.users;
      const vaultId = await market.openVault(f, alice, f.weth, 10n * WAD, 50n);
      const limit = await f.vaultEngine.maxDebt(vaultId);
      const debt = await f.vaultEngine.debtOf(vaultId);
      const gas = { gasLimit: 1_000_000n };
      const drop = toFeedAnswer(2_300n * WAD, f.weth.spec.feedDecimals);
      const keeperFees = { ...gas, maxFeePerGas: 10n ** 11n, maxPriorityFeePerGas: 10n ** 9n };
      // The borrow pays more per gas so the block orders it first; the keeper's three follow by nonce.
      const receipts = await inOneBlock([
        () =>
          f.vaultEngine.connect(alice).borrow(vaultId, limit - debt - WAD, alice.address, {
            ...gas,
            maxFeePerGas: 10n ** 11n,
            maxPriorityFeePerGas: 10n ** 10n,
          }),
        () => f.weth.feed.connect(keeper).setAnswer(drop, keeperFees),
        () => f.riskEngine.connect(keeper).poke(weth, keeperFees),
        () => f.liquidator.connect(keeper).liquidate(vaultId, keeper.address, keeperFees),
      ]);
      expect(receipts.map((r) => r.status)).to.deep.equal([1, 1, 1, 0]);
      const trace = await network.provider.send("debug_traceTransaction", [
        receipts[3].hash,
        { disableStack: true, disableMemory: true, disableStorage: true },
      ]);
      const error = f.liquidator.interface.parseError(`0x${String(trace.returnValue).replace(/^0x/, "")}`);
      expect(error?.name).to.equal("BorrowedThisBlock");
      expect(error?.args[0]).to.equal(vaultId);
      // The same vault is fair game one block later.
      expect(await f.riskEngine.isLiquidatable(vaultId)).to.equal(true);
      await expect(f.liquidator.connect(keeper).liquidate(vaultId, keeper.address))
        .to.emit(f.dutchAuction, "AuctionStarted")
        .withArgs(
          vaultId,
          keeper.address,
          (x: bigint) => x > 0n,
          (x: bigint) => x > 0n,
          (x: bigint) => x > 0n,
        );
    });

    it("liquidate_collateralCapZero_revertsNoAuctionRoom", async function () {
      const vaultId = await market.openVault(f, f.users[0], f.weth, 10n * WAD);
      await market.movePrice(f, f.weth, 2_580n * WAD);
      await f.dutchAuction.setMaxDebtInAuction(weth, 0n);
      await expectNoAuctionRoom(f, vaultId, f.users[1].address);
    });

    it("liquidate_globalCapZero_revertsNoAuctionRoom", async function () {
      const vaultId = await market.openVault(f, f.users[0], f.weth, 10n * WAD);
      await market.movePrice(f, f.weth, 2_580n * WAD);
      await f.dutchAuction.setMaxTotalDebtInAuction(0n);
      await expectNoAuctionRoom(f, vaultId, f.users[1].address);
    });

    it("liquidate_breakerRaised_revertsAndSeizesNothing", async function () {
      const vaultId = await market.openVault(f, f.users[0], f.weth, 10n * WAD);
      await market.movePrice(f, f.weth, 2_580n * WAD);
      await f.dutchAuction.raiseBreaker(1);
      const before = plain(await f.vaultEngine.vaults(vaultId));
      await expect(f.liquidator.liquidate(vaultId, f.users[1].address))
        .to.be.revertedWithCustomError(f.dutchAuction, "BreakerTripped")
        .withArgs(1);
      expect(plain(await f.vaultEngine.vaults(vaultId))).to.deep.equal(before);
    });

    it("liquidate_collateralNotListedInLiquidator_reverts", async function () {
      // A type the engine lists (and can price) but the Liquidator does not.
      const { address, vaultId } = await openVaultOfEngineOnlyCollateral(f, f.users[0]);
      await expect(f.liquidator.liquidate(vaultId, f.users[1].address))
        .to.be.revertedWithCustomError(f.liquidator, "CollateralNotListed")
        .withArgs(address);
    });
  });

  describe("auction id", function () {
    it("liquidate_unsafeVault_returnsTheVaultIdAsAuctionId", async function () {
      const [alice, bob, keeper] = f.users;
      await market.openVault(f, alice, f.weth, 10n * WAD, 50n);
      const vaultId = await market.openVault(f, bob, f.weth, 10n * WAD);
      expect(vaultId).to.equal(2n);
      await market.movePrice(f, f.weth, 2_580n * WAD);
      expect(await f.liquidator.connect(keeper).liquidate.staticCall(vaultId, keeper.address)).to.equal(vaultId);
      const liquidation = liquidationIn(f, await liquidate(f, vaultId, keeper));
      expect(liquidation.vaultId).to.equal(vaultId);
      const auction = await f.dutchAuction.auctions(vaultId);
      expect([auction.vaultId, auction.collateral, auction.debtLeft]).to.deep.equal([
        vaultId,
        weth,
        liquidation.debtToRaise,
      ]);
      expect([...(await f.dutchAuction.activeAuctions())]).to.deep.equal([vaultId]);
      expect((await f.dutchAuction.auctions(1n)).vaultId).to.equal(0n);
    });

    it("liquidate_afterTheVaultsAuctionEnded_opensANewAuctionUnderTheSameId", async function () {
      const [alice, keeper, buyer] = f.users;
      const vaultId = await market.openVault(f, alice, f.weth, 10n * WAD);
      await market.openVault(f, buyer, f.wbtc, 10n ** 8n, 50n);
      await market.movePrice(f, f.weth, 2_580n * WAD);
      const first = liquidationIn(f, await liquidate(f, vaultId, keeper));
      await f.dutchAuction.connect(buyer).take(vaultId, ethers.MaxUint256, ethers.MaxUint256, buyer.address, "0x");
      expect((await f.dutchAuction.auctions(vaultId)).debtLeft).to.equal(0n);
      const vault = await f.vaultEngine.vaults(vaultId);
      expect([vault.inAuction, vault.auctionCollateral]).to.deep.equal([false, 0n]);
      expect(vault.collateralAmount).to.be.gt(0n);
      // Healthy at the target, then unsafe again after a further fall.
      await market.movePrice(f, f.weth, 2_150n * WAD);
      await recordStoredRates(f);
      const plan = await planNextBlock(f, vaultId);
      expect(plan.refusal).to.equal(undefined);
      expect(await f.liquidator.connect(keeper).liquidate.staticCall(vaultId, keeper.address, PENDING)).to.equal(
        vaultId,
      );
      const second = liquidationIn(f, await liquidate(f, vaultId, keeper));
      expect(second).to.deep.equal(await expectedLiquidation(f, plan, keeper.address));
      expect(second.debtToRaise).to.not.equal(first.debtToRaise);
      const auction = await f.dutchAuction.auctions(vaultId);
      expect([auction.vaultId, auction.debtLeft, auction.collateralLeft]).to.deep.equal([
        vaultId,
        plan.debtToRaise,
        plan.collateralSeized,
      ]);
      await market.expectBooksBalanced(f);
    });
  });

  describe("slice", function () {
    it("liquidate_partial_seizesTheClosedFormSliceAndCollateral", async function () {
      const [alice, keeper] = f.users;
      const vaultId = await market.openVault(f, alice, f.weth, 10n * WAD);
      await market.movePrice(f, f.weth, 2_580n * WAD);
      await time.increase(900);
      await recordStoredRates(f);
      const plan = await planNextBlock(f, vaultId);
      expect(plan.full).to.equal(false);
      expect(plan.health).to.be.lt(WAD).and.gte(WETH_LIQUIDATION.fullLiquidationHealth);
      const receipt = await liquidate(f, vaultId, keeper);
      expect(liquidationIn(f, receipt)).to.deep.equal(await expectedLiquidation(f, plan, keeper.address));
      // The slice itself, not only what derives from it: the debt seized is the slice rounded up by
      // at most one normalized unit.
      expect(plan.debtSeized - plan.slice)
        .to.be.gte(0n)
        .and.lte(1n);
      const vault = await f.vaultEngine.vaults(vaultId);
      expect(vault.inAuction).to.equal(true);
      expect(vault.auctionCollateral).to.equal(plan.collateralSeized);
      expect(vault.collateralAmount).to.equal(plan.data.collateralAmount - plan.collateralSeized);
      expect(vault.normalizedDebt).to.equal(plan.data.normalizedDebt - plan.normalizedDebtSeized);
      const auction = await f.dutchAuction.auctions(vaultId);
      expect(auction.collateralLeft).to.equal(plan.collateralSeized);
      expect(auction.debtLeft).to.equal(plan.debtToRaise);
      expect(auction.vaultId).to.equal(vaultId);
      expect(auction.vaultKeepsCollateral).to.equal(true);
      await market.expectBooksBalanced(f);
    });

    it("liquidate_partialWithUnitCollateralMargin_restoresTargetHealth", async function () {
      const [alice, keeper] = f.users;
      await f.liquidator.setCollateralMargin(weth, WAD);
      const vaultId = await market.openVault(f, alice, f.weth, 10n * WAD);
      await market.movePrice(f, f.weth, 2_580n * WAD);
      const plan = await planNextBlock(f, vaultId);
      expect(plan.full).to.equal(false);
      await liquidate(f, vaultId, keeper);
      // At the threshold the slice was sized with, health is the target up to rounding…
      const vault = await f.vaultEngine.vaults(vaultId);
      const value = mulWadDown(vault.collateralAmount, plan.data.price);
      const debt = mulDivUp(vault.normalizedDebt, plan.data.rate, RAY);
      const target = WETH_LIQUIDATION.targetHealth;
      expect(mulDivDown(value, plan.threshold, debt)).to.be.closeTo(target, 10n ** 6n);
      // …and the real health, whose threshold only rises as the vault shrinks, is at least the target
      // and above it by no more than the size penalty given back (< 1e-4 here).
      const health = await f.riskEngine.healthFactor(vaultId);
      expect(health).to.be.gte(target - 10n ** 6n);
      expect(health).to.be.lte(target + target / 10_000n);
    });

    it("liquidate_belowFullLiquidationHealth_seizesTheWholeVault", async function () {
      const [alice, keeper] = f.users;
      const vaultId = await market.openVault(f, alice, f.weth, 10n * WAD);
      await market.movePrice(f, f.weth, 2_200n * WAD);
      const plan = await planNextBlock(f, vaultId);
      expect(plan.health).to.be.lt(WETH_LIQUIDATION.fullLiquidationHealth);
      expect(plan.full).to.equal(true);
      const event = liquidationIn(f, await liquidate(f, vaultId, keeper));
      expect(event.collateralSeized).to.equal(10n * WAD);
      expect(event.normalizedDebtSeized).to.equal(plan.data.normalizedDebt);
      expect(event.debtToRaise).to.equal(mulWadUp(plan.data.debt, WAD + WETH_LIQUIDATION.penalty));
      const vault = await f.vaultEngine.vaults(vaultId);
      expect([vault.collateralAmount, vault.normalizedDebt, vault.inAuction, vault.auctionCollateral]).to.deep.equal([
        0n,
        0n,
        true,
        10n * WAD,
      ]);
      expect((await f.dutchAuction.auctions(vaultId)).vaultKeepsCollateral).to.equal(false);
      await market.expectBooksBalanced(f);
    });

    it("liquidate_restWouldBeUnderDust_seizesTheWholeVault", async function () {
      const [alice, bob, keeper] = f.users;
      // 0.08 WETH carries ≈ 180 of debt: about half of it restores health, leaving less than 100.
      const small = await market.openVault(f, alice, f.weth, (8n * WAD) / 100n);
      const large = await market.openVault(f, bob, f.weth, 10n * WAD);
      await market.movePrice(f, f.weth, 2_580n * WAD);
      const plan = await planNextBlock(f, small);
      expect(plan.health).to.be.gte(WETH_LIQUIDATION.fullLiquidationHealth).and.lt(WAD);
      // What the closed form would take, were it not for dust.
      const params = { ...WETH_LIQUIDATION, fullLiquidationHealth: 0n };
      const vault = { debt: plan.data.debt, value: plan.data.value, dust: 0n };
      const dustless = referenceSlice(vault, params, plan.threshold, plan.health)[0];
      expect(dustless).to.be.lt(plan.data.debt);
      expect(plan.data.debt - dustless).to.be.lt(plan.data.dust);
      expect(plan.full).to.equal(true);
      const event = liquidationIn(f, await liquidate(f, small, keeper));
      expect(event.collateralSeized).to.equal((8n * WAD) / 100n);
      expect(event.normalizedDebtSeized).to.equal(plan.data.normalizedDebt);
      expect(event.debtToRaise).to.equal(mulWadUp(plan.data.debt, WAD + WETH_LIQUIDATION.penalty));
      // The large vault at the same health stays partial.
      expect((await f.liquidator.previewLiquidation(large)).full).to.equal(false);
    });

    it("previewLiquidation_capLeavingNoRoom_reportsNoRoomWithTheHealthAndSeizesNothing", async function () {
      const vaultId = await market.openVault(f, f.users[0], f.weth, 10n * WAD);
      await market.movePrice(f, f.weth, 2_580n * WAD);
      await f.dutchAuction.setMaxDebtInAuction(weth, 1n);
      await time.increase(120);
      await time.setNextBlockTimestamp((await time.latest()) + 1);
      const vault = await viewVault(f, vaultId);
      const preview = await f.liquidator.previewLiquidation(vaultId, PENDING);
      expect(preview.refusal).to.equal(REFUSAL.NoRoom);
      expect(preview.health).to.equal(vault.health);
      expect([preview.collateralSeized, preview.debtToRaise, preview.incentive]).to.deep.equal([0n, 0n, 0n]);
    });

    it("previewLiquidation_vaultAboveTargetHealth_reportsHealthy", async function () {
      const vaultId = await market.openVault(f, f.users[0], f.weth, 10n * WAD, 50n);
      // On the pending block: at the latest one the vault has just borrowed (BorrowedThisBlock).
      const preview = await f.liquidator.previewLiquidation(vaultId, PENDING);
      expect(preview.refusal).to.equal(REFUSAL.Healthy);
      expect(preview.health).to.equal(await f.riskEngine.healthFactor(vaultId, PENDING));
      expect(preview.health).to.be.gt(WETH_LIQUIDATION.targetHealth);
    });

    it("liquidate_partialSliceNeedingAllTheCollateral_takesAllTheDebtToo", async function () {
      const [alice, keeper] = f.users;
      const vaultId = await market.openVault(f, alice, f.weth, 10n * WAD);
      // Health ≈ 0.95: above fullLiquidationHealth, yet 1.62·slice > the vault's value.
      await market.movePrice(f, f.weth, 2_485n * WAD);
      const plan = await planNextBlock(f, vaultId);
      expect(plan.health).to.be.gte(WETH_LIQUIDATION.fullLiquidationHealth).and.lt(WAD);
      // The closed-form slice is partial; its lot is the whole vault, so the liquidation is full.
      const [, sliceIsFull] = referenceSlice(plan.data, plan.params, plan.threshold, plan.health);
      expect([sliceIsFull, plan.full, plan.collateralSeized]).to.deep.equal([false, true, 10n * WAD]);
      const event = liquidationIn(f, await liquidate(f, vaultId, keeper));
      expect([event.collateralSeized, event.normalizedDebtSeized, event.debtToRaise]).to.deep.equal([
        10n * WAD,
        plan.data.normalizedDebt,
        mulWadUp(plan.data.debt, WAD + WETH_LIQUIDATION.penalty),
      ]);
      const vault = await f.vaultEngine.vaults(vaultId);
      expect([vault.collateralAmount, vault.normalizedDebt]).to.deep.equal([0n, 0n]);
      expect((await f.dutchAuction.auctions(vaultId)).vaultKeepsCollateral).to.equal(false);
      await market.expectBooksBalanced(f);
    });
  });

  describe("debt booked at seize", function () {
    it("liquidate_afterFeesRanUnaccrued_booksTheDebtAtTheStoredRateWithoutAccruing", async function () {
      const [alice, keeper] = f.users;
      const vaultId = await market.openVault(f, alice, f.weth, 10n * WAD);
      await market.movePrice(f, f.weth, 2_580n * WAD);
      await recordStoredRates(f);
      const stored = await storedRate(weth);
      // Half an hour of fees the engine has not booked (the price stays fresh).
      await time.increase(1_800);
      const [totalDebt, deficit, surplus, supply] = await Promise.all([
        f.vaultEngine.totalDebt(),
        f.vaultEngine.deficit(),
        f.vaultEngine.surplus(),
        f.stablecoin.totalSupply(),
      ]);
      const plan = await planNextBlock(f, vaultId);
      expect(plan.data.rate).to.be.gt(stored);
      const receipt = await liquidate(f, vaultId, keeper);
      const booked = plan.normalizedDebtSeized * stored;
      const seized = engineEvents(f, receipt, "Seized");
      expect(seized.map((args) => [...args])).to.deep.equal([
        [vaultId, plan.collateralSeized, plan.normalizedDebtSeized, booked],
      ]);
      expect(engineEvents(f, receipt, "FeesAccrued")).to.deep.equal([]);
      expect(await f.vaultEngine.deficit()).to.equal(deficit + booked);
      expect(await f.vaultEngine.totalDebt()).to.equal(totalDebt - booked);
      expect(await f.vaultEngine.surplus()).to.equal(surplus);
      expect(await f.stablecoin.totalSupply()).to.equal(supply);
      // The auction raises the fees since the last accrual, which the books never held…
      expect(liquidationIn(f, receipt).debtToRaise).to.equal(plan.debtToRaise);
      expect(plan.debtToRaise).to.be.gt(mulWadUp(mulDivUp(booked, 1n, RAY), WAD + WETH_LIQUIDATION.penalty));
      await market.expectBooksBalanced(f);
      // …and the stored rate did not move: the next accrual books the fees of what is left from it.
      const accrual = engineEvents(f, (await (await f.vaultEngine.accrue(weth)).wait())!, "FeesAccrued");
      const { totalNormalizedDebt } = await f.vaultEngine.collateralState(weth);
      expect(accrual).to.have.length(1);
      expect(accrual[0].surplusAdded).to.equal(totalNormalizedDebt * (accrual[0].rate - stored));
    });

    it("liquidate_fullLiquidation_movesTheWholeBookedDebtToTheDeficit", async function () {
      const [alice, keeper] = f.users;
      const vaultId = await market.openVault(f, alice, f.weth, 10n * WAD);
      await market.movePrice(f, f.weth, 2_200n * WAD);
      await recordStoredRates(f);
      const [totalDebt, deficit] = [await f.vaultEngine.totalDebt(), await f.vaultEngine.deficit()];
      const { normalizedDebt } = await f.vaultEngine.vaults(vaultId);
      const receipt = await liquidate(f, vaultId, keeper);
      const booked = normalizedDebt * (await storedRate(weth));
      expect(liquidationIn(f, receipt).bookedDebt).to.equal(booked);
      expect(await f.vaultEngine.deficit()).to.equal(deficit + booked);
      // The only vault with debt is gone: nothing of WETH is left in the total.
      expect(await f.vaultEngine.totalDebt()).to.equal(totalDebt - booked);
      expect(await f.vaultEngine.totalDebt()).to.equal(0n);
      expect((await f.vaultEngine.collateralState(weth)).totalNormalizedDebt).to.equal(0n);
      await market.expectBooksBalanced(f);
    });
  });
});
