// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

uint256 constant WAD = 1e18;
uint256 constant RAY = 1e27;

/// @title FixedPointMath
/// @notice WAD/RAY fixed-point helpers. The rounding direction is part of every name.
/// @dev Mirrored exactly in `keeper/src/math/fixedPoint.ts`; change both together.
library FixedPointMath {
    /// @dev ln(2) [wad], floor.
    uint256 internal constant LN2_WAD = 693147180559945309;

    function mulWadDown(uint256 x, uint256 y) internal pure returns (uint256) {
        return Math.mulDiv(x, y, WAD);
    }

    function mulWadUp(uint256 x, uint256 y) internal pure returns (uint256) {
        return Math.mulDiv(x, y, WAD, Math.Rounding.Ceil);
    }

    function divWadDown(uint256 x, uint256 y) internal pure returns (uint256) {
        return Math.mulDiv(x, WAD, y);
    }

    function divWadUp(uint256 x, uint256 y) internal pure returns (uint256) {
        return Math.mulDiv(x, WAD, y, Math.Rounding.Ceil);
    }

    /// @notice `x^n` for a RAY `x`, rounding down at every step (so a fee accumulator never runs ahead).
    function rpowDown(uint256 x, uint256 n) internal pure returns (uint256 z) {
        z = n % 2 == 1 ? x : RAY;
        for (n /= 2; n != 0; n /= 2) {
            x = (x * x) / RAY;
            if (n % 2 == 1) z = (z * x) / RAY;
        }
    }

    /// @notice `2^(-elapsed / halfLife)` [wad], the weight an exponential moving average with half-life
    /// `halfLife` keeps on its old value after `elapsed` seconds. Accurate to a few wei.
    /// @dev Splits the exponent into whole halvings (a shift) and a fraction `f` in [0, 1), for which
    /// 2^(-f) = e^(-f·ln2) is summed as a Taylor series. With y = f·ln2 < 0.7 the terms fall below
    /// one wei after about 20 steps.
    function halfLifeDecayWad(uint256 elapsed, uint256 halfLife) internal pure returns (uint256) {
        uint256 halvings = elapsed / halfLife;
        // 2^-60 [wad] < 1 wei.
        if (halvings >= 60) return 0;
        uint256 y = ((elapsed % halfLife) * LN2_WAD) / halfLife;
        uint256 sum = WAD;
        uint256 term = WAD;
        for (uint256 i = 1; term != 0; ++i) {
            term = (term * y) / (WAD * i);
            // The series alternates and its terms shrink, so every partial sum stays in (0, 1].
            if (i % 2 == 1) sum -= term;
            else sum += term;
        }
        return sum >> halvings;
    }
}
