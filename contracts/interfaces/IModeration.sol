// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IModeration
/// @notice Personal moderation between Agora profiles: blocks, mutes and shared moderation lists.
/// Every action is an event published by the acting profile's owner; nothing is ever removed
/// from the chain, and no profile can silence another for anyone but itself. Apps and the API
/// apply a viewer's own blocks, mutes and subscribed lists when they show that viewer content.
///
/// A block says more than a mute: a muted profile is only left out of the muter's view, a
/// blocked profile is also kept from notifying the blocker (replies, quotes, mentions).
///
/// List ids start at 1 and increase by one per list; a list belongs to the profile that created
/// it for as long as that profile exists (whoever owns the profile curates the list).
///
/// Listeners may assume:
/// - block, mute, list membership and subscription are not deduplicated on chain: `Blocked`
///   twice means "blocked", `Unblocked` without a prior block means "not blocked". The latest
///   event of a pair wins;
/// - every event names profiles and lists that existed when it was emitted;
/// - `ModerationListCreated` and `ModerationListRenamed` carry the list's whole name; a name is
///   1 to 64 bytes and is not checked otherwise (it may be any bytes, not only UTF-8).
interface IModeration {
    /// @notice `profileId` blocked `targetId`.
    event Blocked(uint256 indexed profileId, uint256 indexed targetId);
    /// @notice `profileId` lifted its block of `targetId`.
    event Unblocked(uint256 indexed profileId, uint256 indexed targetId);
    /// @notice `profileId` muted `targetId`.
    event Muted(uint256 indexed profileId, uint256 indexed targetId);
    /// @notice `profileId` lifted its mute of `targetId`.
    event Unmuted(uint256 indexed profileId, uint256 indexed targetId);

    /// @notice Profile `ownerId` created moderation list `listId` named `name`.
    event ModerationListCreated(uint256 indexed listId, uint256 indexed ownerId, string name);
    /// @notice The curator of list `listId` renamed it to `name`.
    event ModerationListRenamed(uint256 indexed listId, string name);
    /// @notice `memberId` was added to list `listId`.
    event ModerationListMemberAdded(uint256 indexed listId, uint256 indexed memberId);
    /// @notice `memberId` was removed from list `listId`.
    event ModerationListMemberRemoved(uint256 indexed listId, uint256 indexed memberId);
    /// @notice `profileId` subscribed to list `listId`: its members are hidden from its view.
    event ModerationListSubscribed(uint256 indexed profileId, uint256 indexed listId);
    /// @notice `profileId` unsubscribed from list `listId`.
    event ModerationListUnsubscribed(uint256 indexed profileId, uint256 indexed listId);

    /// @notice `caller` does not own profile `profileId` (or the profile does not exist).
    error ModerationUnauthorized(uint256 profileId, address caller);
    /// @notice No profile has id `profileId`.
    error ModerationProfileNotFound(uint256 profileId);
    /// @notice Profile `profileId` may not block, mute or list itself.
    error ModerationSelfTarget(uint256 profileId);
    /// @notice No moderation list has id `listId`.
    error ModerationListNotFound(uint256 listId);
    /// @notice A list name must be 1 to `maxLength` bytes; this one has `length`.
    error ModerationListNameInvalid(uint256 length, uint256 maxLength);

    /// @notice `profileId` blocks `targetId`.
    function blockProfile(uint256 profileId, uint256 targetId) external;

    /// @notice `profileId` lifts its block of `targetId`.
    function unblockProfile(uint256 profileId, uint256 targetId) external;

    /// @notice `profileId` mutes `targetId`.
    function muteProfile(uint256 profileId, uint256 targetId) external;

    /// @notice `profileId` lifts its mute of `targetId`.
    function unmuteProfile(uint256 profileId, uint256 targetId) external;

    /// @notice Creates a moderation list curated by `ownerId`; returns its id.
    function createList(uint256 ownerId, string calldata name) external returns (uint256 listId);

    /// @notice Renames list `listId` (its curator only).
    function renameList(uint256 listId, string calldata name) external;

    /// @notice Adds `memberIds` to list `listId` (its curator only).
    function addListMembers(uint256 listId, uint256[] calldata memberIds) external;

    /// @notice Removes `memberIds` from list `listId` (its curator only).
    function removeListMembers(uint256 listId, uint256[] calldata memberIds) external;

    /// @notice `profileId` subscribes to list `listId`.
    function subscribeList(uint256 profileId, uint256 listId) external;

    /// @notice `profileId` unsubscribes from list `listId`.
    function unsubscribeList(uint256 profileId, uint256 listId) external;

    /// @notice The profile that curates list `listId` (0: no such list).
    function listOwnerOf(uint256 listId) external view returns (uint256);

    /// @notice How many lists have been created.
    function listCount() external view returns (uint256);
}
