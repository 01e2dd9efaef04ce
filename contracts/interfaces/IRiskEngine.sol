// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ISluiceErrors} from "./ISluiceErrors.sol";
import {IOracleHub} from "./IOracleHub.sol";
import {IRiskModel} from "./IRiskModel.sol";
import {IVaultEngine} from "./IVaultEngine.sol";

/// @title IRiskEngine
/// @notice Dynamic liquidation thresholds (docs/THRESHOLDS.md). For a vault holding collateral worth
/// `V` of type `c`:
///   volPenalty  = the applied penalty, moving toward k·σ·√H by at most `maxStepPerHour` per hour
///   sizePenalty = min(maxSizePenalty, V / (V + depth))
///   LT          = clamp(base − volPenalty − sizePenalty, minThreshold, base)
///   health      = V · LT / debt     (liquidatable iff health < 1)
/// Changes of `base` ramp linearly; borrowing uses the stricter end of a ramp at once, liquidation
/// follows the ramp. Likewise borrowing uses the tighter of the applied and the target volatility
/// penalty (`borrowVolatilityPenalty`), liquidation the applied one. Thresholds thus never jump, and
/// large positions liquidate earlier than small ones at equal leverage, by design.
interface IRiskEngine is ISluiceErrors, IRiskModel {
    /// @notice Per-collateral model parameters. All ratios [wad].
    /// @param minThreshold LTmin: the threshold never goes below it.
    /// @param borrowBuffer Gap kept between the borrowing limit and the liquidation threshold.
    /// @param confidence k: how many σ of move the threshold absorbs over the horizon.
    /// @param horizon H: how long liquidating the collateral takes [seconds].
    /// @param minRampDuration Shortest ramp governance may give a change of `base` [seconds].
    /// @param depth D: the collateral's market depth, in stablecoin [wad].
    /// @param maxSizePenalty Cap of the size penalty.
    /// @param maxStepPerHour Fastest the applied volatility penalty may move [wad per hour].
    struct RiskParams {
        uint64 minThreshold;
        uint64 borrowBuffer;
        uint64 confidence;
        uint32 horizon;
        uint32 minRampDuration;
        uint128 depth;
        uint64 maxSizePenalty;
        uint64 maxStepPerHour;
    }

    /// @notice A linear ramp of the base threshold from `from` at `start` to `to` at `end`.
    struct BaseRamp {
        uint64 from;
        uint64 to;
        uint64 start;
        uint64 end;
    }

    /// @notice The applied volatility penalty as of `checkpoint`, and the target it slews toward.
    struct VolatilityState {
        uint64 penalty;
        uint64 target;
        uint64 checkpoint;
    }

    event CollateralAdded(address indexed collateral, uint256 baseThreshold, RiskParams params);
    event BaseThresholdRamp(address indexed collateral, uint256 from, uint256 to, uint256 start, uint256 end);
    event MinThresholdSet(address indexed collateral, uint256 minThreshold);
    event BorrowBufferSet(address indexed collateral, uint256 borrowBuffer);
    event ConfidenceSet(address indexed collateral, uint256 confidence);
    event HorizonSet(address indexed collateral, uint256 horizon);
    event MinRampDurationSet(address indexed collateral, uint256 minRampDuration);
    event DepthSet(address indexed collateral, uint256 depth);
    event MaxSizePenaltySet(address indexed collateral, uint256 maxSizePenalty);
    event MaxStepPerHourSet(address indexed collateral, uint256 maxStepPerHour);
    /// @notice The applied penalty was checkpointed at `penalty` and now slews toward `target`.
    event VolatilityPenaltySynced(address indexed collateral, uint256 penalty, uint256 target);

    // ---------------------------------------------------------------- admin (restricted)

    /// @notice Lists `collateral` with base threshold `baseThreshold` and `params`. The volatility
    /// penalty starts at its target: no vault exists yet that a jump could surprise.
    function addCollateral(address collateral, uint64 baseThreshold, RiskParams calldata params) external;

    /// @notice Ramps the base threshold from its current value to `baseThreshold` over `duration`
    /// seconds (at least `minRampDuration`). A new ramp starts from wherever the old one had got to.
    function setBaseThreshold(address collateral, uint64 baseThreshold, uint32 duration) external;

    function setMinThreshold(address collateral, uint64 minThreshold) external;

    function setBorrowBuffer(address collateral, uint64 borrowBuffer) external;

    /// @notice Checkpoints the applied penalty, then aims it at the new target.
    function setConfidence(address collateral, uint64 confidence) external;

    /// @notice Checkpoints the applied penalty, then aims it at the new target.
    function setHorizon(address collateral, uint32 horizon) external;

    function setMinRampDuration(address collateral, uint32 minRampDuration) external;

    function setDepth(address collateral, uint128 depth) external;

    function setMaxSizePenalty(address collateral, uint64 maxSizePenalty) external;

    /// @notice Checkpoints the applied penalty first, so the new speed applies from now on.
    function setMaxStepPerHour(address collateral, uint64 maxStepPerHour) external;

    // ---------------------------------------------------------------- anyone

    /// @notice Checkpoints the applied volatility penalty and aims it at `k · σ · √H` for the
    /// oracle's current σ. Anyone may call it; the keeper does after each price update.
    function sync(address collateral) external returns (uint256 penalty, uint256 target);

    /// @notice `OracleHub.poke(collateral)` then `sync(collateral)`: one call to publish a price and
    /// let the thresholds follow it.
    function poke(address collateral) external returns (uint256 price);

    // ---------------------------------------------------------------- views

    function vaultEngine() external view returns (IVaultEngine);

    function oracle() external view returns (IOracleHub);

    /// @notice The liquidation threshold [wad] of a vault of `collateral` holding collateral worth `value`.
    function thresholdFor(address collateral, uint256 value) external view returns (uint256);

    /// @notice The vault's liquidation threshold [wad].
    function liquidationThreshold(uint256 vaultId) external view returns (uint256);

    /// @notice What `thresholdFor` combines, for callers that price many vaults of one collateral:
    /// `thresholdFor(c, V) = ThresholdMath.threshold(base, minThreshold, volPenalty,
    /// ThresholdMath.sizePenalty(V, depth, maxSizePenalty))`.
    function thresholdInputs(
        address collateral
    )
        external
        view
        returns (uint256 base, uint256 minThreshold, uint256 volPenalty, uint256 depth, uint256 maxSizePenalty);

    /// @notice The parts of the vault's threshold [wad]: `effective = clamp(base − volPenalty −
    /// sizePenalty, minThreshold, base)`, with `base` the liquidation (ramping) base.
    function thresholdBreakdown(
        uint256 vaultId
    ) external view returns (uint256 base, uint256 volPenalty, uint256 sizePenalty, uint256 effective);

    /// @notice `V · LT / debt` [wad] of the collateral the vault holds (not what it has under auction),
    /// at the stored oracle price; the largest uint256 for a vault without debt.
    function healthFactor(uint256 vaultId) external view returns (uint256);

    /// @notice True iff the vault's health is below 1: the risk, not a promise that `liquidate` accepts
    /// the vault now. A vault in auction reads unsafe here while its remaining collateral is thin, yet
    /// cannot be liquidated again until its auction ends; `liquidate` also refuses a vault that
    /// borrowed in the same block or finds no room under the caps. What `liquidate` would do is
    /// `ILiquidator.previewLiquidation`, the view keepers plan with.
    function isLiquidatable(uint256 vaultId) external view returns (bool);

    /// @notice The applied volatility penalty as of now [wad].
    function volatilityPenalty(address collateral) external view returns (uint256);

    /// @notice The volatility penalty borrowing and withdrawing use now [wad]: the largest of the applied
    /// penalty, the target it slews toward, and `min(k · σ · √H, 1)` for the oracle's current σ. Nobody
    /// borrows into a tightening already known, and a vault at its borrow limit does not become
    /// liquidatable merely because the applied penalty caught up.
    function borrowVolatilityPenalty(address collateral) external view returns (uint256);

    /// @notice The base threshold liquidation uses now (following any ramp) [wad].
    function liquidationBase(address collateral) external view returns (uint256);

    /// @notice The base threshold borrowing uses now: the stricter end of any ramp [wad].
    function borrowBase(address collateral) external view returns (uint256);

    function riskParams(address collateral) external view returns (RiskParams memory);

    function baseRamp(address collateral) external view returns (BaseRamp memory);

    function volatilityState(address collateral) external view returns (VolatilityState memory);
}
