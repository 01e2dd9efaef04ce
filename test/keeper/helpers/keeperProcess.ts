// A keeper process left running against a test node, read line by line while it runs: the tests
// wait for what it logs (a send, a replacement) before they move the chain on.
import type { ChildProcess } from "node:child_process";
import { HDNodeWallet } from "ethers";
import { spawnKeeper } from "./localNode";

const NODE_MNEMONIC = "test test test test test test test test test test test junk";

/** The hardhat node's default account `index`, as a key the keeper takes on its command line. */
export function nodeAccountKey(index: number): { address: string; privateKey: string } {
  const wallet = HDNodeWallet.fromPhrase(NODE_MNEMONIC, undefined, `m/44'/60'/0'/0/${index}`);
  return { address: wallet.address, privateKey: wallet.privateKey };
}

export type LogLine = Record<string, unknown>;

export class KeeperProcess {
  readonly lines: LogLine[] = [];
  stderr = "";
  readonly exited: Promise<number | null>;
  #partial = "";
  #code: number | null | undefined;

  constructor(readonly child: ChildProcess) {
    child.stdout!.on("data", (chunk: Buffer) => {
      const text = this.#partial + chunk.toString();
      const parts = text.split("\n");
      this.#partial = parts.pop()!;
      for (const line of parts) if (line.startsWith("{")) this.lines.push(JSON.parse(line) as LogLine);
    });
    child.stderr!.on("data", (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) =>
      child.on("exit", (code) => {
        this.#code = code;
        resolve(code);
      }),
    );
  }

  static spawn(args: string[]): KeeperProcess {
    return new KeeperProcess(spawnKeeper(args));
  }

  get running(): boolean {
    return this.#code === undefined;
  }

  logged(msg: string, where: (line: LogLine) => boolean = () => true): LogLine[] {
    return this.lines.filter((line) => line.msg === msg && where(line));
  }

  /** Resolves once `until` holds over the lines logged so far; fails if the process ends first. */
  async waitFor(what: string, until: (keeper: KeeperProcess) => boolean, timeoutMs = 45_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!until(this)) {
      if (!this.running || Date.now() > deadline) {
        const tail = this.lines
          .slice(-15)
          .map((line) => JSON.stringify(line))
          .join("\n");
        throw new Error(
          `keeper: ${this.running ? "timed out" : "exited"} waiting for ${what}\n${tail}\n${this.stderr}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** SIGTERM, as an operator stops it; returns the exit code. */
  async stop(): Promise<number | null> {
    if (this.running) this.child.kill("SIGTERM");
    return this.exited;
  }

  /** SIGKILL: no shutdown path runs. */
  async kill(): Promise<void> {
    if (this.running) this.child.kill("SIGKILL");
    await this.exited;
  }
}
