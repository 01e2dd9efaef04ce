// Property test of the RiskEngine (SPEC "RiskEngine — dynamic liquidation thresholds") on the
// in-process chain, with random parameters, ramps, price paths and vaults: every view equals the
// TypeScript mirror (keeper/src/risk/thresholds.ts) evaluated on the on-chain state of the same
// block, to the wei.
import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { WAD } from "../../keeper/src/math/fixedPoint";
import {
  appliedPenalty,
  borrowBase,
  borrowRatio,
  borrowVolatilityPenalty,
  healthFactor,
  liquidationBase,
  thresholdBreakdown,
  type CollateralRisk,
} from "../../keeper/src/risk/thresholds";
import { deploySluiceFixture } from "../helpers/fixtures";
import { propertyRuns } from "../helpers/runs";
import {
  DAY,
  MAX_HEARTBEAT,
  LIMITS,
  type ValueOf,
  MILLION,
  within,
  rangeArb,
  logUniformArb,
  freeParamsArb,
  rampArb,
  setFreeParams,
  startRamp,
  openVault,
  borrowShare,
  movePrice,
  show,
} from "../helpers/riskProperty";
import { readRisk } from "../helpers/risk";

const vaultArb = fc.record({
  user: fc.nat(3),
  collateral: fc.nat(1),
  value: logUniformArb(3, 7), // [stablecoin]
  borrowPermille: fc.oneof(
    { weight: 1, arbitrary: fc.constant(0) },
    { weight: 5, arbitrary: fc.integer({ min: 300, max: 999 }) },
  ),
});

const priceStepArb = fc.record({
  wait: fc.integer({ min: 1, max: 6 * 3_600 }),
  collateral: fc.nat(1),
  movePermille: fc.integer({ min: -290, max: 290 }),
  throughRiskEngine: fc.boolean(),
});

const differentialArb = fc.record({
  main: fc.nat(1),
  params: freeParamsArb,
  minRampDuration: rangeArb(LIMITS.minRampDuration, DAY),
  firstRamp: rampArb,
  reRamp: fc.option(rampArb, { nil: undefined }),
  minThresholdShare: rangeArb(0n, MILLION),
  vaults: fc.array(vaultArb, { minLength: 2, maxLength: 5 }),
  steps: fc.array(priceStepArb, { minLength: 1, maxLength: 4 }),
  // The final wait, in ‰ of the ramp in force: before, during and after its end.
  offsetPermille: fc.integer({ min: 0, max: 1_500 }),
  extraValues: fc.array(fc.oneof(fc.constantFrom(0n, 1n), logUniformArb(0, 38)), { maxLength: 3 }),
});
type DifferentialCase = ValueOf<typeof differentialArb>;

async function runDifferential(s: DifferentialCase): Promise<void> {
  const f = await deploySluiceFixture();
  const collaterals = [f.weth, f.wbtc];
  const tokens = await Promise.all(collaterals.map((c) => c.token.getAddress()));
  const main = tokens[s.main];
  for (const token of tokens) await f.oracleHub.setHeartbeat(token, MAX_HEARTBEAT);

  await f.riskEngine.setMinThreshold(main, LIMITS.minMinThreshold);
  await f.riskEngine.setMinRampDuration(main, s.minRampDuration);
  await setFreeParams(f.riskEngine, main, s.params);
  await startRamp(f.riskEngine, main, s.firstRamp);

  const vaultIds: bigint[] = [];
  for (const v of s.vaults) {
    const collateral = collaterals[v.collateral];
    const user = f.users[v.user];
    const amount = (v.value * 10n ** BigInt(collateral.spec.decimals) * WAD) / collateral.spec.price;
    const vaultId = await openVault(f, user, collateral, amount === 0n ? 1n : amount);
    await borrowShare(f, user, vaultId, v.borrowPermille);
    vaultIds.push(vaultId);
  }

  for (const step of s.steps) {
    await time.increase(step.wait);
    await movePrice(f, collaterals[step.collateral], step.movePermille, step.throughRiskEngine);
  }
  if (s.reRamp) await startRamp(f.riskEngine, main, s.reRamp);
  const ramp = await f.riskEngine.baseRamp(main);
  const lowestEnd = ramp.from < ramp.to ? ramp.from : ramp.to;
  await f.riskEngine.setMinThreshold(main, within(LIMITS.minMinThreshold, lowestEnd, s.minThresholdShare));
  const offset = ((ramp.end - ramp.start) * BigInt(s.offsetPermille)) / 1_000n;
  if (offset > 0n) await time.increase(offset);

  // Every read below is an eth_call at the latest block, which runs at that block's timestamp.
  const block = await ethers.provider.getBlockNumber();
  const now = BigInt(await time.latest());
  const risks = await Promise.all(tokens.map((token) => readRisk(f.riskEngine, token)));
  const sigmas = await Promise.all(tokens.map((token) => f.oracleHub.volatility(token)));
  const context = (risk: CollateralRisk) => `now ${now}, risk ${show(risk)}`;

  for (const [index, token] of tokens.entries()) {
    const risk = risks[index];
    const [volPenalty, borrowPenalty, base, borrowBaseNow] = await Promise.all([
      f.riskEngine.volatilityPenalty(token),
      f.riskEngine.borrowVolatilityPenalty(token),
      f.riskEngine.liquidationBase(token),
      f.riskEngine.borrowBase(token),
    ]);
    expect(volPenalty, `volatilityPenalty, ${context(risk)}`).to.equal(appliedPenalty(risk, now));
    expect(borrowPenalty, `borrowVolatilityPenalty, ${context(risk)}`).to.equal(
      borrowVolatilityPenalty(risk, now, sigmas[index]),
    );
    expect(base, `liquidationBase, ${context(risk)}`).to.equal(liquidationBase(risk.ramp, now));
    expect(borrowBaseNow, `borrowBase, ${context(risk)}`).to.equal(borrowBase(risk.ramp, now));
  }

  const valueProbes: [number, bigint][] = s.extraValues.map((value) => [s.main, value]);
  for (const vaultId of vaultIds) {
    const [collateral, value, debt] = await f.vaultEngine.position(vaultId);
    const index = tokens.indexOf(collateral);
    const risk = risks[index];
    valueProbes.push([index, value]);
    const [breakdown, effective, health, liquidatable] = await Promise.all([
      f.riskEngine.thresholdBreakdown(vaultId),
      f.riskEngine.liquidationThreshold(vaultId),
      f.riskEngine.healthFactor(vaultId),
      f.riskEngine.isLiquidatable(vaultId),
    ]);
    const expected = thresholdBreakdown(risk, value, now);
    const message = `vault ${vaultId} (value ${value}, debt ${debt}), ${context(risk)}`;
    expect(
      { base: breakdown.base, volPenalty: breakdown.volPenalty, sizePenalty: breakdown.sizePenalty, effective },
      message,
    ).to.deep.equal(expected);
    expect(breakdown.effective, message).to.equal(expected.effective);
    const expectedHealth = healthFactor(risk, value, debt, now);
    expect(health, message).to.equal(expectedHealth);
    expect(liquidatable, message).to.equal(expectedHealth < WAD);
  }

  for (const [index, value] of valueProbes) {
    const risk = risks[index];
    const [ratio, threshold] = await Promise.all([
      f.riskEngine.borrowRatio(tokens[index], value),
      f.riskEngine.thresholdFor(tokens[index], value),
    ]);
    const sigma = sigmas[index];
    expect(ratio, `borrowRatio(${value}), σ ${sigma}, ${context(risk)}`).to.equal(borrowRatio(risk, value, now, sigma));
    const expected = thresholdBreakdown(risk, value, now).effective;
    expect(threshold, `thresholdFor(${value}), ${context(risk)}`).to.equal(expected);
  }
  expect(await ethers.provider.getBlockNumber(), "no block may be mined while reading").to.equal(block);
}

describe("RiskEngine (property)", function () {
  it("views_onRandomParametersRampsPricesAndVaults_matchTheTypeScriptMirrorExactly", async function () {
    await fc.assert(fc.asyncProperty(differentialArb, runDifferential), { numRuns: propertyRuns(40) });
  });
});
