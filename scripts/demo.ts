// The Sluice story on the embedded in-process Hardhat chain: deploy (with Uniswap V2), open a few
// hundred vaults in an 18- and an 8-decimal collateral, LPs fund the backstop pool, prices crash in
// feed rounds, and the keeper bot's own code (keeper/src, started in-process against a JSON-RPC
// server over this chain) clears the wave, calling the pool's bid as its LPs' stablecoin lasts, while
// a flash keeper with no stablecoin takes what is left through the pair. Ends with the summary tables, also written to reports/demo.md.
//   npm run demo
import hre from "hardhat";
import Table from "cli-table3";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { formatUnits, MaxUint256, parseUnits, Wallet, id as keccakText, type Signer } from "ethers";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { JsonRpcServer } from "hardhat/internal/hardhat-network/jsonrpc/server";
import { RAY, WAD, sqrt } from "../keeper/src/math/fixedPoint";
import { startKeeper, type StartedKeeper } from "../keeper/src/app";
import { parseConfig } from "../keeper/src/config/options";
import { writeManifest } from "../keeper/src/config/manifest";
import { deploySluice, toFeedAnswer, toManifest, type Deployment, type LocalCollateral } from "./lib/deploy";

type Symbol = "WETH" | "WBTC";
const HOUR = 3_600;
const DAYS = 24 * HOUR;
/** Vaults per collateral: sizes log-uniform in [min, max] whole units, borrowed at a share of the limit. */
const BOOK: Record<Symbol, { vaults: number; min: number; max: number }> = {
  WETH: { vaults: 160, min: 2, max: 60 },
  WBTC: { vaults: 140, min: 0.1, max: 3 },
};
const BORROWERS = 10;
/** The crash, in feed rounds ten minutes apart: the OracleHub follows each round by at most 30%. */
const CRASH: Record<Symbol, bigint[]> = {
  WETH: [2_400n * WAD, 1_950n * WAD],
  WBTC: [48_000n * WAD, 42_000n * WAD],
};
const ROUND_GAP = 600; // [seconds]
const STEP = 60; // [seconds] of block time between keeper passes
const MAX_STEPS = 180;
/** LPs: stablecoin deposited [whole units]; the last one deposits just before the crash. */
const LPS = [
  { name: "LP A", amount: 4_000_000, late: false },
  { name: "LP B", amount: 2_000_000, late: false },
  { name: "LP C (late)", amount: 500_000, late: true },
];
/** The flash keeper takes only at this discount below the oracle [wad], the pool from 3%. */
const FLASH_MIN_DISCOUNT = WAD / 25n;

const fmt = (value: bigint, decimals = 18, digits = 2): string =>
  Number(formatUnits(value, decimals)).toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
const pct = (wad: bigint): string => `${fmt(wad * 100n, 18, 1)}%`;
const signed = (value: bigint): string => (value < 0n ? `−${fmt(-value)}` : `+${fmt(value)}`);

/** A deterministic pseudo-random sequence in [0, 1), so every run tells the same story. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

/** What the demo prints; the same rows go to reports/demo.md. */
class Report {
  readonly #sections: string[] = [];

  table(title: string, head: string[], rows: string[][], note?: string): void {
    const table = new Table({
      head,
      colAligns: head.map((_, i) => (i === 0 ? "left" : "right")),
      style: process.stdout.isTTY ? {} : { head: [], border: [] },
    });
    table.push(...rows);
    console.log(`\n${title}\n${table.toString()}${note ? `\n${note}` : ""}`);
    const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
    this.#sections.push(
      [
        `## ${title}`,
        "",
        line(head),
        line(head.map((_, i) => (i === 0 ? "---" : "---:"))),
        ...rows.map(line),
        ...(note ? ["", note] : []),
      ].join("\n"),
    );
  }

  say(text: string): void {
    console.log(text);
    this.#sections.push(text);
  }

  write(file: string): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `# Sluice demo\n\n${this.#sections.join("\n\n")}\n`);
  }
}

async function setPrice(d: Deployment, c: LocalCollateral, price: bigint): Promise<void> {
  await (await c.feed.setAnswer(toFeedAnswer(price, c.spec.feedDecimals))).wait();
  // RiskEngine.poke publishes the price and lets the volatility penalty follow the new estimate.
  await (await d.riskEngine.poke(await c.token.getAddress())).wait();
}

async function republish(d: Deployment): Promise<void> {
  for (const c of Object.values(d.collaterals)) {
    const [price] = await d.oracleHub.priceState(await c.token.getAddress());
    await setPrice(d, c, price);
  }
}

/**
 * An arbitrageur follows the oracle down: sells minted collateral into the Uniswap V2 pair until its
 * price is (just above) `price`, as arbitrage would after a crash; without it a flash take's profit
 * would come from a stale pair, not from the auction's discount.
 */
async function arbitragePair(d: Deployment, c: LocalCollateral, arbitrageur: Signer, price: bigint): Promise<void> {
  const token = await c.token.getAddress();
  const [reserve0, reserve1] = await c.pair!.getReserves();
  const [collateral, stablecoin] = (await c.pair!.token0()) === token ? [reserve0, reserve1] : [reserve1, reserve0];
  const unit = 10n ** BigInt(c.spec.decimals);
  const target = sqrt((collateral * stablecoin * unit) / price);
  if (target <= collateral) return;
  const amountIn = target - collateral;
  const uniswap = d.uniswap!;
  const router = uniswap.router.connect(arbitrageur) as typeof uniswap.router;
  const address = await arbitrageur.getAddress();
  await (await c.token.mint(address, amountIn)).wait();
  await (await c.token.connect(arbitrageur).approve(await router.getAddress(), amountIn)).wait();
  const { timestamp } = (await hre.ethers.provider.getBlock("latest"))!;
  await (
    await router.swapExactTokensForTokens(
      amountIn,
      0n,
      [token, await d.stablecoin.getAddress()],
      address,
      timestamp + HOUR,
    )
  ).wait();
}

async function openBook(d: Deployment, borrowers: Signer[]): Promise<Map<bigint, Symbol>> {
  const engine = d.vaultEngine;
  const next = random(7);
  const symbols = new Map<bigint, Symbol>();
  const plan: { user: Signer; symbol: Symbol; amount: bigint; share: number }[] = [];
  for (const symbol of ["WETH", "WBTC"] as Symbol[]) {
    const { vaults, min, max } = BOOK[symbol];
    const decimals = d.collaterals[symbol].spec.decimals;
    for (let i = 0; i < vaults; i++) {
      const units = min * Math.exp(next() * Math.log(max / min));
      // Most borrowers keep room enough for the crash and for the thresholds tightening after it; the
      // rest borrow close to the limit and are liquidated whole (some of them end in bad debt).
      const u = next();
      const share = u < 0.6 ? 0.3 + u * 0.4 : 0.93 + (u - 0.6) * 0.15;
      plan.push({
        user: borrowers[i % borrowers.length],
        symbol,
        amount: parseUnits(units.toFixed(decimals === 8 ? 6 : 4), decimals),
        share,
      });
    }
  }
  // A whale: the same kind of vault, but large against market depth, so its threshold is lower.
  plan.push({ user: borrowers[0], symbol: "WETH", amount: parseUnits("2000", 18), share: 0.85 });

  // One mint and one approval per borrower and collateral; then three transactions per vault.
  for (const user of borrowers) {
    for (const symbol of ["WETH", "WBTC"] as Symbol[]) {
      const c = d.collaterals[symbol];
      const total = plan.filter((p) => p.user === user && p.symbol === symbol).reduce((s, p) => s + p.amount, 0n);
      await (await c.token.mint(await user.getAddress(), total)).wait();
      await (await c.token.connect(user).approve(await engine.getAddress(), total)).wait();
    }
  }
  let id = await engine.vaultCount();
  for (const p of plan) {
    const c = d.collaterals[p.symbol];
    const vaults = engine.connect(p.user);
    await (await vaults.openVault(await c.token.getAddress())).wait();
    id++;
    await (await vaults.deposit(id, p.amount)).wait();
    const limit = await engine.maxDebt(id);
    await (
      await vaults.borrow(id, (limit * BigInt(Math.round(p.share * 1_000))) / 1_000n, await p.user.getAddress())
    ).wait();
    symbols.set(id, p.symbol);
  }
  return symbols;
}

/** A few vaults' thresholds broken down, and the book's totals. */
async function printSample(d: Deployment, report: Report, title: string, ids: bigint[]): Promise<void> {
  const rows: string[][] = [];
  const symbolOf = new Map<string, LocalCollateral>();
  for (const c of Object.values(d.collaterals)) symbolOf.set(await c.token.getAddress(), c);
  for (const id of ids) {
    const vault = await d.vaultEngine.vaults(id);
    const c = symbolOf.get(vault.collateral)!;
    const [[, value, debt], [base, volPenalty, sizePenalty, effective], health] = await Promise.all([
      d.vaultEngine.position(id),
      d.riskEngine.thresholdBreakdown(id),
      d.riskEngine.healthFactor(id),
    ]);
    rows.push([
      `${id} ${c.spec.symbol}`,
      fmt(vault.collateralAmount, c.spec.decimals, 2),
      fmt(value, 18, 0),
      fmt(debt, 18, 0),
      `${pct(effective)} = ${pct(base)} − ${pct(volPenalty)} − ${pct(sizePenalty)}`,
      debt === 0n ? "—" : fmt(health, 18, 3),
      vault.inAuction ? "in auction" : debt > 0n && health < WAD ? "LIQUIDATABLE" : "ok",
    ]);
  }
  report.table(title, ["vault", "amount", "value", "debt", "LT = base − vol − size", "health", "status"], rows);
}

/** A revert's custom error as `Name(args)`, from the contracts the demo calls. */
function describeRevert(d: Deployment, error: unknown): string {
  const data = (error as { data?: string }).data;
  for (const contract of [d.backstopPool, d.dutchAuction, d.flashLiquidator!, d.oracleHub]) {
    try {
      const parsed = contract.interface.parseError(data ?? "0x");
      if (parsed) return `${parsed.name}(${parsed.args.map(String).join(", ")})`;
    } catch {
      // Not this contract's error; try the next.
    }
  }
  return (error as { shortMessage?: string }).shortMessage ?? String(error);
}

async function bookHealth(d: Deployment, ids: bigint[]): Promise<{ unsafe: number; inAuction: number }> {
  const rows = await d.vaultLens.healthOf(ids);
  let unsafe = 0;
  let inAuction = 0;
  for (const row of rows) {
    if (row.inAuction) inAuction++;
    else if (row.priced && row.debt > 0n && row.health < WAD) unsafe++;
  }
  return { unsafe, inAuction };
}

async function volatilityLine(d: Deployment): Promise<string> {
  const parts: string[] = [];
  for (const c of Object.values(d.collaterals)) {
    const token = await c.token.getAddress();
    const [sigma, state] = await Promise.all([d.oracleHub.volatility(token), d.riskEngine.volatilityState(token)]);
    // σ per √second × √86,400 ≈ 294 → per √day.
    parts.push(
      `${c.spec.symbol}: σ ${fmt(sigma * 294n * 100n, 18, 2)}% per √day, volatility penalty target ` +
        `${pct(state.target)}, applied ${pct(await d.riskEngine.volatilityPenalty(token))}`,
    );
  }
  return parts.join(" · ");
}

/** Pino lines of the keeper: all go to a log file, its decisions and outcomes to the console too. */
function keeperLog(file: string): { stream: Writable; close: () => void } {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, "w");
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      fs.writeSync(fd, chunk);
      for (const text of chunk.toString().split("\n")) {
        if (!text) continue;
        const line = JSON.parse(text) as Record<string, unknown>;
        if (line.msg === "decided") {
          const what = line.vaultIds
            ? `liquidateBatch of ${(line.vaultIds as string[]).length} vaults (${(line.vaultIds as string[])[0]}…)`
            : `${line.strategy} auction ${line.auctionId}`;
          console.log(`    keeper  block ${line.block}: ${what}`);
        } else if (typeof line.level === "number" && line.level >= 40) {
          console.log(`    keeper  ${line.msg}${line.error ? `: ${String(line.error)}` : ""}`);
        }
      }
      done();
    },
  });
  return { stream, close: () => fs.closeSync(fd) };
}

async function main(): Promise<void> {
  const started = Date.now();
  const signers = await hre.ethers.getSigners();
  // Account 2 bid for the pool before the keeper bot did; it stays unused so the book is the same.
  const [governor, arbitrageur] = signers;
  const borrowers = signers.slice(3, 3 + BORROWERS);
  const lps = signers.slice(3 + BORROWERS, 3 + BORROWERS + LPS.length);
  const report = new Report();
  const out = path.resolve(__dirname, "..", "reports");
  console.log("Sluice demo on the in-process Hardhat chain\n");
  const d = await deploySluice(governor, { withMocks: true, withAmm: true });
  const engine = d.vaultEngine;
  report.say(
    `1. Deployed the protocol, Uniswap V2 (a WETH and a WBTC pair seeded at the oracle price with the ` +
      `RiskEngine's depth) and the FlashLiquidator`,
  );

  const symbols = await openBook(d, borrowers);
  const bookIds = [...symbols.keys()];
  const whale = bookIds[bookIds.length - 1];
  const totalDebt = (await engine.totalDebt()) / RAY;
  report.say(
    `2. ${bookIds.length} vaults opened by ${BORROWERS} borrowers (${BOOK.WETH.vaults + 1} WETH, ` +
      `${BOOK.WBTC.vaults} WBTC) at WETH 3,000 and WBTC 60,000; debt ${fmt(totalDebt, 18, 0)} ` +
      `(with the two liquidity vaults that seeded the pairs) (${((Date.now() - started) / 1000).toFixed(0)} s)`,
  );
  const sample = [bookIds[0], bookIds[1], bookIds[BOOK.WETH.vaults], bookIds[BOOK.WETH.vaults + 1], whale];

  // LPs borrow their stablecoin against WBTC at a low loan-to-value, then deposit it in the pool.
  const pool = d.backstopPool;
  const wbtc = d.collaterals.WBTC;
  const deposited = new Map<string, bigint>();
  const fund = async (lp: Signer, amount: bigint): Promise<void> => {
    const address = await lp.getAddress();
    const collateral = (amount * 5n * 10n ** 8n) / (60_000n * WAD); // worth five times the loan
    await (await wbtc.token.mint(address, collateral)).wait();
    await (await wbtc.token.connect(lp).approve(await engine.getAddress(), collateral)).wait();
    await (await engine.connect(lp).openVault(await wbtc.token.getAddress())).wait();
    const vault = await engine.vaultCount();
    await (await engine.connect(lp).deposit(vault, collateral)).wait();
    await (await engine.connect(lp).borrow(vault, amount, address)).wait();
    await (await d.stablecoin.connect(lp).approve(await pool.getAddress(), amount)).wait();
    await (await pool.connect(lp).deposit(amount, address)).wait();
    deposited.set(address, amount);
  };
  for (const [i, lp] of LPS.entries()) if (!lp.late) await fund(lps[i], BigInt(lp.amount) * WAD);

  // A month passes (fees compound every second); the feeds keep publishing; the LPs' round activates.
  await time.increase(30 * DAYS);
  await republish(d);
  for (const [i, lp] of LPS.entries()) if (!lp.late) await (await pool.activate(await lps[i].getAddress())).wait();
  for (const [i, lp] of LPS.entries()) if (lp.late) await fund(lps[i], BigInt(lp.amount) * WAD);
  const [active] = await pool.holdings();
  report.say(
    `3. LPs deposit into the BackstopPool; a month later (stability fees accrued) their round is active: ` +
      `the pool holds ${fmt(active, 18, 0)} of active stablecoin. ${LPS[2].name} deposits ` +
      `${fmt(BigInt(LPS[2].amount) * WAD, 18, 0)} just before the crash: pending through the warm-up, it takes ` +
      `no part in the bids.`,
  );
  await printSample(d, report, "4. Before the crash: a sample of the book (the last one a whale)", sample);
  const whaleBreakdown = await d.riskEngine.thresholdBreakdown(whale);
  report.say(
    `The whale's threshold is ${pct(whaleBreakdown.sizePenalty)} lower for its size against the market's depth.`,
  );

  // The keeper bot, in-process: its own start-up, index, strategies and sender over JSON-RPC.
  const server = new JsonRpcServer({ hostname: "127.0.0.1", port: 0, provider: hre.network.provider });
  const { port } = await server.listen();
  const manifestDir = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-demo-"));
  const manifestFile = writeManifest(await toManifest(d, "hardhat"), manifestDir);
  const keeperWallet = new Wallet(keccakText("sluice demo keeper"));
  const flashKeeper = new Wallet(keccakText("sluice demo flash keeper"), hre.ethers.provider);
  for (const wallet of [keeperWallet, flashKeeper]) {
    await hre.network.provider.send("hardhat_setBalance", [wallet.address, "0x56BC75E2D63100000"]); // 100 ETH
  }
  const log = keeperLog(path.join(out, "demo-keeper.log"));
  const config = parseConfig(
    [
      "--network",
      "hardhat",
      "--rpc-url",
      `http://127.0.0.1:${port}`,
      "--private-key",
      keeperWallet.privateKey,
      "--manifest",
      manifestFile,
      "--strategies",
      "liquidate,reset,bid",
      "--confirmations",
      "1",
    ],
    {},
    { out: () => undefined, err: (text) => process.stderr.write(text) },
  )!;
  const controller = new AbortController();
  let keeper: StartedKeeper | undefined;
  try {
    keeper = await startKeeper(config, {
      logStream: log.stream,
      wallClock: () => Date.now() / 1000,
      signal: controller.signal,
    });
    await clearTheCrash(d, report, { keeper, flashKeeper, arbitrageur, bookIds, lps, deposited, sample });
  } finally {
    await keeper?.close();
    await server.close();
    log.close();
    fs.rmSync(manifestDir, { recursive: true, force: true });
  }
  report.say(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  report.write(path.join(out, "demo.md"));
  console.log(`Report: reports/demo.md · keeper log: reports/demo-keeper.log`);
}

interface Actors {
  keeper: StartedKeeper;
  flashKeeper: Wallet;
  arbitrageur: Signer;
  bookIds: bigint[];
  lps: Signer[];
  deposited: Map<string, bigint>;
  sample: bigint[];
}

async function clearTheCrash(d: Deployment, report: Report, actors: Actors): Promise<void> {
  const { keeper, flashKeeper, arbitrageur } = actors;
  const { dutchAuction: auctions, flashLiquidator } = d;
  const flash = flashLiquidator!.connect(flashKeeper);
  const allIds = Array.from({ length: Number(await d.vaultEngine.vaultCount()) }, (_, i) => BigInt(i + 1));
  // Catch the keeper's index up before the crash, as a running bot would be.
  await keeper.keeper.pass();
  const crashBlock = (await hre.ethers.provider.getBlockNumber()) + 1;
  const crashTime = await time.latest();
  report.say(
    `5. The crash: WETH 3,000 → ${CRASH.WETH.map((p) => fmt(p, 18, 0)).join(" → ")} and WBTC 60,000 → ` +
      `${CRASH.WBTC.map((p) => fmt(p, 18, 0)).join(" → ")}, in feed rounds ${ROUND_GAP / 60} minutes apart ` +
      `(the OracleHub follows a round by at most 30%). The keeper bot (keeper/src, in-process, over ` +
      `JSON-RPC) passes once a minute of block time and calls the pool's bid once an auction is 3% below ` +
      `the oracle; a flash keeper holding no stablecoin takes what is left at 4% below, through the pair.`,
  );
  let round = 0;
  let lastFeed = crashTime;
  let clearBlock: number | undefined;
  let steps = 0;
  let flashHeldBefore: bigint | undefined;
  const flashed = new Set<bigint>();
  const spent = { keeper: 0, takes: 0, rest: 0 }; // [ms] of wall time
  for (; steps < MAX_STEPS; steps++) {
    const now = await time.latest();
    if (round < CRASH.WETH.length && now >= crashTime + round * ROUND_GAP) {
      for (const symbol of ["WETH", "WBTC"] as Symbol[]) {
        const c = d.collaterals[symbol];
        await setPrice(d, c, CRASH[symbol][round]);
        await arbitragePair(d, c, arbitrageur, CRASH[symbol][round]);
      }
      round++;
      lastFeed = now;
      const health = await bookHealth(d, allIds);
      console.log(`  feed round ${round}: ${health.unsafe} vaults liquidatable`);
      if (round === 1) {
        await printSample(d, report, "6. Right after the first feed round", actors.sample);
        report.say(await volatilityLine(d));
      }
    } else if (now - lastFeed >= HOUR / 2) {
      // The feeds re-publish (unchanged) within their heartbeat, so prices never go stale.
      await republish(d);
      lastFeed = now;
    }

    let mark = Date.now();
    await keeper.keeper.pass();
    spent.keeper += Date.now() - mark;
    mark = Date.now();

    const oracles = new Map<string, bigint>();
    for (const live of await d.vaultLens.auctionsView()) {
      if (live.needsReset) continue;
      if (!oracles.has(live.collateral)) {
        oracles.set(live.collateral, (await d.vaultEngine.liquidationInputs(live.collateral))[1]);
      }
      const oracle = oracles.get(live.collateral)!;
      // What the keeper bot's bids left: the pool's stablecoin is spent, or the lot too small for it.
      if (live.price > oracle - (oracle * FLASH_MIN_DISCOUNT) / WAD) continue;
      try {
        const [, , profit] = await flash.flashTake.staticCall(live.auctionId, MaxUint256, live.price, 0n);
        flashHeldBefore ??= await d.stablecoin.balanceOf(flashKeeper.address);
        await (await flash.flashTake(live.auctionId, MaxUint256, live.price, profit)).wait();
        flashed.add(live.auctionId);
      } catch (error) {
        console.log(`  flash take of auction ${live.auctionId} not possible: ${describeRevert(d, error)}`);
      }
    }

    spent.takes += Date.now() - mark;
    mark = Date.now();
    if (round >= CRASH.WETH.length && (await auctions.activeAuctions()).length === 0) {
      const health = await bookHealth(d, allIds);
      if (health.unsafe === 0 && health.inAuction === 0) {
        clearBlock = await hre.ethers.provider.getBlockNumber();
        break;
      }
    }
    // Mines one block STEP seconds on, which the next pass sees as new.
    await time.increase(STEP);
    spent.rest += Date.now() - mark;
  }
  console.log(
    `  wall time in the wave: keeper passes (bids included) ${(spent.keeper / 1000).toFixed(1)} s, flash takes ` +
      `${(spent.takes / 1000).toFixed(1)} s, checks and mining ${(spent.rest / 1000).toFixed(1)} s`,
  );
  const clearTime = await time.latest();
  if (clearBlock === undefined) {
    report.say(`The wave was not cleared within ${MAX_STEPS} keeper passes.`);
    clearBlock = await hre.ethers.provider.getBlockNumber();
  }
  report.say(
    `7. All clear after ${steps + 1} keeper passes: ${clearBlock - crashBlock + 1} blocks and ` +
      `${Math.round((clearTime - crashTime) / 60)} minutes of block time from the crash. ${await volatilityLine(d)} ` +
      `(the applied penalty walks toward its target by at most 1% an hour, so thresholds never jump).`,
  );
  if (flashHeldBefore !== undefined) {
    report.say(`The flash keeper held ${fmt(flashHeldBefore)} stablecoin before its first flash take.`);
  }
  await summarize(d, report, actors, { crashBlock, clearBlock, flashed });
}

async function summarize(
  d: Deployment,
  report: Report,
  actors: Actors,
  wave: { crashBlock: number; clearBlock: number; flashed: Set<bigint> },
): Promise<void> {
  const { keeper, flashKeeper, lps, deposited } = actors;
  const { dutchAuction: auctions, backstopPool: pool, vaultEngine: engine, stablecoin } = d;
  const range = [wave.crashBlock, wave.clearBlock] as const;
  const started = await auctions.queryFilter(auctions.filters.AuctionStarted(), ...range);
  const takes = await auctions.queryFilter(auctions.filters.Take(), ...range);
  const ended = await auctions.queryFilter(auctions.filters.AuctionEnded(), ...range);
  const resets = await auctions.queryFilter(auctions.filters.AuctionReset(), ...range);
  const bids = await pool.queryFilter(pool.filters.Bid(), ...range);
  const flashes = await d.flashLiquidator!.queryFilter(d.flashLiquidator!.filters.FlashTake(), ...range);
  const ethPrice = (await engine.liquidationInputs(await d.collaterals.WETH.token.getAddress()))[1];

  // Gas by sender over the wave, from the receipts.
  const gasBy = new Map<string, { gas: bigint; wei: bigint; txs: number }>();
  for (let n = wave.crashBlock; n <= wave.clearBlock; n++) {
    const block = await hre.ethers.provider.getBlock(n, true);
    for (const tx of block?.prefetchedTransactions ?? []) {
      const receipt = (await hre.ethers.provider.getTransactionReceipt(tx.hash))!;
      const entry = gasBy.get(tx.from) ?? { gas: 0n, wei: 0n, txs: 0 };
      entry.gas += receipt.gasUsed;
      entry.wei += receipt.gasUsed * receipt.gasPrice;
      entry.txs++;
      gasBy.set(tx.from, entry);
    }
  }
  const gasOf = (address: string) => gasBy.get(address) ?? { gas: 0n, wei: 0n, txs: 0 };
  const gasValue = (wei: bigint) => (wei * ethPrice) / WAD;

  const debtToRaise = started.reduce((s, e) => s + e.args.debtToRaise, 0n);
  const recovered = takes.reduce((s, e) => s + e.args.debtPaid, 0n);
  const badDebt = ended.reduce((s, e) => s + e.args.badDebt, 0n);
  const returned = ended.reduce((s, e) => s + e.args.debtReturned, 0n);
  const vaults = new Set(started.map((e) => e.args.auctionId));
  const bidPaid = bids.reduce((s, e) => s + e.args.debtPaid, 0n);
  const flashPaid = flashes.reduce((s, e) => s + e.args.debtPaid, 0n);
  report.table(
    "8. The wave",
    ["", "value"],
    [
      ["vaults liquidated (auctions started)", `${vaults.size} (${started.length})`],
      ["debt to raise (with penalties)", fmt(debtToRaise)],
      ["debt recovered by takes", fmt(recovered)],
      ["  of which the pool's bids", `${fmt(bidPaid)} in ${bids.length} bids`],
      ["  of which flash takes", `${fmt(flashPaid)} in ${flashes.length} takes`],
      ["debt put back on vaults (covered early)", fmt(returned)],
      ["bad debt recorded by auctions", fmt(badDebt)],
      ["auction resets", String(resets.length)],
      ["blocks from crash to all clear", String(wave.clearBlock - wave.crashBlock + 1)],
    ],
  );

  // The keeper claims its incentives; proceeds (surplus) then cancel what was taken out of the vaults.
  const keeperAddress = keeper.address;
  const [owed, earned] = await auctions.incentivesOwed(keeperAddress);
  const claimer = new Wallet(keccakText("sluice demo keeper"), hre.ethers.provider);
  const before = await stablecoin.balanceOf(keeperAddress);
  await (await auctions.connect(claimer).claimIncentives(keeperAddress)).wait();
  const claimed = (await stablecoin.balanceOf(keeperAddress)) - before;
  await (await engine.heal()).wait();

  const lpRows: string[][] = [];
  for (const [i, lp] of LPS.entries()) {
    const address = await lps[i].getAddress();
    const position = await pool.positionOf(address);
    const amount = deposited.get(address) ?? 0n;
    const now = position.value + position.pendingAmount;
    lpRows.push([
      lp.name,
      fmt(amount),
      position.pendingAmount > 0n ? `${fmt(position.pendingAmount)} pending` : fmt(position.value),
      signed(now - amount),
      amount === 0n ? "—" : `${fmt(((now - amount) * 10_000n) / amount, 2, 2)}%`,
    ]);
  }
  const [stableLeft, collateralHeld] = await pool.holdings();
  const held = (await pool.collaterals()).map((token, i) => {
    const c = Object.values(d.collaterals).find((x) => x.token.target === token)!;
    return `${fmt(collateralHeld[i], c.spec.decimals, 4)} ${c.spec.symbol}`;
  });
  report.table(
    "9. LPs at oracle prices (BackstopPool.positionOf)",
    ["LP", "deposited", "worth now", "P&L", "return"],
    lpRows,
    `The pool holds ${fmt(stableLeft)} stablecoin and ${held.join(", ")}.`,
  );

  const keeperGas = gasOf(keeperAddress);
  const flashGas = gasOf(flashKeeper.address);
  const cuts = bids.reduce((s, e) => s + e.args.callerCut, 0n);
  const flashProfit = flashes.reduce((s, e) => s + e.args.amountOut - e.args.debtPaid, 0n);
  const row = (name: string, earnedText: string, gain: bigint, gas: { gas: bigint; wei: bigint; txs: number }) => [
    name,
    earnedText,
    `${gas.txs} txs, ${gas.gas.toLocaleString("en-US")} gas`,
    fmt(gasValue(gas.wei)),
    signed(gain - gasValue(gas.wei)),
  ];
  report.table(
    "10. Keepers (gas valued at the WETH oracle price)",
    ["keeper", "earned", "gas", "gas cost", "P&L"],
    [
      row(
        "keeper bot (liquidate, reset, bid)",
        `incentives ${fmt(earned)} (claimed ${fmt(claimed)}, owed ${fmt(owed - claimed)}) + caller cuts ${fmt(cuts)}`,
        earned + cuts,
        keeperGas,
      ),
      row("flash keeper (FlashLiquidator)", `flash profit ${fmt(flashProfit)}`, flashProfit, flashGas),
    ],
  );
  const [surplus, deficit] = await Promise.all([engine.surplus(), engine.deficit()]);
  report.say(
    `After heal() (surplus from fees and penalties cancels bad debt): surplus ${fmt(surplus / RAY)}, deficit ${fmt(deficit / RAY)}.`,
  );
  await printSample(d, report, "11. The sample after the wave", actors.sample);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
