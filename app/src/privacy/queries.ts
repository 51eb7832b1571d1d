import { operation } from "../shared/operation";
import { HIDDEN_FIELDS, type HiddenProfile } from "../feed/queries";
import { PROFILE_FIELDS, type ProfileSummary } from "../profile/queries";

export interface KeyRow {
  keyVersion: string;
  publicKey: string | null;
}

/** A profile's messaging key in force and every publication (and revocation) of it. */
export const MessagingKeys = operation<
  {
    profile: {
      id: string;
      handle: string;
      messagingKey: KeyRow | null;
      messagingKeys: { nodes: KeyRow[] };
    };
  },
  { id: string }
>(`
  query MessagingKeys($id: BigInt!) {
    profile(id: $id) {
      id handle
      messagingKey { keyVersion publicKey }
      messagingKeys(first: 100) { nodes { keyVersion publicKey } }
    }
  }`);

/** The viewer's conversations, with its own blocks, mutes and lists applied. */
export const Conversations = operation<
  {
    conversations: {
      nodes: {
        counterpartId: string;
        messageCount: number;
        counterpart: ProfileSummary;
        lastMessage: { fromId: string; timestamp: string; size: number };
      }[];
      hidden: HiddenProfile[] | null;
    };
  },
  { profileId: string }
>(`
  query Conversations($profileId: BigInt!) {
    conversations(profileId: $profileId, viewer: $profileId, first: 50) {
      nodes {
        counterpartId messageCount
        counterpart { ${PROFILE_FIELDS} }
        lastMessage { fromId timestamp size }
      }
      ${HIDDEN_FIELDS}
    }
  }`);

export interface MessageRow {
  fromId: string;
  toId: string;
  ciphertext: string;
  timestamp: string;
  blockNumber: string;
  logIndex: number;
}

/** The latest messages between two profiles, either way, newest first. */
export const Conversation = operation<
  { conversation: { nodes: MessageRow[] } },
  { profileId: string; counterpartId: string }
>(`
  query Conversation($profileId: BigInt!, $counterpartId: BigInt!) {
    conversation(profileId: $profileId, counterpartId: $counterpartId, first: 100) {
      nodes { fromId toId ciphertext timestamp blockNumber logIndex }
    }
  }`);

/** Each message the profile sends or receives, as it is indexed. */
export const MessageSent = operation<
  { messageSent: { fromId: string; toId: string } },
  { profileId: string }
>(`
  subscription MessageSent($profileId: BigInt!) {
    messageSent(profileId: $profileId) { fromId toId }
  }`);

/** Whether one profile blocks or mutes another now. */
export const ModerationBetween = operation<
  { blocks: { nodes: { targetId: string }[] }; mutes: { nodes: { targetId: string }[] } },
  { profileId: string; targetId: string }
>(`
  query ModerationBetween($profileId: BigInt!, $targetId: BigInt!) {
    blocks(first: 1, where: { profileId: $profileId, targetId: $targetId }) { nodes { targetId } }
    mutes(first: 1, where: { profileId: $profileId, targetId: $targetId }) { nodes { targetId } }
  }`);

export interface ListData {
  id: string;
  name: string;
  ownerId: string;
  owner: { handle: string };
  members: { nodes: { member: ProfileSummary }[] };
}

/** The viewer's blocks, mutes and subscriptions, and every moderation list. */
export const MyModeration = operation<
  {
    blocks: { nodes: { target: ProfileSummary }[] };
    mutes: { nodes: { target: ProfileSummary }[] };
    moderationListSubscriptions: { nodes: { listId: string }[] };
    moderationLists: { nodes: ListData[] };
  },
  { profileId: string }
>(`
  query MyModeration($profileId: BigInt!) {
    blocks(first: 100, where: { profileId: $profileId }) { nodes { target { ${PROFILE_FIELDS} } } }
    mutes(first: 100, where: { profileId: $profileId }) { nodes { target { ${PROFILE_FIELDS} } } }
    moderationListSubscriptions(first: 100, where: { profileId: $profileId }) { nodes { listId } }
    moderationLists(first: 100) {
      nodes {
        id name ownerId owner { handle }
        members(first: 100) { nodes { member { ${PROFILE_FIELDS} } } }
      }
    }
  }`);
