// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICreatorCoin} from "../interfaces/ICreatorCoin.sol";

/// @notice A trader whose `receive` calls back into the coin with a prepared call, passing on
/// the coin's revert, for the reentrancy tests. Low-level calls and a working `receive` are
/// the point of this contract.
/* solhint-disable avoid-low-level-calls, no-complex-fallback */
contract ReentrantTrader {
    ICreatorCoin public immutable COIN;
    bytes private _reentry;

    constructor(ICreatorCoin coin_) {
        COIN = coin_;
    }

    /// @notice Sets the call `receive` makes into the coin (empty: accept ETH quietly).
    function arm(bytes calldata reentry) external {
        _reentry = reentry;
    }

    /// @notice Calls the coin with `data` and `msg.value`, passing on its revert.
    function execute(bytes calldata data) external payable {
        (bool ok, bytes memory result) = address(COIN).call{value: msg.value}(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(result, 32), mload(result))
            }
        }
    }

    receive() external payable {
        bytes memory reentry = _reentry;
        if (reentry.length == 0) return;
        (bool ok, bytes memory result) = address(COIN).call(reentry);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(result, 32), mload(result))
            }
        }
    }
}
