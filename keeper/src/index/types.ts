// What the index knows and what it needs from the chain: the seam between index/ and chain/, so the
// index runs against a fake chain in tests and contract renames stay in chain/contracts.ts.

export interface VaultState {
  id: bigint;
  owner: string;
  collateral: string;
  collateralAmount: bigint; // token units
  normalizedDebt: bigint;
  inAuction: boolean;
}

export interface AuctionState {
  id: bigint; // the vault's id
  collateral: string;
  collateralLeft: bigint; // token units
  debtLeft: bigint; // [wad]
  startPrice: bigint; // [wad]
  startTime: bigint; // [seconds]
}

/** One indexed event, reduced to what it touches. */
export interface ChainEvent {
  target: "vault" | "auction";
  id: bigint;
  name: string;
  blockNumber: number;
  transactionHash: string;
}

export interface BlockRef {
  number: number;
  hash: string;
  timestamp: number; // [seconds]
  /** [wei per gas], when the reader knows it (the keeper prices gas with it). */
  baseFee?: bigint;
}

export interface ChainReader {
  /**
   * Events of the indexed contracts in [fromBlock, toBlock]; may refuse wide ranges. With
   * `openingsOnly`, at least the events that create a vault or an auction (more is allowed).
   */
  getEvents(fromBlock: number, toBlock: number, openingsOnly?: boolean): Promise<ChainEvent[]>;
  /** The vaults as of `blockNumber` (ids must exist there). */
  readVaults(ids: bigint[], blockNumber: number): Promise<VaultState[]>;
  /** The auctions as of `blockNumber`; undefined where none is running. */
  readAuctions(ids: bigint[], blockNumber: number): Promise<(AuctionState | undefined)[]>;
  getBlock(tag: number | "latest"): Promise<BlockRef>;
}
