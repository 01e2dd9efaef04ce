// The environment scripts/deploy.ts reads (.env), validated before anything is sent: one line per
// problem, so a typo in an address never costs a half-finished live deployment.
import { getAddress, isAddress } from "ethers";
import { z } from "zod";

function addressProblem(value: string): string | undefined {
  if (!/^0x[0-9a-fA-F]{40}$/.test(value)) return "must be a 0x-prefixed 20-byte hex address";
  if (!isAddress(value)) return "has a bad EIP-55 checksum (write it checksummed or all lower case)";
  // The deployer renounces its roles to this address: the zero address would leave no one in charge.
  if (BigInt(value) === 0n) return "must not be the zero address";
  return undefined;
}

const address = z
  .string()
  .superRefine((value, context) => {
    const problem = addressProblem(value);
    if (problem) context.addIssue({ code: "custom", message: `${problem}, got '${value}'` });
  })
  .transform((value) => getAddress(value.toLowerCase()));

export const deployEnvSchema = z.object({
  GOVERNANCE_DELAY: z.coerce
    .number()
    .int()
    .nonnegative()
    .max(30 * 86_400)
    .default(0),
  ADMIN_ADDRESS: address.optional(),
  GUARDIAN_ADDRESS: address.optional(),
  DEPLOY_MOCKS: z.enum(["true", "false"]).optional(),
  DEPLOYMENTS_DIR: z.string().min(1).optional(),
});

/** What scripts/deploy.ts does with the environment on a local or a live chain. */
export interface DeploySettings {
  governanceDelay: number; // [seconds]
  admin?: string;
  guardian?: string;
  withMocks: boolean;
  deploymentsDir?: string;
  /** Variables that were set but do not apply on a local chain, so the script can say so. */
  ignored: string[];
}

const LIVE_ONLY = ["GOVERNANCE_DELAY", "ADMIN_ADDRESS", "GUARDIAN_ADDRESS"] as const;

/** Validates `env`; throws with one line per problem. Local chains keep instant governance. */
export function deploySettings(env: NodeJS.ProcessEnv, local: boolean): DeploySettings {
  const parsed = deployEnvSchema.safeParse(env);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
  if (parsed.success && !local && parsed.data.GOVERNANCE_DELAY === 0) {
    problems.push(
      "GOVERNANCE_DELAY: must be set to a delay in seconds (> 0) on a live network, " +
        "or every role and parameter change would take effect at once",
    );
  }
  if (!parsed.success || problems.length > 0) {
    throw new Error(problems.join("\n"));
  }
  const data = parsed.data;
  if (local) {
    return {
      governanceDelay: 0,
      withMocks: true,
      deploymentsDir: data.DEPLOYMENTS_DIR,
      ignored: LIVE_ONLY.filter((name) => env[name] !== undefined),
    };
  }
  return {
    governanceDelay: data.GOVERNANCE_DELAY,
    admin: data.ADMIN_ADDRESS,
    guardian: data.GUARDIAN_ADDRESS,
    withMocks: data.DEPLOY_MOCKS === "true",
    deploymentsDir: data.DEPLOYMENTS_DIR,
    ignored: [],
  };
}
