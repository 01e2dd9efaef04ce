// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
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

        (, int256 answer, , uint256 updatedAt, ) = feed.source.latestRoundData();
        if (answer <= 0) revert NonPositiveAnswer(collateral, answer);
        if (updatedAt == 0 || updatedAt > block.timestamp) revert InvalidUpdateTime(collateral, updatedAt);
        if (block.timestamp - updatedAt > feed.heartbeat) revert StalePrice(collateral, updatedAt, feed.heartbeat);
        // Nothing new: keep the stored price and, above all, do not count a zero-time "return".
        if (updatedAt <= state.updatedAt) return state.price;

        uint256 scale = 10 ** (18 - state.feedDecimals);
        // An absurd answer must fail the bounds check below, not overflow into a panic.
        uint256 newPrice = uint256(answer) > type(uint256).max / scale ? type(uint256).max : uint256(answer) * scale;
        if (newPrice < feed.minPrice || newPrice > feed.maxPrice) {
            revert PriceOutOfBounds(collateral, newPrice, feed.minPrice, feed.maxPrice);
        }
        if (state.price != 0) {
            uint256 move = newPrice > state.price ? newPrice - state.price : state.price - newPrice;
            if (FixedPointMath.divWadUp(move, state.price) > feed.maxJump) {
                revert PriceJumpTooLarge(collateral, state.price, newPrice, feed.maxJump);
            }
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
        return newPrice;
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IOracleHub
    function price(address collateral) external view returns (uint256) {
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
