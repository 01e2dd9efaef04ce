// The keeper against a real `hardhat node` process, every request over HTTP through a counting
// proxy: (a) index time and peak memory of a fresh keeper on books of 1,000 and 10,000 vaults;
// (b) eth_calls per block while idle, during a wave and with the wave's auctions running; (c) blocks
// from a crash to every one of 1,000 liquidatable vaults in auction, with interval mining, next to
// the lower bound ⌈total liquidation gas / block gas limit⌉. Writes docs/bench/keeper.md, which
// `npm run bench` includes in docs/BENCHMARKS.md. Not a timed test.
//   npm run bench:keeper            (SLOT_MS=12000 by default: Ethereum's slot)
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import prettier from "prettier";
import { WAD } from "../../keeper/src/math/fixedPoint";
import {
  collect,
  deployTo,
  freePort,
  ROOT,
  spawnKeeper,
  startNode,
  type DeployedMarket,
  type LocalNode,
} from "../../test/keeper/helpers/localNode";
import { RpcProxy } from "../../test/keeper/helpers/rpcProxy";
import { BookBuilder__factory, type BookBuilder } from "../../typechain-types";
import { toFeedAnswer } from "../lib/deploy";

const BOOKS = [1_000, 10_000];
/** Every tenth vault borrows its whole limit and falls to the crash; the others borrow 40%. */
const SHARES = [100n, 40n, 40n, 40n, 40n, 40n, 40n, 40n, 40n, 40n];
const CRASH_PRICE = 2_400n * WAD; // from 3,000: −20%, one oracle step
const PER_BUILD = 100n; // vaults per BookBuilder transaction
const IDLE_BLOCKS = 10;
const SLOT_MS = Number(process.env.SLOT_MS ?? "12000");
const LENS_PAGE = 500n;
/** Hardhat's account #5: the keeper's own key, apart from the deployer the bench sends with. */
const KEEPER_KEY = "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba";
const TS_NODE = require.resolve("ts-node/dist/bin.js");

const fmt = (n: bigint | number) => n.toLocaleString("en-US");
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface IndexRun {
  vaults: number;
  booked: number;
  indexMs: number;
  passMs: number;
  rssBefore: number;
  rssStarted: number;
  maxRss: number;
  rpc: Record<string, number>;
}

async function build(builder: BookBuilder, market: DeployedMarket, from: number, to: number): Promise<number> {
  const token = await market.deployment.collaterals.WETH.token.getAddress();
  const started = performance.now();
  for (let opened = BigInt(from); opened < BigInt(to); opened += PER_BUILD) {
    const count = BigInt(to) - opened < PER_BUILD ? BigInt(to) - opened : PER_BUILD;
    await (await builder.open(token, count, WAD, SHARES)).wait();
  }
  return performance.now() - started;
}

/** A fresh keeper's start-up, in its own process, through the counting proxy. */
function indexRun(counter: RpcProxy, manifestPath: string): Promise<IndexRun> {
  counter.reset();
  const child = spawn(
    process.execPath,
    [
      TS_NODE,
      "--transpile-only",
      path.join(__dirname, "keeperIndex.ts"),
      ...["--network", "localhost", "--rpc-url", counter.url, "--manifest", manifestPath, "--dry-run"],
    ],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
  );
  return collect(child, 300_000).then((run) => {
    if (run.code !== 0) throw new Error(`the index run failed: ${run.stderr}`);
    return { ...(run.lines[0] as unknown as IndexRun), rpc: Object.fromEntries(counter.calls) };
  });
}

function perBlock(counter: RpcProxy, blocks: number): Record<string, string> {
  const rates: Record<string, string> = {};
  for (const [method, count] of [...counter.calls].sort()) rates[method] = (count / blocks).toFixed(1);
  return rates;
}

async function main(): Promise<void> {
  const local: LocalNode = await startNode();
  const counter = await RpcProxy.start(local.url);
  let keeperChild: ReturnType<typeof spawnKeeper> | undefined;
  try {
    const market = await deployTo(local);
    const { deployment, signers } = market;
    const builder = await (
      await new BookBuilder__factory(signers[0]).deploy(await deployment.vaultEngine.getAddress())
    ).waitForDeployment();

    const indexRuns: IndexRun[] = [];
    let built = 0;
    let buildMs = 0;
    for (const size of BOOKS) {
      buildMs += await build(builder, market, built, size);
      built = size;
      const run = await indexRun(counter, market.manifestPath);
      if (run.vaults !== size) throw new Error(`indexed ${run.vaults} vaults of ${size}`);
      indexRuns.push(run);
      console.log(`indexed ${size}:`, run);
    }

    // The keeper process itself, as an operator runs it.
    const port = await freePort();
    keeperChild = spawnKeeper([
      ...["--network", "localhost", "--rpc-url", counter.url, "--manifest", market.manifestPath],
      ...["--private-key", KEEPER_KEY, "--port", String(port), "--poll-interval", "100", "--log-level", "debug"],
      // Not poke: the bench's own poke is the crash, and a keeper's poke would race it.
      ...["--strategies", "liquidate,reset,take"],
    ]);
    const keeperRun = collect(keeperChild, 900_000);
    const processed = async (): Promise<number> => {
      try {
        const report = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { processedBlock?: number };
        return report.processedBlock ?? -1;
      } catch {
        return -1;
      }
    };
    const untilProcessed = async (block: number) => {
      for (let i = 0; i < 3_000; i++) {
        if ((await processed()) >= block) return;
        await sleep(50);
      }
      throw new Error(`the keeper never processed block ${block}`);
    };
    const provider = local.provider;
    await untilProcessed(await provider.getBlockNumber());
    await sleep(500);

    // (b) Idle: new blocks, nothing changes.
    counter.reset();
    for (let i = 0; i < IDLE_BLOCKS; i++) {
      await provider.send("evm_mine", []);
      await untilProcessed(await provider.getBlockNumber());
    }
    await sleep(500);
    const idle = perBlock(counter, IDLE_BLOCKS);
    console.log("idle per block:", idle);

    // (c) The wave, with interval mining from the crash on: the feed's −20% answer is published
    // first, and the poke that takes it into the oracle and the thresholds is the crash block.
    const weth = deployment.collaterals.WETH;
    const wethToken = await weth.token.getAddress();
    await provider.send("evm_increaseTime", [60]);
    await (await weth.feed.connect(signers[0]).setAnswer(toFeedAnswer(CRASH_PRICE, weth.spec.feedDecimals))).wait();
    await deployment.riskEngine.connect(signers[0]).poke.staticCall(wethToken); // a revert says why here
    await untilProcessed(await provider.getBlockNumber());
    await provider.send("evm_setAutomine", [false]);
    await provider.send("evm_setIntervalMining", [SLOT_MS]);
    counter.reset();
    const crashReceipt = (await (await deployment.riskEngine.connect(signers[0]).poke(wethToken)).wait())!;
    const crashBlock = crashReceipt.blockNumber;
    const crashedAt = performance.now();

    const expected = new Set<bigint>();
    for (let fromId = 1n; fromId <= BigInt(built); fromId += LENS_PAGE) {
      const ids = await deployment.vaultLens.liquidatable(fromId, fromId + LENS_PAGE - 1n, LENS_PAGE, {
        blockTag: crashBlock,
      });
      for (const id of ids) expected.add(id);
    }
    console.log(`crash in block ${crashBlock}: ${expected.size} vaults liquidatable`);

    let clearBlock: number | undefined;
    for (let seen = crashBlock; clearBlock === undefined;) {
      const head = await provider.getBlockNumber();
      if (head === seen) {
        await sleep(200);
        continue;
      }
      seen = head;
      const active = new Set(await deployment.dutchAuction.activeAuctions({ blockTag: head }));
      const missing = [...expected].filter((id) => !active.has(id)).length;
      console.log(`block ${head}: ${expected.size - missing} of ${expected.size} in auction`);
      if (missing === 0) clearBlock = head;
      else if (head - crashBlock > 30) throw new Error(`${missing} vaults still not in auction after 30 blocks`);
    }
    const waveBlocks = clearBlock - crashBlock;
    const wave = perBlock(counter, waveBlocks);

    const keeperAddress = signers[5].address;
    let liquidationGas = 0n;
    let transactions = 0;
    let gasLimit = 0n;
    const gasPerBlock: string[] = [];
    for (let n = crashBlock + 1; n <= clearBlock; n++) {
      const block = (await provider.getBlock(n, true))!;
      gasLimit = block.gasLimit;
      let inBlock = 0n;
      for (const tx of block.prefetchedTransactions) {
        if (tx.from !== keeperAddress || tx.to !== (await deployment.liquidator.getAddress())) continue;
        const receipt = (await provider.getTransactionReceipt(tx.hash))!;
        inBlock += receipt.gasUsed;
        transactions++;
      }
      liquidationGas += inBlock;
      gasPerBlock.push(fmt(inBlock));
    }
    const lowerBound = (liquidationGas + gasLimit - 1n) / gasLimit;
    const clearMs = performance.now() - crashedAt;

    // The wave's auctions running, nothing left to liquidate or take.
    await provider.send("evm_setIntervalMining", [0]);
    await provider.send("evm_setAutomine", [true]);
    await untilProcessed(await provider.getBlockNumber());
    await sleep(500);
    counter.reset();
    for (let i = 0; i < IDLE_BLOCKS; i++) {
      await provider.send("evm_mine", []);
      await untilProcessed(await provider.getBlockNumber());
    }
    await sleep(500);
    const running = perBlock(counter, IDLE_BLOCKS);

    keeperChild.kill("SIGTERM");
    const logs = (await keeperRun).lines;
    keeperChild = undefined;
    const sent = logs.filter((line) => line.msg === "sent" && line.kind === "liquidate");
    const sentVaults = sent.reduce((sum, line) => sum + ((line.vaultIds as string[] | undefined)?.length ?? 0), 0);
    // The keeper's own clock (pino's `time`): from the crash block indexed to its last liquidation sent.
    const crashSeen = logs.find((line) => line.msg === "indexed" && line.block === crashBlock);
    const decided = logs.filter((line) => line.msg === "decided" && line.strategy === "liquidate");
    const sinceSeen = (line: Record<string, unknown> | undefined) =>
      line && crashSeen ? seconds(Number(line.time) - Number(crashSeen.time)) : "n/a";
    fs.writeFileSync(path.join(os.tmpdir(), "sluice-bench-keeper.log"), logs.map((l) => JSON.stringify(l)).join("\n"));

    const methods = [...new Set([...Object.keys(idle), ...Object.keys(wave), ...Object.keys(running)])].sort();
    const [small, large] = indexRuns;
    const lines = [
      `### Keeper on a real node (scripts/bench/keeper.ts)`,
      "",
      "A `hardhat node` process; the keeper talks JSON-RPC to it over HTTP through a proxy that counts requests " +
        "(each request of a batch counted). The books are WETH vaults opened by the BookBuilder mock, every " +
        `tenth at 100% of its borrowing limit and the rest at 40% (${fmt(BOOKS[BOOKS.length - 1])} vaults built in ${seconds(buildMs)}).`,
      "",
      "**Index.** A fresh keeper process (scripts/bench/keeperIndex.ts: the keeper's own `startKeeper`, " +
        "`--dry-run`) indexes from the deployment block (chunked `eth_getLogs`, then the touched vaults read in " +
        "batches), then makes its first pass (markets, every vault keyed by liquidation price, strategies). " +
        "Peak memory is the process's maximum resident set (`process.resourceUsage().maxRSS`), TypeScript " +
        "loading included; beside it the resident set before the keeper starts and once it has started (checks passed, nothing indexed).",
      "",
      "| vaults | index | first pass | total | peak RSS | RSS before start / started | requests (start-up and index) | target |",
      "| ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
      ...indexRuns.map(
        (run) =>
          `| ${fmt(run.vaults)} | ${seconds(run.indexMs)} | ${seconds(run.passMs)} | ${seconds(run.indexMs + run.passMs)} | ` +
          `${mb(run.maxRss)} | ${mb(run.rssBefore)} / ${mb(run.rssStarted)} | ${Object.entries(run.rpc)
            .sort()
            .map(([m, c]) => `${m} ${fmt(c)}`)
            .join(", ")} | ${run.vaults === 10_000 ? "≤ 30 s, ≤ 300 MB (286 MiB)" : ""} |`,
      ),
      "",
      `From ${fmt(small.vaults)} to ${fmt(large.vaults)} vaults the index took ${(large.indexMs / small.indexMs).toFixed(1)}× as long.`,
      "",
      "**RPC requests per block** of the running keeper process (`--strategies liquidate,reset,take`: the " +
        "bench's own poke is the crash; a poke costs no extra request, its feed times come with the markets).",
      "",
      `| method | idle (${IDLE_BLOCKS} blocks, nothing changes) | wave (crash to all in auction, ${waveBlocks} blocks) | ${fmt(expected.size)} auctions running, nothing to take (${IDLE_BLOCKS} blocks) |`,
      "| --- | ---: | ---: | ---: |",
      ...methods.map((m) => `| \`${m}\` | ${idle[m] ?? "0"} | ${wave[m] ?? "0"} | ${running[m] ?? "0"} |`),
      "",
      "Target: ≤ 2 `eth_call`s per idle block (test/keeper/rpcBudget.e2e.test.ts holds it). The keeper polls " +
        "every 100 ms here: each poll without a new block costs one `eth_getBlockByNumber` and nothing else, so " +
        "during the 12 s slots of the wave that method counts polls, not work.",
      "",
      `**Wave.** Interval mining, one block every ${SLOT_MS / 1000} s; the crash (a −20% feed answer and its poke) ` +
        `is block ${crashBlock}, with ${fmt(expected.size)} of ${fmt(built)} vaults liquidatable there ` +
        `(VaultLens.liquidatable). The keeper sent ${sent.length} \`liquidateBatch\` transactions ` +
        `(${fmt(sentVaults)} vaults, \`--batch-size\` 50).`,
      "",
      "| measure | figure |",
      "| --- | ---: |",
      `| blocks from the crash block to every liquidatable vault in auction | ${waveBlocks} |`,
      `| lower bound ⌈total liquidation gas / block gas limit⌉ | ${lowerBound} |`,
      `| target | ≤ ${lowerBound + 1n} |`,
      `| total liquidation gas (${transactions} transactions) | ${fmt(liquidationGas)} |`,
      `| block gas limit | ${fmt(gasLimit)} |`,
      `| liquidation gas per block after the crash | ${gasPerBlock.join(" / ")} |`,
      `| wall time from the crash block to all in auction | ${seconds(clearMs)} |`,
      `| keeper: crash block indexed in (sync and re-key of ${fmt(built)} vaults) | ${crashSeen ? `${crashSeen.ms} ms` : "n/a"} |`,
      `| keeper: from the crash block indexed to its first / last liquidation decided | ${sinceSeen(decided[0])} / ${sinceSeen(decided[decided.length - 1])} |`,
      `| keeper: from the crash block indexed to its first / last liquidation sent | ${sinceSeen(sent[0])} / ${sinceSeen(sent[sent.length - 1])} |`,
      "",
      "The keeper's wave pass is the node executing `healthOf` for the candidates and an `eth_call` and an " +
        "`eth_estimateGas` per batch (about three executions of the wave's liquidation gas), on a 2-core " +
        "machine shared with other jobs: when it takes longer than a slot, the first block after the crash " +
        `goes by empty${gasPerBlock[0] === "0" ? ", as here" : ""}.`,
    ];
    const file = path.resolve(__dirname, "..", "..", "docs", "bench", "keeper.md");
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, await prettier.format(lines.join("\n"), { parser: "markdown", printWidth: 120 }));
    console.log(lines.join("\n"));
  } finally {
    keeperChild?.kill("SIGKILL");
    await counter.close();
    local.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
