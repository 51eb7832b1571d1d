// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IGovernanceToken
/// @notice The Agora DAO's voting token: a fixed supply minted once at deployment, with
/// checkpointed votes on a timestamp clock (ERC-6372 `mode=timestamp`). Votes count only once
/// delegated: a holder who never delegates, even to itself, has no voting power.
interface IGovernanceToken {
    /// @notice One holder of the initial distribution. `selfDelegate` activates the holder's
    /// votes at once, as if it had called `delegate(holder)`.
    struct Allocation {
        address holder;
        bool selfDelegate;
        uint256 amount;
    }

    /// @notice The initial distribution is empty.
    error GovernanceTokenNoAllocation();
}
