// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ISluiceErrors} from "./ISluiceErrors.sol";
import {IOracleHub} from "./IOracleHub.sol";
import {IRiskModel} from "./IRiskModel.sol";
import {IStablecoin} from "./IStablecoin.sol";

/// @title IVaultEngine
/// @notice Multi-collateral vaults that borrow the protocol stablecoin.
/// @dev Units: collateral amounts are in the token's own decimals; the engine scales them to WAD
/// only to value them (`_collateralValue`). Debt is stored normalised: `debt = normalizedDebt · rate`,
/// where `rate` [ray] is a per-collateral accumulator that compounds the stability fee every second.
/// Rounding always favours the protocol. docs/ACCOUNTING.md states the identities the engine keeps.
interface IVaultEngine is ISluiceErrors {
    /// @notice Parameters a collateral type is listed with.
    /// @param debtCeiling Most debt the type may carry [wad].
    /// @param dust Least non-zero debt a vault may carry [wad].
    /// @param stabilityFee Per-second fee factor [ray], at least 1 ray (0%).
    /// @param maxLTV Largest debt-to-value ratio reachable by borrowing or withdrawing [wad].
    struct CollateralParams {
        uint128 debtCeiling;
        uint128 dust;
        uint128 stabilityFee;
        uint64 maxLTV;
    }

    /// @notice One vault. `collateralAmount` in token units; debt = `normalizedDebt · rate`.
    /// `lastBorrowBlock` is the block of its last borrow (no borrow-and-liquidate in one block).
    /// `auctionCollateral` [token units] is the part of its collateral being auctioned; `inAuction` (it
    /// is non-zero) means the vault can neither borrow nor withdraw until the auction ends.
    struct Vault {
        address owner;
        uint64 lastBorrowBlock;
        bool inAuction;
        address collateral;
        uint256 auctionCollateral;
        uint128 collateralAmount;
        uint128 normalizedDebt;
    }

    /// @notice What the Liquidator needs about a vault, read in one call.
    struct LiquidationData {
        address owner;
        address collateral;
        uint256 collateralAmount; // token units
        uint256 normalizedDebt;
        uint256 rate; // [ray], as of now
        uint256 price; // [wad]
        uint256 value; // [wad], rounded down
        uint256 debt; // [wad], rounded up
        uint256 dust; // [wad]
        uint256 lastBorrowBlock;
        bool inAuction;
        uint8 decimals;
    }

    event CollateralAdded(address indexed collateral, uint8 decimals, CollateralParams params);
    event DebtCeilingSet(address indexed collateral, uint256 debtCeiling);
    event DustSet(address indexed collateral, uint256 dust);
    event StabilityFeeSet(address indexed collateral, uint256 stabilityFee);
    event MaxLTVSet(address indexed collateral, uint256 maxLTV);
    event GlobalDebtCeilingSet(uint256 globalDebtCeiling);
    event RiskModelSet(address riskModel);
    event OperatorSet(address indexed owner, address indexed operator, bool approved);
    event VaultOpened(uint256 indexed vaultId, address indexed owner, address indexed collateral);
    event Deposited(uint256 indexed vaultId, address indexed from, uint256 amount);
    event Withdrawn(uint256 indexed vaultId, address indexed to, uint256 amount);
    /// @notice `normalizedDebt` is the vault's new normalised debt.
    event Borrowed(uint256 indexed vaultId, address indexed to, uint256 amount, uint256 normalizedDebt);
    event Repaid(uint256 indexed vaultId, address indexed payer, uint256 amount, uint256 normalizedDebt);
    /// @notice The accumulator of `collateral` moved to `rate`, earning the protocol `surplusAdded` [rad].
    event FeesAccrued(address indexed collateral, uint256 rate, uint256 surplusAdded);
    event LiquidationModulesSet(address liquidator, address auction);
    /// @notice Collateral and debt moved from a vault into an auction; `bookedDebtRad` [rad] joins the deficit.
    event Seized(uint256 indexed vaultId, uint256 collateralAmount, uint256 normalizedDebt, uint256 bookedDebtRad);
    /// @notice An auction ended: `collateralAmount` it did not sell went back to the vault, and
    /// `debtReturned` [wad] it could not raise was returned to the vault as debt.
    event AuctionReturned(uint256 indexed vaultId, uint256 collateralAmount, uint256 debtReturned);
    event KeeperPaid(address indexed keeper, uint256 amount);
    /// @notice `amount` [rad] of surplus cancelled the same amount of deficit.
    event Healed(uint256 amount);

    // ---------------------------------------------------------------- admin (restricted)

    /// @notice Lists `collateral`, which must already have an OracleHub feed. Its decimals (≤ 18) are
    /// read once, here.
    function addCollateral(address collateral, CollateralParams calldata params) external;

    function setDebtCeiling(address collateral, uint128 debtCeiling) external;

    /// @notice Also pushes the new dust to the DutchAuction (`syncDust`), whose copy bounds takes and
    /// incentives: the two cannot differ. After `setLiquidationModules` to a new auction, re-send each
    /// type's dust if it changed since the new auction listed it.
    function setDust(address collateral, uint128 dust) external;

    /// @notice Accrues at the old fee first, so the new fee applies from now on only.
    function setStabilityFee(address collateral, uint128 stabilityFee) external;

    function setMaxLTV(address collateral, uint64 maxLTV) external;

    function setGlobalDebtCeiling(uint256 globalDebtCeiling) external;

    /// @notice Plugs in the threshold model; the zero address leaves `maxLTV` alone in charge.
    function setRiskModel(IRiskModel riskModel) external;

    /// @notice The Liquidator (may seize vaults and pay keepers) and the DutchAuction (may settle
    /// auctions). Restricted (governance).
    function setLiquidationModules(address liquidator, address auction) external;

    // ---------------------------------------------------------------- liquidation modules

    /// @notice Moves `collateralAmount` of the vault's collateral under auction (it stays in the
    /// engine) and `normalizedDebt` out of the vault. The debt, at the last accrued rate, leaves
    /// `totalDebt` and joins `deficit` until the auction raises it; fees since the last accrual are
    /// never booked for it, the auction raises them. Liquidator only.
    function seize(uint256 vaultId, uint256 collateralAmount, uint256 normalizedDebt) external;

    /// @notice Mints a keeper's claimed incentives out of the surplus (into the deficit where the
    /// surplus is short). DutchAuction only.
    function payKeeper(address keeper, uint256 amount) external;

    /// @notice Sends `amount` of the vault's auctioned collateral to a buyer (nothing is transferred for
    /// zero). When the take `ended` the auction, the collateral it did not sell returns to the vault,
    /// with `debtReturned` [wad] the auction could not raise as debt; the vault is then out of
    /// auction. DutchAuction only.
    function sellAuctionCollateral(
        uint256 vaultId,
        address to,
        uint256 amount,
        bool ended,
        uint256 debtReturned
    ) external returns (uint256 collateralReturned);

    /// @notice Ends the vault's auction without a buyer (its lot was worth less than the dust): the
    /// collateral under auction returns to the vault with `debtReturned` [wad] as debt, and no token
    /// moves. Returns the collateral returned. DutchAuction only.
    function endAuction(uint256 vaultId, uint256 debtReturned) external returns (uint256 collateralReturned);

    /// @notice Burns `amount` of stablecoin from `payer`, who bought auctioned collateral, into the
    /// surplus. DutchAuction only.
    function collectAuctionProceeds(address payer, uint256 amount) external;

    /// @notice Cancels surplus against deficit, as much as both allow. Anyone may call it.
    function heal() external returns (uint256 healed);

    // ---------------------------------------------------------------- users

    /// @notice Lets `operator` withdraw and borrow from all of the caller's vaults (or stops it).
    function setOperator(address operator, bool approved) external;

    /// @notice Opens an empty vault of `collateral` owned by the caller.
    function openVault(address collateral) external returns (uint256 vaultId);

    /// @notice Adds `amount` of the vault's collateral from the caller. Anyone may top up a vault.
    function deposit(uint256 vaultId, uint256 amount) external;

    /// @notice Sends `amount` of collateral to `to`. Owner or operator; the vault must stay within
    /// `maxDebt` (a vault without debt needs no price).
    function withdraw(uint256 vaultId, uint256 amount, address to) external;

    /// @notice Mints `amount` of stablecoin to `to` as new debt. Owner or operator; the vault must stay
    /// within `maxDebt` and under the ceilings.
    function borrow(uint256 vaultId, uint256 amount, address to) external;

    /// @notice Burns up to `amount` of the caller's stablecoin against the vault's debt. Anyone may
    /// repay. An amount above the debt repays it all and burns only the debt. Returns what was burnt.
    function repay(uint256 vaultId, uint256 amount) external returns (uint256 repaid);

    /// @notice Brings `collateral`'s fee accumulator up to now. Anyone may call it.
    function accrue(address collateral) external returns (uint256 rate);

    // ---------------------------------------------------------------- views

    function stablecoin() external view returns (IStablecoin);

    function oracle() external view returns (IOracleHub);

    function riskModel() external view returns (IRiskModel);

    /// @notice The vault as stored; reverts `VaultNotFound` for an id never opened.
    function vaults(uint256 vaultId) external view returns (Vault memory);

    /// @notice Number of vaults opened so far; ids run from 1 to `vaultCount`.
    function vaultCount() external view returns (uint256);

    /// @notice The vault's debt with fees accrued to now [wad], rounded up.
    function debtOf(uint256 vaultId) external view returns (uint256);

    /// @notice The vault's collateral valued at the oracle price [wad], rounded down.
    function collateralValue(uint256 vaultId) external view returns (uint256);

    /// @notice What a health check needs, in one call and one oracle read: the vault's collateral
    /// type, its collateral value at the oracle price [wad, rounded down] and its debt with fees to
    /// now [wad, rounded up].
    function position(uint256 vaultId) external view returns (address collateral, uint256 value, uint256 debt);

    /// @notice The most debt the vault may carry after borrowing or withdrawing [wad]: its collateral
    /// valued at `OracleHub.borrowPrice` (the lower of the stored and the live feed price). Reverts
    /// with the oracle's `PriceLagsFeed` while the stored price lags the feed by more than `maxJump`.
    function maxDebt(uint256 vaultId) external view returns (uint256);

    function collateralParams(address collateral) external view returns (CollateralParams memory);

    /// @notice The accumulator as of now [ray], and the collateral type's total normalised debt.
    function collateralState(address collateral) external view returns (uint256 rate, uint256 totalNormalizedDebt);

    function globalDebtCeiling() external view returns (uint256);

    /// @notice Σ over collateral types of `totalNormalizedDebt · rate` at their last accrual [rad].
    function totalDebt() external view returns (uint256);

    /// @notice Fees, penalties and rounding kept by the protocol, not yet minted [rad].
    function surplus() external view returns (uint256);

    /// @notice Debt taken out of vaults into auctions and not yet raised, plus incentives paid beyond
    /// the surplus [rad]. `totalDebt + deficit = supply · RAY + surplus` at all times.
    function deficit() external view returns (uint256);

    function liquidator() external view returns (address);

    function auction() external view returns (address);

    /// @notice The stored fields of a vault, without reverting: a vault never opened has a zero owner.
    /// For callers that read many vaults (a batch liquidation).
    function vaultState(
        uint256 vaultId
    )
        external
        view
        returns (
            address owner,
            address collateral,
            uint256 lastBorrowBlock,
            uint256 auctionCollateral,
            uint256 collateralAmount,
            uint256 normalizedDebt
        );

    /// @notice The vault's collateral type and how much of its collateral is under auction [token
    /// units], from one storage slot.
    function auctionCollateralOf(uint256 vaultId) external view returns (address collateral, uint256 collateralLeft);

    /// @notice What a liquidation needs about a collateral type, for callers that price many vaults
    /// of one type: the accumulator as of now [ray], the oracle price [wad], the token's decimals and
    /// the dust [wad]. Reverts as the oracle does when the price is stale.
    function liquidationInputs(
        address collateral
    ) external view returns (uint256 rate, uint256 price, uint8 decimals, uint256 dust);

    /// @notice Everything the Liquidator needs about a vault, with one oracle read.
    function liquidationData(uint256 vaultId) external view returns (LiquidationData memory);

    function isOperator(address owner, address operator) external view returns (bool);
}
