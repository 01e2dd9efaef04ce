// The OracleHub tests' shared ground: the hub's limits, a fresh collateral whose 8-decimal feed is
// configured but never poked, answers published at pinned block times, and synthetic price paths
// run step by step against the TypeScript volatility reference.
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { ORACLE_DEFAULTS, toFeedAnswer } from "../../scripts/lib/deploy";
import { WAD } from "../../keeper/src/math/fixedPoint";
import { updateVariance, volatility } from "../../keeper/src/math/volatility";
import { MockAggregator__factory, MockERC20__factory } from "../../typechain-types";
import type { IOracleHub, MockAggregator, OracleHub } from "../../typechain-types";
import { deploySluiceFixture } from "./fixtures";

export type Signer = Awaited<ReturnType<typeof ethers.getSigners>>[number];

// The hub's own limits (OracleHub.sol constants).
export const MIN_HEARTBEAT = 60n; // [seconds]
export const MAX_HEARTBEAT = 7n * 86_400n; // [seconds]
export const MIN_JUMP = WAD / 1_000n; // [wad]
export const MAX_JUMP = WAD; // [wad]
export const MIN_HALF_LIFE = 60n; // [seconds]
export const MAX_HALF_LIFE = 365n * 86_400n; // [seconds]

// The fresh test collateral's feed.
export const FEED_DECIMALS = 8;
export const START_PRICE = 2_000n * WAD; // [wad]
export const HEARTBEAT = BigInt(ORACLE_DEFAULTS.heartbeat); // [seconds]
export const MIN_PRICE = WAD; // [wad]
export const MAX_PRICE = 1_000_000n * WAD; // [wad]
export const JUMP = ORACLE_DEFAULTS.maxJump; // [wad]
export const HALF_LIFE = BigInt(ORACLE_DEFAULTS.halfLife); // [seconds]

export function feedConfig(
  source: string,
  overrides: Partial<IOracleHub.FeedConfigStruct> = {},
): IOracleHub.FeedConfigStruct {
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

export async function deployToken(deployer: Signer): Promise<string> {
  const token = await new MockERC20__factory(deployer).deploy("Test collateral", "TST", 18);
  return token.getAddress();
}

export async function deployFeed(
  deployer: Signer,
  decimals: number,
  price: bigint = START_PRICE,
): Promise<MockAggregator> {
  return new MockAggregator__factory(deployer).deploy(decimals, "TST / USD", toFeedAnswer(price, decimals));
}

/** The deployed protocol plus one collateral whose 8-decimal feed is configured but never poked. */
export async function oracleFixture() {
  const sluice = await deploySluiceFixture();
  const { governor, oracleHub } = sluice;
  const collateral = await deployToken(governor);
  const feed = await deployFeed(governor, FEED_DECIMALS);
  await oracleHub.addFeed(collateral, feedConfig(await feed.getAddress()));
  const unlisted = await deployToken(governor);
  return { ...sluice, collateral, feed, unlisted, user: sluice.users[0] };
}

/** Publishes `price` [wad] on `feed` in a block at exactly `at` (feed time = block time). */
export async function publishAt(feed: MockAggregator, price: bigint, at: number): Promise<void> {
  await time.setNextBlockTimestamp(at);
  await feed.setAnswer(toFeedAnswer(price, FEED_DECIMALS));
}

/**
 * Publishes `answer` on `feed` and pokes the hub in one block at exactly `at`, so consecutive
 * updates can be as little as one second apart.
 */
export async function publishAndPoke(
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

export interface PathStep {
  answer: bigint; // feed answer [FEED_DECIMALS]
  elapsed: number; // since the previous update [seconds]
}

/**
 * Drives the fresh collateral through `steps` (the first one seeds the price) and checks the stored
 * price, time, variance and volatility after every poke against the TypeScript reference computed
 * independently from the inputs. Returns the final reference variance [wad per second].
 */
export async function runPath(
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

export function feedAnswer(price: bigint): bigint {
  return toFeedAnswer(price, FEED_DECIMALS);
}

/** Publishes START_PRICE on `feed` (in its own decimals) and pokes it in the next block; returns the feed time. */
export async function pokedAt(oracleHub: OracleHub, feed: MockAggregator, collateral: string): Promise<number> {
  const at = (await time.latest()) + 1;
  await time.setNextBlockTimestamp(at);
  await feed.setAnswer(toFeedAnswer(START_PRICE, Number(await feed.decimals())));
  await oracleHub.poke(collateral);
  return at;
}

/** `price` serves the stored price up to `heartbeat` seconds after `updatedAt` and reverts one second later. */
export async function expectFreshUntil(
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
