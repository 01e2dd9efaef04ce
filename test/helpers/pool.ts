// Shared moves of the backstop pool tests: LPs funded with stablecoin, rounds waited out, auctions opened
// and aged until the pool may buy, and the pool's own identities (docs/ACCOUNTING.md, "Backstop pool").
import { expect } from "chai";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { WAD } from "../../keeper/src/math/fixedPoint";
import { MockERC20__factory } from "../../typechain-types";
import type { SluiceFixture } from "./fixtures";
import * as market from "./market";

export const VIRTUAL_SHARES = 10n ** 6n;

/** Stablecoin for `lp`, borrowed against WBTC (half its limit) and approved to the pool. */
export async function fundLp(f: SluiceFixture, lp: HardhatEthersSigner, wbtc = 10n ** 8n): Promise<bigint> {
  await market.openVault(f, lp, f.wbtc, wbtc, 50n);
  await f.stablecoin.connect(lp).approve(await f.backstopPool.getAddress(), ethers_MaxUint256);
  return f.stablecoin.balanceOf(lp.address);
}

const ethers_MaxUint256 = 2n ** 256n - 1n;

/** Republishes every local feed at its stored price, so prices stay fresh across time jumps. */
export async function refreshPrices(f: SluiceFixture): Promise<void> {
  for (const c of Object.values(f.collaterals)) {
    const [price] = await f.oracleHub.priceState(await c.token.getAddress());
    await market.setPrice(f, c, price);
  }
}

/** Waits until every deposit made so far has matured, refreshes the prices and prices the rounds. */
export async function matureAll(f: SluiceFixture, lps: HardhatEthersSigner[] = []): Promise<void> {
  const warmup = await f.backstopPool.warmup();
  const [, endsAt] = await f.backstopPool.currentRound();
  const now = BigInt(await time.latest());
  const target = endsAt + warmup + 1n;
  if (target > now) await time.increase(target - now);
  await refreshPrices(f);
  await f.backstopPool.activate(lps[0]?.address ?? f.governor.address);
  for (const lp of lps.slice(1)) await f.backstopPool.activate(lp.address);
}

/**
 * Opens a WETH vault at its limit, drops WETH by 16% so it is liquidatable, and liquidates it.
 * Returns the auction id.
 */
export async function openAuction(
  f: SluiceFixture,
  owner: HardhatEthersSigner,
  c: market.Collateral = f.weth,
  amount?: bigint,
): Promise<bigint> {
  const units = amount ?? 10n ** BigInt(c.spec.decimals) * 10n;
  const id = await market.openVault(f, owner, c, units);
  const token = await c.token.getAddress();
  const [price] = await f.oracleHub.priceState(token);
  await market.movePrice(f, c, (price * 84n) / 100n);
  await market.liquidate(f, id, owner, owner);
  return id;
}

/** Ages auction `id` until its price is at most the pool's maximum (prices kept fresh). */
export async function ageUntilBiddable(f: SluiceFixture, id: bigint): Promise<void> {
  const { collateral } = await f.dutchAuction.auctions(id);
  for (let i = 0; i < 400; i++) {
    const [, price] = await f.dutchAuction.auctionStatus(id);
    if (price <= (await f.backstopPool.maxBidPrice(collateral))) return;
    await time.increase(30);
    await refreshPrices(f);
  }
  throw new Error(`auction ${id} never became biddable`);
}

/** The pool's books: `holdings` are what the pool's token balances hold beyond pending deposits. */
export async function expectPoolBooks(f: SluiceFixture): Promise<void> {
  const pool = f.backstopPool;
  const address = await pool.getAddress();
  const [stable, amounts] = await pool.holdings();
  const [open, previous] = await pool.pendingTotals();
  expect(await f.stablecoin.balanceOf(address)).to.be.gte(stable + open + previous);
  const tokens = await pool.collaterals();
  for (const [i, token] of tokens.entries()) {
    expect(await MockERC20__factory.connect(token, f.deployer).balanceOf(address)).to.be.gte(amounts[i]);
  }
}

export const wad = (n: number | bigint): bigint => BigInt(n) * WAD;
