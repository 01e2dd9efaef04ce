// Draws docs/thresholds.svg: the liquidation threshold against position size for a few volatility
// levels, computed with the keeper's exact mirror of the contract math.
//   npm run charts
import fs from "node:fs";
import path from "node:path";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { WAD } from "../../keeper/src/math/fixedPoint";
import { thresholdBreakdown, volatilityPenaltyTarget, type CollateralRisk } from "../../keeper/src/risk/thresholds";
import { LOCAL_COLLATERALS } from "../lib/deploy";

const SECONDS_PER_YEAR = 365 * 24 * 3600;
const ANNUAL_VOLATILITIES = [0.4, 0.8, 1.6];
const OUTPUT = path.resolve(__dirname, "..", "..", "docs", "thresholds.svg");

const toWad = (x: number): bigint => BigInt(Math.round(x * 1e6)) * 10n ** 12n;

function riskAt(annualVolatility: number): CollateralRisk {
  const { risk } = LOCAL_COLLATERALS[0];
  const sigma = toWad(annualVolatility / Math.sqrt(SECONDS_PER_YEAR)); // [wad per √second]
  const penalty = volatilityPenaltyTarget(risk.params.confidence, sigma, risk.params.horizon);
  return {
    params: risk.params,
    ramp: { from: risk.baseThreshold, to: risk.baseThreshold, start: 0n, end: 0n },
    volatility: { penalty, target: penalty, checkpoint: 0n },
  };
}

async function main(): Promise<void> {
  const rows: { value: number; threshold: number; volatility: string }[] = [];
  for (const annual of ANNUAL_VOLATILITIES) {
    const risk = riskAt(annual);
    for (let exponent = 3; exponent <= 9; exponent += 0.05) {
      const value = 10 ** exponent;
      const { effective } = thresholdBreakdown(risk, toWad(value / 1e6) * 10n ** 6n, 0n);
      rows.push({ value, threshold: Number(effective) / Number(WAD), volatility: `${annual * 100}% a year` });
    }
  }
  const { symbol, risk } = LOCAL_COLLATERALS[0];
  const spec: TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: {
      text: `${symbol}: liquidation threshold against position size`,
      subtitle:
        `base ${Number(risk.baseThreshold) / 1e18}, floor ${Number(risk.params.minThreshold) / 1e18}, ` +
        `k ${Number(risk.params.confidence) / 1e18}, horizon ${Number(risk.params.horizon) / 3600} h, ` +
        `depth ${Number(risk.params.depth / WAD).toLocaleString("en-US")}, size penalty ≤ ${Number(risk.params.maxSizePenalty) / 1e18}`,
    },
    width: 640,
    height: 360,
    background: "white",
    data: { values: rows },
    mark: { type: "line", strokeWidth: 2 },
    encoding: {
      x: {
        field: "value",
        type: "quantitative",
        scale: { type: "log" },
        title: "collateral value V (stablecoin, log scale)",
        axis: { format: "~s" },
      },
      y: { field: "threshold", type: "quantitative", scale: { zero: false }, title: "liquidation threshold LT" },
      color: { field: "volatility", type: "nominal", title: "volatility σ", sort: null },
    },
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  fs.writeFileSync(OUTPUT, await view.toSVG());
  console.log(`wrote ${OUTPUT}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
