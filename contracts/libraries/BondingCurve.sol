// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title BondingCurve
/// @notice The creator coin curve, price(S) = k * S^2 ETH per coin at a supply of S coins, with
/// k = 1/16000. In wei and coin-wei (s = S * 1e18) the reserve backing a supply s is
/// R(s) = s^3 / DIVISOR with DIVISOR = 3 * 16000 * 1e36. Every function rounds in favour of the
/// reserve, as its name says. Inputs are bounded by `SUPPLY_CAP` (1e6 coins), for which every
/// intermediate product stays below 2^256 (SUPPLY_CAP^3 * 7 < 2^256); callers check the cap.
library BondingCurve {
    /// @notice s^3 / DIVISOR is the reserve in wei for a supply of s coin-wei.
    uint256 internal constant DIVISOR = 48e39;

    /// @notice The largest supply, in coin-wei: one million coins. Its reserve, about 2.1e13 ETH,
    /// exceeds all ETH in existence, so the cap never binds a real trade.
    uint256 internal constant SUPPLY_CAP = 1e24;

    /// @notice ceil(s^3 / DIVISOR): the reserve a supply of `s` needs, rounded up.
    function reserveRoundingUp(uint256 s) internal pure returns (uint256) {
        return Math.mulDiv(s * s, s, DIVISOR, Math.Rounding.Ceil);
    }

    /// @notice ceil(((s + d)^3 - s^3) / DIVISOR): the ETH that minting `d` at supply `s` costs,
    /// rounded up.
    function costToMintRoundingUp(uint256 s, uint256 d) internal pure returns (uint256) {
        // (s + d)^3 - s^3 = d * (3s^2 + 3sd + d^2), exact in integers.
        return Math.mulDiv(d, 3 * s * (s + d) + d * d, DIVISOR, Math.Rounding.Ceil);
    }

    /// @notice floor((s^3 - (s - d)^3) / DIVISOR): the ETH that burning `d` at supply `s`
    /// releases, rounded down. Requires d <= s.
    function proceedsToBurnRoundingDown(uint256 s, uint256 d) internal pure returns (uint256) {
        // s^3 - (s - d)^3 = d * (3s(s - d) + d^2), exact in integers.
        return Math.mulDiv(d, 3 * s * (s - d) + d * d, DIVISOR);
    }

    /// @notice The largest d with costToMintRoundingUp(s, d) <= `eth`, capped at SUPPLY_CAP - s:
    /// floor(cbrt(s^3 + eth * DIVISOR)) - s, the coins `eth` buys, rounded down. Requires
    /// s <= SUPPLY_CAP.
    function mintableForRoundingDown(uint256 s, uint256 eth) internal pure returns (uint256) {
        if (eth >= costToMintRoundingUp(s, SUPPLY_CAP - s)) return SUPPLY_CAP - s;
        // ceil(x / D) <= eth  <=>  x <= eth * D, so the bound is exact. Here eth is below the
        // reserve of the cap (< 2.1e31), so s^3 + eth * DIVISOR < 2 * 1e72 and nothing overflows.
        return cbrtRoundingDown(s * s * s + eth * DIVISOR) - s;
    }

    /// @notice floor(cbrt(x)).
    function cbrtRoundingDown(uint256 x) internal pure returns (uint256 z) {
        if (x == 0) return 0;
        // 2^(floor(log2 x / 3) + 1) > cbrt(x). From above, Newton's step
        // y = floor((2z + floor(x / z^2)) / 3) never goes below floor(cbrt(x)) (AM-GM) and
        // strictly decreases while z > floor(cbrt(x)), so the first y >= z ends it at the root.
        z = 1 << (Math.log2(x) / 3 + 1);
        while (true) {
            uint256 y = (2 * z + x / (z * z)) / 3;
            if (y >= z) return z;
            z = y;
        }
    }
}
