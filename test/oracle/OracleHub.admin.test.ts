// OracleHub feed administration: the fixture's wiring, adding a feed, every range-checked
// parameter through addFeed and its own setter, the price bounds and the feed source.
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { GOVERNED_FUNCTIONS } from "../../scripts/lib/deploy";
import { WAD, mulWadDown } from "../../keeper/src/math/fixedPoint";
import type { OracleHub } from "../../typechain-types";
import {
  MIN_HEARTBEAT,
  MAX_HEARTBEAT,
  MIN_JUMP,
  MAX_JUMP,
  MIN_HALF_LIFE,
  MAX_HALF_LIFE,
  START_PRICE,
  HEARTBEAT,
  MIN_PRICE,
  MAX_PRICE,
  JUMP,
  HALF_LIFE,
  feedConfig,
  deployToken,
  deployFeed,
  oracleFixture,
} from "../helpers/oracle";

describe("OracleHub", () => {
  describe("fixture wiring", () => {
    it("fixtureCollaterals_areConfiguredAndPokedAtTheirSpecPrices", async () => {
      const { oracleHub, weth, wbtc } = await loadFixture(oracleFixture);
      for (const { spec, token, feed } of [weth, wbtc]) {
        const collateral = await token.getAddress();
        expect(await oracleHub.price(collateral)).to.equal(spec.price);
        const config = await oracleHub.feedConfig(collateral);
        expect(config.source).to.equal(await feed.getAddress());
        expect(config.heartbeat).to.equal(HEARTBEAT);
        expect(config.maxJump).to.equal(JUMP);
        expect(config.halfLife).to.equal(HALF_LIFE);
      }
    });

    it("governedFunctions_listEveryStateChangingFunctionExceptPokeAndSetAuthority", async () => {
      const { oracleHub } = await loadFixture(oracleFixture);
      const stateChanging: string[] = [];
      oracleHub.interface.forEachFunction((fragment) => {
        if (fragment.stateMutability !== "view" && fragment.stateMutability !== "pure") {
          stateChanging.push(fragment.name);
        }
      });
      const expected = [...GOVERNED_FUNCTIONS.OracleHub, "poke", "setAuthority"];
      expect([...stateChanging].sort()).to.deep.equal([...expected].sort());
    });
  });

  describe("addFeed", () => {
    it("addFeed_whenValid_storesConfigAndEmitsFeedAdded", async () => {
      const { oracleHub, governor, unlisted } = await loadFixture(oracleFixture);
      const source = await (await deployFeed(governor, 18)).getAddress();
      const config = feedConfig(source, { heartbeat: 600n, minPrice: 5n, maxPrice: 7n * WAD, maxJump: WAD / 20n });
      await expect(oracleHub.addFeed(unlisted, config))
        .to.emit(oracleHub, "FeedAdded")
        .withArgs(unlisted, [source, 600n, 5n, 7n * WAD, WAD / 20n, HALF_LIFE]);
      expect(await oracleHub.feedConfig(unlisted)).to.deep.equal([source, 600n, 5n, 7n * WAD, WAD / 20n, HALF_LIFE]);
      expect(await oracleHub.priceState(unlisted)).to.deep.equal([0n, 0n, 0n]);
    });

    it("addFeed_whenCollateralIsZeroAddress_revertsZeroAddress", async () => {
      const { oracleHub, feed } = await loadFixture(oracleFixture);
      await expect(
        oracleHub.addFeed(ethers.ZeroAddress, feedConfig(await feed.getAddress())),
      ).to.be.revertedWithCustomError(oracleHub, "ZeroAddress");
    });

    it("addFeed_whenAlreadyConfigured_revertsFeedAlreadyConfigured", async () => {
      const { oracleHub, feed, collateral } = await loadFixture(oracleFixture);
      await expect(oracleHub.addFeed(collateral, feedConfig(await feed.getAddress())))
        .to.be.revertedWithCustomError(oracleHub, "FeedAlreadyConfigured")
        .withArgs(collateral);
    });

    it("addFeed_whenSourceIsZeroAddress_revertsZeroAddress", async () => {
      const { oracleHub, unlisted } = await loadFixture(oracleFixture);
      await expect(oracleHub.addFeed(unlisted, feedConfig(ethers.ZeroAddress))).to.be.revertedWithCustomError(
        oracleHub,
        "ZeroAddress",
      );
    });

    it("addFeed_whenFeedHas19Decimals_revertsUnsupportedFeedDecimals", async () => {
      const { oracleHub, governor, unlisted } = await loadFixture(oracleFixture);
      const source = await (await deployFeed(governor, 19)).getAddress();
      await expect(oracleHub.addFeed(unlisted, feedConfig(source)))
        .to.be.revertedWithCustomError(oracleHub, "UnsupportedFeedDecimals")
        .withArgs(source, 19);
    });

    it("addFeed_whenMinPriceIsZero_revertsPriceBoundsInvalid", async () => {
      const { oracleHub, feed, unlisted } = await loadFixture(oracleFixture);
      await expect(oracleHub.addFeed(unlisted, feedConfig(await feed.getAddress(), { minPrice: 0n })))
        .to.be.revertedWithCustomError(oracleHub, "PriceBoundsInvalid")
        .withArgs(0n, MAX_PRICE);
    });

    it("addFeed_whenMinPriceEqualsMaxPrice_revertsPriceBoundsInvalid", async () => {
      const { oracleHub, feed, unlisted } = await loadFixture(oracleFixture);
      await expect(oracleHub.addFeed(unlisted, feedConfig(await feed.getAddress(), { minPrice: MAX_PRICE })))
        .to.be.revertedWithCustomError(oracleHub, "PriceBoundsInvalid")
        .withArgs(MAX_PRICE, MAX_PRICE);
    });

    it("addFeed_whenCallerIsNotGovernor_revertsAccessManagedUnauthorized", async () => {
      const { oracleHub, feed, unlisted, user } = await loadFixture(oracleFixture);
      await expect(oracleHub.connect(user).addFeed(unlisted, feedConfig(await feed.getAddress())))
        .to.be.revertedWithCustomError(oracleHub, "AccessManagedUnauthorized")
        .withArgs(user.address);
    });
  });

  // Each range-checked parameter: through addFeed and through its own setter, at and beyond both ends.
  const rangedParameters = [
    {
      field: "heartbeat",
      setter: "setHeartbeat",
      event: "HeartbeatSet",
      error: "HeartbeatOutOfRange",
      min: MIN_HEARTBEAT,
      max: MAX_HEARTBEAT,
      set: (hub: OracleHub, collateral: string, value: bigint) => hub.setHeartbeat(collateral, value),
    },
    {
      field: "maxJump",
      setter: "setMaxJump",
      event: "MaxJumpSet",
      error: "MaxJumpOutOfRange",
      min: MIN_JUMP,
      max: MAX_JUMP,
      set: (hub: OracleHub, collateral: string, value: bigint) => hub.setMaxJump(collateral, value),
    },
    {
      field: "halfLife",
      setter: "setHalfLife",
      event: "HalfLifeSet",
      error: "HalfLifeOutOfRange",
      min: MIN_HALF_LIFE,
      max: MAX_HALF_LIFE,
      set: (hub: OracleHub, collateral: string, value: bigint) => hub.setHalfLife(collateral, value),
    },
  ] as const;

  for (const parameter of rangedParameters) {
    const { field, setter, event, error, min, max, set } = parameter;
    const Field = field[0].toUpperCase() + field.slice(1);

    describe(`${field} range`, () => {
      it(`addFeed_when${Field}IsAtEitherBound_accepts`, async () => {
        const { oracleHub, governor, feed } = await loadFixture(oracleFixture);
        for (const value of [min, max]) {
          const collateral = await deployToken(governor);
          await oracleHub.addFeed(collateral, feedConfig(await feed.getAddress(), { [field]: value }));
          expect((await oracleHub.feedConfig(collateral))[field]).to.equal(value);
        }
      });

      it(`addFeed_when${Field}IsBelowMinimum_reverts${error}`, async () => {
        const { oracleHub, feed, unlisted } = await loadFixture(oracleFixture);
        await expect(oracleHub.addFeed(unlisted, feedConfig(await feed.getAddress(), { [field]: min - 1n })))
          .to.be.revertedWithCustomError(oracleHub, error)
          .withArgs(min - 1n, min, max);
      });

      it(`addFeed_when${Field}IsAboveMaximum_reverts${error}`, async () => {
        const { oracleHub, feed, unlisted } = await loadFixture(oracleFixture);
        await expect(oracleHub.addFeed(unlisted, feedConfig(await feed.getAddress(), { [field]: max + 1n })))
          .to.be.revertedWithCustomError(oracleHub, error)
          .withArgs(max + 1n, min, max);
      });
    });

    describe(setter, () => {
      it(`${setter}_atEitherBound_storesValueAndEmits${event}`, async () => {
        const { oracleHub, collateral } = await loadFixture(oracleFixture);
        for (const value of [min, max]) {
          await expect(set(oracleHub, collateral, value))
            .to.emit(oracleHub, event)
            .withArgs(collateral, value);
          expect((await oracleHub.feedConfig(collateral))[field]).to.equal(value);
        }
      });

      it(`${setter}_belowMinimum_reverts${error}`, async () => {
        const { oracleHub, collateral } = await loadFixture(oracleFixture);
        await expect(set(oracleHub, collateral, min - 1n))
          .to.be.revertedWithCustomError(oracleHub, error)
          .withArgs(min - 1n, min, max);
      });

      it(`${setter}_aboveMaximum_reverts${error}`, async () => {
        const { oracleHub, collateral } = await loadFixture(oracleFixture);
        await expect(set(oracleHub, collateral, max + 1n))
          .to.be.revertedWithCustomError(oracleHub, error)
          .withArgs(max + 1n, min, max);
      });

      it(`${setter}_whenFeedNotConfigured_revertsFeedNotConfigured`, async () => {
        const { oracleHub, unlisted } = await loadFixture(oracleFixture);
        await expect(set(oracleHub, unlisted, min))
          .to.be.revertedWithCustomError(oracleHub, "FeedNotConfigured")
          .withArgs(unlisted);
      });

      it(`${setter}_whenCallerIsNotGovernor_revertsAccessManagedUnauthorized`, async () => {
        const { oracleHub, collateral, user } = await loadFixture(oracleFixture);
        await expect(set(oracleHub.connect(user), collateral, min))
          .to.be.revertedWithCustomError(oracleHub, "AccessManagedUnauthorized")
          .withArgs(user.address);
      });
    });
  }

  describe("setPriceBounds", () => {
    it("setPriceBounds_whenValid_storesBoundsAndEmitsPriceBoundsSet", async () => {
      const { oracleHub, collateral } = await loadFixture(oracleFixture);
      await expect(oracleHub.setPriceBounds(collateral, 1n, 2n))
        .to.emit(oracleHub, "PriceBoundsSet")
        .withArgs(collateral, 1n, 2n);
      const config = await oracleHub.feedConfig(collateral);
      expect([config.minPrice, config.maxPrice]).to.deep.equal([1n, 2n]);
    });

    it("setPriceBounds_whenMinPriceIsZero_revertsPriceBoundsInvalid", async () => {
      const { oracleHub, collateral } = await loadFixture(oracleFixture);
      await expect(oracleHub.setPriceBounds(collateral, 0n, MAX_PRICE))
        .to.be.revertedWithCustomError(oracleHub, "PriceBoundsInvalid")
        .withArgs(0n, MAX_PRICE);
    });

    it("setPriceBounds_whenMinPriceEqualsMaxPrice_revertsPriceBoundsInvalid", async () => {
      const { oracleHub, collateral } = await loadFixture(oracleFixture);
      await expect(oracleHub.setPriceBounds(collateral, WAD, WAD))
        .to.be.revertedWithCustomError(oracleHub, "PriceBoundsInvalid")
        .withArgs(WAD, WAD);
    });

    it("setPriceBounds_whenMinPriceAboveMaxPrice_revertsPriceBoundsInvalid", async () => {
      const { oracleHub, collateral } = await loadFixture(oracleFixture);
      await expect(oracleHub.setPriceBounds(collateral, WAD + 1n, WAD))
        .to.be.revertedWithCustomError(oracleHub, "PriceBoundsInvalid")
        .withArgs(WAD + 1n, WAD);
    });

    it("setPriceBounds_whenFeedNotConfigured_revertsFeedNotConfigured", async () => {
      const { oracleHub, unlisted } = await loadFixture(oracleFixture);
      await expect(oracleHub.setPriceBounds(unlisted, MIN_PRICE, MAX_PRICE))
        .to.be.revertedWithCustomError(oracleHub, "FeedNotConfigured")
        .withArgs(unlisted);
    });

    it("setPriceBounds_whenCallerIsNotGovernor_revertsAccessManagedUnauthorized", async () => {
      const { oracleHub, collateral, user } = await loadFixture(oracleFixture);
      await expect(oracleHub.connect(user).setPriceBounds(collateral, MIN_PRICE, MAX_PRICE))
        .to.be.revertedWithCustomError(oracleHub, "AccessManagedUnauthorized")
        .withArgs(user.address);
    });

    it("setPriceBounds_narrowedBelowTheNextAnswer_makesPokeRevertPriceOutOfBounds", async () => {
      const { oracleHub, collateral } = await loadFixture(oracleFixture);
      await oracleHub.setPriceBounds(collateral, MIN_PRICE, START_PRICE - 1n);
      await expect(oracleHub.poke(collateral))
        .to.be.revertedWithCustomError(oracleHub, "PriceOutOfBounds")
        .withArgs(collateral, START_PRICE, MIN_PRICE, START_PRICE - 1n);
    });
  });

  describe("setFeedSource", () => {
    it("setFeedSource_whenValid_storesSourceAndEmitsFeedSourceSet", async () => {
      const { oracleHub, governor, collateral } = await loadFixture(oracleFixture);
      const source = await (await deployFeed(governor, 18)).getAddress();
      await expect(oracleHub.setFeedSource(collateral, source))
        .to.emit(oracleHub, "FeedSourceSet")
        .withArgs(collateral, source);
      expect((await oracleHub.feedConfig(collateral)).source).to.equal(source);
    });

    it("setFeedSource_toFeedWithOtherDecimals_scalesTheNextAnswerWithTheNewDecimals", async () => {
      const { oracleHub, governor, collateral } = await loadFixture(oracleFixture);
      await oracleHub.poke(collateral);
      const newPrice = START_PRICE + START_PRICE / 10n;
      const source = await deployFeed(governor, 6, newPrice);
      await oracleHub.setFeedSource(collateral, await source.getAddress());
      await oracleHub.poke(collateral);
      expect(await oracleHub.price(collateral)).to.equal(newPrice);
    });

    it("setFeedSource_keepsTheStoredPriceAsTheAnchorItStepsFrom", async () => {
      const { oracleHub, governor, collateral } = await loadFixture(oracleFixture);
      await oracleHub.poke(collateral);
      const newPrice = (START_PRICE * 3n) / 2n;
      const source = await deployFeed(governor, 18, newPrice);
      await oracleHub.setFeedSource(collateral, await source.getAddress());
      const stepped = START_PRICE + mulWadDown(START_PRICE, JUMP);
      await expect(oracleHub.poke(collateral))
        .to.emit(oracleHub, "PriceClamped")
        .withArgs(collateral, stepped, newPrice, JUMP);
      expect(await oracleHub.price(collateral)).to.equal(stepped);
    });

    it("setFeedSource_whenSourceIsZeroAddress_revertsZeroAddress", async () => {
      const { oracleHub, collateral } = await loadFixture(oracleFixture);
      await expect(oracleHub.setFeedSource(collateral, ethers.ZeroAddress)).to.be.revertedWithCustomError(
        oracleHub,
        "ZeroAddress",
      );
    });

    it("setFeedSource_whenFeedHas19Decimals_revertsUnsupportedFeedDecimals", async () => {
      const { oracleHub, governor, collateral } = await loadFixture(oracleFixture);
      const source = await (await deployFeed(governor, 19)).getAddress();
      await expect(oracleHub.setFeedSource(collateral, source))
        .to.be.revertedWithCustomError(oracleHub, "UnsupportedFeedDecimals")
        .withArgs(source, 19);
    });

    it("setFeedSource_whenFeedNotConfigured_revertsFeedNotConfigured", async () => {
      const { oracleHub, feed, unlisted } = await loadFixture(oracleFixture);
      await expect(oracleHub.setFeedSource(unlisted, await feed.getAddress()))
        .to.be.revertedWithCustomError(oracleHub, "FeedNotConfigured")
        .withArgs(unlisted);
    });

    it("setFeedSource_whenCallerIsNotGovernor_revertsAccessManagedUnauthorized", async () => {
      const { oracleHub, feed, collateral, user } = await loadFixture(oracleFixture);
      await expect(oracleHub.connect(user).setFeedSource(collateral, await feed.getAddress()))
        .to.be.revertedWithCustomError(oracleHub, "AccessManagedUnauthorized")
        .withArgs(user.address);
    });
  });
});
