// scripts/lib/shards.ts: the shards the upkeep:shards command prints split the book without overlap,
// now and as it grows.
import { expect } from "chai";
import fc from "fast-check";
import { minimumShards, planShards } from "../../../scripts/lib/shards";
import type { Shard } from "../../../scripts/lib/deploy";

function holds(shard: Shard, id: bigint): boolean {
  const from = shard.fromId === 0n ? 1n : shard.fromId;
  return id >= from && (shard.toId === 0n || id <= shard.toId) && id % shard.modulus === shard.residue;
}

describe("scripts/lib/shards", function () {
  it("planShards_byResidueOrRange_putsEveryIdInExactlyOneShardIncludingLaterOnes", function () {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 2_000n }),
        fc.integer({ min: 1, max: 40 }),
        fc.constantFrom("residue" as const, "range" as const),
        (vaultCount, count, kind) => {
          const shards = planShards(vaultCount, count, kind);
          expect(shards.length).to.equal(count);
          // Ids of the book and some opened after the split.
          for (let id = 1n; id <= vaultCount + 50n; id += 1n + id / 20n) {
            const owners = shards.filter((s) => holds(s, id)).length;
            if (owners !== 1) expect.fail(`id ${id} is in ${owners} shards`);
          }
        },
      ),
      { numRuns: 50 },
    );
  });

  it("minimumShards_isTheLeastCountOfShardsOfAtMostMaxScanIds", function () {
    expect(minimumShards(0n, 250n)).to.equal(1);
    expect(minimumShards(250n, 250n)).to.equal(1);
    expect(minimumShards(251n, 250n)).to.equal(2);
    expect(minimumShards(10_000n, 250n)).to.equal(40);
    expect(() => planShards(10n, 0, "residue")).to.throw("≥ 1");
  });
});
