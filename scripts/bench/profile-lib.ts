// Per-frame gas profile of a mined transaction from debug_traceTransaction struct logs.
import hre from "hardhat";

type Log = { op: string; gas: number; gasCost: number; depth: number; stack?: string[] };

export async function profile(hash: string, names: Map<string, string>): Promise<void> {
  const trace = (await hre.network.provider.send("debug_traceTransaction", [hash, { disableMemory: true, disableStorage: true }])) as { structLogs: Log[]; gas: number };
  const logs = trace.structLogs;
  const frames: { addr: string; start: number; sload: number; sloadGas: number; sstore: number; sstoreGas: number; log: number; self: number }[] = [];
  const stackAddr: string[] = ["tx"];
  const agg = new Map<string, { sload: number; sloadGas: number; sstore: number; sstoreGas: number; logGas: number; calls: number; callGas: number; other: number }>();
  const get = (a: string) => {
    if (!agg.has(a)) agg.set(a, { sload: 0, sloadGas: 0, sstore: 0, sstoreGas: 0, logGas: 0, calls: 0, callGas: 0, other: 0 });
    return agg.get(a)!;
  };
  for (let i = 0; i < logs.length; i++) {
    const l = logs[i];
    const a = stackAddr[l.depth - 1] ?? "?";
    const name = names.get(a.toLowerCase()) ?? a;
    const g = get(name);
    if (l.op === "SLOAD") { g.sload++; g.sloadGas += l.gasCost; if (process.env.DETAIL) console.log(name, "SLOAD", l.stack![l.stack!.length-1].slice(-8), l.gasCost); }
    else if (l.op === "SSTORE") { g.sstore++; g.sstoreGas += l.gasCost; if (process.env.DETAIL) console.log(name, "SSTORE", l.stack![l.stack!.length-1].slice(-8), l.gasCost); }
    else if (l.op.startsWith("LOG")) g.logGas += l.gasCost;
    else if (["CALL", "STATICCALL", "DELEGATECALL"].includes(l.op)) {
      const st = l.stack!;
      const to = "0x" + st[st.length - 2].slice(-40);
      stackAddr[l.depth] = to;
      g.calls++;
      // call overhead = gasCost - gas forwarded; approximate by next log's gas
      let j = i + 1;
      while (j < logs.length && logs[j].depth > l.depth) j++;
      const total = l.gas - (logs[j]?.gas ?? 0);
      const child = j > i + 1 ? logs[i + 1].gas - (logs[j - 1].gas - logs[j - 1].gasCost) : 0;
      g.callGas += total - child;
    } else g.other += l.gasCost;
  }
  void frames;
  console.log("tx gas", trace.gas);
  console.table([...agg.entries()].map(([k, v]) => ({ frame: k, ...v })));
}

export async function opcodeHistogram(hash: string): Promise<void> {
  const trace = (await hre.network.provider.send("debug_traceTransaction", [hash, { disableMemory: true, disableStorage: true, disableStack: true }])) as { structLogs: Log[] };
  const h = new Map<string, [number, number]>();
  for (const l of trace.structLogs) {
    if (["SLOAD", "SSTORE", "CALL", "STATICCALL", "DELEGATECALL"].includes(l.op) || l.op.startsWith("LOG")) continue;
    const e = h.get(l.op) ?? [0, 0];
    e[0]++; e[1] += l.gasCost; h.set(l.op, e);
  }
  const rows = [...h.entries()].sort((a, b) => b[1][1] - a[1][1]).slice(0, 25);
  console.log(rows.map(([op, [n, g]]) => `${op}:${n}/${g}`).join("  "));
  console.log("total other", [...h.values()].reduce((a, [, g]) => a + g, 0), "steps", trace.structLogs.length);
}

import fs from "node:fs";
import path from "node:path";

/** Gas per source line of one contract (by address) in a transaction, from the compiler's source map. */
export async function lineProfile(hash: string, address: string, sourceName: string, contractName: string): Promise<void> {
  const dir = path.join(hre.config.paths.artifacts, "build-info");
  let info: any;
  const files = fs.readdirSync(dir).map((f) => path.join(dir, f)).sort((a, b) => fs.statSync(a).mtimeMs - fs.statSync(b).mtimeMs);
  for (const f of files) {
    const d = JSON.parse(fs.readFileSync(f, "utf8"));
    if (d.output.contracts?.[sourceName]?.[contractName]) { info = d; }
  }
  const evm = info.output.contracts[sourceName][contractName].evm.deployedBytecode;
  const code = Buffer.from(evm.object, "hex");
  const pcToIdx = new Map<number, number>();
  for (let pc = 0, i = 0; pc < code.length; i++) {
    pcToIdx.set(pc, i);
    const op = code[pc];
    pc += op >= 0x60 && op <= 0x7f ? op - 0x5e : 1;
  }
  const entries = evm.sourceMap.split(";");
  const map: { s: number; l: number; f: number }[] = [];
  let last = { s: 0, l: 0, f: 0 };
  for (const e of entries) {
    const [s, l, f] = e.split(":");
    last = { s: s ? +s : last.s, l: l ? +l : last.l, f: f ? +f : last.f };
    map.push(last);
  }
  const idToSource: Record<number, string> = {};
  for (const [name, src] of Object.entries(info.output.sources) as [string, any][]) idToSource[src.id] = name;
  const contents: Record<string, string> = {};
  const trace = (await hre.network.provider.send("debug_traceTransaction", [hash, { disableMemory: true, disableStorage: true }])) as { structLogs: (Log & { pc: number })[] };
  const stackAddr: string[] = ["?"];
  const agg = new Map<string, number>();
  const target = address.toLowerCase();
  const logs = trace.structLogs;
  for (let i = 0; i < logs.length; i++) {
    const l = logs[i];
    if (["CALL", "STATICCALL", "DELEGATECALL"].includes(l.op)) {
      const st = l.stack!;
      stackAddr[l.depth] = "0x" + st[st.length - 2].slice(-40);
    }
    const a = l.depth === 1 ? (process.env.TXTO ?? "") : stackAddr[l.depth - 1];
    if (a?.toLowerCase() !== target) continue;
    const m = map[pcToIdx.get(l.pc) ?? 0] ?? { s: 0, l: 0, f: -1 };
    const file = idToSource[m.f];
    let key = "generated";
    if (file) {
      contents[file] ??= info.input.sources[file].content;
      const line = contents[file].slice(0, m.s).split("\n").length;
      key = `${path.basename(file)}:${line}`;
    }
    let cost = l.gasCost;
    if (["CALL", "STATICCALL", "DELEGATECALL"].includes(l.op)) {
      let j = i + 1;
      while (j < logs.length && logs[j].depth > l.depth) j++;
      const child = j > i + 1 ? logs[i + 1].gas - (logs[j - 1].gas - logs[j - 1].gasCost) : 0;
      cost = l.gas - (logs[j]?.gas ?? 0) - child;
    }
    agg.set(key, (agg.get(key) ?? 0) + cost);
  }
  const rows = [...agg.entries()].sort((x, y) => y[1] - x[1]).slice(0, 40);
  for (const [k, g] of rows) console.log(String(g).padStart(8), k);
}
