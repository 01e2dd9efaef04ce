// The deployment manifest (deployments/<network>.json): the contract between deploy, keeper,
// scripts and tests. Validated on every read so a hand-edited or truncated file fails loudly.
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be a 0x-prefixed 20-byte hex address");

export const CONTRACT_NAMES = [
  "AccessManager",
  "Stablecoin",
  "VaultEngine",
  "OracleHub",
  "RiskEngine",
  "Liquidator",
  "DutchAuction",
  "BackstopPool",
  "VaultLens",
  "FlashLiquidator",
  "UniswapV2Factory",
  "UniswapV2Router02",
  "LiquidationUpkeep",
] as const;
export type ContractName = (typeof CONTRACT_NAMES)[number];

export const collateralSchema = z.object({
  token: address,
  decimals: z.number().int().min(0).max(18),
  feed: address,
  pair: address.optional(),
});

export const manifestSchema = z.object({
  network: z.string().min(1),
  chainId: z.number().int().positive(),
  deployBlock: z.number().int().nonnegative(),
  contracts: z.partialRecord(z.enum(CONTRACT_NAMES), address),
  collaterals: z.record(z.string().min(1), collateralSchema),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type CollateralEntry = z.infer<typeof collateralSchema>;

export const DEPLOYMENTS_DIR = path.resolve(__dirname, "..", "..", "..", "deployments");

export function manifestPath(network: string, dir = DEPLOYMENTS_DIR): string {
  return path.join(dir, `${network}.json`);
}

export function writeManifest(manifest: Manifest, dir = DEPLOYMENTS_DIR): string {
  const file = manifestPath(manifest.network, dir);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(manifestSchema.parse(manifest), null, 2) + "\n");
  return file;
}

export function readManifest(network: string, dir = DEPLOYMENTS_DIR): Manifest {
  const file = manifestPath(network, dir);
  if (!fs.existsSync(file)) {
    throw new Error(`no deployment manifest at ${file}: run scripts/deploy.ts --network ${network} first`);
  }
  return readManifestFile(file);
}

/** Reads and validates the manifest at `file`; throws one line naming the file and every problem. */
export function readManifestFile(file: string): Manifest {
  if (!fs.existsSync(file)) throw new Error(`no deployment manifest at ${file}`);
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    throw new Error(`${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`);
    throw new Error(`${file} is not a valid manifest: ${problems.join("; ")}`);
  }
  return parsed.data;
}
