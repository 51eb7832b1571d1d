import { cleanText } from "../shared/content";
import { useApi } from "../shared/queries";
import { useChainNow } from "../shared/time";
import { AddressText, Card, ErrorNote, Eth, Loading } from "../shared/ui";
import { TokenAmount } from "../shared/token";
import { useLiked } from "./FeedPage";
import { PostCard } from "./PostCard";
import { PostThread } from "./queries";

const ZERO = "0x0000000000000000000000000000000000000000";

/** A post with its parent, its replies (oldest first), its quotes and its tips. */
export function PostPage({ id }: { id: string }) {
  const now = useChainNow();
  const { data, error, isLoading } = useApi(PostThread, { id });
  const post = data?.post;
  const liked = useLiked(post ? [post, ...post.replies.nodes, ...post.quotes.nodes] : []);
  if (error) return <ErrorNote error={error} />;
  if (isLoading || !post) return <Loading what="the thread" />;
  return (
    <>
      <h1>Thread</h1>
      {post.parent && (
        <PostCard post={post.parent} now={now} liked={liked.has(post.parent.id)} compact />
      )}
      <div className="focus">
        <PostCard post={post} now={now} liked={liked.has(post.id)} />
      </div>
      <Card title={`Replies (${post.replies.nodes.length})`}>
        {post.replies.nodes.length === 0 && <p className="muted">No replies yet.</p>}
        {post.replies.nodes.map((reply) => (
          <PostCard key={reply.id} post={reply} now={now} liked={liked.has(reply.id)} />
        ))}
      </Card>
      {post.quotes.nodes.length > 0 && (
        <Card title={`Quotes (${post.quotes.nodes.length})`}>
          {post.quotes.nodes.map((quote) => (
            <PostCard key={quote.id} post={quote} now={now} liked={liked.has(quote.id)} />
          ))}
        </Card>
      )}
      <Card title="Tips">
        {post.tips.nodes.length === 0 && <p className="muted">No tips yet.</p>}
        <ul className="plain">
          {post.tips.nodes.map((tip) => (
            <li key={tip.txHash}>
              <AddressText address={tip.tipper} /> tipped{" "}
              {tip.token === ZERO ? (
                <Eth wei={tip.amount} />
              ) : (
                <TokenAmount token={tip.token} amount={tip.amount} />
              )}
              {tip.message && <span className="muted"> “{cleanText(tip.message)}”</span>}
            </li>
          ))}
        </ul>
      </Card>
    </>
  );
}
