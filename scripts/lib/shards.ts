// How a book is split among LiquidationUpkeep registrations: n shards that never share a vault.
import { ZeroAddress } from "ethers";
import type { Shard } from "./deploy";

export type ShardKind = "residue" | "range";

/**
 * `count` shards of a book of `vaultCount` vaults. By residue: ids ≡ i (mod count), every shard open
 * ended, so vaults opened later are spread among them. By range: consecutive ranges of equal size, the
 * last open-ended, so new vaults all land in it (re-split when it grows past MAX_SCAN).
 */
export function planShards(vaultCount: bigint, count: number, kind: ShardKind, collateral = ZeroAddress): Shard[] {
  if (!Number.isSafeInteger(count) || count < 1)
    throw new Error(`the shard count must be a whole number ≥ 1, got ${count}`);
  const n = BigInt(count);
  if (kind === "residue") {
    return Array.from({ length: count }, (_, i) => ({
      fromId: 0n,
      toId: 0n,
      modulus: n,
      residue: BigInt(i),
      collateral,
    }));
  }
  const size = vaultCount === 0n ? 1n : (vaultCount + n - 1n) / n;
  return Array.from({ length: count }, (_, i) => ({
    fromId: BigInt(i) * size + 1n,
    toId: i === count - 1 ? 0n : BigInt(i + 1) * size,
    modulus: 1n,
    residue: 0n,
    collateral,
  }));
}

/** The least number of shards whose checks each read their whole shard in one page. */
export function minimumShards(vaultCount: bigint, maxScan: bigint): number {
  return Number(vaultCount === 0n ? 1n : (vaultCount + maxScan - 1n) / maxScan);
}
