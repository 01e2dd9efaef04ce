// Shared moves of the liquidation tests: prices, vaults at their limit, and the books check.
import { expect } from "chai";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { RAY } from "../../keeper/src/math/fixedPoint";
import { toFeedAnswer } from "../../scripts/lib/deploy";
import type { SluiceFixture } from "./fixtures";

export type Collateral = SluiceFixture["weth"];

/** Publishes `price` [wad] on the collateral's feed and lets the RiskEngine follow it. */
export async function setPrice(f: SluiceFixture, c: Collateral, price: bigint): Promise<void> {
  await c.feed.setAnswer(toFeedAnswer(price, c.spec.feedDecimals));
  await f.riskEngine.poke(await c.token.getAddress());
}

/** Moves a price in steps the oracle accepts (≤ 30% per update), a minute apart. */
export async function movePrice(f: SluiceFixture, c: Collateral, target: bigint): Promise<void> {
  let [current] = await f.oracleHub.priceState(await c.token.getAddress());
  while (current !== target) {
    const step = (current * 25n) / 100n;
    current = target < current ? (current - step > target ? current - step : target) : target;
    await time.increase(60);
    await setPrice(f, c, current);
  }
}

/** Opens a vault of `amount` token units and borrows `share`% of its limit (less 1e6 wei). */
export async function openVault(
  f: SluiceFixture,
  owner: HardhatEthersSigner,
  c: Collateral,
  amount: bigint,
  share = 100n,
): Promise<bigint> {
  const engine = f.vaultEngine;
  await c.token.mint(owner.address, amount);
  await c.token.connect(owner).approve(await engine.getAddress(), amount);
  await engine.connect(owner).openVault(await c.token.getAddress());
  const id = await engine.vaultCount();
  await engine.connect(owner).deposit(id, amount);
  if (share > 0n) {
    await engine.connect(owner).borrow(id, ((await engine.maxDebt(id)) * share) / 100n - 10n ** 6n, owner.address);
  }
  return id;
}

/** docs/ACCOUNTING.md C1 and C3, exactly: collateral in vaults and auctions, debt against supply. */
export async function expectBooksBalanced(f: SluiceFixture): Promise<void> {
  const engine = f.vaultEngine;
  expect((await engine.totalDebt()) + (await engine.deficit())).to.equal(
    (await f.stablecoin.totalSupply()) * RAY + (await engine.surplus()),
  );
  const held = new Map<string, bigint>();
  const add = (token: string, amount: bigint) => held.set(token, (held.get(token) ?? 0n) + amount);
  for (let id = 1n; id <= (await engine.vaultCount()); id++) {
    const vault = await engine.vaults(id);
    add(vault.collateral, vault.collateralAmount);
  }
  for (const id of await f.dutchAuction.activeAuctions()) {
    const auction = await f.dutchAuction.auctions(id);
    add((await engine.vaults(auction.vaultId)).collateral, auction.collateralLeft);
  }
  for (const c of Object.values(f.collaterals)) {
    const token = await c.token.getAddress();
    expect(await c.token.balanceOf(await engine.getAddress()), c.spec.symbol).to.equal(held.get(token) ?? 0n);
  }
}
