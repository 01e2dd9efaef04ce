// The Sluice story on the embedded in-process Hardhat chain: deploy, open vaults in an 18- and an
// 8-decimal collateral, borrow, let fees accrue for half a year, move prices, and show the books.
//   npm run demo
import hre from "hardhat";
import Table from "cli-table3";
import { formatUnits, parseUnits, type Signer } from "ethers";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { RAY, WAD } from "../keeper/src/math/fixedPoint";
import { deploySluice, toFeedAnswer, type Deployment, type LocalCollateral } from "./lib/deploy";

const DAYS = 24 * 3600;

interface Position {
  user: number;
  symbol: "WETH" | "WBTC";
  collateral: string; // whole units
  borrowShare: number; // of the vault's borrowing limit
}

const POSITIONS: Position[] = [
  { user: 1, symbol: "WETH", collateral: "10", borrowShare: 0.5 },
  { user: 2, symbol: "WETH", collateral: "25", borrowShare: 0.9 },
  { user: 3, symbol: "WETH", collateral: "4", borrowShare: 0.98 },
  { user: 1, symbol: "WBTC", collateral: "1.5", borrowShare: 0.6 },
  { user: 4, symbol: "WBTC", collateral: "0.4", borrowShare: 0.95 },
  { user: 5, symbol: "WBTC", collateral: "3", borrowShare: 0.3 },
  // A whale: the same kind of vault, but large against market depth, so its threshold is lower.
  { user: 6, symbol: "WETH", collateral: "8000", borrowShare: 0.9 },
];

const fmt = (value: bigint, decimals = 18, digits = 2): string =>
  Number(formatUnits(value, decimals)).toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });

async function setPrice(d: Deployment, c: LocalCollateral, price: bigint): Promise<void> {
  await (await c.feed.setAnswer(toFeedAnswer(price, c.spec.feedDecimals))).wait();
  // RiskEngine.poke publishes the price and lets the volatility penalty follow the new estimate.
  await (await d.riskEngine.poke(await c.token.getAddress())).wait();
}

/** Moves a price in steps no larger than the oracle's per-update jump limit, as a real feed would. */
async function movePrice(d: Deployment, c: LocalCollateral, target: bigint): Promise<void> {
  let [current] = await d.oracleHub.priceState(await c.token.getAddress());
  while (current !== target) {
    const step = (current * 20n) / 100n;
    current =
      target < current
        ? current - step > target
          ? current - step
          : target
        : current + step < target
          ? current + step
          : target;
    await time.increase(600);
    await setPrice(d, c, current);
  }
}

const pct = (wad: bigint): string => `${fmt(wad * 100n, 18, 1)}%`;

async function printBooks(d: Deployment, title: string): Promise<void> {
  const { vaultEngine: engine, riskEngine } = d;
  const table = new Table({
    head: ["vault", "collateral", "amount", "value", "debt", "LT = base − vol − size", "health", "limit", "status"],
    colAligns: ["right", "left", "right", "right", "right", "left", "right", "right", "left"],
    style: process.stdout.isTTY ? {} : { head: [], border: [] },
  });
  const symbols = new Map<string, LocalCollateral>();
  for (const c of Object.values(d.collaterals)) symbols.set(await c.token.getAddress(), c);
  for (let id = 1n; id <= (await engine.vaultCount()); id++) {
    const vault = await engine.vaults(id);
    const c = symbols.get(vault.collateral)!;
    const [[, value, debt], limit, breakdown, health] = await Promise.all([
      engine.position(id),
      engine.maxDebt(id),
      riskEngine.thresholdBreakdown(id),
      riskEngine.healthFactor(id),
    ]);
    const [base, volPenalty, sizePenalty, effective] = breakdown;
    table.push([
      id.toString(),
      c.spec.symbol,
      fmt(vault.collateralAmount, c.spec.decimals, 4),
      fmt(value),
      fmt(debt),
      `${pct(effective)} = ${pct(base)} − ${pct(volPenalty)} − ${pct(sizePenalty)}`,
      debt === 0n ? "—" : fmt(health, 18, 3),
      fmt(limit),
      health < WAD ? "LIQUIDATABLE" : debt > limit ? "over borrow limit" : "ok",
    ]);
  }
  const supply = await d.stablecoin.totalSupply();
  console.log(`\n${title}`);
  console.log(table.toString());
  console.log(
    `stablecoin supply ${fmt(supply)} · total debt ${fmt((await engine.totalDebt()) / RAY)} · ` +
      `surplus ${fmt((await engine.surplus()) / RAY)} · deficit ${fmt((await engine.deficit()) / RAY)}`,
  );
}

async function main(): Promise<void> {
  const started = Date.now();
  const [governor, ...users] = await hre.ethers.getSigners();
  console.log("Sluice demo on the in-process Hardhat chain\n");
  const d = await deploySluice(governor, { withMocks: true, log: (line) => console.log(`  deployed ${line}`) });
  const engine = d.vaultEngine;

  for (const position of POSITIONS) {
    const user = users[position.user];
    const c = d.collaterals[position.symbol];
    const token = await c.token.getAddress();
    const amount = parseUnits(position.collateral, c.spec.decimals);
    await (await c.token.mint(user.address, amount)).wait();
    await (await c.token.connect(user).approve(await engine.getAddress(), amount)).wait();
    await (await engine.connect(user).openVault(token)).wait();
    const id = await engine.vaultCount();
    await (await engine.connect(user).deposit(id, amount)).wait();
    const limit = await engine.maxDebt(id);
    const borrowed = (limit * BigInt(Math.round(position.borrowShare * 1_000))) / 1_000n;
    await (await engine.connect(user).borrow(id, borrowed, user.address)).wait();
  }
  await printBooks(d, "1. Vaults opened at WETH 3,000 and WBTC 60,000");

  // Half a year passes; the feeds keep publishing (unchanged prices), fees compound every second.
  await time.increase(180 * DAYS);
  for (const c of Object.values(d.collaterals)) await setPrice(d, c, c.spec.price);
  for (const c of Object.values(d.collaterals)) await (await engine.accrue(await c.token.getAddress())).wait();
  await printBooks(d, "2. After 180 days: stability fees (2% and 3% a year) accrued");

  await movePrice(d, d.collaterals.WETH, 2_400n * WAD);
  await movePrice(d, d.collaterals.WBTC, 66_000n * WAD);
  await printBooks(d, "3. WETH falls 20% to 2,400 in an hour and WBTC rises 10% to 66,000");
  await printVolatility(d);

  // The feeds keep publishing the new prices hourly. The volatility penalty does not jump: it walks
  // toward k·σ·√H by at most 1% an hour, so borrowers see thresholds tighten gradually.
  for (let hour = 0; hour < 6; hour++) {
    await time.increase(3_600);
    for (const c of Object.values(d.collaterals)) {
      const [price] = await d.oracleHub.priceState(await c.token.getAddress());
      await setPrice(d, c, price);
    }
  }
  await printBooks(d, "4. Six hours later: the volatility penalty walks toward its new target, 1% an hour at most");
  await printVolatility(d);
  await liquidateAndClear(d, users[8], users[9]);
  console.log(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}

/**
 * A keeper liquidates every unsafe vault and a buyer clears the auctions a few minutes later.
 * (Driven from this script for now; the keeper bot takes this over in its own milestone.)
 */
async function liquidateAndClear(d: Deployment, keeper: Signer, buyer: Signer): Promise<void> {
  const { vaultEngine: engine, riskEngine, liquidator, dutchAuction, stablecoin } = d;
  const keeperAddress = await keeper.getAddress();
  const buyerAddress = await buyer.getAddress();
  const unsafe: bigint[] = [];
  for (let id = 1n; id <= (await engine.vaultCount()); id++) {
    if (await riskEngine.isLiquidatable(id)) unsafe.push(id);
  }
  // One batch: what depends only on the collateral type is read once for all of them.
  const receipt = await (await liquidator.connect(keeper).liquidateBatch(unsafe, keeperAddress)).wait();
  const [owed] = await dutchAuction.incentivesOwed(keeperAddress);
  console.log(
    `\n5. A keeper liquidates vaults ${unsafe.join(", ")} in one batch (${receipt!.gasUsed.toLocaleString("en-US")} gas):` +
      ` each moves into a Dutch auction, and the keeper is owed ${fmt(owed)} SLD`,
  );

  // The buyer funds itself by borrowing against WBTC, then waits five minutes and takes everything.
  const wbtc = d.collaterals.WBTC;
  const buyerCollateral = parseUnits("600", wbtc.spec.decimals);
  await (await wbtc.token.mint(buyerAddress, buyerCollateral)).wait();
  await (await wbtc.token.connect(buyer).approve(await engine.getAddress(), buyerCollateral)).wait();
  await (await engine.connect(buyer).openVault(await wbtc.token.getAddress())).wait();
  const buyerVault = await engine.vaultCount();
  await (await engine.connect(buyer).deposit(buyerVault, buyerCollateral)).wait();
  await (await engine.connect(buyer).borrow(buyerVault, parseUnits("18000000", 18), buyerAddress)).wait();
  await time.increase(300);

  const table = new Table({
    head: ["auction", "vault", "collateral sold", "price", "debt raised", "returned to vault"],
    colAligns: ["right", "right", "right", "right", "right", "right"],
    style: process.stdout.isTTY ? {} : { head: [], border: [] },
  });
  for (const auctionId of await dutchAuction.activeAuctions()) {
    const auction = await dutchAuction.auctions(auctionId);
    const [, price] = await dutchAuction.auctionStatus(auctionId);
    const receipt = await (
      await dutchAuction.connect(buyer).take(auctionId, auction.collateralLeft, price, buyerAddress, "0x")
    ).wait();
    let sold = 0n;
    let raised = 0n;
    let returned = 0n;
    for (const log of receipt!.logs) {
      const event = dutchAuction.interface.parseLog(log);
      if (event?.name === "Take") [sold, raised] = [event.args.collateralBought, event.args.debtPaid];
      if (event?.name === "AuctionEnded") returned = event.args.collateralReturned;
    }
    table.push([
      auctionId.toString(),
      auction.vaultId.toString(),
      fmt(sold, 18, 4),
      fmt(price),
      fmt(raised),
      fmt(returned, 18, 4),
    ]);
  }
  console.log("6. Five minutes later a buyer takes every auction at its current price");
  console.log(table.toString());
  // The keeper mints what it is owed in one claim; auction proceeds (surplus) cancel the debt taken
  // out of the vaults (deficit).
  const before = await stablecoin.balanceOf(keeperAddress);
  await (await dutchAuction.connect(keeper).claimIncentives(keeperAddress)).wait();
  const claimed = (await stablecoin.balanceOf(keeperAddress)) - before;
  await (await engine.heal()).wait();
  const [surplus, deficit] = await Promise.all([engine.surplus(), engine.deficit()]);
  console.log(
    `keeper claimed ${fmt(claimed)} SLD of incentives · after heal(): surplus ${fmt(surplus / RAY)}` +
      ` (fees and penalties), bad debt ${fmt(deficit / RAY)}`,
  );
  await printBooks(d, "7. The books after liquidation: every vault is back at health ≥ 1");
}

async function printVolatility(d: Deployment): Promise<void> {
  for (const c of Object.values(d.collaterals)) {
    const token = await c.token.getAddress();
    const [sigma, state] = await Promise.all([d.oracleHub.volatility(token), d.riskEngine.volatilityState(token)]);
    // σ per √second × √86,400 ≈ 294 → per √day.
    console.log(
      `${c.spec.symbol}: σ ${fmt(sigma * 294n * 100n, 18, 2)}% per √day · volatility penalty target ` +
        `${pct(state.target)}, applied ${pct(await d.riskEngine.volatilityPenalty(token))}`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
