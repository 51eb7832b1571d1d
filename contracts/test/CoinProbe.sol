// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICreatorCoin} from "../interfaces/ICreatorCoin.sol";

/// @notice Reads everything the invariant tests check about a coin in one call.
contract CoinProbe {
    struct State {
        uint256 ethHeld;
        uint256 supply;
        uint256 reserve;
        uint256 protocolFeesOwed;
        uint256 creatorFeesOwed;
        uint256 protocolFeeBps;
        uint256 creatorFeeBps;
        uint256[] balances;
    }

    function inspect(
        ICreatorCoin coin,
        address[] calldata holders
    ) external view returns (State memory state) {
        state.ethHeld = address(coin).balance;
        state.supply = coin.totalSupply();
        state.reserve = coin.reserve();
        state.protocolFeesOwed = coin.protocolFeesOwed();
        state.creatorFeesOwed = coin.creatorFeesOwed();
        state.protocolFeeBps = coin.protocolFeeBps();
        state.creatorFeeBps = coin.creatorFeeBps();
        state.balances = new uint256[](holders.length);
        for (uint256 i; i < holders.length; ++i) state.balances[i] = coin.balanceOf(holders[i]);
    }
}
