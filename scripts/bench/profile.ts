// Where a transaction's gas goes, from the node's `debug_traceTransaction` struct logs: per contract
// (storage reads and writes, events, call overhead, everything else) and, for one contract, per
// source line through the compiler's source map. Used by `PROFILE=1 npm run bench`.
import fs from "node:fs";
import path from "node:path";
import hre from "hardhat";

interface Step {
  op: string;
  pc: number;
  gas: number;
  gasCost: number;
  depth: number;
  stack?: string[];
}

interface FrameGas {
  contract: string;
  sloads: number;
  sloadGas: number;
  sstores: number;
  sstoreGas: number;
  eventGas: number;
  calls: number;
  callGas: number;
  otherGas: number;
}

const CALLS = new Set(["CALL", "STATICCALL", "DELEGATECALL"]);

async function trace(hash: string): Promise<Step[]> {
  const result = (await hre.network.provider.send("debug_traceTransaction", [
    hash,
    { disableMemory: true, disableStorage: true },
  ])) as { structLogs: Step[] };
  return result.structLogs;
}

/** The address each step runs in: the transaction's target at depth 1, then each call's target. */
function addressesOf(steps: Step[], to: string): string[] {
  const stack = [to.toLowerCase()];
  return steps.map((step) => {
    const here = stack[step.depth - 1];
    if (CALLS.has(step.op)) stack[step.depth] = "0x" + step.stack![step.stack!.length - 2].slice(-40);
    return here;
  });
}

/** Gas a call opcode costs its caller: all it consumed minus what the callee used. */
function callOverhead(steps: Step[], i: number): number {
  let j = i + 1;
  while (j < steps.length && steps[j].depth > steps[i].depth) j++;
  const consumed = steps[i].gas - (steps[j]?.gas ?? 0);
  const callee = j > i + 1 ? steps[i + 1].gas - (steps[j - 1].gas - steps[j - 1].gasCost) : 0;
  return consumed - callee;
}

/** Prints gas per contract; with `detail`, every storage access with its slot (last 8 hex digits). */
export async function profileContracts(
  hash: string,
  to: string,
  names: Map<string, string>,
  detail = false,
): Promise<void> {
  const steps = await trace(hash);
  const addresses = addressesOf(steps, to);
  const frames = new Map<string, FrameGas>();
  steps.forEach((step, i) => {
    const contract = names.get(addresses[i]) ?? addresses[i];
    let frame = frames.get(contract);
    if (!frame) {
      frame = {
        contract,
        sloads: 0,
        sloadGas: 0,
        sstores: 0,
        sstoreGas: 0,
        eventGas: 0,
        calls: 0,
        callGas: 0,
        otherGas: 0,
      };
      frames.set(contract, frame);
    }
    if (step.op === "SLOAD" || step.op === "SSTORE") {
      if (step.op === "SLOAD") [frame.sloads, frame.sloadGas] = [frame.sloads + 1, frame.sloadGas + step.gasCost];
      else [frame.sstores, frame.sstoreGas] = [frame.sstores + 1, frame.sstoreGas + step.gasCost];
      if (detail) console.log(`${contract} ${step.op} ${step.stack!.at(-1)!.slice(-8)} ${step.gasCost}`);
    } else if (step.op.startsWith("LOG")) {
      frame.eventGas += step.gasCost;
    } else if (CALLS.has(step.op)) {
      frame.calls += 1;
      frame.callGas += callOverhead(steps, i);
    } else {
      frame.otherGas += step.gasCost;
    }
  });
  console.table([...frames.values()]);
}

/** Prints the 40 source lines of `contractName` (deployed at `address`) that cost the most gas. */
export async function profileLines(
  hash: string,
  to: string,
  address: string,
  sourceName: string,
  contractName: string,
): Promise<void> {
  const buildInfoDir = path.join(hre.config.paths.artifacts, "build-info");
  const newestFirst = fs
    .readdirSync(buildInfoDir)
    .map((file) => path.join(buildInfoDir, file))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  const buildInfo = newestFirst
    .map((file) => JSON.parse(fs.readFileSync(file, "utf8")))
    .find((info) => info.output.contracts?.[sourceName]?.[contractName]);
  if (!buildInfo) throw new Error(`no build info for ${sourceName}:${contractName}`);
  const bytecode = buildInfo.output.contracts[sourceName][contractName].evm.deployedBytecode;

  // Program counter → instruction index (PUSH data is not an instruction) → source range.
  const code = Buffer.from(bytecode.object, "hex");
  const instructionAt = new Map<number, number>();
  for (let pc = 0, index = 0; pc < code.length; index++) {
    instructionAt.set(pc, index);
    pc += code[pc] >= 0x60 && code[pc] <= 0x7f ? code[pc] - 0x5e : 1;
  }
  let last = { start: 0, file: -1 };
  const ranges = (bytecode.sourceMap as string).split(";").map((entry) => {
    const [start, , file] = entry.split(":");
    last = { start: start ? Number(start) : last.start, file: file ? Number(file) : last.file };
    return last;
  });
  const fileNames = new Map<number, string>();
  for (const [name, source] of Object.entries(buildInfo.output.sources as Record<string, { id: number }>)) {
    fileNames.set(source.id, name);
  }

  const steps = await trace(hash);
  const addresses = addressesOf(steps, to);
  const perLine = new Map<string, number>();
  steps.forEach((step, i) => {
    if (addresses[i] !== address.toLowerCase()) return;
    const range = ranges[instructionAt.get(step.pc) ?? -1];
    const file = range && fileNames.get(range.file);
    const line = file
      ? `${path.basename(file)}:${buildInfo.input.sources[file].content.slice(0, range.start).split("\n").length}`
      : "generated";
    perLine.set(line, (perLine.get(line) ?? 0) + (CALLS.has(step.op) ? callOverhead(steps, i) : step.gasCost));
  });
  for (const [line, gas] of [...perLine.entries()].sort((a, b) => b[1] - a[1]).slice(0, 40)) {
    console.log(String(gas).padStart(9), line);
  }
}
