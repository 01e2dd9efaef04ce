// The composition root below the entry point: start-up checks (each failure one ConfigError line),
// then the index, the strategies, the sender, the HTTP server and the loop, all from one config.
import { JsonRpcSigner, Wallet, getAddress, formatEther } from "ethers";
import type http from "node:http";
import pino, { type Logger } from "pino";
import { connectProtocol, REQUIRED_CONTRACTS, STRATEGY_CONTRACTS } from "./chain/contracts";
import { nodeAccountSigner, senderChain, spendingChain, walletSigner } from "./chain/signer";
import { describeError, FetchJsonRpcProvider } from "./chain/transport";
import { ConfigError } from "./config/errors";
import { readManifestFile, type Manifest } from "./config/manifest";
import { LOCAL_NETWORKS, type KeeperConfig, type StrategyName } from "./config/options";
import { Sender, type TxSigner } from "./execution/sender";
import { recoverSpending } from "./execution/spending";
import { Indexer } from "./index/indexer";
import { Keeper } from "./keeper";
import { WAD } from "./math/fixedPoint";
import { startServer } from "./server/http";
import { createMetrics } from "./server/metrics";
import { BidStrategy } from "./strategy/bid";
import { FlashStrategy } from "./strategy/flash";
import { LiquidateStrategy } from "./strategy/liquidate";
import { PokeStrategy } from "./strategy/poke";
import { ResetStrategy } from "./strategy/reset";
import { TakeStrategy } from "./strategy/take";
import type { Strategy } from "./strategy/types";

/**
 * Priority order: liquidations first (they start auctions), then resets and pokes (which make
 * auctions and prices usable), then who buys an auction: the pool's bid (the LPs' capital, there
 * to backstop; the keeper risks none), the flash take (no capital either, but it moves the pair's
 * price), and last a take with the keeper's own stablecoin. One auction, one action per pass.
 */
const ORDER: StrategyName[] = ["liquidate", "reset", "poke", "bid", "flash", "take"];

export interface AppDeps {
  /** Where pino writes (stdout at the entry point). */
  logStream: pino.DestinationStream;
  wallClock: () => number;
  signal: AbortSignal;
}

function loadManifest(config: KeeperConfig): Manifest {
  try {
    return readManifestFile(config.manifestPath);
  } catch (error) {
    throw new ConfigError([error instanceof Error ? error.message : String(error)]);
  }
}

function checkStrategies(config: KeeperConfig, manifest: Manifest): void {
  const problems: string[] = [];
  for (const name of config.strategies) {
    const contract = STRATEGY_CONTRACTS[name as keyof typeof STRATEGY_CONTRACTS];
    if (contract && !manifest.contracts[contract]) {
      problems.push(`--strategies: '${name}' needs ${contract}, which deployment '${manifest.network}' does not have`);
    }
  }
  const missing = REQUIRED_CONTRACTS.filter((name) => !manifest.contracts[name]);
  for (const name of missing) problems.push(`${config.manifestPath}: contracts.${name} is missing`);
  if (problems.length > 0) throw new ConfigError(problems);
}

/** Start-up reads: 5 tries 500 ms apart, so a node that blips while the keeper starts is no crash. */
const STARTUP_TRIES = 5;
const STARTUP_RETRY_MS = 500;

async function startupRead<T>(what: string, read: () => Promise<T>, logger: Logger): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      if (error instanceof ConfigError || attempt >= STARTUP_TRIES) throw error;
      logger.warn({ attempt, error: describeError(error) }, `start-up: ${what} failed; retrying`);
      await new Promise((resolve) => setTimeout(resolve, STARTUP_RETRY_MS));
    }
  }
}

async function checkChain(
  config: KeeperConfig,
  manifest: Manifest,
  provider: FetchJsonRpcProvider,
  logger: Logger,
): Promise<void> {
  let chainId: bigint;
  try {
    chainId = BigInt(await startupRead("eth_chainId", () => provider.send("eth_chainId", []), logger));
  } catch (error) {
    throw new ConfigError([`cannot reach the node at ${config.rpcUrl}: ${describeError(error)}`]);
  }
  if (chainId !== BigInt(manifest.chainId)) {
    throw new ConfigError([
      `chain id mismatch: the node at ${config.rpcUrl} is chain ${chainId}, ` +
        `but ${config.manifestPath} is for chain ${manifest.chainId}`,
    ]);
  }
  const addresses: [string, string][] = Object.entries(manifest.contracts).map(([n, a]) => [n, a!]);
  for (const [symbol, entry] of Object.entries(manifest.collaterals)) {
    addresses.push([`collaterals.${symbol}.token`, entry.token], [`collaterals.${symbol}.feed`, entry.feed]);
  }
  const codes = await startupRead(
    "eth_getCode",
    () => Promise.all(addresses.map(([, address]) => provider.getCode(address))),
    logger,
  );
  const problems = addresses
    .filter((_, i) => codes[i] === "0x")
    .map(([name, address]) => `no code at ${name} ${address} on chain ${chainId} (wrong manifest or a reset node?)`);
  if (problems.length > 0) throw new ConfigError(problems);
}

async function makeSigner(
  config: KeeperConfig,
  provider: FetchJsonRpcProvider,
  chainId: bigint,
  logger: Logger,
): Promise<TxSigner> {
  if (config.privateKey) return walletSigner(new Wallet(config.privateKey, provider), provider, chainId);
  if (!LOCAL_NETWORKS.includes(config.network)) {
    throw new ConfigError(["--private-key / PRIVATE_KEY: missing"]);
  }
  const accounts = (await startupRead("eth_accounts", () => provider.send("eth_accounts", []), logger)) as string[];
  if (accounts.length === 0) {
    throw new ConfigError(["--private-key / PRIVATE_KEY: missing, and the node has no unlocked account to use"]);
  }
  const address = getAddress(accounts[0]);
  logger.warn({ address }, "no --private-key: signing with the local node's first account");
  return nodeAccountSigner(new JsonRpcSigner(provider, address), chainId);
}

/**
 * The budget is for 24 h of block time, whoever spent it: what this signer paid in the last day is
 * read back from the chain, so a restart does not start from zero.
 */
async function restoreSpending(sender: Sender, provider: FetchJsonRpcProvider, address: string, logger: Logger) {
  try {
    const latest = await provider.getBlock("latest");
    if (!latest) throw new Error("the node has no latest block");
    const spent = await recoverSpending(spendingChain(provider), address, latest, 86_400);
    sender.restoreSpending(spent);
    logger.info(
      { transactions: spent.length, spentToday: sender.spentToday().toString(), block: latest.number },
      "gas spent in the last 24 h recovered from the chain",
    );
  } catch (error) {
    logger.warn(
      { error: describeError(error) },
      "could not recover the last 24 h of gas spending (the node may lack the history: use an archive endpoint); " +
        "--daily-gas-budget counts from now",
    );
  }
}

/** A keeper built and started (checks passed, sender started), not yet looping. */
export interface StartedKeeper {
  keeper: Keeper;
  sender: Sender;
  protocol: ReturnType<typeof connectProtocol>;
  metrics: ReturnType<typeof createMetrics>;
  logger: Logger;
  /** The signer's address. */
  address: string;
  /** Stops the HTTP server (if any) and the provider. */
  close(): Promise<void>;
}

/**
 * Start-up checks and the composition: everything `runKeeper` loops over. Throws ConfigError on bad
 * start-up. Embedders (the demo) call `keeper.pass()` themselves.
 */
export async function startKeeper(config: KeeperConfig, deps: AppDeps): Promise<StartedKeeper> {
  const logger = pino({ level: config.logLevel, base: { network: config.network } }, deps.logStream);
  const manifest = loadManifest(config);
  checkStrategies(config, manifest);
  const metrics = createMetrics();
  const provider = new FetchJsonRpcProvider(config.rpcUrl, manifest.chainId, {
    onError: () => metrics.rpcErrors.inc(),
  });
  let server: http.Server | undefined;
  const close = async (): Promise<void> => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    provider.destroy();
  };
  try {
    await checkChain(config, manifest, provider, logger);
    const chainId = BigInt(manifest.chainId);
    const signer = await makeSigner(config, provider, chainId, logger);
    const balance = await startupRead("eth_getBalance", () => provider.getBalance(signer.address), logger);
    if (balance === 0n && !config.dryRun) {
      throw new ConfigError([`the signer ${signer.address} has no ETH to pay for gas (use --dry-run to only watch)`]);
    }
    logger.info(
      {
        signer: signer.address,
        balance: formatEther(balance),
        strategies: config.strategies,
        shard: `${config.shard.index}/${config.shard.count}`,
        dryRun: config.dryRun,
      },
      "keeper starting",
    );

    const protocol = connectProtocol(manifest, provider);
    const indexer = new Indexer(
      {
        reader: protocol.reader,
        logger: logger.child({ room: "index" }),
        onLogsRefused: () => metrics.rpcErrors.inc(),
      },
      { deployBlock: manifest.deployBlock, confirmations: config.confirmations, maxLogRange: 2_000 },
    );
    const sender = new Sender(
      {
        chain: senderChain(provider),
        signer,
        logger: logger.child({ room: "execution" }),
        metrics: metrics.sender,
        describe: (to, data) => protocol.describeCall(to, data),
      },
      {
        maxGasPrice: config.maxGasPrice,
        confirmations: config.confirmations,
        dryRun: config.dryRun,
        dailyGasBudget: config.dailyGasBudget,
        bumpAfterBlocks: 3,
        bumpPerMille: 125,
      },
    );
    await startupRead("reading the nonce", () => sender.start(), logger);
    if (config.dailyGasBudget !== undefined) await restoreSpending(sender, provider, signer.address, logger);

    const strategyLogger = logger.child({ room: "strategy" });
    let keeper: Keeper | undefined = undefined;
    const build: Record<string, () => Strategy> = {
      liquidate: () =>
        new LiquidateStrategy(
          { logger: strategyLogger, stamp: (id) => keeper!.stamp(id) },
          { batchSize: config.batchSize, candidateMargin: WAD / 200n },
        ),
      reset: () => new ResetStrategy({ logger: strategyLogger }),
      poke: () =>
        new PokeStrategy({
          logger: strategyLogger,
          collaterals: Object.values(manifest.collaterals).map((c) => c.token),
        }),
      take: () => new TakeStrategy({ logger: strategyLogger, minProfit: config.minProfit }),
      bid: () => new BidStrategy({ logger: strategyLogger, minProfit: config.minProfit }),
      flash: () => new FlashStrategy({ logger: strategyLogger, minProfit: config.minProfit }),
    };
    const strategies = ORDER.filter((name) => config.strategies.includes(name)).map((name) => build[name]());
    keeper = new Keeper(
      {
        provider,
        protocol,
        indexer,
        sender,
        strategies,
        logger,
        metrics,
        keeper: signer.address,
        wallClock: deps.wallClock,
      },
      {
        shard: config.shard,
        maxLagBlocks: config.maxLagBlocks,
        maxLagSeconds: config.maxLagSeconds,
        dailyGasBudget: config.dailyGasBudget,
        collaterals: Object.values(manifest.collaterals).map((c) => c.token),
        ethToken: manifest.collaterals.WETH?.token,
      },
    );

    if (config.port !== 0) {
      const running = keeper;
      server = await startServer(config.port, { health: () => running.health(), registry: metrics.registry });
      logger.info({ port: config.port }, "serving /health and /metrics");
    }
    return { keeper, sender, protocol, metrics, logger, address: signer.address, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Runs the keeper until `signal` aborts (or after one pass with --once). Throws ConfigError on bad start-up. */
export async function runKeeper(config: KeeperConfig, deps: AppDeps): Promise<void> {
  const { keeper, sender, protocol, logger, close } = await startKeeper(config, deps);
  try {
    if (config.once) {
      await keeper.pass();
      // Wait for what this pass sent to be mined (not for its confirmations, nor for what an
      // earlier run left pending), then stop.
      const deadline = deps.wallClock() + config.maxLagSeconds;
      while (sender.unminedSentCount > 0 && !deps.signal.aborted) {
        if (deps.wallClock() > deadline) {
          logger.warn(
            { pending: sender.unminedSentCount },
            "transactions still unmined after --max-lag-seconds; stopping",
          );
          break;
        }
        await sleep(config.pollInterval, deps.signal);
        const head = await protocol.reader.getBlock("latest");
        await sender.onBlock(head);
      }
      logger.info({ block: keeper.processed?.number, pending: sender.pendingCount }, "one pass done");
      return;
    }

    while (!deps.signal.aborted) {
      try {
        await keeper.pass();
      } catch (error) {
        logger.error({ error: describeError(error) }, "pass failed; retrying at the next poll");
      }
      await sleep(config.pollInterval, deps.signal);
    }
    logger.info(
      { pending: sender.pendingCount },
      "shutting down: pending transactions are re-found by nonce on restart",
    );
  } finally {
    await close();
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done);
  });
}
