// The keeper's provider answers every read from the node, never from a cache: the sender compares
// receipts with nonces read moments apart, and a cached answer makes them disagree.
import { expect } from "chai";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { FetchJsonRpcProvider } from "../../../keeper/src/chain/transport";

describe("keeper/chain/transport", function () {
  let server: http.Server;
  let url: string;
  let nonce = 0;

  before(async function () {
    // A node whose account sends one transaction between any two reads.
    server = http.createServer((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString()));
      request.on("end", () => {
        const calls = [JSON.parse(body)].flat() as { id: number; method: string }[];
        const answers = calls.map(({ id, method }) =>
          method === "eth_getTransactionCount"
            ? { jsonrpc: "2.0", id, result: `0x${(nonce++).toString(16)}` }
            : { jsonrpc: "2.0", id, error: { code: -32601, message: `no ${method}` } },
        );
        response.setHeader("content-type", "application/json");
        response.end(JSON.stringify(Array.isArray(JSON.parse(body)) ? answers : answers[0]));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => server.close());

  it("provider_sameReadTwiceInARow_asksTheNodeBothTimes", async function () {
    const provider = new FetchJsonRpcProvider(url, 31337);
    const address = "0x00000000000000000000000000000000000000aa";
    const first = await provider.getTransactionCount(address, "latest");
    const second = await provider.getTransactionCount(address, "latest");
    provider.destroy();
    expect(second).to.equal(first + 1);
  });
});
