// Vault and auction state from events. Events say which vaults and auctions changed; their state is
// then read at the block the events were read to, so every event kind (and any future one) is
// applied exactly as the contract applied it.
//
// Reorgs: the index keeps a confirmed state as of the newest block at depth ≥ `confirmations`
// (its hash remembered) and re-derives the unconfirmed tail above it on every sync. Events of
// orphaned tail blocks therefore vanish by construction; a reorg below the confirmed block (its
// hash changed) rebuilds the index from the deployment block.
import type { Logger } from "pino";
import { LogChunker } from "./logs";
import type { AuctionState, BlockRef, ChainEvent, ChainReader, VaultState } from "./types";

export interface IndexerConfig {
  deployBlock: number;
  confirmations: number;
  maxLogRange: number; // [blocks]
  /** Ids per read request (one VaultLens call each). */
  readBatch?: number;
}

export interface SyncResult {
  head: BlockRef;
  /** Vaults whose live state may differ from before this sync. */
  changedVaults: Set<bigint>;
  changedAuctions: Set<bigint>;
  rebuilt: boolean;
}

export class Indexer {
  readonly #confirmedVaults = new Map<bigint, VaultState>();
  readonly #confirmedAuctions = new Map<bigint, AuctionState>();
  #confirmed: BlockRef | undefined;
  // The unconfirmed tail's state: `null` marks an auction that ended in the tail.
  #tailVaults = new Map<bigint, VaultState>();
  #tailAuctions = new Map<bigint, AuctionState | null>();
  #head: BlockRef | undefined;
  readonly #chunker: LogChunker;
  // Changes not reported yet: a sync that fails after applying part of its blocks reports them with
  // the next one that succeeds, so no vault is left out of the books.
  #unreportedVaults = new Set<bigint>();
  #unreportedAuctions = new Set<bigint>();

  constructor(
    readonly deps: { reader: ChainReader; logger: Logger; onLogsRefused?: (error: unknown) => void },
    readonly config: IndexerConfig,
  ) {
    this.#chunker = new LogChunker({
      maxRange: config.maxLogRange,
      onRefused: (fromBlock, toBlock, error) => {
        deps.onLogsRefused?.(error);
        deps.logger.warn(
          { fromBlock, toBlock, error: error instanceof Error ? error.message : String(error) },
          "eth_getLogs refused; halving the range",
        );
      },
    });
  }

  get head(): BlockRef | undefined {
    return this.#head;
  }

  get confirmedBlock(): BlockRef | undefined {
    return this.#confirmed;
  }

  vault(id: bigint): VaultState | undefined {
    return this.#tailVaults.get(id) ?? this.#confirmedVaults.get(id);
  }

  auction(id: bigint): AuctionState | undefined {
    const tail = this.#tailAuctions.get(id);
    if (tail === null) return undefined;
    return tail ?? this.#confirmedAuctions.get(id);
  }

  get vaultCount(): number {
    return (
      this.#confirmedVaults.size + [...this.#tailVaults.keys()].filter((id) => !this.#confirmedVaults.has(id)).length
    );
  }

  vaultIds(): bigint[] {
    const ids = new Set(this.#confirmedVaults.keys());
    for (const id of this.#tailVaults.keys()) ids.add(id);
    return [...ids];
  }

  auctions(): AuctionState[] {
    const ids = new Set(this.#confirmedAuctions.keys());
    for (const id of this.#tailAuctions.keys()) ids.add(id);
    return [...ids].map((id) => this.auction(id)).filter((a): a is AuctionState => a !== undefined);
  }

  /** Brings the index to `head` (default: the node's latest block). */
  async sync(head?: BlockRef): Promise<SyncResult> {
    const { reader, logger } = this.deps;
    head ??= await reader.getBlock("latest");
    const changedVaults = this.#unreportedVaults;
    const changedAuctions = this.#unreportedAuctions;
    for (const id of this.#tailVaults.keys()) changedVaults.add(id);
    for (const id of this.#tailAuctions.keys()) changedAuctions.add(id);
    let rebuilt = false;

    if (this.#confirmed) {
      // A head below the confirmed block means the chain it was on is gone too.
      const now = head.number >= this.#confirmed.number ? await reader.getBlock(this.#confirmed.number) : undefined;
      if (now?.hash !== this.#confirmed.hash) {
        logger.error(
          { block: this.#confirmed.number, was: this.#confirmed.hash, now: now?.hash ?? `none (head ${head.number})` },
          "reorg below the confirmation depth: rebuilding the index",
        );
        for (const id of this.#confirmedVaults.keys()) changedVaults.add(id);
        for (const id of this.#confirmedAuctions.keys()) changedAuctions.add(id);
        this.#confirmedVaults.clear();
        this.#confirmedAuctions.clear();
        this.#confirmed = undefined;
        rebuilt = true;
      }
    }

    const target = Math.max(this.config.deployBlock - 1, head.number - this.config.confirmations + 1);
    const from = this.#confirmed ? this.#confirmed.number + 1 : this.config.deployBlock;
    if (target >= from) {
      // From an empty index, every vault and auction that exists was opened in the range and is read
      // whole at `target`: their openings suffice (a third of a first index's logs).
      const fresh = this.#confirmed === undefined;
      const events = await this.#chunker.fetch((a, b) => reader.getEvents(a, b, fresh), from, target);
      const touched = await this.#read(events, target);
      for (const vault of touched.vaults) {
        this.#confirmedVaults.set(vault.id, vault);
        changedVaults.add(vault.id);
      }
      for (const [id, auction] of touched.auctions) {
        if (auction) this.#confirmedAuctions.set(id, auction);
        else this.#confirmedAuctions.delete(id);
        changedAuctions.add(id);
      }
      this.#confirmed = target === head.number ? head : await reader.getBlock(target);
    }

    const tailVaults = new Map<bigint, VaultState>();
    const tailAuctions = new Map<bigint, AuctionState | null>();
    if (head.number > target) {
      const events = await this.#chunker.fetch((a, b) => reader.getEvents(a, b), target + 1, head.number);
      const touched = await this.#read(events, head.number);
      for (const vault of touched.vaults) {
        tailVaults.set(vault.id, vault);
        changedVaults.add(vault.id);
      }
      for (const [id, auction] of touched.auctions) {
        tailAuctions.set(id, auction ?? null);
        changedAuctions.add(id);
      }
    }
    this.#tailVaults = tailVaults;
    this.#tailAuctions = tailAuctions;
    this.#head = head;
    this.#unreportedVaults = new Set();
    this.#unreportedAuctions = new Set();
    return { head, changedVaults, changedAuctions, rebuilt };
  }

  async #read(
    events: ChainEvent[],
    blockNumber: number,
  ): Promise<{ vaults: VaultState[]; auctions: Map<bigint, AuctionState | undefined> }> {
    const vaultIds = new Set<bigint>();
    const auctionIds = new Set<bigint>();
    for (const event of events) {
      if (event.target === "vault") vaultIds.add(event.id);
      else auctionIds.add(event.id);
    }
    const batch = this.config.readBatch ?? 500;
    const vaults: VaultState[] = [];
    const ids = [...vaultIds];
    for (let i = 0; i < ids.length; i += batch) {
      vaults.push(...(await this.deps.reader.readVaults(ids.slice(i, i + batch), blockNumber)));
    }
    const auctions = new Map<bigint, AuctionState | undefined>();
    const aIds = [...auctionIds];
    for (let i = 0; i < aIds.length; i += batch) {
      const slice = aIds.slice(i, i + batch);
      const states = await this.deps.reader.readAuctions(slice, blockNumber);
      slice.forEach((id, j) => auctions.set(id, states[j]));
    }
    return { vaults, auctions };
  }
}
