// The bid and flash strategies' decisions, on a view whose chain reads are stubbed and whose
// simulations answer with ABI-encoded results: the real encoding and decoding of `connectProtocol`.
import { expect } from "chai";
import { JsonRpcProvider } from "ethers";
import pino from "pino";
import { connectProtocol, type LiveAuction, type PoolState, type Protocol } from "../../../keeper/src/chain/contracts";
import type { Manifest } from "../../../keeper/src/config/manifest";
import { activatesDeposits, BidStrategy } from "../../../keeper/src/strategy/bid";
import { FlashStrategy, pairAmountOut } from "../../../keeper/src/strategy/flash";
import { TakeStrategy } from "../../../keeper/src/strategy/take";
import type { KeeperView } from "../../../keeper/src/strategy/types";
import { IBackstopPool__factory } from "../../../typechain-types/factories/contracts/interfaces/IBackstopPool__factory";
import { IFlashLiquidator__factory } from "../../../typechain-types/factories/contracts/interfaces/IFlashLiquidator__factory";

const WAD = 10n ** 18n;
const at = (n: number) => `0x${n.toString(16).padStart(40, "0")}`;
const WETH = at(0xc0);
const KEEPER = at(0xee);
const MANIFEST: Manifest = {
  network: "unit",
  chainId: 31337,
  deployBlock: 0,
  contracts: {
    VaultEngine: at(1),
    OracleHub: at(2),
    RiskEngine: at(3),
    Liquidator: at(4),
    DutchAuction: at(5),
    VaultLens: at(6),
    BackstopPool: at(7),
    FlashLiquidator: at(8),
    Stablecoin: at(9),
  },
  collaterals: {},
};
const poolInterface = IBackstopPool__factory.createInterface();
const flashInterface = IFlashLiquidator__factory.createInterface();
/** 200k gas at 1 gwei with ETH at 3,000: 0.6 stablecoin of gas. */
const GAS = 200_000n;
const GAS_COST = (GAS * 10n ** 9n * 3_000n * WAD) / WAD;

function auction(id: bigint, price: bigint, extra: Partial<LiveAuction> = {}): LiveAuction {
  return {
    auctionId: id,
    collateral: WETH,
    collateralLeft: 10n * WAD,
    debtLeft: 25_000n * WAD,
    price,
    needsReset: false,
    ...extra,
  };
}

interface Stubs {
  auctions: LiveAuction[];
  landing: Map<bigint, bigint>;
  maxBidPrice?: bigint;
  poolStablecoin?: bigint;
  reserves?: { collateralReserve: bigint; stablecoinReserve: bigint };
  /** Simulation answers by calldata; calldata not listed reverts. */
  answers: Map<string, string>;
  busy?: string[];
  stablecoinBalance?: bigint;
  pendingPrevious?: bigint;
  /** What a simulation not in `answers` reverts with. */
  reverts?: string;
}

function makeView(stubs: Stubs): { view: KeeperView; simulated: string[] } {
  const real = connectProtocol(MANIFEST, new JsonRpcProvider("http://127.0.0.1:9", 31337, { staticNetwork: true }));
  const simulated: string[] = [];
  const protocol = {
    ...real,
    poolState: async (): Promise<PoolState> => ({
      stablecoin: stubs.poolStablecoin ?? 10n ** 6n * WAD,
      callerCut: WAD / 10n,
      collaterals: [WETH],
      pendingOpen: 0n,
      pendingPrevious: stubs.pendingPrevious ?? 0n,
      roundEndsAt: 900n,
      warmup: 3_600n,
    }),
    maxBidPrice: async () => stubs.maxBidPrice,
    auctionPricesAt: async (ids: bigint[]) => ids.map((id) => stubs.landing.get(id) ?? 0n),
    flashPair: async () => (stubs.reserves ? { pair: at(0xaa), ...stubs.reserves } : undefined),
    stablecoinBalance: async () => stubs.stablecoinBalance ?? 0n,
  } as unknown as Protocol;
  const view: KeeperView = {
    block: { number: 100, hash: "0x01", timestamp: 1_000 },
    keeper: KEEPER,
    index: { auctions: () => stubs.auctions } as unknown as KeeperView["index"],
    protocol,
    markets: new Map([[WETH, { collateral: WETH, decimals: 18, price: 3_000n * WAD } as never]]),
    books: new Map(),
    feeds: new Map(),
    inShard: () => true,
    busy: (key) => (stubs.busy ?? []).includes(key),
    gasPrice: 10n ** 9n,
    ethPrice: 3_000n * WAD,
    claimedAuctions: new Set(),
    liveAuctions: async () => stubs.auctions,
    simulate: async (_to, data) => {
      simulated.push(data);
      const result = stubs.answers.get(data);
      if (result === undefined) throw new Error(stubs.reverts ?? "reverts with DiscountTooSmall(1, 2, 3)");
      return { gasLimit: GAS, result };
    },
  };
  return { view, simulated };
}

const logger = pino({ level: "silent" });
const bidData = (id: bigint) => poolInterface.encodeFunctionData("bid", [id, 10n * WAD]);
const bidResult = (bought: bigint, paid: bigint, cut: bigint) =>
  poolInterface.encodeFunctionResult("bid", [bought, paid, cut]);
const MAX = 2n ** 256n - 1n;
const flashData = (id: bigint, maxPrice: bigint, minProfit: bigint) =>
  flashInterface.encodeFunctionData("flashTake", [id, MAX, maxPrice, minProfit]);
const flashResult = (sold: bigint, paid: bigint, profit: bigint) =>
  flashInterface.encodeFunctionResult("flashTake", [sold, paid, profit]);

describe("bid strategy", function () {
  const bid = (minProfit = 0n) => new BidStrategy({ logger, minProfit });

  it("bid_priceAtLandingAboveThePoolsMaxBidPrice_simulatesNothing", async function () {
    const { view, simulated } = makeView({
      auctions: [auction(1n, 2_950n * WAD)],
      landing: new Map([[1n, 2_920n * WAD]]),
      maxBidPrice: 2_910n * WAD,
      answers: new Map([[bidData(1n), bidResult(WAD, 2_920n * WAD, 8n * WAD)]]),
    });
    expect(await bid().decide(view)).to.deep.equal([]);
    expect(simulated).to.deep.equal([]);
  });

  it("bid_cutAboveGasAndMinProfit_bidsTheWholeLotWithAFeeCapOfTheCutBeyondMinProfit", async function () {
    const { view } = makeView({
      auctions: [auction(1n, 2_950n * WAD)],
      landing: new Map([[1n, 2_900n * WAD]]),
      maxBidPrice: 2_910n * WAD,
      answers: new Map([[bidData(1n), bidResult(8n * WAD, 23_200n * WAD, 80n * WAD)]]),
    });
    const actions = await bid(5n * WAD).decide(view);
    expect(actions).to.have.length(1);
    expect(actions[0].kind).to.equal("bid");
    expect(actions[0].keys).to.deep.equal(["bid:1"]);
    expect(actions[0].to).to.equal(MANIFEST.contracts.BackstopPool);
    expect(actions[0].data).to.equal(bidData(1n));
    expect(actions[0].expectedProfit).to.equal(80n * WAD - GAS_COST);
    expect(actions[0].maxCost).to.equal(((80n - 5n) * WAD * WAD) / (3_000n * WAD));
    expect(view.claimedAuctions.has(1n)).to.equal(true);
  });

  it("bid_cutLessGasBelowMinProfit_sendsNothing", async function () {
    const { view, simulated } = makeView({
      auctions: [auction(1n, 2_950n * WAD)],
      landing: new Map([[1n, 2_900n * WAD]]),
      maxBidPrice: 2_910n * WAD,
      answers: new Map([[bidData(1n), bidResult(8n * WAD, 23_200n * WAD, 80n * WAD)]]),
    });
    expect(await bid(80n * WAD).decide(view)).to.deep.equal([]);
    expect(simulated).to.have.length(1);
  });

  it("bid_simulationReverts_sendsNothing", async function () {
    const { view, simulated } = makeView({
      auctions: [auction(1n, 2_950n * WAD)],
      landing: new Map([[1n, 2_900n * WAD]]),
      maxBidPrice: 2_910n * WAD,
      answers: new Map(),
    });
    expect(await bid().decide(view)).to.deep.equal([]);
    expect(simulated).to.have.length(1);
  });

  it("bid_auctionBeingTakenOrResetOrNeedingReset_isLeftAlone", async function () {
    const { view, simulated } = makeView({
      auctions: [auction(1n, 2_950n * WAD), auction(2n, 2_950n * WAD), auction(3n, 2_950n * WAD, { needsReset: true })],
      landing: new Map([
        [1n, 2_900n * WAD],
        [2n, 2_900n * WAD],
        [3n, 2_900n * WAD],
      ]),
      maxBidPrice: 2_910n * WAD,
      busy: ["take:1", "reset:2"],
      answers: new Map([1n, 2n, 3n].map((id) => [bidData(id), bidResult(WAD, WAD, 10n * WAD)])),
    });
    expect(await bid().decide(view)).to.deep.equal([]);
    expect(simulated).to.deep.equal([]);
  });

  it("bid_laterBidsOfAPassBeyondThePoolsStablecoin_waitForTheNextBlock", async function () {
    const { view } = makeView({
      auctions: [auction(1n, 2_950n * WAD), auction(2n, 2_950n * WAD)],
      landing: new Map([
        [1n, 2_900n * WAD],
        [2n, 2_900n * WAD],
      ]),
      maxBidPrice: 2_910n * WAD,
      poolStablecoin: 30_000n * WAD,
      answers: new Map([
        [bidData(1n), bidResult(8n * WAD, 23_200n * WAD, 80n * WAD)],
        [bidData(2n), bidResult(8n * WAD, 23_200n * WAD, 80n * WAD)],
      ]),
    });
    const actions = await bid().decide(view);
    expect(actions.map((a) => a.keys[0])).to.deep.equal(["bid:1"]);
  });
});

describe("bid strategy: the pool's stablecoin", function () {
  const pool = (pendingOpen: bigint, pendingPrevious: bigint): PoolState => ({
    stablecoin: 0n,
    callerCut: WAD / 10n,
    collaterals: [],
    pendingOpen,
    pendingPrevious,
    roundEndsAt: 10_000n,
    warmup: 3_600n,
  });

  it("activatesDeposits_followsThePoolsRounds", function () {
    expect(activatesDeposits(pool(0n, WAD), 9_999n)).to.equal(false);
    expect(activatesDeposits(pool(0n, WAD), 10_000n)).to.equal(true);
    expect(activatesDeposits(pool(WAD, 0n), 10_000n)).to.equal(false);
    expect(activatesDeposits(pool(WAD, 0n), 13_599n)).to.equal(false);
    expect(activatesDeposits(pool(WAD, 0n), 13_600n)).to.equal(true);
    expect(activatesDeposits(pool(0n, 0n), 99_999n)).to.equal(false);
  });

  it("bid_poolWithoutActiveStablecoin_simulatesNothingUnlessADepositMatures", async function () {
    const stubs: Stubs = {
      auctions: [auction(1n, 2_950n * WAD)],
      landing: new Map([[1n, 2_900n * WAD]]),
      maxBidPrice: 2_910n * WAD,
      poolStablecoin: 0n,
      answers: new Map([[bidData(1n), bidResult(8n * WAD, 23_200n * WAD, 80n * WAD)]]),
    };
    const empty = makeView(stubs);
    expect(await new BidStrategy({ logger, minProfit: 0n }).decide(empty.view)).to.deep.equal([]);
    expect(empty.simulated).to.deep.equal([]);
    // The block lands past the round's end (900): the previous round's deposits activate first.
    const maturing = makeView({ ...stubs, pendingPrevious: 50_000n * WAD });
    expect(await new BidStrategy({ logger, minProfit: 0n }).decide(maturing.view)).to.have.length(1);
  });

  it("bid_poolOutOfStablecoinOnTheFirstAuction_stopsSimulatingThisPass", async function () {
    const { view, simulated } = makeView({
      auctions: [auction(1n, 2_950n * WAD), auction(2n, 2_950n * WAD)],
      landing: new Map([
        [1n, 2_900n * WAD],
        [2n, 2_900n * WAD],
      ]),
      maxBidPrice: 2_910n * WAD,
      answers: new Map(),
      reverts: "reverts with NoActiveStablecoin(0, 2900)",
    });
    expect(await new BidStrategy({ logger, minProfit: 0n }).decide(view)).to.deep.equal([]);
    expect(simulated).to.deep.equal([bidData(1n)]);
  });
});

describe("flash strategy", function () {
  const flash = (minProfit = 0n) => new FlashStrategy({ logger, minProfit });
  // A pair at 3,000 per WETH with 3M of stablecoin.
  const reserves = () => ({ collateralReserve: 1_000n * WAD, stablecoinReserve: 3_000_000n * WAD });

  it("flash_profitableSale_sendsWithTheContractsMinProfitAtGasPlusMinProfit", async function () {
    const out = pairAmountOut(8n * WAD, 1_000n * WAD, 3_000_000n * WAD);
    const { view } = makeView({
      auctions: [auction(4n, 2_800n * WAD)],
      landing: new Map([[4n, 2_790n * WAD]]),
      reserves: reserves(),
      answers: new Map([[flashData(4n, 2_800n * WAD, 0n), flashResult(8n * WAD, 22_400n * WAD, out - 22_400n * WAD)]]),
    });
    const actions = await flash(10n * WAD).decide(view);
    expect(actions).to.have.length(1);
    expect(actions[0].kind).to.equal("flash");
    expect(actions[0].keys).to.deep.equal(["flash:4"]);
    expect(actions[0].to).to.equal(MANIFEST.contracts.FlashLiquidator);
    expect(actions[0].data).to.equal(flashData(4n, 2_800n * WAD, GAS_COST + 10n * WAD));
    expect(actions[0].expectedProfit).to.equal(out - 22_400n * WAD - GAS_COST);
    expect(view.claimedAuctions.has(4n)).to.equal(true);
  });

  it("flash_landingPriceAtOrAboveWhatThePairPays_simulatesNothing", async function () {
    const { view, simulated } = makeView({
      auctions: [auction(4n, 3_000n * WAD)],
      landing: new Map([[4n, 2_991n * WAD]]),
      reserves: reserves(),
      answers: new Map(),
    });
    expect(await flash().decide(view)).to.deep.equal([]);
    expect(simulated).to.deep.equal([]);
  });

  it("flash_secondTakeOnTheSamePair_isPricedOnTheReservesTheFirstLeaves", async function () {
    // Each alone earns ~1,100; the first one's sale of 300 WETH moves the pair so far that the
    // second would lose money on it.
    const big = { collateralLeft: 300n * WAD, debtLeft: 600_000n * WAD };
    const first = pairAmountOut(300n * WAD, 1_000n * WAD, 3_000_000n * WAD);
    const paid = first - 1_100n * WAD;
    const { view, simulated } = makeView({
      auctions: [auction(4n, 2_000n * WAD, big), auction(6n, 2_000n * WAD, big)],
      landing: new Map([
        [4n, 1_990n * WAD],
        // Below what the pair pays after the first sale (~1,771): worth simulating, not sending.
        [6n, 1_500n * WAD],
      ]),
      reserves: reserves(),
      answers: new Map([
        [flashData(4n, 2_000n * WAD, 0n), flashResult(300n * WAD, paid, 1_100n * WAD)],
        [flashData(6n, 2_000n * WAD, 0n), flashResult(300n * WAD, paid, 1_100n * WAD)],
      ]),
    });
    const actions = await flash(WAD).decide(view);
    expect(simulated).to.have.length(2);
    expect(actions.map((a) => a.keys[0])).to.deep.equal(["flash:4"]);
  });

  it("flash_auctionABidOfThisPassClaimed_isLeftAlone", async function () {
    const stubs: Stubs = {
      auctions: [auction(1n, 2_800n * WAD)],
      landing: new Map([[1n, 2_790n * WAD]]),
      maxBidPrice: 2_910n * WAD,
      reserves: reserves(),
      answers: new Map([
        [bidData(1n), bidResult(8n * WAD, 22_400n * WAD, 80n * WAD)],
        [flashData(1n, 2_800n * WAD, 0n), flashResult(8n * WAD, 22_400n * WAD, 1_500n * WAD)],
      ]),
      stablecoinBalance: 10n ** 6n * WAD,
    };
    const { view, simulated } = makeView(stubs);
    expect(await new BidStrategy({ logger, minProfit: 0n }).decide(view)).to.have.length(1);
    expect(await flash().decide(view)).to.deep.equal([]);
    expect(await new TakeStrategy({ logger, minProfit: 0n }).decide(view)).to.deep.equal([]);
    expect(simulated).to.deep.equal([bidData(1n)]);
  });

  it("pairAmountOut_matchesUniswapsFormulaOnAKnownCase", function () {
    // 1 in against 1,000 : 3,000,000 → 997 · 3e6 / (1,000,000 + 997) = 2,988.0209… floored.
    expect(pairAmountOut(WAD, 1_000n * WAD, 3_000_000n * WAD)).to.equal(
      (997n * WAD * 3_000_000n * WAD) / (1_000n * WAD * 1_000n + 997n * WAD),
    );
    expect(pairAmountOut(10n ** 18n, 10n ** 21n, 3n * 10n ** 24n) / 10n ** 15n).to.equal(2_988_020n);
  });
});
