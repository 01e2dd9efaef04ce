// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IUniswapV2Factory
/// @notice The part of Uniswap V2's factory interface Sluice uses (the same ABI as `@uniswap/v2-core`).
interface IUniswapV2Factory {
    function getPair(address tokenA, address tokenB) external view returns (address pair);

    function createPair(address tokenA, address tokenB) external returns (address pair);
}
