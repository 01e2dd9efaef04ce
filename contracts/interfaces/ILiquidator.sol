// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title ILiquidator
/// @notice Moves unsafe vaults into Dutch auctions (docs/ACCOUNTING.md, "Liquidation").
/// @dev A liquidation takes the smallest debt slice that restores the vault to `targetHealth`,
/// assuming its collateral sells at the oracle price plus the penalty; the whole vault when the
/// remainder would be under dust or health is below `fullLiquidationHealth`. The auction raises
/// `slice · (1 + penalty)`. Caps on debt in auction cut a liquidation down instead of skipping it.
interface ILiquidator {
    /// @notice Per-collateral parameters [wad].
    /// @param penalty Liquidation penalty: the auction raises debt · (1 + penalty).
    /// @param targetHealth Health a partial liquidation restores (> 1).
    /// @param fullLiquidationHealth Below this health the whole vault is liquidated (≤ 1).
    /// @param lotMargin A partial liquidation seizes collateral worth the debt to raise times this
    /// (≥ 1) at the oracle price, so the lot still covers the debt when the auction clears below
    /// the oracle; what is not sold returns to the vault.
    /// @param maxDebtInAuction Cap on this collateral's debt in running auctions.
    struct LiquidationParams {
        uint64 penalty;
        uint64 targetHealth;
        uint64 fullLiquidationHealth;
        uint64 lotMargin;
        uint128 maxDebtInAuction;
    }

    /// @notice Keeper incentive: `min(maxIncentive, tip + chip · debtToRaise)`, nothing below `minDebt`.
    struct IncentiveParams {
        uint128 tip; // [wad]
        uint64 chip; // [wad]
        uint128 maxIncentive; // [wad]
        uint128 minDebt; // [wad]
    }

    error ZeroAddress();
    error CollateralNotListed(address collateral);
    error CollateralAlreadyListed(address collateral);
    error OutOfRange(bytes32 parameter, uint256 value, uint256 min, uint256 max);
    /// @notice The vault's health is at least 1.
    error VaultHealthy(uint256 vaultId, uint256 health);
    error VaultInAuction(uint256 vaultId);
    /// @notice The vault borrowed in this block: no borrow-and-liquidate in one block.
    error BorrowedThisBlock(uint256 vaultId);
    /// @notice The caps on debt in auction leave no room now.
    error NoAuctionRoom(address collateral);

    event CollateralAdded(address indexed collateral, LiquidationParams params);
    event PenaltySet(address indexed collateral, uint256 penalty);
    event TargetHealthSet(address indexed collateral, uint256 targetHealth);
    event FullLiquidationHealthSet(address indexed collateral, uint256 fullLiquidationHealth);
    event LotMarginSet(address indexed collateral, uint256 lotMargin);
    event MaxDebtInAuctionSet(address indexed collateral, uint256 maxDebtInAuction);
    event MaxTotalDebtInAuctionSet(uint256 maxTotalDebtInAuction);
    event IncentiveParamsSet(IncentiveParams params);
    event Liquidated(
        uint256 indexed vaultId,
        uint256 indexed auctionId,
        address indexed keeper,
        uint256 collateralSeized,
        uint256 debtSeized,
        uint256 debtToRaise,
        uint256 incentive
    );

    // ---------------------------------------------------------------- admin (restricted)

    function addCollateral(address collateral, LiquidationParams calldata params) external;

    function setPenalty(address collateral, uint64 penalty) external;

    function setTargetHealth(address collateral, uint64 targetHealth) external;

    function setFullLiquidationHealth(address collateral, uint64 fullLiquidationHealth) external;

    function setLotMargin(address collateral, uint64 lotMargin) external;

    function setMaxDebtInAuction(address collateral, uint128 maxDebtInAuction) external;

    function setMaxTotalDebtInAuction(uint256 maxTotalDebtInAuction) external;

    function setIncentiveParams(IncentiveParams calldata params) external;

    // ---------------------------------------------------------------- anyone

    /// @notice Moves the unsafe vault `vaultId` into an auction; `keeper` receives the incentive.
    function liquidate(uint256 vaultId, address keeper) external returns (uint256 auctionId);

    /// @notice Liquidates each vault it can and skips (auction id 0) those that are healthy, already in
    /// auction, borrowed this block, find no room under the caps, cannot be priced (stale oracle) or
    /// do not exist: keepers race, and one vault must not sink the batch.
    function liquidateBatch(uint256[] calldata vaultIds, address keeper) external returns (uint256[] memory auctionIds);

    // ---------------------------------------------------------------- views

    /// @notice The incentive [wad] for starting or resetting an auction that raises `debtToRaise`.
    function keeperIncentive(uint256 debtToRaise) external view returns (uint256);

    /// @notice The debt slice [wad] a liquidation of the vault would take now (its whole debt for a
    /// full liquidation), before any cap.
    function sliceOf(uint256 vaultId) external view returns (uint256 slice, bool full);

    function liquidationParams(address collateral) external view returns (LiquidationParams memory);

    function incentiveParams() external view returns (IncentiveParams memory);

    function maxTotalDebtInAuction() external view returns (uint256);
}
