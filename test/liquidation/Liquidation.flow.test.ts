// Integration: a vault falls below health 1, is liquidated into a Dutch auction keyed by its own id,
// buyers clear it, the vault falls again and is liquidated again under the same id, and the keeper
// claims what the auctions owe it at the end; a cascade larger than the cap on debt in auction is cut
// down to the room and the rest waits; an auction that runs out of collateral returns its unraised
// debt to the vault. The books (docs/ACCOUNTING.md) balance after every step.
import { expect } from "chai";
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { RAY, WAD, mulDivUp, mulWadUp } from "../../keeper/src/math/fixedPoint";
import { deploySluiceFixture, type SluiceFixture } from "../helpers/fixtures";
import * as market from "../helpers/market";

const MAX = ethers.MaxUint256;

describe("Liquidation flow", function () {
  let f: SluiceFixture;

  beforeEach(async function () {
    f = await deploySluiceFixture();
  });

  const setPrice = (price: bigint) => market.setPrice(f, f.weth, price);
  const movePrice = (target: bigint) => market.movePrice(f, f.weth, target);
  const openAtLimit = (owner: (typeof f.users)[number], amount: bigint, share = 100n) =>
    market.openVault(f, owner, f.weth, amount, share);
  const expectBooksBalanced = async () => {
    await market.expectBooksBalanced(f);
    await market.expectAuctionsConsistent(f);
  };

  it("liquidate_partiallyThenAgain_auctionsUnderTheVaultsIdAndTheKeeperClaimsAtTheEnd", async function () {
    const [alice, keeper, buyer] = f.users;
    const vaultId = await openAtLimit(alice, 10n * WAD);
    // A second vault gives the buyer stablecoin to pay with.
    await openAtLimit(buyer, 100n * WAD, 50n);
    await movePrice(2_580n * WAD);
    expect(await f.riskEngine.isLiquidatable(vaultId)).to.equal(true);
    await expectBooksBalanced();

    // First liquidation: a partial slice, auctioned under the vault's own id.
    const { debtSlice: slice, full } = await f.liquidator.previewLiquidation(vaultId);
    expect(full).to.equal(false);
    const debtBefore = await f.vaultEngine.debtOf(vaultId);
    const first = await market.liquidate(f, vaultId, keeper, keeper);
    expect(first.auctionId).to.equal(vaultId);
    // The preview ran a block earlier: the slewing penalty moves the answer by a hair.
    expect(first.debtSeized).to.be.closeTo(slice, slice / 10n ** 4n);
    expect(debtBefore - (await f.vaultEngine.debtOf(vaultId))).to.be.closeTo(slice, slice / 10n ** 4n);
    // The keeper is owed its incentive; nothing is minted until it claims.
    expect(first.incentive).to.equal(await f.dutchAuction.keeperIncentive(first.debtToRaise));
    expect(await f.dutchAuction.incentivesOwed(keeper.address)).to.deep.equal([first.incentive, first.incentive]);
    expect(await f.stablecoin.balanceOf(keeper.address)).to.equal(0n);
    const inAuction = await f.vaultEngine.vaults(vaultId);
    expect(inAuction.inAuction).to.equal(true);
    expect(inAuction.auctionCollateral).to.equal(first.collateralSeized);
    expect(await f.dutchAuction.activeAuctions()).to.deep.equal([vaultId]);
    await expectBooksBalanced();

    const [, price, collateralLeft, debtLeft] = await f.dutchAuction.auctionStatus(vaultId);
    expect(price).to.be.gt(2_580n * WAD);
    expect([collateralLeft, debtLeft]).to.deep.equal([first.collateralSeized, first.debtToRaise]);
    await expect(f.liquidator.liquidate(vaultId, keeper.address))
      .to.be.revertedWithCustomError(f.liquidator, "VaultInAuction")
      .withArgs(vaultId);

    // A partial take, then time passes and a take of the rest.
    await f.dutchAuction.connect(buyer).take(vaultId, collateralLeft / 3n, MAX, buyer.address, "0x");
    expect((await f.vaultEngine.vaults(vaultId)).auctionCollateral).to.equal(collateralLeft - collateralLeft / 3n);
    await expectBooksBalanced();
    // Five minutes on, the stair-step price is still above the oracle.
    await time.increase(300);
    await setPrice(2_580n * WAD);
    const kept = (await f.vaultEngine.vaults(vaultId)).collateralAmount;
    await expect(f.dutchAuction.connect(buyer).take(vaultId, MAX, MAX, buyer.address, "0x")).to.emit(
      f.dutchAuction,
      "AuctionEnded",
    );
    expect((await f.dutchAuction.auctions(vaultId)).debtLeft).to.equal(0n);
    const cleared = await f.vaultEngine.vaults(vaultId);
    expect(cleared.inAuction).to.equal(false);
    expect(cleared.auctionCollateral).to.equal(0n);
    // The debt was raised: the unsold collateral went back to the vault.
    expect(cleared.collateralAmount).to.be.gt(kept);
    expect(await f.riskEngine.healthFactor(vaultId)).to.be.gte((105n * WAD) / 100n);
    expect(await f.dutchAuction.activeAuctions()).to.deep.equal([]);
    await expectBooksBalanced();

    // The price falls further: the same vault is liquidated again, under the same id.
    await movePrice(2_150n * WAD);
    expect(await f.riskEngine.isLiquidatable(vaultId)).to.equal(true);
    const second = await market.liquidate(f, vaultId, keeper, keeper);
    expect(second.auctionId).to.equal(vaultId);
    expect(second.incentive).to.be.gt(0n);
    const owed = first.incentive + second.incentive;
    expect(await f.dutchAuction.incentivesOwed(keeper.address)).to.deep.equal([owed, owed]);
    expect(await f.dutchAuction.activeAuctions()).to.deep.equal([vaultId]);
    await expectBooksBalanced();
    // Fifteen stair-steps on, the price is under the oracle and the buyer clears the lot.
    await time.increase(15 * 60);
    await setPrice(2_150n * WAD);
    await f.dutchAuction.connect(buyer).take(vaultId, MAX, MAX, buyer.address, "0x");
    expect((await f.vaultEngine.vaults(vaultId)).inAuction).to.equal(false);
    await expectBooksBalanced();

    // The keeper claims both incentives in one mint, out of the surplus the auctions raised.
    const surplus = await f.vaultEngine.surplus();
    await expect(f.dutchAuction.connect(keeper).claimIncentives(keeper.address))
      .to.emit(f.dutchAuction, "IncentivesClaimed")
      .withArgs(keeper.address, keeper.address, owed);
    expect(await f.stablecoin.balanceOf(keeper.address)).to.equal(owed);
    expect(await f.dutchAuction.incentivesOwed(keeper.address)).to.deep.equal([0n, owed]);
    expect(surplus - (await f.vaultEngine.surplus())).to.equal(owed * RAY);
    await expect(f.dutchAuction.connect(keeper).claimIncentives(keeper.address))
      .to.be.revertedWithCustomError(f.dutchAuction, "NothingToClaim")
      .withArgs(keeper.address);
    await expectBooksBalanced();
  });

  it("cascade_moreUnsafeDebtThanTheCap_cutsALiquidationToTheRoomAndTheRestWaitsForRoom", async function () {
    const [alice, bob, carol, keeper, buyer] = f.users;
    const weth = await f.weth.token.getAddress();
    const vaultIds = [];
    for (const owner of [alice, bob, carol]) vaultIds.push(await openAtLimit(owner, 10n * WAD));
    await market.openVault(f, buyer, f.wbtc, 2n * 10n ** 8n, 50n);
    await movePrice(2_580n * WAD);
    // The cascade brake: room for one auction and a half.
    const cap = 20_000n * WAD;
    await f.dutchAuction.setMaxDebtInAuction(weth, cap);

    const first = await market.liquidate(f, vaultIds[0], keeper, keeper);
    const [room] = await f.dutchAuction.room(weth);
    expect(room).to.equal(cap - first.debtToRaise);
    const { debtSlice: slice } = await f.liquidator.previewLiquidation(vaultIds[1]);
    const { penalty } = await f.liquidator.liquidationParams(weth);
    expect(mulWadUp(slice, WAD + penalty)).to.be.gt(room);
    // The second vault does not fit: its liquidation is cut down to the room left, not skipped.
    const second = await market.liquidate(f, vaultIds[1], keeper, keeper);
    expect(second.debtToRaise).to.be.lte(room);
    expect(second.debtToRaise).to.be.gt(room - WAD);
    expect((await f.vaultEngine.vaults(vaultIds[1])).normalizedDebt).to.be.gt(0n);
    await expectBooksBalanced();
    // The third waits: a single liquidation is refused (with the debt it would raise uncut and the room
    // left), a batch skips it.
    const [roomLeft] = await f.dutchAuction.room(weth);
    await expect(f.liquidator.liquidate(vaultIds[2], keeper.address))
      .to.be.revertedWithCustomError(f.liquidator, "NoAuctionRoom")
      .withArgs(weth, (debtToRaise: bigint) => debtToRaise > roomLeft, roomLeft);
    expect(await f.liquidator.connect(keeper).liquidateBatch.staticCall([vaultIds[2]], keeper.address)).to.deep.equal([
      0n,
    ]);

    // A buyer clears the first auction, which frees its room: the third vault goes in now.
    await f.dutchAuction.connect(buyer).take(vaultIds[0], MAX, MAX, buyer.address, "0x");
    const third = await market.liquidate(f, vaultIds[2], keeper, keeper);
    expect(third.auctionId).to.equal(vaultIds[2]);
    expect(await f.dutchAuction.activeAuctions()).to.deep.equal([vaultIds[1], vaultIds[2]]);
    const [debtInAuction] = await f.dutchAuction.debtInAuction(weth);
    expect(debtInAuction).to.equal(second.debtToRaise + third.debtToRaise);
    expect(debtInAuction).to.be.lte(cap);
    await expectBooksBalanced();
  });

  it("auctionEndingShort_afterHeal_returnsTheDebtAndBooksWhatExceedsTheDeficitAsSurplus", async function () {
    const [alice, keeper, buyer] = f.users;
    const weth = await f.weth.token.getAddress();
    const vaultId = await openAtLimit(alice, 10n * WAD);
    await openAtLimit(buyer, 100n * WAD, 50n);
    await movePrice(2_580n * WAD);
    // No lot margin (the lot is worth just the debt to raise at the oracle) and no resetPriceRatio (the price may
    // fall as far as it likes), so the auction can run out of collateral.
    await f.liquidator.setCollateralMargin(weth, WAD);
    await f.dutchAuction.setResetPriceRatio(weth, 0);
    const { auctionId, collateralSeized } = await market.liquidate(f, vaultId, keeper, keeper);
    expect(auctionId).to.equal(vaultId);
    // 85% of the lot sells at once, for more than the seized debt: after heal() no deficit is left.
    await f.dutchAuction.connect(buyer).take(auctionId, (collateralSeized * 85n) / 100n, MAX, buyer, "0x");
    await f.vaultEngine.heal();
    expect(await f.vaultEngine.deficit()).to.equal(0n);
    await expectBooksBalanced();
    // A hundred stair-steps on (price ≈ 0.4 of the oracle) the rest sells short of the debt left.
    await time.increase(100 * 60);
    const { debtLeft } = await f.dutchAuction.auctions(auctionId);
    const [needsReset, price, collateralLeft] = await f.dutchAuction.auctionStatus(auctionId);
    expect(needsReset).to.equal(false);
    expect((collateralLeft * price) / WAD).to.be.lt(debtLeft);
    const surplusBefore = await f.vaultEngine.surplus();
    const normalizedBefore = (await f.vaultEngine.vaults(vaultId)).normalizedDebt;
    const tx = f.dutchAuction.connect(buyer).take(auctionId, MAX, MAX, buyer, "0x");
    await expect(tx).to.emit(f.dutchAuction, "AuctionEnded");
    const receipt = (await (await tx).wait())!;
    const auctionEvents = receipt.logs
      .filter((log) => log.address === f.dutchAuction.target)
      .map((log) => f.dutchAuction.interface.parseLog(log)!);
    const taken = auctionEvents.find((parsed) => parsed.name === "Take")!.args;
    const ended = auctionEvents.find((parsed) => parsed.name === "AuctionEnded")!.args;
    // The partially liquidated vault owes the unraised debt again (no bad debt), at the rate of the
    // take's block; with no deficit to cancel, the whole amount is booked as surplus (it is owed to
    // the protocol again), on top of the buyer's payment.
    expect(taken.collateralBought).to.equal(collateralLeft);
    expect(ended.collateralReturned).to.equal(0n);
    expect(ended.badDebt).to.equal(0n);
    expect(ended.debtReturned).to.equal(debtLeft - taken.debtPaid);
    const [rate] = await f.vaultEngine.collateralState(weth, { blockTag: receipt.blockNumber });
    const addedNormalized = mulDivUp(ended.debtReturned, RAY, rate);
    expect((await f.vaultEngine.vaults(vaultId)).normalizedDebt - normalizedBefore).to.equal(addedNormalized);
    expect(await f.vaultEngine.deficit()).to.equal(0n);
    // The take's accrual adds the fees since the heal on top.
    expect((await f.vaultEngine.surplus()) - surplusBefore).to.be.gte(taken.debtPaid * RAY + addedNormalized * rate);
    expect((await f.vaultEngine.vaults(vaultId)).inAuction).to.equal(false);
    await expectBooksBalanced();
  });
});
