// Entry point of the LP command line (`npm run lp -- <command> --help`): the only place that reads
// argv, the environment (.env included) and the terminal. Every refusal is one line on stderr.
import "dotenv/config";
import readline from "node:readline/promises";
import { runLp } from "./lib/lp";

async function ask(question: string): Promise<boolean> {
  const prompt = readline.createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await prompt.question(question)).trim());
  } finally {
    prompt.close();
  }
}

runLp(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  confirm: process.stdin.isTTY ? ask : undefined,
  env: process.env,
}).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`lp: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
