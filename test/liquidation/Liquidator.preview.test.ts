// Liquidator.previewLiquidation: every refusal it reports is the one `liquidate` then meets, and on
// random vaults of a 6-decimal collateral (the stateful property covers 18 and 8 decimals) what it
// previews in a block is exactly what `liquidate` does in that block.
import { expect } from "chai";
import fc from "fast-check";
import { takeSnapshot, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { WAD } from "../../keeper/src/math/fixedPoint";
import { LOCAL_COLLATERALS, listMockCollateral, type LocalCollateral } from "../../scripts/lib/deploy";
import { deploySluiceFixture, type SluiceFixture } from "../helpers/fixtures";
import * as market from "../helpers/market";

const PENDING = { blockTag: "pending" } as const;
const REFUSAL = { None: 0n, Healthy: 1n, InAuction: 2n, BorrowedThisBlock: 3n, NoRoom: 4n, Unpriced: 5n, Unknown: 6n };

describe("Liquidator.previewLiquidation", function () {
  let f: SluiceFixture;
  let keeper: HardhatEthersSigner;

  beforeEach(async function () {
    f = await deploySluiceFixture();
    keeper = f.users[9];
  });

  const preview = (vaultId: bigint) => f.liquidator.connect(keeper).previewLiquidation(vaultId, PENDING);

  it("previewLiquidation_unknownVault_reportsUnknownWhereLiquidateReverts", async function () {
    expect((await preview(99n)).refusal).to.equal(REFUSAL.Unknown);
    await expect(f.liquidator.liquidate(99n, keeper.address)).to.be.reverted;
  });

  it("previewLiquidation_stalePrice_reportsUnpricedWhereLiquidateRevertsStalePrice", async function () {
    const id = await market.openVault(f, f.users[0], f.weth, 10n * WAD);
    await time.increase(2 * 3_600);
    expect((await preview(id)).refusal).to.equal(REFUSAL.Unpriced);
    await expect(f.liquidator.liquidate(id, keeper.address)).to.be.revertedWithCustomError(f.oracleHub, "StalePrice");
  });

  it("previewLiquidation_vaultInAuction_reportsInAuction", async function () {
    const id = await market.openVault(f, f.users[0], f.weth, 10n * WAD);
    await market.movePrice(f, f.weth, 2_580n * WAD);
    await market.liquidate(f, id, keeper, keeper);
    expect((await preview(id)).refusal).to.equal(REFUSAL.InAuction);
    await expect(f.liquidator.liquidate(id, keeper.address)).to.be.revertedWithCustomError(
      f.liquidator,
      "VaultInAuction",
    );
  });

  it("previewLiquidation_onTheLatestBlockOfABorrow_reportsBorrowedThisBlock", async function () {
    const id = await market.openVault(f, f.users[0], f.weth, 10n * WAD);
    const preview = await f.liquidator.previewLiquidation(id);
    expect(preview.refusal).to.equal(REFUSAL.BorrowedThisBlock);
  });

  it("previewLiquidation_randomVaultsOfASixDecimalCollateral_matchesWhatLiquidateDoes", async function () {
    const usdx: LocalCollateral = await listMockCollateral(f.governor, f, {
      ...LOCAL_COLLATERALS[0],
      symbol: "USDX",
      decimals: 6,
      price: 1_000n * WAD,
      debtCeiling: 50_000_000n * WAD,
    });
    const c = { ...f.weth, ...usdx } as market.Collateral;
    const scenarios = fc.sample(
      fc.record({
        amounts: fc.array(fc.bigInt({ min: 10n ** 6n, max: 10n ** 10n }), { minLength: 3, maxLength: 5 }),
        shares: fc.array(fc.bigInt({ min: 85n, max: 100n }), { minLength: 5, maxLength: 5 }),
        dropPermille: fc.integer({ min: 120, max: 450 }),
        capPermille: fc.integer({ min: 1, max: 1_000 }),
      }),
      { numRuns: 5, seed: 20261205 },
    );
    const snapshot = await takeSnapshot();
    let liquidated = 0;
    let refused = 0;
    let cut = 0;
    for (const scenario of scenarios) {
      await snapshot.restore();
      const ids: bigint[] = [];
      for (const [i, amount] of scenario.amounts.entries()) {
        ids.push(await market.openVault(f, f.users[i], c, amount, scenario.shares[i]));
      }
      await market.movePrice(f, c, (1_000n * WAD * BigInt(1_000 - scenario.dropPermille)) / 1_000n);
      const token = await usdx.token.getAddress();
      await f.dutchAuction.setMaxDebtInAuction(token, (20_000_000n * WAD * BigInt(scenario.capPermille)) / 1_000n);
      for (const id of ids) {
        await time.setNextBlockTimestamp((await time.latest()) + 1);
        const expected = await preview(id);
        if (expected.refusal !== REFUSAL.None) {
          refused++;
          await expect(f.liquidator.connect(keeper).liquidate(id, keeper.address)).to.be.reverted;
          continue;
        }
        const done = await market.liquidate(f, id, keeper, keeper);
        if (expected.cut) cut++;
        expect([
          done.collateralSeized,
          done.normalizedDebtSeized,
          done.debtSeized,
          done.debtToRaise,
          done.incentive,
        ]).to.deep.equal([
          expected.collateralSeized,
          expected.normalizedDebtSeized,
          expected.debtSeized,
          expected.debtToRaise,
          expected.incentive,
        ]);
        liquidated++;
      }
    }
    expect(liquidated).to.be.gt(3);
    expect(refused).to.be.gt(0);
    expect(cut, "liquidations cut to the room").to.be.gt(0);
  });
});
