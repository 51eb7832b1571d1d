import {
  BaseError,
  ContractFunctionRevertedError,
  InsufficientFundsError,
  UserRejectedRequestError,
} from "viem";
import { formatAmount, formatDate, shortAddress } from "./format";

type Args = readonly unknown[];
const n = (value: unknown) => formatAmount(BigInt(value as bigint));
const a = (value: unknown) => shortAddress(String(value));
const d = (value: unknown) => formatDate(BigInt(value as bigint));
const GOVERNOR_STATES = [
  "pending",
  "active",
  "canceled",
  "defeated",
  "succeeded",
  "queued",
  "expired",
  "executed",
];

/**
 * Each contract error in plain words, with the values it carries. The contracts name every
 * error after their component and pass the values involved (docs of contracts/interfaces).
 */
const PLAIN: Record<string, (args: Args) => string> = {
  ProfileHandleInvalid: ([h]) =>
    `"${String(h)}" is not a valid handle: use 3-25 characters of a-z, 0-9 and _, not starting with _.`,
  ProfileHandleTaken: ([h, id]) =>
    `The handle "${String(h)}" is taken (by profile #${String(id)}).`,
  ProfileAlreadyOwned: ([account, id]) =>
    `${a(account)} already owns profile #${String(id)}: one profile per address.`,
  ProfileNotFound: ([id]) => `Profile #${String(id)} does not exist.`,
  ProfileUnauthorized: ([id, caller]) => `${a(caller)} may not act for profile #${String(id)}.`,
  ProfileNoTransferOffer: ([id, caller]) =>
    `${a(caller)} has no pending transfer offer for profile #${String(id)}.`,
  ProfileInvalidAddress: ([account]) => `${a(account)} cannot be used here.`,
  ProfileHandleCoolingDown: ([h, , freeAt]) =>
    `"${String(h)}" was given up recently and stays reserved for its profile until ${d(freeAt)}.`,
  ProfileTransferOfferExpired: ([id, expiresAt]) =>
    `The offer of profile #${String(id)} expired on ${d(expiresAt)}.`,
  ProfileTransferOfferTooEarly: ([id, acceptableAt]) =>
    `Profile #${String(id)} has a recovery address that may still answer; the offer can be accepted from ${d(acceptableAt)}.`,
  ProfileTransferExpiryInvalid: () => "The offer's expiry lies in the past.",
  ProfileRecoveryInProgress: ([id, to, expiresAt]) =>
    `The recovery address offered profile #${String(id)} to ${a(to)} until ${d(expiresAt)}; until then it cannot be offered elsewhere.`,
  PostNotFound: ([id]) => `Post ${String(id)} does not exist.`,
  PostContentEmpty: () => "A post needs some content.",
  SocialSelfFollow: () => "A profile cannot follow itself.",
  CreatorCoinSlippage: ([received, minimum]) =>
    `The price moved: this trade would give ${n(received)}, below your minimum of ${n(minimum)}. Raise the slippage tolerance or try again.`,
  CreatorCoinExcessiveInput: ([required, maximum]) =>
    `The price moved: these coins now cost ${n(required)} ETH, above your maximum of ${n(maximum)} ETH.`,
  CreatorCoinInsufficientPayment: ([sent, required]) =>
    `You sent ${n(sent)} ETH; the trade needs ${n(required)} ETH.`,
  CreatorCoinDeadlineExpired: () => "The trade's deadline passed before it was mined. Try again.",
  CreatorCoinZeroRecipient: () => "The recipient is the zero address.",
  CreatorCoinZeroAmount: () => "The amount is zero, or there is nothing to withdraw.",
  CreatorCoinTradeTooSmall: ([amount, minimum]) =>
    `The trade moves ${n(amount)} coins; the smallest trade is ${n(minimum)}.`,
  CreatorCoinSupplyCapExceeded: () => "The coin's supply would pass its cap of one million coins.",
  CreatorCoinExceedsCirculating: ([amount, circulating]) =>
    `You asked to sell ${n(amount)} coins, but only ${n(circulating)} circulate.`,
  CreatorCoinUnauthorized: ([caller]) => `${a(caller)} is not the profile's owner.`,
  CreatorCoinFeeTooHigh: ([bps, maximum]) =>
    `A creator fee of ${String(bps)} bps is above the maximum of ${String(maximum)} bps.`,
  CreatorCoinFactoryAlreadyLaunched: ([id, coin]) =>
    `Profile #${String(id)} already launched its coin (${a(coin)}).`,
  CreatorCoinFactoryUnauthorized: ([caller]) =>
    `${a(caller)} does not own this profile, so it cannot launch its coin.`,
  ERC20InsufficientBalance: ([, balance, needed]) =>
    `Your balance is ${n(balance)}; this needs ${n(needed)}.`,
  ERC20InsufficientAllowance: ([, allowance, needed]) =>
    `The allowance is ${n(allowance)}; this needs ${n(needed)}. Approve first.`,
  TipJarProfileNotFound: ([id]) => `Profile #${String(id)} does not exist.`,
  TipJarPostNotFound: ([id]) => `Post ${String(id)} does not exist.`,
  TipJarZeroAmount: () => "A tip needs an amount above zero.",
  TipJarMessageTooLong: ([length, maximum]) =>
    `The message is ${String(length)} bytes; at most ${String(maximum)} are allowed.`,
  TipJarTokenTransferFailed: ([token]) => `The token ${a(token)} refused the transfer.`,
  TipJarNothingToClaim: () => "There is nothing to claim.",
  TipJarPostAuthorMismatch: () => "That post belongs to another profile.",
  GovernorAlreadyCastVote: ([voter]) => `${a(voter)} has already voted on this proposal.`,
  GovernorInsufficientProposerVotes: ([, votes, threshold]) =>
    `Proposing needs ${n(threshold)} votes; you have ${n(votes)}. Delegate to yourself first, or gather delegations.`,
  GovernorNonexistentProposal: () => "This proposal does not exist.",
  GovernorUnexpectedProposalState: ([, current]) =>
    `The proposal is ${GOVERNOR_STATES[Number(current)] ?? "in another state"}, so this cannot be done now.`,
  GovernorInvalidVoteType: () => "That is not a valid vote (for, against or abstain).",
  TimelockUnexpectedOperationState: () =>
    "The timelock's delay has not passed yet (or it already ran).",
  RevenueSplitBpsSum: ([total]) => `The shares add up to ${Number(total) / 100}%, not 100%.`,
  RevenueSplitZeroShare: ([index]) => `Bucket ${Number(index) + 1} has a share of zero.`,
  RevenueSplitZeroRecipient: ([index]) => `Bucket ${Number(index) + 1} has no recipient.`,
  RevenueSplitBucketCount: ([count, maximum]) =>
    `An allocation has 1 to ${String(maximum)} buckets, not ${String(count)}.`,
  RevenueSplitNothingToWithdraw: () => "There is nothing to withdraw.",
  RevenueSplitNothingToDistribute: () => "There is nothing to distribute.",
  ModerationUnauthorized: ([id, caller]) =>
    `${a(caller)} may not moderate for profile #${String(id)} (or curate this list).`,
  ModerationProfileNotFound: ([id]) => `Profile #${String(id)} does not exist.`,
  ModerationSelfTarget: () => "A profile cannot block, mute or list itself.",
  ModerationListNotFound: ([id]) => `Moderation list #${String(id)} does not exist.`,
  ModerationListNameInvalid: ([length, maximum]) =>
    `A list name is 1 to ${String(maximum)} bytes; this one is ${String(length)}.`,
  MessagingUnauthorized: ([id, caller]) =>
    `${a(caller)} may not send or publish keys for profile #${String(id)}.`,
  MessagingProfileNotFound: ([id]) => `Profile #${String(id)} does not exist.`,
  MessagingKeyInvalid: ([length]) => `A messaging key is 32 bytes, not ${String(length)}.`,
  MessagingKeyMissing: ([id]) =>
    `Profile #${String(id)} has no messaging key: it must set up direct messages first.`,
  MessagingCiphertextEmpty: () => "The message is empty.",
  MessagingCiphertextTooLong: ([length, maximum]) =>
    `The encrypted message is ${String(length)} bytes; at most ${String(maximum)} are allowed.`,
  MessagingSelfMessage: () => "A profile cannot message itself.",
  MessagingSignatureExpired: () => "The signature's deadline passed. Sign again.",
  MessagingSignatureInvalid: ([expected]) => `The signature is not from ${a(expected)}.`,
};

/** A failed transaction or call, in words a person reads; `error` is the contract's error name. */
export interface PlainError {
  error?: string;
  args?: readonly unknown[];
  message: string;
}

export function explainError(error: unknown): PlainError {
  if (error instanceof BaseError) {
    if (error.walk((e) => e instanceof UserRejectedRequestError))
      return { message: "You rejected the request in your wallet. Nothing was sent." };
    if (error.walk((e) => e instanceof InsufficientFundsError))
      return { message: "Your wallet does not hold enough ETH for this and its gas." };
    const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError) as
      ContractFunctionRevertedError | undefined;
    const name = reverted?.data?.errorName;
    if (reverted && name) {
      const args = reverted.data?.args ?? [];
      const plain = PLAIN[name];
      const fallback = `The contract refused: ${name}(${args.map(String).join(", ")}).`;
      return { error: name, args, message: plain ? plain(args) : fallback };
    }
    if (reverted?.reason) return { message: `The contract refused: ${reverted.reason}` };
    return { message: error.shortMessage };
  }
  return { message: error instanceof Error ? error.message : String(error) };
}
