// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IPriceCurve} from "../../interfaces/IPriceCurve.sol";
import {FixedPointMath, RAY, WAD} from "../../libraries/FixedPointMath.sol";

/// @title StairstepCurve
/// @notice Exponential decay in steps: every `step` seconds the price is multiplied by `cut`.
contract StairstepCurve is IPriceCurve {
    error InvalidStep();
    error InvalidCut(uint256 cut);

    uint256 public immutable step; // [seconds]
    uint256 public immutable cut; // [wad], in (0, 1)

    constructor(uint256 step_, uint256 cut_) {
        if (step_ == 0) revert InvalidStep();
        if (cut_ == 0 || cut_ >= WAD) revert InvalidCut(cut_);
        step = step_;
        cut = cut_;
    }

    /// @inheritdoc IPriceCurve
    function price(uint256 startPrice, uint256 elapsed) external view returns (uint256) {
        uint256 factor = FixedPointMath.rpowDown(cut * (RAY / WAD), elapsed / step); // [ray]
        return FixedPointMath.mulDivUp(startPrice, factor, RAY);
    }
}
