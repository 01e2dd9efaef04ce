// VaultLens answers for many vaults in one call and agrees with the contracts it reads.
import { expect } from "chai";
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { WAD } from "../../keeper/src/math/fixedPoint";
import { toFeedAnswer } from "../../scripts/lib/deploy";
import { deploySluiceFixture, type SluiceFixture } from "../helpers/fixtures";

describe("VaultLens", function () {
  let f: SluiceFixture;

  beforeEach(async function () {
    f = await deploySluiceFixture();
  });

  /** Opens a WETH vault borrowing `share`% of its limit. */
  function open(owner: (typeof f.users)[number], amount: bigint, share: bigint): Promise<bigint> {
    return openOf(f.weth, owner, amount, share);
  }

  /** Opens a vault of `collateral` borrowing `share`% of its limit. */
  async function openOf(
    collateral: SluiceFixture["weth"],
    owner: (typeof f.users)[number],
    amount: bigint,
    share: bigint,
  ): Promise<bigint> {
    await collateral.token.mint(owner.address, amount);
    await collateral.token.connect(owner).approve(await f.vaultEngine.getAddress(), amount);
    await f.vaultEngine.connect(owner).openVault(collateral.token);
    const id = await f.vaultEngine.vaultCount();
    await f.vaultEngine.connect(owner).deposit(id, amount);
    if (share > 0n) {
      await f.vaultEngine.connect(owner).borrow(id, ((await f.vaultEngine.maxDebt(id)) * share) / 100n, owner.address);
    }
    return id;
  }

  function setPrice(price: bigint): Promise<void> {
    return setPriceOf(f.weth, price);
  }

  async function setPriceOf(collateral: SluiceFixture["weth"], price: bigint): Promise<void> {
    await collateral.feed.setAnswer(toFeedAnswer(price, collateral.spec.feedDecimals));
    await f.riskEngine.poke(collateral.token);
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
    const b = await openOf(f.wbtc, f.users[2], 10n ** 8n, 99n);
    await time.increase(60);
    await setPrice(2_580n * WAD);
    await setPriceOf(f.wbtc, 48_000n * WAD);
    const ids = await f.liquidator.liquidateBatch.staticCall([a, b, a], f.users[3].address);
    await f.liquidator.liquidateBatch([a, b, a], f.users[3].address);
    // The repeated vault is skipped, not reverted.
    expect(ids).to.deep.equal([a, b, 0n]);

    /** Each view field against the contracts it comes from, the collateral against the vault's own. */
    async function expectViewsMatchTheAuctions(): Promise<void> {
      const views = await f.vaultLens.auctionsView();
      expect(views.map((v) => v.auctionId)).to.deep.equal([a, b]);
      for (const [view, token] of [
        [views[0], f.weth.token],
        [views[1], f.wbtc.token],
      ] as const) {
        const id = view.auctionId;
        const vault = await f.vaultEngine.vaults(id);
        const stored = await f.dutchAuction.auctions(id);
        const [needsReset, price, collateralLeft, debtLeft] = await f.dutchAuction.auctionStatus(id);
        expect(view.vaultId, `auction ${id}`).to.equal(id);
        expect(view.collateral).to.equal(await token.getAddress());
        expect(view.collateral).to.equal(vault.collateral);
        expect(view.collateralLeft).to.equal(vault.auctionCollateral);
        expect(view.collateralLeft).to.be.gt(0n);
        expect([view.needsReset, view.price, view.collateralLeft, view.debtLeft]).to.deep.equal([
          needsReset,
          price,
          collateralLeft,
          debtLeft,
        ]);
        expect([view.debtLeft, view.startPrice, view.startTime]).to.deep.equal([
          stored.debtLeft,
          stored.startPrice,
          stored.startTime,
        ]);
      }
    }

    await expectViewsMatchTheAuctions();
    // Half an hour on, the prices have fallen but neither auction needs a reset yet.
    await time.increase(1_800);
    await expectViewsMatchTheAuctions();
    let views = await f.vaultLens.auctionsView();
    for (const view of views) {
      expect(view.price).to.be.lt(view.startPrice);
      expect(view.needsReset).to.equal(false);
    }
    // Past their maxAuctionAge both need one.
    await time.increase(Number(f.weth.spec.auction!.maxAuctionAge));
    await expectViewsMatchTheAuctions();
    views = await f.vaultLens.auctionsView();
    expect(views.map((v) => v.needsReset)).to.deep.equal([true, true]);
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

  /** Every field of `marketsOf` for `collateral` against the contract views it reads. */
  async function expectMarketMatches(collateral: SluiceFixture["weth"], priced: boolean): Promise<void> {
    const token = await collateral.token.getAddress();
    const [market] = await f.vaultLens.marketsOf([token]);
    expect(market.collateral).to.equal(token);
    expect(market.priced).to.equal(priced);
    if (priced) {
      const [rate, price, decimals, dust] = await f.vaultEngine.liquidationInputs(token);
      expect([market.rate, market.price, market.decimals, market.dust]).to.deep.equal([rate, price, decimals, dust]);
    } else {
      await expect(f.vaultEngine.liquidationInputs(token)).to.be.reverted;
      expect([market.rate, market.price, market.dust]).to.deep.equal([0n, 0n, 0n]);
    }
    expect(market.params).to.deep.equal(await f.riskEngine.riskParams(token));
    expect(market.ramp).to.deep.equal(await f.riskEngine.baseRamp(token));
    expect(market.volatility).to.deep.equal(await f.riskEngine.volatilityState(token));
    const [, storedAt] = await f.oracleHub.priceState(token);
    expect(market.storedAt).to.equal(storedAt);
    expect(market.heartbeat).to.equal((await f.oracleHub.feedConfig(token)).heartbeat);
    expect(market.feedAt).to.equal((await collateral.feed.latestRoundData())[3]);
  }

  it("marketsOf_matchesTheContractsItReadsForEachCollateral", async function () {
    await open(f.users[0], 10n * WAD, 50n);
    await time.increase(600);
    await setPriceOf(f.wbtc, 55_000n * WAD);
    const markets = await f.vaultLens.marketsOf([await f.weth.token.getAddress(), await f.wbtc.token.getAddress()]);
    expect(markets).to.have.length(2);
    await expectMarketMatches(f.weth, true);
    await expectMarketMatches(f.wbtc, true);
    expect(markets[1].decimals).to.equal(8n);
  });

  it("marketsOf_withAStaleOracle_reportsUnpricedAndTheFeedTimesThatSayAPokeIsDue", async function () {
    await time.increase(3_601);
    await expectMarketMatches(f.weth, false);
    // A fresh feed answer not yet poked: the feed is ahead of the stored price.
    await f.weth.feed.setAnswer(toFeedAnswer(2_900n * WAD, f.weth.spec.feedDecimals));
    const [market] = await f.vaultLens.marketsOf([await f.weth.token.getAddress()]);
    expect(market.feedAt > market.storedAt).to.equal(true);
    await f.riskEngine.poke(f.weth.token);
    await expectMarketMatches(f.weth, true);
  });

  it("vaultsOfAndAuctionsOf_matchTheStoredStructs", async function () {
    const a = await open(f.users[1], 10n * WAD, 99n);
    const b = await open(f.users[2], 5n * WAD, 30n);
    await time.increase(60);
    await setPrice(2_580n * WAD);
    await f.liquidator.liquidate(a, f.users[3].address);
    const ids = [a, b];
    const vaults = await f.vaultLens.vaultsOf(ids);
    const auctions = await f.vaultLens.auctionsOf([...ids, 999n]);
    for (const [i, id] of ids.entries()) {
      expect(vaults[i]).to.deep.equal(await f.vaultEngine.vaults(id));
      expect(auctions[i]).to.deep.equal(await f.dutchAuction.auctions(id));
    }
    expect(vaults[0].inAuction).to.equal(true);
    expect(auctions[0].collateralLeft > 0n).to.equal(true);
    expect(auctions[1].collateralLeft).to.equal(0n);
    expect(auctions[2].debtLeft).to.equal(0n);
    // An id never opened is an error, as in the VaultEngine: the index reads only ids it saw opened.
    await expect(f.vaultLens.vaultsOf([a, 999n]))
      .to.be.revertedWithCustomError(f.vaultEngine, "VaultNotFound")
      .withArgs(999n);
  });
});
