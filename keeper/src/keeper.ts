// The keeper's loop: on each new block, bring the index up, re-price what moved, let each strategy
// propose actions in priority order and hand them to the sender. Every dependency is injected; the
// wall clock is used only to say, in /health, how long ago the last block came.
import { toQuantity, type JsonRpcProvider } from "ethers";
import type { Logger } from "pino";
import type { CollateralMarket, FeedTimes, LiveAuction, Protocol } from "./chain/contracts";
import type { Sender } from "./execution/sender";
import { LiquidationBook } from "./index/book";
import type { Indexer } from "./index/indexer";
import type { BlockRef } from "./index/types";
import { WAD } from "./math/fixedPoint";
import { liquidationKey } from "./risk/vaults";
import type { HealthReport } from "./server/http";
import type { Metrics } from "./server/metrics";
import type { KeeperView, Strategy } from "./strategy/types";

export interface KeeperLoopConfig {
  shard: { index: number; count: number };
  maxLagBlocks: number;
  maxLagSeconds: number;
  dailyGasBudget?: bigint;
  /** Collaterals to price (the manifest's); vaults of others are priced as they appear. */
  collaterals: string[];
  /** Token whose oracle price is the ETH price (the manifest's WETH), for weighing gas. */
  ethToken?: string;
}

const MAX_UINT256 = 2n ** 256n - 1n;
/** A collateral is re-keyed when its rate moved this much [per million] or this long passed [s]. */
const REKEY_RATE_PPM = 100n;
const REKEY_SECONDS = 300;
/** Vaults keyed within 10% below the price count as at risk. */
const AT_RISK_MARGIN = WAD / 10n;

interface Keying {
  riskStamp: string;
  rate: bigint;
  timestamp: number;
  epoch: number;
}

export class Keeper {
  readonly #books = new Map<string, LiquidationBook>();
  readonly #keyed = new Map<string, Keying>();
  #markets = new Map<string, CollateralMarket>();
  #feeds = new Map<string, FeedTimes>();
  #processed: BlockRef | undefined;
  #nodeHead = 0;
  #lastNewBlockAt: number | undefined;
  #passes = 0;

  constructor(
    readonly deps: {
      provider: JsonRpcProvider;
      protocol: Protocol;
      indexer: Indexer;
      sender: Sender;
      strategies: Strategy[];
      logger: Logger;
      metrics: Metrics;
      keeper: string;
      /** Wall-clock seconds, for /health only. */
      wallClock: () => number;
    },
    readonly config: KeeperLoopConfig,
  ) {}

  get processed(): BlockRef | undefined {
    return this.#processed;
  }

  get books(): Map<string, LiquidationBook> {
    return this.#books;
  }

  /** Health-check stamp of a vault: changes whenever its key, its market's keying or price changes. */
  stamp(id: bigint): string {
    const vault = this.deps.indexer.vault(id);
    if (!vault) return "";
    const market = this.#markets.get(vault.collateral);
    const keying = this.#keyed.get(vault.collateral);
    return `${keying?.epoch}:${market?.price}:${this.#books.get(vault.collateral)?.keyOf(id)}`;
  }

  health(): HealthReport {
    const { sender } = this.deps;
    const processed = this.#processed?.number;
    const base = { processedBlock: processed, nodeBlock: this.#nodeHead, spentToday: sender.spentToday().toString() };
    if (processed === undefined || this.#lastNewBlockAt === undefined) {
      return { ok: false, reason: "starting: no block processed yet", ...base };
    }
    const behind = this.#nodeHead - processed;
    if (behind > this.config.maxLagBlocks) return { ok: false, reason: `${behind} blocks behind the node`, ...base };
    const silent = this.deps.wallClock() - this.#lastNewBlockAt;
    if (silent > this.config.maxLagSeconds) {
      return { ok: false, reason: `no new block for ${Math.floor(silent)} s (last ${processed})`, ...base };
    }
    if (sender.overBudget) {
      return {
        ok: false,
        reason: `daily gas budget reached: ${sender.spentToday()} of ${this.config.dailyGasBudget} wei spent`,
        ...base,
      };
    }
    return { ok: true, ...base };
  }

  /** One pass at the node's latest block; returns false when there was no new block. */
  async pass(): Promise<boolean> {
    const { indexer, logger, metrics, sender, protocol } = this.deps;
    const head = await protocol.reader.getBlock("latest");
    this.#nodeHead = head.number;
    metrics.blockLag.set(this.#processed ? head.number - this.#processed.number : 0);
    // Receipts and nonces change only with a new block: the sender follows its transactions then.
    if (this.#processed?.hash === head.hash) return false;
    const started = this.deps.wallClock();
    const sync = await indexer.sync(head);
    await this.#refreshMarkets(head);
    this.#reprice(sync.changedVaults, head);
    // Read before the block counts as processed: a failure here retries the block at the next poll.
    const view = await this.#view(head);
    this.#processed = head;
    this.#lastNewBlockAt = this.deps.wallClock();
    this.#passes++;
    metrics.lastBlock.set(head.number);
    metrics.blockLag.set(0);
    metrics.vaultsIndexed.set(indexer.vaultCount);
    metrics.auctionsActive.set(indexer.auctions().length);
    let atRisk = 0;
    for (const [collateral, book] of this.#books) {
      const market = this.#markets.get(collateral);
      if (market) atRisk += book.countAtOrAbove(market.price - (market.price * AT_RISK_MARGIN) / WAD);
    }
    metrics.vaultsAtRisk.set(atRisk);
    logger.debug(
      {
        block: head.number,
        changedVaults: sync.changedVaults.size,
        ms: Math.round((this.deps.wallClock() - started) * 1000),
      },
      "indexed",
    );

    for (const strategy of this.deps.strategies) {
      let actions;
      try {
        actions = await strategy.decide(view);
      } catch (error) {
        logger.error({ strategy: strategy.name, error: describe(error) }, "strategy failed this block");
        continue;
      }
      for (const action of actions) {
        metrics.decisions.inc({ kind: action.kind });
        logger.info({ strategy: strategy.name, keys: action.keys, ...action.context, block: head.number }, "decided");
        const outcome = await sender.submit(action, head);
        if (outcome === "sent" && action.expectedProfit !== undefined && action.expectedProfit > 0n) {
          metrics.profit.inc(Number(action.expectedProfit) / 1e18);
        }
      }
    }
    await sender.onBlock(head);
    return true;
  }

  async #view(head: BlockRef): Promise<KeeperView> {
    const { provider, protocol, indexer, sender, keeper } = this.deps;
    let live: Promise<LiveAuction[]> | undefined;
    const { shard } = this.config;
    const ethPrice = this.config.ethToken ? this.#markets.get(this.config.ethToken)?.price : undefined;
    const baseFee = head.baseFee ?? (await provider.getBlock(head.number))?.baseFeePerGas ?? 0n;
    const gasPrice = baseFee + 1_000_000_000n;
    return {
      block: head,
      keeper,
      index: indexer,
      protocol,
      markets: this.#markets,
      feeds: this.#feeds,
      books: this.#books,
      ethPrice,
      gasPrice,
      inShard: (id) => id % BigInt(shard.count) === BigInt(shard.index),
      busy: (key) => sender.has(key),
      claimedAuctions: new Set(),
      liveAuctions: () => (live ??= protocol.liveAuctions(head.number)),
      simulate: async (to, data, at = "head") => {
        const block = at === "pending" ? "pending" : toQuantity(head.number);
        try {
          // Both at the block decided on (unless asked for the pending one): ethers' estimateGas names
          // no block, and nodes then estimate on the pending block, where a rival's pending liquidation
          // of the same vaults makes ours a cheap no-op and the gas limit too low to liquidate if ours
          // is mined first.
          const [result, gasLimit] = await Promise.all([
            provider.call({ to, data, from: keeper, blockTag: block }),
            provider.send("eth_estimateGas", [{ to, data, from: keeper }, block]).then(BigInt),
          ]);
          return { result, gasLimit };
        } catch (error) {
          const revert = protocol.describeRevert((error as { data?: string }).data);
          throw new Error(revert ? `reverts with ${revert}` : describe(error));
        }
      },
    };
  }

  async #refreshMarkets(head: BlockRef): Promise<void> {
    const collaterals = new Set(this.config.collaterals);
    for (const id of this.deps.indexer.vaultIds()) {
      const vault = this.deps.indexer.vault(id);
      if (vault) collaterals.add(vault.collateral);
    }
    try {
      const read = await this.deps.protocol.markets([...collaterals], head.number);
      for (const collateral of collaterals) {
        if (!read.markets.has(collateral)) {
          this.deps.logger.warn({ collateral }, "collateral cannot be priced now (stale oracle?)");
        }
      }
      this.#markets = read.markets;
      this.#feeds = read.feeds;
    } catch (error) {
      this.deps.logger.warn({ error: describe(error) }, "could not read the collaterals' markets");
      this.#markets = new Map();
      this.#feeds = new Map();
    }
  }

  /** Re-keys changed vaults, and every vault of a collateral whose risk inputs moved. */
  #reprice(changed: Set<bigint>, head: BlockRef): void {
    const { indexer } = this.deps;
    const rekeyAll = new Set<string>();
    for (const [collateral, market] of this.#markets) {
      const riskStamp = JSON.stringify(market.risk, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
      const keyed = this.#keyed.get(collateral);
      const rateMoved = keyed ? ((market.rate - keyed.rate) * 1_000_000n) / keyed.rate >= REKEY_RATE_PPM : true;
      if (!keyed || keyed.riskStamp !== riskStamp || rateMoved || head.timestamp - keyed.timestamp >= REKEY_SECONDS) {
        rekeyAll.add(collateral);
        this.#keyed.set(collateral, {
          riskStamp,
          rate: market.rate,
          timestamp: head.timestamp,
          epoch: (keyed?.epoch ?? 0) + 1,
        });
      }
    }
    const ids = rekeyAll.size > 0 ? indexer.vaultIds() : [...changed];
    for (const id of ids) {
      const vault = indexer.vault(id);
      if (!vault) {
        for (const book of this.#books.values()) book.set(id, undefined);
        continue;
      }
      if (!changed.has(id) && !rekeyAll.has(vault.collateral)) continue;
      let book = this.#books.get(vault.collateral);
      if (!book) this.#books.set(vault.collateral, (book = new LiquidationBook()));
      const keying = this.#keyed.get(vault.collateral);
      const market = this.#markets.get(vault.collateral);
      if (vault.inAuction || vault.normalizedDebt === 0n) {
        book.set(id, undefined);
        continue;
      }
      const rate = market?.rate ?? keying?.rate;
      if (!market || rate === undefined) {
        // Unpriced now: keep it a candidate so it is checked as soon as the price is back.
        book.set(id, MAX_UINT256);
        continue;
      }
      try {
        book.set(id, liquidationKey(market, vault, BigInt(head.timestamp)));
      } catch (error) {
        this.deps.logger.warn({ vaultId: id.toString(), error: describe(error) }, "could not key the vault");
        book.set(id, MAX_UINT256);
      }
    }
  }

  get passes(): number {
    return this.#passes;
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return (error as { shortMessage?: string }).shortMessage ?? error.message;
  return String(error);
}
