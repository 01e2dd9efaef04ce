// Hostile actors around liquidations, after the incentives: keepers farming owed incentives,
// borrowers liquidating themselves, and debt recycled through dust. Every scenario checks the
// attacker's value (stablecoin + collateral at the oracle price + vault equity) and the books
// (docs/ACCOUNTING.md) rather than trusting any single view.
import { expect } from "chai";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { WAD } from "../../keeper/src/math/fixedPoint";
import { deploySluiceFixture, type SluiceFixture } from "../helpers/fixtures";
import * as market from "../helpers/market";
import { MAX, WETH_SPEC, type EndedArgs, expectBooksBalanced, fund, auctionEvents, worth } from "../helpers/hostile";
import { take } from "../helpers/auction";

describe("Liquidation under hostile actors", function () {
  let f: SluiceFixture;
  let weth: string;

  beforeEach(async function () {
    f = await deploySluiceFixture();
    weth = await f.weth.token.getAddress();
  });

  describe("incentives", function () {
    it("farming_liquidatingOnesOwnSmallVaults_losesMoneyEvenAfterClaiming", async function () {
      // One party owns the vaults (owner) and liquidates them from another address (keeper), then
      // buys the lots back and claims what it is owed: collateral only changes hands between its two
      // pockets, so what it gains is the incentive and what it loses is the penalty.
      const [owner, keeper] = f.users;
      const vaultIds: bigint[] = [];
      // 0.4 WETH: ≈ 900 of debt, a partial slice raising ≈ 500, whose incentive the cap (half the
      // penalty) cuts below the flatIncentive.
      for (let i = 0; i < 3; i++) vaultIds.push(await market.openVault(f, owner, f.weth, (4n * WAD) / 10n));
      await market.movePrice(f, f.weth, 2_580n * WAD);
      await f.stablecoin.connect(owner).transfer(keeper.address, 2_000n * WAD);
      const before = await worth(f, [owner, keeper], vaultIds);
      let incentives = 0n;
      let penalties = 0n;
      for (const vaultId of vaultIds) {
        const liquidated = await market.liquidate(f, vaultId, keeper, keeper);
        expect(liquidated.incentive).to.be.gt(0n);
        const penalty = liquidated.debtToRaise - liquidated.debtSeized;
        expect(liquidated.incentive).to.be.lte(penalty / 2n);
        incentives += liquidated.incentive;
        penalties += penalty;
        // Owed, not paid: the keeper's balance moves only when it claims.
        expect(await f.dutchAuction.incentivesOwed(keeper.address)).to.deep.equal([incentives, incentives]);
        await take(f, keeper, liquidated.auctionId, MAX);
      }
      expect(await market.claimIncentives(f, keeper)).to.equal(incentives);
      const change = (await worth(f, [owner, keeper], vaultIds)) - before;
      expect(incentives).to.be.lt(penalties);
      expect(change).to.be.lt(0n);
      // Up to stability fees and rounding, the loss is exactly penalty − incentive.
      expect(change).to.be.closeTo(incentives - penalties, 10n ** 15n);
      await expectBooksBalanced(f);
    });

    it("farming_dustVaults_owesNothingForLiquidationsOrResets", async function () {
      // Vaults left under a raised dust are not worth a keeper's incentive: however many of them a
      // farmer liquidates, in one call or a batch, and resets, it is owed nothing and only loses the
      // penalties. Their lots are worth less than the dust, so a reset ends them instead of restarting.
      const [owner, keeper] = f.users;
      const vaultIds: bigint[] = [];
      // 0.07 WETH: ≈ 157 of debt, just over the listing's dust of 100.
      for (let i = 0; i < 4; i++) vaultIds.push(await market.openVault(f, owner, f.weth, (7n * WAD) / 100n));
      await market.movePrice(f, f.weth, 2_580n * WAD);
      await f.vaultEngine.setDust(weth, 1_000n * WAD);
      await fund(f, keeper);
      const before = await worth(f, [owner, keeper], vaultIds);

      const single = await market.liquidate(f, vaultIds[0], keeper, keeper);
      const tx = await f.liquidator.connect(keeper).liquidateBatch(vaultIds.slice(1), keeper.address);
      const batch = await market.liquidationsIn(f, (await tx.wait())!);
      expect(batch.map((l) => l.auctionId)).to.deep.equal(vaultIds.slice(1));
      for (const liquidated of [single, ...batch]) {
        // Whole vaults (the rest would be under dust), each raising less than the dust.
        expect(liquidated.normalizedDebtSeized).to.be.gt(0n);
        expect(liquidated.debtToRaise).to.be.lt(1_000n * WAD);
        expect(liquidated.incentive).to.equal(0n);
      }
      // Stale after the maxAuctionAge or not, each reset ends its auction for nothing: the lot is worth less
      // than the dust. The lot covers its debt, so the emptied vault owes all of it again.
      await time.increase(WETH_SPEC.auction!.maxAuctionAge + 1n);
      await market.setPrice(f, f.weth, 2_580n * WAD);
      for (const liquidated of [single, ...batch]) {
        const receipt = (await (
          await f.dutchAuction.connect(keeper).reset(liquidated.auctionId, keeper.address)
        ).wait())!;
        expect(auctionEvents(f, receipt, "AuctionReset")).to.deep.equal([]);
        expect(auctionEvents<EndedArgs>(f, receipt, "AuctionEnded")).to.deep.equal([
          {
            auctionId: liquidated.auctionId,
            collateralReturned: liquidated.collateralSeized,
            debtReturned: liquidated.debtToRaise,
            badDebt: 0n,
          },
        ]);
      }
      expect(await f.dutchAuction.incentivesOwed(keeper.address)).to.deep.equal([0n, 0n]);
      await expect(f.dutchAuction.connect(keeper).claimIncentives(keeper.address))
        .to.be.revertedWithCustomError(f.dutchAuction, "NothingToClaim")
        .withArgs(keeper.address);
      // All the farmer has done is pay the penalties.
      expect(await worth(f, [owner, keeper], vaultIds)).to.be.lt(before);
      await expectBooksBalanced(f);
    });

    it("selfLiquidation_byOrForTheOwner_owesNothingAndCostsThePenalty", async function () {
      const [owner, accomplice, buyer] = f.users;
      await fund(f, buyer);
      const vaultId = await market.openVault(f, owner, f.weth, 10n * WAD);
      const other = await market.openVault(f, owner, f.weth, 10n * WAD);
      await market.movePrice(f, f.weth, 2_580n * WAD);
      const before = await worth(f, [owner, accomplice], [vaultId]);
      // The owner liquidates for an accomplice, and an accomplice liquidates for the owner.
      const byOwner = await market.liquidate(f, vaultId, accomplice, owner);
      const forOwner = await market.liquidate(f, other, owner, accomplice);
      expect([byOwner.incentive, forOwner.incentive]).to.deep.equal([0n, 0n]);
      for (const keeper of [owner, accomplice]) {
        expect(await f.dutchAuction.incentivesOwed(keeper.address)).to.deep.equal([0n, 0n]);
        await expect(f.dutchAuction.connect(keeper).claimIncentives(keeper.address))
          .to.be.revertedWithCustomError(f.dutchAuction, "NothingToClaim")
          .withArgs(keeper.address);
      }
      // A buyer clears the lot once the auction price is at or below the oracle price (10 steps).
      await time.increase(600);
      const [, price] = await f.dutchAuction.auctionStatus(vaultId);
      expect(price).to.be.lte(2_580n * WAD);
      await take(f, buyer, vaultId, MAX);
      expect((await f.vaultEngine.vaults(vaultId)).inAuction).to.equal(false);
      const loss = before - (await worth(f, [owner, accomplice], [vaultId]));
      const penalty = byOwner.debtToRaise - byOwner.debtSeized;
      expect(loss).to.be.gte(penalty);
      expect(loss).to.be.lt((penalty * 12n) / 10n);
      await expectBooksBalanced(f);
    });
  });

  describe("recycled debt", function () {
    // The auction decides "bad debt" vs "debt back to the vault" when it starts, by whether the
    // liquidation left the vault collateral of its own: a stranger's 1-wei deposit into an emptied
    // vault in auction must not make the unraised debt (penalty included) the vault's again, to be
    // liquidated for a fresh incentive round after round.
    it("recycling_anEmptyVaultsDebtThroughDustDeposits_earnsNoIncentives", async function () {
      const [victim, keeper, attacker] = f.users;
      await fund(f, attacker);
      await f.weth.token.mint(attacker.address, 10n * WAD);
      await f.weth.token.connect(attacker).approve(await f.vaultEngine.getAddress(), MAX);
      const vaultId = await market.openVault(f, victim, f.weth, 10n * WAD);
      await market.movePrice(f, f.weth, 2_200n * WAD);
      const { auctionId } = await market.liquidate(f, vaultId, keeper, keeper);
      // Ten steps on, the lot (10 WETH at ≈ 0.995 × 2,200) is worth less than the debt to raise
      // (1.08 × 22,500): buying all of it is a fair trade that leaves ≈ 2,400 unraised.
      await time.increase(600);
      await f.vaultEngine.connect(attacker).deposit(vaultId, 1n);
      const receipt = await take(f, attacker, auctionId, MAX);
      const [ended] = auctionEvents<EndedArgs>(f, receipt, "AuctionEnded");
      expect(ended.debtReturned).to.equal(0n);
      expect(ended.badDebt).to.be.gt(0n);
      // The vault was emptied by a full liquidation: what its lot could not raise is bad debt in the
      // deficit, not the vault's debt again, so the 1-wei deposit re-arms nothing.
      expect(await f.vaultEngine.debtOf(vaultId)).to.equal(0n);
      expect(await f.vaultEngine.deficit()).to.be.gt(0n);
      const before = await worth(f, [attacker], []);
      for (let round = 0; round < 3; round++) {
        await f.vaultEngine.connect(attacker).deposit(vaultId, 1n);
        await expect(f.liquidator.connect(attacker).liquidate(vaultId, attacker.address)).to.be.revertedWithCustomError(
          f.liquidator,
          "VaultHealthy",
        );
      }
      expect(await f.dutchAuction.incentivesOwed(attacker.address)).to.deep.equal([0n, 0n]);
      await expectBooksBalanced(f);
      const gain = (await worth(f, [attacker], [])) - before;
      expect(gain).to.be.lte(0n);
    });

    // A partial liquidation may not take all the collateral (it takes all the debt too): when such a
    // lot runs out, the vault would keep debt with no collateral, and liquidating it would start an
    // auction with nothing to sell that nobody can take (ZeroTake) and every reset pays for.
    it("auctions_withNothingToSell_areNeverStarted", async function () {
      const [owner, keeper, buyer] = f.users;
      await fund(f, buyer);
      const vaultId = await market.openVault(f, owner, f.weth, 10n * WAD);
      await market.movePrice(f, f.weth, 2_485n * WAD);
      const first = await market.liquidate(f, vaultId, keeper, keeper);
      // 32 stair-steps down the lot no longer covers its debt: the buyer exhausts it.
      await time.increase(32n * 60n);
      await take(f, buyer, first.auctionId, MAX);
      const vault = await f.vaultEngine.vaults(vaultId);
      if (vault.collateralAmount === 0n && vault.normalizedDebt !== 0n) {
        const second = await market.liquidate(f, vaultId, keeper, keeper);
        expect(second.collateralSeized, "an auction with nothing to sell").to.be.gt(0n);
      }
      for (const id of await f.dutchAuction.activeAuctions()) {
        expect((await f.dutchAuction.auctions(id)).collateralLeft).to.be.gt(0n);
      }
      // The vault was liquidated whole: nothing is left owing without collateral behind it.
      const after = await f.vaultEngine.vaults(vaultId);
      expect(after.collateralAmount === 0n && after.normalizedDebt !== 0n).to.equal(false);
      await expectBooksBalanced(f);
    });
  });
});
