// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IPriceCurve
/// @notice How a Dutch auction's price falls with time.
interface IPriceCurve {
    /// @notice The price [wad] `elapsed` seconds after an auction started at `startPrice` [wad].
    /// Non-increasing in `elapsed`, and never above `startPrice`.
    function price(uint256 startPrice, uint256 elapsed) external view returns (uint256);
}
