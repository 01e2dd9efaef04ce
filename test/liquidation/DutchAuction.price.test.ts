// DutchAuction.auctionPriceAt: the price a take pays at a given time, for both curves, before and
// after a reset; and its refusals.
import { expect } from "chai";
import fc from "fast-check";
import { takeSnapshot, time } from "@nomicfoundation/hardhat-network-helpers";
import { WAD } from "../../keeper/src/math/fixedPoint";
import { deploySluiceFixture, type SluiceFixture } from "../helpers/fixtures";
import * as market from "../helpers/market";

const MAX_UINT256 = 2n ** 256n - 1n;

describe("DutchAuction.auctionPriceAt", function () {
  let f: SluiceFixture;

  beforeEach(async function () {
    f = await deploySluiceFixture();
  });

  /** A running auction of each collateral (WETH: stair-step curve; WBTC: linear), and a buyer. */
  async function auctions() {
    const [alice, bob, keeper, buyer] = f.users;
    const eth = await market.openVault(f, alice, f.weth, 10n * WAD);
    const btc = await market.openVault(f, bob, f.wbtc, 10n ** 8n);
    const fund = await market.openVault(f, buyer, f.wbtc, 10n * 10n ** 8n, 0n);
    await f.vaultEngine.connect(buyer).borrow(fund, 200_000n * WAD, buyer.address);
    await market.movePrice(f, f.weth, 2_580n * WAD);
    await market.movePrice(f, f.wbtc, 50_000n * WAD);
    await market.liquidate(f, eth, keeper, keeper);
    await market.liquidate(f, btc, keeper, keeper);
    return { ids: [eth, btc], buyer };
  }

  it("auctionPriceAt_randomFutureTimes_isWhatATakeThenPays", async function () {
    const { ids, buyer } = await auctions();
    const snapshot = await takeSnapshot();
    const offsets = fc.sample(fc.integer({ min: 1, max: 3_500 }), { numRuns: 12, seed: 20261206 });
    for (const offset of offsets) {
      for (const id of ids) {
        await snapshot.restore();
        const { startTime } = await f.dutchAuction.auctions(id);
        const at = startTime + BigInt(offset);
        const expected = await f.dutchAuction.auctionPriceAt(id, at);
        await time.setNextBlockTimestamp(at);
        const receipt = await (
          await f.dutchAuction.connect(buyer).take(id, 10n ** 6n, MAX_UINT256, buyer.address, "0x")
        ).wait();
        const take = receipt!.logs
          .map((log) => f.dutchAuction.interface.parseLog(log))
          .find((parsed) => parsed?.name === "Take");
        expect(take!.args.price, `auction ${id} at +${offset} s`).to.equal(expected);
      }
    }
  });

  it("auctionPriceAt_atTheStart_isTheStartPriceAndFallsAfterIt", async function () {
    const { ids } = await auctions();
    for (const id of ids) {
      const { startTime, startPrice } = await f.dutchAuction.auctions(id);
      expect(await f.dutchAuction.auctionPriceAt(id, startTime)).to.equal(startPrice);
      expect(await f.dutchAuction.auctionPriceAt(id, startTime + 3_600n)).to.be.lt(startPrice);
    }
  });

  it("auctionPriceAt_afterAReset_countsFromTheNewStart", async function () {
    const { ids } = await auctions();
    const [id] = ids;
    const { maxAuctionAge } = await f.dutchAuction.auctionParams(await f.weth.token.getAddress());
    await time.increase(maxAuctionAge + 1n);
    await market.setPrice(f, f.weth, 2_580n * WAD);
    await f.dutchAuction.reset(id, f.users[2].address);
    const { startTime, startPrice } = await f.dutchAuction.auctions(id);
    expect(await f.dutchAuction.auctionPriceAt(id, startTime)).to.equal(startPrice);
  });

  it("auctionPriceAt_beforeTheStartOrForNoAuction_reverts", async function () {
    const { ids } = await auctions();
    const { startTime } = await f.dutchAuction.auctions(ids[0]);
    await expect(f.dutchAuction.auctionPriceAt(ids[0], startTime - 1n))
      .to.be.revertedWithCustomError(f.dutchAuction, "TimestampBeforeStart")
      .withArgs(ids[0], startTime - 1n, startTime);
    await expect(f.dutchAuction.auctionPriceAt(99n, startTime))
      .to.be.revertedWithCustomError(f.dutchAuction, "AuctionNotActive")
      .withArgs(99n);
  });
});
