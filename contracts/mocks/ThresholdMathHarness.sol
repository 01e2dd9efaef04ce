// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ThresholdMath} from "../libraries/ThresholdMath.sol";

/// @notice Test-only window onto ThresholdMath, so it can be checked against the TypeScript mirror.
contract ThresholdMathHarness {
    struct Case {
        uint256 confidence;
        uint256 sigma;
        uint256 horizon;
        uint256 from;
        uint256 maxStepPerHour;
        uint256 elapsed;
        uint256 value;
        uint256 depth;
        uint256 maxSizePenalty;
        uint256 base;
        uint256 minThreshold;
        uint256 debt;
    }

    struct Result {
        uint256 target;
        uint256 volPenalty;
        uint256 sizePenalty;
        uint256 threshold;
        uint256 health;
    }

    /// @notice Runs the whole model for each case: target, slew from `from`, size, threshold, health.
    function evaluate(Case[] calldata cases) external pure returns (Result[] memory results) {
        results = new Result[](cases.length);
        for (uint256 i = 0; i < cases.length; ++i) {
            Case calldata c = cases[i];
            Result memory r = results[i];
            r.target = ThresholdMath.volatilityPenaltyTarget(c.confidence, c.sigma, c.horizon);
            r.volPenalty = ThresholdMath.slew(c.from, r.target, c.maxStepPerHour, c.elapsed);
            r.sizePenalty = ThresholdMath.sizePenalty(c.value, c.depth, c.maxSizePenalty);
            r.threshold = ThresholdMath.threshold(c.base, c.minThreshold, r.volPenalty, r.sizePenalty);
            r.health = ThresholdMath.health(c.value, r.threshold, c.debt);
        }
    }

    function rampedBase(
        uint256 from,
        uint256 to,
        uint256 start,
        uint256 end,
        uint256 at
    ) external pure returns (uint256) {
        return ThresholdMath.rampedBase(from, to, start, end, at);
    }
}
