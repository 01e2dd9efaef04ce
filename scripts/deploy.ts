// Deploys Sluice to the network Hardhat was started with and writes deployments/<network>.json.
//   npx hardhat run scripts/deploy.ts --network localhost
import hre from "hardhat";
import { z } from "zod";
import { writeManifest } from "../keeper/src/config/manifest";
import { deploySluice, toManifest } from "./lib/deploy";

const LOCAL_CHAIN_ID = 31337n;

const envSchema = z.object({
  GOVERNANCE_DELAY: z.coerce
    .number()
    .int()
    .nonnegative()
    .max(30 * 86_400)
    .default(0),
  DEPLOY_MOCKS: z.enum(["true", "false"]).optional(),
  DEPLOYMENTS_DIR: z.string().min(1).optional(),
});

async function main(): Promise<void> {
  const env = envSchema.safeParse(process.env);
  if (!env.success) {
    throw new Error(env.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; "));
  }
  const [deployer] = await hre.ethers.getSigners();
  if (!deployer) throw new Error(`no account for network '${hre.network.name}': set PRIVATE_KEY in .env`);
  const { chainId } = await hre.ethers.provider.getNetwork();
  const local = chainId === LOCAL_CHAIN_ID;

  console.log(`Deploying Sluice to '${hre.network.name}' (chain ${chainId}) from ${deployer.address}`);
  const deployment = await deploySluice(deployer, {
    governanceDelay: local ? 0 : env.data.GOVERNANCE_DELAY,
    withMocks: local || env.data.DEPLOY_MOCKS === "true",
    log: (line) => console.log(`  ${line}`),
  });
  const file = writeManifest(await toManifest(deployment, hre.network.name), env.data.DEPLOYMENTS_DIR);
  console.log(`Manifest written to ${file}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
