import { expect } from "chai";
import { ethers } from "hardhat";
import { time, mine } from "@nomicfoundation/hardhat-network-helpers";
import { deploySluiceFixture } from "../helpers/fixtures";

describe("scratch", function () {
  it("timestamps", async function () {
    const f = await deploySluiceFixture();
    const weth = await f.weth.token.getAddress();
    await f.riskEngine.setBaseThreshold(weth, 70n * 10n ** 16n, 86400);
    const t0 = await time.latest();
    console.log("t0", t0, (await f.riskEngine.liquidationBase(weth)).toString());
    await time.increaseTo(t0 + 43200);
    console.log("latest", await time.latest(), (await f.riskEngine.liquidationBase(weth)).toString());
    await time.setNextBlockTimestamp(t0 + 50000);
    console.log("after setNext", await time.latest(), (await f.riskEngine.liquidationBase(weth)).toString());
    const start = Date.now();
    for (let i = 0; i < 20; i++) await f.weth.feed.setAnswer(3000n * 10n ** 8n);
    console.log("20 tx ms", Date.now() - start);
  });
});
