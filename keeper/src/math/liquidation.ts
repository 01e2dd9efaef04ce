// BigInt mirror of contracts/libraries/LiquidationMath.sol: how much a liquidation moves. Every
// function rounds exactly as its Solidity twin, so the keeper plans to the wei what the Liquidator
// will do (test/libraries/LiquidationMath.test.ts checks them against the library on random inputs).
import {
  RAY,
  WAD,
  amountDown,
  amountUp,
  divWadDown,
  divWadUp,
  mulDivDown,
  mulDivUp,
  mulWadDown,
  mulWadUp,
  valueDown,
  valueUp,
} from "./fixedPoint";

/** IVaultEngine.LiquidationData: a vault priced as a liquidation sees it. */
export interface LiquidationVault {
  collateralAmount: bigint; // token units
  normalizedDebt: bigint;
  rate: bigint; // [ray], as of now
  price: bigint; // [wad]
  value: bigint; // [wad], rounded down
  debt: bigint; // [wad], rounded up
  dust: bigint; // [wad]
  decimals: number;
}

/** ILiquidator.LiquidationParams [wad]. */
export interface LiquidationParams {
  penalty: bigint;
  targetHealth: bigint;
  fullLiquidationHealth: bigint;
  collateralMargin: bigint;
}

/** LiquidationMath.Sizing: what a liquidation of an unsafe vault moves. */
export interface Sizing {
  /** The closed-form slice is the whole vault (before any cut). */
  full: boolean;
  /** Cut down to the room under the caps. */
  cut: boolean;
  /** The room does not hold a dust-sized slice with collateral behind it: nothing moves. */
  noRoom: boolean;
  debtSlice: bigint; // [wad]
  collateralAmount: bigint; // token units
  normalizedDebt: bigint;
  debt: bigint; // [wad]
  debtToRaise: bigint; // [wad]
}

const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);

export const debtUp = (normalizedDebt: bigint, rate: bigint): bigint => mulDivUp(normalizedDebt, rate, RAY);
export const normalizedDebtUp = (debt: bigint, rate: bigint): bigint => mulDivUp(debt, RAY, rate);
export const normalizedDebtDown = (debt: bigint, rate: bigint): bigint => mulDivDown(debt, RAY, rate);
export const debtToRaiseUp = (debt: bigint, penalty: bigint): bigint => mulWadUp(debt, WAD + penalty);

/** The slice [wad] that restores `targetHealth`, rounded up, or the whole debt (`full`). */
export function sliceUp(
  vault: LiquidationVault,
  params: LiquidationParams,
  threshold: bigint,
  health: bigint,
): { slice: bigint; full: boolean } {
  if (health < params.fullLiquidationHealth) return { slice: vault.debt, full: true };
  const shrink = mulWadUp(WAD + params.penalty, threshold);
  if (params.targetHealth <= shrink) return { slice: vault.debt, full: true };
  const needed = mulWadUp(params.targetHealth, vault.debt);
  const backing = mulWadDown(vault.value, threshold);
  if (backing >= needed) return { slice: 0n, full: false };
  const slice = divWadUp(needed - backing, params.targetHealth - shrink);
  if (slice >= vault.debt || vault.debt - slice < vault.dust) return { slice: vault.debt, full: true };
  return { slice, full: false };
}

/** Collateral [token units] of a partial slice's lot: its debt to raise times the lot margin, rounded up. */
export function seizedCollateralUp(slice: bigint, params: LiquidationParams, decimals: number, price: bigint): bigint {
  return amountUp(mulWadUp(debtToRaiseUp(slice, params.penalty), params.collateralMargin), decimals, price);
}

/** The most normalised debt a liquidation cut to `room` [wad] moves (leaving dust where it can). */
export function cutNormalizedDebtDown(vault: LiquidationVault, penalty: bigint, room: bigint): bigint {
  let normalizedDebt = min(vault.normalizedDebt, normalizedDebtDown(divWadDown(room, WAD + penalty), vault.rate));
  const dustNormalized = normalizedDebtUp(vault.dust, vault.rate);
  if (vault.normalizedDebt - normalizedDebt < dustNormalized && vault.normalizedDebt > dustNormalized) {
    const leavingDust = vault.normalizedDebt - dustNormalized;
    if (debtUp(leavingDust, vault.rate) >= vault.dust) normalizedDebt = leavingDust;
  }
  return normalizedDebt;
}

/** Collateral in proportion to the normalised debt a cut liquidation moves, rounded down. */
export const proportionalCollateralDown = (
  collateralAmount: bigint,
  movedNormalizedDebt: bigint,
  normalizedDebt: bigint,
): bigint => mulDivDown(collateralAmount, movedNormalizedDebt, normalizedDebt);

/** What liquidating the unsafe vault (health < 1 at `threshold`) moves under `room` [wad]. */
export function size(
  vault: LiquidationVault,
  params: LiquidationParams,
  threshold: bigint,
  health: bigint,
  room: bigint,
): Sizing {
  const { slice, full: sliceIsFull } = sliceUp(vault, params, threshold, health);
  let full = sliceIsFull;
  let normalizedDebt = vault.normalizedDebt;
  let collateralAmount = vault.collateralAmount;
  if (!full) {
    normalizedDebt = min(vault.normalizedDebt, normalizedDebtUp(slice, vault.rate));
    collateralAmount = min(vault.collateralAmount, seizedCollateralUp(slice, params, vault.decimals, vault.price));
    full = collateralAmount === vault.collateralAmount;
    if (full) normalizedDebt = vault.normalizedDebt;
  }
  let debt = debtUp(normalizedDebt, vault.rate);
  let debtToRaise = debtToRaiseUp(debt, params.penalty);
  if (debtToRaise <= room) {
    return { full, cut: false, noRoom: false, debtSlice: slice, collateralAmount, normalizedDebt, debt, debtToRaise };
  }
  normalizedDebt = cutNormalizedDebtDown(vault, params.penalty, room);
  collateralAmount = proportionalCollateralDown(vault.collateralAmount, normalizedDebt, vault.normalizedDebt);
  debt = debtUp(normalizedDebt, vault.rate);
  debtToRaise = debtToRaiseUp(debt, params.penalty);
  if (debt < vault.dust || collateralAmount === 0n) {
    return {
      full,
      cut: true,
      noRoom: true,
      debtSlice: slice,
      collateralAmount: 0n,
      normalizedDebt: 0n,
      debt: 0n,
      debtToRaise: 0n,
    };
  }
  return { full, cut: true, noRoom: false, debtSlice: slice, collateralAmount, normalizedDebt, debt, debtToRaise };
}

/** The most a liquidation may pay its keeper [wad]: half the penalty on min(debt, seized value), rounded down. */
export const maxIncentiveDown = (debt: bigint, seizedValue: bigint, penalty: bigint): bigint =>
  mulWadDown(min(debt, seizedValue), penalty) / 2n;

/** IDutchAuction.IncentiveParams [wad]. */
export interface IncentiveParams {
  flatIncentive: bigint;
  incentiveRate: bigint;
  maxIncentive: bigint;
}

/** The keeper incentive on `base` = min(debt, lot value): capped, never above `base`, nothing under dust. */
export function incentiveDown(params: IncentiveParams, base: bigint, dust: bigint): bigint {
  if (base < dust) return 0n;
  return min(min(params.maxIncentive, params.flatIncentive + mulWadDown(base, params.incentiveRate)), base);
}

/** A take the auction refuses, named as the contract's custom error, with its arguments. */
export class TakeRefused extends Error {
  constructor(
    readonly reason: "ZeroTake" | "TakeLeavesDust" | "TakeLeavesDustCollateral",
    readonly args: bigint[] = [],
  ) {
    super(`${reason}(${args.join(", ")})`);
    this.name = "TakeRefused";
  }
}

/** What a take of up to `maxCollateral` buys and pays at `price` (LiquidationMath.fill); throws TakeRefused. */
export function fill(
  collateralLeft: bigint,
  debtLeft: bigint,
  maxCollateral: bigint,
  price: bigint,
  decimals: number,
  dust: bigint,
): { collateralBought: bigint; debtPaid: bigint } {
  let collateralBought = min(collateralLeft, maxCollateral);
  if (collateralBought === 0n) throw new TakeRefused("ZeroTake");
  let debtPaid = valueUp(collateralBought, decimals, price);
  if (debtPaid >= debtLeft) {
    debtPaid = debtLeft;
    collateralBought = min(collateralBought, amountDown(debtPaid, decimals, price));
  } else if (collateralBought < collateralLeft) {
    if (debtLeft - debtPaid < dust) {
      if (debtLeft <= dust) throw new TakeRefused("TakeLeavesDust", [debtLeft - debtPaid, dust]);
      debtPaid = debtLeft - dust;
      collateralBought = amountDown(debtPaid, decimals, price);
    }
    const kept = collateralLeft - collateralBought;
    if (valueDown(kept, decimals, price) < dust) {
      const leastKept = amountUp(dust, decimals, price);
      if (collateralLeft <= leastKept) {
        throw new TakeRefused("TakeLeavesDustCollateral", [kept, valueDown(kept, decimals, price), dust]);
      }
      collateralBought = collateralLeft - leastKept;
      debtPaid = valueUp(collateralBought, decimals, price);
    }
    if (collateralBought === 0n) throw new TakeRefused("ZeroTake");
  }
  return { collateralBought, debtPaid };
}
