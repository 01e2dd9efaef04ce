// Independent references for the tests: exact-ish math at a precision far beyond the contracts',
// so the contracts' rounding can be bounded rather than mirrored.
import { RAY } from "../../keeper/src/math/fixedPoint";

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
