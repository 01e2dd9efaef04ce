// --daily-gas-budget end to end, on one real `hardhat node` with the keeper as its own process: after
// one liquidation a tiny budget is spent, /health turns 503 "daily gas budget reached" while the
// process keeps running, and the next liquidatable vault is left alone (metrics show the gas and
// the one transaction). A restarted keeper reads the day's spending back from the chain and stays
// within the same budget; a larger budget, or a day of block time later, lets it send again.
import { expect } from "chai";
import type { ChildProcess } from "node:child_process";
import {
  collect,
  deployTo,
  ether,
  freePort,
  openVault,
  parseLines,
  parsePrometheus,
  runKeeper,
  setPrice,
  spawnKeeper,
  startNode,
  type DeployedMarket,
  type LocalNode,
} from "../helpers/localNode";

// The hardhat node's account 5, which nothing else in the test sends from.
const KEEPER_KEY = "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba";
/** 1 gwei [ETH]: any transaction spends it. */
const TINY_BUDGET = "0.000000001";
const DAY = 86_400;

describe("keeper daily gas budget", function () {
  this.timeout(180_000);
  let local: LocalNode;
  let market: DeployedMarket;
  let keeperAddress: string;
  const wethRisky: bigint[] = [];
  const wbtcRisky: bigint[] = [];

  const args = () => [
    "--network",
    "localhost",
    "--rpc-url",
    local.url,
    "--manifest",
    market.manifestPath,
    "--private-key",
    KEEPER_KEY,
    "--strategies",
    "liquidate",
  ];
  const inAuction = async (id: bigint) => (await market.deployment.vaultEngine.vaults(id)).inAuction;

  before(async function () {
    local = await startNode();
    market = await deployTo(local);
    const [, a, b, c] = market.signers;
    keeperAddress = market.signers[5].address;
    for (const owner of [a, b]) wethRisky.push(await openVault(market, owner, "WETH", ether(2), 99n));
    wbtcRisky.push(await openVault(market, c, "WBTC", 10n ** 8n, 99n));
  });

  after(() => local?.stop());

  it("budget_reachedAfterOneLiquidation_health503AndNothingMoreSentWhileRunning", async function () {
    const port = await freePort();
    const child = spawnKeeper([
      ...args(),
      "--daily-gas-budget",
      TINY_BUDGET,
      "--port",
      String(port),
      "--poll-interval",
      "200",
      "--max-lag-seconds",
      "120",
    ]);
    const done = collect(child, 120_000);
    let stdout = "";
    child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    const get = async (route: string) => {
      const response = await fetch(`http://127.0.0.1:${port}${route}`);
      return { status: response.status, text: await response.text() };
    };
    try {
      await until(async () => (await get("/health").catch(() => undefined))?.status === 200, "/health 200");
      const nonce = await local.provider.getTransactionCount(keeperAddress);

      await setPrice(market, "WETH", 2_400n * 10n ** 18n);
      const spent = await until(async () => {
        const health = await get("/health");
        return health.status === 503 ? health : undefined;
      }, "/health 503");
      const report = JSON.parse(spent.text) as { reason: string; spentToday: string };
      expect(report.reason).to.match(/^daily gas budget reached: \d+ of 1000000000 wei spent$/);
      expect(BigInt(report.spentToday)).to.be.gt(10n ** 9n);
      for (const id of wethRisky) expect(await inAuction(id), `vault ${id}`).to.equal(true);
      expect(await local.provider.getTransactionCount(keeperAddress)).to.equal(nonce + 1);

      await setPrice(market, "WBTC", 48_000n * 10n ** 18n);
      await until(
        async () => parseLines(stdout).some((line) => line.msg === "daily gas budget reached: not sending"),
        "the keeper to refuse the WBTC liquidation",
      );
      expect(child.exitCode).to.equal(null);
      expect((await get("/health")).status).to.equal(503);
      const metrics = parsePrometheus((await get("/metrics")).text);
      expect(metrics.get("keeper_transactions_sent_total")).to.equal(1);
      expect(metrics.get("keeper_gas_spent_eth_total")).to.be.closeTo(Number(BigInt(report.spentToday)) / 1e18, 1e-12);
      for (const id of wbtcRisky) expect(await inAuction(id), `vault ${id}`).to.equal(false);
      expect(await local.provider.getTransactionCount(keeperAddress)).to.equal(nonce + 1);
    } finally {
      stop(child);
    }
    const run = await done;
    expect(run.code, run.stderr).to.equal(0);
    expect(run.lines.filter((line) => line.msg === "sent")).to.have.length(1);
  });

  it("budget_afterARestart_isRecoveredFromTheChainAndStillStopsSending", async function () {
    const nonce = await local.provider.getTransactionCount(keeperAddress);
    const run = await runKeeper([...args(), "--daily-gas-budget", TINY_BUDGET, "--once"]);
    expect(run.code, run.stderr).to.equal(0);
    const recovered = run.lines.find((line) => line.msg === "gas spent in the last 24 h recovered from the chain");
    expect(recovered, run.stdout).to.not.equal(undefined);
    expect(recovered!.transactions).to.equal(1);
    expect(BigInt(recovered!.spentToday as string)).to.be.gt(10n ** 9n);
    expect(run.lines.some((line) => line.msg === "daily gas budget reached: not sending")).to.equal(true);
    expect(run.lines.filter((line) => line.msg === "sent")).to.have.length(0);
    expect(await local.provider.getTransactionCount(keeperAddress)).to.equal(nonce);
    for (const id of wbtcRisky) expect(await inAuction(id), `vault ${id}`).to.equal(false);
  });

  it("budget_aDayOfBlockTimeLater_isFreeAgain", async function () {
    await local.provider.send("evm_increaseTime", [DAY]);
    // A fresh price after the day (the old one is past its heartbeat).
    await setPrice(market, "WBTC", 48_000n * 10n ** 18n);
    const run = await runKeeper([...args(), "--daily-gas-budget", TINY_BUDGET, "--once"]);
    expect(run.code, run.stderr).to.equal(0);
    const recovered = run.lines.find((line) => line.msg === "gas spent in the last 24 h recovered from the chain");
    expect(recovered?.transactions, run.stdout).to.equal(0);
    expect(run.lines.filter((line) => line.msg === "sent")).to.have.length(1);
    for (const id of wbtcRisky) expect(await inAuction(id), `vault ${id}`).to.equal(true);
  });
});

async function until<T>(check: () => Promise<T | undefined | false>, what: string): Promise<T> {
  for (let i = 0; i < 300; i++) {
    try {
      const result = await check();
      if (result) return result;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function stop(child: ChildProcess): void {
  if (child.exitCode === null) child.kill("SIGTERM");
}
