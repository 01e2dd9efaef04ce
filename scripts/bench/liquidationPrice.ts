// Times the keeper's liquidation price (keeper/src/risk/thresholds.ts) on 10,000 vaults, as the
// keeper's index computes it at start-up, and checks every answer against the mirror's health.
// Prints microseconds per vault; not a timed test, and not written to docs/BENCHMARKS.md.
//   npm run bench:keeper
import { WAD, mulWadDown } from "../../keeper/src/math/fixedPoint";
import {
  healthFactor,
  liquidationPrice,
  thresholdBreakdown,
  type CollateralRisk,
  type VaultPosition,
} from "../../keeper/src/risk/thresholds";
import { LOCAL_COLLATERALS } from "../lib/deploy";

const VAULTS = 10_000;
const NOW = 1_000_000n;

/** A seeded xorshift32 stream in [0, 1): the same vaults on every run. */
function uniformStream(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

const toWad = (x: number): bigint => BigInt(Math.round(x * 1e6)) * 10n ** 12n;
/** 10^(low + (high − low)·u) as a bigint, for magnitudes beyond a double's integer range. */
const logUniform = (u: number, low: number, high: number): bigint => {
  const exponent = low + (high - low) * u;
  const whole = Math.floor(exponent);
  return (BigInt(Math.round(10 ** (exponent - whole) * 1e6)) * 10n ** BigInt(whole)) / 1_000_000n;
};

interface Case {
  risk: CollateralRisk;
  vault: VaultPosition;
}

function flatRisk(base: bigint, params: CollateralRisk["params"], penalty: bigint): CollateralRisk {
  return {
    params,
    ramp: { from: base, to: base, start: 0n, end: 0n },
    volatility: { penalty, target: penalty, checkpoint: NOW },
  };
}

/** The local collaterals (WETH, WBTC) at their listing prices, 0.01 to 100,000 tokens, 30–95% of the way to liquidation. */
function localCases(next: () => number): Case[] {
  return Array.from({ length: VAULTS }, () => {
    const spec = LOCAL_COLLATERALS[Math.floor(next() * LOCAL_COLLATERALS.length)];
    const risk = flatRisk(spec.risk.baseThreshold, spec.risk.params, toWad(0.01 + 0.04 * next()));
    const collateralAmount = logUniform(next(), spec.decimals - 2, spec.decimals + 5);
    const value = mulWadDown(collateralAmount * 10n ** BigInt(18 - spec.decimals), spec.price);
    const carried = mulWadDown(value, thresholdBreakdown(risk, value, NOW).effective);
    const debt = (carried * toWad(0.3 + 0.65 * next())) / WAD + 1n;
    return { risk, vault: { collateralAmount, decimals: spec.decimals, debt } };
  });
}

/** Parameters anywhere within the RiskEngine's bounds; 6, 8, 18 decimals; vaults from 1e-9× to 1,000× the depth. */
function randomCases(next: () => number): Case[] {
  return Array.from({ length: VAULTS }, () => {
    const base = toWad(0.3 + 0.68 * next());
    const params = {
      minThreshold: toWad(0.1) + ((base - toWad(0.1)) * toWad(next())) / WAD,
      borrowBuffer: 0n,
      confidence: 0n,
      horizon: 60n,
      minRampDuration: 3_600n,
      depth: logUniform(next(), 18, 36),
      maxSizePenalty: toWad(0.5 * next()),
      maxStepPerHour: toWad(0.01),
    };
    const risk = flatRisk(base, params, toWad(0.2 * next()));
    const decimals = [6, 8, 18][Math.floor(next() * 3)];
    const price = logUniform(next(), 14, 26);
    const value = (params.depth * logUniform(next(), 9, 21)) / 10n ** 18n;
    const collateralAmount = (value * 10n ** BigInt(decimals)) / price + 1n;
    const atPrice = mulWadDown(collateralAmount * 10n ** BigInt(18 - decimals), price);
    const carried = mulWadDown(atPrice, thresholdBreakdown(risk, atPrice, NOW).effective);
    const debt = (carried * toWad(3 * next())) / WAD + 1n;
    return { risk, vault: { collateralAmount, decimals, debt } };
  });
}

/** Mean and 99th-percentile time per vault [µs], and how many answers the health check rejects. */
function measure(cases: Case[]): { mean: number; p99: number; wrong: number } {
  for (const { risk, vault } of cases) liquidationPrice(risk, vault, NOW); // warm the JIT up
  const times: number[] = [];
  const prices: bigint[] = [];
  const start = process.hrtime.bigint();
  for (const { risk, vault } of cases) {
    const before = process.hrtime.bigint();
    prices.push(liquidationPrice(risk, vault, NOW));
    times.push(Number(process.hrtime.bigint() - before) / 1_000);
  }
  const mean = Number(process.hrtime.bigint() - start) / 1_000 / cases.length;
  const p99 = times.sort((a, b) => a - b)[Math.floor(0.99 * times.length)];
  const healthAt = ({ risk, vault }: Case, price: bigint) =>
    healthFactor(risk, mulWadDown(vault.collateralAmount * 10n ** BigInt(18 - vault.decimals), price), vault.debt, NOW);
  const wrong = cases.filter((c, i) => healthAt(c, prices[i]) >= WAD || healthAt(c, prices[i] + 1n) < WAD).length;
  return { mean, p99, wrong };
}

function main(): void {
  const mixes = {
    "local collaterals": localCases(uniformStream(1)),
    "random parameters": randomCases(uniformStream(2)),
  };
  console.log(`liquidationPrice on ${VAULTS} vaults (Node ${process.version})`);
  for (const [name, cases] of Object.entries(mixes)) {
    const { mean, p99, wrong } = measure(cases);
    console.log(`  ${name}: ${mean.toFixed(1)} µs per vault (99% within ${p99.toFixed(1)} µs), ${wrong} wrong`);
    if (wrong > 0) process.exitCode = 1;
  }
}

main();
