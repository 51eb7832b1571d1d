// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ICreatorCoinFactory
/// @notice Launches one creator coin per Agora profile as a minimal-proxy clone of a single
/// `CreatorCoin` implementation, and holds the protocol fee and referrer share that governance
/// sets for all coins within `MAX_PROTOCOL_FEE_BPS` and `MAX_REFERRER_SHARE_BPS`, each change
/// taking effect `FEE_CHANGE_DELAY` after governance makes it.
///
/// Listeners may assume:
/// - `CoinLaunched` is emitted once per profile and gives the coin's address and the handle its
///   name and symbol derive from, which never change (a later handle change leaves them as
///   they are); the coin's `Traded` events follow from that address;
/// - a launch with an initial buy emits the coin's `Traded` before `CoinLaunched`, in the same
///   transaction;
/// - the constructor's `ProtocolFeeChanged` and `ReferrerShareChanged` (old rate 0) apply from
///   the deployment on; every later one applies to every trade of every coin in a block whose
///   timestamp is `>=` the logging block's timestamp + `FEE_CHANGE_DELAY`, unless a later event
///   for the same rate replaces it before then; no other event announces that it took effect;
/// - `oldBps` of a later one is the rate it replaces at that time (the pending rate, if a change
///   was pending).
interface ICreatorCoinFactory {
    /// @notice `launcher`, owner of `profileId`, launched `coin` from the profile's `handle`:
    /// the coin's name is "Agora " + handle and its symbol the handle in upper case.
    event CoinLaunched(
        uint256 indexed profileId,
        address indexed coin,
        address indexed launcher,
        string handle,
        uint256 creatorFeeBps
    );

    /// @notice Governance changed the protocol fee from `oldBps` to `newBps`, in effect
    /// `FEE_CHANGE_DELAY` after this event's block (at once in the constructor).
    event ProtocolFeeChanged(uint256 oldBps, uint256 newBps);

    /// @notice Governance changed the referrer's share of the protocol fee from `oldBps` to
    /// `newBps` (basis points of the protocol fee), in effect `FEE_CHANGE_DELAY` after this
    /// event's block (at once in the constructor).
    event ReferrerShareChanged(uint256 oldBps, uint256 newBps);

    /// @notice `caller` is not the profile owner (launch) or not governance (fee).
    error CreatorCoinFactoryUnauthorized(address caller);
    /// @notice `profileId` already has `coin`.
    error CreatorCoinFactoryAlreadyLaunched(uint256 profileId, address coin);
    /// @notice The protocol fee `bps` is above `maximum`.
    error CreatorCoinFactoryFeeTooHigh(uint256 bps, uint256 maximum);
    /// @notice The referrer share `bps` is above `maximum`.
    error CreatorCoinFactoryReferrerShareTooHigh(uint256 bps, uint256 maximum);
    /// @notice `profileId` is above `maximum`, the largest id a coin's clone arguments hold
    /// (2^56 - 1, more profiles than registrations the chain could ever include).
    error CreatorCoinFactoryProfileIdTooLarge(uint256 profileId, uint256 maximum);
    /// @notice A constructor address is zero.
    error CreatorCoinFactoryZeroAddress();

    /// @notice Launches the coin of `profileId`, owned by the caller, with the creator fee
    /// `creatorFeeBps`. ETH sent along buys coins for the caller in the same transaction
    /// (exact in, at least `minCoinsOut`), before anyone else can.
    function launch(
        uint256 profileId,
        uint256 creatorFeeBps,
        uint256 minCoinsOut,
        uint256 deadline
    ) external payable returns (address coin);

    /// @notice Sets the protocol fee of every coin from `FEE_CHANGE_DELAY` on, replacing a
    /// pending change of it. Only governance, at most `MAX_PROTOCOL_FEE_BPS`.
    function setProtocolFeeBps(uint256 newBps) external;

    /// @notice The coin of `profileId`, or zero.
    function coinOf(uint256 profileId) external view returns (address);

    /// @notice Sets the referrer's share of the protocol fee of every coin from
    /// `FEE_CHANGE_DELAY` on, replacing a pending change of it. Only governance, at most
    /// `MAX_REFERRER_SHARE_BPS`.
    function setReferrerShareBps(uint256 newBps) external;

    /// @notice The notice every change of a rate gets: 7 days, like a creator fee change. Coins
    /// rely on it to keep the rates in their own storage (see `feeRates`).
    function FEE_CHANGE_DELAY() external view returns (uint256);

    /// @notice The highest protocol fee: 500 bps (5%).
    function MAX_PROTOCOL_FEE_BPS() external view returns (uint256);

    /// @notice The highest referrer share: 5,000 bps (half of the protocol fee).
    function MAX_REFERRER_SHARE_BPS() external view returns (uint256);

    /// @notice The referrer's share of the protocol fee in effect now, in basis points of that fee.
    function referrerShareBps() external view returns (uint256);

    /// @notice Both rates in effect now, and `until`: no rate can differ from these before that
    /// time (the earliest pending change, or now + `FEE_CHANGE_DELAY`). Coins keep the rates
    /// until then.
    function feeRates()
        external
        view
        returns (uint256 protocolBps, uint256 referrerShareBps_, uint256 until);

    /// @notice The protocol fee of every coin in effect now, in basis points.
    function protocolFeeBps() external view returns (uint256);

    /// @notice A scheduled protocol fee and when it takes effect, or (0, 0) if none is pending.
    function pendingProtocolFee() external view returns (uint256 bps, uint256 effectiveAt);

    /// @notice A scheduled referrer share and when it takes effect, or (0, 0) if none is pending.
    function pendingReferrerShare() external view returns (uint256 bps, uint256 effectiveAt);

    /// @notice The only address that may change the protocol fee (the DAO timelock).
    function governance() external view returns (address);

    /// @notice The profile registry whose owners launch coins and withdraw creator fees.
    function registry() external view returns (address);

    /// @notice Where coins sweep protocol fees.
    function revenueSink() external view returns (address);

    /// @notice The implementation every coin is a clone of.
    function implementation() external view returns (address);
}
