// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IDutchAuction} from "../interfaces/IDutchAuction.sol";
import {ILiquidator} from "../interfaces/ILiquidator.sol";
import {IRiskEngine} from "../interfaces/IRiskEngine.sol";
import {IVaultEngine} from "../interfaces/IVaultEngine.sol";
import {FixedPointMath, WAD} from "../libraries/FixedPointMath.sol";
import {LiquidationMath} from "../libraries/LiquidationMath.sol";
import {ThresholdMath} from "../libraries/ThresholdMath.sol";

/// @title Liquidator
/// @notice See {ILiquidator}.
contract Liquidator is ILiquidator, AccessManaged, ReentrancyGuardTransient {
    uint256 internal constant MAX_PENALTY = 0.5e18; // [wad]
    uint256 internal constant MAX_TARGET_HEALTH = 2e18; // [wad]
    uint256 internal constant MAX_COLLATERAL_MARGIN = 3e18; // [wad]
    /// @dev Collateral types a batch keeps snapshots of.
    uint256 internal constant MAX_MARKETS = 4;

    /// @dev A liquidation as `_plan` decided and sized it.
    struct Plan {
        Refusal refusal;
        uint256 health; // [wad]
        LiquidationMath.Sizing sizing;
    }

    /// @dev What liquidating a vault of one collateral type needs besides the vault, read once per run
    /// of a batch. `status` is `None` when the type can be liquidated now, else why not.
    struct Market {
        address collateral;
        Refusal status;
        LiquidationParams params;
        uint256 rate; // [ray]
        uint256 price; // [wad]
        uint8 decimals;
        uint256 dust; // [wad]
        uint256 base; // [wad]
        uint256 minThreshold; // [wad]
        uint256 volPenalty; // [wad]
        uint256 depth; // [wad]
        uint256 maxSizePenalty; // [wad]
        uint256 room; // [wad] under this collateral's cap, as the batch uses it up
        uint256 totalRoom; // [wad] under the global cap when the snapshot was taken
    }

    /// @dev A batch in progress: its market snapshots and the global room it has left.
    struct Batch {
        address keeper;
        Market[] markets;
        uint256 marketCount;
        uint256 totalRoom; // [wad]; the largest uint256 until the first snapshot reads it
    }

    IVaultEngine public immutable vaultEngine;
    IRiskEngine public immutable riskEngine;
    IDutchAuction public immutable auction;

    mapping(address collateral => LiquidationParams) internal _params;

    constructor(
        address authority,
        IVaultEngine vaultEngine_,
        IRiskEngine riskEngine_,
        IDutchAuction auction_
    ) AccessManaged(authority) {
        if (
            address(vaultEngine_) == address(0) || address(riskEngine_) == address(0) || address(auction_) == address(0)
        ) revert ZeroAddress();
        (vaultEngine, riskEngine, auction) = (vaultEngine_, riskEngine_, auction_);
    }

    // ---------------------------------------------------------------- admin

    /// @inheritdoc ILiquidator
    function addCollateral(address collateral, LiquidationParams calldata params) external restricted {
        if (collateral == address(0)) revert ZeroAddress();
        if (_params[collateral].targetHealth != 0) revert CollateralAlreadyListed(collateral);
        _checkPenalty(params.penalty);
        _checkTargetHealth(params.targetHealth);
        _checkFullLiquidationHealth(params.fullLiquidationHealth);
        _checkCollateralMargin(params.collateralMargin);
        _params[collateral] = params;
        emit CollateralAdded(collateral, params);
    }

    /// @inheritdoc ILiquidator
    function setPenalty(address collateral, uint64 penalty) external restricted {
        LiquidationParams storage params = _listed(collateral);
        _checkPenalty(penalty);
        params.penalty = penalty;
        emit PenaltySet(collateral, penalty);
    }

    /// @inheritdoc ILiquidator
    function setTargetHealth(address collateral, uint64 targetHealth) external restricted {
        LiquidationParams storage params = _listed(collateral);
        _checkTargetHealth(targetHealth);
        params.targetHealth = targetHealth;
        emit TargetHealthSet(collateral, targetHealth);
    }

    /// @inheritdoc ILiquidator
    function setFullLiquidationHealth(address collateral, uint64 fullLiquidationHealth) external restricted {
        LiquidationParams storage params = _listed(collateral);
        _checkFullLiquidationHealth(fullLiquidationHealth);
        params.fullLiquidationHealth = fullLiquidationHealth;
        emit FullLiquidationHealthSet(collateral, fullLiquidationHealth);
    }

    /// @inheritdoc ILiquidator
    function setCollateralMargin(address collateral, uint64 collateralMargin) external restricted {
        LiquidationParams storage params = _listed(collateral);
        _checkCollateralMargin(collateralMargin);
        params.collateralMargin = collateralMargin;
        emit CollateralMarginSet(collateral, collateralMargin);
    }

    // ---------------------------------------------------------------- liquidation

    /// @inheritdoc ILiquidator
    function liquidate(uint256 vaultId, address keeper) external nonReentrant returns (uint256 auctionId) {
        if (keeper == address(0)) revert ZeroAddress();
        IVaultEngine.LiquidationData memory vault = vaultEngine.liquidationData(vaultId);
        LiquidationParams memory params = _listed(vault.collateral);
        uint256 threshold = riskEngine.thresholdFor(vault.collateral, vault.value);
        (uint256 collateralRoom, uint256 totalRoom) = auction.room(vault.collateral);
        uint256 room = Math.min(collateralRoom, totalRoom);
        Plan memory plan = _plan(vault, params, threshold, room);
        if (plan.refusal != Refusal.None) _refuse(plan, vaultId, vault, params, threshold, room);
        vaultEngine.seize(vaultId, plan.sizing.collateralAmount, plan.sizing.normalizedDebt);
        auction.start(_startRequest(vaultId, keeper, vault, params, plan.sizing));
        return vaultId;
    }

    /// @inheritdoc ILiquidator
    /// @dev What depends only on the collateral type (price, fee accumulator, threshold inputs, room
    /// under the caps) is read once per type and batch; per vault, what is left is reading the vault,
    /// seizing it and opening its auction.
    function liquidateBatch(
        uint256[] calldata vaultIds,
        address keeper
    ) external nonReentrant returns (uint256[] memory auctionIds) {
        if (keeper == address(0)) revert ZeroAddress();
        auctionIds = new uint256[](vaultIds.length);
        Batch memory batch = Batch({
            keeper: keeper,
            markets: new Market[](MAX_MARKETS),
            marketCount: 0,
            totalRoom: type(uint256).max
        });
        for (uint256 i = 0; i < vaultIds.length; ++i) {
            uint256 arena;
            // The free memory pointer, to release this vault's memory below (see there).
            // solhint-disable-next-line no-inline-assembly
            assembly ("memory-safe") {
                arena := mload(0x40)
            }
            uint256 knownMarkets = batch.marketCount;
            auctionIds[i] = _liquidateInBatch(batch, vaultIds[i]);
            // Nothing this vault put in memory is used again unless it cached a new market: release
            // it, so that a long batch does not pay for ever more memory.
            if (batch.marketCount == knownMarkets) {
                // solhint-disable-next-line no-inline-assembly
                assembly ("memory-safe") {
                    mstore(0x40, arena)
                }
            }
        }
    }

    /// @dev One vault of a batch; returns its auction id, or zero when it is skipped.
    function _liquidateInBatch(Batch memory batch, uint256 vaultId) internal returns (uint256) {
        IVaultEngine.LiquidationData memory vault = _stored(vaultId);
        // A vault that does not exist is skipped like one that cannot be liquidated now.
        if (vault.owner == address(0)) return 0;
        Market memory market = _marketOf(batch, vault.collateral);
        uint256 debtToRaise = _liquidatePriced(vaultId, batch.keeper, vault, market, batch.totalRoom);
        if (debtToRaise == 0) return 0;
        market.room -= debtToRaise;
        batch.totalRoom -= debtToRaise;
        return vaultId;
    }

    /// @dev One vault of a batch, priced with its market's snapshot; returns the debt its auction is to
    /// raise, or zero when it is skipped.
    function _liquidatePriced(
        uint256 vaultId,
        address keeper,
        IVaultEngine.LiquidationData memory vault,
        Market memory market,
        uint256 totalRoom
    ) internal returns (uint256) {
        // Unlisted here, or unpriced (a stale oracle): skipped, not fatal to the batch.
        if (market.status != Refusal.None) return 0;
        _price(vault, market);
        Plan memory plan = _plan(vault, market.params, _threshold(vault, market), Math.min(market.room, totalRoom));
        if (plan.refusal != Refusal.None) return 0;
        vaultEngine.seize(vaultId, plan.sizing.collateralAmount, plan.sizing.normalizedDebt);
        auction.start(_startRequest(vaultId, keeper, vault, market.params, plan.sizing));
        return plan.sizing.debtToRaise;
    }

    /// @dev A vault's stored fields, in the shape `VaultEngine.liquidationData` reports (priced later).
    function _stored(uint256 vaultId) internal view returns (IVaultEngine.LiquidationData memory vault) {
        uint256 auctionCollateral;
        (
            vault.owner,
            vault.collateral,
            vault.lastBorrowBlock,
            auctionCollateral,
            vault.collateralAmount,
            vault.normalizedDebt
        ) = vaultEngine.vaultState(vaultId);
        vault.inAuction = auctionCollateral != 0;
    }

    /// @dev The auction a plan opens.
    function _startRequest(
        uint256 vaultId,
        address keeper,
        IVaultEngine.LiquidationData memory vault,
        LiquidationParams memory params,
        LiquidationMath.Sizing memory sizing
    ) internal view returns (IDutchAuction.StartRequest memory request) {
        // A lot is never empty: a slice that needs all the collateral takes all the debt, a cut slice
        // takes collateral in proportion and is refused when that rounds to nothing, and a vault keeps
        // collateral after a partial liquidation, so no vault owes with nothing behind its debt (the
        // auction would refuse such a lot with EmptyAuction).
        request = IDutchAuction.StartRequest({
            vaultId: vaultId,
            collateral: vault.collateral,
            collateralAmount: sizing.collateralAmount,
            debtToRaise: sizing.debtToRaise,
            price: vault.price,
            // Whether the vault keeps collateral decides, at the auction's end, if unraised debt can
            // go back to it: a vault emptied by this liquidation cannot be made to owe again.
            vaultKeepsCollateral: sizing.collateralAmount < vault.collateralAmount,
            keeper: keeper,
            maxIncentive: _maxIncentive(keeper, vault, params.penalty, sizing)
        });
    }

    /// @dev The batch's snapshot of `collateral`, taken on first sight (the first `MAX_MARKETS` types
    /// are kept; a batch of more types re-reads the others). The global room is read with the first
    /// snapshot and then tracked by the batch itself.
    function _marketOf(Batch memory batch, address collateral) internal view returns (Market memory market) {
        for (uint256 j = 0; j < batch.marketCount; ++j) {
            if (batch.markets[j].collateral == collateral) return batch.markets[j];
        }
        market = _market(collateral);
        if (batch.marketCount < MAX_MARKETS) batch.markets[batch.marketCount++] = market;
        if (market.status == Refusal.None && batch.totalRoom == type(uint256).max) batch.totalRoom = market.totalRoom;
    }

    /// @dev A collateral type's snapshot, with `status` saying why it cannot be liquidated now, if so.
    function _market(address collateral) internal view returns (Market memory market) {
        market.collateral = collateral;
        market.status = Refusal.Unknown;
        market.params = _params[collateral];
        if (market.params.targetHealth == 0) return market;
        // The engine listed the collateral of every vault it opened: what fails here is the price.
        try vaultEngine.liquidationInputs(collateral) returns (
            uint256 rate,
            uint256 price,
            uint8 decimals,
            uint256 dust
        ) {
            (market.rate, market.price, market.decimals, market.dust) = (rate, price, decimals, dust);
        } catch {
            market.status = Refusal.Unpriced;
            return market;
        }
        // A type the risk engine or the auction does not list cannot be liquidated either: skipped.
        try riskEngine.thresholdInputs(collateral) returns (
            uint256 base,
            uint256 minThreshold,
            uint256 volPenalty,
            uint256 depth,
            uint256 maxSizePenalty
        ) {
            (market.base, market.minThreshold, market.volPenalty) = (base, minThreshold, volPenalty);
            (market.depth, market.maxSizePenalty) = (depth, maxSizePenalty);
        } catch {
            return market;
        }
        try auction.room(collateral) returns (uint256 room, uint256 totalRoom) {
            (market.room, market.totalRoom) = (room, totalRoom);
        } catch {
            return market;
        }
        market.status = Refusal.None;
    }

    /// @dev The vault's liquidation threshold from its market's snapshot, as `RiskEngine.thresholdFor`.
    function _threshold(
        IVaultEngine.LiquidationData memory vault,
        Market memory market
    ) internal pure returns (uint256) {
        return
            ThresholdMath.thresholdAt(
                market.base,
                market.minThreshold,
                market.volPenalty,
                vault.value,
                market.depth,
                market.maxSizePenalty
            );
    }

    /// @dev Prices a stored vault with its market, as `VaultEngine.liquidationData` would.
    function _price(IVaultEngine.LiquidationData memory vault, Market memory market) internal pure {
        (vault.rate, vault.price) = (market.rate, market.price);
        (vault.dust, vault.decimals) = (market.dust, market.decimals);
        vault.value = FixedPointMath.valueDown(vault.collateralAmount, market.decimals, market.price);
        vault.debt = LiquidationMath.debtUp(vault.normalizedDebt, market.rate);
    }

    /// @dev No incentive for an auction under the collateral's dust or for liquidating one's own vault,
    /// and never more than `LiquidationMath.maxIncentiveDown`: a borrower cannot profit from
    /// liquidating themselves through another address, nor can anyone farm a vault with no collateral.
    function _maxIncentive(
        address keeper,
        IVaultEngine.LiquidationData memory vault,
        uint256 penalty,
        LiquidationMath.Sizing memory sizing
    ) internal view returns (uint256) {
        if (sizing.debtToRaise < vault.dust || keeper == vault.owner || msg.sender == vault.owner) return 0;
        uint256 seizedValue = FixedPointMath.valueDown(sizing.collateralAmount, vault.decimals, vault.price);
        return LiquidationMath.maxIncentiveDown(sizing.debt, seizedValue, penalty);
    }

    /// @dev Whether the vault can be liquidated now and, if so, what to seize under `room`
    /// (`LiquidationMath.size`, which compares with the room exactly the debt the auction will raise).
    function _plan(
        IVaultEngine.LiquidationData memory vault,
        LiquidationParams memory params,
        uint256 threshold,
        uint256 room
    ) internal view returns (Plan memory plan) {
        if (vault.inAuction) return _refusal(Refusal.InAuction, 0);
        if (vault.lastBorrowBlock == block.number) return _refusal(Refusal.BorrowedThisBlock, 0);
        plan.health = ThresholdMath.health(vault.value, threshold, vault.debt);
        if (plan.health >= WAD) return _refusal(Refusal.Healthy, plan.health);
        plan.sizing = LiquidationMath.size(vault, params, threshold, plan.health, room);
        if (plan.sizing.noRoom) plan.refusal = Refusal.NoRoom;
    }

    function _refusal(Refusal refusal, uint256 health) internal pure returns (Plan memory plan) {
        (plan.refusal, plan.health) = (refusal, health);
    }

    function _previewRefusal(
        Refusal refusal,
        uint256 health
    ) internal pure returns (LiquidationPreview memory preview) {
        (preview.refusal, preview.health) = (refusal, health);
    }

    /// @dev Reverts with the refusal of `plan`. A liquidation refused for room reports the debt to raise it
    /// would have had uncut (`size` zeroes a refused sizing), re-sized here so the path that liquidates
    /// pays nothing for it.
    function _refuse(
        Plan memory plan,
        uint256 vaultId,
        IVaultEngine.LiquidationData memory vault,
        LiquidationParams memory params,
        uint256 threshold,
        uint256 room
    ) internal pure {
        Refusal refusal = plan.refusal;
        if (refusal == Refusal.InAuction) revert VaultInAuction(vaultId);
        if (refusal == Refusal.BorrowedThisBlock) revert BorrowedThisBlock(vaultId);
        if (refusal == Refusal.Healthy) revert VaultHealthy(vaultId, plan.health);
        uint256 debtToRaise = LiquidationMath
            .size(vault, params, threshold, plan.health, type(uint256).max)
            .debtToRaise;
        revert NoAuctionRoom(vault.collateral, debtToRaise, room);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc ILiquidator
    /// @dev Reads like one vault of a batch (no revert for an unknown or unpriced vault), then owes
    /// the incentive exactly as `DutchAuction.start` will: on the smaller of the debt to raise and the
    /// lot's value, capped by `_maxIncentive`.
    function previewLiquidation(uint256 vaultId) external view returns (LiquidationPreview memory preview) {
        IVaultEngine.LiquidationData memory vault = _stored(vaultId);
        if (vault.owner == address(0)) return _previewRefusal(Refusal.Unknown, 0);
        Market memory market = _market(vault.collateral);
        if (market.status != Refusal.None) return _previewRefusal(market.status, 0);
        _price(vault, market);
        Plan memory plan = _plan(
            vault,
            market.params,
            _threshold(vault, market),
            Math.min(market.room, market.totalRoom)
        );
        if (plan.refusal != Refusal.None) return _previewRefusal(plan.refusal, plan.health);
        LiquidationMath.Sizing memory sizing = plan.sizing;
        uint256 collateralValue = FixedPointMath.valueDown(sizing.collateralAmount, vault.decimals, vault.price);
        uint256 incentive = Math.min(
            LiquidationMath.incentiveDown(
                auction.incentiveParams(),
                Math.min(sizing.debtToRaise, collateralValue),
                vault.dust
            ),
            _maxIncentive(msg.sender, vault, market.params.penalty, sizing)
        );
        return
            LiquidationPreview({
                refusal: Refusal.None,
                health: plan.health,
                full: sizing.full,
                cut: sizing.cut,
                debtSlice: sizing.debtSlice,
                collateralSeized: sizing.collateralAmount,
                normalizedDebtSeized: sizing.normalizedDebt,
                debtSeized: sizing.debt,
                debtToRaise: sizing.debtToRaise,
                incentive: incentive
            });
    }

    /// @inheritdoc ILiquidator
    function liquidationParams(address collateral) external view returns (LiquidationParams memory) {
        return _listed(collateral);
    }

    // ---------------------------------------------------------------- internals

    function _listed(address collateral) internal view returns (LiquidationParams storage params) {
        params = _params[collateral];
        if (params.targetHealth == 0) revert CollateralNotListed(collateral);
    }

    function _checkPenalty(uint256 penalty) internal pure {
        if (penalty > MAX_PENALTY) revert PenaltyOutOfRange(penalty, MAX_PENALTY);
    }

    function _checkTargetHealth(uint256 targetHealth) internal pure {
        if (targetHealth <= WAD || targetHealth > MAX_TARGET_HEALTH) {
            revert TargetHealthOutOfRange(targetHealth, WAD + 1, MAX_TARGET_HEALTH);
        }
    }

    function _checkCollateralMargin(uint256 collateralMargin) internal pure {
        if (collateralMargin < WAD || collateralMargin > MAX_COLLATERAL_MARGIN)
            revert CollateralMarginOutOfRange(collateralMargin, WAD, MAX_COLLATERAL_MARGIN);
    }

    function _checkFullLiquidationHealth(uint256 fullLiquidationHealth) internal pure {
        if (fullLiquidationHealth > WAD) revert FullLiquidationHealthOutOfRange(fullLiquidationHealth, WAD);
    }
}
