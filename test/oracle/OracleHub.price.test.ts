// OracleHub price: the stored price served until the heartbeat, the stored price lagging the feed and
// the borrow price that refuses to serve the lag, and the views.
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { WAD, mulWadDown } from "../../keeper/src/math/fixedPoint";
import {
  MIN_HEARTBEAT,
  FEED_DECIMALS,
  START_PRICE,
  HEARTBEAT,
  MIN_PRICE,
  MAX_PRICE,
  JUMP,
  feedConfig,
  deployFeed,
  oracleFixture,
  publishAt,
  publishAndPoke,
  feedAnswer,
  pokedAt,
  expectFreshUntil,
} from "../helpers/oracle";

describe("OracleHub", () => {
  describe("price", () => {
    it("price_whenNeverPoked_revertsStalePrice", async () => {
      const { oracleHub, collateral } = await loadFixture(oracleFixture);
      await expect(oracleHub.price(collateral))
        .to.be.revertedWithCustomError(oracleHub, "StalePrice")
        .withArgs(collateral, 0n, HEARTBEAT);
    });

    it("price_untilHeartbeatElapses_returnsStoredPriceThenRevertsStalePrice", async () => {
      const { oracleHub, feed, collateral } = await loadFixture(oracleFixture);
      const at = (await time.latest()) + 1;
      await publishAt(feed, START_PRICE, at);
      await oracleHub.poke(collateral);
      await time.increaseTo(at + Number(HEARTBEAT));
      expect(await oracleHub.price(collateral)).to.equal(START_PRICE);
      await time.increase(1);
      await expect(oracleHub.price(collateral))
        .to.be.revertedWithCustomError(oracleHub, "StalePrice")
        .withArgs(collateral, at, HEARTBEAT);
    });

    it("price_afterHeartbeatIsShortened_revertsStalePrice", async () => {
      const { oracleHub, collateral } = await loadFixture(oracleFixture);
      await oracleHub.poke(collateral);
      const [, updatedAt] = await oracleHub.priceState(collateral);
      await time.increase(MIN_HEARTBEAT + 1n);
      expect(await oracleHub.price(collateral)).to.equal(START_PRICE);
      await oracleHub.setHeartbeat(collateral, MIN_HEARTBEAT);
      await expect(oracleHub.price(collateral))
        .to.be.revertedWithCustomError(oracleHub, "StalePrice")
        .withArgs(collateral, updatedAt, MIN_HEARTBEAT);
    });

    it("price_whenFeedNotConfigured_revertsFeedNotConfigured", async () => {
      const { oracleHub, unlisted } = await loadFixture(oracleFixture);
      await expect(oracleHub.price(unlisted))
        .to.be.revertedWithCustomError(oracleHub, "FeedNotConfigured")
        .withArgs(unlisted);
    });

    it("price_whenFeedNotConfigured_revertsFeedNotConfiguredEvenWhereAnotherFeedIsStale", async () => {
      // A stale configured feed and an unconfigured collateral fail differently.
      const { oracleHub, weth, unlisted } = await loadFixture(oracleFixture);
      await time.increase(HEARTBEAT + 1n);
      await expect(oracleHub.price(weth.token)).to.be.revertedWithCustomError(oracleHub, "StalePrice");
      await expect(oracleHub.price(unlisted))
        .to.be.revertedWithCustomError(oracleHub, "FeedNotConfigured")
        .withArgs(unlisted);
      await expect(oracleHub.price(ethers.ZeroAddress))
        .to.be.revertedWithCustomError(oracleHub, "FeedNotConfigured")
        .withArgs(ethers.ZeroAddress);
    });

    it("price_ofAFeedJustAdded_usesTheHeartbeatItWasAddedWith", async () => {
      const { oracleHub, governor, unlisted } = await loadFixture(oracleFixture);
      const feed = await deployFeed(governor, FEED_DECIMALS);
      const heartbeat = 120n;
      await oracleHub.addFeed(unlisted, feedConfig(await feed.getAddress(), { heartbeat }));
      const at = await pokedAt(oracleHub, feed, unlisted);
      await expectFreshUntil(oracleHub, unlisted, at, heartbeat);
    });

    it("setHeartbeat_shortened_makesAFreshPriceStaleAtTheNewHeartbeat", async () => {
      const { oracleHub, feed, collateral } = await loadFixture(oracleFixture);
      const at = await pokedAt(oracleHub, feed, collateral);
      const shorter = 600n;
      await time.increaseTo(at + Number(HEARTBEAT) / 2);
      expect(await oracleHub.price(collateral)).to.equal(START_PRICE);
      await oracleHub.setHeartbeat(collateral, shorter);
      await expect(oracleHub.price(collateral))
        .to.be.revertedWithCustomError(oracleHub, "StalePrice")
        .withArgs(collateral, at, shorter);
      // The next answer is held to the shorter heartbeat.
      const next = await pokedAt(oracleHub, feed, collateral);
      await expectFreshUntil(oracleHub, collateral, next, shorter);
    });

    it("setHeartbeat_lengthened_makesAStalePriceFreshAgain", async () => {
      const { oracleHub, feed, collateral } = await loadFixture(oracleFixture);
      const at = await pokedAt(oracleHub, feed, collateral);
      await time.increaseTo(at + Number(HEARTBEAT) + 1);
      await expect(oracleHub.price(collateral))
        .to.be.revertedWithCustomError(oracleHub, "StalePrice")
        .withArgs(collateral, at, HEARTBEAT);
      const longer = 2n * HEARTBEAT;
      await oracleHub.setHeartbeat(collateral, longer);
      await expectFreshUntil(oracleHub, collateral, at, longer);
    });

    it("setHeartbeat_isKeptThroughPokesAndSourceChanges", async () => {
      const { oracleHub, governor, feed, collateral } = await loadFixture(oracleFixture);
      const heartbeat = 900n;
      await oracleHub.setHeartbeat(collateral, heartbeat);
      await pokedAt(oracleHub, feed, collateral);
      const source = await deployFeed(governor, 18);
      await oracleHub.setFeedSource(collateral, await source.getAddress());
      expect((await oracleHub.feedConfig(collateral)).heartbeat).to.equal(heartbeat);
      const at = await pokedAt(oracleHub, source, collateral);
      await expectFreshUntil(oracleHub, collateral, at, heartbeat);
    });
  });

  describe("lagging the feed", () => {
    /** Publishes `price` [wad] as a new round and pokes it in the same block. */
    async function publishAndPokePrice(f: Awaited<ReturnType<typeof oracleFixture>>, price: bigint): Promise<void> {
      await publishAndPoke(f.oracleHub, f.feed, f.collateral, feedAnswer(price), (await time.latest()) + 60);
    }

    it("poke_repeatedWithinOneFeedRound_movesTheStoredPriceOnlyOnce", async () => {
      const f = await loadFixture(oracleFixture);
      await f.oracleHub.poke(f.collateral);
      await f.feed.setAnswer(feedAnswer(START_PRICE / 4n));
      await f.oracleHub.poke(f.collateral);
      const once = await f.oracleHub.priceState(f.collateral);
      expect(once[0]).to.equal(START_PRICE - mulWadDown(START_PRICE, JUMP));
      for (let i = 0; i < 3; i++) {
        await time.increase(60);
        await expect(f.oracleHub.poke(f.collateral)).not.to.emit(f.oracleHub, "PriceUpdated");
      }
      expect(await f.oracleHub.priceState(f.collateral)).to.deep.equal(once);
    });

    it("poke_overSuccessiveFeedRounds_convergesByMaxJumpPerRoundThenStoresTheAnswer", async () => {
      const f = await loadFixture(oracleFixture);
      await f.oracleHub.poke(f.collateral);
      const target = START_PRICE / 4n; // −75%: three clamped rounds, then within maxJump
      let expected = START_PRICE;
      for (let round = 0; round < 4; round++) {
        const next = target + mulWadDown(expected, JUMP) < expected ? expected - mulWadDown(expected, JUMP) : target;
        await publishAndPokePrice(f, target);
        expect(await f.oracleHub.price(f.collateral), `round ${round}`).to.equal(next);
        expected = next;
      }
      expect(expected).to.equal(target);
      const [, , lag] = await f.oracleHub.priceLag(f.collateral);
      expect(lag).to.equal(0n);
    });

    it("price_whileTheStoredPriceLagsTheFeed_servesTheStoredPrice", async () => {
      const f = await loadFixture(oracleFixture);
      await f.oracleHub.poke(f.collateral);
      await f.feed.setAnswer(feedAnswer(START_PRICE / 4n));
      expect(await f.oracleHub.price(f.collateral)).to.equal(START_PRICE);
      await f.oracleHub.poke(f.collateral);
      expect(await f.oracleHub.price(f.collateral)).to.equal(START_PRICE - mulWadDown(START_PRICE, JUMP));
    });

    for (const direction of ["Up", "Down"] as const) {
      it(`borrowPrice_whenTheLiveFeedMoved${direction}BeyondMaxJumpAndNobodyPoked_revertsPriceLagsFeed`, async () => {
        const f = await loadFixture(oracleFixture);
        await f.oracleHub.poke(f.collateral);
        const step = mulWadDown(START_PRICE, JUMP);
        const answer = direction === "Up" ? START_PRICE + step + 10n ** 10n : START_PRICE - step - 10n ** 10n;
        await f.feed.setAnswer(feedAnswer(answer));
        await expect(f.oracleHub.borrowPrice(f.collateral))
          .to.be.revertedWithCustomError(f.oracleHub, "PriceLagsFeed")
          .withArgs(f.collateral, START_PRICE, answer, JUMP);
        expect(await f.oracleHub.price(f.collateral)).to.equal(START_PRICE);
      });
    }

    it("borrowPrice_whileAClampedPriceStillLags_revertsPriceLagsFeedUntilWithinMaxJump", async () => {
      const f = await loadFixture(oracleFixture);
      await f.oracleHub.poke(f.collateral);
      const target = START_PRICE / 4n;
      await publishAndPokePrice(f, target); // 1400: 1400 → 500 is 64%
      await publishAndPokePrice(f, target); // 980: 49%
      const stored = await f.oracleHub.price(f.collateral);
      await expect(f.oracleHub.borrowPrice(f.collateral))
        .to.be.revertedWithCustomError(f.oracleHub, "PriceLagsFeed")
        .withArgs(f.collateral, stored, target, JUMP);
      await publishAndPokePrice(f, target); // 686: 27%, within maxJump
      expect(await f.oracleHub.price(f.collateral)).to.be.greaterThan(target);
      expect(await f.oracleHub.borrowPrice(f.collateral)).to.equal(target);
    });

    it("borrowPrice_withinMaxJump_returnsTheLowerOfTheStoredAndTheLivePrice", async () => {
      const f = await loadFixture(oracleFixture);
      await f.oracleHub.poke(f.collateral);
      expect(await f.oracleHub.borrowPrice(f.collateral)).to.equal(START_PRICE);
      const lower = START_PRICE - START_PRICE / 10n;
      await f.feed.setAnswer(feedAnswer(lower));
      expect(await f.oracleHub.borrowPrice(f.collateral)).to.equal(lower);
      await f.feed.setAnswer(feedAnswer(START_PRICE + START_PRICE / 10n));
      expect(await f.oracleHub.borrowPrice(f.collateral)).to.equal(START_PRICE);
    });

    it("borrowPrice_atExactlyMaxJump_servesAndOneWeiBeyondReverts", async () => {
      const f = await loadFixture(oracleFixture);
      await f.oracleHub.poke(f.collateral);
      const edge = START_PRICE - mulWadDown(START_PRICE, JUMP);
      const source = await deployFeed(f.governor, 18, edge);
      // 18 decimals, so the answer can sit on the edge to the wei; nobody pokes it.
      await f.oracleHub.setFeedSource(f.collateral, await source.getAddress());
      expect(await f.oracleHub.borrowPrice(f.collateral)).to.equal(edge);
      await source.setAnswer(edge - 1n);
      await expect(f.oracleHub.borrowPrice(f.collateral))
        .to.be.revertedWithCustomError(f.oracleHub, "PriceLagsFeed")
        .withArgs(f.collateral, START_PRICE, edge - 1n, JUMP);
    });

    it("borrowPrice_whenTheLiveFeedIsBrokenOrStale_revertsWithTheFeedsError", async () => {
      const f = await loadFixture(oracleFixture);
      await f.oracleHub.poke(f.collateral);
      await f.feed.setAnswer(0n);
      await expect(f.oracleHub.borrowPrice(f.collateral))
        .to.be.revertedWithCustomError(f.oracleHub, "NonPositiveAnswer")
        .withArgs(f.collateral, 0n);
      const high = MAX_PRICE + 10n ** 10n;
      await f.feed.setAnswer(feedAnswer(high));
      await expect(f.oracleHub.borrowPrice(f.collateral))
        .to.be.revertedWithCustomError(f.oracleHub, "PriceOutOfBounds")
        .withArgs(f.collateral, high, MIN_PRICE, MAX_PRICE);
      const old = BigInt(await time.latest()) - HEARTBEAT - 1n;
      await f.feed.setAnswerAt(feedAnswer(START_PRICE), old);
      await expect(f.oracleHub.borrowPrice(f.collateral))
        .to.be.revertedWithCustomError(f.oracleHub, "StalePrice")
        .withArgs(f.collateral, old, HEARTBEAT);
    });

    it("borrowPrice_whenTheStoredPriceIsStaleOrTheFeedNotConfigured_revertsAsPriceDoes", async () => {
      const f = await loadFixture(oracleFixture);
      await expect(f.oracleHub.borrowPrice(f.collateral))
        .to.be.revertedWithCustomError(f.oracleHub, "StalePrice")
        .withArgs(f.collateral, 0n, HEARTBEAT);
      await expect(f.oracleHub.borrowPrice(f.unlisted))
        .to.be.revertedWithCustomError(f.oracleHub, "FeedNotConfigured")
        .withArgs(f.unlisted);
    });

    it("priceLag_returnsTheStoredAndLivePricesAndTheirGapRelativeToTheStoredPrice", async () => {
      const f = await loadFixture(oracleFixture);
      expect(await f.oracleHub.priceLag(f.collateral)).to.deep.equal([0n, START_PRICE, ethers.MaxUint256]);
      await f.oracleHub.poke(f.collateral);
      expect(await f.oracleHub.priceLag(f.collateral)).to.deep.equal([START_PRICE, START_PRICE, 0n]);
      const low = (START_PRICE * 3n) / 5n;
      await f.feed.setAnswer(feedAnswer(low));
      expect(await f.oracleHub.priceLag(f.collateral)).to.deep.equal([START_PRICE, low, (WAD * 2n) / 5n]);
      await f.oracleHub.poke(f.collateral);
      const stepped = START_PRICE - mulWadDown(START_PRICE, JUMP);
      // (1400 − 1200) / 1400, rounded up.
      const lag = ((stepped - low) * WAD + stepped - 1n) / stepped;
      expect(await f.oracleHub.priceLag(f.collateral)).to.deep.equal([stepped, low, lag]);
    });

    it("priceLag_whenFeedNotConfigured_revertsFeedNotConfigured", async () => {
      const { oracleHub, unlisted } = await loadFixture(oracleFixture);
      await expect(oracleHub.priceLag(unlisted))
        .to.be.revertedWithCustomError(oracleHub, "FeedNotConfigured")
        .withArgs(unlisted);
    });
  });

  describe("views", () => {
    it("volatility_whenFeedNotConfigured_revertsFeedNotConfigured", async () => {
      const { oracleHub, unlisted } = await loadFixture(oracleFixture);
      await expect(oracleHub.volatility(unlisted))
        .to.be.revertedWithCustomError(oracleHub, "FeedNotConfigured")
        .withArgs(unlisted);
    });

    it("feedConfig_whenFeedNotConfigured_revertsFeedNotConfigured", async () => {
      const { oracleHub, unlisted } = await loadFixture(oracleFixture);
      await expect(oracleHub.feedConfig(unlisted))
        .to.be.revertedWithCustomError(oracleHub, "FeedNotConfigured")
        .withArgs(unlisted);
    });

    it("priceState_whenFeedNotConfigured_returnsZeros", async () => {
      const { oracleHub, unlisted } = await loadFixture(oracleFixture);
      expect(await oracleHub.priceState(unlisted)).to.deep.equal([0n, 0n, 0n]);
    });

    it("priceState_whenStale_stillReturnsTheStoredValues", async () => {
      const { oracleHub, feed, collateral } = await loadFixture(oracleFixture);
      await oracleHub.poke(collateral);
      const [, , , updatedAt] = await feed.latestRoundData();
      await time.increase(HEARTBEAT * 10n);
      expect(await oracleHub.priceState(collateral)).to.deep.equal([START_PRICE, updatedAt, 0n]);
    });
  });
});
