// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {ICreatorCoin} from "../interfaces/ICreatorCoin.sol";
import {ICreatorCoinFactory} from "../interfaces/ICreatorCoinFactory.sol";
import {IProfileRegistry} from "../interfaces/IProfileRegistry.sol";
import {IRevenueSink} from "../interfaces/IRevenueSink.sol";
import {CreatorCoin} from "./CreatorCoin.sol";

/// @title CreatorCoinFactory
/// @notice Deploys the one `CreatorCoin` implementation in its constructor and launches every
/// coin as a minimal-proxy clone of it. Governance (an address fixed at deployment: the DAO
/// timelock) sets the protocol fee, at most `MAX_PROTOCOL_FEE_BPS`; nothing else is adjustable.
contract CreatorCoinFactory is ICreatorCoinFactory {
    /// @inheritdoc ICreatorCoinFactory
    uint256 public constant MAX_PROTOCOL_FEE_BPS = 500;

    address private immutable _IMPLEMENTATION;
    IProfileRegistry private immutable _REGISTRY;
    IRevenueSink private immutable _REVENUE_SINK;
    address private immutable _GOVERNANCE;

    uint256 private _protocolFeeBps;
    mapping(uint256 profileId => address) private _coinOf;

    /// @param registry_ The profile registry.
    /// @param revenueSink_ Where coins sweep protocol fees.
    /// @param governance_ The only address that may change the protocol fee.
    /// @param protocolFeeBps_ The initial protocol fee, at most MAX_PROTOCOL_FEE_BPS.
    constructor(
        IProfileRegistry registry_,
        IRevenueSink revenueSink_,
        address governance_,
        uint256 protocolFeeBps_
    ) {
        if (
            address(registry_) == address(0) ||
            address(revenueSink_) == address(0) ||
            governance_ == address(0)
        ) revert CreatorCoinFactoryZeroAddress();
        if (protocolFeeBps_ > MAX_PROTOCOL_FEE_BPS) {
            revert CreatorCoinFactoryFeeTooHigh(protocolFeeBps_, MAX_PROTOCOL_FEE_BPS);
        }
        _REGISTRY = registry_;
        _REVENUE_SINK = revenueSink_;
        _GOVERNANCE = governance_;
        _protocolFeeBps = protocolFeeBps_;
        emit ProtocolFeeChanged(0, protocolFeeBps_);
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
        // The registry keeps handles to 3-25 bytes of [a-z0-9_], so one word holds a handle.
        string memory handle = _REGISTRY.handleOf(profileId);
        coin = Clones.cloneWithImmutableArgs(
            _IMPLEMENTATION,
            abi.encode(profileId, bytes32(bytes(handle)))
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
        emit ProtocolFeeChanged(_protocolFeeBps, newBps);
        _protocolFeeBps = newBps;
    }

    /// @inheritdoc ICreatorCoinFactory
    function coinOf(uint256 profileId) external view returns (address) {
        return _coinOf[profileId];
    }

    /// @inheritdoc ICreatorCoinFactory
    function protocolFeeBps() external view returns (uint256) {
        return _protocolFeeBps;
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
}
