// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice Benchmark-only: measures the execution gas of one view call, as another contract pays it.
contract GasProbe {
    error CallFailed(bytes reason);

    /// @notice Gas used by `target.staticcall(data)`, the call's own overhead included: first with
    /// cold storage, then again with everything it touched warm.
    function measure(address target, bytes calldata data) external view returns (uint256 cold, uint256 warm) {
        cold = _measure(target, data);
        warm = _measure(target, data);
    }

    function _measure(address target, bytes calldata data) internal view returns (uint256 gasUsed) {
        uint256 before = gasleft();
        (bool ok, bytes memory reason) = target.staticcall(data);
        gasUsed = before - gasleft();
        if (!ok) revert CallFailed(reason);
    }
}
