// BigInt mirror of contracts/libraries/FixedPointMath.sol. Every function rounds exactly as its
// Solidity twin, so the keeper's numbers equal the chain's to the wei.

export const WAD = 10n ** 18n;
export const RAY = 10n ** 27n;
export const SECONDS_PER_YEAR = 365n * 24n * 3600n;

const LN2_WAD = 693147180559945309n;

export function mulDivDown(x: bigint, y: bigint, denominator: bigint): bigint {
  return (x * y) / denominator;
}

export function mulDivUp(x: bigint, y: bigint, denominator: bigint): bigint {
  const product = x * y;
  return product === 0n ? 0n : (product - 1n) / denominator + 1n;
}

export const mulWadDown = (x: bigint, y: bigint): bigint => mulDivDown(x, y, WAD);
export const mulWadUp = (x: bigint, y: bigint): bigint => mulDivUp(x, y, WAD);
export const divWadDown = (x: bigint, y: bigint): bigint => mulDivDown(x, WAD, y);
export const divWadUp = (x: bigint, y: bigint): bigint => mulDivUp(x, WAD, y);

const POW_SCALE = 10n ** 36n;
const RAY_TO_POW = 10n ** 9n;

const UINT256_MAX = 2n ** 256n - 1n;

/** Throws where the contract would revert on overflow, so the mirror never answers what the chain cannot. */
function checked(value: bigint): bigint {
  if (value > UINT256_MAX) throw new RangeError("uint256 overflow (the contract reverts here)");
  return value;
}

/** `x^n` for a RAY `x`, rounded down; powers taken at 36 decimals (FixedPointMath.rpowDown). */
export function rpowDown(x: bigint, n: bigint): bigint {
  let base = checked(x * RAY_TO_POW);
  let z = n % 2n === 1n ? base : POW_SCALE;
  for (n /= 2n; n !== 0n; n /= 2n) {
    base = checked((base * base) / POW_SCALE);
    if (n % 2n === 1n) z = checked((z * base) / POW_SCALE);
  }
  return z / RAY_TO_POW;
}

/** `2^(-elapsed / halfLife)` [wad] (FixedPointMath.halfLifeDecayWad). */
export function halfLifeDecayWad(elapsed: bigint, halfLife: bigint): bigint {
  const halvings = elapsed / halfLife;
  if (halvings >= 60n) return 0n;
  const y = ((elapsed % halfLife) * LN2_WAD) / halfLife;
  let sum = WAD;
  let term = WAD;
  for (let i = 1n; term !== 0n; i++) {
    term = (term * y) / (WAD * i);
    sum = i % 2n === 1n ? sum - term : sum + term;
  }
  return sum >> halvings;
}

/** Integer square root, rounding down (OpenZeppelin Math.sqrt). */
export function sqrt(value: bigint): bigint {
  if (value < 0n) throw new RangeError("square root of a negative number");
  if (value < 2n) return value;
  // Newton's steps from any start at or above the root fall to its floor. value < 16^digits, so
  // 2^(2·digits) is such a start, within a factor 16 of the root: a few steps, not one per bit.
  let x = 1n << BigInt(2 * value.toString(16).length);
  let y = (x + value / x) / 2n;
  while (y < x) {
    x = y;
    y = (x + value / x) / 2n;
  }
  return x;
}

/**
 * The per-second fee factor [ray] that compounds to `1 + annualRate` over a 365-day year,
 * rounded down: the largest `f` with `rpowDown(f, year) ≤ (1 + annualRate)·RAY`.
 * @param annualRate yearly rate [wad], e.g. 0.02e18 for 2%.
 */
export function perSecondRate(annualRate: bigint): bigint {
  if (annualRate < 0n || annualRate > 100n * WAD) throw new RangeError("annual rate must lie in [0, 10,000%]");
  const target = RAY + (annualRate * RAY) / WAD;
  let low = RAY;
  let high = RAY + RAY / 10n ** 6n; // ≥ e^31 a year: far above any sane fee
  while (low < high) {
    const mid = (low + high + 1n) / 2n;
    if (rpowDown(mid, SECONDS_PER_YEAR) <= target) low = mid;
    else high = mid - 1n;
  }
  return low;
}

/** Value [wad] of `amount` token units (a token with `decimals` ≤ 18) at `price` [wad], rounded down. */
export function valueDown(amount: bigint, decimals: number, price: bigint): bigint {
  return mulWadDown(amount * 10n ** BigInt(18 - decimals), price);
}

/** Value [wad] of `amount` token units at `price` [wad], rounded up. */
export function valueUp(amount: bigint, decimals: number, price: bigint): bigint {
  return mulWadUp(amount * 10n ** BigInt(18 - decimals), price);
}

/** Token units worth `value` [wad] at `price` [wad], rounded down. */
export function amountDown(value: bigint, decimals: number, price: bigint): bigint {
  return divWadDown(value, price) / 10n ** BigInt(18 - decimals);
}

/** Token units worth `value` [wad] at `price` [wad], rounded up. */
export function amountUp(value: bigint, decimals: number, price: bigint): bigint {
  return mulDivUp(divWadUp(value, price), 1n, 10n ** BigInt(18 - decimals));
}
