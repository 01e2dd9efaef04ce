// Child process of scripts/bench/keeper.ts: builds the keeper from the keeper's own flags (given
// as arguments) and runs its start-up as a fresh keeper would: the index from the deployment block,
// then the first pass (markets, every vault keyed by liquidation price, strategies). Prints one
// JSON line with the times and the process's peak resident memory, so the figures are the keeper's
// alone, not the bench's.
import { Writable } from "node:stream";
import { startKeeper } from "../../keeper/src/app";
import { parseConfig } from "../../keeper/src/config/options";

async function main(): Promise<void> {
  const config = parseConfig(process.argv.slice(2), {}, { out: () => undefined, err: () => undefined });
  if (!config) throw new Error("no keeper configuration");
  const rssBefore = process.memoryUsage().rss;
  const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
  const started = await startKeeper(config, {
    logStream: discard,
    wallClock: () => performance.now() / 1000,
    signal: new AbortController().signal,
  });
  const { keeper } = started;
  const rssStarted = process.memoryUsage().rss;
  try {
    let t = performance.now();
    const head = await started.protocol.reader.getBlock("latest");
    await keeper.deps.indexer.sync(head);
    const indexMs = performance.now() - t;
    t = performance.now();
    await keeper.pass();
    const passMs = performance.now() - t;
    let booked = 0;
    for (const book of keeper.books.values()) booked += book.size;
    process.stdout.write(
      JSON.stringify({
        vaults: keeper.deps.indexer.vaultCount,
        booked,
        indexMs,
        passMs,
        rssBefore,
        rssStarted,
        maxRss: process.resourceUsage().maxRSS * 1024,
      }) + "\n",
    );
  } finally {
    await started.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`keeperIndex: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
