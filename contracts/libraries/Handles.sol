// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Handles
/// @notice Validation and packing of profile handles: 3-25 characters from [a-z0-9_], not
/// starting with `_`. A valid handle fits in a `bytes32`, left-aligned and zero-padded; since no
/// valid character is the zero byte, the packing is reversible and its low 7 bytes are always zero.
library Handles {
    uint256 internal constant MIN_LENGTH = 3;
    uint256 internal constant MAX_LENGTH = 25;

    /// @dev Bitmap of allowed bytes: "0"-"9" (0x30-0x39), "_" (0x5f), "a"-"z" (0x61-0x7a).
    uint256 private constant _ALLOWED =
        (((1 << 10) - 1) << 0x30) | (1 << 0x5f) | (((1 << 26) - 1) << 0x61);

    /// @notice Whether `handle` is well formed. Nothing is ever rewritten: `Alice` is invalid,
    /// not `alice`.
    function isValid(string calldata handle) internal pure returns (bool) {
        uint256 length = bytes(handle).length;
        if (length < MIN_LENGTH || length > MAX_LENGTH) return false;
        bytes32 word = bytes32(bytes(handle));
        if (word[0] == "_") return false;
        // Bit c of _ALLOWED is set for every allowed byte c; the loop tests each byte against it.
        // Plain equivalent: (c >= "a" && c <= "z") || (c >= "0" && c <= "9") || c == "_".
        // Shifting the word left one byte per step brings each character to the top byte.
        uint256 rest = uint256(word);
        for (uint256 i; i < length;) {
            if ((_ALLOWED >> (rest >> 248)) & 1 == 0) return false;
            rest <<= 8;
            // i < length <= 25: cannot overflow.
            unchecked {
                ++i;
            }
        }
        return true;
    }

    /// @notice The handle left-aligned in a word. Callers validate first.
    function pack(string calldata handle) internal pure returns (bytes32) {
        return bytes32(bytes(handle));
    }

    /// @notice The handle string of a packed word: its leading non-zero bytes.
    function unpack(bytes32 packed) internal pure returns (string memory handle) {
        uint256 length;
        while (length < 32 && packed[length] != 0) ++length;
        bytes memory b = new bytes(length);
        for (uint256 i; i < length; ++i) b[i] = packed[i];
        return string(b);
    }
}
