import hre from "hardhat";
import { parseUnits } from "ethers";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { deploySluice, toFeedAnswer } from "../lib/deploy";
import { profile, opcodeHistogram } from "./profile-lib";

async function main() {
  const [governor, alice, bob, keeper, buyer, ...owners] = await hre.ethers.getSigners();
  void alice;
  const d = await deploySluice(governor, { withMocks: true });
  const { vaultEngine, riskEngine, liquidator, dutchAuction, stablecoin } = d;
  const weth = d.collaterals.WETH;
  const token = await weth.token.getAddress();
  const engine = await vaultEngine.getAddress();
  const names = new Map<string, string>();
  for (const [k, c] of Object.entries({ vaultEngine, riskEngine, liquidator, dutchAuction, stablecoin, oracle: d.oracleHub, weth: weth.token }))
    names.set((await (c as any).getAddress()).toLowerCase(), k);
  names.set("tx", "tx");
  const amount = parseUnits("10", 18);
  await (await weth.token.mint(bob.address, amount)).wait();
  await (await weth.token.connect(bob).approve(engine, amount)).wait();
  await (await vaultEngine.connect(bob).openVault(token)).wait();
  await (await vaultEngine.connect(bob).deposit(1n, amount)).wait();
  await (await vaultEngine.connect(bob).borrow(1n, parseUnits("5000", 18), bob.address)).wait();
  await time.increase(30 * 86_400);
  await (await weth.feed.setAnswer(toFeedAnswer(3_000n * 10n ** 18n, weth.spec.feedDecimals))).wait();
  await (await riskEngine.poke(token)).wait();
  await (await vaultEngine.accrue(token)).wait();
  const victims: bigint[] = [];
  for (const owner of owners.slice(0, 6)) {
    await (await weth.token.mint(owner.address, amount)).wait();
    await (await weth.token.connect(owner).approve(engine, amount)).wait();
    await (await vaultEngine.connect(owner).openVault(token)).wait();
    const id = await vaultEngine.vaultCount();
    await (await vaultEngine.connect(owner).deposit(id, amount)).wait();
    await (await vaultEngine.connect(owner).borrow(id, (await vaultEngine.maxDebt(id)) - 10n ** 6n, owner.address)).wait();
    victims.push(id);
  }
  await (await stablecoin.connect(bob).transfer(keeper.address, parseUnits("100", 18))).wait();
  await (await stablecoin.connect(owners[5]).transfer(buyer.address, parseUnits("20000", 18))).wait();
  await (await stablecoin.connect(owners[4]).transfer(buyer.address, parseUnits("20000", 18))).wait();
  await (await weth.token.mint(buyer.address, 1n)).wait();
  for (const price of [2_700n, 2_520n]) {
    await time.increase(60);
    await (await weth.feed.setAnswer(toFeedAnswer(price * 10n ** 18n, weth.spec.feedDecimals))).wait();
    await (await riskEngine.poke(token)).wait();
  }
  await (await liquidator.connect(keeper).liquidate(victims[0], keeper.address)).wait();
  const tx = await liquidator.connect(keeper).liquidate(victims[1], keeper.address);
  await tx.wait();
  console.log("== liquidate", await vaultEngine.vaults(victims[1]), await liquidator.sliceOf(victims[2]));
  await profile(tx.hash, names);
  await opcodeHistogram(tx.hash);
  const [, second] = await dutchAuction.activeAuctions();
  const lot = (await dutchAuction.auctions(second)).collateralLeft;
  const t2 = await dutchAuction.connect(buyer).take(second, lot / 4n, hre.ethers.MaxUint256, buyer.address, "0x");
  await t2.wait();
  console.log("== take partial");
  await profile(t2.hash, names);
  const t3 = await dutchAuction.connect(buyer).take(second, hre.ethers.MaxUint256, hre.ethers.MaxUint256, buyer.address, "0x");
  await t3.wait();
  console.log("== take full");
  await profile(t3.hash, names);
  await (await liquidator.connect(keeper).liquidate(victims[2], keeper.address)).wait();
  const active = await dutchAuction.activeAuctions();
  await time.increase(7_300);
  await (await weth.feed.setAnswer(toFeedAnswer(2_520n * 10n ** 18n, weth.spec.feedDecimals))).wait();
  await (await riskEngine.poke(token)).wait();
  const t4 = await dutchAuction.connect(keeper).reset(active[active.length - 1], keeper.address);
  await t4.wait();
  console.log("== reset");
  await profile(t4.hash, names);
}
main().catch((e) => { console.error(e); process.exit(1); });
