// LiquidationUpkeep driven as Chainlink Automation drives it (checks simulated from the zero address,
// performs sent with what they returned) and as Gelato does (`checker`), with hostile perform data,
// the simulation-only guard and the owner's `claim`.
import { expect } from "chai";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { ethers } from "hardhat";
import { mine, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { WAD } from "../../keeper/src/math/fixedPoint";
import { WHOLE_BOOK, encodeShard } from "../../scripts/lib/deploy";
import { BookBuilder__factory, LiquidationUpkeep__factory } from "../../typechain-types";
import { deploySluiceFixture, type SluiceFixture } from "../helpers/fixtures";
import * as market from "../helpers/market";
import { decodePerformData, encodePerformData, runUntilClear, shard, simulateCheck } from "../helpers/upkeep";

describe("LiquidationUpkeep", function () {
  let f: SluiceFixture;

  beforeEach(async function () {
    f = await deploySluiceFixture();
  });

  /** Opens `count` WETH vaults of 1 WETH borrowing `share`% of their limit; returns their ids. */
  async function openMany(count: number, share: bigint, owners = f.users.slice(0, 8)): Promise<bigint[]> {
    const ids: bigint[] = [];
    for (let i = 0; i < count; i++) ids.push(await market.openVault(f, owners[i % owners.length], f.weth, WAD, share));
    return ids;
  }

  /** What a vault's stored fields are, to check that nothing touched it. */
  async function stored(id: bigint) {
    const vault = await f.vaultEngine.vaults(id);
    return [vault.collateralAmount, vault.normalizedDebt, vault.auctionCollateral, vault.inAuction];
  }

  /** A 20% crash of WETH in steps the oracle accepts: vaults at their limit fall below health 1. */
  async function crash(): Promise<void> {
    await market.movePrice(f, f.weth, 2_400n * WAD);
    await mine(1);
  }

  /** Moves past the auctions' tail (2 h) with fresh oracle prices, so that every auction needs a reset. */
  async function ageAuctions(): Promise<void> {
    await time.increase(7_201);
    for (const c of [f.weth, f.wbtc]) {
      const [price] = await f.oracleHub.priceState(await c.token.getAddress());
      await market.setPrice(f, c, price);
    }
  }

  describe("as Chainlink Automation drives it", function () {
    it("checkAndPerform_afterACrash_liquidatesEveryUnsafeVaultAndTouchesNoHealthyOne", async function () {
      // 90 vaults at their limit, interleaved with 20 at half of it, and 6 WBTC vaults at their limit
      // whose price does not move; two shards, each with more unsafe vaults than one perform takes.
      const unsafe: bigint[] = [];
      const healthy: bigint[] = [];
      for (let i = 0; i < 10; i++) {
        unsafe.push(...(await openMany(9, 100n)));
        healthy.push(...(await openMany(2, 50n)));
      }
      for (let i = 0; i < 6; i++) healthy.push(await market.openVault(f, f.users[i], f.wbtc, 10n ** 7n, 100n));
      const shards = [0n, 1n].map((residue) => shard({ modulus: 2n, residue }));
      expect((await simulateCheck(f.liquidationUpkeep, shards[0])).upkeepNeeded).to.equal(false);
      const before = await Promise.all(healthy.map(stored));

      await crash();
      for (const id of unsafe) expect(await f.riskEngine.isLiquidatable(id), `vault ${id}`).to.equal(true);
      const performs = await runUntilClear(f.liquidationUpkeep, shards);
      expect(performs.length).to.be.greaterThan(shards.length);

      for (const id of unsafe) expect((await f.vaultEngine.vaults(id)).inAuction, `vault ${id}`).to.equal(true);
      expect(await Promise.all(healthy.map(stored))).to.deep.equal(before);
      expect([...(await f.dutchAuction.activeAuctions())]).to.deep.equal(unsafe);
      const [owed] = await f.dutchAuction.incentivesOwed(f.liquidationUpkeep.target);
      expect(owed).to.be.greaterThan(0n);
      await market.expectBooksBalanced(f);
      await market.expectAuctionsConsistent(f);
    });

    it("checkAndPerform_afterTheTail_resetsEveryStaleAuctionForTheUpkeep", async function () {
      const unsafe = await openMany(12, 100n);
      await crash();
      await runUntilClear(f.liquidationUpkeep, [WHOLE_BOOK]);
      await ageAuctions();
      for (const id of unsafe) expect((await f.dutchAuction.auctionStatus(id)).needsReset).to.equal(true);

      const check = await simulateCheck(f.liquidationUpkeep, WHOLE_BOOK);
      expect(check.liquidations).to.deep.equal([]);
      expect(check.resets).to.deep.equal(unsafe.slice(0, 10));
      const tx = await f.liquidationUpkeep.performUpkeep(check.performData);
      for (const id of unsafe.slice(0, 10)) {
        await expect(tx)
          .to.emit(f.dutchAuction, "AuctionReset")
          .withArgs(id, f.liquidationUpkeep.target, anyValue, anyValue);
      }
      await expect(tx).to.emit(f.liquidationUpkeep, "UpkeepPerformed").withArgs(f.governor.address, 0, 10);
      await runUntilClear(f.liquidationUpkeep, [WHOLE_BOOK]);
      for (const id of unsafe) expect((await f.dutchAuction.auctionStatus(id)).needsReset).to.equal(false);
      await market.expectAuctionsConsistent(f);
    });

    it("checkUpkeep_withACollateral_returnsOnlyVaultsOfThatCollateral", async function () {
      const weth = await openMany(3, 100n);
      const wbtc: bigint[] = [];
      for (let i = 0; i < 3; i++) wbtc.push(await market.openVault(f, f.users[i], f.wbtc, 10n ** 7n, 100n));
      await crash();
      await market.movePrice(f, f.wbtc, 48_000n * WAD);
      await mine(1);
      const only = (token: string) => simulateCheck(f.liquidationUpkeep, shard({ collateral: token }));
      expect((await only(await f.weth.token.getAddress())).liquidations).to.deep.equal(weth);
      expect((await only(await f.wbtc.token.getAddress())).liquidations).to.deep.equal(wbtc);
      expect((await simulateCheck(f.liquidationUpkeep, WHOLE_BOOK)).liquidations).to.deep.equal(
        [...weth, ...wbtc].sort((a, b) => Number(a - b)),
      );
    });

    it("checkUpkeep_onARangeShard_returnsOnlyIdsInTheRange", async function () {
      const unsafe = await openMany(10, 100n);
      await crash();
      const check = await simulateCheck(f.liquidationUpkeep, shard({ fromId: unsafe[3], toId: unsafe[6] }));
      expect(check.liquidations).to.deep.equal(unsafe.slice(3, 7));
      const beyond = await simulateCheck(f.liquidationUpkeep, shard({ fromId: unsafe[9] + 1n }));
      expect(beyond.upkeepNeeded).to.equal(false);
      expect(beyond.performData).to.equal("0x");
    });

    it("checkUpkeep_onAShardLargerThanMaxScan_readsOnePagePerBlockAndSeesEveryVault", async function () {
      // A book of MAX_SCAN + 5 vaults opened by the BookBuilder, all unsafe after the crash.
      const builder = await new BookBuilder__factory(f.governor).deploy(f.vaultEngine);
      const maxScan = await f.liquidationUpkeep.MAX_SCAN();
      for (const count of [100n, 100n, maxScan - 200n + 5n]) await builder.open(f.weth.token, count, WAD, [100n]);
      expect([...(await f.liquidationUpkeep.shardSize(encodeShard(WHOLE_BOOK)))]).to.deep.equal([maxScan + 5n, 2n]);
      await crash();
      const seen = new Set<bigint>();
      for (let block = 0; block < 2; block++) {
        const check = await simulateCheck(f.liquidationUpkeep, WHOLE_BOOK);
        for (const id of check.liquidations) seen.add(id);
        await mine(1);
      }
      // The first vault of each page: the pages start at ids 1 and MAX_SCAN + 1.
      expect(seen.has(1n) && seen.has(maxScan + 1n)).to.equal(true);
    });

    it("checkUpkeep_sentInATransaction_revertsOnlySimulatedBackend", async function () {
      const [sender] = f.users;
      const data = f.liquidationUpkeep.interface.encodeFunctionData("checkUpkeep", [encodeShard(WHOLE_BOOK)]);
      await expect(sender.sendTransaction({ to: f.liquidationUpkeep.target, data }))
        .to.be.revertedWithCustomError(f.liquidationUpkeep, "OnlySimulatedBackend")
        .withArgs(sender.address);
      // An eth_call from any other account is refused alike; from the zero address it answers.
      await expect(f.liquidationUpkeep.connect(sender).checkUpkeep(encodeShard(WHOLE_BOOK)))
        .to.be.revertedWithCustomError(f.liquidationUpkeep, "OnlySimulatedBackend")
        .withArgs(sender.address);
      expect((await simulateCheck(f.liquidationUpkeep, WHOLE_BOOK)).upkeepNeeded).to.equal(false);
    });

    it("checkUpkeep_withInvalidCheckData_revertsWithTheOffendingShard", async function () {
      const up = f.liquidationUpkeep;
      const call = (checkData: string) => simulateCheck(up, checkData);
      await expect(call("0x1234")).to.be.revertedWithCustomError(up, "InvalidCheckData").withArgs(2);
      await expect(call(encodeShard(shard({ modulus: 0n }))))
        .to.be.revertedWithCustomError(up, "InvalidShard")
        .withArgs(0, 0, 0, 0);
      await expect(call(encodeShard(shard({ modulus: 3n, residue: 3n })))).to.be.revertedWithCustomError(
        up,
        "InvalidShard",
      );
      await expect(call(encodeShard(shard({ fromId: 5n, toId: 4n })))).to.be.revertedWithCustomError(
        up,
        "InvalidShard",
      );
      await expect(up.encodeShard(shard({ modulus: 1_000_001n }))).to.be.revertedWithCustomError(up, "InvalidShard");
      expect(await up.encodeShard(shard({ modulus: 4n, residue: 1n }))).to.equal(
        encodeShard(shard({ modulus: 4n, residue: 1n })),
      );
    });
  });

  describe("with hostile performData", function () {
    let unsafe: bigint[];
    let healthy: bigint[];

    beforeEach(async function () {
      unsafe = await openMany(4, 100n);
      healthy = await openMany(3, 40n);
      await crash();
    });

    const perform = (liquidations: bigint[], resets: bigint[] = [], caller?: HardhatEthersSigner) =>
      f.liquidationUpkeep.connect(caller ?? f.users[9]).performUpkeep(encodePerformData(liquidations, resets));

    it("performUpkeep_withOnlyHealthyOrUnknownVaults_revertsNothingToPerformAndChangesNothing", async function () {
      const before = await Promise.all(healthy.map(stored));
      const count = await f.vaultEngine.vaultCount();
      await expect(
        perform([...healthy, 0n, count + 1n, ethers.MaxUint256], [0n, count + 7n, healthy[0]]),
      ).to.be.revertedWithCustomError(f.liquidationUpkeep, "NothingToPerform");
      expect(await Promise.all(healthy.map(stored))).to.deep.equal(before);
      expect(await f.dutchAuction.activeAuctions()).to.deep.equal([]);
    });

    it("performUpkeep_withDuplicatesAndHealthyVaults_liquidatesEachUnsafeVaultOnceAndSkipsTheRest", async function () {
      const before = await Promise.all(healthy.map(stored));
      const tx = await perform([unsafe[0], unsafe[0], healthy[0], unsafe[1], unsafe[0], healthy[1]]);
      await expect(tx).to.emit(f.liquidationUpkeep, "UpkeepPerformed").withArgs(f.users[9].address, 2, 0);
      const liquidations = await market.liquidationsIn(f, (await tx.wait())!);
      expect(liquidations.map((l) => l.vaultId)).to.deep.equal([unsafe[0], unsafe[1]]);
      for (const l of liquidations) expect(l.keeper).to.equal(f.liquidationUpkeep.target);
      expect(await Promise.all(healthy.map(stored))).to.deep.equal(before);
    });

    it("performUpkeep_twiceWithTheSameData_secondRevertsNothingToPerform", async function () {
      const check = await simulateCheck(f.liquidationUpkeep, WHOLE_BOOK);
      expect(check.liquidations).to.deep.equal(unsafe);
      await f.liquidationUpkeep.connect(f.users[8]).performUpkeep(check.performData);
      // A second keeper of the network, racing the first, pays for one cheap revert.
      await expect(
        f.liquidationUpkeep.connect(f.users[9]).performUpkeep(check.performData, { gasLimit: 600_000 }),
      ).to.be.revertedWithCustomError(f.liquidationUpkeep, "NothingToPerform");
    });

    it("performUpkeep_withVaultsInAuctionAsLiquidationsOrFreshAuctionsAsResets_skipsThem", async function () {
      await perform(unsafe.slice(0, 2));
      // In auction already, and not stale: neither liquidated again nor reset (no AuctionNotStale).
      await expect(perform(unsafe.slice(0, 2), unsafe.slice(0, 2))).to.be.revertedWithCustomError(
        f.liquidationUpkeep,
        "NothingToPerform",
      );
      const tx = await perform([unsafe[0], unsafe[2]], [unsafe[1]]);
      await expect(tx).to.emit(f.liquidationUpkeep, "UpkeepPerformed").withArgs(f.users[9].address, 1, 0);
      await expect(tx).to.not.emit(f.dutchAuction, "AuctionReset");
    });

    it("performUpkeep_withDuplicateResets_resetsEachStaleAuctionOnce", async function () {
      await perform(unsafe);
      await ageAuctions();
      const tx = await perform([], [unsafe[0], unsafe[0], unsafe[1], unsafe[1]]);
      await expect(tx).to.emit(f.liquidationUpkeep, "UpkeepPerformed").withArgs(f.users[9].address, 0, 2);
      const resets = (await tx.wait())!.logs.filter(
        (log) => f.dutchAuction.interface.parseLog(log)?.name === "AuctionReset",
      );
      expect(resets.length).to.equal(2);
    });

    it("performUpkeep_withMoreIdsThanACheckReturns_revertsBatchTooLargeOrPerformDataTooLong", async function () {
      const up = f.liquidationUpkeep;
      const maxLiquidations = Number(await up.MAX_LIQUIDATIONS());
      const maxResets = Number(await up.MAX_RESETS());
      const maxLength = await up.MAX_PERFORM_DATA_LENGTH();
      expect(maxLength).to.be.at.most(2_000n);
      const many = (n: number) => Array.from({ length: n }, () => unsafe[0]);
      expect(BigInt((encodePerformData(many(maxLiquidations), many(maxResets)).length - 2) / 2)).to.equal(maxLength);
      // Shorter than the longest check, but more liquidations than a perform takes.
      await expect(perform(many(maxLiquidations + 1)))
        .to.be.revertedWithCustomError(up, "BatchTooLarge")
        .withArgs(maxLiquidations + 1, 0);
      await expect(perform([], many(maxResets + 1)))
        .to.be.revertedWithCustomError(up, "BatchTooLarge")
        .withArgs(0, maxResets + 1);
      // Two arrays sharing their words: short data, a long batch each.
      const shared = sharedArrays(maxLiquidations + maxResets);
      expect((shared.length - 2) / 2).to.be.at.most(Number(maxLength));
      await expect(up.performUpkeep(shared)).to.be.revertedWithCustomError(up, "BatchTooLarge");
      // 100 kB of ids: refused before decoding, for little more than the calldata's own gas.
      const huge = encodePerformData(many(3_200), []);
      const gasLimit = calldataGas(up.interface.encodeFunctionData("performUpkeep", [huge])) + 30_000n;
      await expect(up.performUpkeep(huge, { gasLimit }))
        .to.be.revertedWithCustomError(up, "PerformDataTooLong")
        .withArgs((huge.length - 2) / 2, maxLength);
    });

    it("performUpkeep_withAFullBatchOfJunk_revertsWithinBoundedGas", async function () {
      const up = f.liquidationUpkeep;
      const count = await f.vaultEngine.vaultCount();
      const junk = (n: bigint, offset: bigint) =>
        Array.from({ length: Number(n) }, (_, i) => count + offset + BigInt(i));
      const data = encodePerformData(junk(await up.MAX_LIQUIDATIONS(), 1n), junk(await up.MAX_RESETS(), 100n));
      await expect(up.performUpkeep(data, { gasLimit: 1_000_000 })).to.be.revertedWithCustomError(
        up,
        "NothingToPerform",
      );
    });

    it("performUpkeep_whenTheBreakerForbidsAuctions_stillResetsAndReportsTheFailedBatch", async function () {
      await perform(unsafe.slice(0, 2));
      await ageAuctions();
      await f.dutchAuction.connect(f.governor).raiseBreaker(1);
      const tx = await perform(unsafe.slice(2), unsafe.slice(0, 2));
      await expect(tx).to.emit(f.liquidationUpkeep, "LiquidationsFailed");
      await expect(tx).to.emit(f.liquidationUpkeep, "UpkeepPerformed").withArgs(f.users[9].address, 0, 2);
      // Level 2 forbids resets as well: each failure is reported, and nothing done reverts.
      await ageAuctions();
      await f.dutchAuction.connect(f.governor).raiseBreaker(2);
      await expect(perform(unsafe.slice(2), unsafe.slice(0, 2))).to.be.revertedWithCustomError(
        f.liquidationUpkeep,
        "NothingToPerform",
      );
    });
  });

  describe("as Gelato drives it", function () {
    it("checker_onTheDefaultShard_returnsTheCallOfPerformUpkeep", async function () {
      const unsafe = await openMany(3, 100n);
      const [idle, reason] = await f.liquidationUpkeep.checker();
      expect(idle).to.equal(false);
      expect(ethers.toUtf8String(reason)).to.contain("no vault");
      await crash();
      const [canExec, execPayload] = await f.liquidationUpkeep.connect(f.users[3]).checker();
      expect(canExec).to.equal(true);
      const call = f.liquidationUpkeep.interface.decodeFunctionData("performUpkeep", execPayload);
      expect(decodePerformData(call[0]).liquidations).to.deep.equal(unsafe);
      // The executor sends the payload as is.
      await f.users[3].sendTransaction({ to: f.liquidationUpkeep.target, data: execPayload });
      for (const id of unsafe) expect((await f.vaultEngine.vaults(id)).inAuction).to.equal(true);
    });

    it("checkerFor_andSetDefaultCheckData_scanTheGivenShard", async function () {
      const unsafe = await openMany(4, 100n);
      await crash();
      const odd = encodeShard(shard({ modulus: 2n, residue: 1n }));
      const [, payload] = await f.liquidationUpkeep.checkerFor(odd);
      const [performData] = f.liquidationUpkeep.interface.decodeFunctionData("performUpkeep", payload);
      expect(decodePerformData(performData).liquidations).to.deep.equal(unsafe.filter((id) => id % 2n === 1n));

      await expect(f.liquidationUpkeep.connect(f.governor).setDefaultCheckData(odd))
        .to.emit(f.liquidationUpkeep, "DefaultCheckDataSet")
        .withArgs(odd);
      expect(await f.liquidationUpkeep.defaultCheckData()).to.equal(odd);
      expect((await f.liquidationUpkeep.checker())[1]).to.equal(payload);
      await expect(f.liquidationUpkeep.connect(f.governor).setDefaultCheckData("0x")).to.be.revertedWithCustomError(
        f.liquidationUpkeep,
        "InvalidCheckData",
      );
    });
  });

  describe("ownership", function () {
    it("deploySluice_deploysTheUpkeepWiredToTheProtocolOwnedByTheAdminOverTheWholeBook", async function () {
      const up = f.liquidationUpkeep;
      expect([await up.liquidator(), await up.auction(), await up.vaultEngine()]).to.deep.equal([
        f.liquidator.target,
        f.dutchAuction.target,
        f.vaultEngine.target,
      ]);
      expect(await up.owner()).to.equal(f.governor.address);
      expect(await up.defaultCheckData()).to.equal(encodeShard(WHOLE_BOOK));
    });

    it("claim_byTheOwner_mintsTheUpkeepsIncentivesTo", async function () {
      const [, , , , treasury] = f.users;
      await openMany(3, 100n);
      await crash();
      await runUntilClear(f.liquidationUpkeep, [WHOLE_BOOK]);
      const [owed] = await f.dutchAuction.incentivesOwed(f.liquidationUpkeep.target);
      expect(owed).to.be.greaterThan(0n);
      await expect(f.liquidationUpkeep.connect(f.governor).claim(treasury.address))
        .to.emit(f.dutchAuction, "IncentivesClaimed")
        .withArgs(f.liquidationUpkeep.target, treasury.address, owed);
      expect(await f.stablecoin.balanceOf(treasury.address)).to.equal(owed);
      await expect(f.liquidationUpkeep.connect(f.governor).claim(treasury.address))
        .to.be.revertedWithCustomError(f.dutchAuction, "NothingToClaim")
        .withArgs(f.liquidationUpkeep.target);
    });

    it("claimAndSetDefaultCheckData_byAStranger_revertOwnableUnauthorizedAccount", async function () {
      const stranger = f.users[7];
      await expect(f.liquidationUpkeep.connect(stranger).claim(stranger.address))
        .to.be.revertedWithCustomError(f.liquidationUpkeep, "OwnableUnauthorizedAccount")
        .withArgs(stranger.address);
      await expect(f.liquidationUpkeep.connect(stranger).setDefaultCheckData(encodeShard(WHOLE_BOOK)))
        .to.be.revertedWithCustomError(f.liquidationUpkeep, "OwnableUnauthorizedAccount")
        .withArgs(stranger.address);
    });

    it("transferOwnership_takesEffectOnlyWhenAccepted", async function () {
      const [, , newOwner] = f.users;
      await f.liquidationUpkeep.connect(f.governor).transferOwnership(newOwner.address);
      expect(await f.liquidationUpkeep.owner()).to.equal(f.governor.address);
      await f.liquidationUpkeep.connect(newOwner).acceptOwnership();
      expect(await f.liquidationUpkeep.owner()).to.equal(newOwner.address);
      await expect(f.liquidationUpkeep.connect(f.governor).claim(f.governor.address)).to.be.revertedWithCustomError(
        f.liquidationUpkeep,
        "OwnableUnauthorizedAccount",
      );
    });

    it("constructor_withAZeroAddressOrInvalidCheckData_reverts", async function () {
      const factory = new LiquidationUpkeep__factory(f.governor);
      const book = encodeShard(WHOLE_BOOK);
      const args = [f.liquidator.target, f.dutchAuction.target, f.vaultEngine.target] as const;
      await expect(
        factory.deploy(ethers.ZeroAddress, args[1], args[2], f.governor.address, book),
      ).to.be.revertedWithCustomError(factory, "ZeroAddress");
      await expect(factory.deploy(...args, ethers.ZeroAddress, book)).to.be.revertedWithCustomError(
        factory,
        "OwnableInvalidOwner",
      );
      await expect(factory.deploy(...args, f.governor.address, "0x")).to.be.revertedWithCustomError(
        factory,
        "InvalidCheckData",
      );
    });
  });
});

/** A transaction's intrinsic gas with `data` (cancun: 4 per zero byte of calldata, 16 per other). */
function calldataGas(data: string): bigint {
  let gas = 21_000n;
  for (const byte of ethers.getBytes(data)) gas += byte === 0 ? 4n : 16n;
  return gas;
}

/** `abi.encode(uint256[], uint256[])` whose two arrays are the same `length` words, written once. */
function sharedArrays(length: number): string {
  const coder = ethers.AbiCoder.defaultAbiCoder();
  const words = coder.encode(["uint256[]"], [Array.from({ length }, () => 1n)]).slice(2 + 64);
  const offset = coder.encode(["uint256"], [64n]).slice(2);
  return "0x" + offset + offset + words;
}
