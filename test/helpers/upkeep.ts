// Drives a LiquidationUpkeep as a keeper network does: `checkUpkeep` simulated by `eth_call` from the
// zero address (Chainlink's simulations), then `performUpkeep` in a transaction with what it returned.
import { ethers } from "hardhat";
import { AbiCoder, ZeroAddress } from "ethers";
import { encodeShard, type Shard } from "../../scripts/lib/deploy";
import type { LiquidationUpkeep } from "../../typechain-types";

export interface Check {
  upkeepNeeded: boolean;
  performData: string;
  /** Decoded `performData`: the vaults to liquidate and the auctions to reset. */
  liquidations: bigint[];
  resets: bigint[];
}

export function shard(fields: Partial<Shard>): Shard {
  return { fromId: 0n, toId: 0n, modulus: 1n, residue: 0n, collateral: ZeroAddress, ...fields };
}

export function encodePerformData(liquidations: readonly bigint[], resets: readonly bigint[]): string {
  return AbiCoder.defaultAbiCoder().encode(["uint256[]", "uint256[]"], [liquidations, resets]);
}

export function decodePerformData(performData: string): { liquidations: bigint[]; resets: bigint[] } {
  const [liquidations, resets] = AbiCoder.defaultAbiCoder().decode(["uint256[]", "uint256[]"], performData);
  return { liquidations: [...liquidations], resets: [...resets] };
}

/** `checkUpkeep(checkData)` as Chainlink simulates it: an `eth_call` whose `from` is the zero address. */
export async function simulateCheck(upkeep: LiquidationUpkeep, checkData: Shard | string): Promise<Check> {
  const data = upkeep.interface.encodeFunctionData("checkUpkeep", [
    typeof checkData === "string" ? checkData : encodeShard(checkData),
  ]);
  const result = await ethers.provider.call({ to: upkeep.target, data, from: ZeroAddress });
  const [upkeepNeeded, performData] = upkeep.interface.decodeFunctionResult("checkUpkeep", result) as unknown as [
    boolean,
    string,
  ];
  const decoded = upkeepNeeded ? decodePerformData(performData) : { liquidations: [], resets: [] };
  return { upkeepNeeded, performData, ...decoded };
}

/** Gas of that simulation (`eth_estimateGas` from the zero address, the 21,000 intrinsic gas included). */
export async function checkGas(upkeep: LiquidationUpkeep, checkData: Shard): Promise<bigint> {
  const data = upkeep.interface.encodeFunctionData("checkUpkeep", [encodeShard(checkData)]);
  return ethers.provider.estimateGas({ to: upkeep.target, data, from: ZeroAddress });
}

/**
 * Runs the network's loop over `shards` until no check asks for work (at most `maxRounds` rounds);
 * returns the gas of every perform.
 */
export async function runUntilClear(upkeep: LiquidationUpkeep, shards: Shard[], maxRounds = 10): Promise<bigint[]> {
  const performs: bigint[] = [];
  for (let round = 0; round < maxRounds; round++) {
    let worked = false;
    for (const s of shards) {
      const check = await simulateCheck(upkeep, s);
      if (!check.upkeepNeeded) continue;
      const receipt = await (await upkeep.performUpkeep(check.performData)).wait();
      performs.push(receipt!.gasUsed);
      worked = true;
    }
    if (!worked) return performs;
  }
  throw new Error(`the book is not clear after ${maxRounds} rounds`);
}
