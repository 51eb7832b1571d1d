import { useState } from "react";
import { decodeMetadata } from "../shared/content";
import { useAgoraWrite } from "../shared/contracts";
import { formatEth } from "../shared/format";
import { useApi, useApiPages } from "../shared/queries";
import { Link } from "../shared/router";
import {
  AddressText,
  Avatar,
  Card,
  ConfirmButton,
  ErrorNote,
  Loading,
  ProfileLink,
  TxStatus,
} from "../shared/ui";
import { PostList } from "../feed/FeedPage";
import { ModerationButtons } from "../privacy/ModerationButtons";
import { TipForm } from "../tips/TipForm";
import { useViewer } from "../wallet/viewer";
import { IsFollowing, ProfileFollows, ProfilePage as ProfileQuery, ProfilePosts } from "./queries";

function FollowButton({ profileId, handle }: { profileId: string; handle: string }) {
  const { profile } = useViewer();
  const write = useAgoraWrite("ProfileRegistry");
  const { data } = useApi(
    IsFollowing,
    { followerId: profile?.id ?? "0", followedId: profileId },
    { enabled: !!profile },
  );
  if (!profile || profile.id === profileId) return null;
  const following = (data?.follows.nodes.length ?? 0) > 0;
  return (
    <div>
      <ConfirmButton
        label={following ? `Unfollow @${handle}` : `Follow @${handle}`}
        className={following ? "secondary" : ""}
        disabled={write.busy || !data}
        summary={
          <p>
            {following
              ? `Your profile @${profile.handle} stops following @${handle}; their posts leave your home feed.`
              : `Your profile @${profile.handle} follows @${handle}; their posts join your home feed.`}{" "}
            Follows are public events on chain. Cost: gas only, no fee, no value sent.
          </p>
        }
        onConfirm={() =>
          void write.send({
            functionName: following ? "unfollow" : "follow",
            args: [BigInt(profile.id), BigInt(profileId)],
          })
        }
      />
      <TxStatus state={write.state} />
    </div>
  );
}

function Follows({ handle }: { handle: string }) {
  const { data, error } = useApi(ProfileFollows, { handle });
  if (error) return <ErrorNote error={error} />;
  if (!data) return <Loading what="follows" />;
  return (
    <div className="two-col">
      <Card title={`Followers`}>
        <ul className="plain">
          {data.profile.followers.nodes.map(({ follower }) => (
            <li key={follower.id}>
              <ProfileLink handle={follower.handle} />
            </li>
          ))}
        </ul>
      </Card>
      <Card title="Following">
        <ul className="plain">
          {data.profile.following.nodes.map(({ followed }) => (
            <li key={followed.id}>
              <ProfileLink handle={followed.handle} />
            </li>
          ))}
        </ul>
      </Card>
    </div>
  );
}

export function ProfilePage({ handle }: { handle: string }) {
  const [tab, setTab] = useState<"posts" | "follows">("posts");
  const [tipping, setTipping] = useState(false);
  const { data, error, isLoading } = useApi(ProfileQuery, { handle });
  const posts = useApiPages(ProfilePosts, { handle }, (d) => d.profile.posts.pageInfo);
  if (error) return <ErrorNote error={error} />;
  if (isLoading || !data) return <Loading what={`@${handle}`} />;
  const { profile } = data;
  const meta = decodeMetadata(profile.metadataUri);
  return (
    <>
      <Card className="profile-head">
        <div className="row start">
          <Avatar handle={profile.handle} metadataUri={profile.metadataUri} size={72} />
          <div>
            <h1>{meta.displayName ?? profile.handle}</h1>
            <p className="muted">
              @{profile.handle} · <AddressText address={profile.owner} />
            </p>
          </div>
        </div>
        {meta.bio && <p>{meta.bio}</p>}
        <p className="stats">
          <span>
            <strong className="num">{profile.stats.postCount}</strong> posts
          </span>
          <span>
            <strong className="num">{profile.stats.followerCount}</strong> followers
          </span>
          <span>
            <strong className="num">{profile.stats.followingCount}</strong> following
          </span>
        </p>
        {profile.coin ? (
          <p>
            Coin: <Link to={`/coin/${profile.coin.address}`}>${profile.coin.symbol}</Link> at{" "}
            {formatEth(BigInt(profile.coin.price))} · {profile.coin.holders} holders
          </p>
        ) : (
          <p className="muted">No coin launched yet.</p>
        )}
        <div className="row start">
          <FollowButton profileId={profile.id} handle={profile.handle} />
          <button
            type="button"
            className="secondary"
            aria-expanded={tipping}
            onClick={() => setTipping(!tipping)}
          >
            Tip @{profile.handle}
          </button>
        </div>
        {tipping && <TipForm profileId={profile.id} handle={profile.handle} />}
        <ModerationButtons profileId={profile.id} handle={profile.handle} />
      </Card>
      <div className="tabs" role="tablist" aria-label="Profile">
        <button
          role="tab"
          type="button"
          aria-selected={tab === "posts"}
          onClick={() => setTab("posts")}
        >
          Posts
        </button>
        <button
          role="tab"
          type="button"
          aria-selected={tab === "follows"}
          onClick={() => setTab("follows")}
        >
          Followers and following
        </button>
      </div>
      {tab === "posts" ? (
        <PostList
          pages={posts.data?.pages.map((p) => p.profile.posts)}
          loading={posts.isLoading}
          error={posts.error}
          hasMore={!!posts.hasNextPage}
          loadMore={() => void posts.fetchNextPage()}
          empty={`@${profile.handle} has not posted yet.`}
        />
      ) : (
        <Follows handle={profile.handle} />
      )}
    </>
  );
}
