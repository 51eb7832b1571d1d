import { useEffect, useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import {
  MAX_PLAINTEXT_BYTES,
  bytesToHex,
  decryptMessage,
  encryptMessage,
  hexToBytes,
  readEnvelopeHeader,
} from "../../../sdk/messaging";
import { cleanText } from "../shared/content";
import { useAgoraWrite } from "../shared/contracts";
import { explainError } from "../shared/errors";
import { formatDate, timeAgo } from "../shared/format";
import { subscribe } from "../shared/graphql";
import { useApi } from "../shared/queries";
import { Link, navigate } from "../shared/router";
import { useChainNow } from "../shared/time";
import {
  Card,
  ConfirmButton,
  ErrorNote,
  HiddenNote,
  Loading,
  ProfileLink,
  TxStatus,
} from "../shared/ui";
import { ProfilePage as ProfileQuery, type ProfileSummary } from "../profile/queries";
import { useViewer } from "../wallet/viewer";
import { unlockKey, useUnlockedKeys } from "./keys";
import {
  Conversation,
  Conversations,
  MessageSent,
  MessagingKeys,
  type KeyRow,
  type MessageRow,
} from "./queries";

type Viewer = { address: `0x${string}`; profile: ProfileSummary };

/**
 * Keeps the inbox current: each message the profile sends or receives, as the API indexes it
 * (its `messageSent` subscription), makes the conversations and the open thread stale.
 */
function useLiveMessages(profileId: string) {
  const queryClient = useQueryClient();
  useEffect(
    () =>
      subscribe(MessageSent, { profileId }, () => {
        void queryClient.invalidateQueries({
          predicate: (query) =>
            [Conversations.name, Conversation.name].includes(String(query.queryKey[0])),
        });
      }),
    [profileId, queryClient],
  );
}

const utf8Length = (text: string) => new TextEncoder().encode(text).length;

/** The viewer's messaging key: set it up, rotate it, or unlock it in this tab. */
function KeyPanel({ viewer }: { viewer: Viewer }) {
  const keys = useApi(MessagingKeys, { id: viewer.profile.id });
  const unlocked = useUnlockedKeys();
  const write = useAgoraWrite("Messaging");
  const [error, setError] = useState<string | null>(null);
  if (keys.error) return <ErrorNote error={keys.error} />;
  if (!keys.data) return <Loading what="your messaging key" />;
  const current = keys.data.profile.messagingKey;
  const lastVersion = keys.data.profile.messagingKeys.nodes.reduce(
    (max, row) => (BigInt(row.keyVersion) > max ? BigInt(row.keyVersion) : max),
    0n,
  );
  const publish = async () => {
    setError(null);
    try {
      const pair = await unlockKey(viewer.address, viewer.profile.id, lastVersion + 1n);
      await write.send({
        functionName: "publishKey",
        args: [BigInt(viewer.profile.id), bytesToHex(pair.publicKey) as `0x${string}`],
      });
    } catch (caught) {
      setError(explainError(caught).message);
    }
  };
  const unlock = async () => {
    setError(null);
    try {
      const pair = await unlockKey(viewer.address, viewer.profile.id, BigInt(current!.keyVersion));
      if (bytesToHex(pair.publicKey) !== current!.publicKey?.toLowerCase())
        setError(
          "This wallet's signature does not give the key published for your profile: it was set up from another wallet or with a key kept elsewhere. Rotate the key to read new messages here.",
        );
    } catch (caught) {
      setError(explainError(caught).message);
    }
  };
  const summary = (
    <>
      <p>
        Your wallet first signs a message (free, no transaction). This tab derives your messaging
        key from that signature and keeps it in memory only: it is never stored or sent.
      </p>
      <p>
        Then a transaction on Messaging publishes key version {String(lastVersion + 1n)}&apos;s
        public half for @{viewer.profile.handle}. Cost: gas only, no fee, no value sent.
      </p>
    </>
  );
  const isUnlocked = current && unlocked(viewer.profile.id, current.keyVersion);
  return (
    <Card title="Your messaging key" className="key-panel">
      {current ? (
        <p data-key-state={isUnlocked ? "unlocked" : "locked"}>
          Key version {current.keyVersion} is published.{" "}
          {isUnlocked ? "Unlocked in this tab." : "Locked: sign to read and send messages."}
        </p>
      ) : (
        <p data-key-state="none">You have no messaging key yet: no one can write to you.</p>
      )}
      <div className="row start">
        {current && !isUnlocked && (
          <button type="button" onClick={() => void unlock()}>
            Unlock messages
          </button>
        )}
        <ConfirmButton
          label={current ? "Rotate key" : "Set up direct messages"}
          className={current ? "secondary" : ""}
          summary={summary}
          disabled={write.busy}
          onConfirm={() => void publish()}
        />
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <TxStatus state={write.state} />
    </Card>
  );
}

function ConversationList({ viewer }: { viewer: Viewer }) {
  const { data, error } = useApi(Conversations, { profileId: viewer.profile.id });
  const now = useChainNow();
  const [to, setTo] = useState("");
  if (error) return <ErrorNote error={error} />;
  if (!data) return <Loading what="your conversations" />;
  const { nodes, hidden } = data.conversations;
  return (
    <Card title="Conversations">
      <form
        className="row start"
        onSubmit={(event) => {
          event.preventDefault();
          const handle = to.trim().replace(/^@/, "");
          if (handle) navigate(`/messages/${encodeURIComponent(handle)}`);
        }}
      >
        <label htmlFor="dm-to" className="sr-only">
          Write to a handle
        </label>
        <input
          id="dm-to"
          placeholder="@handle"
          value={to}
          onChange={(e) => setTo(e.target.value)}
        />
        <button type="submit">New message</button>
      </form>
      {nodes.length === 0 && <p className="muted">No conversations yet.</p>}
      <ul className="plain conversations">
        {nodes.map((c) => (
          <li key={c.counterpartId}>
            <Link to={`/messages/${c.counterpart.handle}`}>@{c.counterpart.handle}</Link>{" "}
            <span className="muted small">
              {c.messageCount} messages · last {timeAgo(c.lastMessage.timestamp, now)}
            </span>
          </li>
        ))}
      </ul>
      {hidden && <HiddenNote hidden={hidden} what="conversations" />}
    </Card>
  );
}

/** A message opened with the viewer's unlocked keys, or why it cannot be read. */
function useOpened(viewer: Viewer, counterpartId: string) {
  const own = useApi(MessagingKeys, { id: viewer.profile.id });
  const other = useApi(MessagingKeys, { id: counterpartId });
  const unlocked = useUnlockedKeys();
  const publicKey = (rows: KeyRow[] | undefined, version: number) => {
    const row = rows?.find((k) => Number(k.keyVersion) === version && k.publicKey);
    return row ? hexToBytes(row.publicKey!) : undefined;
  };
  return (message: MessageRow): { text?: string; problem?: string } => {
    try {
      const bytes = hexToBytes(message.ciphertext);
      const header = readEnvelopeHeader(bytes);
      const mine = message.fromId === viewer.profile.id;
      const ownVersion = mine ? header.senderKeyVersion : header.recipientKeyVersion;
      const otherVersion = mine ? header.recipientKeyVersion : header.senderKeyVersion;
      const secret = unlocked(viewer.profile.id, ownVersion);
      if (!secret) return { problem: `Sealed for your key version ${ownVersion}: unlock it.` };
      const ownPublic = publicKey(own.data?.profile.messagingKeys.nodes, ownVersion);
      const otherPublic = publicKey(other.data?.profile.messagingKeys.nodes, otherVersion);
      if (!ownPublic || !otherPublic) return { problem: "Names a key that was never published." };
      const text = decryptMessage(bytes, secret.secretKey, {
        fromId: BigInt(message.fromId),
        toId: BigInt(message.toId),
        senderPublicKey: mine ? ownPublic : otherPublic,
        senderKeyVersion: header.senderKeyVersion,
        recipientPublicKey: mine ? otherPublic : ownPublic,
        recipientKeyVersion: header.recipientKeyVersion,
      });
      return { text };
    } catch (error) {
      return { problem: `Cannot be opened: ${(error as Error).message}.` };
    }
  };
}

function Thread({ viewer, counterpart }: { viewer: Viewer; counterpart: ProfileSummary }) {
  const { data, error } = useApi(Conversation, {
    profileId: viewer.profile.id,
    counterpartId: counterpart.id,
  });
  const keys = useApi(MessagingKeys, { id: counterpart.id });
  const ownKeys = useApi(MessagingKeys, { id: viewer.profile.id });
  const unlocked = useUnlockedKeys();
  const open = useOpened(viewer, counterpart.id);
  const write = useAgoraWrite("Messaging");
  const [text, setText] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  if (error) return <ErrorNote error={error} />;
  if (!data || !keys.data || !ownKeys.data) return <Loading what="the conversation" />;
  const theirs = keys.data.profile.messagingKey;
  const mine = ownKeys.data.profile.messagingKey;
  const ownPair = mine ? unlocked(viewer.profile.id, mine.keyVersion) : undefined;
  const length = utf8Length(text);
  const send = async () => {
    setProblem(null);
    if (!theirs?.publicKey || !mine?.publicKey || !ownPair) return;
    try {
      const ciphertext = encryptMessage(text, ownPair.secretKey, {
        fromId: BigInt(viewer.profile.id),
        toId: BigInt(counterpart.id),
        senderPublicKey: ownPair.publicKey,
        senderKeyVersion: Number(mine.keyVersion),
        recipientPublicKey: hexToBytes(theirs.publicKey),
        recipientKeyVersion: Number(theirs.keyVersion),
      });
      const receipt = await write.send({
        functionName: "sendMessage",
        args: [
          BigInt(viewer.profile.id),
          BigInt(counterpart.id),
          bytesToHex(ciphertext) as `0x${string}`,
        ],
      });
      if (receipt) setText("");
    } catch (caught) {
      setProblem(explainError(caught).message);
    }
  };
  const messages = [...data.conversation.nodes].reverse();
  return (
    <Card title={`Messages with @${counterpart.handle}`} className="thread">
      <ol className="plain messages" aria-label="Messages">
        {messages.map((message) => {
          const opened = open(message);
          const own = message.fromId === viewer.profile.id;
          return (
            <li
              key={`${message.blockNumber}:${message.logIndex}`}
              className={`message ${own ? "own" : ""}`}
            >
              <span className="muted small">
                {own ? "You" : `@${counterpart.handle}`} · {formatDate(message.timestamp)}
              </span>
              <div className={opened.text === undefined ? "muted" : "message-text"}>
                {opened.text !== undefined ? cleanText(opened.text) : opened.problem}
              </div>
            </li>
          );
        })}
      </ol>
      {messages.length === 0 && <p className="muted">No messages yet.</p>}
      {!theirs?.publicKey ? (
        <p className="muted">
          @{counterpart.handle} has not set up direct messages: they cannot be written to yet.
        </p>
      ) : !ownPair ? (
        <p className="muted">Set up or unlock your messaging key above to write.</p>
      ) : (
        <form onSubmit={(event) => event.preventDefault()}>
          <label htmlFor="dm-text">Message to @{counterpart.handle}</label>
          <textarea id="dm-text" rows={3} value={text} onChange={(e) => setText(e.target.value)} />
          <p className={length > MAX_PLAINTEXT_BYTES ? "error small" : "muted small"}>
            {length} / {MAX_PLAINTEXT_BYTES} bytes
          </p>
          <ConfirmButton
            label="Send encrypted"
            disabled={write.busy || length === 0 || length > MAX_PLAINTEXT_BYTES}
            summary={
              <>
                <p>
                  Sends a message to <ProfileLink handle={counterpart.handle} /> encrypted to their
                  key version {theirs.keyVersion} and yours ({mine!.keyVersion}): only the two of
                  you can read it.
                </p>
                <p>
                  Public on chain: who writes to whom, when, and the size (padded to 64 bytes).
                  Cost: gas only, no fee, no value sent.
                </p>
              </>
            }
            onConfirm={() => void send()}
          />
        </form>
      )}
      {problem && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
      <TxStatus state={write.state} />
    </Card>
  );
}

function ThreadByHandle({ viewer, handle }: { viewer: Viewer; handle: string }) {
  const { data, error } = useApi(ProfileQuery, { handle });
  if (error) return <ErrorNote error={error} />;
  if (!data) return <Loading what={`@${handle}`} />;
  if (data.profile.id === viewer.profile.id)
    return <p className="muted">You cannot message yourself.</p>;
  return <Thread viewer={viewer} counterpart={data.profile} />;
}

function LiveMessages({ profileId }: { profileId: string }) {
  useLiveMessages(profileId);
  return null;
}

/** Direct messages: end-to-end encrypted (docs/privacy.md), keys only in this tab. */
export function MessagesPage({ handle }: { handle?: string }) {
  const { address, profile, loading } = useViewer();
  if (!address) return <p>Connect a wallet to read your messages.</p>;
  if (loading) return <Loading what="your profile" />;
  if (!profile)
    return (
      <p>
        Messages need a profile. <Link to="/register">Register a handle</Link> first.
      </p>
    );
  const viewer = { address, profile };
  return (
    <>
      <LiveMessages profileId={profile.id} />
      <h1>Messages</h1>
      <KeyPanel viewer={viewer} />
      <div className="two-col">
        <ConversationList viewer={viewer} />
        {handle ? (
          <ThreadByHandle key={handle} viewer={viewer} handle={handle} />
        ) : (
          <p className="muted">Choose a conversation, or write to a handle.</p>
        )}
      </div>
    </>
  );
}
