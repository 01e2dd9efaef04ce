// DutchAuction views: the auction records, the active list, and prices and needs-reset as read.
import { expect } from "chai";
import { WAD, mulWadUp } from "../../keeper/src/math/fixedPoint";
import { deploySluiceFixture, type SluiceFixture } from "../helpers/fixtures";
import * as market from "../helpers/market";
import {
  plain,
  MAX,
  WETH_SPEC,
  WBTC_SPEC,
  BUF,
  NO_AUCTION,
  debtInAuction,
  active,
  fund,
  startAuction,
  liquidate,
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

  describe("views", function () {
    it("auctions_afterStart_storeTheLotUnderTheVaultId", async function () {
      const auction = await startAuction(f, f.weth);
      const [oraclePrice] = await f.oracleHub.priceState(weth);
      const vault = await f.vaultEngine.vaults(auction.vaultId);
      expect(plain(await f.dutchAuction.auctions(auction.auctionId))).to.deep.equal({
        vaultId: auction.vaultId,
        collateral: weth,
        collateralLeft: vault.auctionCollateral,
        debtLeft: auction.debt,
        startPrice: mulWadUp(oraclePrice, BUF),
        startTime: auction.startTime,
        // startAuction liquidates part of a vault, which keeps collateral of its own.
        vaultKeepsCollateral: true,
      });
      expect(vault.auctionCollateral).to.equal(auction.collateral);
      expect(auction.auctionId).to.equal(auction.vaultId);
    });

    it("auctions_fullLiquidation_doesNotLetTheVaultKeepCollateral", async function () {
      const auction = await startAuction(f, f.weth, { price: 2_200n * WAD });
      expect((await f.dutchAuction.auctions(auction.auctionId)).vaultKeepsCollateral).to.equal(false);
    });

    it("auctionsAndAuctionStatus_noAuction_areAllZero", async function () {
      expect([...(await f.dutchAuction.auctionStatus(1n))]).to.deep.equal([false, 0n, 0n, 0n]);
      expect(plain(await f.dutchAuction.auctions(1n))).to.deep.equal(NO_AUCTION);
      // A vault that exists but was never liquidated.
      const vaultId = await market.openVault(f, f.users[0], f.weth, WAD, 0n);
      expect(plain(await f.dutchAuction.auctions(vaultId))).to.deep.equal(NO_AUCTION);
    });

    it("activeAuctions_andDebtInAuction_trackRunningAuctionsByVaultId", async function () {
      const [alice, bob, carol, dave, buyer] = f.users;
      expect(await active(f)).to.deep.equal([]);
      const first = await market.openVault(f, alice, f.weth, 10n * WAD);
      const healthy = await market.openVault(f, dave, f.weth, 10n * WAD, 50n);
      const second = await market.openVault(f, bob, f.weth, 10n * WAD);
      await fund(f, buyer, f.weth);
      const third = await market.openVault(f, carol, f.weth, 10n * WAD);
      await market.movePrice(f, f.weth, 2_580n * WAD);
      const auctions = [await liquidate(f, third), await liquidate(f, first), await liquidate(f, second)];
      expect(auctions.map((a) => a.auctionId)).to.deep.equal([third, first, second]);
      expect(await active(f)).to.deep.equal([first, second, third]);
      expect(healthy).to.equal(2n);
      const total = auctions.reduce((sum, a) => sum + a.debt, 0n);
      expect(await debtInAuction(f, weth)).to.deep.equal([total, total]);
      expect(await debtInAuction(f, wbtc)).to.deep.equal([0n, total]);
      await take(f, buyer, second, MAX);
      expect(await active(f)).to.deep.equal([first, third]);
      const rest = total - auctions[2].debt;
      expect(await debtInAuction(f, weth)).to.deep.equal([rest, rest]);
      await market.expectBooksBalanced(f);
    });

    it("liquidate_afterItsAuctionEnded_startsANewAuctionUnderTheSameId", async function () {
      const buyer = f.users[1];
      const auction = await startAuction(f, f.weth);
      await fund(f, buyer, f.weth);
      await take(f, buyer, auction.auctionId, MAX);
      expect(plain(await f.dutchAuction.auctions(auction.vaultId))).to.deep.equal(NO_AUCTION);
      await market.movePrice(f, f.weth, 2_000n * WAD);
      const again = await liquidate(f, auction.vaultId);
      expect(again.auctionId).to.equal(auction.vaultId);
      expect(again.startTime).to.be.gt(auction.startTime);
      const [oraclePrice] = await f.oracleHub.priceState(weth);
      const vault = await f.vaultEngine.vaults(auction.vaultId);
      expect(plain(await f.dutchAuction.auctions(auction.vaultId))).to.deep.equal({
        vaultId: auction.vaultId,
        collateral: weth,
        collateralLeft: again.collateral,
        debtLeft: again.debt,
        startPrice: mulWadUp(oraclePrice, BUF),
        startTime: again.startTime,
        vaultKeepsCollateral: vault.collateralAmount > 0n,
      });
      expect(vault.auctionCollateral).to.equal(again.collateral);
      expect(await active(f)).to.deep.equal([auction.vaultId]);
      expect(await debtInAuction(f, weth)).to.deep.equal([again.debt, again.debt]);
      await market.expectBooksBalanced(f);
    });

    it("auctionParams_listedCollateral_areTheDeployedOnes", async function () {
      for (const [c, spec] of [
        [f.weth, WETH_SPEC],
        [f.wbtc, WBTC_SPEC],
      ] as const) {
        const params = await f.dutchAuction.auctionParams(await c.token.getAddress());
        expect([
          params.startPriceFactor,
          params.maxAuctionAge,
          params.resetPriceRatio,
          params.maxDebtInAuction,
        ]).to.deep.equal([
          spec.auction!.startPriceFactor,
          spec.auction!.maxAuctionAge,
          spec.auction!.resetPriceRatio,
          spec.auction!.maxDebtInAuction,
        ]);
        expect(await f.dutchAuction.dust(await c.token.getAddress())).to.equal(spec.dust);
      }
    });
  });
});
