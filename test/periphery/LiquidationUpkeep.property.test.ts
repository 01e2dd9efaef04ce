// Property: the shards of a partition (one modulus and every residue, or consecutive ranges, each
// optionally split by collateral) never return the same vault, return only vaults of their own shard,
// and together return every vault that can be liquidated.
import { expect } from "chai";
import fc from "fast-check";
import { mine } from "@nomicfoundation/hardhat-network-helpers";
import { ZeroAddress } from "ethers";
import { WAD } from "../../keeper/src/math/fixedPoint";
import type { Shard } from "../../scripts/lib/deploy";
import { BookBuilder__factory } from "../../typechain-types";
import { deploySluiceFixture, type SluiceFixture } from "../helpers/fixtures";
import * as market from "../helpers/market";
import { shard, simulateCheck } from "../helpers/upkeep";

const WETH_VAULTS = 30n;
const WBTC_VAULTS = 6;

describe("LiquidationUpkeep shards (property)", function () {
  let f: SluiceFixture;
  let count: bigint;
  let collateralOf: Map<bigint, string>;
  let unsafe: bigint[];

  before(async function () {
    f = await deploySluiceFixture();
    const builder = await new BookBuilder__factory(f.governor).deploy(f.vaultEngine);
    await builder.open(f.weth.token, WETH_VAULTS / 2n, WAD, [100n, 40n]);
    for (let i = 0; i < WBTC_VAULTS; i++) await market.openVault(f, f.users[i], f.wbtc, 10n ** 7n, 100n);
    await builder.open(f.weth.token, WETH_VAULTS / 2n, WAD, [100n, 100n, 40n]);
    await market.movePrice(f, f.weth, 2_400n * WAD);
    await market.movePrice(f, f.wbtc, 48_000n * WAD);
    await mine(1);
    count = await f.vaultEngine.vaultCount();
    collateralOf = new Map();
    for (let id = 1n; id <= count; id++) collateralOf.set(id, (await f.vaultEngine.vaults(id)).collateral);
    unsafe = [...(await f.vaultLens.liquidatable(1n, count, count))];
    expect(unsafe.length).to.be.within(20, 40);
  });

  function inShard(s: Shard, id: bigint): boolean {
    const from = s.fromId === 0n ? 1n : s.fromId;
    const to = s.toId === 0n ? count : s.toId;
    const collateral = s.collateral === ZeroAddress || collateralOf.get(id) === s.collateral;
    return id >= from && id <= to && id % s.modulus === s.residue && collateral;
  }

  /** A partition of the book: by residue or by consecutive ranges (the last open-ended). */
  const partition = fc.oneof(
    fc
      .integer({ min: 1, max: 8 })
      .map((modulus) =>
        Array.from({ length: modulus }, (_, residue) => shard({ modulus: BigInt(modulus), residue: BigInt(residue) })),
      ),
    fc.uniqueArray(fc.integer({ min: 2, max: 36 }), { maxLength: 6 }).map((cuts) => {
      const starts = [1, ...cuts.sort((a, b) => a - b)];
      return starts.map((start, i) =>
        shard({ fromId: BigInt(start), toId: i + 1 < starts.length ? BigInt(starts[i + 1] - 1) : 0n }),
      );
    }),
  );

  it("checkUpkeep_overThePartitionsOfTheBook_returnsEachUnsafeVaultFromExactlyOneShard", async function () {
    const weth = await f.weth.token.getAddress();
    const wbtc = await f.wbtc.token.getAddress();
    await fc.assert(
      fc.asyncProperty(partition, fc.boolean(), async (shards, byCollateral) => {
        const all = byCollateral
          ? shards.flatMap((s) => [weth, wbtc].map((collateral) => ({ ...s, collateral })))
          : shards;
        const owner = new Map<bigint, number>();
        for (const [i, s] of all.entries()) {
          const { liquidations, resets } = await simulateCheck(f.liquidationUpkeep, s);
          expect(resets).to.deep.equal([]);
          for (const id of liquidations) {
            expect(inShard(s, id), `vault ${id} in shard ${i}`).to.equal(true);
            expect(owner.has(id), `vault ${id} returned by shards ${owner.get(id)} and ${i}`).to.equal(false);
            owner.set(id, i);
          }
        }
        expect([...owner.keys()].sort((a, b) => Number(a - b))).to.deep.equal(unsafe);
      }),
      { numRuns: 40 },
    );
  });
});
