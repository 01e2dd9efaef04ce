// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IDutchAuction} from "../interfaces/IDutchAuction.sol";
import {ILiquidator} from "../interfaces/ILiquidator.sol";
import {IRiskEngine} from "../interfaces/IRiskEngine.sol";
import {IVaultEngine} from "../interfaces/IVaultEngine.sol";
import {FixedPointMath, RAY, WAD} from "../libraries/FixedPointMath.sol";
import {ThresholdMath} from "../libraries/ThresholdMath.sol";

/// @title Liquidator
/// @notice See {ILiquidator}.
contract Liquidator is ILiquidator, AccessManaged, ReentrancyGuardTransient {
    uint256 internal constant MAX_PENALTY = 0.5e18; // [wad]
    uint256 internal constant MAX_TARGET_HEALTH = 2e18; // [wad]
    uint256 internal constant MAX_LOT_MARGIN = 3e18; // [wad]

    /// @dev Why a vault cannot be liquidated now.
    enum Refusal {
        None,
        InAuction,
        BorrowedThisBlock,
        Healthy,
        NoRoom
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
        _checkLotMargin(params.lotMargin);
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
    function setLotMargin(address collateral, uint64 lotMargin) external restricted {
        LiquidationParams storage params = _listed(collateral);
        _checkLotMargin(lotMargin);
        params.lotMargin = lotMargin;
        emit LotMarginSet(collateral, lotMargin);
    }

    // ---------------------------------------------------------------- liquidation

    /// @inheritdoc ILiquidator
    function liquidate(uint256 vaultId, address keeper) external nonReentrant returns (uint256 auctionId) {
        if (keeper == address(0)) revert ZeroAddress();
        return _liquidate(vaultId, keeper, true);
    }

    /// @inheritdoc ILiquidator
    function liquidateBatch(
        uint256[] calldata vaultIds,
        address keeper
    ) external nonReentrant returns (uint256[] memory auctionIds) {
        if (keeper == address(0)) revert ZeroAddress();
        auctionIds = new uint256[](vaultIds.length);
        for (uint256 i = 0; i < vaultIds.length; ++i) {
            auctionIds[i] = _liquidate(vaultIds[i], keeper, false);
        }
    }

    /// @dev With `strict` false, a vault that cannot be liquidated now (healthy, in auction, borrowed
    /// this block, no room under the caps) is skipped and yields auction id 0: keepers race, and one
    /// vault cleared by someone else must not sink a whole batch.
    function _liquidate(uint256 vaultId, address keeper, bool strict) internal returns (uint256 auctionId) {
        IVaultEngine.LiquidationData memory vault;
        if (strict) {
            vault = vaultEngine.liquidationData(vaultId);
        } else {
            // In a batch, a vault whose price cannot be read (stale oracle of its collateral) is
            // skipped like any other vault that cannot be liquidated now.
            try vaultEngine.liquidationData(vaultId) returns (IVaultEngine.LiquidationData memory data) {
                vault = data;
            } catch {
                return 0;
            }
        }
        LiquidationParams memory params = _listed(vault.collateral);
        (Refusal refusal, uint256 health, uint256 collateralAmount, uint256 normalizedDebt) = _plan(vault, params);
        if (refusal != Refusal.None) {
            if (strict) _refuse(refusal, vaultId, health, vault.collateral);
            return 0;
        }

        // A lot is never empty: a slice that needs all the collateral takes all the debt, and a vault
        // keeps collateral after a partial liquidation, so no vault owes with nothing behind it (the
        // auction would refuse such a lot with EmptyLot).
        vaultEngine.seize(vaultId, collateralAmount, normalizedDebt);
        // The debt with fees to now, rounded up as the engine counts it (it just reported the rate).
        uint256 debt = Math.mulDiv(normalizedDebt, vault.rate, RAY, Math.Rounding.Ceil);
        uint256 debtToRaise = FixedPointMath.mulWadUp(debt, WAD + params.penalty);
        auction.start(
            IDutchAuction.StartRequest({
                vaultId: vaultId,
                collateral: vault.collateral,
                collateralAmount: collateralAmount,
                debtToRaise: debtToRaise,
                price: vault.price,
                // Whether the vault keeps collateral decides, at the auction's end, if unraised debt
                // can go back to it: a vault emptied by this liquidation cannot be made to owe again.
                vaultKeepsCollateral: collateralAmount < vault.collateralAmount,
                keeper: keeper,
                maxIncentive: _maxIncentive(keeper, vault, params.penalty, debt, debtToRaise, collateralAmount)
            })
        );
        return vaultId;
    }

    /// @dev No incentive for an auction under the collateral's dust or for liquidating one's own vault,
    /// and never more than half the penalty on the smaller of the seized debt and the seized
    /// collateral's value: a borrower cannot profit from liquidating themselves through another
    /// address, nor can anyone farm a vault with no collateral.
    function _maxIncentive(
        address keeper,
        IVaultEngine.LiquidationData memory vault,
        uint256 penalty,
        uint256 debt,
        uint256 debtToRaise,
        uint256 collateralAmount
    ) internal view returns (uint256) {
        if (debtToRaise < vault.dust || keeper == vault.owner || msg.sender == vault.owner) return 0;
        uint256 seizedValue = FixedPointMath.valueDown(collateralAmount, vault.decimals, vault.price);
        return FixedPointMath.mulWadDown(Math.min(debt, seizedValue), penalty) / 2;
    }

    /// @dev What to seize: checks the vault can be liquidated, sizes the slice, fits it under the caps.
    function _plan(
        IVaultEngine.LiquidationData memory vault,
        LiquidationParams memory params
    ) internal view returns (Refusal refusal, uint256 health, uint256 collateralAmount, uint256 normalizedDebt) {
        if (vault.inAuction) return (Refusal.InAuction, 0, 0, 0);
        if (vault.lastBorrowBlock == block.number) return (Refusal.BorrowedThisBlock, 0, 0, 0);
        uint256 threshold = riskEngine.thresholdFor(vault.collateral, vault.value);
        health = ThresholdMath.health(vault.value, threshold, vault.debt);
        if (health >= WAD) return (Refusal.Healthy, health, 0, 0);

        (uint256 slice, bool full) = _slice(vault, params, threshold, health);
        uint256 onePlusPenalty = WAD + params.penalty;
        uint256 room = auction.room(vault.collateral);
        if (FixedPointMath.mulWadUp(slice, onePlusPenalty) > room) {
            // The cascade brake: cut the liquidation down to what the caps allow, never skip it
            // silently; the rest waits for room.
            slice = FixedPointMath.divWadDown(room, onePlusPenalty);
            full = false;
            // A cut below dust would start an auction too small to clear or pay for.
            if (slice < vault.dust || vault.debt - slice < vault.dust) return (Refusal.NoRoom, health, 0, 0);
        }
        if (!full) (collateralAmount, normalizedDebt) = _partial(vault, params, slice);
        // A slice that needs all the collateral takes all the debt too: no vault is left owing with
        // nothing behind its debt.
        if (full || collateralAmount == vault.collateralAmount) {
            return (Refusal.None, health, vault.collateralAmount, vault.normalizedDebt);
        }
    }

    /// @dev A partial slice: its normalised debt (rounded up) and collateral worth the debt to raise
    /// times the lot margin at the oracle price (rounded up), both at most what the vault holds.
    function _partial(
        IVaultEngine.LiquidationData memory vault,
        LiquidationParams memory params,
        uint256 slice
    ) internal pure returns (uint256 collateralAmount, uint256 normalizedDebt) {
        normalizedDebt = Math.min(vault.normalizedDebt, Math.mulDiv(slice, RAY, vault.rate, Math.Rounding.Ceil));
        uint256 toRaise = FixedPointMath.mulWadUp(
            FixedPointMath.mulWadUp(slice, WAD + params.penalty),
            params.lotMargin
        );
        collateralAmount = Math.min(
            vault.collateralAmount,
            FixedPointMath.amountUp(toRaise, vault.decimals, vault.price)
        );
    }

    function _refuse(Refusal refusal, uint256 vaultId, uint256 health, address collateral) internal pure {
        if (refusal == Refusal.InAuction) revert VaultInAuction(vaultId);
        if (refusal == Refusal.BorrowedThisBlock) revert BorrowedThisBlock(vaultId);
        if (refusal == Refusal.Healthy) revert VaultHealthy(vaultId, health);
        revert NoAuctionRoom(collateral);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc ILiquidator
    function sliceOf(uint256 vaultId) external view returns (uint256 slice, bool full) {
        IVaultEngine.LiquidationData memory vault = vaultEngine.liquidationData(vaultId);
        LiquidationParams memory params = _listed(vault.collateral);
        uint256 threshold = riskEngine.thresholdFor(vault.collateral, vault.value);
        return _slice(vault, params, threshold, ThresholdMath.health(vault.value, threshold, vault.debt));
    }

    /// @inheritdoc ILiquidator
    function liquidationParams(address collateral) external view returns (LiquidationParams memory) {
        return _listed(collateral);
    }

    // ---------------------------------------------------------------- internals

    /// @dev The smallest slice `s` that brings health back to `targetHealth` if collateral worth
    /// `s·(1 + penalty)` leaves the vault at the oracle price, with the threshold held at its current
    /// value `LT` (it can only rise as the vault shrinks, so the real health ends at least there):
    ///     (V − s·(1 + penalty))·LT / (debt − s) = targetHealth
    ///     s = (targetHealth·debt − V·LT) / (targetHealth − (1 + penalty)·LT)
    /// Everything goes when no such slice exists, when the rest would be under dust, or when health
    /// is below `fullLiquidationHealth`.
    function _slice(
        IVaultEngine.LiquidationData memory vault,
        LiquidationParams memory params,
        uint256 threshold,
        uint256 health
    ) internal pure returns (uint256 slice, bool full) {
        if (health < params.fullLiquidationHealth) return (vault.debt, true);
        uint256 shrink = FixedPointMath.mulWadUp(WAD + params.penalty, threshold);
        if (params.targetHealth <= shrink) return (vault.debt, true);
        uint256 needed = FixedPointMath.mulWadUp(params.targetHealth, vault.debt);
        uint256 backing = FixedPointMath.mulWadDown(vault.value, threshold);
        // Already at or above the target: nothing to take (only `sliceOf` can ask about such a vault).
        if (backing >= needed) return (0, false);
        slice = FixedPointMath.divWadUp(needed - backing, params.targetHealth - shrink);
        if (slice >= vault.debt || vault.debt - slice < vault.dust) return (vault.debt, true);
        return (slice, false);
    }

    function _listed(address collateral) internal view returns (LiquidationParams storage params) {
        params = _params[collateral];
        if (params.targetHealth == 0) revert CollateralNotListed(collateral);
    }

    function _checkPenalty(uint256 penalty) internal pure {
        if (penalty > MAX_PENALTY) revert OutOfRange("penalty", penalty, 0, MAX_PENALTY);
    }

    function _checkTargetHealth(uint256 targetHealth) internal pure {
        if (targetHealth <= WAD || targetHealth > MAX_TARGET_HEALTH) {
            revert OutOfRange("targetHealth", targetHealth, WAD + 1, MAX_TARGET_HEALTH);
        }
    }

    function _checkLotMargin(uint256 lotMargin) internal pure {
        if (lotMargin < WAD || lotMargin > MAX_LOT_MARGIN)
            revert OutOfRange("lotMargin", lotMargin, WAD, MAX_LOT_MARGIN);
    }

    function _checkFullLiquidationHealth(uint256 fullLiquidationHealth) internal pure {
        if (fullLiquidationHealth > WAD) revert OutOfRange("fullLiquidationHealth", fullLiquidationHealth, 0, WAD);
    }
}
