// A live deployment (governanceDelay > 0, ADMIN handed to a configured admin): no role grant, target
// change or governed call takes effect faster than the delay, from the block the deployment ends.
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { Interface } from "ethers";
import { deploySluice, GOVERNED_FUNCTIONS, ROLES, type Deployment } from "../../scripts/lib/deploy";
import { AccessManager__factory } from "../../typechain-types";

const DELAY = 2 * 86_400; // [seconds]
const MIN_SETBACK = 5 * 86_400; // [seconds] AccessManager.minSetback(): when raised grant and target admin delays apply

interface LiveFixture extends Deployment {
  deployerSigner: HardhatEthersSigner;
  admin: HardhatEthersSigner;
  guardian: HardhatEthersSigner;
  attacker: HardhatEthersSigner;
}

async function liveFixture(): Promise<LiveFixture> {
  const signers = await ethers.getSigners();
  const [deployerSigner, admin, guardian, attacker] = signers.slice(10, 14);
  const deployment = await deploySluice(deployerSigner, {
    governanceDelay: DELAY,
    admin: admin.address,
    guardian: guardian.address,
  });
  return { ...deployment, deployerSigner, admin, guardian, attacker };
}

/** The same, but without a configured admin: the deployer keeps ADMIN and GOVERNOR. */
async function liveWithoutAdminFixture(): Promise<LiveFixture> {
  const signers = await ethers.getSigners();
  const [deployerSigner, attacker] = signers.slice(14, 16);
  const deployment = await deploySluice(deployerSigner, { governanceDelay: DELAY });
  return { ...deployment, deployerSigner, admin: deployerSigner, guardian: deployerSigner, attacker };
}

describe("GovernanceDelay (live deployment)", function () {
  let f: LiveFixture;

  beforeEach(async function () {
    f = await loadFixture(liveFixture);
  });

  /** Every account the deployment ever granted `role` to, with what `hasRole` says of it now. */
  async function members(
    d: Deployment,
    role: bigint,
  ): Promise<{ account: string; isMember: boolean; delay: bigint }[]> {
    const granted = await d.accessManager.queryFilter(d.accessManager.filters.RoleGranted(role), d.deployBlock);
    const accounts = [...new Set(granted.map((event) => event.args.account))];
    return Promise.all(
      accounts.map(async (account) => {
        const [isMember, delay] = await d.accessManager.hasRole(role, account);
        return { account, isMember, delay };
      }),
    );
  }

  /** Signers for every current ADMIN member: each is a way the attack could start. */
  async function adminHolders(d: Deployment): Promise<HardhatEthersSigner[]> {
    const admins = (await members(d, ROLES.ADMIN)).filter((member) => member.isMember);
    return Promise.all(admins.map((member) => ethers.getSigner(member.account)));
  }

  async function accessManagerCall(fn: string, args: unknown[]): Promise<{ target: string; data: string }> {
    return {
      target: await f.accessManager.getAddress(),
      data: (f.accessManager.interface as Interface).encodeFunctionData(fn, args),
    };
  }

  /** Schedules `data` on `target` as `caller`, shows it is not ready one second early, waits and executes it. */
  async function scheduleWaitExecute(caller: HardhatEthersSigner, target: string, data: string): Promise<void> {
    const manager = f.accessManager.connect(caller);
    await manager.schedule(target, data, 0);
    const operationId = await manager.hashOperation(caller, target, data);
    await time.increase(DELAY - 2);
    await expect(manager.execute(target, data))
      .to.be.revertedWithCustomError(f.accessManager, "AccessManagerNotReady")
      .withArgs(operationId);
    await time.increase(1);
    await manager.execute(target, data);
  }

  describe("roles after deployment", function () {
    it("adminRole_onALiveDeployment_noMemberHasExecutionDelayZero", async function () {
      for (const d of [f, await loadFixture(liveWithoutAdminFixture)]) {
        const admins = (await members(d, ROLES.ADMIN)).filter((member) => member.isMember);
        expect(admins).to.not.be.empty;
        for (const member of admins) expect(member.delay, member.account).to.equal(BigInt(DELAY));
        const governors = (await members(d, ROLES.GOVERNOR)).filter((member) => member.isMember);
        expect(governors).to.not.be.empty;
        for (const member of governors) expect(member.delay, member.account).to.equal(BigInt(DELAY));
      }
    });

    it("deployer_withAConfiguredAdmin_handsOverEveryRole", async function () {
      for (const role of [ROLES.ADMIN, ROLES.GOVERNOR, ROLES.GUARDIAN]) {
        expect(await f.accessManager.hasRole(role, f.deployerSigner)).to.deep.equal([false, 0n]);
      }
      expect(await f.accessManager.hasRole(ROLES.ADMIN, f.admin)).to.deep.equal([true, BigInt(DELAY)]);
      expect(await f.accessManager.hasRole(ROLES.GOVERNOR, f.admin)).to.deep.equal([true, BigInt(DELAY)]);
      expect(await f.accessManager.hasRole(ROLES.GUARDIAN, f.guardian)).to.deep.equal([true, 0n]);
    });

    it("deployer_withoutAConfiguredAdmin_keepsAdminOnlyWithTheDelay", async function () {
      const d = await loadFixture(liveWithoutAdminFixture);
      expect(await d.accessManager.hasRole(ROLES.ADMIN, d.deployerSigner)).to.deep.equal([true, BigInt(DELAY)]);
      await expect(d.accessManager.connect(d.deployerSigner).grantRole(ROLES.GOVERNOR, d.attacker, 0))
        .to.be.revertedWithCustomError(d.accessManager, "AccessManagerNotScheduled")
        .withArgs(
          await d.accessManager.hashOperation(
            d.deployerSigner,
            d.accessManager,
            d.accessManager.interface.encodeFunctionData("grantRole", [ROLES.GOVERNOR, d.attacker.address, 0]),
          ),
        );
    });

    it("grantAndTargetAdminDelays_equalTheDelayOnceTheSetbackHasPassed", async function () {
      const governed = [f.vaultEngine, f.oracleHub, f.riskEngine, f.liquidator, f.dutchAuction, f.backstopPool];
      expect(governed).to.have.length(Object.keys(GOVERNED_FUNCTIONS).length);
      // Raised delays wait minSetback(); until then only the ADMIN's execution delay holds the line.
      expect(await f.accessManager.getRoleGrantDelay(ROLES.GOVERNOR)).to.equal(0n);
      await time.increase(MIN_SETBACK);
      for (const role of [ROLES.ADMIN, ROLES.GOVERNOR, ROLES.GUARDIAN]) {
        expect(await f.accessManager.getRoleGrantDelay(role), `role ${role}`).to.equal(BigInt(DELAY));
      }
      for (const target of governed) {
        expect(await f.accessManager.getTargetAdminDelay(target)).to.equal(BigInt(DELAY));
      }
    });
  });

  describe("the attack of issue #8 (defect 4)", function () {
    it("grantGovernorToAFreshKey_fromAnyAdmin_cannotTakeEffectAtOnce", async function () {
      const holders = await adminHolders(f);
      expect(holders).to.not.be.empty;
      const { target, data } = await accessManagerCall("grantRole", [ROLES.GOVERNOR, f.attacker.address, 0]);
      for (const holder of holders) {
        await expect(f.accessManager.connect(holder).grantRole(ROLES.GOVERNOR, f.attacker, 0))
          .to.be.revertedWithCustomError(f.accessManager, "AccessManagerNotScheduled")
          .withArgs(await f.accessManager.hashOperation(holder, target, data));
      }
      await expect(f.vaultEngine.connect(f.attacker).setLiquidationModules(f.attacker, f.attacker))
        .to.be.revertedWithCustomError(f.vaultEngine, "AccessManagedUnauthorized")
        .withArgs(f.attacker.address);
    });

    it("grantGovernorToAFreshKey_thenSetLiquidationModules_takesAtLeastTheDelay", async function () {
      const { target, data } = await accessManagerCall("grantRole", [ROLES.GOVERNOR, f.attacker.address, 0]);
      const scheduledAt = (await time.latest()) + 1;
      await scheduleWaitExecute(f.admin, target, data);
      await f.vaultEngine.connect(f.attacker).setLiquidationModules(f.attacker, f.attacker);
      expect(await f.vaultEngine.liquidator()).to.equal(f.attacker.address);
      expect((await time.latest()) - scheduledAt).to.be.gte(DELAY);
    });

    it("grantGovernorToAFreshKey_afterTheSetback_waitsTheAdminAndTheGrantDelay", async function () {
      await time.increase(MIN_SETBACK);
      const { target, data } = await accessManagerCall("grantRole", [ROLES.GOVERNOR, f.attacker.address, 0]);
      await scheduleWaitExecute(f.admin, target, data);
      expect((await f.accessManager.hasRole(ROLES.GOVERNOR, f.attacker))[0]).to.equal(false);
      await expect(
        f.vaultEngine.connect(f.attacker).setLiquidationModules(f.attacker, f.attacker),
      ).to.be.revertedWithCustomError(f.vaultEngine, "AccessManagedUnauthorized");
      await time.increase(DELAY);
      expect(await f.accessManager.hasRole(ROLES.GOVERNOR, f.attacker)).to.deep.equal([true, 0n]);
    });

    it("cuttingTheAdminsOwnDelay_takesTheDelayTwice", async function () {
      const { target, data } = await accessManagerCall("grantRole", [ROLES.ADMIN, f.admin.address, 0]);
      await scheduleWaitExecute(f.admin, target, data);
      expect((await f.accessManager.hasRole(ROLES.ADMIN, f.admin))[1]).to.equal(BigInt(DELAY));
      await time.increase(DELAY);
      expect((await f.accessManager.hasRole(ROLES.ADMIN, f.admin))[1]).to.equal(0n);
    });
  });

  describe("target changes", function () {
    async function targetChanges(): Promise<[string, unknown[]][]> {
      const engine = await f.vaultEngine.getAddress();
      const selector = f.vaultEngine.interface.getFunction("setLiquidationModules")!.selector;
      const newManager = await new AccessManager__factory(f.attacker).deploy(f.attacker);
      return [
        ["setTargetFunctionRole", [engine, [selector], ROLES.GUARDIAN]],
        ["setTargetClosed", [engine, true]],
        ["updateAuthority", [engine, await newManager.getAddress()]],
      ];
    }

    it("targetChange_fromAnyAdmin_revertsUnlessScheduled", async function () {
      const holders = await adminHolders(f);
      expect(holders).to.not.be.empty;
      for (const [fn, args] of await targetChanges()) {
        const { target, data } = await accessManagerCall(fn, args);
        for (const holder of holders) {
          await expect(f.accessManager.connect(holder).getFunction(fn)(...args), fn)
            .to.be.revertedWithCustomError(f.accessManager, "AccessManagerNotScheduled")
            .withArgs(await f.accessManager.hashOperation(holder, target, data));
        }
      }
    });

    for (const fn of ["setTargetFunctionRole", "setTargetClosed", "updateAuthority"]) {
      it(`${fn}_scheduledByTheAdmin_executesOnlyAfterTheDelay`, async function () {
        const args = (await targetChanges()).find(([name]) => name === fn)![1];
        const { target, data } = await accessManagerCall(fn, args);
        await scheduleWaitExecute(f.admin, target, data);
        const engine = await f.vaultEngine.getAddress();
        if (fn === "setTargetClosed") expect(await f.accessManager.isTargetClosed(engine)).to.equal(true);
        if (fn === "updateAuthority") expect(await f.vaultEngine.authority()).to.equal(args[1]);
        if (fn === "setTargetFunctionRole") {
          const selector = f.vaultEngine.interface.getFunction("setLiquidationModules")!.selector;
          expect(await f.accessManager.getTargetFunctionRole(engine, selector)).to.equal(ROLES.GUARDIAN);
        }
      });
    }
  });

  describe("governed calls and the guardian", function () {
    it("governedSetter_byTheGovernor_needsScheduleAndTheDelay", async function () {
      const target = await f.vaultEngine.getAddress();
      const data = f.vaultEngine.interface.encodeFunctionData("setGlobalDebtCeiling", [1n]);
      await expect(f.vaultEngine.connect(f.admin).setGlobalDebtCeiling(1n))
        .to.be.revertedWithCustomError(f.accessManager, "AccessManagerNotScheduled")
        .withArgs(await f.accessManager.hashOperation(f.admin, target, data));
      await scheduleWaitExecute(f.admin, target, data);
      expect(await f.vaultEngine.globalDebtCeiling()).to.equal(1n);
    });

    it("raiseBreaker_byTheGuardian_isInstant_andLoweringIsGoverned", async function () {
      await expect(f.dutchAuction.connect(f.guardian).raiseBreaker(2)).to.emit(f.dutchAuction, "BreakerLevelSet");
      expect(await f.dutchAuction.breakerLevel()).to.equal(2);
      await expect(f.dutchAuction.connect(f.deployerSigner).raiseBreaker(3))
        .to.be.revertedWithCustomError(f.dutchAuction, "AccessManagedUnauthorized")
        .withArgs(f.deployerSigner.address);
      const target = await f.dutchAuction.getAddress();
      const data = f.dutchAuction.interface.encodeFunctionData("lowerBreaker", [0]);
      await expect(f.dutchAuction.connect(f.guardian).lowerBreaker(0)).to.be.revertedWithCustomError(
        f.dutchAuction,
        "AccessManagedUnauthorized",
      );
      await scheduleWaitExecute(f.admin, target, data);
      expect(await f.dutchAuction.breakerLevel()).to.equal(0);
    });
  });

  describe("options", function () {
    it("deploySluice_withABadAdminOrGuardian_throwsBeforeDeployingAnything", async function () {
      const deployer = (await ethers.getSigners())[18];
      const before = await ethers.provider.getTransactionCount(deployer);
      for (const options of [
        { admin: "0x1234" },
        { admin: ethers.ZeroAddress },
        { guardian: "not an address" },
        { governanceDelay: -1 },
        { governanceDelay: 1.5 },
      ]) {
        const error: unknown = await deploySluice(deployer, options).then(
          () => undefined,
          (reason: unknown) => reason,
        );
        expect(error, JSON.stringify(options)).to.be.instanceOf(Error);
        expect((error as Error).message, JSON.stringify(options)).to.match(/^(admin|guardian|governanceDelay) must be/);
      }
      expect(await ethers.provider.getTransactionCount(deployer)).to.equal(before);
    });
  });
});
