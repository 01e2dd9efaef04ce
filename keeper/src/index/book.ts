// Vaults of one collateral ordered by liquidation price [wad]: the vaults a price crosses are a
// suffix of the order, found by binary search in O(log N) and read in O(k). An update moves one
// entry (binary search plus an array splice: a memmove, no allocation per entry).

interface Entry {
  key: bigint;
  id: bigint;
}

const before = (a: Entry, b: Entry): boolean => a.key < b.key || (a.key === b.key && a.id < b.id);

export class LiquidationBook {
  readonly #entries: Entry[] = [];
  readonly #keys = new Map<bigint, bigint>();

  get size(): number {
    return this.#entries.length;
  }

  keyOf(id: bigint): bigint | undefined {
    return this.#keys.get(id);
  }

  /** Sets the vault's liquidation price, or removes it (`undefined`: no debt, in auction, gone). */
  set(id: bigint, key: bigint | undefined): void {
    const old = this.#keys.get(id);
    if (old === key) return;
    if (old !== undefined) {
      this.#entries.splice(this.#lowerBound({ key: old, id }), 1);
      this.#keys.delete(id);
    }
    if (key === undefined) return;
    const entry = { key, id };
    this.#entries.splice(this.#lowerBound(entry), 0, entry);
    this.#keys.set(id, key);
  }

  /** Ids whose liquidation price is at least `price`, highest first (the most underwater first). */
  atOrAbove(price: bigint): bigint[] {
    const start = this.#lowerBound({ key: price, id: -1n });
    const ids: bigint[] = [];
    for (let i = this.#entries.length - 1; i >= start; i--) ids.push(this.#entries[i].id);
    return ids;
  }

  countAtOrAbove(price: bigint): number {
    return this.#entries.length - this.#lowerBound({ key: price, id: -1n });
  }

  ids(): IterableIterator<bigint> {
    return this.#keys.keys();
  }

  #lowerBound(target: Entry): number {
    let low = 0;
    let high = this.#entries.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (before(this.#entries[mid], target)) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
