import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { deploySluiceFixture } from "../helpers/fixtures";
describe("probe", () => {
  it("eth_call timestamp", async () => {
    const f = await deploySluiceFixture();
    const w = await f.weth.token.getAddress();
    const tx = await f.vaultEngine.accrue(w);
    const r = await tx.wait();
    const blk = await ethers.provider.getBlock(r!.blockNumber);
    console.log("block ts", blk!.timestamp, "now", await time.latest());
    const [rate] = await f.vaultEngine.collateralState(w);
    console.log(r!.logs.length, rate);
    const parsed = r!.logs.map((l) => f.vaultEngine.interface.parseLog(l));
    console.log(parsed.map((p) => p?.args.toString()));
    await new Promise((res) => setTimeout(res, 2500));
    const [rate2] = await f.vaultEngine.collateralState(w);
    console.log(rate2);
  });
});
