// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ISocialGraph
/// @notice Posts, follows and reactions between Agora profiles. The graph lives in events; the
/// chain stores only what a rule needs (each profile's post count, so that a post id can be
/// checked for existence).
///
/// Post ids: `postId = (authorProfileId << 64) | sequence`, where `sequence` counts the author's
/// posts from 1. A post id is therefore stable, unique, and names its author.
///
/// Listeners may assume:
/// - `Posted` and `PostedWithRefs` ids of one author are strictly increasing and contiguous;
/// - a reply or quote always targets a post that existed when it was made;
/// - follows and reactions are not deduplicated on chain: `Followed` twice means "following",
///   and `Unfollowed` without a prior follow means "not following". The latest event wins;
/// - `PostRetracted` is emitted only by the author; the post keeps its id and nothing is deleted.
interface ISocialGraph {
    /// @notice Post `postId` (author: `postId >> 64`) was published at `contentURI`. The author is
    /// not a separate topic: it is in the id, and leaving it out keeps a post under 31k gas.
    event Posted(uint256 indexed postId, string contentURI);

    /// @notice Post `postId` (author: `postId >> 64`) was published at `contentURI` as a reply to
    /// `parentId` and/or a quote of `quotedId` (0 when none; at least one is set).
    event PostedWithRefs(
        uint256 indexed postId,
        uint256 indexed parentId,
        uint256 quotedId,
        string contentURI
    );

    /// @notice The author retracted `postId`. Apps stop showing it; the chain keeps the record.
    event PostRetracted(uint256 indexed authorId, uint256 indexed postId);

    /// @notice `followerId` follows `followedId`.
    event Followed(uint256 indexed followerId, uint256 indexed followedId);

    /// @notice `followerId` stopped following `followedId`.
    event Unfollowed(uint256 indexed followerId, uint256 indexed followedId);

    /// @notice `profileId` set its reaction to `postId` to `kind` (0 removes the reaction).
    event Reacted(uint256 indexed profileId, uint256 indexed postId, uint8 kind);

    /// @notice No post has this id.
    error PostNotFound(uint256 postId);
    /// @notice A profile may not follow itself.
    error SocialSelfFollow(uint256 profileId);
    /// @notice The content URI is empty.
    error PostContentEmpty();

    /// @notice Publishes a post by `authorId`; returns its id.
    function post(uint256 authorId, string calldata contentURI) external returns (uint256 postId);

    /// @notice Publishes a reply to `parentId` and/or a quote of `quotedId` (0: none; if both are
    /// 0 this is a plain post and emits `Posted`).
    function postWithRefs(
        uint256 authorId,
        string calldata contentURI,
        uint256 parentId,
        uint256 quotedId
    ) external returns (uint256 postId);

    /// @notice Retracts one of the author's own posts.
    function retract(uint256 postId) external;

    /// @notice `profileId` follows `targetId`.
    function follow(uint256 profileId, uint256 targetId) external;

    /// @notice `profileId` unfollows `targetId`.
    function unfollow(uint256 profileId, uint256 targetId) external;

    /// @notice `profileId` reacts to `postId` with `kind` (1: like; 0: remove).
    function react(uint256 profileId, uint256 postId, uint8 kind) external;

    /// @notice Signed variants: the owner of the acting profile signs, anyone relays.
    function postFor(
        uint256 authorId,
        string calldata contentURI,
        uint256 parentId,
        uint256 quotedId,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256 postId);

    function followFor(
        uint256 profileId,
        uint256 targetId,
        uint256 deadline,
        bytes calldata signature
    ) external;

    function unfollowFor(
        uint256 profileId,
        uint256 targetId,
        uint256 deadline,
        bytes calldata signature
    ) external;

    function reactFor(
        uint256 profileId,
        uint256 postId,
        uint8 kind,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @notice Whether `postId` has been published (retracted posts still exist).
    function postExists(uint256 postId) external view returns (bool);

    /// @notice How many posts `profileId` has published.
    function postCountOf(uint256 profileId) external view returns (uint256);
}
