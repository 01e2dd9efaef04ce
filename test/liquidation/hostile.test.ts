// Hostile actors around liquidations: reentrant and misdirected take callbacks, callbacks that reach
// for the vault being auctioned, collateral that calls back on transfer, keepers farming owed
// incentives, borrowers liquidating themselves, buyers chasing rounding, debt recycled through dust,
// and a vault in auction topped up toward the engine's collateral cap. Every scenario checks the
// attacker's value (stablecoin + collateral at the oracle price + vault equity) and the books
// (docs/ACCOUNTING.md) rather than trusting any single view.
import { expect } from "chai";
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { BaseContract, Contract, ContractTransactionReceipt, Result } from "ethers";
import { RAY, WAD, divWadDown, mulDivUp, mulWadDown, mulWadUp, perSecondRate } from "../../keeper/src/math/fixedPoint";
import {
  LOCAL_COLLATERALS,
  ORACLE_DEFAULTS,
  listMockCollateral,
  toFeedAnswer,
  type LocalCollateralSpec,
} from "../../scripts/lib/deploy";
import {
  HookToken__factory,
  MockAggregator__factory,
  MockERC20__factory,
  MockTakeBuyer__factory,
  ScriptedBuyer__factory,
} from "../../typechain-types";
import { deploySluiceFixture, type SluiceFixture } from "../helpers/fixtures";
import * as market from "../helpers/market";

type Signer = HardhatEthersSigner;
type Collateral = market.Collateral;

const MAX = ethers.MaxUint256;
const WETH_SPEC = LOCAL_COLLATERALS[0];

interface TakeArgs {
  auctionId: bigint;
  buyer: string;
  receiver: string;
  collateralBought: bigint;
  debtPaid: bigint;
  price: bigint;
}

interface EndedArgs {
  auctionId: bigint;
  collateralReturned: bigint;
  debtReturned: bigint;
  badDebt: bigint;
}

/** A struct a view returned, as a plain object (TypeChain types it as a tuple; it is a Result). */
const plain = (struct: unknown): Record<string, unknown> => (struct as Result).toObject();

// The hostile actors (ScriptedBuyer, HookToken) are test-only contracts in contracts/mocks/ScriptedActors.sol.

/** One call of a script. */
interface ScriptCall {
  target: string;
  data: string;
}

/** What one call of a script did: its return data, or its revert data. */
interface Outcome {
  ok: boolean;
  data: string;
}

function scriptCall(contract: BaseContract, fn: string, args: readonly unknown[]): ScriptCall {
  return { target: contract.target as string, data: contract.interface.encodeFunctionData(fn, args) };
}

describe("Liquidation under hostile actors", function () {
  let f: SluiceFixture;
  let weth: string;

  beforeEach(async function () {
    f = await deploySluiceFixture();
    weth = await f.weth.token.getAddress();
  });

  // ------------------------------------------------------------ helpers

  const movePrice = (c: Collateral, target: bigint) => market.movePrice(f, c, target);
  const openVault = (owner: Signer, c: Collateral, amount: bigint, share = 100n) =>
    market.openVault(f, owner, c, amount, share);
  const liquidate = (vaultId: bigint, keeper: Signer | string, caller: Signer) =>
    market.liquidate(f, vaultId, keeper, caller);
  const expectBooksBalanced = async () => {
    await market.expectBooksBalanced(f);
    await market.expectAuctionsConsistent(f);
  };

  /** Stablecoin for a WETH buyer, borrowed against WBTC (whose price these tests never move). */
  async function fund(buyer: Signer, wbtc = 2n * 10n ** 8n): Promise<void> {
    await openVault(buyer, f.wbtc, wbtc, 50n);
  }

  function auctionEvents<T>(receipt: ContractTransactionReceipt, name: string): T[] {
    const found: T[] = [];
    for (const log of receipt.logs) {
      if (log.address !== f.dutchAuction.target) continue;
      const parsed = f.dutchAuction.interface.parseLog(log);
      if (parsed?.name === name) found.push(parsed.args.toObject() as T);
    }
    return found;
  }

  async function take(buyer: Signer, auctionId: bigint, maxCollateral: bigint): Promise<ContractTransactionReceipt> {
    const tx = await f.dutchAuction.connect(buyer).take(auctionId, maxCollateral, MAX, buyer.address, "0x");
    return (await tx.wait())!;
  }

  /** The name of a custom error of the engine, the auction or the liquidator, from its revert data. */
  function errorName(data: string): string | undefined {
    for (const contract of [f.vaultEngine, f.dutchAuction, f.liquidator]) {
      const parsed = contract.interface.parseError(data);
      if (parsed) return parsed.name;
    }
    return undefined;
  }

  async function outcomesOf(actor: Contract): Promise<Outcome[]> {
    const recorded = (await actor.outcomes()) as Result[];
    return recorded.map((outcome) => ({ ok: outcome.ok as boolean, data: outcome.data as string }));
  }

  /** What each call of a script reverted with (the error's name), or "ok". */
  const verdicts = (outcomes: Outcome[]): string[] =>
    outcomes.map((outcome) => (outcome.ok ? "ok" : (errorName(outcome.data) ?? outcome.data)));

  async function deployBuyer(): Promise<Contract> {
    const buyer = await new ScriptedBuyer__factory(f.governor).deploy(await f.dutchAuction.getAddress());
    await buyer.waitForDeployment();
    return buyer as unknown as Contract;
  }

  /**
   * Lists a HookToken with WETH's parameters (its own feed, the WETH auction curve) and returns it as
   * a collateral the market helpers can drive, with the token's scripting handle.
   */
  async function listHookToken(): Promise<{ c: Collateral; hook: Contract }> {
    const deployed = await new HookToken__factory(f.governor).deploy();
    await deployed.waitForDeployment();
    const address = await deployed.getAddress();
    const spec: LocalCollateralSpec = { ...WETH_SPEC, symbol: "HOOK" };
    const feed = await new MockAggregator__factory(f.governor).deploy(
      spec.feedDecimals,
      "HOOK / USD",
      toFeedAnswer(spec.price, spec.feedDecimals),
    );
    await f.oracleHub.addFeed(address, {
      source: await feed.getAddress(),
      heartbeat: ORACLE_DEFAULTS.heartbeat,
      minPrice: spec.price / 1_000n,
      maxPrice: spec.price * 1_000n,
      maxJump: ORACLE_DEFAULTS.maxJump,
      halfLife: ORACLE_DEFAULTS.halfLife,
    });
    await f.oracleHub.poke(address);
    await f.vaultEngine.addCollateral(address, {
      debtCeiling: spec.debtCeiling,
      dust: spec.dust,
      stabilityFee: perSecondRate(spec.annualFee),
      maxLTV: spec.maxLTV,
    });
    await f.riskEngine.addCollateral(address, spec.risk.baseThreshold, spec.risk.params);
    await f.liquidator.addCollateral(address, spec.liquidation!);
    const auction = await f.dutchAuction.auctionParams(weth);
    await f.dutchAuction.addCollateral(address, {
      curve: auction.curve,
      startPriceFactor: auction.startPriceFactor,
      maxAuctionAge: auction.maxAuctionAge,
      resetPriceRatio: auction.resetPriceRatio,
      maxDebtInAuction: auction.maxDebtInAuction,
    });
    const token = MockERC20__factory.connect(address, f.governor);
    return { c: { spec, token, feed }, hook: deployed as unknown as Contract };
  }

  /**
   * What a group of accounts is worth at the oracle price of WETH: their stablecoin and WETH, plus
   * the equity (collateral − debt) of the given vaults outside auctions.
   */
  async function worth(accounts: Signer[], vaultIds: bigint[]): Promise<bigint> {
    const [price] = await f.oracleHub.priceState(weth);
    let total = 0n;
    for (const account of accounts) {
      total += await f.stablecoin.balanceOf(account.address);
      total += mulWadDown(await f.weth.token.balanceOf(account.address), price);
    }
    for (const id of vaultIds) {
      const vault = await f.vaultEngine.vaults(id);
      expect(vault.inAuction, `vault ${id} is valued outside auctions`).to.equal(false);
      total += mulWadDown(vault.collateralAmount, price);
      total -= await f.vaultEngine.debtOf(id);
    }
    return total;
  }

  /** A WETH vault of 10 at its limit, liquidated after a fall to 2,580; returns its (auction) id. */
  async function runningAuction(keeper: Signer | string = f.users[9]): Promise<bigint> {
    const vaultId = await openVault(f.users[0], f.weth, 10n * WAD);
    await movePrice(f.weth, 2_580n * WAD);
    return (await liquidate(vaultId, keeper, f.users[9])).auctionId;
  }

  // ------------------------------------------------------------ callbacks

  describe("take callbacks", function () {
    it("take_reentrantCallback_revertsWithTheReentrancyGuard", async function () {
      const funder = f.users[1];
      const auctionId = await runningAuction();
      expect(auctionId).to.equal(1n); // MockTakeBuyer re-enters auction 1, the one it is taking
      await fund(funder);
      const buyer = await new MockTakeBuyer__factory(f.governor).deploy(await f.dutchAuction.getAddress());
      const buyerAddress = await buyer.getAddress();
      await f.stablecoin.connect(funder).transfer(buyerAddress, 10_000n * WAD);
      await buyer.setReenter(true);
      const before = plain(await f.dutchAuction.auctions(auctionId));
      await expect(buyer.buy(auctionId, WAD, MAX)).to.be.revertedWithCustomError(
        f.dutchAuction,
        "ReentrancyGuardReentrantCall",
      );
      expect(plain(await f.dutchAuction.auctions(auctionId))).to.deep.equal(before);
      expect(await f.weth.token.balanceOf(buyerAddress)).to.equal(0n);
      expect(await f.stablecoin.balanceOf(buyerAddress)).to.equal(10_000n * WAD);
      expect(await buyer.calls()).to.equal(0n);
      // The same buyer, well-behaved, takes normally.
      await buyer.setReenter(false);
      await buyer.buy(auctionId, WAD, MAX);
      expect(await buyer.calls()).to.equal(1n);
      expect(await f.weth.token.balanceOf(buyerAddress)).to.equal(WAD);
      await expectBooksBalanced();
    });

    it("take_callbackToACoreContract_revertsForbiddenCallbackTarget", async function () {
      const buyer = f.users[1];
      await fund(buyer);
      const auctionId = await runningAuction();
      const before = plain(await f.dutchAuction.auctions(auctionId));
      const targets = [
        await f.vaultEngine.getAddress(),
        await f.stablecoin.getAddress(),
        await f.oracleHub.getAddress(),
        await f.liquidator.getAddress(),
        await f.dutchAuction.getAddress(),
        await f.accessManager.getAddress(),
        weth,
      ];
      for (const target of targets) {
        await expect(f.dutchAuction.connect(buyer).take(auctionId, WAD, MAX, target, "0x01"))
          .to.be.revertedWithCustomError(f.dutchAuction, "ForbiddenCallbackTarget")
          .withArgs(target);
      }
      // The engine may not even receive collateral without a callback: it would belong to no vault.
      const engine = await f.vaultEngine.getAddress();
      await expect(f.dutchAuction.connect(buyer).take(auctionId, WAD, MAX, engine, "0x"))
        .to.be.revertedWithCustomError(f.dutchAuction, "ForbiddenCallbackTarget")
        .withArgs(engine);
      expect(plain(await f.dutchAuction.auctions(auctionId))).to.deep.equal(before);
      await expectBooksBalanced();
    });

    it("take_callbackOfAPartialTake_cannotWithdrawBorrowOrReliquidateTheVaultInAuction", async function () {
      const [owner, funder] = f.users;
      await fund(funder);
      const buyer = await deployBuyer();
      const buyerAddress = await buyer.getAddress();
      await f.stablecoin.connect(funder).transfer(buyerAddress, 10_000n * WAD);
      const vaultId = await runningAuction();
      // The owner lets the buyer manage its vaults: the callback acts with the owner's rights.
      await f.vaultEngine.connect(owner).setOperator(buyerAddress, true);
      const vaultBefore = plain(await f.vaultEngine.vaults(vaultId));
      const auctionBefore = await f.dutchAuction.auctions(vaultId);
      await buyer.arm(
        [
          scriptCall(f.vaultEngine, "withdraw", [vaultId, 1n, owner.address]),
          scriptCall(f.vaultEngine, "borrow", [vaultId, f.weth.spec.dust, buyerAddress]),
          scriptCall(f.liquidator, "liquidate", [vaultId, buyerAddress]),
          scriptCall(f.dutchAuction, "take", [vaultId, MAX, MAX, buyerAddress, "0x"]),
          scriptCall(f.dutchAuction, "reset", [vaultId, buyerAddress]),
        ],
        false,
      );
      const receipt = (await (await buyer.buy(vaultId, WAD, MAX)).wait())!;
      expect(verdicts(await outcomesOf(buyer))).to.deep.equal([
        "VaultInAuction",
        "VaultInAuction",
        "VaultInAuction",
        "ReentrancyGuardReentrantCall",
        "ReentrancyGuardReentrantCall",
      ]);
      // The take itself went through, and touched nothing of the vault but its lot.
      const [taken] = auctionEvents<TakeArgs>(receipt, "Take");
      expect(taken.collateralBought).to.equal(WAD);
      expect(auctionEvents<EndedArgs>(receipt, "AuctionEnded")).to.deep.equal([]);
      const record = await f.dutchAuction.auctions(vaultId);
      expect(record.collateralLeft).to.equal(auctionBefore.collateralLeft - WAD);
      expect(record.debtLeft).to.equal(auctionBefore.debtLeft - taken.debtPaid);
      expect(plain(await f.vaultEngine.vaults(vaultId))).to.deep.equal({
        ...vaultBefore,
        auctionCollateral: auctionBefore.collateralLeft - WAD,
      });
      expect(await f.weth.token.balanceOf(owner.address)).to.equal(0n);
      await expectBooksBalanced();
    });

    it("take_callbackOfAnEndingTake_seesTheVaultsFinalBooksAndCanOnlyLeaveItSafe", async function () {
      const [owner, funder] = f.users;
      await fund(funder);
      const buyer = await deployBuyer();
      const buyerAddress = await buyer.getAddress();
      const vaultId = await runningAuction();
      await f.vaultEngine.connect(owner).setOperator(buyerAddress, true);
      const kept = await f.vaultEngine.vaults(vaultId);
      const record = await f.dutchAuction.auctions(vaultId);
      // Within the first stair-step the price is the start price: buying everything covers the debt
      // with ⌊debtLeft / startPrice⌋ of the lot, and the rest returns to the vault.
      const returned = record.collateralLeft - divWadDown(record.debtLeft, record.startPrice);
      expect(returned).to.be.gt(0n);
      const dust = f.weth.spec.dust;
      const repayment = (await f.vaultEngine.debtOf(vaultId)) - 2n * dust;
      await f.stablecoin.connect(funder).transfer(buyerAddress, record.debtLeft + repayment);
      const withdraw = (amount: bigint) => scriptCall(f.vaultEngine, "withdraw", [vaultId, amount, owner.address]);
      await buyer.arm(
        [
          scriptCall(f.vaultEngine, "vaults", [vaultId]),
          scriptCall(f.dutchAuction, "auctions", [vaultId]),
          // Everything the vault holds now, then new debt as large as its old: both unsafe.
          withdraw(kept.collateralAmount + returned),
          scriptCall(f.vaultEngine, "borrow", [vaultId, repayment, buyerAddress]),
          // Back at its target health, the vault is no longer liquidatable.
          scriptCall(f.liquidator, "liquidate", [vaultId, buyerAddress]),
          // Repaying most of the debt makes the returned collateral free to leave.
          scriptCall(f.vaultEngine, "repay", [vaultId, repayment]),
          withdraw(returned),
        ],
        false,
      );
      const receipt = (await (await buyer.buy(vaultId, MAX, MAX)).wait())!;
      const [taken] = auctionEvents<TakeArgs>(receipt, "Take");
      expect(taken.price, "the take ran within the first stair-step").to.equal(record.startPrice);
      expect(auctionEvents<EndedArgs>(receipt, "AuctionEnded")).to.deep.equal([
        { auctionId: vaultId, collateralReturned: returned, debtReturned: 0n, badDebt: 0n },
      ]);
      const outcomes = await outcomesOf(buyer);
      expect(verdicts(outcomes)).to.deep.equal(["ok", "ok", "VaultUnsafe", "VaultUnsafe", "VaultHealthy", "ok", "ok"]);
      // During the callback the vault's books were already final: out of auction, the unsold
      // collateral back, its debt untouched by the auction.
      const [seen] = f.vaultEngine.interface.decodeFunctionResult("vaults", outcomes[0].data);
      expect(plain(seen)).to.deep.equal({
        ...plain(kept),
        inAuction: false,
        auctionCollateral: 0n,
        collateralAmount: kept.collateralAmount + returned,
      });
      const [seenCollateral] = f.dutchAuction.interface.decodeFunctionResult("auctions", outcomes[1].data);
      expect(plain(seenCollateral)).to.deep.equal(plain(await f.dutchAuction.auctions(vaultId)));
      expect((seenCollateral as Result).debtLeft).to.equal(0n);
      // What the callback could do left the vault safe, and the buyer paid in full.
      const after = await f.vaultEngine.vaults(vaultId);
      expect(after.collateralAmount).to.equal(kept.collateralAmount);
      expect(await f.weth.token.balanceOf(owner.address)).to.equal(returned);
      expect(await f.vaultEngine.debtOf(vaultId)).to.be.lte(await f.vaultEngine.maxDebt(vaultId));
      expect(await f.riskEngine.healthFactor(vaultId)).to.be.gt(WAD);
      expect(await f.stablecoin.balanceOf(buyerAddress)).to.equal(0n);
      await expectBooksBalanced();
    });

    it("take_callbackOfAnAuctionRunOutOfCollateral_seesTheReturnedDebtAndMayOnlyReliquidate", async function () {
      const [owner, funder] = f.users;
      await fund(funder, 4n * 10n ** 8n);
      const buyer = await deployBuyer();
      const buyerAddress = await buyer.getAddress();
      await f.stablecoin.connect(funder).transfer(buyerAddress, 40_000n * WAD);
      // No lot margin and no resetPriceRatio: after a hundred stair-steps the lot sells short of its debt.
      await f.liquidator.setCollateralMargin(weth, WAD);
      await f.dutchAuction.setResetPriceRatio(weth, 0);
      const vaultId = await runningAuction();
      await f.vaultEngine.connect(owner).setOperator(buyerAddress, true);
      await time.increase(100 * 60);
      await market.setPrice(f, f.weth, 2_580n * WAD);
      const kept = await f.vaultEngine.vaults(vaultId);
      await buyer.arm(
        [
          scriptCall(f.vaultEngine, "vaults", [vaultId]),
          scriptCall(f.vaultEngine, "withdraw", [vaultId, 1n, owner.address]),
          scriptCall(f.vaultEngine, "borrow", [vaultId, f.weth.spec.dust, buyerAddress]),
          // Owing the unraised debt again, the vault is below health 1: it may be liquidated again
          // at once, from the callback too, against its final books.
          scriptCall(f.liquidator, "liquidate", [vaultId, buyerAddress]),
        ],
        false,
      );
      const receipt = (await (await buyer.buy(vaultId, MAX, MAX)).wait())!;
      const [ended] = auctionEvents<EndedArgs>(receipt, "AuctionEnded");
      expect(ended.collateralReturned).to.equal(0n);
      expect(ended.badDebt).to.equal(0n);
      expect(ended.debtReturned).to.be.gt(0n);
      const outcomes = await outcomesOf(buyer);
      expect(verdicts(outcomes)).to.deep.equal(["ok", "VaultUnsafe", "VaultUnsafe", "ok"]);
      // The unraised debt was the vault's again before the callback ran.
      const [seen] = f.vaultEngine.interface.decodeFunctionResult("vaults", outcomes[0].data);
      const [rate] = await f.vaultEngine.collateralState(weth, { blockTag: receipt.blockNumber });
      expect(plain(seen)).to.deep.equal({
        ...plain(kept),
        inAuction: false,
        auctionCollateral: 0n,
        normalizedDebt: kept.normalizedDebt + mulDivUp(ended.debtReturned, RAY, rate),
      });
      // The new auction, under the same id, took what the callback saw.
      const [again] = await market.liquidationsIn(f, receipt);
      expect(again.auctionId).to.equal(vaultId);
      expect(again.collateralSeized).to.equal(kept.collateralAmount);
      expect(again.normalizedDebtSeized).to.equal((seen as Result).normalizedDebt);
      const record = await f.dutchAuction.auctions(vaultId);
      expect([record.collateralLeft, record.debtLeft]).to.deep.equal([again.collateralSeized, again.debtToRaise]);
      await expectBooksBalanced();
    });

    it("claimIncentives_fromATakeCallback_revertsWithTheReentrancyGuardAndStaysOwed", async function () {
      const funder = f.users[1];
      await fund(funder);
      const buyer = await deployBuyer();
      const buyerAddress = await buyer.getAddress();
      await f.stablecoin.connect(funder).transfer(buyerAddress, 10_000n * WAD);
      // The buyer is also the keeper that started the auction, and is owed for it.
      const vaultId = await runningAuction(buyerAddress);
      const [owed, earned] = await f.dutchAuction.incentivesOwed(buyerAddress);
      expect(owed).to.be.gt(0n);
      expect(earned).to.equal(owed);
      await buyer.arm([scriptCall(f.dutchAuction, "claimIncentives", [buyerAddress])], false);
      await buyer.buy(vaultId, WAD, MAX);
      expect(verdicts(await outcomesOf(buyer))).to.deep.equal(["ReentrancyGuardReentrantCall"]);
      expect(await f.dutchAuction.incentivesOwed(buyerAddress)).to.deep.equal([owed, earned]);
      // Claimed outside a take, it is minted once, to whoever the keeper names.
      const claim = (to: string) => f.dutchAuction.interface.encodeFunctionData("claimIncentives", [to]);
      await expect(buyer.execute(await f.dutchAuction.getAddress(), claim(funder.address)))
        .to.emit(f.dutchAuction, "IncentivesClaimed")
        .withArgs(buyerAddress, funder.address, owed);
      expect(await f.dutchAuction.incentivesOwed(buyerAddress)).to.deep.equal([0n, earned]);
      await expect(buyer.execute(await f.dutchAuction.getAddress(), claim(buyerAddress)))
        .to.be.revertedWithCustomError(f.dutchAuction, "NothingToClaim")
        .withArgs(buyerAddress);
      await expectBooksBalanced();
    });
  });

  // ------------------------------------------------------------ collateral calling back

  describe("collateral that calls back on transfer", function () {
    it("withdraw_whenTheTokenReentersWithdraw_revertsWithTheEnginesGuard", async function () {
      const owner = f.users[0];
      const { c, hook } = await listHookToken();
      const vaultId = await openVault(owner, c, 10n * WAD, 0n);
      await f.vaultEngine.connect(owner).setOperator(await hook.getAddress(), true);
      await hook.watch(await f.vaultEngine.getAddress());
      await hook.arm([scriptCall(f.vaultEngine, "withdraw", [vaultId, WAD, owner.address])], true);
      await expect(f.vaultEngine.connect(owner).withdraw(vaultId, WAD, owner.address)).to.be.revertedWithCustomError(
        f.vaultEngine,
        "ReentrancyGuardReentrantCall",
      );
      expect((await f.vaultEngine.vaults(vaultId)).collateralAmount).to.equal(10n * WAD);
      expect(await c.token.balanceOf(owner.address)).to.equal(0n);
      await expectBooksBalanced();
    });

    it("deposit_whenTheTokenReentersDeposit_revertsWithTheEnginesGuard", async function () {
      const owner = f.users[0];
      const { c, hook } = await listHookToken();
      const vaultId = await openVault(owner, c, 10n * WAD, 0n);
      await c.token.mint(owner.address, WAD);
      await c.token.connect(owner).approve(await f.vaultEngine.getAddress(), WAD);
      await hook.watch(await f.vaultEngine.getAddress());
      await hook.arm([scriptCall(f.vaultEngine, "deposit", [vaultId, 1n])], true);
      await expect(f.vaultEngine.connect(owner).deposit(vaultId, WAD)).to.be.revertedWithCustomError(
        f.vaultEngine,
        "ReentrancyGuardReentrantCall",
      );
      expect((await f.vaultEngine.vaults(vaultId)).collateralAmount).to.equal(10n * WAD);
      await expectBooksBalanced();
    });

    it("take_whenTheTokenCallsBack_cannotReenterTheAuctionAndFindsTheBooksWritten", async function () {
      const [owner, buyer] = f.users;
      await fund(buyer);
      const { c, hook } = await listHookToken();
      const hookAddress = await hook.getAddress();
      const first = await openVault(owner, c, 10n * WAD);
      const second = await openVault(owner, c, 10n * WAD);
      await movePrice(c, 2_580n * WAD);
      await liquidate(first, hookAddress, f.users[9]);
      const [owed] = await f.dutchAuction.incentivesOwed(hookAddress);
      expect(owed).to.be.gt(0n);
      await f.vaultEngine.connect(owner).setOperator(hookAddress, true);
      await hook.watch(await f.vaultEngine.getAddress());
      await hook.arm(
        [
          scriptCall(f.dutchAuction, "take", [first, MAX, MAX, hookAddress, "0x"]),
          scriptCall(f.dutchAuction, "reset", [first, hookAddress]),
          scriptCall(f.dutchAuction, "claimIncentives", [hookAddress]),
          scriptCall(f.vaultEngine, "withdraw", [first, 1n, owner.address]),
          // The Liquidator has a guard of its own: liquidating another vault mid-take goes through.
          scriptCall(f.liquidator, "liquidate", [second, hookAddress]),
        ],
        false,
      );
      const auctionBefore = await f.dutchAuction.auctions(first);
      const receipt = await take(buyer, first, WAD);
      expect(verdicts(await outcomesOf(hook))).to.deep.equal([
        "ReentrancyGuardReentrantCall",
        "ReentrancyGuardReentrantCall",
        "ReentrancyGuardReentrantCall",
        "VaultInAuction",
        "ok",
      ]);
      const [taken] = auctionEvents<TakeArgs>(receipt, "Take");
      const record = await f.dutchAuction.auctions(first);
      expect(record.collateralLeft).to.equal(auctionBefore.collateralLeft - WAD);
      expect(record.debtLeft).to.equal(auctionBefore.debtLeft - taken.debtPaid);
      expect(await c.token.balanceOf(buyer.address)).to.equal(WAD);
      // The second auction opened against the books the take had already written.
      expect((await f.dutchAuction.auctions(second)).debtLeft).to.be.gt(0n);
      const [owedNow] = await f.dutchAuction.incentivesOwed(hookAddress);
      expect(owedNow).to.be.gt(owed);
      await expectBooksBalanced();
    });
  });

  // ------------------------------------------------------------ incentives

  describe("incentives", function () {
    it("farming_liquidatingOnesOwnSmallVaults_losesMoneyEvenAfterClaiming", async function () {
      // One party owns the vaults (owner) and liquidates them from another address (keeper), then
      // buys the lots back and claims what it is owed: collateral only changes hands between its two
      // pockets, so what it gains is the incentive and what it loses is the penalty.
      const [owner, keeper] = f.users;
      const vaultIds: bigint[] = [];
      // 0.4 WETH: ≈ 900 of debt, a partial slice raising ≈ 500, whose incentive the cap (half the
      // penalty) cuts below the flatIncentive.
      for (let i = 0; i < 3; i++) vaultIds.push(await openVault(owner, f.weth, (4n * WAD) / 10n));
      await movePrice(f.weth, 2_580n * WAD);
      await f.stablecoin.connect(owner).transfer(keeper.address, 2_000n * WAD);
      const before = await worth([owner, keeper], vaultIds);
      let incentives = 0n;
      let penalties = 0n;
      for (const vaultId of vaultIds) {
        const liquidated = await liquidate(vaultId, keeper, keeper);
        expect(liquidated.incentive).to.be.gt(0n);
        const penalty = liquidated.debtToRaise - liquidated.debtSeized;
        expect(liquidated.incentive).to.be.lte(penalty / 2n);
        incentives += liquidated.incentive;
        penalties += penalty;
        // Owed, not paid: the keeper's balance moves only when it claims.
        expect(await f.dutchAuction.incentivesOwed(keeper.address)).to.deep.equal([incentives, incentives]);
        await take(keeper, liquidated.auctionId, MAX);
      }
      expect(await market.claimIncentives(f, keeper)).to.equal(incentives);
      const change = (await worth([owner, keeper], vaultIds)) - before;
      expect(incentives).to.be.lt(penalties);
      expect(change).to.be.lt(0n);
      // Up to stability fees and rounding, the loss is exactly penalty − incentive.
      expect(change).to.be.closeTo(incentives - penalties, 10n ** 15n);
      await expectBooksBalanced();
    });

    it("farming_dustVaults_owesNothingForLiquidationsOrResets", async function () {
      // Vaults left under a raised dust are not worth a keeper's incentive: however many of them a
      // farmer liquidates, in one call or a batch, and resets, it is owed nothing and only loses the
      // penalties. Their lots are worth less than the dust, so a reset ends them instead of restarting.
      const [owner, keeper] = f.users;
      const vaultIds: bigint[] = [];
      // 0.07 WETH: ≈ 157 of debt, just over the listing's dust of 100.
      for (let i = 0; i < 4; i++) vaultIds.push(await openVault(owner, f.weth, (7n * WAD) / 100n));
      await movePrice(f.weth, 2_580n * WAD);
      await f.vaultEngine.setDust(weth, 1_000n * WAD);
      await fund(keeper);
      const before = await worth([owner, keeper], vaultIds);

      const single = await liquidate(vaultIds[0], keeper, keeper);
      const tx = await f.liquidator.connect(keeper).liquidateBatch(vaultIds.slice(1), keeper.address);
      const batch = await market.liquidationsIn(f, (await tx.wait())!);
      expect(batch.map((l) => l.auctionId)).to.deep.equal(vaultIds.slice(1));
      for (const liquidated of [single, ...batch]) {
        // Whole vaults (the rest would be under dust), each raising less than the dust.
        expect(liquidated.normalizedDebtSeized).to.be.gt(0n);
        expect(liquidated.debtToRaise).to.be.lt(1_000n * WAD);
        expect(liquidated.incentive).to.equal(0n);
      }
      // Stale after the maxAuctionAge or not, each reset ends its auction for nothing: the lot is worth less
      // than the dust. The lot covers its debt, so the emptied vault owes all of it again.
      await time.increase(WETH_SPEC.auction!.maxAuctionAge + 1n);
      await market.setPrice(f, f.weth, 2_580n * WAD);
      for (const liquidated of [single, ...batch]) {
        const receipt = (await (
          await f.dutchAuction.connect(keeper).reset(liquidated.auctionId, keeper.address)
        ).wait())!;
        expect(auctionEvents(receipt, "AuctionReset")).to.deep.equal([]);
        expect(auctionEvents<EndedArgs>(receipt, "AuctionEnded")).to.deep.equal([
          {
            auctionId: liquidated.auctionId,
            collateralReturned: liquidated.collateralSeized,
            debtReturned: liquidated.debtToRaise,
            badDebt: 0n,
          },
        ]);
      }
      expect(await f.dutchAuction.incentivesOwed(keeper.address)).to.deep.equal([0n, 0n]);
      await expect(f.dutchAuction.connect(keeper).claimIncentives(keeper.address))
        .to.be.revertedWithCustomError(f.dutchAuction, "NothingToClaim")
        .withArgs(keeper.address);
      // All the farmer has done is pay the penalties.
      expect(await worth([owner, keeper], vaultIds)).to.be.lt(before);
      await expectBooksBalanced();
    });

    it("selfLiquidation_byOrForTheOwner_owesNothingAndCostsThePenalty", async function () {
      const [owner, accomplice, buyer] = f.users;
      await fund(buyer);
      const vaultId = await openVault(owner, f.weth, 10n * WAD);
      const other = await openVault(owner, f.weth, 10n * WAD);
      await movePrice(f.weth, 2_580n * WAD);
      const before = await worth([owner, accomplice], [vaultId]);
      // The owner liquidates for an accomplice, and an accomplice liquidates for the owner.
      const byOwner = await liquidate(vaultId, accomplice, owner);
      const forOwner = await liquidate(other, owner, accomplice);
      expect([byOwner.incentive, forOwner.incentive]).to.deep.equal([0n, 0n]);
      for (const keeper of [owner, accomplice]) {
        expect(await f.dutchAuction.incentivesOwed(keeper.address)).to.deep.equal([0n, 0n]);
        await expect(f.dutchAuction.connect(keeper).claimIncentives(keeper.address))
          .to.be.revertedWithCustomError(f.dutchAuction, "NothingToClaim")
          .withArgs(keeper.address);
      }
      // A buyer clears the lot once the auction price is at or below the oracle price (10 steps).
      await time.increase(600);
      const [, price] = await f.dutchAuction.auctionStatus(vaultId);
      expect(price).to.be.lte(2_580n * WAD);
      await take(buyer, vaultId, MAX);
      expect((await f.vaultEngine.vaults(vaultId)).inAuction).to.equal(false);
      const loss = before - (await worth([owner, accomplice], [vaultId]));
      const penalty = byOwner.debtToRaise - byOwner.debtSeized;
      expect(loss).to.be.gte(penalty);
      expect(loss).to.be.lt((penalty * 12n) / 10n);
      await expectBooksBalanced();
    });
  });

  // ------------------------------------------------------------ rounding

  describe("rounding", function () {
    for (const symbol of ["WETH", "WBTC"] as const) {
      it(`takes_ofOneUnitAtATime_${symbol}_neverPayLessThanValueRoundedUp`, async function () {
        const buyer = f.users[1];
        const c = symbol === "WETH" ? f.weth : f.wbtc;
        const scale = 10n ** (18n - BigInt(c.spec.decimals));
        // Fund with the other collateral, whose price stays put.
        if (c === f.weth) await fund(buyer);
        else await openVault(buyer, f.weth, 40n * WAD, 50n);
        const vaultId = await openVault(f.users[0], c, symbol === "WETH" ? 10n * WAD : 10n ** 8n);
        await movePrice(c, symbol === "WETH" ? 2_580n * WAD : 50_000n * WAD);
        const { auctionId, debtToRaise } = await liquidate(vaultId, f.users[9], f.users[9]);
        const amounts = [...Array<bigint>(20).fill(1n), 2n, 3n, 7n, 999n, 10n ** 6n + 1n];
        let bought = 0n;
        let paid = 0n;
        const check = async (receipt: ContractTransactionReceipt): Promise<void> => {
          const [taken] = auctionEvents<TakeArgs>(receipt, "Take");
          // Exactly the value at the auction price, rounded up — and never less than it.
          expect(taken.debtPaid * WAD).to.be.gte(taken.collateralBought * scale * taken.price);
          bought += taken.collateralBought;
          paid += taken.debtPaid;
          await expectBooksBalanced();
        };
        for (const amount of amounts) {
          const receipt = await take(buyer, auctionId, amount);
          const [taken] = auctionEvents<TakeArgs>(receipt, "Take");
          expect(taken.collateralBought).to.equal(amount);
          expect(taken.debtPaid).to.equal(mulWadUp(amount * scale, taken.price));
          expect(taken.debtPaid).to.be.gt(0n);
          await check(receipt);
        }
        // A take trimmed to leave the minimum debt, then the rest: both still pay at least the value.
        const [, price, , debtLeft] = await f.dutchAuction.auctionStatus(auctionId);
        await check(await take(buyer, auctionId, (debtLeft * WAD) / (price * scale) - 1n));
        await check(await take(buyer, auctionId, MAX));
        expect((await f.dutchAuction.auctions(auctionId)).debtLeft).to.equal(0n);
        // Altogether the buyer paid the whole debt to raise and not a wei less than what it bought.
        expect(await c.token.balanceOf(buyer.address)).to.equal(bought);
        expect(paid).to.equal(debtToRaise);
      });
    }
  });

  // ------------------------------------------------------------ recycled debt

  describe("recycled debt", function () {
    // The auction decides "bad debt" vs "debt back to the vault" when it starts, by whether the
    // liquidation left the vault collateral of its own: a stranger's 1-wei deposit into an emptied
    // vault in auction must not make the unraised debt (penalty included) the vault's again, to be
    // liquidated for a fresh incentive round after round.
    it("recycling_anEmptyVaultsDebtThroughDustDeposits_earnsNoIncentives", async function () {
      const [victim, keeper, attacker] = f.users;
      await fund(attacker);
      await f.weth.token.mint(attacker.address, 10n * WAD);
      await f.weth.token.connect(attacker).approve(await f.vaultEngine.getAddress(), MAX);
      const vaultId = await openVault(victim, f.weth, 10n * WAD);
      await movePrice(f.weth, 2_200n * WAD);
      const { auctionId } = await liquidate(vaultId, keeper, keeper);
      // Ten steps on, the lot (10 WETH at ≈ 0.995 × 2,200) is worth less than the debt to raise
      // (1.08 × 22,500): buying all of it is a fair trade that leaves ≈ 2,400 unraised.
      await time.increase(600);
      await f.vaultEngine.connect(attacker).deposit(vaultId, 1n);
      const receipt = await take(attacker, auctionId, MAX);
      const [ended] = auctionEvents<EndedArgs>(receipt, "AuctionEnded");
      expect(ended.debtReturned).to.equal(0n);
      expect(ended.badDebt).to.be.gt(0n);
      // The vault was emptied by a full liquidation: what its lot could not raise is bad debt in the
      // deficit, not the vault's debt again, so the 1-wei deposit re-arms nothing.
      expect(await f.vaultEngine.debtOf(vaultId)).to.equal(0n);
      expect(await f.vaultEngine.deficit()).to.be.gt(0n);
      const before = await worth([attacker], []);
      for (let round = 0; round < 3; round++) {
        await f.vaultEngine.connect(attacker).deposit(vaultId, 1n);
        await expect(f.liquidator.connect(attacker).liquidate(vaultId, attacker.address)).to.be.revertedWithCustomError(
          f.liquidator,
          "VaultHealthy",
        );
      }
      expect(await f.dutchAuction.incentivesOwed(attacker.address)).to.deep.equal([0n, 0n]);
      await expectBooksBalanced();
      const gain = (await worth([attacker], [])) - before;
      expect(gain).to.be.lte(0n);
    });

    // A partial liquidation may not take all the collateral (it takes all the debt too): when such a
    // lot runs out, the vault would keep debt with no collateral, and liquidating it would start an
    // auction with nothing to sell that nobody can take (ZeroTake) and every reset pays for.
    it("auctions_withNothingToSell_areNeverStarted", async function () {
      const [owner, keeper, buyer] = f.users;
      await fund(buyer);
      const vaultId = await openVault(owner, f.weth, 10n * WAD);
      await movePrice(f.weth, 2_485n * WAD);
      const first = await liquidate(vaultId, keeper, keeper);
      // 32 stair-steps down the lot no longer covers its debt: the buyer exhausts it.
      await time.increase(32n * 60n);
      await take(buyer, first.auctionId, MAX);
      const vault = await f.vaultEngine.vaults(vaultId);
      if (vault.collateralAmount === 0n && vault.normalizedDebt !== 0n) {
        const second = await liquidate(vaultId, keeper, keeper);
        expect(second.collateralSeized, "an auction with nothing to sell").to.be.gt(0n);
      }
      for (const id of await f.dutchAuction.activeAuctions()) {
        expect((await f.dutchAuction.auctions(id)).collateralLeft).to.be.gt(0n);
      }
      // The vault was liquidated whole: nothing is left owing without collateral behind it.
      const after = await f.vaultEngine.vaults(vaultId);
      expect(after.collateralAmount === 0n && after.normalizedDebt !== 0n).to.equal(false);
      await expectBooksBalanced();
    });
  });

  // ------------------------------------------------------------ collateral cap

  describe("collateral cap", function () {
    // `deposit` caps a vault at 2^96 − 1 units so that any part of it fits the auction record
    // (auctionCollateral is a uint96), and anyone may top up a vault in auction. Were the lot not
    // counted, a top-up during the auction plus the unsold rest coming back would push the vault past
    // the cap, and `seize` (which casts the lot to uint96) would revert: a vault nobody can liquidate
    // whole. 2^96 units of an 18-decimal token priced at $0.00001 are worth ≈ $800,000.
    it("deposit_intoAVaultInAuction_countsTheLotTowardTheCapSoTheVaultStaysLiquidatable", async function () {
      const [owner, buyer, keeper] = f.users;
      const spec: LocalCollateralSpec = {
        ...WETH_SPEC,
        symbol: "MEME",
        feedDecimals: 18,
        price: 10n ** 13n, // $0.00001
      };
      const meme = await listMockCollateral(f.governor, f, spec);
      const memeAddress = await meme.token.getAddress();
      // A lot worth just the debt to raise keeps the first liquidation partial.
      await f.liquidator.setCollateralMargin(memeAddress, WAD);
      const cap = 2n ** 96n - 1n;
      const headroom = 10n ** 18n;
      const vaultId = await openVault(owner, meme, cap - headroom);
      await fund(buyer, 40n * 10n ** 8n);
      await movePrice(meme, (spec.price * 86n) / 100n);
      const first = await liquidate(vaultId, keeper, keeper);
      expect((await f.vaultEngine.vaults(vaultId)).collateralAmount).to.be.gt(0n);
      // While the auction runs, the owner may top the vault up only to the cap, lot included.
      await meme.token.mint(owner.address, first.collateralSeized);
      await meme.token.connect(owner).approve(await f.vaultEngine.getAddress(), first.collateralSeized);
      await expect(f.vaultEngine.connect(owner).deposit(vaultId, first.collateralSeized))
        .to.be.revertedWithCustomError(f.vaultEngine, "SafeCastOverflowedUintDowncast")
        .withArgs(96, cap - headroom + first.collateralSeized);
      await f.vaultEngine.connect(owner).deposit(vaultId, headroom);
      // A buyer covers the debt at once; the unsold rest of the lot returns, within the cap.
      await f.dutchAuction.connect(buyer).take(vaultId, MAX, MAX, buyer.address, "0x");
      const vault = await f.vaultEngine.vaults(vaultId);
      expect(vault.inAuction).to.equal(false);
      expect(vault.collateralAmount).to.be.lte(cap);
      await expectBooksBalanced();
      // The price falls until the vault must be liquidated whole: it can be.
      await movePrice(meme, (spec.price * 30n) / 100n);
      expect(await f.riskEngine.healthFactor(vaultId)).to.be.lt(WETH_SPEC.liquidation!.fullLiquidationHealth);
      const second = await liquidate(vaultId, keeper, keeper);
      expect(second.collateralSeized).to.equal(vault.collateralAmount);
      await expectBooksBalanced();
    });
  });
});
