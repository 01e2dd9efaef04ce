// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IUniswapV2Pair
/// @notice The part of Uniswap V2's pair interface Sluice uses (the same ABI as `@uniswap/v2-core`).
/// @dev Declared here rather than imported: the npm sources are pragma `>=0.5.0` without SPDX headers,
/// and only these functions are needed. Local chains deploy the pair from the npm artifact.
interface IUniswapV2Pair {
    function token0() external view returns (address);

    function token1() external view returns (address);

    /// @notice Reserves as of the last `swap`, `mint`, `burn` or `sync`, and that block's timestamp.
    function getReserves() external view returns (uint112 reserve0, uint112 reserve1, uint32 blockTimestampLast);

    /// @notice Sends `amount0Out` / `amount1Out` to `to`; the tokens paid in must already be in the pair
    /// (or arrive in the `data` callback), and the reserves after the 0.3% fee must keep k.
    function swap(uint256 amount0Out, uint256 amount1Out, address to, bytes calldata data) external;

    /// @notice Mints liquidity for the tokens sent in since the last update.
    function mint(address to) external returns (uint256 liquidity);
}
