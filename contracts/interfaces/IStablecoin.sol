// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ISluiceErrors} from "./ISluiceErrors.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title IStablecoin
/// @notice The protocol stablecoin: an ERC20 with EIP-2612 permit whose supply only the VaultEngine changes.
interface IStablecoin is ISluiceErrors, IERC20 {
    /// @notice The VaultEngine, the only account allowed to mint and burn.
    function engine() external view returns (address);

    /// @notice Mints `amount` [wad] to `to`. Only the engine.
    function mint(address to, uint256 amount) external;

    /// @notice Burns `amount` [wad] from `from`. Only the engine; the engine burns only what it is owed.
    function burn(address from, uint256 amount) external;
}
