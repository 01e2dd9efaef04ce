// Stateful property test of liquidation (fast-check): random vault actions, price paths,
// liquidations, takes, resets and time jumps. After every step the ACCOUNTING.md identities hold,
// every vault below health 1 can be liquidated, and no auction's collateral is counted twice.
import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { RAY, WAD } from "../../keeper/src/math/fixedPoint";
import { deploySluiceFixture, type SluiceFixture } from "../helpers/fixtures";

const USERS = 4;
const PERMILLE = fc.integer({ min: 1, max: 1_000 });

type Action =
  | { kind: "open"; user: number; collateral: number; permille: number }
  | { kind: "borrow"; vault: number; permille: number }
  | { kind: "repay"; vault: number; permille: number }
  | { kind: "withdraw"; vault: number; permille: number }
  | { kind: "wait"; seconds: number }
  | { kind: "price"; collateral: number; movePermille: number }
  | { kind: "liquidate"; vault: number }
  | { kind: "batch"; vaults: number[] }
  | { kind: "take"; auction: number; permille: number; priceSlackPermille: number }
  | { kind: "reset"; auction: number }
  | { kind: "heal" };

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("open" as const),
      user: fc.nat(USERS - 1),
      collateral: fc.nat(1),
      permille: PERMILLE,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("borrow" as const),
      vault: fc.nat(),
      permille: fc.integer({ min: 500, max: 1_000 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("repay" as const), vault: fc.nat(), permille: PERMILLE }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("withdraw" as const), vault: fc.nat(), permille: PERMILLE }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("wait" as const), seconds: fc.integer({ min: 1, max: 3 * 3_600 }) }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("price" as const),
      collateral: fc.nat(1),
      movePermille: fc.integer({ min: -250, max: 80 }),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("liquidate" as const), vault: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("batch" as const), vaults: fc.array(fc.nat(), { maxLength: 5 }) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("take" as const),
      auction: fc.nat(),
      permille: PERMILLE,
      priceSlackPermille: fc.integer({ min: -50, max: 50 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("reset" as const), auction: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant({ kind: "heal" as const }) },
);

/** Refusals a random action may meet; anything else (a panic, an unknown error) fails the test. */
const EXPECTED = new Set([
  "VaultUnsafe",
  "DebtBelowDust",
  "DebtCeilingExceeded",
  "GlobalDebtCeilingExceeded",
  "VaultInAuction",
  "VaultHealthy",
  "NoAuctionRoom",
  "BorrowedThisBlock",
  "AuctionNeedsReset",
  "AuctionNotStale",
  "TakeLeavesDust",
  "PriceAboveMax",
  "ZeroTake",
  "NoDebt",
  "StalePrice",
]);

/** What the runs actually exercised: a property that never liquidated anything proves nothing. */
const exercised = { liquidations: 0, takes: 0, endedAuctions: 0 };

describe("Liquidation (stateful property)", function () {
  it("keeps the books balanced, auctions single-counted and unsafe vaults liquidatable", async function () {
    await fc.assert(
      fc.asyncProperty(fc.array(actionArb, { minLength: 30, maxLength: 45 }), async (actions) => {
        const run = new Run(await deploySluiceFixture());
        await run.setUp();
        for (const action of actions) {
          await run.apply(action);
          await run.check();
        }
      }),
      // A fixed seed: the runs (and so the counts checked below) are the same on every machine.
      { numRuns: 8, seed: 20261128 },
    );
    expect(exercised.liquidations, "liquidations across runs").to.be.gt(0);
    expect(exercised.takes, "takes across runs").to.be.gt(0);
    expect(exercised.endedAuctions, "auctions run to their end").to.be.gt(0);
  });
});

class Run {
  readonly vaults: bigint[] = [];
  readonly users: HardhatEthersSigner[];
  readonly buyer: HardhatEthersSigner;
  readonly keeper: HardhatEthersSigner;
  readonly collaterals: SluiceFixture["weth"][];

  constructor(readonly f: SluiceFixture) {
    this.users = f.users.slice(0, USERS);
    [this.keeper, this.buyer] = f.users.slice(USERS, USERS + 2);
    this.collaterals = [f.weth, f.wbtc];
  }

  async setUp(): Promise<void> {
    const engine = await this.f.vaultEngine.getAddress();
    for (const c of this.collaterals) {
      for (const user of [...this.users, this.buyer]) {
        await c.token.mint(user.address, 1_000n * 10n ** BigInt(c.spec.decimals));
        await c.token.connect(user).approve(engine, ethers.MaxUint256);
      }
    }
    // The buyer funds itself with a large, safe WBTC vault.
    await this.f.vaultEngine.connect(this.buyer).openVault(await this.f.wbtc.token.getAddress());
    const id = await this.f.vaultEngine.vaultCount();
    await this.f.vaultEngine.connect(this.buyer).deposit(id, 1_000n * 10n ** 8n);
    await this.f.vaultEngine.connect(this.buyer).borrow(id, 10_000_000n * WAD, this.buyer.address);
    this.vaults.push(id);
  }

  private pick<T>(list: readonly T[], index: number): T | undefined {
    return list.length === 0 ? undefined : list[index % list.length];
  }

  private async attempt(send: () => Promise<{ wait(): Promise<unknown> }>): Promise<boolean> {
    try {
      await (await send()).wait();
      return true;
    } catch (error) {
      const data = (error as { data?: string }).data;
      const name = data ? this.parseError(data) : undefined;
      if (!name || !EXPECTED.has(name)) throw error;
      return false;
    }
  }

  private parseError(data: string): string | undefined {
    for (const contract of [this.f.vaultEngine, this.f.liquidator, this.f.dutchAuction, this.f.oracleHub]) {
      const parsed = contract.interface.parseError(data);
      if (parsed) return parsed.name;
    }
    return undefined;
  }

  async apply(action: Action): Promise<void> {
    const { vaultEngine: engine, liquidator, dutchAuction } = this.f;
    switch (action.kind) {
      case "open": {
        const user = this.users[action.user];
        const c = this.collaterals[action.collateral];
        await engine.connect(user).openVault(await c.token.getAddress());
        const id = await engine.vaultCount();
        const amount = ((await c.token.balanceOf(user.address)) * BigInt(action.permille)) / 10_000n;
        this.vaults.push(id);
        if (amount === 0n) return;
        await engine.connect(user).deposit(id, amount);
        // Borrowers in this story lever up close to their limit.
        const debt = ((await this.headroom(id)) * 95n) / 100n;
        if (debt > 0n) await this.attempt(() => engine.connect(user).borrow(id, debt, user.address));
        return;
      }
      case "borrow": {
        const id = this.pick(this.vaults, action.vault);
        if (id === undefined) return;
        const owner = await ethers.getSigner((await engine.vaults(id)).owner);
        const room = await this.headroom(id);
        const amount = (room * BigInt(action.permille)) / 1_000n;
        if (amount > 0n) await this.attempt(() => engine.connect(owner).borrow(id, amount, owner.address));
        return;
      }
      case "repay": {
        const id = this.pick(this.vaults, action.vault);
        if (id === undefined) return;
        const debt = await engine.debtOf(id);
        const amount = (debt * BigInt(action.permille)) / 1_000n;
        if (amount > 0n && (await this.f.stablecoin.balanceOf(this.buyer.address)) >= amount) {
          await this.attempt(() => engine.connect(this.buyer).repay(id, amount));
        }
        return;
      }
      case "withdraw": {
        const id = this.pick(this.vaults, action.vault);
        if (id === undefined) return;
        const vault = await engine.vaults(id);
        const amount = (vault.collateralAmount * BigInt(action.permille)) / 1_000n;
        if (amount === 0n) return;
        const owner = await ethers.getSigner(vault.owner);
        await this.attempt(() => engine.connect(owner).withdraw(id, amount, owner.address));
        return;
      }
      case "wait":
        await time.increase(action.seconds);
        await this.publish(-1, 0);
        return;
      case "price":
        await this.publish(action.collateral, action.movePermille);
        return;
      case "liquidate": {
        const id = this.pick(this.vaults, action.vault);
        if (id === undefined) return;
        if (await this.attempt(() => liquidator.connect(this.keeper).liquidate(id, this.keeper.address))) {
          exercised.liquidations++;
        }
        return;
      }
      case "batch": {
        const ids = action.vaults.map((i) => this.pick(this.vaults, i)!).filter((id) => id !== undefined);
        if (ids.length > 0)
          await this.attempt(() => liquidator.connect(this.keeper).liquidateBatch(ids, this.keeper.address));
        return;
      }
      case "take": {
        const id = this.pick(await dutchAuction.activeAuctions(), action.auction);
        if (id === undefined) return;
        const [, price, collateralLeft] = await dutchAuction.auctionStatus(id);
        const maxPrice = (price * BigInt(1_000 + action.priceSlackPermille)) / 1_000n;
        const amount = (collateralLeft * BigInt(action.permille)) / 1_000n;
        if (amount === 0n) return;
        const before = await this.f.stablecoin.balanceOf(this.buyer.address);
        const took = await this.attempt(() =>
          dutchAuction.connect(this.buyer).take(id, amount, maxPrice, this.buyer.address, "0x"),
        );
        if (took) {
          exercised.takes++;
          const after = await dutchAuction.auctions(id);
          if (after.debtLeft === 0n) {
            exercised.endedAuctions++;
          } else {
            // Never above maxPrice: the buyer paid at most the collateral bought at maxPrice, rounded up.
            const paid = before - (await this.f.stablecoin.balanceOf(this.buyer.address));
            const bought = collateralLeft - after.collateralLeft;
            const scale = 10n ** BigInt(18 - (await this.decimalsOfVault(after.vaultId)));
            expect(paid).to.be.lte((bought * scale * maxPrice + WAD - 1n) / WAD);
          }
        }
        return;
      }
      case "reset": {
        const id = this.pick(await dutchAuction.activeAuctions(), action.auction);
        if (id !== undefined)
          await this.attempt(() => dutchAuction.connect(this.keeper).reset(id, this.keeper.address));
        return;
      }
      case "heal":
        await engine.heal();
        return;
    }
  }

  private async decimalsOfVault(vaultId: bigint): Promise<number> {
    const collateral = (await this.f.vaultEngine.vaults(vaultId)).collateral;
    return collateral === (await this.f.weth.token.getAddress())
      ? this.f.weth.spec.decimals
      : this.f.wbtc.spec.decimals;
  }

  private async headroom(id: bigint): Promise<bigint> {
    try {
      const room = (await this.f.vaultEngine.maxDebt(id)) - (await this.f.vaultEngine.debtOf(id));
      return room > 0n ? room : 0n;
    } catch {
      return 0n;
    }
  }

  /** Publishes fresh answers for both feeds (a keeper's job), moving collateral `moved`. */
  private async publish(moved: number, movePermille: number): Promise<void> {
    for (const [index, c] of this.collaterals.entries()) {
      const [, answer] = await c.feed.latestRoundData();
      await c.feed.setAnswer(index === moved ? (answer * BigInt(1_000 + movePermille)) / 1_000n : answer);
      await this.f.riskEngine.poke(await c.token.getAddress());
    }
  }

  async check(): Promise<void> {
    const { vaultEngine: engine, dutchAuction, riskEngine, liquidator, stablecoin } = this.f;
    const engineAddress = await engine.getAddress();
    const vaults = await Promise.all(this.vaults.map((id) => engine.vaults(id)));
    const active = await dutchAuction.activeAuctions();
    const auctions = await Promise.all(active.map((id) => dutchAuction.auctions(id)));

    // C3 [rad], exactly.
    const supply = await stablecoin.totalSupply();
    expect((await engine.totalDebt()) + (await engine.deficit())).to.equal(supply * RAY + (await engine.surplus()));

    for (const c of this.collaterals) {
      const token = await c.token.getAddress();
      // C1: vault collateral plus auction collateral, each counted once.
      const inVaults = vaults.filter((v) => v.collateral === token).reduce((sum, v) => sum + v.collateralAmount, 0n);
      const inAuctions = auctions
        .filter((a) => vaults[this.vaults.indexOf(a.vaultId)]?.collateral === token)
        .reduce((sum, a) => sum + a.collateralLeft, 0n);
      expect(await c.token.balanceOf(engineAddress)).to.equal(inVaults + inAuctions);
      // C2.
      const [, totalNormalized] = await engine.collateralState(token);
      const normalized = vaults.filter((v) => v.collateral === token).reduce((sum, v) => sum + v.normalizedDebt, 0n);
      expect(totalNormalized).to.equal(normalized);
    }

    // One auction per vault in auction, none for the others.
    const auctionVaults = auctions.map((a) => a.vaultId);
    expect(new Set(auctionVaults).size).to.equal(auctionVaults.length);
    for (const [i, id] of this.vaults.entries()) {
      expect(vaults[i].inAuction, `vault ${id}`).to.equal(auctionVaults.includes(id));
    }

    // No vault below health 1 is un-liquidatable (only the caps may make it wait).
    for (const [i, id] of this.vaults.entries()) {
      if (vaults[i].inAuction || vaults[i].normalizedDebt === 0n) continue;
      if ((await riskEngine.healthFactor(id)) >= WAD) continue;
      try {
        await liquidator.liquidate.staticCall(id, this.keeper.address);
      } catch (error) {
        const data = (error as { data?: string }).data;
        expect(data ? this.parseError(data) : undefined, `vault ${id}`).to.equal("NoAuctionRoom");
      }
    }
  }
}
