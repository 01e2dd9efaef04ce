// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ISluiceErrors} from "./ISluiceErrors.sol";
import {IPriceCurve} from "./IPriceCurve.sol";

/// @title IDutchAuction
/// @notice Sells seized collateral for the stablecoin: the price starts above the oracle (`startPriceFactor`) and
/// falls along a pluggable curve until someone buys. One contract serves every collateral type.
/// @dev An auction's id is its vault's id: a vault has at most one auction at a time. Collateral
/// stays in the VaultEngine during an auction (as the vault's `auctionCollateral`); a take moves it to
/// the buyer, runs the buyer's callback, then burns the buyer's payment. Once the debt to raise is
/// covered, unsold collateral returns to the vault; if the collateral runs out first, the unraised
/// debt returns to the vault as debt, or, when the vault has nothing left, stays in the deficit as
/// bad debt. A lot worth less than the collateral's dust (the VaultEngine's, which the auction copies)
/// is not worth selling: a take may not leave one, and one left by a price move ends at `reset`. The
/// contract also holds the cascade brake (caps on debt in auction) and owes keepers their incentives
/// until they claim them.
interface IDutchAuction is ISluiceErrors {
    /// @notice Per-collateral auction parameters.
    /// @param curve Price curve. @param startPriceFactor Start price = oracle price · startPriceFactor [wad, ≥ 1].
    /// @param maxAuctionAge Age after which an auction needs a reset [seconds].
    /// @param resetPriceRatio Fraction of the start price below which the auction needs a reset [wad].
    /// @param maxDebtInAuction Cap on this collateral's debt in running auctions [wad].
    /// The collateral's dust is not a parameter here: the auction copies the VaultEngine's (see `dust`).
    struct AuctionParams {
        IPriceCurve curve;
        uint64 startPriceFactor;
        uint32 maxAuctionAge;
        uint64 resetPriceRatio;
        uint96 maxDebtInAuction;
    }

    /// @notice Keeper incentive for starting and for resetting an auction, on the smaller of its debt and
    /// its lot's value: `min(maxIncentive, flatIncentive + incentiveRate · debt)` [wad] (see `keeperIncentive`),
    /// never more than that smaller amount, and nothing when it is under the dust.
    struct IncentiveParams {
        uint96 flatIncentive; // [wad]
        uint64 incentiveRate; // [wad]
        uint96 maxIncentive; // [wad]
    }

    /// @notice One auction, as `auctions` shows it (all zero for none). `collateralLeft` [token units]
    /// is held by the VaultEngine as the vault's `auctionCollateral`; `debtLeft`, `startPrice` [wad].
    struct Auction {
        uint256 vaultId;
        address collateral;
        uint256 collateralLeft;
        uint256 debtLeft;
        uint256 startPrice;
        uint256 startTime;
        bool vaultKeepsCollateral;
    }

    /// @notice What the Liquidator opens an auction with (see `start`).
    struct StartRequest {
        uint256 vaultId;
        address collateral;
        uint256 collateralAmount; // token units, already under auction in the VaultEngine
        uint256 debtToRaise; // [wad]
        uint256 price; // [wad], the oracle price the liquidation used
        bool vaultKeepsCollateral;
        address keeper;
        uint256 maxIncentive; // [wad]
    }

    event CollateralAdded(address indexed collateral, AuctionParams params);
    event CurveSet(address indexed collateral, address curve);
    event StartPriceFactorSet(address indexed collateral, uint256 startPriceFactor);
    event MaxAuctionAgeSet(address indexed collateral, uint256 maxAuctionAge);
    event ResetPriceRatioSet(address indexed collateral, uint256 resetPriceRatio);
    /// @notice The auction's copy of `collateral`'s dust followed the VaultEngine's `setDust`.
    event DustSynced(address indexed collateral, uint256 dust);
    event MaxDebtInAuctionSet(address indexed collateral, uint256 maxDebtInAuction);
    event MaxTotalDebtInAuctionSet(uint256 maxTotalDebtInAuction);
    event LiquidatorSet(address liquidator);
    event BreakerLevelSet(uint8 level);
    event IncentiveParamsSet(IncentiveParams params);
    /// @notice The auction of vault `auctionId` opened (the VaultEngine's `Seized` tells what went
    /// under auction); `keeper` is owed `incentive` for starting it.
    event AuctionStarted(
        uint256 indexed auctionId,
        address indexed keeper,
        uint256 debtToRaise,
        uint256 startPrice,
        uint256 incentive
    );
    event Take(
        uint256 indexed auctionId,
        address indexed buyer,
        address receiver,
        uint256 collateralBought,
        uint256 debtPaid,
        uint256 price
    );
    /// @notice `keeper` is owed `incentive` for restarting the auction at `startPrice`.
    event AuctionReset(uint256 indexed auctionId, address indexed keeper, uint256 startPrice, uint256 incentive);
    /// @notice The auction is over: `collateralReturned` went back to the vault, `debtReturned` was
    /// put back on the vault, and `badDebt` stays in the deficit. Emitted by the take that covers the
    /// debt or exhausts the lot, and by the `reset` that ends a dust lot.
    event AuctionEnded(uint256 indexed auctionId, uint256 collateralReturned, uint256 debtReturned, uint256 badDebt);
    event IncentivesClaimed(address indexed keeper, address indexed to, uint256 amount);

    // ---------------------------------------------------------------- admin (restricted)

    /// @notice Lists `collateral`, which the VaultEngine must list already; copies its dust from there.
    function addCollateral(address collateral, AuctionParams calldata params) external;

    function setCurve(address collateral, IPriceCurve curve) external;

    function setStartPriceFactor(address collateral, uint64 startPriceFactor) external;

    function setMaxAuctionAge(address collateral, uint32 maxAuctionAge) external;

    function setResetPriceRatio(address collateral, uint64 resetPriceRatio) external;

    /// @notice Caps `collateral`'s debt in running auctions: a cascade brake on one market.
    function setMaxDebtInAuction(address collateral, uint96 maxDebtInAuction) external;

    /// @notice Caps the debt in running auctions of all collateral types together.
    function setMaxTotalDebtInAuction(uint120 maxTotalDebtInAuction) external;

    function setIncentiveParams(IncentiveParams calldata params) external;

    function setLiquidator(address liquidator) external;

    /// @notice Guardian: raise the breaker at once (1 no new auctions, 2 also no resets, 3 also no takes).
    function raiseBreaker(uint8 level) external;

    /// @notice Governance: lower the breaker.
    function lowerBreaker(uint8 level) external;

    // ---------------------------------------------------------------- vault engine

    /// @notice The VaultEngine's `setDust` pushes the new dust here, so the copy the takes read never
    /// differs from it. A type the auction does not list yet is ignored (it copies the dust when
    /// listed). Reverts `DustOutOfRange` above 2^88 − 1, which makes the engine refuse that dust.
    /// VaultEngine only.
    function syncDust(address collateral, uint256 dust) external;

    // ---------------------------------------------------------------- liquidator

    /// @notice Opens the auction of vault `vaultId`, whose `collateralAmount` the VaultEngine has just
    /// put under auction, to raise `debtToRaise`, starting at `price · startPriceFactor`. The lot must fit under
    /// the caps (`room`). `vaultKeepsCollateral` (a partial liquidation) lets debt the auction cannot
    /// raise go back to the vault; otherwise it is bad debt. Owes `keeper` the incentive on the smaller
    /// of `debtToRaise` and the lot's value at `price` (nothing under the dust), at most `maxIncentive`,
    /// and returns it. Liquidator only.
    function start(StartRequest calldata request) external returns (uint256 incentive);

    // ---------------------------------------------------------------- anyone

    /// @notice Buys up to `maxCollateral` at the current price if it is at most `maxPrice` [wad].
    /// Collateral goes to `receiver`; if `data` is non-empty, `receiver.onTake(msg.sender, debtPaid,
    /// collateralBought, data)` runs next; then `debtPaid` is burnt from the caller. A partial take is
    /// trimmed so that it leaves at least the dust to raise (`TakeLeavesDust` if it cannot) and a lot
    /// worth at least the dust at its price (`TakeLeavesDustCollateral` if it cannot).
    function take(
        uint256 auctionId,
        uint256 maxCollateral,
        uint256 maxPrice,
        address receiver,
        bytes calldata data
    ) external returns (uint256 collateralBought, uint256 debtPaid);

    /// @notice Restarts a stale auction at a fresh oracle price and owes `keeper` the incentive on the
    /// smaller of its debt left and its lot's value at that price (nothing under the dust). An auction
    /// whose lot is worth less than the dust at the oracle price ends instead, stale or not, for no
    /// incentive (`AuctionEnded`, startPrice 0): its collateral returns to the vault with the debt
    /// left after a partial liquidation, or with the part of it the collateral is worth after a full
    /// one, the rest staying in the deficit as bad debt.
    function reset(uint256 auctionId, address keeper) external returns (uint256 startPrice);

    /// @notice Mints the caller's owed incentives to `to`, out of the protocol surplus. Incentives are
    /// owed, not minted, when earned: a keeper pays for one mint however many auctions it ran.
    function claimIncentives(address to) external returns (uint256 amount);

    // ---------------------------------------------------------------- views

    function auctionStatus(
        uint256 auctionId
    ) external view returns (bool needsReset, uint256 price, uint256 collateralLeft, uint256 debtLeft);

    /// @notice The price [wad] a take of the running auction would pay at `timestamp` (now or later),
    /// as its curve gives it from the current start: what the LP command line and keepers plot and plan
    /// with. It assumes no reset in between; whether the auction needs one by then is `needsReset` of
    /// `auctionStatus` at that time (past `maxAuctionAge`, or below `resetPriceRatio` of the start price).
    function auctionPriceAt(uint256 auctionId, uint256 timestamp) external view returns (uint256 price);

    /// @notice Ids of all auctions still running (a scan over every vault id).
    function activeAuctions() external view returns (uint256[] memory);

    function auctions(uint256 auctionId) external view returns (Auction memory);

    function auctionParams(address collateral) external view returns (AuctionParams memory);

    /// @notice Debt [wad] still to raise in running auctions of `collateral`, and of all collateral.
    function debtInAuction(address collateral) external view returns (uint256 collateralDebt, uint256 totalDebt);

    /// @notice The most debt [wad] new auctions may raise now under `collateral`'s cap and under the
    /// global cap; a new auction must fit under both.
    function room(address collateral) external view returns (uint256 collateralRoom, uint256 totalRoom);

    function maxTotalDebtInAuction() external view returns (uint256);

    /// @notice `min(maxIncentive, flatIncentive + incentiveRate · debt)` [wad], the formula; `start` and `reset`
    /// apply it to the smaller of the debt and the lot's value (see `IncentiveParams`).
    function keeperIncentive(uint256 debt) external view returns (uint256);

    /// @notice The collateral's dust [wad], copied from the VaultEngine: the least debt and the least
    /// lot value a partial take may leave, and the least an auction must be worth to earn incentives.
    function dust(address collateral) external view returns (uint256);

    function incentiveParams() external view returns (IncentiveParams memory);

    /// @notice What `keeper` is owed now and has earned in all [wad].
    function incentivesOwed(address keeper) external view returns (uint256 owed, uint256 earned);

    function breakerLevel() external view returns (uint8);

    function liquidator() external view returns (address);
}
