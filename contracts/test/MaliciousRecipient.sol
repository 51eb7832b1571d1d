// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// A hostile recipient needs a complex receive and raw calls: that is what it tests.
// solhint-disable no-complex-fallback, avoid-low-level-calls

/// @notice Test recipient that accepts ETH, rejects it, burns all gas it is given, or re-enters a
/// target with a stored call when paid. It can also act as an account (own a profile, withdraw).
contract MaliciousRecipient {
    enum Mode {
        Accept,
        Revert,
        BurnGas,
        Reenter
    }

    error MaliciousRecipientRejected();

    Mode public mode;
    address public reentryTarget;
    bytes public reentryData;
    bool public reentrySucceeded;

    function setMode(Mode mode_) external {
        mode = mode_;
    }

    function setReentry(address target, bytes calldata data) external {
        mode = Mode.Reenter;
        reentryTarget = target;
        reentryData = data;
    }

    function act(address target, bytes calldata data) external payable returns (bytes memory) {
        (bool ok, bytes memory result) = target.call{value: msg.value}(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(result, 32), mload(result))
            }
        }
        return result;
    }

    receive() external payable {
        if (mode == Mode.Revert) revert MaliciousRecipientRejected();
        if (mode == Mode.BurnGas) {
            for (;;) {}
        }
        if (mode == Mode.Reenter) {
            (bool ok, ) = reentryTarget.call(reentryData);
            if (!ok) revert MaliciousRecipientRejected();
            reentrySucceeded = true;
        }
    }
}
