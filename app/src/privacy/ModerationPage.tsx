import { useState } from "react";
import { useAgoraWrite } from "../shared/contracts";
import { cleanText } from "../shared/content";
import { useApi } from "../shared/queries";
import { Link } from "../shared/router";
import { Card, ConfirmButton, ErrorNote, Loading, ProfileLink, TxStatus } from "../shared/ui";
import { HandleTaken, type ProfileSummary } from "../profile/queries";
import { useViewer } from "../wallet/viewer";
import { MyModeration, type ListData } from "./queries";

/** The contract's limit on a list name, in bytes (Moderation.MAX_LIST_NAME_LENGTH). */
const MAX_NAME_BYTES = 64;
const GAS_ONLY = "Cost: gas only, no fee, no value sent. The event is public.";

function ProfileRows({
  title,
  rows,
  undo,
  busy,
  onUndo,
}: {
  title: string;
  rows: ProfileSummary[];
  undo: string;
  busy: boolean;
  onUndo: (profile: ProfileSummary) => void;
}) {
  return (
    <Card title={title}>
      {rows.length === 0 && <p className="muted">Nobody.</p>}
      <ul className="plain">
        {rows.map((profile) => (
          <li key={profile.id} className="row start">
            <ProfileLink handle={profile.handle} />
            <ConfirmButton
              label={`${undo} @${profile.handle}`}
              className="secondary"
              disabled={busy}
              summary={<p>{`${undo}s @${profile.handle} for you. ${GAS_ONLY}`}</p>}
              onConfirm={() => onUndo(profile)}
            />
          </li>
        ))}
      </ul>
    </Card>
  );
}

function AddMember({ list }: { list: ListData }) {
  const [handle, setHandle] = useState("");
  const clean = handle.trim().replace(/^@/, "").toLowerCase();
  const found = useApi(HandleTaken, { handle: clean }, { enabled: clean.length >= 3 });
  const write = useAgoraWrite("Moderation");
  const id = clean.length >= 3 ? found.data?.profiles.nodes[0]?.id : undefined;
  return (
    <form onSubmit={(event) => event.preventDefault()}>
      <label htmlFor={`add-${list.id}`}>Add a profile to “{cleanText(list.name)}”</label>
      <input
        id={`add-${list.id}`}
        placeholder="@handle"
        value={handle}
        onChange={(e) => setHandle(e.target.value)}
      />
      {clean.length >= 3 && found.data && !id && (
        <p className="muted small">No profile has the handle @{clean}.</p>
      )}
      <ConfirmButton
        label="Add to list"
        disabled={!id || write.busy}
        summary={
          <p>
            Adds @{clean} (profile #{id}) to your list #{list.id}: everyone who subscribes to it
            stops seeing their posts. {GAS_ONLY}
          </p>
        }
        onConfirm={() =>
          void write
            .send({ functionName: "addListMembers", args: [BigInt(list.id), [BigInt(id!)]] })
            .then((receipt) => receipt && setHandle(""))
        }
      />
      <TxStatus state={write.state} />
    </form>
  );
}

function ListCard({
  list,
  viewerId,
  subscribed,
}: {
  list: ListData;
  viewerId: string;
  subscribed: boolean;
}) {
  const write = useAgoraWrite("Moderation");
  const own = list.ownerId === viewerId;
  const name = cleanText(list.name);
  return (
    <li className="card moderation-list" data-list-id={list.id}>
      <h3>
        #{list.id} {name}
      </h3>
      <p className="muted small">
        by <ProfileLink handle={list.owner.handle} /> · {list.members.nodes.length} members
        {subscribed && " · you subscribe"}
      </p>
      <ul className="plain">
        {list.members.nodes.map(({ member }) => (
          <li key={member.id} className="row start">
            <ProfileLink handle={member.handle} />
            {own && (
              <ConfirmButton
                label={`Remove @${member.handle}`}
                className="secondary"
                disabled={write.busy}
                summary={
                  <p>
                    Removes @{member.handle} from your list #{list.id}. {GAS_ONLY}
                  </p>
                }
                onConfirm={() =>
                  void write.send({
                    functionName: "removeListMembers",
                    args: [BigInt(list.id), [BigInt(member.id)]],
                  })
                }
              />
            )}
          </li>
        ))}
      </ul>
      {own && <AddMember list={list} />}
      <ConfirmButton
        label={subscribed ? "Unsubscribe" : "Subscribe"}
        className={subscribed ? "secondary" : ""}
        disabled={write.busy}
        summary={
          <p>
            {subscribed
              ? `Stops applying list #${list.id} “${name}” to what you see.`
              : `Hides the posts, replies and conversations of the ${list.members.nodes.length} members of list #${list.id} “${name}” from what you see, and of anyone its curator adds later.`}{" "}
            {GAS_ONLY}
          </p>
        }
        onConfirm={() =>
          void write.send({
            functionName: subscribed ? "unsubscribeList" : "subscribeList",
            args: [BigInt(viewerId), BigInt(list.id)],
          })
        }
      />
      <TxStatus state={write.state} />
    </li>
  );
}

function CreateList({ profileId }: { profileId: string }) {
  const [name, setName] = useState("");
  const write = useAgoraWrite("Moderation");
  const bytes = new TextEncoder().encode(name.trim()).length;
  const valid = bytes > 0 && bytes <= MAX_NAME_BYTES;
  return (
    <Card title="New moderation list">
      <form onSubmit={(event) => event.preventDefault()}>
        <label htmlFor="list-name">Name</label>
        <input id="list-name" value={name} onChange={(e) => setName(e.target.value)} />
        <p className={bytes > MAX_NAME_BYTES ? "error small" : "muted small"}>
          {bytes} / {MAX_NAME_BYTES} bytes
        </p>
        <ConfirmButton
          label="Create list"
          disabled={!valid || write.busy}
          summary={
            <p>
              Creates the public list “{name.trim()}”, curated by you; others can subscribe to it.{" "}
              {GAS_ONLY}
            </p>
          }
          onConfirm={() =>
            void write
              .send({ functionName: "createList", args: [BigInt(profileId), name.trim()] })
              .then((receipt) => receipt && setName(""))
          }
        />
      </form>
      <TxStatus state={write.state} />
    </Card>
  );
}

/** Blocks, mutes and moderation lists: the viewer's own filters (docs/moderation.md). */
export function ModerationPage() {
  const { profile } = useViewer();
  const { data, error } = useApi(
    MyModeration,
    { profileId: profile?.id ?? "0" },
    { enabled: !!profile },
  );
  const write = useAgoraWrite("Moderation");
  if (!profile)
    return (
      <p>
        Moderation belongs to a profile. <Link to="/register">Register a handle</Link> first.
      </p>
    );
  if (error) return <ErrorNote error={error} />;
  if (!data) return <Loading what="your moderation" />;
  const subscribed = new Set(data.moderationListSubscriptions.nodes.map((s) => s.listId));
  const lists = [...data.moderationLists.nodes].sort(
    (a, b) => Number(b.ownerId === profile.id) - Number(a.ownerId === profile.id),
  );
  const me = BigInt(profile.id);
  return (
    <>
      <h1>Moderation</h1>
      <p className="muted">
        Your filters: nothing is removed from the chain; the app leaves out what you block, mute or
        subscribe to a list for, and says what it hid.
      </p>
      <div className="two-col">
        <ProfileRows
          title="Blocked"
          rows={data.blocks.nodes.map((b) => b.target)}
          undo="Unblock"
          busy={write.busy}
          onUndo={(p) =>
            void write.send({ functionName: "unblockProfile", args: [me, BigInt(p.id)] })
          }
        />
        <ProfileRows
          title="Muted"
          rows={data.mutes.nodes.map((m) => m.target)}
          undo="Unmute"
          busy={write.busy}
          onUndo={(p) =>
            void write.send({ functionName: "unmuteProfile", args: [me, BigInt(p.id)] })
          }
        />
      </div>
      <TxStatus state={write.state} />
      <CreateList profileId={profile.id} />
      <h2>Moderation lists</h2>
      <ul className="plain">
        {lists.map((list) => (
          <ListCard
            key={list.id}
            list={list}
            viewerId={profile.id}
            subscribed={subscribed.has(list.id)}
          />
        ))}
      </ul>
    </>
  );
}
