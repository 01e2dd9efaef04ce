// The VaultEngine tests' shared moves: amounts in token units, vaults opened and funded, prices kept
// fresh, the next block's accumulator pinned, fresh tokens to list, and the books check of
// docs/ACCOUNTING.md as the engine alone keeps them.
import { expect } from "chai";
import { debtUp, normalizedDebtUp } from "../../keeper/src/math/liquidation";
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionReceipt } from "ethers";
import { type SluiceFixture } from "./fixtures";
import { ORACLE_DEFAULTS, toFeedAnswer, type LocalCollateral } from "../../scripts/lib/deploy";
import { MockAggregator__factory, MockERC20__factory } from "../../typechain-types";
import type { IVaultEngine, MockERC20 } from "../../typechain-types";
import { RAY, WAD, perSecondRate, rpowDown } from "../../keeper/src/math/fixedPoint";

/** VaultEngine.MAX_STABILITY_FEE [ray]: 100% a year compounding per second, as the TypeScript mirror computes it. */
export const MAX_STABILITY_FEE = perSecondRate(WAD);
/** VaultEngine.MAX_LTV [wad]. */
export const MAX_LTV = (99n * WAD) / 100n;
export const HOUR = 3_600;
/** The most token units one vault may hold (the auction record is a uint96). */
export const MAX_UINT96 = 2n ** 96n - 1n;

export const weth = (amount: string) => ethers.parseUnits(amount, 18);
export const wbtc = (amount: string) => ethers.parseUnits(amount, 8);
export const sld = (amount: string) => ethers.parseUnits(amount, 18);

/**
 * docs/ACCOUNTING.md, exactly. C3: totalDebt + deficit [rad] = stablecoin supply [wad] · RAY + surplus
 * [rad]. C1: the engine holds, of each listed token, what its vaults hold plus what they have under
 * auction (read from the vaults themselves, so it holds however the auction was started).
 */
export async function expectBooksBalanced(f: SluiceFixture): Promise<void> {
  const [totalDebt, deficit, supply, surplus] = await Promise.all([
    f.vaultEngine.totalDebt(),
    f.vaultEngine.deficit(),
    f.stablecoin.totalSupply(),
    f.vaultEngine.surplus(),
  ]);
  expect(totalDebt + deficit).to.equal(supply * RAY + surplus);
  const held = new Map<string, bigint>();
  for (let id = 1n; id <= (await f.vaultEngine.vaultCount()); id++) {
    const vault = await f.vaultEngine.vaults(id);
    held.set(vault.collateral, (held.get(vault.collateral) ?? 0n) + vault.collateralAmount + vault.auctionCollateral);
  }
  for (const token of [f.weth.token, f.wbtc.token]) {
    expect(await token.balanceOf(f.vaultEngine)).to.equal(held.get(await token.getAddress()) ?? 0n);
  }
}

/** Opens a vault of `token` for `owner` and deposits `amount` (minted on the spot). */
export async function openVault(
  f: SluiceFixture,
  owner: HardhatEthersSigner,
  token: MockERC20,
  amount: bigint,
): Promise<bigint> {
  const vaultId = (await f.vaultEngine.vaultCount()) + 1n;
  await f.vaultEngine.connect(owner).openVault(token);
  if (amount > 0n) {
    await token.mint(owner, amount);
    await token.connect(owner).approve(f.vaultEngine, amount);
    await f.vaultEngine.connect(owner).deposit(vaultId, amount);
  }
  return vaultId;
}

/** Publishes the collateral's listing price again and stores it, so it is fresh after a time jump. */
export async function refreshPrice(f: SluiceFixture, collateral: LocalCollateral): Promise<void> {
  await collateral.feed.setAnswer(toFeedAnswer(collateral.spec.price, collateral.spec.feedDecimals));
  await f.oracleHub.poke(collateral.token);
}

/**
 * Accrues `collateral` now, then pins the next block `elapsed` seconds later. Returns the stored
 * accumulator and the one the next transaction will use, computed with the TypeScript mirror.
 */
export async function pinNextRate(
  f: SluiceFixture,
  collateral: string,
  elapsed = 1n,
): Promise<{ stored: bigint; next: bigint }> {
  await f.vaultEngine.accrue(collateral);
  const [stored] = await f.vaultEngine.collateralState(collateral);
  const { stabilityFee } = await f.vaultEngine.collateralParams(collateral);
  await time.setNextBlockTimestamp(BigInt(await time.latest()) + elapsed);
  return { stored, next: (stored * rpowDown(stabilityFee, elapsed)) / RAY };
}

/** Normalised debt a borrow of `amount` adds at `rate` (rounded up, as the engine does). */
export const normalizedFor = normalizedDebtUp;
export const debtFor = debtUp;

export function params(overrides: Partial<IVaultEngine.CollateralParamsStruct> = {}) {
  return {
    debtCeiling: 1_000_000n * WAD,
    dust: 10n * WAD,
    stabilityFee: perSecondRate((5n * WAD) / 100n),
    maxLTV: (80n * WAD) / 100n,
    ...overrides,
  };
}

/** A fresh token with an OracleHub feed (listing requires one), not yet listed in the engine. */
export async function newToken(f: SluiceFixture, decimals: number, withFeed = true): Promise<MockERC20> {
  const token = await new MockERC20__factory(f.governor).deploy(`T${decimals}`, `T${decimals}`, decimals);
  await token.waitForDeployment();
  if (withFeed) {
    const feed = await new MockAggregator__factory(f.governor).deploy(8, "T / USD", 100n * 10n ** 8n);
    await f.oracleHub.addFeed(await token.getAddress(), {
      source: await feed.getAddress(),
      heartbeat: ORACLE_DEFAULTS.heartbeat,
      minPrice: WAD,
      maxPrice: 10_000n * WAD,
      maxJump: ORACLE_DEFAULTS.maxJump,
      halfLife: ORACLE_DEFAULTS.halfLife,
    });
  }
  return token;
}

export function feesAccruedIn(f: SluiceFixture, receipt: ContractTransactionReceipt | null) {
  return receipt!.logs
    .map((log) => f.vaultEngine.interface.parseLog(log))
    .filter((event) => event?.name === "FeesAccrued");
}

/** Points the engine's liquidation modules at two plain accounts, so tests call them directly. */
export async function modulesAtSigners(
  f: SluiceFixture,
): Promise<{ liquidator: HardhatEthersSigner; auction: HardhatEthersSigner }> {
  const [liquidator, auction] = [f.users[6], f.users[7]];
  await f.vaultEngine.connect(f.governor).setLiquidationModules(liquidator, auction);
  return { liquidator, auction };
}

/** The engine's totals [rad]. */
export async function books(f: SluiceFixture): Promise<{ totalDebt: bigint; surplus: bigint; deficit: bigint }> {
  const [totalDebt, surplus, deficit] = await Promise.all([
    f.vaultEngine.totalDebt(),
    f.vaultEngine.surplus(),
    f.vaultEngine.deficit(),
  ]);
  return { totalDebt, surplus, deficit };
}
