// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IModeration} from "../interfaces/IModeration.sol";
import {IProfileRegistry} from "../interfaces/IProfileRegistry.sol";

/// @title Moderation
/// @notice Blocks, mutes and moderation lists between Agora profiles; see {IModeration}.
/// A separate contract from the registry: the registry's code and gas stay as they are, and
/// moderation only needs to ask it who owns a profile.
///
/// Storage: one word per list (its curator's profile id). Blocks, mutes, memberships and
/// subscriptions live only in events, like follows.
contract Moderation is IModeration {
    /// @notice Longest list name, in bytes.
    uint256 public constant MAX_LIST_NAME_LENGTH = 64;

    IProfileRegistry private immutable _PROFILES;

    uint256 private _listCount;
    mapping(uint256 listId => uint256 ownerId) private _listOwners;

    constructor(IProfileRegistry profiles_) {
        _PROFILES = profiles_;
    }

    /// @inheritdoc IModeration
    function blockProfile(uint256 profileId, uint256 targetId) external {
        _checkPair(profileId, targetId);
        emit Blocked(profileId, targetId);
    }

    /// @inheritdoc IModeration
    function unblockProfile(uint256 profileId, uint256 targetId) external {
        _checkPair(profileId, targetId);
        emit Unblocked(profileId, targetId);
    }

    /// @inheritdoc IModeration
    function muteProfile(uint256 profileId, uint256 targetId) external {
        _checkPair(profileId, targetId);
        emit Muted(profileId, targetId);
    }

    /// @inheritdoc IModeration
    function unmuteProfile(uint256 profileId, uint256 targetId) external {
        _checkPair(profileId, targetId);
        emit Unmuted(profileId, targetId);
    }

    /// @inheritdoc IModeration
    function createList(uint256 ownerId, string calldata name) external returns (uint256 listId) {
        _checkOwner(ownerId);
        _checkName(name);
        listId = ++_listCount;
        _listOwners[listId] = ownerId;
        emit ModerationListCreated(listId, ownerId, name);
    }

    /// @inheritdoc IModeration
    function renameList(uint256 listId, string calldata name) external {
        _checkCurator(listId);
        _checkName(name);
        emit ModerationListRenamed(listId, name);
    }

    /// @inheritdoc IModeration
    function addListMembers(uint256 listId, uint256[] calldata memberIds) external {
        uint256 ownerId = _checkCurator(listId);
        for (uint256 i; i < memberIds.length; ++i) {
            uint256 memberId = memberIds[i];
            _checkTarget(ownerId, memberId);
            emit ModerationListMemberAdded(listId, memberId);
        }
    }

    /// @inheritdoc IModeration
    function removeListMembers(uint256 listId, uint256[] calldata memberIds) external {
        uint256 ownerId = _checkCurator(listId);
        for (uint256 i; i < memberIds.length; ++i) {
            uint256 memberId = memberIds[i];
            _checkTarget(ownerId, memberId);
            emit ModerationListMemberRemoved(listId, memberId);
        }
    }

    /// @inheritdoc IModeration
    function subscribeList(uint256 profileId, uint256 listId) external {
        _checkOwner(profileId);
        if (_listOwners[listId] == 0) revert ModerationListNotFound(listId);
        emit ModerationListSubscribed(profileId, listId);
    }

    /// @inheritdoc IModeration
    function unsubscribeList(uint256 profileId, uint256 listId) external {
        _checkOwner(profileId);
        if (_listOwners[listId] == 0) revert ModerationListNotFound(listId);
        emit ModerationListUnsubscribed(profileId, listId);
    }

    /// @inheritdoc IModeration
    function listOwnerOf(uint256 listId) external view returns (uint256) {
        return _listOwners[listId];
    }

    /// @inheritdoc IModeration
    function listCount() external view returns (uint256) {
        return _listCount;
    }

    /// @notice The registry this contract asks for profile owners.
    function profileRegistry() external view returns (IProfileRegistry) {
        return _PROFILES;
    }

    function _checkPair(uint256 profileId, uint256 targetId) private view {
        _checkOwner(profileId);
        _checkTarget(profileId, targetId);
    }

    function _checkOwner(uint256 profileId) private view {
        if (_PROFILES.ownerOf(profileId) != msg.sender)
            revert ModerationUnauthorized(profileId, msg.sender);
    }

    function _checkTarget(uint256 profileId, uint256 targetId) private view {
        if (targetId == profileId) revert ModerationSelfTarget(profileId);
        if (_PROFILES.ownerOf(targetId) == address(0)) revert ModerationProfileNotFound(targetId);
    }

    /// @dev The list's curator profile, after checking that the caller owns it.
    function _checkCurator(uint256 listId) private view returns (uint256 ownerId) {
        ownerId = _listOwners[listId];
        if (ownerId == 0) revert ModerationListNotFound(listId);
        _checkOwner(ownerId);
    }

    function _checkName(string calldata name) private pure {
        uint256 length = bytes(name).length;
        if (length == 0 || length > MAX_LIST_NAME_LENGTH)
            revert ModerationListNameInvalid(length, MAX_LIST_NAME_LENGTH);
    }
}
