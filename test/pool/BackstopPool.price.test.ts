// The pool never buys above oracle · (1 − minDiscount): on both local curves (WETH stair-step, WBTC
// linear, and a 6-decimal collateral on the stair-step curve), at random moments of an auction's life
// and random sizes. Each bid either buys at an auction price and at an effective price (paid per unit)
// at most that bound, or is refused with one of the pool's or the auction's reasons.
import { expect } from "chai";
import fc from "fast-check";
import { time, takeSnapshot } from "@nomicfoundation/hardhat-network-helpers";
import { WAD, mulWadDown } from "../../keeper/src/math/fixedPoint";
import { LOCAL_COLLATERALS, POOL_PARAMS, listMockCollateral, type LocalCollateralSpec } from "../../scripts/lib/deploy";
import { deploySluiceFixture, type SluiceFixture } from "../helpers/fixtures";
import type { Collateral } from "../helpers/market";
import { propertyRuns } from "../helpers/runs";
import { fundLp, matureAll, openAuction, refreshPrices, wad } from "../helpers/pool";

const SIX_DECIMALS: LocalCollateralSpec = {
  ...LOCAL_COLLATERALS[0],
  symbol: "SIX",
  decimals: 6,
  price: 40n * WAD,
  dust: 100n * WAD,
};

/** valueDown of `amount` token units at `price`, as FixedPointMath computes it. */
const valueDown = (amount: bigint, decimals: number, price: bigint): bigint =>
  mulWadDown(amount * 10n ** BigInt(18 - decimals), price);

const REFUSALS = new Set([
  "DiscountTooSmall",
  "PriceAboveMax",
  "EffectivePriceTooHigh",
  "AuctionNeedsReset",
  "TakeLeavesDust",
  "TakeLeavesDustLot",
  "TakeLeavesDustCollateral",
  "ZeroTake",
]);

describe("BackstopPool price bound", function () {
  let f: SluiceFixture;

  beforeEach(async function () {
    f = await deploySluiceFixture();
  });

  // The fixture object outlives the snapshot: drop what a test listed on top of it.
  afterEach(function () {
    delete f.collaterals.SIX;
  });

  async function errorName(error: unknown): Promise<string> {
    const data = (error as { data?: string }).data;
    if (!data) throw error;
    for (const contract of [f.backstopPool, f.dutchAuction, f.oracleHub]) {
      const parsed = contract.interface.parseError(data);
      if (parsed) return parsed.name;
    }
    throw error;
  }

  async function checkCurve(c: Collateral, seed: number): Promise<{ bought: number; refused: number }> {
    const [lp, , keeper, owner] = f.users;
    await fundLp(f, lp, 4n * 10n ** 8n);
    await f.backstopPool.connect(lp).deposit(wad(50_000), lp.address);
    await matureAll(f, [lp]);
    const units = (10n ** BigInt(c.spec.decimals) * 400_000n * WAD) / c.spec.price;
    const id = await openAuction(f, owner, c, units);
    const { startTime } = await f.dutchAuction.auctions(id);
    const token = await c.token.getAddress();
    const maxAge = Number(c.spec.auction?.maxAuctionAge ?? LOCAL_COLLATERALS[0].auction!.maxAuctionAge);
    const lot = (await f.dutchAuction.auctions(id)).collateralLeft;
    let bought = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: maxAge }),
        fc.bigInt({ min: 1n, max: lot }),
        async (elapsed, maxCollateral) => {
          const snapshot = await takeSnapshot();
          try {
            const now = BigInt(await time.latest());
            const target = startTime + BigInt(elapsed);
            if (target > now + 1n) await time.setNextBlockTimestamp(target - 1n);
            await refreshPrices(f);
            const oracle = await f.oracleHub.price(token);
            const maxPrice = mulWadDown(oracle, WAD - POOL_PARAMS.minDiscount);
            try {
              const receipt = (await (await f.backstopPool.connect(keeper).bid(id, maxCollateral)).wait())!;
              const bid = receipt.logs
                .map((log) => f.backstopPool.interface.parseLog(log))
                .find((parsed) => parsed?.name === "Bid")!.args;
              expect(bid.oraclePrice).to.equal(oracle);
              const take = receipt.logs
                .filter((log) => log.address === f.dutchAuction.target)
                .map((log) => f.dutchAuction.interface.parseLog(log))
                .find((parsed) => parsed?.name === "Take")!.args;
              expect(take.price).to.be.lte(maxPrice);
              expect(bid.debtPaid).to.be.lte(valueDown(bid.collateralBought, c.spec.decimals, maxPrice));
              bought++;
            } catch (error) {
              const name = await errorName(error);
              expect(REFUSALS.has(name), `unexpected refusal ${name}`).to.equal(true);
              if (name === "DiscountTooSmall" || name === "PriceAboveMax") {
                const [, price] = await f.dutchAuction.auctionStatus(id);
                expect(price).to.be.gt(maxPrice);
              }
              refused++;
            }
          } finally {
            await snapshot.restore();
          }
        },
      ),
      { seed, numRuns: propertyRuns(60) },
    );
    return { bought, refused };
  }

  it("wethStairstep_18Decimals_neverAboveTheBound", async function () {
    const { bought, refused } = await checkCurve(f.weth, 11);
    expect(bought).to.be.gt(0);
    expect(refused).to.be.gt(0);
  });

  it("wbtcLinear_8Decimals_neverAboveTheBound", async function () {
    const { bought, refused } = await checkCurve(f.wbtc, 12);
    expect(bought).to.be.gt(0);
    expect(refused).to.be.gt(0);
  });

  it("sixDecimalCollateral_neverAboveTheBound", async function () {
    const six = await listMockCollateral(f.governor, f, SIX_DECIMALS);
    f.collaterals.SIX = six;
    await f.backstopPool.addCollateral(await six.token.getAddress());
    const { bought, refused } = await checkCurve(six, 13);
    expect(bought).to.be.gt(0);
    expect(refused).to.be.gt(0);
  });
});
