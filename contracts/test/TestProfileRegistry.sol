// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice Test stand-in for the profile registry and social graph: the two views tips rely on,
/// plus registration and posting with the registry's signatures.
contract TestProfileRegistry {
    uint256 private _profileCount;
    mapping(uint256 profileId => address) private _owners;
    mapping(uint256 profileId => uint256) private _postCounts;

    function register(string calldata, string calldata) external returns (uint256 profileId) {
        profileId = ++_profileCount;
        _owners[profileId] = msg.sender;
    }

    function post(uint256 authorId, string calldata) external returns (uint256) {
        return (authorId << 64) | ++_postCounts[authorId];
    }

    function ownerOf(uint256 profileId) external view returns (address) {
        return _owners[profileId];
    }

    function postExists(uint256 postId) external view returns (bool) {
        uint256 sequence = uint64(postId);
        return sequence != 0 && sequence <= _postCounts[postId >> 64];
    }
}
