// A real `hardhat node` on a random free port with Sluice deployed to it, and the keeper run as a
// separate process against it: what an operator does, end to end.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { JsonRpcProvider, type JsonRpcSigner } from "ethers";
import { writeManifest, type Manifest } from "../../../keeper/src/config/manifest";
import { WAD } from "../../../keeper/src/math/fixedPoint";
import { deploySluice, toFeedAnswer, toManifest, type Deployment } from "../../../scripts/lib/deploy";

export const ROOT = path.resolve(__dirname, "..", "..", "..");
const HARDHAT_CLI = require.resolve("hardhat/internal/cli/cli.js");
const TS_NODE = require.resolve("ts-node/dist/bin.js");
const KEEPER_BIN = path.join(ROOT, "keeper", "bin", "keeper.ts");

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface LocalNode {
  url: string;
  provider: JsonRpcProvider;
  node: ChildProcess;
  dir: string;
  stop(): void;
}

export async function startNode(): Promise<LocalNode> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // Started without npx so that killing it stops the node itself, not only a wrapper.
  const node = spawn(process.execPath, [HARDHAT_CLI, "node", "--port", String(port)], { cwd: ROOT, stdio: "ignore" });
  const provider = new JsonRpcProvider(url, 31337, { staticNetwork: true, cacheTimeout: -1 });
  for (let attempt = 0; ; attempt++) {
    if (node.exitCode !== null) throw new Error(`hardhat node exited with ${node.exitCode}`);
    try {
      await provider.getBlockNumber();
      break;
    } catch {
      if (attempt > 160) throw new Error(`hardhat node did not answer on ${url}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-keeper-"));
  return {
    url,
    provider,
    node,
    dir,
    stop() {
      provider.destroy();
      node.kill();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface DeployedMarket {
  deployment: Deployment;
  manifest: Manifest;
  manifestPath: string;
  signers: JsonRpcSigner[];
}

/** `withAmm`: also Uniswap V2 pairs seeded at the oracle price and the FlashLiquidator. */
export async function deployTo(local: LocalNode, options: { withAmm?: boolean } = {}): Promise<DeployedMarket> {
  const signers = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => local.provider.getSigner(i)));
  const deployment = await deploySluice(signers[0], { withMocks: true, withAmm: options.withAmm });
  const manifest = await toManifest(deployment, "localhost");
  const manifestPath = writeManifest(manifest, local.dir);
  return { deployment, manifest, manifestPath, signers };
}

/** Opens a vault of `amount` token units borrowing `share`% of its limit; returns its id. */
export async function openVault(
  market: DeployedMarket,
  owner: JsonRpcSigner,
  symbol: "WETH" | "WBTC",
  amount: bigint,
  share: bigint,
): Promise<bigint> {
  const { vaultEngine } = market.deployment;
  const { token } = market.deployment.collaterals[symbol];
  const engine = vaultEngine.connect(owner);
  const engineAddress = await vaultEngine.getAddress();
  await (await token.connect(owner).mint(owner.address, amount)).wait();
  await (await token.connect(owner).approve(engineAddress, amount)).wait();
  await (await engine.openVault(await token.getAddress())).wait();
  const id = await vaultEngine.vaultCount();
  await (await engine.deposit(id, amount)).wait();
  const borrow = ((await vaultEngine.maxDebt(id)) * share) / 100n - 10n ** 6n;
  await (await engine.borrow(id, borrow, owner.address)).wait();
  return id;
}

/** Publishes `price` [wad] on the feed a minute later and lets the RiskEngine follow it (≤ maxJump). */
export async function setPrice(market: DeployedMarket, symbol: "WETH" | "WBTC", price: bigint): Promise<void> {
  const { feed, token, spec } = market.deployment.collaterals[symbol];
  const provider = market.signers[0].provider;
  await provider.send("evm_increaseTime", [60]);
  await (await feed.setAnswer(toFeedAnswer(price, spec.feedDecimals))).wait();
  await (await market.deployment.riskEngine.poke(await token.getAddress())).wait();
}

export const ether = (n: number): bigint => BigInt(Math.round(n * 1e6)) * (WAD / 1_000_000n);

export interface KeeperRun {
  code: number | null;
  stdout: string;
  stderr: string;
  lines: Record<string, unknown>[];
}

/** Runs the keeper process to its end. */
export function runKeeper(args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 90_000) {
  const child = spawnKeeper(args, env);
  return collect(child, timeoutMs);
}

export function spawnKeeper(args: string[], env: Record<string, string | undefined> = {}): ChildProcess {
  const base: Record<string, string | undefined> = { ...process.env, RPC_URL: undefined, PRIVATE_KEY: undefined };
  const merged = { ...base, ...env };
  for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key];
  return spawn(process.execPath, [TS_NODE, "--transpile-only", KEEPER_BIN, ...args], {
    cwd: ROOT,
    env: merged as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

export function collect(child: ChildProcess, timeoutMs: number): Promise<KeeperRun> {
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`keeper did not exit within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, lines: parseLines(stdout) });
    });
  });
}

export function parseLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Prometheus text exposition → value of every unlabelled sample (labelled ones summed by name). */
export function parsePrometheus(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not Prometheus text: ${line}`);
    values.set(match[1], (values.get(match[1]) ?? 0) + Number(match[3]));
  }
  return values;
}
