// Flags and environment → one validated config; every problem one line.
import { expect } from "chai";
import { ConfigError } from "../../../keeper/src/config/errors";
import { parseConfig, type KeeperConfig } from "../../../keeper/src/config/options";

const KEY = `0x${"ab".repeat(32)}`;
const quiet = { out: () => undefined, err: () => undefined };

function parse(argv: string[], env: Record<string, string> = {}): KeeperConfig {
  const config = parseConfig(argv, env, quiet);
  if (!config) throw new Error("help printed");
  return config;
}

function problems(argv: string[], env: Record<string, string> = {}): string[] {
  try {
    parse(argv, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("no ConfigError");
}

describe("keeper/config/options", function () {
  it("parseConfig_noOptions_givesTheLocalDefaults", function () {
    const config = parse([]);
    expect(config.network).to.equal("localhost");
    expect(config.rpcUrl).to.equal("http://127.0.0.1:8545");
    expect(config.privateKey).to.equal(undefined);
    expect(config.manifestPath).to.match(/deployments\/localhost\.json$/);
    expect(config.strategies).to.deep.equal(["liquidate", "reset", "poke"]);
    expect(config.shard).to.deep.equal({ index: 0, count: 1 });
    expect(config.port).to.equal(0);
    expect(config.dryRun).to.equal(false);
  });

  it("parseConfig_unitsOfMoney_areParsedExactly", function () {
    const config = parse(["--min-profit", "12.5", "--max-gas-price", "1.5", "--daily-gas-budget", "0.25"]);
    expect(config.minProfit).to.equal(12_500_000_000_000_000_000n);
    expect(config.maxGasPrice).to.equal(1_500_000_000n);
    expect(config.dailyGasBudget).to.equal(250_000_000_000_000_000n);
  });

  it("parseConfig_flagAndEnvironment_flagWins", function () {
    const config = parse(["--rpc-url", "http://node:1"], { RPC_URL: "http://env:2", PRIVATE_KEY: KEY });
    expect(config.rpcUrl).to.equal("http://node:1");
    expect(config.privateKey).to.equal(KEY);
  });

  it("parseConfig_shard_isParsedAndChecked", function () {
    expect(parse(["--shard", "2/3"]).shard).to.deep.equal({ index: 2, count: 3 });
    expect(problems(["--shard", "3/3"])[0]).to.match(/--shard: i must be below n/);
    expect(problems(["--shard", "x"])[0]).to.match(/--shard: must be i\/n/);
  });

  it("parseConfig_severalProblems_oneLineEach", function () {
    const found = problems(["--network", "sepolia", "--strategies", "liquidate,snipe,bogus"]);
    expect(found).to.deep.equal([
      "--strategies: unknown strategy 'snipe' (known: liquidate, take, bid, flash, reset, poke)",
      "--strategies: unknown strategy 'bogus' (known: liquidate, take, bid, flash, reset, poke)",
      "--rpc-url / RPC_URL: missing (required on network 'sepolia')",
      "--private-key / PRIVATE_KEY: missing (required on network 'sepolia')",
    ]);
  });

  it("parseConfig_unknownFlag_isOneLine", function () {
    expect(problems(["--dryrun"])).to.deep.equal(["unknown option '--dryrun' (Did you mean --dry-run?)"]);
  });
});
