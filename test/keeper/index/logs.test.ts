// Chunked eth_getLogs: a provider that refuses wide ranges still yields every event exactly once.
import { expect } from "chai";
import { LogChunker } from "../../../keeper/src/index/logs";
import { FakeChain, vault } from "./fakeChain";

describe("keeper/index/logs", function () {
  function chainWithEvents(length: number, every: number): FakeChain {
    const chain = new FakeChain(length);
    for (let n = 0; n < length; n += every) chain.setVault(n, vault(BigInt(n + 1), BigInt(n)));
    return chain;
  }

  it("fetch_providerRefusingWideRanges_halvesTheRangeAndReturnsEveryEventOnce", async function () {
    const chain = chainWithEvents(5_000, 7);
    chain.maxLogRange = 300;
    const refused: [number, number][] = [];
    const chunker = new LogChunker({ maxRange: 2_000, onRefused: (a, b) => refused.push([a, b]) });
    const events = await chunker.fetch((a, b) => chain.getEvents(a, b), 0, 4_999);
    expect(events.map((e) => e.blockNumber)).to.deep.equal([...Array(715).keys()].map((i) => i * 7));
    // 2000 → 1000 → 500 → 250 on the first chunk; later probes for a wider range fail now and then.
    expect(refused.slice(0, 3).map(([a, b]) => b - a + 1)).to.deep.equal([2_000, 1_000, 500]);
    expect(refused.length).to.be.lessThan(chain.logRequests.length / 3);
  });

  it("fetch_afterSuccesses_growsTheRangeBackUpToTheMaximum", async function () {
    const chain = chainWithEvents(20_000, 100);
    let limit = 100;
    const chunker = new LogChunker({ maxRange: 800 });
    const events = await chunker.fetch(
      (a, b) => {
        if (b - a + 1 > limit) return Promise.reject(new Error("too many results"));
        return chain.getEvents(a, b);
      },
      0,
      3_000,
    );
    expect(events).to.have.length(31);
    limit = Infinity;
    await chunker.fetch((a, b) => chain.getEvents(a, b), 3_001, 19_999);
    expect(chunker.range).to.equal(800);
  });

  it("fetch_singleBlockRefused_throwsTheProvidersError", async function () {
    const chunker = new LogChunker({ maxRange: 64 });
    let error: unknown;
    try {
      await chunker.fetch(() => Promise.reject(new Error("connection refused")), 0, 100);
    } catch (caught) {
      error = caught;
    }
    expect((error as Error).message).to.equal("connection refused");
  });
});
