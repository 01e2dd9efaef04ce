// Integration: a vault falls below health 1, is liquidated into a Dutch auction, and buyers clear it.
// The books (docs/ACCOUNTING.md) balance after every step.
import { expect } from "chai";
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { WAD } from "../../keeper/src/math/fixedPoint";
import { deploySluiceFixture, type SluiceFixture } from "../helpers/fixtures";
import * as market from "../helpers/market";

describe("Liquidation flow", function () {
  let f: SluiceFixture;

  beforeEach(async function () {
    f = await deploySluiceFixture();
  });

  const setPrice = (price: bigint) => market.setPrice(f, f.weth, price);
  const movePrice = (target: bigint) => market.movePrice(f, f.weth, target);
  const expectBooksBalanced = () => market.expectBooksBalanced(f);
  const openAtLimit = (owner: (typeof f.users)[number], amount: bigint, share = 100n) =>
    market.openVault(f, owner, f.weth, amount, share);

  it("liquidate_partially_restoresTargetHealthAndBuyersClearTheAuction", async function () {
    const [alice, keeper, buyer] = f.users;
    const vaultId = await openAtLimit(alice, 10n * WAD);
    // A second vault gives the buyer stablecoin to pay with.
    await openAtLimit(buyer, 100n * WAD, 50n);
    await movePrice(2_580n * WAD);
    expect(await f.riskEngine.isLiquidatable(vaultId)).to.equal(true);
    await expectBooksBalanced();

    const [slice, full] = await f.liquidator.sliceOf(vaultId);
    expect(full).to.equal(false);
    const debtBefore = await f.vaultEngine.debtOf(vaultId);
    await expect(f.liquidator.connect(keeper).liquidate(vaultId, keeper.address)).to.emit(f.liquidator, "Liquidated");
    expect(await f.stablecoin.balanceOf(keeper.address)).to.be.gt(0n);
    const debtAfter = await f.vaultEngine.debtOf(vaultId);
    // sliceOf ran a block earlier: the slewing penalty moves the answer by a hair.
    expect(debtBefore - debtAfter).to.be.closeTo(slice, slice / 10n ** 4n);
    expect((await f.vaultEngine.vaults(vaultId)).inAuction).to.equal(true);
    await expectBooksBalanced();

    const [auctionId] = await f.dutchAuction.activeAuctions();
    const [, price, collateralLeft, debtLeft] = await f.dutchAuction.auctionStatus(auctionId);
    expect(price).to.be.gt(2_580n * WAD);
    await expect(f.liquidator.liquidate(vaultId, keeper.address)).to.be.revertedWithCustomError(
      f.liquidator,
      "VaultInAuction",
    );

    // A partial take, then time passes and a full one.
    await f.dutchAuction.connect(buyer).take(auctionId, collateralLeft / 3n, ethers.MaxUint256, buyer.address, "0x");
    await expectBooksBalanced();
    // Five minutes on, the stair-step price is still above the oracle.
    await time.increase(300);
    await setPrice(2_580n * WAD);
    await f.dutchAuction.connect(buyer).take(auctionId, ethers.MaxUint256, ethers.MaxUint256, buyer.address, "0x");
    expect((await f.dutchAuction.auctions(auctionId)).debtLeft).to.equal(0n);
    const vault = await f.vaultEngine.vaults(vaultId);
    expect(vault.inAuction).to.equal(false);
    expect(await f.riskEngine.healthFactor(vaultId)).to.be.gte((105n * WAD) / 100n);
    expect(debtLeft).to.be.gt(0n);
    await expectBooksBalanced();
  });

  it("auctionEndingShort_afterHeal_returnsTheDebtAndBooksWhatExceedsTheDeficitAsSurplus", async function () {
    const [alice, keeper, buyer] = f.users;
    const weth = await f.weth.token.getAddress();
    const vaultId = await openAtLimit(alice, 10n * WAD);
    await openAtLimit(buyer, 100n * WAD, 50n);
    await movePrice(2_580n * WAD);
    // No lot margin (the lot is worth just the debt to raise at the oracle) and no cusp (the price may
    // fall as far as it likes), so the auction can run out of collateral.
    await f.liquidator.setLotMargin(weth, WAD);
    await f.dutchAuction.setCusp(weth, 0);
    await f.liquidator.connect(keeper).liquidate(vaultId, keeper.address);
    const [auctionId] = await f.dutchAuction.activeAuctions();
    const auction = await f.dutchAuction.auctions(auctionId);
    // 85% of the lot sells at once, for more than the seized debt: after heal() no deficit is left.
    await f.dutchAuction
      .connect(buyer)
      .take(auctionId, (auction.collateralLeft * 85n) / 100n, ethers.MaxUint256, buyer, "0x");
    await f.vaultEngine.heal();
    expect(await f.vaultEngine.deficit()).to.equal(0n);
    // A hundred stair-steps on (price ≈ 0.4 of the oracle) the rest sells short of the debt left.
    await time.increase(100 * 60);
    const { debtLeft } = await f.dutchAuction.auctions(auctionId);
    const [needsReset, price, collateralLeft] = await f.dutchAuction.auctionStatus(auctionId);
    expect(needsReset).to.equal(false);
    expect((collateralLeft * price) / WAD).to.be.lt(debtLeft);
    const surplusBefore = await f.vaultEngine.surplus();
    const debtBefore = await f.vaultEngine.debtOf(vaultId);
    await f.dutchAuction.connect(buyer).take(auctionId, ethers.MaxUint256, ethers.MaxUint256, buyer, "0x");
    // The partially liquidated vault owes the unraised debt again; with no deficit to cancel, the
    // whole amount is booked as surplus (it is owed to the protocol again).
    const returned = (await f.vaultEngine.debtOf(vaultId)) - debtBefore;
    expect(returned).to.be.gt(0n);
    expect(await f.vaultEngine.deficit()).to.equal(0n);
    expect((await f.vaultEngine.surplus()) - surplusBefore).to.be.gte((collateralLeft * price) / WAD + returned - 2n);
    expect((await f.vaultEngine.vaults(vaultId)).inAuction).to.equal(false);
    await expectBooksBalanced();
  });
});
