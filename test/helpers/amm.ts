// The AMM fixture: the default deployment plus Uniswap V2 from the npm artifacts, one seeded pair per
// collateral and the FlashLiquidator (`deploySluice(…, { withAmm: true })`), and the pair moves the
// tests make with it. The default fixture (fixtures.ts) stays without them: its books start empty.
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { sqrt } from "../../keeper/src/math/fixedPoint";
import { deploySluice, type UniswapV2 } from "../../scripts/lib/deploy";
import type { FlashLiquidator, IUniswapV2Pair } from "../../typechain-types";
import type { SluiceFixture } from "./fixtures";
import type { Collateral } from "./market";

export interface AmmFixture extends SluiceFixture {
  uniswap: UniswapV2;
  flashLiquidator: FlashLiquidator;
}

async function ammFixture(): Promise<AmmFixture> {
  const [governor, ...users] = await ethers.getSigners();
  const deployment = await deploySluice(governor, { withMocks: true, withAmm: true });
  return {
    ...deployment,
    governor,
    users,
    weth: deployment.collaterals.WETH,
    wbtc: deployment.collaterals.WBTC,
    uniswap: deployment.uniswap!,
    flashLiquidator: deployment.flashLiquidator!,
  };
}

/** Deploys once per test file and reverts to that snapshot for every test. */
export function deployAmmFixture(): Promise<AmmFixture> {
  return loadFixture(ammFixture);
}

/** Uniswap V2's `getAmountOut` (UniswapV2Library), the reference the tests hold the pair to. */
export function uniswapAmountOut(amountIn: bigint, reserveIn: bigint, reserveOut: bigint): bigint {
  const amountInWithFee = amountIn * 997n;
  return (amountInWithFee * reserveOut) / (reserveIn * 1000n + amountInWithFee);
}

/** The pair of `c` and its reserves as (collateral side, stablecoin side). */
export async function pairReserves(
  f: AmmFixture,
  c: Collateral,
): Promise<{ pair: IUniswapV2Pair; collateral: bigint; stablecoin: bigint }> {
  const pair = f.collaterals[c.spec.symbol].pair!;
  const [reserve0, reserve1] = await pair.getReserves();
  const collateralIsToken0 = (await pair.token0()) === (await c.token.getAddress());
  return collateralIsToken0
    ? { pair, collateral: reserve0, stablecoin: reserve1 }
    : { pair, collateral: reserve1, stablecoin: reserve0 };
}

/**
 * An arbitrageur follows the oracle down: sells freshly minted collateral into the pair through the
 * Uniswap V2 router until the pair's price is (just above) `price` [wad], as arbitrage would after a
 * crash. Without it a keeper's profit would come from a stale pair, not from the auction's discount.
 */
export async function sellPairDownTo(
  f: AmmFixture,
  c: Collateral,
  arbitrageur: HardhatEthersSigner,
  price: bigint,
): Promise<void> {
  const { collateral, stablecoin } = await pairReserves(f, c);
  const unit = 10n ** BigInt(c.spec.decimals);
  // The constant product at `price` holds sqrt(k · unit / price) collateral; the fee makes it take a
  // little more in, which leaves the price a hair above the target.
  const target = sqrt((collateral * stablecoin * unit) / price);
  if (target <= collateral) return;
  const amountIn = target - collateral;
  const router = f.uniswap.router.connect(arbitrageur) as typeof f.uniswap.router;
  await c.token.mint(arbitrageur.address, amountIn);
  await c.token.connect(arbitrageur).approve(await router.getAddress(), amountIn);
  const { timestamp } = (await ethers.provider.getBlock("latest"))!;
  await router.swapExactTokensForTokens(
    amountIn,
    0n,
    [await c.token.getAddress(), await f.stablecoin.getAddress()],
    arbitrageur.address,
    timestamp + 3_600,
  );
}
