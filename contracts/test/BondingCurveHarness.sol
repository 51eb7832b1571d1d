// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BondingCurve} from "../libraries/BondingCurve.sol";

/// @notice Exposes `BondingCurve` to the differential tests.
contract BondingCurveHarness {
    function reserveRoundingUp(uint256 s) external pure returns (uint256) {
        return BondingCurve.reserveRoundingUp(s);
    }

    function costToMintRoundingUp(uint256 s, uint256 d) external pure returns (uint256) {
        return BondingCurve.costToMintRoundingUp(s, d);
    }

    function proceedsToBurnRoundingDown(uint256 s, uint256 d) external pure returns (uint256) {
        return BondingCurve.proceedsToBurnRoundingDown(s, d);
    }

    function mintableForRoundingDown(uint256 s, uint256 eth) external pure returns (uint256) {
        return BondingCurve.mintableForRoundingDown(s, eth);
    }

    function cbrtRoundingDown(uint256 x) external pure returns (uint256) {
        return BondingCurve.cbrtRoundingDown(x);
    }
}
