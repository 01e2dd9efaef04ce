// DutchAuction.reset: when an auction may restart, and what a restart does to its price and lot.
import { expect } from "chai";
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { WAD, divWadDown, mulWadUp } from "../../keeper/src/math/fixedPoint";
import { deploySluiceFixture, type SluiceFixture } from "../helpers/fixtures";
import * as market from "../helpers/market";
import {
  plain,
  MAX,
  WBTC_AUCTION,
  MIN_DEBT_LEFT,
  BUF,
  keeperIncentive,
  curvePrice,
  eventsIn,
  debtInAuction,
  owed,
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

  describe("reset", function () {
    it("reset_freshAuction_revertsNotStale", async function () {
      const auction = await startAuction(f, f.weth);
      await expect(f.dutchAuction.reset(auction.auctionId, f.users[1].address))
        .to.be.revertedWithCustomError(f.dutchAuction, "AuctionNotStale")
        .withArgs(auction.auctionId);
    });

    it("reset_unknownOrEndedAuction_revertsNotActive", async function () {
      await expect(f.dutchAuction.reset(3n, f.users[1].address))
        .to.be.revertedWithCustomError(f.dutchAuction, "AuctionNotActive")
        .withArgs(3n);
      const buyer = f.users[1];
      await fund(f, buyer, f.weth);
      const auction = await startAuction(f, f.weth);
      await take(f, buyer, auction.auctionId, MAX);
      await time.increaseTo(auction.startTime + 4_200n);
      await expect(f.dutchAuction.reset(auction.auctionId, f.users[1].address))
        .to.be.revertedWithCustomError(f.dutchAuction, "AuctionNotActive")
        .withArgs(auction.auctionId);
    });

    it("reset_zeroKeeper_reverts", async function () {
      const auction = await startAuction(f, f.weth);
      await time.increaseTo(auction.startTime + 4_200n);
      await market.setPrice(f, f.weth, 2_500n * WAD);
      await expect(f.dutchAuction.reset(auction.auctionId, ethers.ZeroAddress)).to.be.revertedWithCustomError(
        f.dutchAuction,
        "ZeroAddress",
      );
    });

    it("reset_staleOracle_reverts", async function () {
      const auction = await startAuction(f, f.weth);
      await time.increaseTo(auction.startTime + 4_200n);
      await expect(f.dutchAuction.reset(auction.auctionId, f.users[1].address)).to.be.revertedWithCustomError(
        f.oracleHub,
        "StalePrice",
      );
    });

    it("reset_belowResetPriceRatio_restartsAtOraclePriceTimesStartPriceFactorAndOwesTheKeeper", async function () {
      const keeper = f.users[1];
      const auction = await startAuction(f, f.weth);
      await time.increaseTo(auction.startTime + 4_000n);
      await market.setPrice(f, f.weth, 2_500n * WAD);
      const oraclePrice = await f.oracleHub.price(weth);
      expect(oraclePrice).to.equal(2_500n * WAD);
      const startPrice = mulWadUp(oraclePrice, BUF);
      const incentive = keeperIncentive(auction.debt);
      // Stale from the first second below the resetPriceRatio, not before.
      await time.setNextBlockTimestamp(auction.startTime + 4_139n);
      await expect(f.dutchAuction.connect(f.users[2]).reset(auction.auctionId, keeper.address))
        .to.be.revertedWithCustomError(f.dutchAuction, "AuctionNotStale")
        .withArgs(auction.auctionId);
      const resetTime = auction.startTime + 4_140n;
      await time.setNextBlockTimestamp(resetTime);
      await expect(f.dutchAuction.connect(f.users[2]).reset(auction.auctionId, keeper.address))
        .to.emit(f.dutchAuction, "AuctionReset")
        .withArgs(auction.auctionId, keeper.address, startPrice, incentive);
      // Owed, not minted.
      expect(await f.stablecoin.balanceOf(keeper.address)).to.equal(0n);
      expect(await owed(f, keeper.address)).to.deep.equal([incentive, incentive]);
      expect(plain(await f.dutchAuction.auctions(auction.auctionId))).to.deep.equal({
        vaultId: auction.vaultId,
        collateral: weth,
        collateralLeft: auction.collateral,
        debtLeft: auction.debt,
        startPrice,
        startTime: resetTime,
        vaultKeepsCollateral: true,
      });
      const status = await f.dutchAuction.auctionStatus(auction.auctionId);
      expect([status.needsReset, status.price]).to.deep.equal([false, startPrice]);
      expect(await debtInAuction(f, weth)).to.deep.equal([auction.debt, auction.debt]);
      await market.expectBooksBalanced(f);
    });

    it("reset_pastMaxAuctionAge_restartsTheLinearAuctionWhateverItsPrice", async function () {
      const keeper = f.users[1];
      await f.dutchAuction.setResetPriceRatio(wbtc, 0n);
      const auction = await startAuction(f, f.wbtc);
      const maxAuctionAge = WBTC_AUCTION.maxAuctionAge;
      await time.increaseTo(auction.startTime + maxAuctionAge - 100n);
      await market.setPrice(f, f.wbtc, 48_000n * WAD);
      // At the maxAuctionAge the auction still runs, a second later it is stale though its price is not zero.
      await time.setNextBlockTimestamp(auction.startTime + maxAuctionAge);
      await expect(f.dutchAuction.reset(auction.auctionId, keeper.address))
        .to.be.revertedWithCustomError(f.dutchAuction, "AuctionNotStale")
        .withArgs(auction.auctionId);
      expect(curvePrice(f.wbtc, auction.startPrice, maxAuctionAge + 1n)).to.be.gt(0n);
      const startPrice = mulWadUp(48_000n * WAD, WBTC_AUCTION.startPriceFactor);
      await time.setNextBlockTimestamp(auction.startTime + maxAuctionAge + 1n);
      expect(
        await f.dutchAuction.reset.staticCall(auction.auctionId, keeper.address, { blockTag: "pending" }),
      ).to.equal(startPrice);
      await expect(f.dutchAuction.reset(auction.auctionId, keeper.address))
        .to.emit(f.dutchAuction, "AuctionReset")
        .withArgs(auction.auctionId, keeper.address, startPrice, keeperIncentive(auction.debt));
      const state = await f.dutchAuction.auctions(auction.auctionId);
      expect([state.startPrice, state.startTime]).to.deep.equal([startPrice, auction.startTime + maxAuctionAge + 1n]);
    });

    it("reset_afterAPartialTake_owesTheIncentiveOnTheDebtLeft", async function () {
      const [, buyer] = f.users;
      const keeper = f.users[8];
      await fund(f, buyer, f.weth);
      const auction = await startAuction(f, f.weth);
      const price = await pinAt(auction, f.weth, 10n);
      await take(f, buyer, auction.auctionId, 2n * WAD);
      const debtLeft = auction.debt - mulWadUp(2n * WAD, price);
      expect((await f.dutchAuction.auctions(auction.auctionId)).debtLeft).to.equal(debtLeft);
      await time.increaseTo(auction.startTime + 4_200n);
      await market.setPrice(f, f.weth, 2_500n * WAD);
      const incentive = keeperIncentive(debtLeft);
      expect(incentive).to.not.equal(keeperIncentive(auction.debt));
      const startPrice = mulWadUp(2_500n * WAD, BUF);
      const tx = await f.dutchAuction.reset(auction.auctionId, keeper.address);
      await expect(tx)
        .to.emit(f.dutchAuction, "AuctionReset")
        .withArgs(auction.auctionId, keeper.address, startPrice, incentive);
      expect(await owed(f, keeper.address)).to.deep.equal([incentive, incentive]);
      const resetTime = BigInt((await ethers.provider.getBlock((await tx.wait())!.blockNumber))!.timestamp);
      expect(plain(await f.dutchAuction.auctions(auction.auctionId))).to.deep.equal({
        vaultId: auction.vaultId,
        collateral: weth,
        collateralLeft: auction.collateral - 2n * WAD,
        debtLeft,
        startPrice,
        startTime: resetTime,
        vaultKeepsCollateral: true,
      });
    });

    it("reset_debtLeftUnderTheDust_owesNothingAndAtTheDustOwesTheIncentive", async function () {
      const [, buyer] = f.users;
      const keeper = f.users[8];
      await fund(f, buyer, f.weth);
      const auction = await startAuction(f, f.weth);
      // Trim the auction down to exactly the minimum left.
      await take(f, buyer, auction.auctionId, divWadDown(auction.debt - 50n * WAD, auction.startPrice));
      expect((await f.dutchAuction.auctions(auction.auctionId)).debtLeft).to.equal(MIN_DEBT_LEFT);
      await time.increaseTo(auction.startTime + 4_200n);
      await market.setPrice(f, f.weth, 2_500n * WAD);
      const startPrice = mulWadUp(2_500n * WAD, BUF);

      // Raise the dust above the debt left: a dust-sized auction earns nothing.
      await f.vaultEngine.setDust(weth, MIN_DEBT_LEFT + 1n);
      const first = (await (await f.dutchAuction.reset(auction.auctionId, keeper.address)).wait())!;
      expect(eventsIn(first, f.dutchAuction, "AuctionReset")).to.deep.equal([
        { auctionId: auction.auctionId, keeper: keeper.address, startPrice, incentive: 0n },
      ]);
      expect(await owed(f, keeper.address)).to.deep.equal([0n, 0n]);
      const firstReset = BigInt((await ethers.provider.getBlock(first.blockNumber))!.timestamp);

      // Back to the minimum exactly: it earns the incentive again.
      await time.increaseTo(firstReset + 4_200n);
      await market.setPrice(f, f.weth, 2_500n * WAD);
      await f.vaultEngine.setDust(weth, MIN_DEBT_LEFT);
      const incentive = keeperIncentive(MIN_DEBT_LEFT);
      expect(incentive).to.equal(20n * WAD + WAD / 10n);
      await expect(f.dutchAuction.reset(auction.auctionId, keeper.address))
        .to.emit(f.dutchAuction, "AuctionReset")
        .withArgs(auction.auctionId, keeper.address, startPrice, incentive);
      expect(await owed(f, keeper.address)).to.deep.equal([incentive, incentive]);
      expect(await f.stablecoin.balanceOf(keeper.address)).to.equal(0n);
      await market.expectBooksBalanced(f);
    });
  });
});
