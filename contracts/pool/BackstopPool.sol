// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IBackstopPool} from "../interfaces/IBackstopPool.sol";
import {IDutchAuction} from "../interfaces/IDutchAuction.sol";
import {IOracleHub} from "../interfaces/IOracleHub.sol";
import {IVaultEngine} from "../interfaces/IVaultEngine.sol";
import {FixedPointMath, WAD} from "../libraries/FixedPointMath.sol";

/// @title BackstopPool
/// @notice See {IBackstopPool}.
/// @dev The pool keeps its own books of what the shares own (`_stablecoinHeld`, `_held`), so neither
/// pending deposits nor tokens sent to it directly are ever part of a share. Shares redeem in kind and
/// need no price; only activation (pricing new shares) and bids read the oracle.
contract BackstopPool is IBackstopPool, AccessManaged, ReentrancyGuardTransient {
    using SafeCast for uint256;
    using SafeERC20 for IERC20;

    /// @notice Shares nobody owns, counted in every share computation: a first depositor cannot make
    /// one share worth so much that the next deposit rounds to nothing (ERC-4626's virtual offset).
    uint256 public constant VIRTUAL_SHARES = 1e6;
    /// @notice Withdrawals pay every listed collateral, so their count bounds a withdrawal's gas.
    uint256 public constant MAX_COLLATERALS = 5;
    uint256 internal constant MIN_WARMUP = 1 hours; // [seconds]
    uint256 internal constant MAX_WARMUP = 7 days; // [seconds]
    uint256 internal constant MAX_LOCK = 30 days; // [seconds]
    uint256 internal constant MIN_DISCOUNT = 0.005e18; // [wad]
    uint256 internal constant MAX_DISCOUNT = 0.5e18; // [wad]
    uint256 internal constant MAX_CALLER_CUT = 0.5e18; // [wad]

    /// @dev The governed parameters, and when the open round ends: one slot, which every entry point
    /// but `withdraw` reads, so a bid pays one cold read to know no round is due.
    struct Params {
        uint32 warmup; // [seconds]
        uint32 lockPeriod; // [seconds]
        uint64 minDiscount; // [wad]
        uint64 callerCut; // [wad]
        uint40 roundEndsAt; // [seconds]
    }

    /// @dev The open round and what is pending in it and in the round before it (it ends at
    /// `Params.roundEndsAt`). Rounds count from 1, so an account's `pendingRound` 0 means nothing pending.
    struct Rounds {
        uint24 round;
        uint96 pendingOpen; // [wad]
        uint96 pendingPrevious; // [wad]
    }

    /// @dev How a matured round was priced; `activatedAt` 0 while it is not.
    struct RoundPrice {
        uint96 amount; // [wad]
        uint120 shares;
        uint40 activatedAt; // [seconds]
    }

    struct Held {
        uint128 amount; // token units
        uint8 decimals;
        bool listed;
    }

    /// @dev One slot: a deposit touches nothing else of the LP's.
    struct Account {
        uint120 shares;
        uint96 pendingAmount; // [wad]
        uint40 pendingRound;
    }

    IDutchAuction public immutable auction;
    IOracleHub public immutable oracle;
    IERC20 public immutable stablecoin;

    Params internal _params;
    Rounds internal _rounds;
    // One slot: a withdrawal and a bid write both.
    uint128 internal _totalShares;
    uint128 internal _stablecoinHeld; // [wad]
    address[] internal _collaterals;
    mapping(address collateral => Held) internal _held;
    mapping(address lp => Account) internal _accounts;
    mapping(address lp => uint256) internal _lockedUntil; // [seconds]
    mapping(uint256 round => RoundPrice) internal _prices;

    constructor(
        address authority,
        IVaultEngine vaultEngine,
        IDutchAuction auction_,
        uint32 warmup_,
        uint32 lockPeriod_,
        uint64 minDiscount_,
        uint64 callerCut_
    ) AccessManaged(authority) {
        if (address(vaultEngine) == address(0) || address(auction_) == address(0)) revert ZeroAddress();
        auction = auction_;
        oracle = vaultEngine.oracle();
        stablecoin = IERC20(address(vaultEngine.stablecoin()));
        _checkWarmup(warmup_);
        _checkLockPeriod(lockPeriod_);
        _checkMinDiscount(minDiscount_);
        _checkCallerCut(callerCut_);
        _params = Params({
            warmup: warmup_,
            lockPeriod: lockPeriod_,
            minDiscount: minDiscount_,
            callerCut: callerCut_,
            roundEndsAt: uint40(block.timestamp + warmup_)
        });
        _rounds = Rounds({round: 1, pendingOpen: 0, pendingPrevious: 0});
    }

    // ---------------------------------------------------------------- admin

    /// @inheritdoc IBackstopPool
    function setWarmup(uint32 warmup_) external restricted {
        _checkWarmup(warmup_);
        _params.warmup = warmup_;
        emit WarmupSet(warmup_);
    }

    /// @inheritdoc IBackstopPool
    function setLockPeriod(uint32 lockPeriod_) external restricted {
        _checkLockPeriod(lockPeriod_);
        _params.lockPeriod = lockPeriod_;
        emit LockPeriodSet(lockPeriod_);
    }

    /// @inheritdoc IBackstopPool
    function setMinDiscount(uint64 minDiscount_) external restricted {
        _checkMinDiscount(minDiscount_);
        _params.minDiscount = minDiscount_;
        emit MinDiscountSet(minDiscount_);
    }

    /// @inheritdoc IBackstopPool
    function setCallerCut(uint64 callerCut_) external restricted {
        _checkCallerCut(callerCut_);
        _params.callerCut = callerCut_;
        emit CallerCutSet(callerCut_);
    }

    /// @inheritdoc IBackstopPool
    function addCollateral(address collateral) external restricted {
        if (collateral == address(0) || collateral == address(stablecoin)) revert ZeroAddress();
        Held storage held = _held[collateral];
        if (held.listed) revert CollateralAlreadyHeld(collateral);
        if (_collaterals.length >= MAX_COLLATERALS) revert TooManyCollaterals(MAX_COLLATERALS);
        // Reverts CollateralNotListed unless the auction sells it: the pool buys nothing else.
        auction.auctionParams(collateral);
        uint8 decimals = IERC20Metadata(collateral).decimals();
        if (decimals > 18) revert UnsupportedDecimals(collateral, decimals);
        held.decimals = decimals;
        held.listed = true;
        _collaterals.push(collateral);
        emit CollateralAdded(collateral, decimals);
    }

    /// @inheritdoc IBackstopPool
    function removeCollateral(address collateral) external restricted {
        Held memory held = _held[collateral];
        if (!held.listed) revert CollateralNotHeld(collateral);
        if (held.amount != 0) revert CollateralStillHeld(collateral, held.amount);
        uint256 last = _collaterals.length - 1;
        for (uint256 i = 0; i <= last; ++i) {
            if (_collaterals[i] == collateral) {
                _collaterals[i] = _collaterals[last];
                break;
            }
        }
        _collaterals.pop();
        delete _held[collateral];
        emit CollateralRemoved(collateral);
    }

    // ---------------------------------------------------------------- LPs

    /// @inheritdoc IBackstopPool
    function deposit(uint256 amount, address receiver) external nonReentrant returns (uint256 round) {
        if (amount == 0) revert ZeroAmount();
        if (receiver == address(0)) revert ZeroAddress();
        Params memory params = _advance();
        Account memory account = _accounts[receiver];
        if (receiver != msg.sender && (account.shares != 0 || account.pendingAmount != 0)) {
            revert ReceiverHasPosition(receiver);
        }
        _convert(receiver, account);
        Rounds memory rounds = _rounds;
        round = rounds.round;
        if (account.pendingAmount != 0 && account.pendingRound != round) {
            // Pending in the previous round, not matured (`_advance` priced it otherwise and `_convert`
            // turned it into shares): the LP's own new deposit takes it along into the open round.
            rounds.pendingPrevious -= account.pendingAmount;
            rounds.pendingOpen += account.pendingAmount;
            emit DepositRolled(receiver, account.pendingRound, round, account.pendingAmount);
        }
        account.pendingAmount = (account.pendingAmount + amount).toUint96();
        account.pendingRound = uint40(round);
        rounds.pendingOpen = (rounds.pendingOpen + amount).toUint96();
        _accounts[receiver] = account;
        _rounds = rounds;
        emit Deposited(receiver, msg.sender, amount, round, params.roundEndsAt + params.warmup);
        stablecoin.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IBackstopPool
    function cancelDeposit(address receiver) external nonReentrant returns (uint256 amount) {
        if (receiver == address(0)) revert ZeroAddress();
        Account memory account = _accounts[msg.sender];
        amount = account.pendingAmount;
        if (amount == 0) revert NothingPending(msg.sender);
        Rounds memory rounds = _rounds;
        uint256 round = account.pendingRound;
        // Matured by the clock is enough, priced or not: nobody waits out the warm-up and then picks
        // whether to stay.
        if (block.timestamp >= _maturesAt(round, rounds, _params) || _prices[round].activatedAt != 0) {
            revert DepositMatured(msg.sender, round);
        }
        if (round == rounds.round) rounds.pendingOpen -= uint96(amount);
        else rounds.pendingPrevious -= uint96(amount);
        _rounds = rounds;
        (account.pendingAmount, account.pendingRound) = (0, 0);
        _accounts[msg.sender] = account;
        emit DepositCancelled(msg.sender, receiver, amount, round);
        stablecoin.safeTransfer(receiver, amount);
    }

    /// @inheritdoc IBackstopPool
    function activate(address lp) external nonReentrant returns (uint256 shares) {
        _advance();
        Account memory account = _accounts[lp];
        if (_convert(lp, account)) _accounts[lp] = account;
        return account.shares;
    }

    /// @inheritdoc IBackstopPool
    function withdraw(
        uint256 shares,
        address receiver
    ) external nonReentrant returns (uint256 stablecoinOut, uint256[] memory collateralOut) {
        if (shares == 0) revert ZeroAmount();
        if (receiver == address(0)) revert ZeroAddress();
        // No `_advance`: a withdrawal needs no price, so a stale oracle never traps LPs. A round that
        // matured but is not priced yet changes nothing here, since withdrawals are pro rata.
        Account memory account = _accounts[msg.sender];
        _convert(msg.sender, account);
        if (shares > account.shares) revert InsufficientShares(msg.sender, shares, account.shares);
        uint256 lockedUntil = _lockedUntil[msg.sender];
        if (block.timestamp < lockedUntil) revert SharesLocked(msg.sender, lockedUntil);

        (uint256 supply, uint256 stablecoinHeld) = (_totalShares, _stablecoinHeld);
        uint256 outOf = supply + VIRTUAL_SHARES;
        stablecoinOut = FixedPointMath.mulDivDown(stablecoinHeld, shares, outOf);
        account.shares -= uint120(shares);
        _accounts[msg.sender] = account;
        // Both only shrink: `shares ≤ supply` and `stablecoinOut ≤ stablecoinHeld`.
        (_totalShares, _stablecoinHeld) = (uint128(supply - shares), uint128(stablecoinHeld - stablecoinOut));
        uint256 count = _collaterals.length;
        collateralOut = new uint256[](count);
        for (uint256 i = 0; i < count; ++i) {
            Held storage held = _held[_collaterals[i]];
            uint256 amount = held.amount;
            uint256 out = FixedPointMath.mulDivDown(amount, shares, outOf);
            if (out != 0) held.amount = uint128(amount - out);
            collateralOut[i] = out;
        }
        emit Withdrawn(msg.sender, receiver, shares, stablecoinOut, collateralOut);

        if (stablecoinOut != 0) stablecoin.safeTransfer(receiver, stablecoinOut);
        for (uint256 i = 0; i < count; ++i) {
            if (collateralOut[i] != 0) IERC20(_collaterals[i]).safeTransfer(receiver, collateralOut[i]);
        }
    }

    // ---------------------------------------------------------------- keepers

    /// @inheritdoc IBackstopPool
    function bid(
        uint256 auctionId,
        uint256 maxCollateral
    ) external nonReentrant returns (uint256 collateralBought, uint256 debtPaid, uint256 callerCut_) {
        // Matured rounds first: at a bid every deposit is active, and priced before it, or pending.
        Params memory params = _advance();
        IDutchAuction.Auction memory lot = auction.auctions(auctionId);
        if (lot.debtLeft == 0) revert AuctionNotActive(auctionId);
        address collateral = lot.collateral;
        Held memory held = _held[collateral];
        uint8 decimals = held.decimals;
        if (!held.listed) revert CollateralNotHeld(collateral);
        uint256 oraclePrice = oracle.price(collateral); // reverts on a stale or missing price
        uint256 maxPrice = FixedPointMath.mulWadDown(oraclePrice, WAD - params.minDiscount);
        uint256 stablecoinHeld = _stablecoinHeld;
        uint256 wanted = Math.min(maxCollateral, lot.collateralLeft);
        // Sized at `maxPrice` first, which the take's price is at most (the take checks it): enough when
        // the active stablecoin covers what is wanted even there, and one call fewer.
        uint256 affordable = _affordable(stablecoinHeld, maxPrice, oraclePrice, params.callerCut, decimals);
        if (affordable < wanted) {
            // Short of stablecoin: size at the real price, which buys more the further it is below.
            uint256 price = auction.auctionPriceAt(auctionId, block.timestamp);
            if (price == 0) revert AuctionNeedsReset(auctionId);
            if (price > maxPrice) revert DiscountTooSmall(auctionId, price, maxPrice);
            affordable = _affordable(stablecoinHeld, price, oraclePrice, params.callerCut, decimals);
            if (affordable == 0) revert NoActiveStablecoin(stablecoinHeld, price);
        }
        // No callback: the collateral arrives, then the auction burns the payment from the pool, which
        // needs no allowance. The auction re-checks `maxPrice` in the same block.
        (collateralBought, debtPaid) = auction.take(
            auctionId,
            Math.min(wanted, affordable),
            maxPrice,
            address(this),
            ""
        );
        // The auction rounds for itself (a covering or trimmed take pays whole debt for floored units), so
        // the pool checks the price it paid per unit, rounding for itself (`valueDown`, scaled once).
        uint256 boughtWad = collateralBought * 10 ** (18 - decimals);
        if (debtPaid > FixedPointMath.mulWadDown(boughtWad, maxPrice)) {
            revert EffectivePriceTooHigh(collateralBought, debtPaid, maxPrice);
        }
        // Non-negative: the value at `oraclePrice ≥ maxPrice` is at least the one just checked.
        uint256 discount = FixedPointMath.mulWadDown(boughtWad, oraclePrice) - debtPaid;
        callerCut_ = Math.min(FixedPointMath.mulWadDown(discount, params.callerCut), stablecoinHeld - debtPaid);
        // The cut is at most the discount, so the holdings' value at the oracle never falls.
        _stablecoinHeld = uint128(stablecoinHeld - debtPaid - callerCut_);
        _held[collateral].amount = (held.amount + collateralBought).toUint128();
        emit Bid(auctionId, msg.sender, collateral, collateralBought, debtPaid, oraclePrice, callerCut_);
        if (callerCut_ != 0) stablecoin.safeTransfer(msg.sender, callerCut_);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IBackstopPool
    function warmup() external view returns (uint256) {
        return _params.warmup;
    }

    /// @inheritdoc IBackstopPool
    function lockPeriod() external view returns (uint256) {
        return _params.lockPeriod;
    }

    /// @inheritdoc IBackstopPool
    function minDiscount() external view returns (uint256) {
        return _params.minDiscount;
    }

    /// @inheritdoc IBackstopPool
    function callerCut() external view returns (uint256) {
        return _params.callerCut;
    }

    /// @inheritdoc IBackstopPool
    function collaterals() external view returns (address[] memory) {
        return _collaterals;
    }

    /// @inheritdoc IBackstopPool
    function totalShares() external view returns (uint256) {
        return _totalShares;
    }

    /// @inheritdoc IBackstopPool
    function holdings() external view returns (uint256 stablecoinHeld, uint256[] memory collateralAmounts) {
        uint256 count = _collaterals.length;
        collateralAmounts = new uint256[](count);
        for (uint256 i = 0; i < count; ++i) collateralAmounts[i] = _held[_collaterals[i]].amount;
        return (_stablecoinHeld, collateralAmounts);
    }

    /// @inheritdoc IBackstopPool
    function totalValue() public view returns (uint256) {
        return _value();
    }

    /// @inheritdoc IBackstopPool
    function pendingTotals() external view returns (uint256 openRound, uint256 previousRound) {
        return (_rounds.pendingOpen, _rounds.pendingPrevious);
    }

    /// @inheritdoc IBackstopPool
    function currentRound() external view returns (uint256 round, uint256 endsAt) {
        return (_rounds.round, _params.roundEndsAt);
    }

    /// @inheritdoc IBackstopPool
    function positionOf(address lp) external view returns (Position memory position) {
        Account memory account = _accounts[lp];
        uint256 lockedUntil = _lockedUntil[lp];
        if (account.pendingAmount != 0) {
            RoundPrice memory roundPrice = _prices[account.pendingRound];
            if (roundPrice.activatedAt != 0) {
                account.shares += uint120(_sharesOf(account.pendingAmount, roundPrice));
                lockedUntil = Math.max(lockedUntil, roundPrice.activatedAt + _params.lockPeriod);
            } else {
                position.pendingAmount = account.pendingAmount;
                position.pendingRound = account.pendingRound;
                position.maturesAt = _maturesAt(account.pendingRound, _rounds, _params);
            }
        }
        position.shares = account.shares;
        position.lockedUntil = lockedUntil;
        if (account.shares != 0) {
            position.value = FixedPointMath.mulDivDown(_value(), account.shares, _totalShares + VIRTUAL_SHARES);
        }
    }

    /// @inheritdoc IBackstopPool
    function previewWithdraw(
        uint256 shares
    ) external view returns (uint256 stablecoinOut, uint256[] memory collateralOut) {
        uint256 outOf = _totalShares + VIRTUAL_SHARES;
        stablecoinOut = FixedPointMath.mulDivDown(_stablecoinHeld, shares, outOf);
        uint256 count = _collaterals.length;
        collateralOut = new uint256[](count);
        for (uint256 i = 0; i < count; ++i) {
            collateralOut[i] = FixedPointMath.mulDivDown(_held[_collaterals[i]].amount, shares, outOf);
        }
    }

    /// @inheritdoc IBackstopPool
    function maxBidPrice(address collateral) external view returns (uint256) {
        return FixedPointMath.mulWadDown(oracle.price(collateral), WAD - _params.minDiscount);
    }

    // ---------------------------------------------------------------- internals

    /// @dev Closes the open round once it has lasted `warmup`: the previous round matures then, and the
    /// open one too when it has been over for another `warmup` (nobody acted in between). Matured rounds
    /// are priced here, at the holdings' value now, before anything else the caller does.
    function _advance() internal returns (Params memory params) {
        params = _params;
        uint256 endsAt = params.roundEndsAt;
        if (block.timestamp < endsAt) return params;
        uint256 warmup_ = params.warmup;
        Rounds memory rounds = _rounds;
        bool openMatured = block.timestamp >= endsAt + warmup_;
        if (rounds.pendingPrevious != 0 || (openMatured && rounds.pendingOpen != 0)) {
            uint256 supply = _totalShares;
            uint256 stablecoinHeld = _stablecoinHeld;
            uint256 value = _value();
            if (rounds.pendingPrevious != 0) {
                (supply, stablecoinHeld, value) = _price(
                    rounds.round - 1,
                    rounds.pendingPrevious,
                    supply,
                    stablecoinHeld,
                    value
                );
            }
            if (openMatured && rounds.pendingOpen != 0) {
                (supply, stablecoinHeld, ) = _price(rounds.round, rounds.pendingOpen, supply, stablecoinHeld, value);
            }
            (_totalShares, _stablecoinHeld) = (supply.toUint128(), stablecoinHeld.toUint128());
        }
        // The next round runs on schedule, from the end of this one, unless that is over too; then it
        // opens now. Either way a deposit in it waits at least `warmup` after it is made.
        params.roundEndsAt = uint40(openMatured ? block.timestamp + warmup_ : endsAt + warmup_);
        _params.roundEndsAt = params.roundEndsAt;
        _rounds = Rounds({
            round: rounds.round + 1,
            pendingOpen: 0,
            pendingPrevious: openMatured ? 0 : rounds.pendingOpen
        });
    }

    /// @dev Prices `amount` of round `round` against the holdings' `value` and `supply` (virtual shares
    /// and one wei of value added, rounding down: new shares never dilute the old ones).
    function _price(
        uint256 round,
        uint256 amount,
        uint256 supply,
        uint256 stablecoinHeld,
        uint256 value
    ) internal returns (uint256, uint256, uint256) {
        uint256 shares = FixedPointMath.mulDivDown(amount, supply + VIRTUAL_SHARES, value + 1);
        // `amount` is a uint96 sum of deposits.
        _prices[round] = RoundPrice({
            amount: uint96(amount),
            shares: shares.toUint120(),
            activatedAt: uint40(block.timestamp)
        });
        emit RoundActivated(round, amount, shares, value, supply);
        return (supply + shares, stablecoinHeld + amount, value + amount);
    }

    /// @dev The most units a bid may ask for. The payment `p` and the cut, at most `callerCut · p ·
    /// (oraclePrice − price) / price`, must both fit in the active stablecoin: the take may spend
    /// `stablecoinHeld · price / (price + callerCut · (oraclePrice − price))`, rounded down. A take never
    /// charges more than the value, rounded up, of the units asked for (it only trims), so asking for
    /// the units that budget covers is enough. `price` is not zero (the auction would need a reset).
    function _affordable(
        uint256 stablecoinHeld,
        uint256 price,
        uint256 oraclePrice,
        uint256 callerCut_,
        uint8 decimals
    ) internal pure returns (uint256) {
        uint256 budget = FixedPointMath.mulDivDown(
            stablecoinHeld,
            price,
            price + FixedPointMath.mulWadUp(callerCut_, oraclePrice - price)
        );
        return FixedPointMath.amountDown(budget, decimals, price);
    }

    /// @dev Turns `lp`'s pending deposit into shares once its round is priced (in memory; the caller
    /// stores `account`). Returns whether it did.
    function _convert(address lp, Account memory account) internal returns (bool) {
        if (account.pendingAmount == 0) return false;
        RoundPrice memory roundPrice = _prices[account.pendingRound];
        if (roundPrice.activatedAt == 0) return false;
        uint256 shares = _sharesOf(account.pendingAmount, roundPrice);
        uint256 lockedUntil = Math.max(_lockedUntil[lp], roundPrice.activatedAt + _params.lockPeriod);
        _lockedUntil[lp] = lockedUntil;
        emit SharesIssued(lp, account.pendingRound, account.pendingAmount, shares, lockedUntil);
        // The round's shares were minted in a uint120; an LP's part of them fits too.
        account.shares = (account.shares + shares).toUint120();
        (account.pendingAmount, account.pendingRound) = (0, 0);
        return true;
    }

    function _sharesOf(uint256 amount, RoundPrice memory roundPrice) internal pure returns (uint256) {
        return FixedPointMath.mulDivDown(amount, roundPrice.shares, roundPrice.amount);
    }

    /// @dev When a deposit pending in `round` matures, as `_advance` decides it.
    function _maturesAt(uint256 round, Rounds memory rounds, Params memory params) internal pure returns (uint256) {
        if (round == rounds.round) return params.roundEndsAt + params.warmup;
        if (round + 1 == rounds.round) return params.roundEndsAt;
        return 0;
    }

    function _value() internal view returns (uint256 value) {
        value = _stablecoinHeld;
        uint256 count = _collaterals.length;
        for (uint256 i = 0; i < count; ++i) {
            address collateral = _collaterals[i];
            Held memory held = _held[collateral];
            if (held.amount != 0) {
                value += FixedPointMath.valueDown(held.amount, held.decimals, oracle.price(collateral));
            }
        }
    }

    function _checkWarmup(uint256 warmup_) internal pure {
        if (warmup_ < MIN_WARMUP || warmup_ > MAX_WARMUP) revert WarmupOutOfRange(warmup_, MIN_WARMUP, MAX_WARMUP);
    }

    function _checkLockPeriod(uint256 lockPeriod_) internal pure {
        if (lockPeriod_ > MAX_LOCK) revert LockPeriodOutOfRange(lockPeriod_, MAX_LOCK);
    }

    function _checkMinDiscount(uint256 minDiscount_) internal pure {
        if (minDiscount_ < MIN_DISCOUNT || minDiscount_ > MAX_DISCOUNT) {
            revert MinDiscountOutOfRange(minDiscount_, MIN_DISCOUNT, MAX_DISCOUNT);
        }
    }

    function _checkCallerCut(uint256 callerCut_) internal pure {
        if (callerCut_ > MAX_CALLER_CUT) revert CallerCutOutOfRange(callerCut_, MAX_CALLER_CUT);
    }
}
