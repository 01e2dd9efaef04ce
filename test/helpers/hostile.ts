// The hostile-actor tests' shared moves: the scripted actors (ScriptedBuyer, HookToken, test-only
// contracts in contracts/mocks/ScriptedActors.sol) and what their calls did, a running auction, and
// the attacker's worth at the oracle price; the books check covers the auctions too.
import { expect } from "chai";
import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { BaseContract, Contract, ContractTransactionReceipt, Result } from "ethers";
import { WAD, mulWadDown, perSecondRate } from "../../keeper/src/math/fixedPoint";
import { LOCAL_COLLATERALS, ORACLE_DEFAULTS, toFeedAnswer, type LocalCollateralSpec } from "../../scripts/lib/deploy";
import {
  HookToken__factory,
  MockAggregator__factory,
  MockERC20__factory,
  ScriptedBuyer__factory,
} from "../../typechain-types";
import type { SluiceFixture } from "./fixtures";
import { eventsIn } from "./auction";
import * as market from "./market";

export type Signer = HardhatEthersSigner;
export type Collateral = market.Collateral;

export const MAX = ethers.MaxUint256;
export const WETH_SPEC = LOCAL_COLLATERALS[0];

export interface TakeArgs {
  auctionId: bigint;
  buyer: string;
  receiver: string;
  collateralBought: bigint;
  debtPaid: bigint;
  price: bigint;
}

export interface EndedArgs {
  auctionId: bigint;
  collateralReturned: bigint;
  debtReturned: bigint;
  badDebt: bigint;
}

/** A struct a view returned, as a plain object (TypeChain types it as a tuple; it is a Result). */
export const plain = (struct: unknown): Record<string, unknown> => (struct as Result).toObject();

// The hostile actors (ScriptedBuyer, HookToken) are test-only contracts in contracts/mocks/ScriptedActors.sol.

/** One call of a script. */
export interface ScriptCall {
  target: string;
  data: string;
}

/** What one call of a script did: its return data, or its revert data. */
export interface Outcome {
  ok: boolean;
  data: string;
}

export function scriptCall(contract: BaseContract, fn: string, args: readonly unknown[]): ScriptCall {
  return { target: contract.target as string, data: contract.interface.encodeFunctionData(fn, args) };
}

export const expectBooksBalanced = async (f: SluiceFixture) => {
  await market.expectBooksBalanced(f);
  await market.expectAuctionsConsistent(f);
};

/** Stablecoin for a WETH buyer, borrowed against WBTC (whose price these tests never move). */
export async function fund(f: SluiceFixture, buyer: Signer, wbtc = 2n * 10n ** 8n): Promise<void> {
  await market.openVault(f, buyer, f.wbtc, wbtc, 50n);
}

/** The decoded DutchAuction events named `name` in `receipt`. */
export function auctionEvents<T>(f: SluiceFixture, receipt: ContractTransactionReceipt, name: string): T[] {
  return eventsIn(receipt, f.dutchAuction, name) as T[];
}

/** The name of a custom error of the engine, the auction or the liquidator, from its revert data. */
export function errorName(f: SluiceFixture, data: string): string | undefined {
  for (const contract of [f.vaultEngine, f.dutchAuction, f.liquidator]) {
    const parsed = contract.interface.parseError(data);
    if (parsed) return parsed.name;
  }
  return undefined;
}

export async function outcomesOf(actor: Contract): Promise<Outcome[]> {
  const recorded = (await actor.outcomes()) as Result[];
  return recorded.map((outcome) => ({ ok: outcome.ok as boolean, data: outcome.data as string }));
}

/** What each call of a script reverted with (the error's name), or "ok". */
export const verdicts = (f: SluiceFixture, outcomes: Outcome[]): string[] =>
  outcomes.map((outcome) => (outcome.ok ? "ok" : (errorName(f, outcome.data) ?? outcome.data)));

export async function deployBuyer(f: SluiceFixture): Promise<Contract> {
  const buyer = await new ScriptedBuyer__factory(f.governor).deploy(await f.dutchAuction.getAddress());
  await buyer.waitForDeployment();
  return buyer as unknown as Contract;
}

/**
 * Lists a HookToken with WETH's parameters (its own feed, the WETH auction curve) and returns it as
 * a collateral the market helpers can drive, with the token's scripting handle.
 */
export async function listHookToken(f: SluiceFixture): Promise<{ c: Collateral; hook: Contract }> {
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
  const auction = await f.dutchAuction.auctionParams(f.weth.token);
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
export async function worth(f: SluiceFixture, accounts: Signer[], vaultIds: bigint[]): Promise<bigint> {
  const [price] = await f.oracleHub.priceState(f.weth.token);
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
export async function runningAuction(f: SluiceFixture, keeper: Signer | string = f.users[9]): Promise<bigint> {
  const vaultId = await market.openVault(f, f.users[0], f.weth, 10n * WAD);
  await market.movePrice(f, f.weth, 2_580n * WAD);
  return (await market.liquidate(f, vaultId, keeper, f.users[9])).auctionId;
}
