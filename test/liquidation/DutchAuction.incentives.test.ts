// DutchAuction keeper incentives: owed at start and reset, minted on claim against the surplus or
// the deficit.
import { expect } from "chai";
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { RAY, WAD } from "../../keeper/src/math/fixedPoint";
import { deploySluiceFixture, type SluiceFixture } from "../helpers/fixtures";
import * as market from "../helpers/market";
import { keeperIncentive, owed, expectDebtIdentity, fund, startAuction, liquidate, take } from "../helpers/auction";

describe("DutchAuction", function () {
  let f: SluiceFixture;

  beforeEach(async function () {
    f = await deploySluiceFixture();
  });

  describe("incentives", function () {
    it("incentivesOwed_addsUpOverAuctionsAndResets", async function () {
      const [alice, bob] = f.users;
      const keeper = f.users[9];
      expect(await owed(f, keeper.address)).to.deep.equal([0n, 0n]);
      const first = await market.openVault(f, alice, f.weth, 10n * WAD);
      const second = await market.openVault(f, bob, f.weth, 5n * WAD);
      await market.movePrice(f, f.weth, 2_580n * WAD);
      const a = await liquidate(f, first, keeper);
      const b = await liquidate(f, second, keeper);
      expect(a.incentive).to.equal(keeperIncentive(a.debt));
      expect(b.incentive).to.equal(keeperIncentive(b.debt));
      expect(await owed(f, keeper.address)).to.deep.equal([a.incentive + b.incentive, a.incentive + b.incentive]);
      await time.increaseTo(a.startTime + 4_200n);
      await market.setPrice(f, f.weth, 2_500n * WAD);
      await f.dutchAuction.reset(a.auctionId, keeper.address);
      const total = a.incentive + b.incentive + keeperIncentive(a.debt);
      expect(await owed(f, keeper.address)).to.deep.equal([total, total]);
    });

    it("claimIncentives_surplusCoversIt_mintsToTheRecipientOutOfTheSurplus", async function () {
      const [, buyer, recipient] = f.users;
      const keeper = f.users[9];
      await fund(f, buyer, f.weth);
      const auction = await startAuction(f, f.weth, { keeper });
      // A take's proceeds go to the surplus.
      await take(f, buyer, auction.auctionId, WAD);
      const amount = auction.incentive;
      expect(amount).to.be.gt(0n);
      const surplus = await f.vaultEngine.surplus();
      const deficit = await f.vaultEngine.deficit();
      expect(surplus).to.be.gte(amount * RAY);
      const supply = await f.stablecoin.totalSupply();
      expect(await f.dutchAuction.connect(keeper).claimIncentives.staticCall(recipient.address)).to.equal(amount);
      await expect(f.dutchAuction.connect(keeper).claimIncentives(recipient.address))
        .to.emit(f.dutchAuction, "IncentivesClaimed")
        .withArgs(keeper.address, recipient.address, amount)
        .and.to.emit(f.vaultEngine, "KeeperPaid")
        .withArgs(recipient.address, amount);
      expect(await f.stablecoin.balanceOf(recipient.address)).to.equal(amount);
      expect(await f.stablecoin.balanceOf(keeper.address)).to.equal(0n);
      expect(await f.stablecoin.totalSupply()).to.equal(supply + amount);
      expect(await f.vaultEngine.surplus()).to.equal(surplus - amount * RAY);
      expect(await f.vaultEngine.deficit()).to.equal(deficit);
      expect(await owed(f, keeper.address)).to.deep.equal([0n, amount]);
      await expectDebtIdentity(f);
      await market.expectBooksBalanced(f);
    });

    it("claimIncentives_surplusShort_booksTheRestInTheDeficit", async function () {
      const [, buyer] = f.users;
      const keeper = f.users[9];
      await fund(f, buyer, f.weth);
      const auction = await startAuction(f, f.weth, { keeper });
      // A small take: some surplus, less than the incentive.
      await take(f, buyer, auction.auctionId, WAD / 1_000n);
      const amount = auction.incentive;
      const surplus = await f.vaultEngine.surplus();
      const deficit = await f.vaultEngine.deficit();
      expect(surplus).to.be.gt(0n);
      expect(surplus).to.be.lt(amount * RAY);
      await expect(f.dutchAuction.connect(keeper).claimIncentives(keeper.address))
        .to.emit(f.dutchAuction, "IncentivesClaimed")
        .withArgs(keeper.address, keeper.address, amount);
      expect(await f.stablecoin.balanceOf(keeper.address)).to.equal(amount);
      expect(await f.vaultEngine.surplus()).to.equal(0n);
      expect(await f.vaultEngine.deficit()).to.equal(deficit + amount * RAY - surplus);
      expect(await owed(f, keeper.address)).to.deep.equal([0n, amount]);
      await expectDebtIdentity(f);
      await market.expectBooksBalanced(f);
    });

    it("claimIncentives_afterAClaim_owesOnlyWhatWasEarnedSinceAndEarnedKeepsGrowing", async function () {
      const keeper = f.users[9];
      const auction = await startAuction(f, f.weth, { keeper });
      await f.dutchAuction.connect(keeper).claimIncentives(keeper.address);
      await expect(f.dutchAuction.connect(keeper).claimIncentives(keeper.address))
        .to.be.revertedWithCustomError(f.dutchAuction, "NothingToClaim")
        .withArgs(keeper.address);
      await time.increaseTo(auction.startTime + 4_200n);
      await market.setPrice(f, f.weth, 2_500n * WAD);
      await f.dutchAuction.reset(auction.auctionId, keeper.address);
      const second = keeperIncentive(auction.debt);
      expect(await owed(f, keeper.address)).to.deep.equal([second, auction.incentive + second]);
      await f.dutchAuction.connect(keeper).claimIncentives(keeper.address);
      expect(await owed(f, keeper.address)).to.deep.equal([0n, auction.incentive + second]);
      expect(await f.stablecoin.balanceOf(keeper.address)).to.equal(auction.incentive + second);
      await expectDebtIdentity(f);
    });

    it("claimIncentives_nothingOwed_revertsNothingToClaim", async function () {
      const caller = f.users[4];
      await expect(f.dutchAuction.connect(caller).claimIncentives(caller.address))
        .to.be.revertedWithCustomError(f.dutchAuction, "NothingToClaim")
        .withArgs(caller.address);
    });

    it("claimIncentives_zeroRecipient_revertsZeroAddressAndKeepsTheCredit", async function () {
      const keeper = f.users[9];
      const auction = await startAuction(f, f.weth, { keeper });
      await expect(f.dutchAuction.connect(keeper).claimIncentives(ethers.ZeroAddress)).to.be.revertedWithCustomError(
        f.dutchAuction,
        "ZeroAddress",
      );
      expect(await owed(f, keeper.address)).to.deep.equal([auction.incentive, auction.incentive]);
    });
  });
});
