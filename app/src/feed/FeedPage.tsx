import { useState } from "react";
import { useApi, useApiPages } from "../shared/queries";
import { useChainNow } from "../shared/time";
import { Card, ErrorNote, HiddenNote, Loading } from "../shared/ui";
import { useViewer } from "../wallet/viewer";
import { Composer } from "./Composer";
import { PostCard } from "./PostCard";
import {
  EverythingFeed,
  HomeFeed,
  ModeratedFeed,
  MyReactions,
  type PostData,
  type PostPage,
} from "./queries";

/** Likes of the viewer among `posts`, one query per page. */
export function useLiked(posts: PostData[]): Set<string> {
  const { profile } = useViewer();
  const ids = posts.map((p) => p.id);
  const { data } = useApi(
    MyReactions,
    { profileId: profile?.id ?? "0", postIds: ids },
    { enabled: !!profile && ids.length > 0 },
  );
  return new Set(data?.reactions.nodes.filter((r) => r.kind !== 0).map((r) => r.postId));
}

export function PostList({
  pages,
  loading,
  error,
  hasMore,
  loadMore,
  empty,
}: {
  /** Pages of posts; with a viewer, each says what its moderation hid. */
  pages: PostPage[] | undefined;
  loading: boolean;
  error: unknown;
  hasMore: boolean;
  loadMore: () => void;
  empty: string;
}) {
  const now = useChainNow();
  const posts = pages?.flatMap((page) => page.nodes) ?? [];
  const hidden = pages?.flatMap((page) => page.hidden ?? []) ?? [];
  const liked = useLiked(posts);
  if (error) return <ErrorNote error={error} />;
  if (loading && posts.length === 0) return <Loading what="posts" />;
  if (posts.length === 0) return <p className="muted">{empty}</p>;
  return (
    <div className="post-list">
      <HiddenNote hidden={hidden} what="posts" />
      {posts.map((post) => (
        <PostCard key={post.id} post={post} now={now} liked={liked.has(post.id)} />
      ))}
      {hasMore && (
        <button type="button" className="secondary" onClick={loadMore}>
          Load more
        </button>
      )}
    </div>
  );
}

export function FeedPage() {
  const { address, profile } = useViewer();
  const [tab, setTab] = useState<"following" | "everything">("everything");
  const following = tab === "following" && !!profile;
  const everything = useApiPages(EverythingFeed, {}, (d) => d.posts.pageInfo, {
    enabled: !following && !profile,
  });
  const moderated = useApiPages(
    ModeratedFeed,
    { viewer: profile?.id ?? "0" },
    (d) => d.posts.pageInfo,
    { enabled: !following && !!profile },
  );
  const home = useApiPages(HomeFeed, { id: profile?.id ?? "0" }, (d) => d.homeFeed.pageInfo, {
    enabled: following,
  });
  const active = following ? home : profile ? moderated : everything;
  const pages = following
    ? home.data?.pages.map((p) => p.homeFeed)
    : (profile ? moderated : everything).data?.pages.map((p) => p.posts);
  return (
    <>
      <h1>Home</h1>
      <div className="tabs" role="tablist" aria-label="Feed">
        <button
          role="tab"
          type="button"
          aria-selected={tab === "everything"}
          onClick={() => setTab("everything")}
        >
          Everything
        </button>
        <button
          role="tab"
          type="button"
          aria-selected={tab === "following"}
          disabled={!profile}
          title={profile ? undefined : "Register a profile to follow people"}
          onClick={() => setTab("following")}
        >
          Following
        </button>
      </div>
      {address && (
        <Card className="compose-card">
          <Composer />
        </Card>
      )}
      <PostList
        pages={pages}
        loading={active.isLoading}
        error={active.error}
        hasMore={!!active.hasNextPage}
        loadMore={() => void active.fetchNextPage()}
        empty={following ? "Nobody you follow has posted yet." : "No posts yet."}
      />
    </>
  );
}
