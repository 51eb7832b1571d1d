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
/// - `_profiles[id]`: owner and post count;
/// - `_accounts[owner]`: the packed handle (high 25 bytes) and the profile id (low 7 bytes);
/// - `_profileIdOfHandle[packed handle]`: the id, for uniqueness.
contract ProfileRegistry is IProfileRegistry, ISocialGraph, EIP712, Nonces {
    struct Profile {
        address owner;
        uint64 postCount;
    }

    /// @dev Profile ids occupy the low 7 bytes of an account word; a handle's packing leaves
    /// them zero.
    uint256 private constant _ID_MASK = (1 << 56) - 1;

    bytes32 private constant _REGISTER_TYPEHASH = keccak256(
        "Register(address owner,string handle,string metadataURI,uint256 nonce,uint256 deadline)"
    );
    bytes32 private constant _UPDATE_TYPEHASH = keccak256(
        "Update(uint256 profileId,string handle,string metadataURI,uint256 nonce,uint256 deadline)"
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
    mapping(bytes32 packedHandle => uint256 profileId) private _profileIdOfHandle;
    mapping(uint256 profileId => address) private _recoveryOf;
    mapping(uint256 profileId => address) private _pendingOwnerOf;

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

    /// @inheritdoc IProfileRegistry
    function offerTransfer(uint256 profileId, address to) external {
        address owner = _ownerChecked(profileId, msg.sender);
        if (to == owner) revert ProfileInvalidAddress(to);
        _pendingOwnerOf[profileId] = to;
        emit ProfileTransferOffered(profileId, owner, to);
    }

    /// @inheritdoc IProfileRegistry
    function acceptTransfer(uint256 profileId) external {
        if (msg.sender == address(0) || _pendingOwnerOf[profileId] != msg.sender) {
            revert ProfileNoTransferOffer(profileId, msg.sender);
        }
        _move(profileId, msg.sender);
    }

    /// @inheritdoc IProfileRegistry
    function setRecovery(uint256 profileId, address recovery) external {
        _ownerChecked(profileId, msg.sender);
        _recoveryOf[profileId] = recovery;
        emit RecoverySet(profileId, recovery);
    }

    /// @inheritdoc IProfileRegistry
    function recover(uint256 profileId, address to) external {
        if (_profiles[profileId].owner == address(0)) revert ProfileNotFound(profileId);
        // A profile without a recovery address has zero there, which no caller may match.
        if (msg.sender == address(0) || msg.sender != _recoveryOf[profileId]) {
            revert ProfileUnauthorized(profileId, msg.sender);
        }
        if (to == address(0)) revert ProfileInvalidAddress(to);
        _move(profileId, to);
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
        return valid ? _profileIdOfHandle[packed] : 0;
    }

    /// @inheritdoc IProfileRegistry
    function handleOf(uint256 profileId) external view returns (string memory) {
        address owner = _profiles[profileId].owner;
        if (owner == address(0)) revert ProfileNotFound(profileId);
        return Handles.unpack(bytes32(_accounts[owner] & ~_ID_MASK));
    }

    /// @inheritdoc IProfileRegistry
    function recoveryOf(uint256 profileId) external view returns (address) {
        return _recoveryOf[profileId];
    }

    /// @inheritdoc IProfileRegistry
    function pendingOwnerOf(uint256 profileId) external view returns (address) {
        return _pendingOwnerOf[profileId];
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

    /// @notice The EIP-712 domain separator signatures are made against.
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
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
        bytes32 packed = _claimableHandle(handle);
        uint256 profileId;
        // One registration per transaction at most: the count cannot reach 2^56 (the id mask).
        unchecked {
            profileId = ++_profileCount;
        }
        _profiles[profileId] = Profile({owner: owner, postCount: 0});
        _accounts[owner] = uint256(packed) | profileId;
        _profileIdOfHandle[packed] = profileId;
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

    function _changeHandle(uint256 profileId, address owner, string calldata newHandle) private {
        bytes32 packed = _claimableHandle(newHandle);
        uint256 account = _accounts[owner];
        bytes32 oldPacked = bytes32(account & ~_ID_MASK);
        delete _profileIdOfHandle[oldPacked];
        _profileIdOfHandle[packed] = profileId;
        _accounts[owner] = uint256(packed) | profileId;
        emit HandleChanged(profileId, Handles.unpack(oldPacked), newHandle);
    }

    /// @dev The packed handle, if well formed and free.
    function _claimableHandle(string calldata handle) private view returns (bytes32 packed) {
        bool valid;
        (valid, packed) = Handles.validatedPack(handle);
        if (!valid) revert ProfileHandleInvalid(handle);
        uint256 holder = _profileIdOfHandle[packed];
        if (holder != 0) revert ProfileHandleTaken(handle, holder);
    }

    /// @dev Moves the profile, its handle and its post count to `to`; clears offer and recovery.
    function _move(uint256 profileId, address to) private {
        uint256 existing = _accounts[to];
        if (existing != 0) revert ProfileAlreadyOwned(to, existing & _ID_MASK);
        Profile storage profile = _profiles[profileId];
        address from = profile.owner;
        _accounts[to] = _accounts[from];
        delete _accounts[from];
        profile.owner = to;
        delete _pendingOwnerOf[profileId];
        // A recovery address chosen by the previous owner must not keep power over the profile.
        if (_recoveryOf[profileId] != address(0)) {
            delete _recoveryOf[profileId];
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
