import type { ApiContext, ApiModule } from "./context";
import {
  connectionArgs,
  entityTypeDefs,
  fetchPage,
  type Entity,
  type PageArgs,
  type PageLimits,
  type Row,
} from "./entity";
import { moderatedPage } from "./moderation";
import { findProfile, profileById } from "./profiles";
import { eventFeed, required, traceColumns } from "./shared";

/**
 * Messaging keys and encrypted direct messages (docs/privacy.md). The API serves ciphertexts
 * as the chain carries them: anyone may read them, only the two parties can open them. It
 * holds no key and no plaintext.
 */

export const MESSAGING_KEY: Entity = {
  name: "MessagingKey",
  description: "A publication (or revocation, publicKey null) of a profile's X25519 messaging key.",
  from: "messaging_key_events mk",
  alias: "mk",
  columns: [
    {
      field: "profileId",
      sql: "mk.profile_id",
      kind: "uint256",
      filter: true,
      description: "Profile whose key it is.",
    },
    {
      field: "keyVersion",
      sql: "mk.key_version",
      kind: "uint256",
      filter: true,
      description: "Version of the key, from 1; envelopes name the versions they were sealed with.",
    },
    {
      field: "publicKey",
      sql: "mk.public_key",
      kind: "text",
      nullable: true,
      description: "The X25519 public key, 0x-hex (32 bytes); null for a revocation.",
    },
    {
      field: "timestamp",
      sql: "mk.timestamp",
      kind: "uint64",
      description: "Unix time of the event's block, in seconds.",
    },
    ...traceColumns("mk", "publication"),
  ],
  orderings: [
    { name: "blockNumber", description: "In chain order.", keys: ["blockNumber", "logIndex"] },
  ],
  defaultOrdering: "blockNumber",
  defaultDirection: "desc",
};

export const MESSAGE: Entity = {
  name: "Message",
  description:
    "An encrypted direct message as the chain carries it: who, to whom, when, and the ciphertext (docs/privacy.md describes the envelope).",
  from: "messages m",
  alias: "m",
  columns: [
    {
      field: "fromId",
      sql: "m.from_id",
      kind: "uint256",
      filter: true,
      description: "Sending profile.",
    },
    { field: "toId", sql: "m.to_id", kind: "uint256", filter: true, description: "Recipient." },
    {
      field: "ciphertext",
      sql: "'0x' || encode(m.ciphertext, 'hex')",
      kind: "text",
      description: "The envelope, 0x-hex: only the two profiles' secret keys open it.",
    },
    {
      field: "size",
      sql: "octet_length(m.ciphertext)",
      kind: "int",
      description: "Length of the ciphertext in bytes (public, like the parties and the time).",
    },
    {
      field: "timestamp",
      sql: "m.timestamp",
      kind: "uint64",
      description: "Unix time of the message's block, in seconds.",
    },
    ...traceColumns("m", "message"),
  ],
  orderings: [
    { name: "blockNumber", description: "In chain order.", keys: ["blockNumber", "logIndex"] },
  ],
  defaultOrdering: "blockNumber",
  defaultDirection: "desc",
};

/** Feed of new messages for `messageSent`. */
export const MESSAGES_FEED = eventFeed("messages", MESSAGE);

export const CONVERSATION: Entity = {
  name: "Conversation",
  description:
    "The messages between a profile and one other profile, seen from the first: how many, and the latest.",
  from: "conversations cv",
  alias: "cv",
  columns: [
    {
      field: "profileId",
      sql: "cv.profile_id",
      kind: "uint256",
      description: "The profile whose conversation it is.",
    },
    {
      field: "counterpartId",
      sql: "cv.counterpart_id",
      kind: "uint256",
      filter: true,
      description: "The other profile.",
    },
    {
      field: "messageCount",
      sql: "cv.message_count",
      kind: "int",
      description: "Messages either way.",
    },
    {
      field: "lastBlockNumber",
      sql: "cv.last_block_number",
      kind: "uint64",
      description: "Block of the latest message.",
    },
    {
      field: "lastLogIndex",
      sql: "cv.last_log_index",
      kind: "int",
      description: "Log index of the latest message.",
    },
  ],
  orderings: [
    {
      name: "lastMessage",
      description: "By the latest message.",
      keys: ["lastBlockNumber", "lastLogIndex"],
    },
  ],
  defaultOrdering: "lastMessage",
  defaultDirection: "desc",
};

/** The latest key event of a profile: its key in force, or null if it has none. */
async function currentKey(context: ApiContext, profileId: string): Promise<Row | null> {
  const page = await fetchPage(
    context.db,
    MESSAGING_KEY,
    { where: { profileId }, first: 1 },
    context.limits,
  );
  const latest = page.nodes[0];
  return latest && latest.publicKey != null ? latest : null;
}

function between(a: unknown, b: unknown) {
  return (add: (value: unknown, cast: string) => string) => {
    const x = add(a, "numeric");
    const y = add(b, "numeric");
    return `((m.from_id = ${x} AND m.to_id = ${y}) OR (m.from_id = ${y} AND m.to_id = ${x}))`;
  };
}

export function messagingModule(limits: PageLimits): ApiModule {
  const profileOf = (field: string) => (row: Row, _: unknown, context: ApiContext) =>
    required(profileById(context, String(row[field])), `profile ${row[field]}`);
  const pageArgs = connectionArgs(MESSAGE, limits).replace(/\n\s*"Only rows[^\n]*\n[^\n]*/, "");
  return {
    typeDefs: /* GraphQL */ `
      ${entityTypeDefs(MESSAGING_KEY)}
      ${entityTypeDefs(MESSAGE)}
      ${entityTypeDefs(CONVERSATION)}

      extend type Profile {
        "The messaging key in force (its latest publication), null when it has none or revoked it."
        messagingKey: MessagingKey
        "Every publication and revocation of its messaging key."
        messagingKeys${connectionArgs(MESSAGING_KEY, limits)}: MessagingKeyConnection!
      }

      extend type Message {
        "Sending profile."
        from: Profile!
        "Recipient."
        to: Profile!
      }

      extend type ConversationConnection {
        "With a viewer: the counterparts the viewer's moderation left out of this page, and why. Null without a viewer."
        hidden: [HiddenProfile!]
      }

      extend type Conversation {
        "The other profile."
        counterpart: Profile!
        "The latest message, either way."
        lastMessage: Message!
        "The messages, either way."
        messages${pageArgs}: MessageConnection!
      }

      extend type Query {
        "Messaging key publications and revocations matching a filter."
        messagingKeys${connectionArgs(MESSAGING_KEY, limits)}: MessagingKeyConnection!
        "Messages matching a filter (ciphertexts: the parties, the time and the size are public)."
        messages${connectionArgs(MESSAGE, limits)}: MessageConnection!
        "The messages between two profiles, either way, newest first by default."
        conversation(
          "One profile."
          profileId: BigInt!
          "The other."
          counterpartId: BigInt!
          "Sort direction."
          orderDirection: OrderDirection = desc
          "Page size: at most ${limits.maxPageSize}."
          first: Int = ${limits.defaultPageSize}
          "Cursor of the last message already read."
          after: String
        ): MessageConnection!
        "A profile's conversations, the most recent first by default."
        conversations(
          "The profile."
          profileId: BigInt!
          "Sort direction."
          orderDirection: OrderDirection = desc
          "Page size: at most ${limits.maxPageSize}."
          first: Int = ${limits.defaultPageSize}
          "Cursor of the last conversation already read."
          after: String
          "Leave out conversations with the profiles this profile's blocks, mutes and subscribed lists hide, and with profiles that blocked it; the connection's hidden field says which and why."
          viewer: BigInt
        ): ConversationConnection!
      }

      extend type Subscription {
        "Each message the profile sends or receives, as it is indexed (ciphertexts, as messages serves them); an unknown profile is an error with code PROFILE_NOT_FOUND."
        messageSent("The profile, as sender or recipient." profileId: BigInt!): Message!
      }
    `,
    resolvers: {
      Query: {
        messagingKeys: (_: unknown, args: PageArgs, context: ApiContext) =>
          fetchPage(context.db, MESSAGING_KEY, args, context.limits),
        messages: (_: unknown, args: PageArgs, context: ApiContext) =>
          fetchPage(context.db, MESSAGE, args, context.limits),
        async conversation(
          _: unknown,
          args: PageArgs & { profileId: string; counterpartId: string },
          context: ApiContext,
        ) {
          const a = await findProfile(context, { id: args.profileId }, "profileId");
          const b = await findProfile(context, { id: args.counterpartId }, "counterpartId");
          return fetchPage(context.db, MESSAGE, args, context.limits, between(a.id, b.id));
        },
        async conversations(
          _: unknown,
          args: PageArgs & { profileId: string; viewer?: string | null },
          context: ApiContext,
        ) {
          const profile = await findProfile(context, { id: args.profileId }, "profileId");
          return moderatedPage(
            context,
            CONVERSATION,
            args,
            "cv.counterpart_id",
            (add) => `cv.profile_id = ${add(profile.id, "numeric")}`,
          );
        },
      },
      Profile: {
        messagingKey: (profile: Row, _: unknown, context: ApiContext) =>
          currentKey(context, String(profile.id)),
        messagingKeys: (profile: Row, args: PageArgs, context: ApiContext) =>
          fetchPage(
            context.db,
            MESSAGING_KEY,
            args,
            context.limits,
            (add) => `mk.profile_id = ${add(profile.id, "numeric")}`,
          ),
      },
      Subscription: {
        messageSent: {
          async subscribe(_: unknown, args: { profileId: string }, context: ApiContext) {
            const { id } = await findProfile(context, { id: args.profileId }, "messageSent");
            const profileId = String(id);
            return context.live.subscribe(
              "messages",
              (row) => String(row.fromId) === profileId || String(row.toId) === profileId,
            );
          },
          resolve(row: Row, _: unknown, context: ApiContext) {
            context.resetLoaders();
            return row;
          },
        },
      },
      Message: { from: profileOf("fromId"), to: profileOf("toId") },
      Conversation: {
        counterpart: profileOf("counterpartId"),
        async lastMessage(conversation: Row, _: unknown, context: ApiContext) {
          const page = await fetchPage(
            context.db,
            MESSAGE,
            {
              where: { blockNumber: String(conversation.lastBlockNumber) },
              first: context.limits.maxPageSize,
            },
            context.limits,
            between(conversation.profileId, conversation.counterpartId),
          );
          const last = page.nodes.find(
            (message) => Number(message.logIndex) === Number(conversation.lastLogIndex),
          );
          if (!last) throw new Error(`message ${conversation.lastBlockNumber} is missing`);
          return last;
        },
        messages: (conversation: Row, args: PageArgs, context: ApiContext) =>
          fetchPage(
            context.db,
            MESSAGE,
            args,
            context.limits,
            between(conversation.profileId, conversation.counterpartId),
          ),
      },
    },
    feeds: [MESSAGES_FEED],
  };
}
