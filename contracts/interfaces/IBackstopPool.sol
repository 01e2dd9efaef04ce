// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ISluiceErrors} from "./ISluiceErrors.sol";

/// @title IBackstopPool
/// @notice Liquidity providers' stablecoin, pooled to buy seized collateral from the DutchAuction once
/// its price is at least `minDiscount` below the oracle. LPs own shares of everything the pool holds
/// (stablecoin and each listed collateral) and withdraw their pro-rata part of each, in kind.
/// @dev Deposits are pending in rounds. A round is open for at least `warmup` seconds; its deposits
/// become active when the round after it has ended too, so every deposit waits at least `warmup`.
/// The first action that needs it (`deposit`, `activate`, `bid`) prices every matured round at the
/// pool's value at that moment, at oracle prices: the round's stablecoin joins the holdings and its
/// shares join the supply together, and each LP's part is converted lazily at the round's stored rate.
/// A bid always prices matured rounds first, so at any bid every deposit is either active (priced
/// before the bid) or still pending: pending stablecoin never pays for a bid nor shares its gain, and
/// nobody chooses when a deposit activates. The pool counts its holdings itself: tokens sent to it
/// directly are no part of any share. Share math uses `VIRTUAL_SHARES` virtual shares (a seed nobody
/// owns), so a first depositor cannot inflate the share price against the next one
/// (docs/ACCOUNTING.md, "Backstop pool").
interface IBackstopPool is ISluiceErrors {
    /// @notice One LP's position, as `positionOf` shows it (matured pending deposits counted as shares).
    /// @param pendingAmount Stablecoin still pending [wad]; refundable by `cancelDeposit`.
    /// @param pendingRound The round it is pending in.
    /// @param maturesAt Earliest time it can become active [seconds] (0 with nothing pending).
    /// @param shares Active shares.
    /// @param lockedUntil The shares cannot be withdrawn before this time [seconds].
    /// @param value The shares' value at oracle prices [wad], rounded down.
    struct Position {
        uint256 pendingAmount;
        uint256 pendingRound;
        uint256 maturesAt;
        uint256 shares;
        uint256 lockedUntil;
        uint256 value;
    }

    event WarmupSet(uint256 warmup);
    event LockPeriodSet(uint256 lockPeriod);
    event MinDiscountSet(uint256 minDiscount);
    event CallerCutSet(uint256 callerCut);
    event CollateralAdded(address indexed collateral, uint8 decimals);
    event CollateralRemoved(address indexed collateral);
    /// @notice `sender` deposited `amount` [wad] for `lp`, pending in `round`, active at `maturesAt` or later.
    event Deposited(address indexed lp, address indexed sender, uint256 amount, uint256 round, uint256 maturesAt);
    /// @notice `lp`'s pending deposit moved into the open round `round` (their own later deposit joined it).
    event DepositRolled(address indexed lp, uint256 fromRound, uint256 round, uint256 amount);
    event DepositCancelled(address indexed lp, address indexed receiver, uint256 amount, uint256 round);
    /// @notice The deposits of `round` became active: `amount` [wad] joined the holdings and `shares`
    /// the supply, priced at `poolValue` [wad] and `totalShares` (both before, virtual shares excluded).
    event RoundActivated(uint256 indexed round, uint256 amount, uint256 shares, uint256 poolValue, uint256 totalShares);
    /// @notice `lp`'s deposit of `round` became `shares`, locked until `lockedUntil`.
    event SharesIssued(address indexed lp, uint256 indexed round, uint256 amount, uint256 shares, uint256 lockedUntil);
    /// @notice `lp` redeemed `shares` for `stablecoinOut` [wad] and `collateralOut` (token units, in the
    /// order of `collaterals()`), sent to `receiver`.
    event Withdrawn(
        address indexed lp,
        address indexed receiver,
        uint256 shares,
        uint256 stablecoinOut,
        uint256[] collateralOut
    );
    /// @notice The pool bought `collateralBought` of `collateral` for `debtPaid` [wad], with the oracle at
    /// `oraclePrice` [wad]; `caller` earned `callerCut` [wad] of the discount. The most it would pay per
    /// unit was `oraclePrice · (1 − minDiscount)`; the auction's price is in its `Take` event of the
    /// same transaction.
    event Bid(
        uint256 indexed auctionId,
        address indexed caller,
        address indexed collateral,
        uint256 collateralBought,
        uint256 debtPaid,
        uint256 oraclePrice,
        uint256 callerCut
    );

    // ---------------------------------------------------------------- admin (restricted)

    /// @notice Least time a deposit is pending [seconds], in [1 hour, 7 days]. Also the least length of
    /// a round; applies to rounds from their next check on.
    function setWarmup(uint32 warmup) external;

    /// @notice Time active shares stay locked after they activate [seconds], in [0, 30 days].
    function setLockPeriod(uint32 lockPeriod) external;

    /// @notice Least discount below the oracle the pool buys at [wad], in [0.5%, 50%].
    function setMinDiscount(uint64 minDiscount) external;

    /// @notice The bidder's share of each bid's discount [wad], in [0, 50%], paid in stablecoin.
    function setCallerCut(uint64 callerCut) external;

    /// @notice Lets the pool hold and buy `collateral` (at most `MAX_COLLATERALS` tokens).
    function addCollateral(address collateral) external;

    /// @notice Stops listing `collateral`, which the pool must not hold any more.
    function removeCollateral(address collateral) external;

    // ---------------------------------------------------------------- LPs

    /// @notice Pulls `amount` [wad] of stablecoin from the caller into a pending deposit for `receiver`.
    /// The caller's own earlier pending deposit that has not matured rolls into the open round with it
    /// (one pending deposit per LP); one that has matured becomes shares first. For another receiver,
    /// only a fresh position (`ReceiverHasPosition`). Returns the round it is pending in. Prices matured
    /// rounds first, so it reverts like the OracleHub while a held collateral's price is stale and a
    /// round is due (withdrawals and cancellations need no price).
    function deposit(uint256 amount, address receiver) external returns (uint256 round);

    /// @notice Refunds the caller's pending deposit, exactly, to `receiver`, while it has not matured.
    function cancelDeposit(address receiver) external returns (uint256 amount);

    /// @notice Prices every matured round (anyone may call it; keepers do) and turns `lp`'s matured
    /// deposit, if any, into shares. Returns `lp`'s active shares.
    function activate(address lp) external returns (uint256 shares);

    /// @notice Redeems `shares` of the caller's unlocked shares for their pro-rata part of the pool's
    /// stablecoin and of each collateral, each rounded down, sent to `receiver`. Needs no oracle price.
    function withdraw(
        uint256 shares,
        address receiver
    ) external returns (uint256 stablecoinOut, uint256[] memory collateralOut);

    // ---------------------------------------------------------------- keepers

    /// @notice Buys up to `maxCollateral` from auction `auctionId` with the pool's active stablecoin, if
    /// the auction price is at most `maxPrice = oracle · (1 − minDiscount)` and so is the price the take
    /// actually charges per unit (`EffectivePriceTooHigh`). Refuses an auction that needs a reset
    /// (`AuctionNeedsReset`, the pool's or the auction's, one selector), a price above `maxPrice`
    /// (`DiscountTooSmall`, or the auction's `PriceAboveMax` when the pool can afford what is asked at
    /// `maxPrice` and so does not read the price itself), and a stale oracle (the OracleHub's
    /// `StalePrice`). Buys at most what the active stablecoin covers, keeping room for the cut, and pays
    /// the caller `callerCut` of the discount (value at the oracle minus the price paid) in stablecoin.
    /// Anyone may call it.
    function bid(
        uint256 auctionId,
        uint256 maxCollateral
    ) external returns (uint256 collateralBought, uint256 debtPaid, uint256 callerCut);

    // ---------------------------------------------------------------- views

    function warmup() external view returns (uint256);

    function lockPeriod() external view returns (uint256);

    function minDiscount() external view returns (uint256);

    function callerCut() external view returns (uint256);

    /// @notice The tokens the pool may hold besides the stablecoin, in withdrawal order.
    function collaterals() external view returns (address[] memory);

    /// @notice Active shares in all (virtual shares excluded).
    function totalShares() external view returns (uint256);

    /// @notice What the shares own: active stablecoin [wad] and each collateral [token units], in the
    /// order of `collaterals()`. Pending deposits and stray transfers are not part of it.
    function holdings() external view returns (uint256 stablecoin, uint256[] memory collateralAmounts);

    /// @notice The holdings' value at oracle prices [wad], each token rounded down. Reverts on a stale
    /// price of a held collateral.
    function totalValue() external view returns (uint256);

    /// @notice Stablecoin pending in the open round and in the previous one [wad].
    function pendingTotals() external view returns (uint256 openRound, uint256 previousRound);

    /// @notice The open round, and the time it ends [seconds].
    function currentRound() external view returns (uint256 round, uint256 endsAt);

    /// @notice `lp`'s position now. Reverts on a stale price of a held collateral (it values the shares).
    function positionOf(address lp) external view returns (Position memory);

    /// @notice The holdings `shares` redeem now [wad and token units], as `withdraw` pays them.
    function previewWithdraw(
        uint256 shares
    ) external view returns (uint256 stablecoinOut, uint256[] memory collateralOut);

    /// @notice The highest auction price [wad] the pool pays for `collateral` now: `oracle · (1 − minDiscount)`.
    function maxBidPrice(address collateral) external view returns (uint256);
}
