// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {IStablecoin} from "../interfaces/IStablecoin.sol";

/// @title Stablecoin
/// @notice Sluice's debt token. The VaultEngine creates it and is its only minter and burner.
contract Stablecoin is ERC20Permit, IStablecoin {
    /// @inheritdoc IStablecoin
    address public immutable engine;

    constructor(string memory name_, string memory symbol_, address engine_) ERC20(name_, symbol_) ERC20Permit(name_) {
        engine = engine_;
    }

    modifier onlyEngine() {
        if (msg.sender != engine) revert NotEngine(msg.sender);
        _;
    }

    /// @inheritdoc IStablecoin
    function mint(address to, uint256 amount) external onlyEngine {
        _mint(to, amount);
    }

    /// @inheritdoc IStablecoin
    function burn(address from, uint256 amount) external onlyEngine {
        // No allowance: the engine burns only from the account repaying through it, in the same call.
        _burn(from, amount);
    }
}
