// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title AutomationCompatibleInterface
/// @notice Chainlink Automation's upkeep interface: the registry's nodes simulate `checkUpkeep` off
/// chain and, when it says so, send `performUpkeep` with the data it returned.
/// @dev Declared here rather than imported, as `IAggregatorV3` is: the npm `@chainlink/contracts` 1.x
/// package pulls a git dependency that cannot be installed offline. The signatures (and so the
/// selectors) are identical to Chainlink's `AutomationCompatibleInterface`, so a Chainlink registry
/// drives an implementation of this one as it drives its own.
// Chainlink's name, kept so that its documentation and tooling read the same here.
// solhint-disable-next-line interface-starts-with-i
interface AutomationCompatibleInterface {
    /// @notice Simulated by the Automation nodes (never mined): says whether work is due and what.
    /// @param checkData Fixed at the upkeep's registration; lets several upkeeps share one contract.
    /// @return upkeepNeeded Whether the nodes should send `performUpkeep`.
    /// @return performData What they pass to `performUpkeep` when they do.
    function checkUpkeep(bytes calldata checkData) external returns (bool upkeepNeeded, bytes memory performData);

    /// @notice Sent by the Automation nodes with the `performData` a `checkUpkeep` returned.
    /// @dev The data is what some earlier simulation saw: the state may have moved, and anyone may call.
    function performUpkeep(bytes calldata performData) external;
}
