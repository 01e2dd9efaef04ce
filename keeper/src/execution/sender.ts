// The one transaction sender: it owns the nonce. EIP-1559 fees; a transaction not mined within
// `bumpAfterBlocks` is re-sent on the same nonce with fee cap and tip both raised by at least
// 12.5% (what nodes require to replace), never above `--max-gas-price` nor above what the action is
// worth; one transaction per key at a time; the nonce is re-read from the node after any error; a
// transaction is forgotten only once it has its confirmations. Time is block time throughout.
import type { Logger } from "pino";

export interface TxFields {
  to: string;
  data: string;
  nonce: number;
  gasLimit: bigint;
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

export interface TxReceiptInfo {
  blockNumber: number;
  status: number; // 1 success, 0 reverted
  gasUsed: bigint;
  effectiveGasPrice: bigint;
  logs: readonly { address: string; topics: readonly string[]; data: string }[];
}

/** The node, as far as sending needs it. */
export interface SenderChain {
  getNonce(address: string, tag: "latest" | "pending"): Promise<number>;
  /** The latest block's base fee and a suggested tip [wei per gas]. */
  getFees(): Promise<{ baseFee: bigint; tip: bigint }>;
  getReceipt(hash: string): Promise<TxReceiptInfo | null>;
  /** Whether the node has the transaction, in its pool or mined; without it the pending nonce says. */
  isKnown?(hash: string): Promise<boolean>;
  /**
   * The transactions from `address` in the node's pool, mined or not; undefined when the node cannot
   * list them (no txpool or pending-block support).
   */
  poolOf?(address: string): Promise<PoolTx[] | undefined>;
}

/** A transaction of ours found in the node's pool: what adopting it after a restart needs. */
export interface PoolTx extends TxFields {
  hash: string;
}

/** What an adopted transaction's calldata is about: its kind and the keys it holds. */
export type DescribeCall = (to: string, data: string) => Pick<SendRequest, "kind" | "keys" | "didNothing"> | undefined;

export interface TxSigner {
  address: string;
  /**
   * Signs and broadcasts; returns the transaction hash. A failed broadcast may still have reached
   * the node (the answer was lost): its error then carries the hash as `transactionHash` if known.
   */
  send(tx: TxFields): Promise<string>;
}

export interface SendRequest {
  /**
   * One transaction per key at a time, e.g. `liquidate:12` or `reset:7`; a batch carries one key
   * per vault, and is refused while any of them is pending.
   */
  keys: string[];
  kind: string;
  to: string;
  data: string;
  gasLimit: bigint;
  /** Most the transaction may cost in gas [wei]; undefined when the action's worth is unknown. */
  maxCost?: bigint;
  /** Context for the logs (vault ids, expected profit, …). */
  context?: Record<string, unknown>;
  /**
   * Why a transaction that did not revert still did nothing (someone else was first, and the
   * contract skipped it); undefined when it did its work. Such a transaction counts as failed.
   */
  didNothing?: (receipt: TxReceiptInfo) => string | undefined;
}

export type SubmitOutcome =
  "sent" | "duplicate" | "dry-run" | "over-budget" | "too-expensive" | "failed" | "waiting-for-nonce";

export interface SenderConfig {
  maxGasPrice: bigint; // [wei per gas]
  confirmations: number;
  dryRun: boolean;
  dailyGasBudget?: bigint; // [wei]
  bumpAfterBlocks: number;
  /** Relative bump per replacement [per mille]; at least 125 (12.5%). */
  bumpPerMille: number;
  /**
   * Blocks of waiting on an earlier run's transactions the node cannot list before a warning that
   * they may be stuck; 20 when undefined.
   */
  warnWaitingAfterBlocks?: number;
}

export interface SenderMetrics {
  sent(kind: string): void;
  confirmed(kind: string): void;
  failed(kind: string): void;
  gasSpent(wei: bigint): void;
}

interface Attempt {
  hash: string;
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

interface Pending {
  request: SendRequest;
  nonce: number;
  /** An attempt whose broadcast failed has an empty hash when the signer could not say it. */
  attempts: Attempt[];
  /** Undefined for a transaction adopted from an earlier run until the first block is seen. */
  lastSentBlock: number | undefined;
  mined?: { hash: string; receipt: TxReceiptInfo; failed: boolean };
  /** The broadcast failed: the node may or may not have it, and says which at the next block. */
  unsure?: boolean;
}

export interface SenderBlock {
  number: number;
  timestamp: number; // [seconds]
}

const DAY = 86_400;

export const ceilPerMille = (value: bigint, perMille: number): bigint =>
  (value * BigInt(1000 + perMille) + 999n) / 1000n;

export class Sender {
  readonly #pending = new Map<string, Pending>();
  readonly #owners = new Map<string, string>();
  #nonce: number | undefined;
  /** Nonces another instance of us left in the mempool: nothing is sent until they are mined. */
  #waitUntilNonce: number | undefined;
  /** The block at which the mined nonce was last compared with `#waitUntilNonce`. */
  #waitCheckedAt: number | undefined;
  /** The first block seen while waiting, and whether the warning that it lasts was logged. */
  #waitingSince: number | undefined;
  #waitWarned = false;
  readonly #spent: { timestamp: number; wei: bigint }[] = [];
  #lastBlock: SenderBlock | undefined;

  constructor(
    readonly deps: {
      chain: SenderChain;
      signer: TxSigner;
      logger: Logger;
      metrics?: SenderMetrics;
      /** Decodes an adopted transaction's calldata into its keys; without it, one key per nonce. */
      describe?: DescribeCall;
    },
    readonly config: SenderConfig,
  ) {
    if (config.bumpPerMille < 125) throw new RangeError("bumps below 12.5% are refused by nodes");
  }

  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Keys being worked on, mined or not, until their confirmations. */
  has(key: string): boolean {
    return this.#owners.has(key);
  }

  /** Unmined transactions. */
  get unminedCount(): number {
    return [...this.#pending.values()].filter((p) => !p.mined).length;
  }

  /** Unmined transactions this run sent, not counting those adopted from an earlier run. */
  get unminedSentCount(): number {
    return [...this.#pending.values()].filter((p) => !p.mined && !p.request.context?.adopted).length;
  }

  /** Gas spent in the last 24 hours of block time [wei]. */
  spentToday(): bigint {
    const since = (this.#lastBlock?.timestamp ?? 0) - DAY;
    return this.#spent.filter((s) => s.timestamp > since).reduce((sum, s) => sum + s.wei, 0n);
  }

  /** Adds gas paid before this sender started (recovered from the chain) to what spentToday counts. */
  restoreSpending(spent: { timestamp: number; wei: bigint }[]): void {
    this.#spent.push(...spent);
  }

  get overBudget(): boolean {
    return this.config.dailyGasBudget !== undefined && this.spentToday() >= this.config.dailyGasBudget;
  }

  /**
   * At start-up: transactions of ours still in the mempool are from before a restart. When the node
   * lists them they are adopted: followed, bumped on their own nonces (capped by --max-gas-price, as
   * their worth is unknown) and holding their keys, like any sent by this run. When it cannot, and
   * the pending nonce is above the mined one, nothing new is sent until they are mined, so none is
   * sent twice.
   */
  async start(): Promise<void> {
    const { chain, signer, logger } = this.deps;
    const [latest, pending] = await Promise.all([
      chain.getNonce(signer.address, "latest"),
      chain.getNonce(signer.address, "pending"),
    ]);
    this.#nonce = pending;
    const adopted = await this.#listEarlierRun(latest, pending);
    if (adopted !== undefined) {
      for (const tx of adopted) this.#adopt(tx);
      if (adopted.length > 0) this.#nonce = Math.max(pending, adopted[adopted.length - 1].nonce + 1);
      return;
    }
    if (pending > latest) {
      this.#waitUntilNonce = pending;
      logger.warn(
        { latest, pending },
        "transactions from an earlier run are pending and the node cannot list them: waiting for them first",
      );
    }
  }

  /**
   * The earlier run's unmined transactions, by nonce from the mined one up without a gap; undefined
   * when the node cannot list them, or lists fewer than its pending nonce says there are.
   */
  async #listEarlierRun(latest: number, pending: number): Promise<PoolTx[] | undefined> {
    const { chain, signer, logger } = this.deps;
    if (!chain.poolOf) return undefined;
    let listed: PoolTx[] | undefined;
    try {
      listed = await chain.poolOf(signer.address);
    } catch (error) {
      logger.warn({ error: message(error) }, "could not list the node's pool");
      return undefined;
    }
    if (listed === undefined) return undefined;
    const byNonce = new Map(listed.filter((tx) => tx.nonce >= latest).map((tx) => [tx.nonce, tx]));
    const run: PoolTx[] = [];
    for (let nonce = latest; byNonce.has(nonce); nonce++) run.push(byNonce.get(nonce)!);
    if (latest + run.length < pending) return undefined;
    return run;
  }

  /** Follows an earlier run's transaction as if this run had sent it; its keys block re-sending. */
  #adopt(tx: PoolTx): void {
    const described = this.deps.describe?.(tx.to, tx.data);
    let keys = described && described.keys.length > 0 ? described.keys : [`nonce:${tx.nonce}`];
    // Two of the earlier run's transactions on one key: the later one is held by its nonce alone.
    if (keys.some((key) => this.#owners.has(key))) keys = [`nonce:${tx.nonce}`];
    const request: SendRequest = {
      keys,
      kind: described?.kind ?? "adopted",
      to: tx.to,
      data: tx.data,
      gasLimit: tx.gasLimit,
      didNothing: described?.didNothing,
      context: { adopted: true },
    };
    const id = keys.join(",");
    for (const key of keys) this.#owners.set(key, id);
    const { maxFeePerGas, maxPriorityFeePerGas } = tx;
    this.#pending.set(id, {
      request,
      nonce: tx.nonce,
      attempts: [{ hash: tx.hash, maxFeePerGas, maxPriorityFeePerGas }],
      lastSentBlock: undefined,
    });
    this.deps.logger.warn(
      { key: id, kind: request.kind, nonce: tx.nonce, hash: tx.hash, maxFeePerGas: maxFeePerGas.toString() },
      "adopted a pending transaction from an earlier run",
    );
  }

  async submit(request: SendRequest, block: SenderBlock): Promise<SubmitOutcome> {
    const { chain, signer, logger } = this.deps;
    this.#lastBlock = block;
    const id = request.keys.join(",");
    const log = logger.child({ key: id, kind: request.kind, ...request.context });
    if (request.keys.length === 0) throw new Error("a request needs at least one key");
    if (request.keys.some((key) => this.#owners.has(key))) return "duplicate";
    if (!(await this.#earlierRunDone(block))) return "waiting-for-nonce";
    if (this.overBudget) {
      log.warn({ spent: this.spentToday().toString() }, "daily gas budget reached: not sending");
      return "over-budget";
    }
    let fees: { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint };
    try {
      const { baseFee, tip } = await chain.getFees();
      const cap = this.#feeCap(request);
      const maxPriorityFeePerGas = tip < cap ? tip : cap;
      const wanted = 2n * baseFee + maxPriorityFeePerGas;
      const maxFeePerGas = wanted < cap ? wanted : cap;
      if (maxFeePerGas < baseFee) {
        log.info(
          { baseFee: baseFee.toString(), cap: cap.toString() },
          "not sending: the base fee is above what the action may pay",
        );
        return "too-expensive";
      }
      fees = { maxFeePerGas, maxPriorityFeePerGas };
    } catch (error) {
      log.error({ error: message(error) }, "could not read fees");
      return "failed";
    }
    if (this.config.dryRun) {
      log.info({ to: request.to, gasLimit: request.gasLimit.toString(), dryRun: true }, "would send");
      return "dry-run";
    }
    let nonce: number | undefined;
    try {
      // The node's pending nonce when it is below ours: a reorg can orphan our transactions and hand
      // their nonces back, and a transaction sent above the gap would wait behind it forever.
      const nodeNonce = await chain.getNonce(signer.address, "pending");
      nonce = this.#nonce !== undefined && this.#nonce < nodeNonce ? this.#nonce : nodeNonce;
      // Never on a nonce one of our unmined transactions holds: that would replace another action.
      // (Some nodes leave a transaction stuck below the base fee out of their pending nonce.)
      const held = new Set([...this.#pending.values()].filter((p) => !p.mined).map((p) => p.nonce));
      while (held.has(nonce)) nonce++;
      const hash = await signer.send({
        to: request.to,
        data: request.data,
        nonce,
        gasLimit: request.gasLimit,
        ...fees,
      });
      this.#nonce = nonce + 1;
      for (const key of request.keys) this.#owners.set(key, id);
      this.#pending.set(id, {
        request,
        nonce,
        attempts: [{ hash, ...fees }],
        lastSentBlock: block.number,
      });
      this.deps.metrics?.sent(request.kind);
      log.info({ hash, nonce, maxFeePerGas: fees.maxFeePerGas.toString() }, "sent");
      return "sent";
    } catch (error) {
      this.#nonce = undefined;
      this.deps.metrics?.failed(request.kind);
      log.error({ error: message(error) }, "send failed; nonce will be re-read from the node");
      if (nonce !== undefined) {
        // Only the answer may have been lost: the keys stay taken until the node says whether it
        // has the transaction, so it is never sent twice on two nonces.
        const hash = (error as { transactionHash?: unknown }).transactionHash;
        for (const key of request.keys) this.#owners.set(key, id);
        this.#pending.set(id, {
          request,
          nonce,
          attempts: [{ hash: typeof hash === "string" ? hash : "", ...fees }],
          lastSentBlock: block.number,
          unsure: true,
        });
      }
      return "failed";
    }
  }

  /** Follows pending transactions to their confirmations and bumps those left unmined. */
  async onBlock(block: SenderBlock): Promise<void> {
    const { chain, signer, logger } = this.deps;
    this.#lastBlock = block;
    await this.#earlierRunDone(block);
    for (const [key, pending] of this.#pending) {
      const log = logger.child({ key, kind: pending.request.kind, nonce: pending.nonce });
      try {
        let receipt: TxReceiptInfo | undefined;
        if (pending.mined) {
          // Re-read every block until final: a reorg may have dropped it.
          receipt = (await chain.getReceipt(pending.mined.hash)) ?? undefined;
        } else {
          receipt = await this.#findMined(pending, block, log);
        }
        if (pending.mined) {
          if (!receipt) {
            if (!(await this.#nodeHas(pending.mined.hash, pending.nonce))) {
              // Not back in the node's pool either: it was decided on orphaned state, so it is not
              // re-sent; the strategies decide again on the new chain, on the nonce handed back.
              log.warn({ hash: pending.mined.hash }, "mined transaction orphaned by a reorg; forgetting it");
              this.deps.metrics?.failed(pending.request.kind);
              this.#forget(key);
              this.#nonce = undefined;
              continue;
            }
            log.warn({ hash: pending.mined.hash }, "mined transaction vanished in a reorg; watching again");
            pending.mined = undefined;
            continue;
          }
          if (receipt.blockNumber !== pending.mined.receipt.blockNumber) {
            // Re-mined in another block after a reorg: judge it on its new receipt.
            pending.mined = { hash: pending.mined.hash, receipt, failed: this.#failed(pending.request, receipt) };
          }
          if (block.number - pending.mined.receipt.blockNumber + 1 >= this.config.confirmations) {
            if (pending.mined.failed) this.deps.metrics?.failed(pending.request.kind);
            else this.deps.metrics?.confirmed(pending.request.kind);
            log.info({ hash: pending.mined.hash, confirmations: this.config.confirmations }, "confirmed");
            this.#forget(key);
          }
          continue;
        }
        const latest = await chain.getNonce(signer.address, "latest");
        if (latest > pending.nonce) {
          // A block may have come between the receipts and the nonce: look once more before
          // concluding that the nonce went to a transaction we did not send (or whose hash we lost).
          await this.#findMined(pending, block, log);
          if (pending.mined) continue;
          log.warn({ latest }, "nonce consumed by another transaction; forgetting this one");
          this.deps.metrics?.failed(pending.request.kind);
          this.#forget(key);
          this.#nonce = undefined;
          continue;
        }
        if (pending.unsure) {
          if (!(await this.#nodeHas(pending.attempts[0].hash, pending.nonce))) {
            log.info("the failed send did not reach the node; the strategies decide again");
            this.#forget(key);
            this.#nonce = undefined;
            continue;
          }
          pending.unsure = false;
          log.warn("the node has the transaction of the failed send after all: following it");
        }
        if (pending.lastSentBlock === undefined) {
          // Adopted from an earlier run: replaced at once if stuck below the base fee, otherwise
          // given the usual blocks from now.
          const { baseFee } = await chain.getFees();
          if (pending.attempts[pending.attempts.length - 1].maxFeePerGas < baseFee) {
            log.warn({ baseFee: baseFee.toString() }, "adopted transaction is stuck below the base fee: replacing it");
            await this.#bump(pending, block, log);
          } else {
            pending.lastSentBlock = block.number;
            log.info({ baseFee: baseFee.toString() }, "following the adopted transaction; bumped if it stays unmined");
          }
          continue;
        }
        if (block.number - pending.lastSentBlock >= this.config.bumpAfterBlocks) await this.#bump(pending, block, log);
      } catch (error) {
        this.#nonce = undefined;
        log.error({ error: message(error) }, "following a transaction failed; nonce will be re-read");
      }
    }
  }

  /**
   * Whether the transactions an earlier run left pending are all mined, so sending may resume; the
   * node is asked at most once a block, and the answer counts for the block it is asked in.
   */
  async #earlierRunDone(block: SenderBlock): Promise<boolean> {
    if (this.#waitUntilNonce === undefined) return true;
    if (this.#waitCheckedAt === block.number) return false;
    const { chain, signer, logger } = this.deps;
    this.#waitingSince ??= block.number;
    const warnAfter = this.config.warnWaitingAfterBlocks ?? 20;
    if (!this.#waitWarned && block.number - this.#waitingSince >= warnAfter) {
      this.#waitWarned = true;
      logger.warn(
        { blocks: block.number - this.#waitingSince, until: this.#waitUntilNonce },
        "still waiting for an earlier run's transactions: they may be stuck below the base fee; " +
          "replace them by hand on the same nonces with higher fees, or use a node that lists its pool",
      );
    }
    try {
      const latest = await chain.getNonce(signer.address, "latest");
      this.#waitCheckedAt = block.number;
      if (latest < this.#waitUntilNonce) return false;
      this.#waitUntilNonce = undefined;
      this.#nonce = undefined;
      logger.info({ nonce: latest }, "earlier transactions mined: sending again");
      return true;
    } catch (error) {
      logger.error({ error: message(error) }, "could not read the nonce");
      return false;
    }
  }

  /** Looks for a receipt of any attempt; the first found is the one mined, is logged and returned. */
  async #findMined(pending: Pending, block: SenderBlock, log: Logger): Promise<TxReceiptInfo | undefined> {
    for (const attempt of pending.attempts) {
      if (attempt.hash === "") continue;
      const receipt = await this.deps.chain.getReceipt(attempt.hash);
      if (!receipt) continue;
      const idle = receipt.status === 1 ? pending.request.didNothing?.(receipt) : undefined;
      pending.mined = { hash: attempt.hash, receipt, failed: this.#failed(pending.request, receipt) };
      const wei = receipt.gasUsed * receipt.effectiveGasPrice;
      this.#spent.push({ timestamp: block.timestamp, wei });
      this.deps.metrics?.gasSpent(wei);
      log.info(
        {
          hash: attempt.hash,
          block: receipt.blockNumber,
          status: receipt.status,
          gasUsed: receipt.gasUsed.toString(),
          ...(idle === undefined ? {} : { reason: idle }),
        },
        receipt.status !== 1 ? "mined but reverted" : idle === undefined ? "mined" : "mined but did nothing",
      );
      return receipt;
    }
    return undefined;
  }

  /** A mined transaction failed when it reverted or, though it did not, did nothing. */
  #failed(request: SendRequest, receipt: TxReceiptInfo): boolean {
    return receipt.status !== 1 || request.didNothing?.(receipt) !== undefined;
  }

  /** Whether the node has our transaction `hash` (empty when unknown) on `nonce`. */
  async #nodeHas(hash: string, nonce: number): Promise<boolean> {
    const { chain, signer } = this.deps;
    if (hash !== "" && chain.isKnown) return chain.isKnown(hash);
    return (await chain.getNonce(signer.address, "pending")) > nonce;
  }

  #forget(id: string): void {
    const pending = this.#pending.get(id);
    for (const key of pending?.request.keys ?? []) this.#owners.delete(key);
    this.#pending.delete(id);
  }

  /** The highest fee cap the request may offer [wei per gas]. */
  #feeCap(request: SendRequest): bigint {
    let cap = this.config.maxGasPrice;
    if (request.maxCost !== undefined && request.gasLimit > 0n) {
      const byWorth = request.maxCost / request.gasLimit;
      if (byWorth < cap) cap = byWorth;
    }
    return cap;
  }

  async #bump(pending: Pending, block: SenderBlock, log: Logger): Promise<void> {
    const { chain, signer } = this.deps;
    const last = pending.attempts[pending.attempts.length - 1];
    const { baseFee } = await chain.getFees();
    const cap = this.#feeCap(pending.request);
    const tip = ceilPerMille(last.maxPriorityFeePerGas, this.config.bumpPerMille);
    const byBump = ceilPerMille(last.maxFeePerGas, this.config.bumpPerMille);
    // Aim at twice the base fee, but settle for anything between the least valid bump and the cap:
    // a stuck transaction is worth replacing even when the cap is below what we would like to offer.
    const wanted = 2n * baseFee + tip;
    const aimed = wanted > byBump ? wanted : byBump;
    const maxFeePerGas = aimed < cap ? aimed : cap;
    if (maxFeePerGas < byBump || tip > maxFeePerGas) {
      log.warn(
        { cap: cap.toString(), wanted: maxFeePerGas.toString() },
        "not bumping: a 12.5% bump would exceed the fee cap; waiting",
      );
      pending.lastSentBlock = block.number;
      return;
    }
    const fees = { maxFeePerGas, maxPriorityFeePerGas: tip };
    try {
      const hash = await signer.send({
        to: pending.request.to,
        data: pending.request.data,
        nonce: pending.nonce,
        gasLimit: pending.request.gasLimit,
        ...fees,
      });
      pending.attempts.push({ hash, ...fees });
      pending.lastSentBlock = block.number;
      log.info({ hash, maxFeePerGas: maxFeePerGas.toString(), tip: tip.toString() }, "replaced with higher fees");
    } catch (error) {
      // Typically "nonce too low": an earlier attempt was mined; the receipts will say which.
      this.#nonce = undefined;
      pending.lastSentBlock = block.number;
      log.warn({ error: message(error) }, "replacement refused; nonce will be re-read");
    }
  }
}

function message(error: unknown): string {
  if (error instanceof Error) return (error as { shortMessage?: string }).shortMessage ?? error.message;
  return String(error);
}
