// Batch liquidation. Candidates come from the liquidation-price books (the vaults the oracle price
// has crossed, with a small margin for what moved since they were keyed); each is verified with
// VaultLens.healthOf (batched) and the batch simulated with liquidateBatch from the keeper, so
// only vaults the Liquidator would really liquidate are ever sent. The expected incentive is the
// Liquidator's own `previewLiquidation` of each vault (on the pending block, from the keeper, in
// one JSON-RPC batch; at the head for a vault a rival's pending transaction liquidates), so it
// follows the contract's sizing and caps exactly.
import { REFUSAL } from "../chain/contracts";
import { WAD } from "../math/fixedPoint";
import type { Action, KeeperView, Strategy, StrategyDeps } from "./types";
import { stablecoinToWei } from "./types";

export interface LiquidateConfig {
  batchSize: number;
  /** Candidates are vaults keyed at or above price · (1 − margin) [wad]. */
  candidateMargin: bigint;
}

const LENS_PAGE = 200;

export class LiquidateStrategy implements Strategy {
  readonly name = "liquidate" as const;
  /** Vaults found healthy, with the stamp of the inputs they were found healthy at. */
  readonly #healthyAt = new Map<bigint, string>();

  constructor(
    readonly deps: StrategyDeps & { stamp: (id: bigint) => string },
    readonly config: LiquidateConfig,
  ) {}

  async decide(view: KeeperView): Promise<Action[]> {
    const { logger } = this.deps;
    const candidates: bigint[] = [];
    for (const [collateral, book] of view.books) {
      const market = view.markets.get(collateral);
      if (!market) continue;
      const floor = market.price - (market.price * this.config.candidateMargin) / WAD;
      for (const id of book.atOrAbove(floor)) {
        if (!view.inShard(id) || view.busy(`liquidate:${id}`)) continue;
        if (this.#healthyAt.get(id) === this.deps.stamp(id)) continue;
        candidates.push(id);
      }
    }
    if (candidates.length === 0) return [];

    // Pages and batches are read concurrently: the transport sends them as one JSON-RPC batch, so a
    // wave of 1,000 vaults costs the node's execution time, not dozens of round trips.
    const pages: bigint[][] = [];
    for (let i = 0; i < candidates.length; i += LENS_PAGE) pages.push(candidates.slice(i, i + LENS_PAGE));
    const pageRows = await Promise.all(pages.map((page) => view.protocol.healthOf(page, view.block.number)));
    const unsafe: { id: bigint; debt: bigint }[] = [];
    for (const rows of pageRows) {
      for (const row of rows) {
        if (row.priced && !row.inAuction && row.debt > 0n && row.health < WAD) {
          unsafe.push({ id: row.vaultId, debt: row.debt });
          this.#healthyAt.delete(row.vaultId);
        } else {
          this.#healthyAt.set(row.vaultId, this.deps.stamp(row.vaultId));
          logger.debug(
            { vaultId: row.vaultId.toString(), health: row.health.toString() },
            "candidate not liquidatable",
          );
        }
      }
    }
    if (unsafe.length === 0) return [];

    const previews = await view.protocol.previewLiquidations(
      unsafe.map((v) => v.id),
      view.keeper,
    );
    // In auction on the pending block but not at the head: a rival's liquidation waits in the
    // mempool. Ours may still be mined first, for what the head's preview says.
    const raced = previews.filter((p) => p.refusal === REFUSAL.InAuction).map((p) => p.vaultId);
    if (raced.length > 0) {
      const atHead = new Map(
        (await view.protocol.previewLiquidations(raced, view.keeper, view.block.number)).map((p) => [p.vaultId, p]),
      );
      for (const [i, preview] of previews.entries()) previews[i] = atHead.get(preview.vaultId) ?? preview;
    }
    const incentiveOf = new Map(previews.map((p) => [p.vaultId, p.refusal === REFUSAL.None ? p.incentive : 0n]));
    const batches: bigint[][] = [];
    for (let i = 0; i < unsafe.length; i += this.config.batchSize) {
      batches.push(unsafe.slice(i, i + this.config.batchSize).map((v) => v.id));
    }
    const actions = await Promise.all(batches.map((batch) => this.#batchAction(view, batch, incentiveOf)));
    return actions.filter((action): action is Action => action !== undefined);
  }

  /** The batch simulated (without the vaults the Liquidator would skip); undefined when nothing is left. */
  async #batchAction(view: KeeperView, batch: bigint[], incentiveOf: Map<bigint, bigint>): Promise<Action | undefined> {
    const { logger } = this.deps;
    const to = view.protocol.addresses.liquidator;
    let simulated: { gasLimit: bigint; result: string };
    let ids = batch;
    try {
      simulated = await view.simulate(to, view.protocol.calls.liquidateBatch(ids, view.keeper));
      const auctionIds = view.protocol.calls.decodeLiquidateBatch(simulated.result);
      const kept = batch.filter((_, j) => auctionIds[j] !== 0n);
      const skipped = batch.filter((_, j) => auctionIds[j] === 0n);
      if (skipped.length > 0) {
        logger.info({ vaultIds: skipped.map(String) }, "the Liquidator would skip these vaults: not sending them");
      }
      if (kept.length === 0) return undefined;
      if (kept.length !== batch.length) {
        ids = kept;
        simulated = await view.simulate(to, view.protocol.calls.liquidateBatch(ids, view.keeper));
      }
    } catch (error) {
      logger.warn(
        { vaultIds: ids.map(String), error: error instanceof Error ? error.message : String(error) },
        "liquidateBatch simulation failed: not sending",
      );
      return undefined;
    }
    const reward = ids.reduce((sum, id) => sum + (incentiveOf.get(id) ?? 0n), 0n);
    return {
      kind: "liquidate",
      keys: ids.map((id) => `liquidate:${id}`),
      to,
      data: view.protocol.calls.liquidateBatch(ids, view.keeper),
      gasLimit: (simulated.gasLimit * 12n) / 10n,
      maxCost: stablecoinToWei(reward, view.ethPrice),
      expectedProfit: reward,
      context: { vaultIds: ids.map(String), expectedIncentive: reward.toString() },
      // The Liquidator skips, rather than reverts on, a vault another keeper liquidated first.
      didNothing: (receipt) => view.protocol.liquidationDidNothing(ids, receipt.logs),
    };
  }
}
