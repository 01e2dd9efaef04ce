// Take with the keeper's own stablecoin. Bought collateral is valued at the oracle price: profit =
// collateral value at the oracle − debt paid at the price in the block the take lands in − gas, and
// a take is sent only when that is at least --min-profit. It is sized, and its `maxPrice` set, at
// the head's price, which is at least that. The fee cap is what the take earns beyond --min-profit.
import type { Action, KeeperView, Strategy, StrategyDeps } from "./types";
import { auctionFree, landingTime, stablecoinToWei, weiToStablecoin, weighsGas } from "./types";

export class TakeStrategy implements Strategy {
  readonly name = "take" as const;

  constructor(readonly deps: StrategyDeps & { minProfit: bigint }) {}

  async decide(view: KeeperView): Promise<Action[]> {
    if (view.index.auctions().length === 0) return [];
    const { logger } = this.deps;
    if (!weighsGas(this, view, logger)) return [];
    let balance = await view.protocol.stablecoinBalance(view.keeper, view.block.number);
    const actions: Action[] = [];
    const open = (await view.liveAuctions()).filter(
      (a) => !a.needsReset && view.inShard(a.auctionId) && auctionFree(view, a.auctionId),
    );
    if (open.length === 0 || balance === 0n) return [];
    const landingPrices = await view.protocol.auctionPricesAt(
      open.map((a) => a.auctionId),
      landingTime(view),
      view.block.number,
    );
    for (const [i, auction] of open.entries()) {
      const id = auction.auctionId;
      const market = view.markets.get(auction.collateral);
      if (!market || auction.price === 0n || landingPrices[i] === 0n || landingPrices[i] >= market.price) continue;
      const unit = 10n ** BigInt(market.decimals);
      // Enough to cover the debt at the landing price; the auction sells no more than covers it.
      const toCover = (auction.debtLeft * unit + landingPrices[i] - 1n) / landingPrices[i];
      const affordable = (balance * unit) / auction.price;
      let bought = auction.collateralLeft;
      if (toCover < bought) bought = toCover;
      if (affordable < bought) bought = affordable;
      if (bought === 0n) continue;
      const paid = (bought * auction.price + unit - 1n) / unit;
      const paidAtLanding = (bought * landingPrices[i] + unit - 1n) / unit;
      const gross = (bought * market.price) / unit - paidAtLanding;
      const log = logger.child({ auctionId: id.toString() });
      const to = view.protocol.addresses.dutchAuction;
      const data = view.protocol.calls.take(id, bought, auction.price, view.keeper);
      let gasLimit: bigint;
      try {
        ({ gasLimit } = await view.simulate(to, data));
      } catch (error) {
        log.info(
          { error: error instanceof Error ? error.message : String(error) },
          "take simulation failed: not sending",
        );
        continue;
      }
      const gasCost = weiToStablecoin(gasLimit * view.gasPrice, view.ethPrice);
      const profit = gross - gasCost;
      if (profit < this.deps.minProfit) {
        log.debug({ profit: profit.toString(), minProfit: this.deps.minProfit.toString() }, "take below --min-profit");
        continue;
      }
      balance -= paid;
      view.claimedAuctions.add(id);
      actions.push({
        kind: "take",
        keys: [`take:${id}`],
        to,
        data,
        gasLimit: (gasLimit * 12n) / 10n,
        maxCost: stablecoinToWei(gross - this.deps.minProfit, view.ethPrice),
        expectedProfit: profit,
        context: {
          auctionId: id.toString(),
          collateralBought: bought.toString(),
          price: landingPrices[i].toString(),
          maxPrice: auction.price.toString(),
          expectedProfit: profit.toString(),
        },
      });
    }
    return actions;
  }
}
