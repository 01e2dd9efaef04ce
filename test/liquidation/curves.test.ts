import { ethers, network } from "hardhat";
import { time, mine } from "@nomicfoundation/hardhat-network-helpers";
describe("exp", function () {
  it("ts", async function () {
    const ts = async (tag: string) => BigInt(await ethers.provider.send("eth_call", [{ data: "0x4260005260206000f3" }, tag]));
    const latest = await time.latest();
    console.log("latest", latest, "call latest", await ts("latest"), "pending", await ts("pending"));
    await time.setNextBlockTimestamp(latest + 100);
    console.log("after setNext: call latest", await ts("latest"), "pending", await ts("pending"));
    await mine();
    console.log("mined latest", await time.latest(), "call latest", await ts("latest"));
    await time.increase(50);
    console.log("after increase latest", await time.latest(), "call latest", await ts("latest"));
    await new Promise((r) => setTimeout(r, 2100));
    console.log("after 2s wall: call latest", await ts("latest"), "latest", await time.latest());
    await network.provider.send("evm_mine");
    console.log("evm_mine latest", await time.latest());
  });
});
