// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IProfileRegistry} from "./IProfileRegistry.sol";
import {IRevenueSink} from "./IRevenueSink.sol";

/// @title IRevenueSplit
/// @notice The DAO-governed split of every protocol fee. Fees arrive in ETH (`token` = zero
/// address) or any ERC-20. On arrival the creator share is credited to the profile whose activity
/// earned the fee; the rest waits, undistributed, until anyone calls `distribute`, which credits it
/// to the allocation's buckets pro rata to their basis points. Everyone withdraws their own credit
/// (pull); a profile's credit is withdrawn by the profile's current owner.
///
/// Accounting, per token and to the wei: `received == credited + undistributed`, and the contract
/// holds `received - withdrawn`. Rounding dust of a distribution stays undistributed.
///
/// Allocation changes: revenue goes to the buckets of the allocation in force when it arrived.
/// Each allocation opens an epoch; a token's undistributed pool remembers the epoch it was earned
/// in, and whatever touches the pool first after a change (`distribute`, or the next deposit of
/// that token, which settles the old pool before adding to it) credits it to that epoch's buckets.
/// `setAllocation` therefore costs the same whatever the number of tokens, and no caller can
/// choose whether earlier earnings go to the old or the new buckets. Only the rounding dust of
/// the old pool (less than one wei per bucket) moves on to the new allocation.
///
/// Listeners may assume:
/// - `Deposited`, `Distributed`, `Credited`, `ProfileCredited` carry balances after the change;
/// - `AllocationChanged` carries the full new allocation.
interface IRevenueSplit is IRevenueSink {
    /// @notice One recipient of the split and its share in basis points.
    struct Bucket {
        address recipient;
        uint16 bps;
    }

    /// @notice Per-token totals. `received == credited + undistributed` and this contract holds
    /// `received - withdrawn` of the token.
    struct Accounting {
        uint256 received;
        uint256 credited;
        uint256 undistributed;
        uint256 withdrawn;
    }

    /// @notice `amount` of `token` arrived from `from`, earned by `creatorId`; `creatorCredit` of it
    /// went to the creator profile, the rest is undistributed (now `undistributed`).
    event Deposited(
        address indexed token,
        address indexed from,
        uint256 indexed creatorId,
        uint256 amount,
        uint256 creatorCredit,
        uint256 undistributed
    );

    /// @notice `amount` of `token` was credited to the profile, whose balance is now `balance`.
    event ProfileCredited(
        address indexed token,
        uint256 indexed profileId,
        uint256 amount,
        uint256 balance
    );

    /// @notice `amount` of `token` was credited to `account`, whose balance is now `balance`.
    event Credited(address indexed token, address indexed account, uint256 amount, uint256 balance);

    /// @notice A distribution credited `amount` of `token`; `undistributed` (dust) remains.
    event Distributed(address indexed token, uint256 amount, uint256 undistributed);

    /// @notice `account` withdrew `amount` of `token` to `to`.
    event Withdrawn(address indexed token, address indexed account, address to, uint256 amount);

    /// @notice The owner of `profileId` withdrew the profile's `amount` of `token` to `to`.
    event ProfileWithdrawn(
        address indexed token,
        uint256 indexed profileId,
        address to,
        uint256 amount
    );

    /// @notice Governance set a new allocation.
    event AllocationChanged(Bucket[] buckets, uint16 creatorShareBps);

    /// @notice `caller` is not the governance (the timelock).
    error RevenueSplitUnauthorized(address caller);
    /// @notice The buckets and creator share add up to `total` basis points, not 10,000.
    error RevenueSplitBpsSum(uint256 total);
    /// @notice The allocation has `count` buckets; it needs between 1 and `maximum`.
    error RevenueSplitBucketCount(uint256 count, uint256 maximum);
    /// @notice Bucket `index` has the zero address as recipient.
    error RevenueSplitZeroRecipient(uint256 index);
    /// @notice Bucket `index` has a share of zero.
    error RevenueSplitZeroShare(uint256 index);
    /// @notice A deposit of zero.
    error RevenueSplitZeroAmount();
    /// @notice `account` has no `token` to withdraw.
    error RevenueSplitNothingToWithdraw(address token, address account);
    /// @notice Profile `profileId` has no `token` to withdraw.
    error RevenueSplitNothingToWithdrawForProfile(address token, uint256 profileId);
    /// @notice `caller` does not own `profileId`.
    error RevenueSplitNotProfileOwner(uint256 profileId, address caller);
    /// @notice Sending `amount` wei to `to` failed.
    error RevenueSplitETHTransferFailed(address to, uint256 amount);
    /// @notice There is no undistributed `token` to distribute.
    error RevenueSplitNothingToDistribute(address token);

    /// @notice Credits the undistributed `token` (zero: ETH) to the buckets of the allocation it
    /// was earned under (see `pendingEpoch`). Anyone may call.
    function distribute(address token) external;

    /// @notice Sends the caller's whole `token` balance to `to`.
    function withdraw(address token, address to) external;

    /// @notice Sends the profile's whole `token` balance to `to`. Only the profile's current owner.
    function withdrawForProfile(address token, uint256 profileId, address to) external;

    /// @notice Replaces the allocation for revenue that arrives from now on; revenue already
    /// received still goes to the previous buckets. Only governance. Shares must add up to
    /// exactly 10,000.
    function setAllocation(Bucket[] calldata buckets, uint16 creatorShareBps) external;

    /// @notice Resolves the current owner of a creator profile.
    function profiles() external view returns (IProfileRegistry);

    /// @notice The only address that may change the allocation (the DAO timelock).
    function governance() external view returns (address);

    /// @notice The current buckets.
    function buckets() external view returns (Bucket[] memory);

    /// @notice The current allocation's epoch: 0 at deployment, one more per `setAllocation`.
    function allocationEpoch() external view returns (uint256);

    /// @notice The buckets of allocation `epoch` (empty for an epoch not reached yet).
    function bucketsAt(uint256 epoch) external view returns (Bucket[] memory);

    /// @notice The epoch whose buckets `token`'s undistributed pool goes to when distributed.
    function pendingEpoch(address token) external view returns (uint256);

    /// @notice The share of each fee credited to the creator profile at deposit.
    function creatorShareBps() external view returns (uint16);

    /// @notice `account`'s withdrawable `token`.
    function balanceOf(address token, address account) external view returns (uint256);

    /// @notice The profile's withdrawable `token`.
    function profileBalanceOf(address token, uint256 profileId) external view returns (uint256);

    /// @notice The per-token totals.
    function accounting(address token) external view returns (Accounting memory);
}
