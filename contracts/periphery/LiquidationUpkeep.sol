// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IDutchAuction} from "../interfaces/IDutchAuction.sol";
import {ILiquidationUpkeep} from "../interfaces/ILiquidationUpkeep.sol";
import {ILiquidator} from "../interfaces/ILiquidator.sol";
import {IVaultEngine} from "../interfaces/IVaultEngine.sol";

/// @title LiquidationUpkeep
/// @notice See {ILiquidationUpkeep}.
/// @dev Owned (`Ownable2Step`) rather than governed by the AccessManager: the owner only forwards this
/// keeper's incentives and picks the Gelato shard, powers over nothing of the protocol, and funding an
/// upkeep must not wait for the governance delay. Every other function is open to anyone.
contract LiquidationUpkeep is ILiquidationUpkeep, Ownable2Step {
    /// @inheritdoc ILiquidationUpkeep
    /// @dev Sized so that a check of a full page stays under Chainlink's 10,000,000 gas on Ethereum
    /// when every vault of the page has debt (a `previewLiquidation` each): docs/BENCHMARKS.md.
    uint256 public constant MAX_SCAN = 250;
    /// @inheritdoc ILiquidationUpkeep
    /// @dev With `MAX_RESETS`, a perform stays under Chainlink's 5,000,000 gas (docs/BENCHMARKS.md).
    uint256 public constant MAX_LIQUIDATIONS = 40;
    /// @inheritdoc ILiquidationUpkeep
    uint256 public constant MAX_RESETS = 10;
    /// @inheritdoc ILiquidationUpkeep
    /// @dev `abi.encode(uint256[], uint256[])`: two offsets, two lengths, then one word per id.
    uint256 public constant MAX_PERFORM_DATA_LENGTH = 128 + 32 * (MAX_LIQUIDATIONS + MAX_RESETS);
    /// @inheritdoc ILiquidationUpkeep
    uint256 public constant MAX_MODULUS = 1_000_000;

    uint256 internal constant SHARD_LENGTH = 160; // [bytes], abi.encode(Shard)

    ILiquidator public immutable liquidator;
    IDutchAuction public immutable auction;
    IVaultEngine public immutable vaultEngine;

    bytes internal _defaultCheckData;

    constructor(
        ILiquidator liquidator_,
        IDutchAuction auction_,
        IVaultEngine vaultEngine_,
        address owner_,
        bytes memory defaultCheckData_
    ) Ownable(owner_) {
        if (
            address(liquidator_) == address(0) || address(auction_) == address(0) || address(vaultEngine_) == address(0)
        ) revert ZeroAddress();
        (liquidator, auction, vaultEngine) = (liquidator_, auction_, vaultEngine_);
        _setDefaultCheckData(defaultCheckData_);
    }

    // ---------------------------------------------------------------- owner

    /// @inheritdoc ILiquidationUpkeep
    function setDefaultCheckData(bytes calldata checkData) external onlyOwner {
        _setDefaultCheckData(checkData);
    }

    /// @inheritdoc ILiquidationUpkeep
    function claim(address to) external onlyOwner returns (uint256 amount) {
        // The DutchAuction checks `to` and emits `IncentivesClaimed(this, to, amount)`.
        return auction.claimIncentives(to);
    }

    // ---------------------------------------------------------------- keeper networks

    /// @inheritdoc ILiquidationUpkeep
    /// @dev A view in practice, declared as Chainlink's interface declares it.
    function checkUpkeep(
        bytes calldata checkData
    ) external view override returns (bool upkeepNeeded, bytes memory performData) {
        // Chainlink simulates checks with a zero origin, which no transaction can have (its sender
        // signs it): this is Chainlink's own `cannotExecute` test.
        // solhint-disable-next-line avoid-tx-origin
        if (tx.origin != address(0)) revert OnlySimulatedBackend(tx.origin);
        return _check(checkData);
    }

    /// @inheritdoc ILiquidationUpkeep
    function performUpkeep(bytes calldata performData) external override {
        // Checked before decoding, so that oversized data costs its sender its calldata and no more.
        if (performData.length > MAX_PERFORM_DATA_LENGTH) {
            revert PerformDataTooLong(performData.length, MAX_PERFORM_DATA_LENGTH);
        }
        (uint256[] memory vaultIds, uint256[] memory auctionIds) = abi.decode(performData, (uint256[], uint256[]));
        // Two arrays may share their words, so the length check above does not bound them both.
        if (vaultIds.length > MAX_LIQUIDATIONS || auctionIds.length > MAX_RESETS) {
            revert BatchTooLarge(vaultIds.length, auctionIds.length);
        }
        uint256 liquidated = _liquidate(vaultIds);
        uint256 reset = _reset(auctionIds);
        if (liquidated + reset == 0) revert NothingToPerform();
        emit UpkeepPerformed(msg.sender, liquidated, reset);
    }

    /// @inheritdoc ILiquidationUpkeep
    function checker() external view returns (bool canExec, bytes memory execPayload) {
        return _checker(_defaultCheckData);
    }

    /// @inheritdoc ILiquidationUpkeep
    function checkerFor(bytes calldata checkData) external view returns (bool canExec, bytes memory execPayload) {
        return _checker(checkData);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc ILiquidationUpkeep
    function defaultCheckData() external view returns (bytes memory) {
        return _defaultCheckData;
    }

    /// @inheritdoc ILiquidationUpkeep
    function encodeShard(Shard calldata shard) external pure returns (bytes memory checkData) {
        _checkShard(shard);
        return abi.encode(shard);
    }

    /// @inheritdoc ILiquidationUpkeep
    function shardSize(bytes calldata checkData) external view returns (uint256 ids, uint256 pages) {
        (, ids) = _span(_decodeShard(checkData));
        pages = (ids + MAX_SCAN - 1) / MAX_SCAN;
    }

    // ---------------------------------------------------------------- internals

    function _setDefaultCheckData(bytes memory checkData) internal {
        _decodeShard(checkData);
        _defaultCheckData = checkData;
        emit DefaultCheckDataSet(checkData);
    }

    function _checker(bytes memory checkData) internal view returns (bool canExec, bytes memory execPayload) {
        bytes memory performData;
        (canExec, performData) = _check(checkData);
        if (!canExec) return (false, bytes("no vault to liquidate, no auction to reset"));
        return (true, abi.encodeCall(this.performUpkeep, (performData)));
    }

    /// @dev The page of the shard this block reads: the vaults to liquidate and the auctions to reset.
    function _check(bytes memory checkData) internal view returns (bool upkeepNeeded, bytes memory performData) {
        Shard memory shard = _decodeShard(checkData);
        (uint256 first, uint256 ids) = _span(shard);
        uint256 scan = ids;
        if (ids > MAX_SCAN) {
            // The page turns every block, so `pages` consecutive checks see every vault of the shard.
            uint256 pages = (ids + MAX_SCAN - 1) / MAX_SCAN;
            uint256 skipped = (block.number % pages) * MAX_SCAN;
            first += skipped * shard.modulus;
            scan = ids - skipped < MAX_SCAN ? ids - skipped : MAX_SCAN;
        }
        uint256[] memory vaultIds = new uint256[](MAX_LIQUIDATIONS);
        uint256[] memory auctionIds = new uint256[](MAX_RESETS);
        (uint256 liquidations, uint256 resets) = (0, 0);
        for (uint256 k = 0; k < scan && (liquidations < MAX_LIQUIDATIONS || resets < MAX_RESETS); ++k) {
            uint256 id = first + k * shard.modulus;
            IVaultEngine.Vault memory vault = vaultEngine.vaults(id);
            if (shard.collateral != address(0) && vault.collateral != shard.collateral) continue;
            if (vault.inAuction) {
                if (resets == MAX_RESETS) continue;
                (bool needsReset, , , ) = auction.auctionStatus(id);
                if (needsReset) auctionIds[resets++] = id;
            } else if (vault.normalizedDebt != 0 && liquidations < MAX_LIQUIDATIONS) {
                // Asked by this contract, so sized (incentive included) for the keeper it will be.
                if (liquidator.previewLiquidation(id).refusal == ILiquidator.Refusal.None) {
                    vaultIds[liquidations++] = id;
                }
            }
        }
        if (liquidations + resets == 0) return (false, "");
        return (true, abi.encode(_first(vaultIds, liquidations), _first(auctionIds, resets)));
    }

    /// @dev Liquidates what the Liquidator still can; returns how many auctions it started.
    function _liquidate(uint256[] memory vaultIds) internal returns (uint256 liquidated) {
        if (vaultIds.length == 0) return 0;
        try liquidator.liquidateBatch(vaultIds, address(this)) returns (uint256[] memory started) {
            for (uint256 i = 0; i < started.length; ++i) {
                if (started[i] != 0) ++liquidated;
            }
        } catch (bytes memory reason) {
            // The batch skips vaults one by one; it reverts as a whole only when the auction refuses
            // every start (the breaker). The resets may still be allowed.
            emit LiquidationsFailed(reason);
        }
    }

    /// @dev Resets the auctions that need it now; returns how many it reset. Asking first keeps a
    /// fresh auction (reset by another keeper, or made up) from reverting `AuctionNotStale`.
    function _reset(uint256[] memory auctionIds) internal returns (uint256 reset) {
        for (uint256 i = 0; i < auctionIds.length; ++i) {
            (bool needsReset, , , ) = auction.auctionStatus(auctionIds[i]);
            if (!needsReset) continue;
            try auction.reset(auctionIds[i], address(this)) {
                ++reset;
            } catch (bytes memory reason) {
                emit ResetFailed(auctionIds[i], reason);
            }
        }
    }

    /// @dev The first id of `shard` in the book as it is now, and how many ids it holds from there.
    function _span(Shard memory shard) internal view returns (uint256 first, uint256 ids) {
        uint256 count = vaultEngine.vaultCount();
        uint256 last = shard.toId == 0 || shard.toId > count ? count : shard.toId;
        first = shard.fromId == 0 ? 1 : shard.fromId;
        if (first > last) return (first, 0);
        // Up to the residue class: first ≤ last ≤ vaultCount, and less than `modulus` is added.
        first += (shard.residue + shard.modulus - (first % shard.modulus)) % shard.modulus;
        if (first > last) return (first, 0);
        ids = (last - first) / shard.modulus + 1;
    }

    function _decodeShard(bytes memory checkData) internal pure returns (Shard memory shard) {
        if (checkData.length != SHARD_LENGTH) revert InvalidCheckData(checkData.length);
        shard = abi.decode(checkData, (Shard));
        _checkShard(shard);
    }

    function _checkShard(Shard memory shard) internal pure {
        if (
            shard.modulus == 0 ||
            shard.modulus > MAX_MODULUS ||
            shard.residue >= shard.modulus ||
            (shard.toId != 0 && shard.toId < shard.fromId)
        ) revert InvalidShard(shard.fromId, shard.toId, shard.modulus, shard.residue);
    }

    /// @dev The first `length` entries of `ids`, in a fresh array.
    function _first(uint256[] memory ids, uint256 length) internal pure returns (uint256[] memory prefix) {
        prefix = new uint256[](length);
        for (uint256 i = 0; i < length; ++i) prefix[i] = ids[i];
    }
}
