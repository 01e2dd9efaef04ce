// BigInt mirror of contracts/libraries/ThresholdMath.sol and of RiskEngine's views, plus the
// liquidation price the keeper indexes vaults by. Every function rounds exactly as the contract, in
// integers only. `liquidationPrice` is exact too: the highest oracle price [wad] at which the
// contract, with its roundings (collateral valued down, size penalty up, health down), finds the
// vault liquidatable; one wei above it, and at every higher price, it does not. The index therefore
// rounds toward liquidation: it never holds a vault above a price at which the chain liquidates it.
// (One degenerate vault, its debt within a few wei of a flat top of V · LT(V) at the size penalty's
// cap, gets an upper bound instead: see SEARCH_BUDGET.)
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

const UINT256_MAX = 2n ** 256n - 1n;

/**
 * Ranges `lastLiquidatableIn` examines (≈ 3 µs each) before it settles for an upper bound. The
 * vaults of the tests and of `npm run bench:keeper` need at most 15. More are needed only where
 * `V · LT(V)` crosses the debt almost flat, so that rounding leaves millions of pieces undecided: a
 * cap within ~1e-12 of the penalty at which the curve peaks and a debt within a few wei of that peak
 * (test/risk/RiskEngine.property.test.ts builds one). Such a vault gets a price at which it may be
 * safe, with every price above it proven safe.
 */
const SEARCH_BUDGET = 4_096;

/**
 * What decides a vault's health as a function of the oracle price P [wad], as the contract rounds
 * it: value `v = ⌊A·P / 1e18⌋` (FixedPointMath.valueDown), `LT(v) = ThresholdMath.threshold(base,
 * floor, volPenalty, ⌈v·1e18 / (v + D)⌉ capped at m)`, and health `⌊v·LT / debt⌋ < 1e18` exactly when
 * `v · LT(v) < debt · 1e18`, the `target`.
 */
interface HealthCurve {
  amount: bigint; // A [wad of collateral]
  target: bigint; // debt · 1e18 [wad²]
  base: bigint; // [wad]
  volPenalty: bigint; // [wad]
  baseLessVolatility: bigint; // base − volPenalty [wad]; may be negative
  floor: bigint; // [wad]
  depth: bigint; // [wad]
  cap: bigint; // [wad]
}

/** The value [wad] the contract gives the collateral at `price`. */
const valueAt = (curve: HealthCurve, price: bigint): bigint => (curve.amount * price) / WAD;

/** The lowest price at which the collateral is worth at least `value`. */
const firstPriceWorth = (curve: HealthCurve, value: bigint): bigint => mulDivUp(value, WAD, curve.amount);

/** The highest price at which the collateral is worth less than `value` (≥ 1). */
const lastPriceBelow = (curve: HealthCurve, value: bigint): bigint => (value * WAD - 1n) / curve.amount;

const thresholdAt = (curve: HealthCurve, value: bigint): bigint =>
  threshold(curve.base, curve.floor, curve.volPenalty, sizePenalty(value, curve.depth, curve.cap));

const liquidatableAt = (curve: HealthCurve, price: bigint): boolean => {
  const value = valueAt(curve, price);
  return value * thresholdAt(curve, value) < curve.target;
};

/**
 * The lowest value [wad] whose size penalty before the cap is at least `penalty` (≥ 1):
 * ⌈v·1e18 / (v + D)⌉ ≥ p ⟺ v·1e18 > (p − 1)·(v + D) ⟺ v > (p − 1)·D / (1e18 − p + 1).
 */
const firstValuePenalised = (curve: HealthCurve, penalty: bigint): bigint =>
  ((penalty - 1n) * curve.depth) / (WAD - penalty + 1n) + 1n;

/**
 * The highest liquidatable price from `low` up, or −1 if `low` is safe, where LT is one constant
 * `lt` from `low` to the top of the range being examined (beyond the kink: for good) and every price
 * above that range is safe.
 * There `v · lt` grows with the price, so the liquidatable prices are those with
 * `v ≤ ⌊(target − 1) / lt⌋`. The answer cannot overshoot the range: at the first price above it LT
 * is at most `lt` and the value no smaller, so it would be liquidatable too.
 */
function lastLiquidatableOnFlat(curve: HealthCurve, low: bigint, lt: bigint): bigint {
  if (valueAt(curve, low) * lt >= curve.target) return -1n;
  return lastPriceBelow(curve, (curve.target - 1n) / lt + 1n);
}

/**
 * True if the vault is safe at `price`, proven from `λ(v) = v·(c − 1) − v²·1e18/(v + D)` ≥ target,
 * where c = base − volPenalty: below the kink (no cap, no floor) LT = c − ⌈v·1e18/(v + D)⌉ exceeds
 * c − 1 − v·1e18/(v + D), so `v · LT > λ(v)`. λ is concave in v, so a range of prices whose two ends
 * pass this test is safe throughout.
 */
function surelySafeAt(curve: HealthCurve, price: bigint): boolean {
  const value = valueAt(curve, price);
  const total = value + curve.depth;
  return value * ((curve.baseLessVolatility - 1n) * total - value * WAD) >= curve.target * total;
}

/**
 * The highest liquidatable price in [low, high], all of it below the kink (see `liquidationPrice`),
 * if the vault is safe at every price above `high`. Right to left: a range `surelySafeAt` both ends
 * is skipped whole; else the piece of constant size penalty holding its top is solved exactly
 * (`lastLiquidatableOnFlat`) and the rest of it halved, the upper half examined first. Past
 * SEARCH_BUDGET ranges it returns the top of the range it is on: no lower than the answer, and
 * every price above it proven safe.
 */
function lastLiquidatableIn(curve: HealthCurve, low: bigint, high: bigint): bigint {
  const ranges: [bigint, bigint][] = [[low, high]];
  for (let examined = 0; ranges.length > 0; examined++) {
    const [from, to] = ranges.pop()!;
    if (examined === SEARCH_BUDGET) return to;
    if (from > to || (surelySafeAt(curve, from) && surelySafeAt(curve, to))) continue;
    const value = valueAt(curve, to);
    const penalty = sizePenalty(value, curve.depth, curve.cap);
    const pieceStart = penalty === 0n ? 0n : firstPriceWorth(curve, firstValuePenalised(curve, penalty));
    const flatFrom = pieceStart > from ? pieceStart : from;
    const found = lastLiquidatableOnFlat(curve, flatFrom, thresholdAt(curve, value));
    if (found >= 0n) return found;
    if (flatFrom > from) {
      const middle = (from + flatFrom - 1n) / 2n;
      ranges.push([from, middle], [middle + 1n, flatFrom - 1n]);
    }
  }
  throw new Error(`no liquidatable price in [${low}, ${high}]`);
}

/**
 * The smaller root of λ(v) = target (see `surelySafeAt`), as a price: `(1e18 − c + 1)·v² −
 * ((c − 1)·D − target)·v + target·D = 0`, in the cancellation-free form. Undefined without a
 * positive root.
 */
function risingRootPrice(curve: HealthCurve): bigint | undefined {
  const { target, depth } = curve;
  const quadratic = WAD - curve.baseLessVolatility + 1n;
  const linear = (curve.baseLessVolatility - 1n) * depth - target;
  if (linear <= 0n) return undefined;
  const discriminant = linear * linear - 4n * quadratic * target * depth;
  if (discriminant < 0n) return undefined;
  return mulDivDown((2n * target * depth) / (linear + sqrt(discriminant)), WAD, curve.amount);
}

/** The highest liquidatable price in [0, top], every price of it below the kink, every price above `top` safe. */
function lastLiquidatableBelowKink(curve: HealthCurve, top: bigint): bigint {
  // Safe at the kink: the answer is where V · LT(V) first climbs through the debt, near the
  // closed-form root. Bracket it between a liquidatable price and a price from which on every price
  // to the kink is proven safe, widening the bracket if rounding puts the root outside it.
  if (surelySafeAt(curve, top)) {
    const estimate = risingRootPrice(curve);
    if (estimate !== undefined) {
      let margin = (estimate >> 56n) + WAD / curve.amount + 2n;
      for (let attempt = 0; attempt < 4; attempt++, margin *= 16n) {
        const above = estimate + margin < top ? estimate + margin : top;
        const below = estimate > margin ? estimate - margin : 0n;
        if (surelySafeAt(curve, above) && liquidatableAt(curve, below)) return lastLiquidatableIn(curve, below, above);
      }
    }
  }
  return lastLiquidatableIn(curve, 0n, top);
}

/**
 * The vault's liquidation price [wad]: the highest oracle price at which the RiskEngine finds it
 * liquidatable, with the contract's roundings (collateral valued down, size penalty rounded up,
 * threshold clamped, health `⌊V·LT/debt⌋ < 1e18`). Exact to the wei (but for SEARCH_BUDGET's case), so:
 *  - at this price `isLiquidatable` is true, and at every higher price it is false;
 *  - at lower prices it is true too, except where health rises as the price falls. The size penalty
 *    makes `V · LT(V)` fall as V grows wherever it climbs faster than V, so a vault whose debt lies
 *    between that curve's peak and trough is safe on a band of prices below this one (the falling
 *    price meets this one first); and every wei the rounded-up penalty steps up lowers `V · LT` a
 *    little, so a few wei below this price, inside the rounding, can be safe as well.
 * 0 for a vault without debt (no oracle price is 0: no price liquidates it); the largest uint256 for
 * debt without collateral (every price does).
 *
 * How: LT is one constant from the kink on, the value where the size penalty reaches its cap or the
 * threshold its floor; there the answer is a division. Below the kink LT steps down by a wei at a
 * time; the closed-form root of the smooth curve (`risingRootPrice`, an integer square root) brackets
 * the answer, and `lastLiquidatableIn` finds it exactly among the few pieces of constant penalty
 * inside the bracket.
 */
export function liquidationPrice(risk: CollateralRisk, vault: VaultPosition, now: bigint): bigint {
  if (vault.debt === 0n) return 0n;
  const amount = vault.collateralAmount * 10n ** BigInt(18 - vault.decimals);
  if (amount === 0n) return UINT256_MAX;
  const base = liquidationBase(risk.ramp, now);
  const volPenalty = appliedPenalty(risk, now);
  const { minThreshold: floor, depth, maxSizePenalty: cap } = risk.params;
  const curve: HealthCurve = {
    amount,
    target: vault.debt * WAD,
    base,
    volPenalty,
    baseLessVolatility: base - volPenalty,
    floor,
    depth,
    cap,
  };
  // The size penalty at which LT stops falling: the cap, or where c − penalty meets the floor.
  const kinkPenalty = min(cap, curve.baseLessVolatility - floor);
  const kink = kinkPenalty > 0n ? firstPriceWorth(curve, firstValuePenalised(curve, kinkPenalty)) : 0n;
  const beyond = lastLiquidatableOnFlat(curve, kink, thresholdAt(curve, valueAt(curve, kink)));
  if (beyond >= 0n) return beyond;
  return lastLiquidatableBelowKink(curve, kink - 1n);
}
