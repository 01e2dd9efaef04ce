// A JSON-RPC proxy in front of a node that counts what passes through it: requests by method
// (batches counted request by request), and eth_calls by the block they were made at. The keeper
// is pointed at the proxy instead of the node; everything else is the node's own answer.
import http from "node:http";
import type net from "node:net";

interface RpcRequest {
  method?: string;
  params?: unknown[];
}

export interface RpcCounter {
  url: string;
  /** Requests per method since the last reset. */
  readonly byMethod: Map<string, number>;
  /** eth_calls per block tag (a number; "latest" and the like as given) since the last reset. */
  readonly callsByBlock: Map<string, number>;
  count(method: string): number;
  reset(): void;
  close(): Promise<void>;
}

export async function startRpcCounter(target: string): Promise<RpcCounter> {
  const byMethod = new Map<string, number>();
  const callsByBlock = new Map<string, number>();
  const record = (request: RpcRequest) => {
    const method = request.method ?? "(none)";
    byMethod.set(method, (byMethod.get(method) ?? 0) + 1);
    if (method === "eth_call") {
      const tag = request.params?.[1];
      const key = typeof tag === "string" && tag.startsWith("0x") ? String(Number(tag)) : String(tag);
      callsByBlock.set(key, (callsByBlock.get(key) ?? 0) + 1);
    }
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString();
      try {
        const parsed = JSON.parse(body) as RpcRequest | RpcRequest[];
        for (const request of Array.isArray(parsed) ? parsed : [parsed]) record(request);
      } catch {
        // Not JSON: forwarded as is, for the node to answer.
      }
      fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body })
        .then(async (answer) => {
          res.writeHead(answer.status, { "content-type": "application/json" });
          res.end(await answer.text());
        })
        .catch((error: unknown) => {
          res.writeHead(502);
          res.end(String(error));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    byMethod,
    callsByBlock,
    count: (method) => byMethod.get(method) ?? 0,
    reset() {
      byMethod.clear();
      callsByBlock.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
