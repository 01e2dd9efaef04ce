// The LP command line as a liquidity provider runs it (`scripts/lp.ts`, what `npm run lp` starts) against
// a real `hardhat node`: a vault liquidated after a price crash, then every refusal (one line on stderr,
// a non-zero exit, the account's nonce unchanged) and the happy paths.
import { expect } from "chai";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { Wallet } from "ethers";
import {
  ROOT,
  collect,
  deployTo,
  ether,
  openVault,
  setPrice,
  startNode,
  type DeployedMarket,
  type KeeperRun,
  type LocalNode,
} from "../keeper/helpers/localNode";

const TS_NODE = require.resolve("ts-node/dist/bin.js");
const LP_BIN = path.join(ROOT, "scripts", "lp.ts");
// The hardhat node's accounts 3 (the LP, who borrows stablecoin first) and 4 (no stablecoin at all).
const LP_KEY = "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6";
const POOR_KEY = "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30e34926a";
const LP = new Wallet(LP_KEY).address;
const POOR = new Wallet(POOR_KEY).address;

function runLp(args: string[]): Promise<KeeperRun> {
  const env: Record<string, string | undefined> = { ...process.env };
  delete env.RPC_URL;
  delete env.PRIVATE_KEY;
  const child = spawn(process.execPath, [TS_NODE, "--transpile-only", LP_BIN, ...args], {
    cwd: ROOT,
    env: env as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  return collect(child, 60_000);
}

describe("lp command line against a local node", function () {
  this.timeout(180_000);
  let local: LocalNode;
  let market: DeployedMarket;
  let auctionId: bigint;

  const base = (key = LP_KEY) => ["--rpc-url", local.url, "--manifest", market.manifestPath, "--private-key", key];

  before(async function () {
    local = await startNode();
    market = await deployTo(local);
    const [, owner, keeper, lp] = market.signers;
    // At 99% of its borrowing limit a 20% fall (one feed round, under the 30% max jump) liquidates it.
    const vaultId = await openVault(market, owner, "WETH", ether(2), 99n);
    await openVault(market, lp, "WETH", ether(10), 50n);
    await setPrice(market, "WETH", 2_400n * 10n ** 18n);
    await (await market.deployment.liquidator.connect(keeper).liquidate(vaultId, keeper.address)).wait();
    auctionId = vaultId;
  });

  after(() => local?.stop());

  async function expectRefused(args: string[], account: string, pattern: RegExp): Promise<void> {
    const nonce = await local.provider.getTransactionCount(account);
    const run = await runLp(args);
    expect(run.code, run.stdout + run.stderr).to.not.equal(0);
    const lines = run.stderr.trim().split("\n");
    expect(lines, run.stderr).to.have.length(1);
    expect(lines[0]).to.match(/^lp: /);
    expect(lines[0]).to.match(pattern);
    expect(run.stderr).to.not.match(/\n\s+at /);
    expect(await local.provider.getTransactionCount(account), "nonce").to.equal(nonce);
  }

  async function expectOk(args: string[]): Promise<KeeperRun> {
    const run = await runLp(args);
    expect(run.code, run.stdout + run.stderr).to.equal(0);
    expect(run.stderr).to.equal("");
    return run;
  }

  const weth = () => market.deployment.collaterals.WETH.token;
  const stablecoin = () => market.deployment.stablecoin;
  const increaseTime = async (seconds: number) => {
    await local.provider.send("evm_increaseTime", [seconds]);
    await local.provider.send("evm_mine", []);
  };

  it("lp_help_documentsEveryCommandAndFlag", async function () {
    const run = await runLp(["bid", "--help"]);
    expect(run.code).to.equal(0);
    for (const flag of ["--max-price", "--amount", "--network", "--rpc-url", "--private-key", "--manifest", "--yes"]) {
      expect(run.stdout).to.contain(flag);
    }
    const top = await runLp(["--help"]);
    for (const command of ["auctions", "bid", "pool-bid", "deposit", "activate", "withdraw", "position"]) {
      expect(top.stdout).to.contain(command);
    }
  });

  it("lp_auctions_listsTheLiveAuctionWithItsPriceSchedule", async function () {
    const run = await expectOk(["auctions", ...base(), "--minutes", "5"]);
    expect(run.stdout).to.match(new RegExp(`│ ${auctionId} +│ WETH +│ 2 +│`));
    expect(run.stdout).to.contain("2,640"); // start price: 110% of the 2,400 oracle, minutes ago
    expect(run.stdout).to.contain("+5m");
    expect(run.stdout).to.match(/discount/);
  });

  it("lp_onLocalhostWithoutKey_usesTheNodesFirstAccountWithAWarning", async function () {
    const run = await runLp(["position", "--rpc-url", local.url, "--manifest", market.manifestPath]);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stderr.trim().split("\n")).to.have.length(1);
    expect(run.stderr).to.match(/^lp: warning: no --private-key: using the local node's first account 0x/);
    expect(run.stdout).to.contain(market.signers[0].address);
  });

  it("lp_bid_aboveMaxPrice_refuses", async function () {
    await expectRefused(
      ["bid", String(auctionId), "--max-price", "2000", "--yes", ...base()],
      LP,
      /price is 2,6\d\d.*above --max-price 2,000; nothing sent/,
    );
  });

  it("lp_bid_withoutMaxPrice_saysItIsMissing", async function () {
    await expectRefused(["bid", String(auctionId), "--yes", ...base()], LP, /--max-price: missing/);
  });

  it("lp_bid_withTooManyDecimals_refusesInsteadOfRounding", async function () {
    await expectRefused(
      ["bid", String(auctionId), "--max-price", "3000", "--amount", "0.1234567890123456789", "--yes", ...base()],
      LP,
      /--amount: at most 18 decimals/,
    );
  });

  it("lp_bid_withInsufficientBalance_refuses", async function () {
    await expectRefused(
      ["bid", String(auctionId), "--max-price", "3000", "--amount", "0.1", "--yes", ...base(POOR_KEY)],
      POOR,
      /insufficient stablecoin: the take costs 2\d\d(\.\d+)? but 0x[0-9a-fA-F]{40} holds 0; nothing sent/,
    );
  });

  it("lp_bid_withoutYesAndNoTerminal_refusesToSend", async function () {
    await expectRefused(
      ["bid", String(auctionId), "--max-price", "3000", "--amount", "0.1", ...base()],
      LP,
      /stdin is not a terminal.*--yes/,
    );
  });

  it("lp_bid_onTheWrongChain_saysWhichChainsDiffer", async function () {
    const json = JSON.parse(fs.readFileSync(market.manifestPath, "utf8")) as Record<string, unknown>;
    const file = path.join(local.dir, "mainnet.json");
    fs.writeFileSync(file, JSON.stringify({ ...json, chainId: 1 }));
    await expectRefused(
      ["bid", String(auctionId), "--max-price", "3000", "--yes", "--rpc-url", local.url, "--manifest", file],
      LP,
      /chain id mismatch: the node at .* is chain 31337, but .*mainnet\.json is for chain 1/,
    );
  });

  it("lp_bid_onAnUnknownAuction_refuses", async function () {
    await expectRefused(["bid", "999", "--max-price", "3000", "--yes", ...base()], LP, /no auction 999/);
  });

  it("lp_poolBid_aboveThePoolsDiscount_refuses", async function () {
    await expectRefused(["pool-bid", String(auctionId), "--yes", ...base()], LP, /above the pool's highest bid/);
  });

  it("lp_bid_buysAtMostMaxPrice", async function () {
    const [wethBefore, sldBefore] = [await weth().balanceOf(LP), await stablecoin().balanceOf(LP)];
    const run = await expectOk([
      "bid",
      String(auctionId),
      "--max-price",
      "3000",
      "--amount",
      "0.1",
      "--yes",
      ...base(),
    ]);
    expect(run.stdout).to.match(/bought 0\.1 WETH for/);
    expect((await weth().balanceOf(LP)) - wethBefore).to.equal(ether(0.1));
    const paid = sldBefore - (await stablecoin().balanceOf(LP));
    expect(paid > 0n && paid <= ether(300)).to.equal(true);
  });

  it("lp_bid_withoutAmount_buysTheRestAndTheAuctionEnds", async function () {
    await expectOk(["bid", String(auctionId), "--max-price", "3000", "--yes", ...base()]);
    expect((await market.deployment.dutchAuction.auctions(auctionId)).debtLeft).to.equal(0n);
  });

  it("lp_bid_onAFinishedAuction_refuses", async function () {
    await expectRefused(
      ["bid", String(auctionId), "--max-price", "3000", "--yes", ...base()],
      LP,
      new RegExp(`auction ${auctionId} has finished`),
    );
  });

  it("lp_deposit_withInsufficientBalance_refuses", async function () {
    await expectRefused(["deposit", "100", "--approve", "--yes", ...base(POOR_KEY)], POOR, /insufficient stablecoin/);
  });

  it("lp_deposit_withoutAllowance_saysHowToApprove", async function () {
    await expectRefused(["deposit", "1000", "--yes", ...base()], LP, /insufficient allowance.*rerun with --approve/);
  });

  it("lp_depositPositionWithdraw_roundTrip", async function () {
    const before = await stablecoin().balanceOf(LP);
    const deposited = await expectOk(["deposit", "1000.5", "--approve", "--yes", ...base()]);
    expect(deposited.stdout).to.match(/pending 1,000\.5 stablecoin/);
    expect(before - (await stablecoin().balanceOf(LP))).to.equal(ether(1000.5));

    await expectRefused(["withdraw", "all", "--yes", ...base()], LP, /still pending.*nothing sent/);

    await increaseTime(2 * 3600 + 60); // past the warm-up: the round and the one after it have ended
    await expectOk(["activate", "--yes", ...base()]);
    await expectRefused(["withdraw", "all", "--yes", ...base()], LP, /locked until .* from now\); nothing sent/);

    await increaseTime(86_400 + 60); // past the lock
    const position = await expectOk(["position", ...base()]);
    expect(position.stdout).to.match(/no \(withdrawable\)/);
    expect(position.stdout).to.match(/1,000\.4\d* stablecoin|1,000\.5 stablecoin/);

    await expectOk(["withdraw", "all", "--yes", ...base()]);
    const returned = (await stablecoin().balanceOf(LP)) - (before - ether(1000.5));
    expect(returned <= ether(1000.5) && returned > ether(1000.4)).to.equal(true);
    expect((await market.deployment.backstopPool.positionOf(LP)).shares).to.equal(0n);
  });

  it("lp_poolBidThenBid_theSameAuctionIsPartlyBoughtByThePoolAndTheRestByAnLp", async function () {
    const [, owner, keeper] = market.signers;
    await expectOk(["deposit", "3000", "--approve", "--yes", ...base()]);
    await increaseTime(2 * 3600 + 60); // the deposit matures; the pool's next bid activates it
    await setPrice(market, "WETH", 2_400n * 10n ** 18n); // a fresh feed round after the wait
    const vaultId = await openVault(market, owner, "WETH", ether(2), 99n);
    await setPrice(market, "WETH", 1_920n * 10n ** 18n);
    await (await market.deployment.liquidator.connect(keeper).liquidate(vaultId, keeper.address)).wait();
    await increaseTime(14 * 60); // 110% · 0.99^14 of the oracle: past the pool's 3% minimum discount
    const poolAddress = await market.deployment.backstopPool.getAddress();
    const [wethBefore, sldBefore] = [await weth().balanceOf(poolAddress), await stablecoin().balanceOf(LP)];
    const run = await expectOk(["pool-bid", String(vaultId), "--amount", "0.5", "--yes", ...base()]);
    expect(run.stdout).to.match(/BackstopPool bid on auction \d+: buys [\d.]+ WETH/);
    expect((await weth().balanceOf(poolAddress)) - wethBefore).to.equal(ether(0.5));
    expect((await stablecoin().balanceOf(LP)) > sldBefore).to.equal(true);
    // The rest of the same auction, bought by the LP with its own stablecoin through the command line.
    const auction = market.deployment.dutchAuction;
    const [, , left] = await auction.auctionStatus(vaultId);
    expect(left > 0n).to.equal(true);
    const lpWeth = await weth().balanceOf(LP);
    await expectOk(["bid", String(vaultId), "--max-price", "3000", "--yes", ...base()]);
    expect((await auction.auctions(vaultId)).debtLeft).to.equal(0n);
    expect((await weth().balanceOf(LP)) > lpWeth).to.equal(true);
  });
});
