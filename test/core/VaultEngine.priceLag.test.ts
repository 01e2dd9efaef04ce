// Issue #8, defect 2: a price the feed refutes by more than maxJump is never borrowed or withdrawn
// against, and liquidations never wait for governance. The example on the deployed protocol:
// WETH's feed moves 3,000 → 1,800 with maxJump 30%; an attacker buys 1,000 WETH for 1.8M and tries to
// borrow 2.25M (75% of 3M) against it.
import { expect } from "chai";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { WAD, mulWadDown } from "../../keeper/src/math/fixedPoint";
import { ORACLE_DEFAULTS, toFeedAnswer } from "../../scripts/lib/deploy";
import { deploySluiceFixture, type SluiceFixture } from "../helpers/fixtures";
import { openVault } from "../helpers/market";

const JUMP = ORACLE_DEFAULTS.maxJump;
const LISTED = 3_000n * WAD;
const CRASH = 1_800n * WAD;
const STEPPED = LISTED - mulWadDown(LISTED, JUMP); // 2,100: one maxJump step toward the crash
const ATTACK_COLLATERAL = ethers.parseUnits("1000", 18);
const ATTACK_BORROW = 2_250_000n * WAD;
/** Borrowing exactly the limit fails by the wei the fee accrual rounds the debt up. */
const FEE_MARGIN = 10n ** 6n;

describe("VaultEngine against an oracle price that lags its feed", function () {
  let f: SluiceFixture;
  let victim: HardhatEthersSigner;
  let attacker: HardhatEthersSigner;
  let keeper: HardhatEthersSigner;
  let weth: string;

  beforeEach(async function () {
    f = await deploySluiceFixture();
    [victim, attacker, keeper] = f.users;
    weth = await f.weth.token.getAddress();
    expect(await f.oracleHub.price(weth)).to.equal(LISTED);
  });

  /** Publishes a new WETH round at `price` [wad] without poking anything. */
  const publish = (price: bigint) => f.weth.feed.setAnswer(toFeedAnswer(price, f.weth.spec.feedDecimals));

  /** The engine's limit for `amount` WETH priced at `price`: V · min(maxLTV, borrowRatio(V)). */
  async function limitAt(amount: bigint, price: bigint): Promise<bigint> {
    const value = mulWadDown(amount, price);
    const ratio = await f.riskEngine.borrowRatio(weth, value);
    return mulWadDown(value, ratio < f.weth.spec.maxLTV ? ratio : f.weth.spec.maxLTV);
  }

  it("borrow_againstTheStoredPriceAfterTheFeedCrashedAndNobodyPoked_revertsPriceLagsFeed", async function () {
    const vaultId = await openVault(f, attacker, f.weth, ATTACK_COLLATERAL, 0n);
    expect(await f.vaultEngine.maxDebt(vaultId)).to.equal(ATTACK_BORROW);
    await publish(CRASH);
    // price() still serves 3,000 (liquidations use it); borrowing does not.
    expect(await f.oracleHub.price(weth)).to.equal(LISTED);
    for (const amount of [ATTACK_BORROW, f.weth.spec.dust]) {
      await expect(f.vaultEngine.connect(attacker).borrow(vaultId, amount, attacker.address))
        .to.be.revertedWithCustomError(f.oracleHub, "PriceLagsFeed")
        .withArgs(weth, LISTED, CRASH, JUMP);
    }
  });

  it("withdraw_againstTheStoredPriceAfterTheFeedCrashed_revertsPriceLagsFeedUnlessTheVaultHasNoDebt", async function () {
    const indebted = await openVault(f, attacker, f.weth, ATTACK_COLLATERAL, 50n);
    const debtFree = await openVault(f, attacker, f.weth, ATTACK_COLLATERAL, 0n);
    await publish(CRASH);
    await expect(f.vaultEngine.connect(attacker).withdraw(indebted, WAD, attacker.address))
      .to.be.revertedWithCustomError(f.oracleHub, "PriceLagsFeed")
      .withArgs(weth, LISTED, CRASH, JUMP);
    await f.vaultEngine.connect(attacker).withdraw(debtFree, ATTACK_COLLATERAL, attacker.address);
  });

  it("poke_ofTheCrash_stepsByMaxJumpOncePerFeedRoundHoweverOftenItIsPoked", async function () {
    await publish(CRASH);
    await expect(f.oracleHub.poke(weth)).to.emit(f.oracleHub, "PriceClamped").withArgs(weth, STEPPED, CRASH, JUMP);
    for (let i = 0; i < 3; i++) {
      await f.oracleHub.poke(weth);
      await f.riskEngine.poke(weth);
    }
    expect(await f.oracleHub.price(weth)).to.equal(STEPPED);
    await publish(CRASH); // the next round: 2,100 → 1,800 is within maxJump
    await f.oracleHub.poke(weth);
    expect(await f.oracleHub.price(weth)).to.equal(CRASH);
  });

  it("borrow_afterTheCrashWasPokedOnce_isLimitedToTheFeedPriceSoTheAttackLeavesNoBadDebt", async function () {
    const vaultId = await openVault(f, attacker, f.weth, ATTACK_COLLATERAL, 0n);
    await publish(CRASH);
    await f.riskEngine.poke(weth);
    // Stored 2,100 is within maxJump of 1,800, but borrowing prices at the lower, live, 1,800.
    const limit = await limitAt(ATTACK_COLLATERAL, CRASH);
    expect(await f.vaultEngine.maxDebt(vaultId)).to.equal(limit);
    await expect(f.vaultEngine.connect(attacker).borrow(vaultId, ATTACK_BORROW, attacker.address))
      .to.be.revertedWithCustomError(f.vaultEngine, "VaultUnsafe")
      .withArgs(vaultId, anyValue, limit);
    await f.vaultEngine.connect(attacker).borrow(vaultId, limit - FEE_MARGIN, attacker.address);
    expect(limit).to.be.lessThan(mulWadDown(ATTACK_COLLATERAL, CRASH)); // the debt is covered at 1,800
  });

  it("liquidate_whileTheStoredPriceLagsTheFeed_proceedsWithoutGovernance", async function () {
    const vaultId = await openVault(f, victim, f.weth, ethers.parseUnits("100", 18));
    await publish(CRASH);
    await f.riskEngine.poke(weth); // 2,100: the vault, at its limit at 3,000, is now underwater
    expect(await f.riskEngine.isLiquidatable(vaultId)).to.equal(true);
    await expect(f.liquidator.connect(keeper).liquidate(vaultId, keeper.address)).to.emit(f.vaultEngine, "Seized");
    expect((await f.vaultEngine.vaults(vaultId)).inAuction).to.equal(true);
  });

  it("borrow_whileADeeperCrashIsStillBeyondMaxJump_isRefusedAndWorksOnceTheStoredPriceCatchesUp", async function () {
    const vaultId = await openVault(f, attacker, f.weth, ATTACK_COLLATERAL, 0n);
    const bottom = 1_000n * WAD;
    // 3,000 → 2,100 (lags 1,000 by 52%) → 1,470 (32%) → 1,029 (2.9%, within maxJump).
    for (const stored of [2_100n, 1_470n]) {
      await publish(bottom);
      await f.riskEngine.poke(weth);
      expect(await f.oracleHub.price(weth)).to.equal(stored * WAD);
      await expect(f.vaultEngine.connect(attacker).borrow(vaultId, f.weth.spec.dust, attacker.address))
        .to.be.revertedWithCustomError(f.oracleHub, "PriceLagsFeed")
        .withArgs(weth, stored * WAD, bottom, JUMP);
    }
    await publish(bottom);
    await f.riskEngine.poke(weth);
    expect(await f.oracleHub.price(weth)).to.equal(1_029n * WAD);
    const limit = await limitAt(ATTACK_COLLATERAL, bottom);
    expect(await f.vaultEngine.maxDebt(vaultId)).to.equal(limit);
    await f.vaultEngine.connect(attacker).borrow(vaultId, limit - FEE_MARGIN, attacker.address);
  });
});
