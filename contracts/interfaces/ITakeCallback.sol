// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title ITakeCallback
/// @notice Implemented by buyers that pay for auctioned collateral with the proceeds of selling it.
/// @dev Anyone can make the auction call `onTake` on any receiver: `take(…, receiver, data)` with
/// non-empty `data` calls it whoever `msg.sender` is. An implementation must therefore check that the
/// caller is the DutchAuction and that `buyer`, the account that called `take` (and pays), is itself
/// or an account it trusts; otherwise a stranger can run its callback logic (swaps, approvals, use of
/// its balances) on data of the stranger's choosing.
interface ITakeCallback {
    /// @notice Called after `collateralBought` was sent to this contract and before `debtOwed` of
    /// stablecoin is burnt from `buyer` (the caller of `take`, which need not be this contract).
    function onTake(address buyer, uint256 debtOwed, uint256 collateralBought, bytes calldata data) external;
}
