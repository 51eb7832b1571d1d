// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice The part of a profile registry that creator coins read (`ownerOf`, `handleOf`), with
/// free registration and transfer, for the coin tests.
contract TestProfileRegistry {
    mapping(uint256 profileId => address) public ownerOf;
    mapping(uint256 profileId => string) public handleOf;
    uint256 public profileCount;

    function register(address owner, string calldata handle) external returns (uint256 profileId) {
        profileId = ++profileCount;
        ownerOf[profileId] = owner;
        handleOf[profileId] = handle;
    }

    function transferProfile(uint256 profileId, address to) external {
        ownerOf[profileId] = to;
    }
}
