// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IERC5267} from "@openzeppelin/contracts/interfaces/IERC5267.sol";

/// @title ICreatorCoin
/// @notice One Agora profile's creator coin: an 18-decimal ERC-20 with EIP-2612 permit that is
/// minted and burned against ETH on the bonding curve of `BondingCurve` (price k*S^2). Each coin
/// holds its own reserve, so no coin can ever pay out another coin's ETH.
///
/// Units: coin amounts and supply are in coin-wei (1e18 per coin), ETH amounts in wei.
///
/// Trades: buys mint to `recipient` for ETH paid by the caller; sells burn the caller's coins and
/// pay ETH to `recipient`. Fees are taken on top of the curve cost (buys) or out of the curve
/// proceeds (sells), rounded down, and accrue in the coin until pulled: protocol fees by anyone
/// to the revenue sink, creator fees by the profile's current owner, referrer fees by each
/// referrer. No trade calls a fee recipient, so no fee recipient can block one. Nothing pauses
/// selling or withdrawing.
///
/// Referrers: the `...WithReferrer` variants name the app (or anyone) that brought the trade.
/// The referrer is credited `protocolFee * referrerShareBps / 10_000` (rounded down) out of the
/// protocol fee; the trader pays exactly what the plain variant costs. The share is set on the
/// factory by governance, at most `MAX_REFERRER_SHARE_BPS` of the protocol fee, and like the
/// protocol fee changes `FEE_CHANGE_DELAY` after governance's transaction. A zero referrer
/// is the plain trade. A trader may name itself: the share is then a rebate, which the cap
/// bounds. The plain variants read no referrer state and pay nothing for the feature.
///
/// Floor: the first buy also mints `FLOOR_SUPPLY` coins to the coin itself, paid by that buyer.
/// They can never move (the coin refuses transfers to itself), so once trading has started the
/// supply never falls below `FLOOR_SUPPLY` and the curve can never be stranded at a few wei,
/// while every holder can still sell their whole balance in any order.
///
/// Listeners may assume:
/// - the coin is the address emitting the events below;
/// - `Traded` is emitted once per trade, after every state change of that trade and before any
///   ETH leaves the coin; `newSupply` and `newReserve` are `totalSupply()` and `reserve()` after it;
/// - `protocolFee` is the whole protocol fee of the trade, of which `referrerFee` went to
///   `referrer` (zero address and 0 without a referrer) and the rest to `protocolFeesOwed`;
/// - on a buy, `newReserve - previous reserve == ethAmount - protocolFee - creatorFee`, and
///   `newSupply - previous supply == coinAmount` (plus `FLOOR_SUPPLY` on the very first buy,
///   which also emits `Transfer(0, coin, FLOOR_SUPPLY)`);
/// - on a sell, `previous reserve - newReserve == ethAmount + protocolFee + creatorFee`, and
///   `previous supply - newSupply == coinAmount`;
/// - `newReserve >= BondingCurve.reserveRoundingUp(newSupply)` always holds;
/// - ERC-20 `Transfer` events accompany every mint and burn, so balances follow from `Transfer`
///   alone;
/// - a fee rate scheduled by `CreatorFeeChangeScheduled` applies to every trade in a block whose
///   timestamp is `>= effectiveAt`; no other event announces that it took effect;
/// - every trade charges the factory's protocol fee and referrer share in effect at its block
///   (see `ICreatorCoinFactory`), though the coin reads them from its own copy.
interface ICreatorCoin is IERC20Metadata, IERC20Permit, IERC20Errors, IERC5267 {
    /// @notice A trade happened. See the interface documentation for what listeners may assume.
    /// @param trader Who paid (buy) or whose coins were burned (sell).
    /// @param recipient Who received the coins (buy) or the ETH (sell).
    /// @param referrer Who brought the trade (zero: nobody), credited `referrerFee`.
    /// @param isBuy True for a buy, false for a sell.
    /// @param coinAmount Coins minted to `recipient` (buy) or burned from `trader` (sell).
    /// @param ethAmount ETH paid by `trader`, fees included (buy) or paid to `recipient` (sell).
    /// @param protocolFee Protocol fee of this trade, the referrer's part included.
    /// @param creatorFee Creator fee accrued by this trade.
    /// @param referrerFee The part of `protocolFee` credited to `referrer`.
    /// @param newSupply Total supply after the trade.
    /// @param newReserve Reserve after the trade.
    event Traded(
        address indexed trader,
        address indexed recipient,
        address indexed referrer,
        bool isBuy,
        uint256 coinAmount,
        uint256 ethAmount,
        uint256 protocolFee,
        uint256 creatorFee,
        uint256 referrerFee,
        uint256 newSupply,
        uint256 newReserve
    );

    /// @notice The profile owner scheduled the creator fee to become `newBps` at `effectiveAt`.
    /// A later schedule before `effectiveAt` replaces this one.
    event CreatorFeeChangeScheduled(uint256 currentBps, uint256 newBps, uint256 effectiveAt);

    /// @notice `owner` of the profile withdrew `amount` wei of creator fees to `to`.
    event CreatorFeesWithdrawn(address indexed owner, address indexed to, uint256 amount);

    /// @notice `referrer` withdrew its `amount` wei of referrer fees to `to`.
    event ReferrerFeesWithdrawn(address indexed referrer, address indexed to, uint256 amount);

    /// @notice `amount` wei of protocol fees went to the revenue sink, attributed to the profile.
    event ProtocolFeesSwept(address indexed caller, uint256 amount);

    /// @notice A trade would give `received`, below the caller's `minimum`.
    error CreatorCoinSlippage(uint256 received, uint256 minimum);
    /// @notice An exact-out buy would cost `required` wei, above the caller's `maximum`.
    error CreatorCoinExcessiveInput(uint256 required, uint256 maximum);
    /// @notice An exact-out buy costs `required` wei but only `sent` came with the call.
    error CreatorCoinInsufficientPayment(uint256 sent, uint256 required);
    /// @notice The request's `deadline` passed (the block's time is `timestamp`).
    error CreatorCoinDeadlineExpired(uint256 deadline, uint256 timestamp);
    /// @notice The recipient (of coins, ETH or fees) is the zero address.
    error CreatorCoinZeroRecipient();
    /// @notice A buy named the coin itself as recipient: coins it holds could never move again.
    error CreatorCoinSelfRecipient();
    /// @notice The ETH or coin amount of the request is zero, or there is nothing to pull.
    error CreatorCoinZeroAmount();
    /// @notice The trade moves `amount` coin-wei, below `minimum` (a sell of a whole balance is
    /// always allowed).
    error CreatorCoinTradeTooSmall(uint256 amount, uint256 minimum);
    /// @notice The buy would bring the supply to `supply`; it must stay below `cap`.
    error CreatorCoinSupplyCapExceeded(uint256 supply, uint256 cap);
    /// @notice A sell quote for `amount` coins, more than the `circulating` supply anyone holds.
    error CreatorCoinExceedsCirculating(uint256 amount, uint256 circulating);
    /// @notice A trade or fee function was entered again while one was running.
    error CreatorCoinReentrantCall();
    /// @notice This contract is the shared implementation, not a launched coin.
    error CreatorCoinNotLaunched();
    /// @notice A buy would raise the reserve to `reserve`, above `maximum` (2^107 - 1 wei, far
    /// above the reserve at the supply cap).
    error CreatorCoinReserveOverflow(uint256 reserve, uint256 maximum);
    /// @notice `caller` may not do this (not the profile owner, or not the factory).
    error CreatorCoinUnauthorized(address caller);
    /// @notice The creator fee `bps` is above `maximum`.
    error CreatorCoinFeeTooHigh(uint256 bps, uint256 maximum);
    /// @notice Sending `amount` wei to `to` failed.
    error CreatorCoinTransferFailed(address to, uint256 amount);
    /// @notice The permit expired at `deadline`.
    error CreatorCoinPermitExpired(uint256 deadline);
    /// @notice The permit was signed by `signer`, not by `owner`.
    error CreatorCoinPermitInvalidSigner(address signer, address owner);

    /// @notice Called once by the factory right after cloning: sets the creator fee and, when
    /// ETH comes with the call, buys for `launcher` (exact in) so that nobody can buy first.
    /// @return coinsOut Coins bought for `launcher` (0 without ETH).
    function initialize(
        uint256 creatorFeeBps,
        address launcher,
        uint256 minCoinsOut,
        uint256 deadline
    ) external payable returns (uint256 coinsOut);

    /// @notice Buys as many coins as `msg.value` pays for, fees included, for `recipient`.
    /// Rounding dust (less than the price of one more coin-wei with its fees, plus 2 wei) stays
    /// in the reserve.
    /// @return coinsOut Coins minted to `recipient`.
    function buyExactIn(
        uint256 minCoinsOut,
        uint256 deadline,
        address recipient
    ) external payable returns (uint256 coinsOut);

    /// @notice Buys exactly `coinsOut` coins for `recipient`; the caller pays at most `maxEthIn`
    /// and gets back whatever `msg.value` exceeds the price.
    /// @return ethIn What the coins cost, fees included.
    function buyExactOut(
        uint256 coinsOut,
        uint256 maxEthIn,
        uint256 deadline,
        address recipient
    ) external payable returns (uint256 ethIn);

    /// @notice Burns `coinsIn` of the caller's coins and pays the proceeds, fees deducted, to
    /// `recipient`.
    /// @return ethOut ETH paid to `recipient`.
    function sellExactIn(
        uint256 coinsIn,
        uint256 minEthOut,
        uint256 deadline,
        address recipient
    ) external returns (uint256 ethOut);

    /// @notice `buyExactIn` brought by `referrer`, who is credited its share of the protocol fee.
    function buyExactInWithReferrer(
        uint256 minCoinsOut,
        uint256 deadline,
        address recipient,
        address referrer
    ) external payable returns (uint256 coinsOut);

    /// @notice `buyExactOut` brought by `referrer`, who is credited its share of the protocol fee.
    function buyExactOutWithReferrer(
        uint256 coinsOut,
        uint256 maxEthIn,
        uint256 deadline,
        address recipient,
        address referrer
    ) external payable returns (uint256 ethIn);

    /// @notice `sellExactIn` brought by `referrer`, who is credited its share of the protocol fee.
    function sellExactInWithReferrer(
        uint256 coinsIn,
        uint256 minEthOut,
        uint256 deadline,
        address recipient,
        address referrer
    ) external returns (uint256 ethOut);

    /// @notice Sends the caller's accrued referrer fees to `to`.
    /// @return amount Wei sent.
    function withdrawReferrerFees(address to) external returns (uint256 amount);

    /// @notice Sends every accrued creator fee to `to`. Only the profile's current owner.
    /// @return amount Wei sent.
    function withdrawCreatorFees(address to) external returns (uint256 amount);

    /// @notice Sends every accrued protocol fee to the revenue sink with
    /// `depositETH(profileId())`. Anyone may call.
    /// @return amount Wei sent.
    function sweepProtocolFees() external returns (uint256 amount);

    /// @notice Schedules the creator fee to become `newBps` (at most `MAX_CREATOR_FEE_BPS`) after
    /// `CREATOR_FEE_DELAY`, so that holders can exit first. Only the profile's current owner.
    function scheduleCreatorFee(uint256 newBps) external;

    /// @notice What `buyExactIn` with `ethIn` wei returns in the current state.
    function quoteBuyExactIn(
        uint256 ethIn
    ) external view returns (uint256 coinsOut, uint256 protocolFee, uint256 creatorFee);

    /// @notice What `buyExactOut` of `coinsOut` costs in the current state, fees included.
    function quoteBuyExactOut(
        uint256 coinsOut
    ) external view returns (uint256 ethIn, uint256 protocolFee, uint256 creatorFee);

    /// @notice What `sellExactIn` of `coinsIn` pays in the current state. The minimum trade
    /// size is not checked here because its exception depends on the seller's balance.
    function quoteSellExactIn(
        uint256 coinsIn
    ) external view returns (uint256 ethOut, uint256 protocolFee, uint256 creatorFee);

    /// @notice The ETH backing the supply: at least `BondingCurve.reserveRoundingUp(totalSupply())`.
    function reserve() external view returns (uint256);

    /// @notice Protocol fees accrued and not yet swept.
    function protocolFeesOwed() external view returns (uint256);

    /// @notice Creator fees accrued and not yet withdrawn.
    function creatorFeesOwed() external view returns (uint256);

    /// @notice Referrer fees `referrer` accrued on this coin and has not withdrawn.
    function referrerFeesOwed(address referrer) external view returns (uint256);

    /// @notice The creator fee applied to a trade now, in basis points.
    function creatorFeeBps() external view returns (uint256);

    /// @notice The scheduled creator fee and when it applies (0, 0 when none is pending).
    function pendingCreatorFee() external view returns (uint256 bps, uint256 effectiveAt);

    /// @notice The protocol fee applied to a trade now, in basis points: the factory's rate in
    /// effect now, which the coin keeps a copy of until the factory's next possible change.
    function protocolFeeBps() external view returns (uint256);

    /// @notice The referrer's share of the protocol fee now, in basis points of that fee: the
    /// factory's share in effect now, kept like `protocolFeeBps`.
    function referrerShareBps() external view returns (uint256);

    /// @notice Coins the first buy also mints to the coin itself, locked for good (0.001 coin).
    function FLOOR_SUPPLY() external view returns (uint256);

    /// @notice The smallest buy, and the smallest sell except a seller's whole balance (1e-6 coin).
    function MIN_TRADE() external view returns (uint256);

    /// @notice The supply stays below this: one million coins (`BondingCurve.SUPPLY_CAP`).
    function SUPPLY_CAP() external view returns (uint256);

    /// @notice The highest creator fee: 1000 bps (10%).
    function MAX_CREATOR_FEE_BPS() external view returns (uint256);

    /// @notice How long a creator fee change waits before it applies: 7 days.
    function CREATOR_FEE_DELAY() external view returns (uint256);

    /// @notice The profile this coin belongs to.
    function profileId() external view returns (uint256);

    /// @notice The factory that launched this coin.
    function factory() external view returns (address);

    /// @notice The profile handle at launch, from which name and symbol derive.
    function handle() external view returns (string memory);
}
