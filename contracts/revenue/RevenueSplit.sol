// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IProfileRegistry} from "../interfaces/IProfileRegistry.sol";
import {IRevenueSink} from "../interfaces/IRevenueSink.sol";
import {IRevenueSplit} from "../interfaces/IRevenueSplit.sol";

/// @title RevenueSplit
/// @notice Splits protocol fees between the DAO's buckets and the creators who earned them; see
/// {IRevenueSplit}.
contract RevenueSplit is IRevenueSplit, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice Most buckets an allocation may have, which bounds the cost of `distribute`.
    uint256 public constant MAX_BUCKETS = 8;

    uint256 private constant _BPS = 10_000;
    address private constant _ETH = address(0);

    IProfileRegistry private immutable _PROFILES;
    address private immutable _GOVERNANCE;

    Bucket[] private _buckets;
    uint16 private _creatorShareBps;
    mapping(address token => Accounting) private _accounting;
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
        Accounting storage acc = _accounting[token];
        uint256 pool = acc.undistributed;
        if (pool == 0) revert RevenueSplitNothingToDistribute(token);
        uint256 bucketBps = _BPS - _creatorShareBps;
        uint256 credited;
        uint256 count = _buckets.length;
        for (uint256 i; i < count; ++i) {
            Bucket memory bucket = _buckets[i];
            uint256 share = _shareRoundingDown(pool, bucket.bps, bucketBps);
            if (share == 0) continue;
            credited += share;
            uint256 balance = _balances[token][bucket.recipient] + share;
            _balances[token][bucket.recipient] = balance;
            emit Credited(token, bucket.recipient, share, balance);
        }
        uint256 remaining = pool - credited;
        acc.undistributed = remaining;
        acc.credited += credited;
        emit Distributed(token, credited, remaining);
    }

    /// @inheritdoc IRevenueSplit
    function withdraw(address token, address to) external nonReentrant {
        uint256 amount = _balances[token][msg.sender];
        if (amount == 0) revert RevenueSplitNothingToWithdraw(token, msg.sender);
        _balances[token][msg.sender] = 0;
        _accounting[token].withdrawn += amount;
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
        _accounting[token].withdrawn += amount;
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
        return _buckets;
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
        return _accounting[token];
    }

    function _deposit(address token, uint256 amount, uint256 creatorId) private {
        if (amount == 0) revert RevenueSplitZeroAmount();
        Accounting storage acc = _accounting[token];
        acc.received += amount;
        uint256 creatorCredit;
        // A fee without a live creator profile has no one to return the creator share to, so all
        // of it is split between the buckets.
        if (creatorId != 0 && _PROFILES.ownerOf(creatorId) != address(0)) {
            creatorCredit = _shareRoundingDown(amount, _creatorShareBps, _BPS);
            if (creatorCredit != 0) {
                uint256 balance = _profileBalances[token][creatorId] + creatorCredit;
                _profileBalances[token][creatorId] = balance;
                acc.credited += creatorCredit;
                emit ProfileCredited(token, creatorId, creatorCredit, balance);
            }
        }
        uint256 undistributed = acc.undistributed + (amount - creatorCredit);
        acc.undistributed = undistributed;
        emit Deposited(token, msg.sender, creatorId, amount, creatorCredit, undistributed);
    }

    function _setAllocation(Bucket[] memory buckets_, uint16 creatorShareBps_) private {
        uint256 count = buckets_.length;
        if (count == 0 || count > MAX_BUCKETS) revert RevenueSplitBucketCount(count, MAX_BUCKETS);
        uint256 total = creatorShareBps_;
        delete _buckets;
        for (uint256 i; i < count; ++i) {
            Bucket memory bucket = buckets_[i];
            if (bucket.recipient == address(0)) revert RevenueSplitZeroRecipient(i);
            if (bucket.bps == 0) revert RevenueSplitZeroShare(i);
            total += bucket.bps;
            _buckets.push(bucket);
        }
        if (total != _BPS) revert RevenueSplitBpsSum(total);
        _creatorShareBps = creatorShareBps_;
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

    /// @dev `amount * bps / total`, rounded down so the sum of shares never exceeds `amount`.
    function _shareRoundingDown(
        uint256 amount,
        uint256 bps,
        uint256 total
    ) private pure returns (uint256) {
        return Math.mulDiv(amount, bps, total);
    }
}
