// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title ISluiceErrors
/// @notice Every custom error of the protocol, declared once. Each core interface (IVaultEngine,
/// IOracleHub, IRiskEngine, ILiquidator, IDutchAuction, IStablecoin) inherits it, so every error a call
/// can revert with, including one that bubbles up from another core contract (a `liquidate` of a
/// missing vault reverts with the VaultEngine's `VaultNotFound`, a stale price with the OracleHub's
/// `StalePrice`), is in the ABI of the contract called and decodes there.
/// @dev A range error carries the value and its bounds: `(value, max)` when the lower bound is zero,
/// `(value, min, max)` otherwise, in the parameter's unit ([wad], [ray] or [seconds]).
interface ISluiceErrors {
    // ---------------------------------------------------------------- shared

    error ZeroAddress();
    error ZeroAmount();
    error CollateralAlreadyListed(address collateral);
    error CollateralNotListed(address collateral);

    // ---------------------------------------------------------------- vaults (VaultEngine)

    error UnsupportedDecimals(address collateral, uint8 decimals);
    error StabilityFeeOutOfRange(uint256 stabilityFee, uint256 min, uint256 max);
    error MaxLTVOutOfRange(uint256 maxLTV, uint256 max);
    error VaultNotFound(uint256 vaultId);
    error NotVaultManager(uint256 vaultId, address caller);
    error InsufficientCollateral(uint256 vaultId, uint256 requested, uint256 available);
    error DebtCeilingExceeded(address collateral, uint256 debt, uint256 ceiling);
    error GlobalDebtCeilingExceeded(uint256 debt, uint256 ceiling);
    /// @notice A vault's debt would end up above zero but below the dust minimum.
    error DebtBelowDust(uint256 vaultId, uint256 debt, uint256 dust);
    /// @notice Borrowing or withdrawing would leave more debt than the vault's limit allows.
    error VaultUnsafe(uint256 vaultId, uint256 debt, uint256 maxDebt);
    /// @notice The token moved a different amount than asked: fee-on-transfer and rebasing tokens are
    /// not supported.
    error TransferAmountMismatch(address token, uint256 expected, uint256 received);
    error NoDebt(uint256 vaultId);
    /// @notice Only the Liquidator (seize) or the DutchAuction (auction settlement) may call this.
    error NotLiquidationModule(address caller);
    /// @notice The vault is being auctioned: it may not borrow or withdraw until the auction ends, nor
    /// be liquidated again.
    error VaultInAuction(uint256 vaultId);

    // ---------------------------------------------------------------- prices (OracleHub)

    error FeedAlreadyConfigured(address collateral);
    error FeedNotConfigured(address collateral);
    error UnsupportedFeedDecimals(address source, uint8 decimals);
    error HeartbeatOutOfRange(uint256 heartbeat, uint256 min, uint256 max);
    error PriceBoundsInvalid(uint256 minPrice, uint256 maxPrice);
    error MaxJumpOutOfRange(uint256 maxJump, uint256 min, uint256 max);
    error HalfLifeOutOfRange(uint256 halfLife, uint256 min, uint256 max);
    /// @notice The feed answered zero or a negative number.
    error NonPositiveAnswer(address collateral, int256 answer);
    /// @notice The feed's timestamp is zero or in the future.
    error InvalidUpdateTime(address collateral, uint256 updatedAt);
    /// @notice The newest price is older than the heartbeat allows.
    error StalePrice(address collateral, uint256 updatedAt, uint256 heartbeat);
    error PriceOutOfBounds(address collateral, uint256 price, uint256 minPrice, uint256 maxPrice);
    /// @notice The feed's live answer `feedPrice` differs from the stored price by more than `maxJump`
    /// (relative to the stored price): nobody borrows or withdraws against a price the feed refutes.
    error PriceLagsFeed(address collateral, uint256 storedPrice, uint256 feedPrice, uint256 maxJump);

    // ---------------------------------------------------------------- thresholds (RiskEngine)

    /// @notice `max` is the base threshold's cap, or, on `setMinThreshold`, the base a running ramp
    /// never goes below.
    error MinThresholdOutOfRange(uint256 minThreshold, uint256 min, uint256 max);
    /// @notice `min` is the collateral's `minThreshold`.
    error BaseThresholdOutOfRange(uint256 baseThreshold, uint256 min, uint256 max);
    error BorrowBufferOutOfRange(uint256 borrowBuffer, uint256 max);
    error ConfidenceOutOfRange(uint256 confidence, uint256 max);
    error HorizonOutOfRange(uint256 horizon, uint256 min, uint256 max);
    /// @notice A base threshold ramp shorter than the collateral's `minRampDuration` (`min`) or too long.
    error RampDurationOutOfRange(uint256 rampDuration, uint256 min, uint256 max);
    error MinRampDurationOutOfRange(uint256 minRampDuration, uint256 min, uint256 max);
    error DepthOutOfRange(uint256 depth, uint256 min, uint256 max);
    error MaxSizePenaltyOutOfRange(uint256 maxSizePenalty, uint256 max);
    error MaxStepPerHourOutOfRange(uint256 maxStepPerHour, uint256 min, uint256 max);

    // ---------------------------------------------------------------- liquidation (Liquidator)

    error PenaltyOutOfRange(uint256 penalty, uint256 max);
    error TargetHealthOutOfRange(uint256 targetHealth, uint256 min, uint256 max);
    error FullLiquidationHealthOutOfRange(uint256 fullLiquidationHealth, uint256 max);
    error CollateralMarginOutOfRange(uint256 collateralMargin, uint256 min, uint256 max);
    /// @notice The vault's health is at least 1.
    error VaultHealthy(uint256 vaultId, uint256 health);
    /// @notice The vault borrowed in this block: no borrow-and-liquidate in one block.
    error BorrowedThisBlock(uint256 vaultId);
    /// @notice A liquidation raising `debtToRaise` [wad] does not fit the `room` [wad] under the caps on
    /// debt in auction of `collateral`. From the Liquidator, `debtToRaise` is the uncut liquidation's:
    /// cut down to the room it would be under dust or seize no collateral. From the DutchAuction, the
    /// request does not fit (the Liquidator cuts a liquidation to the room, so it never asks that).
    error NoAuctionRoom(address collateral, uint256 debtToRaise, uint256 room);

    // ---------------------------------------------------------------- auctions (DutchAuction)

    error NotLiquidator(address caller);
    /// @notice Only the VaultEngine may push its dust.
    error NotVaultEngine(address caller);
    error StartPriceFactorOutOfRange(uint256 startPriceFactor, uint256 min, uint256 max);
    error MaxAuctionAgeOutOfRange(uint256 maxAuctionAge, uint256 min, uint256 max);
    error ResetPriceRatioOutOfRange(uint256 resetPriceRatio, uint256 max);
    error IncentiveRateOutOfRange(uint256 incentiveRate, uint256 max);
    /// @notice The auction keeps the dust in 88 bits: the VaultEngine's `setDust` reverts with this
    /// above 2^88 − 1.
    error DustOutOfRange(uint256 dust, uint256 max);
    error AuctionNotActive(uint256 auctionId);
    /// @notice `auctionPriceAt` was asked about a time before the auction's current start.
    error TimestampBeforeStart(uint256 auctionId, uint256 timestamp, uint256 startTime);
    /// @notice The vault already has a running auction.
    error AuctionActive(uint256 auctionId);
    /// @notice The auction is older than `maxAuctionAge` or cheaper than `resetPriceRatio` of its start
    /// price: it must be reset first.
    error AuctionNeedsReset(uint256 auctionId);
    error AuctionNotStale(uint256 auctionId);
    error PriceAboveMax(uint256 price, uint256 maxPrice);
    /// @notice A partial take would leave less than the dust to raise.
    error TakeLeavesDust(uint256 debtLeft, uint256 dust);
    /// @notice A partial take would leave `collateralLeft` [token units], worth `collateralValue` [wad]
    /// at the take's price, less than the dust: take all of it, or less.
    error TakeLeavesDustCollateral(uint256 collateralLeft, uint256 collateralValue, uint256 dust);
    /// @notice The receiver is one of the protocol's own contracts.
    error ForbiddenCallbackTarget(address receiver);
    error ZeroTake();
    error EmptyAuction();
    error NothingToClaim(address keeper);
    /// @notice The circuit breaker forbids this action at its current level.
    error BreakerTripped(uint8 level);
    error BreakerLevelInvalid(uint8 level, uint8 current);

    // ---------------------------------------------------------------- stablecoin (Stablecoin)

    /// @notice Thrown when anyone but the VaultEngine tries to mint or burn.
    error NotEngine(address caller);

    // ---------------------------------------------------------------- FlashLiquidator

    /// @notice `onTake` was called by `caller`, which is not the auction.
    error NotAuction(address caller);
    /// @notice `onTake` was called for a take `buyer` started, not this contract.
    error UntrustedInitiator(address buyer);
    /// @notice `onTake` ran outside a `flashTake` of this contract.
    error NotInFlashTake();
    /// @notice A `flashTake` (or `sweep`) was entered while a `flashTake` runs.
    error FlashTakeActive();
    /// @notice Auction `auctionId` is not running.
    error NoAuction(uint256 auctionId);
    /// @notice The factory has no pair for `collateral` and the stablecoin.
    error NoPair(address collateral);
    /// @notice Selling the collateral on the pair would return `amountOut` [wad], less than the take's
    /// cost `debtOwed` [wad].
    error SwapShortfall(uint256 amountOut, uint256 debtOwed);
    /// @notice The take would make `profit` [wad], less than the keeper's `minProfit` [wad].
    error ProfitBelowMinimum(uint256 profit, uint256 minProfit);

    // ---------------------------------------------------------------- LiquidationUpkeep

    /// @notice `checkUpkeep` ran with a non-zero `tx.origin`: in a transaction, not in a simulation.
    error OnlySimulatedBackend(address origin);
    /// @notice `checkData` is not the 160 bytes of an `abi.encode(Shard)`.
    error InvalidCheckData(uint256 length);
    /// @notice The shard is empty by construction: `modulus` is 0 or above `MAX_MODULUS`, `residue` is
    /// not below it, or the range ends before it starts.
    error InvalidShard(uint256 fromId, uint256 toId, uint256 modulus, uint256 residue);
    /// @notice `performData` is longer than any `checkUpkeep` returns (`MAX_PERFORM_DATA_LENGTH`).
    error PerformDataTooLong(uint256 length, uint256 maxLength);
    /// @notice More vaults or auctions than one perform handles (`MAX_LIQUIDATIONS`, `MAX_RESETS`).
    error BatchTooLarge(uint256 liquidations, uint256 resets);
    /// @notice Nothing in `performData` could be liquidated or reset any more (another keeper was
    /// first, or the data was made up).
    error NothingToPerform();
}
