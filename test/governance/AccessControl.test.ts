import { expect } from "chai";
import { impersonateAccount, setBalance, time } from "@nomicfoundation/hardhat-network-helpers";
import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { BaseContract, Interface } from "ethers";
import { deploySluiceFixture, type SluiceFixture } from "../helpers/fixtures";
import {
  GOVERNED_FUNCTIONS,
  GUARDIAN_FUNCTIONS,
  LOCAL_COLLATERALS,
  LOCAL_INCENTIVE,
  ORACLE_DEFAULTS,
  ROLES,
  deploySluice,
  type GovernedContract,
} from "../../scripts/lib/deploy";
import {
  AccessManager__factory,
  MockAggregator__factory,
  MockERC20__factory,
  MockRiskModel__factory,
} from "../../typechain-types";
import { RAY, WAD } from "../../keeper/src/math/fixedPoint";

/** Functions anyone may call. Everything else that writes state must be governed. */
const USER_ENTRY_POINTS: Record<GovernedContract, readonly string[]> = {
  VaultEngine: ["setOperator", "openVault", "deposit", "withdraw", "borrow", "repay", "accrue", "heal"],
  OracleHub: ["poke"],
  RiskEngine: ["sync", "poke"],
  Liquidator: ["liquidate", "liquidateBatch"],
  DutchAuction: ["take", "reset", "claimIncentives"],
};
/** Functions only another protocol contract may call (checked by the contract itself). */
const MODULE_ONLY: Record<GovernedContract, readonly string[]> = {
  VaultEngine: ["seize", "payKeeper", "sellAuctionCollateral", "endAuction", "collectAuctionProceeds"],
  OracleHub: [],
  RiskEngine: [],
  Liquidator: [],
  DutchAuction: ["syncDust", "start", ...GUARDIAN_FUNCTIONS.DutchAuction],
};
/** AccessManaged's own hook: only the current authority may call it. */
const AUTHORITY_ONLY = ["setAuthority"];

function mutatingFunctions(iface: Interface): string[] {
  const names: string[] = [];
  iface.forEachFunction((fn) => {
    if (fn.stateMutability !== "view" && fn.stateMutability !== "pure") names.push(fn.name);
  });
  return names;
}

describe("AccessControl", function () {
  let f: SluiceFixture;
  let stranger: HardhatEthersSigner;

  beforeEach(async function () {
    f = await deploySluiceFixture();
    stranger = f.users[5];
  });

  const targetOf = (name: GovernedContract): BaseContract =>
    ({
      VaultEngine: f.vaultEngine,
      OracleHub: f.oracleHub,
      RiskEngine: f.riskEngine,
      Liquidator: f.liquidator,
      DutchAuction: f.dutchAuction,
    })[name];

  /** Arguments that succeed when the governor sends them, one set per governed function. */
  async function governedCalls(): Promise<Record<GovernedContract, Record<string, unknown[]>>> {
    const weth = await f.weth.token.getAddress();
    const freshToken = await new MockERC20__factory(f.governor).deploy("Fresh", "FRSH", 18);
    const freshFeed = await new MockAggregator__factory(f.governor).deploy(8, "FRSH / USD", 100_000_000n);
    const model = await new MockRiskModel__factory(f.governor).deploy();
    const fresh = await freshToken.getAddress();
    const feed = await freshFeed.getAddress();
    const feedConfig = {
      source: feed,
      heartbeat: ORACLE_DEFAULTS.heartbeat,
      minPrice: WAD / 100n,
      maxPrice: 100n * WAD,
      maxJump: ORACLE_DEFAULTS.maxJump,
      halfLife: ORACLE_DEFAULTS.halfLife,
    };
    // Listing in the engine needs a priced token: one with its feed already added.
    const priced = await (await new MockERC20__factory(f.governor).deploy("Priced", "PRCD", 18)).getAddress();
    await f.oracleHub.connect(f.governor).addFeed(priced, feedConfig);
    // The auction lists only engine collateral: one more token, priced and listed in the engine.
    const listed = await (await new MockERC20__factory(f.governor).deploy("Listed", "LSTD", 18)).getAddress();
    await f.oracleHub.connect(f.governor).addFeed(listed, feedConfig);
    const engineParams = { debtCeiling: 1_000n * WAD, dust: WAD, stabilityFee: RAY, maxLTV: WAD / 2n };
    await f.vaultEngine.connect(f.governor).addCollateral(listed, engineParams);
    const curve = (await f.dutchAuction.auctionParams(weth)).curve;
    // lowerBreaker needs a raised breaker to lower.
    await f.dutchAuction.connect(f.governor).raiseBreaker(1);
    return {
      VaultEngine: {
        addCollateral: [priced, { debtCeiling: 1_000n * WAD, dust: WAD, stabilityFee: RAY, maxLTV: WAD / 2n }],
        setDebtCeiling: [weth, 1_000n * WAD],
        setDust: [weth, WAD],
        setStabilityFee: [weth, RAY],
        setMaxLTV: [weth, WAD / 2n],
        setGlobalDebtCeiling: [1_000n * WAD],
        setRiskModel: [await model.getAddress()],
        setLiquidationModules: [await f.liquidator.getAddress(), await f.dutchAuction.getAddress()],
      },
      OracleHub: {
        addFeed: [fresh, feedConfig],
        setFeedSource: [weth, feed],
        setHeartbeat: [weth, 7_200],
        setPriceBounds: [weth, WAD, 1_000_000n * WAD],
        setMaxJump: [weth, WAD / 10n],
        setHalfLife: [weth, 3_600],
      },
      RiskEngine: {
        addCollateral: [priced, (80n * WAD) / 100n, LOCAL_COLLATERALS[0].risk.params],
        setBaseThreshold: [weth, (80n * WAD) / 100n, 86_400],
        setMinThreshold: [weth, WAD / 2n],
        setBorrowBuffer: [weth, WAD / 20n],
        setConfidence: [weth, 3n * WAD],
        setHorizon: [weth, 7_200],
        setMinRampDuration: [weth, 7_200],
        setDepth: [weth, 10n ** 26n],
        setMaxSizePenalty: [weth, WAD / 5n],
        setMaxStepPerHour: [weth, WAD / 50n],
      },
      Liquidator: {
        addCollateral: [priced, LOCAL_COLLATERALS[0].liquidation],
        setPenalty: [weth, WAD / 20n],
        setTargetHealth: [weth, (110n * WAD) / 100n],
        setFullLiquidationHealth: [weth, (80n * WAD) / 100n],
        setCollateralMargin: [weth, 2n * WAD],
      },
      DutchAuction: {
        addCollateral: [
          listed,
          {
            curve,
            startPriceFactor: (110n * WAD) / 100n,
            maxAuctionAge: 3_600,
            resetPriceRatio: WAD / 2n,
            maxDebtInAuction: 1_000_000n * WAD,
          },
        ],
        setCurve: [weth, curve],
        setStartPriceFactor: [weth, (120n * WAD) / 100n],
        setMaxAuctionAge: [weth, 3_600],
        setResetPriceRatio: [weth, (40n * WAD) / 100n],
        setMaxDebtInAuction: [weth, 1_000_000n * WAD],
        setMaxTotalDebtInAuction: [1_000_000n * WAD],
        setIncentiveParams: [LOCAL_INCENTIVE],
        setLiquidator: [await f.liquidator.getAddress()],
        lowerBreaker: [0],
      },
    };
  }

  describe("governed functions", function () {
    it("governedCalls_coverEveryGovernedFunction", async function () {
      const calls = await governedCalls();
      for (const [name, functions] of Object.entries(GOVERNED_FUNCTIONS) as [GovernedContract, readonly string[]][]) {
        expect(Object.keys(calls[name])).to.have.members([...functions]);
      }
    });

    for (const [name, functions] of Object.entries(GOVERNED_FUNCTIONS) as [GovernedContract, readonly string[]][]) {
      for (const fn of functions) {
        it(`${name}.${fn}_fromNonGovernor_revertsUnauthorized`, async function () {
          const args = (await governedCalls())[name][fn];
          const target = targetOf(name);
          await expect(target.connect(stranger).getFunction(fn)(...args))
            .to.be.revertedWithCustomError(target, "AccessManagedUnauthorized")
            .withArgs(stranger.address);
          // The same call from the governor goes through: the caller alone made the difference.
          await expect(target.connect(f.governor).getFunction(fn)(...args)).to.not.be.reverted;
        });
      }
    }
  });

  describe("completeness", function () {
    for (const name of Object.keys(GOVERNED_FUNCTIONS) as GovernedContract[]) {
      it(`${name}_everyStateChangingFunction_isAUserEntryPointOrGoverned`, async function () {
        const allowed = new Set<string>([
          ...USER_ENTRY_POINTS[name],
          ...MODULE_ONLY[name],
          ...AUTHORITY_ONLY,
          ...GOVERNED_FUNCTIONS[name],
        ]);
        const ungoverned = mutatingFunctions(targetOf(name).interface).filter((fn) => !allowed.has(fn));
        expect(ungoverned).to.deep.equal([]);
      });

      it(`${name}_entryPointLists_matchTheAbi`, async function () {
        const mutating = mutatingFunctions(targetOf(name).interface);
        const governed: readonly string[] = GOVERNED_FUNCTIONS[name];
        for (const fn of [...USER_ENTRY_POINTS[name], ...AUTHORITY_ONLY, ...governed]) {
          expect(mutating, `${name}.${fn}`).to.include(fn);
        }
        for (const fn of USER_ENTRY_POINTS[name]) {
          expect(governed, `${name}.${fn} is a user entry point`).to.not.include(fn);
        }
      });

      it(`${name}_everyGovernedSelector_mapsToTheGovernorRole`, async function () {
        const target = targetOf(name);
        const address = await target.getAddress();
        expect(await f.accessManager.isTargetClosed(address)).to.equal(false);
        for (const fn of GOVERNED_FUNCTIONS[name]) {
          const selector = target.interface.getFunction(fn)!.selector;
          expect(await f.accessManager.getTargetFunctionRole(address, selector), `${name}.${fn}`).to.equal(
            ROLES.GOVERNOR,
          );
        }
      });
    }
  });

  describe("authority", function () {
    it("setAuthority_fromAnyAccountButTheAuthority_reverts", async function () {
      const newManager = await new AccessManager__factory(f.governor).deploy(f.governor);
      for (const target of [f.vaultEngine, f.oracleHub, f.riskEngine, f.liquidator, f.dutchAuction]) {
        for (const caller of [stranger, f.governor]) {
          await expect(target.connect(caller).setAuthority(newManager))
            .to.be.revertedWithCustomError(target, "AccessManagedUnauthorized")
            .withArgs(caller.address);
        }
        expect(await target.authority()).to.equal(await f.accessManager.getAddress());
      }
    });

    it("setAuthority_throughTheAccessManagerAdmin_movesTheTarget", async function () {
      const newManager = await new AccessManager__factory(f.governor).deploy(f.governor);
      const newAddress = await newManager.getAddress();
      await expect(f.accessManager.connect(stranger).updateAuthority(f.vaultEngine, newManager))
        .to.be.revertedWithCustomError(f.accessManager, "AccessManagerUnauthorizedAccount")
        .withArgs(stranger.address, ROLES.ADMIN);
      await expect(f.accessManager.updateAuthority(f.vaultEngine, newManager))
        .to.emit(f.vaultEngine, "AuthorityUpdated")
        .withArgs(newAddress);
      expect(await f.vaultEngine.authority()).to.equal(newAddress);
    });
  });

  describe("guardian and modules", function () {
    it("raiseBreaker_isTheGuardiansAndMapsToTheGuardianRole", async function () {
      const selector = f.dutchAuction.interface.getFunction("raiseBreaker")!.selector;
      expect(await f.accessManager.getTargetFunctionRole(f.dutchAuction, selector)).to.equal(ROLES.GUARDIAN);
      await expect(f.dutchAuction.connect(stranger).raiseBreaker(1))
        .to.be.revertedWithCustomError(f.dutchAuction, "AccessManagedUnauthorized")
        .withArgs(stranger.address);
      await expect(f.dutchAuction.connect(f.governor).raiseBreaker(2)).to.emit(f.dutchAuction, "BreakerLevelSet");
      expect(await f.dutchAuction.breakerLevel()).to.equal(2);
    });

    /** The deployed `module` contract as a signer, so calls come from the real wiring. */
    async function actAs(module: BaseContract): Promise<HardhatEthersSigner> {
      const address = await module.getAddress();
      await impersonateAccount(address);
      await setBalance(address, WAD);
      return ethers.getSigner(address);
    }

    it("seize_fromAnyoneButTheLiquidator_revertsNotLiquidationModule", async function () {
      const auction = await actAs(f.dutchAuction);
      for (const caller of [stranger, f.governor, auction]) {
        await expect(f.vaultEngine.connect(caller).seize(1n, 0n, 0n))
          .to.be.revertedWithCustomError(f.vaultEngine, "NotLiquidationModule")
          .withArgs(caller.address);
      }
    });

    it("auctionOnlyEngineFunctions_fromTheLiquidatorOrAStranger_revertNotLiquidationModule", async function () {
      const liquidator = await actAs(f.liquidator);
      const calls: [string, unknown[]][] = [
        ["payKeeper", [stranger.address, 1n]],
        ["sellAuctionCollateral", [1n, stranger.address, 1n, true, 0n]],
        ["endAuction", [1n, 0n]],
        ["collectAuctionProceeds", [stranger.address, 1n]],
      ];
      expect(calls.map(([fn]) => fn)).to.have.members(MODULE_ONLY.VaultEngine.filter((fn) => fn !== "seize"));
      for (const [fn, args] of calls) {
        for (const caller of [liquidator, stranger, f.governor]) {
          await expect(f.vaultEngine.connect(caller).getFunction(fn)(...args), `${fn} from ${caller.address}`)
            .to.be.revertedWithCustomError(f.vaultEngine, "NotLiquidationModule")
            .withArgs(caller.address);
        }
      }
    });

    it("start_fromAnyoneButTheLiquidator_revertsNotLiquidator", async function () {
      const request = {
        vaultId: 1n,
        collateral: await f.weth.token.getAddress(),
        collateralAmount: 1n,
        debtToRaise: WAD,
        price: WAD,
        vaultKeepsCollateral: true,
        keeper: stranger.address,
        maxIncentive: 0n,
      };
      const engine = await actAs(f.vaultEngine);
      for (const caller of [stranger, f.governor, engine]) {
        await expect(f.dutchAuction.connect(caller).start(request))
          .to.be.revertedWithCustomError(f.dutchAuction, "NotLiquidator")
          .withArgs(caller.address);
      }
    });

    it("syncDust_fromAnyoneButTheVaultEngine_revertsNotVaultEngine", async function () {
      const weth = await f.weth.token.getAddress();
      const engine = await actAs(f.vaultEngine);
      for (const caller of [stranger, f.governor, await actAs(f.liquidator)]) {
        await expect(f.dutchAuction.connect(caller).syncDust(weth, 0n))
          .to.be.revertedWithCustomError(f.dutchAuction, "NotVaultEngine")
          .withArgs(caller.address);
      }
      await expect(f.dutchAuction.connect(engine).syncDust(weth, 7n)).to.emit(f.dutchAuction, "DustSynced");
    });

    it("userEntryPoints_ofTheDutchAuction_needNoRole", async function () {
      // Each reaches the auction's own checks, not the AccessManager.
      await expect(f.dutchAuction.connect(stranger).claimIncentives(stranger.address))
        .to.be.revertedWithCustomError(f.dutchAuction, "NothingToClaim")
        .withArgs(stranger.address);
      await expect(f.dutchAuction.connect(stranger).take(1n, 1n, WAD, stranger.address, "0x"))
        .to.be.revertedWithCustomError(f.dutchAuction, "AuctionNotActive")
        .withArgs(1n);
      await expect(f.dutchAuction.connect(stranger).reset(1n, stranger.address))
        .to.be.revertedWithCustomError(f.dutchAuction, "AuctionNotActive")
        .withArgs(1n);
    });
  });

  describe("roles", function () {
    it("governorRole_locally_hasNoExecutionDelay", async function () {
      const [since, currentDelay, pendingDelay, effect] = await f.accessManager.getAccess(ROLES.GOVERNOR, f.governor);
      expect(since).to.be.gt(0n);
      expect(since).to.be.lte(BigInt(await time.latest()));
      expect([currentDelay, pendingDelay, effect]).to.deep.equal([0n, 0n, 0n]);
      const [isMember, executionDelay] = await f.accessManager.hasRole(ROLES.GOVERNOR, f.governor);
      expect([isMember, executionDelay]).to.deep.equal([true, 0n]);
    });

    it("grantRole_toNewGovernor_letsThemCallAdminFunctions", async function () {
      const weth = await f.weth.token.getAddress();
      await expect(f.vaultEngine.connect(stranger).setDust(weth, 5n * WAD))
        .to.be.revertedWithCustomError(f.vaultEngine, "AccessManagedUnauthorized")
        .withArgs(stranger.address);
      await expect(f.accessManager.grantRole(ROLES.GOVERNOR, stranger, 0))
        .to.emit(f.accessManager, "RoleGranted")
        .withArgs(ROLES.GOVERNOR, stranger.address, 0, await time.latest().then((t) => t + 1), true);
      await expect(f.vaultEngine.connect(stranger).setDust(weth, 5n * WAD))
        .to.emit(f.vaultEngine, "DustSet")
        .withArgs(weth, 5n * WAD);
      await expect(f.oracleHub.connect(stranger).setHeartbeat(weth, 7_200))
        .to.emit(f.oracleHub, "HeartbeatSet")
        .withArgs(weth, 7_200);
    });

    it("revokeRole_fromGovernor_removesAccess", async function () {
      const weth = await f.weth.token.getAddress();
      await f.accessManager.grantRole(ROLES.GOVERNOR, stranger, 0);
      await f.vaultEngine.connect(stranger).setDust(weth, 5n * WAD);
      await expect(f.accessManager.revokeRole(ROLES.GOVERNOR, stranger))
        .to.emit(f.accessManager, "RoleRevoked")
        .withArgs(ROLES.GOVERNOR, stranger.address);
      await expect(f.vaultEngine.connect(stranger).setDust(weth, 6n * WAD))
        .to.be.revertedWithCustomError(f.vaultEngine, "AccessManagedUnauthorized")
        .withArgs(stranger.address);
    });

    it("guardianRole_cannotCallGovernedFunctions", async function () {
      await f.accessManager.grantRole(ROLES.GUARDIAN, stranger, 0);
      await expect(f.vaultEngine.connect(stranger).setGlobalDebtCeiling(1n))
        .to.be.revertedWithCustomError(f.vaultEngine, "AccessManagedUnauthorized")
        .withArgs(stranger.address);
    });

    it("governanceDelay_whenSet_forcesScheduling", async function () {
      const deployer = f.users[6];
      const delay = 86_400;
      const live = await deploySluice(deployer, { governanceDelay: delay });
      const [, currentDelay] = await live.accessManager.getAccess(ROLES.GOVERNOR, deployer);
      expect(currentDelay).to.equal(BigInt(delay));

      // With a delay, a direct call looks for a matured scheduled operation and finds none.
      const target = await live.vaultEngine.getAddress();
      const data = live.vaultEngine.interface.encodeFunctionData("setGlobalDebtCeiling", [1n]);
      const operationId = await live.accessManager.hashOperation(deployer, target, data);
      await expect(live.vaultEngine.connect(deployer).setGlobalDebtCeiling(1n))
        .to.be.revertedWithCustomError(live.accessManager, "AccessManagerNotScheduled")
        .withArgs(operationId);

      await live.accessManager.connect(deployer).schedule(target, data, 0);
      await expect(live.accessManager.connect(deployer).execute(target, data)).to.be.revertedWithCustomError(
        live.accessManager,
        "AccessManagerNotReady",
      );
      await time.increase(delay);
      await expect(live.accessManager.connect(deployer).execute(target, data))
        .to.emit(live.vaultEngine, "GlobalDebtCeilingSet")
        .withArgs(1n);
      expect(await live.vaultEngine.globalDebtCeiling()).to.equal(1n);
    });
  });
});
