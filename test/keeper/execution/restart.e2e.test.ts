// A restart while the keeper's transaction is still in the mempool sends nothing twice: the new
// process finds it by nonce and waits for it.
import { expect } from "chai";
import {
  deployTo,
  ether,
  openVault,
  runKeeper,
  setPrice,
  startNode,
  type DeployedMarket,
  type LocalNode,
} from "../helpers/localNode";

// The hardhat node's account 5.
const KEEPER_KEY = "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba";

describe("keeper restart with a transaction pending", function () {
  this.timeout(180_000);
  let local: LocalNode;
  let market: DeployedMarket;
  const risky: bigint[] = [];

  before(async function () {
    local = await startNode();
    market = await deployTo(local);
    const [, a, b] = market.signers;
    for (const owner of [a, b]) risky.push(await openVault(market, owner, "WETH", ether(2), 99n));
    await setPrice(market, "WETH", 2_400n * 10n ** 18n);
  });

  after(() => local?.stop());

  it("keeper_restartedWhileItsLiquidationIsPending_sendsNoSecondOne", async function () {
    const keeper = market.signers[5].address;
    const args = ["--rpc-url", local.url, "--manifest", market.manifestPath, "--private-key", KEEPER_KEY, "--once"];
    await local.provider.send("evm_setAutomine", [false]);

    const first = await runKeeper([...args, "--max-lag-seconds", "1"]);
    expect(first.code, first.stderr).to.equal(0);
    expect(first.lines.filter((line) => line.msg === "sent")).to.have.length(1);
    expect(await local.provider.getTransactionCount(keeper, "pending")).to.equal(1);

    const second = await runKeeper(args);
    expect(second.code, second.stderr).to.equal(0);
    const adopted = second.lines.filter((line) => line.msg === "adopted a pending transaction from an earlier run");
    expect(adopted.map((line) => line.hash)).to.deep.equal(
      first.lines.filter((line) => line.msg === "sent").map((line) => line.hash),
    );
    expect(second.lines.filter((line) => line.msg === "sent")).to.have.length(0);
    expect(await local.provider.getTransactionCount(keeper, "pending")).to.equal(1);

    await local.provider.send("evm_setAutomine", [true]);
    await local.provider.send("evm_mine", []);
    for (const id of risky) expect((await market.deployment.vaultEngine.vaults(id)).inAuction).to.equal(true);
    const third = await runKeeper(args);
    expect(third.code, third.stderr).to.equal(0);
    expect(third.lines.filter((line) => line.msg === "sent")).to.have.length(0);
    expect(await local.provider.getTransactionCount(keeper, "latest")).to.equal(1);
  });
});
