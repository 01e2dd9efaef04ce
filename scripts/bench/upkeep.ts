// LiquidationUpkeep against Chainlink's limits on Ethereum on a book of 10,000 vaults: gas of a check
// of one shard (10,000,000 allowed for the simulation), performData size (2,000 bytes), gas of a
// perform (5,000,000). Also how long building such a book takes, through users' transactions and
// through the BookBuilder mock. Prints a markdown section for docs/BENCHMARKS.md.
//   npm run bench:upkeep            (BOOK=10000 by default)
import hre from "hardhat";
import { AbiCoder, ZeroAddress } from "ethers";
import { mine, time } from "@nomicfoundation/hardhat-network-helpers";
import { WAD } from "../../keeper/src/math/fixedPoint";
import { deploySluice, encodeShard, toFeedAnswer, WHOLE_BOOK, type Shard } from "../lib/deploy";
import { BookBuilder__factory, type LiquidationUpkeep } from "../../typechain-types";

const BOOK = BigInt(process.env.BOOK ?? "10000");
const REAL_VAULTS = Number(process.env.REAL_VAULTS ?? "200");
const PER_BUILD = 100n; // a vault costs the builder ~110,000 gas; transactions stay under 16,777,216

async function check(upkeep: LiquidationUpkeep, shard: Shard) {
  const data = upkeep.interface.encodeFunctionData("checkUpkeep", [encodeShard(shard)]);
  const call = { to: upkeep.target, data, from: ZeroAddress };
  const [upkeepNeeded, performData] = upkeep.interface.decodeFunctionResult(
    "checkUpkeep",
    await hre.ethers.provider.call(call),
  ) as unknown as [boolean, string];
  return { upkeepNeeded, performData, bytes: (performData.length - 2) / 2, call };
}

const gasOfCheck = (c: Awaited<ReturnType<typeof check>>) => hre.ethers.provider.estimateGas(c.call);
const fmt = (n: bigint | number) => n.toLocaleString("en-US");

async function main(): Promise<void> {
  const [governor, ...users] = await hre.ethers.getSigners();
  const d = await deploySluice(governor, { withMocks: true });
  const weth = d.collaterals.WETH;
  const token = await weth.token.getAddress();
  const engine = await d.vaultEngine.getAddress();
  const upkeep = d.liquidationUpkeep;
  const maxScan = await upkeep.MAX_SCAN();

  // Users' own transactions (mint, approve, open, deposit, borrow: five per vault), timed.
  let started = performance.now();
  for (let i = 0; i < REAL_VAULTS; i++) {
    const user = users[i % 10];
    await (await weth.token.mint(user.address, WAD)).wait();
    await (await weth.token.connect(user).approve(engine, WAD)).wait();
    await (await d.vaultEngine.connect(user).openVault(token)).wait();
    const id = await d.vaultEngine.vaultCount();
    await (await d.vaultEngine.connect(user).deposit(id, WAD)).wait();
    const limit = await d.vaultEngine.maxDebt(id);
    await (await d.vaultEngine.connect(user).borrow(id, (limit * 50n) / 100n, user.address)).wait();
  }
  const realMs = performance.now() - started;

  // The rest through the BookBuilder: 100% / 50% / 95% of the limit in turn, every vault in debt.
  const builder = await (await new BookBuilder__factory(governor).deploy(engine)).waitForDeployment();
  started = performance.now();
  let builderGas = 0n;
  for (let opened = BigInt(REAL_VAULTS); opened < BOOK; opened += PER_BUILD) {
    const count = BOOK - opened < PER_BUILD ? BOOK - opened : PER_BUILD;
    builderGas += (await (await builder.open(token, count, WAD, [100n, 50n, 95n])).wait())!.gasUsed;
  }
  const builderMs = performance.now() - started;
  const built = BOOK - BigInt(REAL_VAULTS);

  const shardCount = (BOOK + maxScan - 1n) / maxScan;
  const shards = Array.from(
    { length: Number(shardCount) },
    (_, i) => ({ ...WHOLE_BOOK, modulus: shardCount, residue: BigInt(i) }) as Shard,
  );

  // Healthy book: every check reads its whole shard, a previewLiquidation per vault (the worst case).
  let healthyMax = 0n;
  for (const s of shards) {
    const gas = await gasOfCheck(await check(upkeep, s));
    if (gas > healthyMax) healthyMax = gas;
  }
  const wholeBookPage = await gasOfCheck(await check(upkeep, WHOLE_BOOK));

  // Crash: −20% in steps the oracle accepts; then the network's loop until no shard has work.
  let [price] = await d.oracleHub.priceState(token);
  while (price > 2_400n * WAD) {
    price = price - (price * 25n) / 100n > 2_400n * WAD ? price - (price * 25n) / 100n : 2_400n * WAD;
    await time.increase(60);
    await (await weth.feed.setAnswer(toFeedAnswer(price, weth.spec.feedDecimals))).wait();
    await (await d.riskEngine.poke(token)).wait();
  }
  await mine(1);
  let crashCheckMax = 0n;
  let bytesMax = 0;
  const liquidationGas: bigint[] = [];
  let liquidated = 0n;
  started = performance.now();
  for (let round = 0, worked = true; worked; round++) {
    worked = false;
    for (const s of shards) {
      const c = await check(upkeep, s);
      if (!c.upkeepNeeded) continue;
      if (round === 0) {
        const gas = await gasOfCheck(c);
        if (gas > crashCheckMax) crashCheckMax = gas;
      }
      if (c.bytes > bytesMax) bytesMax = c.bytes;
      const receipt = (await (await upkeep.performUpkeep(c.performData)).wait())!;
      const [ids] = AbiCoder.defaultAbiCoder().decode(["uint256[]", "uint256[]"], c.performData);
      liquidated += BigInt(ids.length);
      liquidationGas.push(receipt.gasUsed);
      worked = true;
    }
  }
  const clearMs = performance.now() - started;
  const inAuction = (await d.dutchAuction.activeAuctions()).length;

  // Past the tail, with a fresh price: every auction needs a reset.
  await time.increase(7_201);
  await (await weth.feed.setAnswer(toFeedAnswer(price, weth.spec.feedDecimals))).wait();
  await (await d.riskEngine.poke(token)).wait();
  const resetCheck = await check(upkeep, shards[0]);
  const resetCheckGas = await gasOfCheck(resetCheck);
  const resetGas = (await (await upkeep.performUpkeep(resetCheck.performData)).wait())!.gasUsed;

  const max = (xs: bigint[]) => xs.reduce((a, b) => (b > a ? b : a), 0n);
  const mean = (xs: bigint[]) => xs.reduce((a, b) => a + b, 0n) / BigInt(xs.length);
  const perReal = realMs / REAL_VAULTS;
  const lines = [
    `### LiquidationUpkeep on ${fmt(BOOK)} vaults (scripts/bench/upkeep.ts)`,
    "",
    `Check gas: \`eth_estimateGas\` of \`checkUpkeep\` from the zero address (21,000 intrinsic included).`,
    `Shards: ${shardCount} residue classes (modulus ${shardCount}), at most ${maxScan} ids each (MAX_SCAN).`,
    "",
    "| measure | figure | Chainlink limit (Ethereum) |",
    "| --- | ---: | ---: |",
    `| \`checkUpkeep\` of one shard, healthy book (every vault previewed), max over shards | ${fmt(healthyMax)} | 10,000,000 |`,
    `| \`checkUpkeep\` of the whole book (one page of ${maxScan} ids) | ${fmt(wholeBookPage)} | 10,000,000 |`,
    `| \`checkUpkeep\` of one shard after a 20% crash, max over shards | ${fmt(crashCheckMax)} | 10,000,000 |`,
    `| \`performData\`, largest returned | ${fmt(bytesMax)} bytes | 2,000 bytes |`,
    `| \`performUpkeep\`, ${await upkeep.MAX_LIQUIDATIONS()} liquidations at most: max / mean over ${liquidationGas.length} performs | ${fmt(max(liquidationGas))} / ${fmt(mean(liquidationGas))} | 5,000,000 |`,
    `| \`checkUpkeep\` of one shard with stale auctions | ${fmt(resetCheckGas)} | 10,000,000 |`,
    `| \`performUpkeep\`, ${await upkeep.MAX_RESETS()} resets | ${fmt(resetGas)} | 5,000,000 |`,
    "",
    `After the crash: ${fmt(liquidated)} vaults liquidated by ${liquidationGas.length} performs, ${fmt(inAuction)} auctions running; ` +
      `the loop of checks and performs took ${(clearMs / 1000).toFixed(1)} s in process.`,
    "",
    `Building the book: ${REAL_VAULTS} vaults through users' transactions (5 each) took ${(realMs / 1000).toFixed(1)} s ` +
      `(${perReal.toFixed(1)} ms per vault: ${fmt(Number(BOOK))} vaults would take ~${((perReal * Number(BOOK)) / 1000).toFixed(0)} s); ` +
      `${fmt(built)} vaults through the BookBuilder (${PER_BUILD} per transaction) took ${(builderMs / 1000).toFixed(1)} s, ` +
      `${fmt(builderGas / built)} gas per vault.`,
  ];
  console.log(lines.join("\n"));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
