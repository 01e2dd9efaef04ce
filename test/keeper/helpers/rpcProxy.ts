// A JSON-RPC proxy in front of a real node, for fault tests: each call (batches are split into their
// calls) can be dropped, delayed, answered with an HTTP 5xx or a JSON-RPC error, and `eth_getLogs`
// over too many blocks is refused the way hosted providers refuse it. Every call is counted by
// method (eth_calls also by the block they were made at), and every fault by kind. Benchmarks use it
// as a plain counting proxy.
import http from "node:http";
import type net from "node:net";

export type Fault =
  /** Destroys the socket without an answer: before the node saw the request, or after it answered. */
  | { kind: "drop"; after?: boolean }
  | { kind: "delay"; ms: number }
  | { kind: "http"; status: number }
  | { kind: "rpcError"; code: number; message: string };

export interface RpcCall {
  method: string;
  params: unknown[];
  /** How many calls the proxy had seen before this one. */
  seq: number;
  /** Position in its JSON-RPC batch (0 for a single call): a rule deciding per HTTP request looks at 0. */
  position: number;
}

/** Decides the fault of one call; undefined lets it through. */
export type FaultRule = (call: RpcCall) => Fault | undefined;

interface JsonRpcRequest {
  jsonrpc: "2.0";
  id: number | string | null;
  method: string;
  params?: unknown[];
}

/** What Infura answers for a range too wide; other providers differ only in the wording. */
export const LOG_RANGE_ERROR = { code: -32005, message: "query returned more than 10000 results" };

export class RpcProxy {
  readonly calls = new Map<string, number>();
  /** eth_calls per block tag (a number in decimal; "latest" and the like as given). */
  readonly callsByBlock = new Map<string, number>();
  readonly faults = new Map<string, number>();
  /** The `eth_getLogs` ranges the node answered, [from, to]. */
  readonly logRanges: [number, number][] = [];
  rule: FaultRule | undefined;
  /** Widest `eth_getLogs` range answered [blocks]; wider ones get LOG_RANGE_ERROR. */
  maxLogRange = Infinity;
  #seq = 0;
  readonly #sockets = new Set<net.Socket>();

  private constructor(
    readonly target: string,
    readonly server: http.Server,
    readonly url: string,
  ) {}

  static async start(target: string): Promise<RpcProxy> {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as net.AddressInfo;
    const proxy = new RpcProxy(target, server, `http://127.0.0.1:${port}`);
    server.on("connection", (socket) => {
      proxy.#sockets.add(socket);
      socket.on("close", () => proxy.#sockets.delete(socket));
    });
    server.on("request", (req, res) => {
      proxy.#handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500).end(String(error));
      });
    });
    return proxy;
  }

  count(method: string): number {
    return this.calls.get(method) ?? 0;
  }

  faultCount(kind: Fault["kind"]): number {
    return this.faults.get(kind) ?? 0;
  }

  /** Clears counters, rule and range limit. */
  reset(): void {
    this.calls.clear();
    this.callsByBlock.clear();
    this.faults.clear();
    this.logRanges.length = 0;
    this.rule = undefined;
    this.maxLogRange = Infinity;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await readBody(req);
    let parsed: JsonRpcRequest | JsonRpcRequest[];
    try {
      parsed = JSON.parse(body) as JsonRpcRequest | JsonRpcRequest[];
    } catch {
      res.writeHead(400, { "content-type": "application/json" });
      res.end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "parse error" } }));
      return;
    }
    const batch = Array.isArray(parsed);
    const requests = Array.isArray(parsed) ? parsed : [parsed];

    // Per call: a fault of its own, or the range check; the request-wide ones apply to the lot.
    const answers = new Map<number, unknown>();
    let requestFault: Fault | undefined;
    let delayMs = 0;
    for (const [i, request] of requests.entries()) {
      this.calls.set(request.method, this.count(request.method) + 1);
      if (request.method === "eth_call") {
        const tag = request.params?.[1];
        const block = typeof tag === "string" && tag.startsWith("0x") ? String(Number(tag)) : String(tag);
        this.callsByBlock.set(block, (this.callsByBlock.get(block) ?? 0) + 1);
      }
      const fault =
        this.rule?.({ method: request.method, params: request.params ?? [], seq: this.#seq++, position: i }) ??
        (await this.#logRangeFault(request));
      if (!fault) continue;
      this.faults.set(fault.kind, this.faultCount(fault.kind) + 1);
      if (fault.kind === "rpcError") {
        answers.set(i, { jsonrpc: "2.0", id: request.id, error: { code: fault.code, message: fault.message } });
      } else if (fault.kind === "delay") {
        delayMs = Math.max(delayMs, fault.ms);
      } else if (!requestFault || fault.kind === "drop") {
        requestFault = fault;
      }
    }
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    if (requestFault?.kind === "drop" && !requestFault.after) {
      req.socket.destroy();
      return;
    }
    if (requestFault?.kind === "http") {
      res.writeHead(requestFault.status, { "content-type": "text/html" });
      res.end(`<html><body><h1>${requestFault.status} Bad Gateway</h1></body></html>`);
      return;
    }

    const forwarded = requests.filter((_, i) => !answers.has(i));
    if (forwarded.length > 0) {
      const response = await fetch(this.target, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(batch ? forwarded : forwarded[0]),
      });
      const json = (await response.json()) as unknown;
      const results = Array.isArray(json) ? json : [json];
      let next = 0;
      for (let i = 0; i < requests.length; i++) if (!answers.has(i)) answers.set(i, results[next++]);
      for (const request of forwarded) {
        if (request.method !== "eth_getLogs") continue;
        const range = await this.#range(request);
        if (range) this.logRanges.push(range);
      }
    }
    if (requestFault?.kind === "drop") {
      req.socket.destroy();
      return;
    }
    const ordered = requests.map((_, i) => answers.get(i));
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(batch ? ordered : ordered[0]));
  }

  async #logRangeFault(request: JsonRpcRequest): Promise<Fault | undefined> {
    if (request.method !== "eth_getLogs" || this.maxLogRange === Infinity) return undefined;
    const range = await this.#range(request);
    if (!range || range[1] - range[0] + 1 <= this.maxLogRange) return undefined;
    return { kind: "rpcError", ...LOG_RANGE_ERROR };
  }

  /** The block range of an `eth_getLogs` call; undefined for a block-hash filter. */
  async #range(request: JsonRpcRequest): Promise<[number, number] | undefined> {
    const filter = (request.params?.[0] ?? {}) as { fromBlock?: string; toBlock?: string; blockHash?: string };
    if (filter.blockHash) return undefined;
    return [await this.#blockNumber(filter.fromBlock), await this.#blockNumber(filter.toBlock)];
  }

  async #blockNumber(tag: string | undefined): Promise<number> {
    if (tag === "earliest") return 0;
    if (tag !== undefined && tag.startsWith("0x")) return Number(BigInt(tag));
    const response = await fetch(this.target, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] }),
    });
    return Number(BigInt(((await response.json()) as { result: string }).result));
  }
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });
}

/** A seeded generator in [0, 1) (mulberry32), so a "random" share of faults is the same every run. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
