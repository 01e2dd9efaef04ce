// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {FixedPointMath, WAD} from "./FixedPointMath.sol";

/// @title ThresholdMath
/// @notice The dynamic liquidation threshold model (docs/THRESHOLDS.md). Pure functions, rounding
/// against the borrower: penalties round up, thresholds and health round down.
/// @dev Mirrored exactly in `keeper/src/risk/thresholds.ts`; change both together.
library ThresholdMath {
    uint256 internal constant SECONDS_PER_HOUR = 3600;

    /// @notice `k · σ · √H` [wad]: the move the collateral can make, at confidence `k`, during the
    /// `horizon` an auction needs to sell it.
    /// @param confidence k [wad]. @param sigma σ [wad per √second]. @param horizon H [seconds].
    function volatilityPenaltyTarget(
        uint256 confidence,
        uint256 sigma,
        uint256 horizon
    ) internal pure returns (uint256) {
        // √H [wad] = √(H · 1e36), rounded up.
        uint256 sqrtHorizon = Math.sqrt(horizon * WAD * WAD, Math.Rounding.Ceil);
        return FixedPointMath.mulWadUp(FixedPointMath.mulWadUp(confidence, sigma), sqrtHorizon);
    }

    /// @notice `from` moved toward `target` by at most `maxStepPerHour · elapsed / 1 hour` [wad].
    /// @dev The step rounds down so the applied penalty never moves faster than the limit.
    function slew(
        uint256 from,
        uint256 target,
        uint256 maxStepPerHour,
        uint256 elapsed
    ) internal pure returns (uint256) {
        uint256 maxMove = FixedPointMath.mulDivDown(maxStepPerHour, elapsed, SECONDS_PER_HOUR);
        if (target > from) return target - from > maxMove ? from + maxMove : target;
        return from - target > maxMove ? from - maxMove : target;
    }

    /// @notice `min(maxSizePenalty, V / (V + D))` [wad]: the price impact of selling collateral worth
    /// `value` into a constant-product market of depth `depth`, rounded up.
    function sizePenalty(uint256 value, uint256 depth, uint256 maxSizePenalty) internal pure returns (uint256) {
        if (value == 0) return 0;
        return Math.min(maxSizePenalty, FixedPointMath.mulDivUp(value, WAD, value + depth));
    }

    /// @notice `clamp(base − volPenalty − sizePenalty, minThreshold, base)` [wad].
    function threshold(
        uint256 base,
        uint256 minThreshold,
        uint256 volPenalty,
        uint256 sizePenalty_
    ) internal pure returns (uint256) {
        uint256 penalties = volPenalty + sizePenalty_;
        if (penalties >= base) return minThreshold;
        return Math.max(base - penalties, minThreshold);
    }

    /// @notice The threshold of a position worth `value` [wad]: `threshold(base, minThreshold, volPenalty,
    /// sizePenalty(value, depth, maxSizePenalty))`, the one composition the RiskEngine's views and the
    /// Liquidator's batch snapshots share.
    function thresholdAt(
        uint256 base,
        uint256 minThreshold,
        uint256 volPenalty,
        uint256 value,
        uint256 depth,
        uint256 maxSizePenalty
    ) internal pure returns (uint256) {
        return threshold(base, minThreshold, volPenalty, sizePenalty(value, depth, maxSizePenalty));
    }

    /// @notice `V · LT / debt` [wad], rounded down; the largest uint256 for a vault without debt.
    function health(uint256 value, uint256 liquidationThreshold, uint256 debt) internal pure returns (uint256) {
        if (debt == 0) return type(uint256).max;
        return FixedPointMath.mulDivDown(value, liquidationThreshold, debt);
    }

    /// @notice The base threshold `at` a time during a linear ramp from `from` (at `start`) to `to`
    /// (at `end`) [wad]. Rounds toward the stricter end.
    function rampedBase(
        uint256 from,
        uint256 to,
        uint256 start,
        uint256 end,
        uint256 at
    ) internal pure returns (uint256) {
        if (at >= end) return to;
        if (at <= start) return from;
        uint256 progress = at - start;
        uint256 duration = end - start;
        if (to < from) return from - FixedPointMath.mulDivUp(from - to, progress, duration);
        return from + FixedPointMath.mulDivDown(to - from, progress, duration);
    }
}
