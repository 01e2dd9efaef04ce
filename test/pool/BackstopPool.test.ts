import { expect } from "chai";
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { BaseContract, Contract, Result } from "ethers";
import { WAD, mulDivDown, mulWadDown } from "../../keeper/src/math/fixedPoint";
import {
  LOCAL_COLLATERALS,
  ORACLE_DEFAULTS,
  POOL_PARAMS,
  toFeedAnswer,
  type LocalCollateralSpec,
} from "../../scripts/lib/deploy";
import { HookToken__factory, MockAggregator__factory, MockERC20__factory } from "../../typechain-types";
import { deploySluiceFixture, type SluiceFixture } from "../helpers/fixtures";
import * as market from "../helpers/market";
import {
  VIRTUAL_SHARES,
  ageUntilBiddable,
  expectPoolBooks,
  fundLp,
  matureAll,
  openAuction,
  refreshPrices,
  wad,
} from "../helpers/pool";

type Signer = HardhatEthersSigner;

describe("BackstopPool", function () {
  let f: SluiceFixture;
  let lp: Signer, lp2: Signer, keeper: Signer, owner: Signer;

  beforeEach(async function () {
    f = await deploySluiceFixture();
    [lp, lp2, keeper, owner] = f.users;
  });

  // The fixture object outlives the snapshot: drop what a test listed on top of it.
  afterEach(function () {
    delete f.collaterals.HOOK;
  });

  /** Value of one share at oracle prices, as a fraction value / (totalShares + virtual). */
  async function shareValue(): Promise<[bigint, bigint]> {
    return [await f.backstopPool.totalValue(), (await f.backstopPool.totalShares()) + VIRTUAL_SHARES];
  }

  describe("deposits", function () {
    it("deposit_isPending_neitherHeldNorShares", async function () {
      await fundLp(f, lp);
      const pool = f.backstopPool;
      await expect(pool.connect(lp).deposit(wad(1_000), lp.address)).to.emit(pool, "Deposited");
      const [stable] = await pool.holdings();
      expect(stable).to.equal(0n);
      expect(await pool.totalShares()).to.equal(0n);
      expect([...(await pool.pendingTotals())]).to.deep.equal([wad(1_000), 0n]);
      const position = await pool.positionOf(lp.address);
      expect(position.pendingAmount).to.equal(wad(1_000));
      expect(position.shares).to.equal(0n);
      const [, endsAt] = await pool.currentRound();
      expect(position.maturesAt).to.equal(endsAt + BigInt(POOL_PARAMS.warmup));
      await expectPoolBooks(f);
    });

    it("cancelDeposit_beforeMaturity_refundsExactlyItsAmount", async function () {
      const balance = await fundLp(f, lp);
      const pool = f.backstopPool;
      await pool.connect(lp).deposit(wad(1_000) + 7n, lp.address);
      await time.increase(POOL_PARAMS.warmup); // the round closes, the deposit is now in the previous one
      await pool.connect(lp2).activate(lp2.address);
      await expect(pool.connect(lp).cancelDeposit(lp.address))
        .to.emit(pool, "DepositCancelled")
        .withArgs(lp.address, lp.address, wad(1_000) + 7n, 1n);
      expect(await f.stablecoin.balanceOf(lp.address)).to.equal(balance);
      expect([...(await pool.pendingTotals())]).to.deep.equal([0n, 0n]);
    });

    it("cancelDeposit_afterMaturity_revertsDepositMatured_evenBeforeItIsPriced", async function () {
      await fundLp(f, lp);
      const pool = f.backstopPool;
      await pool.connect(lp).deposit(wad(1_000), lp.address);
      const { maturesAt } = await pool.positionOf(lp.address);
      await time.increaseTo(maturesAt);
      await expect(pool.connect(lp).cancelDeposit(lp.address))
        .to.be.revertedWithCustomError(pool, "DepositMatured")
        .withArgs(lp.address, 1n);
    });

    it("activation_pricesTheFirstRoundOneToOneWithTheVirtualOffset_andLocks", async function () {
      await fundLp(f, lp);
      const pool = f.backstopPool;
      await pool.connect(lp).deposit(wad(1_000), lp.address);
      await matureAll(f, [lp]);
      const now = BigInt(await time.latest());
      const position = await pool.positionOf(lp.address);
      expect(position.shares).to.equal(wad(1_000) * VIRTUAL_SHARES);
      expect(position.pendingAmount).to.equal(0n);
      expect(position.lockedUntil).to.equal(now + BigInt(POOL_PARAMS.lockPeriod));
      expect(position.value).to.equal(
        mulDivDown(wad(1_000), wad(1_000) * VIRTUAL_SHARES, wad(1_000) * VIRTUAL_SHARES + VIRTUAL_SHARES),
      );
      await expect(pool.connect(lp).withdraw(1n, lp.address))
        .to.be.revertedWithCustomError(pool, "SharesLocked")
        .withArgs(lp.address, position.lockedUntil);
      await time.increaseTo(position.lockedUntil);
      const before = await f.stablecoin.balanceOf(lp.address);
      await pool.connect(lp).withdraw(position.shares, lp.address);
      // Everything but what the virtual shares hold (under one wei here).
      expect((await f.stablecoin.balanceOf(lp.address)) - before).to.be.closeTo(wad(1_000), 1n);
    });

    it("activation_happensAtTheFirstActionAfterMaturity_whoeverActs", async function () {
      await fundLp(f, lp);
      const pool = f.backstopPool;
      await pool.connect(lp).deposit(wad(1_000), lp.address);
      const { maturesAt } = await pool.positionOf(lp.address);
      await time.increaseTo(maturesAt - 2n);
      await pool.connect(keeper).activate(keeper.address);
      expect(await pool.totalShares()).to.equal(0n);
      await time.increaseTo(maturesAt);
      await expect(pool.connect(keeper).activate(keeper.address)).to.emit(pool, "RoundActivated");
      expect(await pool.totalShares()).to.equal(wad(1_000) * VIRTUAL_SHARES);
      // Converted lazily, at the round's rate, whenever the LP next acts.
      expect((await pool.positionOf(lp.address)).shares).to.equal(wad(1_000) * VIRTUAL_SHARES);
    });

    it("deposit_forAReceiverWithAPosition_revertsReceiverHasPosition", async function () {
      await fundLp(f, lp);
      await fundLp(f, lp2);
      const pool = f.backstopPool;
      await pool.connect(lp).deposit(wad(10), lp.address);
      await expect(pool.connect(lp2).deposit(wad(10), lp.address))
        .to.be.revertedWithCustomError(pool, "ReceiverHasPosition")
        .withArgs(lp.address);
      // A fresh receiver is fine: it is a gift that opens its position.
      await expect(pool.connect(lp2).deposit(wad(10), keeper.address))
        .to.emit(pool, "Deposited")
        .withArgs(keeper.address, lp2.address, wad(10), 1n, (await pool.positionOf(lp.address)).maturesAt);
    });

    it("deposit_ofAnLpPendingInThePreviousRound_rollsItIntoTheOpenRound", async function () {
      await fundLp(f, lp);
      const pool = f.backstopPool;
      await pool.connect(lp).deposit(wad(10), lp.address);
      await time.increase(POOL_PARAMS.warmup);
      await expect(pool.connect(lp).deposit(wad(5), lp.address))
        .to.emit(pool, "DepositRolled")
        .withArgs(lp.address, 1n, 2n, wad(10));
      expect([...(await pool.pendingTotals())]).to.deep.equal([wad(15), 0n]);
    });
  });

  describe("bids", function () {
    async function activeLp(amount = wad(10_000)): Promise<void> {
      await fundLp(f, lp);
      await f.backstopPool.connect(lp).deposit(amount, lp.address);
      await matureAll(f, [lp]);
    }

    it("bid_belowTheMinimumDiscount_buysAndPaysTheCallerItsCutInStablecoin", async function () {
      await activeLp();
      const id = await openAuction(f, owner);
      await ageUntilBiddable(f, id);
      const pool = f.backstopPool;
      const weth = await f.weth.token.getAddress();
      const oracle = await f.oracleHub.price(weth);
      const [num0, den0] = await shareValue();
      const keeperBefore = await f.stablecoin.balanceOf(keeper.address);
      const tx = await pool.connect(keeper).bid(id, ethers.MaxUint256);
      const receipt = (await tx.wait())!;
      const event = receipt.logs.map((log) => pool.interface.parseLog(log)).find((p) => p?.name === "Bid")!;
      const { collateralBought, debtPaid, oraclePrice, callerCut } = event.args;
      expect(oraclePrice).to.equal(oracle);
      const maxPrice = mulWadDown(oracle, WAD - POOL_PARAMS.minDiscount);
      expect(debtPaid).to.be.lte(mulWadDown(collateralBought, maxPrice));
      const discount = mulWadDown(collateralBought, oracle) - debtPaid;
      expect(callerCut).to.equal(mulWadDown(discount, POOL_PARAMS.callerCut));
      expect(callerCut).to.be.gt(0n);
      expect((await f.stablecoin.balanceOf(keeper.address)) - keeperBefore).to.equal(callerCut);
      const [stable, amounts] = await pool.holdings();
      expect(stable).to.equal(wad(10_000) - debtPaid - callerCut);
      expect(amounts[0]).to.equal(collateralBought);
      const [num1, den1] = await shareValue();
      expect(num1 * den0).to.be.gte(num0 * den1);
      await expectPoolBooks(f);
      await market.expectBooksBalanced(f);
    });

    it("bid_beforeTheDiscount_revertsDiscountTooSmall", async function () {
      await activeLp();
      const id = await openAuction(f, owner);
      const weth = await f.weth.token.getAddress();
      const [, price] = await f.dutchAuction.auctionStatus(id);
      await expect(f.backstopPool.connect(keeper).bid(id, ethers.MaxUint256))
        .to.be.revertedWithCustomError(f.backstopPool, "DiscountTooSmall")
        .withArgs(id, price, await f.backstopPool.maxBidPrice(weth));
    });

    it("bid_onAnAuctionThatNeedsAReset_revertsAuctionNeedsReset", async function () {
      await activeLp();
      const id = await openAuction(f, owner);
      await time.increase(LOCAL_COLLATERALS[0].auction!.maxAuctionAge + 1n);
      await refreshPrices(f);
      expect((await f.dutchAuction.auctionStatus(id)).needsReset).to.equal(true);
      await expect(f.backstopPool.connect(keeper).bid(id, ethers.MaxUint256))
        .to.be.revertedWithCustomError(f.backstopPool, "AuctionNeedsReset")
        .withArgs(id);
    });

    it("bid_whenTheOracleIsStale_revertsStalePrice", async function () {
      await activeLp();
      // WBTC's linear curve is still above its reset price ratio a heartbeat after the pool may bid.
      const id = await openAuction(f, owner, f.wbtc);
      await ageUntilBiddable(f, id);
      await time.increase(ORACLE_DEFAULTS.heartbeat + 1);
      await expect(f.backstopPool.connect(keeper).bid(id, ethers.MaxUint256)).to.be.revertedWithCustomError(
        f.oracleHub,
        "StalePrice",
      );
    });

    it("bid_withNoActiveStablecoin_revertsNoActiveStablecoin_andNeverSpendsPendingDeposits", async function () {
      await fundLp(f, lp);
      await f.backstopPool.connect(lp).deposit(wad(10_000), lp.address);
      const id = await openAuction(f, owner);
      await ageUntilBiddable(f, id);
      await expect(f.backstopPool.connect(keeper).bid(id, ethers.MaxUint256)).to.be.revertedWithCustomError(
        f.backstopPool,
        "NoActiveStablecoin",
      );
    });

    it("deposit_pendingDuringABid_gainsNothingFromIt", async function () {
      await activeLp();
      const id = await openAuction(f, owner);
      await ageUntilBiddable(f, id);
      await fundLp(f, lp2);
      await f.backstopPool.connect(lp2).deposit(wad(5_000), lp2.address);
      await f.backstopPool.connect(keeper).bid(id, ethers.MaxUint256);
      await matureAll(f, [lp2]);
      // Priced after the bid: worth its amount (less rounding), not a part of the bid's gain.
      const { value } = await f.backstopPool.positionOf(lp2.address);
      expect(value).to.be.lte(wad(5_000));
      expect(value).to.be.gte(wad(5_000) - 10n ** 6n);
    });

    it("withdraw_afterABid_paysProRataInKind_withoutAnOraclePrice", async function () {
      await activeLp();
      const id = await openAuction(f, owner);
      await ageUntilBiddable(f, id);
      await f.backstopPool.connect(keeper).bid(id, ethers.MaxUint256);
      await time.increase(POOL_PARAMS.lockPeriod + ORACLE_DEFAULTS.heartbeat);
      // Stale: withdrawals need no price.
      await expect(f.oracleHub.price(await f.weth.token.getAddress())).to.be.reverted;
      // positionOf values the shares, which needs prices: read the shares from the pool's supply.
      const half = (await f.backstopPool.totalShares()) / 2n;
      const [stable, amounts] = await f.backstopPool.holdings();
      const outOf = (await f.backstopPool.totalShares()) + VIRTUAL_SHARES;
      const wethBefore = await f.weth.token.balanceOf(lp2.address);
      await f.backstopPool.connect(lp).withdraw(half, lp2.address);
      expect(await f.weth.token.balanceOf(lp2.address)).to.equal(wethBefore + mulDivDown(amounts[0], half, outOf));
      expect(await f.stablecoin.balanceOf(lp2.address)).to.equal(mulDivDown(stable, half, outOf));
    });
  });

  describe("hostile", function () {
    it("donations_toAFirstDepositorsPool_doNotInflateShares", async function () {
      const attacker = lp2;
      await fundLp(f, attacker, 2n * 10n ** 8n);
      await fundLp(f, lp);
      const pool = f.backstopPool;
      await pool.connect(attacker).deposit(1n, attacker.address);
      await matureAll(f, [attacker]);
      expect((await pool.positionOf(attacker.address)).shares).to.equal(VIRTUAL_SHARES);
      // The classic move: send tokens straight to the pool so the next deposit rounds to nothing.
      await f.stablecoin.connect(attacker).transfer(await pool.getAddress(), wad(20_000));
      await f.wbtc.token.mint(await pool.getAddress(), 10n ** 8n);
      await f.weth.token.mint(await pool.getAddress(), 10n ** 18n);
      expect(await pool.totalValue()).to.equal(1n);
      await pool.connect(lp).deposit(wad(1_000), lp.address);
      await matureAll(f, [lp]);
      const victim = await pool.positionOf(lp.address);
      expect(victim.value).to.be.gte(wad(1_000) - 1n);
      const attackerValue = (await pool.positionOf(attacker.address)).value;
      expect(attackerValue).to.be.lte(1n);
    });

    it("inflation_byWithdrawingAllButOneShare_costsTheAttackerMoreThanTheVictimLoses", async function () {
      const attacker = lp2;
      await fundLp(f, attacker, 2n * 10n ** 8n);
      await fundLp(f, lp);
      const pool = f.backstopPool;
      await pool.connect(attacker).deposit(wad(10_000), attacker.address);
      await matureAll(f, [attacker]);
      const id = await openAuction(f, owner);
      await ageUntilBiddable(f, id);
      await pool.connect(attacker).bid(id, ethers.MaxUint256);
      await time.increase(POOL_PARAMS.lockPeriod);
      await refreshPrices(f);
      const { shares } = await pool.positionOf(attacker.address);
      await pool.connect(attacker).withdraw(shares - 1n, attacker.address);
      const left = await pool.totalValue();
      await pool.connect(lp).deposit(wad(1_000), lp.address);
      await matureAll(f, [lp, attacker]);
      const victim = await pool.positionOf(lp.address);
      const attackerValue = (await pool.positionOf(attacker.address)).value;
      // The victim loses at most one share's worth; the attacker's last share owns almost nothing.
      expect(wad(1_000) - victim.value).to.be.lte(left / VIRTUAL_SHARES + 1n);
      expect(attackerValue).to.be.lte(left / VIRTUAL_SHARES + wad(1_000) / VIRTUAL_SHARES + 1n);
    });

    /** Lists a HookToken in every module and in the pool, with WETH's parameters and its own feed. */
    async function listHookToken(): Promise<{ c: market.Collateral; hook: Contract }> {
      const deployed = await new HookToken__factory(f.governor).deploy();
      const address = await deployed.getAddress();
      const spec: LocalCollateralSpec = { ...LOCAL_COLLATERALS[0], symbol: "HOOK" };
      const feed = await new MockAggregator__factory(f.governor).deploy(8, "HOOK / USD", toFeedAnswer(spec.price, 8));
      await f.oracleHub.addFeed(address, {
        source: await feed.getAddress(),
        heartbeat: ORACLE_DEFAULTS.heartbeat,
        minPrice: spec.price / 1_000n,
        maxPrice: spec.price * 1_000n,
        maxJump: ORACLE_DEFAULTS.maxJump,
        halfLife: ORACLE_DEFAULTS.halfLife,
      });
      await f.oracleHub.poke(address);
      await f.vaultEngine.addCollateral(address, {
        debtCeiling: spec.debtCeiling,
        dust: spec.dust,
        stabilityFee: 10n ** 27n,
        maxLTV: spec.maxLTV,
      });
      await f.riskEngine.addCollateral(address, spec.risk.baseThreshold, spec.risk.params);
      await f.liquidator.addCollateral(address, spec.liquidation!);
      const auction = await f.dutchAuction.auctionParams(await f.weth.token.getAddress());
      await f.dutchAuction.addCollateral(address, {
        curve: auction.curve,
        startPriceFactor: auction.startPriceFactor,
        maxAuctionAge: auction.maxAuctionAge,
        resetPriceRatio: auction.resetPriceRatio,
        maxDebtInAuction: auction.maxDebtInAuction,
      });
      await f.backstopPool.addCollateral(address);
      const token = MockERC20__factory.connect(address, f.governor);
      const c = { spec, token, feed };
      f.collaterals.HOOK = c;
      return { c, hook: deployed as unknown as Contract };
    }

    const call = (contract: BaseContract, fn: string, args: readonly unknown[]) => ({
      target: contract.target as string,
      data: contract.interface.encodeFunctionData(fn, args),
    });

    it("bid_withCollateralThatCallsBackOnTransfer_refusesEveryReentry", async function () {
      await fundLp(f, lp);
      await f.backstopPool.connect(lp).deposit(wad(10_000), lp.address);
      const { c, hook } = await listHookToken();
      await matureAll(f, [lp]);
      const id = await openAuction(f, owner, c);
      await ageUntilBiddable(f, id);
      const pool = f.backstopPool;
      await hook.watch(await pool.getAddress());
      await hook.arm(
        [
          call(pool, "bid", [id, 1n]),
          call(pool, "withdraw", [1n, owner.address]),
          call(pool, "deposit", [1n, owner.address]),
          call(pool, "activate", [owner.address]),
          call(pool, "cancelDeposit", [owner.address]),
        ],
        false,
      );
      await expect(pool.connect(keeper).bid(id, ethers.MaxUint256)).to.emit(pool, "Bid");
      const outcomes = ((await hook.outcomes()) as Result[]).map((o) => ({
        ok: o.ok as boolean,
        data: o.data as string,
      }));
      expect(outcomes).to.have.length(5);
      for (const outcome of outcomes) {
        expect(outcome.ok).to.equal(false);
        expect(pool.interface.parseError(outcome.data)?.name).to.equal("ReentrancyGuardReentrantCall");
      }
      await expectPoolBooks(f);
    });
  });

  describe("admin", function () {
    it("setters_outsideTheirBounds_revertWithTheirTypedRangeErrors", async function () {
      const pool = f.backstopPool.connect(f.governor);
      const cases: [string, string, bigint, bigint, bigint, bigint][] = [
        ["setWarmup", "WarmupOutOfRange", 3_599n, 3_600n, 7n * 86_400n, 7n * 86_400n + 1n],
        ["setLockPeriod", "LockPeriodOutOfRange", 0n, 0n, 30n * 86_400n, 30n * 86_400n + 1n],
        ["setMinDiscount", "MinDiscountOutOfRange", WAD / 200n - 1n, WAD / 200n, WAD / 2n, WAD / 2n + 1n],
        ["setCallerCut", "CallerCutOutOfRange", 0n, 0n, WAD / 2n, WAD / 2n + 1n],
      ];
      for (const [fn, error, belowOrMin, min, max, above] of cases) {
        // Bounds with a lower end carry (value, min, max); the others (value, max).
        const args = (value: bigint) => (min > 0n ? [value, min, max] : [value, max]);
        if (belowOrMin < min) {
          await expect(pool.getFunction(fn)(belowOrMin))
            .to.be.revertedWithCustomError(pool, error)
            .withArgs(...args(belowOrMin));
        }
        await expect(pool.getFunction(fn)(min)).to.not.be.reverted;
        await expect(pool.getFunction(fn)(max)).to.not.be.reverted;
        await expect(pool.getFunction(fn)(above))
          .to.be.revertedWithCustomError(pool, error)
          .withArgs(...args(above));
      }
    });

    it("collaterals_areBoundedInCount_andCannotBeDelistedWhileHeld", async function () {
      const pool = f.backstopPool.connect(f.governor);
      const weth = await f.weth.token.getAddress();
      await expect(pool.addCollateral(weth)).to.be.revertedWithCustomError(pool, "CollateralAlreadyHeld");
      const stranger = await (await new MockERC20__factory(f.governor).deploy("X", "X", 18)).getAddress();
      await expect(pool.addCollateral(stranger)).to.be.revertedWithCustomError(f.dutchAuction, "CollateralNotListed");
      expect(await pool.MAX_COLLATERALS()).to.equal(5n);
      await expect(pool.removeCollateral(weth)).to.emit(pool, "CollateralRemoved").withArgs(weth);
      expect(await pool.collaterals()).to.deep.equal([await f.wbtc.token.getAddress()]);
      await expect(pool.addCollateral(weth)).to.emit(pool, "CollateralAdded").withArgs(weth, 18);
    });
  });
});
