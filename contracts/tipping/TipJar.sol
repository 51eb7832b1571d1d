// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IProfileRegistry} from "../interfaces/IProfileRegistry.sol";
import {ISocialGraph} from "../interfaces/ISocialGraph.sol";
import {IRevenueSink} from "../interfaces/IRevenueSink.sol";
import {IRevenueSplit} from "../interfaces/IRevenueSplit.sol";
import {ITipJar} from "../interfaces/ITipJar.sol";

/// @title TipJar
/// @notice Tips in ETH and ERC-20 to profiles and posts; see {ITipJar}.
contract TipJar is ITipJar, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice Upper bound governance can set the protocol fee to (10%).
    uint16 public constant MAX_FEE_BPS = 1_000;
    /// @notice Longest tip message, in bytes.
    uint256 public constant MAX_MESSAGE_LENGTH = 280;
    /// @notice Gas forwarded when pushing ETH to a profile owner: enough for a smart-wallet
    /// `receive` that emits an event, small enough that a recipient burning it all costs the tipper
    /// little.
    uint256 public constant ETH_PUSH_GAS = 30_000;

    uint256 private constant _BPS = 10_000;
    /// @dev Post ids are `authorId << 64 | sequence`.
    uint256 private constant _POST_AUTHOR_SHIFT = 64;

    IProfileRegistry private immutable _PROFILES;
    ISocialGraph private immutable _GRAPH;
    IRevenueSink private immutable _REVENUE_SINK;
    address private immutable _GOVERNANCE;

    /// @dev The two rates every ETH tip needs, in one slot so that a tip reads both with a single
    /// SLOAD.
    struct Rates {
        uint16 feeBps;
        /// Copy of the revenue split's `creatorShareBps`, refreshed by `syncCreatorShare`; at most
        /// `_BPS`.
        uint16 creatorShareBps;
    }

    Rates private _rates;
    /// @dev Sum of all claimable balances. Every other wei this contract holds is a pending ETH
    /// fee, so an ETH tip books its fee without writing storage.
    uint256 private _ethClaimable;
    mapping(uint256 profileId => uint256) private _claimable;
    mapping(address token => mapping(uint256 creatorId => uint256)) private _tokenFees;

    constructor(
        IProfileRegistry profiles_,
        ISocialGraph graph_,
        IRevenueSink revenueSink_,
        address governance_,
        uint16 feeBps_
    ) {
        if (feeBps_ > MAX_FEE_BPS) revert TipJarFeeTooHigh(feeBps_, MAX_FEE_BPS);
        _PROFILES = profiles_;
        _GRAPH = graph_;
        _REVENUE_SINK = revenueSink_;
        _GOVERNANCE = governance_;
        _rates.feeBps = feeBps_;
        emit FeeChanged(0, feeBps_);
        _syncCreatorShare();
    }

    // ---------------------------------------------------------------- ETH tips

    /// @inheritdoc ITipJar
    function tipETH(uint256 profileId, string calldata message) external payable nonReentrant {
        _checkMessage(message);
        _tipETH(profileId, 0, msg.value, _rates, message);
    }

    /// @inheritdoc ITipJar
    function tipPostETH(uint256 postId, string calldata message) external payable nonReentrant {
        _checkMessage(message);
        _tipETH(_authorOf(postId), postId, msg.value, _rates, message);
    }

    /// @inheritdoc ITipJar
    function tipETHBatch(
        Tip[] calldata tips,
        string calldata message
    ) external payable nonReentrant {
        _checkMessage(message);
        if (tips.length == 0) revert TipJarEmptyBatch();
        uint256 total;
        for (uint256 i; i < tips.length; ++i) total += tips[i].amount;
        if (total != msg.value) revert TipJarValueMismatch(msg.value, total);
        Rates memory rates = _rates;
        for (uint256 i; i < tips.length; ++i) {
            Tip calldata tip = tips[i];
            _tipETH(_batchRecipient(tip), tip.postId, tip.amount, rates, message);
        }
    }

    // ---------------------------------------------------------------- token tips

    /// @inheritdoc ITipJar
    function tipToken(
        uint256 profileId,
        address token,
        uint256 amount,
        string calldata message
    ) external nonReentrant {
        _checkMessage(message);
        _tipTokenAndCollectFee(profileId, 0, token, amount, message);
    }

    /// @inheritdoc ITipJar
    function tipPostToken(
        uint256 postId,
        address token,
        uint256 amount,
        string calldata message
    ) external nonReentrant {
        _checkMessage(message);
        _tipTokenAndCollectFee(_authorOf(postId), postId, token, amount, message);
    }

    /// @inheritdoc ITipJar
    function tipTokenWithPermit(
        uint256 profileId,
        uint256 postId,
        address token,
        uint256 amount,
        string calldata message,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external nonReentrant {
        _checkMessage(message);
        // A permit front-run by someone else has already set the allowance; the transfer below is
        // what decides whether the tip goes through.
        try IERC20Permit(token).permit(msg.sender, address(this), amount, deadline, v, r, s) {
            // Allowance set by this permit.
        } catch {
            // Permit already consumed or unsupported; the allowance decides.
        }
        uint256 recipientId = postId == 0 ? profileId : _authorOf(postId);
        if (postId != 0 && profileId != 0 && profileId != recipientId) {
            revert TipJarPostAuthorMismatch(postId, profileId, recipientId);
        }
        _tipTokenAndCollectFee(recipientId, postId, token, amount, message);
    }

    /// @inheritdoc ITipJar
    function tipTokenBatch(
        address token,
        Tip[] calldata tips,
        string calldata message
    ) external nonReentrant {
        _checkMessage(message);
        if (tips.length == 0) revert TipJarEmptyBatch();
        uint16 bps = _rates.feeBps;
        uint256 totalFee;
        for (uint256 i; i < tips.length; ++i) {
            Tip calldata tip = tips[i];
            totalFee += _tipToken(
                _batchRecipient(tip),
                tip.postId,
                token,
                tip.amount,
                bps,
                message
            );
        }
        if (totalFee != 0) _pull(token, msg.sender, address(this), totalFee);
    }

    // ---------------------------------------------------------------- claims and sweeps

    /// @inheritdoc ITipJar
    function claim(uint256 profileId, address to) external nonReentrant {
        if (_PROFILES.ownerOf(profileId) != msg.sender) {
            revert TipJarNotProfileOwner(profileId, msg.sender);
        }
        uint256 amount = _claimable[profileId];
        if (amount == 0) revert TipJarNothingToClaim(profileId);
        _claimable[profileId] = 0;
        _ethClaimable -= amount;
        emit TipClaimed(profileId, to, amount);
        (bool ok, ) = to.call{value: amount}("");
        if (!ok) revert TipJarETHTransferFailed(to, amount);
    }

    /// @inheritdoc ITipJar
    function sweepETH() external nonReentrant {
        uint256 pending = address(this).balance - _ethClaimable;
        if (pending == 0) return;
        emit FeesSwept(0, address(0), pending);
        _REVENUE_SINK.depositETH{value: pending}(0);
    }

    /// @inheritdoc ITipJar
    function sweepToken(address token, uint256[] calldata creatorIds) external nonReentrant {
        for (uint256 i; i < creatorIds.length; ++i) {
            uint256 creatorId = creatorIds[i];
            uint256 pending = _tokenFees[token][creatorId];
            if (pending == 0) continue;
            _tokenFees[token][creatorId] = 0;
            emit FeesSwept(creatorId, token, pending);
            IERC20(token).forceApprove(address(_REVENUE_SINK), pending);
            _REVENUE_SINK.depositToken(token, pending, creatorId);
        }
    }

    // ---------------------------------------------------------------- governance

    /// @inheritdoc ITipJar
    function setFeeBps(uint16 feeBps_) external {
        if (msg.sender != _GOVERNANCE) revert TipJarUnauthorized(msg.sender);
        if (feeBps_ > MAX_FEE_BPS) revert TipJarFeeTooHigh(feeBps_, MAX_FEE_BPS);
        emit FeeChanged(_rates.feeBps, feeBps_);
        _rates.feeBps = feeBps_;
    }

    /// @inheritdoc ITipJar
    function syncCreatorShare() external nonReentrant {
        _syncCreatorShare();
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc ITipJar
    function profiles() external view returns (IProfileRegistry) {
        return _PROFILES;
    }

    /// @inheritdoc ITipJar
    function graph() external view returns (ISocialGraph) {
        return _GRAPH;
    }

    /// @inheritdoc ITipJar
    function revenueSink() external view returns (IRevenueSink) {
        return _REVENUE_SINK;
    }

    /// @inheritdoc ITipJar
    function governance() external view returns (address) {
        return _GOVERNANCE;
    }

    /// @inheritdoc ITipJar
    function feeBps() external view returns (uint16) {
        return _rates.feeBps;
    }

    /// @inheritdoc ITipJar
    function creatorShareBps() external view returns (uint16) {
        return _rates.creatorShareBps;
    }

    /// @inheritdoc ITipJar
    function pendingETHFees() external view returns (uint256) {
        return address(this).balance - _ethClaimable;
    }

    /// @inheritdoc ITipJar
    function pendingTokenFees(address token, uint256 creatorId) external view returns (uint256) {
        return _tokenFees[token][creatorId];
    }

    /// @inheritdoc ITipJar
    function claimable(uint256 profileId) external view returns (uint256) {
        return _claimable[profileId];
    }

    // ---------------------------------------------------------------- internals

    /// @dev Pays `amount - protocolFee` to the profile's owner (or its claimable credit) and leaves
    /// `protocolFee` in the jar, where it counts as a pending ETH fee without a storage write.
    function _tipETH(
        uint256 profileId,
        uint256 postId,
        uint256 amount,
        Rates memory rates,
        string calldata message
    ) private {
        if (amount == 0) revert TipJarZeroAmount();
        address owner = _ownerOf(profileId);
        uint256 protocolFee;
        uint256 net;
        // Cannot overflow: `amount` is wei that exists (below 2^128) and both rates are at most
        // 10_000, so `fee <= amount` and `creatorPart <= fee`; the subtractions cannot underflow.
        unchecked {
            // The fee, rounded down as for tokens; then the revenue split's creator share of it,
            // rounded down like the split's own `creatorCredit`, returned to the creator at once.
            uint256 fee = (amount * rates.feeBps) / _BPS;
            uint256 creatorPart = (fee * rates.creatorShareBps) / _BPS;
            protocolFee = fee - creatorPart;
            net = amount - protocolFee;
        }
        bool pushed;
        // Plain equivalent: `(pushed, ) = owner.call{value: net, gas: ETH_PUSH_GAS}("")`, without
        // copying return data, so a recipient cannot make the tipper pay for a large return.
        assembly ("memory-safe") {
            pushed := call(ETH_PUSH_GAS, owner, net, 0, 0, 0, 0)
        }
        emit Tipped(profileId, postId, msg.sender, address(0), amount, protocolFee, message);
        if (!pushed) {
            uint256 balance = _claimable[profileId] + net;
            _claimable[profileId] = balance;
            _ethClaimable += net;
            emit TipCredited(profileId, net, balance);
        }
    }

    function _tipTokenAndCollectFee(
        uint256 profileId,
        uint256 postId,
        address token,
        uint256 amount,
        string calldata message
    ) private {
        uint256 fee = _tipToken(profileId, postId, token, amount, _rates.feeBps, message);
        if (fee != 0) _pull(token, msg.sender, address(this), fee);
    }

    /// @dev Sends the creator's part and books the fee; the caller pulls the fee into this contract.
    function _tipToken(
        uint256 profileId,
        uint256 postId,
        address token,
        uint256 amount,
        uint16 bps,
        string calldata message
    ) private returns (uint256 fee) {
        if (amount == 0) revert TipJarZeroAmount();
        address owner = _ownerOf(profileId);
        fee = _feeRoundingDown(amount, bps);
        if (fee != 0) _tokenFees[token][profileId] += fee;
        emit Tipped(profileId, postId, msg.sender, token, amount, fee, message);
        _pull(token, msg.sender, owner, amount - fee);
    }

    /// @dev Copies the revenue split's creator share. No try/catch: a caller could otherwise starve
    /// the read of gas and have the failure recorded as a share of 0.
    function _syncCreatorShare() private {
        uint16 share = IRevenueSplit(address(_REVENUE_SINK)).creatorShareBps();
        if (share > _BPS) revert TipJarCreatorShareTooHigh(share, _BPS);
        uint16 old = _rates.creatorShareBps;
        _rates.creatorShareBps = share;
        emit CreatorShareSynced(old, share);
    }

    function _pull(address token, address from, address to, uint256 amount) private {
        if (!IERC20(token).trySafeTransferFrom(from, to, amount)) {
            revert TipJarTokenTransferFailed(token, from, to, amount);
        }
    }

    function _ownerOf(uint256 profileId) private view returns (address owner) {
        owner = _PROFILES.ownerOf(profileId);
        if (owner == address(0)) revert TipJarProfileNotFound(profileId);
    }

    function _authorOf(uint256 postId) private view returns (uint256) {
        if (!_GRAPH.postExists(postId)) revert TipJarPostNotFound(postId);
        return postId >> _POST_AUTHOR_SHIFT;
    }

    function _batchRecipient(Tip calldata tip) private view returns (uint256) {
        if (tip.postId == 0) return tip.profileId;
        uint256 authorId = _authorOf(tip.postId);
        if (authorId != tip.profileId) {
            revert TipJarPostAuthorMismatch(tip.postId, tip.profileId, authorId);
        }
        return authorId;
    }

    function _checkMessage(string calldata message) private pure {
        if (bytes(message).length > MAX_MESSAGE_LENGTH) {
            revert TipJarMessageTooLong(bytes(message).length, MAX_MESSAGE_LENGTH);
        }
    }

    /// @dev The protocol fee of `amount`, rounded down (in the creator's favour).
    function _feeRoundingDown(uint256 amount, uint16 bps) private pure returns (uint256) {
        return Math.mulDiv(amount, bps, _BPS);
    }
}
