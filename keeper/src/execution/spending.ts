// What the signer paid for gas in the last day of block time, read back from the chain at start-up,
// so that a restart, or a keeper crash-looping, does not forget what --daily-gas-budget has already
// spent. The signer's nonce only grows, one per mined transaction of its own (reverted ones too), so
// bisecting the window on the nonce at a block finds every block holding one of them in about
// k · log2(blocks / k) nonce reads; each such block's receipts give what its transactions cost.
// It needs the node's state at blocks of the last day: a full node keeps it for recent blocks only,
// so on a long-lived chain use an archive endpoint (the keeper warns when the node refuses).

/** One payment for gas [wei], at the block time it was mined [seconds]. */
export interface Spending {
  timestamp: number;
  wei: bigint;
}

/** The node, as far as recovering the spending needs it. */
export interface SpendingChain {
  getBlockTime(blockNumber: number): Promise<number>;
  /** The number of transactions `address` had mined up to and including `blockNumber`. */
  getNonceAt(address: string, blockNumber: number): Promise<number>;
  /** What each transaction from `address` in the block paid for gas [wei]. */
  getPaidIn(address: string, blockNumber: number): Promise<bigint[]>;
}

/** The first block mined after `since` [seconds], by bisection; `head.number + 1` if none is. */
async function firstBlockAfter(chain: SpendingChain, head: { number: number }, since: number): Promise<number> {
  let [low, high] = [0, head.number + 1];
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if ((await chain.getBlockTime(middle)) > since) high = middle;
    else low = middle + 1;
  }
  return low;
}

/**
 * What `address` paid for gas in the blocks of the `windowSeconds` before `head` (those mined after
 * `head.timestamp − windowSeconds`, as Sender.spentToday counts), oldest first.
 */
export async function recoverSpending(
  chain: SpendingChain,
  address: string,
  head: { number: number; timestamp: number },
  windowSeconds: number,
): Promise<Spending[]> {
  const from = await firstBlockAfter(chain, head, head.timestamp - windowSeconds);
  if (from > head.number) return [];
  const found: Spending[] = [];
  // Blocks [low, high] hold `after − before` of our transactions; a range holding none is skipped.
  const search = async (low: number, high: number, before: number, after: number): Promise<void> => {
    if (after === before) return;
    if (low === high) {
      const [timestamp, paid] = await Promise.all([chain.getBlockTime(low), chain.getPaidIn(address, low)]);
      for (const wei of paid) found.push({ timestamp, wei });
      return;
    }
    const middle = Math.floor((low + high) / 2);
    const atMiddle = await chain.getNonceAt(address, middle);
    if (atMiddle < before || atMiddle > after) {
      throw new Error(`the node's nonces of ${address} do not grow with the blocks (a reorg while reading?)`);
    }
    // Both halves at once: the provider batches the reads of a busy day.
    await Promise.all([search(low, middle, before, atMiddle), search(middle + 1, high, atMiddle, after)]);
  };
  const [before, after] = await Promise.all([
    from === 0 ? Promise.resolve(0) : chain.getNonceAt(address, from - 1),
    chain.getNonceAt(address, head.number),
  ]);
  await search(from, head.number, before, after);
  return found.sort((a, b) => a.timestamp - b.timestamp);
}
