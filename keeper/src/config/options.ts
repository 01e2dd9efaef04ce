// The keeper's command line and environment, validated once at start-up (zod): every problem is
// one line, and nothing below the entry point reads `process.env` or argv again.
import { Command, CommanderError, Option } from "commander";
import { parseEther, parseUnits } from "ethers";
import path from "node:path";
import { z } from "zod";
import { ConfigError } from "./errors";
import { DEPLOYMENTS_DIR, manifestPath } from "./manifest";

export const STRATEGY_NAMES = ["liquidate", "take", "bid", "flash", "reset", "poke"] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Networks whose node lends its first unlocked account when no key is given. */
export const LOCAL_NETWORKS = ["localhost", "hardhat"];
export const LOCAL_RPC_URL = "http://127.0.0.1:8545";

export interface KeeperConfig {
  network: string;
  rpcUrl: string;
  /** Absent only on a local network: the node's first account signs. */
  privateKey?: string;
  manifestPath: string;
  strategies: StrategyName[];
  minProfit: bigint; // [wad] stablecoin
  maxGasPrice: bigint; // [wei per gas]
  dailyGasBudget?: bigint; // [wei]
  shard: { index: number; count: number };
  confirmations: number;
  port: number;
  dryRun: boolean;
  once: boolean;
  logLevel: LogLevel;
  pollInterval: number; // [ms]
  maxLagBlocks: number;
  maxLagSeconds: number;
  batchSize: number;
}

const decimal = (unit: string) => z.string().regex(/^\d+(\.\d+)?$/, `must be a non-negative decimal number of ${unit}`);
const whole = (what: string, min = 0) =>
  z
    .string()
    .regex(/^\d+$/, `must be ${what}`)
    .transform(Number)
    .refine((n) => Number.isSafeInteger(n) && n >= min, `must be at least ${min}`);

const rawSchema = z.object({
  network: z.string().regex(/^[A-Za-z0-9_-]+$/, "must be a network name such as localhost"),
  rpcUrl: z.url({ protocol: /^https?$/, message: "must be an http(s) URL" }).optional(),
  privateKey: z
    .string()
    .regex(/^0x[0-9a-fA-F]{64}$/, "must be 0x followed by 64 hex digits")
    .optional(),
  manifest: z.string().min(1).optional(),
  strategies: z.string(),
  minProfit: decimal("stablecoin"),
  maxGasPrice: decimal("gwei"),
  dailyGasBudget: decimal("ETH").optional(),
  shard: z.string().regex(/^\d+\/\d+$/, "must be i/n, e.g. 0/1"),
  confirmations: whole("a whole number of blocks", 1),
  port: whole("a port number").refine((n) => n <= 65_535, "must be at most 65535"),
  dryRun: z.boolean(),
  once: z.boolean(),
  logLevel: z.enum(LOG_LEVELS),
  pollInterval: whole("a whole number of milliseconds", 10),
  maxLagBlocks: whole("a whole number of blocks", 1),
  maxLagSeconds: whole("a whole number of seconds", 1),
  batchSize: whole("a whole number of vaults", 1),
});

/** Option names as the operator types them, for messages. */
const FLAG: Record<string, string> = {
  network: "--network",
  rpcUrl: "--rpc-url / RPC_URL",
  privateKey: "--private-key / PRIVATE_KEY",
  manifest: "--manifest",
  strategies: "--strategies",
  minProfit: "--min-profit",
  maxGasPrice: "--max-gas-price",
  dailyGasBudget: "--daily-gas-budget",
  shard: "--shard",
  confirmations: "--confirmations",
  port: "--port",
  logLevel: "--log-level",
  pollInterval: "--poll-interval",
  maxLagBlocks: "--max-lag-blocks",
  maxLagSeconds: "--max-lag-seconds",
  batchSize: "--batch-size",
};

/**
 * The options every Sluice command line shares (the keeper and `npm run lp`): which deployment, which
 * node, which key. `keyRole` names whose key it is in the help text.
 */
export function addConnectionOptions(command: Command, keyRole: string): Command {
  return command
    .addOption(
      new Option("--network <name>", "deployment to work on: reads deployments/<name>.json").default("localhost"),
    )
    .addOption(new Option("--rpc-url <url>", `JSON-RPC endpoint (env: RPC_URL; default ${LOCAL_RPC_URL} on localhost)`))
    .addOption(
      new Option(
        "--private-key <hex>",
        `${keyRole} (env: PRIVATE_KEY); on localhost the node's first account is used, with a warning, when absent`,
      ),
    )
    .addOption(new Option("--manifest <path>", "deployment manifest (default deployments/<network>.json)"));
}

export function buildProgram(): Command {
  const program = new Command("keeper").description(
    "Sluice keeper: indexes vaults and auctions, liquidates unsafe vaults, resets stale auctions, " +
      "pokes oracles and takes profitable lots. See docs/KEEPER.md.",
  );
  return addConnectionOptions(program, "signer key")
    .addOption(
      new Option("--strategies <list>", `comma-separated, from ${STRATEGY_NAMES.join(",")}`).default(
        "liquidate,reset,poke",
      ),
    )
    .addOption(
      new Option("--min-profit <stablecoin>", "least profit after gas for a take, bid or flash take").default("0"),
    )
    .addOption(new Option("--max-gas-price <gwei>", "highest fee cap ever offered").default("200"))
    .addOption(new Option("--daily-gas-budget <eth>", "stop sending once this much gas was spent in 24 h of blocks"))
    .addOption(new Option("--shard <i>/<n>", "work only on vault ids ≡ i (mod n)").default("0/1"))
    .addOption(new Option("--confirmations <n>", "blocks before a block (and a transaction) is final").default("2"))
    .addOption(new Option("--port <n>", "HTTP port for /health and /metrics; 0 = off").default("0"))
    .addOption(new Option("--dry-run", "decide and simulate, send nothing").default(false))
    .addOption(new Option("--once", "one pass over the current state, then exit").default(false))
    .addOption(new Option("--log-level <level>", LOG_LEVELS.join("|")).default("info"))
    .addOption(new Option("--poll-interval <ms>", "how often to look for a new block").default("2000"))
    .addOption(new Option("--max-lag-blocks <n>", "/health is 503 when this many blocks behind").default("5"))
    .addOption(
      new Option("--max-lag-seconds <n>", "/health is 503 when no new block came for this long").default("120"),
    )
    .addOption(new Option("--batch-size <n>", "most vaults per liquidateBatch").default("50"))
    .helpOption("-h, --help", "show this help")
    .allowExcessArguments(false);
}

/**
 * Parses argv (without node and the script) and the environment. Returns undefined after printing
 * the help; throws ConfigError with one line per problem.
 */
export function parseConfig(
  argv: string[],
  env: Record<string, string | undefined>,
  write: { out: (text: string) => void; err: (text: string) => void },
): KeeperConfig | undefined {
  const program = buildProgram();
  program.exitOverride().configureOutput({ writeOut: write.out, writeErr: () => undefined });
  try {
    program.parse(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.help") return undefined;
      throw new ConfigError([error.message.replace(/^error: /, "").replace(/\s*\n\s*/g, " ")]);
    }
    throw error;
  }
  const options = program.opts();
  // Flags win over the environment; empty variables count as unset.
  options.rpcUrl ??= env.RPC_URL || undefined;
  options.privateKey ??= env.PRIVATE_KEY || undefined;
  return resolve(options);
}

function resolve(options: Record<string, unknown>): KeeperConfig {
  const parsed = rawSchema.safeParse(options);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => {
        const key = String(issue.path[0] ?? "");
        return `${FLAG[key] ?? key}: ${issue.message}${
          options[key] !== undefined ? `, got '${String(options[key])}'` : ""
        }`;
      });
  if (!parsed.success) throw new ConfigError(problems);
  const raw = parsed.data;

  const strategies = raw.strategies
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  for (const name of strategies) {
    if (!(STRATEGY_NAMES as readonly string[]).includes(name)) {
      problems.push(`--strategies: unknown strategy '${name}' (known: ${STRATEGY_NAMES.join(", ")})`);
    }
  }
  if (strategies.length === 0) problems.push("--strategies: name at least one strategy");

  const [index, count] = raw.shard.split("/").map(Number);
  if (count < 1 || index >= count) problems.push(`--shard: i must be below n and n at least 1, got '${raw.shard}'`);

  const local = LOCAL_NETWORKS.includes(raw.network);
  if (raw.rpcUrl === undefined && !local) {
    problems.push(`--rpc-url / RPC_URL: missing (required on network '${raw.network}')`);
  }
  if (raw.privateKey === undefined && !local) {
    problems.push(`--private-key / PRIVATE_KEY: missing (required on network '${raw.network}')`);
  }
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    network: raw.network,
    rpcUrl: raw.rpcUrl ?? LOCAL_RPC_URL,
    privateKey: raw.privateKey,
    manifestPath: raw.manifest ? path.resolve(raw.manifest) : manifestPath(raw.network, DEPLOYMENTS_DIR),
    strategies: [...new Set(strategies)] as StrategyName[],
    minProfit: parseEther(raw.minProfit),
    maxGasPrice: parseUnits(raw.maxGasPrice, "gwei"),
    dailyGasBudget: raw.dailyGasBudget === undefined ? undefined : parseEther(raw.dailyGasBudget),
    shard: { index, count },
    confirmations: raw.confirmations,
    port: raw.port,
    dryRun: raw.dryRun,
    once: raw.once,
    logLevel: raw.logLevel,
    pollInterval: raw.pollInterval,
    maxLagBlocks: raw.maxLagBlocks,
    maxLagSeconds: raw.maxLagSeconds,
    batchSize: raw.batchSize,
  };
}
