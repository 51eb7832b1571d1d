// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ICreatorCoinFactory
/// @notice Launches one creator coin per Agora profile as a minimal-proxy clone of a single
/// `CreatorCoin` implementation, and holds the protocol fee rate that governance sets for all
/// coins within `MAX_PROTOCOL_FEE_BPS`.
///
/// Listeners may assume:
/// - `CoinLaunched` is emitted once per profile and gives the coin's address and the handle its
///   name and symbol derive from, which never change (a later handle change leaves them as
///   they are); the coin's `Traded` events follow from that address;
/// - a launch with an initial buy emits the coin's `Traded` before `CoinLaunched`, in the same
///   transaction;
/// - `ProtocolFeeChanged` applies to every trade of every coin from the same transaction on.
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

    /// @notice Governance changed the protocol fee from `oldBps` to `newBps`.
    event ProtocolFeeChanged(uint256 oldBps, uint256 newBps);

    /// @notice `caller` is not the profile owner (launch) or not governance (fee).
    error CreatorCoinFactoryUnauthorized(address caller);
    /// @notice `profileId` already has `coin`.
    error CreatorCoinFactoryAlreadyLaunched(uint256 profileId, address coin);
    /// @notice The protocol fee `bps` is above `maximum`.
    error CreatorCoinFactoryFeeTooHigh(uint256 bps, uint256 maximum);
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

    /// @notice Sets the protocol fee of every coin. Only governance, at most `MAX_PROTOCOL_FEE_BPS`.
    function setProtocolFeeBps(uint256 newBps) external;

    /// @notice The coin of `profileId`, or zero.
    function coinOf(uint256 profileId) external view returns (address);

    /// @notice The highest protocol fee: 500 bps (5%).
    function MAX_PROTOCOL_FEE_BPS() external view returns (uint256);

    /// @notice The protocol fee of every coin, in basis points.
    function protocolFeeBps() external view returns (uint256);

    /// @notice The only address that may change the protocol fee (the DAO timelock).
    function governance() external view returns (address);

    /// @notice The profile registry whose owners launch coins and withdraw creator fees.
    function registry() external view returns (address);

    /// @notice Where coins sweep protocol fees.
    function revenueSink() external view returns (address);

    /// @notice The implementation every coin is a clone of.
    function implementation() external view returns (address);
}
