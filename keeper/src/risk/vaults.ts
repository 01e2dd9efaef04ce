// One vault as the keeper prices it from what it indexed and the market it read at a block: the key
// it is filed under in its LiquidationBook, and what liquidating it would move, both with the
// contracts' exact roundings (test/keeper/risk/differential.test.ts holds them to the chain's views).
import type { CollateralMarket } from "../chain/contracts";
import { WAD, valueDown } from "../math/fixedPoint";
import {
  debtUp,
  incentiveDown,
  maxIncentiveDown,
  size,
  type IncentiveParams,
  type LiquidationParams,
  type LiquidationVault,
} from "../math/liquidation";
import { health, liquidationPrice, thresholdBreakdown } from "./thresholds";

/** The indexed part of a vault that its price depends on. */
export interface IndexedVault {
  collateralAmount: bigint; // token units
  normalizedDebt: bigint;
}

/** The vault's key in its collateral's book: its liquidation price [wad] at block time `now` [seconds]. */
export function liquidationKey(market: CollateralMarket, vault: IndexedVault, now: bigint): bigint {
  const debt = debtUp(vault.normalizedDebt, market.rate);
  return liquidationPrice(
    market.risk,
    { collateralAmount: vault.collateralAmount, decimals: market.decimals, debt },
    now,
  );
}

/** The vault priced at the market, as VaultEngine.liquidationData prices it (value down, debt up). */
export function pricedVault(market: CollateralMarket, vault: IndexedVault): LiquidationVault {
  return {
    collateralAmount: vault.collateralAmount,
    normalizedDebt: vault.normalizedDebt,
    rate: market.rate,
    price: market.price,
    value: valueDown(vault.collateralAmount, market.decimals, market.price),
    debt: debtUp(vault.normalizedDebt, market.rate),
    dust: market.dust,
    decimals: market.decimals,
  };
}

/** What a liquidation of a collateral type is sized with besides the market: the Liquidator's and DutchAuction's settings. */
export interface LiquidationTerms {
  params: LiquidationParams;
  incentive: IncentiveParams;
  /** min(the collateral's room, the total room) under the DutchAuction's caps [wad]. */
  room: bigint;
}

/** ILiquidator.LiquidationPreview for a priced vault not in auction, with the refusals that can meet it. */
export interface LiquidationPreview {
  refusal: "None" | "Healthy" | "NoRoom";
  health: bigint; // [wad]
  full: boolean;
  cut: boolean;
  debtSlice: bigint; // [wad]
  collateralSeized: bigint; // token units
  normalizedDebtSeized: bigint;
  debtSeized: bigint; // [wad]
  debtToRaise: bigint; // [wad]
  incentive: bigint; // [wad]
}

/**
 * Liquidator.previewLiquidation of the vault for a keeper (`byOwner`: the keeper or caller is the
 * vault's owner, who is owed nothing), at the market's block time `now`: the threshold from the
 * RiskEngine's terms, LiquidationMath.size under the room, and the incentive as DutchAuction.start
 * owes it (on min(debt to raise, lot value)), capped by the Liquidator's maximum.
 */
export function previewLiquidation(
  market: CollateralMarket,
  vault: IndexedVault,
  now: bigint,
  terms: LiquidationTerms,
  byOwner = false,
): LiquidationPreview {
  const priced = pricedVault(market, vault);
  const threshold = thresholdBreakdown(market.risk, priced.value, now).effective;
  const vaultHealth = health(priced.value, threshold, priced.debt);
  const nothing = {
    full: false,
    cut: false,
    debtSlice: 0n,
    collateralSeized: 0n,
    normalizedDebtSeized: 0n,
    debtSeized: 0n,
    debtToRaise: 0n,
    incentive: 0n,
  };
  if (vaultHealth >= WAD) return { refusal: "Healthy", health: vaultHealth, ...nothing };
  const sizing = size(priced, terms.params, threshold, vaultHealth, terms.room);
  if (sizing.noRoom) return { refusal: "NoRoom", health: vaultHealth, ...nothing };
  const lotValue = valueDown(sizing.collateralAmount, priced.decimals, priced.price);
  const owed = incentiveDown(
    terms.incentive,
    sizing.debtToRaise < lotValue ? sizing.debtToRaise : lotValue,
    priced.dust,
  );
  const cap =
    sizing.debtToRaise < priced.dust || byOwner ? 0n : maxIncentiveDown(sizing.debt, lotValue, terms.params.penalty);
  return {
    refusal: "None",
    health: vaultHealth,
    full: sizing.full,
    cut: sizing.cut,
    debtSlice: sizing.debtSlice,
    collateralSeized: sizing.collateralAmount,
    normalizedDebtSeized: sizing.normalizedDebt,
    debtSeized: sizing.debt,
    debtToRaise: sizing.debtToRaise,
    incentive: owed < cap ? owed : cap,
  };
}
