// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAggregatorV3} from "./IAggregatorV3.sol";

/// @title IOracleHub
/// @notice Validated collateral prices and a volatility estimate, one Chainlink-style feed per collateral.
/// @dev Prices are stablecoin per whole collateral unit [wad]. `poke` is permissionless: it reads the
/// feed, validates the answer (sign, age, sane bounds, size of the move) and stores it. `price` serves
/// the stored value and reverts once it is older than the heartbeat, so no caller ever sees a zero or
/// stale price.
interface IOracleHub {
    /// @notice Parameters of one collateral's feed.
    /// @param source The Chainlink-style aggregator.
    /// @param heartbeat Oldest acceptable age of an answer [seconds].
    /// @param minPrice Lowest sane price [wad]; never zero.
    /// @param maxPrice Highest sane price [wad].
    /// @param maxJump Largest accepted relative move from the stored price in one update [wad].
    /// @param halfLife Half-life of the volatility EWMA [seconds].
    struct FeedConfig {
        IAggregatorV3 source;
        uint32 heartbeat;
        uint128 minPrice;
        uint128 maxPrice;
        uint64 maxJump;
        uint32 halfLife;
    }

    error ZeroAddress();
    error FeedAlreadyConfigured(address collateral);
    error FeedNotConfigured(address collateral);
    error UnsupportedFeedDecimals(address source, uint8 decimals);
    error HeartbeatOutOfRange(uint256 heartbeat, uint256 min, uint256 max);
    error PriceBoundsInvalid(uint256 minPrice, uint256 maxPrice);
    error MaxJumpOutOfRange(uint256 maxJump, uint256 min, uint256 max);
    error HalfLifeOutOfRange(uint256 halfLife, uint256 min, uint256 max);
    /// @notice The feed answered zero or a negative number.
    error NonPositiveAnswer(address collateral, int256 answer);
    /// @notice The feed's timestamp is zero or in the future.
    error InvalidUpdateTime(address collateral, uint256 updatedAt);
    /// @notice The newest price is older than the heartbeat allows.
    error StalePrice(address collateral, uint256 updatedAt, uint256 heartbeat);
    error PriceOutOfBounds(address collateral, uint256 price, uint256 minPrice, uint256 maxPrice);
    /// @notice The answer moved further from the stored price than `maxJump` allows in one update.
    error PriceJumpTooLarge(address collateral, uint256 previousPrice, uint256 price, uint256 maxJump);

    event FeedAdded(address indexed collateral, FeedConfig config);
    event FeedSourceSet(address indexed collateral, address source);
    event HeartbeatSet(address indexed collateral, uint256 heartbeat);
    event PriceBoundsSet(address indexed collateral, uint256 minPrice, uint256 maxPrice);
    event MaxJumpSet(address indexed collateral, uint256 maxJump);
    event HalfLifeSet(address indexed collateral, uint256 halfLife);
    /// @notice A new answer was accepted. `volatility` is σ [wad per √second] after the update.
    event PriceUpdated(address indexed collateral, uint256 price, uint256 updatedAt, uint256 volatility);

    /// @notice Lists `collateral` with its feed. Restricted (governance).
    function addFeed(address collateral, FeedConfig calldata config) external;

    /// @notice Points `collateral` at a new aggregator; the stored price stays the anchor of the next
    /// jump check. Restricted (governance).
    function setFeedSource(address collateral, IAggregatorV3 source) external;

    /// @notice Restricted (governance).
    function setHeartbeat(address collateral, uint32 heartbeat) external;

    /// @notice Restricted (governance).
    function setPriceBounds(address collateral, uint128 minPrice, uint128 maxPrice) external;

    /// @notice Restricted (governance).
    function setMaxJump(address collateral, uint64 maxJump) external;

    /// @notice Restricted (governance).
    function setHalfLife(address collateral, uint32 halfLife) external;

    /// @notice Reads, validates and stores the feed's latest answer and updates the volatility
    /// estimate. Anyone may call it. Returns the stored price [wad]; an answer no newer than the
    /// stored one changes nothing.
    function poke(address collateral) external returns (uint256 price);

    /// @notice The stored price [wad]; reverts when it is older than the heartbeat or never set.
    function price(address collateral) external view returns (uint256);

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
