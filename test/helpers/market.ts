// Shared moves of the liquidation tests: prices, vaults at their limit, liquidations read back from
// their events, and the books check.
import { expect } from "chai";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionReceipt } from "ethers";
import { RAY, mulDivUp } from "../../keeper/src/math/fixedPoint";
import { toFeedAnswer } from "../../scripts/lib/deploy";
import { MockERC20__factory } from "../../typechain-types";
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

/** What one liquidation did, from the VaultEngine's `Seized` and the DutchAuction's `AuctionStarted`. */
export interface Liquidation {
  vaultId: bigint;
  /** Always the vault's id. */
  auctionId: bigint;
  keeper: string;
  collateralSeized: bigint; // token units
  normalizedDebtSeized: bigint;
  /** The seized debt with fees to the liquidation's block, rounded up as the Liquidator counts it [wad]. */
  debtSeized: bigint;
  debtToRaise: bigint; // [wad]
  startPrice: bigint; // [wad]
  /** What the DutchAuction now owes the keeper for it [wad]. */
  incentive: bigint;
}

/** The liquidations a transaction (a `liquidate` or a `liquidateBatch`) made, in log order. */
export async function liquidationsIn(f: SluiceFixture, receipt: ContractTransactionReceipt): Promise<Liquidation[]> {
  const seized = new Map<bigint, { collateralAmount: bigint; normalizedDebt: bigint }>();
  const found: Liquidation[] = [];
  for (const log of receipt.logs) {
    if (log.address === f.vaultEngine.target) {
      const parsed = f.vaultEngine.interface.parseLog(log);
      if (parsed?.name === "Seized") {
        seized.set(parsed.args.vaultId, {
          collateralAmount: parsed.args.collateralAmount,
          normalizedDebt: parsed.args.normalizedDebt,
        });
      }
    } else if (log.address === f.dutchAuction.target) {
      const parsed = f.dutchAuction.interface.parseLog(log);
      if (parsed?.name !== "AuctionStarted") continue;
      const vaultId: bigint = parsed.args.auctionId;
      const seizure = seized.get(vaultId);
      expect(seizure, `Seized for vault ${vaultId}`).to.not.equal(undefined);
      // A liquidation never accrues: the accumulator read at its block is the one it priced the debt with.
      const { collateral } = await f.vaultEngine.vaults(vaultId);
      const [rate] = await f.vaultEngine.collateralState(collateral, { blockTag: receipt.blockNumber });
      found.push({
        vaultId,
        auctionId: vaultId,
        keeper: parsed.args.keeper,
        collateralSeized: seizure!.collateralAmount,
        normalizedDebtSeized: seizure!.normalizedDebt,
        debtSeized: mulDivUp(seizure!.normalizedDebt, rate, RAY),
        debtToRaise: parsed.args.debtToRaise,
        startPrice: parsed.args.startPrice,
        incentive: parsed.args.incentive,
      });
    }
  }
  return found;
}

/** Liquidates `vaultId` from `caller` for `keeper` and reads back what it did. */
export async function liquidate(
  f: SluiceFixture,
  vaultId: bigint,
  keeper: HardhatEthersSigner | string,
  caller: HardhatEthersSigner,
): Promise<Liquidation> {
  const keeperAddress = typeof keeper === "string" ? keeper : keeper.address;
  const tx = await f.liquidator.connect(caller).liquidate(vaultId, keeperAddress);
  const [liquidation] = await liquidationsIn(f, (await tx.wait())!);
  expect(liquidation.auctionId).to.equal(vaultId);
  return liquidation;
}

/** Claims everything `keeper` is owed, to `to` (itself by default); returns the amount minted. */
export async function claimIncentives(
  f: SluiceFixture,
  keeper: HardhatEthersSigner,
  to: string = keeper.address,
): Promise<bigint> {
  const [owed, earned] = await f.dutchAuction.incentivesOwed(keeper.address);
  const balance = await f.stablecoin.balanceOf(to);
  await f.dutchAuction.connect(keeper).claimIncentives(to);
  expect([...(await f.dutchAuction.incentivesOwed(keeper.address))]).to.deep.equal([0n, earned]);
  expect((await f.stablecoin.balanceOf(to)) - balance).to.equal(owed);
  return owed;
}

/**
 * docs/ACCOUNTING.md, exactly: debt conservation (`totalDebt + deficit = supply·RAY + surplus`) and
 * collateral conservation (the engine holds, of every token, Σ collateralAmount + auctionCollateral
 * over the vaults of that token).
 */
export async function expectBooksBalanced(f: SluiceFixture): Promise<void> {
  const engine = f.vaultEngine;
  expect((await engine.totalDebt()) + (await engine.deficit())).to.equal(
    (await f.stablecoin.totalSupply()) * RAY + (await engine.surplus()),
  );
  const held = new Map<string, bigint>();
  for (const c of Object.values(f.collaterals)) held.set(await c.token.getAddress(), 0n);
  for (const vault of await allVaults(f)) {
    held.set(vault.collateral, (held.get(vault.collateral) ?? 0n) + vault.collateralAmount + vault.auctionCollateral);
  }
  const engineAddress = await engine.getAddress();
  for (const [token, amount] of held) {
    const balance = await MockERC20__factory.connect(token, f.deployer).balanceOf(engineAddress);
    expect(balance, `engine balance of ${token}`).to.equal(amount);
  }
}

/** Every vault opened so far, in id order (index i holds vault i + 1). */
async function allVaults(f: SluiceFixture) {
  const count = Number(await f.vaultEngine.vaultCount());
  return Promise.all(Array.from({ length: count }, (_, i) => f.vaultEngine.vaults(BigInt(i + 1))));
}

/**
 * The auctions agree with the vaults and with the cascade brake: a vault is in auction exactly when
 * its auction runs (and `activeAuctions` lists it), the auction's lot is the vault's
 * `auctionCollateral`, the debt-in-auction counters are the sums of the running auctions' `debtLeft`,
 * and `room` is what the caps leave of them.
 */
export async function expectAuctionsConsistent(f: SluiceFixture): Promise<void> {
  const auction = f.dutchAuction;
  const running: bigint[] = [];
  const debtByCollateral = new Map<string, bigint>();
  for (const c of Object.values(f.collaterals)) debtByCollateral.set(await c.token.getAddress(), 0n);
  let totalDebt = 0n;
  const vaults = await allVaults(f);
  const records = await Promise.all(vaults.map((_, i) => auction.auctions(BigInt(i + 1))));
  for (const [i, vault] of vaults.entries()) {
    const id = BigInt(i + 1);
    const record = records[i];
    expect(vault.inAuction, `vault ${id} in auction`).to.equal(vault.auctionCollateral !== 0n);
    expect(record.debtLeft !== 0n, `vault ${id} has an auction`).to.equal(vault.inAuction);
    if (!vault.inAuction) continue;
    running.push(id);
    expect(record.vaultId).to.equal(id);
    expect(record.collateral).to.equal(vault.collateral);
    expect(record.collateralLeft).to.equal(vault.auctionCollateral);
    debtByCollateral.set(vault.collateral, (debtByCollateral.get(vault.collateral) ?? 0n) + record.debtLeft);
    totalDebt += record.debtLeft;
  }
  expect([...(await auction.activeAuctions())]).to.deep.equal(running);
  const totalCap = await auction.maxTotalDebtInAuction();
  for (const [collateral, debt] of debtByCollateral) {
    expect([...(await auction.debtInAuction(collateral))], `debt in auction of ${collateral}`).to.deep.equal([
      debt,
      totalDebt,
    ]);
    const cap = (await auction.auctionParams(collateral)).maxDebtInAuction;
    expect([...(await auction.room(collateral))], `room of ${collateral}`).to.deep.equal([
      cap > debt ? cap - debt : 0n,
      totalCap > totalDebt ? totalCap - totalDebt : 0n,
    ]);
  }
}
