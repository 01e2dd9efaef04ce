// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IDutchAuction} from "../interfaces/IDutchAuction.sol";
import {ISluiceErrors} from "../interfaces/ISluiceErrors.sol";
import {ITakeCallback} from "../interfaces/ITakeCallback.sol";

/// @notice Test-only buyer that takes through the callback path. It holds the stablecoin it pays
/// with; in `reenter` mode its callback tries to take again (which the auction must refuse). Its
/// callback runs only for takes it started itself, as {ITakeCallback} requires.
contract MockTakeBuyer is ITakeCallback, ISluiceErrors {
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

    function onTake(address buyer, uint256, uint256, bytes calldata) external {
        if (msg.sender != address(auction)) revert NotAuction(msg.sender);
        if (buyer != address(this)) revert UntrustedInitiator(buyer);
        ++calls;
        if (reenter) auction.take(1, type(uint256).max, type(uint256).max, address(this), hex"01");
    }
}
