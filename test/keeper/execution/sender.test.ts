// The sender against a fake node and signer: nonces, replacement fees, caps, duplicates, budget.
import { expect } from "chai";
import pino from "pino";
import {
  Sender,
  type PoolTx,
  type SendRequest,
  type SenderChain,
  type SenderConfig,
  type TxFields,
  type TxReceiptInfo,
  type TxSigner,
} from "../../../keeper/src/execution/sender";

const GWEI = 1_000_000_000n;

class FakeChain implements SenderChain {
  latestNonce = 0;
  pendingNonce = 0;
  baseFee = 10n * GWEI;
  tip = 1n * GWEI;
  readonly receipts = new Map<string, TxReceiptInfo>();
  failNonceReads = 0;
  nonceReads = 0;
  /** The node's pool as `poolOf` lists it; undefined: the node cannot list it. */
  pool: PoolTx[] | undefined;
  /** Runs before a nonce is read: a block landing between two of the sender's reads. */
  beforeNonceRead: (() => void) | undefined;

  async getNonce(_address: string, tag: "latest" | "pending"): Promise<number> {
    this.nonceReads++;
    this.beforeNonceRead?.();
    this.beforeNonceRead = undefined;
    if (this.failNonceReads > 0) {
      this.failNonceReads--;
      throw new Error("connection reset");
    }
    return tag === "latest" ? this.latestNonce : this.pendingNonce;
  }
  async poolOf(): Promise<PoolTx[] | undefined> {
    return this.pool;
  }
  async getFees() {
    return { baseFee: this.baseFee, tip: this.tip };
  }
  async getReceipt(hash: string) {
    return this.receipts.get(hash) ?? null;
  }
  mine(hash: string, blockNumber: number, gasUsed = 100_000n, status = 1): void {
    this.receipts.set(hash, { blockNumber, status, gasUsed, effectiveGasPrice: this.baseFee + this.tip, logs: [] });
    this.latestNonce++;
  }
}

class FakeSigner implements TxSigner {
  readonly address = "0x00000000000000000000000000000000000000aa";
  readonly sent: (TxFields & { hash: string })[] = [];
  failures: Error[] = [];
  constructor(readonly chain: FakeChain) {}
  async send(tx: TxFields): Promise<string> {
    const failure = this.failures.shift();
    if (failure) throw failure;
    const hash = `0x${(this.sent.length + 1).toString(16).padStart(64, "0")}`;
    this.sent.push({ ...tx, hash });
    if (tx.nonce >= this.chain.pendingNonce) this.chain.pendingNonce = tx.nonce + 1;
    return hash;
  }
}

const CONFIG: SenderConfig = {
  maxGasPrice: 100n * GWEI,
  confirmations: 2,
  dryRun: false,
  bumpAfterBlocks: 3,
  bumpPerMille: 125,
};

function setup(config: Partial<SenderConfig> = {}, logged: { level: number; msg: string }[] = []) {
  const chain = new FakeChain();
  const signer = new FakeSigner(chain);
  const logger = pino(
    { level: "info" },
    { write: (line: string) => logged.push(JSON.parse(line) as { level: number; msg: string }) },
  );
  const describe = (_to: string, data: string) =>
    data.startsWith("0xbatch:")
      ? {
          kind: "liquidate",
          keys: data
            .slice(8)
            .split(",")
            .map((id) => `liquidate:${id}`),
        }
      : undefined;
  const sender = new Sender({ chain, signer, logger, describe }, { ...CONFIG, ...config });
  return { chain, signer, sender, logged };
}

/** A transaction an earlier run left in the pool. */
const earlier = (nonce: number, data: string, maxFeePerGas: bigint, maxPriorityFeePerGas = 1n * GWEI): PoolTx => ({
  hash: `0x${"e".repeat(62)}${nonce.toString(16).padStart(2, "0")}`,
  to: "0x00000000000000000000000000000000000000bb",
  data,
  nonce,
  gasLimit: 300_000n,
  maxFeePerGas,
  maxPriorityFeePerGas,
});

const request = (keys: string[], extra: Partial<SendRequest> = {}): SendRequest => ({
  keys,
  kind: keys[0].split(":")[0],
  to: "0x00000000000000000000000000000000000000bb",
  data: "0x1234",
  gasLimit: 200_000n,
  ...extra,
});

const block = (number: number, timestamp = 1_000 + number * 12) => ({ number, timestamp });

describe("keeper/execution/sender", function () {
  it("submit_sameKeyTwice_sendsOnce", async function () {
    const { signer, sender } = setup();
    expect(await sender.submit(request(["liquidate:1"]), block(1))).to.equal("sent");
    expect(await sender.submit(request(["liquidate:1"]), block(1))).to.equal("duplicate");
    expect(await sender.submit(request(["liquidate:2", "liquidate:1"]), block(2))).to.equal("duplicate");
    expect(signer.sent).to.have.length(1);
    expect(sender.has("liquidate:1")).to.equal(true);
  });

  it("submit_distinctKeys_takeConsecutiveNonces", async function () {
    const { chain, signer, sender } = setup();
    chain.pendingNonce = 7;
    await sender.submit(request(["liquidate:1"]), block(1));
    await sender.submit(request(["reset:4"]), block(1));
    expect(signer.sent.map((tx) => tx.nonce)).to.deep.equal([7, 8]);
  });

  it("submit_offersEip1559FeesUnderTheCap", async function () {
    const { signer, sender } = setup();
    await sender.submit(request(["poke:0xa"]), block(1));
    const [tx] = signer.sent;
    expect(tx.maxPriorityFeePerGas).to.equal(1n * GWEI);
    expect(tx.maxFeePerGas).to.equal(21n * GWEI); // 2 · base fee + tip
  });

  it("submit_feeCapLimitedByMaxGasPriceAndByWhatTheActionIsWorth", async function () {
    const { signer, sender } = setup({ maxGasPrice: 15n * GWEI });
    await sender.submit(request(["poke:0xa"]), block(1));
    expect(signer.sent[0].maxFeePerGas).to.equal(15n * GWEI);
    // Worth 12 gwei · 200k gas: the cap is 12 gwei per gas.
    await sender.submit(request(["take:3"], { maxCost: 12n * GWEI * 200_000n }), block(1));
    expect(signer.sent[1].maxFeePerGas).to.equal(12n * GWEI);
  });

  it("submit_worthLessThanTheBaseFee_isNotSent", async function () {
    const { signer, sender } = setup();
    const outcome = await sender.submit(request(["take:3"], { maxCost: 5n * GWEI * 200_000n }), block(1));
    expect(outcome).to.equal("too-expensive");
    expect(signer.sent).to.have.length(0);
    expect(sender.has("take:3")).to.equal(false);
  });

  it("onBlock_unminedAfterBumpBlocks_replacesOnTheSameNonceWithAtLeast12.5PercentMore", async function () {
    const { signer, sender } = setup();
    await sender.submit(request(["liquidate:1"]), block(1));
    await sender.onBlock(block(2));
    await sender.onBlock(block(3));
    expect(signer.sent).to.have.length(1);
    await sender.onBlock(block(4));
    expect(signer.sent).to.have.length(2);
    const [first, second] = signer.sent;
    expect(second.nonce).to.equal(first.nonce);
    expect(second.maxFeePerGas * 1000n).to.be.gte(first.maxFeePerGas * 1125n);
    expect(second.maxPriorityFeePerGas * 1000n).to.be.gte(first.maxPriorityFeePerGas * 1125n);
    await sender.onBlock(block(7));
    const third = signer.sent[2];
    expect(third.nonce).to.equal(first.nonce);
    expect(third.maxFeePerGas * 1000n).to.be.gte(second.maxFeePerGas * 1125n);
    expect(third.maxPriorityFeePerGas * 1000n).to.be.gte(second.maxPriorityFeePerGas * 1125n);
  });

  it("onBlock_bumpAboveMaxGasPrice_isNotSent", async function () {
    const { signer, sender } = setup({ maxGasPrice: 22n * GWEI });
    await sender.submit(request(["liquidate:1"]), block(1));
    expect(signer.sent[0].maxFeePerGas).to.equal(21n * GWEI);
    await sender.onBlock(block(4));
    expect(signer.sent, "21 gwei · 1.125 > 22 gwei").to.have.length(1);
  });

  it("onBlock_baseFeeRoseAboveTheCapsAim_bumpsToTheCapWhenThatIsStillA12.5PercentBump", async function () {
    const { chain, signer, sender } = setup({ maxGasPrice: 30n * GWEI });
    await sender.submit(request(["liquidate:1"]), block(1));
    expect(signer.sent[0].maxFeePerGas).to.equal(21n * GWEI);
    // 2 · 25 + 1.125 gwei is above the 30 gwei cap, but 30 gwei is a valid bump that can be mined.
    chain.baseFee = 25n * GWEI;
    await sender.onBlock(block(4));
    expect(signer.sent).to.have.length(2);
    expect(signer.sent[1].maxFeePerGas).to.equal(30n * GWEI);
    expect(signer.sent[1].maxPriorityFeePerGas * 1000n).to.be.gte(signer.sent[0].maxPriorityFeePerGas * 1125n);
    await sender.onBlock(block(7));
    expect(signer.sent, "30 gwei is the cap: no further bump").to.have.length(2);
  });

  it("onBlock_bumpAboveTheExpectedProfit_isNotSent", async function () {
    const { signer, sender } = setup();
    await sender.submit(request(["take:1"], { maxCost: 22n * GWEI * 200_000n }), block(1));
    await sender.onBlock(block(4));
    expect(signer.sent).to.have.length(1);
  });

  it("onBlock_minedReplacement_isFollowedToItsConfirmationsThenForgotten", async function () {
    const { chain, signer, sender } = setup();
    await sender.submit(request(["liquidate:1"]), block(1));
    await sender.onBlock(block(4));
    chain.mine(signer.sent[1].hash, 5);
    await sender.onBlock(block(5));
    expect(sender.has("liquidate:1"), "one confirmation of two").to.equal(true);
    expect(sender.unminedCount).to.equal(0);
    await sender.onBlock(block(6));
    expect(sender.has("liquidate:1")).to.equal(false);
    expect(signer.sent, "no bump once mined").to.have.length(2);
  });

  it("onBlock_minedBetweenTheReceiptAndTheNonceReads_isFollowedAsMinedNotAsConsumedByAnother", async function () {
    const counted: string[] = [];
    const chain = new FakeChain();
    const signer = new FakeSigner(chain);
    const metrics = {
      sent: () => undefined,
      confirmed: () => counted.push("confirmed"),
      failed: () => counted.push("failed"),
      gasSpent: () => undefined,
    };
    const sender = new Sender({ chain, signer, logger: pino({ level: "silent" }), metrics }, CONFIG);
    await sender.submit(request(["liquidate:1"]), block(1));
    chain.beforeNonceRead = () => chain.mine(signer.sent[0].hash, 2);
    await sender.onBlock(block(1));
    expect(sender.has("liquidate:1"), "still followed to its confirmations").to.equal(true);
    await sender.onBlock(block(3));
    expect(counted).to.deep.equal(["confirmed"]);
    expect(sender.pendingCount).to.equal(0);
  });

  it("submit_afterASendError_reReadsTheNonceFromTheNode", async function () {
    const { chain, signer, sender } = setup();
    chain.pendingNonce = 3;
    signer.failures.push(new Error("nonce too low"));
    expect(await sender.submit(request(["liquidate:1"]), block(1))).to.equal("failed");
    chain.pendingNonce = 5; // another transaction of ours (or a restart) moved it
    const reads = chain.nonceReads;
    expect(await sender.submit(request(["reset:4"]), block(2))).to.equal("sent");
    expect(chain.nonceReads).to.equal(reads + 1);
    expect(signer.sent[0].nonce).to.equal(5);
  });

  it("submit_sendErrorTheNodeNeverSaw_freesTheKeyAtTheNextBlock", async function () {
    const { chain, signer, sender } = setup();
    chain.pendingNonce = 3;
    signer.failures.push(new Error("connection reset"));
    expect(await sender.submit(request(["liquidate:1"]), block(1))).to.equal("failed");
    expect(await sender.submit(request(["liquidate:1"]), block(1)), "until the node says").to.equal("duplicate");
    await sender.onBlock(block(2));
    expect(sender.has("liquidate:1")).to.equal(false);
    expect(await sender.submit(request(["liquidate:1"]), block(2))).to.equal("sent");
    expect(signer.sent.map((tx) => tx.nonce)).to.deep.equal([3]);
  });

  it("submit_answerLostButTheNodeHasIt_followsItAndNeverSendsItOnASecondNonce", async function () {
    const { chain, signer, sender } = setup();
    const hash = `0x${"ab".repeat(32)}`;
    signer.failures.push(Object.assign(new Error("socket hang up"), { transactionHash: hash }));
    expect(await sender.submit(request(["liquidate:1"]), block(1))).to.equal("failed");
    chain.pendingNonce = 1; // the node did get it
    await sender.onBlock(block(2));
    expect(await sender.submit(request(["liquidate:1"]), block(2))).to.equal("duplicate");
    chain.mine(hash, 3);
    await sender.onBlock(block(3));
    expect(sender.unminedCount).to.equal(0);
    await sender.onBlock(block(4));
    expect(sender.has("liquidate:1")).to.equal(false);
    expect(signer.sent, "nothing sent again").to.have.length(0);
  });

  it("onBlock_nonceConsumedByAnotherTransaction_forgetsAndReSyncs", async function () {
    const { chain, signer, sender } = setup();
    await sender.submit(request(["reset:2"]), block(1));
    chain.latestNonce = 1; // mined, but not any hash we know
    chain.pendingNonce = 1;
    await sender.onBlock(block(2));
    expect(sender.has("reset:2")).to.equal(false);
    await sender.submit(request(["reset:3"]), block(3));
    expect(signer.sent[1].nonce).to.equal(1);
  });

  it("submit_dryRun_sendsNothing", async function () {
    const { signer, sender } = setup({ dryRun: true });
    expect(await sender.submit(request(["liquidate:1"]), block(1))).to.equal("dry-run");
    expect(signer.sent).to.have.length(0);
  });

  it("submit_dailyBudgetSpent_stopsSendingUntilADayOfBlocksHasPassed", async function () {
    const { chain, signer, sender } = setup({ dailyGasBudget: 11n * GWEI * 100_000n });
    await sender.submit(request(["liquidate:1"]), block(1, 1_000));
    chain.mine(signer.sent[0].hash, 2);
    await sender.onBlock(block(2, 1_012));
    expect(sender.overBudget).to.equal(true);
    expect(await sender.submit(request(["liquidate:2"]), block(3, 1_024))).to.equal("over-budget");
    expect(await sender.submit(request(["liquidate:2"]), block(9_000, 1_012 + 86_400))).to.equal("sent");
  });

  it("start_earlierRunsTransactionsListed_adoptsThemWithTheirKeysAndSendsNewOnesAboveThem", async function () {
    const { chain, signer, sender } = setup();
    chain.latestNonce = 4;
    chain.pendingNonce = 6;
    chain.pool = [earlier(4, "0xbatch:1,2", 21n * GWEI), earlier(5, "0xabcdef", 21n * GWEI), earlier(3, "0xold", GWEI)];
    await sender.start();
    expect(sender.unminedCount).to.equal(2);
    expect(sender.unminedSentCount, "--once does not wait for an earlier run's").to.equal(0);
    for (const key of ["liquidate:1", "liquidate:2", "nonce:5"]) expect(sender.has(key), key).to.equal(true);
    expect(await sender.submit(request(["liquidate:2"]), block(1))).to.equal("duplicate");
    expect(await sender.submit(request(["liquidate:3"]), block(1))).to.equal("sent");
    expect(signer.sent.map((tx) => tx.nonce)).to.deep.equal([6]);
    expect(sender.unminedSentCount).to.equal(1);
  });

  it("onBlock_adoptedTransactionStuckBelowTheBaseFee_isReplacedAtOnceOnItsNonceCappedByMaxGasPrice", async function () {
    const { chain, signer, sender } = setup({ maxGasPrice: 30n * GWEI });
    chain.pool = [earlier(0, "0xbatch:7", 8n * GWEI)];
    await sender.start();
    // Hardhat leaves a stuck transaction out of its pending nonce: the new send must not take nonce 0.
    expect(await sender.submit(request(["reset:1"]), block(1))).to.equal("sent");
    await sender.onBlock(block(1));
    const [reset, replacement] = signer.sent;
    expect(reset.nonce).to.equal(1);
    expect(replacement.nonce).to.equal(0);
    expect(replacement.data).to.equal("0xbatch:7");
    expect(replacement.gasLimit).to.equal(300_000n);
    // 2 · 10 + 1.125 gwei aimed, under the 30 gwei cap; both fees ≥ 12.5% above the stuck ones.
    expect(replacement.maxFeePerGas).to.equal(21_125_000_000n);
    expect(replacement.maxPriorityFeePerGas).to.equal(1_125_000_000n);
    chain.baseFee = 40n * GWEI;
    const onNonce0 = () => signer.sent.filter((tx) => tx.nonce === 0);
    await sender.onBlock(block(4));
    expect(onNonce0(), "the next bump is capped by --max-gas-price").to.have.length(2);
    expect(onNonce0()[1].maxFeePerGas).to.equal(30n * GWEI);
    await sender.onBlock(block(7));
    expect(onNonce0(), "no bump above the cap").to.have.length(2);
    chain.mine(onNonce0()[1].hash, 8);
    await sender.onBlock(block(8));
    await sender.onBlock(block(9));
    expect(sender.has("liquidate:7"), "followed to its confirmations, then forgotten").to.equal(false);
  });

  it("onBlock_adoptedTransactionAboveTheBaseFee_getsTheUsualBlocksBeforeABump", async function () {
    const { chain, signer, sender } = setup();
    chain.pendingNonce = 1;
    chain.pool = [earlier(0, "0xbatch:7", 12n * GWEI)];
    await sender.start();
    await sender.onBlock(block(10));
    await sender.onBlock(block(12));
    expect(signer.sent).to.have.length(0);
    await sender.onBlock(block(13));
    expect(signer.sent.map((tx) => tx.nonce)).to.deep.equal([0]);
  });

  it("start_poolListsFewerThanThePendingNonceSays_fallsBackToWaitingAndWarnsOnce", async function () {
    const { chain, signer, sender, logged } = setup({ warnWaitingAfterBlocks: 5 });
    chain.latestNonce = 4;
    chain.pendingNonce = 6;
    chain.pool = [earlier(5, "0xbatch:1", 21n * GWEI)]; // nonce 4 missing
    await sender.start();
    expect(sender.unminedCount).to.equal(0);
    const warned = () => logged.filter((line) => line.msg.startsWith("still waiting for an earlier run's"));
    for (let n = 1; n <= 5; n++) {
      expect(await sender.submit(request(["liquidate:1"]), block(n))).to.equal("waiting-for-nonce");
      await sender.onBlock(block(n));
    }
    expect(warned()).to.have.length(0);
    for (let n = 6; n <= 9; n++) await sender.onBlock(block(n));
    expect(warned()).to.have.length(1);
    chain.latestNonce = 6;
    expect(await sender.submit(request(["liquidate:1"]), block(10))).to.equal("sent");
    expect(signer.sent.map((tx) => tx.nonce)).to.deep.equal([6]);
  });

  it("start_withOurTransactionsStillPending_waitsForThemBeforeSending", async function () {
    const { chain, signer, sender } = setup();
    chain.latestNonce = 4;
    chain.pendingNonce = 6;
    await sender.start();
    expect(await sender.submit(request(["liquidate:1"]), block(1))).to.equal("waiting-for-nonce");
    chain.latestNonce = 6;
    await sender.onBlock(block(2));
    expect(await sender.submit(request(["liquidate:1"]), block(2))).to.equal("sent");
    expect(signer.sent[0].nonce).to.equal(6);
  });

  it("submit_earlierRunsTransactionsMinedInThisBlock_sendsInThisBlock", async function () {
    const { chain, signer, sender } = setup();
    chain.latestNonce = 4;
    chain.pendingNonce = 6;
    await sender.start();
    expect(await sender.submit(request(["liquidate:1"]), block(1))).to.equal("waiting-for-nonce");
    const reads = chain.nonceReads;
    expect(await sender.submit(request(["liquidate:2"]), block(1))).to.equal("waiting-for-nonce");
    await sender.onBlock(block(1));
    expect(chain.nonceReads, "asked once a block while waiting").to.equal(reads);
    // Block 2 mines them: the strategies' actions of block 2 are sent at once, not a block later.
    chain.latestNonce = 6;
    expect(await sender.submit(request(["liquidate:1"]), block(2))).to.equal("sent");
    expect(signer.sent.map((tx) => tx.nonce)).to.deep.equal([6]);
  });

  it("onBlock_minedButTheRequestSaysItDidNothing_countsAFailureAndIsNotResent", async function () {
    const chain = new FakeChain();
    const signer = new FakeSigner(chain);
    const counted: string[] = [];
    const metrics = {
      sent: () => counted.push("sent"),
      confirmed: () => counted.push("confirmed"),
      failed: () => counted.push("failed"),
      gasSpent: () => undefined,
    };
    const sender = new Sender({ chain, signer, logger: pino({ level: "silent" }), metrics }, CONFIG);
    const lost = (receipt: TxReceiptInfo) => (receipt.logs.length === 0 ? "someone else was first" : undefined);
    await sender.submit(request(["liquidate:1"], { didNothing: lost }), block(1));
    await sender.submit(request(["liquidate:2"], { didNothing: lost }), block(1));
    chain.mine(signer.sent[0].hash, 2);
    chain.mine(signer.sent[1].hash, 2);
    chain.receipts.get(signer.sent[1].hash)!.logs = [{ address: "0xcc", topics: ["0x01"], data: "0x" }];
    await sender.onBlock(block(2));
    await sender.onBlock(block(3));
    expect(counted).to.deep.equal(["sent", "sent", "failed", "confirmed"]);
    expect(sender.pendingCount).to.equal(0);
    expect(signer.sent).to.have.length(2);
  });

  it("onBlock_adoptedLiquidationMinedAsANoOp_countsAFailureAsItsDescriptionSays", async function () {
    const chain = new FakeChain();
    const signer = new FakeSigner(chain);
    const counted: string[] = [];
    const metrics = {
      sent: () => counted.push("sent"),
      confirmed: () => counted.push("confirmed"),
      failed: () => counted.push("failed"),
      gasSpent: () => undefined,
    };
    const describe = (_to: string, data: string) => ({
      kind: "liquidate",
      keys: [`liquidate:${data.slice(8)}`],
      didNothing: (receipt: { logs: readonly unknown[] }) => (receipt.logs.length === 0 ? "first" : undefined),
    });
    const sender = new Sender({ chain, signer, logger: pino({ level: "silent" }), metrics, describe }, CONFIG);
    chain.pendingNonce = 2;
    chain.pool = [earlier(0, "0xbatch:1", 21n * GWEI), earlier(1, "0xbatch:2", 21n * GWEI)];
    await sender.start();
    chain.mine(chain.pool[0].hash, 1);
    chain.mine(chain.pool[1].hash, 1);
    chain.receipts.get(chain.pool[1].hash)!.logs = [{ address: "0xcc", topics: ["0x01"], data: "0x" }];
    chain.latestNonce = 2;
    await sender.onBlock(block(1));
    await sender.onBlock(block(2));
    expect(counted).to.deep.equal(["failed", "confirmed"]);
    expect(sender.pendingCount).to.equal(0);
    expect(signer.sent, "nothing re-sent").to.have.length(0);
  });
});
