// Reset of stale auctions (older than the maximum age, or cheaper than the reset ratio of their
// start price): the auction says so itself (`needsReset`), and each reset is simulated first.
import { WAD } from "../math/fixedPoint";
import type { Action, KeeperView, Strategy, StrategyDeps } from "./types";
import { stablecoinToWei } from "./types";

export class ResetStrategy implements Strategy {
  readonly name = "reset" as const;

  constructor(readonly deps: StrategyDeps) {}

  async decide(view: KeeperView): Promise<Action[]> {
    if (view.index.auctions().length === 0) return [];
    const stale = (await view.liveAuctions()).filter(
      (a) => a.needsReset && view.inShard(a.auctionId) && !view.busy(`reset:${a.auctionId}`),
    );
    if (stale.length === 0) return [];
    const incentive = await view.protocol.incentiveParams();
    const actions: Action[] = [];
    for (const auction of stale) {
      const to = view.protocol.addresses.dutchAuction;
      const data = view.protocol.calls.reset(auction.auctionId, view.keeper);
      try {
        const { gasLimit } = await view.simulate(to, data);
        const raw = incentive.flat + (incentive.rate * auction.debtLeft) / WAD;
        const reward = raw < incentive.max ? raw : incentive.max;
        actions.push({
          kind: "reset",
          keys: [`reset:${auction.auctionId}`],
          to,
          data,
          gasLimit: (gasLimit * 12n) / 10n,
          maxCost: stablecoinToWei(reward, view.ethPrice),
          expectedProfit: reward,
          context: { auctionId: auction.auctionId.toString(), debtLeft: auction.debtLeft.toString() },
        });
      } catch (error) {
        this.deps.logger.warn(
          { auctionId: auction.auctionId.toString(), error: error instanceof Error ? error.message : String(error) },
          "reset simulation failed: not sending",
        );
      }
    }
    return actions;
  }
}
