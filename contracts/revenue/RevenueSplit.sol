// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IProfileRegistry} from "../interfaces/IProfileRegistry.sol";
import {IRevenueSink} from "../interfaces/IRevenueSink.sol";
import {IRevenueSplit} from "../interfaces/IRevenueSplit.sol";

/// @title RevenueSplit
/// @notice Splits protocol fees between the DAO's buckets and the creators who earned them; see
/// {IRevenueSplit}.
contract RevenueSplit is IRevenueSplit, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @notice Most buckets an allocation may have, which bounds the cost of `distribute`.
    uint256 public constant MAX_BUCKETS = 8;

    uint256 private constant _BPS = 10_000;
    address private constant _ETH = address(0);

    IProfileRegistry private immutable _PROFILES;
    address private immutable _GOVERNANCE;

    /// @dev A token's undistributed pool and the allocation it was earned under; `received` is
    /// not stored (it is `credited + undistributed`), which keeps a deposit to two slots.
    /// `undistributed` fits 192 bits for any token whose total supply does (SafeCast enforces it).
    struct Pool {
        uint256 credited;
        uint192 undistributed;
        uint64 epoch;
        uint256 withdrawn;
    }

    /// @dev Allocation `epoch` (0 at deployment, +1 per `setAllocation`), its creator share and
    /// its number of buckets (at most MAX_BUCKETS), in one slot that every deposit and
    /// distribution reads, so a distribution under the current allocation reads no array length.
    uint64 private _epoch;
    uint16 private _creatorShareBps;
    uint8 private _bucketCount;
    mapping(uint256 epoch => Bucket[]) private _allocations;
    /// @dev The creator share of every allocation but the current one (`_creatorShareBps`),
    /// read only to settle a pool earned under an earlier allocation.
    mapping(uint256 epoch => uint16) private _creatorShareAt;
    mapping(address token => Pool) private _pools;
    mapping(address token => mapping(address account => uint256)) private _balances;
    mapping(address token => mapping(uint256 profileId => uint256)) private _profileBalances;

    constructor(
        IProfileRegistry profiles_,
        address governance_,
        Bucket[] memory buckets_,
        uint16 creatorShareBps_
    ) {
        _PROFILES = profiles_;
        _GOVERNANCE = governance_;
        _setAllocation(buckets_, creatorShareBps_);
    }

    /// @inheritdoc IRevenueSink
    function depositETH(uint256 creatorId) external payable nonReentrant {
        _deposit(_ETH, msg.value, creatorId);
    }

    /// @inheritdoc IRevenueSink
    function depositToken(address token, uint256 amount, uint256 creatorId) external nonReentrant {
        // What arrived is what counts, so a token that takes a cut on transfer cannot break the
        // accounting identity.
        uint256 before = IERC20(token).balanceOf(address(this));
        IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
        _deposit(token, IERC20(token).balanceOf(address(this)) - before, creatorId);
    }

    /// @inheritdoc IRevenueSplit
    function distribute(address token) external nonReentrant {
        Pool storage pool = _pools[token];
        if (pool.undistributed == 0) revert RevenueSplitNothingToDistribute(token);
        _distribute(token, pool, _epoch);
    }

    /// @inheritdoc IRevenueSplit
    function withdraw(address token, address to) external nonReentrant {
        uint256 amount = _balances[token][msg.sender];
        if (amount == 0) revert RevenueSplitNothingToWithdraw(token, msg.sender);
        _balances[token][msg.sender] = 0;
        _pools[token].withdrawn += amount;
        emit Withdrawn(token, msg.sender, to, amount);
        _send(token, to, amount);
    }

    /// @inheritdoc IRevenueSplit
    function withdrawForProfile(
        address token,
        uint256 profileId,
        address to
    ) external nonReentrant {
        if (_PROFILES.ownerOf(profileId) != msg.sender) {
            revert RevenueSplitNotProfileOwner(profileId, msg.sender);
        }
        uint256 amount = _profileBalances[token][profileId];
        if (amount == 0) revert RevenueSplitNothingToWithdrawForProfile(token, profileId);
        _profileBalances[token][profileId] = 0;
        _pools[token].withdrawn += amount;
        emit ProfileWithdrawn(token, profileId, to, amount);
        _send(token, to, amount);
    }

    /// @inheritdoc IRevenueSplit
    function setAllocation(Bucket[] calldata buckets_, uint16 creatorShareBps_) external {
        if (msg.sender != _GOVERNANCE) revert RevenueSplitUnauthorized(msg.sender);
        _setAllocation(buckets_, creatorShareBps_);
    }

    /// @inheritdoc IRevenueSplit
    function profiles() external view returns (IProfileRegistry) {
        return _PROFILES;
    }

    /// @inheritdoc IRevenueSplit
    function governance() external view returns (address) {
        return _GOVERNANCE;
    }

    /// @inheritdoc IRevenueSplit
    function buckets() external view returns (Bucket[] memory) {
        return _allocations[_epoch];
    }

    /// @inheritdoc IRevenueSplit
    function allocationEpoch() external view returns (uint256) {
        return _epoch;
    }

    /// @inheritdoc IRevenueSplit
    function bucketsAt(uint256 epoch) external view returns (Bucket[] memory) {
        return _allocations[epoch];
    }

    /// @inheritdoc IRevenueSplit
    function pendingEpoch(address token) external view returns (uint256) {
        return _pools[token].epoch;
    }

    /// @inheritdoc IRevenueSplit
    function creatorShareBps() external view returns (uint16) {
        return _creatorShareBps;
    }

    /// @inheritdoc IRevenueSplit
    function balanceOf(address token, address account) external view returns (uint256) {
        return _balances[token][account];
    }

    /// @inheritdoc IRevenueSplit
    function profileBalanceOf(address token, uint256 profileId) external view returns (uint256) {
        return _profileBalances[token][profileId];
    }

    /// @inheritdoc IRevenueSplit
    function accounting(address token) external view returns (Accounting memory) {
        Pool memory pool = _pools[token];
        return
            Accounting({
                received: pool.credited + pool.undistributed,
                credited: pool.credited,
                undistributed: pool.undistributed,
                withdrawn: pool.withdrawn
            });
    }

    function _deposit(address token, uint256 amount, uint256 creatorId) private {
        if (amount == 0) revert RevenueSplitZeroAmount();
        Pool storage pool = _pools[token];
        uint64 epoch = _epoch;
        // What arrived under an earlier allocation goes to that allocation's buckets before
        // anything new joins the pool, so no caller can move earnings across an allocation change.
        if (pool.epoch != epoch) {
            if (pool.undistributed != 0) _distribute(token, pool, epoch);
            else pool.epoch = epoch;
        }
        uint256 creatorCredit;
        // A fee without a live creator profile has no one to return the creator share to, so all
        // of it is split between the buckets.
        if (creatorId != 0 && _PROFILES.ownerOf(creatorId) != address(0)) {
            creatorCredit = _shareRoundingDown(amount, _creatorShareBps, _BPS);
            if (creatorCredit != 0) {
                uint256 balance = _profileBalances[token][creatorId] + creatorCredit;
                _profileBalances[token][creatorId] = balance;
                pool.credited += creatorCredit;
                emit ProfileCredited(token, creatorId, creatorCredit, balance);
            }
        }
        uint256 undistributed = pool.undistributed + (amount - creatorCredit);
        pool.undistributed = undistributed.toUint192();
        emit Deposited(token, msg.sender, creatorId, amount, creatorCredit, undistributed);
    }

    /// @dev Credits `pool` to the buckets of the allocation it was earned under and moves it to
    /// `currentEpoch`. The buckets' shares are pro rata to their basis points among themselves
    /// (the creator share was credited at deposit), rounded down; the dust stays in the pool and
    /// is distributed with the current allocation.
    function _distribute(address token, Pool storage pool, uint64 currentEpoch) private {
        uint256 amount = pool.undistributed;
        uint64 epoch = pool.epoch;
        Bucket[] storage allocation = _allocations[epoch];
        // The buckets' basis points add up to 10,000 minus that allocation's creator share.
        (uint256 bucketBps, uint256 count) = epoch == currentEpoch
            ? (_BPS - _creatorShareBps, _bucketCount)
            : (_BPS - _creatorShareAt[epoch], allocation.length);
        uint256 credited;
        for (uint256 i; i < count; ++i) {
            Bucket memory bucket = _bucketAt(allocation, i);
            uint256 share = _shareRoundingDown(amount, bucket.bps, bucketBps);
            if (share == 0) continue;
            credited += share;
            uint256 balance = _balances[token][bucket.recipient] + share;
            _balances[token][bucket.recipient] = balance;
            emit Credited(token, bucket.recipient, share, balance);
        }
        uint256 remaining = amount - credited;
        // Safe: remaining <= amount < 2^192.
        if (epoch == currentEpoch) pool.undistributed = uint192(remaining);
        else (pool.undistributed, pool.epoch) = (uint192(remaining), currentEpoch);
        pool.credited += credited;
        emit Distributed(token, credited, remaining);
    }

    function _setAllocation(Bucket[] memory buckets_, uint16 creatorShareBps_) private {
        uint256 count = buckets_.length;
        if (count == 0 || count > MAX_BUCKETS) revert RevenueSplitBucketCount(count, MAX_BUCKETS);
        uint256 total = creatorShareBps_;
        // The first allocation is epoch 0; every later one opens a fresh epoch, so the previous
        // allocation stays readable for the pools earned under it.
        uint64 epoch = _allocations[0].length == 0 ? 0 : _epoch + 1;
        Bucket[] storage allocation = _allocations[epoch];
        for (uint256 i; i < count; ++i) {
            Bucket memory bucket = buckets_[i];
            if (bucket.recipient == address(0)) revert RevenueSplitZeroRecipient(i);
            if (bucket.bps == 0) revert RevenueSplitZeroShare(i);
            total += bucket.bps;
            allocation.push(bucket);
        }
        if (total != _BPS) revert RevenueSplitBpsSum(total);
        if (epoch != 0) _creatorShareAt[epoch - 1] = _creatorShareBps;
        _epoch = epoch;
        _creatorShareBps = creatorShareBps_;
        _bucketCount = uint8(count); // Safe: count <= MAX_BUCKETS.
        emit AllocationChanged(buckets_, creatorShareBps_);
    }

    function _send(address token, address to, uint256 amount) private {
        if (token == _ETH) {
            (bool ok, ) = to.call{value: amount}("");
            if (!ok) revert RevenueSplitETHTransferFailed(to, amount);
        } else {
            IERC20(token).safeTransfer(to, amount);
        }
    }

    /// @dev `allocation[i]` for an `i` below the allocation's length, which the caller knows,
    /// without the bounds check's read of the length. Plain equivalent: `bucket = allocation[i];`
    /// (a bucket is one slot: recipient in the low 160 bits, bps above).
    function _bucketAt(
        Bucket[] storage allocation,
        uint256 i
    ) private view returns (Bucket memory bucket) {
        uint256 word;
        assembly ("memory-safe") {
            mstore(0x00, allocation.slot)
            word := sload(add(keccak256(0x00, 0x20), i))
        }
        bucket.recipient = address(uint160(word));
        bucket.bps = uint16(word >> 160);
    }

    /// @dev `amount * bps / total`, rounded down so the sum of shares never exceeds `amount`.
    function _shareRoundingDown(
        uint256 amount,
        uint256 bps,
        uint256 total
    ) private pure returns (uint256) {
        return Math.mulDiv(amount, bps, total);
    }
}
