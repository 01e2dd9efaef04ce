// DutchAuction.take: every rule (price cap, staleness, dust, covering the debt, leftover and
// exhausted lots, callbacks and forbidden receivers), at prices that follow the curves to the wei.
import { expect } from "chai";
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { Interface } from "ethers";
import { RAY, WAD, amountDown, divWadDown, mulDivUp, mulWadUp, valueUp } from "../../keeper/src/math/fixedPoint";
import { MockTakeBuyer__factory } from "../../typechain-types";
import { deploySluiceFixture, type SluiceFixture } from "../helpers/fixtures";
import * as market from "../helpers/market";
import {
  plain,
  MAX,
  WBTC_AUCTION,
  MIN_DEBT_LEFT,
  NO_AUCTION,
  curvePrice,
  needsReset,
  eventsIn,
  debtInAuction,
  active,
  fund,
  startAuction,
  pinAt,
  take,
} from "../helpers/auction";

describe("DutchAuction", function () {
  let f: SluiceFixture;
  let weth: string;
  let wbtc: string;

  beforeEach(async function () {
    f = await deploySluiceFixture();
    weth = await f.weth.token.getAddress();
    wbtc = await f.wbtc.token.getAddress();
  });

  describe("take", function () {
    it("take_unknownOrEndedAuction_revertsNotActive", async function () {
      const buyer = f.users[1];
      await expect(f.dutchAuction.connect(buyer).take(7n, 1n, MAX, buyer.address, "0x"))
        .to.be.revertedWithCustomError(f.dutchAuction, "AuctionNotActive")
        .withArgs(7n);
      await fund(f, buyer, f.weth);
      const auction = await startAuction(f, f.weth);
      await take(f, buyer, auction.auctionId, MAX);
      await expect(f.dutchAuction.connect(buyer).take(auction.auctionId, 1n, MAX, buyer.address, "0x"))
        .to.be.revertedWithCustomError(f.dutchAuction, "AuctionNotActive")
        .withArgs(auction.auctionId);
    });

    it("take_zeroReceiver_reverts", async function () {
      const auction = await startAuction(f, f.weth);
      await expect(
        f.dutchAuction.take(auction.auctionId, 1n, MAX, ethers.ZeroAddress, "0x"),
      ).to.be.revertedWithCustomError(f.dutchAuction, "ZeroAddress");
    });

    it("take_aboveMaxPrice_revertsAndAtMaxPriceExecutes", async function () {
      const buyer = f.users[1];
      await fund(f, buyer, f.weth);
      const auction = await startAuction(f, f.weth);
      const price = await pinAt(auction, f.weth, 150n);
      await expect(f.dutchAuction.connect(buyer).take(auction.auctionId, WAD, price - 1n, buyer.address, "0x"))
        .to.be.revertedWithCustomError(f.dutchAuction, "PriceAboveMax")
        .withArgs(price, price - 1n);
      await time.setNextBlockTimestamp(auction.startTime + 151n);
      await expect(f.dutchAuction.connect(buyer).take(auction.auctionId, WAD, price, buyer.address, "0x"))
        .to.emit(f.dutchAuction, "Take")
        .withArgs(auction.auctionId, buyer.address, buyer.address, WAD, mulWadUp(WAD, price), price);
    });

    it("take_zeroCollateral_revertsZeroTake", async function () {
      const auction = await startAuction(f, f.weth);
      await expect(
        f.dutchAuction.take(auction.auctionId, 0n, MAX, f.users[1].address, "0x"),
      ).to.be.revertedWithCustomError(f.dutchAuction, "ZeroTake");
    });

    it("take_trimmedToLessThanOneTokenUnit_revertsZeroTake", async function () {
      const buyer = f.users[1];
      await fund(f, buyer, f.wbtc);
      const auction = await startAuction(f, f.wbtc);
      // Leave exactly the minimum, then lower it by 1,000 wei: a take may pay only those 1,000 wei,
      // which buy less than one unit (1e-8 WBTC) of collateral.
      await take(f, buyer, auction.auctionId, amountDown(auction.debt - 50n * WAD, 8, auction.startPrice));
      expect((await f.dutchAuction.auctions(auction.auctionId)).debtLeft).to.equal(MIN_DEBT_LEFT);
      await f.vaultEngine.setDust(wbtc, MIN_DEBT_LEFT - 1_000n);
      await expect(
        f.dutchAuction.connect(buyer).take(auction.auctionId, 1n, MAX, buyer.address, "0x"),
      ).to.be.revertedWithCustomError(f.dutchAuction, "ZeroTake");
    });

    it("take_belowResetPriceRatio_revertsNeedsReset", async function () {
      const buyer = f.users[1];
      const auction = await startAuction(f, f.weth);
      // 0.99^68 ≈ 0.505 is above the 50% resetPriceRatio; 0.99^69 ≈ 0.4998 is below it.
      expect(needsReset(f.weth, auction.startPrice, 4_139n)).to.equal(false);
      expect(needsReset(f.weth, auction.startPrice, 4_140n)).to.equal(true);
      await time.increaseTo(auction.startTime + 4_139n);
      expect((await f.dutchAuction.auctionStatus(auction.auctionId)).needsReset).to.equal(false);
      await time.increaseTo(auction.startTime + 4_140n);
      expect((await f.dutchAuction.auctionStatus(auction.auctionId)).needsReset).to.equal(true);
      await expect(f.dutchAuction.connect(buyer).take(auction.auctionId, 1n, MAX, buyer.address, "0x"))
        .to.be.revertedWithCustomError(f.dutchAuction, "AuctionNeedsReset")
        .withArgs(auction.auctionId);
    });

    it("take_pastMaxAuctionAge_revertsNeedsReset", async function () {
      const buyer = f.users[1];
      await f.dutchAuction.setResetPriceRatio(wbtc, 0n);
      const auction = await startAuction(f, f.wbtc);
      const maxAuctionAge = WBTC_AUCTION.maxAuctionAge;
      await time.increaseTo(auction.startTime + maxAuctionAge);
      expect((await f.dutchAuction.auctionStatus(auction.auctionId)).needsReset).to.equal(false);
      await time.increaseTo(auction.startTime + maxAuctionAge + 1n);
      const status = await f.dutchAuction.auctionStatus(auction.auctionId);
      expect(status.needsReset).to.equal(true);
      expect(status.price)
        .to.equal(curvePrice(f.wbtc, auction.startPrice, maxAuctionAge + 1n))
        .and.to.be.gt(0n);
      await expect(f.dutchAuction.connect(buyer).take(auction.auctionId, 1n, MAX, buyer.address, "0x"))
        .to.be.revertedWithCustomError(f.dutchAuction, "AuctionNeedsReset")
        .withArgs(auction.auctionId);
    });

    it("take_partial_paysTheCurvePriceRoundedUpAndShrinksTheVaultsAuctionCollateral", async function () {
      const [, buyer, , , , receiver] = f.users;
      await fund(f, buyer, f.wbtc);
      const auction = await startAuction(f, f.wbtc);
      const vaultBefore = await f.vaultEngine.vaults(auction.vaultId);
      const amount = 12_345_679n; // 0.12345679 WBTC
      const price = await pinAt(auction, f.wbtc, 777n);
      const paid = valueUp(amount, 8, price);
      const stableBefore = await f.stablecoin.balanceOf(buyer.address);
      const [debtBefore, totalBefore] = await debtInAuction(f, wbtc);
      const surplusBefore = await f.vaultEngine.surplus();
      expect(
        await f.dutchAuction.connect(buyer).take.staticCall(auction.auctionId, amount, MAX, receiver.address, "0x", {
          blockTag: "pending",
        }),
      ).to.deep.equal([amount, paid]);
      await expect(f.dutchAuction.connect(buyer).take(auction.auctionId, amount, MAX, receiver.address, "0x"))
        .to.emit(f.dutchAuction, "Take")
        .withArgs(auction.auctionId, buyer.address, receiver.address, amount, paid, price)
        .and.not.to.emit(f.dutchAuction, "AuctionEnded");
      // The collateral goes to the receiver, the payment comes from the caller.
      expect(await f.wbtc.token.balanceOf(receiver.address)).to.equal(amount);
      expect(await f.wbtc.token.balanceOf(buyer.address)).to.equal(0n);
      expect(await f.stablecoin.balanceOf(buyer.address)).to.equal(stableBefore - paid);
      expect(await f.vaultEngine.surplus()).to.equal(surplusBefore + paid * RAY);
      // Only the debt and the collateral left move; the rest of the lot is kept as it was.
      expect(plain(await f.dutchAuction.auctions(auction.auctionId))).to.deep.equal({
        vaultId: auction.vaultId,
        collateral: wbtc,
        collateralLeft: auction.collateral - amount,
        debtLeft: auction.debt - paid,
        startPrice: auction.startPrice,
        startTime: auction.startTime,
        vaultKeepsCollateral: true,
      });
      const vault = await f.vaultEngine.vaults(auction.vaultId);
      expect([vault.inAuction, vault.auctionCollateral, vault.collateralAmount, vault.normalizedDebt]).to.deep.equal([
        true,
        auction.collateral - amount,
        vaultBefore.collateralAmount,
        vaultBefore.normalizedDebt,
      ]);
      expect(await debtInAuction(f, wbtc)).to.deep.equal([debtBefore - paid, totalBefore - paid]);
      await market.expectBooksBalanced(f);
    });

    it("take_leavingLessThanMinDebt_isTrimmedToLeaveExactlyTheMinimum", async function () {
      const buyer = f.users[1];
      await fund(f, buyer, f.weth);
      const auction = await startAuction(f, f.weth);
      const price = await pinAt(auction, f.weth, 30n);
      // Ask for collateral worth all but 50 of the debt: it would leave less than the 100 minimum.
      const asked = divWadDown(auction.debt - 50n * WAD, price);
      expect(asked).to.be.lt(auction.collateral);
      const paid = auction.debt - MIN_DEBT_LEFT;
      const bought = divWadDown(paid, price);
      await expect(f.dutchAuction.connect(buyer).take(auction.auctionId, asked, MAX, buyer.address, "0x"))
        .to.emit(f.dutchAuction, "Take")
        .withArgs(auction.auctionId, buyer.address, buyer.address, bought, paid, price);
      const state = await f.dutchAuction.auctions(auction.auctionId);
      expect(state.debtLeft).to.equal(MIN_DEBT_LEFT);
      expect(state.collateralLeft).to.equal(auction.collateral - bought);
      expect((await f.vaultEngine.vaults(auction.vaultId)).auctionCollateral).to.equal(auction.collateral - bought);
      expect(await debtInAuction(f, weth)).to.deep.equal([MIN_DEBT_LEFT, MIN_DEBT_LEFT]);
      // The buyer never pays less than what the collateral is worth at the price, rounded up.
      expect(paid).to.be.gte(mulWadUp(bought, price));
      await market.expectBooksBalanced(f);
    });

    it("take_partialWithDebtAtTheMinimum_revertsTakeLeavesDust", async function () {
      const buyer = f.users[1];
      await fund(f, buyer, f.weth);
      const auction = await startAuction(f, f.weth);
      await take(f, buyer, auction.auctionId, divWadDown(auction.debt - 50n * WAD, auction.startPrice));
      expect((await f.dutchAuction.auctions(auction.auctionId)).debtLeft).to.equal(MIN_DEBT_LEFT);
      const price = await pinAt(auction, f.weth, 200n);
      await expect(f.dutchAuction.connect(buyer).take(auction.auctionId, 1n, MAX, buyer.address, "0x"))
        .to.be.revertedWithCustomError(f.dutchAuction, "TakeLeavesDust")
        .withArgs(MIN_DEBT_LEFT - mulWadUp(1n, price), MIN_DEBT_LEFT);
      // Covering the whole debt is still allowed.
      await time.setNextBlockTimestamp(auction.startTime + 201n);
      await expect(f.dutchAuction.connect(buyer).take(auction.auctionId, MAX, MAX, buyer.address, "0x")).to.emit(
        f.dutchAuction,
        "AuctionEnded",
      );
    });

    it("take_partialOfALotUnderTheMinimum_revertsTakeLeavesDust", async function () {
      // A lot raising less than the dust from the start (the dust was raised after it started).
      const buyer = f.users[1];
      await fund(f, buyer, f.weth);
      const auction = await startAuction(f, f.weth);
      await f.vaultEngine.setDust(weth, auction.debt + 1n);
      await time.setNextBlockTimestamp(auction.startTime + 10n);
      await expect(f.dutchAuction.connect(buyer).take(auction.auctionId, WAD, MAX, buyer.address, "0x"))
        .to.be.revertedWithCustomError(f.dutchAuction, "TakeLeavesDust")
        .withArgs(auction.debt - mulWadUp(WAD, auction.startPrice), auction.debt + 1n);
      await expect(f.dutchAuction.connect(buyer).take(auction.auctionId, MAX, MAX, buyer.address, "0x"))
        .to.emit(f.dutchAuction, "AuctionEnded")
        .withArgs(auction.auctionId, auction.collateral - divWadDown(auction.debt, auction.startPrice), 0n, 0n);
    });

    it("take_everything_paysExactlyTheDebtAndReturnsTheRestToTheVault", async function () {
      const buyer = f.users[1];
      await fund(f, buyer, f.weth);
      const auction = await startAuction(f, f.weth);
      expect(auction.partial).to.equal(true);
      const vaultBefore = await f.vaultEngine.vaults(auction.vaultId);
      const price = await pinAt(auction, f.weth, 90n);
      const bought = divWadDown(auction.debt, price);
      expect(bought).to.be.lt(auction.collateral);
      const leftover = auction.collateral - bought;
      const stableBefore = await f.stablecoin.balanceOf(buyer.address);
      await expect(f.dutchAuction.connect(buyer).take(auction.auctionId, MAX, MAX, buyer.address, "0x"))
        .to.emit(f.dutchAuction, "Take")
        .withArgs(auction.auctionId, buyer.address, buyer.address, bought, auction.debt, price)
        .and.to.emit(f.dutchAuction, "AuctionEnded")
        .withArgs(auction.auctionId, leftover, 0n, 0n)
        .and.to.emit(f.vaultEngine, "AuctionReturned")
        .withArgs(auction.vaultId, leftover, 0n);
      expect(await f.stablecoin.balanceOf(buyer.address)).to.equal(stableBefore - auction.debt);
      expect(await f.weth.token.balanceOf(buyer.address)).to.equal(bought);
      const vault = await f.vaultEngine.vaults(auction.vaultId);
      expect([vault.inAuction, vault.auctionCollateral, vault.collateralAmount, vault.normalizedDebt]).to.deep.equal([
        false,
        0n,
        vaultBefore.collateralAmount + leftover,
        vaultBefore.normalizedDebt,
      ]);
      expect(plain(await f.dutchAuction.auctions(auction.auctionId))).to.deep.equal(NO_AUCTION);
      expect([...(await f.dutchAuction.auctionStatus(auction.auctionId))]).to.deep.equal([false, 0n, 0n, 0n]);
      expect(await active(f)).to.deep.equal([]);
      expect(await debtInAuction(f, weth)).to.deep.equal([0n, 0n]);
      await market.expectBooksBalanced(f);
    });

    it("take_everythingOfAFullLiquidation_returnsTheLeftoverToTheEmptiedVault", async function () {
      const buyer = f.users[1];
      await fund(f, buyer, f.weth);
      await f.liquidator.setFullLiquidationHealth(weth, WAD);
      const auction = await startAuction(f, f.weth);
      expect(auction.partial).to.equal(false);
      const price = await pinAt(auction, f.weth, 1n);
      const bought = divWadDown(auction.debt, price);
      expect(bought).to.be.lt(auction.collateral);
      const leftover = auction.collateral - bought;
      await expect(f.dutchAuction.connect(buyer).take(auction.auctionId, MAX, MAX, buyer.address, "0x"))
        .to.emit(f.dutchAuction, "AuctionEnded")
        .withArgs(auction.auctionId, leftover, 0n, 0n);
      const vault = await f.vaultEngine.vaults(auction.vaultId);
      expect([vault.inAuction, vault.auctionCollateral, vault.collateralAmount, vault.normalizedDebt]).to.deep.equal([
        false,
        0n,
        leftover,
        0n,
      ]);
      expect(await debtInAuction(f, weth)).to.deep.equal([0n, 0n]);
      await market.expectBooksBalanced(f);
    });

    it("take_exhaustingAPartialLot_returnsTheUnraisedDebtToTheVault", async function () {
      const buyer = f.users[1];
      await fund(f, buyer, f.weth);
      const auction = await startAuction(f, f.weth);
      const vaultBefore = await f.vaultEngine.vaults(auction.vaultId);
      expect(vaultBefore.collateralAmount).to.be.gt(0n);
      // 55 steps down, 1.1·0.99^55 ≈ 0.63 of the oracle price: the lot no longer covers the debt.
      const price = await pinAt(auction, f.weth, 3_300n);
      const paid = mulWadUp(auction.collateral, price);
      expect(paid).to.be.lt(auction.debt);
      const returned = auction.debt - paid;
      const deficitBefore = await f.vaultEngine.deficit();
      const surplusBefore = await f.vaultEngine.surplus();
      const receipt = await take(f, buyer, auction.auctionId, MAX);
      expect(eventsIn(receipt, f.dutchAuction, "AuctionEnded")).to.deep.equal([
        { auctionId: auction.auctionId, collateralReturned: 0n, debtReturned: returned, badDebt: 0n },
      ]);
      expect(eventsIn(receipt, f.vaultEngine, "AuctionReturned")).to.deep.equal([
        { vaultId: auction.vaultId, collateralAmount: 0n, debtReturned: returned },
      ]);
      const vault = await f.vaultEngine.vaults(auction.vaultId);
      const [rate] = await f.vaultEngine.collateralState(weth);
      const added = mulDivUp(returned, RAY, rate);
      expect([vault.inAuction, vault.auctionCollateral, vault.collateralAmount, vault.normalizedDebt]).to.deep.equal([
        false,
        0n,
        vaultBefore.collateralAmount,
        vaultBefore.normalizedDebt + added,
      ]);
      // The debt leaves the deficit; the proceeds and the fees accrued in the same call reach the surplus.
      const fees = eventsIn(receipt, f.vaultEngine, "FeesAccrued").reduce((sum, e) => sum + e.surplusAdded, 0n);
      expect(await f.vaultEngine.deficit()).to.equal(deficitBefore - added * rate);
      expect(await f.vaultEngine.surplus()).to.equal(surplusBefore + paid * RAY + fees);
      expect(plain(await f.dutchAuction.auctions(auction.auctionId))).to.deep.equal(NO_AUCTION);
      expect(await debtInAuction(f, weth)).to.deep.equal([0n, 0n]);
      await market.expectBooksBalanced(f);
    });

    it("take_exhaustingAFullLot_recordsBadDebt", async function () {
      const buyer = f.users[1];
      await fund(f, buyer, f.weth);
      // Health ≈ 0.84: the whole vault goes, and 10 WETH at 1.1·2,200 is worth less than 1.08 × debt.
      const auction = await startAuction(f, f.weth, { price: 2_200n * WAD });
      expect(auction.partial).to.equal(false);
      const vaultBefore = await f.vaultEngine.vaults(auction.vaultId);
      expect([vaultBefore.collateralAmount, vaultBefore.normalizedDebt]).to.deep.equal([0n, 0n]);
      const price = await pinAt(auction, f.weth, 5n);
      const paid = mulWadUp(auction.collateral, price);
      expect(paid).to.be.lt(auction.debt);
      const deficitBefore = await f.vaultEngine.deficit();
      const surplusBefore = await f.vaultEngine.surplus();
      const receipt = await take(f, buyer, auction.auctionId, MAX);
      expect(eventsIn(receipt, f.dutchAuction, "AuctionEnded")).to.deep.equal([
        { auctionId: auction.auctionId, collateralReturned: 0n, debtReturned: 0n, badDebt: auction.debt - paid },
      ]);
      // Bad debt stays in the deficit; only the proceeds reach the surplus.
      expect(await f.vaultEngine.deficit()).to.equal(deficitBefore);
      expect(await f.vaultEngine.surplus()).to.equal(surplusBefore + paid * RAY);
      const vault = await f.vaultEngine.vaults(auction.vaultId);
      expect([vault.inAuction, vault.auctionCollateral, vault.collateralAmount, vault.normalizedDebt]).to.deep.equal([
        false,
        0n,
        0n,
        0n,
      ]);
      expect(await debtInAuction(f, weth)).to.deep.equal([0n, 0n]);
      await market.expectBooksBalanced(f);
    });

    it("take_exhaustingAFullLotAfterAPartialTake_stillRecordsBadDebt", async function () {
      const buyer = f.users[1];
      await fund(f, buyer, f.weth);
      const auction = await startAuction(f, f.weth, { price: 2_200n * WAD });
      expect(auction.partial).to.equal(false);
      const first = await pinAt(auction, f.weth, 5n);
      await take(f, buyer, auction.auctionId, WAD);
      const debtLeft = auction.debt - mulWadUp(WAD, first);
      expect(plain(await f.dutchAuction.auctions(auction.auctionId))).to.deep.equal({
        vaultId: auction.vaultId,
        collateral: weth,
        collateralLeft: auction.collateral - WAD,
        debtLeft,
        startPrice: auction.startPrice,
        startTime: auction.startTime,
        vaultKeepsCollateral: false,
      });
      const second = await pinAt(auction, f.weth, 65n);
      const paid = mulWadUp(auction.collateral - WAD, second);
      expect(paid).to.be.lt(debtLeft);
      const receipt = await take(f, buyer, auction.auctionId, MAX);
      expect(eventsIn(receipt, f.dutchAuction, "AuctionEnded")).to.deep.equal([
        { auctionId: auction.auctionId, collateralReturned: 0n, debtReturned: 0n, badDebt: debtLeft - paid },
      ]);
      expect(await debtInAuction(f, weth)).to.deep.equal([0n, 0n]);
      await market.expectBooksBalanced(f);
    });

    it("take_withCallbackData_sendsTheCollateralCallsOnTakeThenCollects", async function () {
      const buyer = await new MockTakeBuyer__factory(f.governor).deploy(await f.dutchAuction.getAddress());
      const buyerAddress = await buyer.getAddress();
      const funder = f.users[1];
      await fund(f, funder, f.weth);
      const auction = await startAuction(f, f.weth);
      await f.stablecoin.connect(funder).transfer(buyerAddress, 5_000n * WAD);
      const price = await pinAt(auction, f.weth, 65n);
      const tx = await buyer.buy(auction.auctionId, WAD, MAX);
      const paid = mulWadUp(WAD, price);
      await expect(tx)
        .to.emit(f.dutchAuction, "Take")
        .withArgs(auction.auctionId, buyerAddress, buyerAddress, WAD, paid, price);
      expect(await buyer.calls()).to.equal(1n);
      expect(await f.weth.token.balanceOf(buyerAddress)).to.equal(WAD);
      expect(await f.stablecoin.balanceOf(buyerAddress)).to.equal(5_000n * WAD - paid);
      expect((await f.vaultEngine.vaults(auction.vaultId)).auctionCollateral).to.equal(auction.collateral - WAD);
      // Collateral out before the payment is burnt.
      const receipt = (await tx.wait())!;
      const transfers = (token: { target: unknown; interface: Interface }) =>
        receipt.logs.findIndex(
          (log) => log.address === token.target && token.interface.parseLog(log)?.name === "Transfer",
        );
      const collateralOut = transfers(f.weth.token);
      const paymentBurnt = transfers(f.stablecoin);
      expect(collateralOut).to.be.gte(0);
      expect(paymentBurnt).to.be.gt(collateralOut);
      await market.expectBooksBalanced(f);
    });

    it("take_receiverIsTheEngine_revertsForbiddenCallbackTargetWithOrWithoutData", async function () {
      const buyer = f.users[1];
      await fund(f, buyer, f.weth);
      const auction = await startAuction(f, f.weth);
      const engine = await f.vaultEngine.getAddress();
      for (const data of ["0x", "0x01"]) {
        await expect(f.dutchAuction.connect(buyer).take(auction.auctionId, WAD, MAX, engine, data))
          .to.be.revertedWithCustomError(f.dutchAuction, "ForbiddenCallbackTarget")
          .withArgs(engine);
      }
    });

    it("take_callbackToACoreContract_revertsForbiddenCallbackTarget", async function () {
      const buyer = f.users[1];
      await fund(f, buyer, f.weth);
      const auction = await startAuction(f, f.weth);
      const before = plain(await f.dutchAuction.auctions(auction.auctionId));
      const targets = [
        await f.stablecoin.getAddress(),
        await f.oracleHub.getAddress(),
        await f.liquidator.getAddress(),
        await f.accessManager.getAddress(),
        await f.dutchAuction.getAddress(),
        weth,
      ];
      for (const target of targets) {
        await expect(f.dutchAuction.connect(buyer).take(auction.auctionId, WAD, MAX, target, "0x01"))
          .to.be.revertedWithCustomError(f.dutchAuction, "ForbiddenCallbackTarget")
          .withArgs(target);
      }
      expect(plain(await f.dutchAuction.auctions(auction.auctionId))).to.deep.equal(before);
      await market.expectBooksBalanced(f);
    });
  });

  describe("price", function () {
    const offsets = [0n, 1n, 59n, 60n, 61n, 119n, 120n, 599n, 600n, 1_234n, 3_599n, 3_600n, 4_139n, 4_140n];

    for (const [symbol, extra] of [
      ["WETH", [5_555n, 7_199n, 7_200n, 7_201n]],
      ["WBTC", [5_399n, 5_400n, 5_401n, 7_200n, 7_201n, 10_799n, 10_800n, 12_000n]],
    ] as const) {
      it(`auctionStatus_${symbol}_followsItsCurveToTheWei`, async function () {
        const c = symbol === "WETH" ? f.weth : f.wbtc;
        const auction = await startAuction(f, c);
        for (const elapsed of [...offsets, ...extra]) {
          if (elapsed > 0n) await time.increaseTo(auction.startTime + elapsed);
          const status = await f.dutchAuction.auctionStatus(auction.auctionId);
          expect(status.price, `price at +${elapsed}s`).to.equal(curvePrice(c, auction.startPrice, elapsed));
          expect(status.needsReset, `needsReset at +${elapsed}s`).to.equal(needsReset(c, auction.startPrice, elapsed));
          expect([status.collateralLeft, status.debtLeft]).to.deep.equal([auction.collateral, auction.debt]);
        }
      });
    }

    it("take_atAnyTime_usesTheCurvePriceOfItsBlock", async function () {
      const buyer = f.users[1];
      await fund(f, buyer, f.wbtc);
      const auction = await startAuction(f, f.wbtc);
      for (const elapsed of [3n, 333n, 1_001n, 2_500n, 4_321n]) {
        const price = await pinAt(auction, f.wbtc, elapsed);
        const receipt = await take(f, buyer, auction.auctionId, 1_000_000n);
        const [event] = eventsIn(receipt, f.dutchAuction, "Take");
        expect(event.price).to.equal(price);
        expect(event.debtPaid).to.equal(valueUp(1_000_000n, 8, price));
      }
    });
  });
});
