import hre from "hardhat";

/** True while `npm run coverage` runs the suite on instrumented (several times slower) contracts. */
export const underCoverage =
  (hre as unknown as { __SOLIDITY_COVERAGE_RUNNING?: boolean }).__SOLIDITY_COVERAGE_RUNNING === true;

/** Property-test run counts: the full count normally, a fifth under coverage (which measures lines, not luck). */
export function propertyRuns(full: number): number {
  return underCoverage ? Math.max(3, Math.ceil(full / 5)) : full;
}
