// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IDutchAuction} from "../interfaces/IDutchAuction.sol";
import {ILiquidator} from "../interfaces/ILiquidator.sol";
import {IVaultEngine} from "../interfaces/IVaultEngine.sol";
import {LiquidationMath} from "../libraries/LiquidationMath.sol";

/// @notice Test-only window onto LiquidationMath, so it can be checked against its TypeScript mirror.
contract LiquidationMathHarness {
    struct SizeCase {
        IVaultEngine.LiquidationData vault;
        ILiquidator.LiquidationParams params;
        uint256 threshold;
        uint256 health;
        uint256 room;
    }

    /// @dev Many cases per call: one `eth_call` answers hundreds of random inputs.
    function sizeMany(SizeCase[] calldata cases) external pure returns (LiquidationMath.Sizing[] memory sizings) {
        sizings = new LiquidationMath.Sizing[](cases.length);
        for (uint256 i = 0; i < cases.length; ++i) {
            SizeCase memory c = cases[i];
            sizings[i] = LiquidationMath.size(c.vault, c.params, c.threshold, c.health, c.room);
        }
    }

    function size(
        IVaultEngine.LiquidationData calldata vault,
        ILiquidator.LiquidationParams calldata params,
        uint256 threshold,
        uint256 health,
        uint256 room
    ) external pure returns (LiquidationMath.Sizing memory) {
        return LiquidationMath.size(vault, params, threshold, health, room);
    }

    function sliceUp(
        IVaultEngine.LiquidationData calldata vault,
        ILiquidator.LiquidationParams calldata params,
        uint256 threshold,
        uint256 health
    ) external pure returns (uint256 slice, bool full) {
        return LiquidationMath.sliceUp(vault, params, threshold, health);
    }

    function cutNormalizedDebtDown(
        IVaultEngine.LiquidationData calldata vault,
        uint256 penalty,
        uint256 room
    ) external pure returns (uint256) {
        return LiquidationMath.cutNormalizedDebtDown(vault, penalty, room);
    }

    function maxIncentiveDown(uint256 debt, uint256 seizedValue, uint256 penalty) external pure returns (uint256) {
        return LiquidationMath.maxIncentiveDown(debt, seizedValue, penalty);
    }

    function incentiveDown(
        IDutchAuction.IncentiveParams calldata params,
        uint256 base,
        uint256 dust
    ) external pure returns (uint256) {
        return LiquidationMath.incentiveDown(params, base, dust);
    }

    function fill(
        uint256 collateralLeft,
        uint256 debtLeft,
        uint256 maxCollateral,
        uint256 price,
        uint8 decimals,
        uint256 dust
    ) external pure returns (uint256 collateralBought, uint256 debtPaid) {
        return LiquidationMath.fill(collateralLeft, debtLeft, maxCollateral, price, decimals, dust);
    }
}
