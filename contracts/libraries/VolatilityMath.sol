// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {FixedPointMath, WAD} from "./FixedPointMath.sol";

/// @title VolatilityMath
/// @notice The OracleHub's volatility estimator: an exponentially weighted moving average (EWMA) of
/// squared simple returns per second, with a time-based half-life.
/// @dev Mirrored exactly in `keeper/src/math/volatility.ts`; docs/THRESHOLDS.md derives it.
library VolatilityMath {
    /// @notice The variance rate [wad per second] after a price move from `previousPrice` to `price`
    /// over `elapsed` seconds.
    /// @param variance The previous variance rate [wad per second].
    /// @param halfLife After `halfLife` seconds an old observation keeps half its weight [seconds].
    function updateVariance(
        uint256 variance,
        uint256 previousPrice,
        uint256 price,
        uint256 elapsed,
        uint256 halfLife
    ) internal pure returns (uint256) {
        uint256 move = price > previousPrice ? price - previousPrice : previousPrice - price;
        uint256 simpleReturn = Math.mulDiv(move, WAD, previousPrice); // [wad]
        // r² / Δt: the variance this one observation implies per second of the interval.
        uint256 sample = Math.mulDiv(simpleReturn, simpleReturn, WAD * elapsed); // [wad per second]
        uint256 keep = FixedPointMath.halfLifeDecayWad(elapsed, halfLife); // [wad]
        return (variance * keep + sample * (WAD - keep)) / WAD;
    }

    /// @notice σ [wad per √second] from a variance rate [wad per second].
    function volatility(uint256 variance) internal pure returns (uint256) {
        return Math.sqrt(variance * WAD);
    }
}
