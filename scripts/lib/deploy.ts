// Deploys and wires Sluice. Used by scripts/deploy.ts, the demo and the test fixtures, so every
// environment runs the same wiring: one AccessManager, every admin function behind a role.
import {
  Contract,
  ContractFactory,
  getAddress,
  keccak256,
  type BaseContract,
  type ContractTransactionResponse,
  type InterfaceAbi,
  AbiCoder,
  ZeroAddress,
  type Signer,
} from "ethers";
import {
  AccessManager__factory,
  DutchAuction__factory,
  FlashLiquidator__factory,
  IUniswapV2Factory__factory,
  IUniswapV2Pair__factory,
  LinearCurve__factory,
  LiquidationUpkeep__factory,
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
  DutchAuction,
  FlashLiquidator,
  IUniswapV2Factory,
  IUniswapV2Pair,
  LiquidationUpkeep,
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
  Liquidator: ["addCollateral", "setPenalty", "setTargetHealth", "setFullLiquidationHealth", "setCollateralMargin"],
  DutchAuction: [
    "addCollateral",
    "setCurve",
    "setStartPriceFactor",
    "setMaxAuctionAge",
    "setResetPriceRatio",
    "setMaxDebtInAuction",
    "setMaxTotalDebtInAuction",
    "setIncentiveParams",
    "setLiquidator",
    "lowerBreaker",
  ],
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
    collateralMargin: bigint; // [wad]
  };
  auction?: {
    /** A stair-step curve (`step` seconds, price × `cut` each step) or a linear one over `duration`. */
    curve: { kind: "stairstep"; step: bigint; cut: bigint } | { kind: "linear"; duration: bigint };
    startPriceFactor: bigint; // [wad]
    maxAuctionAge: bigint; // [seconds]
    resetPriceRatio: bigint; // [wad]
    maxDebtInAuction: bigint; // [wad]
  };
}

/** A part of the book a LiquidationUpkeep check scans (`ILiquidationUpkeep.Shard`). */
export interface Shard {
  fromId: bigint;
  /** Inclusive; 0: no end. */
  toId: bigint;
  modulus: bigint;
  residue: bigint;
  /** The zero address: every collateral. */
  collateral: string;
}

/** Every vault, now and later: the upkeep's default shard (Gelato's `checker()`). */
export const WHOLE_BOOK: Shard = { fromId: 0n, toId: 0n, modulus: 1n, residue: 0n, collateral: ZeroAddress };

/** The `checkData` of a shard: `abi.encode(Shard)`, as `LiquidationUpkeep.encodeShard` returns it. */
export function encodeShard(shard: Shard): string {
  return AbiCoder.defaultAbiCoder().encode(
    ["tuple(uint256 fromId, uint256 toId, uint256 modulus, uint256 residue, address collateral)"],
    [shard],
  );
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
      collateralMargin: pct(150),
    },
    auction: {
      curve: { kind: "stairstep", step: 60n, cut: pct(99) },
      startPriceFactor: pct(110),
      maxAuctionAge: 7_200n,
      resetPriceRatio: pct(50),
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
      collateralMargin: pct(150),
    },
    auction: {
      curve: { kind: "linear", duration: 3n * 3600n },
      startPriceFactor: pct(110),
      maxAuctionAge: 7_200n,
      resetPriceRatio: pct(50),
      maxDebtInAuction: 20_000_000n * WAD,
    },
  },
];

/** Keeper incentive: 20 flat + 0.1% of the debt to raise, at most 5,000 (nothing for dust-sized auctions). */
export const LOCAL_INCENTIVE = { flatIncentive: 20n * WAD, incentiveRate: pct(0.1), maxIncentive: 5_000n * WAD };
export const LOCAL_MAX_TOTAL_DEBT_IN_AUCTION = 30_000_000n * WAD;

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
  /**
   * Owns the LiquidationUpkeep (forwards its incentives with `claim`, sets Gelato's default shard): the
   * operator who funds its Chainlink or Gelato registration. Default: `admin`.
   */
  upkeepOwner?: string;
  /** Deploy mock tokens and feeds and list them (local chains, or a testnet on request). */
  withMocks?: boolean;
  globalDebtCeiling?: bigint;
  /**
   * Deploy Uniswap V2 (factory, router, WETH9) from the npm artifacts, seed a stablecoin/collateral
   * pair per mock collateral at the oracle price with the RiskEngine's `depth` on the stablecoin side
   * (see `seedPair`), and deploy the FlashLiquidator. Needs `withMocks`. Off by default: the seeding
   * opens one liquidity vault per collateral, which tests that expect empty books must not see.
   */
  withAmm?: boolean;
  log?: (message: string) => void;
}

export interface LocalCollateral {
  spec: LocalCollateralSpec;
  token: MockERC20;
  feed: MockAggregator;
  /** The seeded stablecoin/collateral Uniswap V2 pair (`withAmm` only). */
  pair?: IUniswapV2Pair;
  /** The deployer's vault whose borrow seeded the pair's stablecoin side (`withAmm` only). */
  liquidityVaultId?: bigint;
}

/** Uniswap V2 as deployed from the npm artifacts; `weth9` exists only for the router's constructor. */
export interface UniswapV2 {
  factory: IUniswapV2Factory;
  router: Contract;
  weth9: Contract;
  /** keccak256 of the pair's creation code, from which the factory's pair addresses derive. */
  pairInitCodeHash: string;
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
  vaultLens: VaultLens;
  liquidationUpkeep: LiquidationUpkeep;
  stablecoin: Stablecoin;
  collaterals: Record<string, LocalCollateral>;
  /** `withAmm` only. */
  uniswap?: UniswapV2;
  flashLiquidator?: FlashLiquidator;
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
  upkeepOwner: string;
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
  const admin = holder("admin", options.admin ?? self);
  return {
    delay,
    deployer: self,
    admin,
    guardian: holder("guardian", options.guardian ?? self),
    upkeepOwner: holder("upkeepOwner", options.upkeepOwner ?? admin),
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
  if (options.withAmm && !options.withMocks) {
    throw new Error("withAmm needs withMocks: the pairs are seeded with minted mock collateral");
  }
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
  const vaultLens = await deployed(
    await new VaultLens__factory(deployer).deploy(
      await vaultEngine.getAddress(),
      await riskEngine.getAddress(),
      await dutchAuction.getAddress(),
    ),
  );
  log(`VaultLens     ${await vaultLens.getAddress()}`);
  const liquidationUpkeep = await deployed(
    await new LiquidationUpkeep__factory(deployer).deploy(
      await liquidator.getAddress(),
      await dutchAuction.getAddress(),
      await vaultEngine.getAddress(),
      holders.upkeepOwner,
      encodeShard(WHOLE_BOOK),
    ),
  );
  log(`Upkeep        ${await liquidationUpkeep.getAddress()} (owner ${holders.upkeepOwner})`);

  const targets: Record<GovernedContract, BaseContract> = {
    VaultEngine: vaultEngine,
    OracleHub: oracleHub,
    RiskEngine: riskEngine,
    Liquidator: liquidator,
    DutchAuction: dutchAuction,
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
    }
  }

  let uniswap: UniswapV2 | undefined;
  let flashLiquidator: FlashLiquidator | undefined;
  if (options.withAmm) {
    uniswap = await deployUniswap(deployer, log);
    for (const [symbol, collateral] of Object.entries(collaterals)) {
      Object.assign(collateral, await seedPair(deployer, { vaultEngine, riskEngine, oracleHub }, uniswap, collateral));
      log(`${(symbol + " pair").padEnd(13)} ${await collateral.pair!.getAddress()}`);
    }
    flashLiquidator = await deployFlashLiquidator(deployer, { dutchAuction, stablecoin }, uniswap, holders.admin);
    log(`FlashLiquidator ${await flashLiquidator.getAddress()}`);
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
    vaultLens,
    liquidationUpkeep,
    stablecoin,
    collaterals,
    uniswap,
    flashLiquidator,
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
      startPriceFactor: auction.startPriceFactor,
      maxAuctionAge: auction.maxAuctionAge,
      resetPriceRatio: auction.resetPriceRatio,
      maxDebtInAuction: auction.maxDebtInAuction,
    }),
  );
  return { spec, token, feed };
}

export async function toManifest(deployment: Deployment, network: string): Promise<Manifest> {
  const provider = deployment.deployer.provider!;
  const { chainId } = await provider.getNetwork();
  const collaterals: Record<string, CollateralEntry> = {};
  for (const [symbol, { spec, token, feed, pair }] of Object.entries(deployment.collaterals)) {
    collaterals[symbol] = { token: await token.getAddress(), decimals: spec.decimals, feed: await feed.getAddress() };
    if (pair) collaterals[symbol].pair = await pair.getAddress();
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
      VaultLens: await deployment.vaultLens.getAddress(),
      ...(await ammContracts(deployment)),
      LiquidationUpkeep: await deployment.liquidationUpkeep.getAddress(),
    },
    collaterals,
  };
}

// ---------------------------------------------------------------- Uniswap V2 and the FlashLiquidator

interface Artifact {
  abi: InterfaceAbi;
  bytecode: string;
}

/** A compiled artifact shipped in the npm packages (`bytecode` is hex without 0x). */
function uniswapArtifact(path: string): Artifact {
  const artifact = require(path) as Artifact;
  return { abi: artifact.abi, bytecode: `0x${artifact.bytecode.replace(/^0x/, "")}` };
}

export const UNISWAP_ARTIFACTS = {
  factory: () => uniswapArtifact("@uniswap/v2-core/build/UniswapV2Factory.json"),
  pair: () => uniswapArtifact("@uniswap/v2-core/build/UniswapV2Pair.json"),
  router: () => uniswapArtifact("@uniswap/v2-periphery/build/UniswapV2Router02.json"),
  weth9: () => uniswapArtifact("@uniswap/v2-periphery/build/WETH9.json"),
} as const;

/**
 * The value of a liquidity vault's collateral, in multiples of the debt it borrows to seed a pair.
 * At 10× its health starts near 6 (the threshold floor `minThreshold` is ≥ 55% locally), so it only
 * becomes liquidatable after the collateral loses more than ~80% of its price: the crashes of the
 * tests and the demo liquidate users, not the market's liquidity.
 */
export const LIQUIDITY_COLLATERALIZATION = 10n;

/** Deploys Uniswap V2's factory (fee off, the deployer as feeToSetter), WETH9 and Router02. */
export async function deployUniswap(
  deployer: Signer,
  log: (message: string) => void = () => undefined,
): Promise<UniswapV2> {
  const deploy = async (artifact: Artifact, ...args: unknown[]): Promise<Contract> => {
    const contract = await new ContractFactory(artifact.abi, artifact.bytecode, deployer).deploy(...args);
    await contract.waitForDeployment();
    return contract as Contract;
  };
  const factoryContract = await deploy(UNISWAP_ARTIFACTS.factory(), await deployer.getAddress());
  const factory = IUniswapV2Factory__factory.connect(await factoryContract.getAddress(), deployer);
  const weth9 = await deploy(UNISWAP_ARTIFACTS.weth9());
  const router = await deploy(UNISWAP_ARTIFACTS.router(), await factory.getAddress(), await weth9.getAddress());
  log(`UniswapV2Factory ${await factory.getAddress()}`);
  log(`UniswapV2Router02 ${await router.getAddress()}`);
  return { factory, router, weth9, pairInitCodeHash: keccak256(UNISWAP_ARTIFACTS.pair().bytecode) };
}

/**
 * Creates the stablecoin/collateral pair of a mock collateral and seeds it at the oracle price with
 * the RiskEngine's `depth` of stablecoin (and `depth / price` of collateral), so the market the
 * size penalty models and the one keepers sell into are the same. The stablecoin is borrowed, as
 * anyone's would be: the deployer opens a liquidity vault with `LIQUIDITY_COLLATERALIZATION` times the
 * depth in freshly minted mock collateral and borrows the depth straight into the pair; the
 * collateral's and the global debt ceilings are raised by exactly that debt first, so the room the
 * local specs give users is unchanged. The deployer keeps the LP tokens. Needs the GOVERNOR role
 * without delay (deploySluice calls it before governance is locked).
 */
export async function seedPair(
  deployer: Signer,
  core: Pick<Deployment, "vaultEngine" | "riskEngine" | "oracleHub">,
  uniswap: UniswapV2,
  collateral: LocalCollateral,
): Promise<{ pair: IUniswapV2Pair; liquidityVaultId: bigint }> {
  const { vaultEngine, riskEngine, oracleHub } = core;
  const owner = await deployer.getAddress();
  const token = await collateral.token.getAddress();
  const stablecoin = await vaultEngine.stablecoin();
  const depth = (await riskEngine.riskParams(token)).depth; // [wad]
  const price = await oracleHub.price(token); // [wad]
  const unit = 10n ** BigInt(collateral.spec.decimals);
  const pairCollateral = (depth * unit) / price; // token units
  const vaultCollateral = LIQUIDITY_COLLATERALIZATION * pairCollateral;

  await mined(vaultEngine.setDebtCeiling(token, (await vaultEngine.collateralParams(token)).debtCeiling + depth));
  await mined(vaultEngine.setGlobalDebtCeiling((await vaultEngine.globalDebtCeiling()) + depth));
  await mined(uniswap.factory.createPair(token, stablecoin));
  const pair = IUniswapV2Pair__factory.connect(await uniswap.factory.getPair(token, stablecoin), deployer);
  const pairAddress = await pair.getAddress();

  await mined(collateral.token.mint(owner, vaultCollateral + pairCollateral));
  await mined(collateral.token.approve(await vaultEngine.getAddress(), vaultCollateral));
  await mined(vaultEngine.openVault(token));
  const liquidityVaultId = await vaultEngine.vaultCount();
  await mined(vaultEngine.deposit(liquidityVaultId, vaultCollateral));
  await mined(vaultEngine.borrow(liquidityVaultId, depth, pairAddress));
  await mined(collateral.token.transfer(pairAddress, pairCollateral));
  await mined(pair.mint(owner));
  return { pair, liquidityVaultId };
}

/** Deploys the FlashLiquidator over `uniswap`'s pairs; `owner` may only sweep stray tokens. */
export async function deployFlashLiquidator(
  deployer: Signer,
  core: Pick<Deployment, "dutchAuction" | "stablecoin">,
  uniswap: UniswapV2,
  owner: string,
): Promise<FlashLiquidator> {
  return deployed(
    await new FlashLiquidator__factory(deployer).deploy(
      owner,
      await core.dutchAuction.getAddress(),
      await core.stablecoin.getAddress(),
      await uniswap.factory.getAddress(),
      uniswap.pairInitCodeHash,
    ),
  );
}

/** The manifest's entries for the AMM and the FlashLiquidator (none without them). */
async function ammContracts(deployment: Deployment): Promise<Manifest["contracts"]> {
  if (!deployment.uniswap) return {};
  return {
    UniswapV2Factory: await deployment.uniswap.factory.getAddress(),
    UniswapV2Router02: await deployment.uniswap.router.getAddress(),
    ...(deployment.flashLiquidator ? { FlashLiquidator: await deployment.flashLiquidator.getAddress() } : {}),
  };
}
