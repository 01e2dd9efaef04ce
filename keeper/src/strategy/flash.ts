// FlashLiquidator `flashTake`: a keeper with no stablecoin takes an auction, sells the collateral on
// the Uniswap V2 pair of its collateral and the stablecoin, pays the auction from the proceeds and
// keeps the rest. Profit = what the simulation returns − gas, sent only when at least --min-profit;
// the contract's own `minProfit` is that gas plus --min-profit, so a flash take that lands in a worse
// market reverts instead of losing money. Several flash takes on one pair in a pass are priced one
// after the other on the reserves the earlier ones leave (the sender keeps them in nonce order).
import type { Action, KeeperView, Strategy, StrategyDeps } from "./types";
import { auctionFree, describeFailure, landingTime, stablecoinToWei, weiToStablecoin, weighsGas } from "./types";
import { collateralMap } from "./bid";

/** Uniswap V2's `getAmountOut`: what the pair pays for `amountIn`, its 0.3% fee included. */
export function pairAmountOut(amountIn: bigint, reserveIn: bigint, reserveOut: bigint): bigint {
  const withFee = amountIn * 997n;
  return (withFee * reserveOut) / (reserveIn * 1000n + withFee);
}

const MAX_UINT256 = 2n ** 256n - 1n;

export class FlashStrategy implements Strategy {
  readonly name = "flash" as const;
  readonly #warnedNoPair = new Set<string>();

  constructor(readonly deps: StrategyDeps & { minProfit: bigint }) {}

  async decide(view: KeeperView): Promise<Action[]> {
    if (view.index.auctions().length === 0) return [];
    const { logger } = this.deps;
    if (!weighsGas(this, view, logger)) return [];
    const candidates = (await view.liveAuctions()).filter(
      (a) =>
        !a.needsReset &&
        a.collateralLeft > 0n &&
        a.price > 0n &&
        view.inShard(a.auctionId) &&
        auctionFree(view, a.auctionId),
    );
    if (candidates.length === 0) return [];
    const [pairs, prices] = await Promise.all([
      collateralMap(candidates, (c) => view.protocol.flashPair(c, view.block.number)),
      view.protocol.auctionPricesAt(
        candidates.map((a) => a.auctionId),
        landingTime(view),
        view.block.number,
      ),
    ]);

    const actions: Action[] = [];
    for (const [i, auction] of candidates.entries()) {
      const id = auction.auctionId;
      const log = logger.child({ auctionId: id.toString() });
      const pair = pairs.get(auction.collateral);
      if (!pair) {
        if (!this.#warnedNoPair.has(auction.collateral)) {
          log.warn({ collateral: auction.collateral }, "flash: no Uniswap V2 pair for this collateral");
        }
        this.#warnedNoPair.add(auction.collateral);
        continue;
      }
      // No simulation while the price in the block the take lands in is at or above what the pair
      // pays for a first unit (its spot price less the 0.3% fee): no sale on it could repay the take.
      const market = view.markets.get(auction.collateral);
      if (prices[i] === 0n) continue;
      if (market && pair.collateralReserve > 0n) {
        const unit = 10n ** BigInt(market.decimals);
        const bestPrice = (pair.stablecoinReserve * unit * 997n) / (pair.collateralReserve * 1000n);
        if (prices[i] >= bestPrice) {
          log.debug(
            { price: prices[i].toString(), pairPrice: bestPrice.toString() },
            "flash: the pair pays too little",
          );
          continue;
        }
      }
      const to = view.protocol.addresses.flashLiquidator!;
      let simulated: { gasLimit: bigint; result: string };
      try {
        simulated = await view.simulate(to, view.protocol.calls.flashTake(id, MAX_UINT256, auction.price, 0n));
      } catch (error) {
        log.debug({ error: describeFailure(error) }, "flash take simulation failed: not sending");
        continue;
      }
      const outcome = view.protocol.calls.decodeFlashTake(simulated.result);
      // Re-priced on the reserves earlier flash takes of this pass leave (the first one's is the
      // simulation's own answer).
      const amountOut = pairAmountOut(outcome.collateralBought, pair.collateralReserve, pair.stablecoinReserve);
      const earned = amountOut - outcome.debtPaid;
      const gasCost = weiToStablecoin(simulated.gasLimit * view.gasPrice, view.ethPrice);
      const profit = earned - gasCost;
      if (profit < this.deps.minProfit) {
        log.debug(
          { profit: profit.toString(), minProfit: this.deps.minProfit.toString() },
          "flash take below --min-profit",
        );
        continue;
      }
      pair.collateralReserve += outcome.collateralBought;
      pair.stablecoinReserve -= amountOut;
      view.claimedAuctions.add(id);
      const minProfit = gasCost + this.deps.minProfit;
      actions.push({
        kind: "flash",
        keys: [`flash:${id}`],
        to,
        data: view.protocol.calls.flashTake(id, MAX_UINT256, auction.price, minProfit > 0n ? minProfit : 0n),
        gasLimit: (simulated.gasLimit * 12n) / 10n,
        maxCost: stablecoinToWei(earned - this.deps.minProfit, view.ethPrice),
        expectedProfit: profit,
        context: {
          auctionId: id.toString(),
          collateralSold: outcome.collateralBought.toString(),
          debtPaid: outcome.debtPaid.toString(),
          proceeds: amountOut.toString(),
          price: prices[i].toString(),
          expectedProfit: profit.toString(),
        },
      });
    }
    return actions;
  }
}
