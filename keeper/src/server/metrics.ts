// Prometheus metrics on a registry of the keeper's own (no global state, so tests run several).
import { Counter, Gauge, Registry } from "prom-client";
import type { SenderMetrics } from "../execution/sender";

export function createMetrics() {
  const registry = new Registry();
  const kinds = ["kind"] as const;
  const metrics = {
    registry,
    vaultsIndexed: new Gauge({ name: "keeper_vaults_indexed", help: "Vaults in the index", registers: [registry] }),
    vaultsAtRisk: new Gauge({
      name: "keeper_vaults_at_risk",
      help: "Indexed vaults whose liquidation price is within 10% of the oracle price or above it",
      registers: [registry],
    }),
    auctionsActive: new Gauge({ name: "keeper_auctions_active", help: "Running auctions", registers: [registry] }),
    txSent: new Counter({
      name: "keeper_transactions_sent_total",
      help: "Transactions sent, by kind (liquidate, take, bid, flash, reset, poke)",
      labelNames: kinds,
      registers: [registry],
    }),
    txConfirmed: new Counter({
      name: "keeper_transactions_confirmed_total",
      help: "Transactions confirmed successful, by kind",
      labelNames: kinds,
      registers: [registry],
    }),
    txFailed: new Counter({
      name: "keeper_transactions_failed_total",
      help: "Transactions that failed to send, reverted or were dropped, by kind",
      labelNames: kinds,
      registers: [registry],
    }),
    decisions: new Counter({
      name: "keeper_decisions_total",
      help: "Actions decided (sent or, with --dry-run, not), by kind",
      labelNames: kinds,
      registers: [registry],
    }),
    profit: new Counter({
      name: "keeper_expected_profit_stablecoin_total",
      help: "Expected profit and incentives of sent actions [stablecoin]",
      registers: [registry],
    }),
    gasSpent: new Counter({ name: "keeper_gas_spent_eth_total", help: "Gas paid [ETH]", registers: [registry] }),
    rpcErrors: new Counter({
      name: "keeper_rpc_errors_total",
      help: "Failed JSON-RPC exchanges",
      registers: [registry],
    }),
    blockLag: new Gauge({
      name: "keeper_block_lag",
      help: "Node head minus the last processed block",
      registers: [registry],
    }),
    lastBlock: new Gauge({ name: "keeper_last_processed_block", help: "Last processed block", registers: [registry] }),
  };
  const sender: SenderMetrics = {
    sent: (kind) => metrics.txSent.inc({ kind }),
    confirmed: (kind) => metrics.txConfirmed.inc({ kind }),
    failed: (kind) => metrics.txFailed.inc({ kind }),
    gasSpent: (wei) => metrics.gasSpent.inc(Number(wei) / 1e18),
  };
  return { ...metrics, sender };
}

export type Metrics = ReturnType<typeof createMetrics>;
