// The RiskEngine tests' shared ground: the fixture with a thin collateral listed beside the local
// ones, the engine's limits, its stored state in the TypeScript mirror's shape
// (keeper/src/risk/thresholds.ts), price moves published through the feed, and the vault views
// checked against the mirror.
import { debtUp, normalizedDebtUp } from "../../keeper/src/math/liquidation";
import { collateralRisk } from "../../keeper/src/chain/contracts";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { expect } from "chai";
import { ethers } from "hardhat";
import {
  LOCAL_COLLATERALS,
  ORACLE_DEFAULTS,
  listMockCollateral,
  toFeedAnswer,
  type LocalCollateral,
  type LocalCollateralSpec,
} from "../../scripts/lib/deploy";
import { RAY, WAD, mulDivDown, mulWadDown, rpowDown } from "../../keeper/src/math/fixedPoint";
import * as model from "../../keeper/src/risk/thresholds";
import type { CollateralRisk, RiskParams } from "../../keeper/src/risk/thresholds";
import { MockAggregator__factory, MockERC20__factory } from "../../typechain-types";
import type { MockAggregator, RiskEngine } from "../../typechain-types";
import { deploySluiceFixture } from "./fixtures";
import type { SluiceFixture } from "./fixtures";

export const HOUR = 3_600n; // [seconds]
export const DAY = 86_400n; // [seconds]
export const MAX_UINT256 = 2n ** 256n - 1n;
export const MAX_HEARTBEAT = 7n * DAY; // OracleHub's limit [seconds]

export const pct = (percent: number): bigint => (BigInt(Math.round(percent * 100)) * WAD) / 10_000n;
export const units = (amount: string): bigint => ethers.parseUnits(amount, 18);
export const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);

// The engine's own limits (RiskEngine.sol constants).
export const MAX_BASE_THRESHOLD = pct(98);
export const MIN_MIN_THRESHOLD = pct(10);
export const MAX_BORROW_BUFFER = pct(30);
export const MAX_CONFIDENCE = 10n * WAD;
export const MIN_HORIZON = 60n;
export const MAX_HORIZON = 7n * DAY;
export const MIN_RAMP_DURATION = HOUR;
export const MAX_RAMP_DURATION = 90n * DAY;
export const MIN_DEPTH = WAD;
export const MAX_DEPTH = 10n ** 36n;
export const MAX_SIZE_PENALTY = pct(50);
export const MIN_STEP_PER_HOUR = WAD / 10_000n;
export const MAX_STEP_PER_HOUR = pct(50);

/**
 * A thin market: depth 1,000,000 so a vault's size matters, no stability fee so debt equals what was
 * borrowed to the wei, and a maxLTV above the risk engine's limits so the engine always binds.
 */
export const THIN: LocalCollateralSpec = {
  symbol: "THIN",
  decimals: 18,
  feedDecimals: 8,
  price: 100n * WAD,
  annualFee: 0n,
  maxLTV: pct(90),
  debtCeiling: 50_000_000n * WAD,
  dust: 10n * WAD,
  risk: {
    baseThreshold: pct(85),
    params: {
      minThreshold: pct(50),
      borrowBuffer: pct(5),
      confidence: 2n * WAD,
      horizon: 4n * HOUR,
      minRampDuration: DAY,
      depth: 1_000_000n * WAD,
      maxSizePenalty: pct(25),
      maxStepPerHour: pct(1),
    },
  },
};
export const WETH_SPEC = LOCAL_COLLATERALS.find((spec) => spec.symbol === "WETH")!;

export async function riskFixture() {
  const sluice = await deploySluiceFixture();
  const thin = await listMockCollateral(sluice.governor, sluice, THIN);
  const unlisted = await new MockERC20__factory(sluice.governor).deploy("Unlisted", "UNL", 18);
  return { ...sluice, thin, unlisted: await unlisted.getAddress() };
}

/** The struct as the contract's ABI orders it (event arguments, view results). */
export const paramsTuple = (p: RiskParams): bigint[] => [
  p.minThreshold,
  p.borrowBuffer,
  p.confidence,
  p.horizon,
  p.minRampDuration,
  p.depth,
  p.maxSizePenalty,
  p.maxStepPerHour,
];

export const cappedTarget = (confidence: bigint, sigma: bigint, horizon: bigint): bigint =>
  min(model.volatilityPenaltyTarget(confidence, sigma, horizon), WAD);

export const now = async (): Promise<bigint> => BigInt(await time.latest());

/** Everything the RiskEngine stores about `token`, read at the latest block. */
export async function readRisk(riskEngine: RiskEngine, token: string): Promise<CollateralRisk> {
  const [params, ramp, volatility] = await Promise.all([
    riskEngine.riskParams(token),
    riskEngine.baseRamp(token),
    riskEngine.volatilityState(token),
  ]);
  return collateralRisk(params, ramp, volatility);
}

/** The target a sync would set now: k · σ · √H from the oracle's current σ, capped at 1. */
export async function currentTarget(f: SluiceFixture, collateral: string): Promise<bigint> {
  const { confidence, horizon } = await f.riskEngine.riskParams(collateral);
  return cappedTarget(confidence, await f.oracleHub.volatility(collateral), horizon);
}

/** Opens a vault of `collateral` for `owner` and deposits `amount` (minted on the spot). */
export async function openVault(
  f: SluiceFixture,
  owner: HardhatEthersSigner,
  collateral: LocalCollateral,
  amount: bigint,
): Promise<bigint> {
  const vaultId = (await f.vaultEngine.vaultCount()) + 1n;
  await f.vaultEngine.connect(owner).openVault(collateral.token);
  if (amount > 0n) {
    await collateral.token.mint(owner, amount);
    await collateral.token.connect(owner).approve(f.vaultEngine, amount);
    await f.vaultEngine.connect(owner).deposit(vaultId, amount);
  }
  return vaultId;
}

/** Publishes `price` [wad] on the collateral's feed (in a block at `at` if given), then `riskEngine.poke`s it. */
export async function publish(
  f: SluiceFixture,
  collateral: LocalCollateral,
  price: bigint,
  at?: bigint,
): Promise<void> {
  await publishAnswer(f, collateral, toFeedAnswer(price, collateral.spec.feedDecimals), at);
}

export async function publishAnswer(
  f: SluiceFixture,
  collateral: LocalCollateral,
  answer: bigint,
  at?: bigint,
): Promise<void> {
  if (at !== undefined) await time.setNextBlockTimestamp(at);
  await collateral.feed.setAnswer(answer);
  await f.riskEngine.poke(collateral.token);
}

/**
 * Moves the price up by `move` and back, `steps` times, one update every `interval` seconds, ending
 * at the listing price. After every poke the applied penalty must have slewed from the previous
 * checkpoint exactly as the mirror says (so never by more than maxStepPerHour per hour) and the
 * target must be k · σ · √H for the oracle's new σ.
 */
export async function zigZag(
  f: SluiceFixture,
  collateral: LocalCollateral,
  steps: number,
  move: bigint,
  interval: bigint,
): Promise<void> {
  const token = await collateral.token.getAddress();
  const { price } = collateral.spec;
  for (let step = 0; step < steps; step++) {
    const before = await readRisk(f.riskEngine, token);
    await publish(f, collateral, step % 2 === 0 ? price + mulWadDown(price, move) : price, (await now()) + interval);
    const at = await now();
    const after = await f.riskEngine.volatilityState(token);
    const elapsed = at - before.volatility.checkpoint;
    const moved = after.penalty - before.volatility.penalty;
    expect(moved < 0n ? -moved : moved, `step ${step}`).to.be.lte(
      mulDivDown(before.params.maxStepPerHour, elapsed, HOUR),
    );
    expect(after.penalty, `penalty at step ${step}`).to.equal(model.appliedPenalty(before, at));
    expect(after.target, `target at step ${step}`).to.equal(await currentTarget(f, token));
    expect(after.checkpoint).to.equal(at);
  }
}

export interface VaultViews extends model.ThresholdBreakdown {
  value: bigint;
  debt: bigint;
  health: bigint;
}

/** Checks every vault view against the mirror at the latest block, and returns the mirror's numbers. */
export async function expectVaultViewsMatchMirror(f: SluiceFixture, vaultId: bigint): Promise<VaultViews> {
  const [collateral, value, debt] = await f.vaultEngine.position(vaultId);
  const expected = model.thresholdBreakdown(await readRisk(f.riskEngine, collateral), value, await now());
  const [base, volPenalty, sizePenalty, effective] = await f.riskEngine.thresholdBreakdown(vaultId);
  expect({ base, volPenalty, sizePenalty, effective }).to.deep.equal(expected);
  expect(await f.riskEngine.liquidationThreshold(vaultId)).to.equal(expected.effective);
  const health = model.health(value, expected.effective, debt);
  expect(await f.riskEngine.healthFactor(vaultId)).to.equal(health);
  expect(await f.riskEngine.isLiquidatable(vaultId)).to.equal(health < WAD);
  return { ...expected, value, debt, health };
}

/** The VaultEngine's limit for collateral worth `value`: V · min(maxLTV, borrowRatio), mirrored. */
export async function expectedMaxDebt(f: SluiceFixture, collateral: LocalCollateral, value: bigint): Promise<bigint> {
  const token = await collateral.token.getAddress();
  const sigma = await f.oracleHub.volatility(token);
  const ratio = model.borrowRatio(await readRisk(f.riskEngine, token), value, await now(), sigma);
  expect(await f.riskEngine.borrowRatio(token, value)).to.equal(ratio);
  return mulWadDown(value, min(collateral.spec.maxLTV, ratio));
}

/** Accrues `collateral`, pins the next block one second later and returns the rate it will use. */
export async function pinNextRate(f: SluiceFixture, collateral: string): Promise<bigint> {
  await f.vaultEngine.accrue(collateral);
  const [stored] = await f.vaultEngine.collateralState(collateral);
  const { stabilityFee } = await f.vaultEngine.collateralParams(collateral);
  await time.setNextBlockTimestamp((await now()) + 1n);
  return (stored * rpowDown(stabilityFee, 1n)) / RAY;
}

/** Debt a first borrow of `amount` records at `rate` (both roundings up, as the VaultEngine does). */
export const firstBorrowDebt = (amount: bigint, rate: bigint): bigint => debtUp(normalizedDebtUp(amount, rate), rate);

/** A fresh 18-decimal token with a configured and poked OracleHub feed at 100, not listed anywhere else. */
export async function newPricedToken(f: SluiceFixture): Promise<{ token: string; feed: MockAggregator }> {
  const token = await (await new MockERC20__factory(f.governor).deploy("Fresh", "FRSH", 18)).getAddress();
  const feed = await new MockAggregator__factory(f.governor).deploy(8, "FRSH / USD", toFeedAnswer(100n * WAD, 8));
  await f.oracleHub.addFeed(token, {
    source: await feed.getAddress(),
    heartbeat: ORACLE_DEFAULTS.heartbeat,
    minPrice: WAD / 10n,
    maxPrice: 100_000n * WAD,
    maxJump: ORACLE_DEFAULTS.maxJump,
    halfLife: ORACLE_DEFAULTS.halfLife,
  });
  await f.oracleHub.poke(token);
  return { token, feed };
}

export const freshParams = (overrides: Partial<RiskParams> = {}): RiskParams => ({ ...THIN.risk.params, ...overrides });
