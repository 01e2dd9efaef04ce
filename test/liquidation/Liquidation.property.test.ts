// Stateful property test of liquidation (fast-check): random vault actions (including top-ups of
// vaults in auction), price paths, feed jumps beyond maxJump that nobody pokes at once,
// liquidations, takes, resets, claims of keeper incentives and time jumps, under caps on debt in
// auction low enough to bind and with whales far above them. After every step the ACCOUNTING.md
// identities hold, the auctions agree with the vaults and the caps, every vault below health 1 can
// be liquidated while the room holds a dust-sized slice, no borrow or withdraw succeeds while a
// stored price lags its feed beyond maxJump, no reset pays more than the lot it restarts is worth,
// and every keeper can claim exactly what it is owed.
import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionReceipt, ErrorDescription } from "ethers";
import { WAD, mulWadUp, valueDown } from "../../keeper/src/math/fixedPoint";
import { deploySluiceFixture, type SluiceFixture } from "../helpers/fixtures";
import * as market from "../helpers/market";
import { propertyRuns, underCoverage } from "../helpers/runs";

const USERS = 4;
const KEEPERS = 2;
const PERMILLE = fc.integer({ min: 1, max: 1_000 });

/** Caps on debt in auction [wad], low enough that the largest vaults of a run are cut down to them. */
const CAPS = { WETH: 1_500_000n * WAD, WBTC: 3_000_000n * WAD, total: 4_000_000n * WAD };

type Action =
  | { kind: "open"; user: number; collateral: number; permille: number }
  | { kind: "whale"; collateral: number; multiple: number }
  | { kind: "deposit"; user: number; vault: number; intoAuction: boolean; permille: number }
  | { kind: "borrow"; vault: number; permille: number }
  | { kind: "repay"; vault: number; permille: number }
  | { kind: "withdraw"; vault: number; permille: number }
  | { kind: "wait"; seconds: number }
  | { kind: "price"; collateral: number; movePermille: number }
  | { kind: "jump"; collateral: number; movePermille: number }
  | { kind: "liquidate"; vault: number; keeper: number }
  | { kind: "batch"; vaults: number[]; keeper: number }
  | { kind: "take"; auction: number; permille: number; priceSlackPermille: number }
  | { kind: "reset"; auction: number; keeper: number; waitUntilStale: boolean }
  | { kind: "claim"; keeper: number; to: number }
  | { kind: "heal" };

const KEEPER = fc.nat(KEEPERS - 1);

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
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("whale" as const),
      collateral: fc.nat(1),
      multiple: fc.integer({ min: 2, max: 6 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("deposit" as const),
      user: fc.nat(USERS - 1),
      vault: fc.nat(),
      intoAuction: fc.boolean(),
      permille: PERMILLE,
    }),
  },
  {
    weight: 2,
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
  {
    // The feed moves far beyond maxJump and nobody pokes yet: the stored price lags it.
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("jump" as const),
      collateral: fc.nat(1),
      movePermille: fc.oneof(fc.integer({ min: -600, max: -320 }), fc.integer({ min: 320, max: 700 })),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant("liquidate" as const), vault: fc.nat(), keeper: KEEPER }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("batch" as const),
      vaults: fc.array(fc.nat(), { maxLength: 5 }),
      keeper: KEEPER,
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("take" as const),
      auction: fc.nat(),
      // Whole lots often, so auctions run to their end as well as shrink.
      permille: fc.oneof(PERMILLE, fc.constant(1_000)),
      priceSlackPermille: fc.integer({ min: -20, max: 50 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("reset" as const),
      auction: fc.nat(),
      keeper: KEEPER,
      waitUntilStale: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("claim" as const), keeper: KEEPER, to: fc.nat(USERS + KEEPERS - 1) }),
  },
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
  "NothingToClaim",
  "StalePrice",
  "PriceLagsFeed",
  "TakeLeavesDustCollateral",
]);

/** ILiquidator.Refusal, by value, as the custom error `liquidate` reverts with for it. */
const PREVIEW_REFUSALS = [
  "none",
  "VaultHealthy",
  "VaultInAuction",
  "BorrowedThisBlock",
  "NoAuctionRoom",
  "StalePrice",
  "unknown",
];

/** What a borrow or withdraw may meet while the stored price lags its feed: never success. */
const LAG_REFUSALS = ["PriceLagsFeed", "DebtCeilingExceeded", "GlobalDebtCeilingExceeded", "DebtBelowDust"];

/** What the runs actually exercised: a property that never liquidated anything proves nothing. */
const exercised = {
  liquidations: 0,
  takes: 0,
  endedAuctions: 0,
  resets: 0,
  claims: 0,
  topUpsInAuction: 0,
  /** Checks that found a whale (a vault worth several caps) below health 1 and liquidatable. */
  unsafeWhalesLiquidatable: 0,
  /** Reset calls that ended a lot worth less than dust. */
  dustAuctionsEnded: 0,
  /** Checks that found a stored price lagging its feed beyond maxJump and borrowing refused. */
  lagRefusals: 0,
  /** Liquidations whose preview, in their block, said exactly what they did. */
  previewsMatched: 0,
  /** NoAuctionRoom refusals checked to be the Liquidator's own (collateral, uncut debt to raise, room). */
  roomRefusalsChecked: 0,
};

describe("Liquidation (stateful property)", function () {
  it("keeps the books balanced, auctions consistent, unsafe vaults liquidatable and incentives claimable", async function () {
    // A few hundred steps, each followed by a full check of the books.
    this.timeout(600_000);
    await fc.assert(
      fc.asyncProperty(fc.array(actionArb, { minLength: 30, maxLength: 45 }), async (actions) => {
        const run = new Run(await deploySluiceFixture());
        await run.setUp();
        for (const action of actions) {
          await run.apply(action);
          await run.check();
        }
      }),
      // A fixed seed: the runs (and so the counts checked below) are the same on every machine. No
      // shrinking: every replay redeploys and reruns a chain, so the first counterexample is reported.
      { numRuns: propertyRuns(12), seed: 20261128, endOnFailure: true },
    );
    expect(exercised.liquidations, "liquidations across runs").to.be.gt(0);
    expect(exercised.takes, "takes across runs").to.be.gt(0);
    expect(exercised.endedAuctions, "auctions run to their end").to.be.gt(0);
    expect(exercised.claims, "incentives claimed").to.be.gt(0);
    expect(exercised.previewsMatched, "liquidations matched by their preview").to.be.gt(0);
    expect(exercised.lagRefusals, "borrowing refused while a price lagged its feed").to.be.gt(0);
    expect(exercised.unsafeWhalesLiquidatable, "unsafe whales above the caps found liquidatable").to.be.gt(0);
    // The rarer moves show up only in the full count of runs.
    if (!underCoverage) {
      expect(exercised.resets, "auctions reset").to.be.gt(0);
      expect(exercised.topUpsInAuction, "vaults in auction topped up").to.be.gt(0);
      expect(exercised.roomRefusalsChecked, "NoAuctionRoom refusals checked to be the Liquidator's").to.be.gt(0);
    }
  });
});

class Run {
  readonly vaults: bigint[] = [];
  readonly users: HardhatEthersSigner[];
  readonly keepers: HardhatEthersSigner[];
  readonly buyer: HardhatEthersSigner;
  readonly whale: HardhatEthersSigner;
  readonly collaterals: SluiceFixture["weth"][];
  /** Per keeper, what the auctions' events say it earned and what it claimed [wad]. */
  readonly earned: bigint[] = Array<bigint>(KEEPERS).fill(0n);
  readonly claimed: bigint[] = Array<bigint>(KEEPERS).fill(0n);
  /** Vaults opened by the whale, each worth several times the cap on its collateral's auctions. */
  readonly whaleVaults = new Set<bigint>();

  constructor(readonly f: SluiceFixture) {
    this.users = f.users.slice(0, USERS);
    this.keepers = f.users.slice(USERS, USERS + KEEPERS);
    this.buyer = f.users[USERS + KEEPERS];
    this.whale = f.users[USERS + KEEPERS + 1];
    this.collaterals = [f.weth, f.wbtc];
  }

  async setUp(): Promise<void> {
    const { vaultEngine: engine, dutchAuction } = this.f;
    const engineAddress = await engine.getAddress();
    for (const c of this.collaterals) {
      for (const user of [...this.users, this.buyer, this.whale]) {
        await c.token.mint(user.address, 1_000n * 10n ** BigInt(c.spec.decimals));
        await c.token.connect(user).approve(engineAddress, ethers.MaxUint256);
      }
    }
    await dutchAuction.setMaxDebtInAuction(await this.f.weth.token.getAddress(), CAPS.WETH);
    await dutchAuction.setMaxDebtInAuction(await this.f.wbtc.token.getAddress(), CAPS.WBTC);
    await dutchAuction.setMaxTotalDebtInAuction(CAPS.total);
    // The buyer funds itself with a large, safe WBTC vault.
    await engine.connect(this.buyer).openVault(await this.f.wbtc.token.getAddress());
    const id = await engine.vaultCount();
    await engine.connect(this.buyer).deposit(id, 1_000n * 10n ** 8n);
    await engine.connect(this.buyer).borrow(id, 10_000_000n * WAD, this.buyer.address);
    this.vaults.push(id);
    // Borrowers in this story lever up close to their limit: each starts with a vault of each type.
    for (const user of this.users) {
      for (const c of this.collaterals) await this.open(user, c, 200n);
    }
  }

  private pick<T>(list: readonly T[], index: number): T | undefined {
    return list.length === 0 ? undefined : list[index % list.length];
  }

  /** Sends a transaction; returns its receipt, or undefined when it met an expected refusal. */
  private async attempt(
    send: () => Promise<{ wait(): Promise<ContractTransactionReceipt | null> }>,
  ): Promise<ContractTransactionReceipt | undefined> {
    return (await this.attemptNamed(send)).receipt;
  }

  /** As `attempt`, also naming the expected refusal it met. */
  private async attemptNamed(
    send: () => Promise<{ wait(): Promise<ContractTransactionReceipt | null> }>,
  ): Promise<{ receipt?: ContractTransactionReceipt; refusal?: string; error?: unknown }> {
    try {
      return { receipt: (await (await send()).wait())! };
    } catch (error) {
      const name = this.errorName(error);
      if (!name || !EXPECTED.has(name)) throw error;
      return { refusal: name, error };
    }
  }

  /**
   * The custom error a call reverted with. Every core contract's ABI holds every protocol error
   * (ISluiceErrors), so the first one decodes whatever bubbled up from another contract.
   */
  private decodeError(error: unknown): ErrorDescription | undefined {
    const data = (error as { data?: string }).data;
    if (!data) return undefined;
    return this.f.liquidator.interface.parseError(data) ?? undefined;
  }

  private errorName(error: unknown): string | undefined {
    return this.decodeError(error)?.name;
  }

  /**
   * A `liquidate` of vault `id` refused with `NoAuctionRoom` must be the Liquidator's own refusal: the
   * DutchAuction's (the same error) reaching a caller would mean the Liquidator planned a start that
   * does not fit, a failure. The two carry the same fields, so this checks what only the Liquidator's
   * satisfies together with the preview (which says `NoRoom` only for the Liquidator's refusal): it
   * names the vault's collateral and the room left under both caps now, and the debt to raise it
   * carries, the uncut liquidation's, does not fit that room.
   */
  private async expectLiquidatorsNoAuctionRoom(error: unknown, id: bigint, collateral: string): Promise<void> {
    const decoded = this.decodeError(error);
    expect(decoded?.name, `vault ${id}`).to.equal("NoAuctionRoom");
    const [collateralRoom, totalRoom] = await this.f.dutchAuction.room(collateral);
    const room = collateralRoom < totalRoom ? collateralRoom : totalRoom;
    const [refusedCollateral, debtToRaise, refusedRoom] = decoded!.args;
    expect([refusedCollateral, refusedRoom], `NoAuctionRoom of vault ${id}`).to.deep.equal([collateral, room]);
    expect(debtToRaise, `the uncut liquidation of vault ${id} does not fit`).to.be.gt(room);
    exercised.roomRefusalsChecked++;
  }

  private auctionEvents(receipt: ContractTransactionReceipt, name: string) {
    return receipt.logs
      .filter((log) => log.address === this.f.dutchAuction.target)
      .map((log) => this.f.dutchAuction.interface.parseLog(log))
      .filter((parsed) => parsed?.name === name)
      .map((parsed) => parsed!.args);
  }

  /** Books what the liquidations of a receipt owe their keepers. */
  private async recordLiquidations(receipt: ContractTransactionReceipt | undefined): Promise<void> {
    if (!receipt) return;
    for (const liquidation of await market.liquidationsIn(this.f, receipt)) {
      exercised.liquidations++;
      this.earned[this.keeperIndex(liquidation.keeper)] += liquidation.incentive;
    }
  }

  private keeperIndex(address: string): number {
    const index = this.keepers.findIndex((keeper) => keeper.address === address);
    expect(index, `keeper ${address}`).to.be.gte(0);
    return index;
  }

  /** Opens a vault of `permille`/10,000 of the user's balance, levered close to its limit. */
  private async open(user: HardhatEthersSigner, c: SluiceFixture["weth"], permille: bigint): Promise<void> {
    const engine = this.f.vaultEngine;
    await engine.connect(user).openVault(await c.token.getAddress());
    const id = await engine.vaultCount();
    const amount = ((await c.token.balanceOf(user.address)) * permille) / 10_000n;
    this.vaults.push(id);
    if (amount === 0n) return;
    await engine.connect(user).deposit(id, amount);
    const debt = ((await this.headroom(id)) * 95n) / 100n;
    if (debt > 0n) await this.attempt(() => engine.connect(user).borrow(id, debt, user.address));
  }

  async apply(action: Action): Promise<void> {
    const { vaultEngine: engine, liquidator, dutchAuction, stablecoin } = this.f;
    switch (action.kind) {
      case "open":
        await this.open(this.users[action.user], this.collaterals[action.collateral], BigInt(action.permille));
        return;
      case "whale": {
        // A vault worth `multiple` times its collateral's cap, levered close to its limit.
        const c = this.collaterals[action.collateral];
        const cap = CAPS[c.spec.symbol as "WETH" | "WBTC"];
        const [price] = await this.f.oracleHub.priceState(await c.token.getAddress());
        const amount = (cap * BigInt(action.multiple) * 10n ** BigInt(c.spec.decimals)) / price;
        await c.token.mint(this.whale.address, amount);
        const before = await c.token.balanceOf(this.whale.address);
        await this.open(this.whale, c, (amount * 10_000n) / before);
        this.whaleVaults.add(this.vaults[this.vaults.length - 1]);
        return;
      }
      case "deposit": {
        // Anyone may top up any vault, one in auction included.
        const id = this.pick(action.intoAuction ? await dutchAuction.activeAuctions() : this.vaults, action.vault);
        if (id === undefined) return;
        const user = this.users[action.user];
        const vault = await engine.vaults(id);
        const c = this.collaterals.find((candidate) => candidate.token.target === vault.collateral)!;
        const amount = ((await c.token.balanceOf(user.address)) * BigInt(action.permille)) / 100_000n;
        if (amount === 0n) return;
        await engine.connect(user).deposit(id, amount);
        if (vault.inAuction) exercised.topUpsInAuction++;
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
        if (amount > 0n && (await stablecoin.balanceOf(this.buyer.address)) >= amount) {
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
      case "jump": {
        const c = this.collaterals[action.collateral];
        const [, answer] = await c.feed.latestRoundData();
        await c.feed.setAnswer((answer * BigInt(1_000 + action.movePermille)) / 1_000n);
        return;
      }
      case "liquidate": {
        const id = this.pick(this.vaults, action.vault);
        if (id === undefined) return;
        const keeper = this.keepers[action.keeper];
        // The preview, in the very block the liquidation runs in, must say exactly what it does.
        await time.setNextBlockTimestamp((await time.latest()) + 1);
        const preview = await liquidator.connect(keeper).previewLiquidation(id, { blockTag: "pending" });
        const { receipt, refusal, error } = await this.attemptNamed(() =>
          liquidator.connect(keeper).liquidate(id, keeper.address),
        );
        if (!receipt) {
          expect(PREVIEW_REFUSALS[Number(preview.refusal)], `preview of vault ${id}`).to.equal(refusal);
          if (refusal === "NoAuctionRoom") {
            await this.expectLiquidatorsNoAuctionRoom(error, id, (await engine.vaults(id)).collateral);
          }
          return;
        }
        expect(preview.refusal, `preview of vault ${id}`).to.equal(0n);
        const [done] = await market.liquidationsIn(this.f, receipt);
        expect({
          collateralSeized: done.collateralSeized,
          normalizedDebtSeized: done.normalizedDebtSeized,
          debtSeized: done.debtSeized,
          debtToRaise: done.debtToRaise,
          incentive: done.incentive,
        }).to.deep.equal({
          collateralSeized: preview.collateralSeized,
          normalizedDebtSeized: preview.normalizedDebtSeized,
          debtSeized: preview.debtSeized,
          debtToRaise: preview.debtToRaise,
          incentive: preview.incentive,
        });
        exercised.previewsMatched++;
        await this.recordLiquidations(receipt);
        return;
      }
      case "batch": {
        const ids = action.vaults.map((i) => this.pick(this.vaults, i)).filter((id) => id !== undefined);
        if (ids.length === 0) return;
        const keeper = this.keepers[action.keeper];
        // A batch skips what it cannot liquidate: it never reverts for one vault.
        const receipt = (await (await liquidator.connect(keeper).liquidateBatch(ids, keeper.address)).wait())!;
        await this.recordLiquidations(receipt);
        return;
      }
      case "take": {
        const id = this.pick(await dutchAuction.activeAuctions(), action.auction);
        if (id === undefined) return;
        const [, price, collateralLeft] = await dutchAuction.auctionStatus(id);
        const maxPrice = (price * BigInt(1_000 + action.priceSlackPermille)) / 1_000n;
        const amount = (collateralLeft * BigInt(action.permille)) / 1_000n;
        if (amount === 0n) return;
        const receipt = await this.attempt(() =>
          dutchAuction.connect(this.buyer).take(id, amount, maxPrice, this.buyer.address, "0x"),
        );
        if (!receipt) return;
        exercised.takes++;
        const [taken] = this.auctionEvents(receipt, "Take");
        const scale = 10n ** BigInt(18 - (await this.decimalsOfVault(id)));
        // Never under the value at the auction price, rounded up, and never over maxPrice.
        expect(taken.price).to.be.lte(maxPrice);
        expect(taken.debtPaid * WAD).to.be.gte(taken.collateralBought * scale * taken.price);
        const [ended] = this.auctionEvents(receipt, "AuctionEnded");
        if (ended) {
          exercised.endedAuctions++;
          expect((await dutchAuction.auctions(id)).debtLeft).to.equal(0n);
        } else {
          expect(taken.debtPaid).to.be.lte((taken.collateralBought * scale * maxPrice + WAD - 1n) / WAD);
        }
        return;
      }
      case "reset": {
        const id = this.pick(await dutchAuction.activeAuctions(), action.auction);
        if (id === undefined) return;
        const keeper = this.keepers[action.keeper];
        if (action.waitUntilStale) {
          // Time passes until the auction is past its age limit; the feeds keep publishing meanwhile.
          const { maxAuctionAge } = await dutchAuction.auctionParams((await engine.vaults(id)).collateral);
          const { startTime } = await dutchAuction.auctions(id);
          const now = BigInt(await time.latest());
          if (now <= startTime + maxAuctionAge) {
            await time.increase(startTime + maxAuctionAge + 1n - now);
            await this.publish(-1, 0);
          }
        }
        // The lot and its value at the oracle price the reset will restart from.
        const [, collateralLeft] = await engine.auctionCollateralOf(id);
        const decimals = await this.decimalsOfVault(id);
        const receipt = await this.attempt(() => dutchAuction.connect(keeper).reset(id, keeper.address));
        if (!receipt) return;
        const [reset] = this.auctionEvents(receipt, "AuctionReset");
        if (!reset) {
          // A lot worth less than dust is ended instead of restarted, for nothing.
          expect(
            this.auctionEvents(receipt, "AuctionEnded"),
            "a reset that restarts nothing ends the auction",
          ).to.have.length(1);
          exercised.dustAuctionsEnded++;
          return;
        }
        exercised.resets++;
        // A reset never pays more than the lot it restarts is worth.
        const price = await this.f.oracleHub.price((await engine.vaults(id)).collateral);
        expect(reset.incentive, `reset incentive of auction ${id}`).to.be.lte(
          valueDown(collateralLeft, decimals, price),
        );
        this.earned[action.keeper] += reset.incentive;
        return;
      }
      case "claim": {
        // The keeper asked for, or the next one that is owed something (a claim of nothing is the
        // refusal path, which the first keeper of a run meets often enough).
        const owedFirst = [0, 1]
          .map((j) => (action.keeper + j) % KEEPERS)
          .find((k) => this.earned[k] > this.claimed[k]);
        const index = owedFirst ?? action.keeper;
        const keeper = this.keepers[index];
        const to = [...this.users, ...this.keepers][action.to].address;
        const balance = await stablecoin.balanceOf(to);
        const receipt = await this.attempt(() => dutchAuction.connect(keeper).claimIncentives(to));
        if (!receipt) {
          // Refused only when nothing is owed.
          expect((await dutchAuction.incentivesOwed(keeper.address))[0]).to.equal(0n);
          return;
        }
        exercised.claims++;
        const [claimed] = this.auctionEvents(receipt, "IncentivesClaimed");
        expect(claimed.amount).to.equal(this.earned[index] - this.claimed[index]);
        expect((await stablecoin.balanceOf(to)) - balance).to.equal(claimed.amount);
        this.claimed[index] += claimed.amount;
        return;
      }
      case "heal":
        await engine.heal();
        return;
    }
  }

  private async decimalsOfVault(vaultId: bigint): Promise<number> {
    const collateral = (await this.f.vaultEngine.vaults(vaultId)).collateral;
    return this.collaterals.find((c) => c.token.target === collateral)!.spec.decimals;
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
    const { vaultEngine: engine, dutchAuction, riskEngine, liquidator, oracleHub } = this.f;

    // Debt conservation and collateral conservation (auction collateral included), exactly; the
    // auctions agree with their vaults, with `activeAuctions` and with the debt-in-auction counters.
    await market.expectBooksBalanced(this.f);
    await market.expectAuctionsConsistent(this.f);

    const vaults = await Promise.all(this.vaults.map((id) => engine.vaults(id)));
    for (const c of this.collaterals) {
      const token = await c.token.getAddress();
      // Normalised debt: the type's total is the sum over its vaults.
      const [, totalNormalized] = await engine.collateralState(token);
      const normalized = vaults.filter((v) => v.collateral === token).reduce((sum, v) => sum + v.normalizedDebt, 0n);
      expect(totalNormalized).to.equal(normalized);
      // The caps are never lowered here, so the debt in auction stays under them: room ≥ 0 for real.
      const [collateralDebt, totalDebt] = await dutchAuction.debtInAuction(token);
      expect(collateralDebt).to.be.lte(CAPS[c.spec.symbol as "WETH" | "WBTC"]);
      expect(totalDebt).to.be.lte(CAPS.total);
    }

    for (const [i, id] of this.vaults.entries()) {
      const vault = vaults[i];
      // At most one auction per vault, under the vault's own id.
      if (vault.inAuction) expect((await dutchAuction.auctions(id)).vaultId).to.equal(id);
      // No vault owes debt with no collateral behind it.
      if (vault.normalizedDebt !== 0n) {
        expect(vault.collateralAmount + vault.auctionCollateral, `vault ${id} collateral`).to.be.gt(0n);
      }
      // No vault below health 1 is un-liquidatable, a whale far above the caps included: a
      // liquidation that does not fit is cut down to the room, so only a room too small for a
      // dust-sized slice may make it wait.
      if (vault.inAuction || vault.normalizedDebt === 0n) continue;
      if ((await riskEngine.healthFactor(id)) >= WAD) continue;
      try {
        await liquidator.liquidate.staticCall(id, this.keepers[0].address);
        if (this.whaleVaults.has(id)) exercised.unsafeWhalesLiquidatable++;
      } catch (error) {
        await this.expectLiquidatorsNoAuctionRoom(error, id, vault.collateral);
        const preview = await liquidator.previewLiquidation(id, { blockTag: "pending" });
        expect(PREVIEW_REFUSALS[Number(preview.refusal)], `preview of vault ${id}`).to.equal("NoAuctionRoom");
        const { penalty } = await liquidator.liquidationParams(vault.collateral);
        const { dust } = await engine.collateralParams(vault.collateral);
        const [collateralRoom, totalRoom] = await dutchAuction.room(vault.collateral);
        const room = collateralRoom < totalRoom ? collateralRoom : totalRoom;
        // Up to the rounding of the cut: a slice of dust plus two wei.
        expect(room, `room for vault ${id}`).to.be.lt(mulWadUp(dust + 2n, WAD + penalty) + 1n);
      }
    }

    // No borrow or withdraw goes through while a stored price lags its feed beyond maxJump.
    for (const c of this.collaterals) {
      const token = await c.token.getAddress();
      const [, , lag] = await oracleHub.priceLag(token);
      if (lag <= (await oracleHub.feedConfig(token)).maxJump) continue;
      const open = this.vaults.filter(
        (_, i) => vaults[i].collateral === token && !vaults[i].inAuction && vaults[i].collateralAmount > 1n,
      );
      for (const id of open.slice(0, 3)) {
        const owner = await ethers.getSigner((await engine.vaults(id)).owner);
        for (const send of [
          () => engine.connect(owner).borrow.staticCall(id, WAD, owner.address),
          () => engine.connect(owner).withdraw.staticCall(id, 1n, owner.address),
        ]) {
          let refused: string | undefined;
          try {
            await send();
          } catch (error) {
            refused = this.errorName(error);
          }
          // A vault without debt needs no price to withdraw from.
          if (refused === undefined && (await engine.vaults(id)).normalizedDebt === 0n) continue;
          expect(refused, `vault ${id} while the price lags`).to.be.oneOf(LAG_REFUSALS);
          if (refused === "PriceLagsFeed") exercised.lagRefusals++;
        }
      }
    }

    // Every keeper is owed what it earned less what it claimed, and can claim it now.
    for (const [i, keeper] of this.keepers.entries()) {
      const [owed, earned] = await dutchAuction.incentivesOwed(keeper.address);
      expect(earned, `earned by keeper ${i}`).to.equal(this.earned[i]);
      expect(owed, `owed to keeper ${i}`).to.equal(this.earned[i] - this.claimed[i]);
      if (owed !== 0n) {
        expect(await dutchAuction.connect(keeper).claimIncentives.staticCall(keeper.address)).to.equal(owed);
      }
    }
  }
}
