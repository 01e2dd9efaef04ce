// DutchAuction admin: governed setters and their bounds, who may call them, and the circuit breaker.
import { expect } from "chai";
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { RAY, WAD } from "../../keeper/src/math/fixedPoint";
import { LOCAL_INCENTIVE, LOCAL_MAX_TOTAL_DEBT_IN_AUCTION, ROLES } from "../../scripts/lib/deploy";
import {
  DutchAuction__factory,
  LinearCurve__factory,
  MockAggregator__factory,
  MockERC20__factory,
} from "../../typechain-types";
import type { IDutchAuction } from "../../typechain-types";
import { deploySluiceFixture, type SluiceFixture } from "../helpers/fixtures";
import { rangeArgs, rangeError } from "../helpers/errors";
import * as market from "../helpers/market";
import {
  plain,
  MAX,
  pct,
  MAX_START_PRICE_FACTOR,
  MIN_AUCTION_AGE,
  MAX_AUCTION_AGE,
  MAX_RESET_PRICE_RATIO,
  MAX_INCENTIVE_RATE,
  WETH_AUCTION,
  WBTC_AUCTION,
  keeperIncentive,
  debtInAuction,
  room,
  fund,
  startAuction,
} from "../helpers/auction";

describe("DutchAuction", function () {
  let f: SluiceFixture;
  let weth: string;
  let wbtc: string;

  beforeEach(async function () {
    f = await deploySluiceFixture();
    weth = await f.weth.token.getAddress();
    wbtc = await f.wbtc.token.getAddress();
  });

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
      expect(await debtInAuction(f, token)).to.deep.equal([0n, 0n]);
      expect(await room(f, token)).to.deep.equal([1_234n * WAD, LOCAL_MAX_TOTAL_DEBT_IN_AUCTION]);
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
        expect(await room(f, weth)).to.deep.equal([value, LOCAL_MAX_TOTAL_DEBT_IN_AUCTION]);
      }
      // The other collateral keeps its own cap.
      expect(await room(f, wbtc)).to.deep.equal([WBTC_AUCTION.maxDebtInAuction, LOCAL_MAX_TOTAL_DEBT_IN_AUCTION]);
    });

    it("setMaxTotalDebtInAuction_anyValue_setsEmitsAndMovesTheTotalRoom", async function () {
      expect(await f.dutchAuction.maxTotalDebtInAuction()).to.equal(LOCAL_MAX_TOTAL_DEBT_IN_AUCTION);
      for (const value of [0n, 555n * WAD, 2n ** 120n - 1n]) {
        await expect(f.dutchAuction.setMaxTotalDebtInAuction(value))
          .to.emit(f.dutchAuction, "MaxTotalDebtInAuctionSet")
          .withArgs(value);
        expect(await f.dutchAuction.maxTotalDebtInAuction()).to.equal(value);
        expect(await room(f, weth)).to.deep.equal([WETH_AUCTION.maxDebtInAuction, value]);
        expect(await room(f, wbtc)).to.deep.equal([WBTC_AUCTION.maxDebtInAuction, value]);
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
      await fund(f, buyer, f.weth);
      const second = await market.openVault(f, bob, f.weth, 10n * WAD);
      const auction = await startAuction(f, f.weth, { owner: alice });
      await f.dutchAuction.raiseBreaker(1);
      await expect(f.liquidator.liquidate(second, keeper.address))
        .to.be.revertedWithCustomError(f.dutchAuction, "BreakerTripped")
        .withArgs(1);
      await time.increaseTo(auction.startTime + 4_200n);
      await market.setPrice(f, f.weth, 2_500n * WAD);
      await expect(f.dutchAuction.reset(auction.auctionId, keeper.address)).to.emit(f.dutchAuction, "AuctionReset");
      await expect(f.dutchAuction.connect(buyer).take(auction.auctionId, WAD, MAX, buyer.address, "0x")).to.emit(
        f.dutchAuction,
        "Take",
      );
    });

    it("breakerLevelTwo_blocksResetsButNotTakes", async function () {
      const [alice, keeper, buyer] = f.users;
      await fund(f, buyer, f.weth);
      const auction = await startAuction(f, f.weth, { owner: alice });
      await f.dutchAuction.raiseBreaker(2);
      await expect(f.dutchAuction.connect(buyer).take(auction.auctionId, WAD, MAX, buyer.address, "0x")).to.emit(
        f.dutchAuction,
        "Take",
      );
      await time.increaseTo(auction.startTime + 4_200n);
      await market.setPrice(f, f.weth, 2_500n * WAD);
      await expect(f.dutchAuction.reset(auction.auctionId, keeper.address))
        .to.be.revertedWithCustomError(f.dutchAuction, "BreakerTripped")
        .withArgs(2);
      await f.dutchAuction.lowerBreaker(1);
      await expect(f.dutchAuction.reset(auction.auctionId, keeper.address)).to.emit(f.dutchAuction, "AuctionReset");
    });

    it("breakerLevelThree_blocksTakesUntilLowered", async function () {
      const [alice, buyer] = f.users;
      await fund(f, buyer, f.weth);
      const auction = await startAuction(f, f.weth, { owner: alice });
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
});
