// The sender's view of the node and the signer, over ethers. Kept apart from execution/ so the
// sender is tested against fakes.
import { Transaction, type JsonRpcProvider, type JsonRpcSigner, type Wallet } from "ethers";
import type { PoolTx, SenderChain, TxFields, TxSigner } from "../execution/sender";
import type { SpendingChain } from "../execution/spending";

const FALLBACK_TIP = 1_000_000_000n; // 1 gwei, for nodes without eth_maxPriorityFeePerGas

export function senderChain(provider: JsonRpcProvider): SenderChain {
  return {
    // Straight to the node: ethers keeps an answer for 250 ms, and a nonce read just after a send
    // would be the one before it.
    getNonce: async (address, tag) => Number(BigInt(await provider.send("eth_getTransactionCount", [address, tag]))),
    async getFees() {
      const [block, tip] = await Promise.all([
        provider.getBlock("latest"),
        provider
          .send("eth_maxPriorityFeePerGas", [])
          .then((hex: string) => BigInt(hex))
          .catch(() => FALLBACK_TIP),
      ]);
      return { baseFee: block?.baseFeePerGas ?? 0n, tip };
    },
    isKnown: async (hash) => (await provider.getTransaction(hash)) !== null,
    poolOf: (address) => poolOf(provider, address),
    async getReceipt(hash) {
      const receipt = await provider.getTransactionReceipt(hash);
      if (!receipt) return null;
      return {
        blockNumber: receipt.blockNumber,
        status: receipt.status ?? 0,
        gasUsed: receipt.gasUsed,
        effectiveGasPrice: receipt.gasPrice,
        logs: receipt.logs.map(({ address, topics, data }) => ({ address, topics, data })),
      };
    },
  };
}

interface RawTx {
  hash: string;
  from: string;
  to: string | null;
  nonce: string;
  input: string;
  gas: string;
  gasPrice?: string;
  maxFeePerGas?: string;
  maxPriorityFeePerGas?: string;
}

/**
 * Our transactions in the node's pool, from every listing it answers: geth's `txpool_content` (its
 * pending and queued), `eth_pendingTransactions` (Hardhat; geth lists only its own accounts there)
 * and the pending block (which leaves out those stuck below the base fee). The first seen per nonce
 * wins; undefined when the node answers none of them.
 */
async function poolOf(provider: JsonRpcProvider, address: string): Promise<PoolTx[] | undefined> {
  const from = address.toLowerCase();
  const listings: (() => Promise<RawTx[]>)[] = [
    async () => {
      const content = (await provider.send("txpool_content", [])) as Record<
        string,
        Record<string, Record<string, RawTx>>
      >;
      return ["pending", "queued"].flatMap((part) =>
        Object.entries(content?.[part] ?? {})
          .filter(([account]) => account.toLowerCase() === from)
          .flatMap(([, byNonce]) => Object.values(byNonce)),
      );
    },
    async () => (await provider.send("eth_pendingTransactions", [])) as RawTx[],
    async () =>
      ((await provider.send("eth_getBlockByNumber", ["pending", true])) as { transactions: RawTx[] }).transactions,
  ];
  let answered = false;
  const byNonce = new Map<number, PoolTx>();
  for (const list of listings) {
    let txs: RawTx[];
    try {
      txs = await list();
      if (!Array.isArray(txs)) continue;
    } catch {
      continue; // this node does not offer that listing
    }
    answered = true;
    for (const tx of txs) {
      if (typeof tx !== "object" || tx.from?.toLowerCase() !== from || !tx.to) continue;
      const nonce = Number(BigInt(tx.nonce));
      if (byNonce.has(nonce)) continue;
      const maxFeePerGas = BigInt(tx.maxFeePerGas ?? tx.gasPrice ?? 0);
      byNonce.set(nonce, {
        hash: tx.hash,
        to: tx.to,
        data: tx.input,
        nonce,
        gasLimit: BigInt(tx.gas),
        maxFeePerGas,
        maxPriorityFeePerGas: BigInt(tx.maxPriorityFeePerGas ?? maxFeePerGas),
      });
    }
  }
  return answered ? [...byNonce.values()].sort((a, b) => a.nonce - b.nonce) : undefined;
}

/** Block times, historical nonces and receipts, for recovering the day's gas spending at start-up. */
export function spendingChain(provider: JsonRpcProvider): SpendingChain {
  return {
    async getBlockTime(blockNumber) {
      const block = await provider.getBlock(blockNumber);
      if (!block) throw new Error(`the node has no block ${blockNumber}`);
      return block.timestamp;
    },
    getNonceAt: (address, blockNumber) => provider.getTransactionCount(address, blockNumber),
    async getPaidIn(address, blockNumber) {
      const block = await provider.getBlock(blockNumber, true);
      if (!block) throw new Error(`the node has no block ${blockNumber}`);
      const ours = block.prefetchedTransactions.filter((tx) => tx.from.toLowerCase() === address.toLowerCase());
      const receipts = await Promise.all(ours.map((tx) => provider.getTransactionReceipt(tx.hash)));
      return receipts.map((receipt, i) => {
        if (!receipt) throw new Error(`the node has no receipt for ${ours[i].hash}`);
        return receipt.gasUsed * receipt.gasPrice;
      });
    },
  };
}

function fields(tx: TxFields, chainId: bigint) {
  return {
    type: 2,
    chainId,
    to: tx.to,
    data: tx.data,
    nonce: tx.nonce,
    gasLimit: tx.gasLimit,
    maxFeePerGas: tx.maxFeePerGas,
    maxPriorityFeePerGas: tx.maxPriorityFeePerGas,
    value: 0n,
  };
}

/** A private key: signs locally, so the hash is known before the broadcast. */
export function walletSigner(wallet: Wallet, provider: JsonRpcProvider, chainId: bigint): TxSigner {
  return {
    address: wallet.address,
    async send(tx) {
      const signed = await wallet.signTransaction(fields(tx, chainId));
      const hash = Transaction.from(signed).hash!;
      try {
        await provider.broadcastTransaction(signed);
      } catch (error) {
        // The node may have it although the answer was lost: the sender follows it by this hash.
        throw Object.assign(error instanceof Error ? error : new Error(String(error)), { transactionHash: hash });
      }
      return hash;
    },
  };
}

/** A local node's unlocked account (localhost only). */
export function nodeAccountSigner(signer: JsonRpcSigner, chainId: bigint): TxSigner {
  return {
    address: signer.address,
    send: (tx) => signer.sendUncheckedTransaction(fields(tx, chainId)),
  };
}
