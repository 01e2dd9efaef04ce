// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IOracleHub} from "../interfaces/IOracleHub.sol";
import {IRiskEngine} from "../interfaces/IRiskEngine.sol";
import {IRiskModel} from "../interfaces/IRiskModel.sol";
import {IVaultEngine} from "../interfaces/IVaultEngine.sol";
import {WAD} from "../libraries/FixedPointMath.sol";
import {ThresholdMath} from "../libraries/ThresholdMath.sol";

/// @title RiskEngine
/// @notice See {IRiskEngine}.
contract RiskEngine is IRiskEngine, AccessManaged {
    uint256 internal constant MAX_BASE_THRESHOLD = 0.98e18; // [wad]
    uint256 internal constant MIN_MIN_THRESHOLD = 0.1e18; // [wad]
    uint256 internal constant MAX_BORROW_BUFFER = 0.3e18; // [wad]
    uint256 internal constant MAX_CONFIDENCE = 10e18; // [wad]
    uint256 internal constant MIN_HORIZON = 60; // [seconds]
    uint256 internal constant MAX_HORIZON = 7 days; // [seconds]
    uint256 internal constant MIN_RAMP_DURATION = 1 hours; // [seconds]
    uint256 internal constant MAX_RAMP_DURATION = 90 days; // [seconds]
    uint256 internal constant MIN_DEPTH = 1e18; // [wad]
    uint256 internal constant MAX_DEPTH = 1e36; // [wad]
    uint256 internal constant MAX_SIZE_PENALTY = 0.5e18; // [wad]
    uint256 internal constant MIN_STEP_PER_HOUR = 0.0001e18; // [wad per hour]
    uint256 internal constant MAX_STEP_PER_HOUR = 0.5e18; // [wad per hour]

    /// @inheritdoc IRiskEngine
    IVaultEngine public immutable vaultEngine;
    /// @inheritdoc IRiskEngine
    IOracleHub public immutable oracle;

    /// @dev `RiskParams` as stored: a threshold reads the first slot; `maxStepPerHour` lives with the
    /// penalty it limits, so that a threshold costs three cold slots (ramp, params, slew).
    struct StoredParams {
        uint64 minThreshold;
        uint64 maxSizePenalty;
        uint128 depth;
        uint64 borrowBuffer;
        uint64 confidence;
        uint32 horizon;
        uint32 minRampDuration;
    }

    /// @dev `VolatilityState` with the speed limit of the penalty, in one slot.
    struct Slew {
        uint64 penalty;
        uint64 target;
        uint64 checkpoint;
        uint64 maxStepPerHour;
    }

    mapping(address collateral => StoredParams) internal _params;
    mapping(address collateral => BaseRamp) internal _ramps;
    mapping(address collateral => Slew) internal _slews;

    constructor(address authority, IVaultEngine vaultEngine_, IOracleHub oracle_) AccessManaged(authority) {
        if (address(vaultEngine_) == address(0) || address(oracle_) == address(0)) revert ZeroAddress();
        vaultEngine = vaultEngine_;
        oracle = oracle_;
    }

    // ---------------------------------------------------------------- admin

    /// @inheritdoc IRiskEngine
    function addCollateral(address collateral, uint64 baseThreshold, RiskParams calldata params) external restricted {
        if (collateral == address(0)) revert ZeroAddress();
        if (_ramps[collateral].to != 0) revert CollateralAlreadyListed(collateral);
        _checkMinThreshold(params.minThreshold, MAX_BASE_THRESHOLD);
        _checkBaseThreshold(baseThreshold, params.minThreshold);
        _checkBorrowBuffer(params.borrowBuffer);
        _checkConfidence(params.confidence);
        _checkHorizon(params.horizon);
        _checkMinRampDuration(params.minRampDuration);
        _checkDepth(params.depth);
        _checkMaxSizePenalty(params.maxSizePenalty);
        _checkMaxStepPerHour(params.maxStepPerHour);

        StoredParams storage stored = _params[collateral];
        (stored.minThreshold, stored.maxSizePenalty, stored.depth) = (
            params.minThreshold,
            params.maxSizePenalty,
            params.depth
        );
        (stored.borrowBuffer, stored.confidence, stored.horizon, stored.minRampDuration) = (
            params.borrowBuffer,
            params.confidence,
            params.horizon,
            params.minRampDuration
        );
        uint64 now_ = uint64(block.timestamp);
        _ramps[collateral] = BaseRamp({from: baseThreshold, to: baseThreshold, start: now_, end: now_});
        uint64 target = _target(collateral, stored);
        _slews[collateral] = Slew({
            penalty: target,
            target: target,
            checkpoint: now_,
            maxStepPerHour: params.maxStepPerHour
        });
        emit CollateralAdded(collateral, baseThreshold, params);
        emit VolatilityPenaltySynced(collateral, target, target);
    }

    /// @inheritdoc IRiskEngine
    function setBaseThreshold(address collateral, uint64 baseThreshold, uint32 duration) external restricted {
        StoredParams storage params = _listed(collateral);
        _checkBaseThreshold(baseThreshold, params.minThreshold);
        _checkRampDuration(duration, params.minRampDuration);
        // Starting from where any running ramp has got to keeps the liquidation base continuous.
        uint64 from = uint64(_liquidationBase(_ramps[collateral]));
        uint64 start = uint64(block.timestamp);
        _ramps[collateral] = BaseRamp({from: from, to: baseThreshold, start: start, end: start + duration});
        emit BaseThresholdRamp(collateral, from, baseThreshold, start, start + duration);
    }

    /// @inheritdoc IRiskEngine
    function setMinThreshold(address collateral, uint64 minThreshold) external restricted {
        StoredParams storage params = _listed(collateral);
        // The floor may not exceed the base at any point of a running ramp (the borrowing base).
        _checkMinThreshold(minThreshold, _borrowBase(_ramps[collateral]));
        params.minThreshold = minThreshold;
        emit MinThresholdSet(collateral, minThreshold);
    }

    /// @inheritdoc IRiskEngine
    function setBorrowBuffer(address collateral, uint64 borrowBuffer) external restricted {
        StoredParams storage params = _listed(collateral);
        _checkBorrowBuffer(borrowBuffer);
        params.borrowBuffer = borrowBuffer;
        emit BorrowBufferSet(collateral, borrowBuffer);
    }

    /// @inheritdoc IRiskEngine
    function setConfidence(address collateral, uint64 confidence) external restricted {
        StoredParams storage params = _listed(collateral);
        _checkConfidence(confidence);
        // The checkpoint inside _sync uses the stored (old) target; the new one applies from now.
        params.confidence = confidence;
        _sync(collateral, params);
        emit ConfidenceSet(collateral, confidence);
    }

    /// @inheritdoc IRiskEngine
    function setHorizon(address collateral, uint32 horizon) external restricted {
        StoredParams storage params = _listed(collateral);
        _checkHorizon(horizon);
        params.horizon = horizon;
        _sync(collateral, params);
        emit HorizonSet(collateral, horizon);
    }

    /// @inheritdoc IRiskEngine
    function setMinRampDuration(address collateral, uint32 minRampDuration) external restricted {
        StoredParams storage params = _listed(collateral);
        _checkMinRampDuration(minRampDuration);
        params.minRampDuration = minRampDuration;
        emit MinRampDurationSet(collateral, minRampDuration);
    }

    /// @inheritdoc IRiskEngine
    function setDepth(address collateral, uint128 depth) external restricted {
        StoredParams storage params = _listed(collateral);
        _checkDepth(depth);
        params.depth = depth;
        emit DepthSet(collateral, depth);
    }

    /// @inheritdoc IRiskEngine
    function setMaxSizePenalty(address collateral, uint64 maxSizePenalty) external restricted {
        StoredParams storage params = _listed(collateral);
        _checkMaxSizePenalty(maxSizePenalty);
        params.maxSizePenalty = maxSizePenalty;
        emit MaxSizePenaltySet(collateral, maxSizePenalty);
    }

    /// @inheritdoc IRiskEngine
    function setMaxStepPerHour(address collateral, uint64 maxStepPerHour) external restricted {
        StoredParams storage params = _listed(collateral);
        _checkMaxStepPerHour(maxStepPerHour);
        // Checkpoint at the old speed first: the new one must not apply to time already elapsed.
        _sync(collateral, params);
        _slews[collateral].maxStepPerHour = maxStepPerHour;
        emit MaxStepPerHourSet(collateral, maxStepPerHour);
    }

    // ---------------------------------------------------------------- anyone

    /// @inheritdoc IRiskEngine
    function sync(address collateral) external returns (uint256 penalty, uint256 target) {
        return _sync(collateral, _listed(collateral));
    }

    /// @inheritdoc IRiskEngine
    function poke(address collateral) external returns (uint256 price) {
        StoredParams storage params = _listed(collateral);
        price = oracle.poke(collateral);
        _sync(collateral, params);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IRiskModel
    function borrowRatio(address collateral, uint256 collateralValue) external view returns (uint256) {
        StoredParams storage params = _listed(collateral);
        uint256 lt = ThresholdMath.thresholdAt(
            _borrowBase(_ramps[collateral]),
            params.minThreshold,
            _borrowPenalty(collateral, params),
            collateralValue,
            params.depth,
            params.maxSizePenalty
        );
        uint256 buffer = params.borrowBuffer;
        return lt > buffer ? lt - buffer : 0;
    }

    /// @inheritdoc IRiskEngine
    function thresholdFor(address collateral, uint256 value) external view returns (uint256) {
        StoredParams storage params = _listed(collateral);
        return
            ThresholdMath.thresholdAt(
                _liquidationBase(_ramps[collateral]),
                params.minThreshold,
                _appliedPenalty(collateral),
                value,
                params.depth,
                params.maxSizePenalty
            );
    }

    /// @inheritdoc IRiskEngine
    function thresholdInputs(
        address collateral
    )
        external
        view
        returns (uint256 base, uint256 minThreshold, uint256 volPenalty, uint256 depth, uint256 maxSizePenalty)
    {
        StoredParams storage params = _listed(collateral);
        return (
            _liquidationBase(_ramps[collateral]),
            params.minThreshold,
            _appliedPenalty(collateral),
            params.depth,
            params.maxSizePenalty
        );
    }

    /// @inheritdoc IRiskEngine
    function liquidationThreshold(uint256 vaultId) external view returns (uint256 effective) {
        (, , , effective, , ) = _breakdown(vaultId);
    }

    /// @inheritdoc IRiskEngine
    function thresholdBreakdown(
        uint256 vaultId
    ) external view returns (uint256 base, uint256 volPenalty, uint256 sizePenalty, uint256 effective) {
        (base, volPenalty, sizePenalty, effective, , ) = _breakdown(vaultId);
    }

    /// @inheritdoc IRiskEngine
    function healthFactor(uint256 vaultId) external view returns (uint256) {
        return _health(vaultId);
    }

    /// @inheritdoc IRiskEngine
    function isLiquidatable(uint256 vaultId) external view returns (bool) {
        return _health(vaultId) < WAD;
    }

    /// @inheritdoc IRiskEngine
    function volatilityPenalty(address collateral) external view returns (uint256) {
        _listed(collateral);
        return _appliedPenalty(collateral);
    }

    /// @inheritdoc IRiskEngine
    function borrowVolatilityPenalty(address collateral) external view returns (uint256) {
        return _borrowPenalty(collateral, _listed(collateral));
    }

    /// @inheritdoc IRiskEngine
    function liquidationBase(address collateral) external view returns (uint256) {
        _listed(collateral);
        return _liquidationBase(_ramps[collateral]);
    }

    /// @inheritdoc IRiskEngine
    function borrowBase(address collateral) external view returns (uint256) {
        _listed(collateral);
        return _borrowBase(_ramps[collateral]);
    }

    /// @inheritdoc IRiskEngine
    function riskParams(address collateral) external view returns (RiskParams memory) {
        StoredParams storage params = _listed(collateral);
        return
            RiskParams({
                minThreshold: params.minThreshold,
                borrowBuffer: params.borrowBuffer,
                confidence: params.confidence,
                horizon: params.horizon,
                minRampDuration: params.minRampDuration,
                depth: params.depth,
                maxSizePenalty: params.maxSizePenalty,
                maxStepPerHour: _slews[collateral].maxStepPerHour
            });
    }

    /// @inheritdoc IRiskEngine
    function baseRamp(address collateral) external view returns (BaseRamp memory) {
        _listed(collateral);
        return _ramps[collateral];
    }

    /// @inheritdoc IRiskEngine
    function volatilityState(address collateral) external view returns (VolatilityState memory) {
        _listed(collateral);
        Slew storage slew = _slews[collateral];
        return VolatilityState({penalty: slew.penalty, target: slew.target, checkpoint: slew.checkpoint});
    }

    // ---------------------------------------------------------------- internals

    function _breakdown(
        uint256 vaultId
    )
        internal
        view
        returns (uint256 base, uint256 volPenalty, uint256 sizePenalty, uint256 effective, uint256 value, uint256 debt)
    {
        address collateral;
        (collateral, value, debt) = vaultEngine.position(vaultId);
        StoredParams storage params = _listed(collateral);
        base = _liquidationBase(_ramps[collateral]);
        volPenalty = _appliedPenalty(collateral);
        sizePenalty = ThresholdMath.sizePenalty(value, params.depth, params.maxSizePenalty);
        effective = ThresholdMath.threshold(base, params.minThreshold, volPenalty, sizePenalty);
    }

    function _health(uint256 vaultId) internal view returns (uint256) {
        (, , , uint256 effective, uint256 value, uint256 debt) = _breakdown(vaultId);
        return ThresholdMath.health(value, effective, debt);
    }

    function _sync(address collateral, StoredParams storage params) internal returns (uint256 penalty, uint256 target) {
        penalty = _appliedPenalty(collateral);
        target = _target(collateral, params);
        // Both ≤ 1 wad (the target is capped, the penalty slews between targets): they fit in uint64.
        Slew storage slew = _slews[collateral];
        (slew.penalty, slew.target, slew.checkpoint) = (uint64(penalty), uint64(target), uint64(block.timestamp));
        emit VolatilityPenaltySynced(collateral, penalty, target);
    }

    function _appliedPenalty(address collateral) internal view returns (uint256) {
        Slew memory slew = _slews[collateral];
        return ThresholdMath.slew(slew.penalty, slew.target, slew.maxStepPerHour, block.timestamp - slew.checkpoint);
    }

    /// @dev The tightest penalty already known: the applied one, the target it slews toward, and the
    /// target the oracle's volatility implies now (before anyone syncs). Without a sync the applied
    /// penalty only moves toward the stored target, so it never exceeds this bound: a vault borrowing
    /// to its limit cannot become liquidatable merely because the slew caught up.
    function _borrowPenalty(address collateral, StoredParams storage params) internal view returns (uint256) {
        Slew memory slew = _slews[collateral];
        uint256 applied = ThresholdMath.slew(
            slew.penalty,
            slew.target,
            slew.maxStepPerHour,
            block.timestamp - slew.checkpoint
        );
        return Math.max(Math.max(applied, slew.target), _target(collateral, params));
    }

    function _target(address collateral, StoredParams storage params) internal view returns (uint64) {
        uint256 target = ThresholdMath.volatilityPenaltyTarget(
            params.confidence,
            oracle.volatility(collateral),
            params.horizon
        );
        return uint64(Math.min(target, WAD));
    }

    function _liquidationBase(BaseRamp memory ramp) internal view returns (uint256) {
        return ThresholdMath.rampedBase(ramp.from, ramp.to, ramp.start, ramp.end, block.timestamp);
    }

    function _borrowBase(BaseRamp memory ramp) internal view returns (uint256) {
        return block.timestamp >= ramp.end ? ramp.to : Math.min(ramp.from, ramp.to);
    }

    function _listed(address collateral) internal view returns (StoredParams storage params) {
        if (_ramps[collateral].to == 0) revert CollateralNotListed(collateral);
        return _params[collateral];
    }

    function _checkMinThreshold(uint256 minThreshold, uint256 max) internal pure {
        if (minThreshold < MIN_MIN_THRESHOLD || minThreshold > max)
            revert MinThresholdOutOfRange(minThreshold, MIN_MIN_THRESHOLD, max);
    }

    function _checkBaseThreshold(uint256 baseThreshold, uint256 min) internal pure {
        if (baseThreshold < min || baseThreshold > MAX_BASE_THRESHOLD)
            revert BaseThresholdOutOfRange(baseThreshold, min, MAX_BASE_THRESHOLD);
    }

    function _checkRampDuration(uint256 rampDuration, uint256 min) internal pure {
        if (rampDuration < min || rampDuration > MAX_RAMP_DURATION)
            revert RampDurationOutOfRange(rampDuration, min, MAX_RAMP_DURATION);
    }

    function _checkBorrowBuffer(uint256 borrowBuffer) internal pure {
        if (borrowBuffer > MAX_BORROW_BUFFER) revert BorrowBufferOutOfRange(borrowBuffer, MAX_BORROW_BUFFER);
    }

    function _checkConfidence(uint256 confidence) internal pure {
        if (confidence > MAX_CONFIDENCE) revert ConfidenceOutOfRange(confidence, MAX_CONFIDENCE);
    }

    function _checkHorizon(uint256 horizon) internal pure {
        if (horizon < MIN_HORIZON || horizon > MAX_HORIZON) revert HorizonOutOfRange(horizon, MIN_HORIZON, MAX_HORIZON);
    }

    function _checkMinRampDuration(uint256 minRampDuration) internal pure {
        if (minRampDuration < MIN_RAMP_DURATION || minRampDuration > MAX_RAMP_DURATION)
            revert MinRampDurationOutOfRange(minRampDuration, MIN_RAMP_DURATION, MAX_RAMP_DURATION);
    }

    function _checkDepth(uint256 depth) internal pure {
        if (depth < MIN_DEPTH || depth > MAX_DEPTH) revert DepthOutOfRange(depth, MIN_DEPTH, MAX_DEPTH);
    }

    function _checkMaxSizePenalty(uint256 maxSizePenalty) internal pure {
        if (maxSizePenalty > MAX_SIZE_PENALTY) revert MaxSizePenaltyOutOfRange(maxSizePenalty, MAX_SIZE_PENALTY);
    }

    function _checkMaxStepPerHour(uint256 maxStepPerHour) internal pure {
        if (maxStepPerHour < MIN_STEP_PER_HOUR || maxStepPerHour > MAX_STEP_PER_HOUR)
            revert MaxStepPerHourOutOfRange(maxStepPerHour, MIN_STEP_PER_HOUR, MAX_STEP_PER_HOUR);
    }
}
