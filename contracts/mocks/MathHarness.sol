// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {FixedPointMath} from "../libraries/FixedPointMath.sol";
import {VolatilityMath} from "../libraries/VolatilityMath.sol";

/// @notice Test-only window onto the pure libraries, so they can be checked against the TypeScript mirror.
contract MathHarness {
    function rpowDown(uint256 x, uint256 n) external pure returns (uint256) {
        return FixedPointMath.rpowDown(x, n);
    }

    function mulDivDown(uint256 x, uint256 y, uint256 d) external pure returns (uint256) {
        return FixedPointMath.mulDivDown(x, y, d);
    }

    function mulDivUp(uint256 x, uint256 y, uint256 d) external pure returns (uint256) {
        return FixedPointMath.mulDivUp(x, y, d);
    }

    function halfLifeDecayWad(uint256 elapsed, uint256 halfLife) external pure returns (uint256) {
        return FixedPointMath.halfLifeDecayWad(elapsed, halfLife);
    }

    function updateVariance(
        uint256 variance,
        uint256 previousPrice,
        uint256 price,
        uint256 elapsed,
        uint256 halfLife
    ) external pure returns (uint256) {
        return VolatilityMath.updateVariance(variance, previousPrice, price, elapsed, halfLife);
    }

    function volatility(uint256 variance) external pure returns (uint256) {
        return VolatilityMath.volatility(variance);
    }
}
