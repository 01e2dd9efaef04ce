// VaultLens answers for many vaults in one call and agrees with the contracts it reads.
import { expect } from "chai";
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { WAD } from "../../keeper/src/math/fixedPoint";
import { toFeedAnswer } from "../../scripts/lib/deploy";
import { deploySluiceFixture, type SluiceFixture } from "../helpers/fixtures";

describe("VaultLens", function () {
  let f: SluiceFixture;
  let weth: string;

  beforeEach(async function () {
    f = await deploySluiceFixture();
    weth = await f.weth.token.getAddress();
  });

  /** Opens a WETH vault borrowing `share`% of its limit. */
  async function open(owner: (typeof f.users)[number], amount: bigint, share: bigint): Promise<bigint> {
    await f.weth.token.mint(owner.address, amount);
    await f.weth.token.connect(owner).approve(await f.vaultEngine.getAddress(), amount);
    await f.vaultEngine.connect(owner).openVault(weth);
    const id = await f.vaultEngine.vaultCount();
    await f.vaultEngine.connect(owner).deposit(id, amount);
    if (share > 0n) {
      await f.vaultEngine.connect(owner).borrow(id, ((await f.vaultEngine.maxDebt(id)) * share) / 100n, owner.address);
    }
    return id;
  }

  async function setPrice(price: bigint): Promise<void> {
    await f.weth.feed.setAnswer(toFeedAnswer(price, f.weth.spec.feedDecimals));
    await f.riskEngine.poke(weth);
  }

  it("healthOf_matchesTheRiskEngineForEachVault", async function () {
    const ids = [await open(f.users[0], 10n * WAD, 50n), await open(f.users[1], 3n * WAD, 99n)];
    ids.push(await open(f.users[2], WAD, 0n));
    const views = await f.vaultLens.healthOf(ids);
    for (const [i, id] of ids.entries()) {
      expect(views[i].vaultId).to.equal(id);
      expect(views[i].priced).to.equal(true);
      expect(views[i].health).to.equal(await f.riskEngine.healthFactor(id));
      expect(views[i].threshold).to.equal(await f.riskEngine.liquidationThreshold(id));
      expect(views[i].debt).to.equal(await f.vaultEngine.debtOf(id));
    }
    expect(views[2].health).to.equal(ethers.MaxUint256);
  });

  it("healthOf_withAStaleOracle_reportsUnpricedInsteadOfReverting", async function () {
    const id = await open(f.users[0], 10n * WAD, 50n);
    await time.increase(3_601);
    const [view] = await f.vaultLens.healthOf([id]);
    expect(view.priced).to.equal(false);
    expect(view.owner).to.equal(f.users[0].address);
    await expect(f.riskEngine.healthFactor(id)).to.be.revertedWithCustomError(f.oracleHub, "StalePrice");
  });

  it("liquidatable_listsExactlyTheUnsafeVaultsUpToMax", async function () {
    const safe = await open(f.users[0], 10n * WAD, 30n);
    const unsafeA = await open(f.users[1], 10n * WAD, 99n);
    const unsafeB = await open(f.users[2], 10n * WAD, 99n);
    await time.increase(60);
    await setPrice(2_580n * WAD);
    expect(await f.riskEngine.isLiquidatable(safe)).to.equal(false);
    expect(await f.vaultLens.liquidatable(0, 100, 10)).to.deep.equal([unsafeA, unsafeB]);
    expect(await f.vaultLens.liquidatable(unsafeB, unsafeB, 10)).to.deep.equal([unsafeB]);
    expect(await f.vaultLens.liquidatable(1, 100, 1)).to.deep.equal([unsafeA]);
    // A vault in auction is no longer listed.
    await f.liquidator.liquidate(unsafeA, f.users[3].address);
    expect(await f.vaultLens.liquidatable(1, 100, 10)).to.deep.equal([unsafeB]);
  });

  it("auctionsView_showsEveryRunningAuctionWithItsLivePrice", async function () {
    const a = await open(f.users[1], 10n * WAD, 99n);
    const b = await open(f.users[2], 10n * WAD, 99n);
    await time.increase(60);
    await setPrice(2_580n * WAD);
    const ids = await f.liquidator.liquidateBatch.staticCall([a, b, a], f.users[3].address);
    await f.liquidator.liquidateBatch([a, b, a], f.users[3].address);
    // The repeated vault is skipped, not reverted.
    expect(ids[2]).to.equal(0n);
    const views = await f.vaultLens.auctionsView();
    expect(views.map((v) => v.vaultId)).to.deep.equal([a, b]);
    for (const view of views) {
      const [needsReset, price, collateralLeft, debtLeft] = await f.dutchAuction.auctionStatus(view.auctionId);
      expect([view.needsReset, view.price, view.collateralLeft, view.debtLeft]).to.deep.equal([
        needsReset,
        price,
        collateralLeft,
        debtLeft,
      ]);
      expect(view.collateral).to.equal(weth);
    }
  });

  it("liquidatable_skipsUnpricedVaultsAndStopsAtToId", async function () {
    const unsafeA = await open(f.users[1], 10n * WAD, 99n);
    const unsafeB = await open(f.users[2], 10n * WAD, 99n);
    await time.increase(60);
    await setPrice(2_580n * WAD);
    expect(await f.vaultLens.liquidatable(1, unsafeA, 10)).to.deep.equal([unsafeA]);
    await time.increase(3_601);
    expect(await f.vaultLens.liquidatable(1, unsafeB, 10)).to.deep.equal([]);
  });
});
