// VaultEngine._setAmounts writes a vault's third slot with one hand-written `sstore`, assuming that
// slot holds exactly `collateralAmount` (low 128 bits) and `normalizedDebt` (high 128 bits). The
// compiler's storage layout is checked here, so moving a field fails this test instead of silently
// corrupting vaults.
import { expect } from "chai";
import hre from "hardhat";

interface StorageMember {
  label: string;
  slot: string;
  offset: number;
  type: string;
}

interface StorageLayout {
  storage: StorageMember[];
  types: Record<string, { label: string; members?: StorageMember[]; numberOfBytes: string }>;
}

async function storageLayout(source: string, contract: string): Promise<StorageLayout> {
  const buildInfo = await hre.artifacts.getBuildInfo(`${source}:${contract}`);
  if (!buildInfo) throw new Error(`no build info for ${contract}: compile first`);
  const output = buildInfo.output.contracts[source][contract] as unknown as { storageLayout?: StorageLayout };
  if (!output.storageLayout) throw new Error("the compiler was not asked for storageLayout (hardhat.config.ts)");
  return output.storageLayout;
}

describe("VaultEngine storage layout", function () {
  it("vaultRecord_thirdSlot_holdsExactlyTheTwoAmountsSetAmountsWrites", async function () {
    const layout = await storageLayout("contracts/core/VaultEngine.sol", "VaultEngine");
    const vaults = layout.storage.find((entry) => entry.label === "_vaults");
    expect(vaults, "_vaults mapping").to.not.equal(undefined);
    const mapping = layout.types[vaults!.type];
    const valueType = Object.entries(layout.types).find(
      ([id, type]) => mapping.label.includes("VaultRecord") && id.includes("VaultRecord") && type.members,
    );
    expect(valueType, "VaultRecord struct").to.not.equal(undefined);
    const members = valueType![1].members!;
    const inSlot2 = members.filter((member) => member.slot === "2");
    expect(inSlot2.map((m) => [m.label, m.offset, layout.types[m.type].label])).to.deep.equal([
      ["collateralAmount", 0, "uint128"],
      ["normalizedDebt", 16, "uint128"],
    ]);
    expect(valueType![1].numberOfBytes, "three slots").to.equal("96");
  });
});
