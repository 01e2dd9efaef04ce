// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IDutchAuction} from "../interfaces/IDutchAuction.sol";
import {ITakeCallback} from "../interfaces/ITakeCallback.sol";

/// @notice Test-only buyer that takes through the callback path. It holds the stablecoin it pays
/// with; in `reenter` mode its callback tries to take again (which the auction must refuse).
contract MockTakeBuyer is ITakeCallback {
    IDutchAuction public immutable auction;
    bool public reenter;
    uint256 public calls;

    constructor(IDutchAuction auction_) {
        auction = auction_;
    }

    function setReenter(bool reenter_) external {
        reenter = reenter_;
    }

    function buy(uint256 auctionId, uint256 maxCollateral, uint256 maxPrice) external returns (uint256, uint256) {
        return auction.take(auctionId, maxCollateral, maxPrice, address(this), hex"01");
    }

    function onTake(address, uint256, uint256, bytes calldata) external {
        ++calls;
        if (reenter) auction.take(1, type(uint256).max, type(uint256).max, address(this), hex"01");
    }
}
