// Hostile actors around liquidations, through callbacks: reentrant and misdirected take callbacks,
// callbacks that reach for the vault being auctioned, and collateral that calls back on transfer.
// Every scenario checks the attacker's value (stablecoin + collateral at the oracle price + vault
// equity) and the books (docs/ACCOUNTING.md) rather than trusting any single view.
import { expect } from "chai";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { Result } from "ethers";
import { RAY, WAD, divWadDown, mulDivUp } from "../../keeper/src/math/fixedPoint";
import { MockTakeBuyer__factory } from "../../typechain-types";
import { deploySluiceFixture, type SluiceFixture } from "../helpers/fixtures";
import * as market from "../helpers/market";
import {
  MAX,
  type TakeArgs,
  type EndedArgs,
  plain,
  scriptCall,
  expectBooksBalanced,
  fund,
  auctionEvents,
  outcomesOf,
  verdicts,
  deployBuyer,
  listHookToken,
  runningAuction,
} from "../helpers/hostile";
import { take } from "../helpers/auction";

describe("Liquidation under hostile actors", function () {
  let f: SluiceFixture;
  let weth: string;

  beforeEach(async function () {
    f = await deploySluiceFixture();
    weth = await f.weth.token.getAddress();
  });

  describe("take callbacks", function () {
    it("take_reentrantCallback_revertsWithTheReentrancyGuard", async function () {
      const funder = f.users[1];
      const auctionId = await runningAuction(f);
      expect(auctionId).to.equal(1n); // MockTakeBuyer re-enters auction 1, the one it is taking
      await fund(f, funder);
      const buyer = await new MockTakeBuyer__factory(f.governor).deploy(await f.dutchAuction.getAddress());
      const buyerAddress = await buyer.getAddress();
      await f.stablecoin.connect(funder).transfer(buyerAddress, 10_000n * WAD);
      await buyer.setReenter(true);
      const before = plain(await f.dutchAuction.auctions(auctionId));
      await expect(buyer.buy(auctionId, WAD, MAX)).to.be.revertedWithCustomError(
        f.dutchAuction,
        "ReentrancyGuardReentrantCall",
      );
      expect(plain(await f.dutchAuction.auctions(auctionId))).to.deep.equal(before);
      expect(await f.weth.token.balanceOf(buyerAddress)).to.equal(0n);
      expect(await f.stablecoin.balanceOf(buyerAddress)).to.equal(10_000n * WAD);
      expect(await buyer.calls()).to.equal(0n);
      // The same buyer, well-behaved, takes normally.
      await buyer.setReenter(false);
      await buyer.buy(auctionId, WAD, MAX);
      expect(await buyer.calls()).to.equal(1n);
      expect(await f.weth.token.balanceOf(buyerAddress)).to.equal(WAD);
      await expectBooksBalanced(f);
    });

    it("take_callbackToACoreContract_revertsForbiddenCallbackTarget", async function () {
      const buyer = f.users[1];
      await fund(f, buyer);
      const auctionId = await runningAuction(f);
      const before = plain(await f.dutchAuction.auctions(auctionId));
      const targets = [
        await f.vaultEngine.getAddress(),
        await f.stablecoin.getAddress(),
        await f.oracleHub.getAddress(),
        await f.liquidator.getAddress(),
        await f.dutchAuction.getAddress(),
        await f.accessManager.getAddress(),
        weth,
      ];
      for (const target of targets) {
        await expect(f.dutchAuction.connect(buyer).take(auctionId, WAD, MAX, target, "0x01"))
          .to.be.revertedWithCustomError(f.dutchAuction, "ForbiddenCallbackTarget")
          .withArgs(target);
      }
      // The engine may not even receive collateral without a callback: it would belong to no vault.
      const engine = await f.vaultEngine.getAddress();
      await expect(f.dutchAuction.connect(buyer).take(auctionId, WAD, MAX, engine, "0x"))
        .to.be.revertedWithCustomError(f.dutchAuction, "ForbiddenCallbackTarget")
        .withArgs(engine);
      expect(plain(await f.dutchAuction.auctions(auctionId))).to.deep.equal(before);
      await expectBooksBalanced(f);
    });

    it("take_callbackOfAPartialTake_cannotWithdrawBorrowOrReliquidateTheVaultInAuction", async function () {
      const [owner, funder] = f.users;
      await fund(f, funder);
      const buyer = await deployBuyer(f);
      const buyerAddress = await buyer.getAddress();
      await f.stablecoin.connect(funder).transfer(buyerAddress, 10_000n * WAD);
      const vaultId = await runningAuction(f);
      // The owner lets the buyer manage its vaults: the callback acts with the owner's rights.
      await f.vaultEngine.connect(owner).setOperator(buyerAddress, true);
      const vaultBefore = plain(await f.vaultEngine.vaults(vaultId));
      const auctionBefore = await f.dutchAuction.auctions(vaultId);
      await buyer.arm(
        [
          scriptCall(f.vaultEngine, "withdraw", [vaultId, 1n, owner.address]),
          scriptCall(f.vaultEngine, "borrow", [vaultId, f.weth.spec.dust, buyerAddress]),
          scriptCall(f.liquidator, "liquidate", [vaultId, buyerAddress]),
          scriptCall(f.dutchAuction, "take", [vaultId, MAX, MAX, buyerAddress, "0x"]),
          scriptCall(f.dutchAuction, "reset", [vaultId, buyerAddress]),
        ],
        false,
      );
      const receipt = (await (await buyer.buy(vaultId, WAD, MAX)).wait())!;
      expect(verdicts(f, await outcomesOf(buyer))).to.deep.equal([
        "VaultInAuction",
        "VaultInAuction",
        "VaultInAuction",
        "ReentrancyGuardReentrantCall",
        "ReentrancyGuardReentrantCall",
      ]);
      // The take itself went through, and touched nothing of the vault but its lot.
      const [taken] = auctionEvents<TakeArgs>(f, receipt, "Take");
      expect(taken.collateralBought).to.equal(WAD);
      expect(auctionEvents<EndedArgs>(f, receipt, "AuctionEnded")).to.deep.equal([]);
      const record = await f.dutchAuction.auctions(vaultId);
      expect(record.collateralLeft).to.equal(auctionBefore.collateralLeft - WAD);
      expect(record.debtLeft).to.equal(auctionBefore.debtLeft - taken.debtPaid);
      expect(plain(await f.vaultEngine.vaults(vaultId))).to.deep.equal({
        ...vaultBefore,
        auctionCollateral: auctionBefore.collateralLeft - WAD,
      });
      expect(await f.weth.token.balanceOf(owner.address)).to.equal(0n);
      await expectBooksBalanced(f);
    });

    it("take_callbackOfAnEndingTake_seesTheVaultsFinalBooksAndCanOnlyLeaveItSafe", async function () {
      const [owner, funder] = f.users;
      await fund(f, funder);
      const buyer = await deployBuyer(f);
      const buyerAddress = await buyer.getAddress();
      const vaultId = await runningAuction(f);
      await f.vaultEngine.connect(owner).setOperator(buyerAddress, true);
      const kept = await f.vaultEngine.vaults(vaultId);
      const record = await f.dutchAuction.auctions(vaultId);
      // Within the first stair-step the price is the start price: buying everything covers the debt
      // with ⌊debtLeft / startPrice⌋ of the lot, and the rest returns to the vault.
      const returned = record.collateralLeft - divWadDown(record.debtLeft, record.startPrice);
      expect(returned).to.be.gt(0n);
      const dust = f.weth.spec.dust;
      const repayment = (await f.vaultEngine.debtOf(vaultId)) - 2n * dust;
      await f.stablecoin.connect(funder).transfer(buyerAddress, record.debtLeft + repayment);
      const withdraw = (amount: bigint) => scriptCall(f.vaultEngine, "withdraw", [vaultId, amount, owner.address]);
      await buyer.arm(
        [
          scriptCall(f.vaultEngine, "vaults", [vaultId]),
          scriptCall(f.dutchAuction, "auctions", [vaultId]),
          // Everything the vault holds now, then new debt as large as its old: both unsafe.
          withdraw(kept.collateralAmount + returned),
          scriptCall(f.vaultEngine, "borrow", [vaultId, repayment, buyerAddress]),
          // Back at its target health, the vault is no longer liquidatable.
          scriptCall(f.liquidator, "liquidate", [vaultId, buyerAddress]),
          // Repaying most of the debt makes the returned collateral free to leave.
          scriptCall(f.vaultEngine, "repay", [vaultId, repayment]),
          withdraw(returned),
        ],
        false,
      );
      const receipt = (await (await buyer.buy(vaultId, MAX, MAX)).wait())!;
      const [taken] = auctionEvents<TakeArgs>(f, receipt, "Take");
      expect(taken.price, "the take ran within the first stair-step").to.equal(record.startPrice);
      expect(auctionEvents<EndedArgs>(f, receipt, "AuctionEnded")).to.deep.equal([
        { auctionId: vaultId, collateralReturned: returned, debtReturned: 0n, badDebt: 0n },
      ]);
      const outcomes = await outcomesOf(buyer);
      expect(verdicts(f, outcomes)).to.deep.equal([
        "ok",
        "ok",
        "VaultUnsafe",
        "VaultUnsafe",
        "VaultHealthy",
        "ok",
        "ok",
      ]);
      // During the callback the vault's books were already final: out of auction, the unsold
      // collateral back, its debt untouched by the auction.
      const [seen] = f.vaultEngine.interface.decodeFunctionResult("vaults", outcomes[0].data);
      expect(plain(seen)).to.deep.equal({
        ...plain(kept),
        inAuction: false,
        auctionCollateral: 0n,
        collateralAmount: kept.collateralAmount + returned,
      });
      const [seenCollateral] = f.dutchAuction.interface.decodeFunctionResult("auctions", outcomes[1].data);
      expect(plain(seenCollateral)).to.deep.equal(plain(await f.dutchAuction.auctions(vaultId)));
      expect((seenCollateral as Result).debtLeft).to.equal(0n);
      // What the callback could do left the vault safe, and the buyer paid in full.
      const after = await f.vaultEngine.vaults(vaultId);
      expect(after.collateralAmount).to.equal(kept.collateralAmount);
      expect(await f.weth.token.balanceOf(owner.address)).to.equal(returned);
      expect(await f.vaultEngine.debtOf(vaultId)).to.be.lte(await f.vaultEngine.maxDebt(vaultId));
      expect(await f.riskEngine.healthFactor(vaultId)).to.be.gt(WAD);
      expect(await f.stablecoin.balanceOf(buyerAddress)).to.equal(0n);
      await expectBooksBalanced(f);
    });

    it("take_callbackOfAnAuctionRunOutOfCollateral_seesTheReturnedDebtAndMayOnlyReliquidate", async function () {
      const [owner, funder] = f.users;
      await fund(f, funder, 4n * 10n ** 8n);
      const buyer = await deployBuyer(f);
      const buyerAddress = await buyer.getAddress();
      await f.stablecoin.connect(funder).transfer(buyerAddress, 40_000n * WAD);
      // No lot margin and no resetPriceRatio: after a hundred stair-steps the lot sells short of its debt.
      await f.liquidator.setCollateralMargin(weth, WAD);
      await f.dutchAuction.setResetPriceRatio(weth, 0);
      const vaultId = await runningAuction(f);
      await f.vaultEngine.connect(owner).setOperator(buyerAddress, true);
      await time.increase(100 * 60);
      await market.setPrice(f, f.weth, 2_580n * WAD);
      const kept = await f.vaultEngine.vaults(vaultId);
      await buyer.arm(
        [
          scriptCall(f.vaultEngine, "vaults", [vaultId]),
          scriptCall(f.vaultEngine, "withdraw", [vaultId, 1n, owner.address]),
          scriptCall(f.vaultEngine, "borrow", [vaultId, f.weth.spec.dust, buyerAddress]),
          // Owing the unraised debt again, the vault is below health 1: it may be liquidated again
          // at once, from the callback too, against its final books.
          scriptCall(f.liquidator, "liquidate", [vaultId, buyerAddress]),
        ],
        false,
      );
      const receipt = (await (await buyer.buy(vaultId, MAX, MAX)).wait())!;
      const [ended] = auctionEvents<EndedArgs>(f, receipt, "AuctionEnded");
      expect(ended.collateralReturned).to.equal(0n);
      expect(ended.badDebt).to.equal(0n);
      expect(ended.debtReturned).to.be.gt(0n);
      const outcomes = await outcomesOf(buyer);
      expect(verdicts(f, outcomes)).to.deep.equal(["ok", "VaultUnsafe", "VaultUnsafe", "ok"]);
      // The unraised debt was the vault's again before the callback ran.
      const [seen] = f.vaultEngine.interface.decodeFunctionResult("vaults", outcomes[0].data);
      const [rate] = await f.vaultEngine.collateralState(weth, { blockTag: receipt.blockNumber });
      expect(plain(seen)).to.deep.equal({
        ...plain(kept),
        inAuction: false,
        auctionCollateral: 0n,
        normalizedDebt: kept.normalizedDebt + mulDivUp(ended.debtReturned, RAY, rate),
      });
      // The new auction, under the same id, took what the callback saw.
      const [again] = await market.liquidationsIn(f, receipt);
      expect(again.auctionId).to.equal(vaultId);
      expect(again.collateralSeized).to.equal(kept.collateralAmount);
      expect(again.normalizedDebtSeized).to.equal((seen as Result).normalizedDebt);
      const record = await f.dutchAuction.auctions(vaultId);
      expect([record.collateralLeft, record.debtLeft]).to.deep.equal([again.collateralSeized, again.debtToRaise]);
      await expectBooksBalanced(f);
    });

    it("claimIncentives_fromATakeCallback_revertsWithTheReentrancyGuardAndStaysOwed", async function () {
      const funder = f.users[1];
      await fund(f, funder);
      const buyer = await deployBuyer(f);
      const buyerAddress = await buyer.getAddress();
      await f.stablecoin.connect(funder).transfer(buyerAddress, 10_000n * WAD);
      // The buyer is also the keeper that started the auction, and is owed for it.
      const vaultId = await runningAuction(f, buyerAddress);
      const [owed, earned] = await f.dutchAuction.incentivesOwed(buyerAddress);
      expect(owed).to.be.gt(0n);
      expect(earned).to.equal(owed);
      await buyer.arm([scriptCall(f.dutchAuction, "claimIncentives", [buyerAddress])], false);
      await buyer.buy(vaultId, WAD, MAX);
      expect(verdicts(f, await outcomesOf(buyer))).to.deep.equal(["ReentrancyGuardReentrantCall"]);
      expect(await f.dutchAuction.incentivesOwed(buyerAddress)).to.deep.equal([owed, earned]);
      // Claimed outside a take, it is minted once, to whoever the keeper names.
      const claim = (to: string) => f.dutchAuction.interface.encodeFunctionData("claimIncentives", [to]);
      await expect(buyer.execute(await f.dutchAuction.getAddress(), claim(funder.address)))
        .to.emit(f.dutchAuction, "IncentivesClaimed")
        .withArgs(buyerAddress, funder.address, owed);
      expect(await f.dutchAuction.incentivesOwed(buyerAddress)).to.deep.equal([0n, earned]);
      await expect(buyer.execute(await f.dutchAuction.getAddress(), claim(buyerAddress)))
        .to.be.revertedWithCustomError(f.dutchAuction, "NothingToClaim")
        .withArgs(buyerAddress);
      await expectBooksBalanced(f);
    });
  });

  describe("collateral that calls back on transfer", function () {
    it("withdraw_whenTheTokenReentersWithdraw_revertsWithTheEnginesGuard", async function () {
      const owner = f.users[0];
      const { c, hook } = await listHookToken(f);
      const vaultId = await market.openVault(f, owner, c, 10n * WAD, 0n);
      await f.vaultEngine.connect(owner).setOperator(await hook.getAddress(), true);
      await hook.watch(await f.vaultEngine.getAddress());
      await hook.arm([scriptCall(f.vaultEngine, "withdraw", [vaultId, WAD, owner.address])], true);
      await expect(f.vaultEngine.connect(owner).withdraw(vaultId, WAD, owner.address)).to.be.revertedWithCustomError(
        f.vaultEngine,
        "ReentrancyGuardReentrantCall",
      );
      expect((await f.vaultEngine.vaults(vaultId)).collateralAmount).to.equal(10n * WAD);
      expect(await c.token.balanceOf(owner.address)).to.equal(0n);
      await expectBooksBalanced(f);
    });

    it("deposit_whenTheTokenReentersDeposit_revertsWithTheEnginesGuard", async function () {
      const owner = f.users[0];
      const { c, hook } = await listHookToken(f);
      const vaultId = await market.openVault(f, owner, c, 10n * WAD, 0n);
      await c.token.mint(owner.address, WAD);
      await c.token.connect(owner).approve(await f.vaultEngine.getAddress(), WAD);
      await hook.watch(await f.vaultEngine.getAddress());
      await hook.arm([scriptCall(f.vaultEngine, "deposit", [vaultId, 1n])], true);
      await expect(f.vaultEngine.connect(owner).deposit(vaultId, WAD)).to.be.revertedWithCustomError(
        f.vaultEngine,
        "ReentrancyGuardReentrantCall",
      );
      expect((await f.vaultEngine.vaults(vaultId)).collateralAmount).to.equal(10n * WAD);
      await expectBooksBalanced(f);
    });

    it("take_whenTheTokenCallsBack_cannotReenterTheAuctionAndFindsTheBooksWritten", async function () {
      const [owner, buyer] = f.users;
      await fund(f, buyer);
      const { c, hook } = await listHookToken(f);
      const hookAddress = await hook.getAddress();
      const first = await market.openVault(f, owner, c, 10n * WAD);
      const second = await market.openVault(f, owner, c, 10n * WAD);
      await market.movePrice(f, c, 2_580n * WAD);
      await market.liquidate(f, first, hookAddress, f.users[9]);
      const [owed] = await f.dutchAuction.incentivesOwed(hookAddress);
      expect(owed).to.be.gt(0n);
      await f.vaultEngine.connect(owner).setOperator(hookAddress, true);
      await hook.watch(await f.vaultEngine.getAddress());
      await hook.arm(
        [
          scriptCall(f.dutchAuction, "take", [first, MAX, MAX, hookAddress, "0x"]),
          scriptCall(f.dutchAuction, "reset", [first, hookAddress]),
          scriptCall(f.dutchAuction, "claimIncentives", [hookAddress]),
          scriptCall(f.vaultEngine, "withdraw", [first, 1n, owner.address]),
          // The Liquidator has a guard of its own: liquidating another vault mid-take goes through.
          scriptCall(f.liquidator, "liquidate", [second, hookAddress]),
        ],
        false,
      );
      const auctionBefore = await f.dutchAuction.auctions(first);
      const receipt = await take(f, buyer, first, WAD);
      expect(verdicts(f, await outcomesOf(hook))).to.deep.equal([
        "ReentrancyGuardReentrantCall",
        "ReentrancyGuardReentrantCall",
        "ReentrancyGuardReentrantCall",
        "VaultInAuction",
        "ok",
      ]);
      const [taken] = auctionEvents<TakeArgs>(f, receipt, "Take");
      const record = await f.dutchAuction.auctions(first);
      expect(record.collateralLeft).to.equal(auctionBefore.collateralLeft - WAD);
      expect(record.debtLeft).to.equal(auctionBefore.debtLeft - taken.debtPaid);
      expect(await c.token.balanceOf(buyer.address)).to.equal(WAD);
      // The second auction opened against the books the take had already written.
      expect((await f.dutchAuction.auctions(second)).debtLeft).to.be.gt(0n);
      const [owedNow] = await f.dutchAuction.incentivesOwed(hookAddress);
      expect(owedNow).to.be.gt(owed);
      await expectBooksBalanced(f);
    });
  });
});
