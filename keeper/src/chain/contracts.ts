// The one module that knows the contracts' function and event names: a rename on main is a change
// here only. ABIs come from the TypeChain interface factories (the interfaces are the public API).
import { Interface, toQuantity, type Provider } from "ethers";
import type { Manifest } from "../config/manifest";
import type { CollateralRisk } from "../risk/thresholds";
import type { AuctionState, BlockRef, ChainEvent, ChainReader, VaultState } from "../index/types";
import { IBackstopPool__factory } from "../../../typechain-types/factories/contracts/interfaces/IBackstopPool__factory";
import { IDutchAuction__factory } from "../../../typechain-types/factories/contracts/interfaces/IDutchAuction__factory";
import { IFlashLiquidator__factory } from "../../../typechain-types/factories/contracts/interfaces/IFlashLiquidator__factory";
import { ILiquidator__factory } from "../../../typechain-types/factories/contracts/interfaces/ILiquidator__factory";
import { IOracleHub__factory } from "../../../typechain-types/factories/contracts/interfaces/IOracleHub__factory";
import { IStablecoin__factory } from "../../../typechain-types/factories/contracts/interfaces/IStablecoin__factory";
import { IRiskEngine__factory } from "../../../typechain-types/factories/contracts/interfaces/IRiskEngine__factory";
import { IUniswapV2Pair__factory } from "../../../typechain-types/factories/contracts/interfaces/IUniswapV2Pair__factory";
import { IVaultEngine__factory } from "../../../typechain-types/factories/contracts/interfaces/IVaultEngine__factory";
import { VaultLens__factory } from "../../../typechain-types/factories/contracts/periphery/VaultLens__factory";

/** Contracts the keeper cannot run without. */
export const REQUIRED_CONTRACTS = [
  "VaultEngine",
  "OracleHub",
  "RiskEngine",
  "Liquidator",
  "DutchAuction",
  "VaultLens",
] as const;

/** Contracts a strategy drives besides the required ones: without them it cannot run. */
export const STRATEGY_CONTRACTS = { bid: "BackstopPool", flash: "FlashLiquidator" } as const;

/** Events whose first indexed topic is a vault id (VaultEngine) or an auction id (DutchAuction). */
const VAULT_EVENTS = ["VaultOpened", "Deposited", "Withdrawn", "Borrowed", "Repaid", "Seized", "AuctionReturned"];
const AUCTION_EVENTS = ["AuctionStarted", "Take", "AuctionReset", "AuctionEnded"];

export type Protocol = ReturnType<typeof connectProtocol>;

export interface LensHealth {
  vaultId: bigint;
  collateral: string;
  collateralAmount: bigint;
  value: bigint; // [wad]
  debt: bigint; // [wad]
  health: bigint; // [wad]
  inAuction: boolean;
  priced: boolean;
}

export interface LiveAuction {
  auctionId: bigint;
  collateral: string;
  collateralLeft: bigint;
  debtLeft: bigint;
  price: bigint; // [wad], at the block read
  needsReset: boolean;
}

/** `ILiquidator.Refusal` values the keeper acts on. */
export const REFUSAL = { None: 0, InAuction: 2 } as const;

/** `ILiquidator.previewLiquidation`: what liquidating the vault would do; `refusal` 0 is none. */
export interface LiquidationPreview {
  vaultId: bigint;
  refusal: number;
  debtToRaise: bigint; // [wad]
  incentive: bigint; // [wad]
}

/** What the BackstopPool bids with now, and the deposits a bid may activate first. */
export interface PoolState {
  stablecoin: bigint; // [wad], active
  callerCut: bigint; // [wad]
  collaterals: string[];
  pendingOpen: bigint; // [wad], in the open round
  pendingPrevious: bigint; // [wad], in the round before it
  roundEndsAt: bigint; // [seconds]
  warmup: bigint; // [seconds]
}

/** What the pool's `bid` or the FlashLiquidator's `flashTake` returned in a simulation. */
export interface TakeOutcome {
  collateralBought: bigint; // token units
  debtPaid: bigint; // [wad]
  /** The caller's cut (bid) or the flash take's profit [wad]. */
  earned: bigint;
}

/** What one collateral's vaults are priced with as of a block. */
export interface CollateralMarket {
  collateral: string;
  rate: bigint; // [ray]
  price: bigint; // [wad]
  decimals: number;
  dust: bigint; // [wad]
  risk: CollateralRisk;
}

/** When the oracle last stored a feed answer, and when the feed last published one [seconds]. */
export interface FeedTimes {
  storedAt: bigint;
  /** 0 when the feed cannot be read. */
  feedAt: bigint;
  heartbeat: bigint;
}

export interface MarketsRead {
  /** Priced collaterals only. */
  markets: Map<string, CollateralMarket>;
  feeds: Map<string, FeedTimes>;
}

/** The RiskEngine's stored structs (as TypeChain returns them) as the keeper's risk inputs. */
export function collateralRisk(
  params: CollateralRisk["params"],
  ramp: CollateralRisk["ramp"],
  volatility: CollateralRisk["volatility"],
): CollateralRisk {
  return {
    params: {
      minThreshold: params.minThreshold,
      borrowBuffer: params.borrowBuffer,
      confidence: params.confidence,
      horizon: params.horizon,
      minRampDuration: params.minRampDuration,
      depth: params.depth,
      maxSizePenalty: params.maxSizePenalty,
      maxStepPerHour: params.maxStepPerHour,
    },
    ramp: { from: ramp.from, to: ramp.to, start: ramp.start, end: ramp.end },
    volatility: { penalty: volatility.penalty, target: volatility.target, checkpoint: volatility.checkpoint },
  };
}

/** A receipt log, as far as decoding events needs it. */
export type LogLike = { address: string; topics: readonly string[]; data: string };

/** A provider that also takes raw JSON-RPC requests (ethers' JsonRpcProvider, Hardhat's provider). */
export type RpcProvider = Provider & { send(method: string, params: unknown[]): Promise<unknown> };

export function connectProtocol(manifest: Manifest, provider: RpcProvider) {
  const address = (name: (typeof REQUIRED_CONTRACTS)[number]): string => {
    const found = manifest.contracts[name];
    if (!found) throw new Error(`the manifest has no ${name}`);
    return found;
  };
  const vaultEngine = IVaultEngine__factory.connect(address("VaultEngine"), provider);
  const dutchAuction = IDutchAuction__factory.connect(address("DutchAuction"), provider);
  const liquidator = ILiquidator__factory.connect(address("Liquidator"), provider);
  const riskEngine = IRiskEngine__factory.connect(address("RiskEngine"), provider);
  const oracleHub = IOracleHub__factory.connect(address("OracleHub"), provider);
  const vaultLens = VaultLens__factory.connect(address("VaultLens"), provider);
  const optional = <T>(name: keyof Manifest["contracts"], connect: (at: string) => T): T | undefined => {
    const at = manifest.contracts[name];
    return at ? connect(at) : undefined;
  };
  const backstopPool = optional("BackstopPool", (at) => IBackstopPool__factory.connect(at, provider));
  const flashLiquidator = optional("FlashLiquidator", (at) => IFlashLiquidator__factory.connect(at, provider));
  const need = <T>(contract: T | undefined, name: string): T => {
    if (!contract) throw new Error(`the manifest has no ${name}`);
    return contract;
  };
  const engineInterface: Interface = vaultEngine.interface;
  const auctionInterface: Interface = dutchAuction.interface;
  const topics = new Map<string, { target: "vault" | "auction"; name: string }>();
  for (const name of VAULT_EVENTS) topics.set(engineInterface.getEvent(name)!.topicHash, { target: "vault", name });
  for (const name of AUCTION_EVENTS) {
    topics.set(auctionInterface.getEvent(name)!.topicHash, { target: "auction", name });
  }

  const openingTopics = [
    engineInterface.getEvent("VaultOpened")!.topicHash,
    auctionInterface.getEvent("AuctionStarted")!.topicHash,
  ];

  const reader: ChainReader = {
    async getEvents(fromBlock, toBlock, openingsOnly = false) {
      // Raw eth_getLogs, reduced at once to what the index keeps: ethers' Log objects for the tens
      // of thousands of logs of a first index cost more memory than the whole book.
      const logs = (await provider.send("eth_getLogs", [
        {
          address: [address("VaultEngine"), address("DutchAuction")],
          topics: [openingsOnly ? openingTopics : [...topics.keys()]],
          fromBlock: toQuantity(fromBlock),
          toBlock: toQuantity(toBlock),
        },
      ])) as { topics: string[]; blockNumber: string; transactionHash: string }[];
      const events: ChainEvent[] = [];
      for (const log of logs) {
        const kind = topics.get(log.topics[0]);
        if (!kind || log.topics.length < 2) continue;
        events.push({
          ...kind,
          id: BigInt(log.topics[1]),
          blockNumber: Number(log.blockNumber),
          transactionHash: log.transactionHash,
        });
      }
      return events;
    },
    // One VaultLens call per batch of ids: 10,000 vaults are 20 eth_calls, not 10,000.
    async readVaults(ids, blockTag) {
      const stored = await vaultLens.vaultsOf(ids, { blockTag });
      return stored.map((vault, i): VaultState => ({
        id: ids[i],
        owner: vault.owner,
        collateral: vault.collateral,
        collateralAmount: vault.collateralAmount,
        normalizedDebt: vault.normalizedDebt,
        inAuction: vault.inAuction,
      }));
    },
    async readAuctions(ids, blockTag) {
      const stored = await vaultLens.auctionsOf(ids, { blockTag });
      return stored.map((auction, i): AuctionState | undefined =>
        auction.collateralLeft === 0n && auction.debtLeft === 0n
          ? undefined
          : {
              id: ids[i],
              collateral: auction.collateral,
              collateralLeft: auction.collateralLeft,
              debtLeft: auction.debtLeft,
              startPrice: auction.startPrice,
              startTime: auction.startTime,
            },
      );
    },
    async getBlock(tag): Promise<BlockRef> {
      const block = await provider.getBlock(tag);
      if (!block || !block.hash) throw new Error(`the node has no block ${tag}`);
      return {
        number: block.number,
        hash: block.hash,
        timestamp: block.timestamp,
        baseFee: block.baseFeePerGas ?? undefined,
      };
    },
  };

  /**
   * Why a mined liquidation of `ids` did nothing (the Liquidator skips, rather than reverts on, a
   * vault another keeper liquidated first); undefined when it started an auction for any of them.
   */
  function liquidationDidNothing(ids: bigint[], logs: readonly LogLike[]): string | undefined {
    const started = new Set(auctionsStarted(logs));
    return ids.some((id) => started.has(id)) ? undefined : "another keeper liquidated these vaults first";
  }

  function auctionsStarted(logs: readonly LogLike[]): bigint[] {
    const started = auctionInterface.getEvent("AuctionStarted")!.topicHash;
    const auctionAddress = address("DutchAuction").toLowerCase();
    return logs
      .filter((log) => log.address.toLowerCase() === auctionAddress && log.topics[0] === started)
      .map((log) => BigInt(log.topics[1]));
  }

  return {
    manifest,
    addresses: {
      vaultEngine: address("VaultEngine"),
      dutchAuction: address("DutchAuction"),
      liquidator: address("Liquidator"),
      riskEngine: address("RiskEngine"),
      oracleHub: address("OracleHub"),
      vaultLens: address("VaultLens"),
      stablecoin: manifest.contracts.Stablecoin,
      backstopPool: manifest.contracts.BackstopPool,
      flashLiquidator: manifest.contracts.FlashLiquidator,
    },
    reader,

    /**
     * Every collateral's market (absent while it cannot be priced) and feed times, in one eth_call:
     * what an idle block costs the keeper.
     */
    async markets(collaterals: string[], blockTag: number): Promise<MarketsRead> {
      const rows = await vaultLens.marketsOf(collaterals, { blockTag });
      const read: MarketsRead = { markets: new Map(), feeds: new Map() };
      for (const row of rows) {
        const { params, ramp, volatility } = row;
        read.feeds.set(row.collateral, { storedAt: row.storedAt, feedAt: row.feedAt, heartbeat: row.heartbeat });
        if (!row.priced) continue;
        read.markets.set(row.collateral, {
          collateral: row.collateral,
          rate: row.rate,
          price: row.price,
          decimals: Number(row.decimals),
          dust: row.dust,
          risk: collateralRisk(params, ramp, volatility),
        });
      }
      return read;
    },

    async healthOf(ids: bigint[], blockTag: number): Promise<LensHealth[]> {
      const rows = await vaultLens.healthOf(ids, { blockTag });
      return rows.map((row) => ({
        vaultId: row.vaultId,
        collateral: row.collateral,
        collateralAmount: row.collateralAmount,
        value: row.value,
        debt: row.debt,
        health: row.health,
        inAuction: row.inAuction,
        priced: row.priced,
      }));
    },

    async liveAuctions(blockTag: number): Promise<LiveAuction[]> {
      const rows = await vaultLens.auctionsView({ blockTag });
      return rows.map((row) => ({
        auctionId: row.auctionId,
        collateral: row.collateral,
        collateralLeft: row.collateralLeft,
        debtLeft: row.debtLeft,
        price: row.price,
        needsReset: row.needsReset,
      }));
    },

    /** The keeper's stablecoin [wad], its capital for takes; 0 when the manifest lacks the Stablecoin. */
    async stablecoinBalance(owner: string, blockTag: number): Promise<bigint> {
      const stablecoin = manifest.contracts.Stablecoin;
      if (!stablecoin) return 0n;
      return IStablecoin__factory.connect(stablecoin, provider).balanceOf(owner, { blockTag });
    },

    async incentiveParams(): Promise<{ flat: bigint; rate: bigint; max: bigint }> {
      const params = await dutchAuction.incentiveParams();
      // Read by position: the fields are being renamed (tip/chip → flatIncentive/incentiveRate).
      return { flat: params[0], rate: params[1], max: params[2] };
    },

    /**
     * `previewLiquidation` of each vault as `keeper` would send it, on the pending block by default
     * (on the latest one a vault that borrowed in it reads BorrowedThisBlock); one JSON-RPC batch.
     */
    async previewLiquidations(
      ids: bigint[],
      keeper: string,
      blockTag: number | "pending" = "pending",
    ): Promise<LiquidationPreview[]> {
      const previews = await Promise.all(
        ids.map((id) => liquidator.previewLiquidation(id, { from: keeper, blockTag })),
      );
      return previews.map((preview, i) => ({
        vaultId: ids[i],
        refusal: Number(preview.refusal),
        debtToRaise: preview.debtToRaise,
        incentive: preview.incentive,
      }));
    },

    /** The price [wad] each auction's take pays at `timestamp` (no reset assumed); one JSON-RPC batch. */
    async auctionPricesAt(ids: bigint[], timestamp: bigint, blockTag: number): Promise<bigint[]> {
      return Promise.all(ids.map((id) => dutchAuction.auctionPriceAt(id, timestamp, { blockTag })));
    },

    /** The pool's active stablecoin, caller cut, listed collaterals and pending deposits. */
    async poolState(blockTag: number): Promise<PoolState> {
      const pool = need(backstopPool, "BackstopPool");
      const [holdings, callerCut, collaterals, pending, round, warmup] = await Promise.all([
        pool.holdings({ blockTag }),
        pool.callerCut({ blockTag }),
        pool.collaterals({ blockTag }),
        pool.pendingTotals({ blockTag }),
        pool.currentRound({ blockTag }),
        pool.warmup({ blockTag }),
      ]);
      return {
        stablecoin: holdings[0],
        callerCut,
        collaterals: [...collaterals],
        pendingOpen: pending[0],
        pendingPrevious: pending[1],
        roundEndsAt: round[1],
        warmup,
      };
    },

    /** The highest auction price [wad] the pool pays for `collateral`; undefined while unpriced. */
    async maxBidPrice(collateral: string, blockTag: number): Promise<bigint | undefined> {
      return need(backstopPool, "BackstopPool")
        .maxBidPrice(collateral, { blockTag })
        .catch(() => undefined);
    },

    /** The Uniswap V2 pair a flash take of `collateral` sells on, and its reserves; undefined without one. */
    async flashPair(
      collateral: string,
      blockTag: number,
    ): Promise<{ pair: string; collateralReserve: bigint; stablecoinReserve: bigint } | undefined> {
      const pairAddress = await need(flashLiquidator, "FlashLiquidator").pairFor(collateral, { blockTag });
      if ((await provider.getCode(pairAddress, blockTag)) === "0x") return undefined;
      const pair = IUniswapV2Pair__factory.connect(pairAddress, provider);
      const [reserves, token0] = await Promise.all([pair.getReserves({ blockTag }), pair.token0({ blockTag })]);
      const collateralIsToken0 = token0.toLowerCase() === collateral.toLowerCase();
      return {
        pair: pairAddress,
        collateralReserve: collateralIsToken0 ? reserves[0] : reserves[1],
        stablecoinReserve: collateralIsToken0 ? reserves[1] : reserves[0],
      };
    },

    calls: {
      liquidateBatch: (ids: bigint[], keeper: string) =>
        liquidator.interface.encodeFunctionData("liquidateBatch", [ids, keeper]),
      decodeLiquidateBatch: (data: string): bigint[] =>
        liquidator.interface.decodeFunctionResult("liquidateBatch", data)[0] as bigint[],
      reset: (auctionId: bigint, keeper: string) =>
        dutchAuction.interface.encodeFunctionData("reset", [auctionId, keeper]),
      poke: (collateral: string) => riskEngine.interface.encodeFunctionData("poke", [collateral]),
      take: (auctionId: bigint, maxCollateral: bigint, maxPrice: bigint, receiver: string) =>
        dutchAuction.interface.encodeFunctionData("take", [auctionId, maxCollateral, maxPrice, receiver, "0x"]),
      bid: (auctionId: bigint, maxCollateral: bigint) =>
        need(backstopPool, "BackstopPool").interface.encodeFunctionData("bid", [auctionId, maxCollateral]),
      decodeBid: (data: string): TakeOutcome => {
        const [collateralBought, debtPaid, earned] = need(backstopPool, "BackstopPool").interface.decodeFunctionResult(
          "bid",
          data,
        ) as unknown as [bigint, bigint, bigint];
        return { collateralBought, debtPaid, earned };
      },
      flashTake: (auctionId: bigint, maxCollateral: bigint, maxPrice: bigint, minProfit: bigint) =>
        need(flashLiquidator, "FlashLiquidator").interface.encodeFunctionData("flashTake", [
          auctionId,
          maxCollateral,
          maxPrice,
          minProfit,
        ]),
      decodeFlashTake: (data: string): TakeOutcome => {
        const [collateralBought, debtPaid, earned] = need(
          flashLiquidator,
          "FlashLiquidator",
        ).interface.decodeFunctionResult("flashTake", data) as unknown as [bigint, bigint, bigint];
        return { collateralBought, debtPaid, earned };
      },
    },

    /**
     * The kind and sender keys of a transaction the strategies could have sent (calldata decoded),
     * so one an earlier run left pending holds the same keys; undefined for anything else.
     */
    describeCall(
      to: string,
      data: string,
    ):
      | { kind: string; keys: string[]; didNothing?: (receipt: { logs: readonly LogLike[] }) => string | undefined }
      | undefined {
      const callers: [string, Interface | undefined, string | undefined][] = [
        ["Liquidator", liquidator.interface, manifest.contracts.Liquidator],
        ["DutchAuction", dutchAuction.interface, manifest.contracts.DutchAuction],
        ["RiskEngine", riskEngine.interface, manifest.contracts.RiskEngine],
        ["BackstopPool", backstopPool?.interface, manifest.contracts.BackstopPool],
        ["FlashLiquidator", flashLiquidator?.interface, manifest.contracts.FlashLiquidator],
      ];
      const found = callers.find(([, , at]) => at !== undefined && at.toLowerCase() === to.toLowerCase());
      if (!found?.[1]) return undefined;
      let parsed: ReturnType<Interface["parseTransaction"]>;
      try {
        parsed = found[1].parseTransaction({ data });
      } catch {
        return undefined;
      }
      if (!parsed) return undefined;
      const first = parsed.args[0] as unknown;
      switch (`${found[0]}.${parsed.name}`) {
        case "Liquidator.liquidateBatch":
        case "Liquidator.liquidate": {
          const ids = parsed.name === "liquidate" ? [first as bigint] : (first as bigint[]);
          return {
            kind: "liquidate",
            keys: ids.map((id) => `liquidate:${id}`),
            didNothing: (receipt) => liquidationDidNothing(ids, receipt.logs),
          };
        }
        case "DutchAuction.take":
          return { kind: "take", keys: [`take:${first as bigint}`] };
        case "DutchAuction.reset":
          return { kind: "reset", keys: [`reset:${first as bigint}`] };
        case "BackstopPool.bid":
          return { kind: "bid", keys: [`bid:${first as bigint}`] };
        case "FlashLiquidator.flashTake":
          return { kind: "flash", keys: [`flash:${first as bigint}`] };
        case "RiskEngine.poke": {
          // The poke strategy keys on the manifest's spelling of the token address.
          const token = Object.values(manifest.collaterals).find(
            (c) => c.token.toLowerCase() === String(first).toLowerCase(),
          )?.token;
          return { kind: "poke", keys: [`poke:${token ?? String(first)}`] };
        }
        default:
          return undefined;
      }
    },

    liquidationDidNothing,
    /** Auction ids the DutchAuction started in these (receipt) logs. */
    auctionsStarted,

    /** Decodes a revert from any of the protocol's contracts into `Name(args)`, for logs. */
    describeRevert(data: string | undefined): string | undefined {
      if (!data || data === "0x") return undefined;
      for (const contractInterface of [
        liquidator.interface,
        dutchAuction.interface,
        vaultEngine.interface,
        riskEngine.interface,
        oracleHub.interface,
        ...(backstopPool ? [backstopPool.interface] : []),
        ...(flashLiquidator ? [flashLiquidator.interface] : []),
      ] as Interface[]) {
        try {
          const parsed = contractInterface.parseError(data);
          if (parsed) return `${parsed.name}(${parsed.args.map(String).join(", ")})`;
        } catch {
          // Not this contract's error; try the next.
        }
      }
      return data.slice(0, 10);
    },
  };
}
