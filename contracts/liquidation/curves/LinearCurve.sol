// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IPriceCurve} from "../../interfaces/IPriceCurve.sol";
import {FixedPointMath} from "../../libraries/FixedPointMath.sol";

/// @title LinearCurve
/// @notice Falls in a straight line from the start price to zero over `duration` seconds.
contract LinearCurve is IPriceCurve {
    error ZeroDuration();

    uint256 public immutable duration; // [seconds]

    constructor(uint256 duration_) {
        if (duration_ == 0) revert ZeroDuration();
        duration = duration_;
    }

    /// @inheritdoc IPriceCurve
    function price(uint256 startPrice, uint256 elapsed) external view returns (uint256) {
        if (elapsed >= duration) return 0;
        // Rounded up: the protocol sells a wei dearer rather than cheaper.
        return FixedPointMath.mulDivUp(startPrice, duration - elapsed, duration);
    }
}
