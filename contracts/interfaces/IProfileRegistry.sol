// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IProfileRegistry
/// @notice Agora profiles: one unique handle per profile, one profile per address. Metadata
/// (display name, bio, avatar) lives off-chain at a content URI that only travels in events.
///
/// Recovery protects a profile against a lost or stolen owner key. The recovery address can
/// always take the profile back; what the owner key alone can do to escape it waits the
/// recovery delay (3 days), so that the recovery address has time to act first:
/// - a first recovery address (none in force) applies at once; changing or clearing one in force
///   is scheduled 3 days ahead, and the address in force keeps its power until then;
/// - while a recovery address is in force, the owner's transfer offers can be accepted only
///   3 days after they were made;
/// - a recovery never pushes a profile onto an address: it offers the profile to the new
///   address for 7 days (the new address accepts), unless the recovery address recovers to
///   itself or brings the new address's EIP-712 consent. A recovery cancels any scheduled
///   recovery change.
/// A handle a profile gives up stays reserved for that profile for 30 days (its cooldown).
///
/// The times these periods produce travel in the events, the views and the errors; `sdk/`
/// exports the periods for apps that announce them beforehand.
///
/// Listeners may assume:
/// - profile ids start at 1, increase by one per registration and are never reused;
/// - a handle belongs to at most one profile at a time. `HandleChanged` frees the old handle,
///   which stays reserved for the same profile until `oldHandleFreeAt`;
/// - `ProfileTransferred` is the only event that changes a profile's owner, and it is emitted
///   by an accepted offer (the owner's or a recovery offer), by a recovery to the recovery
///   address itself and by a recovery with the new owner's consent. It also clears any pending
///   offer (no separate event), the recovery address and any scheduled recovery change
///   (announced by `RecoverySet(profileId, 0)` when one of them was set);
/// - `ProfileTransferOffered` and `ProfileRecoveryOffered` replace any earlier offer of the
///   profile;
/// - the recovery address in force at any time `t` follows the latest of `RecoverySet` (its
///   `recovery`) and `RecoveryChangeScheduled` (`newRecovery` once `t >= effectiveAt`,
///   `currentRecovery` before). No other event announces that a scheduled change took effect;
/// - every event carries the full new value, so no listener needs to call the chain back.
interface IProfileRegistry {
    /// @notice A profile was registered.
    event ProfileRegistered(
        uint256 indexed profileId,
        address indexed owner,
        string handle,
        string metadataURI
    );

    /// @notice The profile's handle changed from `oldHandle` to `newHandle`. From
    /// `oldHandleFreeAt` (a unix time) anyone may claim `oldHandle`; before, only this profile.
    event HandleChanged(
        uint256 indexed profileId,
        string oldHandle,
        string newHandle,
        uint256 oldHandleFreeAt
    );

    /// @notice The profile's metadata URI changed.
    event MetadataURIChanged(uint256 indexed profileId, string metadataURI);

    /// @notice The owner offered the profile to `to`, who may accept it until `expiresAt`
    /// (inclusive; while a recovery address is in force, not before 3 days after this event).
    /// `to` zero: the offer was withdrawn (`expiresAt` 0). The owner who made the offer is not
    /// repeated: it is the profile's owner in that block.
    event ProfileTransferOffered(uint256 indexed profileId, address indexed to, uint256 expiresAt);

    /// @notice The recovery address `recovery` offered the profile to `to`, who may accept it at
    /// once and until `expiresAt` (inclusive). The owner can neither replace nor withdraw it.
    event ProfileRecoveryOffered(
        uint256 indexed profileId,
        address indexed recovery,
        address indexed to,
        uint256 expiresAt
    );

    /// @notice The profile moved from `from` to `to`, by accepted offer or by recovery.
    event ProfileTransferred(uint256 indexed profileId, address indexed from, address indexed to);

    /// @notice The recovery address is `recovery` from now on (zero: none), with no change
    /// scheduled.
    event RecoverySet(uint256 indexed profileId, address indexed recovery);

    /// @notice The owner scheduled a change of the recovery address: `currentRecovery` keeps its
    /// power until `effectiveAt` (a unix time), then `newRecovery` (zero: none) replaces it.
    event RecoveryChangeScheduled(
        uint256 indexed profileId,
        address indexed currentRecovery,
        address indexed newRecovery,
        uint256 effectiveAt
    );

    /// @notice `account` gave up its EIP-712 nonce `nonce` unused: requests signed with it fail.
    event NonceUsed(address indexed account, uint256 nonce);

    /// @notice The handle is not 3-25 characters of [a-z0-9_] not starting with `_`.
    error ProfileHandleInvalid(string handle);
    /// @notice The handle belongs to another profile.
    error ProfileHandleTaken(string handle, uint256 profileId);
    /// @notice Profile `profileId` freed the handle; only it may claim it before `freeAt`.
    error ProfileHandleCoolingDown(string handle, uint256 profileId, uint256 freeAt);
    /// @notice `account` already owns profile `profileId`.
    error ProfileAlreadyOwned(address account, uint256 profileId);
    /// @notice No profile has this id.
    error ProfileNotFound(uint256 profileId);
    /// @notice `caller` may not act for `profileId`.
    error ProfileUnauthorized(uint256 profileId, address caller);
    /// @notice `caller` has no pending transfer offer for `profileId`.
    error ProfileNoTransferOffer(uint256 profileId, address caller);
    /// @notice The offer of `profileId` could be accepted until `expiresAt`, which has passed.
    error ProfileTransferOfferExpired(uint256 profileId, uint256 expiresAt);
    /// @notice The offer of `profileId` cannot be accepted before `acceptableAt`: a recovery
    /// address is in force and may still answer the offer.
    error ProfileTransferOfferTooEarly(uint256 profileId, uint256 acceptableAt);
    /// @notice An offer's expiry lies in the past.
    error ProfileTransferExpiryInvalid(uint256 expiresAt);
    /// @notice The recovery address offered `profileId` to `to` until `expiresAt`; the owner can
    /// neither offer it elsewhere nor change the recovery address before then.
    error ProfileRecoveryInProgress(uint256 profileId, address to, uint256 expiresAt);
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

    /// @notice Changes the profile's handle. The old handle stays reserved for this profile for
    /// 30 days, then becomes free for anyone.
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

    /// @notice Offers the profile to `to`, who must call `acceptTransfer` by `expiresAt` (unix
    /// time, inclusive; values past 2^40-1 mean never and are stored as 2^40-1). Zero `to`
    /// withdraws the offer. Replaces any earlier offer, but not an open recovery offer.
    function offerTransfer(uint256 profileId, address to, uint256 expiresAt) external;

    /// @notice Accepts a pending transfer or recovery offer: the caller becomes the owner.
    function acceptTransfer(uint256 profileId) external;

    /// @notice Sets the address that may recover the profile (zero: none); never the owner.
    /// With none in force it applies at once; otherwise it is scheduled 3 days ahead, replacing
    /// any change already scheduled, and naming the address in force cancels it.
    function setRecovery(uint256 profileId, address recovery) external;

    /// @notice Called by the recovery address. Recovering to itself moves the profile at once;
    /// to any other address it offers the profile for 7 days (replacing any offer). Either way it
    /// cancels a scheduled recovery change.
    function recover(uint256 profileId, address to) external;

    /// @notice Called by the recovery address: moves the profile to `to` at once, with `to`'s
    /// EIP-712 `AcceptProfile` signature as its consent. Cancels a scheduled recovery change.
    function recoverWithSignature(
        uint256 profileId,
        address to,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @notice Spends the caller's current EIP-712 nonce, so that a request signed with it
    /// can never be carried out. Returns the nonce given up.
    function burnNonce() external returns (uint256 nonce);

    /// @notice The owner of `profileId`, or zero if it does not exist.
    function ownerOf(uint256 profileId) external view returns (address);

    /// @notice The profile owned by `account`, or 0.
    function profileIdOf(address account) external view returns (uint256);

    /// @notice The profile holding `handle`, or 0. A handle cooling down is held by no profile
    /// (`HandleChanged` says until when it is reserved, and for whom).
    function profileIdOfHandle(string calldata handle) external view returns (uint256);

    /// @notice The current handle of `profileId`.
    function handleOf(uint256 profileId) external view returns (string memory);

    /// @notice The recovery address in force for `profileId` now (zero: none), and a scheduled
    /// change of it: the address that replaces it (zero: none) at `changeAt` (0: none pending).
    function recoveryOf(
        uint256 profileId
    ) external view returns (address recovery, address nextRecovery, uint256 changeAt);

    /// @notice The open offer of `profileId`: to whom, from when and until when it can be
    /// accepted, and whether the recovery address made it. Zeros when none is open.
    function transferOfferOf(
        uint256 profileId
    ) external view returns (address to, uint256 acceptableAt, uint256 expiresAt, bool byRecovery);

    /// @notice How many profiles were ever registered (also the highest id).
    function profileCount() external view returns (uint256);

    /// @notice Whether `handle` is well formed (does not check availability).
    function isValidHandle(string calldata handle) external pure returns (bool);

    /// @notice The next nonce `account` must sign with.
    function nonces(address account) external view returns (uint256);
}
