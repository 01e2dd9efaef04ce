// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ISluiceErrors} from "./ISluiceErrors.sol";
import {AutomationCompatibleInterface} from "./AutomationCompatibleInterface.sol";

/// @title ILiquidationUpkeep
/// @notice Liquidations and auction resets on a decentralized keeper network: Chainlink Automation
/// (`checkUpkeep` / `performUpkeep`) and Gelato (`checker`) drive the same contract.
/// @dev A check scans one shard of the book (see `Shard`): for each vault of the shard it asks the
/// Liquidator's `previewLiquidation` (from this contract, so sized for this keeper) and, for a vault
/// in auction, the DutchAuction's `auctionStatus`. It returns at most `MAX_LIQUIDATIONS` vaults to
/// liquidate and `MAX_RESETS` auctions to reset, as `abi.encode(uint256[] vaultIds, uint256[]
/// auctionIds)`, so that `performData` stays under Chainlink's 2,000 bytes and `performUpkeep` under
/// its 5,000,000 gas (docs/BENCHMARKS.md). `performUpkeep` trusts none of it: the Liquidator's
/// `liquidateBatch` skips what it cannot liquidate, and an auction is reset only when `auctionStatus`
/// says it needs it. This contract is the keeper of what it does: the DutchAuction owes it the
/// incentives, which its owner forwards with `claim` (to fund the upkeep).
interface ILiquidationUpkeep is ISluiceErrors, AutomationCompatibleInterface {
    /// @notice A part of the book: the vault ids in [`fromId`, `toId`] that are ≡ `residue` (mod
    /// `modulus`), of collateral `collateral`. `checkData` is `abi.encode(Shard)`.
    /// @param fromId First vault id (0 reads as 1).
    /// @param toId Last vault id, inclusive; 0: no end (the shard grows with the book).
    /// @param modulus At least 1, at most `MAX_MODULUS`; 1 takes every id of the range.
    /// @param residue Less than `modulus`.
    /// @param collateral Only vaults of this collateral; the zero address: every collateral.
    /// Shards with the same `modulus` and different residues, or with disjoint ranges, never share a
    /// vault, so several upkeeps split a book without doing the same work twice.
    struct Shard {
        uint256 fromId;
        uint256 toId;
        uint256 modulus;
        uint256 residue;
        address collateral;
    }

    /// @notice A perform sent by `caller` liquidated `liquidated` vaults and reset `reset` auctions.
    event UpkeepPerformed(address indexed caller, uint256 liquidated, uint256 reset);
    /// @notice The Liquidator's `liquidateBatch` reverted as a whole (e.g. the DutchAuction's circuit
    /// breaker forbids new auctions); the perform went on with the resets.
    event LiquidationsFailed(bytes reason);
    /// @notice The DutchAuction refused to reset auction `auctionId` although it needed a reset (e.g. the
    /// breaker forbids resets, or the oracle price is stale).
    event ResetFailed(uint256 indexed auctionId, bytes reason);
    /// @notice `checker()` now scans the shard `checkData`.
    event DefaultCheckDataSet(bytes checkData);

    // ---------------------------------------------------------------- owner

    /// @notice Sets the shard that `checker()` (Gelato's argument-less resolver) scans. Owner only;
    /// reverts as `checkUpkeep` would on invalid `checkData`.
    function setDefaultCheckData(bytes calldata checkData) external;

    /// @notice Mints the incentives the DutchAuction owes this contract to `to` (e.g. to swap them
    /// for LINK and fund the upkeep). Owner only; reverts `NothingToClaim` when nothing is owed.
    function claim(address to) external returns (uint256 amount);

    // ---------------------------------------------------------------- keeper networks

    /// @notice Chainlink Automation: the vaults of shard `checkData` (`abi.encode(Shard)`) that can be
    /// liquidated now and the auctions that need a reset, as `performData`. Scans at most `MAX_SCAN`
    /// ids: a shard holding more is read a page of `MAX_SCAN` ids at a time, the page turning with
    /// the block number, so every vault is seen once every `ceil(ids / MAX_SCAN)` blocks. A view in
    /// practice that reverts `OnlySimulatedBackend` unless `tx.origin` is the zero address, as in
    /// Chainlink's simulations (Chainlink's `cannotExecute`): sent in a transaction, it would only
    /// burn the sender's gas.
    function checkUpkeep(
        bytes calldata checkData
    ) external override returns (bool upkeepNeeded, bytes memory performData);

    /// @notice Liquidates the vaults and resets the auctions listed in `performData` (as `checkUpkeep`
    /// returns it), each re-validated now: anyone may call, and what cannot be done any more is
    /// skipped. Reverts `NothingToPerform` when nothing could be done, `PerformDataTooLong` or
    /// `BatchTooLarge` before any work on data longer than a check returns.
    function performUpkeep(bytes calldata performData) external override;

    /// @notice Gelato: `checkUpkeep` of the default shard (`defaultCheckData`), with `execPayload` the
    /// call of `performUpkeep` to send, or a reason when there is nothing to do. Not restricted to a
    /// zero `tx.origin` (Gelato's simulations do not come from one); a view.
    function checker() external view returns (bool canExec, bytes memory execPayload);

    /// @notice `checker()` of shard `checkData`, for Gelato tasks created with resolver arguments (one
    /// task per shard). Named apart, not overloaded, so that clients need no signature to call it.
    function checkerFor(bytes calldata checkData) external view returns (bool canExec, bytes memory execPayload);

    // ---------------------------------------------------------------- views

    /// @notice Most vault ids one check reads (see `checkUpkeep`).
    function MAX_SCAN() external view returns (uint256);

    /// @notice Most vaults one check returns and one perform liquidates.
    function MAX_LIQUIDATIONS() external view returns (uint256);

    /// @notice Most auctions one check returns and one perform resets.
    function MAX_RESETS() external view returns (uint256);

    /// @notice Length of the longest `performData` a check returns [bytes] (under Chainlink's 2,000).
    function MAX_PERFORM_DATA_LENGTH() external view returns (uint256);

    /// @notice Largest `Shard.modulus`.
    function MAX_MODULUS() external view returns (uint256);

    /// @notice The shard `checker()` scans.
    function defaultCheckData() external view returns (bytes memory);

    /// @notice `abi.encode(shard)`, checked as `checkUpkeep` checks it: what to register as `checkData`.
    function encodeShard(Shard calldata shard) external pure returns (bytes memory checkData);

    /// @notice How many vault ids shard `checkData` holds now, and in how many pages of `MAX_SCAN` ids
    /// `checkUpkeep` reads it (one page per block).
    function shardSize(bytes calldata checkData) external view returns (uint256 ids, uint256 pages);
}
