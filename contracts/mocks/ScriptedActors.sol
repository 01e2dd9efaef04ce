// SPDX-License-Identifier: MIT
// Test-only: three small actors in one file, calling whatever their script says.
// solhint-disable one-contract-per-file, avoid-low-level-calls, no-inline-assembly
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IDutchAuction} from "../interfaces/IDutchAuction.sol";
import {ITakeCallback} from "../interfaces/ITakeCallback.sol";

/// @notice Test-only hostile actors. Each runs a one-shot script of calls when triggered (a take
/// callback, a token transfer) and records what each call returned or reverted with, or, armed with
/// `bubble`, reverts with the first failure as its own.
abstract contract Scripted {
    struct Call {
        address target;
        bytes data;
    }

    struct Outcome {
        bool ok;
        bytes data;
    }

    Call[] internal _script;
    bool internal _bubble;
    Outcome[] internal _outcomes;

    function arm(Call[] calldata calls, bool bubble) external {
        delete _script;
        delete _outcomes;
        for (uint256 i = 0; i < calls.length; ++i) _script.push(calls[i]);
        _bubble = bubble;
    }

    function outcomes() external view returns (Outcome[] memory) {
        return _outcomes;
    }

    /// Acts as an account: one call, reverting as the target does.
    function execute(address target, bytes calldata data) external returns (bytes memory result) {
        bool ok;
        (ok, result) = target.call(data);
        if (!ok) _revertWith(result);
    }

    function _fire() internal {
        Call[] memory calls = _script;
        // Disarmed first: the calls may trigger the script again.
        delete _script;
        for (uint256 i = 0; i < calls.length; ++i) {
            (bool ok, bytes memory result) = calls[i].target.call(calls[i].data);
            if (!ok && _bubble) _revertWith(result);
            _outcomes.push(Outcome(ok, result));
        }
    }

    function _revertWith(bytes memory reason) internal pure {
        assembly ("memory-safe") {
            revert(add(reason, 32), mload(reason))
        }
    }
}

/// A buyer whose take callback runs its script.
contract ScriptedBuyer is Scripted, ITakeCallback {
    IDutchAuction public immutable auction;

    constructor(IDutchAuction auction_) {
        auction = auction_;
    }

    function buy(uint256 auctionId, uint256 maxCollateral, uint256 maxPrice) external returns (uint256, uint256) {
        return auction.take(auctionId, maxCollateral, maxPrice, address(this), hex"01");
    }

    function onTake(address, uint256, uint256, bytes calldata) external {
        _fire();
    }
}

/// Collateral that runs its script on any transfer into or out of the watched account.
contract HookToken is ERC20, Scripted {
    address public watched;

    constructor() ERC20("Hook", "HOOK") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function watch(address account) external {
        watched = account;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (from == watched || to == watched) _fire();
    }
}
