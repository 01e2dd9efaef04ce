// Bad configuration, as an operator meets it: the keeper process prints one clear line per problem
// on stderr, exits non-zero and never shows a stack trace.
import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import {
  deployTo,
  runKeeper,
  startNode,
  type DeployedMarket,
  type LocalNode,
  type KeeperRun,
} from "../helpers/localNode";

describe("keeper start-up checks", function () {
  this.timeout(180_000);
  let local: LocalNode;
  let market: DeployedMarket;

  before(async function () {
    local = await startNode();
    market = await deployTo(local);
  });

  after(() => local?.stop());

  function writeManifest(name: string, edit: (json: Record<string, unknown>) => unknown): string {
    const json = JSON.parse(fs.readFileSync(market.manifestPath, "utf8")) as Record<string, unknown>;
    const file = path.join(local.dir, name);
    fs.writeFileSync(file, typeof edit(json) === "string" ? (edit(json) as string) : JSON.stringify(edit(json)));
    return file;
  }

  const base = () => ["--rpc-url", local.url, "--manifest", market.manifestPath, "--once"];

  function expectOneLine(run: KeeperRun, pattern: RegExp): void {
    expect(run.code, run.stdout + run.stderr).to.not.equal(0);
    const lines = run.stderr.trim().split("\n");
    expect(lines, run.stderr).to.have.length(1);
    expect(lines[0]).to.match(/^keeper: /);
    expect(lines[0]).to.match(pattern);
    expect(run.stderr).to.not.match(/\n\s+at /);
  }

  it("keeper_withoutRpcUrlOnALiveNetwork_saysRpcUrlIsMissing", async function () {
    const run = await runKeeper(["--network", "sepolia", "--private-key", KEY, "--manifest", market.manifestPath]);
    expectOneLine(run, /RPC_URL: missing/);
  });

  it("keeper_withAMalformedRpcUrl_saysItMustBeAUrl", async function () {
    const run = await runKeeper(["--manifest", market.manifestPath], { RPC_URL: "localhost:8545" });
    expectOneLine(run, /RPC_URL: must be an http\(s\) URL, got 'localhost:8545'/);
  });

  it("keeper_withAnUnreachableRpcUrl_saysItCannotReachTheNode", async function () {
    const run = await runKeeper(["--manifest", market.manifestPath, "--once"], { RPC_URL: "http://127.0.0.1:9" });
    expectOneLine(run, /cannot reach the node at http:\/\/127\.0\.0\.1:9/);
  });

  it("keeper_withAMalformedPrivateKey_saysWhatAKeyLooksLike", async function () {
    const run = await runKeeper(base(), { PRIVATE_KEY: "0x1234" });
    expectOneLine(run, /PRIVATE_KEY: must be 0x followed by 64 hex digits/);
  });

  it("keeper_withoutPrivateKeyOnALiveNetwork_saysItIsMissing", async function () {
    const run = await runKeeper(["--network", "sepolia", "--rpc-url", local.url, "--manifest", market.manifestPath]);
    expectOneLine(run, /PRIVATE_KEY: missing/);
  });

  it("keeper_withoutManifest_namesTheMissingFile", async function () {
    const run = await runKeeper(["--rpc-url", local.url, "--manifest", path.join(local.dir, "nope.json")]);
    expectOneLine(run, /no deployment manifest at .*nope\.json/);
  });

  it("keeper_withAnInvalidManifest_namesTheBadField", async function () {
    const file = writeManifest("bad.json", (json) => ({ ...json, deployBlock: -1 }));
    const run = await runKeeper(["--rpc-url", local.url, "--manifest", file]);
    expectOneLine(run, /bad\.json is not a valid manifest: deployBlock/);
  });

  it("keeper_withAManifestThatIsNotJson_saysSo", async function () {
    const file = writeManifest("truncated.json", () => '{ "network": ');
    const run = await runKeeper(["--rpc-url", local.url, "--manifest", file]);
    expectOneLine(run, /truncated\.json is not valid JSON/);
  });

  it("keeper_onTheWrongChain_saysWhichChainsDiffer", async function () {
    const file = writeManifest("mainnet.json", (json) => ({ ...json, chainId: 1 }));
    const run = await runKeeper(["--rpc-url", local.url, "--manifest", file, "--once"]);
    expectOneLine(run, /chain id mismatch: the node at .* is chain 31337, but .*mainnet\.json is for chain 1/);
  });

  it("keeper_withNoCodeAtAnAddress_namesTheContract", async function () {
    const file = writeManifest("nocode.json", (json) => ({
      ...json,
      contracts: { ...(json.contracts as object), VaultLens: "0x000000000000000000000000000000000000dEaD" },
    }));
    const run = await runKeeper(["--rpc-url", local.url, "--manifest", file, "--once"]);
    expectOneLine(run, /no code at VaultLens 0x000000000000000000000000000000000000dEaD on chain 31337/);
  });

  it("keeper_withAnUnknownStrategy_namesIt", async function () {
    const run = await runKeeper([...base(), "--strategies", "liquidate,snipe"]);
    expectOneLine(run, /--strategies: unknown strategy 'snipe'/);
  });

  it("keeper_flashWithoutAFlashLiquidatorInTheManifest_namesTheMissingContract", async function () {
    // Deployed without the AMM: no FlashLiquidator.
    const run = await runKeeper([...base(), "--strategies", "liquidate,flash"]);
    expectOneLine(run, /--strategies: 'flash' needs FlashLiquidator, which deployment 'localhost' does not have/);
  });

  it("keeper_bidWithoutABackstopPoolInTheManifest_namesTheMissingContract", async function () {
    const file = writeManifest("nopool.json", (json) => {
      const { BackstopPool: _, ...contracts } = json.contracts as Record<string, string>;
      return { ...json, contracts };
    });
    const run = await runKeeper(["--rpc-url", local.url, "--manifest", file, "--once", "--strategies", "bid"]);
    expectOneLine(run, /--strategies: 'bid' needs BackstopPool, which deployment 'localhost' does not have/);
  });

  it("keeper_bidWithABackstopPoolInTheManifest_starts", async function () {
    const run = await runKeeper([...base(), "--private-key", KEY, "--strategies", "liquidate,bid"]);
    expect(run.code, run.stderr + run.stdout).to.equal(0);
    expect(run.stderr).to.equal("");
  });

  it("keeper_withASignerWithoutEth_saysItCannotPayForGas", async function () {
    const run = await runKeeper([...base(), "--private-key", `0x${"11".repeat(32)}`]);
    expectOneLine(run, /has no ETH to pay for gas/);
  });

  it("keeper_help_documentsEveryOption", async function () {
    const run = await runKeeper(["--help"]);
    expect(run.code).to.equal(0);
    for (const option of [
      "--network",
      "--rpc-url",
      "--private-key",
      "--manifest",
      "--strategies",
      "--min-profit",
      "--max-gas-price",
      "--daily-gas-budget",
      "--shard",
      "--confirmations",
      "--port",
      "--dry-run",
      "--once",
      "--log-level",
    ]) {
      expect(run.stdout).to.contain(option);
    }
  });
});

// The hardhat node's account 5.
const KEY = "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba";
