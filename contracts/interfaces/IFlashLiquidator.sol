// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ISluiceErrors} from "./ISluiceErrors.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IDutchAuction} from "./IDutchAuction.sol";
import {ITakeCallback} from "./ITakeCallback.sol";

/// @title IFlashLiquidator
/// @notice Capital-free auction buying: a keeper holding no stablecoin calls `flashTake`, which takes
/// from a DutchAuction with the callback, sells the collateral on the Uniswap V2 pair of
/// collateral/stablecoin inside the callback, lets the auction burn what the take costs, and sends the
/// stablecoin left (the profit) to the keeper. The whole take reverts unless the profit is at least
/// the keeper's minimum.
/// @dev One shared instance serves every keeper: it holds no funds between transactions and approves
/// no one, so a keeper can only move what its own take brings in. The pair is not a parameter: it is
/// the factory's CREATE2 address for (collateral, stablecoin), so no caller can route collateral to a
/// contract of its choosing. `onTake` acts only inside a `flashTake` of this contract: the auction
/// calls `onTake` on any receiver for anyone (see {ITakeCallback}). Keepers plan with a `staticCall`
/// of `flashTake` (minimum 0), which returns the profit the take would make now.
interface IFlashLiquidator is ISluiceErrors, ITakeCallback {
    /// @notice `keeper` bought `collateralSold` [token units] of auction `auctionId` for `debtPaid`
    /// [wad], sold it on `pair` for `amountOut` [wad] and received `amountOut − debtPaid` as profit.
    event FlashTake(
        uint256 indexed auctionId,
        address indexed keeper,
        address pair,
        uint256 collateralSold,
        uint256 debtPaid,
        uint256 amountOut
    );
    /// @notice The owner moved `amount` of `token`, which reached this contract outside a flash take.
    event Swept(address indexed token, address indexed to, uint256 amount);

    /// @notice Takes up to `maxCollateral` of auction `auctionId` at a price of at most `maxPrice` [wad],
    /// sells what it bought on the Uniswap V2 pair of its collateral and the stablecoin (at the pair's
    /// price, 0.3% fee included), pays the auction out of the proceeds and sends the rest to the caller.
    /// Reverts `ProfitBelowMinimum` when that rest is under `minProfit` [wad], `SwapShortfall` when the
    /// sale does not even cover the cost, and with the auction's own errors (a stale auction, for one,
    /// needs `reset` first). Nothing moves when it reverts.
    /// @return collateralSold What the take bought and the pair received [token units].
    /// @return debtPaid What the auction burnt [wad].
    /// @return profit What the caller received [wad].
    function flashTake(
        uint256 auctionId,
        uint256 maxCollateral,
        uint256 maxPrice,
        uint256 minProfit
    ) external returns (uint256 collateralSold, uint256 debtPaid, uint256 profit);

    /// @notice Owner: sends this contract's whole balance of `token` to `to`. A flash take leaves
    /// nothing behind; only tokens sent here directly (or collateral a stranger's callback-less take
    /// delivered here) can be swept.
    function sweep(IERC20 token, address to) external returns (uint256 amount);

    /// @notice The Uniswap V2 pair `flashTake` sells `collateral` on (the factory's CREATE2 address;
    /// it may not exist yet).
    function pairFor(address collateral) external view returns (address pair);

    function auction() external view returns (IDutchAuction);

    function stablecoin() external view returns (IERC20);

    /// @notice The Uniswap V2 factory, and the keccak256 of its pair's creation code that pair addresses
    /// derive from.
    function uniswapFactory() external view returns (address);

    function pairInitCodeHash() external view returns (bytes32);
}
