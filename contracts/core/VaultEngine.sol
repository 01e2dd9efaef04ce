// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IDutchAuction} from "../interfaces/IDutchAuction.sol";
import {IOracleHub} from "../interfaces/IOracleHub.sol";
import {IRiskModel} from "../interfaces/IRiskModel.sol";
import {IStablecoin} from "../interfaces/IStablecoin.sol";
import {IVaultEngine} from "../interfaces/IVaultEngine.sol";
import {FixedPointMath, RAY} from "../libraries/FixedPointMath.sol";
import {LiquidationMath} from "../libraries/LiquidationMath.sol";
import {Stablecoin} from "./Stablecoin.sol";

/// @title VaultEngine
/// @notice See {IVaultEngine}.
contract VaultEngine is IVaultEngine, AccessManaged, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @dev (1 + fee)^(1 year) = 2: a 100% yearly stability fee, compounding per second.
    uint256 internal constant MAX_STABILITY_FEE = 1000000021979553151239153027; // [ray]
    uint256 internal constant MAX_LTV = 0.99e18; // [wad]

    /// @dev The stored vault: three slots. The second packs the collateral type with the amount under
    /// auction, so a liquidation and every take touch slots that already hold data.
    struct VaultRecord {
        address owner;
        uint64 lastBorrowBlock;
        address collateral;
        uint96 auctionCollateral;
        uint128 collateralAmount;
        uint128 normalizedDebt;
    }

    /// @dev Two slots hold all a liquidation reads: the fee accumulator, then the type's debt and dust.
    struct CollateralType {
        uint128 rate; // [ray]
        uint40 lastAccrual; // [seconds]
        uint8 decimals;
        bool listed;
        uint72 feeAboveRay; // stability fee − 1 [ray]; at most MAX_STABILITY_FEE − RAY < 2^72
        uint128 totalNormalizedDebt;
        uint128 dust; // [wad]
        uint128 debtCeiling; // [wad]
        uint64 maxLTV; // [wad]
    }

    /// @inheritdoc IVaultEngine
    IStablecoin public immutable stablecoin;
    /// @inheritdoc IVaultEngine
    IOracleHub public immutable oracle;

    /// @inheritdoc IVaultEngine
    IRiskModel public riskModel;
    /// @inheritdoc IVaultEngine
    uint256 public globalDebtCeiling; // [wad]
    /// @inheritdoc IVaultEngine
    uint256 public totalDebt; // [rad]
    /// @inheritdoc IVaultEngine
    uint256 public surplus; // [rad]
    /// @inheritdoc IVaultEngine
    uint256 public deficit; // [rad]
    /// @inheritdoc IVaultEngine
    uint256 public vaultCount;
    /// @inheritdoc IVaultEngine
    address public liquidator;
    /// @inheritdoc IVaultEngine
    address public auction;

    mapping(address collateral => CollateralType) internal _types;
    mapping(uint256 vaultId => VaultRecord) internal _vaults;
    mapping(address owner => mapping(address operator => bool)) internal _operators;

    /// @dev The engine creates its stablecoin so that the token's only minter is fixed at birth.
    constructor(
        address authority,
        IOracleHub oracle_,
        string memory stablecoinName,
        string memory stablecoinSymbol
    ) AccessManaged(authority) {
        if (address(oracle_) == address(0)) revert ZeroAddress();
        oracle = oracle_;
        stablecoin = new Stablecoin(stablecoinName, stablecoinSymbol, address(this));
    }

    modifier onlyLiquidator() {
        if (msg.sender != liquidator) revert NotLiquidationModule(msg.sender);
        _;
    }

    modifier onlyAuction() {
        if (msg.sender != auction) revert NotLiquidationModule(msg.sender);
        _;
    }

    // ---------------------------------------------------------------- admin

    /// @inheritdoc IVaultEngine
    function addCollateral(address collateral, CollateralParams calldata params) external restricted {
        if (collateral == address(0)) revert ZeroAddress();
        CollateralType storage info = _types[collateral];
        if (info.listed) revert CollateralAlreadyListed(collateral);
        // Reverts with the oracle's FeedNotConfigured: a type nobody can price cannot be borrowed against.
        oracle.feedConfig(collateral);
        uint8 decimals = IERC20Metadata(collateral).decimals();
        if (decimals > 18) revert UnsupportedDecimals(collateral, decimals);
        _checkStabilityFee(params.stabilityFee);
        _checkMaxLTV(params.maxLTV);
        info.rate = uint128(RAY);
        info.lastAccrual = uint40(block.timestamp);
        info.decimals = decimals;
        info.listed = true;
        info.feeAboveRay = uint72(params.stabilityFee - RAY);
        info.debtCeiling = params.debtCeiling;
        info.dust = params.dust;
        info.maxLTV = params.maxLTV;
        emit CollateralAdded(collateral, decimals, params);
    }

    /// @inheritdoc IVaultEngine
    function setDebtCeiling(address collateral, uint128 debtCeiling) external restricted {
        _listed(collateral).debtCeiling = debtCeiling;
        emit DebtCeilingSet(collateral, debtCeiling);
    }

    /// @inheritdoc IVaultEngine
    function setDust(address collateral, uint128 dust) external restricted {
        _listed(collateral).dust = dust;
        emit DustSet(collateral, dust);
        // The auction keeps a copy where its takes read it; pushing it here means the two never
        // differ (the auction refuses a dust it cannot store, and with it this call).
        address auction_ = auction;
        if (auction_ != address(0)) IDutchAuction(auction_).syncDust(collateral, dust);
    }

    /// @inheritdoc IVaultEngine
    function setStabilityFee(address collateral, uint128 stabilityFee) external restricted {
        CollateralType storage info = _listed(collateral);
        _checkStabilityFee(stabilityFee);
        _accrue(collateral, info);
        info.feeAboveRay = uint72(stabilityFee - RAY);
        emit StabilityFeeSet(collateral, stabilityFee);
    }

    /// @inheritdoc IVaultEngine
    function setMaxLTV(address collateral, uint64 maxLTV) external restricted {
        CollateralType storage info = _listed(collateral);
        _checkMaxLTV(maxLTV);
        info.maxLTV = maxLTV;
        emit MaxLTVSet(collateral, maxLTV);
    }

    /// @inheritdoc IVaultEngine
    function setGlobalDebtCeiling(uint256 globalDebtCeiling_) external restricted {
        globalDebtCeiling = globalDebtCeiling_;
        emit GlobalDebtCeilingSet(globalDebtCeiling_);
    }

    /// @inheritdoc IVaultEngine
    function setRiskModel(IRiskModel riskModel_) external restricted {
        riskModel = riskModel_;
        emit RiskModelSet(address(riskModel_));
    }

    /// @inheritdoc IVaultEngine
    function setLiquidationModules(address liquidator_, address auction_) external restricted {
        if (liquidator_ == address(0) || auction_ == address(0)) revert ZeroAddress();
        (liquidator, auction) = (liquidator_, auction_);
        emit LiquidationModulesSet(liquidator_, auction_);
    }

    // ---------------------------------------------------------------- users

    /// @inheritdoc IVaultEngine
    function setOperator(address operator, bool approved) external {
        if (operator == address(0)) revert ZeroAddress();
        _operators[msg.sender][operator] = approved;
        emit OperatorSet(msg.sender, operator, approved);
    }

    /// @inheritdoc IVaultEngine
    function openVault(address collateral) external returns (uint256 vaultId) {
        _listed(collateral);
        vaultId = ++vaultCount;
        _vaults[vaultId] = VaultRecord({
            owner: msg.sender,
            lastBorrowBlock: 0,
            collateral: collateral,
            auctionCollateral: 0,
            collateralAmount: 0,
            normalizedDebt: 0
        });
        emit VaultOpened(vaultId, msg.sender, collateral);
    }

    /// @inheritdoc IVaultEngine
    function deposit(uint256 vaultId, uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        VaultRecord storage vault = _existing(vaultId);
        IERC20 token = IERC20(vault.collateral);

        // The transfer comes first because the amount credited is what actually arrived: a token
        // that takes a fee or rebases on transfer is refused instead of leaving the books short.
        uint256 balanceBefore = token.balanceOf(address(this));
        token.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = token.balanceOf(address(this)) - balanceBefore;
        if (received != amount) revert TransferAmountMismatch(address(token), amount, received);

        // At most 2^96 - 1 per vault, counting what is under auction (it comes back), so that any part
        // of it fits the auction record.
        uint256 collateralAmount = vault.collateralAmount + amount;
        (collateralAmount + vault.auctionCollateral).toUint96();
        vault.collateralAmount = uint128(collateralAmount);
        emit Deposited(vaultId, msg.sender, amount);
    }

    /// @inheritdoc IVaultEngine
    function withdraw(uint256 vaultId, uint256 amount, address to) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        if (to == address(0)) revert ZeroAddress();
        VaultRecord storage vault = _managed(vaultId);
        uint256 available = vault.collateralAmount;
        if (amount > available) revert InsufficientCollateral(vaultId, amount, available);

        address collateral = vault.collateral;
        uint256 normalizedDebt = vault.normalizedDebt;
        uint256 collateralLeft = available - amount;
        // A vault without debt needs no price: its owner can always take collateral out.
        if (normalizedDebt != 0) {
            CollateralType storage info = _types[collateral];
            uint256 rate = _accrue(collateral, info);
            _checkSafe(vaultId, collateral, info, collateralLeft, _debtUp(normalizedDebt, rate));
        }

        // `collateralLeft` ≤ the stored uint128 amount.
        vault.collateralAmount = uint128(collateralLeft);
        emit Withdrawn(vaultId, to, amount);
        IERC20(collateral).safeTransfer(to, amount);
    }

    /// @inheritdoc IVaultEngine
    function borrow(uint256 vaultId, uint256 amount, address to) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        if (to == address(0)) revert ZeroAddress();
        VaultRecord storage vault = _managed(vaultId);
        address collateral = vault.collateral;
        CollateralType storage info = _types[collateral];
        uint256 rate = _accrue(collateral, info);

        // Round the new debt up: the borrower owes at least what was minted.
        uint256 addedNormalized = LiquidationMath.normalizedDebtUp(amount, rate);
        uint256 addedDebt = addedNormalized * rate; // [rad]
        uint256 normalizedDebt = vault.normalizedDebt + addedNormalized;
        uint256 debt = _debtUp(normalizedDebt, rate);

        uint256 typeNormalized = info.totalNormalizedDebt + addedNormalized;
        if (typeNormalized * rate > uint256(info.debtCeiling) * RAY) {
            revert DebtCeilingExceeded(collateral, _debtUp(typeNormalized, rate), info.debtCeiling);
        }
        uint256 newTotalDebt = totalDebt + addedDebt;
        if (newTotalDebt > globalDebtCeiling * RAY) {
            revert GlobalDebtCeilingExceeded(Math.ceilDiv(newTotalDebt, RAY), globalDebtCeiling);
        }
        if (debt < info.dust) revert DebtBelowDust(vaultId, debt, info.dust);
        _checkSafe(vaultId, collateral, info, vault.collateralAmount, debt);

        vault.normalizedDebt = normalizedDebt.toUint128();
        vault.lastBorrowBlock = uint64(block.number);
        info.totalNormalizedDebt = typeNormalized.toUint128();
        totalDebt = newTotalDebt;
        surplus += addedDebt - amount * RAY;
        emit Borrowed(vaultId, to, amount, normalizedDebt);
        stablecoin.mint(to, amount);
    }

    /// @inheritdoc IVaultEngine
    function repay(uint256 vaultId, uint256 amount) external nonReentrant returns (uint256 repaid) {
        if (amount == 0) revert ZeroAmount();
        VaultRecord storage vault = _existing(vaultId);
        uint256 normalizedDebt = vault.normalizedDebt;
        if (normalizedDebt == 0) revert NoDebt(vaultId);
        address collateral = vault.collateral;
        CollateralType storage info = _types[collateral];
        uint256 rate = _accrue(collateral, info);

        uint256 debt = _debtUp(normalizedDebt, rate);
        uint256 removedNormalized;
        if (amount >= debt) {
            (repaid, removedNormalized) = (debt, normalizedDebt);
        } else {
            // Round the debt removed down: a repayment never clears more than it paid for.
            (repaid, removedNormalized) = (amount, LiquidationMath.normalizedDebtDown(amount, rate));
            uint256 debtLeft = _debtUp(normalizedDebt - removedNormalized, rate);
            if (debtLeft < info.dust) revert DebtBelowDust(vaultId, debtLeft, info.dust);
        }
        uint256 removedDebt = removedNormalized * rate; // [rad]

        normalizedDebt -= removedNormalized;
        vault.normalizedDebt = uint128(normalizedDebt);
        info.totalNormalizedDebt -= uint128(removedNormalized);
        totalDebt -= removedDebt;
        // repaid·RAY ≥ removedDebt in both branches: rounding goes to the protocol.
        surplus += repaid * RAY - removedDebt;
        emit Repaid(vaultId, msg.sender, repaid, normalizedDebt);
        stablecoin.burn(msg.sender, repaid);
    }

    /// @inheritdoc IVaultEngine
    function accrue(address collateral) external returns (uint256) {
        return _accrue(collateral, _listed(collateral));
    }

    /// @inheritdoc IVaultEngine
    function heal() external returns (uint256 healed) {
        healed = Math.min(surplus, deficit);
        surplus -= healed;
        deficit -= healed;
        emit Healed(healed);
    }

    // ---------------------------------------------------------------- liquidation

    /// @inheritdoc IVaultEngine
    function seize(uint256 vaultId, uint256 collateralAmount, uint256 normalizedDebt) external onlyLiquidator {
        _seize(vaultId, collateralAmount, normalizedDebt);
    }

    /// @inheritdoc IVaultEngine
    function payKeeper(address keeper, uint256 amount) external onlyAuction {
        uint256 cost = amount * RAY;
        uint256 available = surplus;
        if (available >= cost) {
            surplus = available - cost;
        } else {
            surplus = 0;
            deficit += cost - available;
        }
        emit KeeperPaid(keeper, amount);
        stablecoin.mint(keeper, amount);
    }

    /// @inheritdoc IVaultEngine
    function sellAuctionCollateral(
        uint256 vaultId,
        address to,
        uint256 amount,
        bool ended,
        uint256 debtReturned
    ) external onlyAuction returns (uint256 collateralReturned) {
        VaultRecord storage vault = _vaults[vaultId];
        address collateral = vault.collateral;
        // Checked subtraction: the auction never sells more than is under auction.
        uint256 collateralLeft = vault.auctionCollateral - amount;
        if (ended) {
            // The vault's books are final before the buyer's callback runs.
            collateralReturned = _endAuction(vaultId, vault, collateral, collateralLeft, debtReturned);
        } else {
            vault.auctionCollateral = uint96(collateralLeft);
        }
        // A take that covers a debt worth less than one token unit buys nothing; some tokens revert
        // on transfers of zero.
        if (amount != 0) IERC20(collateral).safeTransfer(to, amount);
    }

    /// @inheritdoc IVaultEngine
    function endAuction(uint256 vaultId, uint256 debtReturned) external onlyAuction returns (uint256) {
        VaultRecord storage vault = _vaults[vaultId];
        return _endAuction(vaultId, vault, vault.collateral, vault.auctionCollateral, debtReturned);
    }

    /// @inheritdoc IVaultEngine
    function collectAuctionProceeds(address payer, uint256 amount) external onlyAuction {
        // The DutchAuction's `Take` event tells who paid what.
        surplus += amount * RAY;
        stablecoin.burn(payer, amount);
    }

    function _seize(uint256 vaultId, uint256 collateralAmount, uint256 normalizedDebt) internal {
        VaultRecord storage vault = _vaults[vaultId];
        (address collateral, uint256 underAuction) = (vault.collateral, vault.auctionCollateral);
        // Every opened vault has a collateral type: its slot tells whether the vault exists.
        if (collateral == address(0)) revert VaultNotFound(vaultId);
        if (underAuction != 0) revert VaultInAuction(vaultId);
        CollateralType storage info = _types[collateral];
        // No accrual here: the debt leaves the books at the rate they last recorded, and the fees
        // since then, which were never booked as surplus, are raised by the auction with the rest.
        uint256 bookedDebt = normalizedDebt * info.rate; // [rad]
        // Checked subtraction: the Liquidator never asks for more than the vault holds.
        _setAmounts(vault, vault.collateralAmount - collateralAmount, vault.normalizedDebt - normalizedDebt);
        vault.auctionCollateral = collateralAmount.toUint96();
        info.totalNormalizedDebt -= uint128(normalizedDebt);
        totalDebt -= bookedDebt;
        deficit += bookedDebt;
        emit Seized(vaultId, collateralAmount, normalizedDebt, bookedDebt);
    }

    /// @dev Writes a vault's two amounts, which share its third slot, with one store. Measured with
    /// `npm run bench`: two field writes cost 345 gas more per liquidation even through the IR
    /// optimizer. Both are at most their stored uint128 values here. The layout this assumes is pinned
    /// by test/core/VaultEngine.storageLayout.test.ts.
    function _setAmounts(VaultRecord storage vault, uint256 collateralAmount, uint256 normalizedDebt) internal {
        uint256 packed = uint256(collateralAmount.toUint128()) | (uint256(normalizedDebt.toUint128()) << 128);
        // The slot holds exactly these two fields: `collateralAmount` low, `normalizedDebt` high.
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            sstore(add(vault.slot, 2), packed)
        }
    }

    /// @dev Takes the vault out of auction: `collateralLeft` back into the vault, `debtReturned` owed again.
    function _endAuction(
        uint256 vaultId,
        VaultRecord storage vault,
        address collateral,
        uint256 collateralLeft,
        uint256 debtReturned
    ) internal returns (uint256) {
        vault.auctionCollateral = 0;
        if (collateralLeft != 0) vault.collateralAmount = (vault.collateralAmount + collateralLeft).toUint128();
        if (debtReturned != 0) _returnDebt(vault, collateral, debtReturned);
        emit AuctionReturned(vaultId, collateralLeft, debtReturned);
        return collateralLeft;
    }

    /// @dev The auction ended before raising `debt`: it is the vault's debt again
    /// (rounded up), and leaves the deficit — into the surplus where it exceeds it.
    function _returnDebt(VaultRecord storage vault, address collateral, uint256 debt) internal {
        CollateralType storage info = _types[collateral];
        uint256 rate = _accrue(collateral, info);
        uint256 addedNormalized = LiquidationMath.normalizedDebtUp(debt, rate);
        uint256 addedDebt = addedNormalized * rate; // [rad]
        vault.normalizedDebt = (vault.normalizedDebt + addedNormalized).toUint128();
        info.totalNormalizedDebt = (info.totalNormalizedDebt + addedNormalized).toUint128();
        totalDebt += addedDebt;
        uint256 owed = deficit;
        if (owed >= addedDebt) {
            deficit = owed - addedDebt;
        } else {
            deficit = 0;
            surplus += addedDebt - owed;
        }
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IVaultEngine
    function vaults(uint256 vaultId) external view returns (Vault memory) {
        return _view(_existing(vaultId));
    }

    function _view(VaultRecord storage vault) internal view returns (Vault memory) {
        return
            Vault({
                owner: vault.owner,
                lastBorrowBlock: vault.lastBorrowBlock,
                inAuction: vault.auctionCollateral != 0,
                collateral: vault.collateral,
                auctionCollateral: vault.auctionCollateral,
                collateralAmount: vault.collateralAmount,
                normalizedDebt: vault.normalizedDebt
            });
    }

    /// @inheritdoc IVaultEngine
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
        )
    {
        VaultRecord storage vault = _vaults[vaultId];
        return (
            vault.owner,
            vault.collateral,
            vault.lastBorrowBlock,
            vault.auctionCollateral,
            vault.collateralAmount,
            vault.normalizedDebt
        );
    }

    /// @inheritdoc IVaultEngine
    function auctionCollateralOf(uint256 vaultId) external view returns (address collateral, uint256 collateralLeft) {
        VaultRecord storage vault = _vaults[vaultId];
        return (vault.collateral, vault.auctionCollateral);
    }

    /// @inheritdoc IVaultEngine
    function debtOf(uint256 vaultId) external view returns (uint256) {
        VaultRecord storage vault = _existing(vaultId);
        return _debtUp(vault.normalizedDebt, _rateNow(_types[vault.collateral]));
    }

    /// @inheritdoc IVaultEngine
    function collateralValue(uint256 vaultId) external view returns (uint256) {
        VaultRecord storage vault = _existing(vaultId);
        return _collateralValue(vault.collateral, _types[vault.collateral], vault.collateralAmount);
    }

    /// @inheritdoc IVaultEngine
    function position(uint256 vaultId) external view returns (address collateral, uint256 value, uint256 debt) {
        VaultRecord storage vault = _existing(vaultId);
        collateral = vault.collateral;
        CollateralType storage info = _types[collateral];
        value = _collateralValue(collateral, info, vault.collateralAmount);
        debt = _debtUp(vault.normalizedDebt, _rateNow(info));
    }

    /// @inheritdoc IVaultEngine
    function liquidationData(uint256 vaultId) external view returns (LiquidationData memory data) {
        VaultRecord storage vault = _existing(vaultId);
        data.collateral = vault.collateral;
        CollateralType storage info = _types[data.collateral];
        data.owner = vault.owner;
        data.lastBorrowBlock = vault.lastBorrowBlock;
        data.inAuction = vault.auctionCollateral != 0;
        data.collateralAmount = vault.collateralAmount;
        data.normalizedDebt = vault.normalizedDebt;
        data.decimals = info.decimals;
        data.dust = info.dust;
        data.rate = _rateNow(info);
        data.price = oracle.price(data.collateral);
        data.value = FixedPointMath.valueDown(data.collateralAmount, data.decimals, data.price);
        data.debt = _debtUp(data.normalizedDebt, data.rate);
    }

    /// @inheritdoc IVaultEngine
    function liquidationInputs(
        address collateral
    ) external view returns (uint256 rate, uint256 price, uint8 decimals, uint256 dust) {
        CollateralType storage info = _listed(collateral);
        return (_rateNow(info), oracle.price(collateral), info.decimals, info.dust);
    }

    /// @inheritdoc IVaultEngine
    function maxDebt(uint256 vaultId) external view returns (uint256) {
        VaultRecord storage vault = _existing(vaultId);
        return _maxDebt(vault.collateral, _types[vault.collateral], vault.collateralAmount);
    }

    /// @inheritdoc IVaultEngine
    function collateralParams(address collateral) external view returns (CollateralParams memory) {
        CollateralType storage info = _listed(collateral);
        return
            CollateralParams({
                debtCeiling: info.debtCeiling,
                dust: info.dust,
                stabilityFee: uint128(RAY + info.feeAboveRay),
                maxLTV: info.maxLTV
            });
    }

    /// @inheritdoc IVaultEngine
    function collateralState(address collateral) external view returns (uint256 rate, uint256 totalNormalizedDebt) {
        CollateralType storage info = _listed(collateral);
        return (_rateNow(info), info.totalNormalizedDebt);
    }

    /// @inheritdoc IVaultEngine
    function isOperator(address owner, address operator) external view returns (bool) {
        return _operators[owner][operator];
    }

    // ---------------------------------------------------------------- internals

    function _accrue(address collateral, CollateralType storage info) internal returns (uint256 rate) {
        rate = info.rate;
        if (info.lastAccrual == block.timestamp) return rate;
        uint256 newRate = _rateNow(info);
        info.rate = newRate.toUint128();
        info.lastAccrual = uint40(block.timestamp);
        if (newRate == rate) return rate;
        uint256 surplusAdded = uint256(info.totalNormalizedDebt) * (newRate - rate); // [rad]
        totalDebt += surplusAdded;
        surplus += surplusAdded;
        emit FeesAccrued(collateral, newRate, surplusAdded);
        return newRate;
    }

    /// @dev Compounds per second and rounds down, so the accumulator never runs ahead of the fee.
    function _rateNow(CollateralType storage info) internal view returns (uint256) {
        uint256 elapsed = block.timestamp - info.lastAccrual;
        if (elapsed == 0) return info.rate;
        return (uint256(info.rate) * FixedPointMath.rpowDown(RAY + info.feeAboveRay, elapsed)) / RAY;
    }

    function _debtUp(uint256 normalizedDebt, uint256 rate) internal pure returns (uint256) {
        return LiquidationMath.debtUp(normalizedDebt, rate);
    }

    function _collateralValue(
        address collateral,
        CollateralType storage info,
        uint256 amount
    ) internal view returns (uint256) {
        if (amount == 0) return 0;
        return FixedPointMath.valueDown(amount, info.decimals, oracle.price(collateral));
    }

    /// @dev Borrowing and withdrawing value the collateral at the oracle's borrow price, which reads the
    /// feed live: never above it, and refused while the stored price lags it by more than maxJump.
    /// Health, positions and liquidation keep the stored price, so liquidations never wait.
    function _maxDebt(address collateral, CollateralType storage info, uint256 amount) internal view returns (uint256) {
        if (amount == 0) return 0;
        uint256 value = FixedPointMath.valueDown(amount, info.decimals, oracle.borrowPrice(collateral));
        uint256 ratio = info.maxLTV;
        IRiskModel model = riskModel;
        if (address(model) != address(0)) {
            ratio = Math.min(ratio, model.borrowRatio(collateral, value));
        }
        return FixedPointMath.mulWadDown(value, ratio);
    }

    function _checkSafe(
        uint256 vaultId,
        address collateral,
        CollateralType storage info,
        uint256 amount,
        uint256 debt
    ) internal view {
        uint256 limit = _maxDebt(collateral, info, amount);
        if (debt > limit) revert VaultUnsafe(vaultId, debt, limit);
    }

    function _listed(address collateral) internal view returns (CollateralType storage info) {
        info = _types[collateral];
        if (!info.listed) revert CollateralNotListed(collateral);
    }

    function _existing(uint256 vaultId) internal view returns (VaultRecord storage vault) {
        vault = _vaults[vaultId];
        if (vault.owner == address(0)) revert VaultNotFound(vaultId);
    }

    function _managed(uint256 vaultId) internal view returns (VaultRecord storage vault) {
        vault = _existing(vaultId);
        address owner = vault.owner;
        if (msg.sender != owner && !_operators[owner][msg.sender]) revert NotVaultManager(vaultId, msg.sender);
        if (vault.auctionCollateral != 0) revert VaultInAuction(vaultId);
    }

    function _checkStabilityFee(uint256 stabilityFee) internal pure {
        if (stabilityFee < RAY || stabilityFee > MAX_STABILITY_FEE) {
            revert StabilityFeeOutOfRange(stabilityFee, RAY, MAX_STABILITY_FEE);
        }
    }

    function _checkMaxLTV(uint256 maxLTV) internal pure {
        if (maxLTV > MAX_LTV) revert MaxLTVOutOfRange(maxLTV, MAX_LTV);
    }
}
