// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC20Votes} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Votes.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {IGovernanceToken} from "../interfaces/IGovernanceToken.sol";

/// @title GovernanceToken
/// @notice See {IGovernanceToken}.
contract GovernanceToken is IGovernanceToken, ERC20, ERC20Permit, ERC20Votes {
    constructor(
        string memory name_,
        string memory symbol_,
        Allocation[] memory allocations
    ) ERC20(name_, symbol_) ERC20Permit(name_) {
        if (allocations.length == 0) revert GovernanceTokenNoAllocation();
        for (uint256 i; i < allocations.length; ++i) {
            Allocation memory allocation = allocations[i];
            _mint(allocation.holder, allocation.amount);
            if (allocation.selfDelegate) _delegate(allocation.holder, allocation.holder);
        }
    }

    /// @notice Votes are checkpointed by block timestamp, so proposal windows are in seconds.
    function clock() public view override returns (uint48) {
        return uint48(block.timestamp);
    }

    /// @notice ERC-6372 description of `clock`.
    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE() public pure override returns (string memory) {
        return "mode=timestamp";
    }

    /// @inheritdoc ERC20Permit
    function nonces(address owner) public view override(ERC20Permit, Nonces) returns (uint256) {
        return super.nonces(owner);
    }

    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Votes) {
        super._update(from, to, value);
    }
}
