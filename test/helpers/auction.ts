// The DutchAuction tests' shared moves: auctions started through the Liquidator and read back from
// their events, takes, the curve price at a pinned block, start requests sent as the Liquidator, and
// the debt identity. Expected numbers come from the curve definitions (reference.ts) and the
// fixed-point mirror (keeper/src/math/fixedPoint.ts) at pinned block timestamps.
import { expect } from "chai";
import { ethers } from "hardhat";
import { setBalance, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionReceipt, Interface, Result } from "ethers";
import { RAY, WAD, mulWadDown } from "../../keeper/src/math/fixedPoint";
import { keeperIncentiveDown, type IncentiveParams } from "../../keeper/src/math/liquidation";
import { linearPrice, stairstepPrice } from "./reference";
import { LOCAL_COLLATERALS, LOCAL_INCENTIVE } from "../../scripts/lib/deploy";
import type { IDutchAuction } from "../../typechain-types";
import { type SluiceFixture } from "./fixtures";
import * as market from "./market";

export type Signer = HardhatEthersSigner;
export type Collateral = market.Collateral;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type EventArgs = Record<string, any>;

/** A struct a view returned, as a plain object (TypeChain types it as a tuple; it is a Result). */
export const plain = (struct: unknown): Record<string, unknown> => (struct as Result).toObject();
export const MAX = ethers.MaxUint256;
export const pct = (percent: number): bigint => (BigInt(Math.round(percent * 100)) * WAD) / 10_000n;

// DutchAuction.sol bounds.
export const MAX_START_PRICE_FACTOR = 3n * WAD;
export const MIN_AUCTION_AGE = 60n;
export const MAX_AUCTION_AGE = 7n * 86_400n;
export const MAX_RESET_PRICE_RATIO = pct(99);
export const MAX_INCENTIVE_RATE = pct(10);

export const [WETH_SPEC, WBTC_SPEC] = LOCAL_COLLATERALS;
export const WETH_AUCTION = WETH_SPEC.auction!;
export const WBTC_AUCTION = WBTC_SPEC.auction!;
export const MIN_DEBT_LEFT = WETH_SPEC.dust; // the auction copies the engine's dust: the least debt a take may leave
export const BUF = WETH_AUCTION.startPriceFactor;

/** `auctions(id)` of a vault without a running auction. */
export const NO_AUCTION = {
  vaultId: 0n,
  collateral: ethers.ZeroAddress,
  collateralLeft: 0n,
  debtLeft: 0n,
  startPrice: 0n,
  startTime: 0n,
  vaultKeepsCollateral: false,
};

/** IDutchAuction.keeperIncentive, through the keeper's mirror. */
export const keeperIncentive = (debt: bigint, params: IncentiveParams = LOCAL_INCENTIVE): bigint =>
  keeperIncentiveDown(params, debt);

/** The curve of a local collateral, from the shared reference (see curves.test.ts). */
export function curvePrice(c: Collateral, startPrice: bigint, elapsed: bigint): bigint {
  const curve = c.spec.auction!.curve;
  return curve.kind === "linear"
    ? linearPrice(startPrice, elapsed, curve.duration)
    : stairstepPrice(startPrice, elapsed, curve.step, curve.cut);
}

/** Whether an auction of `c` needs a reset `elapsed` seconds after starting at `startPrice`. */
export function needsReset(
  c: Collateral,
  startPrice: bigint,
  elapsed: bigint,
  resetPriceRatio = c.spec.auction!.resetPriceRatio,
): boolean {
  const price = curvePrice(c, startPrice, elapsed);
  return elapsed > c.spec.auction!.maxAuctionAge || price === 0n || price < mulWadDown(startPrice, resetPriceRatio);
}

/** The decoded events named `event` that `contract` emitted in `receipt`. */
export function eventsIn(
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

export interface Started {
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

export const debtInAuction = async (f: SluiceFixture, collateral: string) => [
  ...(await f.dutchAuction.debtInAuction(collateral)),
];
export const room = async (f: SluiceFixture, collateral: string) => [...(await f.dutchAuction.room(collateral))];
export const owed = async (f: SluiceFixture, keeper: string) => [...(await f.dutchAuction.incentivesOwed(keeper))];
export const active = async (f: SluiceFixture) => [...(await f.dutchAuction.activeAuctions())];

/** docs/ACCOUNTING.md C3: debt on the books plus the deficit equals stablecoin out plus the surplus. */
export async function expectDebtIdentity(f: SluiceFixture): Promise<void> {
  expect((await f.vaultEngine.totalDebt()) + (await f.vaultEngine.deficit())).to.equal(
    (await f.stablecoin.totalSupply()) * RAY + (await f.vaultEngine.surplus()),
  );
}

/** Gives `buyer` stablecoin by borrowing half the limit of a vault of the *other* collateral. */
export async function fund(f: SluiceFixture, buyer: Signer, auctioned: Collateral): Promise<void> {
  if (auctioned === f.weth) await market.openVault(f, buyer, f.wbtc, 2n * 10n ** 8n, 50n);
  else await market.openVault(f, buyer, f.weth, 40n * WAD, 50n);
}

/** One vault of `c` at its limit, made liquidatable by a fall to `price`, then liquidated. */
export async function startAuction(
  f: SluiceFixture,
  c: Collateral,
  options: { owner?: Signer; amount?: bigint; price?: bigint; keeper?: Signer } = {},
): Promise<Started> {
  const owner = options.owner ?? f.users[0];
  const amount = options.amount ?? (c === f.weth ? 10n * WAD : 10n ** 8n);
  const vaultId = await market.openVault(f, owner, c, amount);
  await market.movePrice(f, c, options.price ?? (c === f.weth ? 2_580n * WAD : 50_000n * WAD));
  return liquidate(f, vaultId, options.keeper);
}

export async function liquidate(f: SluiceFixture, vaultId: bigint, keeper: Signer = f.users[9]): Promise<Started> {
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
export async function pinAt(auction: Started, c: Collateral, elapsed: bigint): Promise<bigint> {
  await time.setNextBlockTimestamp(auction.startTime + elapsed);
  return curvePrice(c, auction.startPrice, elapsed);
}

export async function take(
  f: SluiceFixture,
  buyer: Signer,
  auctionId: bigint,
  maxCollateral: bigint,
): Promise<ContractTransactionReceipt> {
  const tx = await f.dutchAuction.connect(buyer).take(auctionId, maxCollateral, MAX, buyer.address, "0x");
  return (await tx.wait())!;
}

/** The Liquidator contract as a signer, to call `start` (and the engine's `seize`) with chosen lots. */
export async function asLiquidator(f: SluiceFixture): Promise<Signer> {
  const address = await f.liquidator.getAddress();
  await setBalance(address, 10n * WAD);
  return ethers.getImpersonatedSigner(address);
}

/** A start request with harmless defaults: 1 WETH to raise 1,000 at an oracle price of 2,000. */
export function request(
  f: SluiceFixture,
  overrides: Partial<IDutchAuction.StartRequestStruct> = {},
): IDutchAuction.StartRequestStruct {
  return {
    vaultId: 1n,
    collateral: f.weth.token.target as string,
    collateralAmount: WAD,
    debtToRaise: 1_000n * WAD,
    price: 2_000n * WAD,
    vaultKeepsCollateral: true,
    keeper: f.users[9].address,
    maxIncentive: MAX,
    ...overrides,
  };
}
