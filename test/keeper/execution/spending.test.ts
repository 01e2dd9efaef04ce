// recoverSpending on a chain in memory: it finds every transaction of the signer mined in the window
// (several in a block, at the window's edges), none before it, and reads few nonces to do so.
import { expect } from "chai";
import { recoverSpending, type SpendingChain } from "../../../keeper/src/execution/spending";

const US = "0x00000000000000000000000000000000000000b0";
const OTHER = "0x00000000000000000000000000000000000000c0";
const DAY = 86_400;

/** Blocks 12 s apart; `paid[n]` lists the gas payments [wei] of the transactions in block n by sender. */
class PaymentChain implements SpendingChain {
  readonly paid = new Map<number, { from: string; wei: bigint }[]>();
  nonceReads = 0;

  constructor(readonly length: number) {}

  time = (n: number): number => 1_000_000 + 12 * n;

  pay(blockNumber: number, from: string, wei: bigint): void {
    this.paid.set(blockNumber, [...(this.paid.get(blockNumber) ?? []), { from, wei }]);
  }

  async getBlockTime(n: number): Promise<number> {
    if (n < 0 || n >= this.length) throw new Error(`no block ${n}`);
    return this.time(n);
  }

  async getNonceAt(address: string, n: number): Promise<number> {
    this.nonceReads++;
    let count = 0;
    for (const [block, payments] of this.paid)
      if (block <= n) count += payments.filter((p) => p.from === address).length;
    return count;
  }

  async getPaidIn(address: string, n: number): Promise<bigint[]> {
    return (this.paid.get(n) ?? []).filter((p) => p.from === address).map((p) => p.wei);
  }
}

describe("keeper/execution/spending", function () {
  it("recoverSpending_paymentsInAndBeforeTheWindow_findsExactlyThoseInIt", async function () {
    const chain = new PaymentChain(20_000);
    const head = { number: 19_999, timestamp: chain.time(19_999) };
    const firstInWindow = 19_999 - DAY / 12 + 1; // mined after head − 24 h
    chain.pay(100, US, 1n); // long before
    chain.pay(firstInWindow - 1, US, 2n); // exactly 24 h before the head: out, as spentToday counts
    chain.pay(firstInWindow, US, 3n);
    chain.pay(15_000, US, 4n);
    chain.pay(15_000, OTHER, 99n);
    chain.pay(15_000, US, 5n);
    chain.pay(17_321, OTHER, 98n);
    chain.pay(19_999, US, 6n);
    const spent = await recoverSpending(chain, US, head, DAY);
    expect(spent).to.deep.equal([
      { timestamp: chain.time(firstInWindow), wei: 3n },
      { timestamp: chain.time(15_000), wei: 4n },
      { timestamp: chain.time(15_000), wei: 5n },
      { timestamp: chain.time(19_999), wei: 6n },
    ]);
    // About log2(7,200) nonce reads per block holding ours, not one per block.
    expect(chain.nonceReads).to.be.lte(2 + 3 * 14);
  });

  it("recoverSpending_noTransactionsOrAChainShorterThanTheWindow_findsWhatThereIs", async function () {
    const chain = new PaymentChain(50);
    const head = { number: 49, timestamp: chain.time(49) };
    expect(await recoverSpending(chain, US, head, DAY)).to.deep.equal([]);
    chain.pay(0, US, 7n);
    expect(await recoverSpending(chain, US, head, DAY)).to.deep.equal([{ timestamp: chain.time(0), wei: 7n }]);
  });

  it("recoverSpending_nodeWhoseNoncesShrink_failsWithOneLine", async function () {
    const chain = new PaymentChain(1_000);
    chain.pay(900, US, 1n);
    const head = { number: 999, timestamp: chain.time(999) };
    const honest = chain.getNonceAt.bind(chain);
    chain.getNonceAt = async (address, n) => (n === 999 ? honest(address, n) : 5);
    let error: unknown;
    await recoverSpending(chain, US, head, DAY).catch((e: unknown) => (error = e));
    expect((error as Error)?.message).to.match(/nonces of 0x0+b0 do not grow with the blocks/);
  });
});
