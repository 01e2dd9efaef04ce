// The liquidate strategy's expected incentive: the Liquidator's preview of each vault it sends, on
// the pending block, or at the head for a vault a rival's pending transaction already liquidates.
import { expect } from "chai";
import { JsonRpcProvider } from "ethers";
import pino from "pino";
import {
  connectProtocol,
  REFUSAL,
  type LensHealth,
  type LiquidationPreview,
  type Protocol,
} from "../../../keeper/src/chain/contracts";
import type { Manifest } from "../../../keeper/src/config/manifest";
import { LiquidationBook } from "../../../keeper/src/index/book";
import { LiquidateStrategy } from "../../../keeper/src/strategy/liquidate";
import type { KeeperView } from "../../../keeper/src/strategy/types";
import { ILiquidator__factory } from "../../../typechain-types/factories/contracts/interfaces/ILiquidator__factory";

const WAD = 10n ** 18n;
const at = (n: number) => `0x${n.toString(16).padStart(40, "0")}`;
const WETH = at(0xc0);
const MANIFEST: Manifest = {
  network: "unit",
  chainId: 31337,
  deployBlock: 0,
  contracts: {
    VaultEngine: at(1),
    OracleHub: at(2),
    RiskEngine: at(3),
    Liquidator: at(4),
    DutchAuction: at(5),
    VaultLens: at(6),
  },
  collaterals: {},
};
const liquidatorInterface = ILiquidator__factory.createInterface();
const HEAD = 100;

function row(vaultId: bigint): LensHealth {
  return {
    vaultId,
    collateral: WETH,
    collateralAmount: WAD,
    value: 2_000n * WAD,
    debt: 1_900n * WAD,
    health: (WAD * 9n) / 10n,
    inAuction: false,
    priced: true,
  };
}

function preview(vaultId: bigint, refusal: number, incentive: bigint): LiquidationPreview {
  return { vaultId, refusal, debtToRaise: 2_000n * WAD, incentive };
}

function makeView(previews: Map<string, LiquidationPreview[]>): { view: KeeperView; asked: string[] } {
  const real = connectProtocol(MANIFEST, new JsonRpcProvider("http://127.0.0.1:9", 31337, { staticNetwork: true }));
  const asked: string[] = [];
  const protocol = {
    ...real,
    healthOf: async (ids: bigint[]) => ids.map(row),
    previewLiquidations: async (ids: bigint[], _keeper: string, blockTag: number | "pending" = "pending") => {
      asked.push(`${blockTag}:${ids.join(",")}`);
      return previews.get(String(blockTag))!.filter((p) => ids.includes(p.vaultId));
    },
  } as unknown as Protocol;
  const book = new LiquidationBook();
  for (const id of [1n, 2n, 3n]) book.set(id, 2_500n * WAD);
  const view: KeeperView = {
    block: { number: HEAD, hash: "0x01", timestamp: 1_000 },
    keeper: at(0xee),
    index: { auctions: () => [] } as unknown as KeeperView["index"],
    protocol,
    markets: new Map([[WETH, { collateral: WETH, decimals: 18, price: 2_000n * WAD } as never]]),
    books: new Map([[WETH, book]]),
    feeds: new Map(),
    inShard: () => true,
    busy: () => false,
    gasPrice: 10n ** 9n,
    ethPrice: 2_000n * WAD,
    claimedAuctions: new Set(),
    liveAuctions: async () => [],
    simulate: async (_to, data) => {
      const [ids] = liquidatorInterface.decodeFunctionData("liquidateBatch", data) as unknown as [bigint[]];
      return { gasLimit: 500_000n, result: liquidatorInterface.encodeFunctionResult("liquidateBatch", [ids]) };
    },
  };
  return { view, asked };
}

describe("liquidate strategy: the expected incentive", function () {
  const strategy = () =>
    new LiquidateStrategy(
      { logger: pino({ level: "silent" }), stamp: () => "" },
      { batchSize: 50, candidateMargin: 0n },
    );

  it("liquidate_incentive_isThePendingBlocksPreviewAndNothingForARefusal", async function () {
    const { view, asked } = makeView(
      new Map([
        [
          "pending",
          [preview(1n, REFUSAL.None, 30n * WAD), preview(2n, REFUSAL.None, 22n * WAD), preview(3n, 4, 40n * WAD)],
        ],
      ]),
    );
    const [action] = await strategy().decide(view);
    expect(action.expectedProfit).to.equal(52n * WAD);
    expect(action.maxCost).to.equal((52n * WAD * WAD) / (2_000n * WAD));
    expect(asked).to.deep.equal(["pending:3,2,1"]);
  });

  it("liquidate_vaultInAuctionOnlyOnThePendingBlock_isPricedWithTheHeadsPreview", async function () {
    const { view, asked } = makeView(
      new Map([
        ["pending", [preview(1n, REFUSAL.InAuction, 0n), preview(2n, REFUSAL.None, 22n * WAD)]],
        [String(HEAD), [preview(1n, REFUSAL.None, 31n * WAD)]],
      ]),
    );
    const [action] = await strategy().decide(view);
    expect(action.expectedProfit).to.equal(53n * WAD);
    expect(asked).to.deep.equal(["pending:3,2,1", `${HEAD}:1`]);
  });
});
