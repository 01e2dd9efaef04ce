// JSON-RPC over Node's fetch + JSON.parse. ethers v6 decodes every response byte by byte (issue
// #5168): one large eth_getLogs through its own transport takes a minute and hundreds of MB.
// `_send` is JsonRpcProvider's documented extension point; batching, ids and error mapping stay
// ethers'.
import { JsonRpcProvider, Network, type JsonRpcPayload, type JsonRpcResult } from "ethers";

export interface TransportHooks {
  /** Called for every failed HTTP exchange (not for JSON-RPC errors, which ethers maps). */
  onError?: (error: Error) => void;
  timeoutMs?: number;
}

export class FetchJsonRpcProvider extends JsonRpcProvider {
  readonly #url: string;
  readonly #hooks: TransportHooks;

  constructor(url: string, chainId: number, hooks: TransportHooks = {}) {
    // The chain id is the manifest's, pinned so ethers never re-detects; start-up compares it with
    // the node's own eth_chainId. No response cache (ethers keeps answers 250 ms by default): a
    // receipt read as null would hide, for that long, a transaction a fresh nonce read says is mined.
    super(url, Network.from(chainId), {
      staticNetwork: Network.from(chainId),
      batchMaxCount: 100,
      cacheTimeout: -1,
    });
    this.#url = url;
    this.#hooks = hooks;
  }

  // Error answers ({ id, error }) pass through too: ethers maps them by id.
  override async _send(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<JsonRpcResult[]> {
    try {
      const response = await fetch(this.#url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(this.#hooks.timeoutMs ?? 30_000),
      });
      const text = await response.text();
      if (!response.ok && !text.startsWith("{") && !text.startsWith("[")) {
        throw new Error(`HTTP ${response.status} from ${this.#url}: ${text.slice(0, 200)}`);
      }
      const json = JSON.parse(text) as JsonRpcResult | JsonRpcResult[];
      return Array.isArray(json) ? json : [json];
    } catch (error) {
      const wrapped = error instanceof Error ? error : new Error(String(error));
      this.#hooks.onError?.(wrapped);
      throw wrapped;
    }
  }
}

/** The root cause of a fetch failure, for a one-line message (`fetch failed` says nothing). */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  const shortMessage = (error as { shortMessage?: string }).shortMessage;
  if (cause instanceof Error) return `${shortMessage ?? error.message}: ${describeError(cause)}`;
  return shortMessage ?? error.message;
}
