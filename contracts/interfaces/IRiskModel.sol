// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IRiskModel
/// @notice The seam between the VaultEngine and the dynamic threshold model (the RiskEngine).
/// @dev The engine borrows against `V · min(maxLTV, borrowRatio(collateral, V))`; with no model set,
/// `maxLTV` alone applies.
interface IRiskModel {
    /// @notice The largest debt-to-value ratio [wad] a vault of collateral type `collateral` holding
    /// collateral worth `collateralValue` [wad] may reach by borrowing or withdrawing.
    function borrowRatio(address collateral, uint256 collateralValue) external view returns (uint256);
}
