// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IAggregatorV3} from "../interfaces/IAggregatorV3.sol";

/// @notice Local-only Chainlink-style feed whose answer anyone can set by hand.
contract MockAggregator is IAggregatorV3 {
    uint8 public immutable decimals;
    string public description;
    // solhint-disable-next-line const-name-snakecase
    uint256 public constant version = 1;

    uint80 public latestRound;
    mapping(uint80 roundId => int256) public answers;
    mapping(uint80 roundId => uint256) public updatedAts;

    constructor(uint8 decimals_, string memory description_, int256 initialAnswer) {
        decimals = decimals_;
        description = description_;
        setAnswer(initialAnswer);
    }

    /// @notice Publishes `answer` as a new round updated now.
    function setAnswer(int256 answer) public {
        setAnswerAt(answer, block.timestamp);
    }

    /// @notice Publishes `answer` as a new round with any `updatedAt` (stale or future rounds in tests).
    function setAnswerAt(int256 answer, uint256 updatedAt) public {
        uint80 roundId = ++latestRound;
        answers[roundId] = answer;
        updatedAts[roundId] = updatedAt;
    }

    function getRoundData(uint80 roundId) public view returns (uint80, int256, uint256, uint256, uint80) {
        return (roundId, answers[roundId], updatedAts[roundId], updatedAts[roundId], roundId);
    }

    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        return getRoundData(latestRound);
    }
}
