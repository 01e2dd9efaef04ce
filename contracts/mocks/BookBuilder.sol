// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IVaultEngine} from "../interfaces/IVaultEngine.sol";
import {MockERC20} from "./MockERC20.sol";

/// @notice Test- and bench-only: opens many real vaults per transaction, so that a book of thousands of
/// vaults costs tens of transactions instead of five per vault. Every vault goes through the
/// VaultEngine's own entry points (`openVault`, `deposit`, `borrow`), exactly as a user's would; only
/// their owner is this contract, which borrows to itself.
contract BookBuilder {
    IVaultEngine public immutable vaultEngine;

    constructor(IVaultEngine vaultEngine_) {
        vaultEngine = vaultEngine_;
    }

    /// @notice Opens `count` vaults of `token`, each with `amount` collateral (minted here) and a debt
    /// of `shares[i % shares.length]`% of its limit (`maxDebt`), less 1e6 wei; a share of 0 borrows
    /// nothing. Returns the first vault id.
    function open(
        MockERC20 token,
        uint256 count,
        uint256 amount,
        uint256[] calldata shares
    ) external returns (uint256 firstId) {
        IVaultEngine engine = vaultEngine;
        token.mint(address(this), amount * count);
        token.approve(address(engine), amount * count);
        firstId = engine.vaultCount() + 1;
        for (uint256 i = 0; i < count; ++i) {
            uint256 id = engine.openVault(address(token));
            engine.deposit(id, amount);
            uint256 share = shares[i % shares.length];
            if (share != 0) engine.borrow(id, (engine.maxDebt(id) * share) / 100 - 1e6, address(this));
        }
    }
}
