// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IProfileRegistry} from "../interfaces/IProfileRegistry.sol";
import {ISocialGraph} from "../interfaces/ISocialGraph.sol";
import {IRevenueSink} from "../interfaces/IRevenueSink.sol";
import {IRevenueSplit} from "../interfaces/IRevenueSplit.sol";
import {ITipJar} from "../interfaces/ITipJar.sol";

/// @title TipJar
/// @notice Tips in ETH and ERC-20 to profiles and posts; see {ITipJar}.
contract TipJar is ITipJar {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    // keccak256("agora.TipJar.reentrancy") - 1: a transient slot no storage variable uses.
    /// @dev The largest amount whose fee `_feeRoundingDown` computes without `mulDiv`.
    uint256 private constant _MAX_PLAIN_FEE_AMOUNT = type(uint256).max / MAX_FEE_BPS;
    bytes32 private constant _LOCK_SLOT =
        0x9cf4c0c244803f708a1723ee4f005a6d076258905c69aee43a92c0e6d1de4cc2;

    /// @notice Upper bound governance can set the protocol fee to (10%).
    uint16 public constant MAX_FEE_BPS = 1_000;
    /// @notice Upper bound governance can set the referrer share to: half of the protocol fee.
    uint16 public constant MAX_REFERRER_SHARE_BPS = 5_000;
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
        uint16 referrerShareBps;
    }

    /// @dev The ETH this contract holds that is not a pending fee, in one slot that `sweepETH`
    /// reads once. Every other wei is a pending ETH fee, so an ETH tip books its fee without
    /// writing storage. 128 bits hold more wei than exists.
    struct EthOwed {
        /// Sum of all claimable balances.
        uint128 claimable;
        /// Sum of all referrers' ETH balances.
        uint128 referrers;
    }

    Rates private _rates;
    EthOwed private _ethOwed;
    mapping(uint256 profileId => uint256) private _claimable;
    mapping(address token => mapping(uint256 creatorId => uint256)) private _tokenFees;
    mapping(address token => mapping(address referrer => uint256)) private _referrerBalances;

    /// @dev A transient lock, as in `CreatorCoin`: every entry point that moves value takes it.
    modifier nonReentrant() {
        bytes32 slot = _LOCK_SLOT;
        uint256 locked;
        assembly ("memory-safe") {
            locked := tload(slot)
        }
        if (locked != 0) revert TipJarReentrantCall();
        assembly ("memory-safe") {
            tstore(slot, 1)
        }
        _;
        assembly ("memory-safe") {
            tstore(slot, 0)
        }
    }

    constructor(
        IProfileRegistry profiles_,
        ISocialGraph graph_,
        IRevenueSink revenueSink_,
        address governance_,
        uint16 feeBps_,
        uint16 referrerShareBps_
    ) {
        if (feeBps_ > MAX_FEE_BPS) revert TipJarFeeTooHigh(feeBps_, MAX_FEE_BPS);
        if (referrerShareBps_ > MAX_REFERRER_SHARE_BPS) {
            revert TipJarReferrerShareTooHigh(referrerShareBps_, MAX_REFERRER_SHARE_BPS);
        }
        _PROFILES = profiles_;
        _GRAPH = graph_;
        _REVENUE_SINK = revenueSink_;
        _GOVERNANCE = governance_;
        _rates.feeBps = feeBps_;
        _rates.referrerShareBps = referrerShareBps_;
        emit FeeChanged(0, feeBps_);
        emit ReferrerShareChanged(0, referrerShareBps_);
        _syncCreatorShare();
    }

    // ---------------------------------------------------------------- ETH tips

    /// @inheritdoc ITipJar
    function tipETH(uint256 profileId, string calldata message) external payable nonReentrant {
        _checkMessage(message);
        Rates storage rates = _rates;
        _tipETH(profileId, 0, msg.value, rates.feeBps, rates.creatorShareBps, message);
    }

    /// @inheritdoc ITipJar
    function tipETHWithReferrer(
        uint256 profileId,
        string calldata message,
        address referrer
    ) external payable nonReentrant {
        _checkMessage(message);
        uint256 balance = _referrerBalances[address(0)][referrer];
        uint256 referrerFee = _tipETHReferred(
            profileId,
            0,
            msg.value,
            _rates,
            referrer,
            balance,
            message
        );
        _creditETHReferrer(referrer, referrerFee, balance + referrerFee);
    }

    /// @inheritdoc ITipJar
    function tipPostETH(uint256 postId, string calldata message) external payable nonReentrant {
        _checkMessage(message);
        Rates storage rates = _rates;
        _tipETH(_authorOf(postId), postId, msg.value, rates.feeBps, rates.creatorShareBps, message);
    }

    /// @inheritdoc ITipJar
    function tipPostETHWithReferrer(
        uint256 postId,
        string calldata message,
        address referrer
    ) external payable nonReentrant {
        _checkMessage(message);
        uint256 balance = _referrerBalances[address(0)][referrer];
        uint256 referrerFee = _tipETHReferred(
            _authorOf(postId),
            postId,
            msg.value,
            _rates,
            referrer,
            balance,
            message
        );
        _creditETHReferrer(referrer, referrerFee, balance + referrerFee);
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
        (uint256 feeBps_, uint256 creatorShareBps_) = (_rates.feeBps, _rates.creatorShareBps);
        for (uint256 i; i < tips.length; ++i) {
            Tip calldata tip = tips[i];
            _tipETH(
                _batchRecipient(tip),
                tip.postId,
                tip.amount,
                feeBps_,
                creatorShareBps_,
                message
            );
        }
    }

    /// @inheritdoc ITipJar
    function tipETHBatchWithReferrer(
        Tip[] calldata tips,
        string calldata message,
        address referrer
    ) external payable nonReentrant {
        _checkMessage(message);
        _checkBatchValue(tips);
        uint256 start = _referrerBalances[address(0)][referrer];
        uint256 balance = start;
        for (uint256 i; i < tips.length; ++i) {
            balance += _tipETHReferred(
                _batchRecipient(tips[i]),
                tips[i].postId,
                tips[i].amount,
                _rates,
                referrer,
                balance,
                message
            );
        }
        _creditETHReferrer(referrer, balance - start, balance);
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
    function tipTokenWithReferrer(
        uint256 profileId,
        address token,
        uint256 amount,
        string calldata message,
        address referrer
    ) external nonReentrant {
        _checkMessage(message);
        _tipTokenReferred(profileId, 0, token, amount, message, referrer);
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
    function tipPostTokenWithReferrer(
        uint256 postId,
        address token,
        uint256 amount,
        string calldata message,
        address referrer
    ) external nonReentrant {
        _checkMessage(message);
        _tipTokenReferred(_authorOf(postId), postId, token, amount, message, referrer);
    }

    /// @inheritdoc ITipJar
    function tipTokenWithPermit(
        uint256 profileId,
        uint256 postId,
        address token,
        uint256 amount,
        string calldata message,
        address referrer,
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
        _tipTokenReferred(recipientId, postId, token, amount, message, referrer);
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

    /// @inheritdoc ITipJar
    function tipTokenBatchWithReferrer(
        address token,
        Tip[] calldata tips,
        string calldata message,
        address referrer
    ) external nonReentrant {
        _checkMessage(message);
        if (tips.length == 0) revert TipJarEmptyBatch();
        uint256 balance = _referrerBalances[token][referrer];
        uint256 totalFee;
        for (uint256 i; i < tips.length; ++i) {
            (uint256 fee, uint256 referrerFee) = _tipTokenBatchEntry(
                token,
                tips[i],
                referrer,
                balance,
                message
            );
            totalFee += fee;
            balance += referrerFee;
        }
        if (referrer != address(0)) _referrerBalances[token][referrer] = balance;
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
        // Cannot underflow: the sum of claimable balances includes this one.
        unchecked {
            _ethOwed.claimable -= uint128(amount);
        }
        emit TipClaimed(profileId, to, amount);
        (bool ok, ) = to.call{value: amount}("");
        if (!ok) revert TipJarETHTransferFailed(to, amount);
    }

    /// @inheritdoc ITipJar
    function sweepETH() external nonReentrant {
        EthOwed memory owed = _ethOwed;
        uint256 pending = address(this).balance - owed.claimable - owed.referrers;
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

    /// @inheritdoc ITipJar
    function withdrawReferrerFees(address token, address to) external nonReentrant {
        uint256 amount = _referrerBalances[token][msg.sender];
        if (amount == 0) revert TipJarNothingToWithdraw(token, msg.sender);
        _referrerBalances[token][msg.sender] = 0;
        emit ReferrerFeesWithdrawn(msg.sender, token, to, amount);
        if (token == address(0)) {
            // Cannot underflow: the sum of referrers' ETH balances includes this one.
            unchecked {
                _ethOwed.referrers -= uint128(amount);
            }
            (bool ok, ) = to.call{value: amount}("");
            if (!ok) revert TipJarETHTransferFailed(to, amount);
        } else {
            IERC20(token).safeTransfer(to, amount);
        }
    }

    // ---------------------------------------------------------------- governance

    /// @inheritdoc ITipJar
    function setFeeBps(uint16 feeBps_) external {
        if (msg.sender != _GOVERNANCE) revert TipJarUnauthorized(msg.sender);
        if (feeBps_ > MAX_FEE_BPS) revert TipJarFeeTooHigh(feeBps_, MAX_FEE_BPS);
        uint16 old = _rates.feeBps;
        _rates.feeBps = feeBps_;
        emit FeeChanged(old, feeBps_);
    }

    /// @inheritdoc ITipJar
    function setReferrerShareBps(uint16 bps) external {
        if (msg.sender != _GOVERNANCE) revert TipJarUnauthorized(msg.sender);
        if (bps > MAX_REFERRER_SHARE_BPS) {
            revert TipJarReferrerShareTooHigh(bps, MAX_REFERRER_SHARE_BPS);
        }
        emit ReferrerShareChanged(_rates.referrerShareBps, bps);
        _rates.referrerShareBps = bps;
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
    function referrerShareBps() external view returns (uint16) {
        return _rates.referrerShareBps;
    }

    /// @inheritdoc ITipJar
    function referrerBalanceOf(address token, address referrer) external view returns (uint256) {
        return _referrerBalances[token][referrer];
    }

    /// @inheritdoc ITipJar
    function pendingETHFees() external view returns (uint256) {
        EthOwed memory owed = _ethOwed;
        return address(this).balance - owed.claimable - owed.referrers;
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
        uint256 feeBps_,
        uint256 creatorShareBps_,
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
            uint256 fee = (amount * feeBps_) / _BPS;
            uint256 creatorPart = (fee * creatorShareBps_) / _BPS;
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
        if (!pushed) _creditClaimable(profileId, net);
    }

    /// @dev `_tipETH` for a tip brought by `referrer`, whose balance is `balance` before it: the
    /// referrer's part of the protocol fee is announced (`ReferrerCredited`, before `Tipped`) and
    /// returned for the caller to book with `_creditETHReferrer`, so that a batch writes the
    /// referrer's balance once.
    function _tipETHReferred(
        uint256 profileId,
        uint256 postId,
        uint256 amount,
        Rates memory rates,
        address referrer,
        uint256 balance,
        string calldata message
    ) private returns (uint256 referrerFee) {
        if (amount == 0) revert TipJarZeroAmount();
        address owner = _ownerOf(profileId);
        uint256 protocolFee;
        uint256 net;
        // As in `_tipETH`; the referrer fee is at most half of the protocol fee.
        unchecked {
            uint256 fee = (amount * rates.feeBps) / _BPS;
            protocolFee = fee - (fee * rates.creatorShareBps) / _BPS;
            net = amount - protocolFee;
            if (referrer != address(0)) {
                referrerFee = (protocolFee * rates.referrerShareBps) / _BPS;
                protocolFee -= referrerFee;
                emit ReferrerCredited(referrer, address(0), referrerFee, balance + referrerFee);
            }
        }
        bool pushed;
        // Plain equivalent as in `_tipETH`.
        assembly ("memory-safe") {
            pushed := call(ETH_PUSH_GAS, owner, net, 0, 0, 0, 0)
        }
        emit Tipped(profileId, postId, msg.sender, address(0), amount, protocolFee, message);
        if (!pushed) _creditClaimable(profileId, net);
    }

    /// @dev Books `amount` wei to `referrer`, whose balance becomes `balance` (announced by
    /// `_tipETHReferred`).
    function _creditETHReferrer(address referrer, uint256 amount, uint256 balance) private {
        if (amount == 0) return;
        _referrerBalances[address(0)][referrer] = balance;
        _ethOwed.referrers += amount.toUint128();
    }

    function _creditClaimable(uint256 profileId, uint256 net) private {
        uint256 balance = _claimable[profileId] + net;
        _claimable[profileId] = balance;
        _ethOwed.claimable += net.toUint128();
        emit TipCredited(profileId, net, balance);
    }

    /// @dev A token tip brought by `referrer`: its part of the fee is credited at once.
    function _tipTokenReferred(
        uint256 profileId,
        uint256 postId,
        address token,
        uint256 amount,
        string calldata message,
        address referrer
    ) private {
        (uint256 fee, uint256 referrerFee) = _splitTokenFee(amount, _rates, referrer);
        if (referrer != address(0)) {
            uint256 balance = _referrerBalances[token][referrer] + referrerFee;
            if (referrerFee != 0) _referrerBalances[token][referrer] = balance;
            emit ReferrerCredited(referrer, token, referrerFee, balance);
        }
        _tipTokenSplit(profileId, postId, token, amount, fee, referrerFee, message);
        if (fee != 0) _pull(token, msg.sender, address(this), fee);
    }

    /// @dev One entry of a referred token batch; `balance` is the referrer's before it. The caller
    /// books the referrer's balance and pulls the fees once for the whole batch.
    function _tipTokenBatchEntry(
        address token,
        Tip calldata tip,
        address referrer,
        uint256 balance,
        string calldata message
    ) private returns (uint256 fee, uint256 referrerFee) {
        uint256 recipientId = _batchRecipient(tip);
        (fee, referrerFee) = _splitTokenFee(tip.amount, _rates, referrer);
        if (referrer != address(0)) {
            emit ReferrerCredited(referrer, token, referrerFee, balance + referrerFee);
        }
        _tipTokenSplit(recipientId, tip.postId, token, tip.amount, fee, referrerFee, message);
    }

    /// @dev The whole fee of a token tip and the referrer's part of it (0 without a referrer).
    function _splitTokenFee(
        uint256 amount,
        Rates memory rates,
        address referrer
    ) private pure returns (uint256 fee, uint256 referrerFee) {
        if (amount == 0) revert TipJarZeroAmount();
        fee = _feeRoundingDown(amount, rates.feeBps);
        if (referrer != address(0)) referrerFee = (fee * rates.referrerShareBps) / _BPS;
    }

    /// @dev Sends the creator's part and books the fee less the referrer's part for the split;
    /// the caller pulls the whole fee into this contract.
    function _tipTokenSplit(
        uint256 profileId,
        uint256 postId,
        address token,
        uint256 amount,
        uint256 fee,
        uint256 referrerFee,
        string calldata message
    ) private {
        address owner = _ownerOf(profileId);
        uint256 kept = fee - referrerFee;
        if (kept != 0) _tokenFees[token][profileId] += kept;
        emit Tipped(profileId, postId, msg.sender, token, amount, kept, message);
        _pull(token, msg.sender, owner, amount - fee);
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

    /// @dev A batch has entries, and `msg.value` is their sum.
    function _checkBatchValue(Tip[] calldata tips) private view {
        if (tips.length == 0) revert TipJarEmptyBatch();
        uint256 total;
        for (uint256 i; i < tips.length; ++i) total += tips[i].amount;
        if (total != msg.value) revert TipJarValueMismatch(msg.value, total);
    }

    function _checkMessage(string calldata message) private pure {
        if (bytes(message).length > MAX_MESSAGE_LENGTH) {
            revert TipJarMessageTooLong(bytes(message).length, MAX_MESSAGE_LENGTH);
        }
    }

    /// @dev The protocol fee of `amount`, rounded down (in the creator's favour).
    /// A product `amount * bps` overflows only for amounts above 2^256 / MAX_FEE_BPS, which no
    /// real token reaches; there the 512-bit `mulDiv` gives the same floor.
    function _feeRoundingDown(uint256 amount, uint16 bps) private pure returns (uint256) {
        if (amount > _MAX_PLAIN_FEE_AMOUNT) return Math.mulDiv(amount, bps, _BPS);
        // Cannot overflow: amount <= 2^256 / MAX_FEE_BPS and bps <= MAX_FEE_BPS.
        unchecked {
            return (amount * bps) / _BPS;
        }
    }
}
