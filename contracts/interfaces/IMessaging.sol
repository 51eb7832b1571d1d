// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IMessaging
/// @notice End-to-end encrypted direct messages between Agora profiles. A profile publishes an
/// X25519 public key, bound to it by its owner's transaction or EIP-712 signature, and may
/// rotate it. Messages travel as ciphertexts in events; the contract never sees a secret key
/// or a plaintext, and checks only who sends, to whom, and the ciphertext's size. The envelope
/// inside a ciphertext (version, key versions, nonce, AEAD output) is defined by `sdk/messaging.ts`
/// and docs/privacy.md.
///
/// What stays public: who writes to whom, when, and how long each ciphertext is.
///
/// Listeners may assume:
/// - `MessagingKeyPublished` carries the profile's key in force from that event on, and its
///   version: versions of one profile start at 1 and increase by one per publication;
///   `MessagingKeyRevoked` leaves the profile without a key (the version is kept, the next
///   publication takes the next one);
/// - `MessageSent` is emitted only while both profiles have a key in force, so a reader knows
///   from the events before it which keys the sender could have used;
/// - a ciphertext is 1 to `MAX_CIPHERTEXT_LENGTH` bytes, otherwise unchecked.
interface IMessaging {
    /// @notice Profile `profileId` published `publicKey` (32 bytes, X25519) as its messaging key
    /// number `keyVersion`; it replaces any earlier key.
    event MessagingKeyPublished(uint256 indexed profileId, uint256 keyVersion, bytes32 publicKey);

    /// @notice Profile `profileId` withdrew its messaging key `keyVersion`: no one can write to it
    /// until it publishes another.
    event MessagingKeyRevoked(uint256 indexed profileId, uint256 keyVersion);

    /// @notice Profile `fromId` sent `ciphertext` to profile `toId`.
    event MessageSent(uint256 indexed fromId, uint256 indexed toId, bytes ciphertext);

    /// @notice `account` gave up its EIP-712 nonce `nonce` unused: requests signed with it fail.
    event MessagingNonceUsed(address indexed account, uint256 nonce);

    /// @notice `caller` does not own profile `profileId` (or the profile does not exist).
    error MessagingUnauthorized(uint256 profileId, address caller);
    /// @notice No profile has id `profileId`.
    error MessagingProfileNotFound(uint256 profileId);
    /// @notice A messaging public key is 32 bytes and not all zero; this one has `length` bytes.
    error MessagingKeyInvalid(uint256 length);
    /// @notice Profile `profileId` has no messaging key in force.
    error MessagingKeyMissing(uint256 profileId);
    /// @notice A ciphertext must not be empty.
    error MessagingCiphertextEmpty();
    /// @notice A ciphertext is at most `maxLength` bytes; this one has `length`.
    error MessagingCiphertextTooLong(uint256 length, uint256 maxLength);
    /// @notice A profile may not write to itself (`profileId`).
    error MessagingSelfMessage(uint256 profileId);
    /// @notice The signed request expired at `deadline`.
    error MessagingSignatureExpired(uint256 deadline);
    /// @notice The signature does not come from `expected`, the profile's owner.
    error MessagingSignatureInvalid(address expected);

    /// @notice Publishes (or rotates to) `publicKey` as the messaging key of `profileId`; the
    /// caller owns the profile. Returns the key's version.
    function publishKey(
        uint256 profileId,
        bytes calldata publicKey
    ) external returns (uint256 keyVersion);

    /// @notice Publishes `publicKey` for `profileId` with its owner's EIP-712 signature of
    /// `PublishKey(uint256 profileId,bytes publicKey,uint256 nonce,uint256 deadline)`; anyone
    /// relays. Uses the owner's nonce.
    function publishKeyFor(
        uint256 profileId,
        bytes calldata publicKey,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256 keyVersion);

    /// @notice Withdraws the messaging key of `profileId` (its owner only).
    function revokeKey(uint256 profileId) external;

    /// @notice Sends `ciphertext` from `fromId` (owned by the caller) to `toId`.
    function sendMessage(uint256 fromId, uint256 toId, bytes calldata ciphertext) external;

    /// @notice Gives up the caller's current EIP-712 nonce, so that a signature made with it fails.
    function burnNonce() external returns (uint256 nonce);

    /// @notice The messaging key in force for `profileId` (zero: none) and its version.
    function keyOf(uint256 profileId) external view returns (bytes32 publicKey, uint256 keyVersion);

    /// @notice The next EIP-712 nonce of `owner`.
    function nonces(address owner) external view returns (uint256);
}
