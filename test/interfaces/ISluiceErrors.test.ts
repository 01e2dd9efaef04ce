import { expect } from "chai";
import type { Interface } from "ethers";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  IDutchAuction__factory,
  ILiquidator__factory,
  IOracleHub__factory,
  IRiskEngine__factory,
  ISluiceErrors__factory,
  IStablecoin__factory,
  IVaultEngine__factory,
} from "../../typechain-types";
import { deploySluiceFixture } from "../helpers/fixtures";

/** The signatures (`VaultNotFound(uint256)`) of the custom errors in `abi`. */
function errorSignatures(abi: Interface): Set<string> {
  const signatures = new Set<string>();
  abi.forEachError((fragment) => signatures.add(fragment.format("sighash")));
  return signatures;
}

const protocolErrors = errorSignatures(ISluiceErrors__factory.createInterface());

describe("ISluiceErrors", function () {
  it("protocolErrors_eachDeclaredOnce_oneSignaturePerNameAndNoGenericOutOfRange", async function () {
    const names = [...protocolErrors].map((signature) => signature.slice(0, signature.indexOf("(")));
    expect(names.length).to.be.gt(0);
    expect(new Set(names).size, "one signature per error name").to.equal(names.length);
    expect(names).to.not.include("OutOfRange");
  });

  it("coreInterfaces_declareNoErrorOfTheirOwn_onlyInheritISluiceErrors", async function () {
    const interfaces = {
      IVaultEngine: IVaultEngine__factory,
      IOracleHub: IOracleHub__factory,
      IRiskEngine: IRiskEngine__factory,
      ILiquidator: ILiquidator__factory,
      IDutchAuction: IDutchAuction__factory,
      IStablecoin: IStablecoin__factory,
    };
    for (const [name, factory] of Object.entries(interfaces)) {
      expect([...errorSignatures(factory.createInterface())].sort(), name).to.deep.equal([...protocolErrors].sort());
    }
  });

  it("coreContracts_abi_holdsEveryProtocolError", async function () {
    const f = await loadFixture(deploySluiceFixture);
    const contracts = {
      VaultEngine: f.vaultEngine,
      OracleHub: f.oracleHub,
      RiskEngine: f.riskEngine,
      Liquidator: f.liquidator,
      DutchAuction: f.dutchAuction,
      Stablecoin: f.stablecoin,
    };
    for (const [name, contract] of Object.entries(contracts)) {
      const held = errorSignatures(contract.interface);
      const missing = [...protocolErrors].filter((signature) => !held.has(signature));
      expect(missing, `protocol errors missing from the ${name} ABI`).to.deep.equal([]);
    }
  });
});
