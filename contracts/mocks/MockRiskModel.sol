// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IRiskModel} from "../interfaces/IRiskModel.sol";

/// @notice Test-only stand-in behind the VaultEngine's risk seam until the RiskEngine exists.
contract MockRiskModel is IRiskModel {
    uint256 public ratio;

    function setRatio(uint256 ratio_) external {
        ratio = ratio_;
    }

    function borrowRatio(address, uint256) external view returns (uint256) {
        return ratio;
    }
}
