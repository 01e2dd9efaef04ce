// Stateful property of the backstop pool: random deposits, cancellations, activations, withdrawals,
// bids, price moves, outside takes and time across four LPs. After every step the pool's identities
// hold (docs/ACCOUNTING.md, "Backstop pool"):
// - the token balances cover the holdings plus the pending deposits;
// - all positions together redeem the holdings but for the dust bound, never more;
// - pending deposits add up to the pending totals;
// and at the steps that matter:
// - a withdrawal pays exactly ⌊holding · shares / (totalShares + VIRTUAL_SHARES)⌋ of every token,
//   never more than the LP's pro-rata part;
// - a cancellation refunds exactly the pending amount;
// - a bid spends only active stablecoin, leaves pending deposits alone, and never lowers the value
//   of a share at oracle prices;
// - a round is priced so that its new shares are worth at most what it paid in (it gains nothing
//   from bids before it activated).
import { expect } from "chai";
import { ethers } from "hardhat";
import fc from "fast-check";
import { time, takeSnapshot, type SnapshotRestorer } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionReceipt } from "ethers";
import { mulDivDown, mulDivUp } from "../../keeper/src/math/fixedPoint";
import { MockERC20__factory } from "../../typechain-types";
import { deploySluiceFixture, type SluiceFixture } from "../helpers/fixtures";
import * as market from "../helpers/market";
import { VIRTUAL_SHARES, expectPoolBooks, fundLp, refreshPrices, wad } from "../helpers/pool";
import { propertyRuns } from "../helpers/runs";

type Signer = HardhatEthersSigner;

type Action =
  | { kind: "deposit"; lp: number; amount: number }
  | { kind: "cancel"; lp: number }
  | { kind: "activate"; lp: number }
  | { kind: "withdraw"; lp: number; percent: number }
  | { kind: "bid"; percent: number }
  | { kind: "auction"; wbtc: boolean }
  | { kind: "price"; wbtc: boolean; percent: number }
  | { kind: "outsideTake"; percent: number }
  | { kind: "wait"; seconds: number };

const LPS = 4;

const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("deposit" as const),
      lp: fc.nat(LPS - 1),
      amount: fc.integer({ min: 1, max: 8_000 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("cancel" as const), lp: fc.nat(LPS - 1) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("activate" as const), lp: fc.nat(LPS - 1) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("withdraw" as const),
      lp: fc.nat(LPS - 1),
      percent: fc.integer({ min: 1, max: 100 }),
    }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("bid" as const), percent: fc.integer({ min: 1, max: 100 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("auction" as const), wbtc: fc.boolean() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("price" as const),
      wbtc: fc.boolean(),
      percent: fc.integer({ min: -12, max: 12 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("outsideTake" as const), percent: fc.integer({ min: 1, max: 100 }) }),
  },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant("wait" as const), seconds: fc.integer({ min: 60, max: 2_400 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("wait" as const), seconds: fc.integer({ min: 2_400, max: 4 * 3_600 }) }),
  },
);

describe("BackstopPool stateful property", function () {
  let f: SluiceFixture;
  let lps: Signer[];
  let keeper: Signer, buyer: Signer;
  let owners: Signer[];
  let start: SnapshotRestorer;

  before(async function () {
    f = await deploySluiceFixture();
    lps = f.users.slice(0, LPS);
    [keeper, buyer] = f.users.slice(LPS, LPS + 2);
    owners = f.users.slice(LPS + 2, LPS + 12);
    // A short lock, so random sequences of a few hours see withdrawals.
    await f.backstopPool.connect(f.governor).setLockPeriod(2 * 3_600);
    for (const lp of lps) await fundLp(f, lp, 10n ** 8n);
    await fundLp(f, buyer, 4n * 10n ** 8n);
    start = await takeSnapshot();
  });

  const pool = () => f.backstopPool;

  async function tokens(): Promise<string[]> {
    return [...(await pool().collaterals())];
  }

  /** Parses the pool's events of a receipt and checks each round's pricing. */
  function checkRounds(receipt: ContractTransactionReceipt): void {
    for (const log of receipt.logs) {
      if (log.address !== pool().target) continue;
      const parsed = pool().interface.parseLog(log);
      if (parsed?.name !== "RoundActivated") continue;
      stats.rounds++;
      const { amount, shares, poolValue, totalShares } = parsed.args;
      // The new shares' part of the pool right after pricing is worth at most what the round paid in.
      expect(shares * (poolValue + amount), "round priced at most at par").to.be.lte(
        amount * (totalShares + shares + VIRTUAL_SHARES),
      );
    }
  }

  async function send(
    tx: Promise<{ wait(): Promise<ContractTransactionReceipt | null> }>,
  ): Promise<ContractTransactionReceipt> {
    const receipt = (await (await tx).wait())!;
    checkRounds(receipt);
    return receipt;
  }

  /** Sends, and returns the receipt or undefined when it reverted (the revert is the pool's business). */
  async function attempt(
    tx: () => Promise<{ wait(): Promise<ContractTransactionReceipt | null> }>,
  ): Promise<ContractTransactionReceipt | undefined> {
    try {
      return await send(tx());
    } catch (error) {
      if ((error as { data?: string }).data === undefined && !(error as Error).message.includes("reverted"))
        throw error;
      return undefined;
    }
  }

  async function checkIdentities(): Promise<void> {
    await expectPoolBooks(f);
    const [stable, amounts] = await pool().holdings();
    const supply = await pool().totalShares();
    const positions = await Promise.all(lps.map((lp) => pool().positionOf(lp.address)));
    const shares = positions.reduce((sum, p) => sum + p.shares, 0n);
    expect(shares, "no position holds more than the supply").to.be.lte(supply);
    const orphans = supply - shares;
    const [open, previous] = await pool().pendingTotals();
    expect(positions.reduce((sum, p) => sum + p.pendingAmount, 0n)).to.equal(open + previous);
    const holdings = [stable, ...amounts];
    for (const [i, held] of holdings.entries()) {
      const redeemed = positions.reduce((sum, p) => sum + mulDivDown(held, p.shares, supply + VIRTUAL_SHARES), 0n);
      expect(redeemed, `token ${i}: shares redeem no more than the holdings`).to.be.lte(held);
      const dust = mulDivUp(held, VIRTUAL_SHARES + orphans, supply + VIRTUAL_SHARES) + BigInt(LPS);
      expect(held - redeemed, `token ${i}: dust bound`).to.be.lte(dust);
    }
  }

  let auctions: bigint[] = [];
  const stats = { bids: 0, withdrawals: 0, rounds: 0, cancels: 0, takes: 0 };

  async function liveAuction(): Promise<bigint | undefined> {
    for (const id of auctions) {
      const [needsReset, , , debtLeft] = await f.dutchAuction.auctionStatus(id);
      if (debtLeft !== 0n && !needsReset) return id;
    }
    return undefined;
  }

  async function step(a: Action, ownerIndex: { next: number }): Promise<void> {
    const p = pool();
    switch (a.kind) {
      case "deposit": {
        const lp = lps[a.lp];
        await attempt(() => p.connect(lp).deposit(wad(a.amount), lp.address));
        return;
      }
      case "cancel": {
        const lp = lps[a.lp];
        const { pendingAmount } = await p.positionOf(lp.address);
        const before = await f.stablecoin.balanceOf(lp.address);
        const receipt = await attempt(() => p.connect(lp).cancelDeposit(lp.address));
        if (!receipt) return;
        expect((await f.stablecoin.balanceOf(lp.address)) - before).to.equal(pendingAmount);
        stats.cancels++;
        return;
      }
      case "activate":
        await send(p.connect(keeper).activate(lps[a.lp].address));
        return;
      case "withdraw": {
        const lp = lps[a.lp];
        await send(p.connect(lp).activate(lp.address));
        const { shares, lockedUntil } = await p.positionOf(lp.address);
        const amount = (shares * BigInt(a.percent)) / 100n;
        if (amount === 0n || BigInt(await time.latest()) + 1n < lockedUntil) return;
        const [stable, amounts] = await p.holdings();
        const supply = await p.totalShares();
        const addresses = await tokens();
        const before = await Promise.all(
          addresses.map((t) => MockERC20__factory.connect(t, f.deployer).balanceOf(lp.address)),
        );
        const stableBefore = await f.stablecoin.balanceOf(lp.address);
        await send(p.connect(lp).withdraw(amount, lp.address));
        stats.withdrawals++;
        const stableOut = (await f.stablecoin.balanceOf(lp.address)) - stableBefore;
        expect(stableOut).to.equal(mulDivDown(stable, amount, supply + VIRTUAL_SHARES));
        expect(stableOut).to.be.lte(mulDivDown(stable, amount, supply));
        for (const [i, token] of addresses.entries()) {
          const out = (await MockERC20__factory.connect(token, f.deployer).balanceOf(lp.address)) - before[i];
          expect(out).to.equal(mulDivDown(amounts[i], amount, supply + VIRTUAL_SHARES));
          expect(out).to.be.lte(mulDivDown(amounts[i], amount, supply));
        }
        return;
      }
      case "bid": {
        const id = await liveAuction();
        if (id === undefined) return;
        // Price matured rounds first, so the bid's own step is the bid alone.
        await send(p.connect(keeper).activate(keeper.address));
        const [stable] = await p.holdings();
        const supply = await p.totalShares();
        const value = await p.totalValue();
        const pending = await p.pendingTotals();
        const pendingOf = await Promise.all(lps.map((lp) => p.positionOf(lp.address)));
        const { collateralLeft } = await f.dutchAuction.auctions(id);
        const receipt = await attempt(() =>
          p.connect(keeper).bid(id, (collateralLeft * BigInt(a.percent)) / 100n + 1n),
        );
        if (!receipt) return;
        stats.bids++;
        const bid = receipt.logs.map((log) => p.interface.parseLog(log)).find((e) => e?.name === "Bid")!.args;
        const [stableAfter] = await p.holdings();
        expect(stableAfter).to.equal(stable - bid.debtPaid - bid.callerCut);
        expect(await p.totalShares()).to.equal(supply);
        expect([...(await p.pendingTotals())]).to.deep.equal([...pending]);
        for (const [i, lp] of lps.entries()) {
          expect((await p.positionOf(lp.address)).pendingAmount, `pending of LP ${i}`).to.equal(
            pendingOf[i].pendingAmount,
          );
        }
        // Same supply, same oracle prices: a share's value is the pool's value.
        expect(await p.totalValue(), "a bid never lowers a share's value").to.be.gte(value);
        return;
      }
      case "auction": {
        const c = a.wbtc ? f.wbtc : f.weth;
        const owner = owners[ownerIndex.next++ % owners.length];
        const units = a.wbtc ? 10n ** 7n : 5n * 10n ** 17n;
        const id = await market.openVault(f, owner, c, units);
        const [price] = await f.oracleHub.priceState(await c.token.getAddress());
        await market.movePrice(f, c, (price * 85n) / 100n);
        if (await f.riskEngine.isLiquidatable(id)) {
          await market.liquidate(f, id, keeper, keeper);
          auctions.push(id);
        }
        return;
      }
      case "price": {
        const c = a.wbtc ? f.wbtc : f.weth;
        const [price] = await f.oracleHub.priceState(await c.token.getAddress());
        await time.increase(60);
        await market.setPrice(f, c, (price * BigInt(100 + a.percent)) / 100n);
        return;
      }
      case "outsideTake": {
        const id = await liveAuction();
        if (id === undefined) return;
        const { collateralLeft } = await f.dutchAuction.auctions(id);
        const taken = await attempt(() =>
          f.dutchAuction
            .connect(buyer)
            .take(id, (collateralLeft * BigInt(a.percent)) / 100n + 1n, ethers.MaxUint256, buyer.address, "0x"),
        );
        if (taken) stats.takes++;
        return;
      }
      case "wait":
        await time.increase(a.seconds);
        await refreshPrices(f);
        // Keepers restart stale auctions (or end dust lots).
        for (const id of auctions) {
          const [needsReset, , , debtLeft] = await f.dutchAuction.auctionStatus(id);
          if (debtLeft !== 0n && needsReset) await f.dutchAuction.connect(keeper).reset(id, keeper.address);
        }
        return;
    }
  }

  it("randomSequences_keepThePoolsIdentities", async function () {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 15, maxLength: 35 }), async (actions) => {
        await start.restore();
        auctions = [];
        const ownerIndex = { next: 0 };
        for (const a of actions) {
          await step(a, ownerIndex);
          await checkIdentities();
        }
      }),
      { seed: 20_261_201, numRuns: propertyRuns(50), endOnFailure: true },
    );
    // The sequences reach every kind of step that changes the pool.
    for (const [kind, count] of Object.entries(stats)) expect(count, kind).to.be.gt(0);
  });
});
