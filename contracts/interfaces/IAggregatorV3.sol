// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IAggregatorV3
/// @notice The read interface of a Chainlink-style price feed (the `AggregatorV3Interface` ABI).
/// @dev Declared here rather than imported: the npm `@chainlink/contracts` 1.x package pulls a git
/// dependency that cannot be installed offline. The ABI is identical, so real feeds plug in as is.
interface IAggregatorV3 {
    /// @notice Number of decimals of `answer`.
    function decimals() external view returns (uint8);

    /// @notice Human-readable description of the feed, e.g. "ETH / USD".
    function description() external view returns (string memory);

    /// @notice Version of the aggregator implementation.
    function version() external view returns (uint256);

    /// @notice Data of round `roundId`.
    function getRoundData(
        uint80 roundId
    )
        external
        view
        returns (uint80 roundId_, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);

    /// @notice Data of the latest round.
    function latestRoundData()
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);
}
