import { useState } from "react";
import { PostList } from "../feed/FeedPage";
import { useApi } from "../shared/queries";
import { Avatar, DisplayName, ErrorNote } from "../shared/ui";
import { Search } from "./queries";

/** Longest query the API takes (findProfiles, searchPosts). */
const MAX_QUERY = 100;

export function SearchPage({ initial }: { initial: string }) {
  const [text, setText] = useState(initial);
  const query = text.trim().slice(0, MAX_QUERY);
  const { data, error } = useApi(Search, { query }, { enabled: query.length > 0 });
  const posts = data?.searchPosts.map((hit) => hit.post) ?? [];
  return (
    <>
      <h1>Search</h1>
      <label htmlFor="search">Handle, name or words of a post</label>
      <input
        id="search"
        type="search"
        value={text}
        maxLength={MAX_QUERY}
        autoFocus
        onChange={(e) => setText(e.target.value)}
      />
      {error && <ErrorNote error={error} />}
      <h2>People</h2>
      <ul className="plain results">
        {query &&
          data?.findProfiles.map(({ profile: p }) => (
            <li key={p.id} className="row start">
              <Avatar handle={p.handle} metadataUri={p.metadataUri} size={32} />
              <DisplayName handle={p.handle} metadataUri={p.metadataUri} />
            </li>
          ))}
      </ul>
      {query && data?.findProfiles.length === 0 && (
        <p className="muted">No handle or name looks like “{query}”.</p>
      )}
      {query && data && (
        <>
          <h2>Posts</h2>
          <PostList
            pages={[{ nodes: posts, pageInfo: { hasNextPage: false, endCursor: null } }]}
            loading={false}
            error={null}
            hasMore={false}
            loadMore={() => undefined}
            empty={`No post mentions “${query}”.`}
          />
        </>
      )}
    </>
  );
}
