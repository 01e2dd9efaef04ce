// VaultEngine collateral: opening a vault, depositing into it and withdrawing from it, and each way
// they refuse.
import { expect } from "chai";
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { deploySluiceFixture, type SluiceFixture } from "../helpers/fixtures";
import { ORACLE_DEFAULTS, toFeedAnswer } from "../../scripts/lib/deploy";
import { FeeOnTransferToken__factory, MockAggregator__factory } from "../../typechain-types";
import { WAD } from "../../keeper/src/math/fixedPoint";
import {
  HOUR,
  MAX_UINT96,
  weth,
  sld,
  expectBooksBalanced,
  openVault,
  pinNextRate,
  debtFor,
  params,
  newToken,
  modulesAtSigners,
} from "../helpers/vaultEngine";

describe("VaultEngine", function () {
  let f: SluiceFixture;
  let alice: HardhatEthersSigner;
  let bob: HardhatEthersSigner;
  let carol: HardhatEthersSigner;
  let engineAddress: string;
  let wethAddress: string;
  let wbtcAddress: string;

  beforeEach(async function () {
    f = await deploySluiceFixture();
    [alice, bob, carol] = f.users;
    engineAddress = await f.vaultEngine.getAddress();
    wethAddress = await f.weth.token.getAddress();
    wbtcAddress = await f.wbtc.token.getAddress();
  });

  describe("openVault", function () {
    it("openVault_whenNotListed_reverts", async function () {
      const token = await newToken(f, 18);
      await expect(f.vaultEngine.connect(alice).openVault(token))
        .to.be.revertedWithCustomError(f.vaultEngine, "CollateralNotListed")
        .withArgs(await token.getAddress());
    });

    it("openVault_twice_incrementsIdsAndEmits", async function () {
      expect(await f.vaultEngine.vaultCount()).to.equal(0n);
      await expect(f.vaultEngine.connect(alice).openVault(wethAddress))
        .to.emit(f.vaultEngine, "VaultOpened")
        .withArgs(1n, alice.address, wethAddress);
      await expect(f.vaultEngine.connect(bob).openVault(wbtcAddress))
        .to.emit(f.vaultEngine, "VaultOpened")
        .withArgs(2n, bob.address, wbtcAddress);
      expect(await f.vaultEngine.vaultCount()).to.equal(2n);
      const vault = await f.vaultEngine.vaults(2n);
      expect([vault.owner, vault.collateral, vault.collateralAmount, vault.normalizedDebt]).to.deep.equal([
        bob.address,
        wbtcAddress,
        0n,
        0n,
      ]);
    });
  });

  describe("deposit", function () {
    it("deposit_zeroAmount_reverts", async function () {
      const vaultId = await openVault(f, alice, f.weth.token, 0n);
      await expect(f.vaultEngine.connect(alice).deposit(vaultId, 0n)).to.be.revertedWithCustomError(
        f.vaultEngine,
        "ZeroAmount",
      );
    });

    it("deposit_intoUnknownVault_reverts", async function () {
      await expect(f.vaultEngine.connect(alice).deposit(42n, weth("1")))
        .to.be.revertedWithCustomError(f.vaultEngine, "VaultNotFound")
        .withArgs(42n);
    });

    it("deposit_byAnyone_creditsTheVault", async function () {
      const vaultId = await openVault(f, alice, f.weth.token, weth("1"));
      await f.weth.token.mint(carol, weth("2"));
      await f.weth.token.connect(carol).approve(engineAddress, weth("2"));
      const deposit = f.vaultEngine.connect(carol).deposit(vaultId, weth("2"));
      await expect(deposit).to.emit(f.vaultEngine, "Deposited").withArgs(vaultId, carol.address, weth("2"));
      await expect(deposit).to.changeTokenBalances(f.weth.token, [carol, engineAddress], [-weth("2"), weth("2")]);
      const vault = await f.vaultEngine.vaults(vaultId);
      expect(vault.collateralAmount).to.equal(weth("3"));
      expect(vault.owner).to.equal(alice.address);
    });

    it("deposit_ofFeeOnTransferToken_reverts", async function () {
      const token = await new FeeOnTransferToken__factory(f.governor).deploy(100n); // 1% burnt per transfer
      const price = 1_000n * WAD;
      const feed = await new MockAggregator__factory(f.governor).deploy(8, "FEE / USD", toFeedAnswer(price, 8));
      await f.oracleHub.addFeed(token, {
        source: await feed.getAddress(),
        heartbeat: ORACLE_DEFAULTS.heartbeat,
        minPrice: price / 1_000n,
        maxPrice: price * 1_000n,
        maxJump: ORACLE_DEFAULTS.maxJump,
        halfLife: ORACLE_DEFAULTS.halfLife,
      });
      await f.oracleHub.poke(token);
      await f.vaultEngine.addCollateral(token, params());
      const vaultId = await openVault(f, alice, token, 0n);
      await token.mint(alice, weth("10"));
      await token.connect(alice).approve(engineAddress, weth("10"));
      await expect(f.vaultEngine.connect(alice).deposit(vaultId, weth("10")))
        .to.be.revertedWithCustomError(f.vaultEngine, "TransferAmountMismatch")
        .withArgs(await token.getAddress(), weth("10"), weth("9.9"));
    });

    it("deposit_upToTheUint96Cap_succeedsAndOneUnitMoreReverts", async function () {
      const vaultId = await openVault(f, alice, f.weth.token, MAX_UINT96 - 1n);
      await f.weth.token.mint(alice, 2n);
      await f.weth.token.connect(alice).approve(engineAddress, 2n);
      await expect(f.vaultEngine.connect(alice).deposit(vaultId, 2n))
        .to.be.revertedWithCustomError(f.vaultEngine, "SafeCastOverflowedUintDowncast")
        .withArgs(96, MAX_UINT96 + 1n);
      await expect(f.vaultEngine.connect(alice).deposit(vaultId, 1n)).to.emit(f.vaultEngine, "Deposited");
      expect((await f.vaultEngine.vaults(vaultId)).collateralAmount).to.equal(MAX_UINT96);
      await expect(f.vaultEngine.connect(alice).deposit(vaultId, 1n))
        .to.be.revertedWithCustomError(f.vaultEngine, "SafeCastOverflowedUintDowncast")
        .withArgs(96, MAX_UINT96 + 1n);
    });

    it("deposit_aboveUint128_revertsAtTheUint96Cap", async function () {
      const vaultId = await openVault(f, alice, f.weth.token, 0n);
      const tooMuch = 2n ** 128n;
      await f.weth.token.mint(alice, tooMuch);
      await f.weth.token.connect(alice).approve(engineAddress, tooMuch);
      await expect(f.vaultEngine.connect(alice).deposit(vaultId, tooMuch))
        .to.be.revertedWithCustomError(f.vaultEngine, "SafeCastOverflowedUintDowncast")
        .withArgs(96, tooMuch);
    });

    it("deposit_whileInAuction_countsTheCollateralUnderAuctionTowardTheCap", async function () {
      // The cap exists so that any part of a vault's collateral fits the auction record: collateral
      // under auction is still the vault's and comes back to it when the auction ends.
      const { liquidator, auction } = await modulesAtSigners(f);
      const vaultId = await openVault(f, alice, f.weth.token, MAX_UINT96);
      await f.vaultEngine.connect(liquidator).seize(vaultId, MAX_UINT96, 0n);
      await f.weth.token.mint(carol, 1n);
      await f.weth.token.connect(carol).approve(engineAddress, 1n);
      await expect(f.vaultEngine.connect(carol).deposit(vaultId, 1n)).to.be.revertedWithCustomError(
        f.vaultEngine,
        "SafeCastOverflowedUintDowncast",
      );
      // Were it let in, the unsold lot would come back on top of it, and no liquidation could then
      // seize the whole vault.
      await f.vaultEngine.connect(auction).sellAuctionCollateral(vaultId, bob, 0n, true, 0n);
      const vault = await f.vaultEngine.vaults(vaultId);
      expect(vault.collateralAmount + vault.auctionCollateral).to.be.lte(MAX_UINT96);
    });
  });

  describe("withdraw", function () {
    it("withdraw_zeroAmount_reverts", async function () {
      const vaultId = await openVault(f, alice, f.weth.token, weth("1"));
      await expect(f.vaultEngine.connect(alice).withdraw(vaultId, 0n, alice)).to.be.revertedWithCustomError(
        f.vaultEngine,
        "ZeroAmount",
      );
    });

    it("withdraw_toZeroAddress_reverts", async function () {
      const vaultId = await openVault(f, alice, f.weth.token, weth("1"));
      await expect(
        f.vaultEngine.connect(alice).withdraw(vaultId, weth("1"), ethers.ZeroAddress),
      ).to.be.revertedWithCustomError(f.vaultEngine, "ZeroAddress");
    });

    it("withdraw_byStranger_reverts", async function () {
      const vaultId = await openVault(f, alice, f.weth.token, weth("1"));
      await expect(f.vaultEngine.connect(carol).withdraw(vaultId, weth("1"), carol))
        .to.be.revertedWithCustomError(f.vaultEngine, "NotVaultManager")
        .withArgs(vaultId, carol.address);
    });

    it("withdraw_fromUnknownVault_reverts", async function () {
      await expect(f.vaultEngine.connect(alice).withdraw(42n, weth("1"), alice))
        .to.be.revertedWithCustomError(f.vaultEngine, "VaultNotFound")
        .withArgs(42n);
    });

    it("withdraw_moreThanDeposited_reverts", async function () {
      const vaultId = await openVault(f, alice, f.weth.token, weth("1"));
      await expect(f.vaultEngine.connect(alice).withdraw(vaultId, weth("1") + 1n, alice))
        .to.be.revertedWithCustomError(f.vaultEngine, "InsufficientCollateral")
        .withArgs(vaultId, weth("1") + 1n, weth("1"));
    });

    it("withdraw_withNoDebt_succeedsEvenWhenTheOracleIsStale", async function () {
      const vaultId = await openVault(f, alice, f.weth.token, weth("10"));
      await time.increase(2 * HOUR);
      await expect(f.oracleHub.price(wethAddress)).to.be.revertedWithCustomError(f.oracleHub, "StalePrice");
      // A partial withdrawal leaves collateral that would need a price if the engine asked for one.
      const withdrawal = f.vaultEngine.connect(alice).withdraw(vaultId, weth("4"), bob);
      await expect(withdrawal).to.emit(f.vaultEngine, "Withdrawn").withArgs(vaultId, bob.address, weth("4"));
      await expect(withdrawal).to.changeTokenBalances(f.weth.token, [engineAddress, bob], [-weth("4"), weth("4")]);
      await f.vaultEngine.connect(alice).withdraw(vaultId, weth("6"), alice);
      expect((await f.vaultEngine.vaults(vaultId)).collateralAmount).to.equal(0n);
      expect(await f.weth.token.balanceOf(alice)).to.equal(weth("6"));
    });

    it("withdraw_withDebtWhenTheOracleIsStale_reverts", async function () {
      const vaultId = await openVault(f, alice, f.weth.token, weth("10"));
      await f.vaultEngine.connect(alice).borrow(vaultId, sld("1000"), alice);
      await time.increase(2 * HOUR);
      const [, updatedAt] = await f.oracleHub.priceState(wethAddress);
      await expect(f.vaultEngine.connect(alice).withdraw(vaultId, weth("1"), alice))
        .to.be.revertedWithCustomError(f.oracleHub, "StalePrice")
        .withArgs(wethAddress, updatedAt, ORACLE_DEFAULTS.heartbeat);
    });

    it("withdraw_withDebtThatStaysSafe_succeeds", async function () {
      const vaultId = await openVault(f, alice, f.weth.token, weth("10"));
      await f.vaultEngine.connect(alice).borrow(vaultId, sld("15000"), alice);
      // 8 WETH left are worth 24,000 and allow 18,000.
      await expect(f.vaultEngine.connect(alice).withdraw(vaultId, weth("2"), alice)).to.changeTokenBalance(
        f.weth.token,
        alice,
        weth("2"),
      );
      expect(await f.vaultEngine.maxDebt(vaultId)).to.equal(sld("18000"));
      await expectBooksBalanced(f);
    });

    it("withdraw_leavingTheVaultUnsafe_reverts", async function () {
      const vaultId = await openVault(f, alice, f.weth.token, weth("10"));
      await f.vaultEngine.connect(alice).borrow(vaultId, sld("15000"), alice);
      const { normalizedDebt } = await f.vaultEngine.vaults(vaultId);
      const { next } = await pinNextRate(f, wethAddress);
      // 6 WETH left are worth 18,000 and allow 13,500.
      await expect(f.vaultEngine.connect(alice).withdraw(vaultId, weth("4"), alice))
        .to.be.revertedWithCustomError(f.vaultEngine, "VaultUnsafe")
        .withArgs(vaultId, debtFor(normalizedDebt, next), sld("13500"));
    });

    it("withdraw_allCollateralWithDebt_reverts", async function () {
      const vaultId = await openVault(f, alice, f.weth.token, weth("10"));
      await f.vaultEngine.connect(alice).borrow(vaultId, sld("100"), alice);
      const { normalizedDebt } = await f.vaultEngine.vaults(vaultId);
      const { next } = await pinNextRate(f, wethAddress);
      await expect(f.vaultEngine.connect(alice).withdraw(vaultId, weth("10"), alice))
        .to.be.revertedWithCustomError(f.vaultEngine, "VaultUnsafe")
        .withArgs(vaultId, debtFor(normalizedDebt, next), 0n);
    });
  });
});
