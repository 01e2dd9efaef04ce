// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title ITakeCallback
/// @notice Implemented by buyers that pay for auctioned collateral with the proceeds of selling it.
interface ITakeCallback {
    /// @notice Called after `collateralBought` was sent to this contract and before `debtOwed` of
    /// stablecoin is burnt from `buyer` (the caller of `take`).
    function onTake(address buyer, uint256 debtOwed, uint256 collateralBought, bytes calldata data) external;
}
