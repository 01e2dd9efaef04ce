// Stateful property test of the VaultEngine's books (docs/ACCOUNTING.md): random sequences of
// open/deposit/withdraw/borrow/repay/time jumps/price moves across several accounts and both an
// 18- and an 8-decimal collateral, mixed with what the liquidation modules do to the engine (seize,
// sell auctioned collateral and end auctions with or without debt returned, collect proceeds, pay
// keepers, heal), called directly by two accounts set as the modules. After every step the collateral
// and debt identities hold exactly, and every vault's debt matches an exact-compounding reference
// within one wei per step.
import { expect } from "chai";
import fc from "fast-check";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { RAY, WAD } from "../../keeper/src/math/fixedPoint";
import type { IVaultEngine } from "../../typechain-types";
import { deploySluiceFixture, type SluiceFixture } from "../helpers/fixtures";
import { HIGH, powHigh } from "../helpers/reference";
import { propertyRuns } from "../helpers/runs";

const YEAR = 365 * 24 * 3600;
const USERS = 4;
const PERMILLE = fc.integer({ min: 1, max: 1_000 });

type Action =
  | { kind: "open"; user: number; collateral: number }
  | { kind: "deposit"; user: number; vault: number; permille: number }
  | { kind: "withdraw"; vault: number; permille: number }
  | { kind: "borrow"; vault: number; permille: number }
  | { kind: "repay"; user: number; vault: number; permille: number }
  | { kind: "wait"; seconds: number }
  | { kind: "price"; collateral: number; movePermille: number }
  | { kind: "seize"; vault: number; collateralPermille: number; debtPermille: number }
  | { kind: "sell"; vault: number; user: number; permille: number; end: boolean; returnPermille: number }
  | { kind: "proceeds"; user: number; permille: number }
  | { kind: "payKeeper"; user: number; amount: number }
  | { kind: "heal" };

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constant("open" as const), user: fc.nat(USERS - 1), collateral: fc.nat(1) }),
  {
    arbitrary: fc.record({
      kind: fc.constant("deposit" as const),
      user: fc.nat(USERS - 1),
      vault: fc.nat(),
      permille: PERMILLE,
    }),
    weight: 2,
  },
  fc.record({ kind: fc.constant("withdraw" as const), vault: fc.nat(), permille: PERMILLE }),
  // Up to 110% of the headroom: some borrows must be refused.
  fc.record({ kind: fc.constant("borrow" as const), vault: fc.nat(), permille: fc.integer({ min: 1, max: 1_100 }) }),
  // Up to 120% of the debt: over-repayment must burn only the debt.
  fc.record({
    kind: fc.constant("repay" as const),
    user: fc.nat(USERS - 1),
    vault: fc.nat(),
    permille: fc.integer({ min: 1, max: 1_200 }),
  }),
  fc.record({ kind: fc.constant("wait" as const), seconds: fc.integer({ min: 1, max: 60 * 86_400 }) }),
  fc.record({
    kind: fc.constant("price" as const),
    collateral: fc.nat(1),
    movePermille: fc.integer({ min: -250, max: 250 }),
  }),
  // Part of a vault's collateral and of its debt (possibly none, possibly all) go under auction.
  {
    arbitrary: fc.record({
      kind: fc.constant("seize" as const),
      vault: fc.nat(),
      collateralPermille: PERMILLE,
      debtPermille: fc.integer({ min: 0, max: 1_000 }),
    }),
    weight: 2,
  },
  // A take of part or all of a lot; an ending one may put up to 5,000 of unraised debt back.
  {
    arbitrary: fc.record({
      kind: fc.constant("sell" as const),
      vault: fc.nat(),
      user: fc.nat(USERS - 1),
      permille: PERMILLE,
      end: fc.boolean(),
      // Half the ending takes raise the whole debt and return none.
      returnPermille: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1_000 })),
    }),
    weight: 2,
  },
  fc.record({ kind: fc.constant("proceeds" as const), user: fc.nat(USERS - 1), permille: PERMILLE }),
  fc.record({
    kind: fc.constant("payKeeper" as const),
    user: fc.nat(USERS - 1),
    amount: fc.integer({ min: 1, max: 500 }),
  }),
  fc.record({ kind: fc.constant("heal" as const) }),
);

/** Errors a refused action may raise: anything else (a panic, an unknown revert) fails the test. */
const EXPECTED_REFUSALS = [
  "VaultUnsafe",
  "DebtBelowDust",
  "DebtCeilingExceeded",
  "GlobalDebtCeilingExceeded",
  "VaultInAuction",
];
/** Most unraised debt an ending auction puts back on its vault [wad]. */
const MAX_DEBT_RETURNED = 5_000n * WAD;

interface ModelVault {
  id: bigint;
  owner: HardhatEthersSigner;
  collateral: number;
  /** Debt under exact per-second compounding [wad · HIGH]. */
  exactDebt: bigint;
  /** Rounding allowance accumulated so far [wad]: one wei per step that touched this debt. */
  steps: bigint;
}

describe("VaultEngine accounting (property)", function () {
  it("keeps the collateral and debt identities after every step, and fees match exact compounding", async function () {
    await fc.assert(
      fc.asyncProperty(fc.array(actionArb, { minLength: 25, maxLength: 45 }), async (actions) => {
        const f = await deploySluiceFixture();
        const run = new Run(f);
        await run.setUp();
        for (const action of actions) {
          await run.apply(action);
          await run.checkInvariants();
        }
        // Every run spans at least a simulated year of fee accrual.
        await run.apply({ kind: "wait", seconds: YEAR });
        await run.checkInvariants();
        expect(run.elapsed).to.be.gte(YEAR);
      }),
      { numRuns: propertyRuns(40) },
    );
  });
});

class Run {
  readonly vaults: ModelVault[] = [];
  readonly collaterals: SluiceFixture["weth"][];
  readonly users: HardhatEthersSigner[];
  readonly fees: bigint[] = [];
  /** The accounts set as the Liquidator and the DutchAuction. */
  readonly liquidator: HardhatEthersSigner;
  readonly auction: HardhatEthersSigner;
  /** The time up to which every model vault's exact debt is compounded [seconds]. */
  modelTime = 0n;
  elapsed = 0;

  constructor(readonly f: SluiceFixture) {
    this.collaterals = [f.weth, f.wbtc];
    this.users = f.users.slice(0, USERS);
    [this.liquidator, this.auction] = [f.users[USERS], f.users[USERS + 1]];
  }

  async setUp(): Promise<void> {
    const engine = await this.f.vaultEngine.getAddress();
    for (const c of this.collaterals) {
      this.fees.push((await this.f.vaultEngine.collateralParams(await c.token.getAddress())).stabilityFee);
      for (const user of this.users) {
        await c.token.mint(user.address, 1_000n * 10n ** BigInt(c.spec.decimals));
        await c.token.connect(user).approve(engine, ethers.MaxUint256);
      }
    }
    await this.f.vaultEngine.connect(this.f.governor).setLiquidationModules(this.liquidator, this.auction);
    this.modelTime = BigInt(await time.latest());
  }

  private vault(index: number): ModelVault | undefined {
    return this.vaults.length === 0 ? undefined : this.vaults[index % this.vaults.length];
  }

  /** The `index`-th (cyclically) of the vaults whose stored state satisfies `accepts`, if any. */
  private async vaultWhere(
    index: number,
    accepts: (stored: IVaultEngine.VaultStructOutput) => boolean,
  ): Promise<ModelVault | undefined> {
    const stored = await Promise.all(this.vaults.map((v) => this.f.vaultEngine.vaults(v.id)));
    const candidates = this.vaults.filter((_, i) => accepts(stored[i]));
    return candidates.length === 0 ? undefined : candidates[index % candidates.length];
  }

  /** Compounds every model vault's exact debt up to `to`. */
  private compoundTo(to: bigint): void {
    if (to <= this.modelTime) return;
    for (const vault of this.vaults) {
      if (vault.exactDebt === 0n) continue;
      vault.exactDebt = (vault.exactDebt * powHigh(this.fees[vault.collateral], to - this.modelTime)) / HIGH;
      vault.steps += 1n;
    }
    this.modelTime = to;
  }

  /** Pins the next block's time so the reference can compound to exactly when the tx executes. */
  private async pinNextBlock(): Promise<void> {
    const next = BigInt(await time.latest()) + 1n;
    await time.setNextBlockTimestamp(next);
    this.compoundTo(next);
  }

  async apply(action: Action): Promise<void> {
    const engine = this.f.vaultEngine;
    switch (action.kind) {
      case "open": {
        const user = this.users[action.user];
        const token = await this.collaterals[action.collateral].token.getAddress();
        await engine.connect(user).openVault(token);
        const id = await engine.vaultCount();
        this.vaults.push({ id, owner: user, collateral: action.collateral, exactDebt: 0n, steps: 0n });
        return;
      }
      case "deposit": {
        const vault = this.vault(action.vault);
        if (!vault) return;
        const user = this.users[action.user];
        const balance = await this.collaterals[vault.collateral].token.balanceOf(user.address);
        const amount = (balance * BigInt(action.permille)) / 1_000n;
        if (amount > 0n) await engine.connect(user).deposit(vault.id, amount);
        return;
      }
      case "withdraw": {
        const vault = this.vault(action.vault);
        if (!vault) return;
        const held = (await engine.vaults(vault.id)).collateralAmount;
        const amount = (held * BigInt(action.permille)) / 1_000n;
        if (amount === 0n) return;
        await this.attempt(() => engine.connect(vault.owner).withdraw(vault.id, amount, vault.owner.address));
        return;
      }
      case "borrow": {
        const vault = this.vault(action.vault);
        if (!vault) return;
        const headroom = (await engine.maxDebt(vault.id)) - (await engine.debtOf(vault.id));
        const amount = (headroom * BigInt(action.permille)) / 1_000n;
        if (amount <= 0n) return;
        await this.pinNextBlock();
        if (await this.attempt(() => engine.connect(vault.owner).borrow(vault.id, amount, vault.owner.address))) {
          vault.exactDebt += amount * HIGH;
          vault.steps += 1n;
        }
        return;
      }
      case "repay": {
        const vault = this.vault(action.vault);
        if (!vault) return;
        const payer = this.users[action.user];
        const debt = await engine.debtOf(vault.id);
        const amount = (debt * BigInt(action.permille)) / 1_000n;
        if (amount === 0n || (await this.f.stablecoin.balanceOf(payer.address)) < amount) return;
        const supplyBefore = await this.f.stablecoin.totalSupply();
        await this.pinNextBlock();
        if (await this.attempt(() => engine.connect(payer).repay(vault.id, amount))) {
          const burnt = supplyBefore - (await this.f.stablecoin.totalSupply());
          expect(burnt).to.be.lte(amount);
          if ((await engine.vaults(vault.id)).normalizedDebt === 0n) {
            vault.exactDebt = 0n;
            vault.steps = 0n;
          } else {
            vault.exactDebt -= burnt * HIGH;
            vault.steps += 1n;
          }
        }
        return;
      }
      case "wait": {
        await time.increase(action.seconds);
        this.elapsed += action.seconds;
        await this.publishPrices(-1, 0);
        return;
      }
      case "price":
        await this.publishPrices(action.collateral, action.movePermille);
        return;
      case "seize": {
        // The Liquidator seizes only from vaults out of auction, and never an empty lot.
        const vault = await this.vaultWhere(action.vault, (v) => !v.inAuction && v.collateralAmount !== 0n);
        if (!vault) return;
        const stored = await engine.vaults(vault.id);
        const amount = (stored.collateralAmount * BigInt(action.collateralPermille)) / 1_000n;
        if (amount === 0n) return;
        const normalizedDebt = (stored.normalizedDebt * BigInt(action.debtPermille)) / 1_000n;
        await this.pinNextBlock();
        await engine.connect(this.liquidator).seize(vault.id, amount, normalizedDebt);
        if (stored.normalizedDebt !== 0n) {
          vault.exactDebt = (vault.exactDebt * (stored.normalizedDebt - normalizedDebt)) / stored.normalizedDebt;
          vault.steps += 1n;
        }
        return;
      }
      case "sell": {
        const vault = await this.vaultWhere(action.vault, (v) => v.inAuction);
        if (!vault) return;
        const { auctionCollateral } = await engine.vaults(vault.id);
        const amount = (auctionCollateral * BigInt(action.permille)) / 1_000n;
        // As the DutchAuction does: an auction ends when its lot is gone, or when its debt is raised.
        const ended = action.end || amount === auctionCollateral;
        const debtReturned = ended ? (MAX_DEBT_RETURNED * BigInt(action.returnPermille)) / 1_000n : 0n;
        await this.pinNextBlock();
        const buyer = this.users[action.user].address;
        await engine.connect(this.auction).sellAuctionCollateral(vault.id, buyer, amount, ended, debtReturned);
        if (debtReturned !== 0n) {
          // Normalised up at the rate of now: up to rate / RAY (< 2) wei more than asked.
          vault.exactDebt += debtReturned * HIGH;
          vault.steps += 2n;
        }
        return;
      }
      case "proceeds": {
        const payer = this.users[action.user];
        const balance = await this.f.stablecoin.balanceOf(payer.address);
        const amount = (balance * BigInt(action.permille)) / 1_000n;
        if (amount === 0n) return;
        await engine.connect(this.auction).collectAuctionProceeds(payer.address, amount);
        return;
      }
      case "payKeeper":
        await engine.connect(this.auction).payKeeper(this.users[action.user].address, BigInt(action.amount) * WAD);
        return;
      case "heal":
        await engine.heal();
        return;
    }
  }

  /** Publishes fresh answers (a keeper's job) and moves the price of collateral `moved`. */
  private async publishPrices(moved: number, movePermille: number): Promise<void> {
    for (const [index, c] of this.collaterals.entries()) {
      const [, answer] = await c.feed.latestRoundData();
      await c.feed.setAnswer(index === moved ? (answer * BigInt(1_000 + movePermille)) / 1_000n : answer);
      await this.f.oracleHub.poke(await c.token.getAddress());
    }
  }

  /** Sends a tx; returns false for an expected refusal and rethrows anything else. */
  private async attempt(send: () => Promise<{ wait(): Promise<unknown> }>): Promise<boolean> {
    try {
      await (await send()).wait();
      return true;
    } catch (error) {
      const data = (error as { data?: string }).data;
      const name = data ? this.f.vaultEngine.interface.parseError(data)?.name : undefined;
      if (!name || !EXPECTED_REFUSALS.includes(name)) throw error;
      return false;
    }
  }

  async checkInvariants(): Promise<void> {
    const engine = this.f.vaultEngine;
    const engineAddress = await engine.getAddress();
    const stored = await Promise.all(this.vaults.map((v) => engine.vaults(v.id)));

    for (const vault of stored) expect(vault.inAuction).to.equal(vault.auctionCollateral !== 0n);
    for (const [index, c] of this.collaterals.entries()) {
      const mine = stored.filter((_, i) => this.vaults[i].collateral === index);
      // Collateral conservation: the engine holds exactly Σ vault collateral of each token, whether
      // in the vault or under auction.
      const collateralSum = mine.reduce((sum, v) => sum + v.collateralAmount + v.auctionCollateral, 0n);
      expect(await c.token.balanceOf(engineAddress)).to.equal(collateralSum);
      // Σ vault normalised debt = the type's total normalised debt.
      const [, totalNormalized] = await engine.collateralState(await c.token.getAddress());
      expect(totalNormalized).to.equal(mine.reduce((sum, v) => sum + v.normalizedDebt, 0n));
    }
    // Debt conservation [rad]: totalDebt + deficit = supply·RAY + surplus, exactly.
    const supply = await this.f.stablecoin.totalSupply();
    expect((await engine.totalDebt()) + (await engine.deficit())).to.equal(supply * RAY + (await engine.surplus()));

    // Fees: each vault's debt against exact per-second compounding, within one wei per step.
    this.compoundTo(BigInt(await time.latest()));
    for (const vault of this.vaults) {
      const debt = await engine.debtOf(vault.id);
      const reference = vault.exactDebt / HIGH;
      const message = `vault ${vault.id}: debt ${debt}, reference ${reference}, steps ${vault.steps}`;
      expect(debt - reference, message).to.be.gte(-1n);
      expect(debt - reference, message).to.be.lte(vault.steps + 1n);
    }
  }
}
