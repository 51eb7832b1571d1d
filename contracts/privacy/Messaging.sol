// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {IMessaging} from "../interfaces/IMessaging.sol";
import {IProfileRegistry} from "../interfaces/IProfileRegistry.sol";

/// @title Messaging
/// @notice Messaging keys and encrypted direct messages; see {IMessaging}.
///
/// Storage, two words per profile that publishes a key: the key, and its version. The key is
/// kept (not only emitted) so that a wallet can check the key it encrypts to with one `eth_call`
/// instead of trusting an indexer. Messages live only in events.
contract Messaging is IMessaging, EIP712, Nonces {
    /// @notice Longest ciphertext, in bytes: 4 KiB holds a few thousand characters of text plus
    /// the envelope; longer content belongs off chain.
    uint256 public constant MAX_CIPHERTEXT_LENGTH = 4096;

    bytes32 private constant _PUBLISH_KEY_TYPEHASH = keccak256(
        "PublishKey(uint256 profileId,bytes publicKey,uint256 nonce,uint256 deadline)"
    );

    struct Key {
        bytes32 publicKey;
        uint256 version;
    }

    IProfileRegistry private immutable _PROFILES;

    mapping(uint256 profileId => Key) private _keys;

    constructor(IProfileRegistry profiles_) EIP712("Agora Messaging", "1") {
        _PROFILES = profiles_;
    }

    /// @inheritdoc IMessaging
    function publishKey(
        uint256 profileId,
        bytes calldata publicKey
    ) external returns (uint256 keyVersion) {
        if (_PROFILES.ownerOf(profileId) != msg.sender)
            revert MessagingUnauthorized(profileId, msg.sender);
        return _publish(profileId, publicKey);
    }

    /// @inheritdoc IMessaging
    function publishKeyFor(
        uint256 profileId,
        bytes calldata publicKey,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256 keyVersion) {
        address owner = _PROFILES.ownerOf(profileId);
        if (owner == address(0)) revert MessagingProfileNotFound(profileId);
        if (block.timestamp > deadline) revert MessagingSignatureExpired(deadline);
        bytes32 structHash = keccak256(
            abi.encode(
                _PUBLISH_KEY_TYPEHASH,
                profileId,
                keccak256(publicKey),
                _useNonce(owner),
                deadline
            )
        );
        if (
            !SignatureChecker.isValidSignatureNowCalldata(
                owner,
                _hashTypedDataV4(structHash),
                signature
            )
        ) revert MessagingSignatureInvalid(owner);
        return _publish(profileId, publicKey);
    }

    /// @inheritdoc IMessaging
    function revokeKey(uint256 profileId) external {
        if (_PROFILES.ownerOf(profileId) != msg.sender)
            revert MessagingUnauthorized(profileId, msg.sender);
        Key storage key = _keys[profileId];
        if (key.publicKey == bytes32(0)) revert MessagingKeyMissing(profileId);
        key.publicKey = bytes32(0);
        emit MessagingKeyRevoked(profileId, key.version);
    }

    /// @inheritdoc IMessaging
    function sendMessage(uint256 fromId, uint256 toId, bytes calldata ciphertext) external {
        uint256 length = ciphertext.length;
        if (length == 0) revert MessagingCiphertextEmpty();
        if (length > MAX_CIPHERTEXT_LENGTH)
            revert MessagingCiphertextTooLong(length, MAX_CIPHERTEXT_LENGTH);
        if (fromId == toId) revert MessagingSelfMessage(fromId);
        if (_PROFILES.ownerOf(fromId) != msg.sender)
            revert MessagingUnauthorized(fromId, msg.sender);
        // A profile that does not exist has no key, so this also rejects unknown recipients.
        if (_keys[fromId].publicKey == bytes32(0)) revert MessagingKeyMissing(fromId);
        if (_keys[toId].publicKey == bytes32(0)) revert MessagingKeyMissing(toId);
        emit MessageSent(fromId, toId, ciphertext);
    }

    /// @inheritdoc IMessaging
    function burnNonce() external returns (uint256 nonce) {
        nonce = _useNonce(msg.sender);
        emit MessagingNonceUsed(msg.sender, nonce);
    }

    /// @inheritdoc IMessaging
    function keyOf(
        uint256 profileId
    ) external view returns (bytes32 publicKey, uint256 keyVersion) {
        Key storage key = _keys[profileId];
        return (key.publicKey, key.version);
    }

    /// @inheritdoc IMessaging
    function nonces(address owner) public view override(IMessaging, Nonces) returns (uint256) {
        return super.nonces(owner);
    }

    /// @notice The registry this contract asks for profile owners.
    function profileRegistry() external view returns (IProfileRegistry) {
        return _PROFILES;
    }

    function _publish(uint256 profileId, bytes calldata publicKey) private returns (uint256) {
        if (publicKey.length != 32) revert MessagingKeyInvalid(publicKey.length);
        bytes32 value = bytes32(publicKey);
        if (value == bytes32(0)) revert MessagingKeyInvalid(32);
        Key storage key = _keys[profileId];
        key.publicKey = value;
        uint256 keyVersion = ++key.version;
        emit MessagingKeyPublished(profileId, keyVersion, value);
        return keyVersion;
    }
}
