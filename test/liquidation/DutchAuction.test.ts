// DutchAuction: governed setters and bounds, the caps on debt in auction, keeper incentives (owed at
// start and reset, minted on claim against the surplus or the deficit), the circuit breaker, `start`
// and each way it refuses, every rule of `take` (price cap, staleness, dust, covering the debt,
// leftover and exhausted lots, callbacks and forbidden receivers), prices that follow the curves to
// the wei, `reset`, and the views. Auctions are keyed by vault id. Expected numbers come from the curve
// definitions and the fixed-point mirror (keeper/src/math/fixedPoint.ts) at pinned block timestamps.
import { expect } from "chai";
import { ethers } from "hardhat";
import { setBalance, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionReceipt, Interface, Result } from "ethers";
import { RAY, WAD, divWadDown, mulDivUp, mulWadDown, mulWadUp, rpowDown } from "../../keeper/src/math/fixedPoint";
import { LOCAL_COLLATERALS, LOCAL_INCENTIVE, LOCAL_MAX_TOTAL_DEBT_IN_AUCTION, ROLES } from "../../scripts/lib/deploy";
import {
  DutchAuction__factory,
  LinearCurve__factory,
  MockAggregator__factory,
  MockERC20__factory,
  MockTakeBuyer__factory,
} from "../../typechain-types";
import type { IDutchAuction } from "../../typechain-types";
import { deploySluiceFixture, type SluiceFixture } from "../helpers/fixtures";
import { rangeArgs, rangeError } from "../helpers/errors";
import * as market from "../helpers/market";

type Signer = HardhatEthersSigner;
type Collateral = market.Collateral;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type EventArgs = Record<string, any>;

/** A struct a view returned, as a plain object (TypeChain types it as a tuple; it is a Result). */
const plain = (struct: unknown): Record<string, unknown> => (struct as Result).toObject();
const MAX = ethers.MaxUint256;
const pct = (percent: number): bigint => (BigInt(Math.round(percent * 100)) * WAD) / 10_000n;
const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);

// DutchAuction.sol bounds.
const MAX_START_PRICE_FACTOR = 3n * WAD;
const MIN_AUCTION_AGE = 60n;
const MAX_AUCTION_AGE = 7n * 86_400n;
const MAX_RESET_PRICE_RATIO = pct(99);
const MAX_INCENTIVE_RATE = pct(10);

const [WETH_SPEC, WBTC_SPEC] = LOCAL_COLLATERALS;
const WETH_AUCTION = WETH_SPEC.auction!;
const WBTC_AUCTION = WBTC_SPEC.auction!;
const MIN_DEBT_LEFT = WETH_SPEC.dust; // the auction copies the engine's dust: the least debt a take may leave
const BUF = WETH_AUCTION.startPriceFactor;

/** `auctions(id)` of a vault without a running auction. */
const NO_AUCTION = {
  vaultId: 0n,
  collateral: ethers.ZeroAddress,
  collateralLeft: 0n,
  debtLeft: 0n,
  startPrice: 0n,
  startTime: 0n,
  vaultKeepsCollateral: false,
};

/** FixedPointMath.valueUp / amountDown: where token decimals meet WAD. */
const valueUp = (amount: bigint, decimals: number, price: bigint): bigint =>
  mulWadUp(amount * 10n ** BigInt(18 - decimals), price);
const amountDown = (value: bigint, decimals: number, price: bigint): bigint =>
  divWadDown(value, price) / 10n ** BigInt(18 - decimals);

/** IDutchAuction.keeperIncentive: `min(maxIncentive, flatIncentive + incentiveRate · debt)`, the product rounded down. */
function keeperIncentive(
  debt: bigint,
  params: { flatIncentive: bigint; incentiveRate: bigint; maxIncentive: bigint } = LOCAL_INCENTIVE,
) {
  return min(params.maxIncentive, params.flatIncentive + mulWadDown(debt, params.incentiveRate));
}

/** The curve of a local collateral, from its definition (see curves.test.ts). */
function curvePrice(c: Collateral, startPrice: bigint, elapsed: bigint): bigint {
  const curve = c.spec.auction!.curve;
  if (curve.kind === "linear") {
    return elapsed >= curve.duration ? 0n : mulDivUp(startPrice, curve.duration - elapsed, curve.duration);
  }
  return mulDivUp(startPrice, rpowDown(curve.cut * (RAY / WAD), elapsed / curve.step), RAY);
}

/** Whether an auction of `c` needs a reset `elapsed` seconds after starting at `startPrice`. */
function needsReset(
  c: Collateral,
  startPrice: bigint,
  elapsed: bigint,
  resetPriceRatio = c.spec.auction!.resetPriceRatio,
): boolean {
  const price = curvePrice(c, startPrice, elapsed);
  return elapsed > c.spec.auction!.maxAuctionAge || price === 0n || price < mulWadDown(startPrice, resetPriceRatio);
}

/** The decoded events named `event` that `contract` emitted in `receipt`. */
function eventsIn(
  receipt: ContractTransactionReceipt,
  contract: { target: unknown; interface: Interface },
  event: string,
): EventArgs[] {
  const found: EventArgs[] = [];
  for (const log of receipt.logs) {
    if (log.address !== contract.target) continue;
    const parsed = contract.interface.parseLog(log);
    if (parsed?.name === event) found.push(parsed.args.toObject());
  }
  return found;
}

interface Started {
  vaultId: bigint;
  auctionId: bigint;
  keeper: string;
  startTime: bigint;
  startPrice: bigint;
  /** Collateral put under auction (the engine's `Seized`). */
  collateral: bigint;
  normalizedDebt: bigint;
  /** Debt to raise. */
  debt: bigint;
  incentive: bigint;
  /** Whether the vault kept collateral of its own (a partial liquidation). */
  partial: boolean;
}

describe("DutchAuction", function () {
  let f: SluiceFixture;
  let weth: string;
  let wbtc: string;

  beforeEach(async function () {
    f = await deploySluiceFixture();
    weth = await f.weth.token.getAddress();
    wbtc = await f.wbtc.token.getAddress();
  });

  // ------------------------------------------------------------ helpers

  const setPrice = (c: Collateral, price: bigint) => market.setPrice(f, c, price);
  const movePrice = (c: Collateral, target: bigint) => market.movePrice(f, c, target);
  const openVault = (owner: Signer, c: Collateral, amount: bigint, share = 100n) =>
    market.openVault(f, owner, c, amount, share);
  const expectBooksBalanced = () => market.expectBooksBalanced(f);
  const debtInAuction = async (collateral: string) => [...(await f.dutchAuction.debtInAuction(collateral))];
  const room = async (collateral: string) => [...(await f.dutchAuction.room(collateral))];
  const owed = async (keeper: string) => [...(await f.dutchAuction.incentivesOwed(keeper))];
  const active = async () => [...(await f.dutchAuction.activeAuctions())];

  /** docs/ACCOUNTING.md C3: debt on the books plus the deficit equals stablecoin out plus the surplus. */
  async function expectDebtIdentity(): Promise<void> {
    expect((await f.vaultEngine.totalDebt()) + (await f.vaultEngine.deficit())).to.equal(
      (await f.stablecoin.totalSupply()) * RAY + (await f.vaultEngine.surplus()),
    );
  }

  /** Gives `buyer` stablecoin by borrowing half the limit of a vault of the *other* collateral. */
  async function fund(buyer: Signer, auctioned: Collateral): Promise<void> {
    if (auctioned === f.weth) await openVault(buyer, f.wbtc, 2n * 10n ** 8n, 50n);
    else await openVault(buyer, f.weth, 40n * WAD, 50n);
  }

  /** One vault of `c` at its limit, made liquidatable by a fall to `price`, then liquidated. */
  async function startAuction(
    c: Collateral,
    options: { owner?: Signer; amount?: bigint; price?: bigint; keeper?: Signer } = {},
  ): Promise<Started> {
    const owner = options.owner ?? f.users[0];
    const amount = options.amount ?? (c === f.weth ? 10n * WAD : 10n ** 8n);
    const vaultId = await openVault(owner, c, amount);
    await movePrice(c, options.price ?? (c === f.weth ? 2_580n * WAD : 50_000n * WAD));
    return liquidate(vaultId, options.keeper);
  }

  async function liquidate(vaultId: bigint, keeper: Signer = f.users[9]): Promise<Started> {
    const receipt = (await (await f.liquidator.connect(keeper).liquidate(vaultId, keeper.address)).wait())!;
    const [started] = eventsIn(receipt, f.dutchAuction, "AuctionStarted");
    const [seized] = eventsIn(receipt, f.vaultEngine, "Seized");
    const block = await ethers.provider.getBlock(receipt.blockNumber);
    return {
      vaultId,
      auctionId: started.auctionId,
      keeper: started.keeper,
      startTime: BigInt(block!.timestamp),
      startPrice: started.startPrice,
      collateral: seized.collateralAmount,
      normalizedDebt: seized.normalizedDebt,
      debt: started.debtToRaise,
      incentive: started.incentive,
      partial: (await f.vaultEngine.vaults(vaultId)).collateralAmount > 0n,
    };
  }

  /** Pins the next block at `elapsed` seconds into the auction; returns the curve price there. */
  async function pinAt(auction: Started, c: Collateral, elapsed: bigint): Promise<bigint> {
    await time.setNextBlockTimestamp(auction.startTime + elapsed);
    return curvePrice(c, auction.startPrice, elapsed);
  }

  async function take(buyer: Signer, auctionId: bigint, maxCollateral: bigint): Promise<ContractTransactionReceipt> {
    const tx = await f.dutchAuction.connect(buyer).take(auctionId, maxCollateral, MAX, buyer.address, "0x");
    return (await tx.wait())!;
  }

  /** The Liquidator contract as a signer, to call `start` (and the engine's `seize`) with chosen lots. */
  async function asLiquidator(): Promise<Signer> {
    const address = await f.liquidator.getAddress();
    await setBalance(address, 10n * WAD);
    return ethers.getImpersonatedSigner(address);
  }

  /** A start request with harmless defaults: 1 WETH to raise 1,000 at an oracle price of 2,000. */
  function request(overrides: Partial<IDutchAuction.StartRequestStruct> = {}): IDutchAuction.StartRequestStruct {
    return {
      vaultId: 1n,
      collateral: weth,
      collateralAmount: WAD,
      debtToRaise: 1_000n * WAD,
      price: 2_000n * WAD,
      vaultKeepsCollateral: true,
      keeper: f.users[9].address,
      maxIncentive: MAX,
      ...overrides,
    };
  }

  // ------------------------------------------------------------ admin

  describe("admin", function () {
    it("constructor_zeroEngine_reverts", async function () {
      const factory = new DutchAuction__factory(f.governor);
      await expect(
        factory.deploy(await f.accessManager.getAddress(), ethers.ZeroAddress),
      ).to.be.revertedWithCustomError(factory, "ZeroAddress");
    });

    /** A token the oracle and the engine list, but the auction does not. */
    async function engineOnlyToken(decimals: number): Promise<string> {
      const token = await new MockERC20__factory(f.governor).deploy("Other", "OTH", decimals);
      const feed = await new MockAggregator__factory(f.governor).deploy(8, "OTH / USD", 10n ** 8n);
      const address = await token.getAddress();
      await f.oracleHub.addFeed(address, {
        source: await feed.getAddress(),
        heartbeat: 3_600,
        minPrice: WAD / 100n,
        maxPrice: 100n * WAD,
        maxJump: pct(30),
        halfLife: 86_400,
      });
      await f.oracleHub.poke(address);
      await f.vaultEngine.addCollateral(address, { debtCeiling: WAD, dust: 0n, stabilityFee: RAY, maxLTV: pct(50) });
      return address;
    }

    async function wethParams(): Promise<IDutchAuction.AuctionParamsStruct> {
      const { curve, startPriceFactor, maxAuctionAge, resetPriceRatio, maxDebtInAuction } =
        await f.dutchAuction.auctionParams(weth);
      return { curve, startPriceFactor, maxAuctionAge, resetPriceRatio, maxDebtInAuction };
    }

    it("addCollateral_engineListedToken_storesParamsAndEmits", async function () {
      const token = await engineOnlyToken(6);
      const curve = await (await new LinearCurve__factory(f.governor).deploy(600)).getAddress();
      const params = {
        curve,
        startPriceFactor: WAD,
        maxAuctionAge: MIN_AUCTION_AGE,
        resetPriceRatio: 0n,
        maxDebtInAuction: 1_234n * WAD,
      };
      await expect(f.dutchAuction.addCollateral(token, params))
        .to.emit(f.dutchAuction, "CollateralAdded")
        .withArgs(token, Object.values(params));
      expect(plain(await f.dutchAuction.auctionParams(token))).to.deep.equal(params);
      // The dust is the engine's (engineOnlyToken lists it with none).
      expect(await f.dutchAuction.dust(token)).to.equal(0n);
      expect(await debtInAuction(token)).to.deep.equal([0n, 0n]);
      expect(await room(token)).to.deep.equal([1_234n * WAD, LOCAL_MAX_TOTAL_DEBT_IN_AUCTION]);
    });

    it("addCollateral_parameterOutOfRange_revertsWithTheBounds", async function () {
      const token = await engineOnlyToken(18);
      const params = await wethParams();
      await expect(
        f.dutchAuction.addCollateral(token, { ...params, curve: ethers.ZeroAddress }),
      ).to.be.revertedWithCustomError(f.dutchAuction, "ZeroAddress");
      const cases = [
        [{ startPriceFactor: WAD - 1n }, "startPriceFactor", WAD - 1n, WAD, MAX_START_PRICE_FACTOR],
        [
          { startPriceFactor: MAX_START_PRICE_FACTOR + 1n },
          "startPriceFactor",
          MAX_START_PRICE_FACTOR + 1n,
          WAD,
          MAX_START_PRICE_FACTOR,
        ],
        [
          { maxAuctionAge: MIN_AUCTION_AGE - 1n },
          "maxAuctionAge",
          MIN_AUCTION_AGE - 1n,
          MIN_AUCTION_AGE,
          MAX_AUCTION_AGE,
        ],
        [
          { maxAuctionAge: MAX_AUCTION_AGE + 1n },
          "maxAuctionAge",
          MAX_AUCTION_AGE + 1n,
          MIN_AUCTION_AGE,
          MAX_AUCTION_AGE,
        ],
        [
          { resetPriceRatio: MAX_RESET_PRICE_RATIO + 1n },
          "resetPriceRatio",
          MAX_RESET_PRICE_RATIO + 1n,
          0n,
          MAX_RESET_PRICE_RATIO,
        ],
      ] as const;
      for (const [change, parameter, value, low, high] of cases) {
        await expect(f.dutchAuction.addCollateral(token, { ...params, ...change }))
          .to.be.revertedWithCustomError(f.dutchAuction, rangeError(parameter))
          .withArgs(...rangeArgs(value, low, high));
      }
    });

    it("addCollateral_tokenNotListedInEngine_reverts", async function () {
      const token = await (await new MockERC20__factory(f.governor).deploy("X", "X", 18)).getAddress();
      await expect(f.dutchAuction.addCollateral(token, await wethParams()))
        .to.be.revertedWithCustomError(f.vaultEngine, "CollateralNotListed")
        .withArgs(token);
    });

    it("addCollateral_alreadyListedOrZero_reverts", async function () {
      const params = await wethParams();
      await expect(f.dutchAuction.addCollateral(weth, params))
        .to.be.revertedWithCustomError(f.dutchAuction, "CollateralAlreadyListed")
        .withArgs(weth);
      await expect(f.dutchAuction.addCollateral(ethers.ZeroAddress, params)).to.be.revertedWithCustomError(
        f.dutchAuction,
        "ZeroAddress",
      );
    });

    it("setCurve_nonZero_setsAndEmits", async function () {
      const curve = await (await new LinearCurve__factory(f.governor).deploy(600)).getAddress();
      await expect(f.dutchAuction.setCurve(weth, curve)).to.emit(f.dutchAuction, "CurveSet").withArgs(weth, curve);
      expect((await f.dutchAuction.auctionParams(weth)).curve).to.equal(curve);
      await expect(f.dutchAuction.setCurve(weth, ethers.ZeroAddress)).to.be.revertedWithCustomError(
        f.dutchAuction,
        "ZeroAddress",
      );
    });

    it("setStartPriceFactor_withinOneToThree_setsAndEmits", async function () {
      for (const startPriceFactor of [WAD, MAX_START_PRICE_FACTOR]) {
        await expect(f.dutchAuction.setStartPriceFactor(weth, startPriceFactor))
          .to.emit(f.dutchAuction, "StartPriceFactorSet")
          .withArgs(weth, startPriceFactor);
        expect((await f.dutchAuction.auctionParams(weth)).startPriceFactor).to.equal(startPriceFactor);
      }
    });

    it("setStartPriceFactor_outsideOneToThree_reverts", async function () {
      for (const startPriceFactor of [0n, WAD - 1n, MAX_START_PRICE_FACTOR + 1n]) {
        await expect(f.dutchAuction.setStartPriceFactor(weth, startPriceFactor))
          .to.be.revertedWithCustomError(f.dutchAuction, "StartPriceFactorOutOfRange")
          .withArgs(startPriceFactor, WAD, MAX_START_PRICE_FACTOR);
      }
    });

    it("setMaxAuctionAge_withinAMinuteToAWeek_setsAndEmits", async function () {
      for (const maxAuctionAge of [MIN_AUCTION_AGE, MAX_AUCTION_AGE]) {
        await expect(f.dutchAuction.setMaxAuctionAge(weth, maxAuctionAge))
          .to.emit(f.dutchAuction, "MaxAuctionAgeSet")
          .withArgs(weth, maxAuctionAge);
        expect((await f.dutchAuction.auctionParams(weth)).maxAuctionAge).to.equal(maxAuctionAge);
      }
    });

    it("setMaxAuctionAge_outsideAMinuteToAWeek_reverts", async function () {
      for (const maxAuctionAge of [0n, MIN_AUCTION_AGE - 1n, MAX_AUCTION_AGE + 1n]) {
        await expect(f.dutchAuction.setMaxAuctionAge(weth, maxAuctionAge))
          .to.be.revertedWithCustomError(f.dutchAuction, "MaxAuctionAgeOutOfRange")
          .withArgs(maxAuctionAge, MIN_AUCTION_AGE, MAX_AUCTION_AGE);
      }
    });

    it("setResetPriceRatio_upToNinetyNinePercent_setsAndEmits", async function () {
      for (const resetPriceRatio of [0n, MAX_RESET_PRICE_RATIO]) {
        await expect(f.dutchAuction.setResetPriceRatio(weth, resetPriceRatio))
          .to.emit(f.dutchAuction, "ResetPriceRatioSet")
          .withArgs(weth, resetPriceRatio);
        expect((await f.dutchAuction.auctionParams(weth)).resetPriceRatio).to.equal(resetPriceRatio);
      }
      await expect(f.dutchAuction.setResetPriceRatio(weth, MAX_RESET_PRICE_RATIO + 1n))
        .to.be.revertedWithCustomError(f.dutchAuction, "ResetPriceRatioOutOfRange")
        .withArgs(MAX_RESET_PRICE_RATIO + 1n, MAX_RESET_PRICE_RATIO);
    });

    it("setMaxDebtInAuction_anyValue_setsEmitsAndMovesTheCollateralRoom", async function () {
      for (const value of [0n, 777n * WAD, 2n ** 96n - 1n]) {
        await expect(f.dutchAuction.setMaxDebtInAuction(weth, value))
          .to.emit(f.dutchAuction, "MaxDebtInAuctionSet")
          .withArgs(weth, value);
        expect((await f.dutchAuction.auctionParams(weth)).maxDebtInAuction).to.equal(value);
        expect(await room(weth)).to.deep.equal([value, LOCAL_MAX_TOTAL_DEBT_IN_AUCTION]);
      }
      // The other collateral keeps its own cap.
      expect(await room(wbtc)).to.deep.equal([WBTC_AUCTION.maxDebtInAuction, LOCAL_MAX_TOTAL_DEBT_IN_AUCTION]);
    });

    it("setMaxTotalDebtInAuction_anyValue_setsEmitsAndMovesTheTotalRoom", async function () {
      expect(await f.dutchAuction.maxTotalDebtInAuction()).to.equal(LOCAL_MAX_TOTAL_DEBT_IN_AUCTION);
      for (const value of [0n, 555n * WAD, 2n ** 120n - 1n]) {
        await expect(f.dutchAuction.setMaxTotalDebtInAuction(value))
          .to.emit(f.dutchAuction, "MaxTotalDebtInAuctionSet")
          .withArgs(value);
        expect(await f.dutchAuction.maxTotalDebtInAuction()).to.equal(value);
        expect(await room(weth)).to.deep.equal([WETH_AUCTION.maxDebtInAuction, value]);
        expect(await room(wbtc)).to.deep.equal([WBTC_AUCTION.maxDebtInAuction, value]);
      }
    });

    it("setIncentiveParams_incentiveRateUpToTenPercent_setsAndEmits", async function () {
      expect(plain(await f.dutchAuction.incentiveParams())).to.deep.equal(LOCAL_INCENTIVE);
      const params = { flatIncentive: 2n ** 96n - 1n, incentiveRate: MAX_INCENTIVE_RATE, maxIncentive: 3n * WAD };
      await expect(f.dutchAuction.setIncentiveParams(params))
        .to.emit(f.dutchAuction, "IncentiveParamsSet")
        .withArgs(Object.values(params));
      expect(plain(await f.dutchAuction.incentiveParams())).to.deep.equal(params);
    });

    it("setIncentiveParams_incentiveRateAboveTenPercent_revertsIncentiveRateOutOfRange", async function () {
      await expect(f.dutchAuction.setIncentiveParams({ ...LOCAL_INCENTIVE, incentiveRate: MAX_INCENTIVE_RATE + 1n }))
        .to.be.revertedWithCustomError(f.dutchAuction, "IncentiveRateOutOfRange")
        .withArgs(MAX_INCENTIVE_RATE + 1n, MAX_INCENTIVE_RATE);
      expect(plain(await f.dutchAuction.incentiveParams())).to.deep.equal(LOCAL_INCENTIVE);
    });

    it("keeperIncentive_isFlatIncentivePlusIncentiveRateTimesDebtRoundedDownUpToTheMax", async function () {
      const cases = [
        [0n, 20n * WAD],
        [999n, 20n * WAD], // 999 · 0.001 rounds down to 0
        [1_999n, 20n * WAD + 1n],
        [1_000n * WAD, 21n * WAD],
        [12_345_678n * (WAD / 1_000n), 20n * WAD + 12_345_678n * (WAD / 1_000_000n)],
        [4_980_000n * WAD, 5_000n * WAD], // flatIncentive + incentiveRate · debt meets the cap exactly
        [4_980_001n * WAD, 5_000n * WAD],
        [10n ** 30n, 5_000n * WAD],
      ] as const;
      for (const [debt, expected] of cases) {
        expect(keeperIncentive(debt), `mirror at ${debt}`).to.equal(expected);
        expect(await f.dutchAuction.keeperIncentive(debt), `at ${debt}`).to.equal(expected);
      }
      await f.dutchAuction.setIncentiveParams({ ...LOCAL_INCENTIVE, maxIncentive: 0n });
      expect(await f.dutchAuction.keeperIncentive(1_000n * WAD)).to.equal(0n);
      await f.dutchAuction.setIncentiveParams({
        flatIncentive: 0n,
        incentiveRate: MAX_INCENTIVE_RATE,
        maxIncentive: MAX >> 160n,
      });
      expect(await f.dutchAuction.keeperIncentive(1_000n * WAD)).to.equal(100n * WAD);
    });

    it("setLiquidator_nonZero_setsAndEmits", async function () {
      const next = f.users[3].address;
      await expect(f.dutchAuction.setLiquidator(next)).to.emit(f.dutchAuction, "LiquidatorSet").withArgs(next);
      expect(await f.dutchAuction.liquidator()).to.equal(next);
      await expect(f.dutchAuction.setLiquidator(ethers.ZeroAddress)).to.be.revertedWithCustomError(
        f.dutchAuction,
        "ZeroAddress",
      );
    });

    it("setters_unlistedCollateral_revertCollateralNotListed", async function () {
      const token = ethers.Wallet.createRandom().address;
      const calls = [
        () => f.dutchAuction.setCurve(token, weth),
        () => f.dutchAuction.setStartPriceFactor(token, WAD),
        () => f.dutchAuction.setMaxAuctionAge(token, MIN_AUCTION_AGE),
        () => f.dutchAuction.setResetPriceRatio(token, 0n),
        () => f.dutchAuction.dust(token),
        () => f.dutchAuction.setMaxDebtInAuction(token, WAD),
        () => f.dutchAuction.auctionParams(token),
        () => f.dutchAuction.debtInAuction(token),
        () => f.dutchAuction.room(token),
      ];
      for (const call of calls) {
        await expect(call()).to.be.revertedWithCustomError(f.dutchAuction, "CollateralNotListed").withArgs(token);
      }
    });

    it("setters_withoutGovernorRole_revert", async function () {
      const outsider = f.users[5];
      const auction = f.dutchAuction.connect(outsider);
      const params = {
        curve: weth,
        startPriceFactor: WAD,
        maxAuctionAge: MIN_AUCTION_AGE,
        resetPriceRatio: 0n,
        maxDebtInAuction: 0n,
      };
      const calls = [
        () => auction.addCollateral(wbtc, params),
        () => auction.setCurve(weth, weth),
        () => auction.setStartPriceFactor(weth, WAD),
        () => auction.setMaxAuctionAge(weth, MIN_AUCTION_AGE),
        () => auction.setResetPriceRatio(weth, 0n),
        () => auction.setMaxDebtInAuction(weth, 0n),
        () => auction.setMaxTotalDebtInAuction(0n),
        () => auction.setIncentiveParams(LOCAL_INCENTIVE),
        () => auction.setLiquidator(outsider.address),
        () => auction.raiseBreaker(1),
        () => auction.lowerBreaker(0),
      ];
      for (const call of calls) {
        await expect(call())
          .to.be.revertedWithCustomError(f.dutchAuction, "AccessManagedUnauthorized")
          .withArgs(outsider.address);
      }
    });
  });

  // ------------------------------------------------------------ start

  describe("start", function () {
    it("start_notFromTheLiquidator_revertsNotLiquidator", async function () {
      const caller = f.users[2];
      await expect(f.dutchAuction.connect(caller).start(request()))
        .to.be.revertedWithCustomError(f.dutchAuction, "NotLiquidator")
        .withArgs(caller.address);
      // The governor is no liquidator either, and the check comes before the breaker's.
      await f.dutchAuction.raiseBreaker(1);
      await expect(f.dutchAuction.start(request()))
        .to.be.revertedWithCustomError(f.dutchAuction, "NotLiquidator")
        .withArgs(f.governor.address);
    });

    it("start_afterSetLiquidator_acceptsOnlyTheNewLiquidator", async function () {
      const stand = f.users[8];
      const vaultId = await openVault(f.users[0], f.weth, 10n * WAD);
      await movePrice(f.weth, 2_580n * WAD);
      await f.dutchAuction.setLiquidator(stand.address);
      await expect(f.liquidator.liquidate(vaultId, f.users[9].address))
        .to.be.revertedWithCustomError(f.dutchAuction, "NotLiquidator")
        .withArgs(await f.liquidator.getAddress());
      await expect(f.dutchAuction.connect(stand).start(request({ vaultId: 42n })))
        .to.emit(f.dutchAuction, "AuctionStarted")
        .withArgs(42n, f.users[9].address, 1_000n * WAD, mulWadUp(2_000n * WAD, BUF), keeperIncentive(1_000n * WAD));
    });

    it("start_breakerAtAnyLevel_revertsBreakerTripped", async function () {
      const liquidator = await asLiquidator();
      for (const level of [1, 2, 3]) {
        await f.dutchAuction.raiseBreaker(level);
        await expect(f.dutchAuction.connect(liquidator).start(request()))
          .to.be.revertedWithCustomError(f.dutchAuction, "BreakerTripped")
          .withArgs(level);
      }
      await f.dutchAuction.lowerBreaker(0);
      await expect(f.dutchAuction.connect(liquidator).start(request())).to.emit(f.dutchAuction, "AuctionStarted");
    });

    it("start_emptyLot_revertsEmptyAuction", async function () {
      const liquidator = await asLiquidator();
      for (const change of [{ collateralAmount: 0n }, { debtToRaise: 0n }, { collateralAmount: 0n, debtToRaise: 0n }]) {
        await expect(f.dutchAuction.connect(liquidator).start(request(change))).to.be.revertedWithCustomError(
          f.dutchAuction,
          "EmptyAuction",
        );
      }
    });

    it("start_unlistedCollateral_revertsCollateralNotListed", async function () {
      const liquidator = await asLiquidator();
      const token = ethers.Wallet.createRandom().address;
      await expect(f.dutchAuction.connect(liquidator).start(request({ collateral: token })))
        .to.be.revertedWithCustomError(f.dutchAuction, "CollateralNotListed")
        .withArgs(token);
    });

    it("start_vaultWithARunningAuction_revertsAuctionActive", async function () {
      const liquidator = await asLiquidator();
      await f.dutchAuction.connect(liquidator).start(request({ vaultId: 5n }));
      await expect(f.dutchAuction.connect(liquidator).start(request({ vaultId: 5n, collateral: wbtc })))
        .to.be.revertedWithCustomError(f.dutchAuction, "AuctionActive")
        .withArgs(5n);
      // Another vault is free to start.
      await f.dutchAuction.connect(liquidator).start(request({ vaultId: 6n }));
      expect(await debtInAuction(weth)).to.deep.equal([2_000n * WAD, 2_000n * WAD]);
    });

    it("start_seizedLot_storesTheAuctionUnderTheVaultIdAndCountsItsDebt", async function () {
      const keeper = f.users[9];
      const vaultId = await openVault(f.users[0], f.weth, 10n * WAD, 50n);
      const liquidator = await asLiquidator();
      const stored = await f.vaultEngine.vaults(vaultId);
      await f.vaultEngine.connect(liquidator).seize(vaultId, 4n * WAD, stored.normalizedDebt / 2n);
      const debt = 7_000n * WAD;
      const startRequest = request({ vaultId, collateralAmount: 4n * WAD, debtToRaise: debt, price: 3_000n * WAD });
      const incentive = keeperIncentive(debt);
      expect(incentive).to.equal(27n * WAD);
      expect(await f.dutchAuction.connect(liquidator).start.staticCall(startRequest)).to.equal(incentive);
      const tx = await f.dutchAuction.connect(liquidator).start(startRequest);
      const receipt = (await tx.wait())!;
      const startPrice = mulWadUp(3_000n * WAD, BUF);
      await expect(tx)
        .to.emit(f.dutchAuction, "AuctionStarted")
        .withArgs(vaultId, keeper.address, debt, startPrice, incentive);
      const startTime = BigInt((await ethers.provider.getBlock(receipt.blockNumber))!.timestamp);
      expect(plain(await f.dutchAuction.auctions(vaultId))).to.deep.equal({
        vaultId,
        collateral: weth,
        collateralLeft: 4n * WAD,
        debtLeft: debt,
        startPrice,
        startTime,
        vaultKeepsCollateral: true,
      });
      expect(await active()).to.deep.equal([vaultId]);
      expect(await debtInAuction(weth)).to.deep.equal([debt, debt]);
      expect(await debtInAuction(wbtc)).to.deep.equal([0n, debt]);
      expect(await room(weth)).to.deep.equal([
        WETH_AUCTION.maxDebtInAuction - debt,
        LOCAL_MAX_TOTAL_DEBT_IN_AUCTION - debt,
      ]);
      expect(await room(wbtc)).to.deep.equal([WBTC_AUCTION.maxDebtInAuction, LOCAL_MAX_TOTAL_DEBT_IN_AUCTION - debt]);
      expect(await owed(keeper.address)).to.deep.equal([incentive, incentive]);
      // Nothing is minted when an auction starts.
      expect(await f.stablecoin.balanceOf(keeper.address)).to.equal(0n);
      await expectBooksBalanced();
    });

    it("start_collateralLeft_isReadFromTheEngineNotTheRequest", async function () {
      const vaultId = await openVault(f.users[0], f.weth, 10n * WAD, 0n);
      const liquidator = await asLiquidator();
      await f.vaultEngine.connect(liquidator).seize(vaultId, 3n * WAD, 0n);
      await f.dutchAuction.connect(liquidator).start(request({ vaultId, collateralAmount: 9n * WAD }));
      const auction = await f.dutchAuction.auctions(vaultId);
      expect([auction.collateral, auction.collateralLeft]).to.deep.equal([weth, 3n * WAD]);
      expect((await f.dutchAuction.auctionStatus(vaultId)).collateralLeft).to.equal(3n * WAD);
    });

    it("start_overTheCollateralCap_revertsNoAuctionRoomWithTheRoomLeft", async function () {
      const liquidator = await asLiquidator();
      const cap = 1_000n * WAD;
      await f.dutchAuction.setMaxDebtInAuction(weth, cap);
      await expect(f.dutchAuction.connect(liquidator).start(request({ debtToRaise: cap + 1n })))
        .to.be.revertedWithCustomError(f.dutchAuction, "NoAuctionRoom")
        .withArgs(weth, cap + 1n, cap);
      await f.dutchAuction.connect(liquidator).start(request({ vaultId: 1n, debtToRaise: 600n * WAD }));
      expect(await room(weth)).to.deep.equal([400n * WAD, LOCAL_MAX_TOTAL_DEBT_IN_AUCTION - 600n * WAD]);
      await expect(f.dutchAuction.connect(liquidator).start(request({ vaultId: 2n, debtToRaise: 400n * WAD + 1n })))
        .to.be.revertedWithCustomError(f.dutchAuction, "NoAuctionRoom")
        .withArgs(weth, 400n * WAD + 1n, 400n * WAD);
      // A lot that fills the cap exactly fits; then nothing more does.
      await f.dutchAuction.connect(liquidator).start(request({ vaultId: 2n, debtToRaise: 400n * WAD }));
      expect(await room(weth)).to.deep.equal([0n, LOCAL_MAX_TOTAL_DEBT_IN_AUCTION - cap]);
      await expect(f.dutchAuction.connect(liquidator).start(request({ vaultId: 3n, debtToRaise: 1n })))
        .to.be.revertedWithCustomError(f.dutchAuction, "NoAuctionRoom")
        .withArgs(weth, 1n, 0n);
      // Another collateral has room of its own.
      await f.dutchAuction.connect(liquidator).start(request({ vaultId: 3n, collateral: wbtc }));
      expect(await debtInAuction(weth)).to.deep.equal([cap, cap + 1_000n * WAD]);
    });

    it("start_overTheGlobalCap_revertsNoAuctionRoomWithTheRoomLeft", async function () {
      const liquidator = await asLiquidator();
      const cap = 500n * WAD;
      await f.dutchAuction.setMaxTotalDebtInAuction(cap);
      await f.dutchAuction
        .connect(liquidator)
        .start(request({ vaultId: 1n, collateral: wbtc, debtToRaise: 300n * WAD }));
      expect(await room(weth)).to.deep.equal([WETH_AUCTION.maxDebtInAuction, 200n * WAD]);
      // The WBTC auction counts against the global cap of a WETH lot.
      await expect(f.dutchAuction.connect(liquidator).start(request({ vaultId: 2n, debtToRaise: 200n * WAD + 1n })))
        .to.be.revertedWithCustomError(f.dutchAuction, "NoAuctionRoom")
        .withArgs(weth, 200n * WAD + 1n, 200n * WAD);
      await f.dutchAuction.connect(liquidator).start(request({ vaultId: 2n, debtToRaise: 200n * WAD }));
      expect(await debtInAuction(weth)).to.deep.equal([200n * WAD, cap]);
      expect(await room(wbtc)).to.deep.equal([WBTC_AUCTION.maxDebtInAuction - 300n * WAD, 0n]);
    });

    it("room_capsLoweredBelowTheDebtInAuction_isZeroNotAnUnderflow", async function () {
      const liquidator = await asLiquidator();
      await f.dutchAuction.connect(liquidator).start(request({ debtToRaise: 1_000n * WAD }));
      await f.dutchAuction.setMaxDebtInAuction(weth, 400n * WAD);
      expect(await room(weth)).to.deep.equal([0n, LOCAL_MAX_TOTAL_DEBT_IN_AUCTION - 1_000n * WAD]);
      await f.dutchAuction.setMaxTotalDebtInAuction(999n * WAD);
      expect(await room(weth)).to.deep.equal([0n, 0n]);
      expect(await room(wbtc)).to.deep.equal([WBTC_AUCTION.maxDebtInAuction, 0n]);
      await expect(
        f.dutchAuction.connect(liquidator).start(request({ vaultId: 2n, collateral: wbtc, debtToRaise: 1n })),
      )
        .to.be.revertedWithCustomError(f.dutchAuction, "NoAuctionRoom")
        .withArgs(wbtc, 1n, 0n);
    });

    it("start_incentive_isTheKeeperIncentiveOnTheSmallerOfDebtAndLotValueCappedByTheRequestsMax", async function () {
      const liquidator = await asLiquidator();
      const keeper = f.users[7].address;
      const cases = [
        // [debt to raise, collateral at 2,000, the Liquidator's cap, incentive]
        [1_000n * WAD, WAD, MAX, 21n * WAD],
        [1_000n * WAD, WAD, 7n * WAD, 7n * WAD],
        [1_000n * WAD, WAD, 21n * WAD, 21n * WAD],
        [10_000_000n * WAD, 10_000n * WAD, MAX, 5_000n * WAD],
        // The lot is worth 2,000, not 1,000,000: the incentive is on 2,000.
        [1_000_000n * WAD, WAD, MAX, 22n * WAD],
        // A lot worth 99.999… (under the dust of 100) earns nothing, whatever its debt.
        [1_000n * WAD, WAD / 20n - 1n, MAX, 0n],
        [1_000n * WAD, WAD, 0n, 0n],
      ] as const;
      let total = 0n;
      for (const [i, [debtToRaise, collateralAmount, maxIncentive, incentive]] of cases.entries()) {
        const startRequest = request({ vaultId: BigInt(i + 1), debtToRaise, collateralAmount, keeper, maxIncentive });
        expect(await f.dutchAuction.connect(liquidator).start.staticCall(startRequest)).to.equal(incentive);
        await expect(f.dutchAuction.connect(liquidator).start(startRequest))
          .to.emit(f.dutchAuction, "AuctionStarted")
          .withArgs(BigInt(i + 1), keeper, debtToRaise, mulWadUp(2_000n * WAD, BUF), incentive);
        total += incentive;
        expect(await owed(keeper), `after case ${i}`).to.deep.equal([total, total]);
      }
    });

    it("start_withZeroMaxIncentiveParam_owesNothing", async function () {
      const liquidator = await asLiquidator();
      await f.dutchAuction.setIncentiveParams({ ...LOCAL_INCENTIVE, maxIncentive: 0n });
      const keeper = f.users[7].address;
      await expect(f.dutchAuction.connect(liquidator).start(request({ keeper })))
        .to.emit(f.dutchAuction, "AuctionStarted")
        .withArgs(1n, keeper, 1_000n * WAD, mulWadUp(2_000n * WAD, BUF), 0n);
      expect(await owed(keeper)).to.deep.equal([0n, 0n]);
      await expect(f.dutchAuction.connect(f.users[7]).claimIncentives(keeper))
        .to.be.revertedWithCustomError(f.dutchAuction, "NothingToClaim")
        .withArgs(keeper);
    });

    it("liquidate_throughTheLiquidator_startsUnderTheVaultIdAndOwesTheKeeper", async function () {
      const keeper = f.users[9];
      const vaultId = await openVault(f.users[0], f.weth, 10n * WAD);
      await movePrice(f.weth, 2_580n * WAD);
      expect(await f.liquidator.connect(keeper).liquidate.staticCall(vaultId, keeper.address)).to.equal(vaultId);
      const vaultBefore = await f.vaultEngine.vaults(vaultId);
      const auction = await liquidate(vaultId, keeper);
      expect(auction.auctionId).to.equal(vaultId);
      expect(auction.keeper).to.equal(keeper.address);
      // The Liquidator's cap (half the penalty on the seized debt) is far above the keeper incentive here.
      expect(auction.incentive).to.equal(keeperIncentive(auction.debt));
      expect(await owed(keeper.address)).to.deep.equal([auction.incentive, auction.incentive]);
      const [oraclePrice] = await f.oracleHub.priceState(weth);
      expect(auction.startPrice).to.equal(mulWadUp(oraclePrice, BUF));
      const vault = await f.vaultEngine.vaults(vaultId);
      expect([vault.inAuction, vault.auctionCollateral, vault.collateralAmount]).to.deep.equal([
        true,
        auction.collateral,
        vaultBefore.collateralAmount - auction.collateral,
      ]);
      expect(await debtInAuction(weth)).to.deep.equal([auction.debt, auction.debt]);
      await expectBooksBalanced();
    });

    it("liquidate_byTheVaultsOwner_owesNoIncentive", async function () {
      const owner = f.users[0];
      const vaultId = await openVault(owner, f.weth, 10n * WAD);
      await movePrice(f.weth, 2_580n * WAD);
      const auction = await liquidate(vaultId, owner);
      expect(auction.incentive).to.equal(0n);
      expect(await owed(owner.address)).to.deep.equal([0n, 0n]);
    });
  });

  // ------------------------------------------------------------ caps through the Liquidator

  // The Liquidator cuts a slice to `room / (1 + penalty)`, rounded down, instead of skipping the vault:
  // the debt the cut slice raises must still fit under the room.
  describe("caps through the Liquidator", function () {
    it("liquidate_withNoRoomUnderTheCap_revertsTheLiquidatorsNoAuctionRoom", async function () {
      const vaultId = await openVault(f.users[0], f.weth, 10n * WAD);
      await movePrice(f.weth, 2_580n * WAD);
      await f.dutchAuction.setMaxDebtInAuction(weth, 0n);
      await expect(f.liquidator.liquidate(vaultId, f.users[9].address))
        .to.be.revertedWithCustomError(f.liquidator, "NoAuctionRoom")
        .withArgs(weth, (debtToRaise: bigint) => debtToRaise > 0n, 0n);
    });

    it("liquidate_withLessCollateralRoomThanTheSlice_isCutToFitUnderTheCap", async function () {
      const vaultId = await openVault(f.users[0], f.weth, 10n * WAD);
      await movePrice(f.weth, 2_580n * WAD);
      // 1.08 · 5,000: the cut slice is exactly 5,000.
      const cap = 5_400n * WAD;
      await f.dutchAuction.setMaxDebtInAuction(weth, cap);
      await f.liquidator.liquidate(vaultId, f.users[9].address);
      const auction = await f.dutchAuction.auctions(vaultId);
      expect(auction.debtLeft).to.be.lte(cap);
      expect(auction.debtLeft).to.be.gte(cap - 2n);
      expect(await room(weth)).to.deep.equal([
        cap - auction.debtLeft,
        LOCAL_MAX_TOTAL_DEBT_IN_AUCTION - auction.debtLeft,
      ]);
    });

    it("liquidate_withLessGlobalRoomThanTheSlice_isCutToFitUnderTheCap", async function () {
      const vaultId = await openVault(f.users[0], f.weth, 10n * WAD);
      await movePrice(f.weth, 2_580n * WAD);
      const cap = 6_123_456_789n * 10n ** 12n + 17n;
      await f.dutchAuction.setMaxTotalDebtInAuction(cap);
      await f.liquidator.liquidate(vaultId, f.users[9].address);
      const auction = await f.dutchAuction.auctions(vaultId);
      expect(auction.debtLeft).to.be.lte(cap);
      expect(auction.debtLeft).to.be.gte(cap - 2n);
      expect(await debtInAuction(weth)).to.deep.equal([auction.debtLeft, auction.debtLeft]);
    });

    it("liquidateBatch_withLessRoomThanTheSlice_cutsTheLiquidationWithoutRevertingTheBatch", async function () {
      const [alice, bob] = f.users;
      const first = await openVault(alice, f.weth, 10n * WAD);
      const second = await openVault(bob, f.weth, 10n * WAD);
      await movePrice(f.weth, 2_580n * WAD);
      const cap = 5_400n * WAD;
      await f.dutchAuction.setMaxDebtInAuction(weth, cap);
      // The first vault is cut to the cap; no room is left for the second, which is skipped.
      const ids = await f.liquidator.liquidateBatch.staticCall([first, second], f.users[9].address);
      expect([...ids]).to.deep.equal([first, 0n]);
      await f.liquidator.liquidateBatch([first, second], f.users[9].address);
      const [collateralDebt] = await f.dutchAuction.debtInAuction(weth);
      expect(collateralDebt).to.be.lte(cap);
      expect(collateralDebt).to.be.gte(cap - 2n);
      expect(await active()).to.deep.equal([first]);
    });
  });

  // ------------------------------------------------------------ keeper incentives

  describe("incentives", function () {
    it("incentivesOwed_addsUpOverAuctionsAndResets", async function () {
      const [alice, bob] = f.users;
      const keeper = f.users[9];
      expect(await owed(keeper.address)).to.deep.equal([0n, 0n]);
      const first = await openVault(alice, f.weth, 10n * WAD);
      const second = await openVault(bob, f.weth, 5n * WAD);
      await movePrice(f.weth, 2_580n * WAD);
      const a = await liquidate(first, keeper);
      const b = await liquidate(second, keeper);
      expect(a.incentive).to.equal(keeperIncentive(a.debt));
      expect(b.incentive).to.equal(keeperIncentive(b.debt));
      expect(await owed(keeper.address)).to.deep.equal([a.incentive + b.incentive, a.incentive + b.incentive]);
      await time.increaseTo(a.startTime + 4_200n);
      await setPrice(f.weth, 2_500n * WAD);
      await f.dutchAuction.reset(a.auctionId, keeper.address);
      const total = a.incentive + b.incentive + keeperIncentive(a.debt);
      expect(await owed(keeper.address)).to.deep.equal([total, total]);
    });

    it("claimIncentives_surplusCoversIt_mintsToTheRecipientOutOfTheSurplus", async function () {
      const [, buyer, recipient] = f.users;
      const keeper = f.users[9];
      await fund(buyer, f.weth);
      const auction = await startAuction(f.weth, { keeper });
      // A take's proceeds go to the surplus.
      await take(buyer, auction.auctionId, WAD);
      const amount = auction.incentive;
      expect(amount).to.be.gt(0n);
      const surplus = await f.vaultEngine.surplus();
      const deficit = await f.vaultEngine.deficit();
      expect(surplus).to.be.gte(amount * RAY);
      const supply = await f.stablecoin.totalSupply();
      expect(await f.dutchAuction.connect(keeper).claimIncentives.staticCall(recipient.address)).to.equal(amount);
      await expect(f.dutchAuction.connect(keeper).claimIncentives(recipient.address))
        .to.emit(f.dutchAuction, "IncentivesClaimed")
        .withArgs(keeper.address, recipient.address, amount)
        .and.to.emit(f.vaultEngine, "KeeperPaid")
        .withArgs(recipient.address, amount);
      expect(await f.stablecoin.balanceOf(recipient.address)).to.equal(amount);
      expect(await f.stablecoin.balanceOf(keeper.address)).to.equal(0n);
      expect(await f.stablecoin.totalSupply()).to.equal(supply + amount);
      expect(await f.vaultEngine.surplus()).to.equal(surplus - amount * RAY);
      expect(await f.vaultEngine.deficit()).to.equal(deficit);
      expect(await owed(keeper.address)).to.deep.equal([0n, amount]);
      await expectDebtIdentity();
      await expectBooksBalanced();
    });

    it("claimIncentives_surplusShort_booksTheRestInTheDeficit", async function () {
      const [, buyer] = f.users;
      const keeper = f.users[9];
      await fund(buyer, f.weth);
      const auction = await startAuction(f.weth, { keeper });
      // A small take: some surplus, less than the incentive.
      await take(buyer, auction.auctionId, WAD / 1_000n);
      const amount = auction.incentive;
      const surplus = await f.vaultEngine.surplus();
      const deficit = await f.vaultEngine.deficit();
      expect(surplus).to.be.gt(0n);
      expect(surplus).to.be.lt(amount * RAY);
      await expect(f.dutchAuction.connect(keeper).claimIncentives(keeper.address))
        .to.emit(f.dutchAuction, "IncentivesClaimed")
        .withArgs(keeper.address, keeper.address, amount);
      expect(await f.stablecoin.balanceOf(keeper.address)).to.equal(amount);
      expect(await f.vaultEngine.surplus()).to.equal(0n);
      expect(await f.vaultEngine.deficit()).to.equal(deficit + amount * RAY - surplus);
      expect(await owed(keeper.address)).to.deep.equal([0n, amount]);
      await expectDebtIdentity();
      await expectBooksBalanced();
    });

    it("claimIncentives_afterAClaim_owesOnlyWhatWasEarnedSinceAndEarnedKeepsGrowing", async function () {
      const keeper = f.users[9];
      const auction = await startAuction(f.weth, { keeper });
      await f.dutchAuction.connect(keeper).claimIncentives(keeper.address);
      await expect(f.dutchAuction.connect(keeper).claimIncentives(keeper.address))
        .to.be.revertedWithCustomError(f.dutchAuction, "NothingToClaim")
        .withArgs(keeper.address);
      await time.increaseTo(auction.startTime + 4_200n);
      await setPrice(f.weth, 2_500n * WAD);
      await f.dutchAuction.reset(auction.auctionId, keeper.address);
      const second = keeperIncentive(auction.debt);
      expect(await owed(keeper.address)).to.deep.equal([second, auction.incentive + second]);
      await f.dutchAuction.connect(keeper).claimIncentives(keeper.address);
      expect(await owed(keeper.address)).to.deep.equal([0n, auction.incentive + second]);
      expect(await f.stablecoin.balanceOf(keeper.address)).to.equal(auction.incentive + second);
      await expectDebtIdentity();
    });

    it("claimIncentives_nothingOwed_revertsNothingToClaim", async function () {
      const caller = f.users[4];
      await expect(f.dutchAuction.connect(caller).claimIncentives(caller.address))
        .to.be.revertedWithCustomError(f.dutchAuction, "NothingToClaim")
        .withArgs(caller.address);
    });

    it("claimIncentives_zeroRecipient_revertsZeroAddressAndKeepsTheCredit", async function () {
      const keeper = f.users[9];
      const auction = await startAuction(f.weth, { keeper });
      await expect(f.dutchAuction.connect(keeper).claimIncentives(ethers.ZeroAddress)).to.be.revertedWithCustomError(
        f.dutchAuction,
        "ZeroAddress",
      );
      expect(await owed(keeper.address)).to.deep.equal([auction.incentive, auction.incentive]);
    });
  });

  // ------------------------------------------------------------ breaker

  describe("circuit breaker", function () {
    it("raiseBreaker_guardianWithoutGovernorRole_raisesButCannotLower", async function () {
      const guardian = f.users[4];
      await f.accessManager.grantRole(ROLES.GUARDIAN, guardian.address, 0);
      await expect(f.dutchAuction.connect(guardian).raiseBreaker(2))
        .to.emit(f.dutchAuction, "BreakerLevelSet")
        .withArgs(2);
      expect(await f.dutchAuction.breakerLevel()).to.equal(2n);
      await expect(f.dutchAuction.connect(guardian).lowerBreaker(0))
        .to.be.revertedWithCustomError(f.dutchAuction, "AccessManagedUnauthorized")
        .withArgs(guardian.address);
      await expect(f.dutchAuction.lowerBreaker(0)).to.emit(f.dutchAuction, "BreakerLevelSet").withArgs(0);
      expect(await f.dutchAuction.breakerLevel()).to.equal(0n);
    });

    it("raiseBreaker_notUpwardOrAboveThree_reverts", async function () {
      for (const level of [0, 4, 255]) {
        await expect(f.dutchAuction.raiseBreaker(level))
          .to.be.revertedWithCustomError(f.dutchAuction, "BreakerLevelInvalid")
          .withArgs(level, 0);
      }
      await f.dutchAuction.raiseBreaker(2);
      for (const level of [1, 2, 4]) {
        await expect(f.dutchAuction.raiseBreaker(level))
          .to.be.revertedWithCustomError(f.dutchAuction, "BreakerLevelInvalid")
          .withArgs(level, 2);
      }
      await f.dutchAuction.raiseBreaker(3);
      expect(await f.dutchAuction.breakerLevel()).to.equal(3n);
    });

    it("lowerBreaker_notDownward_reverts", async function () {
      await expect(f.dutchAuction.lowerBreaker(0))
        .to.be.revertedWithCustomError(f.dutchAuction, "BreakerLevelInvalid")
        .withArgs(0, 0);
      await f.dutchAuction.raiseBreaker(3);
      for (const level of [3, 5]) {
        await expect(f.dutchAuction.lowerBreaker(level))
          .to.be.revertedWithCustomError(f.dutchAuction, "BreakerLevelInvalid")
          .withArgs(level, 3);
      }
      await f.dutchAuction.lowerBreaker(1);
      expect(await f.dutchAuction.breakerLevel()).to.equal(1n);
    });

    it("breakerLevelOne_blocksNewAuctionsButNotResetsOrTakes", async function () {
      const [alice, bob, keeper, buyer] = f.users;
      await fund(buyer, f.weth);
      const second = await openVault(bob, f.weth, 10n * WAD);
      const auction = await startAuction(f.weth, { owner: alice });
      await f.dutchAuction.raiseBreaker(1);
      await expect(f.liquidator.liquidate(second, keeper.address))
        .to.be.revertedWithCustomError(f.dutchAuction, "BreakerTripped")
        .withArgs(1);
      await time.increaseTo(auction.startTime + 4_200n);
      await setPrice(f.weth, 2_500n * WAD);
      await expect(f.dutchAuction.reset(auction.auctionId, keeper.address)).to.emit(f.dutchAuction, "AuctionReset");
      await expect(f.dutchAuction.connect(buyer).take(auction.auctionId, WAD, MAX, buyer.address, "0x")).to.emit(
        f.dutchAuction,
        "Take",
      );
    });

    it("breakerLevelTwo_blocksResetsButNotTakes", async function () {
      const [alice, keeper, buyer] = f.users;
      await fund(buyer, f.weth);
      const auction = await startAuction(f.weth, { owner: alice });
      await f.dutchAuction.raiseBreaker(2);
      await expect(f.dutchAuction.connect(buyer).take(auction.auctionId, WAD, MAX, buyer.address, "0x")).to.emit(
        f.dutchAuction,
        "Take",
      );
      await time.increaseTo(auction.startTime + 4_200n);
      await setPrice(f.weth, 2_500n * WAD);
      await expect(f.dutchAuction.reset(auction.auctionId, keeper.address))
        .to.be.revertedWithCustomError(f.dutchAuction, "BreakerTripped")
        .withArgs(2);
      await f.dutchAuction.lowerBreaker(1);
      await expect(f.dutchAuction.reset(auction.auctionId, keeper.address)).to.emit(f.dutchAuction, "AuctionReset");
    });

    it("breakerLevelThree_blocksTakesUntilLowered", async function () {
      const [alice, buyer] = f.users;
      await fund(buyer, f.weth);
      const auction = await startAuction(f.weth, { owner: alice });
      await f.dutchAuction.raiseBreaker(3);
      await expect(f.dutchAuction.connect(buyer).take(auction.auctionId, WAD, MAX, buyer.address, "0x"))
        .to.be.revertedWithCustomError(f.dutchAuction, "BreakerTripped")
        .withArgs(3);
      await f.dutchAuction.lowerBreaker(2);
      await expect(f.dutchAuction.connect(buyer).take(auction.auctionId, WAD, MAX, buyer.address, "0x")).to.emit(
        f.dutchAuction,
        "Take",
      );
    });
  });

  // ------------------------------------------------------------ take

  describe("take", function () {
    it("take_unknownOrEndedAuction_revertsNotActive", async function () {
      const buyer = f.users[1];
      await expect(f.dutchAuction.connect(buyer).take(7n, 1n, MAX, buyer.address, "0x"))
        .to.be.revertedWithCustomError(f.dutchAuction, "AuctionNotActive")
        .withArgs(7n);
      await fund(buyer, f.weth);
      const auction = await startAuction(f.weth);
      await take(buyer, auction.auctionId, MAX);
      await expect(f.dutchAuction.connect(buyer).take(auction.auctionId, 1n, MAX, buyer.address, "0x"))
        .to.be.revertedWithCustomError(f.dutchAuction, "AuctionNotActive")
        .withArgs(auction.auctionId);
    });

    it("take_zeroReceiver_reverts", async function () {
      const auction = await startAuction(f.weth);
      await expect(
        f.dutchAuction.take(auction.auctionId, 1n, MAX, ethers.ZeroAddress, "0x"),
      ).to.be.revertedWithCustomError(f.dutchAuction, "ZeroAddress");
    });

    it("take_aboveMaxPrice_revertsAndAtMaxPriceExecutes", async function () {
      const buyer = f.users[1];
      await fund(buyer, f.weth);
      const auction = await startAuction(f.weth);
      const price = await pinAt(auction, f.weth, 150n);
      await expect(f.dutchAuction.connect(buyer).take(auction.auctionId, WAD, price - 1n, buyer.address, "0x"))
        .to.be.revertedWithCustomError(f.dutchAuction, "PriceAboveMax")
        .withArgs(price, price - 1n);
      await time.setNextBlockTimestamp(auction.startTime + 151n);
      await expect(f.dutchAuction.connect(buyer).take(auction.auctionId, WAD, price, buyer.address, "0x"))
        .to.emit(f.dutchAuction, "Take")
        .withArgs(auction.auctionId, buyer.address, buyer.address, WAD, mulWadUp(WAD, price), price);
    });

    it("take_zeroCollateral_revertsZeroTake", async function () {
      const auction = await startAuction(f.weth);
      await expect(
        f.dutchAuction.take(auction.auctionId, 0n, MAX, f.users[1].address, "0x"),
      ).to.be.revertedWithCustomError(f.dutchAuction, "ZeroTake");
    });

    it("take_trimmedToLessThanOneTokenUnit_revertsZeroTake", async function () {
      const buyer = f.users[1];
      await fund(buyer, f.wbtc);
      const auction = await startAuction(f.wbtc);
      // Leave exactly the minimum, then lower it by 1,000 wei: a take may pay only those 1,000 wei,
      // which buy less than one unit (1e-8 WBTC) of collateral.
      await take(buyer, auction.auctionId, amountDown(auction.debt - 50n * WAD, 8, auction.startPrice));
      expect((await f.dutchAuction.auctions(auction.auctionId)).debtLeft).to.equal(MIN_DEBT_LEFT);
      await f.vaultEngine.setDust(wbtc, MIN_DEBT_LEFT - 1_000n);
      await expect(
        f.dutchAuction.connect(buyer).take(auction.auctionId, 1n, MAX, buyer.address, "0x"),
      ).to.be.revertedWithCustomError(f.dutchAuction, "ZeroTake");
    });

    it("take_belowResetPriceRatio_revertsNeedsReset", async function () {
      const buyer = f.users[1];
      const auction = await startAuction(f.weth);
      // 0.99^68 ≈ 0.505 is above the 50% resetPriceRatio; 0.99^69 ≈ 0.4998 is below it.
      expect(needsReset(f.weth, auction.startPrice, 4_139n)).to.equal(false);
      expect(needsReset(f.weth, auction.startPrice, 4_140n)).to.equal(true);
      await time.increaseTo(auction.startTime + 4_139n);
      expect((await f.dutchAuction.auctionStatus(auction.auctionId)).needsReset).to.equal(false);
      await time.increaseTo(auction.startTime + 4_140n);
      expect((await f.dutchAuction.auctionStatus(auction.auctionId)).needsReset).to.equal(true);
      await expect(f.dutchAuction.connect(buyer).take(auction.auctionId, 1n, MAX, buyer.address, "0x"))
        .to.be.revertedWithCustomError(f.dutchAuction, "AuctionNeedsReset")
        .withArgs(auction.auctionId);
    });

    it("take_pastMaxAuctionAge_revertsNeedsReset", async function () {
      const buyer = f.users[1];
      await f.dutchAuction.setResetPriceRatio(wbtc, 0n);
      const auction = await startAuction(f.wbtc);
      const maxAuctionAge = WBTC_AUCTION.maxAuctionAge;
      await time.increaseTo(auction.startTime + maxAuctionAge);
      expect((await f.dutchAuction.auctionStatus(auction.auctionId)).needsReset).to.equal(false);
      await time.increaseTo(auction.startTime + maxAuctionAge + 1n);
      const status = await f.dutchAuction.auctionStatus(auction.auctionId);
      expect(status.needsReset).to.equal(true);
      expect(status.price)
        .to.equal(curvePrice(f.wbtc, auction.startPrice, maxAuctionAge + 1n))
        .and.to.be.gt(0n);
      await expect(f.dutchAuction.connect(buyer).take(auction.auctionId, 1n, MAX, buyer.address, "0x"))
        .to.be.revertedWithCustomError(f.dutchAuction, "AuctionNeedsReset")
        .withArgs(auction.auctionId);
    });

    it("take_partial_paysTheCurvePriceRoundedUpAndShrinksTheVaultsAuctionCollateral", async function () {
      const [, buyer, , , , receiver] = f.users;
      await fund(buyer, f.wbtc);
      const auction = await startAuction(f.wbtc);
      const vaultBefore = await f.vaultEngine.vaults(auction.vaultId);
      const amount = 12_345_679n; // 0.12345679 WBTC
      const price = await pinAt(auction, f.wbtc, 777n);
      const paid = valueUp(amount, 8, price);
      const stableBefore = await f.stablecoin.balanceOf(buyer.address);
      const [debtBefore, totalBefore] = await debtInAuction(wbtc);
      const surplusBefore = await f.vaultEngine.surplus();
      expect(
        await f.dutchAuction.connect(buyer).take.staticCall(auction.auctionId, amount, MAX, receiver.address, "0x", {
          blockTag: "pending",
        }),
      ).to.deep.equal([amount, paid]);
      await expect(f.dutchAuction.connect(buyer).take(auction.auctionId, amount, MAX, receiver.address, "0x"))
        .to.emit(f.dutchAuction, "Take")
        .withArgs(auction.auctionId, buyer.address, receiver.address, amount, paid, price)
        .and.not.to.emit(f.dutchAuction, "AuctionEnded");
      // The collateral goes to the receiver, the payment comes from the caller.
      expect(await f.wbtc.token.balanceOf(receiver.address)).to.equal(amount);
      expect(await f.wbtc.token.balanceOf(buyer.address)).to.equal(0n);
      expect(await f.stablecoin.balanceOf(buyer.address)).to.equal(stableBefore - paid);
      expect(await f.vaultEngine.surplus()).to.equal(surplusBefore + paid * RAY);
      // Only the debt and the collateral left move; the rest of the lot is kept as it was.
      expect(plain(await f.dutchAuction.auctions(auction.auctionId))).to.deep.equal({
        vaultId: auction.vaultId,
        collateral: wbtc,
        collateralLeft: auction.collateral - amount,
        debtLeft: auction.debt - paid,
        startPrice: auction.startPrice,
        startTime: auction.startTime,
        vaultKeepsCollateral: true,
      });
      const vault = await f.vaultEngine.vaults(auction.vaultId);
      expect([vault.inAuction, vault.auctionCollateral, vault.collateralAmount, vault.normalizedDebt]).to.deep.equal([
        true,
        auction.collateral - amount,
        vaultBefore.collateralAmount,
        vaultBefore.normalizedDebt,
      ]);
      expect(await debtInAuction(wbtc)).to.deep.equal([debtBefore - paid, totalBefore - paid]);
      await expectBooksBalanced();
    });

    it("take_leavingLessThanMinDebt_isTrimmedToLeaveExactlyTheMinimum", async function () {
      const buyer = f.users[1];
      await fund(buyer, f.weth);
      const auction = await startAuction(f.weth);
      const price = await pinAt(auction, f.weth, 30n);
      // Ask for collateral worth all but 50 of the debt: it would leave less than the 100 minimum.
      const asked = divWadDown(auction.debt - 50n * WAD, price);
      expect(asked).to.be.lt(auction.collateral);
      const paid = auction.debt - MIN_DEBT_LEFT;
      const bought = divWadDown(paid, price);
      await expect(f.dutchAuction.connect(buyer).take(auction.auctionId, asked, MAX, buyer.address, "0x"))
        .to.emit(f.dutchAuction, "Take")
        .withArgs(auction.auctionId, buyer.address, buyer.address, bought, paid, price);
      const state = await f.dutchAuction.auctions(auction.auctionId);
      expect(state.debtLeft).to.equal(MIN_DEBT_LEFT);
      expect(state.collateralLeft).to.equal(auction.collateral - bought);
      expect((await f.vaultEngine.vaults(auction.vaultId)).auctionCollateral).to.equal(auction.collateral - bought);
      expect(await debtInAuction(weth)).to.deep.equal([MIN_DEBT_LEFT, MIN_DEBT_LEFT]);
      // The buyer never pays less than what the collateral is worth at the price, rounded up.
      expect(paid).to.be.gte(mulWadUp(bought, price));
      await expectBooksBalanced();
    });

    it("take_partialWithDebtAtTheMinimum_revertsTakeLeavesDust", async function () {
      const buyer = f.users[1];
      await fund(buyer, f.weth);
      const auction = await startAuction(f.weth);
      await take(buyer, auction.auctionId, divWadDown(auction.debt - 50n * WAD, auction.startPrice));
      expect((await f.dutchAuction.auctions(auction.auctionId)).debtLeft).to.equal(MIN_DEBT_LEFT);
      const price = await pinAt(auction, f.weth, 200n);
      await expect(f.dutchAuction.connect(buyer).take(auction.auctionId, 1n, MAX, buyer.address, "0x"))
        .to.be.revertedWithCustomError(f.dutchAuction, "TakeLeavesDust")
        .withArgs(MIN_DEBT_LEFT - mulWadUp(1n, price), MIN_DEBT_LEFT);
      // Covering the whole debt is still allowed.
      await time.setNextBlockTimestamp(auction.startTime + 201n);
      await expect(f.dutchAuction.connect(buyer).take(auction.auctionId, MAX, MAX, buyer.address, "0x")).to.emit(
        f.dutchAuction,
        "AuctionEnded",
      );
    });

    it("take_partialOfALotUnderTheMinimum_revertsTakeLeavesDust", async function () {
      // A lot raising less than the dust from the start (the dust was raised after it started).
      const buyer = f.users[1];
      await fund(buyer, f.weth);
      const auction = await startAuction(f.weth);
      await f.vaultEngine.setDust(weth, auction.debt + 1n);
      await time.setNextBlockTimestamp(auction.startTime + 10n);
      await expect(f.dutchAuction.connect(buyer).take(auction.auctionId, WAD, MAX, buyer.address, "0x"))
        .to.be.revertedWithCustomError(f.dutchAuction, "TakeLeavesDust")
        .withArgs(auction.debt - mulWadUp(WAD, auction.startPrice), auction.debt + 1n);
      await expect(f.dutchAuction.connect(buyer).take(auction.auctionId, MAX, MAX, buyer.address, "0x"))
        .to.emit(f.dutchAuction, "AuctionEnded")
        .withArgs(auction.auctionId, auction.collateral - divWadDown(auction.debt, auction.startPrice), 0n, 0n);
    });

    it("take_everything_paysExactlyTheDebtAndReturnsTheRestToTheVault", async function () {
      const buyer = f.users[1];
      await fund(buyer, f.weth);
      const auction = await startAuction(f.weth);
      expect(auction.partial).to.equal(true);
      const vaultBefore = await f.vaultEngine.vaults(auction.vaultId);
      const price = await pinAt(auction, f.weth, 90n);
      const bought = divWadDown(auction.debt, price);
      expect(bought).to.be.lt(auction.collateral);
      const leftover = auction.collateral - bought;
      const stableBefore = await f.stablecoin.balanceOf(buyer.address);
      await expect(f.dutchAuction.connect(buyer).take(auction.auctionId, MAX, MAX, buyer.address, "0x"))
        .to.emit(f.dutchAuction, "Take")
        .withArgs(auction.auctionId, buyer.address, buyer.address, bought, auction.debt, price)
        .and.to.emit(f.dutchAuction, "AuctionEnded")
        .withArgs(auction.auctionId, leftover, 0n, 0n)
        .and.to.emit(f.vaultEngine, "AuctionReturned")
        .withArgs(auction.vaultId, leftover, 0n);
      expect(await f.stablecoin.balanceOf(buyer.address)).to.equal(stableBefore - auction.debt);
      expect(await f.weth.token.balanceOf(buyer.address)).to.equal(bought);
      const vault = await f.vaultEngine.vaults(auction.vaultId);
      expect([vault.inAuction, vault.auctionCollateral, vault.collateralAmount, vault.normalizedDebt]).to.deep.equal([
        false,
        0n,
        vaultBefore.collateralAmount + leftover,
        vaultBefore.normalizedDebt,
      ]);
      expect(plain(await f.dutchAuction.auctions(auction.auctionId))).to.deep.equal(NO_AUCTION);
      expect([...(await f.dutchAuction.auctionStatus(auction.auctionId))]).to.deep.equal([false, 0n, 0n, 0n]);
      expect(await active()).to.deep.equal([]);
      expect(await debtInAuction(weth)).to.deep.equal([0n, 0n]);
      await expectBooksBalanced();
    });

    it("take_everythingOfAFullLiquidation_returnsTheLeftoverToTheEmptiedVault", async function () {
      const buyer = f.users[1];
      await fund(buyer, f.weth);
      await f.liquidator.setFullLiquidationHealth(weth, WAD);
      const auction = await startAuction(f.weth);
      expect(auction.partial).to.equal(false);
      const price = await pinAt(auction, f.weth, 1n);
      const bought = divWadDown(auction.debt, price);
      expect(bought).to.be.lt(auction.collateral);
      const leftover = auction.collateral - bought;
      await expect(f.dutchAuction.connect(buyer).take(auction.auctionId, MAX, MAX, buyer.address, "0x"))
        .to.emit(f.dutchAuction, "AuctionEnded")
        .withArgs(auction.auctionId, leftover, 0n, 0n);
      const vault = await f.vaultEngine.vaults(auction.vaultId);
      expect([vault.inAuction, vault.auctionCollateral, vault.collateralAmount, vault.normalizedDebt]).to.deep.equal([
        false,
        0n,
        leftover,
        0n,
      ]);
      expect(await debtInAuction(weth)).to.deep.equal([0n, 0n]);
      await expectBooksBalanced();
    });

    it("take_exhaustingAPartialLot_returnsTheUnraisedDebtToTheVault", async function () {
      const buyer = f.users[1];
      await fund(buyer, f.weth);
      const auction = await startAuction(f.weth);
      const vaultBefore = await f.vaultEngine.vaults(auction.vaultId);
      expect(vaultBefore.collateralAmount).to.be.gt(0n);
      // 55 steps down, 1.1·0.99^55 ≈ 0.63 of the oracle price: the lot no longer covers the debt.
      const price = await pinAt(auction, f.weth, 3_300n);
      const paid = mulWadUp(auction.collateral, price);
      expect(paid).to.be.lt(auction.debt);
      const returned = auction.debt - paid;
      const deficitBefore = await f.vaultEngine.deficit();
      const surplusBefore = await f.vaultEngine.surplus();
      const receipt = await take(buyer, auction.auctionId, MAX);
      expect(eventsIn(receipt, f.dutchAuction, "AuctionEnded")).to.deep.equal([
        { auctionId: auction.auctionId, collateralReturned: 0n, debtReturned: returned, badDebt: 0n },
      ]);
      expect(eventsIn(receipt, f.vaultEngine, "AuctionReturned")).to.deep.equal([
        { vaultId: auction.vaultId, collateralAmount: 0n, debtReturned: returned },
      ]);
      const vault = await f.vaultEngine.vaults(auction.vaultId);
      const [rate] = await f.vaultEngine.collateralState(weth);
      const added = mulDivUp(returned, RAY, rate);
      expect([vault.inAuction, vault.auctionCollateral, vault.collateralAmount, vault.normalizedDebt]).to.deep.equal([
        false,
        0n,
        vaultBefore.collateralAmount,
        vaultBefore.normalizedDebt + added,
      ]);
      // The debt leaves the deficit; the proceeds and the fees accrued in the same call reach the surplus.
      const fees = eventsIn(receipt, f.vaultEngine, "FeesAccrued").reduce((sum, e) => sum + e.surplusAdded, 0n);
      expect(await f.vaultEngine.deficit()).to.equal(deficitBefore - added * rate);
      expect(await f.vaultEngine.surplus()).to.equal(surplusBefore + paid * RAY + fees);
      expect(plain(await f.dutchAuction.auctions(auction.auctionId))).to.deep.equal(NO_AUCTION);
      expect(await debtInAuction(weth)).to.deep.equal([0n, 0n]);
      await expectBooksBalanced();
    });

    it("take_exhaustingAFullLot_recordsBadDebt", async function () {
      const buyer = f.users[1];
      await fund(buyer, f.weth);
      // Health ≈ 0.84: the whole vault goes, and 10 WETH at 1.1·2,200 is worth less than 1.08 × debt.
      const auction = await startAuction(f.weth, { price: 2_200n * WAD });
      expect(auction.partial).to.equal(false);
      const vaultBefore = await f.vaultEngine.vaults(auction.vaultId);
      expect([vaultBefore.collateralAmount, vaultBefore.normalizedDebt]).to.deep.equal([0n, 0n]);
      const price = await pinAt(auction, f.weth, 5n);
      const paid = mulWadUp(auction.collateral, price);
      expect(paid).to.be.lt(auction.debt);
      const deficitBefore = await f.vaultEngine.deficit();
      const surplusBefore = await f.vaultEngine.surplus();
      const receipt = await take(buyer, auction.auctionId, MAX);
      expect(eventsIn(receipt, f.dutchAuction, "AuctionEnded")).to.deep.equal([
        { auctionId: auction.auctionId, collateralReturned: 0n, debtReturned: 0n, badDebt: auction.debt - paid },
      ]);
      // Bad debt stays in the deficit; only the proceeds reach the surplus.
      expect(await f.vaultEngine.deficit()).to.equal(deficitBefore);
      expect(await f.vaultEngine.surplus()).to.equal(surplusBefore + paid * RAY);
      const vault = await f.vaultEngine.vaults(auction.vaultId);
      expect([vault.inAuction, vault.auctionCollateral, vault.collateralAmount, vault.normalizedDebt]).to.deep.equal([
        false,
        0n,
        0n,
        0n,
      ]);
      expect(await debtInAuction(weth)).to.deep.equal([0n, 0n]);
      await expectBooksBalanced();
    });

    it("take_exhaustingAFullLotAfterAPartialTake_stillRecordsBadDebt", async function () {
      const buyer = f.users[1];
      await fund(buyer, f.weth);
      const auction = await startAuction(f.weth, { price: 2_200n * WAD });
      expect(auction.partial).to.equal(false);
      const first = await pinAt(auction, f.weth, 5n);
      await take(buyer, auction.auctionId, WAD);
      const debtLeft = auction.debt - mulWadUp(WAD, first);
      expect(plain(await f.dutchAuction.auctions(auction.auctionId))).to.deep.equal({
        vaultId: auction.vaultId,
        collateral: weth,
        collateralLeft: auction.collateral - WAD,
        debtLeft,
        startPrice: auction.startPrice,
        startTime: auction.startTime,
        vaultKeepsCollateral: false,
      });
      const second = await pinAt(auction, f.weth, 65n);
      const paid = mulWadUp(auction.collateral - WAD, second);
      expect(paid).to.be.lt(debtLeft);
      const receipt = await take(buyer, auction.auctionId, MAX);
      expect(eventsIn(receipt, f.dutchAuction, "AuctionEnded")).to.deep.equal([
        { auctionId: auction.auctionId, collateralReturned: 0n, debtReturned: 0n, badDebt: debtLeft - paid },
      ]);
      expect(await debtInAuction(weth)).to.deep.equal([0n, 0n]);
      await expectBooksBalanced();
    });

    it("take_withCallbackData_sendsTheCollateralCallsOnTakeThenCollects", async function () {
      const buyer = await new MockTakeBuyer__factory(f.governor).deploy(await f.dutchAuction.getAddress());
      const buyerAddress = await buyer.getAddress();
      const funder = f.users[1];
      await fund(funder, f.weth);
      const auction = await startAuction(f.weth);
      await f.stablecoin.connect(funder).transfer(buyerAddress, 5_000n * WAD);
      const price = await pinAt(auction, f.weth, 65n);
      const tx = await buyer.buy(auction.auctionId, WAD, MAX);
      const paid = mulWadUp(WAD, price);
      await expect(tx)
        .to.emit(f.dutchAuction, "Take")
        .withArgs(auction.auctionId, buyerAddress, buyerAddress, WAD, paid, price);
      expect(await buyer.calls()).to.equal(1n);
      expect(await f.weth.token.balanceOf(buyerAddress)).to.equal(WAD);
      expect(await f.stablecoin.balanceOf(buyerAddress)).to.equal(5_000n * WAD - paid);
      expect((await f.vaultEngine.vaults(auction.vaultId)).auctionCollateral).to.equal(auction.collateral - WAD);
      // Collateral out before the payment is burnt.
      const receipt = (await tx.wait())!;
      const transfers = (token: { target: unknown; interface: Interface }) =>
        receipt.logs.findIndex(
          (log) => log.address === token.target && token.interface.parseLog(log)?.name === "Transfer",
        );
      const collateralOut = transfers(f.weth.token);
      const paymentBurnt = transfers(f.stablecoin);
      expect(collateralOut).to.be.gte(0);
      expect(paymentBurnt).to.be.gt(collateralOut);
      await expectBooksBalanced();
    });

    it("take_receiverIsTheEngine_revertsForbiddenCallbackTargetWithOrWithoutData", async function () {
      const buyer = f.users[1];
      await fund(buyer, f.weth);
      const auction = await startAuction(f.weth);
      const engine = await f.vaultEngine.getAddress();
      for (const data of ["0x", "0x01"]) {
        await expect(f.dutchAuction.connect(buyer).take(auction.auctionId, WAD, MAX, engine, data))
          .to.be.revertedWithCustomError(f.dutchAuction, "ForbiddenCallbackTarget")
          .withArgs(engine);
      }
    });

    it("take_callbackToACoreContract_revertsForbiddenCallbackTarget", async function () {
      const buyer = f.users[1];
      await fund(buyer, f.weth);
      const auction = await startAuction(f.weth);
      const before = plain(await f.dutchAuction.auctions(auction.auctionId));
      const targets = [
        await f.stablecoin.getAddress(),
        await f.oracleHub.getAddress(),
        await f.liquidator.getAddress(),
        await f.accessManager.getAddress(),
        await f.dutchAuction.getAddress(),
        weth,
      ];
      for (const target of targets) {
        await expect(f.dutchAuction.connect(buyer).take(auction.auctionId, WAD, MAX, target, "0x01"))
          .to.be.revertedWithCustomError(f.dutchAuction, "ForbiddenCallbackTarget")
          .withArgs(target);
      }
      expect(plain(await f.dutchAuction.auctions(auction.auctionId))).to.deep.equal(before);
      await expectBooksBalanced();
    });
  });

  // ------------------------------------------------------------ price

  describe("price", function () {
    const offsets = [0n, 1n, 59n, 60n, 61n, 119n, 120n, 599n, 600n, 1_234n, 3_599n, 3_600n, 4_139n, 4_140n];

    for (const [symbol, extra] of [
      ["WETH", [5_555n, 7_199n, 7_200n, 7_201n]],
      ["WBTC", [5_399n, 5_400n, 5_401n, 7_200n, 7_201n, 10_799n, 10_800n, 12_000n]],
    ] as const) {
      it(`auctionStatus_${symbol}_followsItsCurveToTheWei`, async function () {
        const c = symbol === "WETH" ? f.weth : f.wbtc;
        const auction = await startAuction(c);
        for (const elapsed of [...offsets, ...extra]) {
          if (elapsed > 0n) await time.increaseTo(auction.startTime + elapsed);
          const status = await f.dutchAuction.auctionStatus(auction.auctionId);
          expect(status.price, `price at +${elapsed}s`).to.equal(curvePrice(c, auction.startPrice, elapsed));
          expect(status.needsReset, `needsReset at +${elapsed}s`).to.equal(needsReset(c, auction.startPrice, elapsed));
          expect([status.collateralLeft, status.debtLeft]).to.deep.equal([auction.collateral, auction.debt]);
        }
      });
    }

    it("take_atAnyTime_usesTheCurvePriceOfItsBlock", async function () {
      const buyer = f.users[1];
      await fund(buyer, f.wbtc);
      const auction = await startAuction(f.wbtc);
      for (const elapsed of [3n, 333n, 1_001n, 2_500n, 4_321n]) {
        const price = await pinAt(auction, f.wbtc, elapsed);
        const receipt = await take(buyer, auction.auctionId, 1_000_000n);
        const [event] = eventsIn(receipt, f.dutchAuction, "Take");
        expect(event.price).to.equal(price);
        expect(event.debtPaid).to.equal(valueUp(1_000_000n, 8, price));
      }
    });
  });

  // ------------------------------------------------------------ reset

  describe("reset", function () {
    it("reset_freshAuction_revertsNotStale", async function () {
      const auction = await startAuction(f.weth);
      await expect(f.dutchAuction.reset(auction.auctionId, f.users[1].address))
        .to.be.revertedWithCustomError(f.dutchAuction, "AuctionNotStale")
        .withArgs(auction.auctionId);
    });

    it("reset_unknownOrEndedAuction_revertsNotActive", async function () {
      await expect(f.dutchAuction.reset(3n, f.users[1].address))
        .to.be.revertedWithCustomError(f.dutchAuction, "AuctionNotActive")
        .withArgs(3n);
      const buyer = f.users[1];
      await fund(buyer, f.weth);
      const auction = await startAuction(f.weth);
      await take(buyer, auction.auctionId, MAX);
      await time.increaseTo(auction.startTime + 4_200n);
      await expect(f.dutchAuction.reset(auction.auctionId, f.users[1].address))
        .to.be.revertedWithCustomError(f.dutchAuction, "AuctionNotActive")
        .withArgs(auction.auctionId);
    });

    it("reset_zeroKeeper_reverts", async function () {
      const auction = await startAuction(f.weth);
      await time.increaseTo(auction.startTime + 4_200n);
      await setPrice(f.weth, 2_500n * WAD);
      await expect(f.dutchAuction.reset(auction.auctionId, ethers.ZeroAddress)).to.be.revertedWithCustomError(
        f.dutchAuction,
        "ZeroAddress",
      );
    });

    it("reset_staleOracle_reverts", async function () {
      const auction = await startAuction(f.weth);
      await time.increaseTo(auction.startTime + 4_200n);
      await expect(f.dutchAuction.reset(auction.auctionId, f.users[1].address)).to.be.revertedWithCustomError(
        f.oracleHub,
        "StalePrice",
      );
    });

    it("reset_belowResetPriceRatio_restartsAtOraclePriceTimesStartPriceFactorAndOwesTheKeeper", async function () {
      const keeper = f.users[1];
      const auction = await startAuction(f.weth);
      await time.increaseTo(auction.startTime + 4_000n);
      await setPrice(f.weth, 2_500n * WAD);
      const oraclePrice = await f.oracleHub.price(weth);
      expect(oraclePrice).to.equal(2_500n * WAD);
      const startPrice = mulWadUp(oraclePrice, BUF);
      const incentive = keeperIncentive(auction.debt);
      // Stale from the first second below the resetPriceRatio, not before.
      await time.setNextBlockTimestamp(auction.startTime + 4_139n);
      await expect(f.dutchAuction.connect(f.users[2]).reset(auction.auctionId, keeper.address))
        .to.be.revertedWithCustomError(f.dutchAuction, "AuctionNotStale")
        .withArgs(auction.auctionId);
      const resetTime = auction.startTime + 4_140n;
      await time.setNextBlockTimestamp(resetTime);
      await expect(f.dutchAuction.connect(f.users[2]).reset(auction.auctionId, keeper.address))
        .to.emit(f.dutchAuction, "AuctionReset")
        .withArgs(auction.auctionId, keeper.address, startPrice, incentive);
      // Owed, not minted.
      expect(await f.stablecoin.balanceOf(keeper.address)).to.equal(0n);
      expect(await owed(keeper.address)).to.deep.equal([incentive, incentive]);
      expect(plain(await f.dutchAuction.auctions(auction.auctionId))).to.deep.equal({
        vaultId: auction.vaultId,
        collateral: weth,
        collateralLeft: auction.collateral,
        debtLeft: auction.debt,
        startPrice,
        startTime: resetTime,
        vaultKeepsCollateral: true,
      });
      const status = await f.dutchAuction.auctionStatus(auction.auctionId);
      expect([status.needsReset, status.price]).to.deep.equal([false, startPrice]);
      expect(await debtInAuction(weth)).to.deep.equal([auction.debt, auction.debt]);
      await expectBooksBalanced();
    });

    it("reset_pastMaxAuctionAge_restartsTheLinearAuctionWhateverItsPrice", async function () {
      const keeper = f.users[1];
      await f.dutchAuction.setResetPriceRatio(wbtc, 0n);
      const auction = await startAuction(f.wbtc);
      const maxAuctionAge = WBTC_AUCTION.maxAuctionAge;
      await time.increaseTo(auction.startTime + maxAuctionAge - 100n);
      await setPrice(f.wbtc, 48_000n * WAD);
      // At the maxAuctionAge the auction still runs, a second later it is stale though its price is not zero.
      await time.setNextBlockTimestamp(auction.startTime + maxAuctionAge);
      await expect(f.dutchAuction.reset(auction.auctionId, keeper.address))
        .to.be.revertedWithCustomError(f.dutchAuction, "AuctionNotStale")
        .withArgs(auction.auctionId);
      expect(curvePrice(f.wbtc, auction.startPrice, maxAuctionAge + 1n)).to.be.gt(0n);
      const startPrice = mulWadUp(48_000n * WAD, WBTC_AUCTION.startPriceFactor);
      await time.setNextBlockTimestamp(auction.startTime + maxAuctionAge + 1n);
      expect(
        await f.dutchAuction.reset.staticCall(auction.auctionId, keeper.address, { blockTag: "pending" }),
      ).to.equal(startPrice);
      await expect(f.dutchAuction.reset(auction.auctionId, keeper.address))
        .to.emit(f.dutchAuction, "AuctionReset")
        .withArgs(auction.auctionId, keeper.address, startPrice, keeperIncentive(auction.debt));
      const state = await f.dutchAuction.auctions(auction.auctionId);
      expect([state.startPrice, state.startTime]).to.deep.equal([startPrice, auction.startTime + maxAuctionAge + 1n]);
    });

    it("reset_afterAPartialTake_owesTheIncentiveOnTheDebtLeft", async function () {
      const [, buyer] = f.users;
      const keeper = f.users[8];
      await fund(buyer, f.weth);
      const auction = await startAuction(f.weth);
      const price = await pinAt(auction, f.weth, 10n);
      await take(buyer, auction.auctionId, 2n * WAD);
      const debtLeft = auction.debt - mulWadUp(2n * WAD, price);
      expect((await f.dutchAuction.auctions(auction.auctionId)).debtLeft).to.equal(debtLeft);
      await time.increaseTo(auction.startTime + 4_200n);
      await setPrice(f.weth, 2_500n * WAD);
      const incentive = keeperIncentive(debtLeft);
      expect(incentive).to.not.equal(keeperIncentive(auction.debt));
      const startPrice = mulWadUp(2_500n * WAD, BUF);
      const tx = await f.dutchAuction.reset(auction.auctionId, keeper.address);
      await expect(tx)
        .to.emit(f.dutchAuction, "AuctionReset")
        .withArgs(auction.auctionId, keeper.address, startPrice, incentive);
      expect(await owed(keeper.address)).to.deep.equal([incentive, incentive]);
      const resetTime = BigInt((await ethers.provider.getBlock((await tx.wait())!.blockNumber))!.timestamp);
      expect(plain(await f.dutchAuction.auctions(auction.auctionId))).to.deep.equal({
        vaultId: auction.vaultId,
        collateral: weth,
        collateralLeft: auction.collateral - 2n * WAD,
        debtLeft,
        startPrice,
        startTime: resetTime,
        vaultKeepsCollateral: true,
      });
    });

    it("reset_debtLeftUnderTheDust_owesNothingAndAtTheDustOwesTheIncentive", async function () {
      const [, buyer] = f.users;
      const keeper = f.users[8];
      await fund(buyer, f.weth);
      const auction = await startAuction(f.weth);
      // Trim the auction down to exactly the minimum left.
      await take(buyer, auction.auctionId, divWadDown(auction.debt - 50n * WAD, auction.startPrice));
      expect((await f.dutchAuction.auctions(auction.auctionId)).debtLeft).to.equal(MIN_DEBT_LEFT);
      await time.increaseTo(auction.startTime + 4_200n);
      await setPrice(f.weth, 2_500n * WAD);
      const startPrice = mulWadUp(2_500n * WAD, BUF);

      // Raise the dust above the debt left: a dust-sized auction earns nothing.
      await f.vaultEngine.setDust(weth, MIN_DEBT_LEFT + 1n);
      const first = (await (await f.dutchAuction.reset(auction.auctionId, keeper.address)).wait())!;
      expect(eventsIn(first, f.dutchAuction, "AuctionReset")).to.deep.equal([
        { auctionId: auction.auctionId, keeper: keeper.address, startPrice, incentive: 0n },
      ]);
      expect(await owed(keeper.address)).to.deep.equal([0n, 0n]);
      const firstReset = BigInt((await ethers.provider.getBlock(first.blockNumber))!.timestamp);

      // Back to the minimum exactly: it earns the incentive again.
      await time.increaseTo(firstReset + 4_200n);
      await setPrice(f.weth, 2_500n * WAD);
      await f.vaultEngine.setDust(weth, MIN_DEBT_LEFT);
      const incentive = keeperIncentive(MIN_DEBT_LEFT);
      expect(incentive).to.equal(20n * WAD + WAD / 10n);
      await expect(f.dutchAuction.reset(auction.auctionId, keeper.address))
        .to.emit(f.dutchAuction, "AuctionReset")
        .withArgs(auction.auctionId, keeper.address, startPrice, incentive);
      expect(await owed(keeper.address)).to.deep.equal([incentive, incentive]);
      expect(await f.stablecoin.balanceOf(keeper.address)).to.equal(0n);
      await expectBooksBalanced();
    });
  });

  // ------------------------------------------------------------ views

  describe("views", function () {
    it("auctions_afterStart_storeTheLotUnderTheVaultId", async function () {
      const auction = await startAuction(f.weth);
      const [oraclePrice] = await f.oracleHub.priceState(weth);
      const vault = await f.vaultEngine.vaults(auction.vaultId);
      expect(plain(await f.dutchAuction.auctions(auction.auctionId))).to.deep.equal({
        vaultId: auction.vaultId,
        collateral: weth,
        collateralLeft: vault.auctionCollateral,
        debtLeft: auction.debt,
        startPrice: mulWadUp(oraclePrice, BUF),
        startTime: auction.startTime,
        // startAuction liquidates part of a vault, which keeps collateral of its own.
        vaultKeepsCollateral: true,
      });
      expect(vault.auctionCollateral).to.equal(auction.collateral);
      expect(auction.auctionId).to.equal(auction.vaultId);
    });

    it("auctions_fullLiquidation_doesNotLetTheVaultKeepCollateral", async function () {
      const auction = await startAuction(f.weth, { price: 2_200n * WAD });
      expect((await f.dutchAuction.auctions(auction.auctionId)).vaultKeepsCollateral).to.equal(false);
    });

    it("auctionsAndAuctionStatus_noAuction_areAllZero", async function () {
      expect([...(await f.dutchAuction.auctionStatus(1n))]).to.deep.equal([false, 0n, 0n, 0n]);
      expect(plain(await f.dutchAuction.auctions(1n))).to.deep.equal(NO_AUCTION);
      // A vault that exists but was never liquidated.
      const vaultId = await openVault(f.users[0], f.weth, WAD, 0n);
      expect(plain(await f.dutchAuction.auctions(vaultId))).to.deep.equal(NO_AUCTION);
    });

    it("activeAuctions_andDebtInAuction_trackRunningAuctionsByVaultId", async function () {
      const [alice, bob, carol, dave, buyer] = f.users;
      expect(await active()).to.deep.equal([]);
      const first = await openVault(alice, f.weth, 10n * WAD);
      const healthy = await openVault(dave, f.weth, 10n * WAD, 50n);
      const second = await openVault(bob, f.weth, 10n * WAD);
      await fund(buyer, f.weth);
      const third = await openVault(carol, f.weth, 10n * WAD);
      await movePrice(f.weth, 2_580n * WAD);
      const auctions = [await liquidate(third), await liquidate(first), await liquidate(second)];
      expect(auctions.map((a) => a.auctionId)).to.deep.equal([third, first, second]);
      expect(await active()).to.deep.equal([first, second, third]);
      expect(healthy).to.equal(2n);
      const total = auctions.reduce((sum, a) => sum + a.debt, 0n);
      expect(await debtInAuction(weth)).to.deep.equal([total, total]);
      expect(await debtInAuction(wbtc)).to.deep.equal([0n, total]);
      await take(buyer, second, MAX);
      expect(await active()).to.deep.equal([first, third]);
      const rest = total - auctions[2].debt;
      expect(await debtInAuction(weth)).to.deep.equal([rest, rest]);
      await expectBooksBalanced();
    });

    it("liquidate_afterItsAuctionEnded_startsANewAuctionUnderTheSameId", async function () {
      const buyer = f.users[1];
      const auction = await startAuction(f.weth);
      await fund(buyer, f.weth);
      await take(buyer, auction.auctionId, MAX);
      expect(plain(await f.dutchAuction.auctions(auction.vaultId))).to.deep.equal(NO_AUCTION);
      await movePrice(f.weth, 2_000n * WAD);
      const again = await liquidate(auction.vaultId);
      expect(again.auctionId).to.equal(auction.vaultId);
      expect(again.startTime).to.be.gt(auction.startTime);
      const [oraclePrice] = await f.oracleHub.priceState(weth);
      const vault = await f.vaultEngine.vaults(auction.vaultId);
      expect(plain(await f.dutchAuction.auctions(auction.vaultId))).to.deep.equal({
        vaultId: auction.vaultId,
        collateral: weth,
        collateralLeft: again.collateral,
        debtLeft: again.debt,
        startPrice: mulWadUp(oraclePrice, BUF),
        startTime: again.startTime,
        vaultKeepsCollateral: vault.collateralAmount > 0n,
      });
      expect(vault.auctionCollateral).to.equal(again.collateral);
      expect(await active()).to.deep.equal([auction.vaultId]);
      expect(await debtInAuction(weth)).to.deep.equal([again.debt, again.debt]);
      await expectBooksBalanced();
    });

    it("auctionParams_listedCollateral_areTheDeployedOnes", async function () {
      for (const [c, spec] of [
        [f.weth, WETH_SPEC],
        [f.wbtc, WBTC_SPEC],
      ] as const) {
        const params = await f.dutchAuction.auctionParams(await c.token.getAddress());
        expect([
          params.startPriceFactor,
          params.maxAuctionAge,
          params.resetPriceRatio,
          params.maxDebtInAuction,
        ]).to.deep.equal([
          spec.auction!.startPriceFactor,
          spec.auction!.maxAuctionAge,
          spec.auction!.resetPriceRatio,
          spec.auction!.maxDebtInAuction,
        ]);
        expect(await f.dutchAuction.dust(await c.token.getAddress())).to.equal(spec.dust);
      }
    });
  });
});
