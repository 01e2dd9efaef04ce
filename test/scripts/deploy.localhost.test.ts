// End to end: `npx hardhat node` + `hardhat run scripts/deploy.ts --network localhost` writes a
// manifest in the SPEC format whose addresses hold the deployed, wired contracts.
import { expect } from "chai";
import { spawn, execFile, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Contract, JsonRpcProvider } from "ethers";
import { readManifest } from "../../keeper/src/config/manifest";
import {
  FlashLiquidator__factory,
  IUniswapV2Factory__factory,
  IUniswapV2Pair__factory,
  OracleHub__factory,
  RiskEngine__factory,
  VaultEngine__factory,
} from "../../typechain-types";

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, "..", "..");
const PORT = 18_545 + Math.floor(Math.random() * 1_000);
const URL = `http://127.0.0.1:${PORT}`;
const HARDHAT_CLI = require.resolve("hardhat/internal/cli/cli.js");

async function waitForNode(provider: JsonRpcProvider, node: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 120; attempt++) {
    if (node.exitCode !== null) throw new Error(`hardhat node exited with ${node.exitCode}`);
    try {
      await provider.getBlockNumber();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new Error(`hardhat node did not answer on ${URL}`);
}

describe("scripts/deploy.ts against a local node", function () {
  let node: ChildProcess;
  let provider: JsonRpcProvider;
  let dir: string;

  before(async function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-deployments-"));
    // Started without npx so that killing it stops the node itself, not only a wrapper.
    node = spawn(process.execPath, [HARDHAT_CLI, "node", "--port", String(PORT)], { cwd: ROOT, stdio: "ignore" });
    provider = new JsonRpcProvider(URL, 31337, { staticNetwork: true });
    await waitForNode(provider, node);
  });

  after(function () {
    provider?.destroy();
    node?.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("deploy_onLocalhost_writesManifestMatchingTheChain", async function () {
    const env = { ...process.env, LOCALHOST_RPC_URL: URL, DEPLOYMENTS_DIR: dir };
    const { stdout } = await run(
      process.execPath,
      [HARDHAT_CLI, "run", "scripts/deploy.ts", "--network", "localhost"],
      {
        cwd: ROOT,
        env,
      },
    );
    expect(stdout).to.contain("Manifest written");

    const manifest = readManifest("localhost", dir);
    expect(manifest.network).to.equal("localhost");
    expect(manifest.chainId).to.equal(31337);
    expect(Object.keys(manifest.contracts).sort()).to.deep.equal(
      [
        "AccessManager",
        "DutchAuction",
        "FlashLiquidator",
        "LiquidationUpkeep",
        "Liquidator",
        "OracleHub",
        "RiskEngine",
        "Stablecoin",
        "UniswapV2Factory",
        "UniswapV2Router02",
        "VaultEngine",
        "VaultLens",
      ].sort(),
    );
    expect(manifest.collaterals.WETH.decimals).to.equal(18);
    expect(manifest.collaterals.WBTC.decimals).to.equal(8);

    for (const address of Object.values(manifest.contracts)) {
      expect(await provider.getCode(address!), address).to.not.equal("0x");
    }
    const engine = VaultEngine__factory.connect(manifest.contracts.VaultEngine!, provider);
    expect(await engine.stablecoin()).to.equal(manifest.contracts.Stablecoin);
    expect(await engine.oracle()).to.equal(manifest.contracts.OracleHub);
    const hub = OracleHub__factory.connect(manifest.contracts.OracleHub!, provider);
    for (const entry of Object.values(manifest.collaterals)) {
      expect((await hub.feedConfig(entry.token)).source).to.equal(entry.feed);
      expect(await hub.price(entry.token)).to.be.gt(0n);
    }

    // Local networks get Uniswap V2 with a pair per collateral, seeded with the RiskEngine's depth.
    const factory = IUniswapV2Factory__factory.connect(manifest.contracts.UniswapV2Factory!, provider);
    const router = new Contract(
      manifest.contracts.UniswapV2Router02!,
      ["function factory() view returns (address)"],
      provider,
    );
    expect(await router.factory()).to.equal(manifest.contracts.UniswapV2Factory);
    const risk = RiskEngine__factory.connect(manifest.contracts.RiskEngine!, provider);
    const flash = FlashLiquidator__factory.connect(manifest.contracts.FlashLiquidator!, provider);
    expect(await flash.auction()).to.equal(manifest.contracts.DutchAuction);
    for (const entry of Object.values(manifest.collaterals)) {
      expect(entry.pair, "pair in the manifest").to.match(/^0x[0-9a-fA-F]{40}$/);
      expect(await factory.getPair(entry.token, manifest.contracts.Stablecoin!)).to.equal(entry.pair);
      expect(await flash.pairFor(entry.token)).to.equal(entry.pair);
      const pair = IUniswapV2Pair__factory.connect(entry.pair!, provider);
      const [reserve0, reserve1] = await pair.getReserves();
      const stablecoinReserve = (await pair.token0()) === manifest.contracts.Stablecoin ? reserve0 : reserve1;
      expect(stablecoinReserve).to.equal((await risk.riskParams(entry.token)).depth);
    }
  });
});
