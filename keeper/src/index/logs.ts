// Chunked eth_getLogs. Providers refuse ranges that are too wide or answers that are too large,
// each with its own message, so any failure halves the range and retries the same start; a range
// that has worked grows back after a run of successes. Only a failure of a single block is fatal.

export type LogFetcher<T> = (fromBlock: number, toBlock: number) => Promise<T[]>;

export interface ChunkOptions {
  maxRange: number; // [blocks]
  /** Called after each refused range with the range tried and the error, for logs and metrics. */
  onRefused?: (fromBlock: number, toBlock: number, error: unknown) => void;
}

export class LogChunker {
  #range: number;
  #successes = 0;

  constructor(readonly options: ChunkOptions) {
    if (!(options.maxRange >= 1)) throw new RangeError("maxRange must be at least 1 block");
    this.#range = options.maxRange;
  }

  /** The range the next request will try [blocks]. */
  get range(): number {
    return this.#range;
  }

  /** Every item of blocks [fromBlock, toBlock], in block order. */
  async fetch<T>(fetcher: LogFetcher<T>, fromBlock: number, toBlock: number): Promise<T[]> {
    const found: T[] = [];
    let start = fromBlock;
    while (start <= toBlock) {
      const end = Math.min(toBlock, start + this.#range - 1);
      let items: T[];
      try {
        items = await fetcher(start, end);
      } catch (error) {
        this.options.onRefused?.(start, end, error);
        if (end === start) throw error;
        this.#range = Math.max(1, Math.floor((end - start + 1) / 2));
        this.#successes = 0;
        continue;
      }
      found.push(...items);
      start = end + 1;
      // Grow back slowly: a limit that was hit once is likely to be hit again.
      if (++this.#successes >= 4 && this.#range < this.options.maxRange) {
        this.#range = Math.min(this.options.maxRange, this.#range * 2);
        this.#successes = 0;
      }
    }
    return found;
  }
}
