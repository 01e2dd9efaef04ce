// Oracle poke: publish a feed answer the OracleHub has not stored yet (the feed moved, or it
// re-published on its heartbeat), which also lets the thresholds follow (RiskEngine.poke). A poke
// of an answer already stored changes nothing, so it is never sent.
import type { Action, KeeperView, Strategy, StrategyDeps } from "./types";

export class PokeStrategy implements Strategy {
  readonly name = "poke" as const;

  constructor(readonly deps: StrategyDeps & { collaterals: string[] }) {}

  async decide(view: KeeperView): Promise<Action[]> {
    const actions: Action[] = [];
    for (const collateral of this.deps.collaterals) {
      if (view.busy(`poke:${collateral}`)) continue;
      const log = this.deps.logger.child({ collateral });
      try {
        const times = view.feeds.get(collateral);
        if (!times || times.feedAt <= times.storedAt) continue;
        const to = view.protocol.addresses.riskEngine;
        const data = view.protocol.calls.poke(collateral);
        const { gasLimit } = await view.simulate(to, data);
        actions.push({
          kind: "poke",
          keys: [`poke:${collateral}`],
          to,
          data,
          gasLimit: (gasLimit * 12n) / 10n,
          context: { collateral, storedAt: times.storedAt.toString(), feedAt: times.feedAt.toString() },
        });
      } catch (error) {
        log.warn({ error: error instanceof Error ? error.message : String(error) }, "poke not possible: not sending");
      }
    }
    return actions;
  }
}
