// Chainlink's limits on Ethereum, on a book of 1,000 vaults (scripts/bench/upkeep.ts measures 10,000):
// a check of one shard under 10,000,000 gas, performData under 2,000 bytes, a perform under 5,000,000
// gas. The book is opened by the BookBuilder mock, 100 real vaults per transaction.
import { expect } from "chai";
import { mine } from "@nomicfoundation/hardhat-network-helpers";
import { WAD } from "../../keeper/src/math/fixedPoint";
import { WHOLE_BOOK } from "../../scripts/lib/deploy";
import { BookBuilder__factory } from "../../typechain-types";
import { deploySluiceFixture, type SluiceFixture } from "../helpers/fixtures";
import * as market from "../helpers/market";
import { checkGas, runUntilClear, shard, simulateCheck } from "../helpers/upkeep";

const CHECK_GAS_LIMIT = 10_000_000n;
const PERFORM_GAS_LIMIT = 5_000_000n;
const PERFORM_DATA_LIMIT = 2_000;
const BOOK = 1_000n;
const SHARDS = 4n;

describe("LiquidationUpkeep limits", function () {
  let f: SluiceFixture;

  before(async function () {
    f = await deploySluiceFixture();
    const builder = await new BookBuilder__factory(f.governor).deploy(f.vaultEngine);
    // Every vault has debt, so that a check asks the Liquidator about each: its worst case. At the
    // crash below, those at 100% and 95% of their limit fall under health 1, those at 50% do not.
    for (let opened = 0n; opened < BOOK; opened += 100n) {
      await builder.open(f.weth.token, 100n, WAD, [100n, 50n, 95n]);
    }
    expect(await f.vaultEngine.vaultCount()).to.equal(BOOK);
  });

  const shards = Array.from({ length: Number(SHARDS) }, (_, i) => shard({ modulus: SHARDS, residue: BigInt(i) }));

  it("checkUpkeep_ofAShardOfAHealthyBook_readsEveryVaultUnderTheCheckGasLimit", async function () {
    for (const s of shards) {
      expect((await simulateCheck(f.liquidationUpkeep, s)).upkeepNeeded).to.equal(false);
      expect(await checkGas(f.liquidationUpkeep, s)).to.be.below(CHECK_GAS_LIMIT);
    }
    // The whole book in one shard: a page of MAX_SCAN ids per check, the same bound.
    expect(await checkGas(f.liquidationUpkeep, WHOLE_BOOK)).to.be.below(CHECK_GAS_LIMIT);
  });

  it("checkAndPerform_afterACrash_stayWithinChainlinksLimitsUntilTheBookIsClear", async function () {
    await market.movePrice(f, f.weth, 2_400n * WAD);
    await mine(1);
    const unsafe: bigint[] = [];
    for (let from = 1n; from <= BOOK; from += 250n) {
      unsafe.push(...(await f.vaultLens.liquidatable(from, from + 249n, 250n)));
    }
    expect(unsafe.length).to.be.greaterThan(Number(BOOK / 2n));
    let checks = 0;
    for (const s of shards) {
      const check = await simulateCheck(f.liquidationUpkeep, s);
      expect(check.upkeepNeeded).to.equal(true);
      expect((check.performData.length - 2) / 2).to.be.at.most(PERFORM_DATA_LIMIT);
      expect(await checkGas(f.liquidationUpkeep, s)).to.be.below(CHECK_GAS_LIMIT);
      checks++;
    }
    const performs = await runUntilClear(f.liquidationUpkeep, shards, 20);
    expect(performs.length).to.be.greaterThan(checks);
    for (const gas of performs) expect(gas).to.be.below(PERFORM_GAS_LIMIT);
    expect([...(await f.dutchAuction.activeAuctions())]).to.deep.equal(unsafe);
  });
});
