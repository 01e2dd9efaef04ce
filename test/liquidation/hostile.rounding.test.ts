// Hostile actors around liquidations, at the edges of the arithmetic: buyers chasing rounding, and
// a vault in auction topped up toward the engine's collateral cap. Every scenario checks the
// attacker's value and the books (docs/ACCOUNTING.md) rather than trusting any single view.
import { expect } from "chai";
import type { ContractTransactionReceipt } from "ethers";
import { WAD, mulWadUp } from "../../keeper/src/math/fixedPoint";
import { listMockCollateral, type LocalCollateralSpec } from "../../scripts/lib/deploy";
import { deploySluiceFixture, type SluiceFixture } from "../helpers/fixtures";
import * as market from "../helpers/market";
import { MAX, WETH_SPEC, type TakeArgs, expectBooksBalanced, fund, auctionEvents } from "../helpers/hostile";
import { take } from "../helpers/auction";

describe("Liquidation under hostile actors", function () {
  let f: SluiceFixture;

  beforeEach(async function () {
    f = await deploySluiceFixture();
  });

  describe("rounding", function () {
    for (const symbol of ["WETH", "WBTC"] as const) {
      it(`takes_ofOneUnitAtATime_${symbol}_neverPayLessThanValueRoundedUp`, async function () {
        const buyer = f.users[1];
        const c = symbol === "WETH" ? f.weth : f.wbtc;
        const scale = 10n ** (18n - BigInt(c.spec.decimals));
        // Fund with the other collateral, whose price stays put.
        if (c === f.weth) await fund(f, buyer);
        else await market.openVault(f, buyer, f.weth, 40n * WAD, 50n);
        const vaultId = await market.openVault(f, f.users[0], c, symbol === "WETH" ? 10n * WAD : 10n ** 8n);
        await market.movePrice(f, c, symbol === "WETH" ? 2_580n * WAD : 50_000n * WAD);
        const { auctionId, debtToRaise } = await market.liquidate(f, vaultId, f.users[9], f.users[9]);
        const amounts = [...Array<bigint>(20).fill(1n), 2n, 3n, 7n, 999n, 10n ** 6n + 1n];
        let bought = 0n;
        let paid = 0n;
        const check = async (receipt: ContractTransactionReceipt): Promise<void> => {
          const [taken] = auctionEvents<TakeArgs>(f, receipt, "Take");
          // Exactly the value at the auction price, rounded up — and never less than it.
          expect(taken.debtPaid * WAD).to.be.gte(taken.collateralBought * scale * taken.price);
          bought += taken.collateralBought;
          paid += taken.debtPaid;
          await expectBooksBalanced(f);
        };
        for (const amount of amounts) {
          const receipt = await take(f, buyer, auctionId, amount);
          const [taken] = auctionEvents<TakeArgs>(f, receipt, "Take");
          expect(taken.collateralBought).to.equal(amount);
          expect(taken.debtPaid).to.equal(mulWadUp(amount * scale, taken.price));
          expect(taken.debtPaid).to.be.gt(0n);
          await check(receipt);
        }
        // A take trimmed to leave the minimum debt, then the rest: both still pay at least the value.
        const [, price, , debtLeft] = await f.dutchAuction.auctionStatus(auctionId);
        await check(await take(f, buyer, auctionId, (debtLeft * WAD) / (price * scale) - 1n));
        await check(await take(f, buyer, auctionId, MAX));
        expect((await f.dutchAuction.auctions(auctionId)).debtLeft).to.equal(0n);
        // Altogether the buyer paid the whole debt to raise and not a wei less than what it bought.
        expect(await c.token.balanceOf(buyer.address)).to.equal(bought);
        expect(paid).to.equal(debtToRaise);
      });
    }
  });

  describe("collateral cap", function () {
    // `deposit` caps a vault at 2^96 − 1 units so that any part of it fits the auction record
    // (auctionCollateral is a uint96), and anyone may top up a vault in auction. Were the lot not
    // counted, a top-up during the auction plus the unsold rest coming back would push the vault past
    // the cap, and `seize` (which casts the lot to uint96) would revert: a vault nobody can liquidate
    // whole. 2^96 units of an 18-decimal token priced at $0.00001 are worth ≈ $800,000.
    it("deposit_intoAVaultInAuction_countsTheLotTowardTheCapSoTheVaultStaysLiquidatable", async function () {
      const [owner, buyer, keeper] = f.users;
      const spec: LocalCollateralSpec = {
        ...WETH_SPEC,
        symbol: "MEME",
        feedDecimals: 18,
        price: 10n ** 13n, // $0.00001
      };
      const meme = await listMockCollateral(f.governor, f, spec);
      const memeAddress = await meme.token.getAddress();
      // A lot worth just the debt to raise keeps the first liquidation partial.
      await f.liquidator.setCollateralMargin(memeAddress, WAD);
      const cap = 2n ** 96n - 1n;
      const headroom = 10n ** 18n;
      const vaultId = await market.openVault(f, owner, meme, cap - headroom);
      await fund(f, buyer, 40n * 10n ** 8n);
      await market.movePrice(f, meme, (spec.price * 86n) / 100n);
      const first = await market.liquidate(f, vaultId, keeper, keeper);
      expect((await f.vaultEngine.vaults(vaultId)).collateralAmount).to.be.gt(0n);
      // While the auction runs, the owner may top the vault up only to the cap, lot included.
      await meme.token.mint(owner.address, first.collateralSeized);
      await meme.token.connect(owner).approve(await f.vaultEngine.getAddress(), first.collateralSeized);
      await expect(f.vaultEngine.connect(owner).deposit(vaultId, first.collateralSeized))
        .to.be.revertedWithCustomError(f.vaultEngine, "SafeCastOverflowedUintDowncast")
        .withArgs(96, cap - headroom + first.collateralSeized);
      await f.vaultEngine.connect(owner).deposit(vaultId, headroom);
      // A buyer covers the debt at once; the unsold rest of the lot returns, within the cap.
      await f.dutchAuction.connect(buyer).take(vaultId, MAX, MAX, buyer.address, "0x");
      const vault = await f.vaultEngine.vaults(vaultId);
      expect(vault.inAuction).to.equal(false);
      expect(vault.collateralAmount).to.be.lte(cap);
      await expectBooksBalanced(f);
      // The price falls until the vault must be liquidated whole: it can be.
      await market.movePrice(f, meme, (spec.price * 30n) / 100n);
      expect(await f.riskEngine.healthFactor(vaultId)).to.be.lt(WETH_SPEC.liquidation!.fullLiquidationHealth);
      const second = await market.liquidate(f, vaultId, keeper, keeper);
      expect(second.collateralSeized).to.equal(vault.collateralAmount);
      await expectBooksBalanced(f);
    });
  });
});
