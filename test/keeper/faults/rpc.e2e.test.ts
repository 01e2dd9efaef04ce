// RPC faults, end to end: the keeper process talks to a real `hardhat node` through a proxy that
// drops, delays and fails requests, refuses wide `eth_getLogs` ranges, and a reorg (snapshot/revert)
// removes blocks the keeper had indexed. Every case ends the same way: every liquidatable vault
// liquidated, no healthy vault touched, every keeper transaction mined with success and no vault
// seized twice, and one keeper process that ran until SIGTERM and exited 0.
import { expect } from "chai";
import { toQuantity } from "ethers";
import type { ChildProcess } from "node:child_process";
import {
  collect,
  deployTo,
  ether,
  openVault,
  setPrice,
  spawnKeeper,
  startNode,
  type DeployedMarket,
  type KeeperRun,
  type LocalNode,
} from "../helpers/localNode";
import { RpcProxy, seeded, type Fault } from "../helpers/rpcProxy";
import { toFeedAnswer } from "../../../scripts/lib/deploy";

// The hardhat node's account 5, used by nothing else here.
const KEEPER_KEY = "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba";
const CRASH = 2_400n * 10n ** 18n;

describe("keeper against a faulty RPC", function () {
  this.timeout(120_000);
  let local: LocalNode;
  let market: DeployedMarket;
  let proxy: RpcProxy;
  let keeperAddress: string;
  let base: string;
  const risky: bigint[] = [];
  const healthy: bigint[] = [];

  before(async function () {
    local = await startNode();
    market = await deployTo(local);
    proxy = await RpcProxy.start(local.url);
    const [, a, b, c, d, keeper] = market.signers;
    keeperAddress = keeper.address;
    // At 99% of the borrowing limit a 20% fall liquidates; at 30% it does not. The first vault opens
    // right after the deployment, so a keeper that indexes only recent blocks misses it.
    for (const owner of [a, b, c]) risky.push(await openVault(market, owner, "WETH", ether(2), 99n));
    for (const owner of [b, c, d]) healthy.push(await openVault(market, owner, "WETH", ether(3), 30n));
    risky.push(await openVault(market, d, "WETH", ether(1.5), 97n));
    healthy.push(await openVault(market, a, "WBTC", 10n ** 8n, 99n));
    base = await local.provider.send("evm_snapshot", []);
  });

  beforeEach(async function () {
    // Each case starts from the same chain: vaults open, price not crashed yet, keeper nonce 0.
    await local.provider.send("evm_revert", [base]);
    base = await local.provider.send("evm_snapshot", []);
    proxy.reset();
  });

  after(async () => {
    await proxy?.close();
    local?.stop();
  });

  const keeperArgs = (confirmations = 2) => [
    "--rpc-url",
    proxy.url,
    "--manifest",
    market.manifestPath,
    "--private-key",
    KEEPER_KEY,
    "--poll-interval",
    "100",
    "--confirmations",
    String(confirmations),
  ];

  /** Runs the keeper process until `done` holds (checked between blocks), then SIGTERM. */
  async function runUntil(
    keeper: { child: ChildProcess; exited: Promise<KeeperRun> },
    done: () => Promise<boolean>,
    { timeoutMs = 40_000, mine = true } = {},
  ): Promise<KeeperRun> {
    const { child, exited } = keeper;
    const deadline = Date.now() + timeoutMs;
    try {
      while (!(await done())) {
        if (child.exitCode !== null) break;
        if (Date.now() > deadline) throw new Error("the keeper did not finish in time");
        // A live chain: a new block every few polls, which is when the keeper looks again.
        if (mine) await local.provider.send("evm_mine", []);
        await sleep(300);
      }
      // A few more blocks: nothing more may be sent once the work is done.
      for (let i = 0; i < 3 && mine; i++) {
        await local.provider.send("evm_mine", []);
        await sleep(300);
      }
    } catch (error) {
      child.kill("SIGKILL");
      const run = await exited.catch((e: unknown) => ({ stdout: String(e), stderr: "" }));
      throw new Error(`${(error as Error).message}\n${run.stderr}\n${run.stdout.slice(-3_000)}`);
    }
    child.kill("SIGTERM");
    return exited;
  }

  /** The keeper process, its output collected from the start (it may exit before it is awaited). */
  function startKeeper(args: string[]): { child: ChildProcess; exited: Promise<KeeperRun> } {
    const child = spawnKeeper(args);
    return { child, exited: collect(child, 90_000) };
  }

  async function inAuction(id: bigint): Promise<boolean> {
    return (await market.deployment.vaultEngine.vaults(id)).inAuction;
  }

  const allRiskyInAuction = async () => (await Promise.all(risky.map(inAuction))).every(Boolean);

  /** The keeper's mined transactions in the current chain, with the vaults each one seized. */
  async function keeperTransactions(): Promise<{ hash: string; to: string; status: number; seized: bigint[] }[]> {
    const engine = market.deployment.vaultEngine;
    const head = await local.provider.getBlockNumber();
    const found: { hash: string; to: string; status: number; seized: bigint[] }[] = [];
    for (let n = market.manifest.deployBlock; n <= head; n++) {
      const block = await local.provider.getBlock(n, true);
      for (const tx of block!.prefetchedTransactions) {
        if (tx.from !== keeperAddress) continue;
        const receipt = (await local.provider.getTransactionReceipt(tx.hash))!;
        const seized = receipt.logs
          .filter((log) => log.topics[0] === engine.interface.getEvent("Seized")!.topicHash)
          .map((log) => BigInt(log.topics[1]));
        found.push({ hash: tx.hash, to: tx.to!, status: receipt.status ?? 0, seized });
      }
    }
    return found;
  }

  /**
   * What every case ends with. Failed passes are bounded by the faults injected: ethers keeps a
   * failed read for 250 ms, so at a 100 ms poll one fault fails at most 3 passes.
   */
  async function expectCleanEnd(run: KeeperRun, faults: number): Promise<void> {
    const maxFailedPasses = 3 * faults;
    const output = run.stderr + run.stdout.slice(-4_000);
    expect(run.code, output).to.equal(0);
    expect(run.stderr, "nothing on stderr (no stack trace)").to.equal("");
    expect(
      run.lines.filter((line) => line.msg === "keeper starting"),
      "one start: no restart",
    ).to.have.length(1);
    expect(run.lines.some((line) => String(line.msg).startsWith("shutting down"))).to.equal(true);
    const failedPasses = run.lines.filter((line) => String(line.msg).startsWith("pass failed"));
    expect(failedPasses.length, `failed passes bounded by the faults: ${JSON.stringify(failedPasses)}`).to.be.at.most(
      maxFailedPasses,
    );

    for (const id of risky) expect(await inAuction(id), `risky vault ${id} in auction`).to.equal(true);
    for (const id of healthy) expect(await inAuction(id), `healthy vault ${id} untouched`).to.equal(false);
    const txs = await keeperTransactions();
    expect(txs.length, "the keeper sent at least one transaction").to.be.greaterThan(0);
    for (const tx of txs) {
      expect(tx.status, `keeper transaction ${tx.hash} succeeded`).to.equal(1);
      if (tx.to === market.manifest.contracts.Liquidator) {
        expect(tx.seized.length, `keeper liquidation ${tx.hash} seized something`).to.be.greaterThan(0);
      }
    }
    const seized = txs.flatMap((tx) => tx.seized).map(String);
    expect([...seized].sort(), "each risky vault seized exactly once").to.deep.equal(risky.map(String).sort());
    // The nonce has no hole and nothing is left in the mempool.
    expect(await local.provider.getTransactionCount(keeperAddress, "latest")).to.equal(txs.length);
    expect(await local.provider.getTransactionCount(keeperAddress, "pending")).to.equal(txs.length);
  }

  it("rpc_dropsAShareOfRequests_keeperLiquidatesEveryVaultOnce", async function () {
    const random = seeded(11);
    let dropped = 0;
    // A fifth of the HTTP requests, of both kinds: requests the node never saw, and answers lost after the node acted on them.
    proxy.rule = ({ position }) => {
      if (position > 0 || random() >= 0.2) return undefined;
      dropped++;
      return { kind: "drop", after: random() < 0.5 };
    };
    const keeper = startKeeper(keeperArgs());
    await setPrice(market, "WETH", CRASH);
    const run = await runUntil(keeper, allRiskyInAuction);
    expect(dropped, "faults were injected").to.be.greaterThan(3);
    await expectCleanEnd(run, dropped);
  });

  it("rpc_delaysRequests_keeperLiquidatesEveryVaultOnce", async function () {
    const random = seeded(12);
    proxy.rule = (): Fault => ({ kind: "delay", ms: Math.floor(random() * 400) });
    const keeper = startKeeper(keeperArgs());
    await setPrice(market, "WETH", CRASH);
    const run = await runUntil(keeper, allRiskyInAuction);
    expect(proxy.faultCount("delay")).to.be.greaterThan(10);
    await expectCleanEnd(run, 0);
  });

  it("rpc_answersHttp502AndJsonRpcErrorsForAWhile_keeperRecoversAndLiquidatesOnce", async function () {
    let failing = true;
    proxy.rule = ({ seq }) => {
      if (!failing) return undefined;
      return seq % 2 === 0
        ? { kind: "http", status: 502 }
        : { kind: "rpcError", code: -32603, message: "Internal error" };
    };
    const failures = () => proxy.faultCount("http") + proxy.faultCount("rpcError");
    const keeper = startKeeper(keeperArgs());
    // At start-up: the first three answers fail (start-up tries each read 5 times).
    while (failures() < 3) await sleep(20);
    failing = false;
    // Once it follows the chain: every request fails for 1.5 s, while the price crashes.
    while (proxy.count("eth_call") === 0) await sleep(100);
    failing = true;
    await setPrice(market, "WETH", CRASH);
    await sleep(1_500);
    failing = false;
    const failed = failures();
    const run = await runUntil(keeper, allRiskyInAuction);
    await expectCleanEnd(run, failed);
    const retried = run.lines.filter((line) => String(line.msg).startsWith("start-up: eth_chainId failed"));
    expect(retried, "start-up retried").to.have.length(3);
    expect(
      run.lines.some((line) => String(line.msg).startsWith("pass failed")),
      "the outage hit passes",
    ).to.equal(true);
  });

  it("rpc_refusesGetLogsOverFiveBlocks_keeperStillIndexesEveryVaultFromTheDeployBlock", async function () {
    // Deployment and vaults span far more than 5 blocks; the first vault opened right after the
    // deployment (Comet's bot, scanning only recent blocks, never saw such borrowers).
    const head = await local.provider.getBlockNumber();
    expect(head - market.manifest.deployBlock).to.be.greaterThan(40);
    proxy.maxLogRange = 5;
    const keeper = startKeeper(keeperArgs());
    await setPrice(market, "WETH", CRASH);
    const run = await runUntil(keeper, allRiskyInAuction);
    await expectCleanEnd(run, 0);

    expect(proxy.faultCount("rpcError"), "wide ranges were refused").to.be.greaterThan(0);
    expect(run.lines.some((line) => line.msg === "eth_getLogs refused; halving the range")).to.equal(true);
    const answered = [...proxy.logRanges].sort((a, b) => a[0] - b[0]);
    for (const [from, to] of answered) expect(to - from + 1, `range ${from}-${to}`).to.be.at.most(5);
    // The answered ranges cover every block from the deployment to the head the vaults were in.
    let covered = market.manifest.deployBlock - 1;
    for (const [from, to] of answered) if (from <= covered + 1) covered = Math.max(covered, to);
    expect(covered, "every block from deployBlock read").to.be.at.least(head);
  });

  it("rpc_losesTheAnswerToTheLiquidationWhileFeesSpike_keeperSendsNoSecondOne", async function () {
    await setPrice(market, "WETH", CRASH);
    // The node has the transaction but the keeper never hears so; a fee spike then keeps it out of
    // the next blocks, in which the vaults still look liquidatable.
    await local.provider.send("evm_setAutomine", [false]);
    try {
      let sends = 0;
      proxy.rule = ({ method }) =>
        method === "eth_sendRawTransaction" && sends++ === 0 ? { kind: "drop", after: true } : undefined;
      const keeper = startKeeper(keeperArgs());
      for (let i = 0; (await local.provider.getTransactionCount(keeperAddress, "pending")) === 0; i++) {
        if (i > 300) throw new Error("the keeper sent nothing");
        await sleep(100);
      }
      const { baseFeePerGas } = (await local.provider.getBlock("latest"))!;
      const spike = baseFeePerGas! * 20n > 10n ** 10n ? baseFeePerGas! * 20n : 10n ** 10n;
      await local.provider.send("hardhat_setNextBlockBaseFeePerGas", [toQuantity(spike)]);
      const run = await runUntil(keeper, allRiskyInAuction);
      expect(sends, "the lost send happened").to.be.greaterThan(0);
      await expectCleanEnd(run, 0);
    } finally {
      await local.provider.send("evm_setAutomine", [true]);
    }
  });

  /** Sends, mines one block, and waits for the receipt (the reorg cases mine by hand). */
  async function mined(sending: Promise<{ wait(): Promise<unknown> }>): Promise<void> {
    const tx = await sending;
    await local.provider.send("evm_mine", []);
    await tx.wait();
  }

  /** setPrice, one block per transaction. */
  async function crashByHand(): Promise<void> {
    const { feed, token, spec } = market.deployment.collaterals.WETH;
    await local.provider.send("evm_increaseTime", [60]);
    await mined(feed.setAnswer(toFeedAnswer(CRASH, spec.feedDecimals)));
    await mined(market.deployment.riskEngine.poke(await token.getAddress()));
  }

  async function mineFor(blocks: number, until?: () => Promise<boolean>): Promise<void> {
    for (let i = 0; i < blocks && !(await until?.()); i++) {
      await local.provider.send("evm_mine", []);
      await sleep(250);
    }
  }

  // 1: every block is final at once, so the reorg is below the depth and the index is rebuilt.
  // 12: the orphaned blocks (five to eight) are all in the unconfirmed tail, re-derived every block.
  for (const confirmations of [1, 12]) {
    it(`reorg_removesBlocksTheKeeperIndexedAndActedOn_confirmations${confirmations}_keeperFollowsTheNewHistory`, async function () {
      // Blocks only when the test mines, and transactions queued like a real node queues them (an
      // automining node refuses a nonce gap outright, which would hide one).
      await local.provider.send("evm_setAutomine", [false]);
      try {
        const keeper = startKeeper(keeperArgs(confirmations));
        // The keeper is following the chain once it reads markets (after its first index).
        while (proxy.count("eth_call") === 0) await sleep(100);
        const snapshot = await local.provider.send("evm_snapshot", []);

        // History to be orphaned: one risky vault repays half its debt (safe even after the crash),
        // then the crash, and the keeper liquidates the other risky vaults.
        const [repaying, ...others] = risky;
        const { vaultEngine } = market.deployment;
        const ownerAddress = (await vaultEngine.vaults(repaying)).owner;
        const owner = market.signers.find((signer) => signer.address === ownerAddress)!;
        await mined(vaultEngine.connect(owner).repay(repaying, (await vaultEngine.debtOf(repaying)) / 2n));
        await crashByHand();
        // A block only for what the keeper sends, so the history to orphan stays a few blocks deep
        // however slowly the keeper runs.
        for (let round = 0; round < 6 && !(await Promise.all(others.map(inAuction))).every(Boolean); round++) {
          for (let i = 0; i < 100; i++) {
            const [latest, pending] = await Promise.all(
              (["latest", "pending"] as const).map((tag) => local.provider.getTransactionCount(keeperAddress, tag)),
            );
            if (pending > latest) break;
            await sleep(100);
          }
          await local.provider.send("evm_mine", []);
        }
        for (const id of others) expect(await inAuction(id), `vault ${id} liquidated before the reorg`).to.equal(true);
        expect(await inAuction(repaying)).to.equal(false);
        await mineFor(1);

        // The reorg: back to before the repayment, and a different history of empty blocks in which
        // nothing is liquidatable; the keeper must send nothing (its orphaned liquidation included).
        await local.provider.send("evm_revert", [snapshot]);
        await mineFor(8);
        const pending = await local.provider.getTransactionCount(keeperAddress, "pending");
        expect(pending, "nothing sent after the reorg").to.equal(0);

        // Then the crash in the new history: every risky vault, the one that had repaid included.
        await crashByHand();
        const run = await runUntil(keeper, allRiskyInAuction);
        // The revert itself may land in the middle of a pass (a block read a moment ago is gone).
        await expectCleanEnd(run, 1);
        const rebuilt = run.lines.some(
          (line) => line.msg === "reorg below the confirmation depth: rebuilding the index",
        );
        expect(rebuilt, "rebuilt only when the reorg went below the confirmation depth").to.equal(confirmations === 1);
        if (confirmations > 1) {
          const orphaned = run.lines.filter(
            (line) => line.msg === "mined transaction orphaned by a reorg; forgetting it",
          );
          expect(
            orphaned.map((line) => line.kind),
            "the orphaned liquidation was dropped, not re-sent",
          ).to.include("liquidate");
        }
      } finally {
        await local.provider.send("evm_setAutomine", [true]);
      }
    });
  }
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
