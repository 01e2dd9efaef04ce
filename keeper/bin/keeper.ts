// Entry point: the only place that reads argv, the environment (.env included), the wall clock and
// signals. Configuration problems print one line each on stderr and exit 2; nothing prints a stack.
import "dotenv/config";
import pino from "pino";
import { runKeeper } from "../src/app";
import { ConfigError } from "../src/config/errors";
import { parseConfig } from "../src/config/options";
import { describeError } from "../src/chain/transport";

async function main(): Promise<number> {
  let config;
  try {
    config = parseConfig(process.argv.slice(2), process.env, {
      out: (text) => process.stdout.write(text),
      err: (text) => process.stderr.write(text),
    });
  } catch (error) {
    return fail(error);
  }
  if (!config) return 0;
  const controller = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => controller.abort());
  }
  try {
    await runKeeper(config, {
      logStream: pino.destination({ fd: 1, sync: true }),
      wallClock: () => Date.now() / 1000,
      signal: controller.signal,
    });
    return 0;
  } catch (error) {
    return fail(error);
  }
}

function fail(error: unknown): number {
  if (error instanceof ConfigError) {
    for (const problem of error.problems) process.stderr.write(`keeper: ${problem}\n`);
    return 2;
  }
  process.stderr.write(`keeper: ${describeError(error)}\n`);
  return 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`keeper: ${describeError(error)}\n`);
    process.exit(1);
  },
);
