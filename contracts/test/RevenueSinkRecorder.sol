// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IRevenueSink} from "../interfaces/IRevenueSink.sol";

/// @notice A revenue sink that records ETH deposits per creator, for the coin tests.
contract RevenueSinkRecorder is IRevenueSink {
    error RevenueSinkRecorderTokenUnsupported();

    mapping(uint256 creatorId => uint256) public depositedETH;

    function depositETH(uint256 creatorId) external payable {
        depositedETH[creatorId] += msg.value;
    }

    function depositToken(address, uint256, uint256) external pure {
        revert RevenueSinkRecorderTokenUnsupported();
    }
}
