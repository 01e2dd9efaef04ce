// Process and transaction faults, end to end: one real `hardhat node`, Sluice deployed and vaults
// opened once, and the keeper run as its own process. Each case starts from that state (evm_revert to
// a snapshot), crashes WETH 20% and mines by hand (automine off), then checks on the chain that every
// liquidatable vault went to auction exactly once, that the keeper's transactions are the ones it
// meant to send and no more, and that it kept running.
import { expect } from "chai";
import { Interface, type TransactionResponse } from "ethers";
import { toFeedAnswer } from "../../../scripts/lib/deploy";
import { KeeperProcess, nodeAccountKey, type LogLine } from "../helpers/keeperProcess";
import {
  deployTo,
  ether,
  freePort,
  openVault,
  setPrice,
  startNode,
  type DeployedMarket,
  type LocalNode,
} from "../helpers/localNode";

const GWEI = 1_000_000_000n;
const WAD = 10n ** 18n;

describe("keeper process faults", function () {
  this.timeout(240_000);
  let local: LocalNode;
  let market: DeployedMarket;
  let snapshot: string;
  /** At 99% of their borrowing limit: a 20% fall makes them liquidatable. */
  const wave: bigint[] = [];
  const btcWave: bigint[] = [];
  /** Far from liquidation at any price this file reaches; WBTC moves only in the first case. */
  const healthy: bigint[] = [];
  const live: KeeperProcess[] = [];
  const liquidatorInterface = new Interface(["function liquidateBatch(uint256[] vaultIds, address keeper)"]);

  before(async function () {
    local = await startNode();
    market = await deployTo(local);
    const [, a, b, c, d] = market.signers;
    for (const [i, owner] of [a, b, c, d].entries())
      wave.push(await openVault(market, owner, "WETH", ether(1 + i / 10), 99n));
    for (const owner of [a, b]) btcWave.push(await openVault(market, owner, "WBTC", 10n ** 8n, 99n));
    for (const owner of [c, d]) healthy.push(await openVault(market, owner, "WETH", ether(3), 30n));
    snapshot = await rpc("evm_snapshot");
  });

  beforeEach(async () => {
    expect(await rpc("evm_revert", [snapshot])).to.equal(true);
    snapshot = await rpc("evm_snapshot");
  });

  afterEach(async () => {
    await Promise.all(live.splice(0).map((keeper) => keeper.kill()));
    await automine(true);
    for (const id of healthy) expect(await inAuction(id), `healthy vault ${id}`).to.equal(false);
  });

  after(() => local?.stop());

  const rpc = (method: string, params: unknown[] = []) => local.provider.send(method, params);
  const automine = (on: boolean) => rpc("evm_setAutomine", [on]);

  async function mine(baseFee?: bigint): Promise<void> {
    if (baseFee !== undefined) await rpc("hardhat_setNextBlockBaseFeePerGas", [`0x${baseFee.toString(16)}`]);
    await rpc("evm_mine");
  }

  /** Crashes WETH 20%, mined at once (automine on). */
  const crash = () => setPrice(market, "WETH", 2_400n * WAD);

  /** Crashes WBTC 20% with automine off: the two transactions wait in the mempool for the next block. */
  async function crashBtcUnmined(): Promise<void> {
    const { feed, token, spec } = market.deployment.collaterals.WBTC;
    await rpc("evm_increaseTime", [60]);
    await feed.setAnswer(toFeedAnswer(48_000n * WAD, spec.feedDecimals), { gasLimit: 200_000n });
    await market.deployment.riskEngine.poke(await token.getAddress(), { gasLimit: 1_000_000n });
  }

  function spawn(key: { privateKey: string }, extra: string[] = []): KeeperProcess {
    const keeper = KeeperProcess.spawn([
      ...["--rpc-url", local.url, "--manifest", market.manifestPath, "--private-key", key.privateKey],
      ...["--strategies", "liquidate", "--poll-interval", "100", "--confirmations", "2"],
      ...extra,
    ]);
    live.push(keeper);
    return keeper;
  }

  async function inAuction(id: bigint): Promise<boolean> {
    return (await market.deployment.vaultEngine.vaults(id)).inAuction;
  }

  /** Who started each auction among `ids` (one entry per AuctionStarted event). */
  async function startedBy(ids: bigint[]): Promise<Map<bigint, string[]>> {
    const auction = market.deployment.dutchAuction;
    const events = await auction.queryFilter(auction.filters.AuctionStarted(), market.manifest.deployBlock);
    const starters = new Map<bigint, string[]>(ids.map((id) => [id, []]));
    for (const event of events) starters.get(event.args.auctionId)?.push(event.args.keeper);
    return starters;
  }

  /** Transactions from `address` mined since `fromBlock`, with the vaults each asked to liquidate. */
  async function minedFrom(address: string, fromBlock: number) {
    const txs: {
      tx: TransactionResponse;
      vaults: bigint[];
      status: number;
      gasUsed: bigint;
      block: number;
      index: number;
    }[] = [];
    const latest = await local.provider.getBlockNumber();
    for (let number = fromBlock; number <= latest; number++) {
      const block = await local.provider.getBlock(number, true);
      for (const tx of block!.prefetchedTransactions) {
        if (tx.from !== address) continue;
        const receipt = await local.provider.getTransactionReceipt(tx.hash);
        const vaults = liquidatorInterface.decodeFunctionData("liquidateBatch", tx.data)[0] as bigint[];
        const { status, gasUsed } = receipt!;
        txs.push({ tx, vaults: [...vaults], status: status!, gasUsed, block: number, index: tx.index });
      }
    }
    return txs;
  }

  const ids = (line: LogLine): bigint[] => (line.vaultIds as string[]).map(BigInt);
  const sorted = (values: bigint[]): bigint[] => [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const noErrors = (keeper: KeeperProcess) =>
    expect(keeper.lines.filter((line) => line.msg === "pass failed; retrying at the next poll")).to.deep.equal([]);

  it("keeper_killedWithItsWaveInTheMempoolAndRestarted_resendsNothingPendingAndFinishesTheWave", async function () {
    const key = nodeAccountKey(10);
    const firstWave = wave;
    // WBTC crashes while the keeper is restarting.
    const secondWave = btcWave;
    await crash();
    const fromBlock = (await local.provider.getBlockNumber()) + 1;
    await automine(false);

    const killed = spawn(key, ["--batch-size", "2"]);
    await killed.waitFor("two batches sent", (k) => k.logged("sent").length === 2);
    await killed.kill();
    expect(sorted(killed.logged("sent").flatMap(ids))).to.deep.equal(firstWave);
    expect(await local.provider.getTransactionCount(key.address, "pending")).to.equal(2);
    expect(await local.provider.getTransactionCount(key.address, "latest")).to.equal(0);

    const restarted = spawn(key, ["--batch-size", "2"]);
    await restarted.waitFor(
      "a pass over the adopted transactions",
      (k) => k.logged("following the adopted transaction; bumped if it stays unmined").length === 2,
    );
    const adopted = restarted.logged("adopted a pending transaction from an earlier run");
    expect(adopted.map((line) => line.nonce)).to.deep.equal([0, 1]);
    expect(adopted.map((line) => line.hash)).to.deep.equal(killed.logged("sent").map((line) => line.hash));
    expect(
      adopted.flatMap((line) => String(line.key).split(",")),
      "the adopted transactions hold their vaults",
    ).to.have.members(firstWave.map((id) => `liquidate:${id}`));
    expect(restarted.logged("sent"), "nothing of the first wave is sent again").to.deep.equal([]);

    // One block mines the killed keeper's transactions and the next crash; the restarted keeper
    // must take the second wave from that block alone.
    await crashBtcUnmined();
    await mine();
    await restarted.waitFor("the second wave sent", (k) => k.logged("sent").length === 1);
    await mine();
    await restarted.waitFor("the second wave mined", (k) => k.logged("mined").length === 3);
    await mine();
    await mine();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(restarted.running, "no crash").to.equal(true);
    expect(await restarted.stop()).to.equal(0);

    expect(sorted(restarted.logged("sent").flatMap(ids))).to.deep.equal(secondWave);
    const txs = await minedFrom(key.address, fromBlock);
    expect(txs.map((t) => t.tx.nonce)).to.deep.equal([0, 1, 2]);
    expect(txs.every((t) => t.status === 1)).to.equal(true);
    expect(sorted(txs.flatMap((t) => t.vaults)), "no vault in two transactions").to.deep.equal(
      sorted([...firstWave, ...secondWave]),
    );
    for (const [id, starters] of await startedBy([...firstWave, ...secondWave])) {
      expect(starters, `vault ${id}`).to.deep.equal([key.address]);
    }
    noErrors(restarted);
  });

  it("keeper_killedWithItsWaveStuckBelowTheBaseFee_restartAdoptsAndReplacesItWithoutLiquidatingTwice", async function () {
    const key = nodeAccountKey(15);
    await crash();
    const fromBlock = (await local.provider.getBlockNumber()) + 1;
    await automine(false);
    await mine(1n * GWEI);

    const killed = spawn(key, ["--batch-size", "2", "--max-gas-price", "20"]);
    await killed.waitFor("two batches sent", (k) => k.logged("sent").length === 2);
    await killed.kill();
    const stuck = await Promise.all(
      killed.logged("sent").map(async (line) => (await local.provider.getTransaction(line.hash as string))!),
    );
    for (const tx of stuck) expect(tx.maxFeePerGas).to.be.lt(4n * GWEI);
    // The base fee jumps above their fee caps: they can never be mined as they are.
    await mine(4n * GWEI);
    expect(await local.provider.getTransactionCount(key.address, "latest")).to.equal(0);

    const restarted = spawn(key, ["--batch-size", "2", "--max-gas-price", "20"]);
    await restarted.waitFor("both replaced", (k) => k.logged("replaced with higher fees").length === 2);
    const replacements = await Promise.all(
      restarted
        .logged("replaced with higher fees")
        .map(async (line) => (await local.provider.getTransaction(line.hash as string))!),
    );
    for (const [i, replacement] of replacements.entries()) {
      const original = stuck.find((tx) => tx.nonce === replacement.nonce)!;
      expect(original, `nonce ${replacement.nonce}`).to.not.equal(undefined);
      expect(replacement.data).to.equal(original.data);
      expect(replacement.maxFeePerGas! * 1000n, `replacement ${i}`).to.be.gte(original.maxFeePerGas! * 1125n);
      expect(replacement.maxPriorityFeePerGas! * 1000n).to.be.gte(original.maxPriorityFeePerGas! * 1125n);
      expect(replacement.maxFeePerGas).to.be.lte(20n * GWEI);
    }

    await mine();
    await restarted.waitFor("both mined", (k) => k.logged("mined").length === 2);
    await mine();
    await mine();
    await restarted.waitFor("both confirmed", (k) => k.logged("confirmed").length === 2);
    expect(restarted.running, "no crash").to.equal(true);
    expect(await restarted.stop()).to.equal(0);

    expect(restarted.logged("sent"), "nothing sent on a fresh nonce").to.deep.equal([]);
    const txs = await minedFrom(key.address, fromBlock);
    expect(txs.map((t) => t.tx.nonce)).to.deep.equal([0, 1]);
    expect(txs.map((t) => t.tx.hash).sort()).to.deep.equal(replacements.map((tx) => tx.hash).sort());
    for (const tx of stuck) expect(await local.provider.getTransactionReceipt(tx.hash)).to.equal(null);
    expect(txs.every((t) => t.status === 1)).to.equal(true);
    expect(sorted(txs.flatMap((t) => t.vaults)), "no vault in two transactions").to.deep.equal(wave);
    for (const [id, starters] of await startedBy(wave)) expect(starters, `vault ${id}`).to.deep.equal([key.address]);
    noErrors(restarted);
  });

  it("keeper_twoKeepersOnOneChain_liquidateEachVaultOnceAndTheLoserStops", async function () {
    const keys = [nodeAccountKey(11), nodeAccountKey(12)];
    await crash();
    const fromBlock = (await local.provider.getBlockNumber()) + 1;
    await automine(false);

    // The second starts once the first's batches are in the mempool: it must not size its gas on them.
    const keepers: KeeperProcess[] = [];
    for (const key of keys) {
      const keeper = spawn(key, ["--batch-size", "2"]);
      await keeper.waitFor("two batches sent", (k) => k.logged("sent").length === 2);
      keepers.push(keeper);
    }
    await mine();
    for (const keeper of keepers) {
      await keeper.waitFor("two transactions mined", (k) => k.lines.filter(isMined).length === 2);
    }
    for (let i = 0; i < 4; i++) await mine();
    await new Promise((resolve) => setTimeout(resolve, 800));
    for (const keeper of keepers) expect(keeper.running, "no crash").to.equal(true);
    expect(await Promise.all(keepers.map((keeper) => keeper.stop()))).to.deep.equal([0, 0]);

    const starters = await startedBy(wave);
    for (const [id, by] of starters) expect(by, `vault ${id}`).to.have.length(1);
    const batches = new Map<string, { gasLimit: bigint; gasUsed: bigint }[]>();
    for (const [i, key] of keys.entries()) {
      const keeper = keepers[i];
      const txs = await minedFrom(key.address, fromBlock);
      for (const { tx, vaults, gasUsed } of txs) {
        const batch = sorted(vaults).join(",");
        batches.set(batch, [...(batches.get(batch) ?? []), { gasLimit: tx.gasLimit, gasUsed }]);
      }
      expect(txs, "one transaction per batch, none resent").to.have.length(2);
      expect(keeper.logged("sent")).to.have.length(2);
      const won = [...starters.values()].filter((by) => by[0] === key.address).length;
      // The Liquidator skips a vault already in auction: the loser's batches are mined as no-ops,
      // which the keeper must count as failed, not confirmed.
      const wasted = keeper.logged("mined but did nothing");
      const wastedVaults = wasted.flatMap((line) => String(line.key).split(","));
      expect(wastedVaults.length, `keeper ${i}`).to.equal(wave.length - won);
      noErrors(keeper);
    }
    // Whichever was mined second did nothing; either carried the gas to do the liquidation itself.
    expect(batches.size).to.equal(2);
    for (const [batch, txs] of batches) {
      expect(txs, batch).to.have.length(2);
      const needed = txs.reduce((most, t) => (t.gasUsed > most ? t.gasUsed : most), 0n);
      for (const t of txs) expect(t.gasLimit, `batch ${batch}`).to.be.gte(needed);
    }
  });

  it("keeper_stuckBelowTheBaseFee_isReplacedOnTheSameNonceBy12.5PercentUpToMaxGasPrice", async function () {
    const key = nodeAccountKey(13);
    await crash();
    const fromBlock = (await local.provider.getBlockNumber()) + 1;
    await automine(false);
    await mine(1n * GWEI);

    const keeper = spawn(key, ["--max-gas-price", "6"]);
    await keeper.waitFor("the wave sent", (k) => k.logged("sent").length === 1);
    const first = (await local.provider.getTransaction(keeper.logged("sent")[0].hash as string))!;
    expect(first.maxFeePerGas).to.be.lt(4n * GWEI);

    // The base fee jumps above the transaction's fee cap: it cannot be mined, so it is replaced.
    for (let i = 0; i < 3; i++) await mine(4n * GWEI);
    await keeper.waitFor("a replacement", (k) => k.logged("replaced with higher fees").length === 1);
    const replacement = (await local.provider.getTransaction(
      keeper.logged("replaced with higher fees")[0].hash as string,
    ))!;
    expect(replacement.nonce).to.equal(first.nonce);
    expect(replacement.maxFeePerGas! * 1000n).to.be.gte(first.maxFeePerGas! * 1125n);
    expect(replacement.maxPriorityFeePerGas! * 1000n).to.be.gte(first.maxPriorityFeePerGas! * 1125n);
    // 2 · base fee + tip would be above 9 gwei: --max-gas-price caps it at 6.
    expect(replacement.maxFeePerGas).to.equal(6n * GWEI);

    // Above the cap now: the keeper waits rather than bid more.
    for (let i = 0; i < 3; i++) await mine(7n * GWEI);
    await keeper.waitFor("a refused bump", (k) =>
      k.lines.some((line) => String(line.msg).startsWith("not bumping: a 12.5% bump would exceed the fee cap")),
    );
    expect(await local.provider.getTransactionCount(key.address, "latest")).to.equal(0);

    await mine(4n * GWEI);
    await keeper.waitFor("the replacement mined", (k) => k.logged("mined").length === 1);
    await mine();
    await mine();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(keeper.running, "no crash").to.equal(true);
    expect(await keeper.stop()).to.equal(0);

    const txs = await minedFrom(key.address, fromBlock);
    expect(
      txs.map((t) => t.tx.hash),
      "exactly one attempt mined",
    ).to.deep.equal([replacement.hash]);
    expect(await local.provider.getTransactionReceipt(first.hash)).to.equal(null);
    expect(keeper.logged("replaced with higher fees"), "no bump above the cap").to.have.length(1);
    expect(keeper.logged("mined")[0].hash).to.equal(replacement.hash);
    for (const [id, starters] of await startedBy(wave)) expect(starters, `vault ${id}`).to.deep.equal([key.address]);
    noErrors(keeper);
  });

  it("keeper_rivalLiquidatesAVaultAheadOfItInTheSameBlock_recordsAFailureAndGoesOn", async function () {
    const key = nodeAccountKey(14);
    const rival = market.signers[3];
    await crash();
    const fromBlock = (await local.provider.getBlockNumber()) + 1;
    await automine(false);
    const port = await freePort();

    const keeper = spawn(key, ["--batch-size", "1", "--port", String(port)]);
    await keeper.waitFor("one transaction per vault", (k) => k.logged("sent").length === 4);
    const [target] = wave;
    // Sent after the keeper's, but with a higher tip: mined ahead of it in the same block.
    const rivalTx = await market.deployment.liquidator.connect(rival).liquidate(target, rival.address, {
      gasLimit: 2_000_000n,
      maxPriorityFeePerGas: 5n * GWEI,
      maxFeePerGas: 50n * GWEI,
    });
    await mine();
    await keeper.waitFor("four transactions mined", (k) => k.lines.filter(isMined).length === 4);
    for (let i = 0; i < 3; i++) await mine();
    const metrics = async () => prometheus(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
    await keeper.waitFor("all four confirmed or failed", () => keeper.logged("confirmed").length === 4);
    const counted = await metrics();
    expect(keeper.running, "no crash").to.equal(true);
    expect(await keeper.stop()).to.equal(0);

    const txs = await minedFrom(key.address, fromBlock);
    const rivalReceipt = (await local.provider.getTransactionReceipt(rivalTx.hash))!;
    const lost = txs.find((t) => t.vaults.includes(target))!;
    expect(lost.block, "the rival and the keeper in one block").to.equal(rivalReceipt.blockNumber);
    expect(lost.index).to.be.gt(rivalReceipt.index);
    expect(txs, "one transaction per vault, none resent").to.have.length(4);
    const starters = await startedBy(wave);
    expect(starters.get(target)).to.deep.equal([rival.address]);
    for (const id of wave.slice(1)) expect(starters.get(id), `vault ${id}`).to.deep.equal([key.address]);
    expect(keeper.logged("mined but did nothing").map((line) => line.hash)).to.deep.equal([lost.tx.hash]);
    expect(counted.get('keeper_transactions_failed_total{kind="liquidate"}')).to.equal(1);
    expect(counted.get('keeper_transactions_confirmed_total{kind="liquidate"}')).to.equal(3);
    expect(keeper.logged("sent"), "the lost vault is not sent again").to.have.length(4);
    noErrors(keeper);
  });
});

const isMined = (line: LogLine): boolean => typeof line.msg === "string" && line.msg.startsWith("mined");

/** Prometheus text → value per sample name with its labels. */
function prometheus(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const space = line.lastIndexOf(" ");
    values.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return values;
}
