// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ISluiceErrors} from "./ISluiceErrors.sol";

/// @title ILiquidator
/// @notice Moves unsafe vaults into Dutch auctions (docs/ACCOUNTING.md, "Liquidation").
/// @dev A liquidation takes the smallest debt slice that restores the vault to `targetHealth`,
/// assuming its collateral sells at the oracle price plus the penalty; the whole vault when the
/// remainder would be under dust or health is below `fullLiquidationHealth`. The auction raises
/// `slice · (1 + penalty)`. The DutchAuction's caps on debt in auction cut a liquidation down instead
/// of skipping it: a cut liquidation moves the most debt whose debt to raise fits the room, with
/// collateral in proportion, so a vault below health 1 (a whale above the caps included) can always be
/// liquidated while the room holds a dust-sized slice. The Liquidator keeps no state of its own: what a
/// liquidation changes is told by the VaultEngine's `Seized` and the DutchAuction's `AuctionStarted` events.
interface ILiquidator is ISluiceErrors {
    /// @notice Per-collateral parameters [wad].
    /// @param penalty Liquidation penalty: the auction raises debt · (1 + penalty).
    /// @param targetHealth Health a partial liquidation restores (> 1).
    /// @param fullLiquidationHealth Below this health the whole vault is liquidated (≤ 1).
    /// @param collateralMargin A partial liquidation seizes collateral worth the debt to raise times this
    /// (≥ 1) at the oracle price, so the lot still covers the debt when the auction clears below
    /// the oracle; what is not sold returns to the vault.
    struct LiquidationParams {
        uint64 penalty;
        uint64 targetHealth;
        uint64 fullLiquidationHealth;
        uint64 collateralMargin;
    }

    /// @notice Why `liquidate` would refuse a vault now; `None`: it would liquidate it.
    /// `Unpriced`: the collateral's oracle price is stale or broken. `Unknown`: no such vault, or its
    /// collateral is not listed in the Liquidator, the RiskEngine or the DutchAuction.
    enum Refusal {
        None,
        Healthy,
        InAuction,
        BorrowedThisBlock,
        NoRoom,
        Unpriced,
        Unknown
    }

    /// @notice What `liquidate(vaultId, msg.sender)` sent by `msg.sender` would do in the block the
    /// view runs in (see `previewLiquidation`). Amounts are zero unless `refusal` is `None`.
    /// @param health The vault's health [wad] (zero when `Unpriced` or `Unknown`, or in auction).
    /// @param full The closed-form slice is the whole vault (a lot needing all the collateral counts).
    /// @param cut The liquidation is cut down to the room under the caps.
    /// @param debtSlice The closed-form debt slice [wad] before any cut (a field named `slice` would
    /// be shadowed by `Array.prototype.slice` in ethers results).
    /// @param collateralSeized Collateral put under auction [token units].
    /// @param normalizedDebtSeized Normalised debt taken out of the vault.
    /// @param debtSeized That debt with fees to now [wad], rounded up.
    /// @param debtToRaise What the auction will raise [wad].
    /// @param incentive What the DutchAuction will owe the keeper [wad].
    struct LiquidationPreview {
        Refusal refusal;
        uint256 health;
        bool full;
        bool cut;
        uint256 debtSlice;
        uint256 collateralSeized;
        uint256 normalizedDebtSeized;
        uint256 debtSeized;
        uint256 debtToRaise;
        uint256 incentive;
    }

    event CollateralAdded(address indexed collateral, LiquidationParams params);
    event PenaltySet(address indexed collateral, uint256 penalty);
    event TargetHealthSet(address indexed collateral, uint256 targetHealth);
    event FullLiquidationHealthSet(address indexed collateral, uint256 fullLiquidationHealth);
    event CollateralMarginSet(address indexed collateral, uint256 collateralMargin);
    // ---------------------------------------------------------------- admin (restricted)

    function addCollateral(address collateral, LiquidationParams calldata params) external;

    function setPenalty(address collateral, uint64 penalty) external;

    function setTargetHealth(address collateral, uint64 targetHealth) external;

    function setFullLiquidationHealth(address collateral, uint64 fullLiquidationHealth) external;

    function setCollateralMargin(address collateral, uint64 collateralMargin) external;

    // ---------------------------------------------------------------- anyone

    /// @notice Moves the unsafe vault `vaultId` into an auction, whose id is `vaultId`; the DutchAuction
    /// owes `keeper` the incentive (see `IDutchAuction.keeperIncentive`), capped at half the penalty
    /// on the smaller of the seized debt and the seized collateral's value, and nothing for an
    /// auction under the collateral's dust or when the vault's owner liquidates or is the keeper.
    function liquidate(uint256 vaultId, address keeper) external returns (uint256 auctionId);

    /// @notice Liquidates each vault it can and skips (auction id 0) those that are healthy, already in
    /// auction, borrowed this block, find no room under the caps, cannot be priced (stale oracle) or
    /// do not exist: keepers race, and one vault must not sink the batch.
    function liquidateBatch(uint256[] calldata vaultIds, address keeper) external returns (uint256[] memory auctionIds);

    // ---------------------------------------------------------------- views

    /// @notice What `liquidate(vaultId, msg.sender)` sent by `msg.sender` would do now, without
    /// reverting: the refusal it would meet, or the slice, the collateral and debt it would seize, the
    /// debt the auction would raise and the incentive it would owe. Keepers and upkeeps plan with it:
    /// call it with the keeper's address as `from` and on the pending block (on the latest block a
    /// vault that borrowed in it reads `BorrowedThisBlock`); it sizes exactly as `liquidate` does.
    function previewLiquidation(uint256 vaultId) external view returns (LiquidationPreview memory preview);

    function liquidationParams(address collateral) external view returns (LiquidationParams memory);
}
