// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {MockERC20} from "./MockERC20.sol";

/// @notice Hostile collateral: once armed, a transfer from `hookFrom` first calls `hookTarget` with
/// `hookData` and bubbles its revert, as a token with transfer hooks could. Its storage extends
/// MockERC20's, so tests can put its code on a listed mock token (`hardhat_setCode`) and arm it there.
contract ReentrantToken is MockERC20 {
    address public hookFrom;
    address public hookTarget;
    bytes public hookData;

    constructor(uint8 decimals_) MockERC20("Reentrant", "REENTER", decimals_) {}

    function arm(address from, address target, bytes calldata data) external {
        (hookFrom, hookTarget, hookData) = (from, target, data);
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from != address(0) && from == hookFrom) {
            // Disarmed first, so the hook runs once.
            hookFrom = address(0);
            Address.functionCall(hookTarget, hookData);
        }
        super._update(from, to, value);
    }
}
