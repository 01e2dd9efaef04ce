import { expect } from "chai";
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { deploySluiceFixture, type SluiceFixture } from "../helpers/fixtures";

describe("Stablecoin", function () {
  let f: SluiceFixture;
  let alice: HardhatEthersSigner;
  let bob: HardhatEthersSigner;
  let carol: HardhatEthersSigner;

  const sld = (amount: string) => ethers.parseUnits(amount, 18);

  beforeEach(async function () {
    f = await deploySluiceFixture();
    [alice, bob, carol] = f.users;
  });

  /** Gives `owner` `amount` of stablecoin the only way there is: borrowing against WETH. */
  async function borrowTo(owner: HardhatEthersSigner, amount: bigint): Promise<void> {
    const engine = await f.vaultEngine.getAddress();
    const vaultId = (await f.vaultEngine.vaultCount()) + 1n;
    const collateral = ethers.parseEther("10");
    await f.vaultEngine.connect(owner).openVault(f.weth.token);
    await f.weth.token.mint(owner, collateral);
    await f.weth.token.connect(owner).approve(engine, collateral);
    await f.vaultEngine.connect(owner).deposit(vaultId, collateral);
    await f.vaultEngine.connect(owner).borrow(vaultId, amount, owner);
  }

  const PERMIT_TYPES = {
    Permit: [
      { name: "owner", type: "address" },
      { name: "spender", type: "address" },
      { name: "value", type: "uint256" },
      { name: "nonce", type: "uint256" },
      { name: "deadline", type: "uint256" },
    ],
  };

  async function permitDomain() {
    return {
      name: await f.stablecoin.name(),
      version: "1",
      chainId: (await ethers.provider.getNetwork()).chainId,
      verifyingContract: await f.stablecoin.getAddress(),
    };
  }

  /** Signs a permit for `owner`'s coins; `signer` is the owner unless a forgery is wanted. */
  async function signPermit(
    owner: HardhatEthersSigner,
    spender: string,
    value: bigint,
    deadline: bigint,
    signer: HardhatEthersSigner = owner,
  ) {
    const nonce = await f.stablecoin.nonces(owner);
    const signature = await signer.signTypedData(await permitDomain(), PERMIT_TYPES, {
      owner: owner.address,
      spender,
      value,
      nonce,
      deadline,
    });
    return ethers.Signature.from(signature);
  }

  it("metadata_isSluiceDollarWith18Decimals", async function () {
    expect(await f.stablecoin.name()).to.equal("Sluice Dollar");
    expect(await f.stablecoin.symbol()).to.equal("SLD");
    expect(await f.stablecoin.decimals()).to.equal(18n);
    expect(await f.stablecoin.totalSupply()).to.equal(0n);
  });

  it("engine_isTheVaultEngine", async function () {
    expect(await f.stablecoin.engine()).to.equal(await f.vaultEngine.getAddress());
  });

  it("mint_fromAnyOtherAccount_reverts", async function () {
    for (const caller of [alice, f.governor]) {
      await expect(f.stablecoin.connect(caller).mint(caller, sld("1")))
        .to.be.revertedWithCustomError(f.stablecoin, "NotEngine")
        .withArgs(caller.address);
    }
  });

  it("burn_fromAnyOtherAccount_reverts", async function () {
    await borrowTo(alice, sld("500"));
    for (const caller of [alice, f.governor]) {
      await expect(f.stablecoin.connect(caller).burn(alice, sld("1")))
        .to.be.revertedWithCustomError(f.stablecoin, "NotEngine")
        .withArgs(caller.address);
    }
    expect(await f.stablecoin.balanceOf(alice)).to.equal(sld("500"));
  });

  it("mintAndBurn_throughTheEngine_moveTheSupply", async function () {
    await borrowTo(alice, sld("500"));
    expect(await f.stablecoin.totalSupply()).to.equal(sld("500"));
    await expect(f.vaultEngine.connect(alice).repay(1n, sld("200"))).to.changeTokenBalance(
      f.stablecoin,
      alice,
      -sld("200"),
    );
    expect(await f.stablecoin.totalSupply()).to.equal(sld("300"));
  });

  it("transfer_betweenHolders_movesBalances", async function () {
    await borrowTo(alice, sld("500"));
    await expect(f.stablecoin.connect(alice).transfer(bob, sld("120"))).to.changeTokenBalances(
      f.stablecoin,
      [alice, bob],
      [-sld("120"), sld("120")],
    );
    await expect(f.stablecoin.connect(bob).transfer(carol, sld("121")))
      .to.be.revertedWithCustomError(f.stablecoin, "ERC20InsufficientBalance")
      .withArgs(bob.address, sld("120"), sld("121"));
  });

  it("transferFrom_withAllowance_movesBalancesAndSpendsAllowance", async function () {
    await borrowTo(alice, sld("500"));
    await f.stablecoin.connect(alice).approve(bob, sld("300"));
    await expect(f.stablecoin.connect(bob).transferFrom(alice, carol, sld("200"))).to.changeTokenBalances(
      f.stablecoin,
      [alice, carol],
      [-sld("200"), sld("200")],
    );
    expect(await f.stablecoin.allowance(alice, bob)).to.equal(sld("100"));
    await expect(f.stablecoin.connect(bob).transferFrom(alice, carol, sld("101")))
      .to.be.revertedWithCustomError(f.stablecoin, "ERC20InsufficientAllowance")
      .withArgs(bob.address, sld("100"), sld("101"));
  });

  it("permit_withOwnersSignature_setsAllowanceForTransferFrom", async function () {
    await borrowTo(alice, sld("500"));
    const value = sld("250");
    const deadline = BigInt(await time.latest()) + 3_600n;
    const { v, r, s } = await signPermit(alice, bob.address, value, deadline);

    // Anyone may submit the signed permit; the allowance is the owner's.
    await expect(f.stablecoin.connect(carol).permit(alice, bob, value, deadline, v, r, s))
      .to.emit(f.stablecoin, "Approval")
      .withArgs(alice.address, bob.address, value);
    expect(await f.stablecoin.allowance(alice, bob)).to.equal(value);
    expect(await f.stablecoin.nonces(alice)).to.equal(1n);
    expect(await f.stablecoin.DOMAIN_SEPARATOR()).to.equal(ethers.TypedDataEncoder.hashDomain(await permitDomain()));

    await expect(f.stablecoin.connect(bob).transferFrom(alice, bob, value)).to.changeTokenBalances(
      f.stablecoin,
      [alice, bob],
      [-value, value],
    );
  });

  it("permit_replayed_reverts", async function () {
    const deadline = BigInt(await time.latest()) + 3_600n;
    const { v, r, s } = await signPermit(alice, bob.address, sld("1"), deadline);
    await f.stablecoin.permit(alice, bob, sld("1"), deadline, v, r, s);
    await expect(f.stablecoin.permit(alice, bob, sld("1"), deadline, v, r, s)).to.be.revertedWithCustomError(
      f.stablecoin,
      "ERC2612InvalidSigner",
    );
  });

  it("permit_signedBySomeoneElse_reverts", async function () {
    const deadline = BigInt(await time.latest()) + 3_600n;
    const { v, r, s } = await signPermit(alice, bob.address, sld("1"), deadline, carol);
    await expect(f.stablecoin.permit(alice, bob, sld("1"), deadline, v, r, s))
      .to.be.revertedWithCustomError(f.stablecoin, "ERC2612InvalidSigner")
      .withArgs(carol.address, alice.address);
  });

  it("permit_afterDeadline_reverts", async function () {
    const deadline = BigInt(await time.latest()) + 60n;
    const { v, r, s } = await signPermit(alice, bob.address, sld("1"), deadline);
    await time.increase(120);
    await expect(f.stablecoin.permit(alice, bob, sld("1"), deadline, v, r, s))
      .to.be.revertedWithCustomError(f.stablecoin, "ERC2612ExpiredSignature")
      .withArgs(deadline);
  });
});
