// Deploys and wires Sluice. Used by scripts/deploy.ts, the demo and the test fixtures, so every
// environment runs the same wiring: one AccessManager, every admin function behind a role.
import { getAddress, type BaseContract, type ContractTransactionResponse, type Signer } from "ethers";
import {
  AccessManager__factory,
  BackstopPool__factory,
  DutchAuction__factory,
  LinearCurve__factory,
  Liquidator__factory,
  MockAggregator__factory,
  MockERC20__factory,
  OracleHub__factory,
  RiskEngine__factory,
  StairstepCurve__factory,
  VaultLens__factory,
  Stablecoin__factory,
  VaultEngine__factory,
} from "../../typechain-types";
import type {
  AccessManager,
  BackstopPool,
  DutchAuction,
  Liquidator,
  MockAggregator,
  MockERC20,
  OracleHub,
  RiskEngine,
  Stablecoin,
  VaultEngine,
  VaultLens,
} from "../../typechain-types";
import type { CollateralEntry, Manifest } from "../../keeper/src/config/manifest";
import { WAD, perSecondRate } from "../../keeper/src/math/fixedPoint";
import type { RiskParams } from "../../keeper/src/risk/thresholds";

/** AccessManager role ids. ADMIN (0) manages roles; it starts with the deployer (see `lockGovernance`). */
export const ROLES = { ADMIN: 0n, GOVERNOR: 1n, GUARDIAN: 2n } as const;

/** Every restricted function, by contract. Tests check this list covers every admin entry point. */
export const GOVERNED_FUNCTIONS = {
  VaultEngine: [
    "addCollateral",
    "setDebtCeiling",
    "setDust",
    "setStabilityFee",
    "setMaxLTV",
    "setGlobalDebtCeiling",
    "setRiskModel",
    "setLiquidationModules",
  ],
  OracleHub: ["addFeed", "setFeedSource", "setHeartbeat", "setPriceBounds", "setMaxJump", "setHalfLife"],
  RiskEngine: [
    "addCollateral",
    "setBaseThreshold",
    "setMinThreshold",
    "setBorrowBuffer",
    "setConfidence",
    "setHorizon",
    "setMinRampDuration",
    "setDepth",
    "setMaxSizePenalty",
    "setMaxStepPerHour",
  ],
  Liquidator: ["addCollateral", "setPenalty", "setTargetHealth", "setFullLiquidationHealth", "setLotMargin"],
  DutchAuction: [
    "addCollateral",
    "setCurve",
    "setBuf",
    "setTail",
    "setCusp",
    "setMaxDebtInAuction",
    "setMaxTotalDebtInAuction",
    "setIncentiveParams",
    "setLiquidator",
    "lowerBreaker",
  ],
  BackstopPool: ["setWarmup", "setLockPeriod", "setMinDiscount", "setCallerCut", "addCollateral", "removeCollateral"],
} as const;
export type GovernedContract = keyof typeof GOVERNED_FUNCTIONS;

/** Functions the GUARDIAN may call at once: raising the circuit breaker. Lowering it is governed. */
export const GUARDIAN_FUNCTIONS = { DutchAuction: ["raiseBreaker"] } as const;

/** How a local collateral is listed: the mock token, its feed and its risk parameters. */
export interface LocalCollateralSpec {
  symbol: string;
  decimals: number;
  feedDecimals: number;
  price: bigint; // [wad]
  annualFee: bigint; // [wad]
  maxLTV: bigint; // [wad]
  debtCeiling: bigint; // [wad]
  dust: bigint; // [wad]
  risk: { baseThreshold: bigint; params: RiskParams };
  /** Optional: a spec without them is listed with the first local collateral's liquidation settings. */
  liquidation?: {
    penalty: bigint; // [wad]
    targetHealth: bigint; // [wad]
    fullLiquidationHealth: bigint; // [wad]
    lotMargin: bigint; // [wad]
  };
  auction?: {
    /** A stair-step curve (`step` seconds, price × `cut` each step) or a linear one over `duration`. */
    curve: { kind: "stairstep"; step: bigint; cut: bigint } | { kind: "linear"; duration: bigint };
    buf: bigint; // [wad]
    tail: bigint; // [seconds]
    cusp: bigint; // [wad]
    maxDebtInAuction: bigint; // [wad]
  };
}

const pct = (percent: number): bigint => (BigInt(Math.round(percent * 100)) * WAD) / 10_000n;

export const LOCAL_COLLATERALS: readonly LocalCollateralSpec[] = [
  {
    symbol: "WETH",
    decimals: 18,
    feedDecimals: 8,
    price: 3_000n * WAD,
    annualFee: (2n * WAD) / 100n,
    maxLTV: (75n * WAD) / 100n,
    debtCeiling: 50_000_000n * WAD,
    dust: 100n * WAD,
    risk: {
      baseThreshold: pct(86),
      params: {
        minThreshold: pct(60),
        borrowBuffer: pct(4),
        confidence: 2n * WAD,
        horizon: 4n * 3600n,
        minRampDuration: 86_400n,
        depth: 200_000_000n * WAD,
        maxSizePenalty: pct(25),
        maxStepPerHour: pct(1),
      },
    },
    liquidation: {
      penalty: pct(8),
      targetHealth: pct(105),
      fullLiquidationHealth: pct(90),
      lotMargin: pct(150),
    },
    auction: {
      curve: { kind: "stairstep", step: 60n, cut: pct(99) },
      buf: pct(110),
      tail: 7_200n,
      cusp: pct(50),
      maxDebtInAuction: 20_000_000n * WAD,
    },
  },
  {
    symbol: "WBTC",
    decimals: 8,
    feedDecimals: 8,
    price: 60_000n * WAD,
    annualFee: (3n * WAD) / 100n,
    maxLTV: (70n * WAD) / 100n,
    debtCeiling: 50_000_000n * WAD,
    dust: 100n * WAD,
    risk: {
      baseThreshold: pct(82),
      params: {
        minThreshold: pct(55),
        borrowBuffer: pct(4),
        confidence: 2n * WAD,
        horizon: 6n * 3600n,
        minRampDuration: 86_400n,
        depth: 150_000_000n * WAD,
        maxSizePenalty: pct(25),
        maxStepPerHour: pct(1),
      },
    },
    liquidation: {
      penalty: pct(10),
      targetHealth: pct(105),
      fullLiquidationHealth: pct(90),
      lotMargin: pct(150),
    },
    auction: {
      curve: { kind: "linear", duration: 3n * 3600n },
      buf: pct(110),
      tail: 7_200n,
      cusp: pct(50),
      maxDebtInAuction: 20_000_000n * WAD,
    },
  },
];

/** Keeper incentive: 20 flat + 0.1% of the debt to raise, at most 5,000 (nothing for dust-sized auctions). */
export const LOCAL_INCENTIVE = { tip: 20n * WAD, chip: pct(0.1), maxIncentive: 5_000n * WAD };
export const LOCAL_MAX_TOTAL_DEBT_IN_AUCTION = 30_000_000n * WAD;

/**
 * Backstop pool: deposits pending at least an hour (a round), shares locked a day after they activate,
 * bids only at least 3% below the oracle, and the bidder earns 10% of the discount.
 */
export const POOL_PARAMS = {
  warmup: 3_600,
  lockPeriod: 86_400,
  minDiscount: pct(3),
  callerCut: pct(10),
} as const;

export const ORACLE_DEFAULTS = {
  heartbeat: 3_600,
  maxJump: (30n * WAD) / 100n,
  halfLife: 86_400,
} as const;

export interface DeployOptions {
  /**
   * The governance delay [seconds]; 0 on local chains. Once wiring is done, every role grant, target
   * change and governed call waits at least this long (see `lockGovernance`); the guardian stays instant.
   */
  governanceDelay?: number;
  /**
   * Receives ADMIN and GOVERNOR, both with execution delay `governanceDelay` (typically a multisig or
   * a timelock); the deployer then renounces both. Without it the deployer keeps them, delayed alike.
   */
  admin?: string;
  /** Receives GUARDIAN (instant by design); the deployer then renounces it. Default: the deployer. */
  guardian?: string;
  /** Deploy mock tokens and feeds and list them (local chains, or a testnet on request). */
  withMocks?: boolean;
  globalDebtCeiling?: bigint;
  log?: (message: string) => void;
}

export interface LocalCollateral {
  spec: LocalCollateralSpec;
  token: MockERC20;
  feed: MockAggregator;
}

export interface Deployment {
  deployer: Signer;
  deployBlock: number;
  accessManager: AccessManager;
  oracleHub: OracleHub;
  vaultEngine: VaultEngine;
  riskEngine: RiskEngine;
  liquidator: Liquidator;
  dutchAuction: DutchAuction;
  backstopPool: BackstopPool;
  vaultLens: VaultLens;
  stablecoin: Stablecoin;
  collaterals: Record<string, LocalCollateral>;
}

async function deployed<T extends BaseContract>(contract: T): Promise<T> {
  await contract.waitForDeployment();
  return contract;
}

async function mined(tx: Promise<ContractTransactionResponse>): Promise<void> {
  await (await tx).wait();
}

/** Converts a WAD price to a feed answer with `decimals` decimals. */
export function toFeedAnswer(price: bigint, decimals: number): bigint {
  return (price * 10n ** BigInt(decimals)) / WAD;
}

const MAX_UINT32 = 2 ** 32 - 1;

/** Who ends up holding which role, checksummed, and the delay [seconds] they face. */
interface GovernanceHolders {
  delay: number;
  deployer: string;
  admin: string;
  guardian: string;
}

/** Checked before anything is deployed, so a bad option costs no gas on a live network. */
function governanceHolders(deployer: string, options: DeployOptions): GovernanceHolders {
  const delay = options.governanceDelay ?? 0;
  if (!Number.isSafeInteger(delay) || delay < 0 || delay > MAX_UINT32) {
    throw new Error(`governanceDelay must be a whole number of seconds in [0, ${MAX_UINT32}], got ${delay}`);
  }
  const holder = (option: string, address: string): string => {
    // The zero address would leave the protocol without an admin once the deployer renounces.
    if (!/^0x[0-9a-fA-F]{40}$/.test(address) || BigInt(address) === 0n) {
      throw new Error(`${option} must be a non-zero 0x-prefixed 20-byte address, got '${address}'`);
    }
    return getAddress(address.toLowerCase());
  };
  const self = getAddress(deployer);
  return {
    delay,
    deployer: self,
    admin: holder("admin", options.admin ?? self),
    guardian: holder("guardian", options.guardian ?? self),
  };
}

/**
 * Ends the deployer's undelayed wiring: with a delay, no role grant, target change or governed call
 * takes effect faster than `governanceDelay` from the moment this returns. GUARDIAN stays instant.
 *
 * Every role change (grantRole, revokeRole, setRoleAdmin, setGrantDelay, …) and target change
 * (setTargetFunctionRole, setTargetClosed, updateAuthority, setTargetAdminDelay) is an ADMIN call, and
 * the AccessManager makes a caller with an execution delay schedule its call and wait that delay.
 * So the ADMIN's own execution delay is what holds from the first block: setGrantDelay and
 * setTargetAdminDelay take effect only after minSetback() (5 days) even when they increase a delay,
 * and until then grants and target changes would otherwise be instant. Those two delays are still
 * set, as a second layer that outlives the window: a member later granted ADMIN (or GOVERNOR) with
 * execution delay 0 still waits the grant delay, and its target changes the target admin delay.
 * An existing member's execution delay rises at once (no setback) and falls only after the
 * difference has elapsed, so the raises below hold from their block and a later cut is no shortcut;
 * revoke + grant is two delayed ADMIN calls. ADMIN's raise (or the deployer's renouncing, which needs
 * no role) comes last because every ADMIN call after it would have to be scheduled.
 * The AccessManager is not given a target admin delay: its own admin functions ignore its target
 * configuration (they are gated by `_getAdminRestrictions`), so the setting would change nothing.
 */
async function lockGovernance(
  accessManager: AccessManager,
  targets: readonly BaseContract[],
  { delay, deployer, admin, guardian }: GovernanceHolders,
  log: (message: string) => void,
): Promise<void> {
  const handOver = admin !== deployer;
  if (delay > 0) {
    for (const role of [ROLES.ADMIN, ROLES.GOVERNOR, ROLES.GUARDIAN]) {
      await mined(accessManager.setGrantDelay(role, delay));
    }
    for (const target of targets) await mined(accessManager.setTargetAdminDelay(await target.getAddress(), delay));
  }
  // A new member is granted before the grant delays above take effect, so at once.
  if (guardian !== deployer) {
    await mined(accessManager.grantRole(ROLES.GUARDIAN, guardian, 0));
    await mined(accessManager.renounceRole(ROLES.GUARDIAN, deployer));
  }
  if (delay > 0 || handOver) await mined(accessManager.grantRole(ROLES.GOVERNOR, admin, delay));
  if (handOver) await mined(accessManager.renounceRole(ROLES.GOVERNOR, deployer));
  if (delay > 0 || handOver) await mined(accessManager.grantRole(ROLES.ADMIN, admin, delay));
  if (handOver) await mined(accessManager.renounceRole(ROLES.ADMIN, deployer));
  log(`Governance    ADMIN+GOVERNOR ${admin} (delay ${delay} s), GUARDIAN ${guardian}`);
}

export async function deploySluice(deployer: Signer, options: DeployOptions = {}): Promise<Deployment> {
  const log = options.log ?? (() => undefined);
  const holders = governanceHolders(await deployer.getAddress(), options);
  const deployerAddress = holders.deployer;
  const provider = deployer.provider;
  if (!provider) throw new Error("the deployer signer has no provider");
  const deployBlock = await provider.getBlockNumber();

  const accessManager = await deployed(await new AccessManager__factory(deployer).deploy(deployerAddress));
  const authority = await accessManager.getAddress();
  log(`AccessManager ${authority}`);
  const oracleHub = await deployed(await new OracleHub__factory(deployer).deploy(authority));
  log(`OracleHub     ${await oracleHub.getAddress()}`);
  const vaultEngine = await deployed(
    await new VaultEngine__factory(deployer).deploy(authority, await oracleHub.getAddress(), "Sluice Dollar", "SLD"),
  );
  const stablecoin = Stablecoin__factory.connect(await vaultEngine.stablecoin(), deployer);
  log(`VaultEngine   ${await vaultEngine.getAddress()}`);
  log(`Stablecoin    ${await stablecoin.getAddress()}`);
  const riskEngine = await deployed(
    await new RiskEngine__factory(deployer).deploy(
      authority,
      await vaultEngine.getAddress(),
      await oracleHub.getAddress(),
    ),
  );
  log(`RiskEngine    ${await riskEngine.getAddress()}`);

  const dutchAuction = await deployed(
    await new DutchAuction__factory(deployer).deploy(authority, await vaultEngine.getAddress()),
  );
  log(`DutchAuction  ${await dutchAuction.getAddress()}`);
  const liquidator = await deployed(
    await new Liquidator__factory(deployer).deploy(
      authority,
      await vaultEngine.getAddress(),
      await riskEngine.getAddress(),
      await dutchAuction.getAddress(),
    ),
  );
  log(`Liquidator    ${await liquidator.getAddress()}`);
  const backstopPool = await deployed(
    await new BackstopPool__factory(deployer).deploy(
      authority,
      await vaultEngine.getAddress(),
      await dutchAuction.getAddress(),
      POOL_PARAMS.warmup,
      POOL_PARAMS.lockPeriod,
      POOL_PARAMS.minDiscount,
      POOL_PARAMS.callerCut,
    ),
  );
  log(`BackstopPool  ${await backstopPool.getAddress()}`);
  const vaultLens = await deployed(
    await new VaultLens__factory(deployer).deploy(
      await vaultEngine.getAddress(),
      await riskEngine.getAddress(),
      await dutchAuction.getAddress(),
    ),
  );
  log(`VaultLens     ${await vaultLens.getAddress()}`);

  const targets: Record<GovernedContract, BaseContract> = {
    VaultEngine: vaultEngine,
    OracleHub: oracleHub,
    RiskEngine: riskEngine,
    Liquidator: liquidator,
    DutchAuction: dutchAuction,
    BackstopPool: backstopPool,
  };
  for (const [name, target] of Object.entries(targets)) {
    const functions: readonly string[] = GOVERNED_FUNCTIONS[name as GovernedContract];
    const selectors = functions.map((fn) => target.interface.getFunction(fn)!.selector);
    await mined(accessManager.setTargetFunctionRole(await target.getAddress(), selectors, ROLES.GOVERNOR));
  }
  await mined(
    accessManager.setTargetFunctionRole(
      await dutchAuction.getAddress(),
      GUARDIAN_FUNCTIONS.DutchAuction.map((fn) => dutchAuction.interface.getFunction(fn)!.selector),
      ROLES.GUARDIAN,
    ),
  );
  await mined(accessManager.labelRole(ROLES.GOVERNOR, "GOVERNOR"));
  await mined(accessManager.labelRole(ROLES.GUARDIAN, "GUARDIAN"));
  // Wiring runs without delay; the delay (if any) is applied once at the end.
  await mined(accessManager.grantRole(ROLES.GOVERNOR, deployerAddress, 0));
  await mined(accessManager.grantRole(ROLES.GUARDIAN, deployerAddress, 0));
  await mined(vaultEngine.setGlobalDebtCeiling(options.globalDebtCeiling ?? 100_000_000n * WAD));
  await mined(vaultEngine.setRiskModel(await riskEngine.getAddress()));
  await mined(vaultEngine.setLiquidationModules(await liquidator.getAddress(), await dutchAuction.getAddress()));
  await mined(dutchAuction.setLiquidator(await liquidator.getAddress()));
  await mined(dutchAuction.setIncentiveParams(LOCAL_INCENTIVE));
  await mined(dutchAuction.setMaxTotalDebtInAuction(LOCAL_MAX_TOTAL_DEBT_IN_AUCTION));

  const collaterals: Record<string, LocalCollateral> = {};
  if (options.withMocks) {
    for (const spec of LOCAL_COLLATERALS) {
      collaterals[spec.symbol] = await listMockCollateral(
        deployer,
        { oracleHub, vaultEngine, riskEngine, liquidator, dutchAuction },
        spec,
      );
      log(`${spec.symbol.padEnd(13)} ${await collaterals[spec.symbol].token.getAddress()}`);
      await mined(backstopPool.addCollateral(await collaterals[spec.symbol].token.getAddress()));
    }
  }

  await lockGovernance(accessManager, Object.values(targets), holders, log);

  return {
    deployer,
    deployBlock,
    accessManager,
    oracleHub,
    vaultEngine,
    riskEngine,
    liquidator,
    dutchAuction,
    backstopPool,
    vaultLens,
    stablecoin,
    collaterals,
  };
}

/** Deploys a mock token and feed for `spec` and lists it in the OracleHub, VaultEngine and RiskEngine. */
export async function listMockCollateral(
  deployer: Signer,
  core: Pick<Deployment, "oracleHub" | "vaultEngine" | "riskEngine" | "liquidator" | "dutchAuction">,
  spec: LocalCollateralSpec,
): Promise<LocalCollateral> {
  const { oracleHub, vaultEngine, riskEngine, liquidator, dutchAuction } = core;
  const token = await deployed(await new MockERC20__factory(deployer).deploy(spec.symbol, spec.symbol, spec.decimals));
  const feed = await deployed(
    await new MockAggregator__factory(deployer).deploy(
      spec.feedDecimals,
      `${spec.symbol} / USD`,
      toFeedAnswer(spec.price, spec.feedDecimals),
    ),
  );
  const tokenAddress = await token.getAddress();
  await mined(
    oracleHub.addFeed(tokenAddress, {
      source: await feed.getAddress(),
      heartbeat: ORACLE_DEFAULTS.heartbeat,
      minPrice: spec.price / 1_000n,
      maxPrice: spec.price * 1_000n,
      maxJump: ORACLE_DEFAULTS.maxJump,
      halfLife: ORACLE_DEFAULTS.halfLife,
    }),
  );
  await mined(oracleHub.poke(tokenAddress));
  await mined(
    vaultEngine.addCollateral(tokenAddress, {
      debtCeiling: spec.debtCeiling,
      dust: spec.dust,
      stabilityFee: perSecondRate(spec.annualFee),
      maxLTV: spec.maxLTV,
    }),
  );
  await mined(riskEngine.addCollateral(tokenAddress, spec.risk.baseThreshold, spec.risk.params));
  const liquidation = spec.liquidation ?? LOCAL_COLLATERALS[0].liquidation!;
  const auction = spec.auction ?? LOCAL_COLLATERALS[0].auction!;
  await mined(liquidator.addCollateral(tokenAddress, liquidation));
  const { curve } = auction;
  const curveContract =
    curve.kind === "linear"
      ? await new LinearCurve__factory(deployer).deploy(curve.duration)
      : await new StairstepCurve__factory(deployer).deploy(curve.step, curve.cut);
  await curveContract.waitForDeployment();
  await mined(
    dutchAuction.addCollateral(tokenAddress, {
      curve: await curveContract.getAddress(),
      buf: auction.buf,
      tail: auction.tail,
      cusp: auction.cusp,
      maxDebtInAuction: auction.maxDebtInAuction,
    }),
  );
  return { spec, token, feed };
}

export async function toManifest(deployment: Deployment, network: string): Promise<Manifest> {
  const provider = deployment.deployer.provider!;
  const { chainId } = await provider.getNetwork();
  const collaterals: Record<string, CollateralEntry> = {};
  for (const [symbol, { spec, token, feed }] of Object.entries(deployment.collaterals)) {
    collaterals[symbol] = { token: await token.getAddress(), decimals: spec.decimals, feed: await feed.getAddress() };
  }
  return {
    network,
    chainId: Number(chainId),
    deployBlock: deployment.deployBlock,
    contracts: {
      AccessManager: await deployment.accessManager.getAddress(),
      Stablecoin: await deployment.stablecoin.getAddress(),
      VaultEngine: await deployment.vaultEngine.getAddress(),
      OracleHub: await deployment.oracleHub.getAddress(),
      RiskEngine: await deployment.riskEngine.getAddress(),
      Liquidator: await deployment.liquidator.getAddress(),
      DutchAuction: await deployment.dutchAuction.getAddress(),
      BackstopPool: await deployment.backstopPool.getAddress(),
      VaultLens: await deployment.vaultLens.getAddress(),
    },
    collaterals,
  };
}
