// A chain in memory for the index tests: blocks with hashes, events and the state changes they
// make, a provider limit on log ranges, and reorgs that replace blocks.
import type { AuctionState, BlockRef, ChainEvent, ChainReader, VaultState } from "../../../keeper/src/index/types";

interface FakeBlock {
  hash: string;
  events: ChainEvent[];
  vaults: Map<bigint, VaultState>;
  auctions: Map<bigint, AuctionState | undefined>;
}

export const COLLATERAL = "0x00000000000000000000000000000000000000c0";

export function vault(id: bigint, normalizedDebt: bigint, extra: Partial<VaultState> = {}): VaultState {
  return {
    id,
    owner: "0x00000000000000000000000000000000000000a1",
    collateral: COLLATERAL,
    collateralAmount: 10n ** 18n,
    normalizedDebt,
    inAuction: false,
    ...extra,
  };
}

export class FakeChain implements ChainReader {
  readonly blocks: FakeBlock[] = [];
  /** Widest eth_getLogs range answered [blocks]; wider ones throw as providers do. */
  maxLogRange = Infinity;
  readonly logRequests: [number, number][] = [];
  #fork = 0;

  constructor(length: number) {
    for (let n = 0; n < length; n++) this.blocks.push(this.#empty(n));
  }

  #empty(n: number): FakeBlock {
    return { hash: `0x${this.#fork}-${n}`, events: [], vaults: new Map(), auctions: new Map() };
  }

  get head(): number {
    return this.blocks.length - 1;
  }

  /** Appends a block (or `count` empty ones); returns the last block's number. */
  mine(count = 1): number {
    for (let i = 0; i < count; i++) this.blocks.push(this.#empty(this.blocks.length));
    return this.head;
  }

  /** Drops every block from `from` on and starts a new fork there. */
  reorg(from: number): void {
    this.#fork++;
    this.blocks.length = from;
  }

  setVault(blockNumber: number, state: VaultState, name = "Borrowed"): void {
    const block = this.blocks[blockNumber];
    block.vaults.set(state.id, state);
    block.events.push({ target: "vault", id: state.id, name, blockNumber, transactionHash: `0xtx${blockNumber}` });
  }

  setAuction(blockNumber: number, id: bigint, state: AuctionState | undefined, name: string): void {
    const block = this.blocks[blockNumber];
    block.auctions.set(id, state);
    block.events.push({ target: "auction", id, name, blockNumber, transactionHash: `0xtx${blockNumber}` });
  }

  async getEvents(fromBlock: number, toBlock: number): Promise<ChainEvent[]> {
    this.logRequests.push([fromBlock, toBlock]);
    if (toBlock - fromBlock + 1 > this.maxLogRange) {
      throw new Error(`query exceeds max block range ${this.maxLogRange}`);
    }
    return this.blocks.slice(fromBlock, toBlock + 1).flatMap((block) => block.events);
  }

  async readVaults(ids: bigint[], blockNumber: number): Promise<VaultState[]> {
    return ids.map((id) => {
      for (let n = blockNumber; n >= 0; n--) {
        const found = this.blocks[n].vaults.get(id);
        if (found) return found;
      }
      throw new Error(`VaultNotFound(${id}) at ${blockNumber}`);
    });
  }

  async readAuctions(ids: bigint[], blockNumber: number): Promise<(AuctionState | undefined)[]> {
    return ids.map((id) => {
      for (let n = blockNumber; n >= 0; n--) {
        if (this.blocks[n].auctions.has(id)) return this.blocks[n].auctions.get(id);
      }
      return undefined;
    });
  }

  async getBlock(tag: number | "latest"): Promise<BlockRef> {
    const number = tag === "latest" ? this.head : tag;
    return { number, hash: this.blocks[number].hash, timestamp: 1_000 + number * 12 };
  }
}
