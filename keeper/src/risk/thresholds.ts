// BigInt mirror of contracts/libraries/ThresholdMath.sol and of RiskEngine's views, plus the
// liquidation price the keeper indexes vaults by. Every function rounds exactly as the contract.
import { WAD, mulDivDown, mulDivUp, mulWadUp, sqrt } from "../math/fixedPoint";

const SECONDS_PER_HOUR = 3600n;

/** IRiskEngine.RiskParams. Ratios [wad], durations [seconds], depth [wad]. */
export interface RiskParams {
  minThreshold: bigint;
  borrowBuffer: bigint;
  confidence: bigint;
  horizon: bigint;
  minRampDuration: bigint;
  depth: bigint;
  maxSizePenalty: bigint;
  maxStepPerHour: bigint;
}

export interface BaseRamp {
  from: bigint;
  to: bigint;
  start: bigint;
  end: bigint;
}

export interface VolatilityState {
  penalty: bigint;
  target: bigint;
  checkpoint: bigint;
}

/** Everything the RiskEngine stores about one collateral type. */
export interface CollateralRisk {
  params: RiskParams;
  ramp: BaseRamp;
  volatility: VolatilityState;
}

export interface ThresholdBreakdown {
  base: bigint;
  volPenalty: bigint;
  sizePenalty: bigint;
  effective: bigint;
}

const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);

function sqrtUp(value: bigint): bigint {
  const root = sqrt(value);
  return root * root < value ? root + 1n : root;
}

export function volatilityPenaltyTarget(confidence: bigint, sigma: bigint, horizon: bigint): bigint {
  return mulWadUp(mulWadUp(confidence, sigma), sqrtUp(horizon * WAD * WAD));
}

export function slew(from: bigint, target: bigint, maxStepPerHour: bigint, elapsed: bigint): bigint {
  const maxMove = mulDivDown(maxStepPerHour, elapsed, SECONDS_PER_HOUR);
  if (target > from) return target - from > maxMove ? from + maxMove : target;
  return from - target > maxMove ? from - maxMove : target;
}

export function sizePenalty(value: bigint, depth: bigint, maxSizePenalty: bigint): bigint {
  if (value === 0n) return 0n;
  return min(maxSizePenalty, mulDivUp(value, WAD, value + depth));
}

export function threshold(base: bigint, minThreshold: bigint, volPenalty: bigint, size: bigint): bigint {
  const penalties = volPenalty + size;
  if (penalties >= base) return minThreshold;
  return max(base - penalties, minThreshold);
}

export function health(value: bigint, liquidationThreshold: bigint, debt: bigint): bigint {
  if (debt === 0n) return 2n ** 256n - 1n;
  return mulDivDown(value, liquidationThreshold, debt);
}

export function rampedBase(from: bigint, to: bigint, start: bigint, end: bigint, at: bigint): bigint {
  if (at >= end) return to;
  if (at <= start) return from;
  const progress = at - start;
  const duration = end - start;
  if (to < from) return from - mulDivUp(from - to, progress, duration);
  return from + mulDivDown(to - from, progress, duration);
}

export const liquidationBase = (ramp: BaseRamp, now: bigint): bigint =>
  rampedBase(ramp.from, ramp.to, ramp.start, ramp.end, now);

export const borrowBase = (ramp: BaseRamp, now: bigint): bigint =>
  now >= ramp.end ? ramp.to : min(ramp.from, ramp.to);

export function appliedPenalty(risk: CollateralRisk, now: bigint): bigint {
  const { penalty, target, checkpoint } = risk.volatility;
  return slew(penalty, target, risk.params.maxStepPerHour, now - checkpoint);
}

export function thresholdBreakdown(risk: CollateralRisk, value: bigint, now: bigint): ThresholdBreakdown {
  const base = liquidationBase(risk.ramp, now);
  const volPenalty = appliedPenalty(risk, now);
  const size = sizePenalty(value, risk.params.depth, risk.params.maxSizePenalty);
  return {
    base,
    volPenalty,
    sizePenalty: size,
    effective: threshold(base, risk.params.minThreshold, volPenalty, size),
  };
}

export function healthFactor(risk: CollateralRisk, value: bigint, debt: bigint, now: bigint): bigint {
  return health(value, thresholdBreakdown(risk, value, now).effective, debt);
}

/** `min(k · σ · √H, 1)`: the target the RiskEngine aims the penalty at for the oracle's σ [wad per √second]. */
export function volatilityTarget(params: RiskParams, sigma: bigint): bigint {
  return min(volatilityPenaltyTarget(params.confidence, sigma, params.horizon), WAD);
}

/** RiskEngine.borrowVolatilityPenalty: the largest of the applied penalty, its stored target and the live target. */
export function borrowVolatilityPenalty(risk: CollateralRisk, now: bigint, sigma: bigint): bigint {
  return max(max(appliedPenalty(risk, now), risk.volatility.target), volatilityTarget(risk.params, sigma));
}

/** RiskEngine.borrowRatio; `sigma` is `OracleHub.volatility(collateral)` [wad per √second] now. */
export function borrowRatio(risk: CollateralRisk, value: bigint, now: bigint, sigma: bigint): bigint {
  const lt = threshold(
    borrowBase(risk.ramp, now),
    risk.params.minThreshold,
    borrowVolatilityPenalty(risk, now, sigma),
    sizePenalty(value, risk.params.depth, risk.params.maxSizePenalty),
  );
  return lt > risk.params.borrowBuffer ? lt - risk.params.borrowBuffer : 0n;
}

/** A vault as the keeper sees it. */
export interface VaultPosition {
  collateralAmount: bigint; // token units
  decimals: number;
  debt: bigint; // [wad]
}

const toNumber = (wad: bigint): number => Number(wad) / 1e18;

/** Relative overlap of the pieces' ranges in `liquidationValue`. */
const EDGE = 1e-12;

/**
 * The collateral value V [in stablecoin, as a float] at which `V · LT(V) = debt`, where
 * `LT(V) = max(c − min(m, V/(V+D)), LTmin)` and `c = base − volPenalty`. Because LT falls as V
 * grows, `V · LT(V)` is not linear in V, and where the size penalty is steep it need not even be
 * monotone. The largest root is the one a falling price meets first, so all pieces are solved in
 * closed form and the largest valid root wins:
 *   capped size penalty (V ≥ mD/(1−m)):  V = debt / max(c − m, LTmin)
 *   uncapped, above the floor:           (c − 1)V² + (cD − debt)V − debt·D = 0
 *   uncapped, at the floor LTmin:        V = debt / LTmin
 */
export function liquidationValue(risk: CollateralRisk, debt: bigint, now: bigint): number {
  if (debt === 0n) return 0;
  const d = toNumber(debt);
  const c = toNumber(liquidationBase(risk.ramp, now) - appliedPenalty(risk, now));
  const floor = toNumber(risk.params.minThreshold);
  const m = toNumber(risk.params.maxSizePenalty);
  const depth = toNumber(risk.params.depth);
  const capStart = m >= 1 ? Infinity : (m * depth) / (1 - m);
  const uncappedThreshold = (value: number): number => c - value / (value + depth);

  // Each piece owns a range of V; at the seam between two pieces floating-point error can push the
  // root a hair outside both, so the ranges overlap by a relative EDGE (far below any price tick).
  const roots: number[] = [];
  const capped = d / Math.max(c - m, floor);
  if (capped >= capStart * (1 - EDGE)) roots.push(capped);
  const atFloor = d / floor;
  if (atFloor <= capStart * (1 + EDGE) && uncappedThreshold(atFloor) <= floor + EDGE) roots.push(atFloor);
  // (c − 1)V² + (cD − debt)V − debt·D = 0, solved in the cancellation-free form.
  const a = c - 1;
  const b = c * depth - d;
  const constant = -d * depth;
  const discriminant = b * b - 4 * a * constant;
  if (discriminant >= 0 && a !== 0) {
    const q = -(b + Math.sign(b || 1) * Math.sqrt(discriminant)) / 2;
    for (const value of [q / a, q === 0 ? NaN : constant / q]) {
      if (value >= 0 && value <= capStart * (1 + EDGE) && uncappedThreshold(value) >= floor - EDGE) {
        roots.push(value);
      }
    }
  }
  // V · LT(V) runs from 0 to infinity, so a root always exists; none found is a bug, said loudly.
  if (roots.length === 0) throw new Error(`no liquidation value found for debt ${debt}`);
  return Math.max(...roots);
}

/** The oracle price [wad] at which the vault's health is exactly 1 (see `liquidationValue`). */
export function liquidationPrice(risk: CollateralRisk, vault: VaultPosition, now: bigint): bigint {
  const units = Number(vault.collateralAmount) / 10 ** vault.decimals;
  if (units === 0) return vault.debt === 0n ? 0n : 2n ** 256n - 1n;
  return BigInt(Math.round((liquidationValue(risk, vault.debt, now) / units) * 1e18));
}
