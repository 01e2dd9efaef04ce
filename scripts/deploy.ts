// Deploys Sluice to the network Hardhat was started with and writes deployments/<network>.json.
//   npx hardhat run scripts/deploy.ts --network localhost
import hre from "hardhat";
import { writeManifest } from "../keeper/src/config/manifest";
import { deploySluice, toManifest } from "./lib/deploy";
import { deploySettings } from "./lib/deployEnv";

const LOCAL_CHAIN_ID = 31337n;

async function main(): Promise<void> {
  const { chainId } = await hre.ethers.provider.getNetwork();
  const settings = deploySettings(process.env, chainId === LOCAL_CHAIN_ID);
  const [deployer] = await hre.ethers.getSigners();
  if (!deployer) throw new Error(`no account for network '${hre.network.name}': set PRIVATE_KEY in .env`);

  console.log(`Deploying Sluice to '${hre.network.name}' (chain ${chainId}) from ${deployer.address}`);
  if (settings.ignored.length > 0) console.log(`  local chain: ignoring ${settings.ignored.join(", ")}`);
  const deployment = await deploySluice(deployer, {
    governanceDelay: settings.governanceDelay,
    admin: settings.admin,
    guardian: settings.guardian,
    withMocks: settings.withMocks,
    // Uniswap V2 from the npm artifacts, seeded pairs and the FlashLiquidator: local chains only.
    withAmm: chainId === LOCAL_CHAIN_ID,
    log: (line) => console.log(`  ${line}`),
  });
  const file = writeManifest(await toManifest(deployment, hre.network.name), settings.deploymentsDir);
  console.log(`Manifest written to ${file}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
