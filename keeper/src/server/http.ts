// /health and /metrics. Health is 200 while the keeper follows the chain and 503 with the reason
// otherwise; the keeper keeps running either way.
import http from "node:http";
import type { Registry } from "prom-client";

export interface HealthReport {
  ok: boolean;
  reason?: string;
  [field: string]: unknown;
}

export function startServer(
  port: number,
  deps: { health: () => HealthReport; registry: Registry },
): Promise<http.Server> {
  const server = http.createServer((request, response) => {
    const url = (request.url ?? "/").split("?")[0];
    if (url === "/health") {
      const report = deps.health();
      response.writeHead(report.ok ? 200 : 503, { "content-type": "application/json" });
      response.end(JSON.stringify(report));
      return;
    }
    if (url === "/metrics") {
      deps.registry
        .metrics()
        .then((text) => {
          response.writeHead(200, { "content-type": deps.registry.contentType });
          response.end(text);
        })
        .catch((error: unknown) => {
          response.writeHead(500);
          response.end(String(error));
        });
      return;
    }
    response.writeHead(404, { "content-type": "text/plain" });
    response.end("not found: try /health or /metrics\n");
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}
