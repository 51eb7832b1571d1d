// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title AgoraTimelock
/// @notice The DAO's treasury and the owner of every governed parameter. Only the governor
/// proposes and cancels; anyone may execute a proposal once its delay has passed.
contract AgoraTimelock is TimelockController {
    constructor(
        uint256 minDelay,
        address[] memory proposers,
        address[] memory executors,
        address admin
    ) TimelockController(minDelay, proposers, executors, admin) {}
}
