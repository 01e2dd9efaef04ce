// BackstopPool `bid`: the pool buys with its LPs' stablecoin and pays the caller a cut of the
// discount. The keeper calls it for an auction once the price in the block the bid lands is at most
// the pool's `maxBidPrice` (oracle · (1 − minDiscount)), and sends only when the cut the simulation
// returns, less gas, is at least --min-profit. The fee cap is what the bid earns beyond --min-profit.
import type { PoolState } from "../chain/contracts";
import type { Action, KeeperView, Strategy, StrategyDeps } from "./types";
import { auctionFree, describeFailure, landingTime, stablecoinToWei, weiToStablecoin, weighsGas } from "./types";

export class BidStrategy implements Strategy {
  readonly name = "bid" as const;

  constructor(readonly deps: StrategyDeps & { minProfit: bigint }) {}

  async decide(view: KeeperView): Promise<Action[]> {
    if (view.index.auctions().length === 0) return [];
    const { logger } = this.deps;
    if (!weighsGas(this, view, logger)) return [];
    const open = (await view.liveAuctions()).filter(
      (a) => !a.needsReset && a.collateralLeft > 0n && view.inShard(a.auctionId) && auctionFree(view, a.auctionId),
    );
    if (open.length === 0) return [];
    const pool = await view.protocol.poolState(view.block.number);
    const landsAt = landingTime(view);
    if (pool.stablecoin === 0n && !activatesDeposits(pool, landsAt)) {
      logger.debug("bid: the pool has no active stablecoin, and no deposit matures before the bid lands");
      return [];
    }
    const listed = new Set(pool.collaterals.map((c) => c.toLowerCase()));
    const candidates = open.filter((a) => listed.has(a.collateral.toLowerCase()));
    if (candidates.length === 0) return [];

    const [prices, maxPrices] = await Promise.all([
      view.protocol.auctionPricesAt(
        candidates.map((a) => a.auctionId),
        landsAt,
        view.block.number,
      ),
      collateralMap(candidates, (c) => view.protocol.maxBidPrice(c, view.block.number)),
    ]);

    // The pool's active stablecoin, less what earlier bids of this pass spend: the first bid is
    // judged by its own simulation (a matured round it activates may add to the holdings); a later
    // one that would not fit waits for the next block's simulation.
    let budget = pool.stablecoin;
    const actions: Action[] = [];
    for (const [i, auction] of candidates.entries()) {
      const id = auction.auctionId;
      const log = logger.child({ auctionId: id.toString() });
      const price = prices[i];
      const maxPrice = maxPrices.get(auction.collateral);
      if (maxPrice === undefined || price === 0n || price > maxPrice) {
        log.debug({ price: price.toString(), maxBidPrice: String(maxPrice) }, "bid: not below the pool's price yet");
        continue;
      }
      const to = view.protocol.addresses.backstopPool!;
      const data = view.protocol.calls.bid(id, auction.collateralLeft);
      let simulated: { gasLimit: bigint; result: string };
      try {
        // On the pending block: the pool compares the price at its own block's time with its limit.
        simulated = await view.simulate(to, data, "pending");
      } catch (error) {
        const reason = describeFailure(error);
        log.info({ error: reason }, "bid simulation failed: not sending");
        // Nothing left to bid with: the other auctions would say the same.
        if (reason.includes("NoActiveStablecoin")) break;
        continue;
      }
      const outcome = view.protocol.calls.decodeBid(simulated.result);
      const spends = outcome.debtPaid + outcome.earned;
      if (actions.length > 0 && spends > budget) {
        log.debug({ spends: spends.toString(), budget: budget.toString() }, "bid: the pool's stablecoin is spoken for");
        continue;
      }
      const gasCost = weiToStablecoin(simulated.gasLimit * view.gasPrice, view.ethPrice);
      const profit = outcome.earned - gasCost;
      if (profit < this.deps.minProfit) {
        log.debug({ profit: profit.toString(), minProfit: this.deps.minProfit.toString() }, "bid below --min-profit");
        continue;
      }
      budget = (budget > spends ? budget : spends) - spends;
      view.claimedAuctions.add(id);
      actions.push({
        kind: "bid",
        keys: [`bid:${id}`],
        to,
        data,
        gasLimit: (simulated.gasLimit * 12n) / 10n,
        maxCost: stablecoinToWei(outcome.earned - this.deps.minProfit, view.ethPrice),
        expectedProfit: profit,
        context: {
          auctionId: id.toString(),
          collateralBought: outcome.collateralBought.toString(),
          debtPaid: outcome.debtPaid.toString(),
          callerCut: outcome.earned.toString(),
          price: price.toString(),
          expectedProfit: profit.toString(),
        },
      });
    }
    return actions;
  }
}

/** `read` once per distinct collateral of `auctions`. */
export async function collateralMap<T>(
  auctions: { collateral: string }[],
  read: (collateral: string) => Promise<T>,
): Promise<Map<string, T>> {
  const collaterals = [...new Set(auctions.map((a) => a.collateral))];
  const values = await Promise.all(collaterals.map(read));
  return new Map(collaterals.map((c, i) => [c, values[i]]));
}

/**
 * Whether a bid landing at `timestamp` first activates pending deposits (the pool's `_advance`): the
 * previous round's once the open round has ended, the open round's too a warm-up later.
 */
export function activatesDeposits(pool: PoolState, timestamp: bigint): boolean {
  if (timestamp < pool.roundEndsAt) return false;
  return pool.pendingPrevious > 0n || (timestamp >= pool.roundEndsAt + pool.warmup && pool.pendingOpen > 0n);
}
