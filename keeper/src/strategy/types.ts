// The strategy seam: one small interface, one module per strategy.
// A strategy reads the view, verifies and simulates on-chain, and proposes actions; only the
// sender sends.
import type { Logger } from "pino";
import type { CollateralMarket, FeedTimes, LiveAuction, Protocol } from "../chain/contracts";
import type { SendRequest } from "../execution/sender";
import type { LiquidationBook } from "../index/book";
import type { Indexer } from "../index/indexer";
import type { BlockRef } from "../index/types";
import type { StrategyName } from "../config/options";

export interface KeeperView {
  block: BlockRef;
  keeper: string;
  index: Indexer;
  protocol: Protocol;
  /** Priced collaterals only. */
  markets: Map<string, CollateralMarket>;
  books: Map<string, LiquidationBook>;
  /** Oracle and feed times per collateral, read with the markets. */
  feeds: Map<string, FeedTimes>;
  /** Whether this instance's shard owns the vault (auction ids are vault ids). */
  inShard(id: bigint): boolean;
  /** A key is being worked on by the sender. */
  busy(key: string): boolean;
  /** What gas costs now (base fee + tip) [wei per gas]. */
  gasPrice: bigint;
  /** Stablecoin per ETH [wad], to weigh gas against rewards; undefined when unknown. */
  ethPrice?: bigint;
  /** Live auctions, read once per pass and shared by the strategies that need them. */
  liveAuctions(): Promise<LiveAuction[]>;
  /**
   * Auctions an action of this pass already spends on (bid, flash or take): one auction, one action
   * per pass, whatever the sender's state (a dry run owns no keys).
   */
  claimedAuctions: Set<bigint>;
  /**
   * Simulates a call from the keeper, on the head or on the pending block (whose timestamp is the
   * next block's, for what depends on time); returns its gas estimate, or throws with the decoded revert.
   */
  simulate(to: string, data: string, at?: "head" | "pending"): Promise<{ gasLimit: bigint; result: string }>;
}

export interface Action extends SendRequest {
  /** What the action is expected to earn after gas [wad stablecoin], when known. */
  expectedProfit?: bigint;
}

export interface Strategy {
  readonly name: StrategyName;
  decide(view: KeeperView): Promise<Action[]>;
}

export interface StrategyDeps {
  logger: Logger;
}

/** A value in stablecoin [wad] as wei of gas money, at `ethPrice` [wad]. */
export function stablecoinToWei(amount: bigint, ethPrice: bigint | undefined): bigint | undefined {
  if (ethPrice === undefined || ethPrice === 0n) return undefined;
  return (amount * 10n ** 18n) / ethPrice;
}

export function weiToStablecoin(wei: bigint, ethPrice: bigint): bigint {
  return (wei * ethPrice) / 10n ** 18n;
}

/**
 * Seconds from the head to the block an action lands in, at the least. Auction prices only fall
 * between resets, so the price then is the most a take, bid or flash take sent now pays (and the
 * least it earns); `maxPrice` (the head's price) guards a reset or an earlier landing.
 */
export const LANDING_SECONDS = 1n;

/** When an action decided on `view` lands, at the earliest [seconds]. */
export function landingTime(view: KeeperView): bigint {
  return BigInt(view.block.timestamp) + LANDING_SECONDS;
}

/** Keys of every action that spends on (or restarts) an auction. */
export function auctionKeys(auctionId: bigint): string[] {
  return [`bid:${auctionId}`, `flash:${auctionId}`, `take:${auctionId}`, `reset:${auctionId}`];
}

/** No action of this pass claimed the auction and none is with the sender. */
export function auctionFree(view: KeeperView, auctionId: bigint): boolean {
  return !view.claimedAuctions.has(auctionId) && !auctionKeys(auctionId).some((key) => view.busy(key));
}

export function describeFailure(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const warnedNoEthPrice = new WeakSet<Strategy>();

/**
 * Whether gas can be weighed against what the action earns (the WETH oracle price is known); when it
 * cannot, the strategy stands by and says so once.
 */
export function weighsGas(
  strategy: Strategy,
  view: KeeperView,
  logger: Logger,
): view is KeeperView & { ethPrice: bigint } {
  if (view.ethPrice !== undefined) return true;
  if (!warnedNoEthPrice.has(strategy)) {
    logger.warn(`${strategy.name}: no WETH price in the manifest to weigh gas with; standing by`);
  }
  warnedNoEthPrice.add(strategy);
  return false;
}
