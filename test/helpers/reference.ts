// Independent references for the tests: exact-ish math at a precision far beyond the contracts',
// so the contracts' rounding can be bounded rather than mirrored, and the price curves written from
// their definitions (the keeper does not mirror curves: it asks DutchAuction.auctionPriceAt).
import { RAY, WAD, mulDivUp, rpowDown } from "../../keeper/src/math/fixedPoint";

/** Fixed-point scale of the reference: 60 decimals, 33 more than RAY. */
export const HIGH = 10n ** 60n;

/** `base^exponent` at 60 decimals for a RAY `base`; error ≲ log2(exponent) units of 1e-60. */
export function powHigh(baseRay: bigint, exponent: bigint): bigint {
  let x = (baseRay * HIGH) / RAY;
  let z = HIGH;
  for (let n = exponent; n > 0n; n /= 2n) {
    if (n % 2n === 1n) z = (z * x) / HIGH;
    x = (x * x) / HIGH;
  }
  return z;
}

/** Linear curve: `ceil(start·(d − t)/d)` before `d`, zero from `d` on. */
export function linearPrice(startPrice: bigint, elapsed: bigint, duration: bigint): bigint {
  if (elapsed >= duration) return 0n;
  return mulDivUp(startPrice, duration - elapsed, duration);
}

/** Stair-step curve: `ceil(start·cut^⌊t/step⌋)`, the power taken in ray and rounded down. */
export function stairstepPrice(startPrice: bigint, elapsed: bigint, step: bigint, cut: bigint): bigint {
  return mulDivUp(startPrice, rpowDown(cut * (RAY / WAD), elapsed / step), RAY);
}
