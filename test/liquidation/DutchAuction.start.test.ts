// DutchAuction.start: the auction it opens (keyed by vault id), each way it refuses, and the caps
// on debt in auction as the Liquidator meets them.
import { expect } from "chai";
import { ethers } from "hardhat";
import { WAD, mulWadUp } from "../../keeper/src/math/fixedPoint";
import { LOCAL_INCENTIVE, LOCAL_MAX_TOTAL_DEBT_IN_AUCTION } from "../../scripts/lib/deploy";
import { deploySluiceFixture, type SluiceFixture } from "../helpers/fixtures";
import * as market from "../helpers/market";
import {
  plain,
  MAX,
  WETH_AUCTION,
  WBTC_AUCTION,
  BUF,
  keeperIncentive,
  debtInAuction,
  room,
  owed,
  active,
  liquidate,
  asLiquidator,
  request,
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

  describe("start", function () {
    it("start_notFromTheLiquidator_revertsNotLiquidator", async function () {
      const caller = f.users[2];
      await expect(f.dutchAuction.connect(caller).start(request(f)))
        .to.be.revertedWithCustomError(f.dutchAuction, "NotLiquidator")
        .withArgs(caller.address);
      // The governor is no liquidator either, and the check comes before the breaker's.
      await f.dutchAuction.raiseBreaker(1);
      await expect(f.dutchAuction.start(request(f)))
        .to.be.revertedWithCustomError(f.dutchAuction, "NotLiquidator")
        .withArgs(f.governor.address);
    });

    it("start_afterSetLiquidator_acceptsOnlyTheNewLiquidator", async function () {
      const stand = f.users[8];
      const vaultId = await market.openVault(f, f.users[0], f.weth, 10n * WAD);
      await market.movePrice(f, f.weth, 2_580n * WAD);
      await f.dutchAuction.setLiquidator(stand.address);
      await expect(f.liquidator.liquidate(vaultId, f.users[9].address))
        .to.be.revertedWithCustomError(f.dutchAuction, "NotLiquidator")
        .withArgs(await f.liquidator.getAddress());
      await expect(f.dutchAuction.connect(stand).start(request(f, { vaultId: 42n })))
        .to.emit(f.dutchAuction, "AuctionStarted")
        .withArgs(42n, f.users[9].address, 1_000n * WAD, mulWadUp(2_000n * WAD, BUF), keeperIncentive(1_000n * WAD));
    });

    it("start_breakerAtAnyLevel_revertsBreakerTripped", async function () {
      const liquidator = await asLiquidator(f);
      for (const level of [1, 2, 3]) {
        await f.dutchAuction.raiseBreaker(level);
        await expect(f.dutchAuction.connect(liquidator).start(request(f)))
          .to.be.revertedWithCustomError(f.dutchAuction, "BreakerTripped")
          .withArgs(level);
      }
      await f.dutchAuction.lowerBreaker(0);
      await expect(f.dutchAuction.connect(liquidator).start(request(f))).to.emit(f.dutchAuction, "AuctionStarted");
    });

    it("start_emptyLot_revertsEmptyAuction", async function () {
      const liquidator = await asLiquidator(f);
      for (const change of [{ collateralAmount: 0n }, { debtToRaise: 0n }, { collateralAmount: 0n, debtToRaise: 0n }]) {
        await expect(f.dutchAuction.connect(liquidator).start(request(f, change))).to.be.revertedWithCustomError(
          f.dutchAuction,
          "EmptyAuction",
        );
      }
    });

    it("start_unlistedCollateral_revertsCollateralNotListed", async function () {
      const liquidator = await asLiquidator(f);
      const token = ethers.Wallet.createRandom().address;
      await expect(f.dutchAuction.connect(liquidator).start(request(f, { collateral: token })))
        .to.be.revertedWithCustomError(f.dutchAuction, "CollateralNotListed")
        .withArgs(token);
    });

    it("start_vaultWithARunningAuction_revertsAuctionActive", async function () {
      const liquidator = await asLiquidator(f);
      await f.dutchAuction.connect(liquidator).start(request(f, { vaultId: 5n }));
      await expect(f.dutchAuction.connect(liquidator).start(request(f, { vaultId: 5n, collateral: wbtc })))
        .to.be.revertedWithCustomError(f.dutchAuction, "AuctionActive")
        .withArgs(5n);
      // Another vault is free to start.
      await f.dutchAuction.connect(liquidator).start(request(f, { vaultId: 6n }));
      expect(await debtInAuction(f, weth)).to.deep.equal([2_000n * WAD, 2_000n * WAD]);
    });

    it("start_seizedLot_storesTheAuctionUnderTheVaultIdAndCountsItsDebt", async function () {
      const keeper = f.users[9];
      const vaultId = await market.openVault(f, f.users[0], f.weth, 10n * WAD, 50n);
      const liquidator = await asLiquidator(f);
      const stored = await f.vaultEngine.vaults(vaultId);
      await f.vaultEngine.connect(liquidator).seize(vaultId, 4n * WAD, stored.normalizedDebt / 2n);
      const debt = 7_000n * WAD;
      const startRequest = request(f, { vaultId, collateralAmount: 4n * WAD, debtToRaise: debt, price: 3_000n * WAD });
      const incentive = keeperIncentive(debt);
      expect(incentive).to.equal(27n * WAD);
      expect(await f.dutchAuction.connect(liquidator).start.staticCall(startRequest)).to.equal(incentive);
      const tx = await f.dutchAuction.connect(liquidator).start(startRequest);
      const receipt = (await tx.wait())!;
      const startPrice = mulWadUp(3_000n * WAD, BUF);
      await expect(tx)
        .to.emit(f.dutchAuction, "AuctionStarted")
        .withArgs(vaultId, keeper.address, debt, startPrice, incentive);
      const startTime = BigInt((await ethers.provider.getBlock(receipt.blockNumber))!.timestamp);
      expect(plain(await f.dutchAuction.auctions(vaultId))).to.deep.equal({
        vaultId,
        collateral: weth,
        collateralLeft: 4n * WAD,
        debtLeft: debt,
        startPrice,
        startTime,
        vaultKeepsCollateral: true,
      });
      expect(await active(f)).to.deep.equal([vaultId]);
      expect(await debtInAuction(f, weth)).to.deep.equal([debt, debt]);
      expect(await debtInAuction(f, wbtc)).to.deep.equal([0n, debt]);
      expect(await room(f, weth)).to.deep.equal([
        WETH_AUCTION.maxDebtInAuction - debt,
        LOCAL_MAX_TOTAL_DEBT_IN_AUCTION - debt,
      ]);
      expect(await room(f, wbtc)).to.deep.equal([
        WBTC_AUCTION.maxDebtInAuction,
        LOCAL_MAX_TOTAL_DEBT_IN_AUCTION - debt,
      ]);
      expect(await owed(f, keeper.address)).to.deep.equal([incentive, incentive]);
      // Nothing is minted when an auction starts.
      expect(await f.stablecoin.balanceOf(keeper.address)).to.equal(0n);
      await market.expectBooksBalanced(f);
    });

    it("start_collateralLeft_isReadFromTheEngineNotTheRequest", async function () {
      const vaultId = await market.openVault(f, f.users[0], f.weth, 10n * WAD, 0n);
      const liquidator = await asLiquidator(f);
      await f.vaultEngine.connect(liquidator).seize(vaultId, 3n * WAD, 0n);
      await f.dutchAuction.connect(liquidator).start(request(f, { vaultId, collateralAmount: 9n * WAD }));
      const auction = await f.dutchAuction.auctions(vaultId);
      expect([auction.collateral, auction.collateralLeft]).to.deep.equal([weth, 3n * WAD]);
      expect((await f.dutchAuction.auctionStatus(vaultId)).collateralLeft).to.equal(3n * WAD);
    });

    it("start_overTheCollateralCap_revertsNoAuctionRoomWithTheRoomLeft", async function () {
      const liquidator = await asLiquidator(f);
      const cap = 1_000n * WAD;
      await f.dutchAuction.setMaxDebtInAuction(weth, cap);
      await expect(f.dutchAuction.connect(liquidator).start(request(f, { debtToRaise: cap + 1n })))
        .to.be.revertedWithCustomError(f.dutchAuction, "NoAuctionRoom")
        .withArgs(weth, cap + 1n, cap);
      await f.dutchAuction.connect(liquidator).start(request(f, { vaultId: 1n, debtToRaise: 600n * WAD }));
      expect(await room(f, weth)).to.deep.equal([400n * WAD, LOCAL_MAX_TOTAL_DEBT_IN_AUCTION - 600n * WAD]);
      await expect(f.dutchAuction.connect(liquidator).start(request(f, { vaultId: 2n, debtToRaise: 400n * WAD + 1n })))
        .to.be.revertedWithCustomError(f.dutchAuction, "NoAuctionRoom")
        .withArgs(weth, 400n * WAD + 1n, 400n * WAD);
      // A lot that fills the cap exactly fits; then nothing more does.
      await f.dutchAuction.connect(liquidator).start(request(f, { vaultId: 2n, debtToRaise: 400n * WAD }));
      expect(await room(f, weth)).to.deep.equal([0n, LOCAL_MAX_TOTAL_DEBT_IN_AUCTION - cap]);
      await expect(f.dutchAuction.connect(liquidator).start(request(f, { vaultId: 3n, debtToRaise: 1n })))
        .to.be.revertedWithCustomError(f.dutchAuction, "NoAuctionRoom")
        .withArgs(weth, 1n, 0n);
      // Another collateral has room of its own.
      await f.dutchAuction.connect(liquidator).start(request(f, { vaultId: 3n, collateral: wbtc }));
      expect(await debtInAuction(f, weth)).to.deep.equal([cap, cap + 1_000n * WAD]);
    });

    it("start_overTheGlobalCap_revertsNoAuctionRoomWithTheRoomLeft", async function () {
      const liquidator = await asLiquidator(f);
      const cap = 500n * WAD;
      await f.dutchAuction.setMaxTotalDebtInAuction(cap);
      await f.dutchAuction
        .connect(liquidator)
        .start(request(f, { vaultId: 1n, collateral: wbtc, debtToRaise: 300n * WAD }));
      expect(await room(f, weth)).to.deep.equal([WETH_AUCTION.maxDebtInAuction, 200n * WAD]);
      // The WBTC auction counts against the global cap of a WETH lot.
      await expect(f.dutchAuction.connect(liquidator).start(request(f, { vaultId: 2n, debtToRaise: 200n * WAD + 1n })))
        .to.be.revertedWithCustomError(f.dutchAuction, "NoAuctionRoom")
        .withArgs(weth, 200n * WAD + 1n, 200n * WAD);
      await f.dutchAuction.connect(liquidator).start(request(f, { vaultId: 2n, debtToRaise: 200n * WAD }));
      expect(await debtInAuction(f, weth)).to.deep.equal([200n * WAD, cap]);
      expect(await room(f, wbtc)).to.deep.equal([WBTC_AUCTION.maxDebtInAuction - 300n * WAD, 0n]);
    });

    it("room_capsLoweredBelowTheDebtInAuction_isZeroNotAnUnderflow", async function () {
      const liquidator = await asLiquidator(f);
      await f.dutchAuction.connect(liquidator).start(request(f, { debtToRaise: 1_000n * WAD }));
      await f.dutchAuction.setMaxDebtInAuction(weth, 400n * WAD);
      expect(await room(f, weth)).to.deep.equal([0n, LOCAL_MAX_TOTAL_DEBT_IN_AUCTION - 1_000n * WAD]);
      await f.dutchAuction.setMaxTotalDebtInAuction(999n * WAD);
      expect(await room(f, weth)).to.deep.equal([0n, 0n]);
      expect(await room(f, wbtc)).to.deep.equal([WBTC_AUCTION.maxDebtInAuction, 0n]);
      await expect(
        f.dutchAuction.connect(liquidator).start(request(f, { vaultId: 2n, collateral: wbtc, debtToRaise: 1n })),
      )
        .to.be.revertedWithCustomError(f.dutchAuction, "NoAuctionRoom")
        .withArgs(wbtc, 1n, 0n);
    });

    it("start_incentive_isTheKeeperIncentiveOnTheSmallerOfDebtAndLotValueCappedByTheRequestsMax", async function () {
      const liquidator = await asLiquidator(f);
      const keeper = f.users[7].address;
      const cases = [
        // [debt to raise, collateral at 2,000, the Liquidator's cap, incentive]
        [1_000n * WAD, WAD, MAX, 21n * WAD],
        [1_000n * WAD, WAD, 7n * WAD, 7n * WAD],
        [1_000n * WAD, WAD, 21n * WAD, 21n * WAD],
        [10_000_000n * WAD, 10_000n * WAD, MAX, 5_000n * WAD],
        // The lot is worth 2,000, not 1,000,000: the incentive is on 2,000.
        [1_000_000n * WAD, WAD, MAX, 22n * WAD],
        // A lot worth 99.999… (under the dust of 100) earns nothing, whatever its debt.
        [1_000n * WAD, WAD / 20n - 1n, MAX, 0n],
        [1_000n * WAD, WAD, 0n, 0n],
      ] as const;
      let total = 0n;
      for (const [i, [debtToRaise, collateralAmount, maxIncentive, incentive]] of cases.entries()) {
        const startRequest = request(f, {
          vaultId: BigInt(i + 1),
          debtToRaise,
          collateralAmount,
          keeper,
          maxIncentive,
        });
        expect(await f.dutchAuction.connect(liquidator).start.staticCall(startRequest)).to.equal(incentive);
        await expect(f.dutchAuction.connect(liquidator).start(startRequest))
          .to.emit(f.dutchAuction, "AuctionStarted")
          .withArgs(BigInt(i + 1), keeper, debtToRaise, mulWadUp(2_000n * WAD, BUF), incentive);
        total += incentive;
        expect(await owed(f, keeper), `after case ${i}`).to.deep.equal([total, total]);
      }
    });

    it("start_withZeroMaxIncentiveParam_owesNothing", async function () {
      const liquidator = await asLiquidator(f);
      await f.dutchAuction.setIncentiveParams({ ...LOCAL_INCENTIVE, maxIncentive: 0n });
      const keeper = f.users[7].address;
      await expect(f.dutchAuction.connect(liquidator).start(request(f, { keeper })))
        .to.emit(f.dutchAuction, "AuctionStarted")
        .withArgs(1n, keeper, 1_000n * WAD, mulWadUp(2_000n * WAD, BUF), 0n);
      expect(await owed(f, keeper)).to.deep.equal([0n, 0n]);
      await expect(f.dutchAuction.connect(f.users[7]).claimIncentives(keeper))
        .to.be.revertedWithCustomError(f.dutchAuction, "NothingToClaim")
        .withArgs(keeper);
    });

    it("liquidate_throughTheLiquidator_startsUnderTheVaultIdAndOwesTheKeeper", async function () {
      const keeper = f.users[9];
      const vaultId = await market.openVault(f, f.users[0], f.weth, 10n * WAD);
      await market.movePrice(f, f.weth, 2_580n * WAD);
      expect(await f.liquidator.connect(keeper).liquidate.staticCall(vaultId, keeper.address)).to.equal(vaultId);
      const vaultBefore = await f.vaultEngine.vaults(vaultId);
      const auction = await liquidate(f, vaultId, keeper);
      expect(auction.auctionId).to.equal(vaultId);
      expect(auction.keeper).to.equal(keeper.address);
      // The Liquidator's cap (half the penalty on the seized debt) is far above the keeper incentive here.
      expect(auction.incentive).to.equal(keeperIncentive(auction.debt));
      expect(await owed(f, keeper.address)).to.deep.equal([auction.incentive, auction.incentive]);
      const [oraclePrice] = await f.oracleHub.priceState(weth);
      expect(auction.startPrice).to.equal(mulWadUp(oraclePrice, BUF));
      const vault = await f.vaultEngine.vaults(vaultId);
      expect([vault.inAuction, vault.auctionCollateral, vault.collateralAmount]).to.deep.equal([
        true,
        auction.collateral,
        vaultBefore.collateralAmount - auction.collateral,
      ]);
      expect(await debtInAuction(f, weth)).to.deep.equal([auction.debt, auction.debt]);
      await market.expectBooksBalanced(f);
    });

    it("liquidate_byTheVaultsOwner_owesNoIncentive", async function () {
      const owner = f.users[0];
      const vaultId = await market.openVault(f, owner, f.weth, 10n * WAD);
      await market.movePrice(f, f.weth, 2_580n * WAD);
      const auction = await liquidate(f, vaultId, owner);
      expect(auction.incentive).to.equal(0n);
      expect(await owed(f, owner.address)).to.deep.equal([0n, 0n]);
    });
  });

  describe("caps through the Liquidator", function () {
    it("liquidate_withNoRoomUnderTheCap_revertsTheLiquidatorsNoAuctionRoom", async function () {
      const vaultId = await market.openVault(f, f.users[0], f.weth, 10n * WAD);
      await market.movePrice(f, f.weth, 2_580n * WAD);
      await f.dutchAuction.setMaxDebtInAuction(weth, 0n);
      await expect(f.liquidator.liquidate(vaultId, f.users[9].address))
        .to.be.revertedWithCustomError(f.liquidator, "NoAuctionRoom")
        .withArgs(weth, (debtToRaise: bigint) => debtToRaise > 0n, 0n);
    });

    it("liquidate_withLessCollateralRoomThanTheSlice_isCutToFitUnderTheCap", async function () {
      const vaultId = await market.openVault(f, f.users[0], f.weth, 10n * WAD);
      await market.movePrice(f, f.weth, 2_580n * WAD);
      // 1.08 · 5,000: the cut slice is exactly 5,000.
      const cap = 5_400n * WAD;
      await f.dutchAuction.setMaxDebtInAuction(weth, cap);
      await f.liquidator.liquidate(vaultId, f.users[9].address);
      const auction = await f.dutchAuction.auctions(vaultId);
      expect(auction.debtLeft).to.be.lte(cap);
      expect(auction.debtLeft).to.be.gte(cap - 2n);
      expect(await room(f, weth)).to.deep.equal([
        cap - auction.debtLeft,
        LOCAL_MAX_TOTAL_DEBT_IN_AUCTION - auction.debtLeft,
      ]);
    });

    it("liquidate_withLessGlobalRoomThanTheSlice_isCutToFitUnderTheCap", async function () {
      const vaultId = await market.openVault(f, f.users[0], f.weth, 10n * WAD);
      await market.movePrice(f, f.weth, 2_580n * WAD);
      const cap = 6_123_456_789n * 10n ** 12n + 17n;
      await f.dutchAuction.setMaxTotalDebtInAuction(cap);
      await f.liquidator.liquidate(vaultId, f.users[9].address);
      const auction = await f.dutchAuction.auctions(vaultId);
      expect(auction.debtLeft).to.be.lte(cap);
      expect(auction.debtLeft).to.be.gte(cap - 2n);
      expect(await debtInAuction(f, weth)).to.deep.equal([auction.debtLeft, auction.debtLeft]);
    });

    it("liquidateBatch_withLessRoomThanTheSlice_cutsTheLiquidationWithoutRevertingTheBatch", async function () {
      const [alice, bob] = f.users;
      const first = await market.openVault(f, alice, f.weth, 10n * WAD);
      const second = await market.openVault(f, bob, f.weth, 10n * WAD);
      await market.movePrice(f, f.weth, 2_580n * WAD);
      const cap = 5_400n * WAD;
      await f.dutchAuction.setMaxDebtInAuction(weth, cap);
      // The first vault is cut to the cap; no room is left for the second, which is skipped.
      const ids = await f.liquidator.liquidateBatch.staticCall([first, second], f.users[9].address);
      expect([...ids]).to.deep.equal([first, 0n]);
      await f.liquidator.liquidateBatch([first, second], f.users[9].address);
      const [collateralDebt] = await f.dutchAuction.debtInAuction(weth);
      expect(collateralDebt).to.be.lte(cap);
      expect(collateralDebt).to.be.gte(cap - 2n);
      expect(await active(f)).to.deep.equal([first]);
    });
  });
});
