// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {IProfileRegistry} from "../interfaces/IProfileRegistry.sol";
import {ISocialGraph} from "../interfaces/ISocialGraph.sol";
import {Handles} from "../libraries/Handles.sol";

/// @title ProfileRegistry
/// @notice Agora profiles and the social graph between them. One contract holds both because a
/// post's existence is a rule of the graph (reactions and replies must target a real post) and
/// checking it against the author's own record costs one storage read.
///
/// Storage, three words per profile (the metadata URI and all content live only in events):
/// - `_profiles[id]`: owner and post count, in the struct's first word;
/// - `_accounts[owner]`: the packed handle (high 25 bytes) and the profile id (low 7 bytes);
/// - `_handles[packed handle]`: the id, for uniqueness, and once freed the end of its cooldown.
/// A profile that is offered or has a recovery address also uses the next words of its
/// `Profile` (open offer, recovery address, scheduled recovery address): reached from the same
/// mapping key, so a function that checks the owner finds them without another hash.
contract ProfileRegistry is IProfileRegistry, ISocialGraph, EIP712, Nonces {
    struct Profile {
        address owner;
        uint64 postCount;
        /// The open offer (zero: none): see `_EXPIRES_AT_SHIFT`.
        uint256 offer;
        /// The recovery address last set and when a scheduled change applies: see
        /// `_CHANGE_AT_SHIFT`.
        uint256 recovery;
        /// The address a scheduled change makes the recovery address (zero: none).
        address nextRecovery;
    }

    /// @dev How long a change of the recovery address in force waits, and how old an owner's
    /// offer must be to be accepted while a recovery address is in force: long enough for an
    /// owner who checks in every few days to see a thief at work, short enough that replacing a
    /// lost or compromised recovery address does not leave the profile exposed for weeks.
    uint256 private constant _RECOVERY_DELAY = 3 days;
    /// @dev How long a recovery offer stays open: time for a multisig or a friend's new key.
    uint256 private constant _RECOVERY_OFFER_PERIOD = 7 days;
    /// @dev How long a freed handle stays reserved for its profile: well past a recovery (at
    /// most 3 + 7 days), so a recovered profile takes back a handle a thief gave up, and long
    /// enough for apps and followers to notice a rename before an impersonator can take the
    /// name (a coin launched under it would carry the same name and symbol).
    uint256 private constant _HANDLE_COOLDOWN = 30 days;

    /// @dev Profile ids occupy the low 7 bytes of an account word; a handle's packing leaves
    /// them zero.
    uint256 private constant _ID_MASK = (1 << 56) - 1;
    /// @dev A handle record holds the profile id in its low 64 bits and, above them, zero while
    /// the profile holds the handle, or the time from which anyone may claim it once freed.
    uint256 private constant _FREE_AT_SHIFT = 64;
    /// @dev A recovery word: the recovery address last set in the low 160 bits and, above them,
    /// the time from which `nextRecovery` replaces it (zero: no change scheduled).
    uint256 private constant _CHANGE_AT_SHIFT = 160;
    /// @dev An offer word: the address offered to in the low 160 bits, then the expiry and the
    /// time of the offer (40 bits each: unix times fit until the year 36812), and in the top bit
    /// whether the recovery address made it.
    uint256 private constant _EXPIRES_AT_SHIFT = 160;
    uint256 private constant _OFFERED_AT_SHIFT = 200;
    uint256 private constant _BY_RECOVERY = 1 << 255;
    uint256 private constant _TIME_MASK = (1 << 40) - 1;

    bytes32 private constant _REGISTER_TYPEHASH = keccak256(
        "Register(address owner,string handle,string metadataURI,uint256 nonce,uint256 deadline)"
    );
    bytes32 private constant _UPDATE_TYPEHASH = keccak256(
        "Update(uint256 profileId,string handle,string metadataURI,uint256 nonce,uint256 deadline)"
    );
    bytes32 private constant _ACCEPT_PROFILE_TYPEHASH = keccak256(
        "AcceptProfile(uint256 profileId,address to,uint256 nonce,uint256 deadline)"
    );
    bytes32 private constant _POST_TYPEHASH = keccak256(
        "Post(uint256 authorId,string contentURI,uint256 parentId,uint256 quotedId,uint256 nonce,uint256 deadline)"
    );
    bytes32 private constant _FOLLOW_TYPEHASH = keccak256(
        "Follow(uint256 profileId,uint256 targetId,uint256 nonce,uint256 deadline)"
    );
    bytes32 private constant _UNFOLLOW_TYPEHASH = keccak256(
        "Unfollow(uint256 profileId,uint256 targetId,uint256 nonce,uint256 deadline)"
    );
    bytes32 private constant _REACT_TYPEHASH = keccak256(
        "React(uint256 profileId,uint256 postId,uint8 kind,uint256 nonce,uint256 deadline)"
    );

    uint256 private _profileCount;
    mapping(uint256 profileId => Profile) private _profiles;
    mapping(address owner => uint256 account) private _accounts;
    mapping(bytes32 packedHandle => uint256 record) private _handles;

    constructor() EIP712("Agora", "1") {}

    // ---------------------------------------------------------------------------------------
    // Profiles
    // ---------------------------------------------------------------------------------------

    /// @inheritdoc IProfileRegistry
    function register(
        string calldata handle,
        string calldata metadataURI
    ) external returns (uint256) {
        return _register(msg.sender, handle, metadataURI);
    }

    /// @inheritdoc IProfileRegistry
    function registerFor(
        address owner,
        string calldata handle,
        string calldata metadataURI,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256) {
        _verify(
            owner,
            keccak256(
                abi.encode(
                    _REGISTER_TYPEHASH,
                    owner,
                    keccak256(bytes(handle)),
                    keccak256(bytes(metadataURI)),
                    _useNonce(owner),
                    deadline
                )
            ),
            deadline,
            signature
        );
        return _register(owner, handle, metadataURI);
    }

    /// @inheritdoc IProfileRegistry
    function changeHandle(uint256 profileId, string calldata newHandle) external {
        _changeHandle(profileId, _ownerChecked(profileId, msg.sender), newHandle);
    }

    /// @inheritdoc IProfileRegistry
    function setMetadataURI(uint256 profileId, string calldata metadataURI) external {
        _ownerChecked(profileId, msg.sender);
        emit MetadataURIChanged(profileId, metadataURI);
    }

    /// @inheritdoc IProfileRegistry
    function updateFor(
        uint256 profileId,
        string calldata newHandle,
        string calldata metadataURI,
        uint256 deadline,
        bytes calldata signature
    ) external {
        address owner = _profiles[profileId].owner;
        if (owner == address(0)) revert ProfileNotFound(profileId);
        _verify(
            owner,
            keccak256(
                abi.encode(
                    _UPDATE_TYPEHASH,
                    profileId,
                    keccak256(bytes(newHandle)),
                    keccak256(bytes(metadataURI)),
                    _useNonce(owner),
                    deadline
                )
            ),
            deadline,
            signature
        );
        if (bytes(newHandle).length != 0) _changeHandle(profileId, owner, newHandle);
        if (bytes(metadataURI).length != 0) emit MetadataURIChanged(profileId, metadataURI);
    }

    // The profile functions below repeat the owner check of `_checkOwner` inline: the shared
    // call costs each of them about 20 gas more.

    /// @inheritdoc IProfileRegistry
    function offerTransfer(uint256 profileId, address to, uint256 expiresAt) external {
        Profile storage profile = _profiles[profileId];
        address owner = profile.owner;
        if (owner == address(0)) revert ProfileNotFound(profileId);
        if (owner != msg.sender) revert ProfileUnauthorized(profileId, msg.sender);
        if (to == msg.sender) revert ProfileInvalidAddress(to);
        uint256 open = profile.offer;
        if (open & _BY_RECOVERY != 0) _checkRecoveryOfferClosed(profileId, open);
        uint256 offer;
        if (to != address(0)) {
            // One comparison tests both bounds: an expiry before now wraps past any bound.
            unchecked {
                if (expiresAt - block.timestamp > _TIME_MASK - block.timestamp) {
                    if (expiresAt < block.timestamp) revert ProfileTransferExpiryInvalid(expiresAt);
                    expiresAt = _TIME_MASK;
                }
            }
            offer =
                (block.timestamp << _OFFERED_AT_SHIFT) |
                (expiresAt << _EXPIRES_AT_SHIFT) |
                uint160(to);
        } else {
            expiresAt = 0;
        }
        profile.offer = offer;
        _emitProfileTransferOffered(profileId, to, expiresAt);
    }

    /// @inheritdoc IProfileRegistry
    function acceptTransfer(uint256 profileId) external {
        Profile storage profile = _profiles[profileId];
        uint256 offer = profile.offer;
        if (msg.sender == address(0) || address(uint160(offer)) != msg.sender) {
            revert ProfileNoTransferOffer(profileId, msg.sender);
        }
        uint256 expiresAt = (offer >> _EXPIRES_AT_SHIFT) & _TIME_MASK;
        if (block.timestamp > expiresAt) revert ProfileTransferOfferExpired(profileId, expiresAt);
        if (offer & _BY_RECOVERY == 0) {
            uint256 offeredAt = (offer >> _OFFERED_AT_SHIFT) & _TIME_MASK;
            // Until then the recovery address in force may still answer an offer that a stolen
            // owner key made.
            if (
                block.timestamp < offeredAt + _RECOVERY_DELAY &&
                _recoveryIn(profile, profile.recovery) != address(0)
            ) {
                revert ProfileTransferOfferTooEarly(profileId, _acceptableAt(profile, offeredAt));
            }
        }
        _move(profile, profileId, msg.sender);
    }

    /// @inheritdoc IProfileRegistry
    function setRecovery(uint256 profileId, address recovery) external {
        Profile storage profile = _profiles[profileId];
        address owner = profile.owner;
        if (owner == address(0)) revert ProfileNotFound(profileId);
        if (owner != msg.sender) revert ProfileUnauthorized(profileId, msg.sender);
        if (recovery == msg.sender) revert ProfileInvalidAddress(recovery);
        uint256 word = profile.recovery;
        // None set and none scheduled: nothing a thief could escape, so it applies at once.
        if (word == 0) {
            profile.recovery = uint160(recovery);
            emit RecoverySet(profileId, recovery);
            return;
        }
        _changeRecovery(profile, profileId, word, recovery);
    }

    /// @inheritdoc IProfileRegistry
    function recover(uint256 profileId, address to) external {
        Profile storage profile = _profiles[profileId];
        address owner = profile.owner;
        if (owner == address(0)) revert ProfileNotFound(profileId);
        _checkRecoveryCaller(profile, profileId);
        // The recovery address consents for itself.
        if (to == msg.sender) return _move(profile, profileId, to);
        if (to == address(0) || to == owner) revert ProfileInvalidAddress(to);
        uint256 expiresAt = block.timestamp + _RECOVERY_OFFER_PERIOD;
        profile.offer =
            _BY_RECOVERY |
            (block.timestamp << _OFFERED_AT_SHIFT) |
            (expiresAt << _EXPIRES_AT_SHIFT) |
            uint160(to);
        emit ProfileRecoveryOffered(profileId, msg.sender, to, expiresAt);
    }

    /// @inheritdoc IProfileRegistry
    function recoverWithSignature(
        uint256 profileId,
        address to,
        uint256 deadline,
        bytes calldata signature
    ) external {
        Profile storage profile = _profiles[profileId];
        if (profile.owner == address(0)) revert ProfileNotFound(profileId);
        _checkRecoveryCaller(profile, profileId);
        if (to == address(0)) revert ProfileInvalidAddress(to);
        _verify(
            to,
            keccak256(abi.encode(_ACCEPT_PROFILE_TYPEHASH, profileId, to, _useNonce(to), deadline)),
            deadline,
            signature
        );
        _move(profile, profileId, to);
    }

    /// @inheritdoc IProfileRegistry
    function burnNonce() external returns (uint256 nonce) {
        nonce = _useNonce(msg.sender);
        emit NonceUsed(msg.sender, nonce);
    }

    /// @inheritdoc IProfileRegistry
    function ownerOf(uint256 profileId) external view returns (address) {
        return _profiles[profileId].owner;
    }

    /// @inheritdoc IProfileRegistry
    function profileIdOf(address account) external view returns (uint256) {
        return _accounts[account] & _ID_MASK;
    }

    /// @inheritdoc IProfileRegistry
    function profileIdOfHandle(string calldata handle) external view returns (uint256) {
        (bool valid, bytes32 packed) = Handles.validatedPack(handle);
        if (!valid) return 0;
        uint256 record = _handles[packed];
        return record >> _FREE_AT_SHIFT == 0 ? record : 0;
    }

    /// @inheritdoc IProfileRegistry
    function handleOf(uint256 profileId) external view returns (string memory) {
        address owner = _profiles[profileId].owner;
        if (owner == address(0)) revert ProfileNotFound(profileId);
        return Handles.unpack(bytes32(_accounts[owner] & ~_ID_MASK));
    }

    /// @inheritdoc IProfileRegistry
    function recoveryOf(
        uint256 profileId
    ) external view returns (address recovery, address nextRecovery, uint256 changeAt) {
        Profile storage profile = _profiles[profileId];
        uint256 word = profile.recovery;
        recovery = _recoveryIn(profile, word);
        changeAt = word >> _CHANGE_AT_SHIFT;
        if (block.timestamp >= changeAt) return (recovery, address(0), 0);
        nextRecovery = profile.nextRecovery;
    }

    /// @inheritdoc IProfileRegistry
    function transferOfferOf(
        uint256 profileId
    ) external view returns (address to, uint256 acceptableAt, uint256 expiresAt, bool byRecovery) {
        Profile storage profile = _profiles[profileId];
        uint256 offer = profile.offer;
        expiresAt = (offer >> _EXPIRES_AT_SHIFT) & _TIME_MASK;
        if (block.timestamp > expiresAt) return (address(0), 0, 0, false);
        to = address(uint160(offer));
        byRecovery = offer & _BY_RECOVERY != 0;
        acceptableAt = (offer >> _OFFERED_AT_SHIFT) & _TIME_MASK;
        if (!byRecovery && _recoveryIn(profile, profile.recovery) != address(0)) {
            acceptableAt = _acceptableAt(profile, acceptableAt);
        }
    }

    /// @inheritdoc IProfileRegistry
    function profileCount() external view returns (uint256) {
        return _profileCount;
    }

    /// @inheritdoc IProfileRegistry
    function isValidHandle(string calldata handle) external pure returns (bool) {
        return Handles.isValid(handle);
    }

    /// @inheritdoc IProfileRegistry
    function nonces(
        address account
    ) public view override(IProfileRegistry, Nonces) returns (uint256) {
        return super.nonces(account);
    }

    // ---------------------------------------------------------------------------------------
    // Social graph
    // ---------------------------------------------------------------------------------------

    /// @inheritdoc ISocialGraph
    function post(uint256 authorId, string calldata contentURI) external returns (uint256 postId) {
        // The hot path of the graph: the same checks as `_post` without references to look up.
        if (bytes(contentURI).length == 0) revert PostContentEmpty();
        Profile storage author = _profiles[authorId];
        _checkOwner(author, authorId, msg.sender);
        postId = (authorId << 64) | ++author.postCount;
        emit Posted(postId, contentURI);
    }

    /// @inheritdoc ISocialGraph
    function postWithRefs(
        uint256 authorId,
        string calldata contentURI,
        uint256 parentId,
        uint256 quotedId
    ) external returns (uint256) {
        return _post(authorId, msg.sender, contentURI, parentId, quotedId);
    }

    /// @inheritdoc ISocialGraph
    function postFor(
        uint256 authorId,
        string calldata contentURI,
        uint256 parentId,
        uint256 quotedId,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256) {
        address owner = _signedOwner(authorId);
        _verify(
            owner,
            keccak256(
                abi.encode(
                    _POST_TYPEHASH,
                    authorId,
                    keccak256(bytes(contentURI)),
                    parentId,
                    quotedId,
                    _useNonce(owner),
                    deadline
                )
            ),
            deadline,
            signature
        );
        return _post(authorId, owner, contentURI, parentId, quotedId);
    }

    /// @inheritdoc ISocialGraph
    function retract(uint256 postId) external {
        uint256 authorId = postId >> 64;
        Profile storage author = _profiles[authorId];
        if (!_exists(author, postId)) revert PostNotFound(postId);
        if (author.owner != msg.sender) revert ProfileUnauthorized(authorId, msg.sender);
        emit PostRetracted(authorId, postId);
    }

    /// @inheritdoc ISocialGraph
    function follow(uint256 profileId, uint256 targetId) external {
        _follow(profileId, msg.sender, targetId);
    }

    /// @inheritdoc ISocialGraph
    function followFor(
        uint256 profileId,
        uint256 targetId,
        uint256 deadline,
        bytes calldata signature
    ) external {
        address owner = _signedFollowOwner(
            _FOLLOW_TYPEHASH,
            profileId,
            targetId,
            deadline,
            signature
        );
        _follow(profileId, owner, targetId);
    }

    /// @inheritdoc ISocialGraph
    function unfollow(uint256 profileId, uint256 targetId) external {
        _unfollow(profileId, msg.sender, targetId);
    }

    /// @inheritdoc ISocialGraph
    function unfollowFor(
        uint256 profileId,
        uint256 targetId,
        uint256 deadline,
        bytes calldata signature
    ) external {
        address owner = _signedFollowOwner(
            _UNFOLLOW_TYPEHASH,
            profileId,
            targetId,
            deadline,
            signature
        );
        _unfollow(profileId, owner, targetId);
    }

    /// @inheritdoc ISocialGraph
    function react(uint256 profileId, uint256 postId, uint8 kind) external {
        _react(profileId, msg.sender, postId, kind);
    }

    /// @inheritdoc ISocialGraph
    function reactFor(
        uint256 profileId,
        uint256 postId,
        uint8 kind,
        uint256 deadline,
        bytes calldata signature
    ) external {
        address owner = _signedOwner(profileId);
        _verify(
            owner,
            keccak256(
                abi.encode(_REACT_TYPEHASH, profileId, postId, kind, _useNonce(owner), deadline)
            ),
            deadline,
            signature
        );
        _react(profileId, owner, postId, kind);
    }

    /// @inheritdoc ISocialGraph
    function postExists(uint256 postId) external view returns (bool) {
        return _exists(_profiles[postId >> 64], postId);
    }

    /// @inheritdoc ISocialGraph
    function postCountOf(uint256 profileId) external view returns (uint256) {
        return _profiles[profileId].postCount;
    }

    // ---------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------

    function _register(
        address owner,
        string calldata handle,
        string calldata metadataURI
    ) private returns (uint256) {
        if (owner == address(0)) revert ProfileInvalidAddress(owner);
        uint256 existing = _accounts[owner];
        if (existing != 0) revert ProfileAlreadyOwned(owner, existing & _ID_MASK);
        // Profile ids start at 1: no cooling-down handle is reserved for id 0.
        bytes32 packed = _claimableHandle(handle, 0);
        uint256 profileId;
        // One registration per transaction at most: the count cannot reach 2^56 (the id mask).
        unchecked {
            profileId = ++_profileCount;
        }
        _profiles[profileId].owner = owner;
        _accounts[owner] = uint256(packed) | profileId;
        _handles[packed] = profileId;
        _emitProfileRegistered(profileId, owner, handle, metadataURI);
        return profileId;
    }

    /// @dev `emit ProfileRegistered(profileId, owner, handle, metadataURI)`, ABI-encoding the two
    /// strings straight from calldata (registration is the costliest call; this saves ~300 gas).
    function _emitProfileRegistered(
        uint256 profileId,
        address owner,
        string calldata handle,
        string calldata metadataURI
    ) private {
        bytes32 topic = ProfileRegistered.selector;
        assembly ("memory-safe") {
            let m := mload(0x40)
            // Layout: [offset of handle][offset of uri][handle length][handle, padded][uri length][uri, padded]
            let handlePadded := and(add(handle.length, 31), not(31))
            let uriPadded := and(add(metadataURI.length, 31), not(31))
            mstore(m, 0x40)
            mstore(add(m, 0x20), add(0x60, handlePadded))
            mstore(add(m, 0x40), handle.length)
            mstore(add(add(m, 0x60), sub(handlePadded, 0x20)), 0)
            calldatacopy(add(m, 0x60), handle.offset, handle.length)
            let u := add(add(m, 0x60), handlePadded)
            mstore(u, metadataURI.length)
            mstore(add(u, uriPadded), 0)
            calldatacopy(add(u, 0x20), metadataURI.offset, metadataURI.length)
            log3(m, add(sub(u, m), add(0x20, uriPadded)), topic, profileId, owner)
        }
    }

    /// @dev `emit ProfileTransferOffered(profileId, to, expiresAt)` from the scratch space, which
    /// spares the free memory pointer's bookkeeping (about 20 gas).
    function _emitProfileTransferOffered(uint256 profileId, address to, uint256 expiresAt) private {
        bytes32 topic = ProfileTransferOffered.selector;
        assembly ("memory-safe") {
            mstore(0, expiresAt)
            log3(0, 0x20, topic, profileId, to)
        }
    }

    function _changeHandle(uint256 profileId, address owner, string calldata newHandle) private {
        bytes32 packed = _claimableHandle(newHandle, profileId);
        uint256 account = _accounts[owner];
        bytes32 oldPacked = bytes32(account & ~_ID_MASK);
        uint256 freeAt = block.timestamp + _HANDLE_COOLDOWN;
        // Keeping the old record (rather than deleting it) is what reserves the handle; it costs
        // the storage refund a deletion would earn.
        _handles[oldPacked] = (freeAt << _FREE_AT_SHIFT) | profileId;
        _handles[packed] = profileId;
        _accounts[owner] = uint256(packed) | profileId;
        _emitHandleChanged(profileId, oldPacked, packed, bytes(newHandle).length, freeAt);
    }

    /// @dev `emit HandleChanged(profileId, oldHandle, newHandle, freeAt)`. A valid handle fills
    /// at most one word, and its packing is its content zero-padded, so the data is seven words
    /// written straight from the packed handles (the ABI encoder would copy both strings).
    function _emitHandleChanged(
        uint256 profileId,
        bytes32 oldPacked,
        bytes32 newPacked,
        uint256 newLength,
        uint256 freeAt
    ) private {
        bytes32 topic = HandleChanged.selector;
        uint256 oldLength = Handles.packedLength(oldPacked);
        assembly ("memory-safe") {
            // Layout: [offset of old][offset of new][freeAt][old length][old][new length][new]
            let m := mload(0x40)
            mstore(m, 0x60)
            mstore(add(m, 0x20), 0xa0)
            mstore(add(m, 0x40), freeAt)
            mstore(add(m, 0x60), oldLength)
            mstore(add(m, 0x80), oldPacked)
            mstore(add(m, 0xa0), newLength)
            mstore(add(m, 0xc0), newPacked)
            log2(m, 0xe0, topic, profileId)
        }
    }

    /// @dev The packed handle, if well formed and free for `claimant` (a profile id, or 0 for a
    /// new profile): held by no profile, and not cooling down for another one.
    function _claimableHandle(
        string calldata handle,
        uint256 claimant
    ) private view returns (bytes32 packed) {
        bool valid;
        (valid, packed) = Handles.validatedPack(handle);
        if (!valid) revert ProfileHandleInvalid(handle);
        uint256 record = _handles[packed];
        if (record != 0) {
            uint256 holder = uint64(record);
            uint256 freeAt = record >> _FREE_AT_SHIFT;
            if (freeAt == 0) revert ProfileHandleTaken(handle, holder);
            if (block.timestamp < freeAt && holder != claimant) {
                revert ProfileHandleCoolingDown(handle, holder, freeAt);
            }
        }
    }

    /// @dev Reverts while `offer`, made by the recovery address, is open.
    function _checkRecoveryOfferClosed(uint256 profileId, uint256 offer) private view {
        uint256 expiresAt = (offer >> _EXPIRES_AT_SHIFT) & _TIME_MASK;
        if (block.timestamp <= expiresAt) {
            revert ProfileRecoveryInProgress(profileId, address(uint160(offer)), expiresAt);
        }
    }

    /// @dev Sets the recovery address of a profile whose recovery word is not zero: at once when
    /// none is in force, or to cancel a scheduled change by naming the address in force;
    /// otherwise scheduled `_RECOVERY_DELAY` ahead.
    function _changeRecovery(
        Profile storage profile,
        uint256 profileId,
        uint256 word,
        address recovery
    ) private {
        address current = _recoveryIn(profile, word);
        if (current == address(0) || current == recovery) {
            if (word >> _CHANGE_AT_SHIFT != 0) profile.nextRecovery = address(0);
            profile.recovery = uint160(recovery);
            emit RecoverySet(profileId, recovery);
            return;
        }
        uint256 open = profile.offer;
        if (open & _BY_RECOVERY != 0) _checkRecoveryOfferClosed(profileId, open);
        uint256 effectiveAt = block.timestamp + _RECOVERY_DELAY;
        profile.recovery = (effectiveAt << _CHANGE_AT_SHIFT) | uint160(current);
        profile.nextRecovery = recovery;
        emit RecoveryChangeScheduled(profileId, current, recovery, effectiveAt);
    }

    /// @dev When an owner's offer made at `offeredAt` becomes acceptable, for a profile with a
    /// recovery address in force: `_RECOVERY_DELAY` after the offer, or when a scheduled clearing
    /// of the recovery address applies, if that comes first.
    function _acceptableAt(
        Profile storage profile,
        uint256 offeredAt
    ) private view returns (uint256 acceptableAt) {
        acceptableAt = offeredAt + _RECOVERY_DELAY;
        uint256 changeAt = profile.recovery >> _CHANGE_AT_SHIFT;
        if (changeAt != 0 && changeAt < acceptableAt && profile.nextRecovery == address(0)) {
            acceptableAt = changeAt;
        }
    }

    /// @dev The recovery address in force now, given the profile's recovery word: the scheduled
    /// one once its time has come.
    function _recoveryIn(Profile storage profile, uint256 word) private view returns (address) {
        uint256 changeAt = word >> _CHANGE_AT_SHIFT;
        if (changeAt != 0 && block.timestamp >= changeAt) return profile.nextRecovery;
        return address(uint160(word));
    }

    /// @dev Reverts unless the caller is the recovery address in force; a recovery then cancels
    /// a scheduled change (or settles one that has taken effect).
    function _checkRecoveryCaller(Profile storage profile, uint256 profileId) private {
        uint256 word = profile.recovery;
        address recovery = _recoveryIn(profile, word);
        // A profile without a recovery address has zero there, which no caller may match.
        if (msg.sender == address(0) || msg.sender != recovery) {
            revert ProfileUnauthorized(profileId, msg.sender);
        }
        if (word >> _CHANGE_AT_SHIFT != 0) {
            profile.recovery = uint160(recovery);
            profile.nextRecovery = address(0);
            emit RecoverySet(profileId, recovery);
        }
    }

    /// @dev Moves the profile, its handle and its post count to `to`; clears the offer, the
    /// recovery address and any scheduled change of it.
    function _move(Profile storage profile, uint256 profileId, address to) private {
        uint256 existing = _accounts[to];
        if (existing != 0) revert ProfileAlreadyOwned(to, existing & _ID_MASK);
        address from = profile.owner;
        _accounts[to] = _accounts[from];
        delete _accounts[from];
        profile.owner = to;
        profile.offer = 0;
        // A recovery address chosen by the previous owner must not keep power over the profile.
        uint256 recovery = profile.recovery;
        if (recovery != 0) {
            profile.recovery = 0;
            if (recovery >> _CHANGE_AT_SHIFT != 0) profile.nextRecovery = address(0);
            emit RecoverySet(profileId, address(0));
        }
        emit ProfileTransferred(profileId, from, to);
    }

    function _post(
        uint256 authorId,
        address caller,
        string calldata contentURI,
        uint256 parentId,
        uint256 quotedId
    ) private returns (uint256 postId) {
        if (bytes(contentURI).length == 0) revert PostContentEmpty();
        Profile storage author = _profiles[authorId];
        _checkOwner(author, authorId, caller);
        if (parentId != 0 && !_exists(_profiles[parentId >> 64], parentId))
            revert PostNotFound(parentId);
        if (quotedId != 0 && !_exists(_profiles[quotedId >> 64], quotedId))
            revert PostNotFound(quotedId);
        uint64 sequence = ++author.postCount;
        postId = (authorId << 64) | sequence;
        if ((parentId | quotedId) == 0) emit Posted(postId, contentURI);
        else emit PostedWithRefs(postId, parentId, quotedId, contentURI);
    }

    // `_follow` and `_unfollow` repeat their three checks rather than share a function: the
    // shared call costs every follow and unfollow 39 gas more.
    function _follow(uint256 profileId, address caller, uint256 targetId) private {
        _checkOwner(_profiles[profileId], profileId, caller);
        if (targetId == profileId) revert SocialSelfFollow(profileId);
        if (_profiles[targetId].owner == address(0)) revert ProfileNotFound(targetId);
        emit Followed(profileId, targetId);
    }

    function _unfollow(uint256 profileId, address caller, uint256 targetId) private {
        _checkOwner(_profiles[profileId], profileId, caller);
        if (targetId == profileId) revert SocialSelfFollow(profileId);
        if (_profiles[targetId].owner == address(0)) revert ProfileNotFound(targetId);
        emit Unfollowed(profileId, targetId);
    }

    /// @dev The owner of `profileId`, after checking their EIP-712 signature of a follow or
    /// unfollow (`typehash`) of `targetId`; uses the owner's nonce.
    function _signedFollowOwner(
        bytes32 typehash,
        uint256 profileId,
        uint256 targetId,
        uint256 deadline,
        bytes calldata signature
    ) private returns (address owner) {
        owner = _signedOwner(profileId);
        _verify(
            owner,
            keccak256(abi.encode(typehash, profileId, targetId, _useNonce(owner), deadline)),
            deadline,
            signature
        );
    }

    function _react(uint256 profileId, address caller, uint256 postId, uint8 kind) private {
        _checkOwner(_profiles[profileId], profileId, caller);
        if (!_exists(_profiles[postId >> 64], postId)) revert PostNotFound(postId);
        emit Reacted(profileId, postId, kind);
    }

    /// @dev Post `postId` exists when its sequence (low 64 bits) is between 1 and the author's
    /// post count. Ids with bits set above the author id's range map to no profile.
    function _exists(Profile storage author, uint256 postId) private view returns (bool) {
        uint64 sequence = uint64(postId);
        return sequence != 0 && sequence <= author.postCount;
    }

    function _checkOwner(Profile storage profile, uint256 profileId, address caller) private view {
        address owner = profile.owner;
        if (owner == address(0)) revert ProfileNotFound(profileId);
        if (owner != caller) revert ProfileUnauthorized(profileId, caller);
    }

    function _ownerChecked(uint256 profileId, address caller) private view returns (address) {
        _checkOwner(_profiles[profileId], profileId, caller);
        return caller;
    }

    function _signedOwner(uint256 profileId) private view returns (address owner) {
        owner = _profiles[profileId].owner;
        if (owner == address(0)) revert ProfileNotFound(profileId);
    }

    function _verify(
        address signer,
        bytes32 structHash,
        uint256 deadline,
        bytes calldata signature
    ) private view {
        if (block.timestamp > deadline) revert ProfileSignatureExpired(deadline);
        if (
            !SignatureChecker.isValidSignatureNowCalldata(
                signer,
                _hashTypedDataV4(structHash),
                signature
            )
        ) {
            revert ProfileSignatureInvalid(signer);
        }
    }
}
