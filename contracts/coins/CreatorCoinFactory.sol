// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ICreatorCoin} from "../interfaces/ICreatorCoin.sol";
import {ICreatorCoinFactory} from "../interfaces/ICreatorCoinFactory.sol";
import {IProfileRegistry} from "../interfaces/IProfileRegistry.sol";
import {IRevenueSink} from "../interfaces/IRevenueSink.sol";
import {CreatorCoin} from "./CreatorCoin.sol";

/// @title CreatorCoinFactory
/// @notice Deploys the one `CreatorCoin` implementation in its constructor and launches every
/// coin as a minimal-proxy clone of it. Governance (an address fixed at deployment: the DAO
/// timelock) sets the protocol fee and the referrer share, within their caps and
/// `FEE_CHANGE_DELAY` ahead; nothing else is adjustable.
///
/// Invariant the coins rely on: a rate never changes sooner than `FEE_CHANGE_DELAY` after the
/// transaction that schedules the change. So the rates in effect at time `t` stay in effect
/// until the earliest pending change, or `t + FEE_CHANGE_DELAY` if none is pending
/// (`feeRates().until`), and each coin keeps a copy in its own storage until then instead of
/// calling the factory on every trade.
contract CreatorCoinFactory is ICreatorCoinFactory {
    using SafeCast for uint256;

    /// @inheritdoc ICreatorCoinFactory
    uint256 public constant MAX_PROTOCOL_FEE_BPS = 500;
    /// @inheritdoc ICreatorCoinFactory
    uint256 public constant MAX_REFERRER_SHARE_BPS = 5_000;
    /// @inheritdoc ICreatorCoinFactory
    uint256 public constant FEE_CHANGE_DELAY = 7 days;

    /// @dev The largest profile id the 7 bytes a coin's clone arguments leave for it can hold.
    uint256 private constant _MAX_PROFILE_ID = type(uint56).max;

    address private immutable _IMPLEMENTATION;
    IProfileRegistry private immutable _REGISTRY;
    IRevenueSink private immutable _REVENUE_SINK;
    address private immutable _GOVERNANCE;

    /// @dev Both rates and their pending changes in one slot. A pending change (`...At` non-zero)
    /// replaces its rate from `...At` on; a new change of the same rate replaces it.
    struct Rates {
        uint16 protocolFeeBps;
        uint16 referrerShareBps;
        uint16 nextProtocolFeeBps;
        uint16 nextReferrerShareBps;
        uint32 nextProtocolFeeAt;
        uint32 nextReferrerShareAt;
    }

    Rates private _rates;
    mapping(uint256 profileId => address) private _coinOf;

    /// @param registry_ The profile registry.
    /// @param revenueSink_ Where coins sweep protocol fees.
    /// @param governance_ The only address that may change the protocol fee.
    /// @param protocolFeeBps_ The initial protocol fee, at most MAX_PROTOCOL_FEE_BPS.
    /// @param referrerShareBps_ The initial referrer share, at most MAX_REFERRER_SHARE_BPS.
    constructor(
        IProfileRegistry registry_,
        IRevenueSink revenueSink_,
        address governance_,
        uint256 protocolFeeBps_,
        uint256 referrerShareBps_
    ) {
        if (
            address(registry_) == address(0) ||
            address(revenueSink_) == address(0) ||
            governance_ == address(0)
        ) revert CreatorCoinFactoryZeroAddress();
        if (protocolFeeBps_ > MAX_PROTOCOL_FEE_BPS) {
            revert CreatorCoinFactoryFeeTooHigh(protocolFeeBps_, MAX_PROTOCOL_FEE_BPS);
        }
        if (referrerShareBps_ > MAX_REFERRER_SHARE_BPS) {
            revert CreatorCoinFactoryReferrerShareTooHigh(
                referrerShareBps_,
                MAX_REFERRER_SHARE_BPS
            );
        }
        _REGISTRY = registry_;
        _REVENUE_SINK = revenueSink_;
        _GOVERNANCE = governance_;
        // Casts are safe: both are checked against caps far below 2^16 above.
        _rates.protocolFeeBps = uint16(protocolFeeBps_);
        _rates.referrerShareBps = uint16(referrerShareBps_);
        emit ProtocolFeeChanged(0, protocolFeeBps_);
        emit ReferrerShareChanged(0, referrerShareBps_);
        _IMPLEMENTATION = address(new CreatorCoin(registry_, revenueSink_));
    }

    /// @inheritdoc ICreatorCoinFactory
    function launch(
        uint256 profileId,
        uint256 creatorFeeBps,
        uint256 minCoinsOut,
        uint256 deadline
    ) external payable returns (address coin) {
        if (_REGISTRY.ownerOf(profileId) != msg.sender) {
            revert CreatorCoinFactoryUnauthorized(msg.sender);
        }
        address existing = _coinOf[profileId];
        if (existing != address(0)) revert CreatorCoinFactoryAlreadyLaunched(profileId, existing);
        if (profileId > _MAX_PROFILE_ID) {
            revert CreatorCoinFactoryProfileIdTooLarge(profileId, _MAX_PROFILE_ID);
        }
        // The registry keeps handles to 3-25 bytes of [a-z0-9_] (`Handles.MAX_LENGTH`), so one
        // word holds the handle, left-aligned, and the profile id in its low 7 bytes.
        string memory handle = _REGISTRY.handleOf(profileId);
        coin = Clones.cloneWithImmutableArgs(
            _IMPLEMENTATION,
            abi.encode(bytes32(bytes(handle)) | bytes32(profileId))
        );
        _coinOf[profileId] = coin;
        ICreatorCoin(coin).initialize{value: msg.value}(
            creatorFeeBps,
            msg.sender,
            minCoinsOut,
            deadline
        );
        emit CoinLaunched(profileId, coin, msg.sender, handle, creatorFeeBps);
    }

    /// @inheritdoc ICreatorCoinFactory
    function setProtocolFeeBps(uint256 newBps) external {
        if (msg.sender != _GOVERNANCE) revert CreatorCoinFactoryUnauthorized(msg.sender);
        if (newBps > MAX_PROTOCOL_FEE_BPS) {
            revert CreatorCoinFactoryFeeTooHigh(newBps, MAX_PROTOCOL_FEE_BPS);
        }
        Rates memory r = _ratesNow();
        uint256 replaced = r.nextProtocolFeeAt == 0 ? r.protocolFeeBps : r.nextProtocolFeeBps;
        r.nextProtocolFeeBps = uint16(newBps); // Safe: newBps <= MAX_PROTOCOL_FEE_BPS.
        r.nextProtocolFeeAt = (block.timestamp + FEE_CHANGE_DELAY).toUint32();
        _rates = r;
        emit ProtocolFeeChanged(replaced, newBps);
    }

    /// @inheritdoc ICreatorCoinFactory
    function setReferrerShareBps(uint256 newBps) external {
        if (msg.sender != _GOVERNANCE) revert CreatorCoinFactoryUnauthorized(msg.sender);
        if (newBps > MAX_REFERRER_SHARE_BPS) {
            revert CreatorCoinFactoryReferrerShareTooHigh(newBps, MAX_REFERRER_SHARE_BPS);
        }
        Rates memory r = _ratesNow();
        uint256 replaced = r.nextReferrerShareAt == 0 ? r.referrerShareBps : r.nextReferrerShareBps;
        r.nextReferrerShareBps = uint16(newBps); // Safe: newBps <= MAX_REFERRER_SHARE_BPS.
        r.nextReferrerShareAt = (block.timestamp + FEE_CHANGE_DELAY).toUint32();
        _rates = r;
        emit ReferrerShareChanged(replaced, newBps);
    }

    /// @inheritdoc ICreatorCoinFactory
    function coinOf(uint256 profileId) external view returns (address) {
        return _coinOf[profileId];
    }

    /// @inheritdoc ICreatorCoinFactory
    function protocolFeeBps() external view returns (uint256) {
        return _ratesNow().protocolFeeBps;
    }

    /// @inheritdoc ICreatorCoinFactory
    function referrerShareBps() external view returns (uint256) {
        return _ratesNow().referrerShareBps;
    }

    /// @inheritdoc ICreatorCoinFactory
    function feeRates()
        external
        view
        returns (uint256 protocolBps, uint256 referrerShareBps_, uint256 until)
    {
        Rates memory r = _ratesNow();
        until = block.timestamp + FEE_CHANGE_DELAY;
        if (r.nextProtocolFeeAt != 0 && r.nextProtocolFeeAt < until) until = r.nextProtocolFeeAt;
        if (r.nextReferrerShareAt != 0 && r.nextReferrerShareAt < until) {
            until = r.nextReferrerShareAt;
        }
        return (r.protocolFeeBps, r.referrerShareBps, until);
    }

    /// @inheritdoc ICreatorCoinFactory
    function pendingProtocolFee() external view returns (uint256 bps, uint256 effectiveAt) {
        Rates memory r = _ratesNow();
        return (r.nextProtocolFeeBps, r.nextProtocolFeeAt);
    }

    /// @inheritdoc ICreatorCoinFactory
    function pendingReferrerShare() external view returns (uint256 bps, uint256 effectiveAt) {
        Rates memory r = _ratesNow();
        return (r.nextReferrerShareBps, r.nextReferrerShareAt);
    }

    /// @inheritdoc ICreatorCoinFactory
    function governance() external view returns (address) {
        return _GOVERNANCE;
    }

    /// @inheritdoc ICreatorCoinFactory
    function registry() external view returns (address) {
        return address(_REGISTRY);
    }

    /// @inheritdoc ICreatorCoinFactory
    function revenueSink() external view returns (address) {
        return address(_REVENUE_SINK);
    }

    /// @inheritdoc ICreatorCoinFactory
    function implementation() external view returns (address) {
        return _IMPLEMENTATION;
    }

    /// @dev The stored rates with every change that has reached its time applied: the current
    /// rates are in effect now, and a pending change left (`...At` non-zero) lies in the future.
    function _ratesNow() private view returns (Rates memory r) {
        r = _rates;
        if (r.nextProtocolFeeAt != 0 && block.timestamp >= r.nextProtocolFeeAt) {
            (r.protocolFeeBps, r.nextProtocolFeeBps, r.nextProtocolFeeAt) = (
                r.nextProtocolFeeBps,
                0,
                0
            );
        }
        if (r.nextReferrerShareAt != 0 && block.timestamp >= r.nextReferrerShareAt) {
            (r.referrerShareBps, r.nextReferrerShareBps, r.nextReferrerShareAt) = (
                r.nextReferrerShareBps,
                0,
                0
            );
        }
    }
}
