// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IPriceCurve} from "./IPriceCurve.sol";

/// @title IDutchAuction
/// @notice Sells seized collateral for the stablecoin: the price starts above the oracle (`buf`) and
/// falls along a pluggable curve until someone buys. One contract serves every collateral type.
/// @dev Collateral stays in the VaultEngine during an auction; a take moves it to the buyer, runs the
/// buyer's callback, then burns the buyer's payment. Once the debt to raise is covered, unsold
/// collateral returns to the vault; if the collateral runs out first, the unraised debt returns to
/// the vault as debt, or, when the vault has nothing left, stays in the deficit as bad debt.
interface IDutchAuction {
    /// @notice Per-collateral auction parameters.
    /// @param curve Price curve. @param buf Start price = oracle price · buf [wad, ≥ 1].
    /// @param tail Age after which an auction needs a reset [seconds].
    /// @param cusp Price drop (fraction of the start price) below which it needs a reset [wad].
    /// @param minDebtLeft Least debt a partial take may leave in an auction [wad].
    struct AuctionParams {
        IPriceCurve curve;
        uint64 buf;
        uint32 tail;
        uint64 cusp;
        uint96 minDebtLeft;
    }

    /// @notice One auction. `collateralLeft` in token units; `debtLeft` [wad]; `startPrice` [wad].
    struct Auction {
        uint128 collateralLeft;
        uint128 debtLeft;
        uint96 startPrice;
        uint40 startTime;
        uint56 vaultId;
        uint16 collateralId;
        bool vaultKeepsCollateral;
    }

    error ZeroAddress();
    error NotLiquidator(address caller);
    error CollateralAlreadyListed(address collateral);
    error CollateralNotListed(address collateral);
    error OutOfRange(bytes32 parameter, uint256 value, uint256 min, uint256 max);
    error AuctionNotActive(uint256 auctionId);
    /// @notice The auction is older than `tail` or cheaper than `cusp`: it must be reset first.
    error AuctionNeedsReset(uint256 auctionId);
    error AuctionNotStale(uint256 auctionId);
    error PriceAboveMax(uint256 price, uint256 maxPrice);
    /// @notice A partial take would leave less than `minDebtLeft` to raise.
    error TakeLeavesDust(uint256 debtLeft, uint256 minDebtLeft);
    /// @notice The receiver is one of the protocol's own contracts.
    error ForbiddenCallbackTarget(address receiver);
    error ZeroTake();
    error EmptyLot();
    /// @notice The circuit breaker forbids this action at its current level.
    error BreakerTripped(uint8 level);
    error BreakerLevelInvalid(uint8 level, uint8 current);

    event CollateralAdded(address indexed collateral, uint16 id, AuctionParams params);
    event CurveSet(address indexed collateral, address curve);
    event BufSet(address indexed collateral, uint256 buf);
    event TailSet(address indexed collateral, uint256 tail);
    event CuspSet(address indexed collateral, uint256 cusp);
    event MinDebtLeftSet(address indexed collateral, uint256 minDebtLeft);
    event LiquidatorSet(address liquidator);
    event BreakerLevelSet(uint8 level);
    event AuctionStarted(
        uint256 indexed auctionId,
        uint256 indexed vaultId,
        address indexed collateral,
        uint256 collateralAmount,
        uint256 debtToRaise,
        uint256 startPrice
    );
    event Take(
        uint256 indexed auctionId,
        address indexed buyer,
        address receiver,
        uint256 collateralBought,
        uint256 debtPaid,
        uint256 price
    );
    event AuctionReset(uint256 indexed auctionId, address indexed keeper, uint256 startPrice, uint256 incentive);
    /// @notice The auction is over: `collateralReturned` went back to the vault, `debtReturned` was
    /// put back on the vault, and `badDebt` stays in the deficit.
    event AuctionEnded(
        uint256 indexed auctionId,
        uint256 indexed vaultId,
        uint256 collateralReturned,
        uint256 debtReturned,
        uint256 badDebt
    );

    // ---------------------------------------------------------------- admin (restricted)

    function addCollateral(address collateral, AuctionParams calldata params) external;

    function setCurve(address collateral, IPriceCurve curve) external;

    function setBuf(address collateral, uint64 buf) external;

    function setTail(address collateral, uint32 tail) external;

    function setCusp(address collateral, uint64 cusp) external;

    function setMinDebtLeft(address collateral, uint96 minDebtLeft) external;

    function setLiquidator(address liquidator) external;

    /// @notice Guardian: raise the breaker at once (1 no new auctions, 2 also no resets, 3 also no takes).
    function raiseBreaker(uint8 level) external;

    /// @notice Governance: lower the breaker.
    function lowerBreaker(uint8 level) external;

    // ---------------------------------------------------------------- liquidator

    /// @notice Opens an auction of `collateralAmount` (already seized into the VaultEngine) to raise
    /// `debtToRaise`, starting at `price · buf`. `vaultKeepsCollateral` (a partial liquidation) lets
    /// debt the auction cannot raise go back to the vault; otherwise it is bad debt. Liquidator only.
    function start(
        uint256 vaultId,
        address collateral,
        uint256 collateralAmount,
        uint256 debtToRaise,
        uint256 price,
        bool vaultKeepsCollateral
    ) external returns (uint256 auctionId);

    // ---------------------------------------------------------------- anyone

    /// @notice Buys up to `maxCollateral` at the current price if it is at most `maxPrice` [wad].
    /// Collateral goes to `receiver`; if `data` is non-empty, `receiver.onTake(msg.sender, debtPaid,
    /// collateralBought, data)` runs next; then `debtPaid` is burnt from the caller.
    function take(
        uint256 auctionId,
        uint256 maxCollateral,
        uint256 maxPrice,
        address receiver,
        bytes calldata data
    ) external returns (uint256 collateralBought, uint256 debtPaid);

    /// @notice Restarts a stale auction at a fresh oracle price; pays `keeper` for non-dust auctions.
    function reset(uint256 auctionId, address keeper) external returns (uint256 startPrice);

    // ---------------------------------------------------------------- views

    function auctionStatus(
        uint256 auctionId
    ) external view returns (bool needsReset, uint256 price, uint256 collateralLeft, uint256 debtLeft);

    /// @notice Ids of all auctions still running.
    function activeAuctions() external view returns (uint256[] memory);

    function auctions(uint256 auctionId) external view returns (Auction memory);

    function auctionParams(address collateral) external view returns (AuctionParams memory);

    /// @notice Debt [wad] still to raise in running auctions of `collateral`, and of all collateral.
    function debtInAuction(address collateral) external view returns (uint256 collateralDebt, uint256 totalDebt);

    function auctionCount() external view returns (uint256);

    function breakerLevel() external view returns (uint8);

    function liquidator() external view returns (address);
}
