// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IAggregatorV3} from "../interfaces/IAggregatorV3.sol";
import {IOracleHub} from "../interfaces/IOracleHub.sol";
import {FixedPointMath} from "../libraries/FixedPointMath.sol";
import {VolatilityMath} from "../libraries/VolatilityMath.sol";

/// @title OracleHub
/// @notice See {IOracleHub}.
contract OracleHub is IOracleHub, AccessManaged {
    uint256 internal constant MIN_HEARTBEAT = 60; // [seconds]
    uint256 internal constant MAX_HEARTBEAT = 7 days; // [seconds]
    uint256 internal constant MIN_JUMP = 0.001e18; // [wad]
    uint256 internal constant MAX_JUMP = 1e18; // [wad]
    uint256 internal constant MIN_HALF_LIFE = 60; // [seconds]
    uint256 internal constant MAX_HALF_LIFE = 365 days; // [seconds]

    struct PriceState {
        uint128 price; // [wad]
        uint64 updatedAt; // feed time of `price` [seconds]
        uint8 feedDecimals;
        // A copy of the feed's heartbeat, so that `price` reads one slot; zero for no feed.
        uint32 heartbeat; // [seconds]
        uint256 variance; // [wad per second]
    }

    mapping(address collateral => FeedConfig) internal _feeds;
    mapping(address collateral => PriceState) internal _prices;

    constructor(address authority) AccessManaged(authority) {}

    // ---------------------------------------------------------------- admin

    /// @inheritdoc IOracleHub
    function addFeed(address collateral, FeedConfig calldata config) external restricted {
        if (collateral == address(0)) revert ZeroAddress();
        if (address(_feeds[collateral].source) != address(0)) revert FeedAlreadyConfigured(collateral);
        _checkHeartbeat(config.heartbeat);
        _checkBounds(config.minPrice, config.maxPrice);
        _checkMaxJump(config.maxJump);
        _checkHalfLife(config.halfLife);
        _feeds[collateral] = config;
        _prices[collateral].heartbeat = config.heartbeat;
        _setSource(collateral, config.source);
        emit FeedAdded(collateral, config);
    }

    /// @inheritdoc IOracleHub
    function setFeedSource(address collateral, IAggregatorV3 source) external restricted {
        _configured(collateral).source = source;
        _setSource(collateral, source);
        emit FeedSourceSet(collateral, address(source));
    }

    /// @inheritdoc IOracleHub
    function setHeartbeat(address collateral, uint32 heartbeat) external restricted {
        FeedConfig storage feed = _configured(collateral);
        _checkHeartbeat(heartbeat);
        feed.heartbeat = heartbeat;
        _prices[collateral].heartbeat = heartbeat;
        emit HeartbeatSet(collateral, heartbeat);
    }

    /// @inheritdoc IOracleHub
    function setPriceBounds(address collateral, uint128 minPrice, uint128 maxPrice) external restricted {
        FeedConfig storage feed = _configured(collateral);
        _checkBounds(minPrice, maxPrice);
        (feed.minPrice, feed.maxPrice) = (minPrice, maxPrice);
        emit PriceBoundsSet(collateral, minPrice, maxPrice);
    }

    /// @inheritdoc IOracleHub
    function setMaxJump(address collateral, uint64 maxJump) external restricted {
        FeedConfig storage feed = _configured(collateral);
        _checkMaxJump(maxJump);
        feed.maxJump = maxJump;
        emit MaxJumpSet(collateral, maxJump);
    }

    /// @inheritdoc IOracleHub
    function setHalfLife(address collateral, uint32 halfLife) external restricted {
        FeedConfig storage feed = _configured(collateral);
        _checkHalfLife(halfLife);
        feed.halfLife = halfLife;
        emit HalfLifeSet(collateral, halfLife);
    }

    // ---------------------------------------------------------------- oracle

    /// @inheritdoc IOracleHub
    function poke(address collateral) external returns (uint256) {
        FeedConfig memory feed = _configured(collateral);
        PriceState memory state = _prices[collateral];

        (uint256 feedPrice, uint256 updatedAt) = _latestAnswer(collateral, feed, state.feedDecimals);
        // Nothing new: keep the stored price and, above all, do not count a zero-time "return". This is
        // also what limits convergence to one step per feed round, however often anyone pokes.
        if (updatedAt <= state.updatedAt) return state.price;
        _checkInBounds(collateral, feed, feedPrice);

        uint256 newPrice = feedPrice;
        if (state.price != 0) {
            uint256 maxMove = FixedPointMath.mulWadDown(state.price, feed.maxJump);
            // A move beyond maxJump is followed by exactly maxJump (rounded down, never more). The step
            // stops short of the answer, so newPrice lies between the stored price and feedPrice ≤
            // maxPrice (it fits uint128); a step down leaves more than feedPrice ≥ minPrice > 0.
            if (feedPrice > state.price + maxMove) newPrice = state.price + maxMove;
            else if (feedPrice + maxMove < state.price) newPrice = state.price - maxMove;
            state.variance = VolatilityMath.updateVariance(
                state.variance,
                state.price,
                newPrice,
                updatedAt - state.updatedAt,
                feed.halfLife
            );
        }

        // Bounded by maxPrice (uint128) and by block.timestamp.
        _prices[collateral] = PriceState({
            price: uint128(newPrice),
            updatedAt: uint64(updatedAt),
            feedDecimals: state.feedDecimals,
            heartbeat: state.heartbeat,
            variance: state.variance
        });
        emit PriceUpdated(collateral, newPrice, updatedAt, VolatilityMath.volatility(state.variance));
        if (newPrice != feedPrice) emit PriceClamped(collateral, newPrice, feedPrice, feed.maxJump);
        return newPrice;
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IOracleHub
    function price(address collateral) external view returns (uint256) {
        return _freshPrice(collateral);
    }

    /// @inheritdoc IOracleHub
    function borrowPrice(address collateral) external view returns (uint256) {
        uint256 storedPrice = _freshPrice(collateral);
        FeedConfig memory feed = _feeds[collateral];
        uint256 feedPrice = _validatedAnswer(collateral, feed);
        // Same rule as the step of `poke`: within maxJump iff |feed − stored| ≤ stored · maxJump.
        uint256 gap = feedPrice > storedPrice ? feedPrice - storedPrice : storedPrice - feedPrice;
        if (gap > FixedPointMath.mulWadDown(storedPrice, feed.maxJump)) {
            revert PriceLagsFeed(collateral, storedPrice, feedPrice, feed.maxJump);
        }
        // The lower of the two: nobody borrows against a price the feed has already moved below.
        return Math.min(storedPrice, feedPrice);
    }

    /// @inheritdoc IOracleHub
    function priceLag(address collateral) external view returns (uint256 storedPrice, uint256 feedPrice, uint256 lag) {
        FeedConfig memory feed = _configured(collateral);
        storedPrice = _prices[collateral].price;
        feedPrice = _validatedAnswer(collateral, feed);
        if (storedPrice == 0) return (storedPrice, feedPrice, type(uint256).max);
        uint256 gap = feedPrice > storedPrice ? feedPrice - storedPrice : storedPrice - feedPrice;
        lag = FixedPointMath.divWadUp(gap, storedPrice);
    }

    /// @inheritdoc IOracleHub
    function volatility(address collateral) external view returns (uint256) {
        _configured(collateral);
        return VolatilityMath.volatility(_prices[collateral].variance);
    }

    /// @inheritdoc IOracleHub
    function feedConfig(address collateral) external view returns (FeedConfig memory) {
        return _configured(collateral);
    }

    /// @inheritdoc IOracleHub
    function priceState(
        address collateral
    ) external view returns (uint256 storedPrice, uint256 updatedAt, uint256 variance) {
        PriceState storage state = _prices[collateral];
        return (state.price, state.updatedAt, state.variance);
    }

    // ---------------------------------------------------------------- internals

    /// @dev The stored price, unless it is older than the heartbeat or was never set.
    function _freshPrice(address collateral) internal view returns (uint256) {
        PriceState storage state = _prices[collateral];
        uint256 heartbeat = state.heartbeat;
        if (heartbeat == 0) revert FeedNotConfigured(collateral);
        uint256 updatedAt = state.updatedAt;
        // A price never set has updatedAt 0, which is always older than the heartbeat (≤ 7 days).
        if (block.timestamp - updatedAt > heartbeat) {
            revert StalePrice(collateral, updatedAt, heartbeat);
        }
        return state.price;
    }

    /// @dev The feed's latest answer [wad] and its time, checked for sign, time and age, not bounds.
    function _latestAnswer(
        address collateral,
        FeedConfig memory feed,
        uint8 feedDecimals
    ) internal view returns (uint256 answerPrice, uint256 updatedAt) {
        int256 answer;
        (, answer, , updatedAt, ) = feed.source.latestRoundData();
        if (answer <= 0) revert NonPositiveAnswer(collateral, answer);
        if (updatedAt == 0 || updatedAt > block.timestamp) revert InvalidUpdateTime(collateral, updatedAt);
        if (block.timestamp - updatedAt > feed.heartbeat) revert StalePrice(collateral, updatedAt, feed.heartbeat);
        uint256 scale = 10 ** (18 - feedDecimals);
        // An absurd answer must fail the bounds check, not overflow into a panic.
        answerPrice = uint256(answer) > type(uint256).max / scale ? type(uint256).max : uint256(answer) * scale;
    }

    /// @dev The feed's latest answer [wad], fully validated (sign, time, age, bounds).
    function _validatedAnswer(address collateral, FeedConfig memory feed) internal view returns (uint256 answerPrice) {
        (answerPrice, ) = _latestAnswer(collateral, feed, _prices[collateral].feedDecimals);
        _checkInBounds(collateral, feed, answerPrice);
    }

    function _checkInBounds(address collateral, FeedConfig memory feed, uint256 answerPrice) internal pure {
        if (answerPrice < feed.minPrice || answerPrice > feed.maxPrice) {
            revert PriceOutOfBounds(collateral, answerPrice, feed.minPrice, feed.maxPrice);
        }
    }

    function _configured(address collateral) internal view returns (FeedConfig storage feed) {
        feed = _feeds[collateral];
        if (address(feed.source) == address(0)) revert FeedNotConfigured(collateral);
    }

    function _setSource(address collateral, IAggregatorV3 source) internal {
        if (address(source) == address(0)) revert ZeroAddress();
        uint8 decimals = source.decimals();
        if (decimals > 18) revert UnsupportedFeedDecimals(address(source), decimals);
        _prices[collateral].feedDecimals = decimals;
    }

    function _checkHeartbeat(uint256 heartbeat) internal pure {
        if (heartbeat < MIN_HEARTBEAT || heartbeat > MAX_HEARTBEAT) {
            revert HeartbeatOutOfRange(heartbeat, MIN_HEARTBEAT, MAX_HEARTBEAT);
        }
    }

    function _checkBounds(uint256 minPrice, uint256 maxPrice) internal pure {
        if (minPrice == 0 || minPrice >= maxPrice) revert PriceBoundsInvalid(minPrice, maxPrice);
    }

    function _checkMaxJump(uint256 maxJump) internal pure {
        if (maxJump < MIN_JUMP || maxJump > MAX_JUMP) revert MaxJumpOutOfRange(maxJump, MIN_JUMP, MAX_JUMP);
    }

    function _checkHalfLife(uint256 halfLife) internal pure {
        if (halfLife < MIN_HALF_LIFE || halfLife > MAX_HALF_LIFE) {
            revert HalfLifeOutOfRange(halfLife, MIN_HALF_LIFE, MAX_HALF_LIFE);
        }
    }
}
