// Property test of the RiskEngine (SPEC "RiskEngine — dynamic liquidation thresholds") on the
// in-process chain, with random price paths and ramps: the applied volatility penalty never moves
// faster than maxStepPerHour, the liquidation base never faster than the ramp in force, and
// borrowing uses the stricter end of a ramp.
import { expect } from "chai";
import fc from "fast-check";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { WAD } from "../../keeper/src/math/fixedPoint";
import { rampedBase, type BaseRamp, type ThresholdBreakdown } from "../../keeper/src/risk/thresholds";
import { deploySluiceFixture, type SluiceFixture } from "../helpers/fixtures";
import { propertyRuns } from "../helpers/runs";
import {
  HOUR,
  MAX_HEARTBEAT,
  LIMITS,
  type ValueOf,
  rangeArb,
  freeParamsArb,
  rampArb,
  type RampChange,
  setFreeParams,
  startRamp,
  openVault,
  borrowShare,
  nextAnswer,
  show,
  withinSpeedLimit,
} from "../helpers/riskProperty";

type SpeedStep =
  | { kind: "wait"; seconds: number }
  | { kind: "price"; movePermille: number }
  | { kind: "zigzag"; swings: number; movePermille: number }
  | { kind: "ramp"; change: RampChange }
  | { kind: "confidence"; confidence: bigint }
  | { kind: "sync" };

const speedStepArb: fc.Arbitrary<SpeedStep> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant("wait" as const), seconds: fc.integer({ min: 1, max: 4 * 3_600 }) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant("price" as const), movePermille: fc.integer({ min: -290, max: 290 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("zigzag" as const),
      swings: fc.integer({ min: 2, max: 5 }),
      movePermille: fc.integer({ min: 150, max: 290 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("ramp" as const), change: rampArb }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("confidence" as const), confidence: rangeArb(0n, LIMITS.maxConfidence) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("sync" as const) }) },
);

const speedArb = fc.record({
  collateral: fc.nat(1),
  params: freeParamsArb,
  minThreshold: rangeArb(LIMITS.minMinThreshold, (60n * WAD) / 100n),
  minRampDuration: rangeArb(LIMITS.minRampDuration, 12n * HOUR),
  steps: fc.array(speedStepArb, { minLength: 10, maxLength: 24 }),
});

interface Observation {
  at: bigint;
  volPenalty: bigint;
  liquidationBase: bigint;
  borrowBase: bigint;
  ramp: BaseRamp;
  breakdown: ThresholdBreakdown;
  price: bigint;
}

async function observe(f: SluiceFixture, token: string, vaultId: bigint): Promise<Observation> {
  const [at, volPenalty, base, borrowBaseNow, ramp, breakdown, [price]] = await Promise.all([
    time.latest(),
    f.riskEngine.volatilityPenalty(token),
    f.riskEngine.liquidationBase(token),
    f.riskEngine.borrowBase(token),
    f.riskEngine.baseRamp(token),
    f.riskEngine.thresholdBreakdown(vaultId),
    f.oracleHub.priceState(token),
  ]);
  return {
    at: BigInt(at),
    volPenalty,
    liquidationBase: base,
    borrowBase: borrowBaseNow,
    ramp: { from: ramp.from, to: ramp.to, start: ramp.start, end: ramp.end },
    breakdown: {
      base: breakdown.base,
      volPenalty: breakdown.volPenalty,
      sizePenalty: breakdown.sizePenalty,
      effective: breakdown.effective,
    },
    price,
  };
}

/** Checks one reading on its own: the views agree with each other and borrowing uses the stricter end. */
function checkReading(o: Observation, minThreshold: bigint): void {
  const message = `reading ${show(o)}`;
  expect(o.breakdown.base, message).to.equal(o.liquidationBase);
  expect(o.breakdown.volPenalty, message).to.equal(o.volPenalty);
  const [low, high] = o.ramp.from < o.ramp.to ? [o.ramp.from, o.ramp.to] : [o.ramp.to, o.ramp.from];
  expect(o.liquidationBase, message).to.be.gte(low).and.lte(high);
  expect(o.borrowBase, message).to.equal(o.at < o.ramp.end ? low : o.ramp.to);
  expect(o.borrowBase, message).to.be.lte(o.liquidationBase);
  expect(o.breakdown.effective, message).to.be.gte(minThreshold).and.lte(o.liquidationBase);
}

/** Checks consecutive readings: the base moves along the ramp in force at the first, never faster. */
function checkRampStep(before: Observation, after: Observation): void {
  const message = `from ${show(before)} to ${show(after)}`;
  const ramp = before.ramp;
  const overlapStart = before.at > ramp.start ? before.at : ramp.start;
  const overlapEnd = after.at < ramp.end ? after.at : ramp.end;
  const overlap = overlapEnd > overlapStart ? overlapEnd - overlapStart : 0n;
  const span = ramp.from > ramp.to ? ramp.from - ramp.to : ramp.to - ramp.from;
  const duration = ramp.end - ramp.start;
  const move = after.liquidationBase - before.liquidationBase;
  if (duration === 0n) expect(move, message).to.equal(0n);
  else expect(withinSpeedLimit(move, span, overlap, duration), `base moved ${move}; ${message}`).to.equal(true);
  // The base moves only toward the ramp's target.
  if (move !== 0n) expect(move > 0n, message).to.equal(ramp.to > ramp.from);
  const reRamped = show(after.ramp) !== show(before.ramp);
  if (reRamped) {
    // A new ramp starts where the old one had got to, at the block that set it.
    expect(after.ramp.start, message).to.equal(after.at);
    expect(after.ramp.from, message).to.equal(after.liquidationBase);
    expect(after.liquidationBase, message).to.equal(rampedBase(ramp.from, ramp.to, ramp.start, ramp.end, after.at));
  }
}

async function runSpeed(s: ValueOf<typeof speedArb>): Promise<void> {
  const f = await deploySluiceFixture();
  const collateral = [f.weth, f.wbtc][s.collateral];
  const token = await collateral.token.getAddress();
  await f.oracleHub.setHeartbeat(token, MAX_HEARTBEAT);
  await f.riskEngine.setMinThreshold(token, s.minThreshold);
  await f.riskEngine.setMinRampDuration(token, s.minRampDuration);
  await setFreeParams(f.riskEngine, token, s.params);
  const [user] = f.users;
  const vaultId = await openVault(f, user, collateral, 10n * 10n ** BigInt(collateral.spec.decimals));
  await borrowShare(f, user, vaultId, 500);

  const readings: Observation[] = [await observe(f, token, vaultId)];
  const read = async () => readings.push(await observe(f, token, vaultId));
  // A reading between the new round and the poke too: more pairs, some of them off the sync checkpoints.
  const publish = async (movePermille: number) => {
    await collateral.feed.setAnswer(await nextAnswer(collateral, movePermille));
    await read();
    await f.riskEngine.poke(token);
    await read();
  };

  for (const step of s.steps) {
    switch (step.kind) {
      case "wait":
        await time.increase(step.seconds);
        break;
      case "price":
        await publish(step.movePermille);
        continue;
      case "zigzag":
        for (let swing = 0; swing < step.swings; swing++) {
          await publish(swing % 2 === 0 ? -step.movePermille : step.movePermille);
        }
        continue;
      case "ramp":
        await startRamp(f.riskEngine, token, step.change);
        break;
      case "confidence":
        await f.riskEngine.setConfidence(token, step.confidence);
        break;
      case "sync":
        await f.riskEngine.sync(token);
        break;
    }
    await read();
  }

  const maxStep = s.params.maxStepPerHour;
  for (const reading of readings) checkReading(reading, s.minThreshold);
  for (let i = 0; i < readings.length; i++) {
    for (let j = i + 1; j < readings.length; j++) {
      const [a, b] = [readings[i], readings[j]];
      const elapsed = b.at - a.at;
      const move = b.volPenalty - a.volPenalty;
      const message = `penalty moved ${move} in ${elapsed} s at ${maxStep}/h: ${show(a)} → ${show(b)}`;
      expect(withinSpeedLimit(move, maxStep, elapsed, HOUR), message).to.equal(true);
    }
  }
  for (let i = 1; i < readings.length; i++) {
    const [before, after] = [readings[i - 1], readings[i]];
    checkRampStep(before, after);
    if (after.price === before.price) {
      // Same value, same size penalty: the effective threshold moves only as fast as its parts.
      const message = `${show(before)} → ${show(after)}`;
      expect(after.breakdown.sizePenalty, message).to.equal(before.breakdown.sizePenalty);
      const abs = (x: bigint) => (x < 0n ? -x : x);
      const parts = abs(after.liquidationBase - before.liquidationBase) + abs(after.volPenalty - before.volPenalty);
      expect(abs(after.breakdown.effective - before.breakdown.effective), message).to.be.lte(parts);
    }
  }
}

describe("RiskEngine (property)", function () {
  it("volatilityPenaltyAndBase_underRandomPricePathsAndRamps_neverMoveFasterThanTheirLimits", async function () {
    await fc.assert(fc.asyncProperty(speedArb, runSpeed), { numRuns: propertyRuns(20) });
  });
});
