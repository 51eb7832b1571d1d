// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Handles
/// @notice Validation and packing of profile handles: 3-25 characters from [a-z0-9_], not
/// starting with `_`. A valid handle fits in a `bytes32`, left-aligned and zero-padded; since no
/// valid character is the zero byte, the packing is reversible and its low 7 bytes are always zero.
library Handles {
    uint256 internal constant MIN_LENGTH = 3;
    uint256 internal constant MAX_LENGTH = 25;

    /// @dev 0x80 in every byte, and each range bound repeated in every byte.
    uint256 private constant _HIGH =
        0x8080808080808080808080808080808080808080808080808080808080808080;
    uint256 private constant _ONES =
        0x0101010101010101010101010101010101010101010101010101010101010101;

    /// @notice Whether `handle` is well formed. Nothing is ever rewritten: `Alice` is invalid,
    /// not `alice`.
    function isValid(string calldata handle) internal pure returns (bool valid) {
        (valid, ) = validatedPack(handle);
    }

    /// @notice Whether `handle` is well formed, and the handle left-aligned in a word.
    /// @dev Checks all characters at once (SWAR): with the top bit of every byte set, subtracting
    /// a bound `c < 0x80` from each byte cannot borrow across bytes, and leaves the top bit set
    /// exactly where the byte's low 7 bits are >= c. Plain equivalent, for each byte c of the
    /// handle: c < 0x80 && ((c >= "0" && c <= "9") || c == "_" || (c >= "a" && c <= "z")).
    function validatedPack(
        string calldata handle
    ) internal pure returns (bool valid, bytes32 packed) {
        uint256 length = bytes(handle).length;
        if (length < MIN_LENGTH || length > MAX_LENGTH) return (false, 0);
        uint256 word;
        assembly ("memory-safe") {
            // Keep the first `length` bytes; calldata past the string reads as zero or other data.
            word := and(calldataload(handle.offset), not(shr(shl(3, length), not(0))))
        }
        // The top bits of the handle's bytes.
        uint256 tops = _HIGH & ~(type(uint256).max >> (length << 3));
        uint256 lifted = word | _HIGH;
        uint256 allowed;
        // `lifted` has 0x80 in every byte and every bound is below 0x80: no byte underflows.
        unchecked {
            uint256 digits = (lifted - _ONES * 0x30) & ~(lifted - _ONES * 0x3a);
            uint256 underscores = (lifted - _ONES * 0x5f) & ~(lifted - _ONES * 0x60);
            uint256 letters = (lifted - _ONES * 0x61) & ~(lifted - _ONES * 0x7b);
            allowed = digits | underscores | letters;
        }
        valid = (word & tops) == 0 && (tops & ~allowed) == 0 && (word >> 248) != 0x5f;
        packed = bytes32(word);
    }

    /// @notice The length of a packed handle (as `validatedPack` makes it): its leading non-zero
    /// bytes.
    /// @dev A packed handle has no zero byte before its end, so its length is 32 minus its
    /// trailing zero bytes, found by halving (plain equivalent: count the bytes from the left
    /// until the first zero one).
    function packedLength(bytes32 packed) internal pure returns (uint256 length) {
        uint256 word = uint256(packed);
        if (word == 0) return 0;
        length = 32;
        if (word & type(uint128).max == 0) (length, word) = (length - 16, word >> 128);
        if (word & type(uint64).max == 0) (length, word) = (length - 8, word >> 64);
        if (word & type(uint32).max == 0) (length, word) = (length - 4, word >> 32);
        if (word & type(uint16).max == 0) (length, word) = (length - 2, word >> 16);
        if (word & type(uint8).max == 0) length -= 1;
    }

    /// @notice The handle string of a packed word (as `validatedPack` makes it).
    /// @dev The string's one word of content is the packed word itself, zero-padded already.
    function unpack(bytes32 packed) internal pure returns (string memory handle) {
        uint256 length = packedLength(packed);
        assembly ("memory-safe") {
            handle := mload(0x40)
            mstore(0x40, add(handle, 0x40))
            mstore(handle, length)
            mstore(add(handle, 0x20), packed)
        }
    }
}
