// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IDutchAuction} from "../interfaces/IDutchAuction.sol";
import {IFlashLiquidator} from "../interfaces/IFlashLiquidator.sol";
import {ITakeCallback} from "../interfaces/ITakeCallback.sol";
import {IUniswapV2Pair} from "../interfaces/IUniswapV2Pair.sol";

/// @title FlashLiquidator
/// @notice See {IFlashLiquidator}.
/// @dev Sells on the pair directly, with Uniswap's own `getAmountOut`, rather than through the router:
/// the router would re-derive the pair, re-read the reserves and need an approval, for the same output.
contract FlashLiquidator is IFlashLiquidator, Ownable2Step {
    using SafeERC20 for IERC20;

    /// @inheritdoc IFlashLiquidator
    IDutchAuction public immutable auction;
    /// @inheritdoc IFlashLiquidator
    IERC20 public immutable stablecoin;
    /// @inheritdoc IFlashLiquidator
    address public immutable uniswapFactory;
    /// @inheritdoc IFlashLiquidator
    bytes32 public immutable pairInitCodeHash;

    // The keeper of the running flash take (zero outside one: the reentrancy lock), and the profit its
    // callback made. Both are cleared before `flashTake` returns, so a second flash take in the same
    // transaction starts clean.
    address internal transient _keeper;
    uint256 internal transient _profit; // [wad]

    constructor(
        address owner_,
        IDutchAuction auction_,
        IERC20 stablecoin_,
        address uniswapFactory_,
        bytes32 pairInitCodeHash_
    ) Ownable(owner_) {
        if (address(auction_) == address(0) || address(stablecoin_) == address(0) || uniswapFactory_ == address(0))
            revert ZeroAddress();
        auction = auction_;
        stablecoin = stablecoin_;
        uniswapFactory = uniswapFactory_;
        pairInitCodeHash = pairInitCodeHash_;
    }

    // ---------------------------------------------------------------- admin

    /// @inheritdoc IFlashLiquidator
    function sweep(IERC20 token, address to) external onlyOwner returns (uint256 amount) {
        if (_keeper != address(0)) revert FlashTakeActive();
        if (to == address(0)) revert ZeroAddress();
        amount = token.balanceOf(address(this));
        emit Swept(address(token), to, amount);
        token.safeTransfer(to, amount);
    }

    // ---------------------------------------------------------------- keepers

    /// @inheritdoc IFlashLiquidator
    function flashTake(
        uint256 auctionId,
        uint256 maxCollateral,
        uint256 maxPrice,
        uint256 minProfit
    ) external returns (uint256 collateralSold, uint256 debtPaid, uint256 profit) {
        if (_keeper != address(0)) revert FlashTakeActive();
        // Reading the auction here warms what `take` reads next: it costs a call, not the storage.
        address collateral = auction.auctions(auctionId).collateral;
        if (collateral == address(0)) revert NoAuction(auctionId);
        (address pair, bool collateralIsToken0) = _pairFor(collateral);
        if (pair.code.length == 0) revert NoPair(collateral);

        _keeper = msg.sender;
        (collateralSold, debtPaid) = auction.take(
            auctionId,
            maxCollateral,
            maxPrice,
            address(this),
            abi.encode(auctionId, collateral, pair, collateralIsToken0, minProfit)
        );
        profit = _profit;
        _keeper = address(0);
        _profit = 0;
    }

    /// @inheritdoc ITakeCallback
    function onTake(address buyer, uint256 debtOwed, uint256 collateralBought, bytes calldata data) external {
        if (msg.sender != address(auction)) revert NotAuction(msg.sender);
        // `buyer` is who called `take` and pays: this contract only inside `flashTake`, which also set
        // the keeper. Together they make `data` the context `flashTake` encoded.
        if (buyer != address(this)) revert UntrustedInitiator(buyer);
        address keeper = _keeper;
        if (keeper == address(0)) revert NotInFlashTake();
        (uint256 auctionId, address collateral, address pair, bool collateralIsToken0, uint256 minProfit) = abi.decode(
            data,
            (uint256, address, address, bool, uint256)
        );

        (uint256 reserve0, uint256 reserve1, ) = IUniswapV2Pair(pair).getReserves();
        (uint256 reserveIn, uint256 reserveOut) = collateralIsToken0 ? (reserve0, reserve1) : (reserve1, reserve0);
        uint256 amountOut = _amountOut(collateralBought, reserveIn, reserveOut);
        if (amountOut < debtOwed) revert SwapShortfall(amountOut, debtOwed);
        uint256 profit = amountOut - debtOwed;
        if (profit < minProfit) revert ProfitBelowMinimum(profit, minProfit);
        _profit = profit;
        emit FlashTake(auctionId, keeper, pair, collateralBought, debtOwed, amountOut);

        // The pair checks k after it pays out, so the collateral goes in first. The auction burns
        // `debtOwed` from this contract after this returns; the profit leaves now, so nothing stays.
        IERC20(collateral).safeTransfer(pair, collateralBought);
        (uint256 amount0Out, uint256 amount1Out) = collateralIsToken0 ? (uint256(0), amountOut) : (amountOut, 0);
        IUniswapV2Pair(pair).swap(amount0Out, amount1Out, address(this), "");
        if (profit != 0) stablecoin.safeTransfer(keeper, profit);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IFlashLiquidator
    function pairFor(address collateral) external view returns (address pair) {
        (pair, ) = _pairFor(collateral);
    }

    // ---------------------------------------------------------------- internals

    /// @dev UniswapV2Library.pairFor: the CREATE2 address of the factory's pair of the sorted tokens.
    function _pairFor(address collateral) internal view returns (address pair, bool collateralIsToken0) {
        address stablecoin_ = address(stablecoin);
        collateralIsToken0 = collateral < stablecoin_;
        (address token0, address token1) = collateralIsToken0 ? (collateral, stablecoin_) : (stablecoin_, collateral);
        bytes32 salt = keccak256(abi.encodePacked(token0, token1));
        pair = address(uint160(uint256(keccak256(abi.encodePacked(hex"ff", uniswapFactory, salt, pairInitCodeHash)))));
    }

    /// @dev UniswapV2Library.getAmountOut: the most the pair pays for `amountIn` with its 0.3% fee, the
    /// exact amount its k check accepts. Reserves are below 2^112 and `amountIn` below 2^96 (an
    /// auction's collateral), so no product overflows.
    function _amountOut(uint256 amountIn, uint256 reserveIn, uint256 reserveOut) internal pure returns (uint256) {
        uint256 amountInWithFee = amountIn * 997;
        return (amountInWithFee * reserveOut) / (reserveIn * 1000 + amountInWithFee);
    }
}
