// Liquidator: the incentive the DutchAuction owes the keeper for a liquidation, and its caps.
import { expect } from "chai";
import { takeSnapshot } from "@nomicfoundation/hardhat-network-helpers";
import { RAY, WAD, mulWadDown, valueDown } from "../../keeper/src/math/fixedPoint";
import { LOCAL_INCENTIVE } from "../../scripts/lib/deploy";
import { deploySluiceFixture, type SluiceFixture } from "../helpers/fixtures";
import * as market from "../helpers/market";
import {
  WETH_LIQUIDATION,
  planNextBlock,
  referenceIncentive,
  engineEvents,
  liquidationsIn,
  liquidationIn,
  liquidate,
  liquidateBatch,
  storedRates,
} from "../helpers/liquidator";

describe("Liquidator", function () {
  let f: SluiceFixture;
  let weth: string;

  beforeEach(async function () {
    f = await deploySluiceFixture();
    weth = await f.weth.token.getAddress();
    storedRates.clear();
  });

  describe("keeper incentive", function () {
    it("liquidate_byAKeeper_owesFlatIncentivePlusIncentiveRateAndMintsNothing", async function () {
      const [alice, keeper, caller] = f.users;
      const vaultId = await market.openVault(f, alice, f.weth, 10n * WAD);
      await market.movePrice(f, f.weth, 2_580n * WAD);
      const [surplus, supply] = [await f.vaultEngine.surplus(), await f.stablecoin.totalSupply()];
      const plan = await planNextBlock(f, vaultId);
      const receipt = await liquidate(f, vaultId, keeper, caller);
      const incentive = LOCAL_INCENTIVE.flatIncentive + mulWadDown(plan.debtToRaise, LOCAL_INCENTIVE.incentiveRate);
      expect(incentive).to.be.lt(mulWadDown(plan.debtSeized, WETH_LIQUIDATION.penalty) / 2n);
      expect(await referenceIncentive(f, plan, keeper.address, caller.address)).to.equal(incentive);
      expect(liquidationIn(f, receipt).incentive).to.equal(incentive);
      expect(liquidationIn(f, receipt).keeper).to.equal(keeper.address);
      expect([...(await f.dutchAuction.incentivesOwed(keeper.address))]).to.deep.equal([incentive, incentive]);
      expect([...(await f.dutchAuction.incentivesOwed(caller.address))]).to.deep.equal([0n, 0n]);
      // Owed, not minted: no stablecoin moves and the surplus is untouched until the keeper claims.
      expect(await f.stablecoin.balanceOf(keeper.address)).to.equal(0n);
      expect(await f.stablecoin.balanceOf(caller.address)).to.equal(0n);
      expect(await f.stablecoin.totalSupply()).to.equal(supply);
      expect(await f.vaultEngine.surplus()).to.equal(surplus);
      expect(engineEvents(f, receipt, "KeeperPaid")).to.deep.equal([]);
      await market.expectBooksBalanced(f);
    });

    it("liquidate_twiceByOneKeeper_addsUpWhatIsOwed", async function () {
      const [alice, bob, keeper] = f.users;
      const first = await market.openVault(f, alice, f.weth, 10n * WAD);
      const second = await market.openVault(f, bob, f.weth, 5n * WAD);
      await market.movePrice(f, f.weth, 2_580n * WAD);
      const a = liquidationIn(f, await liquidate(f, first, keeper)).incentive;
      const plan = await planNextBlock(f, second);
      const b = liquidationIn(f, await liquidate(f, second, keeper)).incentive;
      expect(b).to.equal(await referenceIncentive(f, plan, keeper.address));
      expect(a).to.be.gt(b);
      expect([...(await f.dutchAuction.incentivesOwed(keeper.address))]).to.deep.equal([a + b, a + b]);
    });

    it("liquidate_largeDebt_capsTheIncentiveAtMaxIncentive", async function () {
      const [alice, keeper] = f.users;
      const params = { ...LOCAL_INCENTIVE, maxIncentive: 25n * WAD };
      await f.dutchAuction.setIncentiveParams(params);
      const vaultId = await market.openVault(f, alice, f.weth, 10n * WAD);
      await market.movePrice(f, f.weth, 2_580n * WAD);
      const plan = await planNextBlock(f, vaultId);
      expect(params.flatIncentive + mulWadDown(plan.debtToRaise, params.incentiveRate)).to.be.gt(params.maxIncentive);
      expect(liquidationIn(f, await liquidate(f, vaultId, keeper)).incentive).to.equal(params.maxIncentive);
      expect([...(await f.dutchAuction.incentivesOwed(keeper.address))]).to.deep.equal([
        params.maxIncentive,
        params.maxIncentive,
      ]);
    });

    it("liquidate_debtToRaiseBelowDust_owesNothing", async function () {
      const [alice, keeper] = f.users;
      // No fee and a full liquidation: the debt to raise does not depend on the block, nor on dust.
      await f.vaultEngine.setStabilityFee(weth, RAY);
      await f.liquidator.setFullLiquidationHealth(weth, WAD);
      // ≈ 0.2 WETH: about 450 of debt, 486 to raise.
      const vaultId = await market.openVault(f, alice, f.weth, WAD / 5n);
      await market.movePrice(f, f.weth, 2_580n * WAD);
      const plan = await planNextBlock(f, vaultId);
      const snapshot = await takeSnapshot();
      // Dust at exactly the debt to raise: the incentive is due (here capped at half the penalty).
      await f.vaultEngine.setDust(weth, plan.debtToRaise);
      const atDust = liquidationIn(f, await liquidate(f, vaultId, keeper));
      expect(atDust.debtToRaise).to.equal(plan.debtToRaise);
      const halfPenalty = mulWadDown(plan.debtSeized, WETH_LIQUIDATION.penalty) / 2n;
      expect(atDust.incentive).to.equal(halfPenalty);
      expect(halfPenalty).to.be.gt(0n);
      await snapshot.restore();
      // One wei more of dust: the same auction, nothing owed.
      await f.vaultEngine.setDust(weth, plan.debtToRaise + 1n);
      const receipt = await liquidate(f, vaultId, keeper);
      const underDust = liquidationIn(f, receipt);
      expect(underDust.debtToRaise).to.equal(plan.debtToRaise);
      expect(underDust.incentive).to.equal(0n);
      expect([...(await f.dutchAuction.incentivesOwed(keeper.address))]).to.deep.equal([0n, 0n]);
      expect((await f.dutchAuction.auctions(vaultId)).debtLeft).to.equal(plan.debtToRaise);
      // A batch applies the same rule.
      await snapshot.restore();
      await f.vaultEngine.setDust(weth, plan.debtToRaise + 1n);
      const batch = liquidationsIn(f, await liquidateBatch(f, [vaultId], keeper));
      expect(batch.map((l) => [l.vaultId, l.debtToRaise, l.incentive])).to.deep.equal([
        [vaultId, plan.debtToRaise, 0n],
      ]);
    });

    it("liquidate_smallDebt_capsTheIncentiveAtHalfThePenaltyOnTheDebt", async function () {
      const [alice, keeper] = f.users;
      await f.liquidator.setFullLiquidationHealth(weth, WAD);
      // 0.22 WETH: ≈ 495 of debt, ≈ 535 to raise; flatIncentive + incentiveRate ≈ 20.5 > half of the 8% penalty ≈ 19.8.
      const vaultId = await market.openVault(f, alice, f.weth, (22n * WAD) / 100n);
      await market.movePrice(f, f.weth, 2_580n * WAD);
      const plan = await planNextBlock(f, vaultId);
      const halfPenalty = mulWadDown(plan.debtSeized, WETH_LIQUIDATION.penalty) / 2n;
      expect(plan.debtToRaise).to.be.gte(plan.data.dust);
      expect(plan.data.value).to.be.gt(plan.debtSeized);
      expect(LOCAL_INCENTIVE.flatIncentive + mulWadDown(plan.debtToRaise, LOCAL_INCENTIVE.incentiveRate)).to.be.gt(
        halfPenalty,
      );
      expect(liquidationIn(f, await liquidate(f, vaultId, keeper)).incentive).to.equal(halfPenalty);
      expect([...(await f.dutchAuction.incentivesOwed(keeper.address))]).to.deep.equal([halfPenalty, halfPenalty]);
    });

    it("liquidate_collateralWorthLessThanTheDebt_capsTheIncentiveAtHalfThePenaltyOnItsValue", async function () {
      const [alice, keeper] = f.users;
      const vaultId = await market.openVault(f, alice, f.weth, 10n * WAD);
      // 2,000 a WETH: 20,000 of collateral against ≈ 22,500 of debt, all of it seized.
      await market.movePrice(f, f.weth, 2_000n * WAD);
      const flatIncentive = 850n * WAD;
      await f.dutchAuction.setIncentiveParams({ ...LOCAL_INCENTIVE, flatIncentive });
      const plan = await planNextBlock(f, vaultId);
      expect(plan.full).to.equal(true);
      const seizedValue = valueDown(plan.collateralSeized, 18, plan.data.price);
      const onValue = mulWadDown(seizedValue, WETH_LIQUIDATION.penalty) / 2n;
      const onDebt = mulWadDown(plan.debtSeized, WETH_LIQUIDATION.penalty) / 2n;
      const keeperIncentive = flatIncentive + mulWadDown(plan.debtToRaise, LOCAL_INCENTIVE.incentiveRate);
      // The cap on the value binds where the cap on the debt would not.
      expect(onValue).to.be.lt(keeperIncentive);
      expect(onDebt).to.be.gt(keeperIncentive);
      expect(liquidationIn(f, await liquidate(f, vaultId, keeper)).incentive).to.equal(onValue);
      expect([...(await f.dutchAuction.incentivesOwed(keeper.address))]).to.deep.equal([onValue, onValue]);
    });

    it("liquidate_keeperIsTheOwner_owesNothing", async function () {
      const [alice, caller] = f.users;
      const vaultId = await market.openVault(f, alice, f.weth, 10n * WAD);
      await market.movePrice(f, f.weth, 2_580n * WAD);
      const plan = await planNextBlock(f, vaultId);
      const event = liquidationIn(f, await liquidate(f, vaultId, alice, caller));
      // Anyone else would have earned one.
      expect(await referenceIncentive(f, plan, caller.address)).to.be.gt(0n);
      expect([event.keeper, event.debtToRaise, event.incentive]).to.deep.equal([alice.address, plan.debtToRaise, 0n]);
      expect([...(await f.dutchAuction.incentivesOwed(alice.address))]).to.deep.equal([0n, 0n]);
      expect([...(await f.dutchAuction.incentivesOwed(caller.address))]).to.deep.equal([0n, 0n]);
    });

    it("liquidate_callerIsTheOwner_owesNothing", async function () {
      const [alice, accomplice] = f.users;
      const vaultId = await market.openVault(f, alice, f.weth, 10n * WAD);
      await market.movePrice(f, f.weth, 2_580n * WAD);
      const plan = await planNextBlock(f, vaultId);
      const event = liquidationIn(f, await liquidate(f, vaultId, accomplice, alice));
      expect([event.keeper, event.debtToRaise, event.incentive]).to.deep.equal([
        accomplice.address,
        plan.debtToRaise,
        0n,
      ]);
      expect([...(await f.dutchAuction.incentivesOwed(accomplice.address))]).to.deep.equal([0n, 0n]);
      expect([...(await f.dutchAuction.incentivesOwed(alice.address))]).to.deep.equal([0n, 0n]);
    });
  });
});
