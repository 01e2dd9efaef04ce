// The strategy seam: one small interface, one module per strategy, so bid and flash plug in later.
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
  /** Simulates a call from the keeper; returns its gas estimate, or throws with the decoded revert. */
  simulate(to: string, data: string): Promise<{ gasLimit: bigint; result: string }>;
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
