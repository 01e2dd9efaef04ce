// DutchAuction: governed setters and bounds, the circuit breaker, every rule of `take` (price cap,
// staleness, dust, covering the debt, leftover and exhausted lots), prices that follow the curves to
// the wei, `reset`, and the views. Expected numbers come from the curve definitions and the
// fixed-point mirror (keeper/src/math/fixedPoint.ts) at pinned block timestamps.
import { expect } from "chai";
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionReceipt, Result } from "ethers";
import { RAY, WAD, divWadDown, mulDivUp, mulWadDown, mulWadUp, rpowDown } from "../../keeper/src/math/fixedPoint";
import { LOCAL_COLLATERALS, LOCAL_INCENTIVE, ROLES } from "../../scripts/lib/deploy";
import {
  DutchAuction__factory,
  LinearCurve__factory,
  MockAggregator__factory,
  MockERC20__factory,
  MockTakeBuyer__factory,
} from "../../typechain-types";
import type { IDutchAuction } from "../../typechain-types";
import { deploySluiceFixture, type SluiceFixture } from "../helpers/fixtures";
import * as market from "../helpers/market";

type Signer = HardhatEthersSigner;
type Collateral = market.Collateral;

/** A struct a view returned, as a plain object (TypeChain types it as a tuple; it is a Result). */
const plain = (struct: unknown): Record<string, unknown> => (struct as Result).toObject();
const MAX = ethers.MaxUint256;
const pct = (percent: number): bigint => (BigInt(Math.round(percent * 100)) * WAD) / 10_000n;
const name = (parameter: string): string => ethers.encodeBytes32String(parameter);
const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);

// DutchAuction.sol bounds.
const MAX_BUF = 3n * WAD;
const MIN_TAIL = 60n;
const MAX_TAIL = 7n * 86_400n;
const MAX_CUSP = pct(99);

const [WETH_SPEC, WBTC_SPEC] = LOCAL_COLLATERALS;
const MIN_DEBT_LEFT = WETH_SPEC.dust; // the deployment lists every auction with minDebtLeft = dust

/** The curve of a local collateral, from its definition (see curves.test.ts). */
function curvePrice(c: Collateral, startPrice: bigint, elapsed: bigint): bigint {
  const curve = c.spec.auction!.curve;
  if (curve.kind === "linear") {
    return elapsed >= curve.duration ? 0n : mulDivUp(startPrice, curve.duration - elapsed, curve.duration);
  }
  return mulDivUp(startPrice, rpowDown(curve.cut * (RAY / WAD), elapsed / curve.step), RAY);
}

/** Whether an auction of `c` needs a reset `elapsed` seconds after starting at `startPrice`. */
function needsReset(c: Collateral, startPrice: bigint, elapsed: bigint, cusp = c.spec.auction!.cusp): boolean {
  const price = curvePrice(c, startPrice, elapsed);
  return elapsed > c.spec.auction!.tail || price === 0n || price < mulWadDown(startPrice, cusp);
}

interface Started {
  vaultId: bigint;
  auctionId: bigint;
  startTime: bigint;
  startPrice: bigint;
  collateral: bigint;
  debt: bigint;
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

  /** Gives `buyer` stablecoin by borrowing half the limit of a vault of the *other* collateral. */
  async function fund(buyer: Signer, auctioned: Collateral): Promise<void> {
    if (auctioned === f.weth) await openVault(buyer, f.wbtc, 2n * 10n ** 8n, 50n);
    else await openVault(buyer, f.weth, 40n * WAD, 50n);
  }

  /** One vault of `c` at its limit, made liquidatable by a fall to `price`, then liquidated. */
  async function startAuction(
    c: Collateral,
    options: { owner?: Signer; amount?: bigint; price?: bigint } = {},
  ): Promise<Started> {
    const owner = options.owner ?? f.users[0];
    const amount = options.amount ?? (c === f.weth ? 10n * WAD : 10n ** 8n);
    const vaultId = await openVault(owner, c, amount);
    await movePrice(c, options.price ?? (c === f.weth ? 2_580n * WAD : 50_000n * WAD));
    return liquidate(vaultId);
  }

  async function liquidate(vaultId: bigint): Promise<Started> {
    const keeper = f.users[9];
    const receipt = (await (await f.liquidator.connect(keeper).liquidate(vaultId, keeper.address)).wait())!;
    const started = auctionEvent(receipt, "AuctionStarted");
    const block = await ethers.provider.getBlock(receipt.blockNumber);
    return {
      vaultId,
      auctionId: started.auctionId,
      startTime: BigInt(block!.timestamp),
      startPrice: started.startPrice,
      collateral: started.collateralAmount,
      debt: started.debtToRaise,
    };
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  function auctionEvent(receipt: ContractTransactionReceipt, event: string): any {
    for (const log of receipt.logs) {
      if (log.address !== f.dutchAuction.target) continue;
      const parsed = f.dutchAuction.interface.parseLog(log);
      if (parsed?.name === event) return parsed.args.toObject();
    }
    throw new Error(`no ${event} event`);
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
      const { curve, buf, tail, cusp, minDebtLeft } = await f.dutchAuction.auctionParams(weth);
      return { curve, buf, tail, cusp, minDebtLeft };
    }

    it("addCollateral_engineListedToken_storesParamsAndEmits", async function () {
      const token = await engineOnlyToken(6);
      const curve = await (await new LinearCurve__factory(f.governor).deploy(600)).getAddress();
      const params = { curve, buf: WAD, tail: MIN_TAIL, cusp: 0n, minDebtLeft: 7n * WAD };
      await expect(f.dutchAuction.addCollateral(token, params))
        .to.emit(f.dutchAuction, "CollateralAdded")
        .withArgs(token, 3n, Object.values(params));
      expect(plain(await f.dutchAuction.auctionParams(token))).to.deep.equal(params);
      const [, totalDebt] = await f.dutchAuction.debtInAuction(weth);
      expect([...(await f.dutchAuction.debtInAuction(token))]).to.deep.equal([0n, totalDebt]);
    });

    it("addCollateral_parameterOutOfRange_revertsWithTheBounds", async function () {
      const token = await engineOnlyToken(18);
      const params = await wethParams();
      await expect(
        f.dutchAuction.addCollateral(token, { ...params, curve: ethers.ZeroAddress }),
      ).to.be.revertedWithCustomError(f.dutchAuction, "ZeroAddress");
      const cases = [
        [{ buf: WAD - 1n }, "buf", WAD - 1n, WAD, MAX_BUF],
        [{ buf: MAX_BUF + 1n }, "buf", MAX_BUF + 1n, WAD, MAX_BUF],
        [{ tail: MIN_TAIL - 1n }, "tail", MIN_TAIL - 1n, MIN_TAIL, MAX_TAIL],
        [{ tail: MAX_TAIL + 1n }, "tail", MAX_TAIL + 1n, MIN_TAIL, MAX_TAIL],
        [{ cusp: MAX_CUSP + 1n }, "cusp", MAX_CUSP + 1n, 0n, MAX_CUSP],
      ] as const;
      for (const [change, parameter, value, low, high] of cases) {
        await expect(f.dutchAuction.addCollateral(token, { ...params, ...change }))
          .to.be.revertedWithCustomError(f.dutchAuction, "OutOfRange")
          .withArgs(name(parameter), value, low, high);
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

    it("setBuf_withinOneToThree_setsAndEmits", async function () {
      for (const buf of [WAD, MAX_BUF]) {
        await expect(f.dutchAuction.setBuf(weth, buf)).to.emit(f.dutchAuction, "BufSet").withArgs(weth, buf);
        expect((await f.dutchAuction.auctionParams(weth)).buf).to.equal(buf);
      }
    });

    it("setBuf_outsideOneToThree_reverts", async function () {
      for (const buf of [0n, WAD - 1n, MAX_BUF + 1n]) {
        await expect(f.dutchAuction.setBuf(weth, buf))
          .to.be.revertedWithCustomError(f.dutchAuction, "OutOfRange")
          .withArgs(name("buf"), buf, WAD, MAX_BUF);
      }
    });

    it("setTail_withinAMinuteToAWeek_setsAndEmits", async function () {
      for (const tail of [MIN_TAIL, MAX_TAIL]) {
        await expect(f.dutchAuction.setTail(weth, tail)).to.emit(f.dutchAuction, "TailSet").withArgs(weth, tail);
        expect((await f.dutchAuction.auctionParams(weth)).tail).to.equal(tail);
      }
    });

    it("setTail_outsideAMinuteToAWeek_reverts", async function () {
      for (const tail of [0n, MIN_TAIL - 1n, MAX_TAIL + 1n]) {
        await expect(f.dutchAuction.setTail(weth, tail))
          .to.be.revertedWithCustomError(f.dutchAuction, "OutOfRange")
          .withArgs(name("tail"), tail, MIN_TAIL, MAX_TAIL);
      }
    });

    it("setCusp_upToNinetyNinePercent_setsAndEmits", async function () {
      for (const cusp of [0n, MAX_CUSP]) {
        await expect(f.dutchAuction.setCusp(weth, cusp)).to.emit(f.dutchAuction, "CuspSet").withArgs(weth, cusp);
        expect((await f.dutchAuction.auctionParams(weth)).cusp).to.equal(cusp);
      }
      await expect(f.dutchAuction.setCusp(weth, MAX_CUSP + 1n))
        .to.be.revertedWithCustomError(f.dutchAuction, "OutOfRange")
        .withArgs(name("cusp"), MAX_CUSP + 1n, 0n, MAX_CUSP);
    });

    it("setMinDebtLeft_anyValue_setsAndEmits", async function () {
      const value = 2n ** 96n - 1n;
      await expect(f.dutchAuction.setMinDebtLeft(weth, value))
        .to.emit(f.dutchAuction, "MinDebtLeftSet")
        .withArgs(weth, value);
      expect((await f.dutchAuction.auctionParams(weth)).minDebtLeft).to.equal(value);
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

    it("setters_unlistedCollateral_revert", async function () {
      const token = ethers.Wallet.createRandom().address;
      const calls = [
        () => f.dutchAuction.setCurve(token, weth),
        () => f.dutchAuction.setBuf(token, WAD),
        () => f.dutchAuction.setTail(token, MIN_TAIL),
        () => f.dutchAuction.setCusp(token, 0n),
        () => f.dutchAuction.setMinDebtLeft(token, 0n),
        () => f.dutchAuction.auctionParams(token),
        () => f.dutchAuction.debtInAuction(token),
      ];
      for (const call of calls) {
        await expect(call()).to.be.revertedWithCustomError(f.dutchAuction, "CollateralNotListed").withArgs(token);
      }
    });

    it("setters_withoutGovernorRole_revert", async function () {
      const outsider = f.users[5];
      const auction = f.dutchAuction.connect(outsider);
      const calls = [
        () => auction.addCollateral(wbtc, { curve: weth, buf: WAD, tail: MIN_TAIL, cusp: 0n, minDebtLeft: 0n }),
        () => auction.setCurve(weth, weth),
        () => auction.setBuf(weth, WAD),
        () => auction.setTail(weth, MIN_TAIL),
        () => auction.setCusp(weth, 0n),
        () => auction.setMinDebtLeft(weth, 0n),
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

    it("start_notFromTheLiquidator_reverts", async function () {
      const caller = f.users[2];
      await expect(f.dutchAuction.connect(caller).start(1n, weth, WAD, WAD, WAD, true))
        .to.be.revertedWithCustomError(f.dutchAuction, "NotLiquidator")
        .withArgs(caller.address);
    });

    it("start_unlistedCollateral_reverts", async function () {
      await f.dutchAuction.setLiquidator(f.governor.address);
      const token = ethers.Wallet.createRandom().address;
      await expect(f.dutchAuction.start(1n, token, WAD, WAD, WAD, true))
        .to.be.revertedWithCustomError(f.dutchAuction, "CollateralNotListed")
        .withArgs(token);
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

    it("take_belowCusp_revertsNeedsReset", async function () {
      const buyer = f.users[1];
      const auction = await startAuction(f.weth);
      // 0.99^68 ≈ 0.505 is above the 50% cusp; 0.99^69 ≈ 0.4998 is below it.
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

    it("take_afterTail_revertsNeedsReset", async function () {
      const buyer = f.users[1];
      await f.dutchAuction.setCusp(wbtc, 0n);
      const auction = await startAuction(f.wbtc);
      const tail = WBTC_SPEC.auction!.tail;
      await time.increaseTo(auction.startTime + tail);
      expect((await f.dutchAuction.auctionStatus(auction.auctionId)).needsReset).to.equal(false);
      await time.increaseTo(auction.startTime + tail + 1n);
      const status = await f.dutchAuction.auctionStatus(auction.auctionId);
      expect(status.needsReset).to.equal(true);
      expect(status.price)
        .to.equal(curvePrice(f.wbtc, auction.startPrice, tail + 1n))
        .and.to.be.gt(0n);
      await expect(f.dutchAuction.connect(buyer).take(auction.auctionId, 1n, MAX, buyer.address, "0x"))
        .to.be.revertedWithCustomError(f.dutchAuction, "AuctionNeedsReset")
        .withArgs(auction.auctionId);
    });

    it("take_partial_paysTheCurvePriceRoundedUp", async function () {
      const buyer = f.users[1];
      await fund(buyer, f.wbtc);
      const auction = await startAuction(f.wbtc);
      const scale = 10n ** 10n;
      const amount = 12_345_679n; // 0.12345679 WBTC
      const price = await pinAt(auction, f.wbtc, 777n);
      const paid = mulWadUp(amount * scale, price);
      const stableBefore = await f.stablecoin.balanceOf(buyer.address);
      const [debtBefore, totalBefore] = await f.dutchAuction.debtInAuction(wbtc);
      await expect(f.dutchAuction.connect(buyer).take(auction.auctionId, amount, MAX, buyer.address, "0x"))
        .to.emit(f.dutchAuction, "Take")
        .withArgs(auction.auctionId, buyer.address, buyer.address, amount, paid, price);
      expect(await f.wbtc.token.balanceOf(buyer.address)).to.equal(amount);
      expect(await f.stablecoin.balanceOf(buyer.address)).to.equal(stableBefore - paid);
      const state = await f.dutchAuction.auctions(auction.auctionId);
      expect([state.collateralLeft, state.debtLeft]).to.deep.equal([auction.collateral - amount, auction.debt - paid]);
      expect([...(await f.dutchAuction.debtInAuction(wbtc))]).to.deep.equal([debtBefore - paid, totalBefore - paid]);
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

    it("take_everything_paysExactlyTheDebtAndReturnsTheRestToTheVault", async function () {
      const buyer = f.users[1];
      await fund(buyer, f.weth);
      const auction = await startAuction(f.weth);
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
        .withArgs(auction.auctionId, auction.vaultId, leftover, 0n, 0n);
      expect(await f.stablecoin.balanceOf(buyer.address)).to.equal(stableBefore - auction.debt);
      expect(await f.weth.token.balanceOf(buyer.address)).to.equal(bought);
      const vault = await f.vaultEngine.vaults(auction.vaultId);
      expect(vault.collateralAmount).to.equal(vaultBefore.collateralAmount + leftover);
      expect(vault.normalizedDebt).to.equal(vaultBefore.normalizedDebt);
      expect(vault.inAuction).to.equal(false);
      expect((await f.dutchAuction.auctions(auction.auctionId)).debtLeft).to.equal(0n);
      expect(await f.dutchAuction.activeAuctions()).to.deep.equal([]);
      expect([...(await f.dutchAuction.debtInAuction(weth))]).to.deep.equal([0n, 0n]);
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
      expect(auctionEvent(receipt, "AuctionEnded")).to.deep.equal({
        auctionId: auction.auctionId,
        vaultId: auction.vaultId,
        collateralReturned: 0n,
        debtReturned: returned,
        badDebt: 0n,
      });
      const vault = await f.vaultEngine.vaults(auction.vaultId);
      const [rate] = await f.vaultEngine.collateralState(weth);
      const added = mulDivUp(returned, RAY, rate);
      expect(vault.normalizedDebt).to.equal(vaultBefore.normalizedDebt + added);
      expect(vault.collateralAmount).to.equal(vaultBefore.collateralAmount);
      expect(vault.inAuction).to.equal(false);
      // The debt leaves the deficit (fees accrued in the same call go to the surplus).
      expect(await f.vaultEngine.deficit()).to.equal(deficitBefore - added * rate);
      expect(await f.vaultEngine.surplus()).to.be.gte(surplusBefore + paid * RAY);
      await expectBooksBalanced();
    });

    it("take_exhaustingAFullLot_recordsBadDebt", async function () {
      const buyer = f.users[1];
      await fund(buyer, f.weth);
      // Health ≈ 0.84: the whole vault goes, and 10 WETH at 1.1·2,200 is worth less than 1.08 × debt.
      const auction = await startAuction(f.weth, { price: 2_200n * WAD });
      const vaultBefore = await f.vaultEngine.vaults(auction.vaultId);
      expect([vaultBefore.collateralAmount, vaultBefore.normalizedDebt]).to.deep.equal([0n, 0n]);
      const price = await pinAt(auction, f.weth, 5n);
      const paid = mulWadUp(auction.collateral, price);
      expect(paid).to.be.lt(auction.debt);
      const deficitBefore = await f.vaultEngine.deficit();
      const surplusBefore = await f.vaultEngine.surplus();
      const receipt = await take(buyer, auction.auctionId, MAX);
      const ended = auctionEvent(receipt, "AuctionEnded");
      expect(ended).to.deep.equal({
        auctionId: auction.auctionId,
        vaultId: auction.vaultId,
        collateralReturned: 0n,
        debtReturned: 0n,
        badDebt: auction.debt - paid,
      });
      expect(ended.badDebt).to.be.gt(0n);
      // Bad debt stays in the deficit; only the proceeds reach the surplus.
      expect(await f.vaultEngine.deficit()).to.equal(deficitBefore);
      expect(await f.vaultEngine.surplus()).to.equal(surplusBefore + paid * RAY);
      const vault = await f.vaultEngine.vaults(auction.vaultId);
      expect([vault.collateralAmount, vault.normalizedDebt, vault.inAuction]).to.deep.equal([0n, 0n, false]);
      expect([...(await f.dutchAuction.debtInAuction(weth))]).to.deep.equal([0n, 0n]);
      await expectBooksBalanced();
    });

    it("take_withCallbackData_callsOnTakeBeforeCollecting", async function () {
      const buyer = await new MockTakeBuyer__factory(f.governor).deploy(await f.dutchAuction.getAddress());
      const funder = f.users[1];
      await fund(funder, f.weth);
      const auction = await startAuction(f.weth);
      await f.stablecoin.connect(funder).transfer(await buyer.getAddress(), 5_000n * WAD);
      await buyer.buy(auction.auctionId, WAD, MAX);
      expect(await buyer.calls()).to.equal(1n);
      expect(await f.weth.token.balanceOf(await buyer.getAddress())).to.equal(WAD);
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
        const event = auctionEvent(receipt, "Take");
        expect(event.price).to.equal(price);
        expect(event.debtPaid).to.equal(mulWadUp(1_000_000n * 10n ** 10n, price));
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

    it("reset_unknownAuction_revertsNotActive", async function () {
      await expect(f.dutchAuction.reset(3n, f.users[1].address))
        .to.be.revertedWithCustomError(f.dutchAuction, "AuctionNotActive")
        .withArgs(3n);
    });

    it("reset_zeroKeeper_reverts", async function () {
      const auction = await startAuction(f.weth);
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

    it("reset_belowCusp_restartsAtOraclePriceTimesBufAndPaysTheKeeper", async function () {
      const keeper = f.users[1];
      const auction = await startAuction(f.weth);
      await time.increaseTo(auction.startTime + 4_200n);
      await setPrice(f.weth, 2_500n * WAD);
      const startPrice = mulWadUp(2_500n * WAD, WETH_SPEC.auction!.buf);
      const incentive = min(
        LOCAL_INCENTIVE.maxIncentive,
        LOCAL_INCENTIVE.tip + mulWadDown(auction.debt, LOCAL_INCENTIVE.chip),
      );
      const before = await f.stablecoin.balanceOf(keeper.address);
      const resetTime = (await time.latest()) + 1;
      await time.setNextBlockTimestamp(resetTime);
      await expect(f.dutchAuction.connect(f.users[2]).reset(auction.auctionId, keeper.address))
        .to.emit(f.dutchAuction, "AuctionReset")
        .withArgs(auction.auctionId, keeper.address, startPrice, incentive);
      expect(await f.stablecoin.balanceOf(keeper.address)).to.equal(before + incentive);
      const state = await f.dutchAuction.auctions(auction.auctionId);
      expect([state.startPrice, state.startTime]).to.deep.equal([startPrice, BigInt(resetTime)]);
      expect([state.collateralLeft, state.debtLeft]).to.deep.equal([auction.collateral, auction.debt]);
      const status = await f.dutchAuction.auctionStatus(auction.auctionId);
      expect([status.needsReset, status.price]).to.deep.equal([false, startPrice]);
      await expectBooksBalanced();
    });

    it("reset_afterTail_restartsTheLinearAuction", async function () {
      const keeper = f.users[1];
      await f.dutchAuction.setCusp(wbtc, 0n);
      const auction = await startAuction(f.wbtc);
      await time.increaseTo(auction.startTime + WBTC_SPEC.auction!.tail);
      await setPrice(f.wbtc, 48_000n * WAD);
      expect((await f.dutchAuction.auctionStatus(auction.auctionId)).needsReset).to.equal(true);
      await f.dutchAuction.reset(auction.auctionId, keeper.address);
      expect((await f.dutchAuction.auctions(auction.auctionId)).startPrice).to.equal(
        mulWadUp(48_000n * WAD, WBTC_SPEC.auction!.buf),
      );
    });

    it("reset_dustAuction_paysNoIncentive", async function () {
      const keeper = f.users[1];
      await f.liquidator.setFullLiquidationHealth(weth, WAD);
      // 0.2 WETH: about 486 to raise, under the 500 incentive minimum.
      const auction = await startAuction(f.weth, { amount: WAD / 5n });
      expect(auction.debt).to.be.lt(LOCAL_INCENTIVE.minDebt);
      await time.increaseTo(auction.startTime + 4_200n);
      await setPrice(f.weth, 2_500n * WAD);
      await expect(f.dutchAuction.reset(auction.auctionId, keeper.address))
        .to.emit(f.dutchAuction, "AuctionReset")
        .withArgs(auction.auctionId, keeper.address, mulWadUp(2_500n * WAD, WETH_SPEC.auction!.buf), 0n);
      expect(await f.stablecoin.balanceOf(keeper.address)).to.equal(0n);
      await expectBooksBalanced();
    });
  });

  // ------------------------------------------------------------ views

  describe("views", function () {
    it("auctions_afterStart_storeTheLotDebtAndStartPrice", async function () {
      const auction = await startAuction(f.weth);
      const [oraclePrice] = await f.oracleHub.priceState(weth);
      const state = await f.dutchAuction.auctions(auction.auctionId);
      expect(plain(state)).to.deep.equal({
        collateralLeft: auction.collateral,
        debtLeft: auction.debt,
        startPrice: mulWadUp(oraclePrice, WETH_SPEC.auction!.buf),
        startTime: auction.startTime,
        vaultId: auction.vaultId,
        collateralId: 1n,
        // startAuction liquidates part of a vault, which keeps collateral of its own.
        vaultKeepsCollateral: true,
      });
      expect(await f.dutchAuction.auctionCount()).to.equal(1n);
    });

    it("auctionStatus_inactiveAuction_isAllZero", async function () {
      expect([...(await f.dutchAuction.auctionStatus(1n))]).to.deep.equal([false, 0n, 0n, 0n]);
    });

    it("activeAuctions_andDebtInAuction_trackRunningAuctions", async function () {
      const [alice, bob, carol, buyer] = f.users;
      await fund(buyer, f.weth);
      const first = await openVault(alice, f.weth, 10n * WAD);
      const second = await openVault(bob, f.weth, 10n * WAD);
      const third = await openVault(carol, f.weth, 10n * WAD);
      await movePrice(f.weth, 2_580n * WAD);
      const auctions = [await liquidate(first), await liquidate(second), await liquidate(third)];
      expect(await f.dutchAuction.activeAuctions()).to.deep.equal([1n, 2n, 3n]);
      const total = auctions.reduce((sum, a) => sum + a.debt, 0n);
      expect([...(await f.dutchAuction.debtInAuction(weth))]).to.deep.equal([total, total]);
      expect([...(await f.dutchAuction.debtInAuction(wbtc))]).to.deep.equal([0n, total]);
      await take(buyer, 2n, MAX);
      expect(await f.dutchAuction.activeAuctions()).to.deep.equal([1n, 3n]);
      const rest = total - auctions[1].debt;
      expect([...(await f.dutchAuction.debtInAuction(weth))]).to.deep.equal([rest, rest]);
      expect(await f.dutchAuction.auctionCount()).to.equal(3n);
      await expectBooksBalanced();
    });

    it("auctionParams_listedCollateral_areTheDeployedOnes", async function () {
      for (const [c, spec] of [
        [f.weth, WETH_SPEC],
        [f.wbtc, WBTC_SPEC],
      ] as const) {
        const params = await f.dutchAuction.auctionParams(await c.token.getAddress());
        expect([params.buf, params.tail, params.cusp, params.minDebtLeft]).to.deep.equal([
          spec.auction!.buf,
          spec.auction!.tail,
          spec.auction!.cusp,
          spec.dust,
        ]);
      }
    });
  });
});
