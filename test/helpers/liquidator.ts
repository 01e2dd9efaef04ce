// The Liquidator tests' shared moves: the closed-form plan of a liquidation (Liquidator._plan and
// _slice written out from the engine's views at the block of the liquidation), the plan of a batch,
// the incentive from its definition, liquidations read back from their events, the stored rates
// debt is booked at, and transactions sent into one block.
import { expect } from "chai";
import { ethers, network } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionReceipt, ContractTransactionResponse, Result, TransactionReceipt } from "ethers";
import { RAY, WAD, divWadDown, mulDivDown, mulDivUp, mulWadUp, valueDown } from "../../keeper/src/math/fixedPoint";
import { incentiveDown, maxIncentiveDown, size, sliceUp } from "../../keeper/src/math/liquidation";
import { LOCAL_COLLATERALS } from "../../scripts/lib/deploy";
import { MockAggregator__factory, MockERC20__factory } from "../../typechain-types";
import type { ILiquidator } from "../../typechain-types";
import { type SluiceFixture } from "./fixtures";
import * as market from "./market";

export type Signer = HardhatEthersSigner;
export type Collateral = market.Collateral;

/** IVaultEngine.LiquidationData as a plain object. */
export interface LiquidationData {
  owner: string;
  collateral: string;
  collateralAmount: bigint;
  normalizedDebt: bigint;
  rate: bigint;
  price: bigint;
  value: bigint;
  debt: bigint;
  dust: bigint;
  lastBorrowBlock: bigint;
  inAuction: boolean;
  decimals: bigint;
}
export type LiquidationParams = ILiquidator.LiquidationParamsStructOutput;

/** A struct a view returned, as a plain object (TypeChain types it as a tuple; it is a Result). */
export const plain = (struct: unknown): Record<string, unknown> => (struct as Result).toObject();
export const PENDING = { blockTag: "pending" } as const;
export const MAX_UINT256 = 2n ** 256n - 1n;
/** ILiquidator.Refusal. */
export const REFUSAL = {
  None: 0n,
  Healthy: 1n,
  InAuction: 2n,
  BorrowedThisBlock: 3n,
  NoRoom: 4n,
  Unpriced: 5n,
  Unknown: 6n,
};
export const GAS = { gasLimit: 3_000_000n } as const;
export const pct = (percent: number): bigint => (BigInt(Math.round(percent * 100)) * WAD) / 10_000n;
export const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
export const floorSub = (a: bigint, b: bigint): bigint => (a > b ? a - b : 0n);

// Liquidator.sol bounds.
export const MAX_PENALTY = pct(50);
export const MAX_TARGET_HEALTH = 2n * WAD;
export const MAX_COLLATERAL_MARGIN = 3n * WAD;

export const WETH_LIQUIDATION = LOCAL_COLLATERALS[0].liquidation!;
export const WETH_AUCTION = LOCAL_COLLATERALS[0].auction!;

export type Refusal = "InAuction" | "Healthy" | "NoRoom";

/** A vault as a liquidation in the next block sees it. */
export interface VaultView {
  vaultId: bigint;
  data: LiquidationData;
  params: LiquidationParams;
  threshold: bigint;
  health: bigint;
}

/** What a liquidation of the vault must do, from Liquidator._plan written out. */
export interface Plan extends VaultView {
  refusal?: Refusal;
  room: bigint;
  /** Cut down to `room` by the caps. */
  cut: boolean;
  slice: bigint;
  full: boolean;
  collateralSeized: bigint;
  normalizedDebtSeized: bigint;
  debtSeized: bigint;
  debtToRaise: bigint;
  vaultKeepsCollateral: boolean;
}

/** What one liquidation did, from the VaultEngine's `Seized` and the DutchAuction's `AuctionStarted`. */
export interface Liquidation {
  vaultId: bigint;
  collateralSeized: bigint;
  normalizedDebtSeized: bigint;
  bookedDebt: bigint; // [rad]
  keeper: string;
  debtToRaise: bigint;
  startPrice: bigint;
  incentive: bigint;
}

/** LiquidationMath.sliceUp (through its mirror) of a vault given by the fields it reads. */
export function referenceSlice(
  data: { debt: bigint; value: bigint; dust: bigint },
  params: LiquidationParams | typeof WETH_LIQUIDATION,
  threshold: bigint,
  health: bigint,
): [bigint, boolean] {
  const vault = { collateralAmount: 0n, normalizedDebt: 0n, rate: RAY, price: WAD, decimals: 18 };
  const { slice, full } = sliceUp(
    { ...vault, debt: data.debt, value: data.value, dust: data.dust },
    params,
    threshold,
    health,
  );
  return [slice, full];
}

/** The vault as the pending block sees it (pin the block's timestamp first). */
export async function viewVault(f: SluiceFixture, vaultId: bigint): Promise<VaultView> {
  const data = plain(await f.vaultEngine.liquidationData(vaultId, PENDING)) as unknown as LiquidationData;
  const params = await f.liquidator.liquidationParams(data.collateral);
  const threshold = await f.riskEngine.thresholdFor(data.collateral, data.value, PENDING);
  const health = data.debt === 0n ? MAX_UINT256 : mulDivDown(data.value, threshold, data.debt);
  return { vaultId, data, params, threshold, health };
}

/**
 * Liquidator._plan with `room` [wad] under the caps, written out, for a vault that did not borrow in
 * the block (the tests of BorrowedThisBlock check the refusal itself).
 */
export function planWithRoom(vault: VaultView, room: bigint): Plan {
  const { data, params, threshold, health } = vault;
  const refused = (refusal: Refusal): Plan => ({
    ...vault,
    refusal,
    room,
    cut: false,
    slice: 0n,
    full: false,
    collateralSeized: 0n,
    normalizedDebtSeized: 0n,
    debtSeized: 0n,
    debtToRaise: 0n,
    vaultKeepsCollateral: false,
  });
  if (data.inAuction) return refused("InAuction");
  if (health >= WAD) return refused("Healthy");
  const vaultForMath = { ...data, decimals: Number(data.decimals) };
  const sizing = size(vaultForMath, params, threshold, health, room);
  if (sizing.noRoom) return refused("NoRoom");
  return withSeized(
    {
      ...vault,
      room,
      cut: sizing.cut,
      slice: sizing.cut ? divWadDown(room, WAD + params.penalty) : sizing.debtSlice,
      full: sizing.full && !sizing.cut,
    },
    sizing.normalizedDebt,
    sizing.collateralAmount,
  );
}

/** The plan completed from what it seizes: the debt with fees to now, and what the auction raises. */
export function withSeized(
  plan: Omit<Plan, "collateralSeized" | "normalizedDebtSeized" | "debtSeized" | "debtToRaise" | "vaultKeepsCollateral">,
  normalizedDebtSeized: bigint,
  collateralSeized: bigint,
): Plan {
  const debtSeized = mulDivUp(normalizedDebtSeized, plan.data.rate, RAY);
  return {
    ...plan,
    collateralSeized,
    normalizedDebtSeized,
    debtSeized,
    debtToRaise: mulWadUp(debtSeized, WAD + plan.params.penalty),
    vaultKeepsCollateral: collateralSeized < plan.data.collateralAmount,
  };
}

/** The room [wad] a new auction of `collateral` has in the pending block: the smaller of the two. */
export async function roomOf(f: SluiceFixture, collateral: string): Promise<bigint> {
  const [collateralRoom, totalRoom] = await f.dutchAuction.room(collateral, PENDING);
  return min(collateralRoom, totalRoom);
}

/**
 * Liquidates `vaultId` in the next block expecting the refusal for room: `NoAuctionRoom` carrying the
 * debt the uncut liquidation would raise (sized under no cap) and the room it does not fit.
 */
export async function expectNoAuctionRoom(f: SluiceFixture, vaultId: bigint, keeper: string): Promise<void> {
  await time.setNextBlockTimestamp((await time.latest()) + 1);
  const vault = await viewVault(f, vaultId);
  const room = await roomOf(f, vault.data.collateral);
  const uncut = planWithRoom(vault, MAX_UINT256);
  expect(uncut.debtToRaise, "the uncut liquidation does not fit the room").to.be.gt(room);
  await expect(f.liquidator.liquidate(vaultId, keeper))
    .to.be.revertedWithCustomError(f.liquidator, "NoAuctionRoom")
    .withArgs(vault.data.collateral, uncut.debtToRaise, room);
}

/**
 * Pins the next block's timestamp and computes, from views evaluated at that block, what a
 * liquidation of `vaultId` in it must do. The next transaction sent must be that liquidation.
 */
export async function planNextBlock(f: SluiceFixture, vaultId: bigint): Promise<Plan> {
  await time.setNextBlockTimestamp((await time.latest()) + 1);
  const vault = await viewVault(f, vaultId);
  return planWithRoom(vault, await roomOf(f, vault.data.collateral));
}

/**
 * What `liquidateBatch(f, vaultIds)` must do in the pending block (pin its timestamp first): each vault
 * planned in order against the rooms the earlier ones left; undefined for a vault it skips.
 */
export async function planBatch(f: SluiceFixture, vaultIds: bigint[]): Promise<(Plan | undefined)[]> {
  const count = await f.vaultEngine.vaultCount();
  const collateralRooms = new Map<string, bigint>();
  const seized = new Set<bigint>();
  let totalRoom: bigint | undefined;
  const plans: (Plan | undefined)[] = [];
  for (const vaultId of vaultIds) {
    let vault: VaultView;
    try {
      if (vaultId === 0n || vaultId > count) throw new Error("no such vault");
      vault = await viewVault(f, vaultId);
    } catch {
      plans.push(undefined); // missing, unlisted here, or unpriced
      continue;
    }
    const collateral = vault.data.collateral;
    if (!collateralRooms.has(collateral)) {
      const [collateralRoom, total] = await f.dutchAuction.room(collateral, PENDING);
      collateralRooms.set(collateral, collateralRoom);
      totalRoom ??= total;
    }
    if (seized.has(vaultId)) vault = { ...vault, data: { ...vault.data, inAuction: true } };
    const plan = planWithRoom(vault, min(collateralRooms.get(collateral)!, totalRoom!));
    if (plan.refusal !== undefined) {
      plans.push(undefined);
      continue;
    }
    collateralRooms.set(collateral, floorSub(collateralRooms.get(collateral)!, plan.debtToRaise));
    totalRoom = floorSub(totalRoom!, plan.debtToRaise);
    seized.add(vaultId);
    plans.push(plan);
  }
  return plans;
}

/**
 * The incentive from its definition: the auction's (IDutchAuction.keeperIncentive on the smaller of
 * the debt to raise and the lot's value, at most that, nothing under the dust), capped by the
 * Liquidator.
 */
export async function referenceIncentive(
  f: SluiceFixture,
  plan: Plan,
  keeper: string,
  caller = keeper,
): Promise<bigint> {
  const owner = plan.data.owner;
  if (plan.debtToRaise < plan.data.dust || keeper === owner || caller === owner) return 0n;
  const params = await f.dutchAuction.incentiveParams();
  const seizedValue = valueDown(plan.collateralSeized, Number(plan.data.decimals), plan.data.price);
  const incentive = incentiveDown(params, min(plan.debtToRaise, seizedValue), plan.data.dust);
  return min(incentive, maxIncentiveDown(plan.debtSeized, seizedValue, plan.params.penalty));
}

export function parsedLogs(f: SluiceFixture, receipt: TransactionReceipt): { name: string; args: Result }[] {
  const out: { name: string; args: Result }[] = [];
  for (const log of receipt.logs) {
    const contract =
      log.address === f.vaultEngine.target
        ? f.vaultEngine
        : log.address === f.dutchAuction.target
          ? f.dutchAuction
          : undefined;
    const parsed = contract?.interface.parseLog(log);
    if (parsed) out.push({ name: parsed.name, args: parsed.args });
  }
  return out;
}

export function engineEvents(f: SluiceFixture, receipt: TransactionReceipt, event: string): Result[] {
  return parsedLogs(f, receipt)
    .filter((log) => log.name === event)
    .map((log) => log.args);
}

/** Every liquidation in the receipt, in order: each `Seized` paired with its `AuctionStarted`. */
export function liquidationsIn(f: SluiceFixture, receipt: TransactionReceipt): Liquidation[] {
  const out: Liquidation[] = [];
  let seized: Result | undefined;
  for (const { name: event, args } of parsedLogs(f, receipt)) {
    if (event === "Seized") seized = args;
    if (event !== "AuctionStarted") continue;
    expect(seized, "AuctionStarted without Seized").not.to.equal(undefined);
    expect(seized!.vaultId).to.equal(args.auctionId);
    out.push({
      vaultId: args.auctionId,
      collateralSeized: seized!.collateralAmount,
      normalizedDebtSeized: seized!.normalizedDebt,
      bookedDebt: seized!.bookedDebtRad,
      keeper: args.keeper,
      debtToRaise: args.debtToRaise,
      startPrice: args.startPrice,
      incentive: args.incentive,
    });
    seized = undefined;
  }
  return out;
}

export function liquidationIn(f: SluiceFixture, receipt: TransactionReceipt): Liquidation {
  const all = liquidationsIn(f, receipt);
  expect(all).to.have.length(1);
  return all[0];
}

export async function liquidate(
  f: SluiceFixture,
  vaultId: bigint,
  keeper: Signer,
  caller = keeper,
): Promise<ContractTransactionReceipt> {
  return (await (await f.liquidator.connect(caller).liquidate(vaultId, keeper.address)).wait())!;
}

export async function liquidateBatch(f: SluiceFixture, vaultIds: bigint[], keeper: Signer, caller = keeper) {
  return (await (await f.liquidator.connect(caller).liquidateBatch(vaultIds, keeper.address)).wait())!;
}

/** What the plan says the events must show. */
export async function expectedLiquidation(
  f: SluiceFixture,
  plan: Plan,
  keeper: string,
  caller = keeper,
): Promise<Liquidation> {
  return {
    vaultId: plan.vaultId,
    collateralSeized: plan.collateralSeized,
    normalizedDebtSeized: plan.normalizedDebtSeized,
    bookedDebt: await bookedDebtOf(f, plan),
    keeper,
    debtToRaise: plan.debtToRaise,
    startPrice: mulWadUp(plan.data.price, (await f.dutchAuction.auctionParams(plan.data.collateral)).startPriceFactor),
    incentive: await referenceIncentive(f, plan, keeper, caller),
  };
}

/** Checks a liquidation against its plan, exactly; a cut one must also fit the room. */
export async function expectLiquidation(
  f: SluiceFixture,
  actual: Liquidation,
  plan: Plan,
  keeper: string,
  caller = keeper,
): Promise<void> {
  if (plan.cut) expect(actual.debtToRaise, "a cut liquidation raises at most the room").to.be.lte(plan.room);
  expect(actual).to.deep.equal(await expectedLiquidation(f, plan, keeper, caller));
}

/** The seized normalised debt at the type's last accrued rate [rad] (derived from the books). */
export async function bookedDebtOf(f: SluiceFixture, plan: Plan): Promise<bigint> {
  return plan.normalizedDebtSeized * (await storedRate(plan.data.collateral));
}

/** The type's last accrued rate [ray], as `recordStoredRates` recorded it. */
export async function storedRate(collateral: string): Promise<bigint> {
  const rate = storedRates.get(collateral);
  if (rate !== undefined) return rate;
  throw new Error(`no stored rate recorded for ${collateral}: call recordStoredRates first`);
}
export const storedRates = new Map<string, bigint>();

/**
 * Accrues every listed type (one transaction each) and records the rate each stored: the engine
 * has no view of the stored rate, and a liquidation books debt at it. Liquidations do not accrue,
 * so the record holds until a borrow, repay, accrual or fee change of that type.
 */
export async function recordStoredRates(f: SluiceFixture, extra: Collateral[] = []): Promise<void> {
  storedRates.clear();
  for (const c of [...Object.values(f.collaterals), ...extra]) {
    const address = await c.token.getAddress();
    const receipt = (await (await f.vaultEngine.accrue(address)).wait())!;
    const accrued = engineEvents(f, receipt, "FeesAccrued");
    // No event when the rate did not move: then the rate as of that block is the stored one.
    const rate =
      accrued.length === 1
        ? (accrued[0].rate as bigint)
        : (await f.vaultEngine.collateralState(address, { blockTag: receipt.blockNumber })).rate;
    storedRates.set(address, rate);
  }
}

/**
 * Sends the transactions into one block, in order (the callers give gas limits, as nothing is
 * estimated against a block not yet mined), and returns their receipts.
 */
export async function inOneBlock(
  send: (() => Promise<ContractTransactionResponse>)[],
  timestamp?: number,
): Promise<TransactionReceipt[]> {
  await network.provider.send("evm_setAutomine", [false]);
  const txs: ContractTransactionResponse[] = [];
  try {
    for (const s of send) txs.push(await s());
    if (timestamp !== undefined) await time.setNextBlockTimestamp(timestamp);
    await network.provider.send("evm_mine");
  } finally {
    await network.provider.send("evm_setAutomine", [true]);
  }
  const receipts = await Promise.all(txs.map((tx) => ethers.provider.getTransactionReceipt(tx.hash)));
  expect(new Set(receipts.map((r) => r!.blockNumber)).size).to.equal(1);
  expect(receipts.map((r) => r!.index)).to.deep.equal(receipts.map((_, i) => i));
  return receipts.map((r) => r!);
}

/** Lists a collateral in the OracleHub and the VaultEngine only, and opens a funded vault of it. */
export async function openVaultOfEngineOnlyCollateral(
  f: SluiceFixture,
  owner: Signer,
): Promise<{ address: string; vaultId: bigint }> {
  const token = await new MockERC20__factory(f.governor).deploy("Other", "OTH", 18);
  const feed = await new MockAggregator__factory(f.governor).deploy(8, "OTH / USD", 100n * 10n ** 8n);
  const address = await token.getAddress();
  await f.oracleHub.addFeed(address, {
    source: await feed.getAddress(),
    heartbeat: 3_600,
    minPrice: WAD,
    maxPrice: 10_000n * WAD,
    maxJump: pct(30),
    halfLife: 86_400,
  });
  await f.oracleHub.poke(address);
  await f.vaultEngine.addCollateral(address, {
    debtCeiling: 10n ** 6n * WAD,
    dust: 0n,
    stabilityFee: RAY,
    maxLTV: pct(50),
  });
  await token.mint(owner.address, WAD);
  await token.connect(owner).approve(await f.vaultEngine.getAddress(), WAD);
  await f.vaultEngine.connect(owner).openVault(address);
  const vaultId = await f.vaultEngine.vaultCount();
  await f.vaultEngine.connect(owner).deposit(vaultId, WAD);
  return { address, vaultId };
}

/**
 * A WETH vault at health ≈ 0.95 (2,485 a WETH), above fullLiquidationHealth, whose slice (≈ 18,600
 * of debt, ≈ 20,100 to raise) needs a lot (1.62 · slice at the oracle) worth more than its 10 WETH:
 * the Liquidator takes the whole vault, which raises ≈ 24,300. Caps between ≈ 16,600 and 24,300
 * leave a slice or a cut slice whose lot needs the whole vault, and no room for the whole vault.
 */
export async function openVaultWhoseSeizureNeedsItAll(f: SluiceFixture, owner: Signer): Promise<bigint> {
  const vaultId = await market.openVault(f, owner, f.weth, 10n * WAD);
  await market.movePrice(f, f.weth, 2_485n * WAD);
  return vaultId;
}
