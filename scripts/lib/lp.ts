// The liquidity providers' command line (`npm run lp -- <command>`): list live auctions, take from one
// with the LP's own stablecoin, make the BackstopPool bid, and deposit into / withdraw from the pool.
// Every refusal is one `LpError` line, raised before anything is signed: a refused command sends nothing.
import { Command, CommanderError, Option } from "commander";
import Table from "cli-table3";
import {
  JsonRpcSigner,
  NonceManager,
  Wallet,
  formatUnits,
  getAddress,
  parseUnits,
  type ContractRunner,
  type Interface,
} from "ethers";
import path from "node:path";
import { z } from "zod";
import { readManifestFile, manifestPath, DEPLOYMENTS_DIR, type Manifest } from "../../keeper/src/config/manifest";
import { LOCAL_NETWORKS, LOCAL_RPC_URL, addConnectionOptions } from "../../keeper/src/config/options";
import { FetchJsonRpcProvider, describeError } from "../../keeper/src/chain/transport";
import { fill, TakeRefused } from "../../keeper/src/math/liquidation";
import { WAD } from "../../keeper/src/math/fixedPoint";
import { IBackstopPool__factory } from "../../typechain-types/factories/contracts/interfaces/IBackstopPool__factory";
import { IDutchAuction__factory } from "../../typechain-types/factories/contracts/interfaces/IDutchAuction__factory";
import { IOracleHub__factory } from "../../typechain-types/factories/contracts/interfaces/IOracleHub__factory";
import { IStablecoin__factory } from "../../typechain-types/factories/contracts/interfaces/IStablecoin__factory";
import { IVaultEngine__factory } from "../../typechain-types/factories/contracts/interfaces/IVaultEngine__factory";

/** No colours: the output is read by people and by scripts alike. */
const PLAIN = { head: [], border: [] };

/** A refusal or a configuration problem: printed as one line, exit code `code`, nothing sent. */
export class LpError extends Error {
  constructor(
    message: string,
    readonly code = 1,
  ) {
    super(message);
    this.name = "LpError";
  }
}

export interface LpIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Asks a yes/no question on a terminal; undefined when stdin is not one. */
  confirm?: (question: string) => Promise<boolean>;
  env: Record<string, string | undefined>;
}

interface CommonOptions {
  network: string;
  rpcUrl?: string;
  privateKey?: string;
  manifest?: string;
  yes: boolean;
}

const commonSchema = z.object({
  network: z.string().regex(/^[A-Za-z0-9_-]+$/, "must be a network name such as localhost"),
  rpcUrl: z.url({ protocol: /^https?$/, message: "must be an http(s) URL" }).optional(),
  privateKey: z
    .string()
    .regex(/^0x[0-9a-fA-F]{64}$/, "must be 0x followed by 64 hex digits")
    .optional(),
  manifest: z.string().min(1).optional(),
  yes: z.boolean(),
});

const FLAG: Record<string, string> = {
  network: "--network",
  rpcUrl: "--rpc-url / RPC_URL",
  privateKey: "--private-key / PRIVATE_KEY",
  manifest: "--manifest",
};

/** Parses a decimal amount exactly (never through a float); `what` names the flag in the message. */
export function parseAmount(text: string, decimals: number, what: string, allowZero = false): bigint {
  if (!/^\d+(\.\d+)?$/.test(text)) throw new LpError(`${what}: must be a decimal number such as 1.5, got '${text}'`);
  const fraction = text.split(".")[1] ?? "";
  if (fraction.length > decimals) {
    throw new LpError(`${what}: at most ${decimals} decimals, got '${text}'`);
  }
  const amount = parseUnits(text, decimals);
  if (amount === 0n && !allowZero) throw new LpError(`${what}: must be more than 0, got '${text}'`);
  return amount;
}

function parseId(text: string): bigint {
  if (!/^\d+$/.test(text) || BigInt(text) === 0n) {
    throw new LpError(`<auctionId>: must be a whole number above 0, got '${text}'`);
  }
  return BigInt(text);
}

function addCommon(command: Command): Command {
  return addConnectionOptions(command, "LP's key")
    .addOption(new Option("-y, --yes", "send without asking for confirmation (needed when stdin is not a terminal)"))
    .helpOption("-h, --help", "show this help");
}

// ---------------------------------------------------------------- the session: node, manifest, signer

interface Session {
  manifest: Manifest;
  provider: FetchJsonRpcProvider;
  /** Undefined for read-only commands run without a key off a local network. */
  signer: ContractRunner & { getAddress(): Promise<string> };
  account: string;
  auction: ReturnType<typeof IDutchAuction__factory.connect>;
  pool: ReturnType<typeof IBackstopPool__factory.connect>;
  stablecoin: ReturnType<typeof IStablecoin__factory.connect>;
  oracle: ReturnType<typeof IOracleHub__factory.connect>;
  engine: ReturnType<typeof IVaultEngine__factory.connect>;
  yes: boolean;
  io: LpIo;
  close(): void;
}

async function openSession(raw: CommonOptions, io: LpIo): Promise<Session> {
  const options = { ...raw };
  options.rpcUrl ??= io.env.RPC_URL || undefined;
  options.privateKey ??= io.env.PRIVATE_KEY || undefined;
  const parsed = commonSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = String(issue.path[0] ?? "");
    const given = (options as Record<string, unknown>)[key];
    throw new LpError(
      `${FLAG[key] ?? key}: ${issue.message}${given !== undefined ? `, got '${String(given)}'` : ""}`,
      2,
    );
  }
  const config = parsed.data;
  const local = LOCAL_NETWORKS.includes(config.network);
  if (!config.rpcUrl && !local)
    throw new LpError(`--rpc-url / RPC_URL: missing (required on network '${config.network}')`, 2);
  if (!config.privateKey && !local) {
    throw new LpError(`--private-key / PRIVATE_KEY: missing (required on network '${config.network}')`, 2);
  }
  const file = config.manifest ? path.resolve(config.manifest) : manifestPath(config.network, DEPLOYMENTS_DIR);
  let manifest: Manifest;
  try {
    manifest = readManifestFile(file);
  } catch (error) {
    throw new LpError(error instanceof Error ? error.message : String(error), 2);
  }
  for (const name of ["Stablecoin", "VaultEngine", "OracleHub", "DutchAuction", "BackstopPool"] as const) {
    if (!manifest.contracts[name]) throw new LpError(`${file}: contracts.${name} is missing`, 2);
  }
  const rpcUrl = config.rpcUrl ?? LOCAL_RPC_URL;
  const provider = new FetchJsonRpcProvider(rpcUrl, manifest.chainId);
  try {
    let chainId: bigint;
    try {
      chainId = BigInt(await provider.send("eth_chainId", []));
    } catch (error) {
      throw new LpError(`cannot reach the node at ${rpcUrl}: ${describeError(error)}`, 2);
    }
    if (chainId !== BigInt(manifest.chainId)) {
      throw new LpError(
        `chain id mismatch: the node at ${rpcUrl} is chain ${chainId}, but ${file} is for chain ${manifest.chainId}`,
        2,
      );
    }
    const code = await provider.getCode(manifest.contracts.BackstopPool!);
    if (code === "0x") {
      throw new LpError(
        `no code at BackstopPool ${manifest.contracts.BackstopPool} on chain ${chainId} (wrong manifest?)`,
        2,
      );
    }
    let signer: Session["signer"];
    if (config.privateKey) {
      // Counts its own nonces: the provider caches identical reads for a moment, so an approval and
      // the deposit right after it would otherwise read the same pending nonce.
      signer = new NonceManager(new Wallet(config.privateKey, provider));
    } else {
      const accounts = (await provider.send("eth_accounts", [])) as string[];
      if (accounts.length === 0) {
        throw new LpError("--private-key / PRIVATE_KEY: missing, and the node has no unlocked account to use", 2);
      }
      signer = new JsonRpcSigner(provider, getAddress(accounts[0]));
      io.err(`lp: warning: no --private-key: using the local node's first account ${accounts[0]}\n`);
    }
    const account = await signer.getAddress();
    const c = manifest.contracts;
    return {
      manifest,
      provider,
      signer,
      account,
      auction: IDutchAuction__factory.connect(c.DutchAuction!, signer),
      pool: IBackstopPool__factory.connect(c.BackstopPool!, signer),
      stablecoin: IStablecoin__factory.connect(c.Stablecoin!, signer),
      oracle: IOracleHub__factory.connect(c.OracleHub!, signer),
      engine: IVaultEngine__factory.connect(c.VaultEngine!, signer),
      yes: config.yes,
      io,
      close: () => provider.destroy(),
    };
  } catch (error) {
    provider.destroy();
    throw error;
  }
}

function collateralInfo(session: Session, token: string): { symbol: string; decimals: number } {
  for (const [symbol, entry] of Object.entries(session.manifest.collaterals)) {
    if (entry.token.toLowerCase() === token.toLowerCase()) return { symbol, decimals: entry.decimals };
  }
  throw new LpError(`collateral ${token} is not in the manifest`);
}

/** The contracts' custom error in a failed simulation, as `Name(args)`; else the node's message. */
function revertReason(session: Session, error: unknown): string {
  const data =
    (error as { data?: string }).data ?? (error as { info?: { error?: { data?: string } } }).info?.error?.data;
  if (typeof data === "string" && data.length >= 10) {
    for (const contract of [session.auction, session.pool, session.engine, session.oracle, session.stablecoin]) {
      try {
        const parsed = (contract.interface as Interface).parseError(data);
        if (parsed) return `${parsed.name}(${parsed.args.map(String).join(", ")})`;
      } catch {
        // Not this contract's error; try the next.
      }
    }
  }
  return describeError(error);
}

async function simulate<T>(session: Session, what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new LpError(`${what} would revert: ${revertReason(session, error)}; nothing sent`);
  }
}

async function confirm(session: Session, plan: string[]): Promise<void> {
  for (const line of plan) session.io.out(`${line}\n`);
  if (session.yes) return;
  if (!session.io.confirm) {
    throw new LpError("stdin is not a terminal, so nothing can be confirmed: pass --yes to send; nothing sent");
  }
  if (!(await session.io.confirm("Send? [y/N] "))) throw new LpError("not confirmed; nothing sent");
}

async function send(session: Session, what: string, tx: () => Promise<{ hash: string; wait(): Promise<unknown> }>) {
  const response = await tx();
  session.io.out(`${what}: sent ${response.hash}\n`);
  const receipt = (await response.wait()) as { status?: number; blockNumber: number; logs: unknown[] } | null;
  if (!receipt || receipt.status !== 1) throw new LpError(`${what}: transaction ${response.hash} failed`);
  session.io.out(`${what}: mined in block ${receipt.blockNumber}\n`);
  return receipt;
}

const fmt = (amount: bigint, decimals = 18, places = 4): string => {
  const [whole, fraction = ""] = formatUnits(amount, decimals).split(".");
  const trimmed = fraction.slice(0, places).replace(/0+$/, "");
  return `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}${trimmed ? `.${trimmed}` : ""}`;
};
const pct = (ratio: bigint): string => `${fmt(ratio * 100n, 18, 2)}%`;
const when = (timestamp: bigint): string => new Date(Number(timestamp) * 1000).toISOString().replace(".000Z", "Z");

async function blockTime(session: Session): Promise<bigint> {
  const block = await session.provider.getBlock("latest");
  if (!block) throw new LpError("the node has no latest block");
  return BigInt(block.timestamp);
}

// ---------------------------------------------------------------- auctions

interface LiveAuction {
  id: bigint;
  collateral: string;
  symbol: string;
  decimals: number;
  collateralLeft: bigint;
  debtLeft: bigint;
  price: bigint;
  needsReset: boolean;
}

/** A running auction, or one line saying why `id` is none: never existed, or already over. */
async function liveAuction(session: Session, id: bigint): Promise<LiveAuction> {
  const record = await session.auction.auctions(id);
  if (record.debtLeft === 0n) {
    const started = await session.provider.getLogs({
      address: session.manifest.contracts.DutchAuction,
      topics: [
        session.auction.interface.getEvent("AuctionStarted").topicHash,
        `0x${id.toString(16).padStart(64, "0")}`,
      ],
      fromBlock: session.manifest.deployBlock,
      toBlock: "latest",
    });
    if (started.length === 0) throw new LpError(`no auction ${id}: no such auction was ever started; nothing sent`);
    throw new LpError(`auction ${id} has finished: nothing is left to buy; nothing sent`);
  }
  const status = await session.auction.auctionStatus(id);
  const { symbol, decimals } = collateralInfo(session, record.collateral);
  return {
    id,
    collateral: record.collateral,
    symbol,
    decimals,
    collateralLeft: status.collateralLeft,
    debtLeft: status.debtLeft,
    price: status.price,
    needsReset: status.needsReset,
  };
}

async function oraclePrice(session: Session, collateral: string): Promise<bigint | undefined> {
  return session.oracle.price(collateral).catch(() => undefined);
}

async function auctionsCommand(session: Session, options: { minutes: string }): Promise<void> {
  if (!/^\d+$/.test(options.minutes) || Number(options.minutes) < 1 || Number(options.minutes) > 120) {
    throw new LpError(`--minutes: must be a whole number from 1 to 120, got '${options.minutes}'`, 2);
  }
  const minutes = BigInt(options.minutes);
  const ids = await session.auction.activeAuctions();
  if (ids.length === 0) {
    session.io.out("no live auctions\n");
    return;
  }
  const now = await blockTime(session);
  const table = new Table({
    style: PLAIN,
    head: ["auction", "collateral", "left", "debt left", "price now", "oracle", "discount", "status"],
  });
  const steps = [1n, 2n, 5n, 10n, 15n, 30n, 60n, 120n].filter((m) => m <= minutes);
  if (!steps.includes(minutes)) steps.push(minutes);
  const schedule = new Table({ style: PLAIN, head: ["auction", ...steps.map((m) => `+${m}m`)] });
  for (const id of ids) {
    const lot = await liveAuction(session, id);
    const oracle = await oraclePrice(session, lot.collateral);
    const discount = oracle && oracle > 0n ? WAD - (lot.price * WAD) / oracle : undefined;
    table.push([
      String(id),
      lot.symbol,
      fmt(lot.collateralLeft, lot.decimals),
      fmt(lot.debtLeft),
      fmt(lot.price, 18, 2),
      oracle === undefined ? "stale" : fmt(oracle, 18, 2),
      discount === undefined ? "-" : pct(discount),
      lot.needsReset ? "needs reset" : "live",
    ]);
    const prices = await Promise.all(steps.map((m) => session.auction.auctionPriceAt(id, now + m * 60n)));
    schedule.push([String(id), ...prices.map((price) => fmt(price, 18, 2))]);
  }
  session.io.out(`Live auctions at block time ${when(now)} (prices in stablecoin per collateral unit)\n`);
  session.io.out(
    `${table.toString()}\nPrice over the next ${minutes} minutes (if not reset):\n${schedule.toString()}\n`,
  );
}

// ---------------------------------------------------------------- bid (direct take)

async function bidCommand(
  session: Session,
  idText: string,
  options: { maxPrice?: string; amount?: string },
): Promise<void> {
  const id = parseId(idText);
  if (options.maxPrice === undefined)
    throw new LpError("--max-price: missing (the most stablecoin per collateral unit you pay)", 2);
  const maxPrice = parseAmount(options.maxPrice, 18, "--max-price");
  const lot = await liveAuction(session, id);
  const amount =
    options.amount === undefined ? lot.collateralLeft : parseAmount(options.amount, lot.decimals, "--amount");
  if (lot.needsReset) throw new LpError(`auction ${id} needs a reset before anyone can take from it; nothing sent`);
  if (lot.price > maxPrice) {
    throw new LpError(
      `auction ${id}'s price is ${fmt(lot.price, 18, 6)}, above --max-price ${fmt(maxPrice, 18, 6)}; nothing sent`,
    );
  }
  const dust = await session.auction.dust(lot.collateral);
  let planned: { collateralBought: bigint; debtPaid: bigint };
  try {
    planned = fill(lot.collateralLeft, lot.debtLeft, amount, lot.price, lot.decimals, dust);
  } catch (error) {
    if (error instanceof TakeRefused)
      throw new LpError(`auction ${id} refuses this take: ${error.message}; nothing sent`);
    throw error;
  }
  const balance = await session.stablecoin.balanceOf(session.account);
  if (balance < planned.debtPaid) {
    throw new LpError(
      `insufficient stablecoin: the take costs ${fmt(planned.debtPaid)} but ${session.account} holds ${fmt(balance)}; nothing sent`,
    );
  }
  await simulate(session, "the take", () =>
    session.auction.take.staticCall(id, amount, maxPrice, session.account, "0x"),
  );
  const oracle = await oraclePrice(session, lot.collateral);
  await confirm(session, [
    `Take from auction ${id}: ${fmt(planned.collateralBought, lot.decimals, 8)} ${lot.symbol} ` +
      `for about ${fmt(planned.debtPaid)} stablecoin (price now ${fmt(lot.price, 18, 2)}, at most ${fmt(maxPrice, 18, 2)}` +
      `${oracle ? `, oracle ${fmt(oracle, 18, 2)}` : ""}), to ${session.account}, no callback`,
  ]);
  const receipt = await send(session, "take", () => session.auction.take(id, amount, maxPrice, session.account, "0x"));
  for (const log of (receipt as { logs: { topics: string[]; data: string }[] }).logs) {
    const parsed = (() => {
      try {
        return session.auction.interface.parseLog(log);
      } catch {
        return null;
      }
    })();
    if (parsed?.name === "Take") {
      session.io.out(
        `bought ${fmt(parsed.args.collateralBought as bigint, lot.decimals, 8)} ${lot.symbol} for ` +
          `${fmt(parsed.args.debtPaid as bigint)} stablecoin at ${fmt(parsed.args.price as bigint, 18, 6)}\n`,
      );
    }
  }
}

// ---------------------------------------------------------------- pool-bid

async function poolBidCommand(session: Session, idText: string, options: { amount?: string }): Promise<void> {
  const id = parseId(idText);
  const lot = await liveAuction(session, id);
  const amount =
    options.amount === undefined ? lot.collateralLeft : parseAmount(options.amount, lot.decimals, "--amount");
  if (lot.needsReset) throw new LpError(`auction ${id} needs a reset before anyone can take from it; nothing sent`);
  const poolMax = await simulate(session, "the pool's price check", () => session.pool.maxBidPrice(lot.collateral));
  if (lot.price > poolMax) {
    throw new LpError(
      `auction ${id}'s price is ${fmt(lot.price, 18, 6)}, above the pool's highest bid ${fmt(poolMax, 18, 6)} ` +
        `(the oracle less the pool's minimum discount); nothing sent`,
    );
  }
  const result = await simulate(session, "the pool's bid", () => session.pool.bid.staticCall(id, amount));
  await confirm(session, [
    `BackstopPool bid on auction ${id}: buys ${fmt(result.collateralBought, lot.decimals, 8)} ${lot.symbol} for ` +
      `${fmt(result.debtPaid)} of the pool's stablecoin; you earn ${fmt(result.callerCut)} stablecoin`,
  ]);
  await send(session, "pool bid", () => session.pool.bid(id, amount));
}

// ---------------------------------------------------------------- deposit, activate, withdraw, position

async function depositCommand(session: Session, amountText: string, options: { approve?: boolean }): Promise<void> {
  const amount = parseAmount(amountText, 18, "<amount>");
  const poolAddress = session.manifest.contracts.BackstopPool!;
  const [balance, allowance, warmup, lock] = await Promise.all([
    session.stablecoin.balanceOf(session.account),
    session.stablecoin.allowance(session.account, poolAddress),
    session.pool.warmup(),
    session.pool.lockPeriod(),
  ]);
  if (balance < amount) {
    throw new LpError(
      `insufficient stablecoin: depositing ${fmt(amount)} but ${session.account} holds ${fmt(balance)}; nothing sent`,
    );
  }
  const needsApproval = allowance < amount;
  if (needsApproval && !options.approve) {
    throw new LpError(
      `insufficient allowance: the BackstopPool may spend ${fmt(allowance)} of ${session.account}'s stablecoin, ` +
        `the deposit needs ${fmt(amount)}; rerun with --approve to approve it first; nothing sent`,
    );
  }
  if (!needsApproval) {
    await simulate(session, "the deposit", () => session.pool.deposit.staticCall(amount, session.account));
  }
  await confirm(session, [
    ...(needsApproval ? [`Approve the BackstopPool ${poolAddress} to spend ${fmt(amount)} stablecoin`] : []),
    `Deposit ${fmt(amount)} stablecoin into the BackstopPool for ${session.account}: pending at least ` +
      `${Number(warmup) / 3600} h, then shares locked ${Number(lock) / 3600} h`,
  ]);
  if (needsApproval) await send(session, "approve", () => session.stablecoin.approve(poolAddress, amount));
  await send(session, "deposit", () => session.pool.deposit(amount, session.account));
  const position = await session.pool.positionOf(session.account);
  if (position.pendingAmount !== 0n) {
    session.io.out(`pending ${fmt(position.pendingAmount)} stablecoin, active from ${when(position.maturesAt)}\n`);
  }
}

async function activateCommand(session: Session): Promise<void> {
  const position = await session.pool.positionOf(session.account);
  const now = await blockTime(session);
  if (position.pendingAmount === 0n) {
    throw new LpError(`${session.account} has no pending deposit to activate; nothing sent`);
  }
  if (position.maturesAt > now) {
    throw new LpError(
      `the pending deposit of ${fmt(position.pendingAmount)} matures at ${when(position.maturesAt)}, not yet; nothing sent`,
    );
  }
  await simulate(session, "activate", () => session.pool.activate.staticCall(session.account));
  await confirm(session, [
    `Activate ${session.account}'s matured deposit of ${fmt(position.pendingAmount)} stablecoin`,
  ]);
  await send(session, "activate", () => session.pool.activate(session.account));
  const after = await session.pool.positionOf(session.account);
  session.io.out(`${after.shares} shares, locked until ${when(after.lockedUntil)}\n`);
}

async function withdrawCommand(session: Session, sharesText: string): Promise<void> {
  if (sharesText !== "all" && !/^\d+$/.test(sharesText)) {
    throw new LpError(`<shares>: must be a whole number of shares or 'all', got '${sharesText}'`, 2);
  }
  const [position, now] = await Promise.all([session.pool.positionOf(session.account), blockTime(session)]);
  if (position.shares === 0n && position.pendingAmount !== 0n) {
    const matured = position.maturesAt <= now;
    throw new LpError(
      `the deposit of ${fmt(position.pendingAmount)} stablecoin is still pending (` +
        (matured ? "matured: run `lp activate` first" : `matures at ${when(position.maturesAt)}`) +
        "): pending deposits have no shares to withdraw; nothing sent",
    );
  }
  if (position.shares === 0n) throw new LpError(`${session.account} has no shares in the BackstopPool; nothing sent`);
  const shares = sharesText === "all" ? position.shares : BigInt(sharesText);
  if (shares === 0n) throw new LpError("<shares>: must be more than 0", 2);
  if (shares > position.shares) {
    throw new LpError(`${session.account} has ${position.shares} shares, cannot withdraw ${shares}; nothing sent`);
  }
  if (position.lockedUntil > now) {
    throw new LpError(
      `the shares are locked until ${when(position.lockedUntil)} (${fmtDuration(position.lockedUntil - now)} from now); nothing sent`,
    );
  }
  await simulate(session, "the withdrawal", () => session.pool.withdraw.staticCall(shares, session.account));
  const [preview, tokens] = await Promise.all([session.pool.previewWithdraw(shares), session.pool.collaterals()]);
  await confirm(session, [
    `Withdraw ${shares} shares from the BackstopPool to ${session.account}: ${describeHoldings(session, preview[0], preview[1], tokens)}`,
  ]);
  await send(session, "withdraw", () => session.pool.withdraw(shares, session.account));
}

function describeHoldings(session: Session, stablecoin: bigint, amounts: bigint[], tokens: string[]): string {
  const parts = [`${fmt(stablecoin)} stablecoin`];
  tokens.forEach((token, i) => {
    if (amounts[i] === 0n) return;
    const { symbol, decimals } = collateralInfo(session, token);
    parts.push(`${fmt(amounts[i], decimals, 8)} ${symbol}`);
  });
  return parts.join(", ");
}

function fmtDuration(seconds: bigint): string {
  const h = seconds / 3600n;
  const m = (seconds % 3600n) / 60n;
  return h > 0n ? `${h} h ${m} min` : `${m} min ${seconds % 60n} s`;
}

async function positionCommand(session: Session): Promise<void> {
  const [position, now, balance, totalShares, tokens] = await Promise.all([
    session.pool.positionOf(session.account),
    blockTime(session),
    session.stablecoin.balanceOf(session.account),
    session.pool.totalShares(),
    session.pool.collaterals(),
  ]);
  const table = new Table({ style: PLAIN });
  table.push(
    { account: session.account },
    { "stablecoin balance": fmt(balance) },
    {
      pending:
        position.pendingAmount === 0n
          ? "none"
          : `${fmt(position.pendingAmount)} (round ${position.pendingRound}, ` +
            `${position.maturesAt <= now ? "matured: run `lp activate`" : `matures ${when(position.maturesAt)}`})`,
    },
    {
      shares: `${position.shares}${totalShares > 0n ? ` (${pct((position.shares * WAD) / totalShares)} of the pool)` : ""}`,
    },
    {
      locked:
        position.shares === 0n
          ? "-"
          : position.lockedUntil > now
            ? `until ${when(position.lockedUntil)}`
            : "no (withdrawable)",
    },
    { value: fmt(position.value) },
  );
  if (position.shares !== 0n) {
    const preview = await session.pool.previewWithdraw(position.shares);
    table.push({ "withdraws now": describeHoldings(session, preview[0], preview[1], tokens) });
  }
  session.io.out(`${table.toString()}\n`);
}

// ---------------------------------------------------------------- program

export function buildProgram(io: LpIo, run: (task: Promise<void>) => void): Command {
  const program = new Command("lp")
    .description("Sluice liquidity providers: watch auctions, bid, and deposit into the BackstopPool")
    .helpOption("-h, --help", "show this help")
    .showHelpAfterError(false);
  const action =
    <A extends unknown[]>(body: (session: Session, ...args: A) => Promise<void>) =>
    (...args: unknown[]) => {
      const command = args[args.length - 1] as Command;
      const options = command.opts() as CommonOptions;
      run(
        (async () => {
          const session = await openSession({ ...options, yes: options.yes ?? false }, io);
          try {
            await body(session, ...(args.slice(0, -1) as A));
          } finally {
            session.close();
          }
        })(),
      );
    };

  addCommon(program.command("auctions").description("list live auctions: price now and over the next minutes"))
    .addOption(new Option("--minutes <n>", "how far ahead to show the price").default("10"))
    .action(action((session, options: { minutes: string }) => auctionsCommand(session, options)));
  addCommon(
    program.command("bid").description("take from an auction with your own stablecoin (you receive the collateral)"),
  )
    .argument("<auctionId>", "the auction (its vault's id)")
    .addOption(new Option("--max-price <price>", "highest price you pay, stablecoin per collateral unit (required)"))
    .addOption(new Option("--amount <collateral>", "most collateral to buy (default: all that is left)"))
    .action(
      action((session, id: string, options: { maxPrice?: string; amount?: string }) =>
        bidCommand(session, id, options),
      ),
    );
  addCommon(
    program.command("pool-bid").description("make the BackstopPool buy from an auction; you earn its caller cut"),
  )
    .argument("<auctionId>", "the auction (its vault's id)")
    .addOption(new Option("--amount <collateral>", "most collateral the pool buys (default: all that is left)"))
    .action(action((session, id: string, options: { amount?: string }) => poolBidCommand(session, id, options)));
  addCommon(program.command("deposit").description("deposit stablecoin into the BackstopPool (pending, then locked)"))
    .argument("<amount>", "stablecoin to deposit, a decimal number")
    .addOption(new Option("--approve", "approve the pool to spend the amount first, if the allowance is short"))
    .action(
      action((session, amount: string, options: { approve?: boolean }) => depositCommand(session, amount, options)),
    );
  addCommon(program.command("activate").description("turn your matured pending deposit into shares")).action(
    action((session) => activateCommand(session)),
  );
  addCommon(program.command("withdraw").description("redeem pool shares for stablecoin and collateral, in kind"))
    .argument("<shares>", "a whole number of shares, or 'all'")
    .action(action((session, shares: string) => withdrawCommand(session, shares)));
  addCommon(program.command("position").description("your BackstopPool position: pending, shares, lock, value")).action(
    action((session) => positionCommand(session)),
  );
  return program;
}

/** Runs one command line (argv without node and the script); resolves to the exit code. */
export async function runLp(argv: string[], io: LpIo): Promise<number> {
  let task: Promise<void> | undefined;
  const program = buildProgram(io, (started) => (task = started));
  program.exitOverride().configureOutput({ writeOut: io.out, writeErr: () => undefined });
  for (const command of program.commands) {
    command.exitOverride().configureOutput({ writeOut: io.out, writeErr: () => undefined });
  }
  try {
    program.parse(argv, { from: "user" });
    if (!task) {
      if (argv.length === 0) {
        io.out(program.helpInformation());
        return 2;
      }
      return 0;
    }
    await task;
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.help") return 0;
      io.err(`lp: ${error.message.replace(/^error: /, "").replace(/\s*\n\s*/g, " ")}\n`);
      return 2;
    }
    if (error instanceof LpError) {
      io.err(`lp: ${error.message}\n`);
      return error.code;
    }
    io.err(`lp: ${describeError(error)}\n`);
    return 1;
  }
}
