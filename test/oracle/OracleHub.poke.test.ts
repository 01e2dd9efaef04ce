// OracleHub.poke: the validation of every answer and what a poke stores.
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { WAD, mulWadDown } from "../../keeper/src/math/fixedPoint";
import { updateVariance, volatility } from "../../keeper/src/math/volatility";
import {
  MAX_JUMP,
  START_PRICE,
  HEARTBEAT,
  MIN_PRICE,
  MAX_PRICE,
  JUMP,
  HALF_LIFE,
  feedConfig,
  deployFeed,
  oracleFixture,
  publishAt,
  feedAnswer,
} from "../helpers/oracle";

describe("OracleHub", () => {
  describe("poke", () => {
    it("poke_onFreshFeed_storesThePriceWithoutVolatility", async () => {
      const { oracleHub, feed, collateral, user } = await loadFixture(oracleFixture);
      const [, , , updatedAt] = await feed.latestRoundData();
      expect(await oracleHub.connect(user).poke.staticCall(collateral)).to.equal(START_PRICE);
      await expect(oracleHub.connect(user).poke(collateral))
        .to.emit(oracleHub, "PriceUpdated")
        .withArgs(collateral, START_PRICE, updatedAt, 0n);
      expect(await oracleHub.priceState(collateral)).to.deep.equal([START_PRICE, updatedAt, 0n]);
      expect(await oracleHub.price(collateral)).to.equal(START_PRICE);
      expect(await oracleHub.volatility(collateral)).to.equal(0n);
    });

    it("poke_withANewerAnswer_updatesPriceAndVarianceAndEmitsPriceUpdated", async () => {
      const { oracleHub, feed, collateral } = await loadFixture(oracleFixture);
      await oracleHub.poke(collateral);
      const [, firstAt] = await oracleHub.priceState(collateral);
      const newPrice = START_PRICE + START_PRICE / 20n;
      const at = Number(firstAt) + 900;
      await publishAt(feed, newPrice, at);
      const expectedVariance = updateVariance(0n, START_PRICE, newPrice, 900n, HALF_LIFE);
      expect(expectedVariance).to.be.greaterThan(0n);
      await expect(oracleHub.poke(collateral))
        .to.emit(oracleHub, "PriceUpdated")
        .withArgs(collateral, newPrice, at, volatility(expectedVariance));
      expect(await oracleHub.priceState(collateral)).to.deep.equal([newPrice, BigInt(at), expectedVariance]);
    });

    it("poke_whenAnswerIsZero_revertsNonPositiveAnswer", async () => {
      const { oracleHub, feed, collateral } = await loadFixture(oracleFixture);
      await feed.setAnswer(0n);
      await expect(oracleHub.poke(collateral))
        .to.be.revertedWithCustomError(oracleHub, "NonPositiveAnswer")
        .withArgs(collateral, 0n);
    });

    it("poke_whenAnswerIsNegative_revertsNonPositiveAnswer", async () => {
      const { oracleHub, feed, collateral } = await loadFixture(oracleFixture);
      await feed.setAnswer(-1n);
      await expect(oracleHub.poke(collateral))
        .to.be.revertedWithCustomError(oracleHub, "NonPositiveAnswer")
        .withArgs(collateral, -1n);
    });

    it("poke_whenUpdatedAtIsZero_revertsInvalidUpdateTime", async () => {
      const { oracleHub, feed, collateral } = await loadFixture(oracleFixture);
      await feed.setAnswerAt(feedAnswer(START_PRICE), 0n);
      await expect(oracleHub.poke(collateral))
        .to.be.revertedWithCustomError(oracleHub, "InvalidUpdateTime")
        .withArgs(collateral, 0n);
    });

    it("poke_whenUpdatedAtIsInTheFuture_revertsInvalidUpdateTime", async () => {
      const { oracleHub, feed, collateral } = await loadFixture(oracleFixture);
      const now = await time.latest();
      await feed.setAnswerAt(feedAnswer(START_PRICE), now + 10);
      await time.setNextBlockTimestamp(now + 9);
      await expect(oracleHub.poke(collateral))
        .to.be.revertedWithCustomError(oracleHub, "InvalidUpdateTime")
        .withArgs(collateral, now + 10);
    });

    it("poke_whenUpdatedAtEqualsBlockTime_accepts", async () => {
      const { oracleHub, feed, collateral } = await loadFixture(oracleFixture);
      const now = await time.latest();
      await feed.setAnswerAt(feedAnswer(START_PRICE), now + 10);
      await time.setNextBlockTimestamp(now + 10);
      await oracleHub.poke(collateral);
      expect((await oracleHub.priceState(collateral))[1]).to.equal(BigInt(now + 10));
    });

    it("poke_whenAnswerIsOlderThanHeartbeat_revertsStalePrice", async () => {
      const { oracleHub, feed, collateral } = await loadFixture(oracleFixture);
      const at = (await time.latest()) + 1;
      await publishAt(feed, START_PRICE, at);
      await time.setNextBlockTimestamp(at + Number(HEARTBEAT) + 1);
      await expect(oracleHub.poke(collateral))
        .to.be.revertedWithCustomError(oracleHub, "StalePrice")
        .withArgs(collateral, at, HEARTBEAT);
    });

    it("poke_whenAnswerIsExactlyHeartbeatOld_accepts", async () => {
      const { oracleHub, feed, collateral } = await loadFixture(oracleFixture);
      const at = (await time.latest()) + 1;
      await publishAt(feed, START_PRICE, at);
      await time.setNextBlockTimestamp(at + Number(HEARTBEAT));
      await expect(oracleHub.poke(collateral)).to.emit(oracleHub, "PriceUpdated");
      expect(await oracleHub.priceState(collateral)).to.deep.equal([START_PRICE, BigInt(at), 0n]);
    });

    it("poke_whenTheStoredRoundHasGoneStale_revertsStalePrice", async () => {
      const { oracleHub, feed, collateral } = await loadFixture(oracleFixture);
      await oracleHub.poke(collateral);
      const [, , , updatedAt] = await feed.latestRoundData();
      await time.increase(HEARTBEAT + 1n);
      await expect(oracleHub.poke(collateral))
        .to.be.revertedWithCustomError(oracleHub, "StalePrice")
        .withArgs(collateral, updatedAt, HEARTBEAT);
    });

    it("poke_whenPriceIsBelowMinimum_revertsPriceOutOfBounds", async () => {
      const { oracleHub, feed, collateral } = await loadFixture(oracleFixture);
      const low = MIN_PRICE - 10n ** 10n; // one unit of an 8-decimal answer below
      await feed.setAnswer(feedAnswer(low));
      await expect(oracleHub.poke(collateral))
        .to.be.revertedWithCustomError(oracleHub, "PriceOutOfBounds")
        .withArgs(collateral, low, MIN_PRICE, MAX_PRICE);
    });

    it("poke_whenPriceIsAboveMaximum_revertsPriceOutOfBounds", async () => {
      const { oracleHub, feed, collateral } = await loadFixture(oracleFixture);
      const high = MAX_PRICE + 10n ** 10n;
      await feed.setAnswer(feedAnswer(high));
      await expect(oracleHub.poke(collateral))
        .to.be.revertedWithCustomError(oracleHub, "PriceOutOfBounds")
        .withArgs(collateral, high, MIN_PRICE, MAX_PRICE);
    });

    it("poke_whenAnswerWouldOverflowWhenScaled_revertsPriceOutOfBoundsNotAPanic", async () => {
      const { oracleHub, feed, collateral } = await loadFixture(oracleFixture);
      await feed.setAnswer(ethers.MaxInt256);
      await expect(oracleHub.poke(collateral))
        .to.be.revertedWithCustomError(oracleHub, "PriceOutOfBounds")
        .withArgs(collateral, ethers.MaxUint256, MIN_PRICE, MAX_PRICE);
    });

    it("poke_whenPriceIsExactlyAtEitherBound_accepts", async () => {
      const { oracleHub, feed, collateral } = await loadFixture(oracleFixture);
      await oracleHub.setMaxJump(collateral, MAX_JUMP);
      await oracleHub.setPriceBounds(collateral, START_PRICE / 2n, START_PRICE * 2n);
      for (const bound of [START_PRICE * 2n, START_PRICE, START_PRICE / 2n]) {
        await feed.setAnswer(feedAnswer(bound));
        await oracleHub.poke(collateral);
        expect(await oracleHub.price(collateral)).to.equal(bound);
      }
    });

    for (const direction of ["Up", "Down"] as const) {
      it(`poke_whenPriceJumps${direction}BeyondMaxJump_movesTheStoredPriceByExactlyMaxJumpAndEmitsPriceClamped`, async () => {
        const { oracleHub, feed, collateral } = await loadFixture(oracleFixture);
        await oracleHub.poke(collateral);
        const [, firstAt] = await oracleHub.priceState(collateral);
        const step = mulWadDown(START_PRICE, JUMP);
        const answer = direction === "Up" ? START_PRICE + step + 10n ** 10n : START_PRICE - step - 10n ** 10n;
        const stepped = direction === "Up" ? START_PRICE + step : START_PRICE - step;
        const at = Number(firstAt) + 600;
        await publishAt(feed, answer, at);
        // The EWMA sees the stored move, not the refuted one.
        const variance = updateVariance(0n, START_PRICE, stepped, 600n, HALF_LIFE);
        await expect(oracleHub.poke(collateral))
          .to.emit(oracleHub, "PriceUpdated")
          .withArgs(collateral, stepped, at, volatility(variance))
          .and.to.emit(oracleHub, "PriceClamped")
          .withArgs(collateral, stepped, answer, JUMP);
        expect(await oracleHub.priceState(collateral)).to.deep.equal([stepped, BigInt(at), variance]);
        expect(await oracleHub.price(collateral)).to.equal(stepped);
      });
    }

    it("poke_whenPriceJumpsExactlyMaxJumpUpOrDown_accepts", async () => {
      const { oracleHub, feed, collateral } = await loadFixture(oracleFixture);
      await oracleHub.poke(collateral);
      const up = START_PRICE + (START_PRICE * JUMP) / WAD; // +30% exactly
      await feed.setAnswer(feedAnswer(up));
      await oracleHub.poke(collateral);
      expect(await oracleHub.price(collateral)).to.equal(up);
      const down = up - (up * JUMP) / WAD; // -30% exactly
      await feed.setAnswer(feedAnswer(down));
      await oracleHub.poke(collateral);
      expect(await oracleHub.price(collateral)).to.equal(down);
    });

    it("poke_whenJumpExceedsMaxJumpByOneWei_storesExactlyMaxJump", async () => {
      // The step rounds down, so a move a hair above the limit never slips through whole.
      const { oracleHub, governor, collateral } = await loadFixture(oracleFixture);
      await oracleHub.poke(collateral);
      const limit = START_PRICE + mulWadDown(START_PRICE, JUMP);
      const source = await deployFeed(governor, 18, limit + 1n);
      await oracleHub.setFeedSource(collateral, await source.getAddress());
      await expect(oracleHub.poke(collateral))
        .to.emit(oracleHub, "PriceClamped")
        .withArgs(collateral, limit, limit + 1n, JUMP);
      expect(await oracleHub.price(collateral)).to.equal(limit);
    });

    it("poke_withinMaxJump_emitsNoPriceClamped", async () => {
      const { oracleHub, feed, collateral } = await loadFixture(oracleFixture);
      await oracleHub.poke(collateral);
      await feed.setAnswer(feedAnswer(START_PRICE + mulWadDown(START_PRICE, JUMP)));
      await expect(oracleHub.poke(collateral))
        .to.emit(oracleHub, "PriceUpdated")
        .and.not.to.emit(oracleHub, "PriceClamped");
    });

    it("poke_whenTheAnswerIsNoNewerThanTheStoredOne_returnsStoredPriceAndChangesNothing", async () => {
      const { oracleHub, feed, collateral } = await loadFixture(oracleFixture);
      await oracleHub.poke(collateral);
      const next = START_PRICE + START_PRICE / 10n;
      await feed.setAnswer(feedAnswer(next));
      await oracleHub.poke(collateral);
      const before = await oracleHub.priceState(collateral);
      expect(before[2]).to.be.greaterThan(0n);

      // Same round again, then a new round stamped with the stored time (and an answer that would
      // otherwise fail the bounds): neither is a new observation.
      expect(await oracleHub.poke.staticCall(collateral)).to.equal(next);
      await expect(oracleHub.poke(collateral)).not.to.emit(oracleHub, "PriceUpdated");
      await feed.setAnswerAt(feedAnswer(MAX_PRICE * 2n), before[1]);
      expect(await oracleHub.poke.staticCall(collateral)).to.equal(next);
      await expect(oracleHub.poke(collateral)).not.to.emit(oracleHub, "PriceUpdated");
      await feed.setAnswerAt(feedAnswer(START_PRICE), before[1] - 1n);
      await expect(oracleHub.poke(collateral)).not.to.emit(oracleHub, "PriceUpdated");

      expect(await oracleHub.priceState(collateral)).to.deep.equal(before);
    });

    it("poke_whenFeedNotConfigured_revertsFeedNotConfigured", async () => {
      const { oracleHub, unlisted } = await loadFixture(oracleFixture);
      await expect(oracleHub.poke(unlisted))
        .to.be.revertedWithCustomError(oracleHub, "FeedNotConfigured")
        .withArgs(unlisted);
    });

    for (const decimals of [6, 8, 18]) {
      it(`poke_withFeedOf${decimals}Decimals_storesTheSameWadPrice`, async () => {
        const { oracleHub, governor, unlisted } = await loadFixture(oracleFixture);
        const price = 2_345_678_901n * 10n ** 12n; // 2345.678901, exact in six decimals
        const source = await deployFeed(governor, decimals, price);
        expect((await source.latestRoundData())[1]).to.equal(2_345_678_901n * 10n ** BigInt(decimals - 6));
        await oracleHub.addFeed(unlisted, feedConfig(await source.getAddress()));
        await oracleHub.poke(unlisted);
        expect(await oracleHub.price(unlisted)).to.equal(price);
      });
    }
  });
});
