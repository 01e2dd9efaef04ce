// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Sluice's governance is OpenZeppelin's AccessManager, deployed unchanged. Importing it here makes
// Hardhat compile it, so scripts deploy it from the project's own artifacts.
// solhint-disable-next-line no-unused-import
import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
