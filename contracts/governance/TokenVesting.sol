// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {VestingWallet} from "@openzeppelin/contracts/finance/VestingWallet.sol";

/// @title TokenVesting
/// @notice OpenZeppelin's VestingWallet, unchanged: releases the governance tokens a genesis
/// allocation gives it to `beneficiary` linearly from `startTimestamp` over `durationSeconds`.
/// Tokens it still holds carry no votes. Its owner is the beneficiary, by OpenZeppelin's design.
contract TokenVesting is VestingWallet {
    constructor(
        address beneficiary,
        uint64 startTimestamp,
        uint64 durationSeconds
    ) VestingWallet(beneficiary, startTimestamp, durationSeconds) {}
}
