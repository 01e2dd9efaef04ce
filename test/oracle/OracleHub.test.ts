// OracleHub: feed administration, validation of every answer, the stored price and the volatility
// estimator, the latter checked step by step against the TypeScript reference on synthetic paths.
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { GOVERNED_FUNCTIONS, ORACLE_DEFAULTS, toFeedAnswer } from "../../scripts/lib/deploy";
import { WAD, mulWadDown } from "../../keeper/src/math/fixedPoint";
import { updateVariance, volatility } from "../../keeper/src/math/volatility";
import { MockAggregator__factory, MockERC20__factory } from "../../typechain-types";
import type { IOracleHub, MockAggregator, OracleHub } from "../../typechain-types";
import { deploySluiceFixture } from "../helpers/fixtures";

type Signer = Awaited<ReturnType<typeof ethers.getSigners>>[number];

// The hub's own limits (OracleHub.sol constants).
const MIN_HEARTBEAT = 60n; // [seconds]
const MAX_HEARTBEAT = 7n * 86_400n; // [seconds]
const MIN_JUMP = WAD / 1_000n; // [wad]
const MAX_JUMP = WAD; // [wad]
const MIN_HALF_LIFE = 60n; // [seconds]
const MAX_HALF_LIFE = 365n * 86_400n; // [seconds]

// The fresh test collateral's feed.
const FEED_DECIMALS = 8;
const START_PRICE = 2_000n * WAD; // [wad]
const HEARTBEAT = BigInt(ORACLE_DEFAULTS.heartbeat); // [seconds]
const MIN_PRICE = WAD; // [wad]
const MAX_PRICE = 1_000_000n * WAD; // [wad]
const JUMP = ORACLE_DEFAULTS.maxJump; // [wad]
const HALF_LIFE = BigInt(ORACLE_DEFAULTS.halfLife); // [seconds]

function feedConfig(source: string, overrides: Partial<IOracleHub.FeedConfigStruct> = {}): IOracleHub.FeedConfigStruct {
  return {
    source,
    heartbeat: HEARTBEAT,
    minPrice: MIN_PRICE,
    maxPrice: MAX_PRICE,
    maxJump: JUMP,
    halfLife: HALF_LIFE,
    ...overrides,
  };
}

async function deployToken(deployer: Signer): Promise<string> {
  const token = await new MockERC20__factory(deployer).deploy("Test collateral", "TST", 18);
  return token.getAddress();
}

async function deployFeed(deployer: Signer, decimals: number, price: bigint = START_PRICE): Promise<MockAggregator> {
  return new MockAggregator__factory(deployer).deploy(decimals, "TST / USD", toFeedAnswer(price, decimals));
}

/** The deployed protocol plus one collateral whose 8-decimal feed is configured but never poked. */
async function oracleFixture() {
  const sluice = await deploySluiceFixture();
  const { governor, oracleHub } = sluice;
  const collateral = await deployToken(governor);
  const feed = await deployFeed(governor, FEED_DECIMALS);
  await oracleHub.addFeed(collateral, feedConfig(await feed.getAddress()));
  const unlisted = await deployToken(governor);
  return { ...sluice, collateral, feed, unlisted, user: sluice.users[0] };
}

/** Publishes `price` [wad] on `feed` in a block at exactly `at` (feed time = block time). */
async function publishAt(feed: MockAggregator, price: bigint, at: number): Promise<void> {
  await time.setNextBlockTimestamp(at);
  await feed.setAnswer(toFeedAnswer(price, FEED_DECIMALS));
}

/**
 * Publishes `answer` on `feed` and pokes the hub in one block at exactly `at`, so consecutive
 * updates can be as little as one second apart.
 */
async function publishAndPoke(
  oracleHub: OracleHub,
  feed: MockAggregator,
  collateral: string,
  answer: bigint,
  at: number,
): Promise<void> {
  await ethers.provider.send("evm_setAutomine", [false]);
  try {
    // Explicit gas limits: estimation would run against the block before the new round.
    const publish = await feed.setAnswer(answer, { gasLimit: 300_000 });
    const poke = await oracleHub.poke(collateral, { gasLimit: 300_000 });
    await ethers.provider.send("evm_mine", [at]);
    await publish.wait();
    await poke.wait();
  } finally {
    await ethers.provider.send("evm_setAutomine", [true]);
  }
}

interface PathStep {
  answer: bigint; // feed answer [FEED_DECIMALS]
  elapsed: number; // since the previous update [seconds]
}

/**
 * Drives the fresh collateral through `steps` (the first one seeds the price) and checks the stored
 * price, time, variance and volatility after every poke against the TypeScript reference computed
 * independently from the inputs. Returns the final reference variance [wad per second].
 */
async function runPath(
  { oracleHub, feed, collateral }: Awaited<ReturnType<typeof oracleFixture>>,
  steps: readonly PathStep[],
  halfLife: bigint = HALF_LIFE,
): Promise<bigint> {
  const scale = 10n ** BigInt(18 - FEED_DECIMALS);
  let at = (await time.latest()) + 1;
  let previousPrice = 0n;
  let variance = 0n;
  for (const [index, step] of steps.entries()) {
    at += step.elapsed;
    await publishAndPoke(oracleHub, feed, collateral, step.answer, at);
    const price = step.answer * scale;
    if (previousPrice !== 0n) {
      variance = updateVariance(variance, previousPrice, price, BigInt(step.elapsed), halfLife);
    }
    previousPrice = price;
    const [storedPrice, updatedAt, storedVariance] = await oracleHub.priceState(collateral);
    const where = `step ${index} (answer ${step.answer}, elapsed ${step.elapsed}s)`;
    expect(storedPrice, `price at ${where}`).to.equal(price);
    expect(updatedAt, `updatedAt at ${where}`).to.equal(BigInt(at));
    expect(storedVariance, `variance at ${where}`).to.equal(variance);
    expect(await oracleHub.volatility(collateral), `volatility at ${where}`).to.equal(volatility(variance));
  }
  return variance;
}

function feedAnswer(price: bigint): bigint {
  return toFeedAnswer(price, FEED_DECIMALS);
}

/** Publishes START_PRICE on `feed` (in its own decimals) and pokes it in the next block; returns the feed time. */
async function pokedAt(oracleHub: OracleHub, feed: MockAggregator, collateral: string): Promise<number> {
  const at = (await time.latest()) + 1;
  await time.setNextBlockTimestamp(at);
  await feed.setAnswer(toFeedAnswer(START_PRICE, Number(await feed.decimals())));
  await oracleHub.poke(collateral);
  return at;
}

/** `price` serves the stored price up to `heartbeat` seconds after `updatedAt` and reverts one second later. */
async function expectFreshUntil(
  oracleHub: OracleHub,
  collateral: string,
  updatedAt: number,
  heartbeat: bigint,
): Promise<void> {
  await time.increaseTo(updatedAt + Number(heartbeat));
  expect(await oracleHub.price(collateral)).to.equal(START_PRICE);
  await time.increase(1);
  await expect(oracleHub.price(collateral))
    .to.be.revertedWithCustomError(oracleHub, "StalePrice")
    .withArgs(collateral, updatedAt, heartbeat);
}

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

  describe("volatility estimator", () => {
    it("volatility_onASteadyDrift_tracksTheReferenceAndConvergesToTheDriftRate", async () => {
      const fixture = await loadFixture(oracleFixture);
      const halfLife = 3_600n;
      await fixture.oracleHub.setHalfLife(fixture.collateral, halfLife);
      const elapsed = 600;
      const steps: PathStep[] = [{ answer: feedAnswer(START_PRICE), elapsed: 0 }];
      for (let i = 0; i < 40; i++) {
        const previous = steps[steps.length - 1].answer;
        steps.push({ answer: previous + previous / 100n, elapsed }); // +1% every 10 minutes
      }
      const variance = await runPath(fixture, steps, halfLife);
      // 40 steps span 6.7 half-lives: the estimate holds (1 - 2^-6.7) ≈ 99% of r²/Δt.
      const sigma = Number(volatility(variance)) / 1e18;
      const expected = 0.01 / Math.sqrt(elapsed);
      expect(sigma / expected).to.be.within(0.99, 1.0);
    });

    it("volatility_onAZigZag_tracksTheReference", async () => {
      const fixture = await loadFixture(oracleFixture);
      const steps: PathStep[] = [];
      for (let i = 0; i < 30; i++) {
        steps.push({ answer: feedAnswer(i % 2 === 0 ? START_PRICE : (START_PRICE * 103n) / 100n), elapsed: 300 });
      }
      await runPath(fixture, steps);
    });

    it("volatility_onGeometricRandomWalksWithIrregularSteps_tracksTheReference", async () => {
      const step = fc.record({
        elapsed: fc.oneof(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 61, max: 4 * 86_400 })),
        logReturn: fc.double({ min: -0.2, max: 0.2, noNaN: true }), // e^±0.2 stays inside the 30% maxJump
      });
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 10, maxLength: 25 }), async (moves) => {
          const fixture = await loadFixture(oracleFixture);
          const steps: PathStep[] = [{ answer: feedAnswer(START_PRICE), elapsed: 0 }];
          for (const { elapsed, logReturn } of moves) {
            const previous = steps[steps.length - 1].answer;
            steps.push({ answer: BigInt(Math.round(Number(previous) * Math.exp(logReturn))), elapsed });
          }
          await runPath(fixture, steps);
        }),
        { numRuns: 6, seed: 0x51ce },
      );
    });

    it("volatility_withConstantPriceForOneHalfLife_halvesTheVariance", async () => {
      const fixture = await loadFixture(oracleFixture);
      const moved = feedAnswer(START_PRICE + START_PRICE / 10n);
      const variance = await runPath(fixture, [
        { answer: feedAnswer(START_PRICE), elapsed: 0 },
        { answer: moved, elapsed: 600 },
      ]);
      expect(variance).to.be.greaterThan(0n);
      let at = Number((await fixture.oracleHub.priceState(fixture.collateral))[1]);

      // One update a whole half-life later: exactly half (2^-1 is exact in the library).
      at += Number(HALF_LIFE);
      await publishAndPoke(fixture.oracleHub, fixture.feed, fixture.collateral, moved, at);
      expect((await fixture.oracleHub.priceState(fixture.collateral))[2]).to.equal(variance / 2n);

      // Four updates a quarter half-life apart: half again, up to rounding. Each update floors the
      // variance (< 1 wei each) and 2^-1/4 is off by a few wei in 1e18, far below a wei here.
      for (let i = 0; i < 4; i++) {
        at += Number(HALF_LIFE / 4n);
        await publishAndPoke(fixture.oracleHub, fixture.feed, fixture.collateral, moved, at);
      }
      const quartered = (await fixture.oracleHub.priceState(fixture.collateral))[2];
      expect(quartered).to.be.closeTo(variance / 4n, 5n);
    });

    it("volatility_onAHigherAmplitudePath_isHigher", async () => {
      async function zigZagVolatility(percent: bigint): Promise<bigint> {
        const fixture = await loadFixture(oracleFixture);
        const steps: PathStep[] = [];
        for (let i = 0; i < 12; i++) {
          const price = i % 2 === 0 ? START_PRICE : (START_PRICE * (100n + percent)) / 100n;
          steps.push({ answer: feedAnswer(price), elapsed: 1_800 });
        }
        await runPath(fixture, steps);
        return fixture.oracleHub.volatility(fixture.collateral);
      }
      const calm = await zigZagVolatility(1n);
      const wild = await zigZagVolatility(5n);
      expect(calm).to.be.greaterThan(0n);
      // σ scales with the return size: about 5x (a little less, since down-moves start from a higher price).
      expect(Number(wild) / Number(calm)).to.be.within(4.5, 5.5);
    });
  });
});
