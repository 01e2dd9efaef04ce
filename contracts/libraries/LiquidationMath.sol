// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IDutchAuction} from "../interfaces/IDutchAuction.sol";
import {ILiquidator} from "../interfaces/ILiquidator.sol";
import {ISluiceErrors} from "../interfaces/ISluiceErrors.sol";
import {IVaultEngine} from "../interfaces/IVaultEngine.sol";
import {FixedPointMath, RAY, WAD} from "./FixedPointMath.sol";

/// @title LiquidationMath
/// @notice How much a liquidation moves and a take fills (docs/ACCOUNTING.md, "Liquidation"): the
/// slice that restores target health, the partial-or-full decision, the lot and its margin, the debt
/// to raise, the cut to the room under the caps, the keeper's incentive and its caps, and the take
/// fill (collateral for debt at a price). Pure functions, each rounding for the protocol, with the
/// direction in its name.
/// @dev Mirrored exactly in `keeper/src/math/liquidation.ts`; change both together.
library LiquidationMath {
    /// @notice What a liquidation of an unsafe vault moves, as `size` computed it.
    /// @param full The closed-form slice is the whole vault (before any cut).
    /// @param cut The liquidation was cut down to the room under the caps.
    /// @param noRoom The room does not hold a dust-sized slice with collateral behind it: nothing moves.
    /// @param debtSlice The debt slice [wad] the sizing started from (the vault's debt when full).
    /// @param collateralAmount Collateral put under auction [token units].
    /// @param normalizedDebt Normalised debt taken out of the vault.
    /// @param debt That debt with fees to now [wad], rounded up.
    /// @param debtToRaise What the auction is asked to raise [wad]: `debt · (1 + penalty)`, rounded up.
    struct Sizing {
        bool full;
        bool cut;
        bool noRoom;
        uint256 debtSlice;
        uint256 collateralAmount;
        uint256 normalizedDebt;
        uint256 debt;
        uint256 debtToRaise;
    }

    /// @notice Debt [wad] of `normalizedDebt` at the accumulator `rate` [ray], rounded up: what a vault owes.
    function debtUp(uint256 normalizedDebt, uint256 rate) internal pure returns (uint256) {
        return FixedPointMath.mulDivUp(normalizedDebt, rate, RAY);
    }

    /// @notice Normalised debt that owes at least `debt` [wad] at `rate` [ray] (rounded up).
    function normalizedDebtUp(uint256 debt, uint256 rate) internal pure returns (uint256) {
        return FixedPointMath.mulDivUp(debt, RAY, rate);
    }

    /// @notice Normalised debt that owes at most `debt` [wad] at `rate` [ray] (rounded down).
    function normalizedDebtDown(uint256 debt, uint256 rate) internal pure returns (uint256) {
        return FixedPointMath.mulDivDown(debt, RAY, rate);
    }

    /// @notice `debt · (1 + penalty)` [wad], rounded up: what an auction of `debt` raises.
    function debtToRaiseUp(uint256 debt, uint256 penalty) internal pure returns (uint256) {
        return FixedPointMath.mulWadUp(debt, WAD + penalty);
    }

    /// @notice The smallest slice [wad] that brings health back to `targetHealth` if collateral worth
    /// `slice · (1 + penalty)` leaves the vault at the oracle price, rounded up, or the whole debt
    /// (`full`). The threshold is held at its current value `LT` (it can only rise as the vault
    /// shrinks, so the real health ends at least at the target):
    ///     (V − s·(1 + penalty))·LT / (debt − s) = targetHealth
    ///     s = (targetHealth·debt − V·LT) / (targetHealth − (1 + penalty)·LT)
    /// Everything goes when no such slice exists, when the rest would be under dust, or when health
    /// is below `fullLiquidationHealth`; zero when the vault is already at the target.
    function sliceUp(
        IVaultEngine.LiquidationData memory vault,
        ILiquidator.LiquidationParams memory params,
        uint256 threshold,
        uint256 health
    ) internal pure returns (uint256 slice, bool full) {
        if (health < params.fullLiquidationHealth) return (vault.debt, true);
        uint256 shrink = FixedPointMath.mulWadUp(WAD + params.penalty, threshold);
        if (params.targetHealth <= shrink) return (vault.debt, true);
        uint256 needed = FixedPointMath.mulWadUp(params.targetHealth, vault.debt);
        uint256 backing = FixedPointMath.mulWadDown(vault.value, threshold);
        if (backing >= needed) return (0, false);
        slice = FixedPointMath.divWadUp(needed - backing, params.targetHealth - shrink);
        if (slice >= vault.debt || vault.debt - slice < vault.dust) return (vault.debt, true);
        return (slice, false);
    }

    /// @notice Collateral [token units] of a partial slice's lot: worth the slice's debt to raise times
    /// `collateralMargin` at the oracle price, rounded up, so the lot still covers the debt when the auction
    /// clears below the oracle.
    function seizedCollateralUp(
        uint256 slice,
        ILiquidator.LiquidationParams memory params,
        uint8 decimals,
        uint256 price
    ) internal pure returns (uint256) {
        uint256 collateralValue = FixedPointMath.mulWadUp(
            debtToRaiseUp(slice, params.penalty),
            params.collateralMargin
        );
        return FixedPointMath.amountUp(collateralValue, decimals, price);
    }

    /// @notice The most normalised debt a liquidation cut to `room` [wad] moves: its debt to raise,
    /// rounded up twice, is at most `room`, because both steps here round down:
    ///     ⌈⌈n·rate/RAY⌉·(1 + penalty)⌉ ≤ ⌈⌊room/(1 + penalty)⌋·(1 + penalty)⌉ ≤ room.
    /// It leaves the vault at least dust of debt when the cut slice stays at or above dust without
    /// that; a vault with less than two dusts of debt may keep less (its next liquidation is whole).
    function cutNormalizedDebtDown(
        IVaultEngine.LiquidationData memory vault,
        uint256 penalty,
        uint256 room
    ) internal pure returns (uint256 normalizedDebt) {
        normalizedDebt = Math.min(
            vault.normalizedDebt,
            normalizedDebtDown(FixedPointMath.divWadDown(room, WAD + penalty), vault.rate)
        );
        uint256 dustNormalized = normalizedDebtUp(vault.dust, vault.rate);
        if (vault.normalizedDebt - normalizedDebt < dustNormalized && vault.normalizedDebt > dustNormalized) {
            uint256 leavingDust = vault.normalizedDebt - dustNormalized;
            if (debtUp(leavingDust, vault.rate) >= vault.dust) normalizedDebt = leavingDust;
        }
    }

    /// @notice Collateral [token units] in proportion to the normalised debt a cut liquidation moves,
    /// rounded down: the vault keeps at least its ratio of collateral to debt.
    function proportionalCollateralDown(
        uint256 collateralAmount,
        uint256 movedNormalizedDebt,
        uint256 normalizedDebt
    ) internal pure returns (uint256) {
        return FixedPointMath.mulDivDown(collateralAmount, movedNormalizedDebt, normalizedDebt);
    }

    /// @notice What liquidating the unsafe vault (health < 1 at `threshold`) moves under `room` [wad].
    /// A slice whose lot needs all the collateral takes all the debt too, so no vault is left owing with
    /// nothing behind its debt. What does not fit the room is cut down to it with collateral in
    /// proportion (the cascade brake): the vault keeps its collateral-to-debt ratio and can be
    /// liquidated again when room frees up. Refused (`noRoom`) only when the cut slice would be under
    /// dust or its collateral would round to zero.
    function size(
        IVaultEngine.LiquidationData memory vault,
        ILiquidator.LiquidationParams memory params,
        uint256 threshold,
        uint256 health,
        uint256 room
    ) internal pure returns (Sizing memory sizing) {
        (sizing.debtSlice, sizing.full) = sliceUp(vault, params, threshold, health);
        if (!sizing.full) {
            sizing.normalizedDebt = Math.min(vault.normalizedDebt, normalizedDebtUp(sizing.debtSlice, vault.rate));
            sizing.collateralAmount = Math.min(
                vault.collateralAmount,
                seizedCollateralUp(sizing.debtSlice, params, vault.decimals, vault.price)
            );
            sizing.full = sizing.collateralAmount == vault.collateralAmount;
        }
        if (sizing.full)
            (sizing.collateralAmount, sizing.normalizedDebt) = (vault.collateralAmount, vault.normalizedDebt);
        sizing.debt = debtUp(sizing.normalizedDebt, vault.rate);
        sizing.debtToRaise = debtToRaiseUp(sizing.debt, params.penalty);
        if (sizing.debtToRaise <= room) return sizing;

        sizing.cut = true;
        // Below the vault's (the uncut sizing, at most all of it, did not fit), so the proportional
        // collateral is below what the vault holds: the vault keeps collateral.
        sizing.normalizedDebt = cutNormalizedDebtDown(vault, params.penalty, room);
        sizing.collateralAmount = proportionalCollateralDown(
            vault.collateralAmount,
            sizing.normalizedDebt,
            vault.normalizedDebt
        );
        sizing.debt = debtUp(sizing.normalizedDebt, vault.rate);
        sizing.debtToRaise = debtToRaiseUp(sizing.debt, params.penalty);
        // A dust-sized auction would cost more to clear than it raises; an empty lot cannot be sold.
        if (sizing.debt < vault.dust || sizing.collateralAmount == 0) {
            (sizing.noRoom, sizing.collateralAmount, sizing.normalizedDebt) = (true, 0, 0);
            (sizing.debt, sizing.debtToRaise) = (0, 0);
        }
    }

    /// @notice The most a liquidation may pay its keeper [wad], rounded down: half the penalty on the
    /// smaller of the seized debt and the seized collateral's value, so liquidating oneself through
    /// another address still costs at least half the penalty and nobody farms a lot worth nothing.
    function maxIncentiveDown(uint256 debt, uint256 seizedValue, uint256 penalty) internal pure returns (uint256) {
        return FixedPointMath.mulWadDown(Math.min(debt, seizedValue), penalty) / 2;
    }

    /// @notice The keeper incentive [wad] on `base`, the smaller of an auction's debt and its lot's value
    /// (rounded down): `min(maxIncentive, flatIncentive + incentiveRate · base, base)`, nothing for a base
    /// under `dust`, so no incentive exceeds what the lot is worth or what it raises.
    function incentiveDown(
        IDutchAuction.IncentiveParams memory params,
        uint256 base,
        uint256 dust
    ) internal pure returns (uint256) {
        if (base < dust) return 0;
        return
            Math.min(
                Math.min(
                    params.maxIncentive,
                    params.flatIncentive + FixedPointMath.mulWadDown(base, params.incentiveRate)
                ),
                base
            );
    }

    /// @notice What a take of up to `maxCollateral` buys and pays at `price` [wad], rounding for the
    /// protocol: the buyer pays the value rounded up and receives collateral rounded down. Nothing is
    /// sold once the debt is covered; a partial take is trimmed so that it leaves at least `dust` of
    /// debt to raise and a lot worth at least `dust` at its price.
    function fill(
        uint256 collateralLeft,
        uint256 debtLeft,
        uint256 maxCollateral,
        uint256 price,
        uint8 decimals,
        uint256 dust
    ) internal pure returns (uint256 collateralBought, uint256 debtPaid) {
        collateralBought = Math.min(collateralLeft, maxCollateral);
        if (collateralBought == 0) revert ISluiceErrors.ZeroTake();
        debtPaid = FixedPointMath.valueUp(collateralBought, decimals, price);
        if (debtPaid >= debtLeft) {
            // Buy just enough for what is left.
            debtPaid = debtLeft;
            collateralBought = Math.min(collateralBought, FixedPointMath.amountDown(debtPaid, decimals, price));
        } else if (collateralBought < collateralLeft) {
            if (debtLeft - debtPaid < dust) {
                if (debtLeft <= dust) revert ISluiceErrors.TakeLeavesDust(debtLeft - debtPaid, dust);
                debtPaid = debtLeft - dust;
                collateralBought = FixedPointMath.amountDown(debtPaid, decimals, price);
            }
            // Trimmed to leave the fewest token units worth the dust (`amountUp` is the least amount whose
            // `valueDown` reaches it). Trimming only lowers the payment, so the debt left stays ≥ dust.
            uint256 kept = collateralLeft - collateralBought;
            if (FixedPointMath.valueDown(kept, decimals, price) < dust) {
                uint256 leastKept = FixedPointMath.amountUp(dust, decimals, price);
                if (collateralLeft <= leastKept) {
                    revert ISluiceErrors.TakeLeavesDustCollateral(
                        kept,
                        FixedPointMath.valueDown(kept, decimals, price),
                        dust
                    );
                }
                collateralBought = collateralLeft - leastKept;
                debtPaid = FixedPointMath.valueUp(collateralBought, decimals, price);
            }
            if (collateralBought == 0) revert ISluiceErrors.ZeroTake();
        }
    }
}
