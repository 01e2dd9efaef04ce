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

    uint256 internal constant MAX_START_PRICE_FACTOR = 3e18; // [wad]
    uint256 internal constant MIN_AUCTION_AGE = 60; // [seconds]
    uint256 internal constant MAX_AUCTION_AGE = 7 days; // [seconds]
    uint256 internal constant MAX_RESET_PRICE_RATIO = 0.99e18; // [wad]
    uint256 internal constant MAX_INCENTIVE_RATE = 0.1e18; // [wad]
    uint8 internal constant MAX_BREAKER_LEVEL = 3;
    uint256 internal constant MAX_DUST = type(uint88).max; // [wad]

    /// @dev Per collateral type, three slots: a take and a reset read the first two, a start the last
    /// two. A type is listed when its `startPriceFactor` (≥ 1) is set.
    struct CollateralConfig {
        // How an auction's price moves and when it needs a reset.
        IPriceCurve curve;
        uint24 maxAuctionAge; // [seconds]
        uint64 resetPriceRatio; // [wad]
        // Debt in auction, the engine's dust (the least debt and lot value a take may leave), the
        // start price's premium, and the token's decimals to value lots with.
        uint96 debtInAuction; // [wad]
        uint88 dust; // [wad]
        uint64 startPriceFactor; // [wad]
        uint8 decimals;
        // The cascade brake on this collateral.
        uint96 maxDebtInAuction; // [wad]
    }

    /// @dev One running auction, one slot (stored packed by `_storeRecord`, read by `_loadRecord`). `debtLeft` is
    /// zero for no auction.
    struct AuctionRecord {
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
    mapping(uint256 vaultId => uint256 packedRecord) internal _auctions;
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
        if (config.startPriceFactor != 0) revert CollateralAlreadyListed(collateral);
        // Reverts CollateralNotListed in the engine: only engine collateral can be auctioned. Its dust
        // is copied here and pushed by the engine's `setDust` from now on.
        config.dust = _checkedDust(vaultEngine.collateralParams(collateral).dust);
        config.decimals = IERC20Metadata(collateral).decimals();
        _setCurve(config, params.curve);
        _setStartPriceFactor(config, params.startPriceFactor);
        _setMaxAuctionAge(config, params.maxAuctionAge);
        _setResetPriceRatio(config, params.resetPriceRatio);
        config.maxDebtInAuction = params.maxDebtInAuction;
        emit CollateralAdded(collateral, params);
    }

    /// @inheritdoc IDutchAuction
    function setCurve(address collateral, IPriceCurve curve) external restricted {
        _setCurve(_listed(collateral), curve);
        emit CurveSet(collateral, address(curve));
    }

    /// @inheritdoc IDutchAuction
    function setStartPriceFactor(address collateral, uint64 startPriceFactor) external restricted {
        _setStartPriceFactor(_listed(collateral), startPriceFactor);
        emit StartPriceFactorSet(collateral, startPriceFactor);
    }

    /// @inheritdoc IDutchAuction
    function setMaxAuctionAge(address collateral, uint32 maxAuctionAge) external restricted {
        _setMaxAuctionAge(_listed(collateral), maxAuctionAge);
        emit MaxAuctionAgeSet(collateral, maxAuctionAge);
    }

    /// @inheritdoc IDutchAuction
    function setResetPriceRatio(address collateral, uint64 resetPriceRatio) external restricted {
        _setResetPriceRatio(_listed(collateral), resetPriceRatio);
        emit ResetPriceRatioSet(collateral, resetPriceRatio);
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
        if (params.incentiveRate > MAX_INCENTIVE_RATE)
            revert IncentiveRateOutOfRange(params.incentiveRate, MAX_INCENTIVE_RATE);
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
        if (config.startPriceFactor == 0) return;
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
        AuctionRecord memory record = _loadRecord(auctionId);
        uint256 debtLeft = record.debtLeft;
        if (debtLeft == 0) revert AuctionNotActive(auctionId);
        (address collateral, uint256 collateralLeft) = vaultEngine.auctionCollateralOf(auctionId);
        CollateralConfig storage config = _configs[collateral];
        uint256 price = oracle.price(collateral);
        (uint256 dust_, uint8 decimals) = (config.dust, config.decimals);
        uint256 collateralValue = FixedPointMath.valueDown(collateralLeft, decimals, price);
        // A lot worth less than the dust would only sit under the caps and farm resets: it ends now,
        // stale or not, for nothing.
        if (collateralValue < dust_) {
            _endDustAuction(auctionId, record, config, FixedPointMath.valueUp(collateralLeft, decimals, price));
            return 0;
        }
        // Past its age limit an auction is stale whatever its price: the curve is not even asked.
        if (block.timestamp - record.startTime <= config.maxAuctionAge) {
            (bool needsReset, ) = _status(record.startPrice, record.startTime, config);
            if (!needsReset) revert AuctionNotStale(auctionId);
        }

        startPrice = FixedPointMath.mulWadUp(price, config.startPriceFactor);
        _storeRecord(auctionId, debtLeft, startPrice, block.timestamp, record.vaultKeepsCollateral);
        uint256 incentive = _incentiveOn(Math.min(debtLeft, collateralValue), dust_);
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
        AuctionRecord memory record = _loadRecord(auctionId);
        if (record.debtLeft == 0) return (false, 0, 0, 0);
        address collateral;
        (collateral, collateralLeft) = vaultEngine.auctionCollateralOf(auctionId);
        (needsReset, price) = _status(record.startPrice, record.startTime, _configs[collateral]);
        return (needsReset, price, collateralLeft, record.debtLeft);
    }

    /// @inheritdoc IDutchAuction
    function auctionPriceAt(uint256 auctionId, uint256 timestamp) external view returns (uint256) {
        AuctionRecord memory record = _loadRecord(auctionId);
        if (record.debtLeft == 0) revert AuctionNotActive(auctionId);
        if (timestamp < record.startTime) revert TimestampBeforeStart(auctionId, timestamp, record.startTime);
        (address collateral, ) = vaultEngine.auctionCollateralOf(auctionId);
        return _configs[collateral].curve.price(record.startPrice, timestamp - record.startTime);
    }

    /// @inheritdoc IDutchAuction
    function activeAuctions() external view returns (uint256[] memory ids) {
        uint256 count = vaultEngine.vaultCount();
        uint256 active;
        for (uint256 id = 1; id <= count; ++id) {
            if (_auctions[id] != 0) ++active;
        }
        ids = new uint256[](active);
        uint256 next;
        for (uint256 id = 1; next < active; ++id) {
            if (_auctions[id] != 0) ids[next++] = id;
        }
    }

    /// @inheritdoc IDutchAuction
    function auctions(uint256 auctionId) external view returns (Auction memory auction) {
        AuctionRecord memory record = _loadRecord(auctionId);
        if (record.debtLeft == 0) return auction;
        (address collateral, uint256 collateralLeft) = vaultEngine.auctionCollateralOf(auctionId);
        return
            Auction({
                vaultId: auctionId,
                collateral: collateral,
                collateralLeft: collateralLeft,
                debtLeft: record.debtLeft,
                startPrice: record.startPrice,
                startTime: record.startTime,
                vaultKeepsCollateral: record.vaultKeepsCollateral
            });
    }

    /// @inheritdoc IDutchAuction
    function auctionParams(address collateral) external view returns (AuctionParams memory) {
        CollateralConfig storage config = _listed(collateral);
        return
            AuctionParams({
                curve: config.curve,
                startPriceFactor: config.startPriceFactor,
                maxAuctionAge: config.maxAuctionAge,
                resetPriceRatio: config.resetPriceRatio,
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
        return
            Math.min(
                incentive.maxIncentive,
                incentive.flatIncentive + FixedPointMath.mulWadDown(debt, incentive.incentiveRate)
            );
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
        if (request.collateralAmount == 0 || debtToRaise == 0) revert EmptyAuction();
        CollateralConfig storage config = _listed(request.collateral);
        if (_auctions[request.vaultId] != 0) revert AuctionActive(request.vaultId);
        // Each slot read once: this runs for every vault of a batch.
        (uint256 collateralDebt, uint256 startPriceFactor) = (config.debtInAuction, config.startPriceFactor);
        (uint256 dust_, uint8 decimals) = (config.dust, config.decimals);
        uint256 totalDebt = _totalDebtInAuction;
        uint256 room_ = Math.min(
            _roomUnder(config.maxDebtInAuction, collateralDebt),
            _roomUnder(_maxTotalDebtInAuction, totalDebt)
        );
        if (debtToRaise > room_) revert NoAuctionRoom(request.collateral, debtToRaise, room_);

        uint256 startPrice = FixedPointMath.mulWadUp(request.price, startPriceFactor);
        _storeRecord(request.vaultId, debtToRaise, startPrice, block.timestamp, request.vaultKeepsCollateral);
        // Both fit: each is at most its uint96 / uint120 cap.
        config.debtInAuction = uint96(collateralDebt + debtToRaise);
        _totalDebtInAuction = uint128(totalDebt + debtToRaise);
        uint256 collateralValue = FixedPointMath.valueDown(request.collateralAmount, decimals, request.price);
        incentive = Math.min(_incentiveOn(Math.min(debtToRaise, collateralValue), dust_), request.maxIncentive);
        if (incentive != 0) _credit(request.keeper, incentive);
        emit AuctionStarted(request.vaultId, request.keeper, debtToRaise, startPrice, incentive);
    }

    /// @dev Writes a lot as one word, in one store. `debtLeft` is under the uint96 cap on debt in
    /// auction (or shrinks from it) and a timestamp fits 40 bits; the start price is checked.
    function _storeRecord(
        uint256 auctionId,
        uint256 debtLeft,
        uint256 startPrice,
        uint256 startTime,
        bool vaultKeepsCollateral
    ) internal {
        _auctions[auctionId] =
            uint256(uint96(debtLeft)) |
            (uint256(startPrice.toUint112()) << 96) |
            (uint256(uint40(startTime)) << 208) |
            (vaultKeepsCollateral ? 1 << 248 : 0);
    }

    function _loadRecord(uint256 auctionId) internal view returns (AuctionRecord memory record) {
        uint256 word = _auctions[auctionId];
        record.debtLeft = uint96(word);
        record.startPrice = uint112(word >> 96);
        record.startTime = uint40(word >> 208);
        record.vaultKeepsCollateral = (word >> 248) != 0;
    }

    /// @dev Prices a take, sizes it and writes it into the auction's books.
    function _sell(uint256 auctionId, uint256 maxCollateral, uint256 maxPrice) internal returns (Sale memory sale) {
        AuctionRecord memory record = _loadRecord(auctionId);
        if (record.debtLeft == 0) revert AuctionNotActive(auctionId);
        uint256 collateralLeft;
        (sale.collateral, collateralLeft) = vaultEngine.auctionCollateralOf(auctionId);
        CollateralConfig storage config = _configs[sale.collateral];
        bool needsReset;
        (needsReset, sale.price) = _status(record.startPrice, record.startTime, config);
        if (needsReset) revert AuctionNeedsReset(auctionId);
        if (sale.price > maxPrice) revert PriceAboveMax(sale.price, maxPrice);

        (sale.collateralBought, sale.debtPaid) = LiquidationMath.fill(
            collateralLeft,
            record.debtLeft,
            maxCollateral,
            sale.price,
            config.decimals,
            config.dust
        );
        uint256 debtLeft = record.debtLeft - sale.debtPaid;
        sale.ended = debtLeft == 0 || sale.collateralBought == collateralLeft;
        if (sale.ended) {
            delete _auctions[auctionId];
            _release(config, record.debtLeft);
            // Out of collateral with debt left: a partial liquidation's vault, which kept collateral
            // of its own, owes it again; after a full liquidation it is bad debt and stays in the
            // deficit. Deciding by the state at the start keeps anyone from re-arming an emptied
            // vault with a dust deposit.
            if (record.vaultKeepsCollateral) sale.debtReturned = debtLeft;
            sale.badDebt = debtLeft - sale.debtReturned;
        } else {
            // It only shrinks from a uint96 value.
            _storeRecord(auctionId, debtLeft, record.startPrice, record.startTime, record.vaultKeepsCollateral);
            _release(config, sale.debtPaid);
        }
    }

    function _incentiveOn(uint256 base, uint256 dust_) internal view returns (uint256) {
        return LiquidationMath.incentiveDown(_incentive, base, dust_);
    }

    /// @dev Ends an auction whose lot is worth less than the dust (`collateralValueUp`, rounded up, at the
    /// oracle price): its collateral returns to the vault, which owes the debt left again after a
    /// partial liquidation. After a full one the vault was emptied and owes only what the returned
    /// collateral is worth, so ending a lot never writes off debt its collateral covers; the rest is
    /// bad debt, as when the collateral runs out.
    function _endDustAuction(
        uint256 auctionId,
        AuctionRecord memory record,
        CollateralConfig storage config,
        uint256 collateralValueUp
    ) internal {
        uint256 debtLeft = record.debtLeft;
        delete _auctions[auctionId];
        _release(config, debtLeft);
        uint256 debtReturned = record.vaultKeepsCollateral ? debtLeft : Math.min(debtLeft, collateralValueUp);
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
        needsReset =
            elapsed > config.maxAuctionAge ||
            price == 0 ||
            price < FixedPointMath.mulWadDown(startPrice, config.resetPriceRatio);
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
        if (config.startPriceFactor == 0) revert CollateralNotListed(collateral);
    }

    function _checkedDust(uint256 dust_) internal pure returns (uint88) {
        if (dust_ > MAX_DUST) revert DustOutOfRange(dust_, MAX_DUST);
        return uint88(dust_);
    }

    function _setCurve(CollateralConfig storage config, IPriceCurve curve) internal {
        if (address(curve) == address(0)) revert ZeroAddress();
        config.curve = curve;
    }

    function _setStartPriceFactor(CollateralConfig storage config, uint64 startPriceFactor) internal {
        if (startPriceFactor < WAD || startPriceFactor > MAX_START_PRICE_FACTOR)
            revert StartPriceFactorOutOfRange(startPriceFactor, WAD, MAX_START_PRICE_FACTOR);
        config.startPriceFactor = startPriceFactor;
    }

    function _setMaxAuctionAge(CollateralConfig storage config, uint32 maxAuctionAge) internal {
        if (maxAuctionAge < MIN_AUCTION_AGE || maxAuctionAge > MAX_AUCTION_AGE)
            revert MaxAuctionAgeOutOfRange(maxAuctionAge, MIN_AUCTION_AGE, MAX_AUCTION_AGE);
        // MAX_AUCTION_AGE < 2^24.
        config.maxAuctionAge = uint24(maxAuctionAge);
    }

    function _setResetPriceRatio(CollateralConfig storage config, uint64 resetPriceRatio) internal {
        if (resetPriceRatio > MAX_RESET_PRICE_RATIO)
            revert ResetPriceRatioOutOfRange(resetPriceRatio, MAX_RESET_PRICE_RATIO);
        config.resetPriceRatio = resetPriceRatio;
    }
}
