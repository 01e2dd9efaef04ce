// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ISluiceErrors} from "./ISluiceErrors.sol";
import {IAggregatorV3} from "./IAggregatorV3.sol";

/// @title IOracleHub
/// @notice Validated collateral prices and a volatility estimate, one Chainlink-style feed per collateral.
/// @dev Prices are stablecoin per whole collateral unit [wad]. `poke` is permissionless: it reads the
/// feed, validates the answer (sign, age, sane bounds) and stores it, moved at most `maxJump` from the
/// stored price: a larger move is followed one `maxJump` step per feed round, so the stored price
/// converges to any real move without governance and no single answer can move it further. `price`
/// serves the stored value (liquidations use it) and reverts once it is older than the heartbeat, so
/// no caller ever sees a zero or stale price. `borrowPrice` is what borrowing and withdrawing use: it
/// reads the feed live and refuses while the stored price lags the feed by more than `maxJump`.
interface IOracleHub is ISluiceErrors {
    /// @notice Parameters of one collateral's feed.
    /// @param source The Chainlink-style aggregator.
    /// @param heartbeat Oldest acceptable age of an answer [seconds].
    /// @param minPrice Lowest sane price [wad]; never zero.
    /// @param maxPrice Highest sane price [wad].
    /// @param maxJump Largest relative move of the stored price in one feed round, and largest gap
    /// between the stored price and the live feed that borrowing tolerates [wad].
    /// @param halfLife Half-life of the volatility EWMA [seconds].
    struct FeedConfig {
        IAggregatorV3 source;
        uint32 heartbeat;
        uint128 minPrice;
        uint128 maxPrice;
        uint64 maxJump;
        uint32 halfLife;
    }

    event FeedAdded(address indexed collateral, FeedConfig config);
    event FeedSourceSet(address indexed collateral, address source);
    event HeartbeatSet(address indexed collateral, uint256 heartbeat);
    event PriceBoundsSet(address indexed collateral, uint256 minPrice, uint256 maxPrice);
    event MaxJumpSet(address indexed collateral, uint256 maxJump);
    event HalfLifeSet(address indexed collateral, uint256 halfLife);
    /// @notice A new feed round was stored as `price`. `volatility` is σ [wad per √second] after the
    /// update. When the round moved more than `maxJump`, `PriceClamped` accompanies it.
    event PriceUpdated(address indexed collateral, uint256 price, uint256 updatedAt, uint256 volatility);
    /// @notice The feed's answer `feedPrice` was further than `maxJump` from the stored price, which moved
    /// by exactly `maxJump` toward it, to `price`; it keeps converging, one step per feed round, and
    /// borrowing is refused while the gap exceeds `maxJump`.
    event PriceClamped(address indexed collateral, uint256 price, uint256 feedPrice, uint256 maxJump);

    /// @notice Lists `collateral` with its feed. Restricted (governance).
    function addFeed(address collateral, FeedConfig calldata config) external;

    /// @notice Points `collateral` at a new aggregator; the stored price stays where it is and steps
    /// toward the new feed by at most `maxJump` per round. Restricted (governance).
    function setFeedSource(address collateral, IAggregatorV3 source) external;

    /// @notice Restricted (governance).
    function setHeartbeat(address collateral, uint32 heartbeat) external;

    /// @notice Restricted (governance).
    function setPriceBounds(address collateral, uint128 minPrice, uint128 maxPrice) external;

    /// @notice Restricted (governance).
    function setMaxJump(address collateral, uint64 maxJump) external;

    /// @notice Restricted (governance).
    function setHalfLife(address collateral, uint32 halfLife) external;

    /// @notice Reads and validates the feed's latest answer, stores it and updates the volatility
    /// estimate (from the stored moves). An answer more than `maxJump` from the stored price moves the
    /// stored price by exactly `maxJump` toward it (`PriceClamped`). Anyone may call it. Returns the
    /// stored price [wad]; an answer no newer than the stored one changes nothing, so repeated pokes
    /// of one round cannot walk the price further.
    function poke(address collateral) external returns (uint256 price);

    /// @notice The stored price [wad], which liquidations use, also while it lags the feed; reverts
    /// when it is older than the heartbeat or never set.
    function price(address collateral) external view returns (uint256);

    /// @notice The price [wad] borrowing and withdrawing use: the lower of the stored price and the
    /// feed's live answer. Reverts as `price` does, with the feed's validation errors when the feed
    /// is broken or stale, and with `PriceLagsFeed` when the live answer is more than `maxJump` from
    /// the stored price. Reading the feed live means nobody gains by not poking.
    function borrowPrice(address collateral) external view returns (uint256);

    /// @notice The stored price, the feed's live (validated) answer, both [wad], and the gap between
    /// them relative to the stored price, rounded up [wad]; the largest uint256 while no price is
    /// stored. Borrowing is refused while `lag > maxJump`. Reverts with the feed's validation errors.
    function priceLag(address collateral) external view returns (uint256 storedPrice, uint256 feedPrice, uint256 lag);

    /// @notice σ, the EWMA volatility estimate [wad per √second].
    function volatility(address collateral) external view returns (uint256);

    /// @notice The feed configuration of `collateral`.
    function feedConfig(address collateral) external view returns (FeedConfig memory);

    /// @notice The stored price [wad], the feed time it was published at [seconds], and the EWMA
    /// variance rate [wad per second], without a staleness check.
    function priceState(
        address collateral
    ) external view returns (uint256 storedPrice, uint256 updatedAt, uint256 variance);
}
