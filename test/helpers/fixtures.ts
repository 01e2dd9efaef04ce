// Shared fixtures: the real deployment wiring (scripts/lib/deploy.ts) on the in-process chain.
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ethers } from "hardhat";
import { deploySluice, type Deployment } from "../../scripts/lib/deploy";

export interface SluiceFixture extends Deployment {
  governor: Awaited<ReturnType<typeof ethers.getSigners>>[number];
  users: Awaited<ReturnType<typeof ethers.getSigners>>;
  weth: Deployment["collaterals"][string];
  wbtc: Deployment["collaterals"][string];
}

async function sluiceFixture(): Promise<SluiceFixture> {
  const [governor, ...users] = await ethers.getSigners();
  const deployment = await deploySluice(governor, { withMocks: true });
  return {
    ...deployment,
    governor,
    users,
    weth: deployment.collaterals.WETH,
    wbtc: deployment.collaterals.WBTC,
  };
}

/** Deploys once per test file and reverts to that snapshot for every test. */
export function deploySluiceFixture(): Promise<SluiceFixture> {
  return loadFixture(sluiceFixture);
}
