// The index against a chain in memory: bootstrap through a range-limited provider, the live tail,
// reorgs above and below the confirmation depth, finished auctions dropped.
import { expect } from "chai";
import pino from "pino";
import { Indexer } from "../../../keeper/src/index/indexer";
import { COLLATERAL, FakeChain, vault } from "./fakeChain";

const logger = pino({ level: "silent" });

function indexer(chain: FakeChain, confirmations = 3, maxLogRange = 1_000): Indexer {
  return new Indexer({ reader: chain, logger }, { deployBlock: 1, confirmations, maxLogRange });
}

const auction = (id: bigint, debtLeft: bigint) => ({
  id,
  collateral: COLLATERAL,
  collateralLeft: 10n ** 18n,
  debtLeft,
  startPrice: 3_000n * 10n ** 18n,
  startTime: 1_000n,
});

describe("keeper/index/indexer", function () {
  it("sync_fromTheDeployBlockThroughARangeLimitedProvider_findsEveryVault", async function () {
    const chain = new FakeChain(4_000);
    for (let id = 1n; id <= 300n; id++) chain.setVault(Number(id) * 13, vault(id, id * 10n), "VaultOpened");
    chain.maxLogRange = 250;
    const index = indexer(chain);
    const result = await index.sync();
    expect(index.vaultCount).to.equal(300);
    expect(index.vault(42n)?.normalizedDebt).to.equal(420n);
    expect(result.changedVaults.size).to.equal(300);
    expect(Math.max(...chain.logRequests.map(([a, b]) => b - a + 1).filter((r) => r <= 250))).to.be.lte(250);
  });

  it("sync_eventInTheUnconfirmedTail_isVisibleAtOnce", async function () {
    const chain = new FakeChain(20);
    chain.setVault(5, vault(1n, 100n), "VaultOpened");
    const index = indexer(chain);
    await index.sync();
    chain.mine();
    chain.setVault(chain.head, vault(1n, 900n));
    const result = await index.sync();
    expect(index.vault(1n)?.normalizedDebt).to.equal(900n);
    expect([...result.changedVaults]).to.deep.equal([1n]);
  });

  it("sync_reorgOfTheTail_undoesTheOrphanedBlocksEvents", async function () {
    const chain = new FakeChain(20);
    chain.setVault(5, vault(1n, 100n), "VaultOpened");
    const index = indexer(chain, 3);
    await index.sync();
    chain.mine();
    chain.setVault(20, vault(1n, 900n));
    chain.mine();
    chain.setVault(21, vault(2n, 50n), "VaultOpened");
    await index.sync();
    expect(index.vault(1n)?.normalizedDebt).to.equal(900n);
    expect(index.vault(2n)).to.not.equal(undefined);

    // Blocks 20 and 21 are orphaned; the new fork borrows nothing.
    chain.reorg(20);
    chain.mine(2);
    const result = await index.sync();
    expect(result.rebuilt).to.equal(false);
    expect(index.vault(1n)?.normalizedDebt).to.equal(100n);
    expect(index.vault(2n)).to.equal(undefined);
    expect(index.vaultIds()).to.deep.equal([1n]);
    expect(result.changedVaults).to.include(1n).and.to.include(2n);
  });

  it("sync_reorgBelowTheConfirmedBlock_rebuildsTheIndex", async function () {
    const chain = new FakeChain(30);
    chain.setVault(5, vault(1n, 100n), "VaultOpened");
    chain.setVault(25, vault(1n, 500n));
    const index = indexer(chain, 2);
    await index.sync();
    expect(index.confirmedBlock?.number).to.equal(28);
    expect(index.vault(1n)?.normalizedDebt).to.equal(500n);

    chain.reorg(24);
    chain.mine(7);
    chain.setVault(26, vault(1n, 300n));
    const result = await index.sync();
    expect(result.rebuilt).to.equal(true);
    expect(index.vault(1n)?.normalizedDebt).to.equal(300n);
  });

  it("sync_headBelowTheConfirmedBlock_rebuildsInsteadOfFailing", async function () {
    // After a reorg a node may briefly serve a shorter chain than the one indexed (snapshot revert).
    const chain = new FakeChain(20);
    chain.setVault(5, vault(1n, 100n), "VaultOpened");
    chain.setVault(18, vault(2n, 50n), "VaultOpened");
    const index = indexer(chain, 1);
    await index.sync();
    expect(index.vaultCount).to.equal(2);

    chain.reorg(15);
    const result = await index.sync();
    expect(result.rebuilt).to.equal(true);
    expect(index.vaultIds()).to.deep.equal([1n]);
    expect(result.changedVaults).to.include(2n);
  });

  it("sync_failingAfterTheConfirmedPart_reportsWhatItAppliedAtTheNextSync", async function () {
    const chain = new FakeChain(20);
    chain.setVault(5, vault(1n, 100n), "VaultOpened");
    const index = indexer(chain, 3);
    await index.sync();
    chain.mine(5);
    chain.setVault(21, vault(2n, 50n), "VaultOpened");
    // The confirmed part (to block 22) is read, then the node fails on the tail.
    const getEvents = chain.getEvents.bind(chain);
    chain.getEvents = async (from, to) => {
      if (from > 22) throw new Error("fetch failed");
      return getEvents(from, to);
    };
    let failed = false;
    await index.sync().catch(() => (failed = true));
    expect(failed).to.equal(true);
    chain.getEvents = getEvents;

    const result = await index.sync();
    expect(index.vault(2n)?.normalizedDebt).to.equal(50n);
    expect(result.changedVaults, "the vault is reported once the sync succeeds").to.include(2n);
  });

  it("sync_auctionEnded_dropsIt", async function () {
    const chain = new FakeChain(10);
    chain.setVault(2, vault(1n, 100n), "VaultOpened");
    chain.setVault(3, vault(1n, 0n, { inAuction: true }), "Seized");
    chain.setAuction(3, 1n, auction(1n, 108n), "AuctionStarted");
    const index = indexer(chain, 1);
    await index.sync();
    expect(index.auctions().map((a) => a.id)).to.deep.equal([1n]);

    chain.mine();
    chain.setAuction(chain.head, 1n, undefined, "AuctionEnded");
    const result = await index.sync();
    expect(index.auctions()).to.deep.equal([]);
    expect(index.auction(1n)).to.equal(undefined);
    expect([...result.changedAuctions]).to.deep.equal([1n]);
  });

  it("sync_auctionEndedInTheTail_isDroppedThenBackIfTheBlockIsOrphaned", async function () {
    const chain = new FakeChain(10);
    chain.setAuction(3, 1n, auction(1n, 108n), "AuctionStarted");
    const index = indexer(chain, 3);
    await index.sync();
    chain.mine();
    chain.setAuction(chain.head, 1n, undefined, "AuctionEnded");
    await index.sync();
    expect(index.auction(1n)).to.equal(undefined);
    chain.reorg(chain.head);
    chain.mine();
    await index.sync();
    expect(index.auction(1n)?.debtLeft).to.equal(108n);
  });
});
