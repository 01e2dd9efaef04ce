// Prints the checkData of each LiquidationUpkeep shard of the current book, to register one Chainlink
// upkeep (or one Gelato task, through `checkerFor`) per shard.
//   npm run upkeep:shards -- --network localhost --shards 4
import "dotenv/config";
import { Command, InvalidArgumentError, Option } from "commander";
import { JsonRpcProvider, ZeroAddress } from "ethers";
import { readManifest } from "../keeper/src/config/manifest";
import { LiquidationUpkeep__factory, VaultEngine__factory } from "../typechain-types";
import { encodeShard } from "./lib/deploy";
import { minimumShards, planShards, type ShardKind } from "./lib/shards";

/** Gas limit to register for `performUpkeep`: the largest perform measured (docs/BENCHMARKS.md) with margin. */
const PERFORM_GAS_LIMIT = 3_500_000;

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError("must be a whole number ≥ 1");
  return n;
}

function rpcUrl(network: string, override: string | undefined): string {
  if (override) return override;
  if (network === "localhost") return process.env.LOCALHOST_RPC_URL ?? "http://127.0.0.1:8545";
  if (process.env.RPC_URL) return process.env.RPC_URL;
  throw new Error(`no RPC URL for network '${network}': pass --rpc-url or set RPC_URL in .env`);
}

async function main(): Promise<void> {
  const program = new Command()
    .name("upkeep:shards")
    .description("Print the checkData of each LiquidationUpkeep shard of the current book (one upkeep per shard).")
    .requiredOption("--network <name>", "network whose deployments/<name>.json manifest to read", "localhost")
    .option(
      "--rpc-url <url>",
      "JSON-RPC endpoint (default: LOCALHOST_RPC_URL or 127.0.0.1:8545 on localhost, else RPC_URL)",
    )
    .option(
      "--shards <n>",
      "number of shards (default: the least that lets each check read its whole shard)",
      positiveInteger,
    )
    .addOption(
      new Option("--by <kind>", "split by id residue (new vaults spread) or by id range")
        .choices(["residue", "range"])
        .default("residue"),
    )
    .option("--collateral <symbol>", "only vaults of this collateral (a symbol of the manifest, e.g. WETH)")
    .option("--deployments <dir>", "directory of the manifests (default: DEPLOYMENTS_DIR or deployments/)")
    .option("--json", "print JSON instead of a table")
    .parse();
  const options = program.opts<{
    network: string;
    rpcUrl?: string;
    shards?: number;
    by: ShardKind;
    collateral?: string;
    deployments?: string;
    json?: boolean;
  }>();

  const dir = options.deployments ?? process.env.DEPLOYMENTS_DIR;
  const manifest = dir ? readManifest(options.network, dir) : readManifest(options.network);
  const upkeepAddress = manifest.contracts.LiquidationUpkeep;
  const engineAddress = manifest.contracts.VaultEngine;
  if (!upkeepAddress || !engineAddress) {
    throw new Error(`deployments/${options.network}.json has no LiquidationUpkeep or VaultEngine: redeploy`);
  }
  let collateral = ZeroAddress;
  if (options.collateral) {
    const entry = manifest.collaterals[options.collateral];
    if (!entry) {
      throw new Error(
        `unknown collateral '${options.collateral}': the manifest lists ${Object.keys(manifest.collaterals).join(", ")}`,
      );
    }
    collateral = entry.token;
  }

  const provider = new JsonRpcProvider(rpcUrl(options.network, options.rpcUrl), manifest.chainId, {
    staticNetwork: true,
  });
  try {
    const upkeep = LiquidationUpkeep__factory.connect(upkeepAddress, provider);
    const vaultCount = await VaultEngine__factory.connect(engineAddress, provider).vaultCount();
    const maxScan = await upkeep.MAX_SCAN();
    const count = options.shards ?? minimumShards(vaultCount, maxScan);
    const shards = await Promise.all(
      planShards(vaultCount, count, options.by, collateral).map(async (shard, index) => {
        const checkData = encodeShard(shard);
        const [ids, pages] = await upkeep.shardSize(checkData);
        return { index, shard, ids, pages, checkData };
      }),
    );

    if (options.json) {
      const rows = shards.map(({ index, shard, ids, pages, checkData }) => ({
        index,
        ...Object.fromEntries(Object.entries(shard).map(([key, value]) => [key, String(value)])),
        ids: Number(ids),
        pages: Number(pages),
        checkData,
      }));
      console.log(JSON.stringify({ upkeep: upkeepAddress, vaultCount: Number(vaultCount), shards: rows }, null, 2));
      return;
    }
    console.log(
      `LiquidationUpkeep ${upkeepAddress} on '${options.network}': ${vaultCount} vaults, ${count} shards by ${options.by}`,
    );
    console.log(
      `Register each with: target ${upkeepAddress}, checkData below, gas limit ${PERFORM_GAS_LIMIT.toLocaleString("en-US")}.`,
    );
    for (const { index, shard, ids, pages, checkData } of shards) {
      const where =
        options.by === "residue"
          ? `ids ≡ ${shard.residue} (mod ${shard.modulus})`
          : `ids ${shard.fromId}..${shard.toId === 0n ? "∞" : shard.toId}`;
      const paging = pages > 1n ? `, read in ${pages} pages (one per block): use more shards` : "";
      console.log(
        `\n#${index}  ${where}${collateral === ZeroAddress ? "" : ` of ${options.collateral}`}: ${ids} ids now${paging}`,
      );
      console.log(`  checkData ${checkData}`);
    }
  } finally {
    provider.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
