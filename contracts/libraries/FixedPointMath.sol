// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

uint256 constant WAD = 1e18;
uint256 constant RAY = 1e27;

/// @title FixedPointMath
/// @notice WAD/RAY fixed-point helpers. The rounding direction is part of every name.
/// @dev Mirrored exactly in `keeper/src/math/fixedPoint.ts`; change both together.
library FixedPointMath {
    uint256 internal constant POW_SCALE = 1e36;
    uint256 internal constant RAY_TO_POW = 1e9;
    /// @dev ln(2) [wad], floor.
    uint256 internal constant LN2_WAD = 693147180559945309;

    /// @notice `x · y / d`, rounded down, exact for any product (a division by zero panics).
    /// @dev Amounts, prices and rates all sit far below 2^128, so the product almost always fits in 256
    /// bits and one multiplication and one division do; the 512-bit path is the fallback.
    function mulDivDown(uint256 x, uint256 y, uint256 d) internal pure returns (uint256) {
        if ((x | y) >> 128 == 0) {
            // Both factors below 2^128: the product cannot overflow. Division by zero still panics.
            unchecked {
                return (x * y) / d;
            }
        }
        return Math.mulDiv(x, y, d);
    }

    /// @notice `x · y / d`, rounded up, exact for any product (a division by zero panics).
    function mulDivUp(uint256 x, uint256 y, uint256 d) internal pure returns (uint256) {
        if ((x | y) >> 128 == 0) {
            // As above; the quotient is below 2^256 − 1, so adding one cannot overflow either.
            unchecked {
                uint256 product = x * y;
                return product / d + (product % d == 0 ? 0 : 1);
            }
        }
        return Math.mulDiv(x, y, d, Math.Rounding.Ceil);
    }

    function mulWadDown(uint256 x, uint256 y) internal pure returns (uint256) {
        return mulDivDown(x, y, WAD);
    }

    function mulWadUp(uint256 x, uint256 y) internal pure returns (uint256) {
        return mulDivUp(x, y, WAD);
    }

    function divWadDown(uint256 x, uint256 y) internal pure returns (uint256) {
        return mulDivDown(x, WAD, y);
    }

    function divWadUp(uint256 x, uint256 y) internal pure returns (uint256) {
        return mulDivUp(x, WAD, y);
    }

    /// @notice `x^n` for a RAY `x`, rounded down (so a fee accumulator never runs ahead).
    /// @dev Powers are taken at 36 decimals and rounded to a ray once, at the end. At ray precision
    /// the floor of each squaring is amplified by every later squaring, an error of about n·1e-27
    /// relative (3e-20 over a year: 30,000 wei on a million of debt); at 36 decimals it is n·1e-36.
    function rpowDown(uint256 x, uint256 n) internal pure returns (uint256) {
        uint256 base = x * RAY_TO_POW;
        uint256 z = n % 2 == 1 ? base : POW_SCALE;
        for (n /= 2; n != 0; n /= 2) {
            base = _mulPowScaleDown(base, base);
            if (n % 2 == 1) z = _mulPowScaleDown(z, base);
        }
        return z / RAY_TO_POW;
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

    /// @notice Value [wad] of `amount` token units (a token with `decimals` ≤ 18) at `price` [wad],
    /// rounded down. With its three siblings, the one place where token decimals meet WAD.
    function valueDown(uint256 amount, uint8 decimals, uint256 price) internal pure returns (uint256) {
        return mulWadDown(amount * 10 ** (18 - decimals), price);
    }

    /// @notice Value [wad] of `amount` token units at `price` [wad], rounded up.
    function valueUp(uint256 amount, uint8 decimals, uint256 price) internal pure returns (uint256) {
        return mulWadUp(amount * 10 ** (18 - decimals), price);
    }

    /// @notice Token units worth `value` [wad] at `price` [wad], rounded down.
    function amountDown(uint256 value, uint8 decimals, uint256 price) internal pure returns (uint256) {
        return divWadDown(value, price) / 10 ** (18 - decimals);
    }

    /// @notice Token units worth `value` [wad] at `price` [wad], rounded up.
    function amountUp(uint256 value, uint8 decimals, uint256 price) internal pure returns (uint256) {
        return Math.ceilDiv(divWadUp(value, price), 10 ** (18 - decimals));
    }

    function _mulPowScaleDown(uint256 a, uint256 b) private pure returns (uint256) {
        // Both factors below 2^128: the product fits in 256 bits and the cheap path is exact.
        if ((a | b) >> 128 == 0) return (a * b) / POW_SCALE;
        return Math.mulDiv(a, b, POW_SCALE);
    }
}
