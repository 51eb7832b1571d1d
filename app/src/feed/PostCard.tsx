import { useState } from "react";
import { decodeContent } from "../shared/content";
import { useAgoraWrite } from "../shared/contracts";
import { formatDate, timeAgo } from "../shared/format";
import { Link } from "../shared/router";
import { Avatar, ConfirmButton, DisplayName, TxStatus } from "../shared/ui";
import { TipForm } from "../tips/TipForm";
import { useViewer } from "../wallet/viewer";
import { Composer } from "./Composer";
import type { PostData } from "./queries";

/** Longer posts are folded to this many characters until the reader asks for the rest. */
const FOLD = 1_000;

export function PostBody({ uri }: { uri: string }) {
  const [unfolded, setUnfolded] = useState(false);
  const content = decodeContent(uri);
  if (content.kind === "link")
    return (
      <p className="post-text">
        <span className="muted small">Content at </span>
        <span className="mono small break">{content.text.slice(0, 300)}</span>
      </p>
    );
  if (content.kind === "unreadable") return <p className="muted">(content the app cannot show)</p>;
  const folded = !unfolded && content.text.length > FOLD;
  return (
    <>
      <p className="post-text">{folded ? `${content.text.slice(0, FOLD)}…` : content.text}</p>
      {folded && (
        <button type="button" className="small-button" onClick={() => setUnfolded(true)}>
          Show all {content.text.length.toLocaleString("en-US")} characters
        </button>
      )}
    </>
  );
}

type Panel = "none" | "reply" | "quote" | "tip";

/** The author's own post: retract it (the event marks it retracted; the chain keeps it). */
function Retract({ postId }: { postId: string }) {
  const write = useAgoraWrite("ProfileRegistry");
  return (
    <>
      <ConfirmButton
        label="Retract"
        className="ghost"
        disabled={write.busy}
        summary={
          <p>
            Marks this post retracted: apps stop showing it in feeds and on your profile. The chain
            keeps what was posted, so anyone who reads the chain can still find it. Cost: gas only,
            no fee.
          </p>
        }
        onConfirm={() => void write.send({ functionName: "retract", args: [BigInt(postId)] })}
      />
      <TxStatus state={write.state} />
    </>
  );
}

/** One post with its actions: reply, quote, like, tip. */
export function PostCard({
  post,
  now,
  liked,
  compact,
}: {
  post: PostData;
  now: number;
  liked?: boolean;
  compact?: boolean;
}) {
  const { profile } = useViewer();
  const [panel, setPanel] = useState<Panel>("none");
  const like = useAgoraWrite("ProfileRegistry");
  const toggle = (next: Panel) => setPanel(panel === next ? "none" : next);
  return (
    <article className="post" aria-labelledby={`post-${post.id}-by`} data-post-id={post.id}>
      <Avatar handle={post.author.handle} metadataUri={post.author.metadataUri} />
      <div className="post-main">
        <header id={`post-${post.id}-by`}>
          <DisplayName handle={post.author.handle} metadataUri={post.author.metadataUri} />
          <span className="muted small">
            {" · "}
            <Link
              to={`/post/${post.id}`}
              title={post.timestamp ? formatDate(post.timestamp) : undefined}
            >
              {post.timestamp ? timeAgo(post.timestamp, now) : "view"}
            </Link>
          </span>
        </header>
        {post.parentId && (
          <p className="muted small">
            Replying to{" "}
            <Link to={`/post/${post.parentId}`}>
              {post.parent ? `@${post.parent.author.handle}` : "a post"}
            </Link>
          </p>
        )}
        <PostBody uri={post.contentUri} />
        {post.quoted && (
          <Link
            to={`/post/${post.quoted.id}`}
            className="quote"
            aria-label={`Quoted post by @${post.quoted.author.handle}`}
          >
            <span className="small">@{post.quoted.author.handle}</span>
            <PostBody uri={post.quoted.contentUri} />
          </Link>
        )}
        {!compact && (
          <div className="actions" role="group" aria-label="Post actions">
            <button
              type="button"
              className="ghost"
              aria-expanded={panel === "reply"}
              onClick={() => toggle("reply")}
              disabled={!profile}
            >
              Reply <span className="num">{post.stats.replyCount}</span>
            </button>
            <button
              type="button"
              className="ghost"
              aria-expanded={panel === "quote"}
              onClick={() => toggle("quote")}
              disabled={!profile}
            >
              Quote <span className="num">{post.stats.quoteCount}</span>
            </button>
            <ConfirmButton
              label={liked ? "Unlike" : "Like"}
              className={`ghost ${liked ? "liked" : ""}`}
              pressed={!!liked}
              disabled={!profile || like.busy}
              summary={
                <p>
                  {liked
                    ? `Takes back the like of @${profile?.handle ?? ""} on this post by @${post.author.handle}.`
                    : `Likes this post by @${post.author.handle} as @${profile?.handle ?? ""}.`}{" "}
                  Reactions are public events on chain. Cost: gas only, no fee, no value sent.
                </p>
              }
              onConfirm={() =>
                void like.send({
                  functionName: "react",
                  args: [BigInt(profile!.id), BigInt(post.id), liked ? 0 : 1],
                })
              }
            >
              {liked ? "Liked" : "Like"} <span className="num">{post.stats.reactionCount}</span>
            </ConfirmButton>
            <button
              type="button"
              className="ghost"
              aria-expanded={panel === "tip"}
              onClick={() => toggle("tip")}
            >
              Tip
            </button>
            {profile?.id === post.authorId && !post.retracted && <Retract postId={post.id} />}
          </div>
        )}
        <TxStatus state={like.state} />
        {panel === "reply" && (
          <Composer
            parentId={post.id}
            label={`Reply to @${post.author.handle}`}
            about={post.author.handle}
          />
        )}
        {panel === "quote" && (
          <Composer
            quotedId={post.id}
            label={`Quote @${post.author.handle}`}
            about={post.author.handle}
          />
        )}
        {panel === "tip" && (
          <TipForm profileId={post.authorId} postId={post.id} handle={post.author.handle} />
        )}
      </div>
    </article>
  );
}
