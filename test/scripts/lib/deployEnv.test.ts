import { expect } from "chai";
import { deploySettings } from "../../../scripts/lib/deployEnv";

const ADMIN = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const GUARDIAN = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";

/** The message `deploySettings` throws for `env`, or undefined if it accepts it. */
function problem(env: NodeJS.ProcessEnv, local = false): string | undefined {
  try {
    deploySettings(env, local);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

describe("scripts/lib/deployEnv", function () {
  it("deploySettings_onALiveNetwork_passesTheDelayAdminAndGuardian", function () {
    const settings = deploySettings(
      { GOVERNANCE_DELAY: "172800", ADMIN_ADDRESS: ADMIN.toLowerCase(), GUARDIAN_ADDRESS: GUARDIAN },
      false,
    );
    expect(settings).to.deep.equal({
      governanceDelay: 172_800,
      admin: ADMIN,
      guardian: GUARDIAN,
      withMocks: false,
      deploymentsDir: undefined,
      ignored: [],
    });
  });

  it("deploySettings_aBadAdminAddress_givesOneClearLine", function () {
    for (const [value, reason] of [
      ["0x1234", "must be a 0x-prefixed 20-byte hex address"],
      ["multisig.eth", "must be a 0x-prefixed 20-byte hex address"],
      ["", "must be a 0x-prefixed 20-byte hex address"],
      [ADMIN.replace("C51812dc", "c51812dc"), "bad EIP-55 checksum"],
      ["0x0000000000000000000000000000000000000000", "must not be the zero address"],
    ]) {
      const message = problem({ GOVERNANCE_DELAY: "86400", ADMIN_ADDRESS: value }, false);
      expect(message, value).to.be.a("string");
      expect(message!.split("\n"), value).to.have.length(1);
      expect(message, value).to.match(new RegExp(`^ADMIN_ADDRESS: .*${reason}.*, got '${value}'$`));
    }
  });

  it("deploySettings_aBadGuardianAddress_isReportedToo", function () {
    expect(problem({ GOVERNANCE_DELAY: "86400", GUARDIAN_ADDRESS: "0xabc" }, false)).to.match(/^GUARDIAN_ADDRESS: /);
  });

  it("deploySettings_onALiveNetworkWithoutADelay_refuses", function () {
    expect(problem({ ADMIN_ADDRESS: ADMIN }, false)).to.match(/^GOVERNANCE_DELAY: must be set .* live network/);
    expect(problem({ GOVERNANCE_DELAY: "0" }, false)).to.match(/^GOVERNANCE_DELAY: /);
  });

  it("deploySettings_withSeveralProblems_givesOneLineEach", function () {
    const message = problem({ GOVERNANCE_DELAY: "-5", ADMIN_ADDRESS: "0x1", GUARDIAN_ADDRESS: "0x2" }, false)!;
    expect(message.split("\n").map((line) => line.split(":")[0])).to.have.members([
      "GOVERNANCE_DELAY",
      "ADMIN_ADDRESS",
      "GUARDIAN_ADDRESS",
    ]);
  });

  it("deploySettings_onALocalChain_keepsInstantGovernanceAndSaysWhatItIgnores", function () {
    expect(deploySettings({}, true)).to.deep.equal({
      governanceDelay: 0,
      withMocks: true,
      deploymentsDir: undefined,
      ignored: [],
    });
    const settings = deploySettings({ GOVERNANCE_DELAY: "86400", ADMIN_ADDRESS: ADMIN }, true);
    expect(settings.governanceDelay).to.equal(0);
    expect(settings.admin).to.equal(undefined);
    expect(settings.ignored).to.deep.equal(["GOVERNANCE_DELAY", "ADMIN_ADDRESS"]);
    // Still validated locally: a typo is reported before it reaches a live network.
    expect(problem({ ADMIN_ADDRESS: "0x1" }, true)).to.match(/^ADMIN_ADDRESS: /);
  });
});
