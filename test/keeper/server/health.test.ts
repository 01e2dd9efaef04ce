// Keeper.health on a chain in memory with an injected wall clock: 503 with the reason when the
// keeper falls more than --max-lag-blocks behind the node (the node mined a burst of blocks and the
// keeper cannot index them), or hears of no new block for --max-lag-seconds; 200 again once it
// catches up. The real Indexer and Sender; only the node (FakeChain) and the clock are fakes.
import { expect } from "chai";
import pino from "pino";
import type { JsonRpcProvider } from "ethers";
import type { Protocol } from "../../../keeper/src/chain/contracts";
import { Sender } from "../../../keeper/src/execution/sender";
import { Indexer } from "../../../keeper/src/index/indexer";
import { Keeper } from "../../../keeper/src/keeper";
import { createMetrics } from "../../../keeper/src/server/metrics";
import { FakeChain, vault } from "../index/fakeChain";

const logger = pino({ level: "silent" });
const MAX_LAG_BLOCKS = 10;
const MAX_LAG_SECONDS = 60;

/** A FakeChain whose eth_getLogs can be made to fail, as a provider that times out does. */
class FlakyChain extends FakeChain {
  failing = false;
  override async getEvents(fromBlock: number, toBlock: number) {
    if (this.failing) throw new Error("eth_getLogs: request timed out");
    return super.getEvents(fromBlock, toBlock);
  }
}

function keeperOn(chain: FlakyChain, clock: { now: number }): Keeper {
  const metrics = createMetrics();
  const never = () => Promise.reject(new Error("the sender sends nothing in this test"));
  const sender = new Sender(
    {
      chain: { getNonce: never, getFees: never, getReceipt: never },
      signer: { address: "0x00000000000000000000000000000000000000b0", send: never },
      logger,
    },
    { maxGasPrice: 10n ** 11n, confirmations: 1, dryRun: false, bumpAfterBlocks: 3, bumpPerMille: 125 },
  );
  const protocol = { reader: chain, market: async () => undefined } as unknown as Protocol;
  const provider = { getBlock: async () => ({ baseFeePerGas: 0n }) } as unknown as JsonRpcProvider;
  return new Keeper(
    {
      provider,
      protocol,
      indexer: new Indexer({ reader: chain, logger }, { deployBlock: 1, confirmations: 1, maxLogRange: 1_000 }),
      sender,
      strategies: [],
      logger,
      metrics,
      keeper: "0x00000000000000000000000000000000000000b0",
      wallClock: () => clock.now,
    },
    {
      shard: { index: 0, count: 1 },
      maxLagBlocks: MAX_LAG_BLOCKS,
      maxLagSeconds: MAX_LAG_SECONDS,
      collaterals: [],
    },
  );
}

describe("keeper/server health", function () {
  it("health_whenTheNodeMinesMoreThanMaxLagBlocksTheKeeperCannotIndex_is503WithTheLagThen200", async function () {
    const chain = new FlakyChain(20);
    chain.setVault(5, vault(1n, 100n), "VaultOpened");
    const clock = { now: 1_000 };
    const keeper = keeperOn(chain, clock);
    expect(keeper.health()).to.include({ ok: false, reason: "starting: no block processed yet" });
    expect(await keeper.pass()).to.equal(true);
    expect(keeper.health()).to.include({ ok: true, processedBlock: 19, nodeBlock: 19 });

    // A burst at the lag limit is fine; one block more is not, while the keeper cannot index it.
    chain.failing = true;
    chain.mine(MAX_LAG_BLOCKS);
    clock.now += 1;
    await expectRejected(keeper.pass());
    expect(keeper.health()).to.include({ ok: true, processedBlock: 19, nodeBlock: 19 + MAX_LAG_BLOCKS });
    chain.mine(1);
    await expectRejected(keeper.pass());
    const lagging = keeper.health();
    expect(lagging).to.include({ ok: false, processedBlock: 19, nodeBlock: 20 + MAX_LAG_BLOCKS });
    expect(lagging.reason).to.equal(`${MAX_LAG_BLOCKS + 1} blocks behind the node`);

    chain.failing = false;
    expect(await keeper.pass()).to.equal(true);
    expect(keeper.health()).to.include({ ok: true, processedBlock: 20 + MAX_LAG_BLOCKS });
  });

  it("health_whenNoNewBlockComesForMaxLagSeconds_is503ThenBackWithTheNextBlock", async function () {
    const chain = new FlakyChain(5);
    const clock = { now: 1_000 };
    const keeper = keeperOn(chain, clock);
    await keeper.pass();
    clock.now += MAX_LAG_SECONDS;
    expect(await keeper.pass()).to.equal(false);
    expect(keeper.health().ok).to.equal(true);
    clock.now += 1;
    expect(keeper.health()).to.include({ ok: false, reason: `no new block for ${MAX_LAG_SECONDS + 1} s (last 4)` });
    chain.mine(1);
    expect(await keeper.pass()).to.equal(true);
    expect(keeper.health().ok).to.equal(true);
  });
});

async function expectRejected(promise: Promise<unknown>): Promise<void> {
  let failed = false;
  await promise.catch(() => (failed = true));
  expect(failed, "the pass fails while the node refuses logs").to.equal(true);
}
