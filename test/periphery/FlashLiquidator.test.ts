// The FlashLiquidator on the in-process chain with real Uniswap V2 pairs (deployed from the npm
// artifacts and seeded at the oracle price with the RiskEngine's depth): a keeper holding no
// stablecoin clears an auction after a crash, and strangers cannot use its callback.
import { expect } from "chai";
import { ethers } from "hardhat";
import { impersonateAccount, setBalance, time } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { MaxUint256, ZeroAddress } from "ethers";
import { WAD } from "../../keeper/src/math/fixedPoint";
import { LIQUIDITY_COLLATERALIZATION } from "../../scripts/lib/deploy";
import { ReentrantToken__factory } from "../../typechain-types";
import { deployAmmFixture, pairReserves, sellPairDownTo, uniswapAmountOut, type AmmFixture } from "../helpers/amm";
import { expectBooksBalanced, liquidate, movePrice, openVault, type Collateral } from "../helpers/market";

const CRASH_PRICE = 2_550n * WAD; // WETH from 3,000: −15%, vaults at their limit liquidate partially
const DECAY = 15n * 60n; // [seconds] the stair-step curve at 1% a minute: the price is 1.1 · 0.99^15 ≈ 0.947 of the oracle's

describe("FlashLiquidator", function () {
  let f: AmmFixture;
  let keeper: HardhatEthersSigner;
  let borrower: HardhatEthersSigner;
  let stranger: HardhatEthersSigner;
  let arbitrageur: HardhatEthersSigner;

  beforeEach(async function () {
    f = await deployAmmFixture();
    [keeper, borrower, stranger, arbitrageur] = f.users;
  });

  /** A WETH vault at its limit, the crash, the pair arbitraged to the new price, the liquidation. */
  async function crashAndLiquidate(c: Collateral = f.weth, crashPrice = CRASH_PRICE): Promise<bigint> {
    const vaultId = await openVault(f, borrower, c, 10n ** BigInt(c.spec.decimals) * 10n);
    await movePrice(f, c, crashPrice);
    await sellPairDownTo(f, c, arbitrageur, crashPrice);
    expect(await f.riskEngine.isLiquidatable(vaultId)).to.equal(true);
    await liquidate(f, vaultId, keeper, keeper);
    return vaultId;
  }

  async function balancesOf(c: Collateral) {
    const flash = await f.flashLiquidator.getAddress();
    return {
      reserves: await pairReserves(f, c),
      keeperStablecoin: await f.stablecoin.balanceOf(keeper.address),
      flashStablecoin: await f.stablecoin.balanceOf(flash),
      flashCollateral: await c.token.balanceOf(flash),
    };
  }

  describe("deployment", function () {
    it("seedPair_eachCollateral_pairAtOraclePriceWithRiskEngineDepth", async function () {
      for (const c of [f.weth, f.wbtc]) {
        const token = await c.token.getAddress();
        const { pair, collateral, stablecoin } = await pairReserves(f, c);
        const depth = (await f.riskEngine.riskParams(token)).depth;
        const price = await f.oracleHub.price(token);
        const unit = 10n ** BigInt(c.spec.decimals);
        expect(stablecoin).to.equal(depth);
        expect(collateral).to.equal((depth * unit) / price);
        expect(await f.uniswap.factory.getPair(token, await f.stablecoin.getAddress())).to.equal(
          await pair.getAddress(),
        );
        expect(await f.flashLiquidator.pairFor(token)).to.equal(await pair.getAddress());
        // The liquidity vault borrowed the depth against ten times its value and is far from liquidation.
        const vaultId = c.liquidityVaultId!;
        expect((await f.vaultEngine.vaults(vaultId)).owner).to.equal(f.governor.address);
        // Borrowed exactly the depth; fees have accrued for a few blocks since.
        const debt = await f.vaultEngine.debtOf(vaultId);
        expect(debt)
          .to.be.gte(depth)
          .and.to.be.lt(depth + depth / 1_000_000n);
        expect(await f.vaultEngine.collateralValue(vaultId)).to.equal(
          (LIQUIDITY_COLLATERALIZATION * collateral * price) / unit,
        );
        expect(await f.riskEngine.healthFactor(vaultId)).to.be.gt(5n * WAD);
      }
      // Users' room under the ceilings is what the local specs give them.
      expect((await f.vaultEngine.collateralParams(await f.weth.token.getAddress())).debtCeiling).to.equal(
        f.weth.spec.debtCeiling + f.weth.spec.risk.params.depth,
      );
      expect(await f.vaultEngine.globalDebtCeiling()).to.equal(
        100_000_000n * WAD + f.weth.spec.risk.params.depth + f.wbtc.spec.risk.params.depth,
      );
      await expectBooksBalanced(f);
    });

    it("router_onTheSeededPair_quotesAndSwapsWithTheFactory", async function () {
      const router = f.uniswap.router;
      expect(await router.factory()).to.equal(await f.uniswap.factory.getAddress());
      const before = await pairReserves(f, f.wbtc);
      await sellPairDownTo(f, f.wbtc, arbitrageur, 59_000n * WAD);
      const after = await pairReserves(f, f.wbtc);
      const sold = after.collateral - before.collateral;
      expect(sold).to.be.gt(0n);
      expect(before.stablecoin - after.stablecoin).to.equal(
        await router.getAmountOut(sold, before.collateral, before.stablecoin),
      );
      expect(await f.stablecoin.balanceOf(arbitrageur.address)).to.equal(before.stablecoin - after.stablecoin);
    });
  });

  describe("flashTake", function () {
    it("flashTake_afterCrash_keeperWithoutStablecoinEarnsProfitAndPairMovesByUniswapFormula", async function () {
      const vaultId = await crashAndLiquidate();
      await time.increase(DECAY);
      expect(await f.stablecoin.balanceOf(keeper.address)).to.equal(0n);
      const before = await pairReserves(f, f.weth);
      const lot = await f.dutchAuction.auctions(vaultId);
      const flash = f.flashLiquidator.connect(keeper);
      const [plannedSold, plannedPaid, plannedProfit] = await flash.flashTake.staticCall(
        vaultId,
        MaxUint256,
        MaxUint256,
        0n,
      );
      expect(plannedProfit).to.be.gt(0n);

      const tx = await flash.flashTake(vaultId, MaxUint256, MaxUint256, plannedProfit);
      const receipt = (await tx.wait())!;
      const event = receipt.logs
        .map((log) => f.flashLiquidator.interface.parseLog(log))
        .find((parsed) => parsed?.name === "FlashTake")!;
      const { collateralSold, debtPaid, amountOut } = event.args;
      // Same block time as the simulation's next block: the plan holds to the wei.
      expect([collateralSold, debtPaid, amountOut - debtPaid]).to.deep.equal([plannedSold, plannedPaid, plannedProfit]);
      expect(event.args.keeper).to.equal(keeper.address);
      // A partial liquidation's lot carries a margin: the take buys what covers the debt, the rest goes back.
      expect(collateralSold).to.be.lt(lot.collateralLeft);

      // The pair paid exactly Uniswap's constant product with the 0.3% fee, as its own router computes it.
      expect(amountOut).to.equal(uniswapAmountOut(collateralSold, before.collateral, before.stablecoin));
      expect(amountOut).to.equal(
        await f.uniswap.router.getAmountOut(collateralSold, before.collateral, before.stablecoin),
      );
      const after = await pairReserves(f, f.weth);
      expect(after.collateral).to.equal(before.collateral + collateralSold);
      expect(after.stablecoin).to.equal(before.stablecoin - amountOut);
      // k grew by the fee: (x + 0.997·dx)(y − dy) ≥ x·y, and one more wei out would break it.
      expect((after.collateral * 1000n - collateralSold * 3n) * after.stablecoin * 1000n).to.be.gte(
        before.collateral * before.stablecoin * 1_000_000n,
      );
      expect((after.collateral * 1000n - collateralSold * 3n) * (after.stablecoin - 1n) * 1000n).to.be.lt(
        before.collateral * before.stablecoin * 1_000_000n,
      );

      // The keeper holds the profit, the FlashLiquidator nothing, and the debt is covered.
      expect(await f.stablecoin.balanceOf(keeper.address)).to.equal(amountOut - debtPaid);
      expect(await f.stablecoin.balanceOf(await f.flashLiquidator.getAddress())).to.equal(0n);
      expect(await f.weth.token.balanceOf(await f.flashLiquidator.getAddress())).to.equal(0n);
      expect(debtPaid).to.equal(lot.debtLeft);
      expect((await f.dutchAuction.auctions(vaultId)).debtLeft).to.equal(0n);
      await expect(tx)
        .to.emit(f.dutchAuction, "Take")
        .withArgs(
          vaultId,
          await f.flashLiquidator.getAddress(),
          await f.flashLiquidator.getAddress(),
          collateralSold,
          debtPaid,
          anyValue,
        );
      await expectBooksBalanced(f);
    });

    it("flashTake_partialOn8DecimalCollateral_sellsWhatItBought", async function () {
      const vaultId = await crashAndLiquidate(f.wbtc, 48_000n * WAD);
      await time.increase(45n * 60n); // the linear curve: 25% of the way down in 3 hours
      const lot = await f.dutchAuction.auctions(vaultId);
      const part = lot.collateralLeft / 4n;
      const before = await pairReserves(f, f.wbtc);
      await f.flashLiquidator.connect(keeper).flashTake(vaultId, part, MaxUint256, 1n);
      const after = await pairReserves(f, f.wbtc);
      const sold = after.collateral - before.collateral;
      expect(sold).to.be.gt(0n).and.to.be.lte(part);
      expect(before.stablecoin - after.stablecoin).to.equal(
        uniswapAmountOut(sold, before.collateral, before.stablecoin),
      );
      expect((await f.dutchAuction.auctions(vaultId)).collateralLeft).to.equal(lot.collateralLeft - sold);
      expect(await f.stablecoin.balanceOf(keeper.address)).to.be.gt(0n);
      expect(await f.wbtc.token.balanceOf(await f.flashLiquidator.getAddress())).to.equal(0n);
      await expectBooksBalanced(f);
    });
  });

  describe("hostile", function () {
    it("take_byThirdPartyWithFlashLiquidatorAsReceiver_reverts", async function () {
      const vaultId = await crashAndLiquidate();
      await time.increase(DECAY);
      // The stranger holds enough stablecoin to pay: the callback, not the payment, refuses it.
      await openVault(f, stranger, f.wbtc, 10n ** 8n);
      // Its data names a "pair" of its own: the callback must never act on it.
      const data = ethers.AbiCoder.defaultAbiCoder().encode(
        ["uint256", "address", "address", "bool", "uint256"],
        [vaultId, await f.weth.token.getAddress(), stranger.address, true, 0n],
      );
      await expect(
        f.dutchAuction
          .connect(stranger)
          .take(vaultId, MaxUint256, MaxUint256, await f.flashLiquidator.getAddress(), data),
      )
        .to.be.revertedWithCustomError(f.flashLiquidator, "UntrustedInitiator")
        .withArgs(stranger.address);
    });

    it("onTake_calledDirectly_reverts", async function () {
      await expect(f.flashLiquidator.connect(stranger).onTake(f.flashLiquidator.getAddress(), 1n, 1n, "0x01"))
        .to.be.revertedWithCustomError(f.flashLiquidator, "NotAuction")
        .withArgs(stranger.address);
    });

    it("onTake_fromTheAuctionOutsideAFlashTake_reverts", async function () {
      const auction = await f.dutchAuction.getAddress();
      await impersonateAccount(auction);
      await setBalance(auction, WAD);
      const asAuction = await ethers.getSigner(auction);
      await expect(
        f.flashLiquidator.connect(asAuction).onTake(await f.flashLiquidator.getAddress(), 1n, 1n, "0x01"),
      ).to.be.revertedWithCustomError(f.flashLiquidator, "NotInFlashTake");
    });

    it("flashTake_profitBelowMinimum_revertsAndNothingMoves", async function () {
      const vaultId = await crashAndLiquidate();
      await time.increase(DECAY);
      const [, , profit] = await f.flashLiquidator
        .connect(keeper)
        .flashTake.staticCall(vaultId, MaxUint256, MaxUint256, 0n);
      const before = await balancesOf(f.weth);
      const lotBefore = await f.dutchAuction.auctions(vaultId);
      // Mined in the block the simulation priced, so the profit is the one simulated.
      await expect(f.flashLiquidator.connect(keeper).flashTake(vaultId, MaxUint256, MaxUint256, profit + 1n))
        .to.be.revertedWithCustomError(f.flashLiquidator, "ProfitBelowMinimum")
        .withArgs(profit, profit + 1n);
      const after = await balancesOf(f.weth);
      expect(after.reserves.collateral).to.equal(before.reserves.collateral);
      expect(after.reserves.stablecoin).to.equal(before.reserves.stablecoin);
      expect([after.keeperStablecoin, after.flashStablecoin, after.flashCollateral]).to.deep.equal([0n, 0n, 0n]);
      expect(await f.dutchAuction.auctions(vaultId)).to.deep.equal(lotBefore);
    });

    it("flashTake_swapReturnsLessThanTheTakeCosts_reverts", async function () {
      // Right after the start the auction asks 10% above the oracle, which the pair follows.
      const vaultId = await crashAndLiquidate();
      await expect(
        f.flashLiquidator.connect(keeper).flashTake(vaultId, MaxUint256, MaxUint256, 0n),
      ).to.be.revertedWithCustomError(f.flashLiquidator, "SwapShortfall");
      // A pair dumped below the auction's price later is refused alike.
      await time.increase(DECAY);
      await sellPairDownTo(f, f.weth, arbitrageur, (CRASH_PRICE * 90n) / 100n);
      // Mined in the next block, where the stair-step price is still this one: the take buys just
      // enough collateral for the debt left, and the pair pays less than that debt for it.
      const status = await f.dutchAuction.auctionStatus(vaultId);
      const bought = (status.debtLeft * WAD) / status.price;
      const { collateral, stablecoin } = await pairReserves(f, f.weth);
      const amountOut = uniswapAmountOut(bought, collateral, stablecoin);
      expect(amountOut).to.be.lt(status.debtLeft);
      await expect(f.flashLiquidator.connect(keeper).flashTake(vaultId, MaxUint256, MaxUint256, 0n))
        .to.be.revertedWithCustomError(f.flashLiquidator, "SwapShortfall")
        .withArgs(amountOut, status.debtLeft);
      expect(await f.stablecoin.balanceOf(keeper.address)).to.equal(0n);
    });

    it("flashTake_auctionNeedsReset_revertsUntilResetThenClears", async function () {
      const vaultId = await crashAndLiquidate();
      await time.increase(7_300); // past the 2-hour tail
      await expect(
        f.flashLiquidator.connect(keeper).flashTake(vaultId, MaxUint256, MaxUint256, 0n),
      ).to.be.revertedWithCustomError(f.dutchAuction, "AuctionNeedsReset");
      // The oracle needs a fresh round to price the restart; the pair still trades at the crash price.
      await movePrice(f, f.weth, CRASH_PRICE + 1n);
      await f.dutchAuction.connect(keeper).reset(vaultId, keeper.address);
      await time.increase(DECAY);
      await f.flashLiquidator.connect(keeper).flashTake(vaultId, MaxUint256, MaxUint256, 1n);
      expect((await f.dutchAuction.auctions(vaultId)).debtLeft).to.equal(0n);
      expect(await f.stablecoin.balanceOf(keeper.address)).to.be.gt(0n);
    });

    it("flashTake_reenteredFromTheCollateralTransfer_reverts", async function () {
      const second = await openVault(f, stranger, f.weth, 10n * WAD);
      const first = await crashAndLiquidate();
      await liquidate(f, second, keeper, keeper);
      await time.increase(DECAY);
      // WETH turns hostile: when the FlashLiquidator sends it to the pair, it starts another flash take.
      const hostile = await new ReentrantToken__factory(f.governor).deploy(18);
      const weth = await f.weth.token.getAddress();
      await ethers.provider.send("hardhat_setCode", [weth, await ethers.provider.getCode(await hostile.getAddress())]);
      const flash = await f.flashLiquidator.getAddress();
      const reenter = f.flashLiquidator.interface.encodeFunctionData("flashTake", [second, MaxUint256, MaxUint256, 0n]);
      await ReentrantToken__factory.connect(weth, f.governor).arm(flash, flash, reenter);
      await expect(
        f.flashLiquidator.connect(keeper).flashTake(first, MaxUint256, MaxUint256, 0n),
      ).to.be.revertedWithCustomError(f.flashLiquidator, "FlashTakeActive");
      // Disarmed, the same take goes through.
      await ReentrantToken__factory.connect(weth, f.governor).arm(ZeroAddress, ZeroAddress, "0x");
      await f.flashLiquidator.connect(keeper).flashTake(first, MaxUint256, MaxUint256, 0n);
      expect((await f.dutchAuction.auctions(first)).debtLeft).to.equal(0n);
    });

    it("flashTake_noRunningAuction_reverts", async function () {
      await expect(f.flashLiquidator.connect(keeper).flashTake(999n, MaxUint256, MaxUint256, 0n))
        .to.be.revertedWithCustomError(f.flashLiquidator, "NoAuction")
        .withArgs(999n);
    });

    it("sweep_collateralDeliveredWithoutCallback_ownerRecoversIt", async function () {
      const vaultId = await crashAndLiquidate();
      await time.increase(DECAY);
      // A stranger with stablecoin takes with the FlashLiquidator as receiver and no callback: a gift.
      await openVault(f, stranger, f.wbtc, 10n ** 8n);
      const flash = await f.flashLiquidator.getAddress();
      await f.dutchAuction.connect(stranger).take(vaultId, MaxUint256, MaxUint256, flash, "0x");
      const gift = await f.weth.token.balanceOf(flash);
      expect(gift).to.be.gt(0n);

      await expect(f.flashLiquidator.connect(stranger).sweep(await f.weth.token.getAddress(), stranger.address))
        .to.be.revertedWithCustomError(f.flashLiquidator, "OwnableUnauthorizedAccount")
        .withArgs(stranger.address);
      await expect(
        f.flashLiquidator.connect(f.governor).sweep(await f.weth.token.getAddress(), ZeroAddress),
      ).to.be.revertedWithCustomError(f.flashLiquidator, "ZeroAddress");
      await expect(f.flashLiquidator.connect(f.governor).sweep(await f.weth.token.getAddress(), f.governor.address))
        .to.emit(f.flashLiquidator, "Swept")
        .withArgs(await f.weth.token.getAddress(), f.governor.address, gift);
      expect(await f.weth.token.balanceOf(flash)).to.equal(0n);
      expect(await f.flashLiquidator.owner()).to.equal(f.governor.address);
    });
  });
});
