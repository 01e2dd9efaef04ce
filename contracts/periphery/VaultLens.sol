// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IDutchAuction} from "../interfaces/IDutchAuction.sol";
import {IOracleHub} from "../interfaces/IOracleHub.sol";
import {IRiskEngine} from "../interfaces/IRiskEngine.sol";
import {IVaultEngine} from "../interfaces/IVaultEngine.sol";
import {WAD} from "../libraries/FixedPointMath.sol";
import {ThresholdMath} from "../libraries/ThresholdMath.sol";

/// @title VaultLens
/// @notice Batch views for keepers and front ends: one `eth_call` answers for hundreds of vaults.
/// @dev Stateless. A vault whose price cannot be read (stale oracle) is reported with `priced`
/// false instead of failing the whole batch.
contract VaultLens {
    struct VaultHealth {
        uint256 vaultId;
        address owner;
        address collateral;
        uint256 collateralAmount; // token units
        uint256 value; // [wad]
        uint256 debt; // [wad]
        uint256 threshold; // [wad]
        uint256 health; // [wad]; max uint256 without debt
        bool inAuction;
        bool priced;
    }

    struct AuctionView {
        uint256 auctionId;
        uint256 vaultId;
        address collateral;
        uint256 collateralLeft; // token units
        uint256 debtLeft; // [wad]
        uint256 startPrice; // [wad]
        uint256 startTime; // [seconds]
        uint256 price; // [wad], live
        bool needsReset;
    }

    /// @notice Everything a keeper prices one collateral's vaults with, and what tells it a poke is due.
    struct MarketView {
        address collateral;
        bool priced; // false while the oracle price cannot be read (stale); rate, price, dust are then 0
        uint256 rate; // [ray]
        uint256 price; // [wad]
        uint8 decimals;
        uint256 dust; // [wad]
        IRiskEngine.RiskParams params;
        IRiskEngine.BaseRamp ramp;
        IRiskEngine.VolatilityState volatility;
        uint256 storedAt; // [seconds], feed time of the stored oracle price
        uint256 feedAt; // [seconds], the feed's latest answer; 0 when the feed cannot be read
        uint256 heartbeat; // [seconds]
    }

    IVaultEngine public immutable vaultEngine;
    IRiskEngine public immutable riskEngine;
    IDutchAuction public immutable auction;

    constructor(IVaultEngine vaultEngine_, IRiskEngine riskEngine_, IDutchAuction auction_) {
        (vaultEngine, riskEngine, auction) = (vaultEngine_, riskEngine_, auction_);
    }

    /// @notice Health and its inputs for each vault id (which must exist).
    function healthOf(uint256[] calldata vaultIds) external view returns (VaultHealth[] memory vaults) {
        vaults = new VaultHealth[](vaultIds.length);
        for (uint256 i = 0; i < vaultIds.length; ++i) vaults[i] = _health(vaultIds[i]);
    }

    /// @notice The stored vaults, so that an index reads hundreds per `eth_call`. Reverts with
    /// `VaultNotFound` for an id never opened, as `IVaultEngine.vaults` does.
    function vaultsOf(uint256[] calldata vaultIds) external view returns (IVaultEngine.Vault[] memory vaults) {
        vaults = new IVaultEngine.Vault[](vaultIds.length);
        for (uint256 i = 0; i < vaultIds.length; ++i) vaults[i] = vaultEngine.vaults(vaultIds[i]);
    }

    /// @notice The stored auctions (all zero where none runs), so that an index reads hundreds per
    /// `eth_call`.
    function auctionsOf(uint256[] calldata auctionIds) external view returns (IDutchAuction.Auction[] memory auctions) {
        auctions = new IDutchAuction.Auction[](auctionIds.length);
        for (uint256 i = 0; i < auctionIds.length; ++i) auctions[i] = auction.auctions(auctionIds[i]);
    }

    /// @notice Up to `max` ids in [fromId, toId] of vaults that can be liquidated now: priced, not
    /// in auction, with debt and health below 1.
    function liquidatable(uint256 fromId, uint256 toId, uint256 max) external view returns (uint256[] memory ids) {
        uint256 last = toId < vaultEngine.vaultCount() ? toId : vaultEngine.vaultCount();
        uint256[] memory found = new uint256[](max);
        uint256 count;
        for (uint256 id = fromId == 0 ? 1 : fromId; id <= last && count < max; ++id) {
            VaultHealth memory vault = _health(id);
            if (vault.priced && !vault.inAuction && vault.debt != 0 && vault.health < WAD) found[count++] = id;
        }
        ids = new uint256[](count);
        for (uint256 i = 0; i < count; ++i) ids[i] = found[i];
    }

    /// @notice Every running auction with its live price.
    function auctionsView() external view returns (AuctionView[] memory views) {
        uint256[] memory ids = auction.activeAuctions();
        views = new AuctionView[](ids.length);
        for (uint256 i = 0; i < ids.length; ++i) {
            IDutchAuction.Auction memory stored = auction.auctions(ids[i]);
            (bool needsReset, uint256 price, , ) = auction.auctionStatus(ids[i]);
            views[i] = AuctionView({
                auctionId: ids[i],
                vaultId: stored.vaultId,
                collateral: stored.collateral,
                collateralLeft: stored.collateralLeft,
                debtLeft: stored.debtLeft,
                startPrice: stored.startPrice,
                startTime: stored.startTime,
                price: price,
                needsReset: needsReset
            });
        }
    }

    /// @notice The market inputs of each collateral, so that a keeper reads all of them in one
    /// `eth_call` per block.
    function marketsOf(address[] calldata collaterals) external view returns (MarketView[] memory markets) {
        IOracleHub oracle = vaultEngine.oracle();
        markets = new MarketView[](collaterals.length);
        for (uint256 i = 0; i < collaterals.length; ++i) {
            address collateral = collaterals[i];
            MarketView memory market = markets[i];
            market.collateral = collateral;
            try vaultEngine.liquidationInputs(collateral) returns (
                uint256 rate,
                uint256 price,
                uint8 decimals,
                uint256 dust
            ) {
                (market.rate, market.price, market.decimals, market.dust) = (rate, price, decimals, dust);
                market.priced = true;
            } catch {
                // Stale oracle: reported, not fatal, so that the keeper still sees that a poke is due.
            }
            market.params = riskEngine.riskParams(collateral);
            market.ramp = riskEngine.baseRamp(collateral);
            market.volatility = riskEngine.volatilityState(collateral);
            (, market.storedAt, ) = oracle.priceState(collateral);
            IOracleHub.FeedConfig memory config = oracle.feedConfig(collateral);
            market.heartbeat = config.heartbeat;
            try config.source.latestRoundData() returns (uint80, int256, uint256, uint256 updatedAt, uint80) {
                market.feedAt = updatedAt;
            } catch {
                // A broken feed: no poke can publish it, so none is due.
            }
        }
    }

    function _health(uint256 vaultId) internal view returns (VaultHealth memory vault) {
        vault.vaultId = vaultId;
        IVaultEngine.Vault memory stored = vaultEngine.vaults(vaultId);
        (vault.owner, vault.collateral, vault.collateralAmount, vault.inAuction) = (
            stored.owner,
            stored.collateral,
            stored.collateralAmount,
            stored.inAuction
        );
        try vaultEngine.liquidationData(vaultId) returns (IVaultEngine.LiquidationData memory data) {
            vault.value = data.value;
            vault.debt = data.debt;
            vault.threshold = riskEngine.thresholdFor(data.collateral, data.value);
            vault.health = ThresholdMath.health(data.value, vault.threshold, data.debt);
            vault.priced = true;
        } catch {
            // Unpriced (stale or broken oracle): reported, not fatal.
        }
    }
}
