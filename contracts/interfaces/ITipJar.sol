// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IProfileRegistry} from "./IProfileRegistry.sol";
import {ISocialGraph} from "./ISocialGraph.sol";
import {IRevenueSink} from "./IRevenueSink.sol";

/// @title ITipJar
/// @notice Tips to Agora profiles and posts, in ETH or any ERC-20. A protocol fee (at most
/// `MAX_FEE_BPS`, set by governance) is kept and swept, permissionlessly, to the revenue sink; the
/// rest goes straight to the creator. The revenue split returns a share of every fee
/// (`creatorShareBps`) to the creator whose activity earned it:
/// - Token fees are kept per creator and swept with the creator's profile id as attribution, so
///   the split credits the creator share to the profile when they arrive.
/// - ETH fees are kept as one pool, without a storage write per tip (the contract's ETH balance
///   minus what profiles may claim), and swept with attribution 0: a per-creator counter would
///   cost every ETH tip a 5,000 gas write. The creator share of an ETH fee is therefore paid by
///   the tip itself: the creator receives it with the tip, and only the rest of the fee accrues.
///   The jar keeps a copy of the split's creator share (`creatorShareBps`), read at deployment
///   and refreshed by anyone with `syncCreatorShare`; a governance proposal that changes the
///   split's allocation calls `syncCreatorShare` as its next action. Until someone does, ETH tips
///   use the previous share.
///
/// ETH is pushed to the profile's current owner with a gas-limited call. If the owner rejects it
/// (reverts, or runs out of the gas allowance), the amount is credited to the profile as a
/// claimable balance that the profile's owner withdraws later; a recipient can never block a tip.
/// Tokens are transferred from the tipper to the owner directly.
///
/// Referrers: every tip function has a variant naming a `referrer` (the app that brought the
/// tip; the permit variant takes it as a parameter, zero for none). The referrer is credited
/// `referrerShareBps` (set by governance, at most `MAX_REFERRER_SHARE_BPS`) of the protocol fee
/// the jar would otherwise keep, rounded down, in the tip's token; it withdraws its balance with
/// `withdrawReferrerFees` (pull, like every fee). The tipper pays and the creator receives exactly
/// what they would without a referrer. A zero referrer is a plain tip. The plain variants read no
/// referrer state and cost nothing extra.
///
/// Listeners may assume:
/// - every tip emits exactly one `Tipped`, whose `amount` is what the tipper paid and `fee` the part
///   kept by the jar for the revenue split; a tip with a referrer emits `ReferrerCredited`
///   immediately before its `Tipped`, and `amount - fee - ReferrerCredited.amount` reached the
///   creator or its claimable balance (`amount - fee` without a referrer). For a token tip `fee` is the whole protocol fee, of which the split later credits
///   the creator share to the profile. For an ETH tip `fee` is the protocol fee minus the creator
///   share already paid with the tip, so the `fee`s of all ETH tips add up to what `sweepETH`
///   deposits, to the wei;
/// - `TipCredited` follows a `Tipped` whose ETH the owner rejected, and carries the balance after;
/// - `token` is the zero address for ETH.
interface ITipJar {
    /// @notice One entry of a batch tip. `postId` 0 tips the profile `profileId`; otherwise it tips
    /// the post, whose author must be `profileId`.
    struct Tip {
        uint256 profileId;
        uint256 postId;
        uint256 amount;
    }

    /// @notice `tipper` paid `amount` of `token` (0: ETH) to `profileId`, for `postId` (0: the
    /// profile itself); `fee` of it accrued in the jar for the revenue split and `amount - fee` went
    /// to the creator.
    /// - Token: `fee = amount * feeBps / 10_000`, rounded down. The split returns its creator share
    ///   of it to `profileId` when `sweepToken` deposits it.
    /// - ETH: with `f = amount * feeBps / 10_000` and `c = f * creatorShareBps / 10_000`, each
    ///   rounded down, `fee = f - c`: the creator share `c` is paid to the creator with the tip
    ///   (`amount - fee = amount - f + c`), and `sweepETH` deposits exactly the sum of these `fee`s.
    event Tipped(
        uint256 indexed profileId,
        uint256 indexed postId,
        address indexed tipper,
        address token,
        uint256 amount,
        uint256 fee,
        string message
    );

    /// @notice `referrer` brought the tip whose `Tipped` follows this event and was credited
    /// `amount` of `token` (0: ETH); its balance is now `balance`.
    event ReferrerCredited(
        address indexed referrer,
        address indexed token,
        uint256 amount,
        uint256 balance
    );

    /// @notice `referrer` withdrew its `amount` of `token` (0: ETH) to `to`.
    event ReferrerFeesWithdrawn(
        address indexed referrer,
        address indexed token,
        address to,
        uint256 amount
    );

    /// @notice Governance changed the referrer's share of the protocol fee (basis points of it).
    event ReferrerShareChanged(uint16 oldBps, uint16 newBps);

    /// @notice The profile's owner rejected `amount` wei; the profile can now claim `claimable`.
    event TipCredited(uint256 indexed profileId, uint256 amount, uint256 claimable);

    /// @notice The owner of `profileId` withdrew its claimable `amount` wei to `to`.
    event TipClaimed(uint256 indexed profileId, address indexed to, uint256 amount);

    /// @notice `amount` of `token` in fees earned by `creatorId` (0: the pooled ETH fees) went to
    /// the revenue sink.
    event FeesSwept(uint256 indexed creatorId, address indexed token, uint256 amount);

    /// @notice Governance changed the protocol fee.
    event FeeChanged(uint16 oldFeeBps, uint16 newFeeBps);

    /// @notice The jar's copy of the revenue split's creator share, which ETH tips pay to the
    /// creator at once, went from `oldBps` to `newBps` (emitted at deployment, from 0, and by every
    /// `syncCreatorShare`, also when unchanged).
    event CreatorShareSynced(uint16 oldBps, uint16 newBps);

    /// @notice No profile has this id.
    error TipJarProfileNotFound(uint256 profileId);
    /// @notice No post has this id.
    error TipJarPostNotFound(uint256 postId);
    /// @notice The tip names post `postId`, whose author is `authorId`, and profile `profileId`.
    error TipJarPostAuthorMismatch(uint256 postId, uint256 profileId, uint256 authorId);
    /// @notice A tip of zero.
    error TipJarZeroAmount();
    /// @notice A call re-entered the tip jar while it was moving value.
    error TipJarReentrantCall();
    /// @notice The message is `length` bytes; at most `maximum` are allowed.
    error TipJarMessageTooLong(uint256 length, uint256 maximum);
    /// @notice `token` did not move `amount` from `from` to `to` (it reverted or returned false).
    error TipJarTokenTransferFailed(address token, address from, address to, uint256 amount);
    /// @notice A batch tip sent `sent` wei but its entries add up to `expected`.
    error TipJarValueMismatch(uint256 sent, uint256 expected);
    /// @notice A batch tip has no entries.
    error TipJarEmptyBatch();
    /// @notice `caller` is not the governance (the timelock).
    error TipJarUnauthorized(address caller);
    /// @notice The fee `feeBps` exceeds `maximum`.
    error TipJarFeeTooHigh(uint256 feeBps, uint256 maximum);
    /// @notice `caller` does not own `profileId`.
    error TipJarNotProfileOwner(uint256 profileId, address caller);
    /// @notice `profileId` has nothing to claim.
    error TipJarNothingToClaim(uint256 profileId);
    /// @notice Sending `amount` wei to `to` failed.
    error TipJarETHTransferFailed(address to, uint256 amount);
    /// @notice The referrer share `bps` exceeds `maximum`.
    error TipJarReferrerShareTooHigh(uint256 bps, uint256 maximum);
    /// @notice `referrer` has no `token` to withdraw.
    error TipJarNothingToWithdraw(address token, address referrer);
    /// @notice The revenue sink reported a creator share of `creatorShareBps`, above `maximum`.
    error TipJarCreatorShareTooHigh(uint256 creatorShareBps, uint256 maximum);

    /// @notice Tips `msg.value` wei to the profile.
    function tipETH(uint256 profileId, string calldata message) external payable;

    /// @notice Tips `msg.value` wei to the author of `postId`.
    function tipPostETH(uint256 postId, string calldata message) external payable;

    /// @notice Tips `amount` of `token` (approved to this contract) to the profile.
    function tipToken(
        uint256 profileId,
        address token,
        uint256 amount,
        string calldata message
    ) external;

    /// @notice Tips `amount` of `token` (approved to this contract) to the author of `postId`.
    function tipPostToken(
        uint256 postId,
        address token,
        uint256 amount,
        string calldata message
    ) external;

    /// @notice `tipToken` or `tipPostToken` (`postId` non-zero) authorised by an EIP-2612 permit
    /// in the same transaction, brought by `referrer` (zero: none). A permit already used (for
    /// example by a front-runner) is ignored as long as the allowance is there.
    function tipTokenWithPermit(
        uint256 profileId,
        uint256 postId,
        address token,
        uint256 amount,
        string calldata message,
        address referrer,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external;

    /// @notice `tipETH` brought by `referrer`.
    function tipETHWithReferrer(
        uint256 profileId,
        string calldata message,
        address referrer
    ) external payable;

    /// @notice `tipPostETH` brought by `referrer`.
    function tipPostETHWithReferrer(
        uint256 postId,
        string calldata message,
        address referrer
    ) external payable;

    /// @notice `tipToken` brought by `referrer`.
    function tipTokenWithReferrer(
        uint256 profileId,
        address token,
        uint256 amount,
        string calldata message,
        address referrer
    ) external;

    /// @notice `tipPostToken` brought by `referrer`.
    function tipPostTokenWithReferrer(
        uint256 postId,
        address token,
        uint256 amount,
        string calldata message,
        address referrer
    ) external;

    /// @notice `tipETHBatch` brought by `referrer`.
    function tipETHBatchWithReferrer(
        Tip[] calldata tips,
        string calldata message,
        address referrer
    ) external payable;

    /// @notice `tipTokenBatch` brought by `referrer`.
    function tipTokenBatchWithReferrer(
        address token,
        Tip[] calldata tips,
        string calldata message,
        address referrer
    ) external;

    /// @notice Sends the caller's whole referrer balance of `token` (0: ETH) to `to`.
    function withdrawReferrerFees(address token, address to) external;

    /// @notice Sets the referrer's share of the protocol fee, at most `MAX_REFERRER_SHARE_BPS`.
    /// Only governance.
    function setReferrerShareBps(uint16 bps) external;

    /// @notice Several ETH tips in one transaction; `msg.value` must equal their sum.
    function tipETHBatch(Tip[] calldata tips, string calldata message) external payable;

    /// @notice Several tips of `token` in one transaction.
    function tipTokenBatch(address token, Tip[] calldata tips, string calldata message) external;

    /// @notice Sends the profile's claimable ETH to `to`. Only the profile's current owner.
    function claim(uint256 profileId, address to) external;

    /// @notice Deposits the pooled ETH fees into the revenue sink (attribution 0). Anyone. The
    /// creator share of these fees was already paid with each tip.
    function sweepETH() external;

    /// @notice Deposits every listed creator's accrued `token` fees into the revenue sink. Anyone.
    function sweepToken(address token, uint256[] calldata creatorIds) external;

    /// @notice Sets the protocol fee, at most `MAX_FEE_BPS`. Only governance.
    function setFeeBps(uint16 feeBps) external;

    /// @notice Copies the revenue split's current `creatorShareBps` for ETH tips to use, and emits
    /// `CreatorShareSynced`. Anyone: the value comes from the split, so the caller chooses only
    /// when. The split does not notify the jar of an allocation change (it stays independent of
    /// its fee collectors); the proposal that changes the allocation adds this call as its next
    /// action, and anyone may call it after a change that did not. Reverts with
    /// `TipJarCreatorShareTooHigh` above 10,000 and propagates a failed read.
    function syncCreatorShare() external;

    /// @notice The profile registry tips are paid to.
    function profiles() external view returns (IProfileRegistry);

    /// @notice The social graph posts are checked against.
    function graph() external view returns (ISocialGraph);

    /// @notice Where swept fees go.
    function revenueSink() external view returns (IRevenueSink);

    /// @notice The only address that may change the fee (the DAO timelock).
    function governance() external view returns (address);

    /// @notice The protocol fee in basis points of each tip.
    function feeBps() external view returns (uint16);

    /// @notice The creator share, in basis points of the fee, that an ETH tip pays to the creator
    /// at once: the revenue split's `creatorShareBps` as of the last `syncCreatorShare` (or the
    /// deployment).
    function creatorShareBps() external view returns (uint16);

    /// @notice The referrer's share of the protocol fee, in basis points of that fee.
    function referrerShareBps() external view returns (uint16);

    /// @notice `referrer`'s withdrawable `token` (0: ETH).
    function referrerBalanceOf(address token, address referrer) external view returns (uint256);

    /// @notice ETH fees accrued and not yet swept.
    function pendingETHFees() external view returns (uint256);

    /// @notice `token` fees accrued for `creatorId` and not yet swept.
    function pendingTokenFees(address token, uint256 creatorId) external view returns (uint256);

    /// @notice ETH the profile's owner rejected, waiting for `claim`.
    function claimable(uint256 profileId) external view returns (uint256);
}
