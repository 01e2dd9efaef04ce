// The keeper's RPC cost while nothing happens: a keeper process following a real node through a
// counting proxy makes at most two eth_calls per new block (counts, not timings).
import { expect } from "chai";
import {
  collect,
  deployTo,
  ether,
  freePort,
  openVault,
  spawnKeeper,
  startNode,
  type LocalNode,
} from "./helpers/localNode";
import { RpcProxy } from "./helpers/rpcProxy";

const IDLE_BLOCKS = 8;
const MAX_CALLS_PER_BLOCK = 2;

describe("keeper RPC budget", function () {
  this.timeout(120_000);
  let local: LocalNode;
  let counter: RpcProxy;
  let manifestPath: string;

  before(async function () {
    local = await startNode();
    const market = await deployTo(local);
    const [, a, b] = market.signers;
    await openVault(market, a, "WETH", ether(2), 50n);
    await openVault(market, b, "WETH", ether(1), 80n);
    await openVault(market, a, "WBTC", 10n ** 8n, 60n);
    counter = await RpcProxy.start(local.url);
    manifestPath = market.manifestPath;
  });

  after(async () => {
    await counter?.close();
    local?.stop();
  });

  it("idleKeeper_makesAtMostTwoEthCallsPerNewBlock", async function () {
    const port = await freePort();
    const child = spawnKeeper([
      ...["--network", "localhost", "--rpc-url", counter.url, "--manifest", manifestPath],
      ...["--dry-run", "--port", String(port), "--poll-interval", "50"],
    ]);
    const done = collect(child, 110_000);
    const processedBlock = async (): Promise<number | undefined> => {
      try {
        const report = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { processedBlock?: number };
        return report.processedBlock;
      } catch {
        return undefined; // not listening yet
      }
    };
    const untilProcessed = async (block: number) => {
      for (let i = 0; i < 600; i++) {
        if (((await processedBlock()) ?? -1) >= block) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`the keeper never processed block ${block}`);
    };
    const mined: number[] = [];
    try {
      await untilProcessed(await local.provider.getBlockNumber());
      // The start-up pass (index from the deployment, first market read) is not idle.
      await new Promise((resolve) => setTimeout(resolve, 300));
      counter.reset();
      for (let i = 0; i < IDLE_BLOCKS; i++) {
        await local.provider.send("evm_mine", []);
        const block = await local.provider.getBlockNumber();
        mined.push(block);
        await untilProcessed(block);
      }
      // Let the last pass finish its strategies, and a few polls find no new block.
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      child.kill("SIGTERM");
    }
    const run = await done;
    expect(run.code, run.stderr).to.equal(0);

    const total = counter.count("eth_call");
    const perBlock = Object.fromEntries(counter.callsByBlock);
    expect(total, JSON.stringify(Object.fromEntries(counter.calls))).to.be.at.most(MAX_CALLS_PER_BLOCK * IDLE_BLOCKS);
    for (const block of mined) {
      // At least one: the keeper did read through the proxy at every block.
      expect(counter.callsByBlock.get(String(block)) ?? 0, `block ${block}: ${JSON.stringify(perBlock)}`).to.be.within(
        1,
        MAX_CALLS_PER_BLOCK,
      );
    }
    expect(counter.count("eth_sendRawTransaction") + counter.count("eth_sendTransaction")).to.equal(0);
  });
});
