// DutchAuction and dust (issue #8, defect 3): incentives are paid on the smaller of an auction's debt
// and its lot's value and never for a lot worth less than the dust; a partial take may not leave such
// a lot (trimmed, at 6, 8 and 18 decimals, down to 1-wei remainders); an auction whose lot is dust
// ends at `reset`, in both `vaultKeepsCollateral` cases, with the books of docs/ACCOUNTING.md
// balanced; the auction's dust always equals the engine's; and a take callback runs only for its own
// buyer's takes. Expected numbers come from FixedPointMath's definitions, mirrored below.
import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { setBalance, takeSnapshot, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionReceipt } from "ethers";
import {
  RAY,
  WAD,
  amountUp,
  mulDivUp,
  mulWadUp,
  divWadDown,
  valueDown,
  valueUp,
} from "../../keeper/src/math/fixedPoint";
import { incentiveDown, type IncentiveParams } from "../../keeper/src/math/liquidation";
import { LOCAL_COLLATERALS, LOCAL_INCENTIVE, listMockCollateral } from "../../scripts/lib/deploy";
import { MockTakeBuyer__factory } from "../../typechain-types";
import type { IDutchAuction } from "../../typechain-types";
import { deploySluiceFixture, type SluiceFixture } from "../helpers/fixtures";
import * as market from "../helpers/market";
import { eventsIn, keeperIncentive } from "../helpers/auction";
import { propertyRuns } from "../helpers/runs";

type Signer = HardhatEthersSigner;
type Collateral = market.Collateral;

const MAX = ethers.MaxUint256;
const WETH_SPEC = LOCAL_COLLATERALS[0];
const DUST = WETH_SPEC.dust; // 100, every local collateral's
const TAIL = WETH_SPEC.auction!.maxAuctionAge;
const BUF = WETH_SPEC.auction!.startPriceFactor;
const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);

/** What `start` and `reset` owe on a lot, through the keeper's mirror (LiquidationMath.incentiveDown). */
const incentiveOn = (
  debt: bigint,
  collateralValue: bigint,
  dust: bigint,
  p: IncentiveParams = LOCAL_INCENTIVE,
): bigint => incentiveDown(p, min(debt, collateralValue), dust);

describe("DutchAuction dust", function () {
  let f: SluiceFixture;
  let weth: string;

  beforeEach(async function () {
    f = await deploySluiceFixture();
    weth = await f.weth.token.getAddress();
  });

  // ------------------------------------------------------------ helpers

  const openVault = (owner: Signer, c: Collateral, amount: bigint, share = 100n) =>
    market.openVault(f, owner, c, amount, share);
  const expectBooks = async (collaterals: Collateral[] = []) => {
    // A collateral listed by a test joins the fixture's in the books check.
    const extra = Object.fromEntries(collaterals.map((c) => [c.spec.symbol, c]));
    const g = { ...f, collaterals: { ...f.collaterals, ...extra } };
    await market.expectBooksBalanced(g);
    await market.expectAuctionsConsistent(g);
  };

  /** Gives `buyer` stablecoin by borrowing half the limit of a vault of `wbtc` whole WBTC. */
  async function fund(buyer: Signer, wbtc = 5n): Promise<void> {
    await openVault(buyer, f.wbtc, wbtc * 10n ** 8n, 50n);
  }

  async function asLiquidator(): Promise<Signer> {
    const address = await f.liquidator.getAddress();
    await setBalance(address, 10n * WAD);
    return ethers.getImpersonatedSigner(address);
  }

  /** A 6-decimal collateral listed like WETH, at 2,000 (no fixture collateral has 6 decimals). */
  async function listSixDecimals(): Promise<Collateral> {
    const spec = { ...WETH_SPEC, symbol: "SIX", decimals: 6, price: 2_000n * WAD };
    return listMockCollateral(f.governor, f, spec);
  }

  /**
   * An auction with a chosen lot, started as the Liquidator would: `collateralAmount` of an owner's
   * debt-free vault of `c` goes under auction to raise `debtToRaise`, starting at `price · startPriceFactor`.
   */
  async function startAuction(
    c: Collateral,
    collateralAmount: bigint,
    debtToRaise: bigint,
    price: bigint,
    keeper = f.users[9].address,
    vaultKeepsCollateral = true,
  ): Promise<{ auctionId: bigint; startTime: bigint; incentive: bigint }> {
    const vaultId = await openVault(f.users[0], c, collateralAmount + (vaultKeepsCollateral ? 1n : 0n), 0n);
    const liquidator = await asLiquidator();
    await f.vaultEngine.connect(liquidator).seize(vaultId, collateralAmount, 0n);
    const request: IDutchAuction.StartRequestStruct = {
      vaultId,
      collateral: await c.token.getAddress(),
      collateralAmount,
      debtToRaise,
      price,
      vaultKeepsCollateral,
      keeper,
      maxIncentive: MAX,
    };
    const receipt = (await (await f.dutchAuction.connect(liquidator).start(request)).wait())!;
    const [started] = eventsIn(receipt, f.dutchAuction, "AuctionStarted");
    const block = await ethers.provider.getBlock(receipt.blockNumber);
    return { auctionId: vaultId, startTime: BigInt(block!.timestamp), incentive: started.incentive };
  }

  async function takeAndRead(
    buyer: Signer,
    auctionId: bigint,
    maxCollateral: bigint,
  ): Promise<{ bought: bigint; paid: bigint; price: bigint; receipt: ContractTransactionReceipt }> {
    const tx = await f.dutchAuction.connect(buyer).take(auctionId, maxCollateral, MAX, buyer.address, "0x");
    const receipt = (await tx.wait())!;
    const [taken] = eventsIn(receipt, f.dutchAuction, "Take");
    return { bought: taken.collateralBought, paid: taken.debtPaid, price: taken.price, receipt };
  }

  // ------------------------------------------------------------ the scenario

  describe("reset farming (issue #8, defect 3)", function () {
    it("farming_partialTakeLeavingOneWeiThenResets_isTrimmedAndTheResetsPayAtMostTheLotsValue", async function () {
      // The issue: a take leaves 1 wei of a large lot, then 21 resets in a day each pay
      // flatIncentive + incentiveRate · debtLeft for a lot worth about 2,100 wei. Now the take cannot leave less than the
      // collateral worth the dust, and a reset pays on that value, not on the debt.
      const [owner, buyer] = f.users;
      const keeper = f.users[8];
      await fund(buyer, 50n);
      const vaultId = await openVault(owner, f.weth, 100n * WAD);
      await market.movePrice(f, f.weth, 2_580n * WAD);
      const auction = await market.liquidate(f, vaultId, f.users[9], f.users[9]);
      const [, collateralLeft] = await f.vaultEngine.auctionCollateralOf(auction.auctionId);
      // 55 steps down the lot no longer covers the debt: a take of all but 1 wei is a partial take.
      const startTime = BigInt((await time.latest()) as number);
      await time.setNextBlockTimestamp(startTime + 3_300n);
      const { bought, price } = await takeAndRead(buyer, auction.auctionId, collateralLeft - 1n);
      const kept = collateralLeft - bought;
      expect(kept, "the take leaves more than 1 wei").to.equal(amountUp(DUST, 18, price));
      expect(valueDown(kept, 18, price)).to.be.gte(DUST);
      expect(valueDown(kept - 1n, 18, price)).to.be.lt(DUST);
      const { debtLeft } = await f.dutchAuction.auctions(auction.auctionId);
      expect(debtLeft).to.be.gte(DUST);

      // A day of resets, each when the auction has fallen through its resetPriceRatio.
      let paid = 0n;
      let resets = 0;
      for (let at = BigInt(await time.latest()); resets < 21; resets++) {
        at += 4_200n;
        await time.increaseTo(at);
        await market.setPrice(f, f.weth, 2_580n * WAD);
        const [oraclePrice] = await f.oracleHub.priceState(weth);
        const collateralValue = valueDown(kept, 18, oraclePrice);
        const receipt = (await (await f.dutchAuction.reset(auction.auctionId, keeper.address)).wait())!;
        const [reset] = eventsIn(receipt, f.dutchAuction, "AuctionReset");
        expect(reset.incentive).to.equal(incentiveOn(debtLeft, collateralValue, DUST));
        expect(reset.incentive).to.be.lte(collateralValue);
        paid += reset.incentive;
        at = BigInt(await time.latest());
      }
      // The old code paid flatIncentive + incentiveRate · debtLeft (over 20 + 0.001 · debtLeft) each time.
      expect(paid).to.be.lt(21n * keeperIncentive(debtLeft));
      expect(paid).to.equal(21n * incentiveOn(debtLeft, valueDown(kept, 18, 2_580n * WAD), DUST));
      await expectBooks();
    });

    it("farming_oneWeiLotResetOverADay_endsAtTheFirstResetAndPaysNothing", async function () {
      // A lot of 1 wei with a large debt (as the take left it): the first reset ends it.
      const keeper = f.users[8];
      const debtToRaise = 1_081_285n * WAD;
      const auction = await startAuction(f.weth, 1n, debtToRaise, 2_100n * WAD, keeper.address);
      expect(auction.incentive).to.equal(0n);
      const [deficitBefore, surplusBefore] = [await f.vaultEngine.deficit(), await f.vaultEngine.surplus()];
      await time.increaseTo(auction.startTime + TAIL + 1n);
      await market.setPrice(f, f.weth, 3_000n * WAD);
      const receipt = (await (await f.dutchAuction.reset(auction.auctionId, keeper.address)).wait())!;
      expect(eventsIn(receipt, f.dutchAuction, "AuctionReset")).to.deep.equal([]);
      expect(eventsIn(receipt, f.dutchAuction, "AuctionEnded")).to.deep.equal([
        { auctionId: auction.auctionId, collateralReturned: 1n, debtReturned: debtToRaise, badDebt: 0n },
      ]);
      expect(await f.dutchAuction.incentivesOwed(keeper.address)).to.deep.equal([0n, 0n]);
      // Every later reset of the day finds nothing to reset.
      for (let i = 0; i < 20; i++) {
        await time.increase(4_200);
        await expect(f.dutchAuction.reset(auction.auctionId, keeper.address))
          .to.be.revertedWithCustomError(f.dutchAuction, "AuctionNotActive")
          .withArgs(auction.auctionId);
      }
      // The vault kept collateral: it owes the debt again, which leaves the deficit.
      const returned = mulDivUp(debtToRaise, RAY, (await f.vaultEngine.collateralState(weth))[0]);
      expect((await f.vaultEngine.vaults(auction.auctionId)).normalizedDebt).to.be.gte(returned - 1n);
      expect(await f.vaultEngine.deficit()).to.be.lte(deficitBefore);
      expect(await f.vaultEngine.surplus()).to.be.gte(surplusBefore);
      await expectBooks();
    });
  });

  // ------------------------------------------------------------ takes

  describe("take at the lot-value bound", function () {
    /** [label, collateral, a lot of it worth about 20,000 at 2,000…60,000] */
    const cases: [string, () => Promise<Collateral>, (c: Collateral) => bigint][] = [
      ["6 decimals", () => listSixDecimals(), () => 10n * 10n ** 6n],
      ["8 decimals", async () => f.wbtc, () => 10n ** 8n / 3n],
      ["18 decimals", async () => f.weth, () => 7n * WAD],
    ];

    for (const [label, collateralOf, collateralLeftOf] of cases) {
      it(`take_leavingOneUnit_${label.replace(" ", "")}_isTrimmedToLeaveTheLeastCollateralWorthTheDust`, async function () {
        const c = await collateralOf();
        const buyer = f.users[1];
        await fund(buyer);
        const decimals = c.spec.decimals;
        const amount = collateralLeftOf(c);
        const [oraclePrice] = await f.oracleHub.priceState(await c.token.getAddress());
        // The debt is far above the lot's value: only the lot-value bound can bind.
        const auction = await startAuction(c, amount, 10n * valueUp(amount, decimals, oraclePrice), oraclePrice);
        await time.setNextBlockTimestamp(auction.startTime + 60n);
        const { bought, paid, price } = await takeAndRead(buyer, auction.auctionId, amount - 1n);
        const leastKept = amountUp(DUST, decimals, price);
        expect(leastKept).to.be.gt(1n);
        expect(bought).to.equal(amount - leastKept);
        expect(paid).to.equal(valueUp(bought, decimals, price));
        // The least kept is the least worth the dust: one unit fewer is worth less.
        expect(valueDown(leastKept, decimals, price)).to.be.gte(DUST);
        expect(valueDown(leastKept - 1n, decimals, price)).to.be.lt(DUST);
        const state = await f.dutchAuction.auctions(auction.auctionId);
        expect(state.collateralLeft).to.equal(leastKept);
        await expectBooks([c]);

        // At the bound no partial take is left: it is refused with the values, and the whole lot sells.
        await time.setNextBlockTimestamp(auction.startTime + 61n);
        const laterPrice = (await f.dutchAuction.auctionStatus(auction.auctionId, { blockTag: "pending" })).price;
        const ask = 1n;
        const keep = leastKept - ask;
        if (valueDown(keep, decimals, laterPrice) < DUST) {
          await expect(f.dutchAuction.connect(buyer).take(auction.auctionId, ask, MAX, buyer.address, "0x"))
            .to.be.revertedWithCustomError(f.dutchAuction, "TakeLeavesDustCollateral")
            .withArgs(keep, valueDown(keep, decimals, laterPrice), DUST);
        }
        await time.setNextBlockTimestamp(auction.startTime + 62n);
        const all = await takeAndRead(buyer, auction.auctionId, MAX);
        expect(all.bought).to.equal(leastKept);
        expect(eventsIn(all.receipt, f.dutchAuction, "AuctionEnded")).to.have.length(1);
        await expectBooks([c]);
      });
    }

    it("take_lotOneUnitAboveTheBound_leavesExactlyTheBoundAndBuysOneUnit", async function () {
      const buyer = f.users[1];
      await fund(buyer);
      const price = 2_000n * WAD;
      const startPrice = mulWadUp(price, BUF);
      const leastKept = amountUp(DUST, 18, startPrice);
      const auction = await startAuction(f.weth, leastKept + 1n, 1_000_000n * WAD, price);
      // The stair-step curve holds the start price for its first minute.
      await time.setNextBlockTimestamp(auction.startTime + 1n);
      // Asks for all but 1 wei (which would leave a lot worth 2,200 wei): buys 1 wei instead.
      const { bought, paid } = await takeAndRead(buyer, auction.auctionId, leastKept);
      expect([bought, paid]).to.deep.equal([1n, valueUp(1n, 18, startPrice)]);
      expect((await f.dutchAuction.auctions(auction.auctionId)).collateralLeft).to.equal(leastKept);
      await expectBooks();
    });

    it("take_partialOfALotWorthLessThanTheDust_revertsTakeLeavesDustCollateralAndTheWholeLotSells", async function () {
      const buyer = f.users[1];
      await fund(buyer);
      const price = 3_000n * WAD;
      const startPrice = mulWadUp(price, BUF);
      // 0.03 WETH, worth 99 at the start price.
      const amount = (3n * WAD) / 100n;
      expect(valueDown(amount, 18, startPrice)).to.be.lt(DUST);
      const auction = await startAuction(f.weth, amount, 1_000n * WAD, price);
      await time.setNextBlockTimestamp(auction.startTime + 1n);
      await expect(f.dutchAuction.connect(buyer).take(auction.auctionId, amount / 2n, MAX, buyer.address, "0x"))
        .to.be.revertedWithCustomError(f.dutchAuction, "TakeLeavesDustCollateral")
        .withArgs(amount - amount / 2n, valueDown(amount - amount / 2n, 18, startPrice), DUST);
      await time.setNextBlockTimestamp(auction.startTime + 2n);
      const all = await takeAndRead(buyer, auction.auctionId, amount);
      expect(all.bought).to.equal(amount);
      expect(eventsIn(all.receipt, f.dutchAuction, "AuctionEnded")).to.deep.equal([
        { auctionId: auction.auctionId, collateralReturned: 0n, debtReturned: 1_000n * WAD - all.paid, badDebt: 0n },
      ]);
      await expectBooks();
    });
  });

  describe("settlement without a transfer of zero", function () {
    it("take_coveringADebtWorthLessThanOneUnit_buysNothingAndTransfersNothing", async function () {
      // Some tokens revert on transfers of zero: a take that buys nothing must not send any.
      const buyer = f.users[1];
      await fund(buyer);
      const amount = 10n ** 7n;
      const auction = await startAuction(f.wbtc, amount, 1n, 2_000n * WAD);
      const tx = f.dutchAuction.connect(buyer).take(auction.auctionId, MAX, MAX, buyer.address, "0x");
      await expect(tx)
        .to.emit(f.dutchAuction, "AuctionEnded")
        .withArgs(auction.auctionId, amount, 0n, 0n)
        .and.to.emit(f.dutchAuction, "Take");
      await expect(tx).to.not.emit(f.wbtc.token, "Transfer");
      expect((await f.vaultEngine.vaults(auction.auctionId)).collateralAmount).to.equal(amount + 1n);
      await expectBooks();
    });
  });

  // ------------------------------------------------------------ dust lots end

  describe("a dust amount ends", function () {
    /** A WETH vault of 10 liquidated at 2,580 (or `price`), most of whose lot a buyer takes late. */
    async function nearlySold(price = 2_580n * WAD) {
      const [owner, buyer] = f.users;
      await fund(buyer);
      const vaultId = await openVault(owner, f.weth, 10n * WAD);
      await market.movePrice(f, f.weth, price);
      const auction = await market.liquidate(f, vaultId, f.users[9], f.users[9]);
      const startTime = BigInt(await time.latest());
      // Late in the auction (60 steps down, 1.1 · 0.99^60 ≈ 0.6 of the oracle), where the lot is worth
      // less than the debt: a take of all but 1 wei is partial.
      await time.setNextBlockTimestamp(startTime + 60n * 60n);
      const taken = await takeAndRead(buyer, auction.auctionId, auction.collateralSeized - 1n);
      const record = await f.dutchAuction.auctions(auction.auctionId);
      expect(record.debtLeft, "the take left debt").to.be.gt(0n);
      return { auction, taken, record, vaultBefore: await f.vaultEngine.vaults(vaultId) };
    }

    it("reset_dustLotOfAPartialLiquidation_endsAtOnceReturningCollateralAndDebtToTheVault", async function () {
      const keeper = f.users[8];
      const { auction, record, vaultBefore } = await nearlySold();
      expect(record.vaultKeepsCollateral).to.equal(true);
      // The oracle falls 45%: the lot, worth the dust at the take's price, is worth less now.
      await market.movePrice(f, f.weth, 1_400n * WAD);
      const [oraclePrice] = await f.oracleHub.priceState(weth);
      expect(valueDown(record.collateralLeft, 18, oraclePrice)).to.be.lt(DUST);
      expect((await f.dutchAuction.auctionStatus(auction.auctionId)).needsReset, "not stale").to.equal(false);
      const deficitBefore = await f.vaultEngine.deficit();
      const surplusBefore = await f.vaultEngine.surplus();
      expect(await f.dutchAuction.reset.staticCall(auction.auctionId, keeper.address)).to.equal(0n);
      const tx = f.dutchAuction.reset(auction.auctionId, keeper.address);
      await expect(tx)
        .to.emit(f.dutchAuction, "AuctionEnded")
        .withArgs(auction.auctionId, record.collateralLeft, record.debtLeft, 0n)
        .and.to.emit(f.vaultEngine, "AuctionReturned")
        .withArgs(auction.auctionId, record.collateralLeft, record.debtLeft)
        .and.not.to.emit(f.dutchAuction, "AuctionReset");
      // No token moved: the lot went back into the vault's books.
      await expect(tx).to.not.emit(f.weth.token, "Transfer");
      expect(await f.dutchAuction.incentivesOwed(keeper.address)).to.deep.equal([0n, 0n]);
      const vault = await f.vaultEngine.vaults(auction.auctionId);
      expect([vault.inAuction, vault.auctionCollateral, vault.collateralAmount]).to.deep.equal([
        false,
        0n,
        vaultBefore.collateralAmount + record.collateralLeft,
      ]);
      const [rate] = await f.vaultEngine.collateralState(weth);
      expect(vault.normalizedDebt).to.equal(vaultBefore.normalizedDebt + mulDivUp(record.debtLeft, RAY, rate));
      // The debt left is owed again: it leaves the deficit (C3 moves it back into totalDebt).
      expect(await f.vaultEngine.deficit()).to.be.lt(deficitBefore);
      expect(await f.vaultEngine.surplus()).to.be.gte(surplusBefore);
      // The caps no longer count it.
      expect([...(await f.dutchAuction.debtInAuction(weth))]).to.deep.equal([0n, 0n]);
      await expectBooks();
    });

    it("reset_dustLotOfAFullLiquidation_returnsTheCollateralWithTheDebtItCoversAndTheRestIsBadDebt", async function () {
      const keeper = f.users[8];
      const { auction, record, vaultBefore } = await nearlySold(2_200n * WAD);
      expect(record.vaultKeepsCollateral).to.equal(false);
      expect([vaultBefore.collateralAmount, vaultBefore.normalizedDebt]).to.deep.equal([0n, 0n]);
      // Governance raises the dust above the lot's value: the engine pushes it, the lot is dust now.
      const [oraclePrice] = await f.oracleHub.priceState(weth);
      await market.setPrice(f, f.weth, oraclePrice); // a fresh round at the same price
      const collateralValue = valueDown(record.collateralLeft, 18, oraclePrice);
      expect(collateralValue).to.be.gte(DUST);
      await f.vaultEngine.setDust(weth, collateralValue + 1n);
      const covered = min(record.debtLeft, valueUp(record.collateralLeft, 18, oraclePrice));
      expect(covered).to.be.lt(record.debtLeft);
      const deficitBefore = await f.vaultEngine.deficit();
      await expect(f.dutchAuction.reset(auction.auctionId, keeper.address))
        .to.emit(f.dutchAuction, "AuctionEnded")
        .withArgs(auction.auctionId, record.collateralLeft, covered, record.debtLeft - covered);
      expect(await f.dutchAuction.incentivesOwed(keeper.address)).to.deep.equal([0n, 0n]);
      // The emptied vault gets its collateral back and owes what it is worth, no more and no less:
      // ending a lot writes off only the debt its collateral does not cover.
      const vault = await f.vaultEngine.vaults(auction.auctionId);
      expect([vault.inAuction, vault.collateralAmount]).to.deep.equal([false, record.collateralLeft]);
      expect(await f.vaultEngine.debtOf(auction.auctionId)).to.be.gte(covered);
      const [rate] = await f.vaultEngine.collateralState(weth);
      expect(vault.normalizedDebt).to.equal(mulDivUp(covered, RAY, rate));
      // The deficit falls by the covered part only; the bad debt stays in it.
      const returnedRad = mulDivUp(covered, RAY, rate) * rate;
      expect(await f.vaultEngine.deficit()).to.equal(deficitBefore - returnedRad);
      expect([...(await f.dutchAuction.debtInAuction(weth))]).to.deep.equal([0n, 0n]);
      await expectBooks();
    });

    it("reset_lotWorthTheDustExactly_restartsAndPaysOnItsValue", async function () {
      const keeper = f.users[8];
      const { auction, record } = await nearlySold();
      const [oraclePrice] = await f.oracleHub.priceState(weth);
      const collateralValue = valueDown(record.collateralLeft, 18, oraclePrice);
      await f.vaultEngine.setDust(weth, collateralValue);
      await time.increase(TAIL + 1n);
      await market.setPrice(f, f.weth, oraclePrice);
      const incentive = incentiveOn(record.debtLeft, collateralValue, collateralValue);
      expect(incentive).to.equal(keeperIncentive(collateralValue)).and.to.be.gt(0n);
      await expect(f.dutchAuction.reset(auction.auctionId, keeper.address))
        .to.emit(f.dutchAuction, "AuctionReset")
        .withArgs(auction.auctionId, keeper.address, mulWadUp(oraclePrice, BUF), incentive);
      await expectBooks();
    });
  });

  // ------------------------------------------------------------ incentives, as a property

  describe("reset incentive (property)", function () {
    it("reset_randomLotsPricesAndParams_neverPaysMoreThanTheLotsValueOrTheDebt", async function () {
      const liquidator = await asLiquidator();
      const keeper = f.users[8].address;
      const six = await listSixDecimals();
      const collaterals = [f.weth, f.wbtc, six];
      // One debt-free vault per collateral holds the lots.
      const holders: bigint[] = [];
      for (const c of collaterals) holders.push(await openVault(f.users[0], c, 10n ** BigInt(c.spec.decimals + 6), 0n));
      const arbitrary = fc.record({
        collateral: fc.nat(collaterals.length - 1),
        // Token units, from one unit to a million whole tokens (on a log scale).
        collateralExponent: fc.integer({ min: 0, max: 24 }),
        collateralMantissa: fc.integer({ min: 1, max: 999 }),
        debt: fc.bigInt({ min: 1n, max: 10n ** 25n }),
        startPricePermille: fc.integer({ min: 100, max: 3_000 }),
        oraclePermille: fc.integer({ min: 710, max: 1_290 }),
        dust: fc.oneof(fc.constant(0n), fc.bigInt({ min: 1n, max: 10n ** 23n })),
        flatIncentive: fc.bigInt({ min: 0n, max: 10n ** 22n }),
        incentiveRate: fc.bigInt({ min: 0n, max: WAD / 10n }),
        maxIncentive: fc.bigInt({ min: 0n, max: 10n ** 23n }),
        stale: fc.boolean(),
      });
      await fc.assert(
        fc.asyncProperty(arbitrary, async (run) => {
          const snapshot = await takeSnapshot();
          try {
            const c = collaterals[run.collateral];
            const token = await c.token.getAddress();
            const decimals = c.spec.decimals;
            const units = BigInt(run.collateralMantissa) * 10n ** BigInt(run.collateralExponent);
            const amount = units > 10n ** BigInt(decimals + 6) ? 10n ** BigInt(decimals + 6) : units;
            const params = {
              flatIncentive: run.flatIncentive,
              incentiveRate: run.incentiveRate,
              maxIncentive: run.maxIncentive,
            };
            await f.dutchAuction.setIncentiveParams(params);
            await f.vaultEngine.setDust(token, run.dust);
            const vaultId = holders[run.collateral];
            await f.vaultEngine.connect(liquidator).seize(vaultId, amount, 0n);
            const startPrice = (c.spec.price * BigInt(run.startPricePermille)) / 1_000n;
            const start = await f.dutchAuction.connect(liquidator).start({
              vaultId,
              collateral: token,
              collateralAmount: amount,
              debtToRaise: run.debt,
              price: startPrice,
              vaultKeepsCollateral: true,
              keeper,
              maxIncentive: MAX,
            });
            const [started] = eventsIn((await start.wait())!, f.dutchAuction, "AuctionStarted");
            const startValue = valueDown(amount, decimals, startPrice);
            expect(started.incentive).to.equal(incentiveOn(run.debt, startValue, run.dust, params));
            expect(started.incentive).to.be.lte(min(run.debt, startValue));

            if (run.stale) await time.increase(TAIL + 1n);
            const oraclePrice = (c.spec.price * BigInt(run.oraclePermille)) / 1_000n;
            await market.setPrice(f, c, oraclePrice);
            const collateralValue = valueDown(amount, decimals, oraclePrice);
            const isDust = collateralValue < run.dust;
            if (!isDust && !run.stale) {
              await expect(f.dutchAuction.reset(vaultId, keeper)).to.be.revertedWithCustomError(
                f.dutchAuction,
                "AuctionNotStale",
              );
              return;
            }
            const receipt = (await (await f.dutchAuction.reset(vaultId, keeper)).wait())!;
            const [reset] = eventsIn(receipt, f.dutchAuction, "AuctionReset");
            const ended = eventsIn(receipt, f.dutchAuction, "AuctionEnded");
            expect(ended.length, "a dust amount ends").to.equal(isDust ? 1 : 0);
            const incentive = isDust ? 0n : reset.incentive;
            expect(incentive).to.be.lte(collateralValue);
            expect(incentive).to.be.lte(run.debt);
            expect(incentive).to.equal(isDust ? 0n : incentiveOn(run.debt, collateralValue, run.dust, params));
            if (isDust) expect((await f.dutchAuction.auctions(vaultId)).debtLeft).to.equal(0n);
          } finally {
            await snapshot.restore();
          }
        }),
        { numRuns: propertyRuns(40) },
      );
    });
  });

  // ------------------------------------------------------------ dust follows the engine

  describe("dust follows the engine", function () {
    it("setDust_pushesTheDustToTheAuctionSoTheyNeverDiffer", async function () {
      for (const value of [0n, 1n, 300n * WAD, 2n ** 88n - 1n]) {
        await expect(f.vaultEngine.setDust(weth, value))
          .to.emit(f.dutchAuction, "DustSynced")
          .withArgs(weth, value)
          .and.to.emit(f.vaultEngine, "DustSet")
          .withArgs(weth, value);
        expect(await f.dutchAuction.dust(weth)).to.equal(value);
        expect((await f.vaultEngine.collateralParams(weth)).dust).to.equal(value);
      }
    });

    it("setDust_aboveWhatTheAuctionStores_isRefusedByBoth", async function () {
      const tooLarge = 2n ** 88n;
      await expect(f.vaultEngine.setDust(weth, tooLarge))
        .to.be.revertedWithCustomError(f.dutchAuction, "DustOutOfRange")
        .withArgs(tooLarge, tooLarge - 1n);
      expect((await f.vaultEngine.collateralParams(weth)).dust).to.equal(DUST);
      expect(await f.dutchAuction.dust(weth)).to.equal(DUST);
    });

    it("addCollateral_copiesTheEnginesDustAndSetDustBeforeListingIsPickedUp", async function () {
      const six = await listSixDecimals();
      const token = await six.token.getAddress();
      expect(await f.dutchAuction.dust(token)).to.equal(DUST);
      await f.vaultEngine.setDust(token, 42n * WAD);
      expect(await f.dutchAuction.dust(token)).to.equal(42n * WAD);
    });

    it("setDust_boundsTheNextTakeAtOnce", async function () {
      // The dust the engine sets is the debt a partial take must leave, with no second setter.
      const buyer = f.users[1];
      await fund(buyer);
      const vaultId = await openVault(f.users[0], f.weth, 10n * WAD);
      await market.movePrice(f, f.weth, 2_580n * WAD);
      const auction = await market.liquidate(f, vaultId, f.users[9], f.users[9]);
      await f.vaultEngine.setDust(weth, 300n * WAD);
      const price = mulWadUp(2_580n * WAD, BUF);
      const ask = divWadDown(auction.debtToRaise - 50n * WAD, price);
      await time.setNextBlockTimestamp(BigInt(await time.latest()) + 1n);
      await takeAndRead(buyer, auction.auctionId, ask);
      expect((await f.dutchAuction.auctions(auction.auctionId)).debtLeft).to.equal(300n * WAD);
      await expectBooks();
    });
  });

  // ------------------------------------------------------------ callbacks

  describe("take callback initiator", function () {
    it("take_byAThirdPartyWithAMockTakeBuyerAsReceiver_isRefusedByTheBuyer", async function () {
      const [, funder, attacker] = f.users;
      await fund(funder);
      await fund(attacker);
      const vaultId = await openVault(f.users[0], f.weth, 10n * WAD);
      await market.movePrice(f, f.weth, 2_580n * WAD);
      const { auctionId } = await market.liquidate(f, vaultId, f.users[9], f.users[9]);
      const buyer = await new MockTakeBuyer__factory(f.governor).deploy(await f.dutchAuction.getAddress());
      const buyerAddress = await buyer.getAddress();
      await f.stablecoin.connect(funder).transfer(buyerAddress, 10_000n * WAD);
      await expect(f.dutchAuction.connect(attacker).take(auctionId, WAD, MAX, buyerAddress, "0x01"))
        .to.be.revertedWithCustomError(buyer, "UntrustedInitiator")
        .withArgs(attacker.address);
      // Nor can anyone call the callback directly.
      await expect(buyer.connect(attacker).onTake(buyerAddress, 1n, 1n, "0x01"))
        .to.be.revertedWithCustomError(buyer, "NotAuction")
        .withArgs(attacker.address);
      expect(await buyer.calls()).to.equal(0n);
      // Its own take goes through.
      await buyer.buy(auctionId, WAD, MAX);
      expect(await buyer.calls()).to.equal(1n);
      expect(await f.weth.token.balanceOf(buyerAddress)).to.equal(WAD);
      await expectBooks();
    });
  });
});
