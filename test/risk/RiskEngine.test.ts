// RiskEngine: listing and every governed setter with its bounds, base-threshold ramps, the
// slew-limited volatility penalty, the size penalty, the borrowing limits they give the VaultEngine,
// and every view. Expected values come from first principles or from the TypeScript mirror
// (keeper/src/risk/thresholds.ts) applied to the stored parameters, never from the views under test.
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { expect } from "chai";
import { ethers } from "hardhat";
import {
  LOCAL_COLLATERALS,
  ORACLE_DEFAULTS,
  listMockCollateral,
  toFeedAnswer,
  type LocalCollateral,
  type LocalCollateralSpec,
} from "../../scripts/lib/deploy";
import { RAY, WAD, mulDivDown, mulDivUp, mulWadDown, rpowDown } from "../../keeper/src/math/fixedPoint";
import * as model from "../../keeper/src/risk/thresholds";
import type { CollateralRisk, RiskParams } from "../../keeper/src/risk/thresholds";
import { MockAggregator__factory, MockERC20__factory, RiskEngine__factory } from "../../typechain-types";
import type { MockAggregator } from "../../typechain-types";
import { deploySluiceFixture } from "../helpers/fixtures";
import { rangeArgs, rangeError } from "../helpers/errors";

const HOUR = 3_600n; // [seconds]
const DAY = 86_400n; // [seconds]
const MAX_UINT256 = 2n ** 256n - 1n;
const MAX_HEARTBEAT = 7n * DAY; // OracleHub's limit [seconds]

const pct = (percent: number): bigint => (BigInt(Math.round(percent * 100)) * WAD) / 10_000n;
const units = (amount: string): bigint => ethers.parseUnits(amount, 18);
const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);

// The engine's own limits (RiskEngine.sol constants).
const MAX_BASE_THRESHOLD = pct(98);
const MIN_MIN_THRESHOLD = pct(10);
const MAX_BORROW_BUFFER = pct(30);
const MAX_CONFIDENCE = 10n * WAD;
const MIN_HORIZON = 60n;
const MAX_HORIZON = 7n * DAY;
const MIN_RAMP_DURATION = HOUR;
const MAX_RAMP_DURATION = 90n * DAY;
const MIN_DEPTH = WAD;
const MAX_DEPTH = 10n ** 36n;
const MAX_SIZE_PENALTY = pct(50);
const MIN_STEP_PER_HOUR = WAD / 10_000n;
const MAX_STEP_PER_HOUR = pct(50);

/**
 * A thin market: depth 1,000,000 so a vault's size matters, no stability fee so debt equals what was
 * borrowed to the wei, and a maxLTV above the risk engine's limits so the engine always binds.
 */
const THIN: LocalCollateralSpec = {
  symbol: "THIN",
  decimals: 18,
  feedDecimals: 8,
  price: 100n * WAD,
  annualFee: 0n,
  maxLTV: pct(90),
  debtCeiling: 50_000_000n * WAD,
  dust: 10n * WAD,
  risk: {
    baseThreshold: pct(85),
    params: {
      minThreshold: pct(50),
      borrowBuffer: pct(5),
      confidence: 2n * WAD,
      horizon: 4n * HOUR,
      minRampDuration: DAY,
      depth: 1_000_000n * WAD,
      maxSizePenalty: pct(25),
      maxStepPerHour: pct(1),
    },
  },
};
const WETH_SPEC = LOCAL_COLLATERALS.find((spec) => spec.symbol === "WETH")!;

async function riskFixture() {
  const sluice = await deploySluiceFixture();
  const thin = await listMockCollateral(sluice.governor, sluice, THIN);
  const unlisted = await new MockERC20__factory(sluice.governor).deploy("Unlisted", "UNL", 18);
  return { ...sluice, thin, unlisted: await unlisted.getAddress() };
}

/** The struct as the contract's ABI orders it (event arguments, view results). */
const paramsTuple = (p: RiskParams): bigint[] => [
  p.minThreshold,
  p.borrowBuffer,
  p.confidence,
  p.horizon,
  p.minRampDuration,
  p.depth,
  p.maxSizePenalty,
  p.maxStepPerHour,
];

const cappedTarget = (confidence: bigint, sigma: bigint, horizon: bigint): bigint =>
  min(model.volatilityPenaltyTarget(confidence, sigma, horizon), WAD);

describe("RiskEngine", function () {
  let f: Awaited<ReturnType<typeof riskFixture>>;
  let alice: HardhatEthersSigner;
  let bob: HardhatEthersSigner;
  let stranger: HardhatEthersSigner;
  let weth: string;
  let thin: string;

  beforeEach(async function () {
    f = await loadFixture(riskFixture);
    [alice, bob] = f.users;
    stranger = f.users[5];
    weth = await f.weth.token.getAddress();
    thin = await f.thin.token.getAddress();
  });

  // ------------------------------------------------------------ helpers

  const now = async (): Promise<bigint> => BigInt(await time.latest());

  /** Everything the engine stores about `collateral`, in the mirror's shape. */
  async function readRisk(collateral: string): Promise<CollateralRisk> {
    const [p, ramp, volatility] = await Promise.all([
      f.riskEngine.riskParams(collateral),
      f.riskEngine.baseRamp(collateral),
      f.riskEngine.volatilityState(collateral),
    ]);
    return {
      params: {
        minThreshold: p.minThreshold,
        borrowBuffer: p.borrowBuffer,
        confidence: p.confidence,
        horizon: p.horizon,
        minRampDuration: p.minRampDuration,
        depth: p.depth,
        maxSizePenalty: p.maxSizePenalty,
        maxStepPerHour: p.maxStepPerHour,
      },
      ramp: { from: ramp.from, to: ramp.to, start: ramp.start, end: ramp.end },
      volatility: { penalty: volatility.penalty, target: volatility.target, checkpoint: volatility.checkpoint },
    };
  }

  /** The target a sync would set now: k · σ · √H from the oracle's current σ, capped at 1. */
  async function currentTarget(collateral: string): Promise<bigint> {
    const { confidence, horizon } = await f.riskEngine.riskParams(collateral);
    return cappedTarget(confidence, await f.oracleHub.volatility(collateral), horizon);
  }

  /** Opens a vault of `collateral` for `owner` and deposits `amount` (minted on the spot). */
  async function openVault(owner: HardhatEthersSigner, collateral: LocalCollateral, amount: bigint): Promise<bigint> {
    const vaultId = (await f.vaultEngine.vaultCount()) + 1n;
    await f.vaultEngine.connect(owner).openVault(collateral.token);
    if (amount > 0n) {
      await collateral.token.mint(owner, amount);
      await collateral.token.connect(owner).approve(f.vaultEngine, amount);
      await f.vaultEngine.connect(owner).deposit(vaultId, amount);
    }
    return vaultId;
  }

  /** Publishes `price` [wad] on the collateral's feed (in a block at `at` if given), then `riskEngine.poke`s it. */
  async function publish(collateral: LocalCollateral, price: bigint, at?: bigint): Promise<void> {
    await publishAnswer(collateral, toFeedAnswer(price, collateral.spec.feedDecimals), at);
  }

  async function publishAnswer(collateral: LocalCollateral, answer: bigint, at?: bigint): Promise<void> {
    if (at !== undefined) await time.setNextBlockTimestamp(at);
    await collateral.feed.setAnswer(answer);
    await f.riskEngine.poke(collateral.token);
  }

  /**
   * Moves the price up by `move` and back, `steps` times, one update every `interval` seconds, ending
   * at the listing price. After every poke the applied penalty must have slewed from the previous
   * checkpoint exactly as the mirror says (so never by more than maxStepPerHour per hour) and the
   * target must be k · σ · √H for the oracle's new σ.
   */
  async function zigZag(collateral: LocalCollateral, steps: number, move: bigint, interval: bigint): Promise<void> {
    const token = await collateral.token.getAddress();
    const { price } = collateral.spec;
    for (let step = 0; step < steps; step++) {
      const before = await readRisk(token);
      await publish(collateral, step % 2 === 0 ? price + mulWadDown(price, move) : price, (await now()) + interval);
      const at = await now();
      const after = await f.riskEngine.volatilityState(token);
      const elapsed = at - before.volatility.checkpoint;
      const moved = after.penalty - before.volatility.penalty;
      expect(moved < 0n ? -moved : moved, `step ${step}`).to.be.lte(
        mulDivDown(before.params.maxStepPerHour, elapsed, HOUR),
      );
      expect(after.penalty, `penalty at step ${step}`).to.equal(model.appliedPenalty(before, at));
      expect(after.target, `target at step ${step}`).to.equal(await currentTarget(token));
      expect(after.checkpoint).to.equal(at);
    }
  }

  interface VaultViews extends model.ThresholdBreakdown {
    value: bigint;
    debt: bigint;
    health: bigint;
  }

  /** Checks every vault view against the mirror at the latest block, and returns the mirror's numbers. */
  async function expectVaultViewsMatchMirror(vaultId: bigint): Promise<VaultViews> {
    const [collateral, value, debt] = await f.vaultEngine.position(vaultId);
    const expected = model.thresholdBreakdown(await readRisk(collateral), value, await now());
    const [base, volPenalty, sizePenalty, effective] = await f.riskEngine.thresholdBreakdown(vaultId);
    expect({ base, volPenalty, sizePenalty, effective }).to.deep.equal(expected);
    expect(await f.riskEngine.liquidationThreshold(vaultId)).to.equal(expected.effective);
    const health = model.health(value, expected.effective, debt);
    expect(await f.riskEngine.healthFactor(vaultId)).to.equal(health);
    expect(await f.riskEngine.isLiquidatable(vaultId)).to.equal(health < WAD);
    return { ...expected, value, debt, health };
  }

  /** The VaultEngine's limit for collateral worth `value`: V · min(maxLTV, borrowRatio), mirrored. */
  async function expectedMaxDebt(collateral: LocalCollateral, value: bigint): Promise<bigint> {
    const token = await collateral.token.getAddress();
    const sigma = await f.oracleHub.volatility(token);
    const ratio = model.borrowRatio(await readRisk(token), value, await now(), sigma);
    expect(await f.riskEngine.borrowRatio(token, value)).to.equal(ratio);
    return mulWadDown(value, min(collateral.spec.maxLTV, ratio));
  }

  /** Accrues `collateral`, pins the next block one second later and returns the rate it will use. */
  async function pinNextRate(collateral: string): Promise<bigint> {
    await f.vaultEngine.accrue(collateral);
    const [stored] = await f.vaultEngine.collateralState(collateral);
    const { stabilityFee } = await f.vaultEngine.collateralParams(collateral);
    await time.setNextBlockTimestamp((await now()) + 1n);
    return (stored * rpowDown(stabilityFee, 1n)) / RAY;
  }

  /** Debt a first borrow of `amount` records at `rate` (both roundings up, as the VaultEngine does). */
  const firstBorrowDebt = (amount: bigint, rate: bigint): bigint => mulDivUp(mulDivUp(amount, RAY, rate), rate, RAY);

  /** A fresh 18-decimal token with a configured and poked OracleHub feed at 100, not listed anywhere else. */
  async function newPricedToken(): Promise<{ token: string; feed: MockAggregator }> {
    const token = await (await new MockERC20__factory(f.governor).deploy("Fresh", "FRSH", 18)).getAddress();
    const feed = await new MockAggregator__factory(f.governor).deploy(8, "FRSH / USD", toFeedAnswer(100n * WAD, 8));
    await f.oracleHub.addFeed(token, {
      source: await feed.getAddress(),
      heartbeat: ORACLE_DEFAULTS.heartbeat,
      minPrice: WAD / 10n,
      maxPrice: 100_000n * WAD,
      maxJump: ORACLE_DEFAULTS.maxJump,
      halfLife: ORACLE_DEFAULTS.halfLife,
    });
    await f.oracleHub.poke(token);
    return { token, feed };
  }

  const freshParams = (overrides: Partial<RiskParams> = {}): RiskParams => ({ ...THIN.risk.params, ...overrides });

  // ------------------------------------------------------------ construction and listing

  describe("constructor", function () {
    it("constructor_withZeroVaultEngine_reverts", async function () {
      const factory = new RiskEngine__factory(f.governor);
      await expect(factory.deploy(f.accessManager, ethers.ZeroAddress, f.oracleHub)).to.be.revertedWithCustomError(
        factory,
        "ZeroAddress",
      );
    });

    it("constructor_withZeroOracle_reverts", async function () {
      const factory = new RiskEngine__factory(f.governor);
      await expect(factory.deploy(f.accessManager, f.vaultEngine, ethers.ZeroAddress)).to.be.revertedWithCustomError(
        factory,
        "ZeroAddress",
      );
    });

    it("constructor_storesTheVaultEngineAndOracle", async function () {
      expect(await f.riskEngine.vaultEngine()).to.equal(await f.vaultEngine.getAddress());
      expect(await f.riskEngine.oracle()).to.equal(await f.oracleHub.getAddress());
      expect(await f.vaultEngine.riskModel()).to.equal(await f.riskEngine.getAddress());
    });
  });

  describe("addCollateral", function () {
    it("addCollateral_whenNew_storesEverythingAndStartsThePenaltyAtItsTarget", async function () {
      const { token, feed } = await newPricedToken();
      // A move before listing gives the oracle a σ, so the starting penalty is not trivially zero.
      await feed.setAnswer(toFeedAnswer(110n * WAD, 8));
      await f.oracleHub.poke(token);
      const params = freshParams();
      const base = pct(80);
      const target = cappedTarget(params.confidence, await f.oracleHub.volatility(token), params.horizon);
      expect(target).to.be.gt(0n).and.lt(WAD);

      const at = (await now()) + 5n;
      await time.setNextBlockTimestamp(at);
      const tx = f.riskEngine.addCollateral(token, base, params);
      await expect(tx).to.emit(f.riskEngine, "CollateralAdded").withArgs(token, base, paramsTuple(params));
      await expect(tx).to.emit(f.riskEngine, "VolatilityPenaltySynced").withArgs(token, target, target);

      expect(paramsTuple(await readRisk(token).then((risk) => risk.params))).to.deep.equal(paramsTuple(params));
      const ramp = await f.riskEngine.baseRamp(token);
      expect([ramp.from, ramp.to, ramp.start, ramp.end]).to.deep.equal([base, base, at, at]);
      const state = await f.riskEngine.volatilityState(token);
      expect([state.penalty, state.target, state.checkpoint]).to.deep.equal([target, target, at]);
      expect(await f.riskEngine.volatilityPenalty(token)).to.equal(target);
      expect(await f.riskEngine.liquidationBase(token)).to.equal(base);
      expect(await f.riskEngine.borrowBase(token)).to.equal(base);
    });

    it("addCollateral_withEveryParameterAtItsBounds_succeeds", async function () {
      const lowest = freshParams({
        minThreshold: MIN_MIN_THRESHOLD,
        borrowBuffer: 0n,
        confidence: 0n,
        horizon: MIN_HORIZON,
        minRampDuration: MIN_RAMP_DURATION,
        depth: MIN_DEPTH,
        maxSizePenalty: 0n,
        maxStepPerHour: MIN_STEP_PER_HOUR,
      });
      const highest = freshParams({
        minThreshold: MAX_BASE_THRESHOLD,
        borrowBuffer: MAX_BORROW_BUFFER,
        confidence: MAX_CONFIDENCE,
        horizon: MAX_HORIZON,
        minRampDuration: MAX_RAMP_DURATION,
        depth: MAX_DEPTH,
        maxSizePenalty: MAX_SIZE_PENALTY,
        maxStepPerHour: MAX_STEP_PER_HOUR,
      });
      for (const [base, params] of [
        [MIN_MIN_THRESHOLD, lowest],
        [MAX_BASE_THRESHOLD, highest],
      ] as const) {
        const { token } = await newPricedToken();
        await expect(f.riskEngine.addCollateral(token, base, params))
          .to.emit(f.riskEngine, "CollateralAdded")
          .withArgs(token, base, paramsTuple(params));
        expect(paramsTuple((await readRisk(token)).params)).to.deep.equal(paramsTuple(params));
        expect(await f.riskEngine.liquidationBase(token)).to.equal(base);
      }
    });

    it("addCollateral_zeroAddress_reverts", async function () {
      await expect(
        f.riskEngine.addCollateral(ethers.ZeroAddress, THIN.risk.baseThreshold, freshParams()),
      ).to.be.revertedWithCustomError(f.riskEngine, "ZeroAddress");
    });

    it("addCollateral_whenAlreadyListed_reverts", async function () {
      await expect(f.riskEngine.addCollateral(weth, THIN.risk.baseThreshold, freshParams()))
        .to.be.revertedWithCustomError(f.riskEngine, "CollateralAlreadyListed")
        .withArgs(weth);
    });

    it("addCollateral_withoutAnOracleFeed_revertsWithTheOraclesFeedNotConfigured", async function () {
      await expect(f.riskEngine.addCollateral(f.unlisted, THIN.risk.baseThreshold, freshParams()))
        .to.be.revertedWithCustomError(f.oracleHub, "FeedNotConfigured")
        .withArgs(f.unlisted);
    });

    it("addCollateral_fromStranger_revertsUnauthorized", async function () {
      const { token } = await newPricedToken();
      await expect(f.riskEngine.connect(stranger).addCollateral(token, THIN.risk.baseThreshold, freshParams()))
        .to.be.revertedWithCustomError(f.riskEngine, "AccessManagedUnauthorized")
        .withArgs(stranger.address);
    });

    // [parameter, value, min, max]: the listing sets `parameter` to `value` and keeps the rest valid.
    const floor = THIN.risk.params.minThreshold;
    const listingCases: [keyof RiskParams | "baseThreshold", bigint, bigint, bigint][] = [
      ["minThreshold", MIN_MIN_THRESHOLD - 1n, MIN_MIN_THRESHOLD, MAX_BASE_THRESHOLD],
      ["minThreshold", MAX_BASE_THRESHOLD + 1n, MIN_MIN_THRESHOLD, MAX_BASE_THRESHOLD],
      ["baseThreshold", floor - 1n, floor, MAX_BASE_THRESHOLD],
      ["baseThreshold", MAX_BASE_THRESHOLD + 1n, floor, MAX_BASE_THRESHOLD],
      ["borrowBuffer", MAX_BORROW_BUFFER + 1n, 0n, MAX_BORROW_BUFFER],
      ["confidence", MAX_CONFIDENCE + 1n, 0n, MAX_CONFIDENCE],
      ["horizon", MIN_HORIZON - 1n, MIN_HORIZON, MAX_HORIZON],
      ["horizon", MAX_HORIZON + 1n, MIN_HORIZON, MAX_HORIZON],
      ["minRampDuration", MIN_RAMP_DURATION - 1n, MIN_RAMP_DURATION, MAX_RAMP_DURATION],
      ["minRampDuration", MAX_RAMP_DURATION + 1n, MIN_RAMP_DURATION, MAX_RAMP_DURATION],
      ["depth", MIN_DEPTH - 1n, MIN_DEPTH, MAX_DEPTH],
      ["depth", MAX_DEPTH + 1n, MIN_DEPTH, MAX_DEPTH],
      ["maxSizePenalty", MAX_SIZE_PENALTY + 1n, 0n, MAX_SIZE_PENALTY],
      ["maxStepPerHour", MIN_STEP_PER_HOUR - 1n, MIN_STEP_PER_HOUR, MAX_STEP_PER_HOUR],
      ["maxStepPerHour", MAX_STEP_PER_HOUR + 1n, MIN_STEP_PER_HOUR, MAX_STEP_PER_HOUR],
    ];
    for (const [parameter, value, lowest, highest] of listingCases) {
      it(`addCollateral_${parameter}${value < lowest ? "BelowMin" : "AboveMax"}_reverts${rangeError(parameter)}`, async function () {
        const { token } = await newPricedToken();
        const listing =
          parameter === "baseThreshold"
            ? f.riskEngine.addCollateral(token, value, freshParams())
            : f.riskEngine.addCollateral(token, THIN.risk.baseThreshold, freshParams({ [parameter]: value }));
        await expect(listing)
          .to.be.revertedWithCustomError(f.riskEngine, rangeError(parameter))
          .withArgs(...rangeArgs(value, lowest, highest));
      });
    }
  });

  // ------------------------------------------------------------ setters

  describe("setters", function () {
    // [parameter, a valid new value for WETH, min, max as the engine reports them for WETH]. Each
    // parameter has its typed setter `set<Parameter>` and event `<Parameter>Set`.
    const setterCases: [keyof RiskParams, bigint, bigint, bigint][] = [
      // A floor above the base would let the clamp lift thresholds over it: capped at the base.
      ["minThreshold", pct(65), MIN_MIN_THRESHOLD, WETH_SPEC.risk.baseThreshold],
      ["borrowBuffer", pct(10), 0n, MAX_BORROW_BUFFER],
      ["confidence", 3n * WAD, 0n, MAX_CONFIDENCE],
      ["horizon", 8n * HOUR, MIN_HORIZON, MAX_HORIZON],
      ["minRampDuration", 2n * DAY, MIN_RAMP_DURATION, MAX_RAMP_DURATION],
      ["depth", 50_000_000n * WAD, MIN_DEPTH, MAX_DEPTH],
      ["maxSizePenalty", pct(10), 0n, MAX_SIZE_PENALTY],
      ["maxStepPerHour", pct(2), MIN_STEP_PER_HOUR, MAX_STEP_PER_HOUR],
    ];
    const wethParams = WETH_SPEC.risk.params;

    const call = (caller: HardhatEthersSigner, fn: string, collateral: string, value: bigint) =>
      f.riskEngine.connect(caller).getFunction(fn)(collateral, value);

    for (const [parameter, value, lowest, highest] of setterCases) {
      const capitalized = parameter[0].toUpperCase() + parameter.slice(1);
      const c = { fn: `set${capitalized}`, event: `${capitalized}Set`, parameter, value, min: lowest, max: highest };
      describe(c.fn, function () {
        it(`${c.fn}_withinRange_storesAndEmits`, async function () {
          expect(c.value).to.not.equal(wethParams[c.parameter]);
          await expect(call(f.governor, c.fn, weth, c.value))
            .to.emit(f.riskEngine, c.event)
            .withArgs(weth, c.value);
          const stored = (await readRisk(weth)).params;
          expect(stored).to.deep.equal({ ...wethParams, [c.parameter]: c.value });
        });

        it(`${c.fn}_atItsBounds_succeeds`, async function () {
          for (const value of [c.min, c.max]) {
            await expect(call(f.governor, c.fn, weth, value))
              .to.emit(f.riskEngine, c.event)
              .withArgs(weth, value);
            expect((await readRisk(weth)).params[c.parameter]).to.equal(value);
          }
        });

        if (c.min > 0n) {
          it(`${c.fn}_belowMin_reverts`, async function () {
            await expect(call(f.governor, c.fn, weth, c.min - 1n))
              .to.be.revertedWithCustomError(f.riskEngine, rangeError(c.parameter))
              .withArgs(...rangeArgs(c.min - 1n, c.min, c.max));
          });
        }

        it(`${c.fn}_aboveMax_reverts`, async function () {
          await expect(call(f.governor, c.fn, weth, c.max + 1n))
            .to.be.revertedWithCustomError(f.riskEngine, rangeError(c.parameter))
            .withArgs(...rangeArgs(c.max + 1n, c.min, c.max));
        });

        it(`${c.fn}_forUnlistedCollateral_reverts`, async function () {
          await expect(call(f.governor, c.fn, f.unlisted, c.value))
            .to.be.revertedWithCustomError(f.riskEngine, "CollateralNotListed")
            .withArgs(f.unlisted);
        });

        it(`${c.fn}_fromStranger_revertsUnauthorized`, async function () {
          await expect(call(stranger, c.fn, weth, c.value))
            .to.be.revertedWithCustomError(f.riskEngine, "AccessManagedUnauthorized")
            .withArgs(stranger.address);
          expect((await readRisk(weth)).params[c.parameter]).to.equal(wethParams[c.parameter]);
        });
      });
    }

    describe("effects", function () {
      it("setBorrowBuffer_lowersTheBorrowRatioByTheChangeButNotTheLiquidationThreshold", async function () {
        const vaultId = await openVault(alice, f.thin, units("100"));
        const [, value] = await f.vaultEngine.position(vaultId);
        const ratioBefore = await f.riskEngine.borrowRatio(thin, value);
        const thresholdBefore = await f.riskEngine.liquidationThreshold(vaultId);
        await f.riskEngine.setBorrowBuffer(thin, pct(20));
        expect(await f.riskEngine.borrowRatio(thin, value)).to.equal(
          ratioBefore - (pct(20) - THIN.risk.params.borrowBuffer),
        );
        expect(await f.riskEngine.liquidationThreshold(vaultId)).to.equal(thresholdBefore);
        expect(await f.vaultEngine.maxDebt(vaultId)).to.equal(await expectedMaxDebt(f.thin, value));
      });

      it("setDepth_changesTheSizePenaltyToValueOverValuePlusDepth", async function () {
        const vaultId = await openVault(alice, f.thin, units("100")); // worth 10,000
        const [, value] = await f.vaultEngine.position(vaultId);
        const depth = 100_000n * WAD;
        const before = await expectVaultViewsMatchMirror(vaultId);
        await f.riskEngine.setDepth(thin, depth);
        const after = await expectVaultViewsMatchMirror(vaultId);
        expect(after.sizePenalty).to.equal(mulDivUp(value, WAD, value + depth));
        expect(after.sizePenalty).to.be.gt(before.sizePenalty);
        expect(after.effective).to.equal(before.effective - (after.sizePenalty - before.sizePenalty));
      });

      it("setMaxSizePenalty_capsTheSizePenaltyOfABigVault", async function () {
        const vaultId = await openVault(bob, f.thin, units("5000")); // worth 500,000: V/(V+D) = 1/3
        expect((await expectVaultViewsMatchMirror(vaultId)).sizePenalty).to.equal(THIN.risk.params.maxSizePenalty);
        await f.riskEngine.setMaxSizePenalty(thin, pct(10));
        expect((await expectVaultViewsMatchMirror(vaultId)).sizePenalty).to.equal(pct(10));
        await f.riskEngine.setMaxSizePenalty(thin, 0n);
        const uncapped = await expectVaultViewsMatchMirror(vaultId);
        expect(uncapped.sizePenalty).to.equal(0n);
        expect(uncapped.effective).to.equal(THIN.risk.baseThreshold);
      });

      it("setMinRampDuration_changesTheShortestRampAllowed", async function () {
        await f.riskEngine.setMinRampDuration(weth, 2n * DAY);
        await expect(f.riskEngine.setBaseThreshold(weth, pct(80), DAY))
          .to.be.revertedWithCustomError(f.riskEngine, "RampDurationOutOfRange")
          .withArgs(DAY, 2n * DAY, MAX_RAMP_DURATION);
        await expect(f.riskEngine.setBaseThreshold(weth, pct(80), 2n * DAY)).to.emit(f.riskEngine, "BaseThresholdRamp");
      });
    });

    describe("checkpoints", function () {
      /**
       * Gives THIN a σ and leaves the applied penalty well behind its target, then returns the state
       * and a time `gap` later at which the next transaction is pinned.
       */
      async function laggingPenalty(gap: bigint) {
        await zigZag(f.thin, 4, pct(20), 600n);
        const before = await readRisk(thin);
        expect(before.volatility.penalty).to.be.lt(before.volatility.target);
        const at = before.volatility.checkpoint + gap;
        await time.setNextBlockTimestamp(at);
        return { before, at, sigma: await f.oracleHub.volatility(thin) };
      }

      it("setConfidence_checkpointsThePenaltyAtTheOldTargetThenAimsAtTheNewOne", async function () {
        const { before, at, sigma } = await laggingPenalty(2n * HOUR);
        const penalty = model.appliedPenalty(before, at);
        const confidence = WAD / 10n;
        const target = cappedTarget(confidence, sigma, THIN.risk.params.horizon);
        // The new target is below the checkpointed penalty: from now on the penalty must fall.
        expect(target).to.be.lt(penalty);
        const tx = f.riskEngine.setConfidence(thin, confidence);
        await expect(tx).to.emit(f.riskEngine, "VolatilityPenaltySynced").withArgs(thin, penalty, target);
        await expect(tx).to.emit(f.riskEngine, "ConfidenceSet").withArgs(thin, confidence);
        const state = await f.riskEngine.volatilityState(thin);
        expect([state.penalty, state.target, state.checkpoint]).to.deep.equal([penalty, target, at]);

        await time.increaseTo(at + HOUR / 2n);
        const later = model.slew(penalty, target, THIN.risk.params.maxStepPerHour, HOUR / 2n);
        expect(later).to.be.lt(penalty);
        expect(await f.riskEngine.volatilityPenalty(thin)).to.equal(later);
      });

      it("setHorizon_checkpointsThePenaltyAtTheOldTargetThenAimsAtTheNewOne", async function () {
        const { before, at, sigma } = await laggingPenalty(2n * HOUR);
        const penalty = model.appliedPenalty(before, at);
        const horizon = MIN_HORIZON;
        const target = cappedTarget(THIN.risk.params.confidence, sigma, horizon);
        expect(target).to.be.lt(penalty);
        const tx = f.riskEngine.setHorizon(thin, horizon);
        await expect(tx).to.emit(f.riskEngine, "VolatilityPenaltySynced").withArgs(thin, penalty, target);
        await expect(tx).to.emit(f.riskEngine, "HorizonSet").withArgs(thin, horizon);
        const state = await f.riskEngine.volatilityState(thin);
        expect([state.penalty, state.target, state.checkpoint]).to.deep.equal([penalty, target, at]);

        await time.increaseTo(at + HOUR / 2n);
        const later = model.slew(penalty, target, THIN.risk.params.maxStepPerHour, HOUR / 2n);
        expect(later).to.be.lt(penalty);
        expect(await f.riskEngine.volatilityPenalty(thin)).to.equal(later);
      });

      it("setMaxStepPerHour_checkpointsAtTheOldSpeedThenSlewsAtTheNewOne", async function () {
        const { before, at } = await laggingPenalty(2n * HOUR);
        const oldStep = THIN.risk.params.maxStepPerHour;
        const newStep = pct(20);
        const penalty = model.slew(
          before.volatility.penalty,
          before.volatility.target,
          oldStep,
          at - before.volatility.checkpoint,
        );
        // At the new speed the same two hours would have gone further: the checkpoint tells them apart.
        const atNewSpeed = model.slew(
          before.volatility.penalty,
          before.volatility.target,
          newStep,
          at - before.volatility.checkpoint,
        );
        expect(atNewSpeed).to.not.equal(penalty);
        const target = await currentTarget(thin);
        expect(target).to.equal(before.volatility.target);
        const tx = f.riskEngine.setMaxStepPerHour(thin, newStep);
        await expect(tx).to.emit(f.riskEngine, "VolatilityPenaltySynced").withArgs(thin, penalty, target);
        await expect(tx).to.emit(f.riskEngine, "MaxStepPerHourSet").withArgs(thin, newStep);
        const state = await f.riskEngine.volatilityState(thin);
        expect([state.penalty, state.target, state.checkpoint]).to.deep.equal([penalty, target, at]);

        await time.increaseTo(at + 600n);
        const later = model.slew(penalty, target, newStep, 600n);
        expect(later - penalty).to.equal(mulDivDown(newStep, 600n, HOUR));
        expect(await f.riskEngine.volatilityPenalty(thin)).to.equal(later);
      });

      it("setMaxStepPerHour_lowered_checkpointsAtTheOldSpeedAndSyncsKeepTheNewOne", async function () {
        // The speed shares its slot with the penalty state: neither write may clobber the other.
        await f.riskEngine.setMaxStepPerHour(thin, pct(5));
        const { before, at } = await laggingPenalty(HOUR / 2n);
        expect(before.params.maxStepPerHour).to.equal(pct(5));
        const newStep = MIN_STEP_PER_HOUR;
        const penalty = model.slew(
          before.volatility.penalty,
          before.volatility.target,
          pct(5),
          at - before.volatility.checkpoint,
        );
        expect(penalty).to.be.gt(before.volatility.penalty);
        await expect(f.riskEngine.setMaxStepPerHour(thin, newStep))
          .to.emit(f.riskEngine, "VolatilityPenaltySynced")
          .withArgs(thin, penalty, before.volatility.target);
        expect((await f.riskEngine.riskParams(thin)).maxStepPerHour).to.equal(newStep);

        // A later sync checkpoints at the new speed and leaves it stored.
        const syncAt = at + 2n * HOUR;
        await time.setNextBlockTimestamp(syncAt);
        const synced = model.slew(penalty, before.volatility.target, newStep, 2n * HOUR);
        expect(synced - penalty).to.equal(mulDivDown(newStep, 2n * HOUR, HOUR));
        await expect(f.riskEngine.sync(thin))
          .to.emit(f.riskEngine, "VolatilityPenaltySynced")
          .withArgs(thin, synced, await currentTarget(thin));
        const after = await readRisk(thin);
        expect(after.params).to.deep.equal({ ...before.params, maxStepPerHour: newStep });
        expect(after.volatility).to.deep.equal({
          penalty: synced,
          target: await currentTarget(thin),
          checkpoint: syncAt,
        });
        await time.increaseTo(syncAt + HOUR);
        expect(await f.riskEngine.volatilityPenalty(thin)).to.equal(synced + newStep);
      });
    });

    it("riskParams_afterListingAndEachSetterInTurn_roundTripsEveryFieldAndLeavesTheRestAlone", async function () {
      // Values that fill their fields (bounds, odd low bits), so a packing slip would show.
      const { token, feed } = await newPricedToken();
      // A move before listing gives the oracle a σ, so the checkpoints have a penalty to move.
      await feed.setAnswer(toFeedAnswer(110n * WAD, 8));
      await f.oracleHub.poke(token);
      const base = MAX_BASE_THRESHOLD - 1n;
      let expected: RiskParams = {
        minThreshold: MIN_MIN_THRESHOLD + 1n,
        borrowBuffer: MAX_BORROW_BUFFER - 3n,
        confidence: MAX_CONFIDENCE - 5n,
        horizon: MAX_HORIZON - 7n,
        minRampDuration: MAX_RAMP_DURATION - 11n,
        depth: MAX_DEPTH - 13n,
        maxSizePenalty: MAX_SIZE_PENALTY - 17n,
        maxStepPerHour: MAX_STEP_PER_HOUR - 19n,
      };
      await f.riskEngine.addCollateral(token, base, expected);
      expect(paramsTuple((await readRisk(token)).params)).to.deep.equal(paramsTuple(expected));
      const ramp = await f.riskEngine.baseRamp(token);

      const updates: [keyof RiskParams, bigint, boolean][] = [
        // [parameter, new value, whether its setter checkpoints the volatility penalty]
        ["minThreshold", base - 23n, false],
        ["borrowBuffer", 29n, false],
        ["confidence", 3n * WAD + 37n, true],
        ["horizon", MIN_HORIZON + 41n, true],
        ["minRampDuration", MIN_RAMP_DURATION + 43n, false],
        ["depth", MIN_DEPTH + 47n, false],
        ["maxSizePenalty", 53n, false],
        ["maxStepPerHour", MIN_STEP_PER_HOUR + 59n, true],
      ];
      for (const [parameter, value, checkpoints] of updates) {
        const before = await readRisk(token);
        const setter = `set${parameter[0].toUpperCase()}${parameter.slice(1)}`;
        await f.riskEngine.getFunction(setter)(token, value);
        expected = { ...expected, [parameter]: value };
        const after = await readRisk(token);
        expect(after.params, setter).to.deep.equal(expected);
        expect(after.ramp, setter).to.deep.equal(before.ramp);
        const at = await now();
        expect(after.volatility, setter).to.deep.equal(
          checkpoints
            ? {
                penalty: model.appliedPenalty(before, at),
                target: cappedTarget(expected.confidence, await f.oracleHub.volatility(token), expected.horizon),
                checkpoint: at,
              }
            : before.volatility,
        );
      }
      const finalRamp = await f.riskEngine.baseRamp(token);
      expect([finalRamp.from, finalRamp.to, finalRamp.start, finalRamp.end]).to.deep.equal([
        ramp.from,
        ramp.to,
        ramp.start,
        ramp.end,
      ]);
    });
  });

  // ------------------------------------------------------------ base ramps

  describe("setBaseThreshold", function () {
    const from = WETH_SPEC.risk.baseThreshold; // 86%
    const duration = DAY;

    it("setBaseThreshold_lowering_dropsTheBorrowBaseAtOnceAndRampsTheLiquidationBaseLinearly", async function () {
      const to = pct(80);
      const start = (await now()) + 10n;
      await time.setNextBlockTimestamp(start);
      await expect(f.riskEngine.setBaseThreshold(weth, to, duration))
        .to.emit(f.riskEngine, "BaseThresholdRamp")
        .withArgs(weth, from, to, start, start + duration);
      const ramp = await f.riskEngine.baseRamp(weth);
      expect([ramp.from, ramp.to, ramp.start, ramp.end]).to.deep.equal([from, to, start, start + duration]);

      // Quarters of the ramp, then past its end: from − (from − to) · progress, exact for whole quarters.
      for (const quarters of [0n, 1n, 2n, 3n, 4n, 8n]) {
        const at = start + (duration * quarters) / 4n;
        if (at > (await now())) await time.increaseTo(at);
        const expected = quarters >= 4n ? to : from - ((from - to) * quarters) / 4n;
        const where = `after ${quarters} quarters of the ramp`;
        expect(model.rampedBase(from, to, start, start + duration, at), where).to.equal(expected);
        expect(await f.riskEngine.liquidationBase(weth), where).to.equal(expected);
        expect(await f.riskEngine.borrowBase(weth), where).to.equal(to);
      }
    });

    it("setBaseThreshold_duringARamp_makesTheVaultThresholdFollowTheLiquidationBase", async function () {
      const vaultId = await openVault(alice, f.weth, units("10"));
      await f.riskEngine.setBaseThreshold(weth, pct(70), duration);
      await time.increase(duration / 2n);
      await publish(f.weth, WETH_SPEC.price);
      const views = await expectVaultViewsMatchMirror(vaultId);
      const base = await f.riskEngine.liquidationBase(weth);
      expect(base).to.be.lt(from).and.gt(pct(70));
      expect(views.base).to.equal(base);
      expect(views.effective).to.equal(base - views.volPenalty - views.sizePenalty);
    });

    it("setBaseThreshold_midRamp_startsTheNewRampFromTheInterpolatedBase", async function () {
      const start = (await now()) + 10n;
      await time.setNextBlockTimestamp(start);
      await f.riskEngine.setBaseThreshold(weth, pct(70), duration);
      // A third of the way: (86% − 70%) / 3 is not a whole number of wei, so the rounding shows.
      const restart = start + duration / 3n;
      const interpolated = from - mulDivUp(from - pct(70), duration / 3n, duration);
      expect(model.rampedBase(from, pct(70), start, start + duration, restart)).to.equal(interpolated);
      await time.setNextBlockTimestamp(restart);
      await expect(f.riskEngine.setBaseThreshold(weth, pct(84), duration))
        .to.emit(f.riskEngine, "BaseThresholdRamp")
        .withArgs(weth, interpolated, pct(84), restart, restart + duration);
      // Continuous: the liquidation base did not move when the ramp was replaced.
      expect(await f.riskEngine.liquidationBase(weth)).to.equal(interpolated);
      // Raising now: borrowing keeps the lower end of the new ramp, which is where the old one had got to.
      expect(await f.riskEngine.borrowBase(weth)).to.equal(interpolated);
      await time.increaseTo(restart + duration / 2n);
      expect(await f.riskEngine.liquidationBase(weth)).to.equal(
        model.rampedBase(interpolated, pct(84), restart, restart + duration, restart + duration / 2n),
      );
      expect(await f.riskEngine.liquidationBase(weth)).to.equal(interpolated + (pct(84) - interpolated) / 2n);
    });

    it("setBaseThreshold_raising_keepsTheOldBaseForBorrowingUntilTheRampEnds", async function () {
      await f.oracleHub.setHeartbeat(thin, MAX_HEARTBEAT);
      const vaultId = await openVault(alice, f.thin, units("100")); // worth 10,000
      const [, value] = await f.vaultEngine.position(vaultId);
      const oldBase = THIN.risk.baseThreshold;
      const newBase = pct(95);
      const { borrowBuffer, depth, maxSizePenalty } = THIN.risk.params;
      const size = min(maxSizePenalty, mulDivUp(value, WAD, value + depth));
      const start = (await now()) + 10n;
      await time.setNextBlockTimestamp(start);
      await expect(f.riskEngine.setBaseThreshold(thin, newBase, duration))
        .to.emit(f.riskEngine, "BaseThresholdRamp")
        .withArgs(thin, oldBase, newBase, start, start + duration);

      const oldLimit = mulWadDown(value, oldBase - size - borrowBuffer);
      const expectOldBaseForBorrowing = async (at: bigint) => {
        expect(await f.riskEngine.borrowBase(thin)).to.equal(oldBase);
        expect(await f.riskEngine.liquidationBase(thin)).to.equal(
          model.rampedBase(oldBase, newBase, start, start + duration, at),
        );
        expect(await f.vaultEngine.maxDebt(vaultId)).to.equal(oldLimit);
        expect(await expectedMaxDebt(f.thin, value)).to.equal(oldLimit);
      };
      await expectOldBaseForBorrowing(start);
      await time.increaseTo(start + duration / 2n);
      await expectOldBaseForBorrowing(start + duration / 2n);
      await expect(f.vaultEngine.connect(alice).borrow(vaultId, oldLimit + 1n, alice))
        .to.be.revertedWithCustomError(f.vaultEngine, "VaultUnsafe")
        .withArgs(vaultId, oldLimit + 1n, oldLimit);
      await time.increaseTo(start + duration - 1n);
      await expectOldBaseForBorrowing(start + duration - 1n);

      await time.increaseTo(start + duration);
      expect(await f.riskEngine.borrowBase(thin)).to.equal(newBase);
      const newLimit = mulWadDown(value, newBase - size - borrowBuffer);
      expect(await f.vaultEngine.maxDebt(vaultId)).to.equal(newLimit);
      await expect(f.vaultEngine.connect(alice).borrow(vaultId, oldLimit + 1n, alice)).to.not.be.reverted;
    });

    it("setBaseThreshold_rampShorterThanMinRampDuration_reverts", async function () {
      await expect(f.riskEngine.setBaseThreshold(weth, pct(80), duration - 1n))
        .to.be.revertedWithCustomError(f.riskEngine, "RampDurationOutOfRange")
        .withArgs(duration - 1n, WETH_SPEC.risk.params.minRampDuration, MAX_RAMP_DURATION);
    });

    it("setBaseThreshold_rampLongerThanMax_reverts", async function () {
      await expect(f.riskEngine.setBaseThreshold(weth, pct(80), MAX_RAMP_DURATION + 1n))
        .to.be.revertedWithCustomError(f.riskEngine, "RampDurationOutOfRange")
        .withArgs(MAX_RAMP_DURATION + 1n, WETH_SPEC.risk.params.minRampDuration, MAX_RAMP_DURATION);
    });

    it("setBaseThreshold_belowMinThreshold_reverts", async function () {
      const floor = WETH_SPEC.risk.params.minThreshold;
      await expect(f.riskEngine.setBaseThreshold(weth, floor - 1n, duration))
        .to.be.revertedWithCustomError(f.riskEngine, "BaseThresholdOutOfRange")
        .withArgs(floor - 1n, floor, MAX_BASE_THRESHOLD);
      await expect(f.riskEngine.setBaseThreshold(weth, floor, duration)).to.emit(f.riskEngine, "BaseThresholdRamp");
    });

    it("setBaseThreshold_aboveMax_reverts", async function () {
      const floor = WETH_SPEC.risk.params.minThreshold;
      await expect(f.riskEngine.setBaseThreshold(weth, MAX_BASE_THRESHOLD + 1n, duration))
        .to.be.revertedWithCustomError(f.riskEngine, "BaseThresholdOutOfRange")
        .withArgs(MAX_BASE_THRESHOLD + 1n, floor, MAX_BASE_THRESHOLD);
      await expect(f.riskEngine.setBaseThreshold(weth, MAX_BASE_THRESHOLD, MAX_RAMP_DURATION)).to.emit(
        f.riskEngine,
        "BaseThresholdRamp",
      );
    });

    it("setBaseThreshold_forUnlistedCollateral_reverts", async function () {
      await expect(f.riskEngine.setBaseThreshold(f.unlisted, pct(80), duration))
        .to.be.revertedWithCustomError(f.riskEngine, "CollateralNotListed")
        .withArgs(f.unlisted);
    });

    it("setBaseThreshold_fromStranger_revertsUnauthorized", async function () {
      await expect(f.riskEngine.connect(stranger).setBaseThreshold(weth, pct(80), duration))
        .to.be.revertedWithCustomError(f.riskEngine, "AccessManagedUnauthorized")
        .withArgs(stranger.address);
    });

    it("setMinThreshold_aboveTheLowerEndOfALoweringRamp_reverts", async function () {
      await f.riskEngine.setBaseThreshold(weth, pct(70), duration);
      await expect(f.riskEngine.setMinThreshold(weth, pct(70) + 1n))
        .to.be.revertedWithCustomError(f.riskEngine, "MinThresholdOutOfRange")
        .withArgs(pct(70) + 1n, MIN_MIN_THRESHOLD, pct(70));
      await expect(f.riskEngine.setMinThreshold(weth, pct(70)))
        .to.emit(f.riskEngine, "MinThresholdSet")
        .withArgs(weth, pct(70));
    });

    it("setMinThreshold_aboveTheLowerEndOfARaisingRamp_reverts", async function () {
      await f.riskEngine.setBaseThreshold(weth, pct(90), duration);
      await expect(f.riskEngine.setMinThreshold(weth, from + 1n))
        .to.be.revertedWithCustomError(f.riskEngine, "MinThresholdOutOfRange")
        .withArgs(from + 1n, MIN_MIN_THRESHOLD, from);
    });

    it("setMinThreshold_afterARaisingRampEnds_mayRiseToTheNewBase", async function () {
      await f.riskEngine.setBaseThreshold(weth, pct(90), duration);
      await time.increase(duration);
      await expect(f.riskEngine.setMinThreshold(weth, pct(90) + 1n))
        .to.be.revertedWithCustomError(f.riskEngine, "MinThresholdOutOfRange")
        .withArgs(pct(90) + 1n, MIN_MIN_THRESHOLD, pct(90));
      await expect(f.riskEngine.setMinThreshold(weth, pct(88)))
        .to.emit(f.riskEngine, "MinThresholdSet")
        .withArgs(weth, pct(88));
    });
  });

  // ------------------------------------------------------------ the model

  describe("model", function () {
    it("liquidationThreshold_atEqualLeverage_isStrictlyLowerForTheLargerVault", async function () {
      const small = await openVault(alice, f.thin, units("100")); // worth 10,000
      const large = await openVault(bob, f.thin, units("5000")); // worth 500,000
      await f.vaultEngine.connect(alice).borrow(small, units("5000"), alice);
      await f.vaultEngine.connect(bob).borrow(large, units("250000"), bob);
      const smallViews = await expectVaultViewsMatchMirror(small);
      const largeViews = await expectVaultViewsMatchMirror(large);
      // Same debt / value.
      expect(smallViews.debt * largeViews.value).to.equal(largeViews.debt * smallViews.value);
      expect(largeViews.sizePenalty).to.be.gt(smallViews.sizePenalty);
      expect(largeViews.effective).to.be.lt(smallViews.effective);
      expect(largeViews.health).to.be.lt(smallViews.health);
    });

    it("liquidationThreshold_afterAVolatilePriceZigZag_isLower", async function () {
      await f.oracleHub.setHeartbeat(thin, MAX_HEARTBEAT);
      const vaultId = await openVault(alice, f.thin, units("100"));
      await f.vaultEngine.connect(alice).borrow(vaultId, units("5000"), alice);
      const calm = await expectVaultViewsMatchMirror(vaultId);
      expect(calm.volPenalty).to.equal(0n);
      const calmRatio = await f.riskEngine.borrowRatio(thin, calm.value);

      await zigZag(f.thin, 6, pct(10), HOUR); // ends at the listing price: same value, same size penalty
      const volatile = await expectVaultViewsMatchMirror(vaultId);
      expect(volatile.value).to.equal(calm.value);
      expect(volatile.sizePenalty).to.equal(calm.sizePenalty);
      expect(volatile.volPenalty).to.be.gt(0n);
      expect(volatile.effective).to.equal(calm.effective - volatile.volPenalty);
      expect(volatile.health).to.be.lt(calm.health);
      // Borrowing already uses the target the applied penalty is still slewing toward.
      const borrowPenalty = await f.riskEngine.borrowVolatilityPenalty(thin);
      expect(borrowPenalty).to.equal((await readRisk(thin)).volatility.target);
      expect(borrowPenalty).to.be.gt(volatile.volPenalty);
      expect(await f.riskEngine.borrowRatio(thin, volatile.value)).to.equal(calmRatio - borrowPenalty);
    });

    /** A zig-zag of the thin market's price through the OracleHub alone: σ rises, nobody syncs. */
    async function unsyncedZigZag(steps: number, move: bigint, interval: number): Promise<void> {
      const { price, feedDecimals } = THIN;
      for (let step = 0; step < steps; step++) {
        await time.increase(interval);
        const next = step % 2 === 0 ? price + mulWadDown(price, move) : price;
        await f.thin.feed.setAnswer(toFeedAnswer(next, feedDecimals));
        await f.oracleHub.poke(thin);
      }
    }

    it("borrowRatio_rightAfterVolatilityJumpedBeforeAnySync_usesTheLiveTargetSoBorrowersGetTheStricterLimit", async function () {
      await f.oracleHub.setHeartbeat(thin, MAX_HEARTBEAT);
      const vaultId = await openVault(alice, f.thin, units("100"));
      const value = await f.vaultEngine.collateralValue(vaultId);
      const calmRatio = await f.riskEngine.borrowRatio(thin, value);
      const calmLimit = await f.vaultEngine.maxDebt(vaultId);
      const stateBefore = await f.riskEngine.volatilityState(thin);

      await unsyncedZigZag(4, pct(20), 600); // ends at the listing price: same value
      expect(await f.vaultEngine.collateralValue(vaultId)).to.equal(value);
      const liveTarget = await currentTarget(thin);
      expect(liveTarget).to.be.gt(THIN.risk.params.borrowBuffer);
      // The engine has not synced: its applied penalty and stored target have not moved.
      expect(await f.riskEngine.volatilityState(thin)).to.deep.equal(stateBefore);
      expect(await f.riskEngine.borrowRatio(thin, value)).to.equal(calmRatio - liveTarget);
      const limit = await f.vaultEngine.maxDebt(vaultId);
      expect(limit).to.equal(mulWadDown(value, calmRatio - liveTarget));
      await expect(f.vaultEngine.connect(alice).borrow(vaultId, calmLimit, alice))
        .to.be.revertedWithCustomError(f.vaultEngine, "VaultUnsafe")
        .withArgs(vaultId, calmLimit, limit);
      expect(await f.riskEngine.borrowVolatilityPenalty(thin)).to.equal(liveTarget);
      // Liquidation still uses the applied penalty: nobody's threshold jumped.
      expect(await f.riskEngine.volatilityPenalty(thin)).to.equal(stateBefore.penalty);
    });

    it("borrowToTheLimit_thenTheAppliedPenaltyCatchesUpWithNoPriceMove_leavesTheVaultHealthy", async function () {
      await f.oracleHub.setHeartbeat(thin, MAX_HEARTBEAT);
      const vaultId = await openVault(alice, f.thin, units("100"));
      await zigZag(f.thin, 4, pct(20), 600n); // synced: the applied penalty is far below its target
      const { penalty, target } = await f.riskEngine.volatilityState(thin);
      expect(target - penalty).to.be.gt(THIN.risk.params.borrowBuffer);
      // 99.9% of the limit: under a limit from the applied penalty, the next block's limit is lower.
      await f.vaultEngine
        .connect(alice)
        .borrow(vaultId, ((await f.vaultEngine.maxDebt(vaultId)) * 999n) / 1000n, alice);

      await time.increase(((target - penalty) * HOUR) / THIN.risk.params.maxStepPerHour + HOUR);
      expect(await f.riskEngine.volatilityPenalty(thin)).to.equal(target);
      const [, value] = await f.vaultEngine.position(vaultId);
      expect(value).to.equal(mulWadDown(units("100"), THIN.price)); // no price move
      expect(await f.riskEngine.isLiquidatable(vaultId)).to.equal(false);
      expect(await f.riskEngine.healthFactor(vaultId)).to.be.gt(WAD);
    });

    it("borrowVolatilityPenalty_whenVolatilityFellButNobodySynced_keepsTheStoredTargetTheAppliedPenaltyStillSlewsToward", async function () {
      await f.oracleHub.setHeartbeat(thin, MAX_HEARTBEAT);
      await f.oracleHub.setHalfLife(thin, 600);
      await zigZag(f.thin, 4, pct(20), 600n);
      const stored = (await f.riskEngine.volatilityState(thin)).target;
      // An hour later a calm round, poked at the oracle only: σ has decayed, the stored target has not.
      await time.increase(HOUR);
      await f.thin.feed.setAnswer(toFeedAnswer(THIN.price, THIN.feedDecimals));
      await f.oracleHub.poke(thin);
      const liveTarget = await currentTarget(thin);
      const applied = await f.riskEngine.volatilityPenalty(thin);
      expect(liveTarget).to.be.lt(stored);
      expect(applied).to.be.lt(stored);
      expect(await f.riskEngine.borrowVolatilityPenalty(thin)).to.equal(stored);
      // Once synced, the applied penalty heads for the lower target and borrowing follows.
      await f.riskEngine.sync(thin);
      const afterSync = await f.riskEngine.volatilityPenalty(thin);
      expect(await f.riskEngine.borrowVolatilityPenalty(thin)).to.equal(
        afterSync > liveTarget ? afterSync : liveTarget,
      );
    });

    it("volatilityPenalty_betweenCheckpoints_slewsTowardTheTargetAtMaxStepPerHour", async function () {
      await zigZag(f.thin, 4, pct(20), 600n);
      const risk = await readRisk(thin);
      const { penalty, target, checkpoint } = risk.volatility;
      expect(target - penalty).to.be.gt(mulDivDown(risk.params.maxStepPerHour, 3n * HOUR, HOUR));
      let previous = penalty;
      for (const elapsed of [1n, HOUR / 2n, HOUR, 3n * HOUR]) {
        await time.increaseTo(checkpoint + elapsed);
        const applied = await f.riskEngine.volatilityPenalty(thin);
        expect(applied).to.equal(penalty + mulDivDown(risk.params.maxStepPerHour, elapsed, HOUR));
        expect(applied).to.be.gte(previous).and.lte(target);
        previous = applied;
      }
      // Far enough out it sits on the target and stays there.
      const reach = checkpoint + ((target - penalty) * HOUR) / risk.params.maxStepPerHour + HOUR;
      await time.increaseTo(reach);
      expect(await f.riskEngine.volatilityPenalty(thin)).to.equal(target);
    });

    it("liquidationThreshold_acrossVaultSizes_staysBetweenTheFloorAndTheBase", async function () {
      await f.oracleHub.setHeartbeat(thin, MAX_HEARTBEAT);
      await f.riskEngine.setMaxSizePenalty(thin, MAX_SIZE_PENALTY);
      const vaults: bigint[] = [];
      for (const amount of ["0", "0.000001", "100", "10000", "1000000"]) {
        vaults.push(await openVault(alice, f.thin, units(amount)));
      }
      const { baseThreshold } = THIN.risk;
      const { minThreshold } = THIN.risk.params;
      const check = async (when: string) => {
        let previous = MAX_UINT256;
        const thresholds: bigint[] = [];
        for (const vaultId of vaults) {
          const views = await expectVaultViewsMatchMirror(vaultId);
          expect(views.effective, `${when}, vault ${vaultId}`).to.be.gte(minThreshold).and.lte(baseThreshold);
          expect(views.effective, `${when}: larger vaults never get a higher threshold`).to.be.lte(previous);
          previous = views.effective;
          thresholds.push(views.effective);
        }
        return thresholds;
      };
      const calm = await check("calm");
      expect(calm[0]).to.equal(baseThreshold); // empty vault, no penalty: exactly the base
      expect(calm[calm.length - 1]).to.equal(minThreshold); // half the value lost to size: at the floor
      await zigZag(f.thin, 4, pct(20), HOUR);
      const volatile = await check("volatile");
      expect(volatile[0]).to.be.lt(baseThreshold);
    });

    it("liquidationThreshold_underASaturatedVolatilityPenalty_sitsOnTheFloor", async function () {
      await f.oracleHub.setHeartbeat(thin, MAX_HEARTBEAT);
      await f.riskEngine.setConfidence(thin, MAX_CONFIDENCE);
      await f.riskEngine.setHorizon(thin, MAX_HORIZON);
      await f.riskEngine.setMaxStepPerHour(thin, MAX_STEP_PER_HOUR);
      const vaultId = await openVault(alice, f.thin, units("100"));
      await f.vaultEngine.connect(alice).borrow(vaultId, units("5000"), alice);

      await publish(f.thin, (THIN.price * 125n) / 100n);
      const sigma = await f.oracleHub.volatility(thin);
      expect(model.volatilityPenaltyTarget(MAX_CONFIDENCE, sigma, MAX_HORIZON)).to.be.gt(WAD);
      expect((await f.riskEngine.volatilityState(thin)).target).to.equal(WAD); // capped at 100%

      await time.increase(2n * HOUR);
      expect(await f.riskEngine.volatilityPenalty(thin)).to.equal(WAD);
      const saturated = await expectVaultViewsMatchMirror(vaultId);
      expect(saturated.base).to.equal(THIN.risk.baseThreshold);
      expect(saturated.volPenalty).to.equal(WAD);
      expect(saturated.effective).to.equal(THIN.risk.params.minThreshold);
      expect(saturated.health).to.equal(mulDivDown(saturated.value, THIN.risk.params.minThreshold, saturated.debt));
      expect(await f.riskEngine.borrowRatio(thin, saturated.value)).to.equal(
        THIN.risk.params.minThreshold - THIN.risk.params.borrowBuffer,
      );

      // Raising the floor lifts the threshold with it.
      await expect(f.riskEngine.setMinThreshold(thin, pct(60)))
        .to.emit(f.riskEngine, "MinThresholdSet")
        .withArgs(thin, pct(60));
      const lifted = await expectVaultViewsMatchMirror(vaultId);
      expect(lifted.effective).to.equal(pct(60));
    });

    it("borrow_pastTheRiskLimitOfABigVault_revertsVaultUnsafeWithThatLimit", async function () {
      const vaultId = await openVault(bob, f.thin, units("5000")); // worth 500,000: size penalty capped
      const [, value] = await f.vaultEngine.position(vaultId);
      const { borrowBuffer, maxSizePenalty } = THIN.risk.params;
      const ratio = THIN.risk.baseThreshold - maxSizePenalty - borrowBuffer;
      expect(ratio).to.be.lt(THIN.maxLTV);
      const limit = mulWadDown(value, ratio);
      expect(await expectedMaxDebt(f.thin, value)).to.equal(limit);
      expect(await f.vaultEngine.maxDebt(vaultId)).to.equal(limit);
      await expect(f.vaultEngine.connect(bob).borrow(vaultId, limit + 1n, bob))
        .to.be.revertedWithCustomError(f.vaultEngine, "VaultUnsafe")
        .withArgs(vaultId, limit + 1n, limit);
      await f.vaultEngine.connect(bob).borrow(vaultId, limit, bob);
      expect(await f.vaultEngine.debtOf(vaultId)).to.equal(limit);
    });

    it("borrow_pastTheLimitARaisedBorrowBufferSets_revertsVaultUnsafeWithTheRiskLimit", async function () {
      const vaultId = await openVault(alice, f.weth, units("10")); // worth 30,000
      const [, value] = await f.vaultEngine.position(vaultId);
      const ltvLimit = mulWadDown(value, WETH_SPEC.maxLTV);
      expect(await f.vaultEngine.maxDebt(vaultId)).to.equal(ltvLimit); // maxLTV binds at first
      await f.riskEngine.setBorrowBuffer(weth, pct(20));
      const limit = await expectedMaxDebt(f.weth, value);
      expect(limit).to.be.lt(ltvLimit);
      expect(await f.vaultEngine.maxDebt(vaultId)).to.equal(limit);

      const amount = limit + units("1");
      const rate = await pinNextRate(weth);
      await expect(f.vaultEngine.connect(alice).borrow(vaultId, amount, alice))
        .to.be.revertedWithCustomError(f.vaultEngine, "VaultUnsafe")
        .withArgs(vaultId, firstBorrowDebt(amount, rate), limit);
    });

    it("withdraw_pastTheRiskLimit_revertsVaultUnsafeWithTheLimitOfWhatIsLeft", async function () {
      const vaultId = await openVault(alice, f.thin, units("1000")); // worth 100,000
      const debt = units("50000");
      await f.vaultEngine.connect(alice).borrow(vaultId, debt, alice);
      // 600 THIN left are worth 60,000: maxLTV alone would allow 54,000, the size and buffer less.
      const valueLeft = mulWadDown(units("600"), THIN.price);
      expect(mulWadDown(valueLeft, THIN.maxLTV)).to.be.gte(debt);
      const limit = await expectedMaxDebt(f.thin, valueLeft);
      expect(limit).to.be.lt(debt);
      await expect(f.vaultEngine.connect(alice).withdraw(vaultId, units("400"), alice))
        .to.be.revertedWithCustomError(f.vaultEngine, "VaultUnsafe")
        .withArgs(vaultId, debt, limit);
      // 800 left stay within the limit.
      expect(await expectedMaxDebt(f.thin, mulWadDown(units("800"), THIN.price))).to.be.gte(debt);
      await expect(f.vaultEngine.connect(alice).withdraw(vaultId, units("200"), alice)).to.changeTokenBalance(
        f.thin.token,
        alice,
        units("200"),
      );
    });
  });

  // ------------------------------------------------------------ views

  describe("views", function () {
    it("thresholdBreakdown_partsAddUpToTheEffectiveThreshold", async function () {
      await f.oracleHub.setHeartbeat(thin, MAX_HEARTBEAT);
      const vaultId = await openVault(alice, f.thin, units("100"));
      await zigZag(f.thin, 4, pct(10), HOUR);
      const [collateral, value] = await f.vaultEngine.position(vaultId);
      expect(collateral).to.equal(thin);
      const [base, volPenalty, sizePenalty, effective] = await f.riskEngine.thresholdBreakdown(vaultId);
      expect(base).to.equal(THIN.risk.baseThreshold);
      expect(volPenalty).to.equal(await f.riskEngine.volatilityPenalty(thin));
      expect(volPenalty).to.be.gt(0n);
      const { depth, maxSizePenalty, minThreshold } = THIN.risk.params;
      expect(sizePenalty).to.equal(min(maxSizePenalty, mulDivUp(value, WAD, value + depth)));
      expect(sizePenalty).to.be.gt(0n);
      expect(effective).to.equal(base - volPenalty - sizePenalty);
      expect(effective).to.be.gt(minThreshold);
      expect(await f.riskEngine.liquidationThreshold(vaultId)).to.equal(effective);
    });

    it("thresholdFor_anyValue_isTheThresholdAVaultWorthThatMuchHas", async function () {
      await f.oracleHub.setHeartbeat(thin, MAX_HEARTBEAT);
      const vaultId = await openVault(alice, f.thin, units("1000"));
      await zigZag(f.thin, 4, pct(10), HOUR);
      // Mid-ramp the liquidation base and the borrow base differ: the threshold follows the former.
      await f.riskEngine.setBaseThreshold(thin, pct(75), DAY);
      await time.increase(DAY / 2n);
      const [, value] = await f.vaultEngine.position(vaultId);
      const risk = await readRisk(thin);
      const expected = model.thresholdBreakdown(risk, value, await now());
      expect(expected.volPenalty).to.be.gt(0n);
      expect(expected.sizePenalty).to.be.gt(0n);
      expect(expected.base).to.be.gt(model.borrowBase(risk.ramp, await now()));
      expect(await f.riskEngine.thresholdFor(thin, value)).to.equal(expected.effective);
      expect(await f.riskEngine.liquidationThreshold(vaultId)).to.equal(expected.effective);
      // Worth nothing, no size penalty: the base less the volatility penalty.
      expect(await f.riskEngine.thresholdFor(thin, 0n)).to.equal(expected.base - expected.volPenalty);
    });

    it("thresholdInputs_combinedWithThresholdMath_giveThresholdForAnyValue", async function () {
      await f.oracleHub.setHeartbeat(thin, MAX_HEARTBEAT);
      await zigZag(f.thin, 4, pct(20), 600n);
      // Mid-ramp and between checkpoints: both the base and the penalty are computed, not stored.
      await f.riskEngine.setBaseThreshold(thin, pct(75), DAY);
      await time.increase(DAY / 3n);
      const valuesFor = (depth: bigint) => [0n, 1n, WAD, units("10000"), depth / 3n, depth, 10n * depth, 10n ** 40n];

      for (const maxSizePenaltySetting of [THIN.risk.params.maxSizePenalty, MAX_SIZE_PENALTY]) {
        await f.riskEngine.setMaxSizePenalty(thin, maxSizePenaltySetting);
        await time.increase(HOUR / 4n);
        const [base, minThreshold, volPenalty, depth, maxSizePenalty] = await f.riskEngine.thresholdInputs(thin);
        const risk = await readRisk(thin);
        const at = await now();
        expect(base).to.equal(model.liquidationBase(risk.ramp, at));
        expect(base).to.not.equal(risk.ramp.from).and.not.equal(risk.ramp.to);
        expect(volPenalty).to.equal(model.appliedPenalty(risk, at));
        expect(volPenalty).to.not.equal(risk.volatility.penalty);
        expect([minThreshold, depth, maxSizePenalty]).to.deep.equal([
          risk.params.minThreshold,
          risk.params.depth,
          maxSizePenaltySetting,
        ]);
        const thresholds: bigint[] = [];
        for (const value of valuesFor(depth)) {
          const expected = model.threshold(
            base,
            minThreshold,
            volPenalty,
            model.sizePenalty(value, depth, maxSizePenalty),
          );
          expect(await f.riskEngine.thresholdFor(thin, value), `value ${value}`).to.equal(expected);
          thresholds.push(expected);
        }
        // The values span the model: from the base less the volatility penalty down to the clamp.
        expect(thresholds[0]).to.equal(base - volPenalty);
        if (maxSizePenaltySetting === MAX_SIZE_PENALTY) expect(thresholds.at(-1)).to.equal(minThreshold);
      }
    });

    it("healthFactor_withoutDebt_isTheLargestUint", async function () {
      const vaultId = await openVault(alice, f.thin, units("100"));
      expect(await f.riskEngine.healthFactor(vaultId)).to.equal(MAX_UINT256);
      expect(await f.riskEngine.isLiquidatable(vaultId)).to.equal(false);
    });

    it("healthFactor_withDebt_isValueTimesThresholdOverDebt", async function () {
      const vaultId = await openVault(alice, f.thin, units("100"));
      await f.vaultEngine.connect(alice).borrow(vaultId, units("6000"), alice);
      const [, value, debt] = await f.vaultEngine.position(vaultId);
      const threshold = await f.riskEngine.liquidationThreshold(vaultId);
      expect(await f.riskEngine.healthFactor(vaultId)).to.equal((value * threshold) / debt);
      await expectVaultViewsMatchMirror(vaultId);
    });

    it("isLiquidatable_asThePriceFalls_flipsExactlyWhenHealthDropsBelowOne", async function () {
      // No volatility penalty, so the threshold depends on the price alone (through the size penalty).
      await f.riskEngine.setConfidence(thin, 0n);
      const amount = units("100");
      const debt = units("7000");
      const vaultId = await openVault(alice, f.thin, amount);
      await f.vaultEngine.connect(alice).borrow(vaultId, debt, alice);

      let answer = toFeedAnswer(THIN.price, THIN.feedDecimals);
      let lastHealthy = answer;
      let views = await expectVaultViewsMatchMirror(vaultId);
      expect(views.health).to.be.gte(WAD);
      for (let step = 0; step < 20 && views.health >= WAD; step++) {
        lastHealthy = answer;
        answer = (answer * 98n) / 100n;
        await publishAnswer(f.thin, answer);
        views = await expectVaultViewsMatchMirror(vaultId);
      }
      expect(views.health).to.be.lt(WAD);

      // The last answer still healthy and the first one not, to one unit of the feed.
      const risk = await readRisk(thin);
      const scale = 10n ** BigInt(18 - THIN.feedDecimals);
      const healthAt = async (a: bigint) => model.healthFactor(risk, mulWadDown(amount, a * scale), debt, await now());
      let [unhealthy, healthy] = [answer, lastHealthy];
      while (healthy - unhealthy > 1n) {
        const mid = (healthy + unhealthy) / 2n;
        if ((await healthAt(mid)) >= WAD) healthy = mid;
        else unhealthy = mid;
      }
      await publishAnswer(f.thin, healthy);
      const above = await expectVaultViewsMatchMirror(vaultId);
      expect(above.health).to.be.gte(WAD);
      expect(await f.riskEngine.isLiquidatable(vaultId)).to.equal(false);
      await publishAnswer(f.thin, unhealthy);
      const below = await expectVaultViewsMatchMirror(vaultId);
      expect(below.health).to.be.lt(WAD);
      expect(await f.riskEngine.isLiquidatable(vaultId)).to.equal(true);

      // The keeper indexes the vault by the highest liquidatable price to the wei, which lies between
      // the two feed answers; the feed's 8 decimals round it to the last of them that liquidates.
      const at = await now();
      const keeperPrice = model.liquidationPrice(risk, { collateralAmount: amount, decimals: 18, debt }, at);
      expect(keeperPrice).to.be.gte(unhealthy * scale);
      expect(keeperPrice).to.be.lt(healthy * scale);
      expect(model.healthFactor(risk, mulWadDown(amount, keeperPrice), debt, at)).to.be.lt(WAD);
      expect(model.healthFactor(risk, mulWadDown(amount, keeperPrice + 1n), debt, at)).to.be.gte(WAD);
      await publishAnswer(f.thin, keeperPrice / scale);
      expect(await f.riskEngine.isLiquidatable(vaultId)).to.equal(true);
      await publishAnswer(f.thin, keeperPrice / scale + 1n);
      expect(await f.riskEngine.isLiquidatable(vaultId)).to.equal(false);
    });

    it("liquidationPrice_withoutDebt_isZero_andWithoutCollateral_isTheLargestUint", async function () {
      const risk = await readRisk(thin);
      const at = await now();
      // No oracle price is 0, so 0 says that no price liquidates the vault; every price liquidates debt alone.
      expect(model.liquidationPrice(risk, { collateralAmount: units("100"), decimals: 18, debt: 0n }, at)).to.equal(0n);
      expect(model.liquidationPrice(risk, { collateralAmount: 0n, decimals: 18, debt: 1n }, at)).to.equal(MAX_UINT256);
      expect(model.liquidationPrice(risk, { collateralAmount: 0n, decimals: 6, debt: 0n }, at)).to.equal(0n);
    });

    it("isLiquidatable_atHealthExactlyOne_isFalse", async function () {
      // Without a buffer the borrowing limit is V · LT: borrowing all of it lands on health 1 exactly
      // when V · LT is a whole number of wad (10,000 · LT is).
      await f.riskEngine.setBorrowBuffer(thin, 0n);
      const vaultId = await openVault(alice, f.thin, units("100"));
      const limit = await f.vaultEngine.maxDebt(vaultId);
      const [, value] = await f.vaultEngine.position(vaultId);
      const threshold = await f.riskEngine.liquidationThreshold(vaultId);
      expect(limit).to.equal(mulWadDown(value, threshold));
      expect((value * threshold) % WAD).to.equal(0n);
      await f.vaultEngine.connect(alice).borrow(vaultId, limit, alice);
      expect(await f.riskEngine.healthFactor(vaultId)).to.equal(WAD);
      expect(await f.riskEngine.isLiquidatable(vaultId)).to.equal(false);
      // One feed unit of price lower tips it below one.
      await publishAnswer(f.thin, toFeedAnswer(THIN.price, THIN.feedDecimals) - 1n);
      const views = await expectVaultViewsMatchMirror(vaultId);
      expect(views.health).to.be.lt(WAD);
      expect(await f.riskEngine.isLiquidatable(vaultId)).to.equal(true);
    });

    it("vaultViews_whenTheOracleIsStale_revertWithStalePrice", async function () {
      const vaultId = await openVault(alice, f.thin, units("100"));
      await time.increase(2n * HOUR);
      const [, updatedAt] = await f.oracleHub.priceState(thin);
      await expect(f.riskEngine.healthFactor(vaultId))
        .to.be.revertedWithCustomError(f.oracleHub, "StalePrice")
        .withArgs(thin, updatedAt, ORACLE_DEFAULTS.heartbeat);
      await publish(f.thin, THIN.price);
      await expectVaultViewsMatchMirror(vaultId);
    });

    it("borrowRatio_whenTheBufferReachesTheThreshold_isZero", async function () {
      const { token } = await newPricedToken();
      const threshold = pct(30);
      await f.riskEngine.addCollateral(
        token,
        threshold,
        freshParams({ minThreshold: MIN_MIN_THRESHOLD, borrowBuffer: MAX_BORROW_BUFFER, depth: MIN_DEPTH }),
      );
      // No value, no penalty: LT is the base, equal to the buffer.
      expect(await f.riskEngine.borrowRatio(token, 0n)).to.equal(0n);
      // Any value adds a size penalty: LT below the buffer.
      expect(await f.riskEngine.borrowRatio(token, WAD)).to.equal(0n);
      await f.riskEngine.setBorrowBuffer(token, threshold - 1n);
      expect(await f.riskEngine.borrowRatio(token, 0n)).to.equal(1n);
    });

    it("liquidationBaseAndBorrowBase_withoutARamp_areTheListedBase", async function () {
      for (const c of [f.weth, f.wbtc, f.thin]) {
        const token = await c.token.getAddress();
        expect(await f.riskEngine.liquidationBase(token)).to.equal(c.spec.risk.baseThreshold);
        expect(await f.riskEngine.borrowBase(token)).to.equal(c.spec.risk.baseThreshold);
      }
    });

    it("collateralViews_forUnlistedCollateral_revert", async function () {
      const views: [string, () => Promise<unknown>][] = [
        ["borrowRatio", () => f.riskEngine.borrowRatio(f.unlisted, WAD)],
        ["thresholdFor", () => f.riskEngine.thresholdFor(f.unlisted, WAD)],
        ["thresholdInputs", () => f.riskEngine.thresholdInputs(f.unlisted)],
        ["volatilityPenalty", () => f.riskEngine.volatilityPenalty(f.unlisted)],
        ["liquidationBase", () => f.riskEngine.liquidationBase(f.unlisted)],
        ["borrowBase", () => f.riskEngine.borrowBase(f.unlisted)],
        ["riskParams", () => f.riskEngine.riskParams(f.unlisted)],
        ["baseRamp", () => f.riskEngine.baseRamp(f.unlisted)],
        ["volatilityState", () => f.riskEngine.volatilityState(f.unlisted)],
      ];
      for (const [view, read] of views) {
        await expect(read(), view)
          .to.be.revertedWithCustomError(f.riskEngine, "CollateralNotListed")
          .withArgs(f.unlisted);
      }
    });

    it("vaultViews_forUnknownVault_revertWithVaultNotFound", async function () {
      const unknown = (await f.vaultEngine.vaultCount()) + 1n;
      const views: [string, () => Promise<unknown>][] = [
        ["liquidationThreshold", () => f.riskEngine.liquidationThreshold(unknown)],
        ["thresholdBreakdown", () => f.riskEngine.thresholdBreakdown(unknown)],
        ["healthFactor", () => f.riskEngine.healthFactor(unknown)],
        ["isLiquidatable", () => f.riskEngine.isLiquidatable(unknown)],
      ];
      for (const [view, read] of views) {
        await expect(read(), view).to.be.revertedWithCustomError(f.vaultEngine, "VaultNotFound").withArgs(unknown);
      }
    });

    it("vaultViews_forACollateralTheRiskEngineDoesNotList_revert", async function () {
      const { token } = await newPricedToken();
      await f.vaultEngine.addCollateral(token, {
        debtCeiling: THIN.debtCeiling,
        dust: THIN.dust,
        stabilityFee: RAY,
        maxLTV: THIN.maxLTV,
      });
      const vaultId = (await f.vaultEngine.vaultCount()) + 1n;
      await f.vaultEngine.connect(alice).openVault(token);
      await expect(f.riskEngine.liquidationThreshold(vaultId))
        .to.be.revertedWithCustomError(f.riskEngine, "CollateralNotListed")
        .withArgs(token);
      await expect(f.riskEngine.healthFactor(vaultId))
        .to.be.revertedWithCustomError(f.riskEngine, "CollateralNotListed")
        .withArgs(token);
    });
  });

  // ------------------------------------------------------------ sync and poke

  describe("sync and poke", function () {
    it("sync_afterTheOracleMoved_checkpointsThePenaltyAndAimsAtTheNewTarget", async function () {
      await zigZag(f.thin, 2, pct(20), 600n);
      // The oracle alone moves: the engine keeps aiming at the old target until someone syncs.
      await f.thin.feed.setAnswer(toFeedAnswer((THIN.price * 120n) / 100n, THIN.feedDecimals));
      await f.oracleHub.poke(thin);
      const before = await readRisk(thin);
      const target = await currentTarget(thin);
      expect(target).to.not.equal(before.volatility.target);

      const [returnedPenalty, returnedTarget] = await f.riskEngine.sync.staticCall(thin);
      expect([returnedPenalty, returnedTarget]).to.deep.equal([model.appliedPenalty(before, await now()), target]);

      const at = (await now()) + 1_000n;
      await time.setNextBlockTimestamp(at);
      const penalty = model.appliedPenalty(before, at);
      await expect(f.riskEngine.sync(thin))
        .to.emit(f.riskEngine, "VolatilityPenaltySynced")
        .withArgs(thin, penalty, target);
      const state = await f.riskEngine.volatilityState(thin);
      expect([state.penalty, state.target, state.checkpoint]).to.deep.equal([penalty, target, at]);
    });

    it("poke_publishesTheOraclePriceAndSyncsThePenalty", async function () {
      const price = (THIN.price * 110n) / 100n;
      await f.thin.feed.setAnswer(toFeedAnswer(price, THIN.feedDecimals));
      expect(await f.riskEngine.poke.staticCall(thin)).to.equal(price);
      const before = await readRisk(thin);
      const tx = f.riskEngine.poke(thin);
      await expect(tx).to.emit(f.oracleHub, "PriceUpdated");
      await expect(tx).to.emit(f.riskEngine, "VolatilityPenaltySynced");
      const [storedPrice] = await f.oracleHub.priceState(thin);
      expect(storedPrice).to.equal(price);
      const state = await f.riskEngine.volatilityState(thin);
      const at = await now();
      expect([state.penalty, state.target, state.checkpoint]).to.deep.equal([
        model.appliedPenalty(before, at),
        await currentTarget(thin),
        at,
      ]);
      expect(state.target).to.be.gt(0n);
    });

    it("syncAndPoke_forUnlistedCollateral_revert", async function () {
      await expect(f.riskEngine.sync(f.unlisted))
        .to.be.revertedWithCustomError(f.riskEngine, "CollateralNotListed")
        .withArgs(f.unlisted);
      // A token the oracle prices fine: the engine itself refuses it.
      const { token } = await newPricedToken();
      await expect(f.riskEngine.poke(token))
        .to.be.revertedWithCustomError(f.riskEngine, "CollateralNotListed")
        .withArgs(token);
    });
  });
});
