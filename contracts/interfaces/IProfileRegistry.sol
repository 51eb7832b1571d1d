// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IProfileRegistry
/// @notice Agora profiles: one unique handle per profile, one profile per address. Metadata
/// (display name, bio, avatar) lives off-chain at a content URI that only travels in events.
///
/// Listeners may assume:
/// - profile ids start at 1, increase by one per registration and are never reused;
/// - a handle belongs to at most one profile at a time; `HandleChanged` frees the old handle;
/// - `ProfileTransferred` is the only event that changes a profile's owner, and it is emitted
///   both by the two-step transfer and by recovery;
/// - every event carries the full new value, so no listener needs to call the chain back.
interface IProfileRegistry {
    /// @notice A profile was registered.
    event ProfileRegistered(
        uint256 indexed profileId,
        address indexed owner,
        string handle,
        string metadataURI
    );

    /// @notice The profile's handle changed from `oldHandle` (now free) to `newHandle`.
    event HandleChanged(uint256 indexed profileId, string oldHandle, string newHandle);

    /// @notice The profile's metadata URI changed.
    event MetadataURIChanged(uint256 indexed profileId, string metadataURI);

    /// @notice The owner offered the profile to `to` (zero address: offer withdrawn).
    event ProfileTransferOffered(
        uint256 indexed profileId,
        address indexed from,
        address indexed to
    );

    /// @notice The profile moved from `from` to `to`, by accepted offer or by recovery.
    event ProfileTransferred(uint256 indexed profileId, address indexed from, address indexed to);

    /// @notice The owner set the address allowed to recover the profile (zero: none).
    event RecoverySet(uint256 indexed profileId, address indexed recovery);

    /// @notice The handle is not 3-25 characters of [a-z0-9_] not starting with `_`.
    error ProfileHandleInvalid(string handle);
    /// @notice The handle belongs to another profile.
    error ProfileHandleTaken(string handle, uint256 profileId);
    /// @notice `account` already owns profile `profileId`.
    error ProfileAlreadyOwned(address account, uint256 profileId);
    /// @notice No profile has this id.
    error ProfileNotFound(uint256 profileId);
    /// @notice `caller` may not act for `profileId`.
    error ProfileUnauthorized(uint256 profileId, address caller);
    /// @notice `caller` has no pending transfer offer for `profileId`.
    error ProfileNoTransferOffer(uint256 profileId, address caller);
    /// @notice The signed request expired at `deadline`.
    error ProfileSignatureExpired(uint256 deadline);
    /// @notice The signature does not come from `expected`.
    error ProfileSignatureInvalid(address expected);
    /// @notice `account` is the zero address, or otherwise unusable here.
    error ProfileInvalidAddress(address account);

    /// @notice Registers a profile owned by the caller.
    function register(
        string calldata handle,
        string calldata metadataURI
    ) external returns (uint256 profileId);

    /// @notice Registers a profile owned by `owner`, authorised by `owner`'s EIP-712 signature.
    function registerFor(
        address owner,
        string calldata handle,
        string calldata metadataURI,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256 profileId);

    /// @notice Changes the profile's handle; the old handle becomes free.
    function changeHandle(uint256 profileId, string calldata newHandle) external;

    /// @notice Changes the profile's metadata URI.
    function setMetadataURI(uint256 profileId, string calldata metadataURI) external;

    /// @notice Changes handle (empty: unchanged) and metadata URI (empty: unchanged) for a signer.
    function updateFor(
        uint256 profileId,
        string calldata newHandle,
        string calldata metadataURI,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @notice Offers the profile to `to`, who must call `acceptTransfer`. Zero withdraws the offer.
    function offerTransfer(uint256 profileId, address to) external;

    /// @notice Accepts a pending offer: the caller becomes the owner.
    function acceptTransfer(uint256 profileId) external;

    /// @notice Sets the address that may move the profile with `recover` (zero: none).
    function setRecovery(uint256 profileId, address recovery) external;

    /// @notice Called by the recovery address: moves the profile to `to` at once.
    function recover(uint256 profileId, address to) external;

    /// @notice The owner of `profileId`, or zero if it does not exist.
    function ownerOf(uint256 profileId) external view returns (address);

    /// @notice The profile owned by `account`, or 0.
    function profileIdOf(address account) external view returns (uint256);

    /// @notice The profile holding `handle`, or 0.
    function profileIdOfHandle(string calldata handle) external view returns (uint256);

    /// @notice The current handle of `profileId`.
    function handleOf(uint256 profileId) external view returns (string memory);

    /// @notice The recovery address of `profileId`.
    function recoveryOf(uint256 profileId) external view returns (address);

    /// @notice The pending transfer offer of `profileId`.
    function pendingOwnerOf(uint256 profileId) external view returns (address);

    /// @notice How many profiles were ever registered (also the highest id).
    function profileCount() external view returns (uint256);

    /// @notice Whether `handle` is well formed (does not check availability).
    function isValidHandle(string calldata handle) external pure returns (bool);

    /// @notice The next nonce `account` must sign with.
    function nonces(address account) external view returns (uint256);
}
