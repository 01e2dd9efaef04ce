// The RiskEngine property tests' shared ground: the engine's parameter bounds, the arbitraries of
// parameters and ramps, and the chain moves (parameters, ramps, vaults, borrows, price moves) the
// properties drive.
import fc from "fast-check";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { WAD } from "../../keeper/src/math/fixedPoint";
import { toFeedAnswer, type LocalCollateral } from "../../scripts/lib/deploy";
import type { RiskEngine } from "../../typechain-types";
import type { SluiceFixture } from "./fixtures";

export const HOUR = 3_600n;
export const DAY = 86_400n;
/** OracleHub's longest heartbeat: prices stay usable across the long time jumps of these tests. */
export const MAX_HEARTBEAT = 7n * DAY;
export const UINT256_MAX = 2n ** 256n - 1n;
export const UINT128_MAX = 2n ** 128n - 1n;

/** RiskEngine's parameter bounds (contracts/risk/RiskEngine.sol). */
export const LIMITS = {
  maxBaseThreshold: (98n * WAD) / 100n,
  minMinThreshold: WAD / 10n,
  maxBorrowBuffer: (3n * WAD) / 10n,
  maxConfidence: 10n * WAD,
  minHorizon: 60n,
  maxHorizon: 7n * DAY,
  minRampDuration: HOUR,
  minDepth: WAD,
  maxDepth: 10n ** 36n,
  maxSizePenalty: WAD / 2n,
  minStepPerHour: WAD / 10_000n,
  maxStepPerHour: WAD / 2n,
} as const;

export type ValueOf<A> = A extends fc.Arbitrary<infer T> ? T : never;

export const MILLION = 1_000_000n;
/** A share of an interval, at 1e-6 resolution. */
export const shareArb = fc.bigInt({ min: 0n, max: MILLION });
export const within = (low: bigint, high: bigint, share: bigint): bigint => low + ((high - low) * share) / MILLION;

/** A value in [low, high], with both ends drawn often: the bounds are where clamps bite. */
export const rangeArb = (low: bigint, high: bigint): fc.Arbitrary<bigint> =>
  fc.oneof(
    { weight: 1, arbitrary: fc.constantFrom(low, high) },
    { weight: 4, arbitrary: shareArb.map((share) => within(low, high, share)) },
  );

/** 10^e with e uniform in [minExponent, maxExponent]: every magnitude equally likely. */
export const logUniformArb = (minExponent: number, maxExponent: number): fc.Arbitrary<bigint> =>
  fc
    .integer({ min: minExponent * 1_000, max: maxExponent * 1_000 })
    .map((milli) => BigInt(Math.round(10 ** (milli / 1_000))));

/** The RiskParams that have no ordering constraint with the base threshold. */
export const freeParamsArb = fc.record({
  borrowBuffer: rangeArb(0n, LIMITS.maxBorrowBuffer),
  confidence: rangeArb(0n, LIMITS.maxConfidence),
  horizon: rangeArb(LIMITS.minHorizon, LIMITS.maxHorizon),
  depth: fc.oneof(fc.constantFrom(LIMITS.minDepth, LIMITS.maxDepth), logUniformArb(18, 36)),
  maxSizePenalty: rangeArb(0n, LIMITS.maxSizePenalty),
  maxStepPerHour: rangeArb(LIMITS.minStepPerHour, LIMITS.maxStepPerHour),
});
export type FreeParams = ValueOf<typeof freeParamsArb>;

/** A governance change of the base: target share of [minThreshold, max], duration in ‰ of the minimum. */
export const rampArb = fc.record({
  toShare: shareArb,
  durationPermille: fc.integer({ min: 1_000, max: 3_000 }),
});
export type RampChange = ValueOf<typeof rampArb>;

export async function setFreeParams(riskEngine: RiskEngine, token: string, params: FreeParams): Promise<void> {
  await riskEngine.setBorrowBuffer(token, params.borrowBuffer);
  await riskEngine.setConfidence(token, params.confidence);
  await riskEngine.setHorizon(token, params.horizon);
  await riskEngine.setDepth(token, params.depth);
  await riskEngine.setMaxSizePenalty(token, params.maxSizePenalty);
  await riskEngine.setMaxStepPerHour(token, params.maxStepPerHour);
}

/** Starts a ramp of the base to a share of [minThreshold, max] over a multiple of minRampDuration. */
export async function startRamp(riskEngine: RiskEngine, token: string, change: RampChange): Promise<void> {
  const params = await riskEngine.riskParams(token);
  const to = within(params.minThreshold, LIMITS.maxBaseThreshold, change.toShare);
  const duration = (params.minRampDuration * BigInt(change.durationPermille)) / 1_000n;
  await riskEngine.setBaseThreshold(token, to, duration);
}

/** Opens a vault for `user` holding `amount` of `collateral`; returns its id. */
export async function openVault(
  f: SluiceFixture,
  user: HardhatEthersSigner,
  collateral: LocalCollateral,
  amount: bigint,
): Promise<bigint> {
  const engine = f.vaultEngine.connect(user);
  await collateral.token.mint(user.address, amount);
  await collateral.token.connect(user).approve(await engine.getAddress(), amount);
  await engine.openVault(await collateral.token.getAddress());
  const vaultId = await engine.vaultCount();
  await engine.deposit(vaultId, amount);
  return vaultId;
}

/**
 * Borrows `permille` ‰ of the vault's headroom, or `amount` if given, provided it is at least the
 * dust. Returns false when the engine refuses with VaultUnsafe: the limit is read a block before
 * the borrow executes, and a slewing penalty may lower it in between. Any other error fails.
 */
export async function borrowShare(
  f: SluiceFixture,
  user: HardhatEthersSigner,
  vaultId: bigint,
  permille: number,
  amount?: bigint,
): Promise<boolean> {
  const engine = f.vaultEngine.connect(user);
  const [collateral] = await engine.position(vaultId);
  const { dust } = await engine.collateralParams(collateral);
  const headroom = (await engine.maxDebt(vaultId)) - (await engine.debtOf(vaultId));
  const borrowed = amount ?? (headroom * BigInt(permille)) / 1_000n;
  if (borrowed < dust || borrowed === 0n) return false;
  try {
    await (await engine.borrow(vaultId, borrowed, user.address)).wait();
    return true;
  } catch (error) {
    const data = (error as { data?: string }).data;
    if (data && engine.interface.parseError(data)?.name === "VaultUnsafe") return false;
    throw error;
  }
}

/**
 * `collateral`'s feed answer moved by `movePermille` ‰, turned around rather than leaving [1/20, 20]×
 * its listing price (inside the hub's bounds).
 */
export async function nextAnswer(collateral: LocalCollateral, movePermille: number): Promise<bigint> {
  const listed = toFeedAnswer(collateral.spec.price, collateral.spec.feedDecimals);
  const [, answer] = await collateral.feed.latestRoundData();
  const next = (answer * BigInt(1_000 + movePermille)) / 1_000n;
  return next < listed / 20n || next > listed * 20n ? (answer * BigInt(1_000 - movePermille)) / 1_000n : next;
}

/** Publishes a moved price through the RiskEngine (which also syncs the volatility penalty) or the OracleHub alone. */
export async function movePrice(
  f: SluiceFixture,
  collateral: LocalCollateral,
  movePermille: number,
  throughRiskEngine: boolean,
): Promise<void> {
  await collateral.feed.setAnswer(await nextAnswer(collateral, movePermille));
  const token = await collateral.token.getAddress();
  await (throughRiskEngine ? f.riskEngine.poke(token) : f.oracleHub.poke(token));
}

/** Serialises bigints for assertion messages. */
export const show = (value: unknown): string =>
  JSON.stringify(value, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v));

/**
 * `|move| ≤ ⌈rate · elapsed / period⌉`: the real-valued speed limit rounded up to a whole wei. Each
 * reading rounds its own progress (floor of the slew step, ceil/floor of the ramp), so two readings
 * may differ by the fractional part of the limit more than the limit itself, never by more.
 */
export function withinSpeedLimit(move: bigint, rate: bigint, elapsed: bigint, period: bigint): boolean {
  const size = move < 0n ? -move : move;
  return size * period <= rate * elapsed + period - 1n;
}
