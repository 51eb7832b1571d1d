// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice Gas comparison only: two other ways to carry a direct message. `storeMessage` keeps
/// the ciphertext in contract storage, as DeSo keeps messages in its chain state; `emitMessage`
/// is a bare event with no checks at all, the floor any on-chain message pays.
contract StoredMessages {
    /// @notice A message was stored at `index` of the pair's thread.
    event MessageStored(uint256 indexed fromId, uint256 indexed toId, uint256 index);
    /// @notice A bare message event.
    event BareMessage(uint256 indexed fromId, uint256 indexed toId, bytes ciphertext);

    struct Message {
        uint256 fromId;
        uint256 toId;
        uint64 timestamp;
        bytes ciphertext;
    }

    Message[] private _messages;

    /// @notice Stores a ciphertext in storage.
    function storeMessage(uint256 fromId, uint256 toId, bytes calldata ciphertext) external {
        _messages.push(Message(fromId, toId, uint64(block.timestamp), ciphertext));
        emit MessageStored(fromId, toId, _messages.length - 1);
    }

    /// @notice Emits a ciphertext in an event, with no check.
    function emitMessage(uint256 fromId, uint256 toId, bytes calldata ciphertext) external {
        emit BareMessage(fromId, toId, ciphertext);
    }

    /// @notice The stored ciphertext at `index`.
    function messageAt(uint256 index) external view returns (bytes memory) {
        return _messages[index].ciphertext;
    }
}
