// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IRevenueSink
/// @notice Where every protocol fee of the suite ends up: the DAO-governed revenue split. Fee
/// collectors (creator coins, tipping) accrue fees locally and sweep them here, so no trade or tip
/// ever depends on this contract. `creatorId` names the profile whose activity earned the fee,
/// so that the split can return the creator share to it (0: no creator).
interface IRevenueSink {
    /// @notice Receives `msg.value` wei of protocol fees earned by `creatorId`'s activity.
    function depositETH(uint256 creatorId) external payable;

    /// @notice Pulls `amount` of `token` from the caller (which must have approved it) as fees
    /// earned by `creatorId`'s activity.
    function depositToken(address token, uint256 amount, uint256 creatorId) external;
}
