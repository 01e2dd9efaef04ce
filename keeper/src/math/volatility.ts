// BigInt mirror of contracts/libraries/VolatilityMath.sol (the OracleHub's EWMA estimator).
import { WAD, halfLifeDecayWad, mulDivDown, sqrt } from "./fixedPoint";

/** Variance rate [wad per second] after a move from `previousPrice` to `price` over `elapsed` seconds. */
export function updateVariance(
  variance: bigint,
  previousPrice: bigint,
  price: bigint,
  elapsed: bigint,
  halfLife: bigint,
): bigint {
  const move = price > previousPrice ? price - previousPrice : previousPrice - price;
  const simpleReturn = mulDivDown(move, WAD, previousPrice);
  const sample = mulDivDown(simpleReturn, simpleReturn, WAD * elapsed);
  const keep = halfLifeDecayWad(elapsed, halfLife);
  return (variance * keep + sample * (WAD - keep)) / WAD;
}

/** σ [wad per √second] from a variance rate [wad per second]. */
export function volatility(variance: bigint): bigint {
  return sqrt(variance * WAD);
}
