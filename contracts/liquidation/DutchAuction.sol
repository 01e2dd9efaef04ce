// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IDutchAuction} from "../interfaces/IDutchAuction.sol";
import {IOracleHub} from "../interfaces/IOracleHub.sol";
import {IPriceCurve} from "../interfaces/IPriceCurve.sol";
import {ITakeCallback} from "../interfaces/ITakeCallback.sol";
import {IVaultEngine} from "../interfaces/IVaultEngine.sol";
import {FixedPointMath, WAD} from "../libraries/FixedPointMath.sol";
import {LiquidationMath} from "../libraries/LiquidationMath.sol";

/// @title DutchAuction
/// @notice See {IDutchAuction}.
/// @dev Gas goes to storage, so the layout is tight (docs/BENCHMARKS.md): an auction is one slot keyed
/// by its vault id, and its collateral sits in a slot the VaultEngine's vault already fills; a
/// collateral type's settings are three slots, of which a take, a start and a reset each read two;
/// keeper incentives are owed in a slot that stays non-zero once a keeper has earned anything, then
/// minted in one claim.
contract DutchAuction is IDutchAuction, AccessManaged, ReentrancyGuardTransient {
    using SafeCast for uint256;

    uint256 internal constant MAX_BUF = 3e18; // [wad]
    uint256 internal constant MIN_TAIL = 60; // [seconds]
    uint256 internal constant MAX_TAIL = 7 days; // [seconds]
    uint256 internal constant MAX_CUSP = 0.99e18; // [wad]
    uint256 internal constant MAX_CHIP = 0.1e18; // [wad]
    uint8 internal constant MAX_BREAKER_LEVEL = 3;
    uint256 internal constant MAX_DUST = type(uint88).max; // [wad]

    /// @dev Per collateral type, three slots: a take and a reset read the first two, a start the last
    /// two. A type is listed when its `buf` (≥ 1) is set.
    struct CollateralConfig {
        // How an auction's price moves and when it needs a reset.
        IPriceCurve curve;
        uint24 tail; // [seconds]
        uint64 cusp; // [wad]
        // Debt in auction, the engine's dust (the least debt and lot value a take may leave), the
        // start price's premium, and the token's decimals to value lots with.
        uint96 debtInAuction; // [wad]
        uint88 dust; // [wad]
        uint64 buf; // [wad]
        uint8 decimals;
        // The cascade brake on this collateral.
        uint96 maxDebtInAuction; // [wad]
    }

    /// @dev One running auction, one slot (stored packed by `_store`, read by `_load`). `debtLeft` is
    /// zero for no auction.
    struct Lot {
        uint96 debtLeft; // [wad]
        uint112 startPrice; // [wad]
        uint40 startTime; // [seconds]
        bool vaultKeepsCollateral;
    }

    /// @dev One take, as `_sell` sized and booked it.
    struct Sale {
        address collateral;
        uint256 price; // [wad]
        uint256 collateralBought; // token units
        uint256 debtPaid; // [wad]
        bool ended;
        uint256 debtReturned; // [wad]
        uint256 badDebt; // [wad]
    }

    /// @dev `earned` only grows, so the slot never returns to zero and owing again is a rewrite.
    struct Credit {
        uint128 owed; // [wad]
        uint128 earned; // [wad]
    }

    IVaultEngine public immutable vaultEngine;
    IOracleHub public immutable oracle;
    address internal immutable _stablecoin;

    // One slot, read by every take: the global cascade brake and the breaker.
    uint128 internal _totalDebtInAuction; // [wad]
    uint120 internal _maxTotalDebtInAuction; // [wad]
    /// @inheritdoc IDutchAuction
    uint8 public breakerLevel;
    /// @inheritdoc IDutchAuction
    address public liquidator;
    IncentiveParams internal _incentive;

    mapping(address collateral => CollateralConfig) internal _configs;
    mapping(uint256 vaultId => uint256 packedLot) internal _lots;
    mapping(address keeper => Credit) internal _credits;

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
        CollateralConfig storage config = _configs[collateral];
        if (config.buf != 0) revert CollateralAlreadyListed(collateral);
        // Reverts CollateralNotListed in the engine: only engine collateral can be auctioned. Its dust
        // is copied here and pushed by the engine's `setDust` from now on.
        config.dust = _checkedDust(vaultEngine.collateralParams(collateral).dust);
        config.decimals = IERC20Metadata(collateral).decimals();
        _setCurve(config, params.curve);
        _setBuf(config, params.buf);
        _setTail(config, params.tail);
        _setCusp(config, params.cusp);
        config.maxDebtInAuction = params.maxDebtInAuction;
        emit CollateralAdded(collateral, params);
    }

    /// @inheritdoc IDutchAuction
    function setCurve(address collateral, IPriceCurve curve) external restricted {
        _setCurve(_listed(collateral), curve);
        emit CurveSet(collateral, address(curve));
    }

    /// @inheritdoc IDutchAuction
    function setBuf(address collateral, uint64 buf) external restricted {
        _setBuf(_listed(collateral), buf);
        emit BufSet(collateral, buf);
    }

    /// @inheritdoc IDutchAuction
    function setTail(address collateral, uint32 tail) external restricted {
        _setTail(_listed(collateral), tail);
        emit TailSet(collateral, tail);
    }

    /// @inheritdoc IDutchAuction
    function setCusp(address collateral, uint64 cusp) external restricted {
        _setCusp(_listed(collateral), cusp);
        emit CuspSet(collateral, cusp);
    }

    /// @inheritdoc IDutchAuction
    function setMaxDebtInAuction(address collateral, uint96 maxDebtInAuction) external restricted {
        _listed(collateral).maxDebtInAuction = maxDebtInAuction;
        emit MaxDebtInAuctionSet(collateral, maxDebtInAuction);
    }

    /// @inheritdoc IDutchAuction
    function setMaxTotalDebtInAuction(uint120 maxTotalDebtInAuction_) external restricted {
        _maxTotalDebtInAuction = maxTotalDebtInAuction_;
        emit MaxTotalDebtInAuctionSet(maxTotalDebtInAuction_);
    }

    /// @inheritdoc IDutchAuction
    function setIncentiveParams(IncentiveParams calldata params) external restricted {
        if (params.chip > MAX_CHIP) revert OutOfRange("chip", params.chip, 0, MAX_CHIP);
        _incentive = params;
        emit IncentiveParamsSet(params);
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

    // ---------------------------------------------------------------- vault engine

    /// @inheritdoc IDutchAuction
    function syncDust(address collateral, uint256 dust_) external {
        if (msg.sender != address(vaultEngine)) revert NotVaultEngine(msg.sender);
        CollateralConfig storage config = _configs[collateral];
        if (config.buf == 0) return;
        config.dust = _checkedDust(dust_);
        emit DustSynced(collateral, dust_);
    }

    // ---------------------------------------------------------------- liquidator

    /// @inheritdoc IDutchAuction
    function start(StartRequest calldata request) external returns (uint256 incentive) {
        if (msg.sender != liquidator) revert NotLiquidator(msg.sender);
        if (breakerLevel >= 1) revert BreakerTripped(breakerLevel);
        return _start(request);
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
        Sale memory sale = _sell(auctionId, maxCollateral, maxPrice);
        (collateralBought, debtPaid) = (sale.collateralBought, sale.debtPaid);
        emit Take(auctionId, msg.sender, receiver, collateralBought, debtPaid, sale.price);

        // Collateral out (and the vault's books final), then the buyer's callback, then the payment:
        // a buyer may sell the collateral to pay for it. The reentrancy lock covers the sequence.
        uint256 collateralReturned = vaultEngine.sellAuctionCollateral(
            auctionId,
            receiver,
            collateralBought,
            sale.ended,
            sale.debtReturned
        );
        if (sale.ended) emit AuctionEnded(auctionId, collateralReturned, sale.debtReturned, sale.badDebt);
        if (data.length != 0) {
            _checkCallbackTarget(receiver, sale.collateral);
            ITakeCallback(receiver).onTake(msg.sender, debtPaid, collateralBought, data);
        }
        vaultEngine.collectAuctionProceeds(msg.sender, debtPaid);
    }

    /// @inheritdoc IDutchAuction
    function reset(uint256 auctionId, address keeper) external nonReentrant returns (uint256 startPrice) {
        if (breakerLevel >= 2) revert BreakerTripped(breakerLevel);
        if (keeper == address(0)) revert ZeroAddress();
        Lot memory lot = _load(auctionId);
        uint256 debtLeft = lot.debtLeft;
        if (debtLeft == 0) revert AuctionNotActive(auctionId);
        (address collateral, uint256 collateralLeft) = vaultEngine.auctionLot(auctionId);
        CollateralConfig storage config = _configs[collateral];
        uint256 price = oracle.price(collateral);
        (uint256 dust_, uint8 decimals) = (config.dust, config.decimals);
        uint256 lotValue = FixedPointMath.valueDown(collateralLeft, decimals, price);
        // A lot worth less than the dust would only sit under the caps and farm resets: it ends now,
        // stale or not, for nothing.
        if (lotValue < dust_) {
            _endDustLot(auctionId, lot, config, FixedPointMath.valueUp(collateralLeft, decimals, price));
            return 0;
        }
        // Past its tail an auction is stale whatever its price: the curve is not even asked.
        if (block.timestamp - lot.startTime <= config.tail) {
            (bool needsReset, ) = _status(lot.startPrice, lot.startTime, config);
            if (!needsReset) revert AuctionNotStale(auctionId);
        }

        startPrice = FixedPointMath.mulWadUp(price, config.buf);
        _store(auctionId, debtLeft, startPrice, block.timestamp, lot.vaultKeepsCollateral);
        uint256 incentive = _incentiveOn(Math.min(debtLeft, lotValue), dust_);
        if (incentive != 0) _credit(keeper, incentive);
        emit AuctionReset(auctionId, keeper, startPrice, incentive);
    }

    /// @inheritdoc IDutchAuction
    function claimIncentives(address to) external nonReentrant returns (uint256 amount) {
        if (to == address(0)) revert ZeroAddress();
        Credit storage credit = _credits[msg.sender];
        amount = credit.owed;
        if (amount == 0) revert NothingToClaim(msg.sender);
        credit.owed = 0;
        emit IncentivesClaimed(msg.sender, to, amount);
        vaultEngine.payKeeper(to, amount);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IDutchAuction
    function auctionStatus(
        uint256 auctionId
    ) external view returns (bool needsReset, uint256 price, uint256 collateralLeft, uint256 debtLeft) {
        Lot memory lot = _load(auctionId);
        if (lot.debtLeft == 0) return (false, 0, 0, 0);
        address collateral;
        (collateral, collateralLeft) = vaultEngine.auctionLot(auctionId);
        (needsReset, price) = _status(lot.startPrice, lot.startTime, _configs[collateral]);
        return (needsReset, price, collateralLeft, lot.debtLeft);
    }

    /// @inheritdoc IDutchAuction
    function auctionPriceAt(uint256 auctionId, uint256 timestamp) external view returns (uint256) {
        Lot memory lot = _load(auctionId);
        if (lot.debtLeft == 0) revert AuctionNotActive(auctionId);
        if (timestamp < lot.startTime) revert TimestampBeforeStart(auctionId, timestamp, lot.startTime);
        (address collateral, ) = vaultEngine.auctionLot(auctionId);
        return _configs[collateral].curve.price(lot.startPrice, timestamp - lot.startTime);
    }

    /// @inheritdoc IDutchAuction
    function activeAuctions() external view returns (uint256[] memory ids) {
        uint256 count = vaultEngine.vaultCount();
        uint256 active;
        for (uint256 id = 1; id <= count; ++id) {
            if (_lots[id] != 0) ++active;
        }
        ids = new uint256[](active);
        uint256 next;
        for (uint256 id = 1; next < active; ++id) {
            if (_lots[id] != 0) ids[next++] = id;
        }
    }

    /// @inheritdoc IDutchAuction
    function auctions(uint256 auctionId) external view returns (Auction memory auction) {
        Lot memory lot = _load(auctionId);
        if (lot.debtLeft == 0) return auction;
        (address collateral, uint256 collateralLeft) = vaultEngine.auctionLot(auctionId);
        return
            Auction({
                vaultId: auctionId,
                collateral: collateral,
                collateralLeft: collateralLeft,
                debtLeft: lot.debtLeft,
                startPrice: lot.startPrice,
                startTime: lot.startTime,
                vaultKeepsCollateral: lot.vaultKeepsCollateral
            });
    }

    /// @inheritdoc IDutchAuction
    function auctionParams(address collateral) external view returns (AuctionParams memory) {
        CollateralConfig storage config = _listed(collateral);
        return
            AuctionParams({
                curve: config.curve,
                buf: config.buf,
                tail: config.tail,
                cusp: config.cusp,
                maxDebtInAuction: config.maxDebtInAuction
            });
    }

    /// @inheritdoc IDutchAuction
    function dust(address collateral) external view returns (uint256) {
        return _listed(collateral).dust;
    }

    /// @inheritdoc IDutchAuction
    function debtInAuction(address collateral) external view returns (uint256 collateralDebt, uint256 totalDebt) {
        return (_listed(collateral).debtInAuction, _totalDebtInAuction);
    }

    /// @inheritdoc IDutchAuction
    function room(address collateral) external view returns (uint256 collateralRoom, uint256 totalRoom) {
        return _rooms(_listed(collateral));
    }

    /// @inheritdoc IDutchAuction
    function maxTotalDebtInAuction() external view returns (uint256) {
        return _maxTotalDebtInAuction;
    }

    /// @inheritdoc IDutchAuction
    function keeperIncentive(uint256 debt) public view returns (uint256) {
        IncentiveParams memory incentive = _incentive;
        return Math.min(incentive.maxIncentive, incentive.tip + FixedPointMath.mulWadDown(debt, incentive.chip));
    }

    /// @inheritdoc IDutchAuction
    function incentiveParams() external view returns (IncentiveParams memory) {
        return _incentive;
    }

    /// @inheritdoc IDutchAuction
    function incentivesOwed(address keeper) external view returns (uint256 owed, uint256 earned) {
        Credit storage credit = _credits[keeper];
        return (credit.owed, credit.earned);
    }

    // ---------------------------------------------------------------- internals

    function _start(StartRequest calldata request) internal returns (uint256 incentive) {
        uint256 debtToRaise = request.debtToRaise;
        if (request.collateralAmount == 0 || debtToRaise == 0) revert EmptyLot();
        CollateralConfig storage config = _listed(request.collateral);
        if (_lots[request.vaultId] != 0) revert AuctionActive(request.vaultId);
        // Each slot read once: this runs for every vault of a batch.
        (uint256 collateralDebt, uint256 buf) = (config.debtInAuction, config.buf);
        (uint256 dust_, uint8 decimals) = (config.dust, config.decimals);
        uint256 totalDebt = _totalDebtInAuction;
        uint256 room_ = Math.min(
            _roomUnder(config.maxDebtInAuction, collateralDebt),
            _roomUnder(_maxTotalDebtInAuction, totalDebt)
        );
        if (debtToRaise > room_) revert NoAuctionRoom(request.collateral, debtToRaise, room_);

        uint256 startPrice = FixedPointMath.mulWadUp(request.price, buf);
        _store(request.vaultId, debtToRaise, startPrice, block.timestamp, request.vaultKeepsCollateral);
        // Both fit: each is at most its uint96 / uint120 cap.
        config.debtInAuction = uint96(collateralDebt + debtToRaise);
        _totalDebtInAuction = uint128(totalDebt + debtToRaise);
        uint256 lotValue = FixedPointMath.valueDown(request.collateralAmount, decimals, request.price);
        incentive = Math.min(_incentiveOn(Math.min(debtToRaise, lotValue), dust_), request.maxIncentive);
        if (incentive != 0) _credit(request.keeper, incentive);
        emit AuctionStarted(request.vaultId, request.keeper, debtToRaise, startPrice, incentive);
    }

    /// @dev Writes a lot as one word, in one store. `debtLeft` is under the uint96 cap on debt in
    /// auction (or shrinks from it) and a timestamp fits 40 bits; the start price is checked.
    function _store(
        uint256 auctionId,
        uint256 debtLeft,
        uint256 startPrice,
        uint256 startTime,
        bool vaultKeepsCollateral
    ) internal {
        _lots[auctionId] =
            uint256(uint96(debtLeft)) |
            (uint256(startPrice.toUint112()) << 96) |
            (uint256(uint40(startTime)) << 208) |
            (vaultKeepsCollateral ? 1 << 248 : 0);
    }

    function _load(uint256 auctionId) internal view returns (Lot memory lot) {
        uint256 word = _lots[auctionId];
        lot.debtLeft = uint96(word);
        lot.startPrice = uint112(word >> 96);
        lot.startTime = uint40(word >> 208);
        lot.vaultKeepsCollateral = (word >> 248) != 0;
    }

    /// @dev Prices a take, sizes it and writes it into the auction's books.
    function _sell(uint256 auctionId, uint256 maxCollateral, uint256 maxPrice) internal returns (Sale memory sale) {
        Lot memory lot = _load(auctionId);
        if (lot.debtLeft == 0) revert AuctionNotActive(auctionId);
        uint256 collateralLeft;
        (sale.collateral, collateralLeft) = vaultEngine.auctionLot(auctionId);
        CollateralConfig storage config = _configs[sale.collateral];
        bool needsReset;
        (needsReset, sale.price) = _status(lot.startPrice, lot.startTime, config);
        if (needsReset) revert AuctionNeedsReset(auctionId);
        if (sale.price > maxPrice) revert PriceAboveMax(sale.price, maxPrice);

        (sale.collateralBought, sale.debtPaid) = LiquidationMath.fill(
            collateralLeft,
            lot.debtLeft,
            maxCollateral,
            sale.price,
            config.decimals,
            config.dust
        );
        uint256 debtLeft = lot.debtLeft - sale.debtPaid;
        sale.ended = debtLeft == 0 || sale.collateralBought == collateralLeft;
        if (sale.ended) {
            delete _lots[auctionId];
            _release(config, lot.debtLeft);
            // Out of collateral with debt left: a partial liquidation's vault, which kept collateral
            // of its own, owes it again; after a full liquidation it is bad debt and stays in the
            // deficit. Deciding by the state at the start keeps anyone from re-arming an emptied
            // vault with a dust deposit.
            if (lot.vaultKeepsCollateral) sale.debtReturned = debtLeft;
            sale.badDebt = debtLeft - sale.debtReturned;
        } else {
            // It only shrinks from a uint96 value.
            _store(auctionId, debtLeft, lot.startPrice, lot.startTime, lot.vaultKeepsCollateral);
            _release(config, sale.debtPaid);
        }
    }

    function _incentiveOn(uint256 base, uint256 dust_) internal view returns (uint256) {
        return LiquidationMath.incentiveDown(_incentive, base, dust_);
    }

    /// @dev Ends an auction whose lot is worth less than the dust (`lotValueUp`, rounded up, at the
    /// oracle price): its collateral returns to the vault, which owes the debt left again after a
    /// partial liquidation. After a full one the vault was emptied and owes only what the returned
    /// collateral is worth, so ending a lot never writes off debt its collateral covers; the rest is
    /// bad debt, as when the collateral runs out.
    function _endDustLot(
        uint256 auctionId,
        Lot memory lot,
        CollateralConfig storage config,
        uint256 lotValueUp
    ) internal {
        uint256 debtLeft = lot.debtLeft;
        delete _lots[auctionId];
        _release(config, debtLeft);
        uint256 debtReturned = lot.vaultKeepsCollateral ? debtLeft : Math.min(debtLeft, lotValueUp);
        uint256 collateralReturned = vaultEngine.endAuction(auctionId, debtReturned);
        emit AuctionEnded(auctionId, collateralReturned, debtReturned, debtLeft - debtReturned);
    }

    function _status(
        uint256 startPrice,
        uint256 startTime,
        CollateralConfig storage config
    ) internal view returns (bool needsReset, uint256 price) {
        uint256 elapsed = block.timestamp - startTime;
        price = config.curve.price(startPrice, elapsed);
        needsReset = elapsed > config.tail || price == 0 || price < FixedPointMath.mulWadDown(startPrice, config.cusp);
    }

    function _rooms(CollateralConfig storage config) internal view returns (uint256 collateralRoom, uint256 totalRoom) {
        collateralRoom = _roomUnder(config.maxDebtInAuction, config.debtInAuction);
        totalRoom = _roomUnder(_maxTotalDebtInAuction, _totalDebtInAuction);
    }

    function _roomUnder(uint256 cap, uint256 debt) internal pure returns (uint256) {
        return cap > debt ? cap - debt : 0;
    }

    function _release(CollateralConfig storage config, uint256 debt) internal {
        // Never more than was added: `debt` is part of one auction's debt.
        config.debtInAuction -= uint96(debt);
        _totalDebtInAuction -= uint128(debt);
    }

    function _credit(address keeper, uint256 amount) internal {
        Credit memory credit = _credits[keeper];
        // An incentive is at most `maxIncentive` (uint96): the sums take ages to reach uint128.
        _credits[keeper] = Credit({owed: credit.owed + uint128(amount), earned: credit.earned + uint128(amount)});
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

    function _listed(address collateral) internal view returns (CollateralConfig storage config) {
        config = _configs[collateral];
        if (config.buf == 0) revert CollateralNotListed(collateral);
    }

    function _checkedDust(uint256 dust_) internal pure returns (uint88) {
        if (dust_ > MAX_DUST) revert OutOfRange("dust", dust_, 0, MAX_DUST);
        return uint88(dust_);
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
        // MAX_TAIL < 2^24.
        config.tail = uint24(tail);
    }

    function _setCusp(CollateralConfig storage config, uint64 cusp) internal {
        if (cusp > MAX_CUSP) revert OutOfRange("cusp", cusp, 0, MAX_CUSP);
        config.cusp = cusp;
    }
}
