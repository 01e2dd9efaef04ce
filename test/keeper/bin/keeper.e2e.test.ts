// End to end: a real `hardhat node`, Sluice deployed, vaults opened on two collaterals, a price crash,
// and the keeper run as its own process (`keeper/bin/keeper.ts`, what `npm run keeper` starts).
import { expect } from "chai";
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

describe("keeper process against a local node", function () {
  this.timeout(180_000);
  let local: LocalNode;
  let market: DeployedMarket;
  const risky: bigint[] = [];
  const healthy: bigint[] = [];
  let keeperAddress: string;

  const args = () => ["--network", "localhost", "--rpc-url", local.url, "--manifest", market.manifestPath];

  before(async function () {
    local = await startNode();
    market = await deployTo(local);
    const [, a, b, c, d, keeper] = market.signers;
    keeperAddress = keeper.address;
    // At 99% of the borrowing limit a 20% fall liquidates; at 30% it does not.
    for (const owner of [a, b, c]) risky.push(await openVault(market, owner, "WETH", ether(2), 99n));
    for (const owner of [a, d]) risky.push(await openVault(market, owner, "WETH", ether(1.5), 97n));
    for (const owner of [b, c, d]) healthy.push(await openVault(market, owner, "WETH", ether(3), 30n));
    for (const owner of [a, d]) healthy.push(await openVault(market, owner, "WBTC", 10n ** 8n, 99n));
    await setPrice(market, "WETH", 2_400n * 10n ** 18n);
  });

  after(() => local?.stop());

  async function inAuction(id: bigint): Promise<boolean> {
    return (await market.deployment.vaultEngine.vaults(id)).inAuction;
  }

  it("keeper_dryRun_logsTheLiquidationAndSendsNothing", async function () {
    const nonce = await local.provider.getTransactionCount(keeperAddress);
    const run = await runKeeper([...args(), "--private-key", KEEPER_KEY, "--once", "--dry-run"]);
    expect(run.code, run.stderr).to.equal(0);
    const wouldSend = run.lines.filter((line) => line.msg === "would send");
    expect(wouldSend, run.stdout).to.have.length(1);
    expect(wouldSend[0].kind).to.equal("liquidate");
    expect([...(wouldSend[0].vaultIds as string[])].sort(byNumber)).to.deep.equal(risky.map(String));
    expect(await local.provider.getTransactionCount(keeperAddress)).to.equal(nonce);
    for (const id of risky) expect(await inAuction(id)).to.equal(false);
  });

  it("keeper_once_liquidatesEveryLiquidatableVaultAndNoHealthyOne", async function () {
    const run = await runKeeper([...args(), "--private-key", KEEPER_KEY, "--once"]);
    expect(run.code, run.stderr + run.stdout).to.equal(0);
    expect(run.stderr).to.equal("");
    for (const id of risky) expect(await inAuction(id), `vault ${id}`).to.equal(true);
    for (const id of healthy) expect(await inAuction(id), `vault ${id}`).to.equal(false);
    const sent = run.lines.filter((line) => line.msg === "sent");
    expect(sent).to.have.length(1);
    expect(sent[0].hash).to.match(/^0x[0-9a-f]{64}$/);
    const mined = run.lines.filter((line) => line.msg === "mined");
    expect(mined[0].status).to.equal(1);
  });

  it("keeper_onceAgain_sendsNothingForVaultsAlreadyInAuction", async function () {
    const nonce = await local.provider.getTransactionCount(keeperAddress);
    const run = await runKeeper([...args(), "--private-key", KEEPER_KEY, "--once"]);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.lines.filter((line) => line.msg === "sent")).to.have.length(0);
    expect(await local.provider.getTransactionCount(keeperAddress)).to.equal(nonce);
  });

  it("keeper_http_servesMetricsAndHealthTurns503WithoutBlocksAndBack", async function () {
    const port = await freePort();
    const child = spawnKeeper([
      ...args(),
      "--private-key",
      KEEPER_KEY,
      "--port",
      String(port),
      "--poll-interval",
      "200",
      "--max-lag-seconds",
      "2",
    ]);
    const done = collect(child, 120_000);
    const get = async (route: string) => {
      const response = await fetch(`http://127.0.0.1:${port}${route}`);
      return { status: response.status, text: await response.text() };
    };
    const until = async (route: string, status: number) => {
      for (let i = 0; i < 150; i++) {
        try {
          const answer = await get(route);
          if (answer.status === status) return answer;
        } catch {
          // Not listening yet.
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`${route} never answered ${status}`);
    };
    try {
      await local.provider.send("evm_mine", []);
      await until("/health", 200);
      const metrics = parsePrometheus((await get("/metrics")).text);
      expect(metrics.get("keeper_vaults_indexed")).to.equal(risky.length + healthy.length);
      expect(metrics.has("keeper_vaults_at_risk")).to.equal(true);
      expect(metrics.has("keeper_rpc_errors_total")).to.equal(true);
      expect(metrics.get("keeper_block_lag")).to.equal(0);

      const stalled = await until("/health", 503);
      expect(JSON.parse(stalled.text).reason).to.match(/no new block for \d+ s/);
      await local.provider.send("evm_mine", []);
      await until("/health", 200);
    } finally {
      child.kill("SIGTERM");
    }
    const run = await done;
    expect(run.code, run.stderr).to.equal(0);
    expect(parseLines(run.stdout).some((line) => String(line.msg).startsWith("shutting down"))).to.equal(true);
  });

  it("keeper_takeInShard0of2_buysOnlyEvenAuctionsBelowTheOraclePriceForAProfit", async function () {
    // The keeper's capital: stablecoin borrowed against its own WBTC vault.
    await openVault(market, market.signers[5], "WBTC", 10n ** 8n, 60n);
    // 20 stair-steps of 1% from 110% of the oracle price: about 10% below it.
    await local.provider.send("evm_increaseTime", [1_200]);
    await local.provider.send("evm_mine", []);
    const weth = market.deployment.collaterals.WETH.token;
    const before = await weth.balanceOf(keeperAddress);
    const run = await runKeeper([
      ...args(),
      "--private-key",
      KEEPER_KEY,
      "--once",
      "--strategies",
      "take",
      "--min-profit",
      "1",
      "--shard",
      "0/2",
    ]);
    expect(run.code, run.stderr).to.equal(0);
    const taken = run.lines.filter((line) => line.msg === "sent").map((line) => Number(line.auctionId));
    expect(taken.sort()).to.deep.equal(risky.filter((id) => id % 2n === 0n).map(Number));
    for (const line of run.lines.filter((line) => line.msg === "decided")) {
      expect(BigInt(line.expectedProfit as string)).to.be.gte(10n ** 18n);
    }
    expect(run.lines.filter((line) => line.msg === "mined").every((line) => line.status === 1)).to.equal(true);
    expect(await weth.balanceOf(keeperAddress)).to.be.gt(before);
  });

  it("keeper_staleAuctionsWithAStaleOracle_pokesThenResets", async function () {
    const auction = market.deployment.dutchAuction;
    const odd = risky.filter((id) => id % 2n === 1n);
    // Past the maximum auction age (2 h), and past the oracle heartbeat (1 h): the reset needs a
    // fresh price, so the feed publishes a new round and the keeper pokes it first.
    await local.provider.send("evm_increaseTime", [7_300]);
    const { feed } = market.deployment.collaterals.WETH;
    await (await feed.setAnswer(2_400n * 10n ** 8n)).wait();
    for (const id of odd) expect((await auction.auctionStatus(id)).needsReset, `auction ${id}`).to.equal(true);

    const first = await runKeeper([...args(), "--private-key", KEEPER_KEY, "--once"]);
    expect(first.code, first.stderr).to.equal(0);
    const sentFirst = first.lines.filter((line) => line.msg === "sent");
    expect(sentFirst.map((line) => line.kind)).to.deep.equal(["poke"]);
    expect(first.lines.some((line) => line.msg === "reset simulation failed: not sending")).to.equal(true);

    const second = await runKeeper([...args(), "--private-key", KEEPER_KEY, "--once"]);
    expect(second.code, second.stderr).to.equal(0);
    const resets = second.lines.filter((line) => line.msg === "sent" && line.kind === "reset");
    expect(resets.map((line) => Number(line.auctionId)).sort()).to.deep.equal(odd.map(Number));
    for (const id of odd) expect((await auction.auctionStatus(id)).needsReset, `auction ${id}`).to.equal(false);
  });
});

// The hardhat node's sixth default account (index 5), which nothing else in the test uses to send.
const KEEPER_KEY = "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba";

const byNumber = (a: string, b: string): number => Number(a) - Number(b);
