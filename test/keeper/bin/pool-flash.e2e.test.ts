// End to end, the auctions' two capital-free buyers: the keeper process calls the BackstopPool's
// `bid` (the pool's LPs pay, the keeper earns the caller's cut) and the FlashLiquidator's
// `flashTake` (a keeper holding no stablecoin sells the lot on the Uniswap V2 pair), on a real
// `hardhat node`. WETH vaults crash first and clear through the pool; then WBTC vaults crash and
// clear through flash takes.
import { expect } from "chai";
import type { JsonRpcSigner } from "ethers";
import {
  deployTo,
  ether,
  openVault,
  runKeeper,
  setPrice,
  startNode,
  type DeployedMarket,
  type KeeperRun,
  type LocalNode,
} from "../helpers/localNode";

describe("keeper process: pool bids and flash takes", function () {
  this.timeout(240_000);
  let local: LocalNode;
  let market: DeployedMarket;
  let flashKeeper: JsonRpcSigner;
  const riskyWeth: bigint[] = [];
  const riskyWbtc: bigint[] = [];
  const healthy: bigint[] = [];

  const args = (key: string, strategies: string, ...more: string[]) => [
    "--network",
    "localhost",
    "--rpc-url",
    local.url,
    "--manifest",
    market.manifestPath,
    "--private-key",
    key,
    "--once",
    "--strategies",
    strategies,
    ...more,
  ];

  before(async function () {
    local = await startNode();
    market = await deployTo(local, { withAmm: true });
    const [, a, b, c] = market.signers;
    const lp = await local.provider.getSigner(6);
    flashKeeper = await local.provider.getSigner(7);
    const { backstopPool, stablecoin } = market.deployment;

    // The LP borrows stablecoin against WBTC and deposits it; past the warm-up the round activates.
    const lpVault = await openVault(market, lp, "WBTC", 3n * 10n ** 8n, 50n);
    healthy.push(lpVault);
    const lent = await stablecoin.balanceOf(lp.address);
    await (await stablecoin.connect(lp).approve(await backstopPool.getAddress(), lent)).wait();
    await (await backstopPool.connect(lp).deposit(lent, lp.address)).wait();
    await local.provider.send("evm_increaseTime", [2 * 3_600 + 60]);
    await setPrice(market, "WETH", 3_000n * 10n ** 18n);
    await setPrice(market, "WBTC", 60_000n * 10n ** 18n);
    await (await backstopPool.activate(lp.address)).wait();
    expect((await backstopPool.holdings())[0]).to.equal(lent);

    // At 99% of the borrowing limit a 20% fall liquidates; at 30% it does not.
    for (const owner of [a, b, c]) riskyWeth.push(await openVault(market, owner, "WETH", ether(2), 99n));
    for (const owner of [a, b]) riskyWbtc.push(await openVault(market, owner, "WBTC", 10n ** 7n, 99n));
    for (const owner of [b, c]) healthy.push(await openVault(market, owner, "WETH", ether(3), 30n));
    healthy.push(await openVault(market, c, "WBTC", 10n ** 8n, 30n));
    await setPrice(market, "WETH", 2_400n * 10n ** 18n);
  });

  after(() => local?.stop());

  const vault = (id: bigint) => market.deployment.vaultEngine.vaults(id);
  const debtLeft = async (id: bigint) => (await market.deployment.dutchAuction.auctions(id)).debtLeft;
  const sent = (run: KeeperRun) => run.lines.filter((line) => line.msg === "sent");

  function expectCleanRun(run: KeeperRun): void {
    expect(run.code, run.stderr + run.stdout).to.equal(0);
    expect(run.stderr).to.equal("");
    expect(run.lines.filter((line) => line.msg === "mined").every((line) => line.status === 1)).to.equal(true);
    // The sender logs a transaction's keys joined, as `key`; the nonces must be distinct too.
    const keys = sent(run).flatMap((line) => String(line.key).split(","));
    const nonces = sent(run).map((line) => line.nonce);
    expect(new Set(nonces).size, "a nonce sent twice").to.equal(nonces.length);
    expect(new Set(keys).size, "a key sent twice").to.equal(keys.length);
  }

  it("keeper_liquidateAndBid_liquidatesTheCrashedVaultsWithThePreviewedIncentive", async function () {
    const { dutchAuction } = market.deployment;
    const owedBefore = (await dutchAuction.incentivesOwed(KEEPER))[0];
    const run = await runKeeper(args(KEEPER_KEY, "liquidate,bid"));
    expectCleanRun(run);
    expect(sent(run).map((line) => line.kind)).to.deep.equal(["liquidate"]);
    for (const id of riskyWeth) expect((await vault(id)).inAuction, `vault ${id}`).to.equal(true);
    for (const id of [...riskyWbtc, ...healthy]) expect((await vault(id)).inAuction, `vault ${id}`).to.equal(false);
    // The incentive the keeper planned with is what the auctions now owe it, to the wei.
    const decided = run.lines.find((line) => line.msg === "decided" && line.strategy === "liquidate");
    const owed = (await dutchAuction.incentivesOwed(KEEPER))[0] - owedBefore;
    expect(owed > 0n).to.equal(true);
    expect(BigInt(decided!.expectedIncentive as string)).to.equal(owed);
  });

  it("keeper_bidAndFlashBelowMinProfit_sendNothing", async function () {
    // 14 stair-steps of 1% from 110% of the oracle: below the pool's 3% discount; the WETH pair
    // still pays 3,000, so a flash take would earn hundreds, and neither reaches a billion.
    await local.provider.send("evm_increaseTime", [14 * 60]);
    await local.provider.send("evm_mine", []);
    const nonce = await local.provider.getTransactionCount(KEEPER);
    const run = await runKeeper(args(KEEPER_KEY, "bid,flash", "--min-profit", "1000000000", "--log-level", "debug"));
    expectCleanRun(run);
    expect(sent(run)).to.have.length(0);
    expect(await local.provider.getTransactionCount(KEEPER)).to.equal(nonce);
    const refused = (msg: string) =>
      run.lines
        .filter((line) => line.msg === msg)
        .map((line) => Number(line.auctionId))
        .sort();
    expect(refused("bid below --min-profit")).to.deep.equal(riskyWeth.map(Number));
    expect(refused("flash take below --min-profit")).to.deep.equal(riskyWeth.map(Number));
  });

  it("keeper_liquidateAndBid_clearsEveryAuctionThroughThePoolForTheCallersCut", async function () {
    const { backstopPool, stablecoin } = market.deployment;
    const wethAddress = await market.deployment.collaterals.WETH.token.getAddress();
    const wethIndex = (await backstopPool.collaterals()).indexOf(wethAddress);
    const heldBefore = (await backstopPool.holdings())[1][wethIndex];
    const cashBefore = await stablecoin.balanceOf(KEEPER);
    const run = await runKeeper(args(KEEPER_KEY, "liquidate,bid", "--min-profit", "1"));
    expectCleanRun(run);
    const bids = sent(run);
    expect(bids.map((line) => line.kind)).to.deep.equal(riskyWeth.map(() => "bid"));
    expect(bids.map((line) => Number(line.auctionId)).sort()).to.deep.equal(riskyWeth.map(Number));
    for (const id of riskyWeth) expect(await debtLeft(id), `auction ${id}`).to.equal(0n);
    const events = await backstopPool.queryFilter(backstopPool.filters.Bid());
    expect(events.map((e) => e.args.caller)).to.deep.equal(riskyWeth.map(() => KEEPER));
    const bought = events.reduce((sum, e) => sum + e.args.collateralBought, 0n);
    expect((await backstopPool.holdings())[1][wethIndex]).to.equal(heldBefore + bought);
    const cuts = events.reduce((sum, e) => sum + e.args.callerCut, 0n);
    expect(cuts >= 3n * 10n ** 18n).to.equal(true);
    expect(await stablecoin.balanceOf(KEEPER)).to.equal(cashBefore + cuts);
    for (const id of [...riskyWbtc, ...healthy]) expect((await vault(id)).inAuction, `vault ${id}`).to.equal(false);
  });

  it("keeper_liquidateAndFlashWithNoStablecoin_clearsEveryAuctionThroughThePair", async function () {
    const { stablecoin, flashLiquidator } = market.deployment;
    expect(await stablecoin.balanceOf(flashKeeper.address)).to.equal(0n);
    await setPrice(market, "WBTC", 48_000n * 10n ** 18n);
    const first = await runKeeper(args(FLASH_KEY, "liquidate,flash"));
    expectCleanRun(first);
    expect(sent(first).map((line) => line.kind)).to.deep.equal(["liquidate"]);
    for (const id of riskyWbtc) expect((await vault(id)).inAuction, `vault ${id}`).to.equal(true);
    for (const id of healthy) expect((await vault(id)).inAuction, `vault ${id}`).to.equal(false);

    // The auctions start at 110% of 48,000 and the WBTC pair still pays about 60,000.
    const second = await runKeeper(args(FLASH_KEY, "liquidate,flash", "--min-profit", "1"));
    expectCleanRun(second);
    const flashes = sent(second);
    expect(flashes.map((line) => line.kind)).to.deep.equal(riskyWbtc.map(() => "flash"));
    expect(flashes.map((line) => Number(line.auctionId)).sort()).to.deep.equal(riskyWbtc.map(Number));
    for (const id of riskyWbtc) expect(await debtLeft(id), `auction ${id}`).to.equal(0n);
    const events = await flashLiquidator!.queryFilter(flashLiquidator!.filters.FlashTake());
    expect(events.map((e) => e.args.keeper)).to.deep.equal(riskyWbtc.map(() => flashKeeper.address));
    const profit = events.reduce((sum, e) => sum + e.args.amountOut - e.args.debtPaid, 0n);
    expect(profit >= 2n * 10n ** 18n).to.equal(true);
    expect(await stablecoin.balanceOf(flashKeeper.address)).to.equal(profit);
    for (const id of healthy) expect((await vault(id)).inAuction, `vault ${id}`).to.equal(false);
  });
});

// The hardhat node's accounts 5 and 7, which nothing else in the test sends from.
const KEEPER = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";
const KEEPER_KEY = "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba";
const FLASH_KEY = "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356";
