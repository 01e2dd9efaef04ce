// Liquidator under the DutchAuction's caps on debt in auction: liquidations cut to the room, kept
// above the dust, or refused for want of room.
import { expect } from "chai";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { WAD, amountUp, divWadDown, mulDivDown, mulWadUp } from "../../keeper/src/math/fixedPoint";
import { LOCAL_COLLATERALS } from "../../scripts/lib/deploy";
import { deploySluiceFixture, type SluiceFixture } from "../helpers/fixtures";
import * as market from "../helpers/market";
import {
  type Signer,
  MAX_UINT256,
  pct,
  WETH_LIQUIDATION,
  WETH_AUCTION,
  type Plan,
  referenceSlice,
  expectNoAuctionRoom,
  planNextBlock,
  planBatch,
  liquidationsIn,
  liquidationIn,
  liquidate,
  liquidateBatch,
  expectLiquidation,
  storedRates,
  recordStoredRates,
  openVaultWhoseSeizureNeedsItAll,
} from "../helpers/liquidator";

describe("Liquidator", function () {
  let f: SluiceFixture;
  let weth: string;

  beforeEach(async function () {
    f = await deploySluiceFixture();
    weth = await f.weth.token.getAddress();
    storedRates.clear();
  });

  describe("caps on debt in auction", function () {
    it("liquidate_collateralRoomTheSmaller_isCutToIt", async function () {
      const [alice, keeper] = f.users;
      const vaultId = await market.openVault(f, alice, f.weth, 10n * WAD);
      await market.movePrice(f, f.weth, 2_580n * WAD);
      const [cap, totalCap] = [5_000n * WAD, 8_000n * WAD];
      const uncut = await f.liquidator.previewLiquidation(vaultId);
      expect(mulWadUp(uncut.debtSlice, WAD + WETH_LIQUIDATION.penalty)).to.be.gt(totalCap);
      await f.dutchAuction.setMaxDebtInAuction(weth, cap);
      await f.dutchAuction.setMaxTotalDebtInAuction(totalCap);
      expect([...(await f.dutchAuction.room(weth))]).to.deep.equal([cap, totalCap]);
      await recordStoredRates(f);
      const plan = await planNextBlock(f, vaultId);
      expect([plan.cut, plan.room]).to.deep.equal([true, cap]);
      expect(plan.slice).to.equal(divWadDown(cap, WAD + WETH_LIQUIDATION.penalty));
      const event = liquidationIn(f, await liquidate(f, vaultId, keeper));
      await expectLiquidation(f, event, plan, keeper.address);
      const [collateralDebt, totalDebt] = await f.dutchAuction.debtInAuction(weth);
      expect([collateralDebt, totalDebt]).to.deep.equal([event.debtToRaise, event.debtToRaise]);
      // The rest waits: no room is left for another liquidation of this collateral.
      const other = await openVaultAfterCrash(f.users[2]);
      await expectNoAuctionRoom(f, other, keeper.address);
      await market.expectBooksBalanced(f);
    });

    it("liquidate_totalRoomTheSmaller_isCutToIt", async function () {
      const [alice, bob, keeper] = f.users;
      const first = await market.openVault(f, alice, f.weth, 10n * WAD);
      const second = await market.openVault(f, bob, f.weth, 10n * WAD);
      await market.movePrice(f, f.weth, 2_580n * WAD);
      const firstEvent = liquidationIn(f, await liquidate(f, first, keeper));
      const totalCap = firstEvent.debtToRaise + 6_000n * WAD;
      await f.dutchAuction.setMaxDebtInAuction(weth, totalCap + 1_000n * WAD);
      await f.dutchAuction.setMaxTotalDebtInAuction(totalCap);
      expect([...(await f.dutchAuction.room(weth))]).to.deep.equal([7_000n * WAD, 6_000n * WAD]);
      await recordStoredRates(f);
      const plan = await planNextBlock(f, second);
      expect([plan.cut, plan.room]).to.deep.equal([true, 6_000n * WAD]);
      expect(plan.slice).to.equal(divWadDown(6_000n * WAD, WAD + WETH_LIQUIDATION.penalty));
      const event = liquidationIn(f, await liquidate(f, second, keeper));
      await expectLiquidation(f, event, plan, keeper.address);
      const [, totalDebt] = await f.dutchAuction.debtInAuction(weth);
      expect(totalDebt).to.equal(firstEvent.debtToRaise + event.debtToRaise);
      expect(totalDebt).to.be.lte(totalCap);
    });

    it("liquidate_fullLiquidationAboveCap_isCutToAPartialOne", async function () {
      const [alice, keeper] = f.users;
      const vaultId = await market.openVault(f, alice, f.weth, 10n * WAD);
      await market.movePrice(f, f.weth, 2_200n * WAD);
      expect((await f.liquidator.previewLiquidation(vaultId)).full).to.equal(true);
      const cap = 4_000n * WAD;
      await f.dutchAuction.setMaxDebtInAuction(weth, cap);
      await recordStoredRates(f);
      const plan = await planNextBlock(f, vaultId);
      expect([plan.cut, plan.full]).to.deep.equal([true, false]);
      const event = liquidationIn(f, await liquidate(f, vaultId, keeper));
      await expectLiquidation(f, event, plan, keeper.address);
      const vault = await f.vaultEngine.vaults(vaultId);
      expect(vault.collateralAmount).to.equal(10n * WAD - event.collateralSeized);
      expect(vault.collateralAmount).to.be.gt(0n);
      expect(vault.normalizedDebt).to.be.gt(0n);
      expect((await f.dutchAuction.auctions(vaultId)).vaultKeepsCollateral).to.equal(true);
      await market.expectBooksBalanced(f);
    });

    it("liquidate_cutSliceOfAVaultUnderTwoDustsWouldBeDust_revertsNoAuctionRoom", async function () {
      // 0.08 WETH carries ≈ 180 of debt, all of it due (the rest of a partial slice would be dust); a
      // cap that leaves room for a slice of only ≈ 81 (under the 100 of dust) is refused, not applied.
      const vaultId = await market.openVault(f, f.users[0], f.weth, (8n * WAD) / 100n);
      await market.movePrice(f, f.weth, 2_580n * WAD);
      const debt = await f.vaultEngine.debtOf(vaultId);
      expect(debt).to.be.lt(250n * WAD);
      await f.dutchAuction.setMaxDebtInAuction(weth, mulWadUp(debt - 99n * WAD, WAD + WETH_LIQUIDATION.penalty));
      await expectNoAuctionRoom(f, vaultId, f.users[1].address);
      // The same under the global cap.
      await f.dutchAuction.setMaxDebtInAuction(weth, WETH_AUCTION.maxDebtInAuction);
      await f.dutchAuction.setMaxTotalDebtInAuction(mulWadUp(debt - 99n * WAD, WAD + WETH_LIQUIDATION.penalty));
      await expectNoAuctionRoom(f, vaultId, f.users[1].address);
    });

    it("liquidate_cutThatWouldLeaveLessThanDust_leavesExactlyADustSizedDebt", async function () {
      const [alice, keeper] = f.users;
      const vaultId = await market.openVault(f, alice, f.weth, 10n * WAD);
      await market.movePrice(f, f.weth, 2_200n * WAD);
      const debt = await f.vaultEngine.debtOf(vaultId);
      const dust = LOCAL_COLLATERALS[0].dust;
      // Room for all the debt but 40: a cut to it would leave the vault 40 of debt, under dust.
      await f.dutchAuction.setMaxDebtInAuction(weth, mulWadUp(debt - 40n * WAD, WAD + WETH_LIQUIDATION.penalty));
      await recordStoredRates(f);
      const plan = await planNextBlock(f, vaultId);
      expect(plan.cut).to.equal(true);
      const event = liquidationIn(f, await liquidate(f, vaultId, keeper));
      await expectLiquidation(f, event, plan, keeper.address);
      const left = await f.vaultEngine.debtOf(vaultId);
      expect(left)
        .to.be.gte(dust)
        .and.lt(dust + WAD);
      await market.expectBooksBalanced(f);
    });

    it("liquidate_cutBelowDust_revertsNoAuctionRoomUnderEitherCap", async function () {
      const vaultId = await market.openVault(f, f.users[0], f.weth, 10n * WAD);
      await market.movePrice(f, f.weth, 2_580n * WAD);
      const dust = LOCAL_COLLATERALS[0].dust;
      // The largest room whose cut slice is still one wei under dust, and a room of one wei.
      const underDust = mulWadUp(dust, WAD + WETH_LIQUIDATION.penalty) - 1n;
      expect(divWadDown(underDust, WAD + WETH_LIQUIDATION.penalty)).to.equal(dust - 1n);
      for (const room of [underDust, 1n]) {
        await f.dutchAuction.setMaxDebtInAuction(weth, room);
        await f.dutchAuction.setMaxTotalDebtInAuction(room + 1_000n * WAD);
        await expectNoAuctionRoom(f, vaultId, f.users[1].address);
        await f.dutchAuction.setMaxDebtInAuction(weth, room + 1_000n * WAD);
        await f.dutchAuction.setMaxTotalDebtInAuction(room);
        await expectNoAuctionRoom(f, vaultId, f.users[1].address);
      }
    });

    it("liquidate_cutToExactlyDust_opensAnAuctionWithinTheRoom", async function () {
      const [alice, keeper] = f.users;
      const vaultId = await market.openVault(f, alice, f.weth, 10n * WAD);
      await market.movePrice(f, f.weth, 2_580n * WAD);
      const dust = LOCAL_COLLATERALS[0].dust;
      const room = mulWadUp(dust, WAD + WETH_LIQUIDATION.penalty);
      await f.dutchAuction.setMaxTotalDebtInAuction(room);
      await recordStoredRates(f);
      const plan = await planNextBlock(f, vaultId);
      expect([plan.cut, plan.slice]).to.deep.equal([true, dust]);
      const event = liquidationIn(f, await liquidate(f, vaultId, keeper));
      await expectLiquidation(f, event, plan, keeper.address);
    });

    it("liquidate_roomUsedByAnotherCollateral_isCutToTheGlobalRoomLeft", async function () {
      const [alice, bob, keeper] = f.users;
      const btcVault = await market.openVault(f, bob, f.wbtc, 10n ** 8n);
      const ethVault = await market.openVault(f, alice, f.weth, 10n * WAD);
      await market.movePrice(f, f.weth, 2_580n * WAD);
      await market.movePrice(f, f.wbtc, 50_000n * WAD);
      const btc = liquidationIn(f, await liquidate(f, btcVault, keeper));
      await f.dutchAuction.setMaxTotalDebtInAuction(btc.debtToRaise + 3_000n * WAD);
      expect([...(await f.dutchAuction.room(weth))]).to.deep.equal([WETH_AUCTION.maxDebtInAuction, 3_000n * WAD]);
      await recordStoredRates(f);
      const plan = await planNextBlock(f, ethVault);
      expect([plan.cut, plan.room]).to.deep.equal([true, 3_000n * WAD]);
      expect(plan.slice).to.equal(divWadDown(3_000n * WAD, WAD + WETH_LIQUIDATION.penalty));
      const event = liquidationIn(f, await liquidate(f, ethVault, keeper));
      await expectLiquidation(f, event, plan, keeper.address);
    });

    it("liquidate_sliceFitsButItsLotNeedsTheWholeVaultOverTheRoom_isCutWithCollateralInProportion", async function () {
      const [alice, keeper] = f.users;
      const vaultId = await openVaultWhoseSeizureNeedsItAll(f, alice);
      const cap = 21_600n * WAD;
      await f.dutchAuction.setMaxDebtInAuction(weth, cap);
      await recordStoredRates(f);
      const plan = await planNextBlock(f, vaultId);
      // The slice fits; the whole vault it turns into does not: the whole vault is cut to the room.
      const [slice] = referenceSlice(plan.data, plan.params, plan.threshold, plan.health);
      expect(mulWadUp(slice, WAD + WETH_LIQUIDATION.penalty)).to.be.lte(cap);
      expect(mulWadUp(plan.data.debt, WAD + WETH_LIQUIDATION.penalty)).to.be.gt(cap);
      expect(plan.cut).to.equal(true);
      await expectCutInProportion(vaultId, plan, keeper);
    });

    it("liquidate_cutSliceWhoseLotNeedsTheWholeVault_isCutWithCollateralInProportion", async function () {
      const [alice, keeper] = f.users;
      const vaultId = await openVaultWhoseSeizureNeedsItAll(f, alice);
      const cap = 18_000n * WAD;
      await f.dutchAuction.setMaxDebtInAuction(weth, cap);
      await recordStoredRates(f);
      const plan = await planNextBlock(f, vaultId);
      const onePlusPenalty = WAD + WETH_LIQUIDATION.penalty;
      // A lot sized by the lot margin for the cut slice would need every unit of collateral.
      const seizedValue = mulWadUp(
        mulWadUp(divWadDown(cap, onePlusPenalty), onePlusPenalty),
        WETH_LIQUIDATION.collateralMargin,
      );
      expect(amountUp(seizedValue, 18, plan.data.price)).to.be.gte(10n * WAD);
      expect(plan.cut).to.equal(true);
      await expectCutInProportion(vaultId, plan, keeper);
    });

    it("liquidate_whaleAboveTheCapAfterACrash_isLiquidatedInCutsUntilNothingIsLeft", async function () {
      // The review's case: 10,500 WETH against ≈ 21.4M of debt, the whole 20M WETH cap free, health
      // ≈ 0.78 after a 30% fall. Before the fix its lot needed more than the vault and it was refused.
      const [whale, keeper, buyer] = f.users;
      const vaultId = await market.openVault(f, whale, f.weth, 10_500n * WAD);
      expect(await f.vaultEngine.debtOf(vaultId)).to.be.gt(21_000_000n * WAD);
      await market.movePrice(f, f.weth, 2_100n * WAD);
      const health = await f.riskEngine.healthFactor(vaultId);
      expect(health).to.be.gt(pct(75)).and.lt(pct(80));
      await fundBuyer(buyer, 30_000_000n * WAD);
      let rounds = 0;
      while (await f.riskEngine.isLiquidatable(vaultId)) {
        await recordStoredRates(f);
        const plan = await planNextBlock(f, vaultId);
        expect(plan.refusal).to.equal(undefined);
        const event = liquidationIn(f, await liquidate(f, vaultId, keeper));
        await expectLiquidation(f, event, plan, keeper.address);
        expect(event.debtToRaise).to.be.lte(WETH_AUCTION.maxDebtInAuction);
        // Buy the whole lot at once, so the cap frees up for the rest.
        await f.dutchAuction.connect(buyer).take(vaultId, MAX_UINT256, MAX_UINT256, buyer.address, "0x");
        await market.expectBooksBalanced(f);
        if (++rounds > 6) throw new Error("the whale was not cleared in six cuts");
      }
      // Cleared: liquidated to nothing, or brought back to health by what the buyers paid.
      expect(rounds).to.be.gte(1);
      const left = await f.vaultEngine.vaults(vaultId);
      if (left.normalizedDebt !== 0n) expect(await f.riskEngine.healthFactor(vaultId)).to.be.gte(WAD);
    });

    it("liquidateBatch_whaleAboveTheCap_isCutNotSkipped", async function () {
      const [whale, keeper] = f.users;
      const vaultId = await market.openVault(f, whale, f.weth, 10_500n * WAD);
      await market.movePrice(f, f.weth, 2_100n * WAD);
      await time.setNextBlockTimestamp((await time.latest()) + 1);
      const [plan] = await planBatch(f, [vaultId]);
      expect(plan?.cut).to.equal(true);
      const receipt = await liquidateBatch(f, [vaultId], keeper);
      expect(liquidationsIn(f, receipt).map((l) => l.vaultId)).to.deep.equal([vaultId]);
      expect((await f.vaultEngine.vaults(vaultId)).collateralAmount).to.be.gt(0n);
    });

    /**
     * The cut liquidation of the plan happens exactly, its collateral in proportion to the normalised
     * debt it moves (rounded down), and the vault keeps collateral, debt and its ratio of the two.
     */
    async function expectCutInProportion(vaultId: bigint, plan: Plan, keeper: Signer): Promise<void> {
      const before = await f.vaultEngine.vaults(vaultId);
      const event = liquidationIn(f, await liquidate(f, vaultId, keeper));
      await expectLiquidation(f, event, plan, keeper.address);
      expect(event.collateralSeized).to.equal(
        mulDivDown(before.collateralAmount, event.normalizedDebtSeized, before.normalizedDebt),
      );
      const after = await f.vaultEngine.vaults(vaultId);
      expect(after.collateralAmount).to.be.gt(0n);
      expect(after.normalizedDebt).to.be.gt(0n);
      // Rounding the seized collateral down leaves the vault at least its old ratio.
      expect(after.collateralAmount * before.normalizedDebt).to.be.gte(before.collateralAmount * after.normalizedDebt);
      expect((await f.dutchAuction.auctions(vaultId)).vaultKeepsCollateral).to.equal(true);
      await market.expectBooksBalanced(f);
    }

    /** Gives `buyer` `amount` of stablecoin, borrowed against a fresh WBTC vault. */
    async function fundBuyer(buyer: Signer, amount: bigint): Promise<void> {
      const btc = (amount * 10n ** 8n) / (20_000n * WAD) + 10n ** 8n;
      const id = await market.openVault(f, buyer, f.wbtc, btc, 0n);
      await f.vaultEngine.connect(buyer).borrow(id, amount, buyer.address);
    }

    /** A second WETH vault, opened after the price fell and made liquidatable by a further fall. */
    async function openVaultAfterCrash(owner: Signer): Promise<bigint> {
      const id = await market.openVault(f, owner, f.weth, 10n * WAD);
      await market.movePrice(f, f.weth, 2_150n * WAD);
      return id;
    }
  });
});
