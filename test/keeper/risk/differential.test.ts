// Differential test of the keeper's pricing of vaults against the chain (issue #11, acceptance 4),
// on the in-process chain, through the keeper's own reads (connectProtocol: market, readVaults) and
// the functions the keeper keys and sizes vaults with (keeper/src/risk/vaults.ts), for random vaults
// on 6-, 8- and 18-decimal collateral with a stability fee, a volatility penalty slewing, the size
// penalty and a base ramp in play:
//  - the key the keeper files a vault under is its liquidation price as the chain rounds it: with
//    that price published, RiskEngine finds the vault liquidatable (health < 1), and one wei above
//    it not (the property liquidationPrice documents);
//  - the keeper's health and debt of the vault are the chain's, at every price published;
//  - the keeper's preview of a liquidation (slice, collateral and debt seized, debt to raise,
//    incentive, full/cut, refusal) is Liquidator.previewLiquidation's, to the wei, also under tight
//    caps on debt in auction.
import { expect } from "chai";
import fc from "fast-check";
import { ethers, network } from "hardhat";
import { loadFixture, takeSnapshot, time } from "@nomicfoundation/hardhat-network-helpers";
import { connectProtocol, type CollateralMarket } from "../../../keeper/src/chain/contracts";
import type { VaultState } from "../../../keeper/src/index/types";
import { RAY, WAD, perSecondRate, valueDown } from "../../../keeper/src/math/fixedPoint";
import { debtUp } from "../../../keeper/src/math/liquidation";
import { healthFactor } from "../../../keeper/src/risk/thresholds";
import {
  liquidationKey,
  previewLiquidation,
  type LiquidationPreview,
  type LiquidationTerms,
} from "../../../keeper/src/risk/vaults";
import { listMockCollateral, toManifest, type LocalCollateral } from "../../../scripts/lib/deploy";
import { deploySluiceFixture, type SluiceFixture } from "../../helpers/fixtures";
import {
  LIMITS,
  MAX_HEARTBEAT,
  MILLION,
  UINT128_MAX,
  UINT256_MAX,
  freeParamsArb,
  logUniformArb,
  rampArb,
  rangeArb,
  setFreeParams,
  show,
  within,
  openVault,
  borrowShare,
  startRamp,
} from "../../helpers/riskProperty";
import { propertyRuns } from "../../helpers/runs";

const MAX_STABILITY_FEE = perSecondRate(WAD); // VaultEngine's limit: 100% a year [ray]
const LISTING_PRICE = 1_000n * WAD;
/** Blocks kept free before the evaluation, for a price climbing to a liquidation price far above (≤ 2× a block). */
const CLIMB_ROOM = 64n;
const REFUSALS = ["None", "Healthy", "InAuction", "BorrowedThisBlock", "NoRoom", "Unpriced", "Unknown"] as const;

/** One collateral per decimals with an 18-decimal feed (prices published to the wei), no jump limit, wide bounds. */
async function differentialFixture() {
  const f = await deploySluiceFixture();
  const template = f.weth.spec;
  const byDecimals = new Map<number, LocalCollateral>();
  for (const decimals of [6, 8, 18]) {
    const collateral = await listMockCollateral(f.governor, f, {
      ...template,
      symbol: `DF${decimals}`,
      decimals,
      feedDecimals: 18,
      price: LISTING_PRICE,
      maxLTV: (99n * WAD) / 100n,
      debtCeiling: UINT128_MAX,
      dust: WAD,
    });
    const token = await collateral.token.getAddress();
    await f.oracleHub.setMaxJump(token, WAD);
    await f.oracleHub.setPriceBounds(token, 1n, UINT128_MAX);
    await f.oracleHub.setHeartbeat(token, MAX_HEARTBEAT);
    byDecimals.set(decimals, collateral);
  }
  await f.vaultEngine.setGlobalDebtCeiling(UINT128_MAX);
  const protocol = connectProtocol(await toManifest(f, "hardhat"), ethers.provider);
  return { ...f, byDecimals, protocol };
}
type DifferentialFixture = SluiceFixture & Awaited<ReturnType<typeof differentialFixture>>;

const caseArb = fc.record({
  fee: fc.oneof(fc.constant(RAY), rangeArb(RAY, MAX_STABILITY_FEE)),
  params: freeParamsArb,
  depthOverValue: fc.integer({ min: -2_000, max: 2_000 }), // [log10, in thousandths]
  maxSizePenalty: rangeArb(0n, LIMITS.maxSizePenalty),
  volatilityMoves: fc.array(
    fc.record({ wait: fc.integer({ min: 1, max: 3_600 }), movePermille: fc.integer({ min: -300, max: 300 }) }),
    { minLength: 1, maxLength: 3 },
  ),
  ramp: fc.option(rampArb, { nil: undefined }),
  rampProgressPermille: fc.integer({ min: 0, max: 1_200 }), // where the evaluation falls in the ramp
  minThresholdShare: rangeArb(0n, MILLION),
  value: logUniformArb(2, 7), // [stablecoin] at the listing price
  borrowPermille: fc.integer({ min: 300, max: 999 }), // of the headroom
  delay: fc.integer({ min: 1, max: 7_200 }), // [seconds] from the borrow to the evaluation
  liquidation: fc.record({
    penalty: rangeArb(0n, WAD / 2n),
    targetHealth: rangeArb(WAD + 1n, 2n * WAD),
    fullLiquidationHealth: rangeArb(WAD / 2n, WAD),
    collateralMargin: rangeArb(WAD, 3n * WAD),
  }),
  incentive: fc.record({
    flatIncentive: rangeArb(0n, 100n * WAD),
    incentiveRate: rangeArb(0n, WAD / 10n),
    maxIncentive: rangeArb(0n, 1_000n * WAD),
  }),
  /** The cap on debt in auction as a share of the vault's debt [‰]; none most of the time. */
  capPermille: fc.option(fc.integer({ min: 0, max: 1_500 }), { nil: undefined, freq: 2 }),
  crashPermille: fc.integer({ min: 1, max: 999 }), // a price below the liquidation price [‰ of it]
});
type DifferentialCase = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

interface Observed {
  at: bigint;
  block: number;
  market: CollateralMarket;
  vault: VaultState;
}

/** Publishes `price` [wad] on the 18-decimal feed and pokes the hub, both in one block at `at`. */
async function publishAt(f: DifferentialFixture, collateral: LocalCollateral, price: bigint, at: bigint) {
  await time.setNextBlockTimestamp(at);
  await network.provider.send("evm_setAutomine", [false]);
  try {
    // Explicit gas limits: estimation would run against the block before the new round.
    const publish = await collateral.feed.setAnswer(price, { gasLimit: 300_000 });
    const poke = await f.oracleHub.poke(await collateral.token.getAddress(), { gasLimit: 300_000 });
    await network.provider.send("evm_mine");
    await publish.wait();
    await poke.wait();
  } finally {
    await network.provider.send("evm_setAutomine", [true]);
  }
}

const chainPreview = (
  p: Awaited<ReturnType<SluiceFixture["liquidator"]["previewLiquidation"]>>,
): LiquidationPreview => ({
  refusal: REFUSALS[Number(p.refusal)] as LiquidationPreview["refusal"],
  health: p.health,
  full: p.full,
  cut: p.cut,
  debtSlice: p.debtSlice,
  collateralSeized: p.collateralSeized,
  normalizedDebtSeized: p.normalizedDebtSeized,
  debtSeized: p.debtSeized,
  debtToRaise: p.debtToRaise,
  incentive: p.incentive,
});

async function runDifferential(decimals: number, s: DifferentialCase): Promise<void> {
  const f = (await loadFixture(differentialFixture)) as DifferentialFixture;
  const collateral = f.byDecimals.get(decimals)!;
  const token = await collateral.token.getAddress();
  const [owner, keeper] = f.users;
  const amount = (s.value * 10n ** BigInt(decimals) * WAD) / LISTING_PRICE;
  const depth = BigInt(Math.round(Number(s.value * WAD) * 10 ** (s.depthOverValue / 1_000)));

  await f.vaultEngine.setStabilityFee(token, s.fee);
  await f.riskEngine.setMinThreshold(token, LIMITS.minMinThreshold);
  await f.riskEngine.setMinRampDuration(token, LIMITS.minRampDuration);
  await setFreeParams(f.riskEngine, token, {
    ...s.params,
    depth: depth < LIMITS.minDepth ? LIMITS.minDepth : depth > LIMITS.maxDepth ? LIMITS.maxDepth : depth,
    maxSizePenalty: s.maxSizePenalty,
  });
  await f.liquidator.setPenalty(token, s.liquidation.penalty);
  await f.liquidator.setTargetHealth(token, s.liquidation.targetHealth);
  await f.liquidator.setFullLiquidationHealth(token, s.liquidation.fullLiquidationHealth);
  await f.liquidator.setCollateralMargin(token, s.liquidation.collateralMargin);
  await f.dutchAuction.setIncentiveParams(s.incentive);

  const vaultId = await openVault(f, owner, collateral, amount);
  // Price moves through the RiskEngine leave a volatility penalty slewing toward its target.
  for (const move of s.volatilityMoves) {
    await time.increase(move.wait);
    const [, answer] = await collateral.feed.latestRoundData();
    await collateral.feed.setAnswer((answer * BigInt(1_000 + move.movePermille)) / 1_000n);
    await f.riskEngine.poke(token);
  }
  await borrowShare(f, owner, vaultId, s.borrowPermille);
  let at = BigInt(await time.latest()) + CLIMB_ROOM + BigInt(s.delay);
  if (s.ramp) {
    await startRamp(f.riskEngine, token, s.ramp);
    const ramp = await f.riskEngine.baseRamp(token);
    const during = ramp.start + ((ramp.end - ramp.start) * BigInt(s.rampProgressPermille)) / 1_000n;
    if (during > at) at = during;
  }
  const ramp = await f.riskEngine.baseRamp(token);
  const lowestEnd = ramp.from < ramp.to ? ramp.from : ramp.to;
  await f.riskEngine.setMinThreshold(token, within(LIMITS.minMinThreshold, lowestEnd, s.minThresholdShare));
  if (s.capPermille !== undefined) {
    const debt = await f.vaultEngine.debtOf(vaultId);
    await f.dutchAuction.setMaxDebtInAuction(token, (debt * BigInt(s.capPermille)) / 1_000n);
  }
  const [listed] = await f.oracleHub.priceState(token);
  const before = await takeSnapshot();

  /** The chain with `price` published at `at` (climbing to it in earlier blocks), as the keeper reads it. */
  const observe = async (price: bigint): Promise<Observed> => {
    await before.restore();
    const climb: bigint[] = [];
    for (let step = listed; step * 2n < price; step *= 2n) climb.push(step * 2n);
    expect(BigInt(climb.length) < CLIMB_ROOM, `a climb of ${climb.length} doublings to ${price}`).to.equal(true);
    for (const [i, step] of climb.entries()) await publishAt(f, collateral, step, at - BigInt(climb.length - i));
    await publishAt(f, collateral, price, at);
    const head = await f.protocol.reader.getBlock("latest");
    expect(BigInt(head.timestamp)).to.equal(at);
    const market = (await f.protocol.markets([token], head.number)).markets.get(token);
    expect(market, "the keeper prices the collateral").to.not.equal(undefined);
    expect(market!.price).to.equal(price);
    const [vault] = await f.protocol.reader.readVaults([vaultId], head.number);
    return { at, block: head.number, market: market!, vault };
  };
  const terms = async (block: number): Promise<LiquidationTerms> => {
    const [params, incentive, [room, totalRoom]] = await Promise.all([
      f.liquidator.liquidationParams(token, { blockTag: block }),
      f.dutchAuction.incentiveParams({ blockTag: block }),
      f.dutchAuction.room(token, { blockTag: block }),
    ]);
    return {
      params: {
        penalty: params.penalty,
        targetHealth: params.targetHealth,
        fullLiquidationHealth: params.fullLiquidationHealth,
        collateralMargin: params.collateralMargin,
      },
      incentive: {
        flatIncentive: incentive.flatIncentive,
        incentiveRate: incentive.incentiveRate,
        maxIncentive: incentive.maxIncentive,
      },
      room: room < totalRoom ? room : totalRoom,
    };
  };
  /** The keeper's health and preview of the vault against RiskEngine.healthFactor and the Liquidator's preview. */
  const expectAgreement = async (seen: Observed, context: string): Promise<LiquidationPreview> => {
    const { market, vault, at: now } = seen;
    const debt = debtUp(vault.normalizedDebt, market.rate);
    const value = valueDown(vault.collateralAmount, market.decimals, market.price);
    const [chainDebt, chainHealth, chainPreviewed] = await Promise.all([
      f.vaultEngine.debtOf(vaultId),
      f.riskEngine.healthFactor(vaultId),
      f.liquidator.connect(keeper).previewLiquidation(vaultId),
    ]);
    expect(debt, `debt; ${context}`).to.equal(chainDebt);
    expect(healthFactor(market.risk, value, debt, now), `health; ${context}`).to.equal(chainHealth);
    const mirrored = previewLiquidation(market, vault, now, await terms(seen.block));
    expect(show(mirrored), `preview; ${context}`).to.equal(show(chainPreview(chainPreviewed)));
    return mirrored;
  };

  const listedSeen = await observe(listed);
  const key = liquidationKey(listedSeen.market, listedSeen.vault, at);
  const context = `vault ${show(listedSeen.vault)}, market ${show(listedSeen.market)}, at ${at}, key ${key}`;
  await expectAgreement(listedSeen, `at the listed price; ${context}`);
  if (listedSeen.vault.normalizedDebt === 0n) {
    expect(key, context).to.equal(0n);
    expect(await f.riskEngine.healthFactor(vaultId), context).to.equal(UINT256_MAX);
    return;
  }

  const atKey = await observe(key);
  expect(liquidationKey(atKey.market, atKey.vault, at), `the key does not depend on the price; ${context}`).to.equal(
    key,
  );
  expect(await f.riskEngine.isLiquidatable(vaultId), `liquidatable at the key; ${context}`).to.equal(true);
  const preview = await expectAgreement(atKey, `at the key; ${context}`);
  expect(preview.health, `health at the key; ${context}`).to.be.lt(WAD);

  await expectAgreement(await observe(key + 1n), `one wei above the key; ${context}`);
  expect(await f.riskEngine.isLiquidatable(vaultId), `liquidatable one wei above the key; ${context}`).to.equal(false);
  expect(await f.riskEngine.healthFactor(vaultId), `health one wei above the key; ${context}`).to.be.gte(WAD);

  const crash = (key * BigInt(s.crashPermille)) / 1_000n;
  if (crash > 0n) await expectAgreement(await observe(crash), `at ${crash}, below the key; ${context}`);
}

describe("keeper vault pricing vs the chain (differential)", function () {
  for (const decimals of [6, 8, 18]) {
    it(`keyAndPreview_onRandom${decimals}DecimalVaults_agreeWithHealthFactorAndPreviewLiquidation`, async function () {
      await fc.assert(
        fc.asyncProperty(caseArb, (s) => runDifferential(decimals, s)),
        { numRuns: propertyRuns(25), seed: 110 + decimals },
      );
    });
  }
});
