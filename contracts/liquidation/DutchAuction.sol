// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IDutchAuction} from "../interfaces/IDutchAuction.sol";
import {ILiquidator} from "../interfaces/ILiquidator.sol";
import {IOracleHub} from "../interfaces/IOracleHub.sol";
import {IPriceCurve} from "../interfaces/IPriceCurve.sol";
import {ITakeCallback} from "../interfaces/ITakeCallback.sol";
import {IVaultEngine} from "../interfaces/IVaultEngine.sol";
import {FixedPointMath, WAD} from "../libraries/FixedPointMath.sol";

/// @title DutchAuction
/// @notice See {IDutchAuction}.
contract DutchAuction is IDutchAuction, AccessManaged, ReentrancyGuardTransient {
    using SafeCast for uint256;

    uint256 internal constant MAX_BUF = 3e18; // [wad]
    uint256 internal constant MIN_TAIL = 60; // [seconds]
    uint256 internal constant MAX_TAIL = 7 days; // [seconds]
    uint256 internal constant MAX_CUSP = 0.99e18; // [wad]
    uint8 internal constant MAX_BREAKER_LEVEL = 3;

    struct CollateralConfig {
        IPriceCurve curve;
        uint64 buf; // [wad]
        uint32 tail; // [seconds]
        uint64 cusp; // [wad]
        uint96 minDebtLeft; // [wad]
        uint8 decimals;
        address collateral;
        uint96 debtInAuction; // [wad]
    }

    IVaultEngine public immutable vaultEngine;
    IOracleHub public immutable oracle;
    address internal immutable _stablecoin;

    /// @inheritdoc IDutchAuction
    address public liquidator;
    /// @inheritdoc IDutchAuction
    uint8 public breakerLevel;
    uint128 internal _totalDebtInAuction; // [wad]
    uint128 internal _auctionCount;
    uint16 internal _collateralCount;

    mapping(uint16 collateralId => CollateralConfig) internal _configs;
    mapping(address collateral => uint16) internal _collateralIds;
    mapping(uint256 auctionId => Auction) internal _auctions;

    constructor(address authority, IVaultEngine vaultEngine_) AccessManaged(authority) {
        if (address(vaultEngine_) == address(0)) revert ZeroAddress();
        vaultEngine = vaultEngine_;
        oracle = vaultEngine_.oracle();
        _stablecoin = address(vaultEngine_.stablecoin());
    }

    // ---------------------------------------------------------------- admin

    /// @inheritdoc IDutchAuction
    function addCollateral(address collateral, AuctionParams calldata params) external restricted {
        if (collateral == address(0)) revert ZeroAddress();
        if (_collateralIds[collateral] != 0) revert CollateralAlreadyListed(collateral);
        // Reverts CollateralNotListed in the engine: only engine collateral can be auctioned.
        vaultEngine.collateralParams(collateral);
        uint16 id = ++_collateralCount;
        _collateralIds[collateral] = id;
        CollateralConfig storage config = _configs[id];
        config.collateral = collateral;
        config.decimals = _decimalsOf(collateral);
        _setCurve(config, params.curve);
        _setBuf(config, params.buf);
        _setTail(config, params.tail);
        _setCusp(config, params.cusp);
        config.minDebtLeft = params.minDebtLeft;
        emit CollateralAdded(collateral, id, params);
    }

    /// @inheritdoc IDutchAuction
    function setCurve(address collateral, IPriceCurve curve) external restricted {
        _setCurve(_config(collateral), curve);
        emit CurveSet(collateral, address(curve));
    }

    /// @inheritdoc IDutchAuction
    function setBuf(address collateral, uint64 buf) external restricted {
        _setBuf(_config(collateral), buf);
        emit BufSet(collateral, buf);
    }

    /// @inheritdoc IDutchAuction
    function setTail(address collateral, uint32 tail) external restricted {
        _setTail(_config(collateral), tail);
        emit TailSet(collateral, tail);
    }

    /// @inheritdoc IDutchAuction
    function setCusp(address collateral, uint64 cusp) external restricted {
        _setCusp(_config(collateral), cusp);
        emit CuspSet(collateral, cusp);
    }

    /// @inheritdoc IDutchAuction
    function setMinDebtLeft(address collateral, uint96 minDebtLeft) external restricted {
        _config(collateral).minDebtLeft = minDebtLeft;
        emit MinDebtLeftSet(collateral, minDebtLeft);
    }

    /// @inheritdoc IDutchAuction
    function setLiquidator(address liquidator_) external restricted {
        if (liquidator_ == address(0)) revert ZeroAddress();
        liquidator = liquidator_;
        emit LiquidatorSet(liquidator_);
    }

    /// @inheritdoc IDutchAuction
    function raiseBreaker(uint8 level) external restricted {
        if (level <= breakerLevel || level > MAX_BREAKER_LEVEL) revert BreakerLevelInvalid(level, breakerLevel);
        breakerLevel = level;
        emit BreakerLevelSet(level);
    }

    /// @inheritdoc IDutchAuction
    function lowerBreaker(uint8 level) external restricted {
        if (level >= breakerLevel) revert BreakerLevelInvalid(level, breakerLevel);
        breakerLevel = level;
        emit BreakerLevelSet(level);
    }

    // ---------------------------------------------------------------- liquidator

    /// @inheritdoc IDutchAuction
    function start(
        uint256 vaultId,
        address collateral,
        uint256 collateralAmount,
        uint256 debtToRaise,
        uint256 price,
        bool vaultKeepsCollateral
    ) external returns (uint256 auctionId) {
        if (msg.sender != liquidator) revert NotLiquidator(msg.sender);
        if (breakerLevel >= 1) revert BreakerTripped(breakerLevel);
        if (collateralAmount == 0 || debtToRaise == 0) revert EmptyLot();
        uint16 id = _collateralIds[collateral];
        if (id == 0) revert CollateralNotListed(collateral);
        CollateralConfig storage config = _configs[id];

        uint256 startPrice = FixedPointMath.mulWadUp(price, config.buf);
        auctionId = ++_auctionCount;
        _auctions[auctionId] = Auction({
            collateralLeft: collateralAmount.toUint128(),
            debtLeft: debtToRaise.toUint128(),
            startPrice: startPrice.toUint96(),
            startTime: uint40(block.timestamp),
            vaultId: vaultId.toUint56(),
            collateralId: id,
            vaultKeepsCollateral: vaultKeepsCollateral
        });
        config.debtInAuction = (config.debtInAuction + debtToRaise).toUint96();
        _totalDebtInAuction = (_totalDebtInAuction + debtToRaise).toUint128();
        emit AuctionStarted(auctionId, vaultId, collateral, collateralAmount, debtToRaise, startPrice);
    }

    // ---------------------------------------------------------------- anyone

    /// @inheritdoc IDutchAuction
    function take(
        uint256 auctionId,
        uint256 maxCollateral,
        uint256 maxPrice,
        address receiver,
        bytes calldata data
    ) external nonReentrant returns (uint256 collateralBought, uint256 debtPaid) {
        if (breakerLevel >= 3) revert BreakerTripped(breakerLevel);
        if (receiver == address(0)) revert ZeroAddress();
        // Collateral sent back into the engine would belong to no vault and no auction.
        if (receiver == address(vaultEngine)) revert ForbiddenCallbackTarget(receiver);
        Auction memory auction = _auctions[auctionId];
        if (auction.debtLeft == 0) revert AuctionNotActive(auctionId);
        CollateralConfig storage config = _configs[auction.collateralId];
        (bool needsReset, uint256 price) = _status(auction, config);
        if (needsReset) revert AuctionNeedsReset(auctionId);
        if (price > maxPrice) revert PriceAboveMax(price, maxPrice);

        (collateralBought, debtPaid) = _fill(auction, config, price, maxCollateral);
        bool ended = _record(auctionId, auction, config, collateralBought, debtPaid);
        emit Take(auctionId, msg.sender, receiver, collateralBought, debtPaid, price);

        // Collateral out, then the buyer's callback, then the payment: a buyer may sell the
        // collateral to pay for it. The reentrancy lock covers the whole sequence.
        address collateral = config.collateral;
        vaultEngine.sendAuctionCollateral(collateral, receiver, collateralBought);
        if (data.length != 0) {
            _checkCallbackTarget(receiver, collateral);
            ITakeCallback(receiver).onTake(msg.sender, debtPaid, collateralBought, data);
        }
        vaultEngine.collectAuctionProceeds(msg.sender, debtPaid);
        if (ended) _end(auctionId, auction, collateralBought, debtPaid);
    }

    /// @inheritdoc IDutchAuction
    function reset(uint256 auctionId, address keeper) external nonReentrant returns (uint256 startPrice) {
        if (breakerLevel >= 2) revert BreakerTripped(breakerLevel);
        if (keeper == address(0)) revert ZeroAddress();
        Auction storage auction = _auctions[auctionId];
        uint256 debtLeft = auction.debtLeft;
        if (debtLeft == 0) revert AuctionNotActive(auctionId);
        CollateralConfig storage config = _configs[auction.collateralId];
        (bool needsReset, ) = _status(auction, config);
        if (!needsReset) revert AuctionNotStale(auctionId);

        startPrice = FixedPointMath.mulWadUp(oracle.price(config.collateral), config.buf);
        auction.startPrice = startPrice.toUint96();
        auction.startTime = uint40(block.timestamp);
        uint256 incentive = ILiquidator(liquidator).keeperIncentive(debtLeft);
        emit AuctionReset(auctionId, keeper, startPrice, incentive);
        if (incentive != 0) vaultEngine.payKeeper(keeper, incentive);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IDutchAuction
    function auctionStatus(
        uint256 auctionId
    ) external view returns (bool needsReset, uint256 price, uint256 collateralLeft, uint256 debtLeft) {
        Auction memory auction = _auctions[auctionId];
        if (auction.debtLeft == 0) return (false, 0, 0, 0);
        (needsReset, price) = _status(auction, _configs[auction.collateralId]);
        return (needsReset, price, auction.collateralLeft, auction.debtLeft);
    }

    /// @inheritdoc IDutchAuction
    function activeAuctions() external view returns (uint256[] memory ids) {
        uint256 count = _auctionCount;
        uint256 active;
        for (uint256 id = 1; id <= count; ++id) {
            if (_auctions[id].debtLeft != 0) ++active;
        }
        ids = new uint256[](active);
        uint256 next;
        for (uint256 id = 1; next < active; ++id) {
            if (_auctions[id].debtLeft != 0) ids[next++] = id;
        }
    }

    /// @inheritdoc IDutchAuction
    function auctions(uint256 auctionId) external view returns (Auction memory) {
        return _auctions[auctionId];
    }

    /// @inheritdoc IDutchAuction
    function auctionParams(address collateral) external view returns (AuctionParams memory) {
        CollateralConfig storage config = _config(collateral);
        return
            AuctionParams({
                curve: config.curve,
                buf: config.buf,
                tail: config.tail,
                cusp: config.cusp,
                minDebtLeft: config.minDebtLeft
            });
    }

    /// @inheritdoc IDutchAuction
    function debtInAuction(address collateral) external view returns (uint256 collateralDebt, uint256 totalDebt) {
        return (_config(collateral).debtInAuction, _totalDebtInAuction);
    }

    /// @inheritdoc IDutchAuction
    function auctionCount() external view returns (uint256) {
        return _auctionCount;
    }

    // ---------------------------------------------------------------- internals

    /// @dev How much a take buys and pays, rounding for the protocol: the buyer pays the value rounded
    /// up and receives collateral rounded down.
    function _fill(
        Auction memory auction,
        CollateralConfig storage config,
        uint256 price,
        uint256 maxCollateral
    ) internal view returns (uint256 collateralBought, uint256 debtPaid) {
        uint8 decimals = config.decimals;
        collateralBought = Math.min(auction.collateralLeft, maxCollateral);
        if (collateralBought == 0) revert ZeroTake();
        debtPaid = FixedPointMath.valueUp(collateralBought, decimals, price);
        if (debtPaid >= auction.debtLeft) {
            // Nothing is sold once the debt is covered: buy just enough for what is left.
            debtPaid = auction.debtLeft;
            collateralBought = Math.min(collateralBought, FixedPointMath.amountDown(debtPaid, decimals, price));
        } else if (collateralBought < auction.collateralLeft && auction.debtLeft - debtPaid < config.minDebtLeft) {
            // A partial take may not leave dust: it is trimmed to leave exactly the minimum.
            if (auction.debtLeft <= config.minDebtLeft)
                revert TakeLeavesDust(auction.debtLeft - debtPaid, config.minDebtLeft);
            debtPaid = auction.debtLeft - config.minDebtLeft;
            collateralBought = FixedPointMath.amountDown(debtPaid, decimals, price);
            if (collateralBought == 0) revert ZeroTake();
        }
    }

    /// @dev Writes the take into the books; returns whether it ended the auction.
    function _record(
        uint256 auctionId,
        Auction memory auction,
        CollateralConfig storage config,
        uint256 collateralBought,
        uint256 debtPaid
    ) internal returns (bool ended) {
        uint256 collateralLeft = auction.collateralLeft - collateralBought;
        uint256 debtLeft = auction.debtLeft - debtPaid;
        ended = debtLeft == 0 || collateralLeft == 0;
        if (ended) {
            delete _auctions[auctionId];
            _release(config, auction.debtLeft);
        } else {
            // Both fit: they only shrink from uint128 values.
            _auctions[auctionId].collateralLeft = uint128(collateralLeft);
            _auctions[auctionId].debtLeft = uint128(debtLeft);
            _release(config, debtPaid);
        }
    }

    function _status(Auction memory auction, CollateralConfig storage config) internal view returns (bool, uint256) {
        uint256 elapsed = block.timestamp - auction.startTime;
        uint256 price = config.curve.price(auction.startPrice, elapsed);
        bool needsReset =
            elapsed > config.tail || price == 0 || price < FixedPointMath.mulWadDown(auction.startPrice, config.cusp);
        return (needsReset, price);
    }

    function _end(uint256 auctionId, Auction memory auction, uint256 collateralBought, uint256 debtPaid) internal {
        uint256 collateralLeft = auction.collateralLeft - collateralBought;
        uint256 debtLeft = auction.debtLeft - debtPaid;
        // Out of collateral with debt left: a partial liquidation's vault, which kept collateral of
        // its own, owes it again; after a full liquidation it is bad debt and stays in the deficit.
        // Deciding by the state at the start keeps anyone from re-arming an emptied vault with a
        // dust deposit.
        uint256 debtReturned = auction.vaultKeepsCollateral ? debtLeft : 0;
        uint256 badDebt = debtLeft - debtReturned;
        emit AuctionEnded(auctionId, auction.vaultId, collateralLeft, debtReturned, badDebt);
        vaultEngine.endAuction(auction.vaultId, collateralLeft, debtReturned);
    }

    function _release(CollateralConfig storage config, uint256 debt) internal {
        config.debtInAuction -= uint96(debt);
        _totalDebtInAuction -= uint128(debt);
    }

    function _checkCallbackTarget(address receiver, address collateral) internal view {
        // The VaultEngine is refused as any receiver, callback or not, at the top of `take`.
        if (
            receiver == _stablecoin ||
            receiver == address(oracle) ||
            receiver == liquidator ||
            receiver == authority() ||
            receiver == address(this) ||
            receiver == collateral
        ) revert ForbiddenCallbackTarget(receiver);
    }

    function _config(address collateral) internal view returns (CollateralConfig storage) {
        uint16 id = _collateralIds[collateral];
        if (id == 0) revert CollateralNotListed(collateral);
        return _configs[id];
    }

    function _decimalsOf(address collateral) internal view returns (uint8) {
        return IERC20Metadata(collateral).decimals();
    }

    function _setCurve(CollateralConfig storage config, IPriceCurve curve) internal {
        if (address(curve) == address(0)) revert ZeroAddress();
        config.curve = curve;
    }

    function _setBuf(CollateralConfig storage config, uint64 buf) internal {
        if (buf < WAD || buf > MAX_BUF) revert OutOfRange("buf", buf, WAD, MAX_BUF);
        config.buf = buf;
    }

    function _setTail(CollateralConfig storage config, uint32 tail) internal {
        if (tail < MIN_TAIL || tail > MAX_TAIL) revert OutOfRange("tail", tail, MIN_TAIL, MAX_TAIL);
        config.tail = tail;
    }

    function _setCusp(CollateralConfig storage config, uint64 cusp) internal {
        if (cusp > MAX_CUSP) revert OutOfRange("cusp", cusp, 0, MAX_CUSP);
        config.cusp = cusp;
    }
}
