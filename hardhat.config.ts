import "@nomicfoundation/hardhat-toolbox";
import "dotenv/config";
import path from "node:path";
import { subtask } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from "hardhat/builtin-tasks/task-names";
import type { HardhatUserConfig, NetworkUserConfig } from "hardhat/types";
import { z } from "zod";

const SOLC_VERSION = "0.8.30";

// Compile with the solc-js build shipped in the npm `solc` package instead of downloading one:
// builds work offline and behind firewalls, and every machine uses the same compiler.
subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD).setAction(async ({ solcVersion }: { solcVersion: string }) => {
  const solcPackage = require("solc/package.json") as { version: string };
  if (solcVersion !== solcPackage.version) {
    throw new Error(
      `hardhat.config.ts asks for solc ${solcVersion} but the npm 'solc' package is ${solcPackage.version}; ` +
        `pin them to the same version`,
    );
  }
  const compilerPath = path.join(path.dirname(require.resolve("solc/package.json")), "soljson.js");
  return { compilerPath, isSolcJs: true, version: solcVersion, longVersion: solcVersion };
});

const testnetEnv = z.object({
  RPC_URL: z.url({ message: "must be an http(s) URL" }),
  PRIVATE_KEY: z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be 0x followed by 64 hex digits"),
});

/** The `testnet` network exists only when `.env` configures it; asking for it otherwise says why. */
function testnet(): Record<string, NetworkUserConfig> {
  const wanted = process.argv.some((arg, i) => arg === "testnet" && process.argv[i - 1] === "--network");
  const parsed = testnetEnv.safeParse({ RPC_URL: process.env.RPC_URL, PRIVATE_KEY: process.env.PRIVATE_KEY });
  if (parsed.success) return { testnet: { url: parsed.data.RPC_URL, accounts: [parsed.data.PRIVATE_KEY] } };
  // A half-written .env must not break local work; it matters only when the testnet is asked for.
  if (!wanted) return {};
  const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
  throw new Error(
    `--network testnet needs a valid RPC_URL and PRIVATE_KEY in .env (see .env.example): ${problems.join("; ")}`,
  );
}

const config: HardhatUserConfig = {
  solidity: {
    version: SOLC_VERSION,
    settings: {
      optimizer: { enabled: true, runs: 10_000 },
      // The IR pipeline: about 10% less gas on the liquidation paths (docs/BENCHMARKS.md) for a slower
      // first compile (about a minute).
      viaIR: true,
      evmVersion: "cancun",
      // Storage layouts are pinned by test/storage/StorageLayout.test.ts: code that writes a packed
      // slot by hand must fail a test, not corrupt a vault, when a field moves.
      outputSelection: { "*": { "*": ["storageLayout"] } },
    },
  },
  networks: {
    hardhat: { hardfork: "cancun" },
    localhost: { url: process.env.LOCALHOST_RPC_URL ?? "http://127.0.0.1:8545" },
    ...testnet(),
  },
  mocha: { timeout: 120_000 },
  gasReporter: { enabled: process.env.REPORT_GAS === "true", offline: true },
  typechain: { outDir: "typechain-types", target: "ethers-v6" },
};

export default config;
